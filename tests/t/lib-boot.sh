# lib-boot.sh: booting media under qemu for the slow boot tests (8000-8040).
# Sourced after lib.sh.

OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
if [ -f "$OVMF_CODE" ] && [ -f "$OVMF_VARS" ]; then test_set_prereq OVMF
else test_set_prereq_reason OVMF "no $OVMF_CODE (Debian package ovmf)"; fi
MIRROR="$GILD_TOP/var/mirror"
if [ -f "$MIRROR/distfiles/layout.conf" ]; then test_set_prereq MIRROR
else test_set_prereq_reason MIRROR "no local mirror: run tools/mirror-sources"; fi
# Seconds from qemu's start to the marker before a boot counts as failed
# (the goal is 60 under software emulation; a loaded machine gets twice
# that).
BOOT_TIMEOUT=${GILD_BOOT_TIMEOUT:-120}

# boot_until bios|uefi MARKER LOG QEMU-ARGS...: boot under qemu without KVM
# (with OVMF for uefi), serial console into LOG, until MARKER appears in
# LOG, qemu exits (with MARKER "exit": a reboot under -no-reboot) or
# BOOT_TIMEOUT passes; qemu is killed either way. Prints the seconds the
# boot took; on failure the tail of LOG, and returns 1.
boot_until() {
	fw= want=$2 log=$3
	if [ "$1" = uefi ]; then
		cp "$OVMF_VARS" vars.fd &&
		fw="-drive if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE -drive if=pflash,format=raw,unit=1,file=vars.fd" ||
		return 1
	fi
	fwname=$1
	shift 3
	rm -f "$log" && : >"$log" || return 1
	start=$(date +%s)
	# shellcheck disable=SC2086
	qemu-system-x86_64 -accel tcg -m 512 -nographic -no-reboot \
		-monitor none -serial "file:$log" $fw "$@" \
		</dev/null >qemu.out 2>&1 &
	qpid=$!
	while :; do
		if [ "$want" != exit ] && grep -q "$want" "$log"; then
			break
		fi
		if ! kill -0 $qpid 2>/dev/null; then
			wait $qpid && [ "$want" = exit ] && break
			echo "$fwname boot: qemu ended before '$want': $(cat qemu.out)"
			tail -n 30 "$log"
			return 1
		fi
		if [ $(($(date +%s) - start)) -ge "$BOOT_TIMEOUT" ]; then
			kill $qpid 2>/dev/null
			wait $qpid
			echo "$fwname boot: no '$want' within ${BOOT_TIMEOUT}s; qemu: $(cat qemu.out)"
			echo "--- the serial console's last lines ($log):"
			tail -n 30 "$log"
			return 1
		fi
		sleep 1
	done
	echo "$fwname boot: '$want' after $(($(date +%s) - start))s"
	kill $qpid 2>/dev/null
	wait $qpid 2>/dev/null
	return 0
}
