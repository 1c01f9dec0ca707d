/* use-set.c: interned flags, sorted flag sets and incremental USE layers. */
#include "use-impl.h"

#include <ctype.h>

/* ---- sorted int sets ------------------------------------------------------
 */

void idset_release(struct idset *s)
{
	free(s->v);
	*s = (struct idset){0};
}

void idset_clear(struct idset *s)
{
	s->n = 0;
}

static size_t idset_pos(const struct idset *s, int id)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->v[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool idset_has(const struct idset *s, int id)
{
	size_t i = idset_pos(s, id);
	return i < s->n && s->v[i] == id;
}

void idset_add(struct idset *s, int id)
{
	size_t i = idset_pos(s, id);

	if (i < s->n && s->v[i] == id)
		return;
	gild_grow(&s->v, &s->cap, s->n + 1, sizeof(*s->v));
	memmove(s->v + i + 1, s->v + i, (s->n - i) * sizeof(*s->v));
	s->v[i] = id;
	s->n++;
}

void idset_del(struct idset *s, int id)
{
	size_t i = idset_pos(s, id);

	if (i == s->n || s->v[i] != id)
		return;
	memmove(s->v + i, s->v + i + 1, (s->n - i - 1) * sizeof(*s->v));
	s->n--;
}

void idset_copy(struct idset *to, const struct idset *from)
{
	gild_grow(&to->v, &to->cap, from->n ? from->n : 1, sizeof(*to->v));
	if (from->n)
		memcpy(to->v, from->v, from->n * sizeof(*to->v));
	to->n = from->n;
}

/* ---- flag interning
 * ----------------------------------------------------------- */

static unsigned hash_str(const char *s)
{
	unsigned h = 2166136261u; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void rehash(struct use_env *env)
{
	size_t n = env->nslots ? env->nslots * 2 : 1024;

	free(env->slots);
	env->slots = xcalloc(n, sizeof(*env->slots));
	env->nslots = n;
	for (size_t id = 0; id < env->nflags; id++) {
		size_t i = hash_str(env->names[id]) & (n - 1);
		while (env->slots[i])
			i = (i + 1) & (n - 1);
		env->slots[i] = (unsigned)id + 1;
	}
}

/* The USE_EXPAND group of a flag: the longest "prefix_" it starts with. */
static int flag_group(const struct use_env *env, const char *flag)
{
	int best = -1;
	size_t bestlen = 0;

	for (size_t g = 0; g < env->prefixes.n; g++) {
		size_t n = strlen(env->prefixes.v[g]);
		if (n > bestlen && strncmp(flag, env->prefixes.v[g], n) == 0 &&
		    flag[n]) {
			best = (int)g;
			bestlen = n;
		}
	}
	return best;
}

int use_flag_lookup(const struct use_env *env, const char *flag)
{
	if (!env->nslots)
		return -1;
	for (size_t i = hash_str(flag) & (env->nslots - 1); env->slots[i];
	     i = (i + 1) & (env->nslots - 1))
		if (strcmp(env->names[env->slots[i] - 1], flag) == 0)
			return (int)env->slots[i] - 1;
	return -1;
}

int use_flag_id(struct use_env *env, const char *flag)
{
	size_t i;

	if (!env->nslots || env->nflags * 2 >= env->nslots)
		rehash(env);
	i = hash_str(flag) & (env->nslots - 1);
	for (; env->slots[i]; i = (i + 1) & (env->nslots - 1))
		if (strcmp(env->names[env->slots[i] - 1], flag) == 0)
			return (int)env->slots[i] - 1;
	gild_grow(&env->names, &env->capflags, env->nflags + 1,
		  sizeof(*env->names));
	env->group = xrealloc(env->group, env->capflags * sizeof(*env->group));
	env->names[env->nflags] = xstrdup(flag);
	env->group[env->nflags] = flag_group(env, flag);
	env->slots[i] = (unsigned)env->nflags + 1;
	return (int)env->nflags++;
}

const char *use_flag_name(const struct use_env *env, int id)
{
	return env->names[id];
}

const char *use_flag_group(const struct use_env *env, int id, bool *hidden)
{
	int g = env->group[id];

	*hidden = g >= 0 && env->hidden[g];
	return g >= 0 ? env->groups.v[g] : NULL;
}

const char *use_flag_short(const struct use_env *env, int id)
{
	int g = env->group[id];
	return env->names[id] + (g >= 0 ? strlen(env->prefixes.v[g]) : 0);
}

/* ---- incremental layers
 * -------------------------------------------------------- */

void delta_release(struct delta *d)
{
	idset_release(&d->resets);
	idset_release(&d->plus);
	idset_release(&d->minus);
}

static int group_of_prefix(const struct use_env *env, const char *prefix)
{
	for (size_t g = 0; g < env->prefixes.n; g++)
		if (strcmp(env->prefixes.v[g], prefix) == 0)
			return (int)g;
	return -1;
}

static void delta_add(struct use_env *env, struct delta *d, const char *prefix,
		      const char *word)
{
	bool neg = word[0] == '-';
	const char *name = word + neg;
	_cleanup_free_ char *flag = NULL;
	int id;

	if (neg && strcmp(name, "*") == 0) {
		int g = prefix ? group_of_prefix(env, prefix) : -1;
		if (g >= 0)
			idset_add(&d->resets, g);
		else if (!prefix)
			d->reset = true;
		return;
	}
	flag = xasprintf("%s%s", prefix ? prefix : "", name);
	id = use_flag_id(env, flag);
	idset_del(neg ? &d->plus : &d->minus, id);
	idset_add(neg ? &d->minus : &d->plus, id);
}

/* "PYTHON_TARGETS:" (portage(5) package.use) -> "python_targets_" */
static char *expand_prefix(const char *w, size_t n)
{
	char *p = xmalloc(n + 1);

	for (size_t i = 0; i < n - 1; i++)
		p[i] = (char)tolower((unsigned char)w[i]);
	p[n - 1] = '_';
	p[n] = '\0';
	return p;
}

void delta_add_words(struct use_env *env, struct delta *d, char *const *w,
		     size_t n)
{
	_cleanup_free_ char *prefix = NULL;

	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(w[i]);
		if (len > 1 && w[i][len - 1] == ':') {
			free(prefix);
			prefix = expand_prefix(w[i], len);
			continue;
		}
		delta_add(env, d, prefix, w[i]);
	}
}

/* s |= add, as one merge of two sorted arrays (from the back, in place). */
static void idset_union(struct idset *s, const struct idset *add)
{
	size_t i = s->n, j = add->n, k = s->n + add->n, dups = 0;

	if (!add->n)
		return;
	gild_grow(&s->v, &s->cap, s->n + add->n, sizeof(*s->v));
	while (j > 0) {
		if (i > 0 && s->v[i - 1] > add->v[j - 1])
			s->v[--k] = s->v[--i];
		else if (i > 0 && s->v[i - 1] == add->v[j - 1])
			s->v[--k] = s->v[--i], j--, dups++;
		else
			s->v[--k] = add->v[--j];
	}
	/* v[k..n+add) holds the merge; dups left a gap of k - i at the front */
	if (k > i)
		memmove(s->v + i, s->v + k,
			(s->n + add->n - k) * sizeof(*s->v));
	s->n = s->n + add->n - dups;
}

/* USE="-*" clears every flag but those of USE_EXPAND groups whose variable
 * is set: those belong to the variable (make.conf(5) USE_EXPAND), as
 * PYTHON_TARGETS survives USE="-*" in portage. */
static bool reset_clears(const struct use_env *env, int id)
{
	int g = env->group[id];
	return g < 0 || !env->managed[g];
}

static bool delta_drops(const struct use_env *env, const struct delta *d,
			int id)
{
	int g = env->group[id];

	return (d->reset && reset_clears(env, id)) ||
	       idset_has(&d->minus, id) || (g >= 0 && idset_has(&d->resets, g));
}

void delta_apply(const struct use_env *env, const struct delta *d,
		 struct idset *s)
{
	size_t j = 0;

	if (d->reset || d->minus.n || d->resets.n) {
		for (size_t i = 0; i < s->n; i++)
			if (!delta_drops(env, d, s->v[i]))
				s->v[j++] = s->v[i];
		s->n = j;
	}
	idset_union(s, &d->plus);
}

/* apply(to, S) == apply(g, apply(f, S)) for every S. */
void delta_compose(const struct use_env *env, const struct delta *f,
		   const struct delta *g, struct delta *to)
{
	struct delta r = {0};

	r.reset = f->reset || g->reset;
	idset_copy(&r.resets, &f->resets);
	idset_union(&r.resets, &g->resets);
	idset_copy(&r.minus, &f->minus);
	idset_union(&r.minus, &g->minus);
	for (size_t i = 0; i < f->plus.n; i++)
		if (!delta_drops(env, g, f->plus.v[i]))
			idset_add(&r.plus, f->plus.v[i]);
	for (size_t i = 0; i < g->plus.n; i++) {
		idset_add(&r.plus, g->plus.v[i]);
		if (!idset_has(&g->minus, g->plus.v[i]))
			idset_del(&r.minus, g->plus.v[i]);
	}
	delta_release(to);
	*to = r;
}
