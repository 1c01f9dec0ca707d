#!/bin/sh
test_description='resolver cases as data: tests/resolver/FEATURE/NAME.case through gild resolve --case'
. "$(dirname "$0")/lib.sh"

for case in "$GILD_TOP"/tests/resolver/*/*.case; do
	name=${case#"$GILD_TOP"/tests/resolver/}
	test_expect_success "case $name" "
		gild resolve --case '$case' >out 2>&1 || { cat out; false; }
	"
done

test_expect_success 'a mismatch prints a diff and exits 1' '
	cat >bad.case <<-\EOF &&
	# wrong on purpose
	recipe dev-libs/b-1
	target dev-libs/b
	expect [build  N   ] dev-libs/b-2:0
	EOF
	test_expect_code 1 gild resolve --case bad.case >out &&
	test_grep "^-\[build  N   \] dev-libs/b-2:0" out &&
	test_grep "^+\[build  N   \] dev-libs/b-1:0" out
'

test_expect_success '--update rewrites the expect lines' '
	gild resolve --case --update bad.case &&
	gild resolve --case bad.case &&
	test_grep "^expect \[build  N   \] dev-libs/b-1:0" bad.case &&
	test_grep "^recipe dev-libs/b-1" bad.case
'

test_expect_success 'a bad directive names the case line' '
	printf "recipe dev-libs/b-1\nfrobnicate x\n" >syntax.case &&
	test_expect_code 2 gild resolve --case syntax.case 2>err &&
	test_grep "syntax.case:2: error: unknown directive .frobnicate." err
'

test_done
