#!/bin/sh
test_description='gild build: FEATURES=test, USE=test and RESTRICT=test (PMS 9.1.7, as Portage)'
. "$(dirname "$0")/lib.sh"

pkg_of() {
	sed -n "s|^>>> $1: built ||p" out
}

test_expect_success SANDBOX 'without FEATURES=test, src_test does not run and USE=test is off' '
	cp -r "$FIXTURES/build-basic" t &&
	gild -C t build app-misc/tested >out 2>err &&
	pkg=$(pkg_of app-misc/tested-1) &&
	gild pkg show "$pkg" >show &&
	test_grep "^USE: *$" show &&
	gild pkg files "$pkg" >files &&
	test_grep ! "test.log" files
'

test_expect_success SANDBOX 'FEATURES=test turns USE=test on and runs make check' '
	FEATURES=test gild -C t build app-misc/tested >out 2>err &&
	pkg=$(pkg_of app-misc/tested-1) &&
	gild pkg show "$pkg" >show &&
	test_grep "^USE: test$" show &&
	test_grep "^FEATURES: .*test" show &&
	test_grep "^USE: test$" show &&
	rm -rf x && gild pkg extract "$pkg" x >/dev/null &&
	echo "PASS: 3 of 3 tests (USE: test)" >expect &&
	test_cmp expect x/usr/share/tested/test.log
'

test_expect_success SANDBOX 'a failing test fails the build with the log excerpt, and packages nothing' '
	test_expect_code 1 env FEATURES=test gild -C t build app-misc/failing 2>err &&
	test_grep "^FAIL: overflow test (expected 4, got 5)$" err &&
	test_grep "gild: error: .app-misc/failing-1.: src_test failed (status 1); log: .*build.log$" err &&
	! ls t/var/packages/app-misc/failing-* 2>/dev/null
'

test_expect_success SANDBOX 'the same recipe builds without FEATURES=test' '
	gild -C t build app-misc/failing >out 2>err &&
	test_grep ": built " out
'

test_expect_success SANDBOX 'RESTRICT=test: the tests never run and USE=test stays off' '
	FEATURES=test gild -C t build --keep-work app-misc/untested >out 2>err &&
	pkg=$(pkg_of app-misc/untested-1) &&
	gild pkg show "$pkg" >show &&
	test_grep "^USE: *$" show &&
	test_grep ">>> app-misc/untested-1: src_compile" t/var/tmp/gild/app-misc/untested-1/build.log &&
	test_grep ! ">>> app-misc/untested-1: src_test" t/var/tmp/gild/app-misc/untested-1/build.log &&
	test_grep "^FEATURES in the phases: strip$" t/var/tmp/gild/app-misc/untested-1/build.log
'

test_done
