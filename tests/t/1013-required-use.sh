#!/bin/sh
test_description='gild required-use: REQUIRED_USE verdicts and exit codes'
. "$(dirname "$0")/lib.sh"

test_expect_success 'a satisfied constraint exits 0 silently' '
	gild required-use --iuse "a b c" --use "a" "^^ ( a b ) c? ( b )" >out &&
	test ! -s out
'

test_expect_success 'a failing constraint exits 1 and says why' '
	test_expect_code 1 gild required-use --iuse "a b c" --use "a b" "^^ ( a b )" >out &&
	echo "exactly one of '\''a'\'', '\''b'\'' must be enabled, but both are" >expect &&
	test_cmp expect out
'

test_expect_success 'a failing conditional names its condition' '
	test_expect_code 1 gild required-use --iuse "a b c" --use "a" "a? ( !c? ( b ) )" >out &&
	echo "'\''b'\'' must be enabled when '\''a'\'' is enabled and '\''c'\'' is disabled" >expect &&
	test_cmp expect out
'

test_expect_success 'empty groups after USE: || and ^^ fail, ?? holds' '
	test_expect_code 1 gild required-use --iuse "a b" "|| ( a? ( b ) )" >out &&
	test_grep "has no enabled member" out &&
	test_expect_code 1 gild required-use --iuse "a b" "^^ ( a? ( b ) )" >out &&
	gild required-use --iuse "a b" "?? ( a? ( b ) )"
'

test_expect_success 'IUSE defaults are accepted' '
	gild required-use --iuse "+a -b" --use "a" "|| ( a b )"
'

test_expect_success 'a flag not in IUSE exits 2' '
	test_expect_code 2 gild required-use --iuse "a b" "|| ( a d )" 2>err &&
	echo "gild: error: USE flag '\''d'\'' in REQUIRED_USE is not in IUSE" >expect &&
	test_cmp expect err &&
	test_expect_code 2 gild required-use --iuse "a b" --use "z" "a" 2>err &&
	echo "gild: error: USE flag '\''z'\'' is not in IUSE" >expect &&
	test_cmp expect err
'

test_expect_success 'a syntax error exits 2' '
	test_expect_code 2 gild required-use --iuse "a b" "^^ ( a b" 2>err &&
	echo "gild: error: missing '\'')'\'' for '\''^^'\'' at column 1" >expect &&
	test_cmp expect err &&
	test_expect_code 2 gild required-use --iuse "a" "a/b" 2>err &&
	test_grep "invalid USE flag name .a/b." err
'

test_done
