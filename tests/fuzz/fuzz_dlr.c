/*
 * fuzz_dlr.c: an SMS gateway's delivery report (chan_sms.c): its address
 * (the query string), then its status from a JSON or form body or the
 * address.  The fields are the query, the Content-Type and the body.
 * The signature is not checked here: every report reaches the status.
 */
#include "config.h"

#include <event2/keyvalq_struct.h>

#include "fuzz.h"

#include "convene.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sms_dlr	 d;
	char		*buf, *f[3], *why = NULL;
	const char	*body;
	int		 ok;

	fuzz_fields(data, size, &buf, f, 3);
	ok = chan_sms_dlr_address(&d, f[0], &why) == 0;
	if (ok && (d.id < 1 || d.attempt < 1 || d.expiry < 0 ||
	    d.sig == NULL))
		abort();
	if (!ok && why == NULL)
		abort();
	free(why);
	why = NULL;
	body = f[2] != NULL ? f[2] : "";
	if (chan_sms_dlr_status(&d, f[1], body, strlen(body), &why) == 0) {
		if (d.status == NULL || d.state == NULL)
			abort();
	} else if (why == NULL)
		abort();
	free(why);
	chan_sms_dlr_clear(&d);
	free(buf);
	return (0);
}
