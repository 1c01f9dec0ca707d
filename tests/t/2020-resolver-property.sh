#!/bin/sh
test_description='property: on generated trees every printed plan meets every dependency, violates no blocker and orders build dependencies first'
. "$(dirname "$0")/lib.sh"

GEN="$GILD_TOP/bench/gen-tree"
if [ -x "$GEN" ] && command -v python3 >/dev/null; then
	test_set_prereq GENTREE
else
	test_set_prereq_reason GENTREE "bench/gen-tree or python3 missing"
fi

# check_tree N [GEN-OPTION]: pretend --verify for a sample of the packages
# of tree tN; a target may have no solution (then the explanation is
# printed), but a printed plan must verify.
check_tree() {
	"$GEN" ${2-} "${1%r}" "t$1" >/dev/null &&
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

# --realistic: virtuals with long || ( ), PDEPEND cycles through an any-of
# member, per-target blocks, empty groups, recipes that do not load
test_expect_success GENTREE 'plans on a realistic 900-recipe tree verify' '
	check_tree 900r --realistic &&
	gild -C t900r pretend --emptytree @system >out 2>err &&
	test_grep "(the recipe is left out)" err
'

test_expect_success GENTREE 'realistic tree: an editor virtual takes its first alternative, not the one in a PDEPEND cycle' '
	gild -C t900r pretend --emptytree virtual/editor0 >out 2>/dev/null &&
	test_grep ! "/emacs0-" out &&
	gild -C t900r pretend --emptytree virtual/emacs0 >out 2>/dev/null &&
	test_grep "/emacs0-" out &&
	test_grep "/emacs-common0-" out
'

# binpkgs_from_plans N: a Packages index in tN/var/packages holding every
# other package of the targets' plans, deps recorded as the exact versions
# the plan chose; every third one built with no USE (not reusable when the
# configuration enables a flag).
binpkgs_from_plans() {
	while read -r t; do
		gild -C "t$1" pretend --emptytree --json "$t" 2>/dev/null
	done <targets >plans.json &&
	python3 - "t$1/var/packages" <<-\EOF
	import json, os, sys
	dec, seen, out = json.JSONDecoder(), {}, []
	text = open("plans.json").read()
	pos = 0
	while pos < len(text):
	    if text[pos].isspace():
	        pos += 1
	        continue
	    doc, pos = dec.raw_decode(text, pos)
	    for e in doc["plan"]:
	        seen.setdefault(e["cpv"], e)
	os.makedirs(sys.argv[1], exist_ok=True)
	with open(os.path.join(sys.argv[1], "Packages"), "w") as f:
	    f.write("PACKAGES: 0\nTIMESTAMP: 1\nVERSION: 0\n")
	    for i, (cpv, e) in enumerate(sorted(seen.items())):
	        if i % 2:
	            continue
	        slot = e["slot"] if e["slot"] == e["subslot"] else e["slot"] + "/" + e["subslot"]
	        use = "" if i % 3 == 0 else " ".join(e["use"])
	        f.write("\nCPV: %s\nSLOT: %s\nIUSE: %s\nUSE: %s\nEAPI: 8\n" % (cpv, slot, " ".join(e["iuse"]), use))
	        for cls in ("bdepend", "depend", "rdepend", "pdepend"):
	            if e["deps"][cls]:
	                f.write("%s: %s\n" % (cls.upper(), " ".join("=" + d for d in e["deps"][cls])))
	        f.write("PATH: %s.gpkg.tar\n" % cpv)
	EOF
}

test_expect_success GENTREE 'plans that reuse binary packages verify too' '
	find t300/recipes -mindepth 2 -maxdepth 2 -type d ! -path "*/classes*" |
		sort | awk "NR % 5 == 1" | head -n 25 | sed "s|^t300/recipes/||" >targets &&
	binpkgs_from_plans 300 &&
	test -s t300/var/packages/Packages &&
	bins=0 &&
	while read -r t; do
		gild -C t300 pretend --verify "$t" >out 2>err
		rc=$?
		if grep "^violation:" err; then return 1; fi
		case $rc in
		0) grep -q "^verified: .* 0 violations" err || return 1
		   bins=$((bins + $(grep -c "^\[binary" out || :))) ;;
		1) grep -q "cannot resolve the targets\|build-time dependency cycle" err || { cat err; return 1; } ;;
		*) cat err; return 1 ;;
		esac
	done <targets &&
	echo "binary packages reused: $bins" &&
	test "$bins" -gt 0
'

test_expect_success GENTREE 'plans against an installed root verify too' '
	python3 - <<-\EOF &&
	import os
	blocks = open("t300/var/packages/Packages").read().split("\n\n")[1:]
	for i, b in enumerate(blocks):
	    kv = dict(l.split(": ", 1) for l in b.splitlines() if ": " in l)
	    d = os.path.join("root/var/db/pkg", kv["CPV"])
	    os.makedirs(d)
	    for k in ("SLOT", "IUSE", "USE", "DEPEND", "RDEPEND"):
	        open(os.path.join(d, k), "w").write(kv.get(k, "") + "\n")
	EOF
	rm -rf t300/var/packages &&
	ops=0 &&
	while read -r t; do
		gild -C t300 pretend --root root --verify "$t" >out 2>err
		rc=$?
		if grep "^violation:" err; then return 1; fi
		case $rc in
		0) grep -q "^verified: .* 0 violations" err || return 1
		   ops=$((ops + $(grep -c "^\[build   R  \]" out || :))) ;;
		1) grep -q "cannot resolve the targets\|build-time dependency cycle" err || { cat err; return 1; } ;;
		*) cat err; return 1 ;;
		esac
	done <targets &&
	test "$ops" -gt 0
'

test_done
