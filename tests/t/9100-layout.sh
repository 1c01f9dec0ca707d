#!/bin/sh
test_description='the source layout rules and the && chain lint, on the tree and on broken copies'
. "$(dirname "$0")/lib.sh"

if command -v python3 >/dev/null 2>&1; then test_set_prereq PY3
else test_set_prereq_reason PY3 "python3 not installed"; fi

# scratch_tree: a copy of the sources the layout check reads.
scratch_tree() {
	mkdir src &&
	(cd "$GILD_TOP" && tar -cf - base sandbox repo builder bench tests/lib tests/base tests/builder tests/repo tests/sandbox tests/resolver/test-resolve.c tools) |
		(cd src && tar -xf -)
}

test_expect_success PY3 'the tree keeps every layout rule' '
	"$GILD_TOP/tools/check-layout" "$GILD_TOP" >out &&
	test_must_be_empty out
'

test_expect_success PY3 'every shell test keeps its && chains' '
	"$GILD_TOP/tools/chainlint" "$GILD_TOP"/tests/t/[0-9]*.sh >out &&
	test_must_be_empty out
'

test_expect_success PY3 'a library including a CLI header is refused' '
	scratch_tree &&
	sed -i "1i #include \"cli/cli.h\"" src/builder/pms/atom.c &&
	test_expect_code 1 src/tools/check-layout src >out &&
	test_grep "^builder/pms/atom.c:1: includes the CLI header .builder/cli/cli.h. outside builder/cli/$" out
'

test_expect_success PY3 'an include loop between subsystems is refused' '
	rm -rf src && scratch_tree &&
	sed -i "1i #include \"resolve/resolve.h\"" src/builder/config/use.c &&
	test_expect_code 1 src/tools/check-layout src >out &&
	test_grep "^builder/config/use.c:1: config includes .builder/resolve/resolve.h. of resolve, which sits above it$" out &&
	test_grep "^include loop between subsystems: config -> resolve -> config" out
'

test_expect_success PY3 'a private header used outside its folder is refused' '
	rm -rf src && scratch_tree &&
	sed -i "1i #include \"pms/recipe-impl.h\"" src/builder/build/build.c &&
	test_expect_code 1 src/tools/check-layout src >out &&
	test_grep "^builder/build/build.c:1: includes .builder/pms/recipe-impl.h., private to builder/pms/$" out
'

test_expect_success PY3 'a second public header in a folder is refused' '
	rm -rf src && scratch_tree &&
	echo "/* x */" >src/builder/pms/extra.h &&
	test_expect_code 1 src/tools/check-layout src >out &&
	test_grep "^builder/pms: 2 public headers" out
'

test_expect_success PY3 'the chain lint finds a line ending in ; a missing && and a loop that hides a failure' '
	cp "$FIXTURES/chainlint/broken.sh" . &&
	test_expect_code 1 "$GILD_TOP/tools/chainlint" broken.sh >out &&
	test_grep "^broken.sh:5: line ends in .;.: its exit status is thrown away (use &&)$" out &&
	test_grep "^broken.sh:9: broken && chain: the next line runs whatever this one returns$" out &&
	test_grep "^broken.sh:14: a loop body.s last command needs .|| exit 1." out &&
	test $(wc -l <out) -eq 3
'

test_expect_success 'a known breakage that vanished fails its script' '
	cat >kb.sh <<-EOF &&
	. "$TEST_DIRECTORY/lib.sh"
	test_expect_failure "still broken" "false"
	test_expect_failure "fixed now" "true"
	test_done
	EOF
	mkdir -p kbdir && cp kb.sh kbdir/ &&
	test_expect_code 1 sh kbdir/kb.sh >out &&
	test_grep "^ok 1 - still broken # SKIP known breakage$" out &&
	test_grep "^not ok 2 - fixed now # known breakage vanished" out
'

test_done
