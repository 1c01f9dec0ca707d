/* fuzz-recipe.c: bytes through the shvars lexer and the recipe parser
 * (classes from tests/fixtures/tree-basic when run from the top directory).
 *
 *   make fuzz && .build-fuzz/tests/fuzz/fuzz-recipe tests/fuzz/corpus/recipe
 *
 * tests/builder/test-recipe-corpus.c replays the corpus in `make check`. */
#include "pms/pms.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static int fz_assign(void *ud, const struct shvars_assign *a,
		     struct gild_err *err)
{
	struct gild_loc loc;
	/* every byte of a value must map back into the file */
	for (size_t off = 0; off <= a->value.n; off += 7)
		shvars_value_loc(a, off, &loc);
	return 0;
}

static bool fz_lookup(void *ud, gild_str name, gild_str *val)
{
	*val = GILD_STR_C("x y");
	return name.n % 2 == 0;
}

static const struct shvars_ops fz_ops = {.assign = fz_assign,
					 .lookup = fz_lookup};

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct recipe_loader *loader;
	static bool tried;
	struct gild_err err = GILD_ERR_INIT;
	struct recipe *r = NULL;

	(void)shvars_parse((const char *)data, size, "f", &fz_ops, NULL, &err);
	if (!tried) {
		tried = true;
		loader = recipe_loader_new("tests/fixtures/tree-basic",
					   RECIPE_LOAD_FUNCTIONS, NULL);
	}
	if (loader &&
	    recipe_parse(loader, "app-misc", "recipes/app-misc/f/f-1.recipe",
			 (const char *)data, size, &r, &err) == 0) {
		for (int v = 0; v < RECIPE_NVARS; v++) {
			const struct dep_node *n;
			(void)recipe_deps(r, v, &n, &err);
		}
		recipe_free(r);
	}
	return 0;
}
