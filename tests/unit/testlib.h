/*
 * testlib.h: what the unit tests share: cmocka, a temporary folder that is
 * removed afterwards, and writing a small file in one call.
 */
#ifndef CONVENE_TESTLIB_H
#define CONVENE_TESTLIB_H

#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static char test_dir[] = "/tmp/convene-unit.XXXXXX";

static int __attribute__((unused))
test_setup_dir(void **state)
{
	(void)state;
	if (mkdtemp(test_dir) == NULL)
		return (-1);
	return (0);
}

static int __attribute__((unused))
test_remove_dir(void **state)
{
	char	cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", test_dir);
	return (system(cmd) == 0 ? 0 : -1);
}

/* Write text to a file in the test folder; returns its path (static). */
static __attribute__((unused)) const char *
test_file(const char *name, const char *text, mode_t mode)
{
	static char	 path[256];
	FILE		*f;

	snprintf(path, sizeof path, "%s/%s", test_dir, name);
	unlink(path);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
	return (path);
}

#endif
