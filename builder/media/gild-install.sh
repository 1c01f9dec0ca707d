#!/bin/busybox sh
# gild-install: install a role onto a disk from gild's installer ISO
# (gild iso --installer; carried in its initramfs, see init.sh).
#
#   gild-install [-y] DEVICE
#
# The medium carries gild/disk.raw: the role's disk as gild disk writes it
# (GPT: BIOS boot partition with GRUB, ESP with GRUB and the kernel, root
# file system), the same bytes for every machine. gild-install copies it
# onto DEVICE and makes it this disk's and this machine's:
#   - the GPT's backup moved to the end of DEVICE, the root partition (an
#     ext4) grown to fill it, and the file system with it;
#   - new GUIDs for the disk and its partitions (GRUB's configuration on
#     the ESP follows the root's) and a new UUID for the ext4, so that no
#     two installed machines, nor the installed disk and the medium's, share
#     an identifier;
#   - the hostname: gild.hostname=NAME on the kernel command line, else the
#     file `hostname` of a seed medium;
#   - root's SSH key: gild.ssh_key=TYPE,KEY[,COMMENT] on the command line
#     (commas for the spaces the command line cannot carry), else the file
#     `authorized_keys` of a seed medium.
# A seed medium is any file system labelled SEED (FAT or ISO 9660), as
# cloud-init's NoCloud seeds are. Without -y, gild-install lists the disks
# and asks before it overwrites one. Besides busybox it runs sfdisk,
# blkid, e2fsck, resize2fs and tune2fs from the ISO's gild/tools.squashfs,
# chrooted into their root (GILD_TOOLS_ROOT, default /mnt/gild-tools:
# the tools laid over the image's root, which init.sh mounts).
set -u

medium=${GILD_MEDIUM:-/mnt/gild-medium}
tools_root=${GILD_TOOLS_ROOT:-/mnt/gild-tools}
disk="$medium/gild/disk.raw"
target=/target
seed=/seed
yes=

say() { echo "gild-install: $*"; }

# tools_ready: the tools' root (the tools laid over the image's root,
# read-only) has the kernel's file systems.
tools_ready() {
	[ -x "$tools_root/sbin/sfdisk" ] ||
		fail "no installer tools at $tools_root (the ISO's gild/tools.squashfs)"
	for fs in proc sys dev; do
		grep -q " $tools_root/$fs " /proc/mounts && continue
		case $fs in
		proc) mount -t proc proc "$tools_root/proc" ;;
		sys) mount -t sysfs sysfs "$tools_root/sys" ;;
		dev) mount -t devtmpfs devtmpfs "$tools_root/dev" ;;
		esac || fail "cannot mount /$fs in $tools_root"
	done
}

# tool CMD ARG...: one of the installer's tools, in their root.
tool() {
	PATH=/sbin:/usr/sbin:/bin:/usr/bin chroot "$tools_root" "$@"
}

new_uuid() { cat /proc/sys/kernel/random/uuid; }
fail() {
	echo "gild-install: error: $*" >&2
	exit 1
}

usage() {
	echo "usage: gild-install [-y] DEVICE (one of:$(list_disks))" >&2
	exit 2
}

# The whole disks the kernel knows, as /dev/NAME.
list_disks() {
	for d in /sys/block/*; do
		n=${d##*/}
		case $n in loop* | ram* | sr* | fd*) continue ;; esac
		printf ' /dev/%s' "$n"
	done
}

# part DEVICE N: the device of partition N (sda3, vda3, nvme0n1p3).
part() {
	case $1 in
	*[0-9]) echo "${1}p$2" ;;
	*) echo "$1$2" ;;
	esac
}

# cmdline_value KEY: the value of KEY= on the kernel command line.
cmdline_value() {
	for arg in $(cat /proc/cmdline); do
		case $arg in "$1"=*) echo "${arg#"$1"=}" ;; esac
	done
}

confirm() {
	[ -n "$yes" ] && return 0
	printf 'gild-install: everything on %s will be lost. Type "yes" to go on: ' "$1"
	read -r answer || return 1
	[ "$answer" = yes ]
}

# wait_for DEVICE: the kernel names partitions after a rescan.
wait_for() {
	i=0
	while [ ! -b "$1" ] && [ $i -lt 20 ]; do
		sleep 0.5
		i=$((i + 1))
	done
	[ -b "$1" ]
}

mount_seed() {
	seed_dev=$(findfs LABEL=SEED 2>/dev/null) || return 1
	mkdir -p "$seed" &&
		{ mount -o ro -t vfat "$seed_dev" "$seed" 2>/dev/null ||
			mount -o ro -t iso9660 "$seed_dev" "$seed"; } &&
		say "seed medium $seed_dev"
}

# personalize ROOT: hostname and root's SSH key.
personalize() {
	host=$(cmdline_value gild.hostname)
	key=$(cmdline_value gild.ssh_key | tr , ' ')
	if { [ -z "$host" ] || [ -z "$key" ]; } && mount_seed; then
		[ -z "$host" ] && [ -f "$seed/hostname" ] && host=$(cat "$seed/hostname")
		[ -z "$key" ] && [ -f "$seed/authorized_keys" ] && key=$(cat "$seed/authorized_keys")
		umount "$seed"
	fi
	if [ -n "$host" ]; then
		echo "$host" >"$1/etc/hostname" || return 1
		say "hostname $host"
	fi
	if [ -n "$key" ]; then
		mkdir -p "$1/root/.ssh" && chmod 700 "$1/root/.ssh" &&
			echo "$key" >"$1/root/.ssh/authorized_keys" &&
			chmod 600 "$1/root/.ssh/authorized_keys" || return 1
		say "root's SSH key: ${key%% *} ...${key##* }"
	fi
}

