#!/bin/sh
test_description='gild disk and gild iso on a tiny role with stand-in boot packages: the GPT layout, GRUB'"'"'s BIOS boot fields, the ESP, the SBOM, reproducibility and --verify-reproducible (the boots are 8000-8040, slow)'
. "$(dirname "$0")/lib.sh"

if command -v depmod >/dev/null 2>&1 || test -x /sbin/depmod || test -x /usr/sbin/depmod; then test_set_prereq DEPMOD
else test_set_prereq_reason DEPMOD "depmod not installed (kmod)"; fi
if command -v xmllint >/dev/null 2>&1; then test_set_prereq XMLLINT
else test_set_prereq_reason XMLLINT "xmllint not installed (libxml2-utils)"; fi
if [ "$(id -u)" = 0 ] && test_have_prereq SANDBOX; then test_set_prereq IMAGE
else test_set_prereq_reason IMAGE "gild image needs root and the sandbox"; fi

OUT=tree/out/test/tiny
RAW=$OUT/tiny.raw

# recipe CAT/PN BODY: a one-version recipe of the stand-in tree.
recipe() {
	mkdir -p "tree/recipes/$1" &&
	{
		echo "EAPI=8"
		echo "DESCRIPTION=\"media test stand-in: $1\""
		echo "SLOT=\"0\""
		echo "KEYWORDS=\"amd64\""
		echo "LICENSE=\"MIT\""
		echo "S=\"\${WORKDIR}\""
		echo "src_install() {"
		echo "$2"
		echo "}"
	} >"tree/recipes/$1/${1#*/}-1.recipe"
}

# le16 FILE OFFSET / le64 FILE OFFSET: little-endian numbers of a file.
le16() { od -An -tu2 -j "$2" -N2 "$1" | tr -d " "; }
le64() { od -An -tu8 -j "$2" -N8 "$1" | tr -d " "; }

test_expect_success IMAGE,MFORMAT,SFDISK,XORRISO 'setup: the tiny role with a stand-in kernel, GRUB and static busybox' '
	cp -r "$FIXTURES/image-basic" tree &&
	printf "sys-kernel\nsys-boot\n" >>tree/profiles/categories &&
	recipe sys-kernel/kernel "insinto /boot; head -c 300000 /dev/zero | tr \"\\\\0\" k >vmlinuz-1; doins vmlinuz-1" &&
	recipe sys-boot/grub "d=/usr/lib/grub; head -c 512 /dev/zero | tr \"\\\\0\" b >boot.img; head -c 512 /dev/zero | tr \"\\\\0\" h >boot_hybrid.img; head -c 1500 /dev/zero >core.img; head -c 32768 /dev/zero | tr \"\\\\0\" e >eltorito.img; head -c 4096 /dev/zero | tr \"\\\\0\" x >BOOTX64.EFI; insinto \$d/i386-pc; doins boot.img boot_hybrid.img core.img eltorito.img; insinto \$d/x86_64-efi; doins BOOTX64.EFI" &&
	recipe sys-apps/busybox "printf \"int main(void) { return 0; }\\n\" >bb.c; \${CC:-cc} -static -O2 -o busybox bb.c || die; into /; dobin busybox" &&
	recipe sys-apps/util-linux "printf \"int main(void) { return 0; }\\n\" >t.c; \${CC:-cc} -static -O2 -o sfdisk t.c || die; cp sfdisk blkid || die; into /; dosbin sfdisk blkid; insinto /usr/include; doins t.c" &&
	recipe sys-fs/e2fsprogs "printf \"int main(void) { return 0; }\\n\" >t.c; for t in e2fsck resize2fs tune2fs; do \${CC:-cc} -static -O2 -o \$t t.c || die; done; into /; dosbin e2fsck resize2fs tune2fs" &&
	printf "sys-fs\n" >>tree/profiles/categories &&
	echo sys-apps/busybox >>tree/profiles/roles/tiny/role.set &&
	sed -i "s/^QA_ALLOWED_DIRS=\"\(.*\)\"/QA_ALLOWED_DIRS=\"\1 boot\"/" tree/profiles/test/make.defaults &&
	test_grep "^QA_ALLOWED_DIRS=.* tmp boot\"$" tree/profiles/test/make.defaults &&
	cat >>tree/profiles/roles/tiny/make.defaults <<-\EOF2 &&
	IMAGE_FORMATS="tar squashfs ext4"
	BOOT_PACKAGES="sys-kernel/kernel sys-boot/grub"
	BOOT_CMDLINE="console=ttyS0 quiet"
	INSTALLER_PACKAGES="sys-apps/util-linux sys-fs/e2fsprogs"
	IMAGE_INSTALL_MASK="/usr/include"
	EOF2
	gild -C tree pretend sys-kernel/kernel sys-boot/grub >out &&
	test_grep "sys-boot/grub-1" out
