#!/bin/sh
test_description='gild iso: the minimal role'"'"'s live ISO from source, reproducible, booted under qemu with SeaBIOS and with OVMF to the image'"'"'s login prompt'
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/lib-boot.sh"

# The one boot make check keeps (with a local mirror, as CI has): builds
# the kernel (tinyconfig, about 5 minutes on 2 cores), GRUB (about 6) and
# the image from source in a copy of the tree, and boots with SeaBIOS; the
# OVMF boot is in make check-slow with the disk and installer boots. PKGDIR is the top tree's
# var/packages: packages are named by their build-id, so one built by an
# earlier run (or by hand) is reused, as from a binhost.
if command -v mformat >/dev/null 2>&1; then test_set_prereq MTOOLS
else test_set_prereq_reason MTOOLS "mformat not installed (Debian package mtools)"; fi
OUT=tree/out/default/linux/amd64/musl/hardened/minimal
ISO=$OUT/minimal.iso
# The image's init (busybox init) starts getty on the console, which
# prints this: the live root is mounted and the image's own init ran.
MARKER="minimal login:"
test_expect_success MIRROR,SANDBOX,ROOT,XORRISO,MTOOLS 'gild iso writes the minimal live ISO' '
	mkdir tree && cp -r "$GILD_TOP/recipes" "$GILD_TOP/profiles" "$GILD_TOP/metadata" tree/ &&
	GILD_MIRRORS="file://$MIRROR" PKGDIR="$GILD_TOP/var/packages" \
		gild -C tree iso >out 2>err &&
	test_grep "^iso: .*/minimal.iso, " out &&
	test_grep "^  label GILD_[0-9A-F]\{12\}$" out &&
	test -s $ISO &&
	test $(stat -c %s $ISO) -le 20971520
'

test_expect_success MIRROR,SANDBOX,ROOT,XORRISO 'the ISO holds kernel, initramfs, rootfs and GRUB; its ESP is a partition' '
	xorriso -indev $ISO -find / -type f 2>/dev/null | sort >files &&
	for f in /boot/vmlinuz /boot/initramfs.img /boot/grub/gild.cfg \
		/boot/grub/i386-pc/eltorito.img /rootfs.squashfs; do
		test_grep "^'"'"'$f'"'"'$" files || return 1
	done &&
	cmp $OUT/rootfs.squashfs "$(xorriso -osirrox on -indev $ISO -extract /rootfs.squashfs sq 2>/dev/null && echo sq)" &&
	/sbin/sfdisk -d $ISO >parts &&
	test_grep -i "type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B" parts
'

test_expect_success MIRROR,SANDBOX,ROOT,XORRISO,MTOOLS 'a second gild iso gives the same bytes (other time, TZ, umask)' '
	sha256sum $ISO >first &&
	sleep 1 &&
	(umask 077 && TZ=Pacific/Kiritimati PKGDIR="$GILD_TOP/var/packages" \
		gild -C tree iso -o again >out) &&
	cmp $ISO again/minimal.iso
'

test_expect_success MIRROR,SANDBOX,ROOT,QEMU_SYSTEM 'the ISO boots with SeaBIOS (BIOS, El Torito) to the image'"'"'s login prompt' '
	boot_until bios "$MARKER" bios.log -cdrom "$ISO" -boot d &&
	test_grep "^gild-initramfs: live root from .*starting /sbin/init" bios.log
'

test_expect_success SLOW,MIRROR,SANDBOX,ROOT,QEMU_SYSTEM,OVMF 'the ISO boots with OVMF (UEFI, El Torito EFI) to the image'"'"'s login prompt' '
	boot_until uefi "$MARKER" uefi.log -cdrom "$ISO" -boot d &&
	test_grep "^gild-initramfs: live root from .*starting /sbin/init" uefi.log
'

test_done
