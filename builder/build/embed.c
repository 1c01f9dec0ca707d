/* embed.c: builder/build/ebuild.sh inside the gild binary, so an installed gild
 * needs no data files and every build uses exactly the helpers its
 * build-id was computed with. */
#include "build/build.h"

/* .incbin is resolved relative to the compiler's working directory, the
 * top of the tree (the GNUmakefile builds from there); builder/local.mk
 * makes embed.o depend on the script. */
__asm__(".section .rodata\n"
	".global gild_ebuild_sh\n"
	".type gild_ebuild_sh, @object\n"
	"gild_ebuild_sh:\n"
	".incbin \"builder/build/ebuild.sh\"\n"
	".byte 0\n"
	".size gild_ebuild_sh, . - gild_ebuild_sh\n"
	".previous\n");
