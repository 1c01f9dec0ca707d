#!/bin/sh
test_description='gild clean: work directories of builds not running, stale temporaries, unlisted distfiles, packages whose recipe is gone'
. "$(dirname "$0")/lib.sh"

# hold_ofd_lock FILE CMD...: run CMD while another process holds a POSIX
# write lock on FILE (it conflicts with the OFD lock a fetch takes)
hold_ofd_lock() {
	lock=$1 && shift &&
	python3 -c '
import fcntl, subprocess, sys
f = open(sys.argv[1], "w")
fcntl.lockf(f, fcntl.LOCK_EX)
sys.exit(subprocess.call(sys.argv[2:]))' "$lock" "$@"
}

test_expect_success 'with nothing left over there is nothing to clean' '
	make_hello_tree t &&
	gild -C t clean >out &&
	echo "nothing to clean" >expect &&
	test_cmp expect out
'

test_expect_success SANDBOX 'a failed build keeps its work directory; --pretend lists it, clean removes it' '
	test_expect_code 1 gild -C t build app-misc/broken >out 2>err &&
	test -d t/var/tmp/gild/app-misc/broken-1/work &&
	gild -C t clean --pretend >out &&
	test_grep "^would remove $PWD/t/var/tmp/gild/app-misc/broken-1 (build work directory, [0-9.]* KiB)$" out &&
	test_grep "^would free [0-9.]* KiB: 1 to remove, 0 skipped (in use)$" out &&
	test -d t/var/tmp/gild/app-misc/broken-1 &&
	gild -C t clean >out &&
	test_grep "^removed $PWD/t/var/tmp/gild/app-misc/broken-1 (build work directory, [0-9.]* KiB)$" out &&
	test_grep "^freed [0-9.]* KiB: 1 removed, 0 skipped (in use)$" out &&
	! test -e t/var/tmp/gild/app-misc/broken-1 &&
	gild -C t clean -p >out &&
	echo "nothing to clean" >expect &&
	test_cmp expect out
'

test_expect_success 'the work directory of a running build (its lock held) is skipped and named' '
	mkdir -p t/var/tmp/gild/app-misc/busy-1/work t/var/tmp/gild/app-misc/dead-1/work &&
	: >t/var/tmp/gild/app-misc/.busy-1.lock &&
	flock t/var/tmp/gild/app-misc/.busy-1.lock gild -C t clean >out &&
	test_grep "^skipped $PWD/t/var/tmp/gild/app-misc/busy-1 (build work directory, in use: its lock is held)$" out &&
	test_grep "^removed $PWD/t/var/tmp/gild/app-misc/dead-1 " out &&
	test_grep "^freed .*: 1 removed, 1 skipped (in use)$" out &&
	test -d t/var/tmp/gild/app-misc/busy-1/work &&
	! test -e t/var/tmp/gild/app-misc/dead-1 &&
	gild -C t clean >out &&
	! test -e t/var/tmp/gild/app-misc/busy-1 &&
	test -e t/var/tmp/gild/app-misc/.busy-1.lock
'

test_expect_success 'an image work directory goes (its lock file stays) unless its lock is held' '
	mkdir -p t/var/tmp/gild/image/some_profile/root/etc &&
	: >t/var/tmp/gild/image/some_profile/.lock &&
	flock t/var/tmp/gild/image/some_profile/.lock gild -C t clean >out &&
	test_grep "^skipped $PWD/t/var/tmp/gild/image/some_profile (image work directory, in use" out &&
	gild -C t clean >out &&
	test_grep "^removed $PWD/t/var/tmp/gild/image/some_profile (image work directory" out &&
	test -f t/var/tmp/gild/image/some_profile/.lock &&
	! test -e t/var/tmp/gild/image/some_profile/root
'