# reread DEVICE: the kernel reads its partition table, and has the root's.
reread() {
	i=0
	# a probe (mdev, blkid) may hold a partition open for a moment
	until blockdev --rereadpt "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 10 ] || fail "the kernel cannot read the new partition table of '$1'"
		sleep 0.5
	done
	wait_for "$(part "$1" 3)" ||
		fail "no root partition '$(part "$1" 3)' after writing '$1'"
}

# make_own DEVICE: the GPT as this disk needs it. The image's backup
# header sits where the image ends: moved to the disk's last sector. An
# ext4 root partition grows to the end (an erofs is read-only and keeps
# its size). New GUIDs for the disk and each partition.
make_own() {
	tool sfdisk -q --relocate gpt-bak-std "$1" || return 1
	if [ -n "$is_ext4" ]; then
		echo ", +" | tool sfdisk -q --no-reread --no-tell-kernel -N 3 "$1" ||
			return 1
	fi
	tool sfdisk -q --disk-id "$1" "$(new_uuid)" || return 1
	for n in 1 2 3; do
		uuid=$(new_uuid)
		tool sfdisk -q --part-uuid "$1" $n "$uuid" || return 1
	done
	new_root_uuid=$uuid
	say "GPT: backup at the end of $1, new GUIDs (root $new_root_uuid)"
}

# grow_ext4 PARTITION: the file system fills its partition, with a new
# UUID (tune2fs wants a checked file system for both).
grow_ext4() {
	out=$(tool e2fsck -fy "$1" 2>&1)
	[ $? -le 1 ] || {
		echo "$out" >&2
		return 1
	}
	out=$(tool resize2fs "$1" 2>&1) || {
		echo "$out" >&2
		return 1
	}
	tool tune2fs -U random "$1" >/dev/null || return 1
	size=$(blockdev --getsize64 "$1") || return 1
	say "root file system: $((size >> 20)) MiB, new UUID"
}

# follow_root DEVICE: GRUB's configuration on the ESP names the root by
# its partition GUID (root=PARTUUID=): the new one.
follow_root() {
	esp=$(part "$1" 2)
	cfg=/esp/boot/grub/gild.cfg
	mkdir -p /esp && mount -t vfat "$esp" /esp || return 1
	sed -i "s/root=PARTUUID=[0-9a-fA-F-]*/root=PARTUUID=$new_root_uuid/g" "$cfg" &&
		grep -q "root=PARTUUID=$new_root_uuid" "$cfg"
	r=$?
	umount /esp || return 1
	return $r
}

while [ $# -gt 0 ]; do
	case $1 in
	-y) yes=1 ;;
	-h | --help) usage ;;
	-*) usage ;;
	*) break ;;
	esac
	shift
done
[ $# -eq 1 ] || usage
dev=$1
[ -f "$disk" ] || fail "no $disk: the medium is no gild installer ISO (gild iso --installer)"
[ -b "$dev" ] || fail "'$dev' is no block device (disks:$(list_disks))"
need=$(stat -c %s "$disk")
have=$(blockdev --getsize64 "$dev") || fail "cannot read the size of '$dev'"
[ "$have" -ge "$need" ] ||
	fail "'$dev' has $((have >> 20)) MiB; the role's disk needs $((need >> 20)) MiB"
tools_ready
confirm "$dev" || fail "not confirmed; nothing written"

say "writing the role's disk ($((need >> 20)) MiB) onto $dev"
dd if="$disk" of="$dev" bs=1M conv=fsync 2>/dev/null || fail "cannot write '$dev'"
reread "$dev"
root=$(part "$dev" 3)
fstype=$(tool blkid -o value -s TYPE "$root") ||
	fail "cannot read the file system type of '$root'"
is_ext4=
[ "$fstype" = ext4 ] && is_ext4=1
# From here until GRUB's configuration names the new root GUID, the disk
# does not boot: a failure says so.
partial="'$dev' is only partly installed and does not boot: run gild-install again"
make_own "$dev" || fail "cannot adapt the partition table of '$dev'; $partial"
reread "$dev"
if [ -n "$is_ext4" ]; then
	grow_ext4 "$root" || fail "cannot grow and rename the file system on '$root'; $partial"
fi
follow_root "$dev" ||
	fail "cannot point GRUB's configuration on '$(part "$dev" 2)' at the new root; $partial"
mkdir -p "$target" && mount "$root" "$target" || fail "cannot mount '$root'"
if touch "$target/.gild-install" 2>/dev/null; then
	rm -f "$target/.gild-install"
	personalize "$target" || {
		umount "$target"
		fail "cannot write the hostname or SSH key into '$root'"
	}
else
	# an erofs root (DISK_ROOTFS="erofs") is read-only by design
	say "the root file system is read-only: no hostname or SSH key written"
fi
umount "$target" && sync || fail "cannot unmount '$root'"
say "installed onto $dev"
