/* core-abi.c: the stamp gild-core.so carries, checked by the front binary
 * before it calls any command (main-core.c). */
#include "cli/cli.h"
#include "config/config.h"

const struct gild_core_abi gild_core_abi = {
    .version = GILD_VERSION,
    .ctx_size = sizeof(struct gild_ctx),
    .open_setup = setup_for_ctx,
};
