#!/bin/sh
test_description='pretend and build plan the test? ( ) dependencies FEATURES=test needs, as Portage does'
. "$(dirname "$0")/lib.sh"

test_expect_success 'without FEATURES=test, USE=test is off and its dependencies are not planned' '
	cp -r "$FIXTURES/build-basic" t &&
	gild -C t pretend app-misc/testdeps >out &&
	test_grep "^\[build  N   \] app-misc/testdeps-1:0 USE=\"-test\"$" out &&
	test_grep ! "app-misc/limits" out
'

test_expect_success 'FEATURES=test turns USE=test on and plans the test dependency first (cold and warm cache)' '
	rm -rf t/var/cache &&
	for run in cold warm; do
		FEATURES=test gild -C t pretend app-misc/testdeps >out &&
		printf "%s\n" "[build  N   ] app-misc/limits-1:0" \
			"[build  N   ] app-misc/testdeps-1:0 USE=\"test\"" "" \
			"Total: 2 packages (2 new)" >expect &&
		test_cmp expect out || exit 1
	done
'

test_expect_success 'FEATURES=test in gild.conf counts too' '
	cp -r "$FIXTURES/build-basic" t2 &&
	echo "FEATURES=\"test\"" >>t2/etc/gild.conf &&
	gild -C t2 pretend app-misc/testdeps >out &&
	test_grep "app-misc/limits-1" out
'

test_expect_success 'RESTRICT=test keeps USE=test off under FEATURES=test, and its dependency out' '
	FEATURES=test gild -C t pretend app-misc/testdeps-off >out &&
	test_grep "^\[build  N   \] app-misc/testdeps-off-1:0 USE=\"-test\"$" out &&
	test_grep ! "app-misc/limits" out
'

test_expect_success SANDBOX 'gild build builds the test dependency first and the tests see it' '
	FEATURES=test gild -C t build --keep-work app-misc/testdeps >out 2>err &&
	test_grep "^>>> app-misc/limits-1: built" out &&
	test_grep "^>>> app-misc/testdeps-1: built" out &&
	grep -n "^>>> app-misc/" out | cut -d: -f1 >order &&
	test "$(head -n 1 order)" -lt "$(tail -n 1 order)" &&
	test_grep "test -f /usr/share/limits/limits.txt" t/var/tmp/gild/app-misc/testdeps-1/build.log
'

test_done
