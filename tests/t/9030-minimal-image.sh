#!/bin/sh
test_description='the README'"'"'s first command: the minimal role'"'"'s golden image from source, reproducible, run in the sandbox'
. "$(dirname "$0")/lib.sh"

# Needs the shipped distfiles (tools/mirror-sources), the sandbox and root.
# Builds baselayout, busybox, zlib, musl and dropbear: about 3 minutes.
MIRROR="$GILD_TOP/var/mirror"
if [ -f "$MIRROR/distfiles/layout.conf" ]; then test_set_prereq MIRROR
else test_set_prereq_reason MIRROR "no local mirror: run tools/mirror-sources"; fi
if command -v xmllint >/dev/null 2>&1; then test_set_prereq XMLLINT
else test_set_prereq_reason XMLLINT "xmllint not installed (libxml2-utils)"; fi
OUT=tree/out/default/linux/amd64/musl/hardened/minimal

test_expect_success MIRROR,SANDBOX,ROOT 'gild image builds the minimal role from source' '
	mkdir tree && cp -r "$GILD_TOP/recipes" "$GILD_TOP/profiles" "$GILD_TOP/metadata" tree/ &&
	GILD_MIRRORS="file://$MIRROR" gild -C tree image >out 2>err &&
	test_grep "^image: role minimal (roles/minimal): [0-9]* packages" out &&
	for f in rootfs.tar.zst rootfs.squashfs rootfs.ext4 manifest.txt image.json sbom.cdx.xml hardening.txt; do
		test -s $OUT/$f || exit 1
	done
'

test_expect_success MIRROR,SANDBOX,ROOT 'the image holds the runtime closure only, small' '
	test_grep " /bin/busybox sys-apps/busybox-" $OUT/manifest.txt &&
	test_grep " /usr/sbin/dropbear" $OUT/manifest.txt &&
	test_grep " /lib/ld-musl-x86_64.so.1 -> " $OUT/manifest.txt &&
	test_grep ! " /usr/include/" $OUT/manifest.txt &&
	test_grep ! "x86_64-gild-linux-musl-gcc\|/usr/bin/gcc" $OUT/manifest.txt &&
	test $(stat -c %s $OUT/rootfs.squashfs) -le 3145728 &&
	test_grep "^service dropbear: exec dropbear" $OUT/hardening.txt &&
	test_grep "^sysctl: kernel.kptr_restrict = 2$" $OUT/hardening.txt
'

test_expect_success MIRROR,SANDBOX,ROOT,XMLLINT 'its SBOM validates, with licences and distfiles' '
	xmllint --noout --schema "$FIXTURES/cyclonedx/bom-1.6.xsd" $OUT/sbom.cdx.xml &&
	test_grep "<purl>pkg:ebuild/sys-apps/busybox@1.35.0</purl>" $OUT/sbom.cdx.xml &&
	test_grep "<id>GPL-2.0-only</id>" $OUT/sbom.cdx.xml &&
	test_grep "<hash alg=\"SHA-512\">" $OUT/sbom.cdx.xml &&
	test_grep "<url>https://www.busybox.net/downloads/busybox-1.35.0.tar.bz2</url>" $OUT/sbom.cdx.xml
'

test_expect_success MIRROR,SANDBOX,ROOT 'a second run is a no-op' '
	gild -C tree image >out &&
	test_grep "is up to date" out
'

test_expect_success MIRROR,SANDBOX,ROOT '--verify-reproducible: every output byte-identical' '
	gild -C tree image --verify-reproducible >out &&
	test_grep "^image-id [0-9a-f]\{64\}$" out
'

test_expect_success MIRROR,SANDBOX,ROOT 'image run: a command inside the image, writes kept off the image' '
	gild -C tree image run -- sh -c "cat /etc/hostname; id -u; echo x >/etc/scratch" >out &&
	printf "minimal\n0\n" >expect &&
	test_cmp expect out &&
	gild -C tree image run -- sh -c "test ! -e /etc/scratch"
'

test_expect_success MIRROR,SANDBOX,ROOT 'image run: the writable layer is bounded (--rw-size), a command that fills it gets ENOSPC' '
	test_expect_code 1 gild -C tree image run --rw-size 4m -- \
		dd if=/dev/zero of=/big bs=1M count=16 2>err &&
	test_grep "No space left on device" err &&
	gild -C tree image run --rw-size 32m -- dd if=/dev/zero of=/big bs=1M count=16 2>err &&
	test_expect_code 2 gild -C tree image run --rw-size lots -- true 2>err &&
	test_grep "rw-size .lots. is not a size" err
'

test_expect_success MIRROR,SANDBOX,ROOT 'image run --init: dropbear takes a key and has no password logins' '
	gild -C tree image run --init -- sh -c "
		mkdir -p /root/.ssh &&
		dropbearkey -t ed25519 -f /tmp/k 2>/dev/null | grep ^ssh- >/root/.ssh/authorized_keys &&
		sleep 1 &&
		dbclient -y -i /tmp/k root@127.0.0.1 cat /etc/hostname &&
		! dbclient -y -o PasswordAuthentication=yes root@127.0.0.1 true </dev/null 2>/dev/null
	" >out 2>err &&
	echo minimal >expect &&
	test_cmp expect out
'

test_done
