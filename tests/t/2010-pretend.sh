#!/bin/sh
test_description='gild pretend and gild why on a small tree with a profile and user configuration'
. "$(dirname "$0")/lib.sh"


test_expect_success 'setup a tree' '
	mkdir -p tree/profiles/base tree/etc tree/recipes &&
	echo test >tree/profiles/repo_name &&
	printf "app-misc\ndev-libs\nsys-libs\n" >tree/profiles/categories &&
	echo 8 >tree/profiles/base/eapi &&
	printf "ARCH=\"amd64\"\nACCEPT_KEYWORDS=\"amd64\"\n" >tree/profiles/base/make.defaults &&
	echo "*sys-libs/zlib" >tree/profiles/base/packages &&
	echo "sys-devel/gcc-12.2.0" >tree/profiles/base/package.provided &&
	echo "PROFILE=\"base\"" >tree/etc/gild.conf &&
	echo "dev-libs/foo -ssl" >tree/etc/package.use &&
	mkdir -p tree/recipes/sys-libs/zlib tree/recipes/dev-libs/foo \
		tree/recipes/app-misc/bar tree/recipes/app-misc/baz \
		tree/recipes/app-misc/zlib &&
	printf "EAPI=8\nSLOT=\"0/1\"\nKEYWORDS=\"amd64\"\nIUSE=\"static-libs\"\nBDEPEND=\"sys-devel/gcc\"\n" \
		>tree/recipes/sys-libs/zlib/zlib-1.3.recipe &&
	printf "EAPI=8\nSLOT=\"0\"\nKEYWORDS=\"amd64\"\nIUSE=\"+ssl\"\nRDEPEND=\"sys-libs/zlib:=\"\n" \
		>tree/recipes/dev-libs/foo/foo-1.recipe &&
	printf "EAPI=8\nSLOT=\"0\"\nKEYWORDS=\"amd64\"\nRDEPEND=\"dev-libs/foo[ssl]\"\n" \
		>tree/recipes/app-misc/bar/bar-1.recipe &&
	printf "EAPI=8\nSLOT=\"0\"\nKEYWORDS=\"amd64\"\nDEPEND=\"dev-libs/foo\"\n" \
		>tree/recipes/app-misc/baz/baz-1.recipe &&
	printf "EAPI=8\nSLOT=\"0\"\nKEYWORDS=\"amd64\"\n" \
		>tree/recipes/app-misc/zlib/zlib-2.recipe
'

test_expect_success 'pretend @system prints emerge -pv lines and a summary' '
	gild -C tree pretend @system >out &&
	cat >expect <<-\EOF &&
	[build  N   ] sys-libs/zlib-1.3:0/1 USE="-static-libs"

	Total: 1 package (1 new)
	EOF
	test_cmp expect out
'

test_expect_success 'dependencies come first; --tree indents by dependency' '
	gild pretend --tree-dir tree baz >out &&
	cat >expect <<-\EOF &&
	[build  N   ] sys-libs/zlib-1.3:0/1 USE="-static-libs"
	[build  N   ] dev-libs/foo-1:0 USE="-ssl"
	[build  N   ] app-misc/baz-1:0

	Total: 3 packages (3 new)
	EOF
	test_cmp expect out &&
	gild pretend --tree -C tree baz >out &&
	cat >expect <<-\EOF &&
	[build  N   ] app-misc/baz-1:0
	[build  N   ]   dev-libs/foo-1:0 USE="-ssl"
	[build  N   ]     sys-libs/zlib-1.3:0/1 USE="-static-libs"

	Total: 3 packages (3 new)
	EOF
	test_cmp expect out
'

test_expect_success '--json lists the plan with deps per class and problems' '
	gild -C tree pretend --json app-misc/baz >out &&
	test_grep "\"cpv\": \"dev-libs/foo-1\", \"slot\": \"0\", \"subslot\": \"0\", \"use\": \[\], \"iuse\": \[\"ssl\"\], \"deps\": {\"bdepend\": \[\], \"depend\": \[\], \"rdepend\": \[\"sys-libs/zlib-1.3\"\]" out &&
	test_grep "\"reason\": \"target .app-misc/baz.\"" out &&
	test_grep "\"problems\": \[\]" out
'

test_expect_success 'no solution: exit 1, the package.use line and the edit' '
	test_expect_code 1 gild -C tree pretend bar >out 2>err &&
	test_grep "app-misc/bar-1 needs .dev-libs/foo\[ssl\]. (RDEPEND)" err &&
	test_grep "dev-libs/foo-1: USE flag .ssl. is disabled by etc/package.use:1" err &&
	test_grep "add .dev-libs/foo ssl. to etc/package.use" err &&
	test_grep "gild: error: cannot resolve the targets: 1 problem" err
'

test_expect_success 'a flag set in a profile names the profile line; use.mask too' '
	mv tree/etc/package.use tree/profiles/base/package.use &&
	test_expect_code 1 gild -C tree pretend bar >out 2>err &&
	test_grep "dev-libs/foo-1: USE flag .ssl. is disabled by profiles/base/package.use:1" err &&
	echo ssl >tree/profiles/base/use.mask &&
	test_expect_code 1 gild -C tree pretend bar >out 2>err &&
	test_grep "dev-libs/foo-1: USE flag .ssl. is disabled by profiles/base/use.mask:1" err &&
	rm tree/profiles/base/use.mask &&
	mv tree/profiles/base/package.use tree/etc/package.use
'

test_expect_success 'an ambiguous package name lists the candidates' '
	test_expect_code 2 gild -C tree pretend zlib 2>err &&
	test_grep "error: .zlib. is ambiguous: .app-misc/zlib., .sys-libs/zlib. (give the category)$" err &&
	test_expect_code 1 gild -C tree pretend zlbi 2>err &&
	test_grep "error: no package named .zlbi. in the tree; did you mean .app-misc/zlib., .sys-libs/zlib.?$" err
