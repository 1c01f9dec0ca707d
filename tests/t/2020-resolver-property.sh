#!/bin/sh
test_description='property: on generated trees every printed plan meets every dependency, violates no blocker and orders build dependencies first'
. "$(dirname "$0")/lib.sh"

GEN="$GILD_TOP/bench/gen-tree"
if [ -x "$GEN" ] && command -v python3 >/dev/null; then
	test_set_prereq GENTREE
else
	test_set_prereq_reason GENTREE "bench/gen-tree or python3 missing"
fi

# check_tree N: pretend --verify for a sample of its packages; a target may
# have no solution (then the explanation is printed), but a printed plan
# must verify.
check_tree() {
	"$GEN" "$1" "t$1" >/dev/null &&
	# accept ~arch so that more targets resolve
	mkdir -p "t$1/etc" &&
	echo 'ACCEPT_KEYWORDS="~amd64"' >"t$1/etc/gild.conf" &&
	find "t$1/recipes" -mindepth 2 -maxdepth 2 -type d ! -path "*/classes*" |
		sort | awk "NR % 5 == 1" | head -n 25 | sed "s|^t$1/recipes/||" >targets &&
	plans=0 &&
	while read -r t; do
		gild -C "t$1" pretend --emptytree --verify "$t" >out 2>err
		rc=$?
		if grep "^violation:" err; then return 1; fi
		case $rc in
		0) grep -q "^verified: .* 0 violations" err || return 1
		   plans=$((plans + 1)) ;;
		1) grep -q "cannot resolve the targets\|build-time dependency cycle" err || { cat err; return 1; } ;;
		*) cat err; return 1 ;;
		esac
	done <targets &&
	echo "tree $1: $plans plans verified" &&
	test "$plans" -gt 0
}

test_expect_success GENTREE 'plans on a 300-recipe tree verify' 'check_tree 300'
test_expect_success GENTREE 'plans on a 900-recipe tree verify' 'check_tree 900'

test_done
