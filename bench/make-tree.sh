# bench/make-tree.sh: sourced by bench/resolve-bench.sh and
# bench/portage-compare; needs GEN, GEN_ARGS, GILD and BENCH_DIR.
# shellcheck shell=sh

# make_tree N: the tree (again when gen-tree changed), ~arch accepted, and
# etc/sets/bench150: every third package of the sorted tree, 400 of them,
# minus the ones the resolver says to drop until the set solves (blockers
# between two targets), then the first 150 of those kept.
make_tree() {
	d="$BENCH_DIR/t$1"
	sum="$(cksum <"$GEN") $GEN_ARGS"
	if [ "$(cat "$d/.gen-tree" 2>/dev/null)" != "$sum" ]; then
		rm -rf "$d"
		# shellcheck disable=SC2086 # GEN_ARGS: options, split
		"$GEN" $GEN_ARGS "$1" "$d" >/dev/null
		echo "$sum" >"$d/.gen-tree"
	fi
	mkdir -p "$d/etc/sets"
	echo 'ACCEPT_KEYWORDS="~amd64"' >"$d/etc/gild.conf"
	if [ ! -s "$d/etc/sets/bench150" ]; then
		find "$d/recipes" -mindepth 2 -maxdepth 2 -type d ! -path '*/classes*' |
			sed "s|^$d/recipes/||" | sort | awk 'NR % 3 == 0' | head -n 400 >"$d/etc/sets/bench150"
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			"$GILD" -C "$d" pretend --emptytree @bench150 >/dev/null 2>"$BENCH_DIR/err" && break
			# per problem, the first target libsolv suggests to drop
			awk "/^problem [0-9]+ of/ { f = 1 }
			     f && /^    - remove target / { sub(/^    - remove target ./, \"\"); sub(/.\$/, \"\"); print; f = 0 }" \
				"$BENCH_DIR/err" | sort -u >"$BENCH_DIR/drop"
			grep -vxF -f "$BENCH_DIR/drop" "$d/etc/sets/bench150" >"$BENCH_DIR/keep" || true
			mv "$BENCH_DIR/keep" "$d/etc/sets/bench150"
		done
		kept=$(wc -l <"$d/etc/sets/bench150")
		head -n 150 "$d/etc/sets/bench150" >"$BENCH_DIR/keep"
		mv "$BENCH_DIR/keep" "$d/etc/sets/bench150"
		echo "$1 recipes: $kept of 400 candidate targets solve together; @bench150 is the first 150" >"$d/.kept"
	fi
	cat "$d/.kept"
	echo "$1 recipes ($GEN_ARGS): $(find "$d/recipes" -mindepth 2 -maxdepth 2 -type d ! -path '*/classes*' | wc -l) packages, $(du -sm "$d/recipes" | cut -f1) MB"
}
