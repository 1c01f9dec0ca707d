/* role.c: what the commands working on a role (image, image run, iso)
 * share: which profile is the role, and the build environment over it. */
#include "build/build.h"
#include "cli/cli.h"

static bool is_role_profile(const struct build_env *env)
{
	const struct gild_strv *n = &env->cfg->profile->nodes;

	for (size_t i = 0; i < n->n; i++)
		if (gild_startswith(n->v[i], "profiles/roles/"))
			return true;
	return false;
}

int cli_open_role_env(struct gild_ctx *ctx, const char *role,
		      struct build_env **env, char **profile)
{
	int r;

	if ((r = cli_check_role(ctx, role)) != 0)
		return r;
	if (role)
		ctx->profile = *profile = xasprintf("roles/%s", role);
	r = build_env_open(ctx, env, &ctx->err);
	if (r < 0 || ctx->profile || is_role_profile(*env))
		return r;
	/* neither --role nor --profile, and the configured PROFILE is no
	 * role: gild's default image */
	build_env_free(*env);
	*env = NULL;
	ctx->profile = "roles/minimal";
	return build_env_open(ctx, env, &ctx->err);
}
