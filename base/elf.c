/* elf.c: what the build's QA and the image checks need to know of an
 * ELF file (its interpreter, DT_NEEDED libraries, RUNPATH/RPATH, whether
 * it still has a symbol table), read with libelf. */
#include "base/base.h"

#include <fcntl.h>
#include <gelf.h>
#include <unistd.h>

void gild_elf_release(struct gild_elf *e)
{
	free(e->interp);
	free(e->runpath);
	gild_strv_release(&e->needed);
	*e = (struct gild_elf){0};
}

static bool is_elf_file(int fd)
{
	unsigned char magic[4];

	return pread(fd, magic, 4, 0) == 4 && !memcmp(magic, ELFMAG, SELFMAG);
}

static void read_interp(Elf *elf, struct gild_elf *out)
{
	size_t n = 0;

	if (elf_getphdrnum(elf, &n) != 0)
		return;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_INTERP)
			continue;
		size_t len = 0;
		char *raw = elf_rawfile(elf, &len);
		if (raw && ph.p_offset + ph.p_filesz <= len && ph.p_filesz)
			out->interp =
			    xstrndup(raw + ph.p_offset,
				     strnlen(raw + ph.p_offset, ph.p_filesz));
	}
}

static void read_dynamic(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh,
			 struct gild_elf *out)
{
	Elf_Data *data = elf_getdata(scn, NULL);

	for (size_t k = 0;
	     data && sh->sh_entsize && k < sh->sh_size / sh->sh_entsize; k++) {
		GElf_Dyn dyn;
		if (!gelf_getdyn(data, (int)k, &dyn))
			break;
		const char *s = NULL;
		if (dyn.d_tag == DT_NEEDED || dyn.d_tag == DT_RUNPATH ||
		    dyn.d_tag == DT_RPATH)
			s = elf_strptr(elf, sh->sh_link, dyn.d_un.d_val);
		if (!s)
			continue;
		if (dyn.d_tag == DT_NEEDED)
			gild_strv_add(&out->needed, s);
		else if (!out->runpath || dyn.d_tag == DT_RUNPATH) {
			free(out->runpath);
			out->runpath = xstrdup(s);
		}
	}
}

static void read_sections(Elf *elf, struct gild_elf *out)
{
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn));) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB)
			out->has_symtab = true;
		if (sh.sh_type == SHT_DYNAMIC)
			read_dynamic(elf, scn, &sh, out);
	}
}

int gild_elf_read(const char *path, struct gild_elf *out, struct gild_err *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *elf;

	*out = (struct gild_elf){0};
	if (fd < 0)
		return gild_fail_errno(err, path, "cannot open");
	if (!is_elf_file(fd))
		return 0;
	if (elf_version(EV_CURRENT) == EV_NONE ||
	    !(elf = elf_begin(fd, ELF_C_READ_MMAP, NULL)))
		return gild_fail(err, -GILD_E_INVALID, NULL,
				 "'%s': not a readable ELF file: %s", path,
				 elf_errmsg(-1));
	out->is_elf = elf_kind(elf) == ELF_K_ELF;
	if (out->is_elf) {
		GElf_Ehdr eh;
		out->relocatable =
		    gelf_getehdr(elf, &eh) && eh.e_type == ET_REL;
		read_interp(elf, out);
		read_sections(elf, out);
	}
	elf_end(elf);
	return 0;
}
