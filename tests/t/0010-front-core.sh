#!/bin/sh
test_description='gild is a small front binary and a core library loaded on first use'
. "$(dirname "$0")/lib.sh"

front=$(command -v gild)

test_expect_success 'every command in gild help answers --help (its core symbol resolves)' '
	gild help | sed -n "s/^  \([a-z-]*\) .*/\1/p" | grep -vx help >cmds &&
	test $(wc -l <cmds) -ge 18 &&
	while read -r c; do
		gild "$c" --help </dev/null >out 2>err || { echo "$c: $(cat err)"; exit 1; }
		test_grep "^usage: gild $c" out || exit 1
	done <cmds
'

test_expect_success 'the front binary needs libseccomp, not the heavy libraries' '
	readelf -d "$front" | sed -n "s/.*Shared library: \[\(.*\)\]/\1/p" | sort >needed &&
	test_grep "^libseccomp" needed &&
	! grep -E "libsolv|libarchive|libxml|libcrypto|libzstd|libcurl" needed
'

test_expect_success 'a missing core library is a clear error; sandbox and version still work' '
	test_expect_code 1 env GILD_CORE="$PWD/nowhere.so" gild vercmp 1 2 2>err &&
	test_grep "^gild: error: cannot load gild.s core library: .*nowhere.so: cannot open shared object file" err &&
	test $(wc -l <err) -eq 1 &&
	GILD_CORE="$PWD/nowhere.so" gild version >out &&
	test_grep "^gild " out &&
	GILD_CORE="$PWD/nowhere.so" gild sandbox -- true
'

test_expect_success 'a core library from another build is refused by name' '
	cat >fake.c <<-\EOF &&
	#include <stddef.h>
	struct abi { const char *version; size_t ctx_size; };
	const struct abi gild_core_abi = { "9.9.9", 1 };
	EOF
	cc -shared -fPIC -o fake.so fake.c &&
	test_expect_code 1 env GILD_CORE="$PWD/fake.so" gild vercmp 1 2 2>err &&
	test_grep "fake.so. belongs to gild 9.9.9, not to this gild .* (install both from one build)" err
'

test_expect_success 'a library that is not gild core is refused' '
	echo "int x;" >other.c && cc -shared -fPIC -o other.so other.c &&
	test_expect_code 1 env GILD_CORE="$PWD/other.so" gild vercmp 1 2 2>err &&
	test_grep "other.so. is not gild.s core library" err
'

test_expect_success 'a copied front binary finds no core beside it and says where it looked' '
	cp "$front" ./gild-copy &&
	test_expect_code 1 env -u GILD_CORE ./gild-copy vercmp 1 2 2>err &&
	test_grep "cannot load gild.s core library: .*/gild-core.so" err
'

test_done
