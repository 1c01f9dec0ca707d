#!/bin/sh
test_description='gild image runs pkg_preinst and pkg_postinst in the sandbox against the staging root'
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" = 0 ] && test_have_prereq SANDBOX; then test_set_prereq IMAGE
else test_set_prereq_reason IMAGE "gild image needs root and the sandbox"; fi

OUT=tree/out/test/tiny
WORK=tree/var/tmp/gild/image/roles_tiny

# with_pkg PKG: the tiny role with one more package in its role.set
with_pkg() {
	rm -rf "$OUT" &&
	cp "$FIXTURES/image-basic/profiles/roles/tiny/role.set" tree/profiles/roles/tiny/role.set &&
	echo "$1" >>tree/profiles/roles/tiny/role.set
}

test_expect_success IMAGE 'packages without pkg_preinst or pkg_postinst start no sandbox' '
	cp -r "$FIXTURES/image-basic" tree &&
	gild -v -C tree image >out 2>err &&
	test_grep ! "pkg_preinst\|pkg_postinst" err &&
	test_must_fail test -e $WORK/phases.log
'

test_expect_success IMAGE 'pkg_preinst sees ${D}, pkg_postinst writes into ${ROOT}' '
	with_pkg app-misc/hooks &&
	gild -v -C tree image >out 2>err &&
	test_grep "image: app-misc/hooks-1: pkg_preinst" err &&
	test_grep "preinst: D=/build/image ED=/build/image ROOT=/build/root EROOT=/build/root" err &&
	test_grep "^>>> app-misc/hooks-1: pkg_postinst$" $WORK/phases.log &&
	test_grep "postinst: app-misc/hooks-1 MERGE_TYPE=binary" $WORK/phases.log &&
	test_grep "^obj 0644 0:0 [0-9]* [0-9a-f]\{64\} /etc/hooks/hooks.conf pkg_postinst of app-misc/hooks-1$" $OUT/manifest.txt &&
	test_grep "^dir 0755 0:0 .* /etc/hooks pkg_postinst of app-misc/hooks-1$" $OUT/manifest.txt &&
	test_grep " /usr/share/hooks/data app-misc/hooks-1$" $OUT/manifest.txt &&
	mkdir root && zstd -dc $OUT/rootfs.tar.zst | tar -xf - -C root &&
	echo "root=/build/root" >expect &&
	test_cmp expect root/etc/hooks/hooks.conf &&
	zstd -dc $OUT/rootfs.tar.zst | tar -tvf - >list &&
	test_grep "^-rw-r--r-- root/root .* etc/hooks/hooks.conf$" list &&
	test_grep "^-rw-r--r-- root/root .* usr/share/hooks/data$" list
'

test_expect_success IMAGE 'owners, setuid and hard links survive the phases' '
	with_pkg app-misc/hooks &&
	echo app-misc/suid >>tree/profiles/roles/tiny/role.set &&
	echo "IMAGE_SETUID_ALLOWED=\"/usr/bin/su-ish\"" >>tree/profiles/roles/tiny/make.defaults &&
	gild -C tree image >out 2>err &&
	test_grep "^obj 4755 0:0 .* /usr/bin/su-ish app-misc/suid-1$" $OUT/manifest.txt &&
	test_grep "^obj 0640 0:10 .* /etc/motd image step: role files (tiny)$" $OUT/manifest.txt &&
	test_grep "^obj 0644 0:0 .* /usr/share/hooks/data2 app-misc/hooks-1$" $OUT/manifest.txt &&
	zstd -dc $OUT/rootfs.tar.zst | tar -tvf - >list &&
	test_grep "^-rwsr-xr-x root/root .* usr/bin/su-ish$" list &&
	cp "$FIXTURES/image-basic/profiles/roles/tiny/make.defaults" tree/profiles/roles/tiny/
'

test_expect_success IMAGE 'an image with package phases is reproducible' '
	gild -C tree image --verify-reproducible -o "$(pwd)/out2" >out &&
	test_grep "^image-id " out &&
	test_grep " /etc/hooks/hooks.conf pkg_postinst of app-misc/hooks-1$" out2/manifest.txt
'

test_expect_success IMAGE 'a failing pkg_postinst fails the image, naming the package, the phase and the log' '
	with_pkg app-misc/hookfail &&
	test_must_fail gild -C tree image >out 2>err &&
	test_grep "error: .*app-misc/hookfail-1.: pkg_postinst failed (status 1); log: .*/image/roles_tiny/phases.log" err &&
	test_grep "hookfail cannot configure" $WORK/phases.log &&
	test_must_fail test -e $OUT/image.json
'

test_done
