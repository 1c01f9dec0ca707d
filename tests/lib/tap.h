/* tap.h: a small TAP harness for gild's unit tests (apk's APK_TEST style).
 *
 *   TEST(version_cmp_treats_p1_above_release) {
 *           CHECK(version_cmp_str("1.0_p1", "1.0") > 0);
 *           CHECK_STREQ(got, "want");
 *   }
 *
 * Each TEST registers itself; tap.c's main runs them in file order and
 * prints "ok N - name" or "not ok N - name" with the failed checks as
 * "# file:line: ..." comments. tap_skip("reason") inside a test marks it
 * skipped ("ok N - name # SKIP reason") and returns from nothing: the test
 * should return right after calling it.
 */
#ifndef GILD_TAP_H
#define GILD_TAP_H

#include <stdbool.h>
#include <string.h>

void tap_register(const char *name, void (*fn)(void));
bool tap_check(bool ok, const char *expr, const char *file, int line);
bool tap_check_str(const char *got, const char *want, const char *expr,
		   const char *file, int line);
bool tap_check_int(long long got, long long want, const char *expr,
		   const char *file, int line);
void tap_skip(const char *reason);
/* Free-form diagnostic line ("# ...") in the TAP output. */
void tap_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define TEST(name)                                                             \
	static void name(void);                                                \
	__attribute__((constructor)) static void tap_reg_##name(void)          \
	{                                                                      \
		tap_register(#name, name);                                     \
	}                                                                      \
	static void name(void)

#define CHECK(cond) tap_check((cond), #cond, __FILE__, __LINE__)
#define CHECK_STREQ(got, want)                                                 \
	tap_check_str((got), (want), #got, __FILE__, __LINE__)
#define CHECK_INTEQ(got, want)                                                 \
	tap_check_int((long long)(got), (long long)(want), #got, __FILE__,     \
		      __LINE__)

#endif