'

test_expect_success IMAGE,MFORMAT,SFDISK 'gild disk writes a GPT: BIOS boot, ESP, root with GUIDs from the image-id' '
	gild -C tree disk >out 2>err &&
	test_grep "^disk: .*/tiny.raw, " out &&
	test_grep "^sbom: .*/tiny.disk.cdx.xml, " out &&
	/sbin/sfdisk -d $RAW >parts &&
	test_grep "^label: gpt$" parts &&
	test_grep "start=  *2048, size=  *2048, type=21686148-6E6F-744E-6564-656666696749, .*name=\"BIOS boot\"" parts &&
	test_grep "start=  *4096, size=  *32768, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, .*name=\"ESP\"" parts &&
	test_grep "type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, .*name=\"tiny\"" parts &&
	id=$(sed -n "s/.*\"image_id\": \"\([0-9a-f]*\)\".*/\1/p" $OUT/image.json) &&
	guid=$(sed -n "s/^label-id: //p" parts | tr A-F a-f | tr -d -) &&
	case $id in ?????"$(echo $guid | cut -c1-12)"*) : ;; *) false ;; esac
'

test_expect_success IMAGE,MFORMAT,SFDISK 'GRUB'"'"'s boot.img points at core.img, whose block list names its other sectors' '
	test "$(le64 $RAW 92)" = 2048 &&
	test "$(od -An -tx1 -j 102 -N2 $RAW | tr -d " ")" = 9090 &&
	test "$(od -An -tx1 -j 510 -N2 $RAW | tr -d " ")" = 55aa &&
	test "$(od -An -tx1 -j 450 -N1 $RAW | tr -d " ")" = ee &&
	test "$(le64 $RAW $((2048 * 512 + 500)))" = 2049 &&
	test "$(le16 $RAW $((2048 * 512 + 508)))" = 2 &&
	test "$(le16 $RAW $((2048 * 512 + 510)))" = $((0x820))
'

test_expect_success IMAGE,MFORMAT,SFDISK 'the ESP holds GRUB, the kernel and a configuration booting the root by PARTUUID' '
	esp="$RAW@@$((4096 * 512))" &&
	mdir -i "$esp" -b ::/ ::/EFI/BOOT ::/boot ::/boot/grub >files &&
	test_grep "^::/EFI/BOOT/BOOTX64.EFI$" files &&
	test_grep "^::/boot/vmlinuz$" files &&
	test_grep "^::/boot/grub/gild.cfg$" files &&
	mtype -i "$esp" ::/boot/grub/gild.cfg >cfg &&
	root=$(/sbin/sfdisk -d $RAW | sed -n "s/.*uuid=\([0-9A-F-]*\), name=\"tiny\"/\1/p" | tr A-F a-f) &&
	test -n "$root" &&
	test_grep "linux /boot/vmlinuz root=PARTUUID=$root rootfstype=ext4 rw rootwait console=ttyS0 quiet$" cfg &&
	! test_grep initrd cfg &&
	minfo -i "$esp" :: >info &&
	test_grep "disk label=\"GILD_ESP" info
'

test_expect_success IMAGE,MFORMAT,SFDISK 'the root partition is the image'"'"'s ext4, byte for byte' '
	start=$(/sbin/sfdisk -d $RAW | sed -n "s/.*start= *\([0-9]*\), size= *\([0-9]*\), type=4F68.*/\1/p") &&
	size=$(stat -c %s $OUT/rootfs.ext4) &&
	dd if=$RAW bs=512 skip=$start count=$((size / 512)) 2>/dev/null | cmp - $OUT/rootfs.ext4
