/* iso-embed.c: builder/iso/init.sh, the initramfs' /init, inside the gild
 * binary (as build/embed.c carries ebuild.sh): an installed gild needs no
 * data files, and the ISO gets exactly the script of this build. */
#include "iso-impl.h"

/* .incbin is relative to the compiler's working directory, the top of the
 * tree; builder/iso/local.mk makes iso-embed.o depend on the script. */
__asm__(".section .rodata\n"
	".global gild_iso_init_sh\n"
	".type gild_iso_init_sh, @object\n"
	"gild_iso_init_sh:\n"
	".incbin \"builder/iso/init.sh\"\n"
	".byte 0\n"
	".size gild_iso_init_sh, . - gild_iso_init_sh\n"
	".previous\n");
