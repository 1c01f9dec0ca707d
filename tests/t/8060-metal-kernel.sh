#!/bin/sh
test_description='the bare-metal kernel (sys-kernel/gild-kernel USE=-vm: defconfig plus the images'"'"' needs) boots the minimal role'"'"'s ISO with SeaBIOS and with OVMF on an emulated PC (SATA CD-ROM, e1000)'
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/lib-boot.sh"

# Slow (make check-slow), as 8000: defconfig takes about half an hour on
# 2 cores the first time; PKGDIR is shared with the top tree.
OUT=tree/out/default/linux/amd64/musl/hardened/minimal
ISO=$OUT/minimal.iso
MARKER="minimal login:"

test_expect_success SLOW,MIRROR,SANDBOX,ROOT,XORRISO,MFORMAT,UNSQUASHFS 'gild iso with the bare-metal kernel (package.use: sys-kernel/gild-kernel -vm), its modules in the image with their index' '
	mkdir tree && cp -r "$GILD_TOP/recipes" "$GILD_TOP/profiles" "$GILD_TOP/metadata" tree/ &&
	mkdir -p tree/etc &&
	echo "sys-kernel/gild-kernel -vm" >tree/etc/package.use &&
	test_expect_code 2 env GILD_MIRRORS="file://$MIRROR" PKGDIR="$GILD_TOP/var/packages" \
		"$GILD_BINDIR/gild" -C tree iso >out 2>err &&
	test_grep "the kernel of BOOT_PACKAGES has modules (/lib/modules/6.1.187), but the image of role .minimal. does not carry them" err &&
	echo sys-kernel/gild-kernel >>tree/profiles/roles/minimal/role.set &&
	echo "IMAGE_INSTALL_MASK=\"\${IMAGE_INSTALL_MASK} /boot\"" >>tree/profiles/roles/minimal/make.defaults &&
	GILD_MIRRORS="file://$MIRROR" PKGDIR="$GILD_TOP/var/packages" \
		gild -C tree iso >out 2>err &&
	unsquashfs -cat $OUT/rootfs.squashfs lib/modules/6.1.187/modules.dep >modules.dep &&
	test_grep "^kernel/fs/efivarfs/efivarfs.ko:$" modules.dep &&
	test_grep "^kernel/net/netfilter/xt_nat.ko:$" modules.dep &&
	unsquashfs -cat $OUT/rootfs.squashfs lib/modules/6.1.187/modules.alias >modules.alias &&
	test_grep "^alias fs-efivarfs efivarfs$" modules.alias &&
	test_grep " /lib/modules/6.1.187/modules.dep image step: depmod$" $OUT/manifest.txt &&
	test_must_fail grep -q " /boot/vmlinuz" $OUT/manifest.txt &&
	test_grep "^>>> sys-kernel/gild-kernel-6.1.187: " out &&
	kernel=$(sed -n "s/^>>> sys-kernel\/gild-kernel-6.1.187: [a-z]* //p" out | head -n 1) &&
	gild pkg show "$kernel" >show &&
	test_grep "^IUSE: .*vm" show &&
	sed -n "s/^USE: //p" show | tr " " "\n" >use &&
	! grep -qx vm use
'

test_expect_success SLOW,MIRROR,SANDBOX,ROOT,QEMU_SYSTEM 'it boots with SeaBIOS from a SATA CD-ROM (AHCI) to the login prompt' '
	boot_until bios "$MARKER" bios.log -machine q35 -cdrom "$ISO" -boot d &&
	test_grep "gild-initramfs: live root from" bios.log
'

test_expect_success SLOW,MIRROR,SANDBOX,ROOT,QEMU_SYSTEM,OVMF 'it boots with OVMF to the login prompt' '
	boot_until uefi "$MARKER" uefi.log -machine q35 -cdrom "$ISO" -boot d
'

test_done