'

test_expect_success IMAGE,MFORMAT,SFDISK,XMLLINT 'the disk'"'"'s SBOM names the boot packages, the files and the image'"'"'s packages' '
	sbom=$OUT/tiny.disk.cdx.xml &&
	xmllint --noout --schema "$FIXTURES/cyclonedx/bom-1.6.xsd" $sbom &&
	test_grep "bom-ref=\"sys-kernel/kernel-1\"" $sbom &&
	test_grep "bom-ref=\"sys-boot/grub-1\"" $sbom &&
	test_grep "bom-ref=\"grub-core\"" $sbom &&
	test_grep "bom-ref=\"app-misc/tool-1\"" $sbom &&
	test_grep "<hash alg=\"SHA-256\">$(sha256sum $RAW | cut -d" " -f1)</hash>" $sbom
'

test_expect_success IMAGE,MFORMAT,SFDISK,QEMU_IMG 'a second run elsewhere (umask, TZ, time) gives the same bytes; qcow2 too' '
	sleep 1 &&
	(umask 077 && TZ=Asia/Kathmandu gild -C tree disk -o again >out 2>err) &&
	cmp $RAW again/tiny.raw &&
	cmp $OUT/tiny.disk.cdx.xml again/tiny.disk.cdx.xml &&
	gild -C tree disk --format raw,qcow2 -o q1 >out 2>err &&
	qemu-img compare -q q1/tiny.qcow2 $RAW &&
	(umask 077 && gild -C tree disk --format qcow2 -o q2 >out 2>err) &&
	cmp q1/tiny.qcow2 q2/tiny.qcow2 &&
	test_must_fail test -e q2/tiny.raw
'

test_expect_success IMAGE,MFORMAT,SFDISK '--size grows the disk and the ext4 root to fill it' '
	gild -C tree disk --size 96m -o big >out 2>err &&
	test $(stat -c %s big/tiny.raw) = $((96 << 20)) &&
	/sbin/sfdisk -d big/tiny.raw >parts &&
	test_grep "start=  *36864, size=  *157696, type=4F68BCE3" parts &&
	dd if=big/tiny.raw of=root.img bs=512 skip=36864 count=157696 2>/dev/null &&
	/sbin/dumpe2fs -h root.img 2>/dev/null >super &&
	test_grep "^Block count: *19712$" super &&
	/sbin/e2fsck -fn root.img >fsck 2>&1 &&
	sleep 1 &&
	(umask 077 && TZ=Asia/Kathmandu gild -C tree disk --size 96m -o big2 >out 2>err) &&
	cmp big/tiny.raw big2/tiny.raw &&
	test_expect_code 2 gild -C tree disk --size 8m -o small 2>err &&
	test_grep "error: --size 8 MiB is too small: the disk needs [0-9]* MiB" err &&
	test_must_fail test -e small/tiny.raw
'

test_expect_success IMAGE,MFORMAT,SFDISK '--verify-reproducible passes, and names the first differing byte when an assembly is not reproducible' '
	gild -C tree disk --verify-reproducible -o v1 >out 2>err &&
	mkdir bin &&
	cat >bin/sfdisk <<-EOF2 &&
	#!/bin/sh
	/sbin/sfdisk "\$@" || exit
	for last; do :; done
	head -c 16 /dev/urandom | dd of="\$last" bs=1 seek=20000 conv=notrunc 2>/dev/null
	EOF2
	chmod +x bin/sfdisk &&
	test_expect_code 1 env PATH="$PWD/bin:$PATH" gild -C tree disk --verify-reproducible -o v2 2>err &&
	test_grep "error: not reproducible: .*/tiny.raw. and its second assembly .* differ first at byte 200[01][0-9]$" err
'

test_expect_success IMAGE,MFORMAT,SFDISK 'qcow2 without qemu-img: the error names qemu-utils before anything is built' '
	mkdir noq &&
	for t in mformat mmd mcopy; do ln -s "$(command -v $t)" noq/$t || return 1; done &&
	test_expect_code 1 env PATH="$PWD/noq" "$GILD_BINDIR/gild" -C tree disk --format qcow2 -o noq-out 2>err &&
	echo "gild: error: '"'"'qemu-img'"'"' is not installed (Debian package '"'"'qemu-utils'"'"')" >expect &&
	test_cmp expect err &&
	test_must_fail test -e noq-out
