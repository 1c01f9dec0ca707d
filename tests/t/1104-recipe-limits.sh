#!/bin/sh
test_description='a recipe whose variables grow without bound is refused at its line, and costs only itself'
. "$(dirname "$0")/lib.sh"

test_expect_success 'a value doubled thirty times is refused at the expansion that passes the limit' '
	cp -r "$FIXTURES/build-basic" t &&
	mkdir -p t/recipes/app-misc/bomb &&
	{
		echo "EAPI=8" &&
		echo "X=\"0123456789abcdef\"" &&
		for i in $(seq 30); do echo "X=\"\$X\$X\"" || exit 1; done &&
		echo "DESCRIPTION=\"\${X}\"" &&
		echo "SLOT=\"0\"" &&
		echo "KEYWORDS=\"amd64\"" &&
		echo "LICENSE=\"MIT\""
	} >t/recipes/app-misc/bomb/bomb-1.recipe &&
	test_expect_code 1 gild -C t query app-misc/bomb 2>err &&
	test_grep "^recipes/app-misc/bomb/bomb-1.recipe:19:6: error: this expansion makes a value larger than 1048576 bytes" err
'

test_expect_success 'the rest of the tree still answers' '
	gild -C t pretend app-misc/hello >out &&
	test_grep "app-misc/hello-1.0" out
'

test_done