test_expect_success 'what holds no lock of its own goes only while no other gild uses the work area' '
	mkdir -p t/var/tmp/gild/iso/a_profile/pkgs t/var/tmp/gild/stage/0123.tmp.42 \
		t/var/tmp/gild/stage/4567 t/var/tmp/gild/image/run.42 &&
	flock -s t/var/tmp/gild/.area.lock gild -C t clean >out 2>err &&
	test_grep "^skipped $PWD/t/var/tmp/gild/iso/a_profile (boot media work directory, another gild is using the work area)$" out &&
	test_grep "^skipped $PWD/t/var/tmp/gild/stage/0123.tmp.42 (half-unpacked stage, another gild" out &&
	test_grep "^skipped $PWD/t/var/tmp/gild/image/run.42 (image run directory, another gild" out &&
	test_grep "run .gild clean. again when it is done" err &&
	test -d t/var/tmp/gild/iso/a_profile &&
	gild -C t clean >out &&
	test_grep "^removed $PWD/t/var/tmp/gild/iso/a_profile (boot media work directory" out &&
	test_grep "^removed $PWD/t/var/tmp/gild/stage/0123.tmp.42 (half-unpacked stage" out &&
	test_grep "^freed .*: 3 removed, 0 skipped (in use)$" out &&
	test -d t/var/tmp/gild/stage/4567 &&
	! test -e t/var/tmp/gild/iso/a_profile &&
	! test -e t/var/tmp/gild/image/run.42
'

test_expect_success SANDBOX 'the builds'"'"' shared /gild of this gild stays; another version'"'"'s and a half-written one go' '
	ls t/var/tmp/gild/lib >current &&
	test "$(wc -l <current)" = 1 &&
	mkdir -p t/var/tmp/gild/lib/0123456789abcdef/helpers t/var/tmp/gild/lib/$(cat current).tmp.42 &&
	gild -C t clean >out &&
	test_grep "^removed $PWD/t/var/tmp/gild/lib/0123456789abcdef (build library of another gild version" out &&
	test_grep "^removed $PWD/t/var/tmp/gild/lib/$(cat current).tmp.42 (half-written build library" out &&
	ls t/var/tmp/gild/lib >left &&
	test_cmp current left
'

test_expect_success PYTHON3 'partial downloads go unless their fetch holds the lock' '
	mkdir -p t/var/distfiles/.locks &&
	echo part >t/var/distfiles/a-1.tar.gz.__download__ &&
	echo part >t/var/distfiles/b-1.tar.gz.__download__ &&
	: >t/var/distfiles/.locks/b-1.tar.gz &&
	hold_ofd_lock t/var/distfiles/.locks/b-1.tar.gz gild -C t clean >out &&
	test_grep "^removed $PWD/t/var/distfiles/a-1.tar.gz.__download__ (partial download, " out &&
	test_grep "^skipped $PWD/t/var/distfiles/b-1.tar.gz.__download__ (partial download, in use" out &&
	! test -e t/var/distfiles/a-1.tar.gz.__download__ &&
	test -e t/var/distfiles/b-1.tar.gz.__download__
'

test_expect_success 'stale temporaries of the index and of package writers go unless their writer holds the lock' '
	mkdir -p t/var/packages/app-misc &&
	echo x >t/var/packages/.Packages.tmp.123 &&
	echo x >t/var/packages/.Packages.solv.tmp.123 &&
	echo x >t/var/packages/app-misc/.foo-1-0123456789ab.gpkg.tar.tmp.77 &&
	echo x >t/var/packages/app-misc/.bar-1-0123456789ab.gpkg.tar.tmp.78 &&
	: >t/var/packages/app-misc/.bar-1-0123456789ab.gpkg.tar.lock &&
	flock t/var/packages/app-misc/.bar-1-0123456789ab.gpkg.tar.lock gild -C t clean >out &&
	test_grep "^removed $PWD/t/var/packages/.Packages.tmp.123 (stale index temporary" out &&
	test_grep "^removed $PWD/t/var/packages/.Packages.solv.tmp.123 (stale index temporary" out &&
	test_grep "^removed $PWD/t/var/packages/app-misc/.foo-1-0123456789ab.gpkg.tar.tmp.77 (stale package temporary" out &&
	test_grep "^skipped $PWD/t/var/packages/app-misc/.bar-1-0123456789ab.gpkg.tar.tmp.78 (stale package temporary, in use" out &&
	! test -e t/var/packages/.Packages.tmp.123 &&
	test -e t/var/packages/app-misc/.bar-1-0123456789ab.gpkg.tar.tmp.78
