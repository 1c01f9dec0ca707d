/* core-abi.c: the stamp gild-core.so carries, checked by the front binary
 * before it calls any command (main-core.c). */
#include "cli/cli.h"

const struct gild_core_abi gild_core_abi = GILD_CORE_ABI_INIT;
