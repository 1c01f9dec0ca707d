#!/bin/sh
test_description='gild iso: usage errors, and a missing host tool named with its Debian package before anything is built'
. "$(dirname "$0")/lib.sh"

if command -v mformat >/dev/null 2>&1; then test_set_prereq MTOOLS
else test_set_prereq_reason MTOOLS "mformat not installed (Debian package mtools)"; fi

# fake_path DIR TOOL...: DIR holds links to the host's TOOLs only, so that
# PATH=DIR hides every other tool.
fake_path() {
	mkdir -p "$1" &&
	dir=$1 &&
	shift &&
	for t in "$@"; do
		ln -s "$(command -v "$t")" "$dir/$t" || return 1
	done
}

test_expect_success 'gild help lists iso' '
	gild help >out &&
	test_grep "^  *iso  *build a role" out
'

test_expect_success 'a role name with a slash is bad usage' '
	test_expect_code 2 gild iso --role a/b 2>err &&
	test_grep "bad role name '"'"'a/b'"'"'" err
'

test_expect_success '--role and --profile together are bad usage' '
	test_expect_code 2 gild iso --role minimal --profile roles/web 2>err &&
	test_grep "give one" err
'

test_expect_success 'no mtools: the error names mformat and its Debian package' '
	mkdir empty &&
	test_expect_code 1 env PATH="$PWD/empty" "$GILD_BINDIR/gild" -C "$GILD_TOP" iso 2>err &&
	echo "gild: error: '"'"'mformat'"'"' is not installed (Debian package '"'"'mtools'"'"')" >expect &&
	test_cmp expect err
'

test_expect_success MTOOLS 'no xorriso: the error names it, and nothing was built' '
	fake_path bin mformat mmd mcopy &&
	test_expect_code 1 env PATH="$PWD/bin" "$GILD_BINDIR/gild" -C "$GILD_TOP" iso >out 2>err &&
	echo "gild: error: '"'"'xorriso'"'"' is not installed (Debian package '"'"'xorriso'"'"')" >expect &&
	test_cmp expect err &&
	test_must_be_empty out
'

test_done
