#!/bin/sh
test_description='the bare-metal kernel (sys-kernel/gild-kernel USE=-vm: defconfig plus the images'"'"' needs) boots the minimal role'"'"'s ISO with SeaBIOS and with OVMF on an emulated PC (SATA CD-ROM, e1000)'
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/lib-boot.sh"

# Slow (make check-slow), as 8000: defconfig takes about half an hour on
# 2 cores the first time; PKGDIR is shared with the top tree.
OUT=tree/out/default/linux/amd64/musl/hardened/minimal
ISO=$OUT/minimal.iso
MARKER="minimal login:"

test_expect_success SLOW,MIRROR,SANDBOX,ROOT,XORRISO,MFORMAT 'gild iso with the bare-metal kernel (package.use: sys-kernel/gild-kernel -vm)' '
	mkdir tree && cp -r "$GILD_TOP/recipes" "$GILD_TOP/profiles" "$GILD_TOP/metadata" tree/ &&
	mkdir -p tree/etc &&
	echo "sys-kernel/gild-kernel -vm" >tree/etc/package.use &&
	GILD_MIRRORS="file://$MIRROR" PKGDIR="$GILD_TOP/var/packages" \
		gild -C tree iso >out 2>err &&
	test_grep "^>>> sys-kernel/gild-kernel-6.1.187: " out &&
	kernel=$(sed -n "s/^>>> sys-kernel\/gild-kernel-6.1.187: [a-z]* //p" out) &&
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
