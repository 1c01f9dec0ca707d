/* requse.h: checking REQUIRED_USE (PMS 8.2 and the EAPI 7 empty-group rule).
 *
 * Semantics for EAPI 7 and 8: a conditional group whose condition is false
 * is satisfied and, directly inside ||, ^^ or ??, does not count as a member;
 * an all-of group needs all members; || needs at least one and ^^ exactly
 * one (both unsatisfied when empty); ?? needs at most one (satisfied when
 * empty).
 */
#ifndef GILD_REQUSE_H
#define GILD_REQUSE_H

#include "depstr.h"

/* Check a REQUIRED_USE tree (from depstr_parse with DEPSTR_REQUIRED_USE)
 * against USE.  Returns 1 when satisfied, 0 when not; then `why` (may be
 * NULL) gets the first failing constraint in words, e.g.
 * "exactly one of 'a', 'b' must be enabled, but both are". */
int requse_check(const struct dep_node *node, depstr_use_fn use, void *ud,
		 struct gild_buf *why);

/* Call fn for every flag the tree mentions, in text order, with the node
 * naming it: the flag of each conditional and the word of each TEXT leaf
 * (in a REQUIRED_USE tree those are flags).  Stops and returns fn's value
 * when it is non-zero.  For checking the flags against IUSE. */
int depstr_foreach_flag(const struct dep_node *node,
			int (*fn)(void *ud, const char *flag,
				  const struct dep_node *where),
			void *ud);

#endif /* GILD_REQUSE_H */
