/*
 * mime.h: an email as the bytes that go on the wire (RFC 5322 and MIME),
 * for the SMTP channel and the spool alike.
 */
#ifndef CONVENE_MIME_H
#define CONVENE_MIME_H

#include <time.h>

struct chan_msg;

char		*msg_header_address(const char *, const char *);
char		*mime_message(const struct chan_msg *, const char *, time_t);
char		*mime_envelope(const char *);

#endif
