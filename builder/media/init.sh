#!/bin/busybox sh
# /init of gild's live initramfs (written by gild iso, media-initramfs.c):
# find the medium by its ISO 9660 label (gild.live=LABEL on the kernel
# command line), mount its rootfs.squashfs under an overlay whose upper
# layer is a tmpfs (a live system writes to memory, never to the medium),
# and switch_root into it: the image's own /sbin/init runs next.
# An installer ISO (gild iso --installer) also has /bin/gild-install and
# gild/tools.squashfs: with gild.install=DEVICE on the command line it
# runs here, unattended, and reboots into the installed disk; without, the
# live system gets it as /usr/sbin/gild-install with the medium at
# /mnt/gild-medium and the tools' root at /mnt/gild-tools.
# Only busybox is here, so every command is an applet.

fail() {
	echo "gild-initramfs: error: $*"
	echo "gild-initramfs: dropping to a shell"
	exec /bin/busybox sh
}

# The applets as commands (busybox --install writes links into /bin).
/bin/busybox --install -s /bin
export PATH=/bin

mount -t proc proc /proc &&
	mount -t sysfs sysfs /sys &&
	mount -t devtmpfs devtmpfs /dev || fail "cannot mount /proc, /sys or /dev"

label= install=
for arg in $(cat /proc/cmdline); do
	case $arg in
	gild.live=*) label=${arg#gild.live=} ;;
	gild.install=*) install=${arg#gild.install=} ;;
	esac
done
[ -n "$label" ] || fail "no gild.live=LABEL on the kernel command line"

# The medium's driver (SATA, IDE, SCSI CD-ROM, USB) may probe after init
# starts: wait for the label to appear, up to about 30 seconds.
dev=
tries=0
while [ -z "$dev" ] && [ $tries -lt 60 ]; do
	dev=$(findfs "LABEL=$label" 2>/dev/null)
	[ -n "$dev" ] || sleep 0.5
	tries=$((tries + 1))
done
[ -n "$dev" ] || fail "no medium labelled '$label' found"

mount -t iso9660 -o ro "$dev" /media ||
	fail "cannot mount '$dev' (label '$label')"
[ -f /media/rootfs.squashfs ] || fail "'$dev' has no rootfs.squashfs"

mount -t squashfs -o ro,loop /media/rootfs.squashfs /lower ||
	fail "cannot mount rootfs.squashfs of '$dev'"
# An installer ISO's tools (sfdisk, resize2fs: gild/tools.squashfs) run in
# a root of their own: laid over the image's root, whose libc they use,
# read-only, at /toolsroot (gild-install chroots there). The live system's
# root stays the image as it is.
tools=
if [ -f /media/gild/tools.squashfs ]; then
	mkdir -p /tools /toolsroot &&
		mount -t squashfs -o ro,loop /media/gild/tools.squashfs /tools &&
		mount -t overlay -o lowerdir=/tools:/lower overlay /toolsroot ||
		fail "cannot mount gild/tools.squashfs of '$dev'"
	tools=/toolsroot
fi
mount -t tmpfs -o mode=0755 tmpfs /rw &&
	mkdir -p /rw/upper /rw/work &&
	mount -t overlay \
		-o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work \
		overlay /newroot || fail "cannot mount the overlay root"

# Unattended installation: gild-install runs here, then the machine boots
# the installed disk.
if [ -n "$install" ]; then
	[ -x /bin/gild-install ] && [ -n "$tools" ] ||
		fail "gild.install=$install, but this ISO has no installer (made without --installer)"
	GILD_MEDIUM=/media GILD_TOOLS_ROOT=$tools /bin/gild-install -y "$install" ||
		fail "the installation onto '$install' failed"
	echo "gild-initramfs: rebooting into the installed system"
	sync
	reboot -f
fi
[ -x /newroot/sbin/init ] || fail "the image has no /sbin/init"

# The installer in the live system: the script into the tmpfs layer, the
# medium where it looks (gild-install.sh).
if [ -x /bin/gild-install ] && [ -n "$tools" ]; then
	mkdir -p /newroot/usr/sbin /newroot/mnt/gild-medium /newroot/mnt/gild-tools &&
		cp /bin/gild-install /newroot/usr/sbin/gild-install &&
		mount --move /toolsroot /newroot/mnt/gild-tools &&
		mount --move /media /newroot/mnt/gild-medium ||
		fail "cannot set up gild-install in the live system"
fi

# The new root's init mounts these itself.
umount /sys /proc
mount --move /dev /newroot/dev || umount /dev
echo "gild-initramfs: live root from '$dev' (label $label), starting /sbin/init"
exec switch_root /newroot /sbin/init
