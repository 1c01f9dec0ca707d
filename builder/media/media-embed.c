/* media-embed.c: builder/media/init.sh, the initramfs' /init, and
 * gild-install.sh, the installer, inside the gild
 * binary (as build/embed.c carries ebuild.sh): an installed gild needs no
 * data files, and the ISO gets exactly the script of this build. */
#include "media-impl.h"

/* .incbin is relative to the compiler's working directory, the top of the
 * tree; builder/media/local.mk makes media-embed.o depend on the script. */
__asm__(".section .rodata\n"
	".global gild_iso_init_sh\n"
	".type gild_iso_init_sh, @object\n"
	"gild_iso_init_sh:\n"
	".incbin \"builder/media/init.sh\"\n"
	".byte 0\n"
	".size gild_iso_init_sh, . - gild_iso_init_sh\n"
	".global gild_install_sh\n"
	".type gild_install_sh, @object\n"
	"gild_install_sh:\n"
	".incbin \"builder/media/gild-install.sh\"\n"
	".byte 0\n"
	".size gild_install_sh, . - gild_install_sh\n"
	".previous\n");
