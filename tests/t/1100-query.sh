#!/bin/sh
test_description='gild query: versions, visibility with reasons, emerge-style USE, --json'
. "$(dirname "$0")/lib.sh"

T="$FIXTURES/profiles-basic"

test_expect_success 'query shows slot, keywords, visibility and USE' '
	gild --tree "$T" query app-misc/bar >out &&
	cat >expect <<-\EOF &&
	app-misc/bar-1:0/1
	    keywords: amd64 ~arm64
	    visible: yes
	    USE="qt (zlib) (-debug) -gtk" PYTHON_TARGETS="python3_11 python3_12 -python3_13"
	app-misc/bar-2:0/2
	    keywords: amd64 ~arm64
	    visible: no
	    why: masked by etc/package.mask:1
	    USE="qt (zlib) (-debug) -gtk" PYTHON_TARGETS="python3_11 python3_12 -python3_13"
	app-misc/bar-3:0/3
	    keywords: amd64 ~arm64
	    visible: no
	    why: masked by profiles/base/package.mask:2
	    USE="qt (zlib) (-debug) -gtk" PYTHON_TARGETS="python3_11 python3_12 -python3_13"
	app-misc/bar-4:0/4
	    keywords: amd64 ~arm64
	    visible: yes
	    USE="qt (zlib) (-debug) -gtk" PYTHON_TARGETS="python3_11 python3_12 -python3_13"
	EOF
	test_cmp expect out
'

test_expect_success 'query -v names the line that set each flag: masks, forces, package.use of the profiles and the user' '
	gild -v --tree "$T" query "=app-misc/bar-1" >out &&
	cat >expect <<-\EOF &&
	app-misc/bar-1:0/1
	    keywords: amd64 ~arm64
	    visible: yes
	    USE="qt (zlib) (-debug) -gtk" PYTHON_TARGETS="python3_11 python3_12 -python3_13"
	    USE flag '"'"'debug'"'"' is disabled by profiles/default/linux/amd64/use.mask:2
	    USE flag '"'"'gtk'"'"' is disabled by profiles/default/linux/amd64/package.use/20-second:1
	    USE flag '"'"'python_targets_python3_11'"'"' is enabled by etc/package.use:2
	    USE flag '"'"'python_targets_python3_13'"'"' is disabled by etc/package.use:2
	    USE flag '"'"'qt'"'"' is enabled by profiles/default/linux/amd64/package.use/20-second:1
	    USE flag '"'"'zlib'"'"' is enabled by profiles/base/package.use.force:1
	EOF
	test_cmp expect out
'

test_expect_success 'an atom without category and an operator selects versions' '
	gild --tree "$T" query "<old-2" >out &&
	cat >expect <<-\EOF &&
	app-misc/old-1:0
	    keywords: ~amd64
	    visible: no
	    why: masked by profiles/package.mask:3
	    why: keyword '"'"'~amd64'"'"' not accepted
	    why: license '"'"'EULA'"'"' not accepted
	    USE="(test)"
	EOF
	test_cmp expect out
'

test_expect_success 'query --json prints exactly the documented keys' '
	gild --tree "$T" query --json "=app-misc/bar-2" >out &&
	cat >expect <<-\EOF &&
	{"versions": [
	  {"cpv": "app-misc/bar-2", "slot": "0", "subslot": "2", "keywords": ["amd64", "~arm64"], "visible": false, "masked_by": ["masked by etc/package.mask:1"], "iuse": ["cpu_flags_x86_sse2", "debug", "gtk", "python_targets_python3_11", "python_targets_python3_12", "python_targets_python3_13", "qt", "zlib"], "use": ["python_targets_python3_11", "python_targets_python3_12", "qt", "zlib"], "forced": ["zlib"], "masked": ["debug"], "use_set_by": {"debug": "profiles/default/linux/amd64/use.mask:2", "gtk": "profiles/default/linux/amd64/package.use/20-second:1", "python_targets_python3_11": "etc/package.use:2", "python_targets_python3_13": "etc/package.use:2", "qt": "profiles/default/linux/amd64/package.use/20-second:1", "zlib": "profiles/base/package.use.force:1"}}
	], "errors": []}
	EOF
	test_cmp expect out &&
	if test_have_prereq PYTHON3; then python3 -m json.tool out >/dev/null; fi
