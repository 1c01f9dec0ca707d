#!/bin/sh
test_description='gild disk: the minimal role'"'"'s GPT disk from source, reproducible, booted under qemu with SeaBIOS (raw, IDE) and with OVMF (qcow2, virtio) to the image'"'"'s login prompt'
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/lib-boot.sh"

# Slow (make check-slow), as 8000: the kernel, GRUB and the image from
# source in a copy of the tree, PKGDIR shared with the top tree.
OUT=tree/out/default/linux/amd64/musl/hardened/minimal
MARKER="minimal login:"

test_expect_success SLOW,MIRROR,SANDBOX,ROOT,MFORMAT,SFDISK,QEMU_IMG 'gild disk writes the minimal role'"'"'s disk, raw and qcow2' '
	mkdir tree && cp -r "$GILD_TOP/recipes" "$GILD_TOP/profiles" "$GILD_TOP/metadata" tree/ &&
	GILD_MIRRORS="file://$MIRROR" PKGDIR="$GILD_TOP/var/packages" \
		gild -C tree disk --format raw,qcow2 >out 2>err &&
	test_grep "^disk: .*/minimal.raw, " out &&
	test_grep "^disk: .*/minimal.qcow2, " out &&
	/sbin/sfdisk -d $OUT/minimal.raw >parts &&
	test_grep "type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709" parts
'

test_expect_success SLOW,MIRROR,SANDBOX,ROOT,MFORMAT,SFDISK 'a second run (other time, TZ, umask) gives the same bytes; --verify-reproducible passes' '
	sleep 1 &&
	(umask 077 && TZ=Pacific/Kiritimati PKGDIR="$GILD_TOP/var/packages" \
		gild -C tree disk --verify-reproducible -o again >out 2>err) &&
	cmp $OUT/minimal.raw again/minimal.raw
'

test_expect_success SLOW,MIRROR,SANDBOX,ROOT,QEMU_SYSTEM 'the raw disk boots with SeaBIOS (GRUB i386-pc from the BIOS boot partition) to the login prompt' '
	boot_until bios "$MARKER" bios.log \
		-drive file=$OUT/minimal.raw,format=raw,snapshot=on &&
	test_grep "Kernel command line: .*root=PARTUUID=" bios.log
'

test_expect_success SLOW,MIRROR,SANDBOX,ROOT,QEMU_SYSTEM,OVMF 'the qcow2 disk boots with OVMF (GRUB x86_64-efi from the ESP) on virtio to the login prompt' '
	boot_until uefi "$MARKER" uefi.log \
		-drive file=$OUT/minimal.qcow2,format=qcow2,if=virtio,snapshot=on &&
	test_grep "EXT4-fs (vda3): mounted" uefi.log
'

test_done
