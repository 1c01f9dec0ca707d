#!/bin/sh
test_description='gild build: every phase runs under process, memory and file-size limits from gild.conf; a full work area'
. "$(dirname "$0")/lib.sh"

# limits_of TREE: the limits app-misc/limits recorded in its package
limits_of() {
	rm -rf x && gild pkg extract "$(ls "$1"/var/packages/app-misc/limits-1-*.gpkg.tar)" x >/dev/null &&
	cat x/usr/share/limits/limits.txt
}

test_expect_success SANDBOX 'the defaults: 4096 processes, 32 GiB per file' '
	cp -r "$FIXTURES/build-basic" t1 &&
	gild -C t1 build app-misc/limits >out 2>err &&
	printf "nproc 4096\nfsize %s\n" $((32 * 1024 * 1024)) >expect &&
	limits_of t1 >actual &&
	test_cmp expect actual
'

test_expect_success SANDBOX 'GILD_BUILD_NPROC and GILD_BUILD_FSIZE (with a suffix) from gild.conf' '
	cp -r "$FIXTURES/build-basic" t2 &&
	printf "GILD_BUILD_NPROC=300\nGILD_BUILD_FSIZE=\"2g\"\n" >>t2/etc/gild.conf &&
	gild -C t2 build app-misc/limits >out 2>err &&
	printf "nproc 300\nfsize %s\n" $((2 * 1024 * 1024)) >expect &&
	limits_of t2 >actual &&
	test_cmp expect actual
'

test_expect_success SANDBOX '0 turns a limit off' '
	cp -r "$FIXTURES/build-basic" t3 &&
	printf "GILD_BUILD_NPROC=0\nGILD_BUILD_FSIZE=0\n" >>t3/etc/gild.conf &&
	gild -C t3 build app-misc/limits >out 2>err &&
	limits_of t3 >actual &&
	test_grep "^fsize unlimited$" actual
'

test_expect_success 'a limit that is not a number is refused with its gild.conf line' '
	cp -r "$FIXTURES/build-basic" t4 &&
	echo "GILD_BUILD_MEM=\"4 GB\"" >>t4/etc/gild.conf &&
	line=$(wc -l <t4/etc/gild.conf) &&
	test_expect_code 2 gild -C t4 build app-misc/limits 2>err &&
	test_grep "^etc/gild.conf:$line: error: .GILD_BUILD_MEM. is not a whole number (with an optional k, m or g suffix): .4 GB.$" err &&
	! ls t4/var/packages/app-misc/limits-* 2>/dev/null
'

test_expect_success 'a bad GILD_PHASE_TIMEOUT is an error, not the default' '
	cp -r "$FIXTURES/build-basic" t5 &&
	echo "GILD_PHASE_TIMEOUT=3h" >>t5/etc/gild.conf &&
	test_expect_code 2 gild -C t5 build app-misc/limits 2>err &&
	test_grep "GILD_PHASE_TIMEOUT. is not a whole number: .3h.$" err
'

test_expect_success 'a bad fetch timeout is an error too' '
	cp -r "$FIXTURES/build-basic" t6 &&
	echo "GILD_FETCH_TIMEOUT=-1" >>t6/etc/gild.conf &&
	test_expect_code 2 gild -C t6 fetch app-misc/hello 2>err &&
	test_grep "GILD_FETCH_TIMEOUT. is not a whole number: .-1.$" err
'

if test_have_prereq ROOT && make_hello_tree full && mkdir -p full/var/tmp/gild &&
	mount -t tmpfs -o size=4m tmpfs full/var/tmp/gild 2>/dev/null; then
	test_set_prereq SMALLFS
else test_set_prereq_reason SMALLFS "needs root and mount -t tmpfs"; fi

test_expect_success SMALLFS,SANDBOX 'a full work area names the work directories failed builds left' '
	mkdir -p full/var/tmp/gild/app-misc/failing-1/work &&
	test_must_fail dd if=/dev/zero of=full/var/tmp/gild/app-misc/failing-1/work/blob bs=1M count=8 2>/dev/null &&
	test_expect_code 1 gild -C full build app-misc/hello >out 2>err &&
	test_grep "No space left on device; the work area .$PWD/full/var/tmp/gild. is full: remove the work directories failed builds left there for inspection (app-misc/[^)]*failing-1[^)]*), or run .gild clean., which keeps those of running builds" err
'

test_expect_success SMALLFS,SANDBOX 'gild clean makes room: the next build passes' '
	gild -C full clean >out &&
	test_grep "^removed $PWD/full/var/tmp/gild/app-misc/failing-1 (build work directory, [0-9.]* MiB)$" out &&
	! test -e full/var/tmp/gild/app-misc/failing-1 &&
	gild -C full build app-misc/hello >out 2>err &&
	ls full/var/packages/app-misc/hello-1.0-*.gpkg.tar
'
test_have_prereq SMALLFS && umount full/var/tmp/gild

test_done
