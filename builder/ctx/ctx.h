/* ctx.h: the context of one gild run, passed to everything that reports
 * or needs the run's settings (apk's apk_ctx, xbps' xbps_handle): the
 * tree, profile and configuration directory the user chose, verbosity,
 * output handles and the error a command returns.
 *
 * Library code reports through gild_ctx_warn/info/debug only, never by
 * printing directly; parsing the command line is the CLI's (cli/cli.h).
 */
#ifndef GILD_CTX_H
#define GILD_CTX_H

#include <stdio.h>

#include "base/base.h"

#define GILD_VERSION "0.1.0"

struct gild_ctx {
	const char *tree;    /* --tree DIR: the recipe tree (default ".") */
	const char *profile; /* --profile NAME under profiles/, or NULL */
	const char *config;  /* --config DIR (default <tree>/etc) */
	int verbosity;	     /* 0 normal, >0 -v, <0 -q */
	bool json;	     /* --json */
	FILE *out;	     /* results (stdout) */
	FILE *diag;	     /* diagnostics (stderr) */
	const char *cmdname; /* the running command, for messages */
	unsigned needs;	     /* GILD_NEED_*: what the command works on */
	struct gild_err err; /* the error a command returns, printed once */
	/* prints the running command's usage (set by main from its table) */
	void (*usage)(const struct gild_ctx *ctx, FILE *f);
	/* What the command opened for the whole run, shared by everything it
	 * calls: the configuration (config_for_ctx in config/config.h loads
	 * it once per profile) and the recipe tree (tree_for_ctx). Owned by the
	 * layer that set it, released by gild_ctx_release when the command
	 * returns. */
	void *setup;
	void (*release_setup)(void *setup);
	/* Opens what needs names (GILD_NEED_CONFIG, GILD_NEED_RECIPES) once
	 * the command's options are parsed: the core's setup_for_ctx, set by
	 * the front when it loads a command from the core (NULL in the
	 * front's own commands, which open nothing). */
	int (*open_setup)(struct gild_ctx *ctx, struct gild_err *err);
};

/* What a command needs, from its row in the command table (git's
 * RUN_SETUP): checked once its options are parsed, so every command says
 * the same thing when it is missing. */
enum {
	GILD_NEED_TREE = 1 << 0, /* a recipe tree (profiles/ or recipes/) */
	/* opened before the command runs (setup_for_ctx in config.h) */
	GILD_NEED_CONFIG = 1 << 1,  /* the run's configuration */
	GILD_NEED_RECIPES = 1 << 2, /* the tree's recipes, loaded */
};

/* Diagnostics to ctx->diag: warnings always, info unless -q, debug with -v. */
void gild_ctx_warn(struct gild_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void gild_ctx_info(struct gild_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void gild_ctx_debug(struct gild_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The configuration directory: --config, else <tree>/etc. Allocated. */
char *gild_ctx_config_dir(const struct gild_ctx *ctx);

/* Release what the command opened for the run (ctx->setup). */
void gild_ctx_release(struct gild_ctx *ctx);

#endif /* GILD_CTX_H */
