/*
 * unit_check.h — the check macro and summary line the unit tests share.
 * Each test file includes it once: CHECK(cond, name) prints "ok name" or
 * "FAIL name (file:line)", and unit_summary() prints the "N passed,
 * N failed" line test/run.sh adds up and returns the exit status.
 */
#ifndef UNIT_CHECK_H
#define UNIT_CHECK_H

#include <stdio.h>

static int	passed = 0;
static int	failed = 0;

#define CHECK(cond, name) \
	do { \
		if (cond) { passed++; printf("ok %s\n", name); } \
		else { failed++; printf("FAIL %s (%s:%d)\n", name, __FILE__, __LINE__); } \
	} while (0)

/* Non-zero exit status when anything failed or nothing ran. */
static inline int
unit_summary(void)
{
	printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 && passed > 0 ? 0 : 1;
}

#endif							/* UNIT_CHECK_H */
