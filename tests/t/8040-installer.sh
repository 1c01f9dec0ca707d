#!/bin/sh
test_description='gild iso --installer: the unattended installer writes the minimal role onto a blank qcow2 with the hostname and SSH key of a SEED medium, and the installed disk boots with SeaBIOS and with OVMF'
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/lib-boot.sh"

# Slow (make check-slow), as 8000.
OUT=tree/out/default/linux/amd64/musl/hardened/minimal
ISO=$OUT/minimal.iso
KEY="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGlsZGdpbGRnaWxkZ2lsZGdpbGRnaWxkZ2lsZGdp ops@example.org"

test_expect_success SLOW,MIRROR,SANDBOX,ROOT,XORRISO,MFORMAT,SFDISK,QEMU_IMG 'gild iso --installer writes the installer ISO' '
	mkdir tree && cp -r "$GILD_TOP/recipes" "$GILD_TOP/profiles" "$GILD_TOP/metadata" tree/ &&
	GILD_MIRRORS="file://$MIRROR" PKGDIR="$GILD_TOP/var/packages" \
		gild -C tree iso --installer >out 2>err &&
	test_grep "disk.raw (installer)" out &&
	label=$(sed -n "s/^  label //p" out) &&
	test -n "$label" &&
	echo "$label" >label
'

test_expect_success SLOW,MIRROR,SANDBOX,ROOT,QEMU_SYSTEM,MFORMAT 'with gild.install=/dev/vda it installs unattended, personalises from SEED and reboots' '
	qemu-img create -f qcow2 target.qcow2 256M >/dev/null &&
	mformat -C -i seed.img -T 2880 -v SEED :: &&
	echo db1 >hostname &&
	echo "$KEY" >authorized_keys &&
	mcopy -i seed.img hostname authorized_keys :: &&
	xorriso -osirrox on -indev $ISO -extract /boot/vmlinuz vmlinuz \
		-extract /boot/initramfs.img initrd.img 2>/dev/null &&
	boot_until bios exit install.log -kernel vmlinuz -initrd initrd.img \
		-append "console=ttyS0,115200 gild.live=$(cat label) gild.install=/dev/vda" \
		-drive file=target.qcow2,format=qcow2,if=virtio \
		-drive file=seed.img,format=raw,if=virtio -cdrom $ISO &&
	tr -d "\r" <install.log >install.txt &&
	test_grep "^gild-install: writing the role.s disk" install.txt &&
	test_grep "^gild-install: hostname db1$" install.txt &&
	test_grep "^gild-install: root.s SSH key: ssh-ed25519 ...ops@example.org$" install.txt &&
	test_grep "^gild-install: installed onto /dev/vda$" install.txt
'

test_expect_success SLOW,MIRROR,SANDBOX,ROOT,QEMU_SYSTEM,SFDISK,MFORMAT 'the installed disk is its own: backup GPT at its end, root grown to fill it, new GUIDs and file system UUID' '
	test_grep "^gild-install: GPT: backup at the end of /dev/vda, new GUIDs" install.txt &&
	test_grep "^gild-install: root file system: 2[0-9][0-9] MiB, new UUID$" install.txt &&
	qemu-img convert -O raw target.qcow2 target.raw &&
	xorriso -osirrox on -indev $ISO -extract /gild/disk.raw disk.raw 2>/dev/null &&
	/sbin/sfdisk --verify target.raw >verify 2>&1 &&
	test_grep "No errors detected" verify &&
	/sbin/sfdisk -d target.raw >new &&
	/sbin/sfdisk -d disk.raw >old &&
	last=$(sed -n "s/^last-lba: //p" new) &&
	test "$last" = $((256 * 2048 - 34)) &&
	sed -n "s/.*start= *\([0-9]*\), size= *\([0-9]*\), type=4F68.*/\1 \2/p" new >root &&
	read start size <root &&
	test $((start + size - 1)) = "$last" &&
	test "$(sed -n "s/^label-id: //p" new)" != "$(sed -n "s/^label-id: //p" old)" &&
	new_root=$(sed -n "s/.*type=4F68.*uuid=\([0-9A-F-]*\).*/\1/p" new) &&
	old_root=$(sed -n "s/.*type=4F68.*uuid=\([0-9A-F-]*\).*/\1/p" old) &&
	test -n "$new_root" && test "$new_root" != "$old_root" &&
	esp=$(sed -n "s/.*start= *\([0-9]*\), .*type=C12A7328.*/\1/p" new) &&
	mtype -i "target.raw@@$((esp * 512))" ::/boot/grub/gild.cfg >cfg &&
	test_grep -i "root=PARTUUID=$new_root " cfg &&
	dd if=target.raw of=root.ext4 bs=512 skip=$start count=$size 2>/dev/null &&
	/sbin/dumpe2fs -h root.ext4 >fs 2>/dev/null &&
	blocks=$(sed -n "s/^Block count: *//p" fs) &&
	bsize=$(sed -n "s/^Block size: *//p" fs) &&
	test $((blocks * bsize)) -gt $(((size - 2048) * 512)) &&
	test "$(sed -n "s/^Filesystem UUID: *//p" fs)" != "$(/sbin/dumpe2fs -h $OUT/rootfs.ext4 2>/dev/null | sed -n "s/^Filesystem UUID: *//p")"
'

test_expect_success SLOW,MIRROR,SANDBOX,ROOT,QEMU_SYSTEM 'the installed disk boots with SeaBIOS to its own hostname'"'"'s login prompt' '
	boot_until bios "db1 login:" bios.log \
		-drive file=target.qcow2,format=qcow2,if=virtio,snapshot=on
'

test_expect_success SLOW,MIRROR,SANDBOX,ROOT,QEMU_SYSTEM,OVMF 'the installed disk boots with OVMF too' '
	boot_until uefi "db1 login:" uefi.log \
		-drive file=target.qcow2,format=qcow2,if=virtio,snapshot=on
'

test_expect_success SLOW,MIRROR,SANDBOX,ROOT,QEMU_SYSTEM 'the installer refuses a disk too small for the role, writing nothing' '
	qemu-img create -f qcow2 small.qcow2 16M >/dev/null &&
	boot_until bios "dropping to a shell" small.log -kernel vmlinuz -initrd initrd.img \
		-append "console=ttyS0,115200 gild.live=$(cat label) gild.install=/dev/vda" \
		-drive file=small.qcow2,format=qcow2,if=virtio -cdrom $ISO &&
	test_grep "gild-install: error: ./dev/vda. has 16 MiB; the role.s disk needs [0-9]* MiB" small.log &&
	test_grep "gild-initramfs: error: the installation onto ./dev/vda. failed" small.log &&
	qemu-img compare -q small.qcow2 "$(qemu-img create -f qcow2 empty.qcow2 16M >/dev/null && echo empty.qcow2)"
'

test_done
