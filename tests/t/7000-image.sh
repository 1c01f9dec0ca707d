#!/bin/sh
test_description='gild image on a tiny role: outputs, reproducibility, the checks before writing, missing tools, a full disk'
. "$(dirname "$0")/lib.sh"

if command -v xmllint >/dev/null 2>&1; then test_set_prereq XMLLINT
else test_set_prereq_reason XMLLINT "xmllint not installed (libxml2-utils)"; fi
if [ "$(id -u)" = 0 ] && test_have_prereq SANDBOX; then test_set_prereq IMAGE
else test_set_prereq_reason IMAGE "gild image needs root and the sandbox"; fi

OUT=tree/out/test/tiny

# with_pkg PKG: the tiny role with one more package in its role.set
with_pkg() {
	rm -rf "$OUT" &&
	cp "$FIXTURES/image-basic/profiles/roles/tiny/role.set" tree/profiles/roles/tiny/role.set &&
	echo "$1" >>tree/profiles/roles/tiny/role.set
}

test_expect_success IMAGE 'a role becomes an image with its reports' '
	cp -r "$FIXTURES/image-basic" tree &&
	gild -C tree image >out 2>err &&
	test_grep "^image: role tiny (roles/tiny): 2 packages" out &&
	for f in rootfs.tar.zst rootfs.squashfs manifest.txt image.json sbom.cdx.xml hardening.txt; do
		test -s $OUT/$f || exit 1
	done &&
	test_must_fail test -e $OUT/rootfs.erofs &&
	test_grep "^obj 0755 0:0 [0-9]* [0-9a-f]\{64\} /usr/bin/tool app-misc/tool-1$" $OUT/manifest.txt &&
	test_grep "^obj 0640 0:10 .* /etc/motd image step: role files (tiny)$" $OUT/manifest.txt &&
	test_grep "\"image_id\": \"[0-9a-f]\{64\}\"" $OUT/image.json &&
	test_grep "\"cpv\": \"app-misc/tool-1\"" $OUT/image.json
'

test_expect_success IMAGE,XMLLINT 'the SBOM is CycloneDX 1.6 that validates against its schema' '
	xmllint --noout --schema "$FIXTURES/cyclonedx/bom-1.6.xsd" $OUT/sbom.cdx.xml &&
	test_grep "<purl>pkg:ebuild/app-misc/tool@1</purl>" $OUT/sbom.cdx.xml &&
	test_grep "<id>MIT</id>" $OUT/sbom.cdx.xml &&
	test_grep "<property name=\"gild:build-id\">[0-9a-f]\{64\}</property>" $OUT/sbom.cdx.xml &&
	test_grep "<dependency ref=\"app-misc/tool-1\">" $OUT/sbom.cdx.xml &&
	test_grep "serialNumber=\"urn:uuid:" $OUT/sbom.cdx.xml
'

test_expect_success IMAGE 'the root: users, role files, sysctl, machine-id, no static library' '
	zstd -dc $OUT/rootfs.tar.zst | tar -tvf - >list &&
	test_grep " root/wheel .* etc/motd$" list &&
	test_grep "^drwx------ ops/ops .* home/ops/$" list &&
	test_grep "^-rw------- ops/ops .* home/ops/.ssh/authorized_keys$" list &&
	test_grep "^-r--r--r-- root/root *0 .* etc/machine-id$" list &&
	test_grep ! "libtool.a" list &&
	mkdir root && zstd -dc $OUT/rootfs.tar.zst | tar -xf - -C root &&
	test_grep "^ops:x:1000:1000:ops:/home/ops:/bin/sh$" root/etc/passwd &&
	test_grep "^wheel:x:10:root,ops$" root/etc/group &&
	test_grep "^ops:\*:" root/etc/shadow &&
	test_grep "^kernel.kptr_restrict = 2$" root/etc/sysctl.conf &&
	echo tiny >expect && test_cmp expect root/etc/hostname &&
	test_grep "^tmpfs.*/tmp.*nosuid,nodev,noexec" root/etc/fstab
'

