#!/bin/sh
test_description='problems a person can act on: an atom no version matches, REQUIRED_USE conflicts with package.use lines that fix them'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup a tree with nginx' '
	mkdir -p tree/profiles/base tree/etc tree/recipes/classes tree/recipes/www-servers/nginx &&
	echo test >tree/profiles/repo_name &&
	echo www-servers >tree/profiles/categories &&
	echo 8 >tree/profiles/base/eapi &&
	printf "ARCH=\"amd64\"\nACCEPT_KEYWORDS=\"amd64\"\n" >tree/profiles/base/make.defaults &&
	echo "PROFILE=\"base\"" >tree/etc/gild.conf &&
	printf "EAPI=8\nSLOT=\"0\"\nKEYWORDS=\"amd64\"\nIUSE=\"http2 ssl\"\nREQUIRED_USE=\"http2? ( ssl )\"\n" \
		>tree/recipes/www-servers/nginx/nginx-1.24.recipe
'

test_expect_success 'a REQUIRED_USE conflict is explained once, with the package.use lines that fix it' '
	USE="http2 -ssl" test_expect_code 1 gild -C tree pretend www-servers/nginx >out 2>err &&
	cat >expect <<-\EOF &&
	problem 1 of 1:
	  target '"'"'www-servers/nginx'"'"' matches no usable package
	  candidates for '"'"'www-servers/nginx'"'"' that were refused:
	    www-servers/nginx-1.24: REQUIRED_USE "http2? ( ssl )" is not met: '"'"'ssl'"'"' must be enabled when '"'"'http2'"'"' is enabled
	  possible fixes:
	    - add '"'"'www-servers/nginx -http2'"'"' to etc/package.use
	    - add '"'"'www-servers/nginx ssl'"'"' to etc/package.use
	    - remove target '"'"'www-servers/nginx'"'"'
	EOF
	cat out err >all &&
	grep -v "^gild: error" all >got &&
	test_cmp expect got
'

test_expect_success 'each suggested line, added to package.use, resolves a conflict the profile makes' '
	echo "USE=\"http2\"" >>tree/profiles/base/make.defaults &&
	test_expect_code 1 gild -C tree pretend www-servers/nginx >out 2>err &&
	cat out err >all &&
	test_grep "add .www-servers/nginx ssl. to etc/package.use" all &&
	echo "www-servers/nginx ssl" >tree/etc/package.use &&
	gild -C tree pretend www-servers/nginx >out &&
	test_grep "nginx-1.24" out &&
	echo "www-servers/nginx -http2" >tree/etc/package.use &&
	gild -C tree pretend www-servers/nginx >out &&
	test_grep "nginx-1.24" out &&
	rm tree/etc/package.use
'

test_expect_success 'an atom that matches no version says so and names the versions there are' '
	test_expect_code 1 gild -C tree pretend =www-servers/nginx-9 >out 2>err &&
	cat out err >all &&
	test_grep "^    no version of www-servers/nginx matches .=www-servers/nginx-9.; there is 1.24$" all &&
	! test_grep "version or slot does not match" all
'

test_done
