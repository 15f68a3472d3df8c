/*
 * key.c: the secret key that signs the links people are sent.
 *
 * It lives in a file only its owner may read.  When the configuration
 * names none, convened makes signing.key in the state directory on its
 * first start, from libsodium's random source, and reuses it after.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "key.h"
#include "log.h"
#include "util.h"

static int
key_create(const char *path, char **cause)
{
	unsigned char	 key[KEY_BYTES];
	char		 hex[KEY_BYTES * 2 + 2];
	size_t		 len;
	int		 fd;

	randombytes_buf(key, sizeof key);
	sodium_bin2hex(hex, sizeof hex, key, sizeof key);
	sodium_memzero(key, sizeof key);
	len = strlen(hex);
	hex[len++] = '\n';
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd == -1) {
		cause_set(cause, "%s: cannot create: %s", path,
		    strerror(errno));
		return (-1);
	}
	if (write(fd, hex, len) != (ssize_t)len || fsync(fd) == -1) {
		cause_set(cause, "%s: cannot write: %s", path,
		    strerror(errno));
		close(fd);
		unlink(path);
		return (-1);
	}
	sodium_memzero(hex, sizeof hex);
	close(fd);
	log_info("made a new signing key in %s", path);
	return (0);
}

/* Read the key at path, making it first when it is not there. */
int
key_load(const char *path, unsigned char key[KEY_BYTES], char **cause)
{
	struct stat	 sb;
	char		 buf[256];
	const char	*end;
	size_t		 binlen;
	ssize_t		 n;
	int		 fd;

	if (sodium_init() < 0) {
		cause_set(cause, "libsodium cannot start");
		return (-1);
	}
	if (access(path, F_OK) == -1 && errno == ENOENT &&
	    key_create(path, cause) != 0)
		return (-1);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		cause_set(cause, "%s: cannot open: %s", path, strerror(errno));
		return (-1);
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		cause_set(cause, "%s: not a regular file", path);
		goto fail;
	}
	if ((sb.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		cause_set(cause, "%s is readable by group or others (mode "
		    "%04o); chmod 600 it", path,
		    (unsigned)(sb.st_mode & 07777));
		goto fail;
	}
	n = read(fd, buf, sizeof buf - 1);
	if (n < 0) {
		cause_set(cause, "%s: cannot read: %s", path, strerror(errno));
		goto fail;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (sodium_hex2bin(key, KEY_BYTES, buf, strlen(buf), NULL, &binlen,
	    &end) != 0 || binlen != KEY_BYTES || *end != '\0') {
		cause_set(cause, "%s: not a key (%d hexadecimal digits on "
		    "one line)", path, KEY_BYTES * 2);
		goto fail;
	}
	sodium_memzero(buf, sizeof buf);
	close(fd);
	return (0);
fail:
	sodium_memzero(buf, sizeof buf);
	close(fd);
	return (-1);
}

/*
 * Sign "purpose:subject:expiry" with the key: HMAC-SHA-512-256, cut to
 * 128 bits and written in URL-safe base64 (22 characters).  The purpose
 * keeps a signature made for one kind of link from opening another.
 */
void
key_sign(const unsigned char key[KEY_BYTES], const char *purpose,
    const char *subject, long long expiry, char out[KEY_SIG_LEN])
{
	/*
	 * The state after the key's padded blocks, hashed once a thread
	 * and kept: a link checked then costs two blocks of SHA-512, not
	 * four.  The same MAC as crypto_auth_hmacsha512256 of the whole.
	 */
	static _Thread_local struct {
		unsigned char			key[KEY_BYTES];
		int				set;
		crypto_auth_hmacsha512256_state	st;
	} kc;
	crypto_auth_hmacsha512256_state	 st;
	unsigned char	 mac[crypto_auth_hmacsha512256_BYTES];
	char		 num[32];
	int		 n;

	if (!kc.set || sodium_memcmp(kc.key, key, KEY_BYTES) != 0) {
		crypto_auth_hmacsha512256_init(&kc.st, key, KEY_BYTES);
		memcpy(kc.key, key, KEY_BYTES);
		kc.set = 1;
	}
	st = kc.st;
	n = snprintf(num, sizeof num, ":%lld", expiry);
	crypto_auth_hmacsha512256_update(&st, (const unsigned char *)purpose,
	    strlen(purpose));
	crypto_auth_hmacsha512256_update(&st, (const unsigned char *)":", 1);
	crypto_auth_hmacsha512256_update(&st, (const unsigned char *)subject,
	    strlen(subject));
	crypto_auth_hmacsha512256_update(&st, (const unsigned char *)num,
	    (unsigned long long)n);
	crypto_auth_hmacsha512256_final(&st, mac);
	sodium_memzero(&st, sizeof st);
	sodium_bin2base64(out, KEY_SIG_LEN, mac, 16,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* 0 when sig is the signature of these and expiry is not past now. */
int
key_verify(const unsigned char key[KEY_BYTES], const char *purpose,
    const char *subject, long long expiry, const char *sig, time_t now)
{
	char	good[KEY_SIG_LEN];

	if (expiry < (long long)now || strlen(sig) != KEY_SIG_LEN - 1)
		return (-1);
	key_sign(key, purpose, subject, expiry, good);
	return (sodium_memcmp(good, sig, KEY_SIG_LEN - 1) == 0 ? 0 : -1);
}
