#!/bin/sh
test_description='gild depreduce: dependency strings reduced under USE'
. "$(dirname "$0")/lib.sh"

check_reduce() {
	printf '%s\n' "$3" >expect &&
	gild depreduce --use "$1" "$2" >out &&
	test_cmp expect out
}

test_expect_success 'false conditionals go, true ones give their children' '
	check_reduce "a" "a? ( x/a ) !a? ( x/b ) b? ( x/c ) x/d" "x/a x/d" &&
	check_reduce "" "a? ( x/a ) !a? ( x/b ) b? ( x/c ) x/d" "x/b x/d"
'

test_expect_success 'a true conditional inside any-of with several children is one group' '
	check_reduce "a b" "|| ( a? ( x/a x/b ) b? ( x/c ) x/d )" "|| ( ( x/a x/b ) x/c x/d )"
'

test_expect_success 'empty all-of groups go, empty any-of groups stay' '
	check_reduce "" "( a? ( x/a ) ) || ( a? ( x/b ) ) x/c" "|| ( ) x/c"
'

test_expect_success 'nothing else is flattened and spacing is single' '
	check_reduce "" "  || (   x/a )
	( x/b   x/c )  " "|| ( x/a ) ( x/b x/c )"
'

test_expect_success 'atoms keep every part' '
	check_reduce "" "!!<x/a-2:0/1[b?,-c(+)] =x/d-1.2* x/e:=" "!!<x/a-2:0/1[b?,-c(+)] =x/d-1.2* x/e:="
'

test_expect_success 'empty groups written literally are syntax errors naming them' '
	test_expect_code 2 gild depreduce "x/a ( )" 2>err &&
	echo "gild: error: empty group '\''( )'\'' at column 5" >expect &&
	test_cmp expect err &&
	test_expect_code 2 gild depreduce "|| ( )" 2>err &&
	echo "gild: error: empty group '\''|| ( )'\'' at column 1" >expect &&
	test_cmp expect err &&
	test_expect_code 2 gild depreduce --use a "a? ( )" 2>err &&
	echo "gild: error: empty group '\''a? ( )'\'' at column 1" >expect &&
	test_cmp expect err
'

test_expect_success 'the whole string must parse whatever USE is set' '
	test_expect_code 2 gild depreduce "a? ( x/b-1 )" >out 2>err &&
	test ! -s out &&
	test_grep "^gild: error: invalid atom .x/b-1.: package name .b-1. ends in a version" err
'

test_expect_success 'unbalanced parentheses name the token' '
	test_expect_code 2 gild depreduce "( x/a" 2>err &&
	test_grep "^gild: error: missing .). for .(. at column 1$" err &&
	test_expect_code 2 gild depreduce "x/a )" 2>err &&
	test_grep "^gild: error: unexpected .). at column 5$" err
'

test_expect_success 'other kinds: SRC_URI, LICENSE, REQUIRED_USE' '
	test_expect_code 2 gild depreduce "https://e.org/a.tgz" 2>err &&
	test_grep "invalid atom .https://e.org/a.tgz.: expected .category/package. at column 1" err &&
	gild depreduce --kind src-uri "https://e.org/a.tgz -> b.tgz x? ( c.tgz )" >out &&
	echo "https://e.org/a.tgz -> b.tgz" >expect &&
	test_cmp expect out &&
	gild depreduce --kind license --use x "MIT x? ( || ( GPL-2 BSD ) )" >out &&
	echo "MIT || ( GPL-2 BSD )" >expect &&
	test_cmp expect out &&
	gild depreduce --kind required-use "^^ ( a b )" >out &&
	echo "^^ ( a b )" >expect &&
	test_cmp expect out
'

test_expect_success 'an unknown kind is a usage error' '
	test_expect_code 2 gild depreduce --kind frob "x/a" 2>err &&
	test_grep "unknown kind .frob." err
'

test_done
