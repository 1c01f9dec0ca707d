/* media-bios.c: GRUB's BIOS boot on a GPT disk, the work grub-bios-setup
 * does for a BIOS boot partition, done on the disk image's bytes: the
 * host's grub-bios-setup wants a block device and the host's GRUB, and
 * every byte here must come from the grub package (SBOM).
 *
 * The BIOS loads sector 0 (GRUB's boot.img) and jumps to it; boot.img
 * reads the one sector whose number it carries at KERNEL_SECTOR: the
 * first of core.img (diskboot.img), which reads the rest of core.img
 * from the block list at the end of its own sector. The offsets are
 * GRUB 2.06's include/grub/i386/pc/boot.h and
 * grub-core/boot/i386/pc/diskboot.S. */
#include "media-impl.h"

#include <fcntl.h>
#include <unistd.h>

#define SECTOR 512
/* boot.img */
#define BOOT_BPB_START 0x03 /* a FAT BIOS parameter block: kept */
#define BOOT_BPB_END 0x5a
#define BOOT_KERNEL_SECTOR 0x5c /* 64-bit LBA of core.img's first sector */
#define BOOT_DRIVE 0x64		/* 0xff: the drive the BIOS booted */
#define BOOT_DRIVE_CHECK 0x66	/* a jump, nop'ed for hard disks */
#define BOOT_NT_MAGIC 0x1b8	/* disk signature + partition table: */
#define BOOT_PART_END 0x1fe	/* the disk's, kept */
/* diskboot.img: the block list, 12 bytes at the end of its sector (start
 * LBA 64 bits, sectors 16 bits, load segment 16 bits), read backwards to
 * an entry of length 0. */
#define BLOCKLIST_SIZE 12
#define CORE_LOAD_SEGMENT 0x820 /* GRUB_BOOT_I386_PC_KERNEL_SEG + 0x20 */

static void put_le16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static int pread_full(int fd, void *buf, size_t n, off_t off, const char *path,
		      struct gild_err *err)
{
	ssize_t got = pread(fd, buf, n, off);

	if (got < 0)
		return gild_fail_errno(err, path, "cannot read");
	if ((size_t)got != n)
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "'%s' is too short (%zd of %zu bytes)", path,
				 got, n);
	return 0;
}

static int pwrite_full(int fd, const void *buf, size_t n, off_t off,
		       const char *path, struct gild_err *err)
{
	ssize_t put = pwrite(fd, buf, n, off);

	if (put < 0 || (size_t)put != n)
		return gild_fail_errno(err, path, "cannot write");
	return 0;
}

/* core.img, padded to whole sectors, with its block list naming the
 * sectors after its first (first + 1 onwards, one contiguous run). */
static int write_core(int fd, const char *disk, const char *coreimg,
		      uint64_t first, uint64_t max_sectors,
		      struct gild_err *err)
{
	_cleanup_free_ char *core = NULL;
	size_t len, nsec;
	unsigned char *bl;
	int r;

	if ((r = gild_read_file(coreimg, &core, &len, err)) < 0)
		return r;
	nsec = (len + SECTOR - 1) / SECTOR;
	if (len < SECTOR || nsec > max_sectors || nsec - 1 > 0xffff)
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "'%s' (%zu bytes) does not fit the BIOS boot "
				 "partition (%llu sectors)",
				 coreimg, len, (unsigned long long)max_sectors);
	core = xrealloc(core, nsec * SECTOR);
	memset(core + len, 0, nsec * SECTOR - len);
	bl = (unsigned char *)core + SECTOR - BLOCKLIST_SIZE;
	/* the entry before this one stays the terminator (zero length) */
	if (bl[-BLOCKLIST_SIZE + 8] || bl[-BLOCKLIST_SIZE + 9])
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "'%s' is no GRUB i386-pc core image (its "
				 "block list has no terminator)",
				 coreimg);
	put_le64(bl, first + 1);
	put_le16(bl + 8, (uint16_t)(nsec - 1));
	put_le16(bl + 10, CORE_LOAD_SEGMENT);
	return pwrite_full(fd, core, nsec * SECTOR, (off_t)(first * SECTOR),
			   disk, err);
}

/* boot.img into sector 0 over the protective MBR sfdisk wrote, keeping
 * its BPB area and partition table. */
static int write_boot(int fd, const char *disk, const char *bootimg,
		      uint64_t first, struct gild_err *err)
{
	_cleanup_free_ char *boot = NULL;
	unsigned char mbr[SECTOR], *b;
	size_t len;
	int r;

	if ((r = gild_read_file(bootimg, &boot, &len, err)) < 0)
		return r;
	if (len != SECTOR)
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "'%s' is %zu bytes, not one sector", bootimg,
				 len);
	if ((r = pread_full(fd, mbr, SECTOR, 0, disk, err)) < 0)
		return r;
	b = (unsigned char *)boot;
	memcpy(b + BOOT_BPB_START, mbr + BOOT_BPB_START,
	       BOOT_BPB_END - BOOT_BPB_START);
	memcpy(b + BOOT_NT_MAGIC, mbr + BOOT_NT_MAGIC,
	       BOOT_PART_END - BOOT_NT_MAGIC);
	put_le64(b + BOOT_KERNEL_SECTOR, first);
	b[BOOT_DRIVE] = 0xff;
	/* some BIOSes pass a floppy's drive number for a hard disk: boot.img
	 * then trusts 0x80 instead (grub-bios-setup does this for disks) */
	b[BOOT_DRIVE_CHECK] = 0x90;
	b[BOOT_DRIVE_CHECK + 1] = 0x90;
	/* the MBR signature: boot.img has it; a protective MBR needs it */
	b[SECTOR - 2] = 0x55;
	b[SECTOR - 1] = 0xaa;
	return pwrite_full(fd, b, SECTOR, 0, disk, err);
}

int media_grub_bios_setup(int fd, const char *disk, const char *bootimg,
			  const char *coreimg, uint64_t first,
			  uint64_t max_sectors, struct gild_err *err)
{
	int r;

	if ((r = write_core(fd, disk, coreimg, first, max_sectors, err)) < 0)
		return r;
	return write_boot(fd, disk, bootimg, first, err);
}
