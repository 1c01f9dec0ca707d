#!/bin/sh
test_description='gild iso: the minimal role'"'"'s live ISO from source, reproducible, booted under qemu with SeaBIOS and with OVMF to the image'"'"'s login prompt'
. "$(dirname "$0")/lib.sh"

# Slow (make check-slow): builds the kernel (tinyconfig), GRUB and the
# image from source in a copy of the tree. PKGDIR is the top tree's
# var/packages: packages are named by their build-id, so one built by an
# earlier run (or by hand) is reused, as from a binhost.
MIRROR="$GILD_TOP/var/mirror"
if [ -f "$MIRROR/distfiles/layout.conf" ]; then test_set_prereq MIRROR
else test_set_prereq_reason MIRROR "no local mirror: run tools/mirror-sources"; fi
OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
if [ -f "$OVMF_CODE" ] && [ -f "$OVMF_VARS" ]; then test_set_prereq OVMF
else test_set_prereq_reason OVMF "no $OVMF_CODE (Debian package ovmf)"; fi
if command -v mformat >/dev/null 2>&1; then test_set_prereq MTOOLS
else test_set_prereq_reason MTOOLS "mformat not installed (Debian package mtools)"; fi
OUT=tree/out/default/linux/amd64/musl/hardened/minimal
ISO=$OUT/minimal.iso
# The image's init (busybox init) starts getty on the console, which
# prints this: the live root is mounted and the image's own init ran.
MARKER="minimal login:"
# Seconds from qemu's start to the marker before a boot counts as failed
# (the issue's goal is 60 under software emulation; a loaded machine
# gets twice that).
BOOT_TIMEOUT=${GILD_BOOT_TIMEOUT:-120}

# boot_iso bios|uefi LOG: boot $ISO under qemu without KVM, serial console
# into LOG, until the marker appears or BOOT_TIMEOUT passes; qemu is
# killed either way. Prints the seconds the boot took; on failure the
# tail of LOG, and returns 1.
boot_iso() {
	fw=
	if [ "$1" = uefi ]; then
		cp "$OVMF_VARS" vars.fd &&
		fw="-drive if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE -drive if=pflash,format=raw,unit=1,file=vars.fd" ||
		return 1
	fi
	rm -f "$2" && : >"$2" || return 1
	start=$(date +%s)
	# shellcheck disable=SC2086
	qemu-system-x86_64 -accel tcg -m 512 -nographic -no-reboot \
		-monitor none -serial "file:$2" $fw -cdrom "$ISO" -boot d \
		</dev/null >qemu.out 2>&1 &
	qpid=$!
	while ! grep -q "$MARKER" "$2"; do
		if [ $(($(date +%s) - start)) -ge "$BOOT_TIMEOUT" ] ||
			! kill -0 $qpid 2>/dev/null; then
			kill $qpid 2>/dev/null
			wait $qpid
			echo "$1 boot: no '$MARKER' within ${BOOT_TIMEOUT}s; qemu: $(cat qemu.out)"
			echo "--- the serial console's last lines ($2):"
			tail -n 30 "$2"
			return 1
		fi
		sleep 1
	done
	echo "$1 boot: '$MARKER' after $(($(date +%s) - start))s"
	kill $qpid
	wait $qpid
	return 0
}

test_expect_success SLOW,MIRROR,SANDBOX,ROOT,XORRISO,MTOOLS 'gild iso writes the minimal live ISO' '
	mkdir tree && cp -r "$GILD_TOP/recipes" "$GILD_TOP/profiles" "$GILD_TOP/metadata" tree/ &&
	GILD_MIRRORS="file://$MIRROR" PKGDIR="$GILD_TOP/var/packages" \
		gild -C tree iso >out 2>err &&
	test_grep "^iso: .*/minimal.iso (label GILD_[0-9A-F]\{12\}), " out &&
	test -s $ISO &&
	test $(stat -c %s $ISO) -le 20971520
'

test_expect_success SLOW,MIRROR,SANDBOX,ROOT,XORRISO 'the ISO holds kernel, initramfs, rootfs and GRUB; its ESP is a partition' '
	xorriso -indev $ISO -find / -type f 2>/dev/null | sort >files &&
	for f in /boot/vmlinuz /boot/initramfs.img /boot/grub/gild.cfg \
		/boot/grub/i386-pc/eltorito.img /rootfs.squashfs; do
		test_grep "^'"'"'$f'"'"'$" files || return 1
	done &&
	cmp $OUT/rootfs.squashfs "$(xorriso -osirrox on -indev $ISO -extract /rootfs.squashfs sq 2>/dev/null && echo sq)" &&
	/sbin/sfdisk -d $ISO >parts &&
	test_grep -i "type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B" parts
'

test_expect_success SLOW,MIRROR,SANDBOX,ROOT,XORRISO,MTOOLS 'a second gild iso gives the same bytes (other time, TZ, umask)' '
	sha256sum $ISO >first &&
	sleep 1 &&
	(umask 077 && TZ=Pacific/Kiritimati PKGDIR="$GILD_TOP/var/packages" \
		gild -C tree iso -o again >out) &&
	cmp $ISO again/minimal.iso
'

test_expect_success SLOW,MIRROR,SANDBOX,ROOT,QEMU_SYSTEM 'the ISO boots with SeaBIOS (BIOS, El Torito) to the image'"'"'s login prompt' '
	boot_iso bios bios.log &&
	test_grep "^gild-initramfs: live root from .*starting /sbin/init" bios.log
'

test_expect_success SLOW,MIRROR,SANDBOX,ROOT,QEMU_SYSTEM,OVMF 'the ISO boots with OVMF (UEFI, El Torito EFI) to the image'"'"'s login prompt' '
	boot_iso uefi uefi.log &&
	test_grep "^gild-initramfs: live root from .*starting /sbin/init" uefi.log
'

test_done
