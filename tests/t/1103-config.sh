#!/bin/sh
test_description='the active profile and the user configuration: gild.conf, package.* files and directories, environment'
. "$(dirname "$0")/lib.sh"

# A copy of the fixture tree that each test may change.
test_expect_success 'setup' '
	cp -R "$FIXTURES/profiles-basic" tree &&
	rm -f tree/etc/package.use
'

test_expect_success 'PROFILE in gild.conf selects the profile; --profile wins' '
	echo "PROFILE=\"targets/desktop\"" >>tree/etc/gild.conf &&
	gild --tree tree query --json "=app-misc/old-2" >out &&
	test_grep "\"visible\": true" out &&
	echo "PROFILE=\"cycle-a\"" >>tree/etc/gild.conf &&
	test_expect_code 1 gild --tree tree query old 2>err &&
	test_grep "profile parent cycle" err &&
	gild --tree tree --profile default/linux/amd64 query old >out &&
	sed -i "/^PROFILE=/d" tree/etc/gild.conf
'

test_expect_success 'a tree without a default profile says so' '
	mkdir -p bare/profiles bare/recipes &&
	test_expect_code 1 gild --tree bare query x 2>err &&
	echo "gild: error: no profile given and no default profile '"'"'profiles/default/linux/amd64'"'"' in the tree" >expect &&
	test_cmp expect err
'

test_expect_success 'user package.* entries may be directories read in sorted order' '
	mkdir tree/etc/package.use &&
	echo "app-misc/old ssl" >tree/etc/package.use/20-on &&
	echo "app-misc/old -ssl" >tree/etc/package.use/10-off &&
	echo "app-misc/old -ssl" >tree/etc/package.use/.hidden &&
	echo "app-misc/old -ssl" >tree/etc/package.use/30-backup~ &&
	gild --tree tree query "=app-misc/old-2" >out &&
	test_grep "^    USE=\"ssl\"$" out &&
	mv tree/etc/package.use/20-on tree/etc/package.use/05-on &&
	gild --tree tree query "=app-misc/old-2" >out &&
	test_grep "^    USE=\"-ssl\"$" out
'

# portage's config.setcpv: each node's make.defaults USE, then that node's
# package.use, then the next node's
test_expect_success 'profile USE stacks node by node: a later make.defaults overrides an earlier package.use' '
	rm -rf tree/etc/package.use &&
	mkdir -p tree/profiles/features/nossl tree/profiles/features/ssl-again \
		tree/profiles/stack-order tree/profiles/stack-order2 &&
	echo "app-misc/old -ssl" >tree/profiles/features/nossl/package.use &&
	echo "USE=\"ssl\"" >tree/profiles/features/ssl-again/make.defaults &&
	printf "../base\n../features/nossl\n../features/ssl-again\n" >tree/profiles/stack-order/parent &&
	printf "../base\n../features/ssl-again\n../features/nossl\n" >tree/profiles/stack-order2/parent &&
	gild --tree tree --profile stack-order query "=app-misc/old-2" >out &&
	test_grep "^    USE=\"ssl\"$" out &&
	gild --tree tree --profile stack-order2 query "=app-misc/old-2" >out &&
	test_grep "^    USE=\"-ssl\"$" out
'

test_expect_success 'package.accept_keywords, package.license and package.unmask make old-1 visible' '
	echo "=app-misc/old-1" >tree/etc/package.unmask &&
	echo "app-misc/old" >>tree/etc/package.accept_keywords &&
	echo "app-misc/old @BINARY" >>tree/etc/package.license &&
	gild --tree tree query "=app-misc/old-1" >out &&
	test_grep "^    visible: yes$" out
'

test_expect_success 'ACCEPT_KEYWORDS and ACCEPT_LICENSE from the environment' '
	rm tree/etc/package.accept_keywords tree/etc/package.license &&
	ACCEPT_KEYWORDS="~amd64" ACCEPT_LICENSE="*" gild --tree tree query "=app-misc/old-1" >out &&
	test_grep "^    visible: yes$" out &&
	ACCEPT_LICENSE="-* MIT" gild --tree tree query "=app-misc/old-1" >out &&
	test_grep "why: license '"'"'EULA'"'"' not accepted" out
'

test_expect_success 'blockers and USE dependencies in profile files are located errors' '
	cp tree/profiles/base/package.use.mask pum &&
	echo "sys-libs/foo[ssl] ssl" >>tree/profiles/base/package.use.mask &&
	test_expect_code 2 gild --tree tree query old 2>err &&
	echo "profiles/base/package.use.mask:3:1: error: USE dependencies in '"'"'sys-libs/foo[ssl]'"'"' are not allowed here" >expect &&
	test_cmp expect err &&
	cp pum tree/profiles/base/package.use.mask &&
	echo "  !app-misc/x" >>tree/profiles/base/package.mask &&
	test_expect_code 2 gild --tree tree query old 2>err &&
	echo "profiles/base/package.mask:4:3: error: a blocker '"'"'!app-misc/x'"'"' is not allowed here" >expect &&
	test_cmp expect err
'

test_expect_success 'a bad gild.conf line is located' '
	cp -R "$FIXTURES/profiles-basic" tree2 &&
	printf "USE=\"a\"\nCFLAGS=\$(uname)\n" >tree2/etc/gild.conf &&
	test_expect_code 2 gild --tree tree2 query old 2>err &&
	test_grep "^etc/gild.conf:2:8: error: command substitution" err
'

test_expect_success 'without ACCEPT_LICENSE anywhere, all but @EULA is accepted (make.globals)' '
	cp -R "$FIXTURES/profiles-basic" tree3 &&
	sed -i "/^ACCEPT_LICENSE=/d" tree3/profiles/base/make.defaults &&
	gild --tree tree3 query --json "=app-misc/old-2" >out &&
	test_grep "\"visible\": true" out &&
	ACCEPT_KEYWORDS="~amd64" gild --tree tree3 query "=app-misc/old-1" >out &&
	test_grep "why: license '"'"'EULA'"'"' not accepted" out
'

test_done