'

test_expect_success IMAGE,MFORMAT,SFDISK,MKFS_EROFS 'DISK_ROOTFS="erofs": the root partition is the image'"'"'s erofs, mounted read-only' '
	cp tree/profiles/roles/tiny/make.defaults defaults.orig &&
	test_when_finished "cp defaults.orig tree/profiles/roles/tiny/make.defaults" &&
	sed -i "s/^IMAGE_FORMATS=.*/IMAGE_FORMATS=\"tar squashfs ext4 erofs\"/" tree/profiles/roles/tiny/make.defaults &&
	echo "DISK_ROOTFS=\"erofs\"" >>tree/profiles/roles/tiny/make.defaults &&
	gild -C tree disk -o ro >out 2>err &&
	mtype -i "ro/tiny.raw@@$((4096 * 512))" ::/boot/grub/gild.cfg >cfg &&
	test_grep "rootfstype=erofs ro rootwait" cfg &&
	start=$(/sbin/sfdisk -d ro/tiny.raw | sed -n "s/.*start= *\([0-9]*\), size= *\([0-9]*\), type=4F68.*/\1/p") &&
	size=$(stat -c %s $OUT/rootfs.erofs) &&
	dd if=ro/tiny.raw bs=512 skip=$start count=$(((size + 511) / 512)) 2>/dev/null | head -c $size | cmp - $OUT/rootfs.erofs &&
	echo "DISK_ROOTFS=\"btrfs\"" >>tree/profiles/roles/tiny/make.defaults &&
	test_expect_code 2 gild -C tree disk -o bad 2>err &&
	test_grep "DISK_ROOTFS=\"btrfs\" of profile .roles/tiny.: give ext4 or erofs" err &&
	sed -i "s/^DISK_ROOTFS=\"btrfs\"$//" tree/profiles/roles/tiny/make.defaults &&
	test_expect_code 2 gild -C tree disk --size 96m -o ro2 2>err &&
	test_grep "error: --size: the disk.s root is erofs, which cannot grow" err
'

test_expect_success IMAGE,MFORMAT,SFDISK,DEPMOD 'a kernel with modules needs them in the image: an error naming the fix, then the root carries them with their index' '
	cp tree/recipes/sys-kernel/kernel/kernel-1.recipe kernel.orig &&
	cp tree/profiles/roles/tiny/role.set role.orig &&
	test_when_finished "cp kernel.orig tree/recipes/sys-kernel/kernel/kernel-1.recipe && cp role.orig tree/profiles/roles/tiny/role.set" &&
	recipe sys-kernel/kernel "insinto /boot; head -c 300000 /dev/zero | tr \"\\\\0\" k >vmlinuz-1.0; doins vmlinuz-1.0; echo \"int m(void) { return 0; }\" >m.c; \${CC:-cc} -c -o m.ko m.c || die; insinto /lib/modules/1.0/kernel; doins m.ko" &&
	test_expect_code 2 gild -C tree disk -o mods1 2>err &&
	test_grep "the kernel of BOOT_PACKAGES has modules (/lib/modules/1.0), but the image of role .tiny. does not carry them: add the kernel package to the role.s packages" err &&
	test_must_fail test -e mods1/tiny.raw &&
	echo sys-kernel/kernel >>tree/profiles/roles/tiny/role.set &&
	gild -C tree disk -o mods2 >out 2>err &&
	test_grep " /lib/modules/1.0/modules.dep image step: depmod$" $OUT/manifest.txt &&
	test_grep " /lib/modules/1.0/kernel/m.ko sys-kernel/kernel-1$" $OUT/manifest.txt
'

test_expect_success 'bad usage: an unknown format, a size that is none' '
	test_expect_code 2 gild disk --format vmdk 2>err &&
	test_grep "unknown disk format .vmdk. (raw, qcow2)" err &&
	test_expect_code 2 gild disk --size big 2>err &&
	test_grep "\-\-size .big. is not a size" err
