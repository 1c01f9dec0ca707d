#!/bin/sh
test_description='gild atom: PMS 8.3 package dependency specifications'
. "$(dirname "$0")/lib.sh"

test_expect_success 'atom --json prints every part with the fixed keys' '
	gild atom --json ">=dev-libs/foo-1.2.3-r2:0/1=[ssl,-debug,foo?,!foo?,bar=,!bar=,baz(+),qux(-)]" >out &&
	cat >expect <<-\EOT &&
	{"blocker": "", "op": ">=", "category": "dev-libs", "package": "foo", "version": "1.2.3", "revision": 2, "slot": "0", "subslot": "1", "slot_op": "=", "use_deps": ["ssl", "-debug", "foo?", "!foo?", "bar=", "!bar=", "baz(+)", "qux(-)"]}
	EOT
	test_cmp expect out
'

test_expect_success 'atom --json on a glob, a blocker and a plain name' '
	gild atom --json "=app-misc/b-1.2*" >out &&
	test_grep "\"op\": \"=\*\", \"category\": \"app-misc\", \"package\": \"b\", \"version\": \"1.2\", \"revision\": 0" out &&
	gild atom --json "!!x11-libs/gtk+:3" >out &&
	test_grep "^{\"blocker\": \"!!\", \"op\": \"\", \"category\": \"x11-libs\", \"package\": \"gtk+\", \"version\": \"\", \"revision\": 0, \"slot\": \"3\", \"subslot\": \"\", \"slot_op\": \"\", \"use_deps\": \[\]}$" out &&
	gild atom --json "dev-lang/perl:*" >out &&
	test_grep "\"slot\": \"\", \"subslot\": \"\", \"slot_op\": \"\*\"" out
'

test_expect_success 'atom --json prints a revision of any length exactly' '
	gild atom --json "=a/b-1-r0099999999999999999999" >out &&
	test_grep "\"revision\": 99999999999999999999, " out
'

test_expect_success 'atom without --json prints one part per line' '
	gild atom "~sys-libs/zlib-1.3-r1" >out &&
	cat >expect <<-\EOT &&
	blocker:  
	op:       ~
	category: sys-libs
	package:  zlib
	version:  1.3
	revision: 1
	slot:     
	subslot:  
	slot_op:  
	use_deps:
	EOT
	test_cmp expect out
'

atom_error() {
	test_expect_code 2 gild atom "$1" >out 2>err &&
	echo "gild: error: $2" >expect &&
	test_cmp expect err
}

test_expect_success 'invalid atoms say what is wrong and where, exit 2' '
	atom_error "foo" "invalid atom '\''foo'\'': expected '\''category/package'\'' at column 1" &&
	atom_error "dev-libs/foo-1.0" "invalid atom '\''dev-libs/foo-1.0'\'': package name '\''foo-1.0'\'' ends in a version (a version needs an operator such as '\''='\'') at column 10" &&
	atom_error "=dev-libs/foo" "invalid atom '\''=dev-libs/foo'\'': operator '\''='\'' needs a valid version at column 11" &&
	atom_error ">=dev-libs/foo-1.0*" "invalid atom '\''>=dev-libs/foo-1.0*'\'': '\''*'\'' is only allowed after '\''='\'' versions at column 19" &&
	atom_error "dev-libs/foo[ssl" "invalid atom '\''dev-libs/foo[ssl'\'': missing '\'']'\'' at column 13" &&
	atom_error "dev-libs/foo[!ssl]" "invalid atom '\''dev-libs/foo[!ssl]'\'': '\''!flag'\'' needs '\''?'\'' or '\''='\'' in USE dependency '\''!ssl'\'' at column 14" &&
	atom_error "dev-libs/foo:" "invalid atom '\''dev-libs/foo:'\'': empty slot at column 14" &&
	atom_error "dev-libs/f@o" "invalid atom '\''dev-libs/f@o'\'': invalid character '\''@'\'' in package name '\''f@o'\'' at column 11"
'

test_expect_success 'an unsupported EAPI is an error' '
	test_expect_code 2 gild atom --eapi 6 dev-libs/foo 2>err &&
	test_grep "unsupported EAPI .6." err
'

test_done
