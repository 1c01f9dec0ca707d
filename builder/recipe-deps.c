/* recipe-deps.c: dependency-like metadata checked where it is written. */
#include "recipe-impl.h"

int recipe_check_depvar(int eapi, int var, const struct shvars_assign *a,
			struct gild_err *err)
{
	(void)eapi;
	(void)var;
	(void)a;
	(void)err;
	return 0;
}

void recipe_free_deps(struct recipe *r)
{
	(void)r;
}
