#!/bin/sh
test_description='the gild command line: help, unknown commands and options, exit codes'
. "$(dirname "$0")/lib.sh"

test_expect_success 'gild help lists the commands' '
	gild help >out &&
	test_grep "^  help " out &&
	test_grep "^  version " out
'

test_expect_success 'gild with no command prints help and exits 2' '
	test_expect_code 2 gild >out &&
	test_grep "^usage: gild" out
'

test_expect_success 'an unknown command is a one-line error and exit 2' '
	test_expect_code 2 gild frobnicate 2>err &&
	test_grep "gild: error: unknown command .frobnicate." err &&
	test $(wc -l <err) -eq 1
'

test_expect_success 'an unknown option is an error and exit 2' '
	test_expect_code 2 gild version --frob 2>err &&
	test_grep "frob" err
'

test_expect_success 'COMMAND --help shows its usage' '
	gild version --help >out &&
	test_grep "^usage: gild version" out &&
	gild help version >out2 &&
	test_cmp out out2
'

test_expect_success 'a write error on stdout fails the command' '
	test_expect_code 1 gild help >/dev/full 2>err &&
	test_grep "cannot write output" err
'

test_expect_success 'a command that needs a recipe tree says so once, the same for every command' '
	mkdir -p empty &&
	for cmd in "query zlib" "deps zlib" "info zlib" "pretend zlib" "why zlib" "build zlib" "image" "iso"; do
		test_must_fail gild -C empty $cmd 2>err &&
		echo "gild: error: '"'"'empty'"'"' is not a recipe tree (it has no profiles/ or recipes/ directory): run gild in one, or name it with -C DIR" >expect &&
		test_cmp expect err || return 1
	done &&
	gild -C empty vercmp 1 2 >out &&
	echo "<" >expect &&
	test_cmp expect out
'

test_done
