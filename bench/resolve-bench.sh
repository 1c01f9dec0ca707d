#!/bin/sh
# bench/resolve-bench.sh [N...]: time `gild pretend --emptytree` on
# bench/gen-tree --realistic trees (default 2000 10000 40000 recipes;
# GEN_ARGS= for the clean trees of the earlier figures) for the profile's
# @system and for a 150-target set: with no cache (the whole tree read),
# warm, the first run after an in-place edit of a recipe in the plan
# (that package read again, the cache rewritten) and the first after a
# package was added (its category read again); each the best of 3, with
# peak memory.
# Prints one line per run with gild's own -v timings (wall clock): load
# (config, cache check, versions from the tree or the cache), pool build
# (with packages read again), solve, ordering; and the process's CPU time,
# which a busy machine does not inflate.
#
#   GILD=./gild BENCH_DIR=/tmp/gild-bench bench/resolve-bench.sh 2000
set -eu
GEN_ARGS=${GEN_ARGS---realistic}
top=$(cd "$(dirname "$0")/.." && pwd)
GILD=${GILD:-$top/gild}
BENCH_DIR=${BENCH_DIR:-/tmp/gild-bench}
GEN=${GEN:-$top/bench/gen-tree}
mkdir -p "$BENCH_DIR"

# shellcheck source=bench/make-tree.sh
. "$top/bench/make-tree.sh"

# run N LABEL TARGET: one timed run.
run() {
	d="$BENCH_DIR/t$1"
	/usr/bin/time -f "%e %U %S %M" -o "$BENCH_DIR/time" \
		"$GILD" -v -C "$d" pretend --emptytree "$3" >"$BENCH_DIR/out" 2>"$BENCH_DIR/err" || true
	pk=$(sed -n 's/^Total: \([0-9]*\) package.*/\1/p' "$BENCH_DIR/out")
	t=$(grep -h 'timing: load' "$BENCH_DIR/err" | sed 's/.*timing: //')
	s=$(grep -h 'timing: config' "$BENCH_DIR/err" | sed 's/.*timing: //')
	s="$s$(sed -n 's/.*cache: \([0-9]*\) package.*/, \1 read again/p' "$BENCH_DIR/err")"
	# the last line: time says first when the command failed
	read -r wall user sys rss <<-EOF
	$(tail -n 1 "$BENCH_DIR/time")
	EOF
	cpu=$(echo "$user $sys" | awk '{ printf "%.2f", $1 + $2 }')
	printf '%6s %-7s %-10s %4s pkgs  wall %5.2f s  cpu %5.2f s  peak %4d MiB  %s; %s\n' \
		"$1" "$2" "$3" "${pk:-0}" "$wall" "$cpu" $((rss / 1024)) "$t" "$s"
}

# edit_one N: append a comment to the recipe of the first package of the
# last plan, in place (same inode, same directory mtime).
edit_one() {
	cpv=$(sed -n 's/^\[[a-z]* *[A-Z]* *\] \([^ :]*\):.*/\1/p' "$BENCH_DIR/out" | head -n 1)
	for f in "$BENCH_DIR/t$1/recipes/${cpv%%/*}"/*/"${cpv#*/}.recipe"; do
		echo "# bench edit" >>"$f"
	done
}

# best N LABEL TARGET PREP: the best (by wall time) of 3 runs, PREP run
# before each (not timed).
best() {
	for _ in 1 2 3; do
		$4 "$1"
		run "$1" "$2" "$3"
	done | sort -k7,7n | head -n 1
}

nocache() { rm -rf "$BENCH_DIR/t$1/var/cache"; }
# a second after the last change, a new package in the category of the
# plan's last package (that category listed and read again: about 110
# packages at 40,000 recipes), the one added before removed
newpkg() {
	sleep 1.1
	cat=$(sed -n 's/^\[[a-z]* *[A-Z]* *\] \([^/ ]*\)\/.*/\1/p' "$BENCH_DIR/out" | tail -n 1)
	rm -rf "$BENCH_DIR/t$1/recipes/$cat"/bench-new-*
	mkdir -p "$BENCH_DIR/t$1/recipes/$cat/bench-new-x$(date +%s%N)"
	for d in "$BENCH_DIR/t$1/recipes/$cat"/bench-new-*; do
		printf 'EAPI=8\nSLOT="0"\nKEYWORDS="amd64"\n' >"$d/${d##*/}-1.recipe"
	done
}
warm() { :; }
# a second after the last edit, so that it is not "racy" any more (see
# builder/resolve/resolve-cache.c), an edit
edit() { sleep 1.1; edit_one "$1"; }

for n in ${*:-2000 10000 40000}; do
	make_tree "$n"
	# nothing changed within the last second, so the cache trusts its
	# stamps (see "racy" in builder/resolve/resolve-cache.c)
	sleep 1.1
	for target in @system @bench150; do
		best "$n" nocache "$target" nocache
		sleep 1.1
		best "$n" warm "$target" warm
		# edit_one reads the plan of the last run
		run "$n" warm "$target" >/dev/null
		best "$n" edit "$target" edit
		best "$n" newpkg "$target" newpkg
		rm -rf "$BENCH_DIR/t$n/recipes"/*/bench-new-*
	done
done
