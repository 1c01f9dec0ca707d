#!/bin/sh
test_description='gild vercmp: PMS 3.3 version ordering, errors and exit codes'
. "$(dirname "$0")/lib.sh"

check_vercmp() {
	echo "$3" >expect &&
	gild vercmp "$1" "$2" >out &&
	test_cmp expect out
}

test_expect_success 'vercmp prints <, = and >' '
	check_vercmp 1.0 1.1 "<" &&
	check_vercmp 1.0-r0 1.0 "=" &&
	check_vercmp 1.0_p1 1.0 ">"
'

test_expect_success 'vercmp applies the leading-zero rule' '
	check_vercmp 1.01 1.1 "<" &&
	check_vercmp 1.010 1.01 "=" &&
	check_vercmp 1.0 1.00 "="
'

test_expect_success 'vercmp orders suffixes and revisions' '
	check_vercmp 1.0_rc1 1.0 "<" &&
	check_vercmp 1.0_alpha 1.0_beta "<" &&
	check_vercmp 1.0-r1 1.0 ">" &&
	check_vercmp 1.0a 1.0 ">"
'

test_expect_success 'vercmp compares numbers beyond 64 bits' '
	check_vercmp 18446744073709551616 18446744073709551615 ">" &&
	check_vercmp 1.0-r99999999999999999999 1.0-r1 ">"
'

test_expect_success 'an invalid version is named and exits 2' '
	test_expect_code 2 gild vercmp 1.0 1.0_foo >out 2>err &&
	echo "gild: error: invalid version '\''1.0_foo'\''" >expect &&
	test_cmp expect err &&
	test ! -s out
'

test_expect_success 'one version is a usage error' '
	test_expect_code 2 gild vercmp 1.0 2>err &&
	test_grep "gild vercmp: needs two versions" err
'

test_done
