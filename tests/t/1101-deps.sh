#!/bin/sh
test_description='gild deps: dependencies reduced under effective USE, REQUIRED_USE verdict'
. "$(dirname "$0")/lib.sh"

T="$FIXTURES/profiles-basic"

test_expect_success 'deps evaluates the best visible version' '
	gild --tree "$T" deps app-misc/bar >out &&
	cat >expect <<-\EOF &&
	app-misc/bar-4
	BDEPEND="|| ( dev-util/ninja dev-util/make )"
	DEPEND="dev-qt/qtbase:6 sys-libs/zlib:= dev-lang/python:3.11"
	RDEPEND="dev-qt/qtbase:6 sys-libs/zlib:= dev-lang/python:3.11"
	PDEPEND=""
	IDEPEND=""
	REQUIRED_USE: satisfied
	EOF
	test_cmp expect out
'

test_expect_success 'an = atom names the version, and a failing REQUIRED_USE says why' '
	USE="gtk" gild --tree "$T" deps "=app-misc/bar-3" >out 2>err &&
	test_grep "^RDEPEND=\"x11-libs/gtk+:3 dev-qt/qtbase:6 sys-libs/zlib:= dev-lang/python:3.11\"$" out &&
	test_grep "^REQUIRED_USE: not satisfied: " out &&
	echo "gild: warning: app-misc/bar-3 is not visible (masked by profiles/base/package.mask:2)" >expect &&
	test_cmp expect err
'

test_expect_success 'deps --json' '
	gild --tree "$T" deps --json old >out &&
	cat >expect <<-\EOF &&
	{"cpv": "app-misc/old-2", "BDEPEND": "", "DEPEND": "", "RDEPEND": "", "PDEPEND": "dev-libs/openssl", "IDEPEND": "", "required_use": true, "required_use_why": ""}
	EOF
	test_cmp expect out &&
	USE=-ssl gild --tree "$T" deps --json old >out &&
	test_grep "\"PDEPEND\": \"\"" out &&
	test_grep "\"required_use\": false, \"required_use_why\": \"'"'"'ssl'"'"' must be enabled\"}" out
'

test_expect_success 'a name in two categories is ambiguous' '
	test_expect_code 2 gild --tree "$T" deps foo 2>err &&
	echo "gild: error: '"'"'foo'"'"' is ambiguous: '"'"'dev-libs/foo'"'"', '"'"'sys-libs/foo'"'"' (give the category)" >expect &&
	test_cmp expect err
'

test_done