'

test_expect_success IMAGE,MFORMAT,XORRISO 'gild iso --installer carries the role'"'"'s disk and gild-install' '
	gild -C tree iso --installer >out 2>err &&
	test_grep "^iso: .*/tiny.iso, " out &&
	test_grep "disk.raw (installer)" out &&
	xorriso -indev $OUT/tiny.iso -find / -type f 2>/dev/null | sort >files &&
	test_grep "^.\/gild\/disk.raw.$" files &&
	xorriso -osirrox on -indev $OUT/tiny.iso -extract /gild/disk.raw disk.raw \
		-extract /boot/initramfs.img initrd.img 2>/dev/null &&
	cmp disk.raw $RAW &&
	gzip -dc initrd.img >initrd.cpio &&
	grep -a -q "bin/gild-install" initrd.cpio
'

test_expect_success IMAGE,MFORMAT,XORRISO,UNSQUASHFS 'the installer ISO carries its tools (INSTALLER_PACKAGES) without what the image masks' '
	test_grep "tools.squashfs (installer)" out &&
	test_grep "^.\/gild\/tools.squashfs.$" files &&
	xorriso -osirrox on -indev $OUT/tiny.iso -extract /gild/tools.squashfs tools.sq 2>/dev/null &&
	unsquashfs -l tools.sq >tools &&
	for t in sfdisk blkid e2fsck resize2fs tune2fs; do
		test_grep "^squashfs-root/sbin/$t$" tools || return 1
	done &&
	test_grep ! "usr/include" tools &&
	test_grep "bom-ref=\"sys-apps/util-linux-1\"" $OUT/tiny.iso.cdx.xml &&
	test_grep "bom-ref=\"sys-fs/e2fsprogs-1\"" $OUT/tiny.iso.cdx.xml
'

test_expect_success IMAGE,MFORMAT,XORRISO 'the installer'"'"'s tools: a missing one and a library neither they nor the image have are named' '
	cp tree/profiles/roles/tiny/make.defaults defaults.orig &&
	test_when_finished "cp defaults.orig tree/profiles/roles/tiny/make.defaults" &&
	echo "INSTALLER_PACKAGES=\"sys-apps/util-linux\"" >>tree/profiles/roles/tiny/make.defaults &&
	test_expect_code 1 gild -C tree iso --installer -o t1 2>err &&
	test_grep "no package of INSTALLER_PACKAGES (profile .roles/tiny.) installs e2fsck" err &&
	test_must_fail test -e t1/tiny.iso &&
	cp defaults.orig tree/profiles/roles/tiny/make.defaults &&
	recipe sys-fs/e2fsprogs "printf \"int main(void) { return 0; }\\n\" >t.c; for t in e2fsck resize2fs tune2fs; do \${CC:-cc} -O2 -o \$t t.c || die; done; into /; dosbin e2fsck resize2fs tune2fs" &&
	test_expect_code 1 gild -C tree iso --installer -o t2 2>err &&
	test_grep "the installer.s tools need what neither INSTALLER_PACKAGES nor the image of role .tiny. has (.*: first /sbin/e2fsck: .*)" err &&
	test_must_fail test -e t2/tiny.iso
'

test_expect_success IMAGE,MFORMAT,XORRISO,XMLLINT 'the ISO'"'"'s SBOM covers kernel, initramfs, GRUB and the rootfs'"'"'s packages; --verify-reproducible passes' '
	gild -C tree iso --verify-reproducible >out 2>err &&
	sbom=$OUT/tiny.iso.cdx.xml &&
	xmllint --noout --schema "$FIXTURES/cyclonedx/bom-1.6.xsd" $sbom &&
	for ref in kernel initramfs grub-efi grub-eltorito grub-cfg esp rootfs sys-kernel/kernel-1 sys-boot/grub-1 app-misc/tool-1; do
		test_grep "bom-ref=\"$ref\"" $sbom || return 1
	done &&
	test_grep "<hash alg=\"SHA-256\">$(sha256sum $OUT/rootfs.squashfs | cut -d" " -f1)</hash>" $sbom
'

test_done