test_expect_success IMAGE 'Portage-style installed-package database, one directory per package' '
	test -f root/var/db/pkg/app-misc/tool-1/GILD_BUILD_ID &&
	test_must_fail test -e root/var/db/pkg/app-misc/tool-1/BUILD_ID &&
	echo app-misc >expect && test_cmp expect root/var/db/pkg/app-misc/tool-1/CATEGORY &&
	test_grep "^obj /usr/bin/tool [0-9a-f]\{32\} [0-9]*$" root/var/db/pkg/app-misc/tool-1/CONTENTS &&
	test_grep "^dir /usr/bin$" root/var/db/pkg/app-misc/tool-1/CONTENTS &&
	test -f root/var/db/pkg/app-misc/tool-1/tool-1.ebuild &&
	test_must_fail ls -d root/var/db/pkg/*/-MERGING-* &&
	gild -C tree pretend --root "$(pwd)/root" app-misc/tool >plan &&
	test_grep "^Total: 0 packages" plan &&
	gild -C tree pretend --root "$(pwd)/root" --emptytree app-misc/tool >plan &&
	test_grep "app-misc/tool-1" plan
'

test_expect_success IMAGE 'hardening.txt says what was done' '
	test_grep "^sysctl: kernel.kptr_restrict = 2$" $OUT/hardening.txt &&
	test_grep "^INSTALL_MASK \*.a: " $OUT/hardening.txt &&
	test_grep "^mount: /tmp tmpfs nosuid,nodev,noexec$" $OUT/hardening.txt
'

test_expect_success IMAGE '--legal-info: licence texts and the package list; a missing text is named' '
	test_must_fail gild -C tree image --legal-info 2>err &&
	test_grep "error: licence .MIT. of app-misc/tool-1 has no text: add licenses/MIT to the tree" err &&
	test_must_fail test -e $OUT/legal-info &&
	mkdir -p tree/licenses && echo "MIT licence text" >tree/licenses/MIT &&
	gild -C tree image --legal-info --with-sources >out &&
	test_cmp tree/licenses/MIT $OUT/legal-info/licenses/MIT &&
	test_grep "^app-misc/tool-1	MIT$" $OUT/legal-info/packages.txt &&
	test_must_fail test -e $OUT/legal-info/sources
'

test_expect_success IMAGE 'an unchanged image is not written again' '
	cp $OUT/image.json before.json &&
	gild -C tree image >out &&
	test_grep "^image: roles/tiny is up to date (image-id [0-9a-f]\{12\})" out &&
	test_cmp before.json $OUT/image.json
'

test_expect_success IMAGE 'a role file edit changes the image-id' '
	echo "kernel.dmesg_restrict = 1" >>tree/profiles/roles/tiny/sysctl.conf &&
	gild -C tree image >out &&
	test_grep "^image: role tiny" out &&
	test_must_fail test_cmp before.json $OUT/image.json
'

test_expect_success IMAGE 'two builds elsewhere, under other umask and TZ, are byte-identical' '
	cp -r "$FIXTURES/image-basic" tree2 &&
	gild -C tree2 build @system @role >/dev/null &&
	(umask 077 && TZ=Asia/Tokyo LC_ALL=C.UTF-8 gild -C tree2 image -o "$(pwd)/out2" >/dev/null) &&
	(umask 022 && gild -C tree2 image --force -o "$(pwd)/out3" >/dev/null) &&
	for f in rootfs.tar.zst rootfs.squashfs manifest.txt image.json sbom.cdx.xml hardening.txt; do
		cmp out2/$f out3/$f || exit 1
	done
'

test_expect_success IMAGE '--verify-reproducible builds twice and compares' '
	gild -C tree2 image --verify-reproducible -o "$(pwd)/out4" >out &&
	test_grep "^image-id " out
'

test_expect_success IMAGE 'image run: a command inside the built image' '
	gild -C tree image run --role tiny -- /usr/bin/tool &&
	test_expect_code 127 gild -C tree image run --role tiny -- /usr/bin/nothing 2>err &&
	gild -C tree image run tree/out/test/tiny -- /usr/bin/tool &&
	test_must_fail gild -C tree image run --role nosuch -- /usr/bin/tool 2>err &&
	test_grep "roles/nosuch" err
'

test_expect_success IMAGE 'a missing library is refused, naming the file and the library' '
	with_pkg app-misc/needlib &&
	test_must_fail gild -C tree image 2>err &&
	test_grep "error: ./usr/bin/needlib. (from app-misc/needlib-1) is run by ./lib64/ld-linux-x86-64.so.2., which is not in the image" err &&
	test_must_fail test -e $OUT/rootfs.tar.zst
'

test_expect_success IMAGE 'a file shipped by two packages is refused, naming both' '
	with_pkg app-misc/collide &&
	test_must_fail gild -C tree image 2>err &&
	test_grep "error: ./usr/bin/tool. is shipped by both app-misc/collide-1 and app-misc/tool-1" err
'

test_expect_success IMAGE 'a dangling link is refused' '
	with_pkg app-misc/dangle &&
	test_must_fail gild -C tree image 2>err &&
	test_grep "error: ./usr/bin/dangle. points at .../lib/nowhere., which is not in the image" err
'

test_expect_success IMAGE 'an owner the image does not know is refused' '
	with_pkg app-misc/badowner &&
	test_must_fail gild -C tree image 2>err &&
	test_grep "error: ./etc/odd.conf. (from app-misc/badowner-1) belongs to uid 4242" err
'

test_expect_success IMAGE 'a world-writable file is refused (the build refuses it in a package)' '
	with_pkg app-misc/writable &&
	test_must_fail gild -C tree image 2>err &&
	test_grep "error: .app-misc/writable-1. fails QA: world-writable: ./etc/open.conf. is world-writable" err &&
	with_pkg "" &&
	echo "/etc/motd 0666 root:root" >tree/profiles/roles/tiny/files.list &&
	test_must_fail gild -C tree image 2>err &&
	test_grep "error: ./etc/motd. (from image step: role files (tiny)) is world-writable without the sticky bit (mode 0666)" err &&
	cp "$FIXTURES/image-basic/profiles/roles/tiny/files.list" tree/profiles/roles/tiny/
'

test_expect_success IMAGE 'setuid outside IMAGE_SETUID_ALLOWED is removed and said; listed, it is kept' '
	with_pkg app-misc/suid &&
	gild -C tree image >out 2>err &&
	test_grep "^setuid removed: /usr/bin/su-ish (not in IMAGE_SETUID_ALLOWED)$" $OUT/hardening.txt &&
	test_grep "^obj 0755 .* /usr/bin/su-ish app-misc/suid-1$" $OUT/manifest.txt &&
	echo "IMAGE_SETUID_ALLOWED=\"/usr/bin/su-ish\"" >>tree/profiles/roles/tiny/make.defaults &&
	gild -C tree image >out 2>err &&
	test_grep "^setuid kept: /usr/bin/su-ish 4755" $OUT/hardening.txt &&
	test_grep "^obj 4755 .* /usr/bin/su-ish app-misc/suid-1$" $OUT/manifest.txt &&
	cp "$FIXTURES/image-basic/profiles/roles/tiny/make.defaults" tree/profiles/roles/tiny/
'

test_expect_success IMAGE 'a directory where another package has a link is a collision' '
	with_pkg app-misc/through &&
	test_must_fail gild -C tree image 2>err &&
	test_grep "error: ./usr/etclink. is shipped by both app-misc/linkdir-1 and app-misc/through-1" err
'

test_expect_success IMAGE 'a role file is never written through a link of the image' '
	with_pkg app-misc/linkdir &&
	mkdir -p tree/profiles/roles/tiny/files/usr/etclink &&
	echo x >tree/profiles/roles/tiny/files/usr/etclink/evil &&
	test_must_fail gild -C tree image 2>err &&
	test_grep "error: cannot write ./usr/etclink/evil.: ./usr/etclink. is a link in the image" err &&
	test_must_fail test -e tree/var/tmp/gild/image/roles_tiny/root/etc/evil &&
	rm -r tree/profiles/roles/tiny/files/usr
'

test_expect_success IMAGE 'role text cannot reach out of the image with ..' '
	with_pkg "" &&
	echo "/../../../../tmp/gild-escape-test 0644 root:root" >tree/profiles/roles/tiny/files.list &&
	test_must_fail gild -C tree image 2>err &&
	test_grep "error: ./../../../../tmp/gild-escape-test. is not a path gild writes into an image" err &&
	cp "$FIXTURES/image-basic/profiles/roles/tiny/files.list" tree/profiles/roles/tiny/ &&
	echo "evil 1001 evil /../../../../tmp/gild-escape-home /bin/sh" >>tree/profiles/roles/tiny/users &&
	test_must_fail gild -C tree image 2>err &&
	test_grep "is not a path gild writes into an image" err &&
	test_must_fail test -e /tmp/gild-escape-home &&
	cp "$FIXTURES/image-basic/profiles/roles/tiny/users" tree/profiles/roles/tiny/
'

test_expect_success IMAGE 'a missing mksquashfs skips that format, names its package, and makes the others' '
	with_pkg "" &&
	mkdir -p bin &&
	for t in sh zstd; do ln -sf "$(command -v $t)" bin/$t || exit 1; done &&
	PATH="$(pwd)/bin:$GILD_BINDIR" gild -C tree image >out 2>err &&
	test_grep "rootfs.squashfs *skipped: .mksquashfs. is not installed (Debian package .squashfs-tools.)" out &&
	test -s $OUT/rootfs.tar.zst &&
	test_must_fail test -e $OUT/rootfs.squashfs &&
	test_grep "\"skipped\": \"" $OUT/image.json
'

test_expect_success IMAGE 'a full output disk fails and leaves the previous image whole' '
	mkdir -p small &&
	mount -t tmpfs -o size=300k tmpfs small &&
	test_when_finished "umount small" &&
	gild -C tree image --format tar -o "$(pwd)/small/img" >/dev/null &&
	cp small/img/rootfs.tar.zst prev.tar.zst &&
	echo "kernel.dmesg_restrict = 0" >>tree/profiles/roles/tiny/sysctl.conf &&
	test_must_fail gild -C tree image --format tar,squashfs -o "$(pwd)/small/img" 2>err &&
	test_grep "No space left on device" err &&
	cmp prev.tar.zst small/img/rootfs.tar.zst &&
	test_must_fail ls small/img/.*.tmp
'

test_expect_success IMAGE 'a hard link to a masked file is merged; the masked name is not' '
	mkdir -p tree/recipes/app-misc/hlink &&
	cat >tree/recipes/app-misc/hlink/hlink-1.recipe <<-\EOF &&
	EAPI=8
	DESCRIPTION="image test fixture: a hard link into a masked directory"
	SLOT="0"
	KEYWORDS="amd64"
	LICENSE="MIT"
	S="${WORKDIR}"
	src_install() {
		insinto /usr/share/doc/hlink
		echo "the same data" >f
		doins f
		dodir /usr/bin
		ln "${ED}/usr/share/doc/hlink/f" "${ED}/usr/bin/hlink" || die
	}
	EOF
	with_pkg app-misc/hlink &&
	gild -C tree image >out 2>err &&
	tar -xOf $OUT/rootfs.tar.zst usr/bin/hlink >data &&
	echo "the same data" >expect &&
	test_cmp expect data &&
	! tar -tf $OUT/rootfs.tar.zst | grep -q "usr/share/doc/hlink" &&
	! grep -q "/usr/share/doc/hlink" $OUT/manifest.txt
'

test_expect_success 'a bad --format and --role with --profile are usage errors' '
	test_expect_code 2 gild image --format zip 2>err &&
	test_grep "unknown format .zip. (tar, squashfs, erofs, ext4)" err &&
	test_expect_code 2 gild image --role web --profile roles/web 2>err &&
	test_grep "give one" err
'

test_done