'

test_expect_success 'query --json answers for the good packages and lists a recipe that does not load under errors, exit 2' '
	cp -r "$T" broken &&
	printf "EAPI=8\nSLOT=\"0\"\nKEYWORDS=\"amd64\n" >broken/recipes/app-misc/bar/bar-9.recipe &&
	test_expect_code 2 gild --tree broken query --json =app-misc/bar-1 =app-misc/bar-9 =dev-libs/foo-1 >out 2>err &&
	test_grep "^  {\"cpv\": \"app-misc/bar-1\"" out &&
	test_grep "^  {\"cpv\": \"dev-libs/foo-1\"" out &&
	test_grep "^  {\"file\": \"recipes/app-misc/bar/bar-9.recipe\", \"line\": 3, \"column\": 10, \"message\": \"unterminated double quote\"}" out &&
	test_grep "^recipes/app-misc/bar/bar-9.recipe:3:10: error: unterminated double quote" err &&
	if test_have_prereq PYTHON3; then python3 -m json.tool out >/dev/null; fi &&
	gild --tree broken query --json =app-misc/bar-1 >out &&
	test_grep "\"errors\": \[\]" out
'

test_expect_success 'environment USE and USE_EXPAND variables override last' '
	USE="gtk -qt" gild --tree "$T" query --json "=app-misc/bar-4" >out &&
	test_grep "\"use\": \[\"gtk\", \"python_targets_python3_11\", \"python_targets_python3_12\", \"zlib\"\]" out &&
	PYTHON_TARGETS="-python3_12" gild --tree "$T" query --json "=app-misc/bar-4" >out &&
	test_grep "\"use\": \[\"python_targets_python3_13\", \"qt\", \"zlib\"\]" out
'

test_expect_success '--profile selects another profile, also after the command' '
	gild --tree "$T" query --profile targets/desktop "=app-misc/bar-4" >out &&
	test_grep "visible: yes" out &&
	test_expect_code 1 gild --tree "$T" query --profile no/such bar 2>err &&
	echo "gild: error: profile '"'"'no/such'"'"' not found under '"'"'$T/profiles'"'"'" >expect &&
	test_cmp expect err
'

test_expect_success 'a user package.use line with a bad atom is located' '
	mkdir -p etc &&
	printf "app-misc/bar gtk\n  >=app-misc/bar ssl\n" >etc/package.use &&
	test_expect_code 2 gild --tree "$T" --config etc query bar 2>err &&
	echo "etc/package.use:2:14: error: invalid atom '"'"'>=app-misc/bar'"'"': operator '"'"'>='"'"' needs a valid version" >expect &&
	test_cmp expect err
'

test_expect_success 'a profile parent cycle is an error naming the files' '
	test_expect_code 1 gild --tree "$T" --profile cycle-a query bar 2>err &&
	echo "profiles/cycle-b/parent:1:1: error: profile parent cycle: profiles/cycle-a/parent -> profiles/cycle-b/parent -> profiles/cycle-a" >expect &&
	test_cmp expect err
'

test_expect_success 'a missing parent is an error at its line' '
	test_expect_code 1 gild --tree "$T" --profile broken query bar 2>err &&
	echo "profiles/broken/parent:2:1: error: parent profile '"'"'../nope'"'"' not found" >expect &&
	test_cmp expect err
'

test_expect_success 'no match is an error; no atom is a usage error' '
	test_expect_code 1 gild --tree "$T" query app-misc/nothing 2>err &&
	echo "gild: error: no package named '"'"'app-misc/nothing'"'"' in the tree" >expect &&
	test_cmp expect err &&
	test_expect_code 2 gild --tree "$T" query 2>err &&
	test_grep "needs at least one ATOM" err
'

test_expect_success 'the shipped tree answers on its default profile' '
	gild --tree "$GILD_TOP" query sys-libs/zlib >out &&
	test_grep "^sys-libs/zlib-" out &&
	test_grep "visible: yes" out
'

test_done
