/*
 * test_key.c: the signing key is made once, owner-only, and read back the
 * same; a key others can read, or a file that holds no key, is refused.
 */
#include "config.h"

#include <sodium.h>

#include "testlib.h"

#include "key.h"
#include "log.h"
#include "util.h"

static void
test_made_once(void **state)
{
	unsigned char	 k1[KEY_BYTES], k2[KEY_BYTES], zero[KEY_BYTES];
	struct stat	 sb;
	char		*path, *cause = NULL;

	(void)state;
	path = xprintf("%s/signing.key", test_dir);
	unlink(path);
	if (key_load(path, k1, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(sb.st_size, KEY_BYTES * 2 + 1);
	memset(zero, 0, sizeof zero);
	assert_memory_not_equal(k1, zero, KEY_BYTES);

	assert_int_equal(key_load(path, k2, &cause), 0);
	assert_memory_equal(k1, k2, KEY_BYTES);

	/* Another file gets another key. */
	free(path);
	path = xprintf("%s/other.key", test_dir);
	unlink(path);
	assert_int_equal(key_load(path, k2, &cause), 0);
	assert_memory_not_equal(k1, k2, KEY_BYTES);
	free(path);
}

static void
test_refused(void **state)
{
	unsigned char	 k[KEY_BYTES];
	char		*cause = NULL;
	const char	*path;

	(void)state;
	path = test_file("open.key", "00112233445566778899aabbccddeeff"
	    "00112233445566778899aabbccddeeff\n", 0644);
	assert_int_equal(key_load(path, k, &cause), -1);
	assert_non_null(strstr(cause, "is readable by group or others "
	    "(mode 0644)"));
	free(cause);
	cause = NULL;

	path = test_file("short.key", "0011\n", 0600);
	assert_int_equal(key_load(path, k, &cause), -1);
	assert_non_null(strstr(cause, "not a key (64 hexadecimal digits"));
	free(cause);
	cause = NULL;

	path = test_file("good.key", "00112233445566778899aabbccddeeff"
	    "00112233445566778899aabbccddeeff\n", 0600);
	assert_int_equal(key_load(path, k, &cause), 0);
	assert_int_equal(k[1], 0x11);
	assert_int_equal(k[31], 0xff);
}

/* A signature opens only its own purpose, subject and expiry, in time. */
static void
test_sign(void **state)
{
	unsigned char	 k[KEY_BYTES], k2[KEY_BYTES];
	char		 sig[KEY_SIG_LEN], other[KEY_SIG_LEN];
	time_t		 now = 1800000000;

	(void)state;
	memset(k, 7, sizeof k);
	memset(k2, 8, sizeof k2);
	key_sign(k, "prefs", "42", now + 60, sig);
	assert_int_equal(strlen(sig), KEY_SIG_LEN - 1);
	assert_int_equal(strspn(sig, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_"), KEY_SIG_LEN - 1);
	assert_int_equal(key_verify(k, "prefs", "42", now + 60, sig, now), 0);
	assert_int_equal(key_verify(k, "prefs", "42", now + 60, sig,
	    now + 61), -1);
	assert_int_equal(key_verify(k, "dlr", "42", now + 60, sig, now), -1);
	assert_int_equal(key_verify(k, "prefs", "43", now + 60, sig, now), -1);
	assert_int_equal(key_verify(k, "prefs", "42", now + 61, sig, now), -1);
	assert_int_equal(key_verify(k2, "prefs", "42", now + 60, sig, now),
	    -1);
	assert_int_equal(key_verify(k, "prefs", "42", now + 60, "short",
	    now), -1);
	key_sign(k, "prefs", "42", now + 60, other);
	assert_string_equal(sig, other);
	other[3] = other[3] == 'A' ? 'B' : 'A';
	assert_int_equal(key_verify(k, "prefs", "42", now + 60, other, now),
	    -1);
}

/*
 * The MAC is HMAC-SHA-512-256 of "purpose:subject:expiry", whichever key
 * was used last: links already sent keep working.
 */
static void
test_sign_mac(void **state)
{
	unsigned char	 k[2][KEY_BYTES], mac[crypto_auth_hmacsha512256_BYTES];
	char		 sig[KEY_SIG_LEN], want[KEY_SIG_LEN];
	const char	*msg = "rsvp:12.34:1800000060";
	int		 i, round;

	(void)state;
	memset(k[0], 3, KEY_BYTES);
	memset(k[1], 4, KEY_BYTES);
	for (round = 0; round < 2; round++) {
		for (i = 0; i < 2; i++) {
			crypto_auth_hmacsha512256(mac,
			    (const unsigned char *)msg, strlen(msg), k[i]);
			sodium_bin2base64(want, sizeof want, mac, 16,
			    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
			key_sign(k[i], "rsvp", "12.34", 1800000060, sig);
			assert_string_equal(sig, want);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_made_once),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_sign),
		cmocka_unit_test(test_sign_mac),
	};

	log_init(LOG_TARGET_STDERR, 0);
	return (cmocka_run_group_tests_name("key", tests, test_setup_dir,
	    test_remove_dir));
}