'

test_expect_success '--distfiles also removes distfiles no Manifest lists, and bad copies' '
	echo old >t/var/distfiles/hello-0.9.tar.gz &&
	mkdir -p t/var/distfiles/.bad &&
	echo bad >t/var/distfiles/.bad/hello-1.0.tar.gz.1 &&
	gild -C t clean >out &&
	test -e t/var/distfiles/hello-0.9.tar.gz &&
	gild -C t clean --distfiles -p >out &&
	test_grep "^would remove $PWD/t/var/distfiles/hello-0.9.tar.gz (distfile no Manifest lists, " out &&
	test_grep "^would remove $PWD/t/var/distfiles/.bad/hello-1.0.tar.gz.1 (bad copy of a distfile, " out &&
	! grep "hello-1.0.tar.gz " out &&
	gild -C t clean --distfiles >out &&
	! test -e t/var/distfiles/hello-0.9.tar.gz &&
	! test -e t/var/distfiles/.bad/hello-1.0.tar.gz.1 &&
	test -f t/var/distfiles/hello-1.0.tar.gz
'

test_expect_success '--distfiles stops at a Manifest it cannot read, removing nothing' '
	echo old >t/var/distfiles/hello-0.8.tar.gz &&
	cp t/recipes/app-misc/hello/Manifest manifest.orig &&
	test_when_finished "cp manifest.orig t/recipes/app-misc/hello/Manifest" &&
	echo "DIST broken" >>t/recipes/app-misc/hello/Manifest &&
	test_expect_code 2 gild -C t clean --distfiles >out 2>err &&
	test_grep "recipes/app-misc/hello/Manifest:2" err &&
	test -f t/var/distfiles/hello-0.8.tar.gz
'

test_expect_success SANDBOX '--packages removes packages whose recipe is gone, and the index forgets them' '
	gild -C t build app-misc/hello app-misc/wordlist >out 2>err &&
	ls t/var/packages/app-misc/wordlist-1-*.gpkg.tar &&
	gild -C t clean --packages >out &&
	! grep "gpkg.tar" out &&
	rm -r t/recipes/app-misc/wordlist &&
	gild -C t clean --packages -p >out &&
	test_grep "^would remove $PWD/t/var/packages/app-misc/wordlist-1-[0-9a-f]\{12\}.gpkg.tar (package whose recipe is gone, " out &&
	gild -C t clean --packages >out &&
	test_grep "^removed $PWD/t/var/packages/app-misc/wordlist-1-" out &&
	! ls t/var/packages/app-misc/wordlist-1-*.gpkg.tar &&
	ls t/var/packages/app-misc/hello-1.0-*.gpkg.tar &&
	! grep "^CPV: app-misc/wordlist-1$" t/var/packages/Packages &&
	test_grep "^CPV: app-misc/hello-1.0$" t/var/packages/Packages
'

test_expect_success '--json lists each item with what was done' '
	mkdir -p t/var/tmp/gild/app-misc/gone-1 &&
	gild -C t clean --json >out &&
	test_grep "^\[{\"path\":\"$PWD/t/var/tmp/gild/app-misc/gone-1\",\"what\":\"build work directory\",\"bytes\":[0-9]*,\"action\":\"removed\"}\]$" out &&
	gild -C t clean --json >out &&
	echo "[]" >expect &&
	test_cmp expect out
'

test_expect_success 'an operand is a usage error' '
	test_expect_code 2 gild -C t clean app-misc/hello 2>err &&
	test_grep "gild clean" err
'

test_done