'

test_expect_success 'why prints the chains that pull a package in' '
	gild -C tree why sys-libs/zlib app-misc/baz >out &&
	cat >expect <<-\EOF &&
	target '"'"'app-misc/baz'"'"' -> app-misc/baz-1 -DEPEND-> dev-libs/foo-1 -RDEPEND-> sys-libs/zlib-1.3
	EOF
	test_cmp expect out &&
	test_expect_code 1 gild -C tree why app-misc/bar app-misc/baz 2>err &&
	test_grep "error: .app-misc/bar. is not in the plan" err
'

test_expect_success 'why names the line that set each flag of the package' '
	gild -C tree why dev-libs/foo app-misc/baz >out &&
	cat >expect <<-\EOF &&
	target '"'"'app-misc/baz'"'"' -> app-misc/baz-1 -DEPEND-> dev-libs/foo-1
	USE flag '"'"'ssl'"'"' is disabled by etc/package.use:1
	EOF
	test_cmp expect out
'

test_expect_success '@world and user sets come from the config directory' '
	echo app-misc/baz >tree/etc/world &&
	mkdir -p tree/etc/sets && echo dev-libs/foo >tree/etc/sets/mine &&
	gild -C tree pretend @world >out &&
	test_grep "app-misc/baz-1" out &&
	gild -C tree pretend @mine >out &&
	test_grep "dev-libs/foo-1" out &&
	! test_grep "app-misc/baz" out &&
	test_expect_code 1 gild -C tree pretend @nope 2>err &&
	test_grep "no set .@nope." err
'

test_expect_success '@role without a role.set in the stack is an error' '
	test_expect_code 1 gild -C tree pretend @role 2>err &&
	test_grep "profile .base. defines no role" err
'

test_expect_success 'an edited recipe gives the new plan, not the cached one' '
	test -f tree/var/cache/gild/resolve.solv &&
	gild -C tree pretend app-misc/baz >before &&
	test_grep "dev-libs/foo" before &&
	printf "EAPI=8\nSLOT=\"0\"\nKEYWORDS=\"amd64\"\nDEPEND=\"sys-libs/zlib\"\n" \
		>tree/recipes/app-misc/baz/baz-1.recipe &&
	gild -C tree pretend app-misc/baz >out &&
	! test_grep "dev-libs/foo" out &&
	test_grep "sys-libs/zlib-1.3" out
'

test_expect_success 'a new version and a removed one are seen through the cache' '
	printf "EAPI=8\nSLOT=\"0\"\nKEYWORDS=\"amd64\"\n" \
		>tree/recipes/app-misc/zlib/zlib-3.recipe &&
	gild -C tree pretend app-misc/zlib >out &&
	test_grep "app-misc/zlib-3:0" out &&
	rm tree/recipes/app-misc/zlib/zlib-3.recipe &&
	gild -C tree pretend app-misc/zlib >out &&
	test_grep "app-misc/zlib-2:0" out &&
	test -f tree/var/cache/gild/resolve.solv.stamp
'

test_expect_success 'a configuration edit is seen through the cache' '
	gild -C tree pretend dev-libs/foo >out &&
	test_grep "USE=\"-ssl\"" out &&
	echo "dev-libs/foo ssl" >>tree/etc/package.use &&
	gild -C tree pretend dev-libs/foo >out &&
	test_grep "USE=\"ssl\"" out
'

test_expect_success 'refused versions name the mask line and the keyword; --json too' '
	echo "=dev-libs/foo-1" >tree/etc/package.mask &&
	printf "EAPI=8\nSLOT=\"0\"\nKEYWORDS=\"~amd64\"\n" \
		>tree/recipes/dev-libs/foo/foo-2.recipe &&
	test_expect_code 1 gild -C tree pretend dev-libs/foo 2>err &&
	test_grep "^  target .dev-libs/foo. matches no usable package" err &&
	test_grep "^    dev-libs/foo-1: masked by etc/package.mask:1" err &&
	test_grep "^    dev-libs/foo-2: keyword .~amd64. not accepted" err &&
	test_grep "^    - unmask it: add .=dev-libs/foo-1. to etc/package.unmask" err &&
	test_grep "^    - add .=dev-libs/foo-2 ~amd64. to etc/package.accept_keywords" err &&
	test_expect_code 1 gild -C tree pretend --json dev-libs/foo >out &&
	test_grep "^{\"plan\": \[\],\$" out &&
	test_grep "masked by etc/package.mask:1" out &&
	rm tree/etc/package.mask tree/recipes/dev-libs/foo/foo-2.recipe
'

test_expect_success 'a build-time cycle is an error, and the plan is printed' '
	printf "EAPI=8\nSLOT=\"0\"\nKEYWORDS=\"amd64\"\nDEPEND=\"app-misc/baz\"\n" \
		>tree/recipes/dev-libs/foo/foo-1.recipe &&
	printf "EAPI=8\nSLOT=\"0\"\nKEYWORDS=\"amd64\"\nBDEPEND=\"dev-libs/foo\"\n" \
		>tree/recipes/app-misc/baz/baz-1.recipe &&
	test_expect_code 1 gild -C tree pretend app-misc/baz >out 2>err &&
	test_grep "Total: 2 packages" out &&
	test_grep "error: build-time dependency cycle: app-misc/baz-1 -BDEPEND-> dev-libs/foo-1 -DEPEND-> app-misc/baz-1" err &&
	test_expect_code 1 gild -C tree pretend --json app-misc/baz >out &&
	test_grep "\"problems\": \[\"build-time dependency cycle" out
'

test_done
