#!/bin/sh
test_description='gild pretend reuses the binary repository and an installed root (emerge --usepkg --newuse)'
. "$(dirname "$0")/lib.sh"

# binpkg CAT PF KEY=VALUE...: a binary package in tree/var/packages
binpkg() {
	mkdir -p img &&
	id=$(echo "$@" | sha256sum | cut -c1-64) &&
	args="--set CATEGORY=$1 --set PF=$2 --set EAPI=8 --set BUILD_ID=$id" &&
	shift 2 &&
	for kv in "$@"; do args="$args --set $kv"; done &&
	gild pkg create $args img --pkgdir tree/var/packages
}

# installed ROOT CAT PF KEY=VALUE...: a package recorded in ROOT/var/db/pkg
installed() {
	d=$1/var/db/pkg/$2/$3 &&
	mkdir -p "$d" &&
	shift 3 &&
	for kv in "$@"; do echo "${kv#*=}" >"$d/${kv%%=*}" || return 1; done
}

test_expect_success 'setup a tree' '
	mkdir -p tree/profiles/base tree/etc &&
	echo test >tree/profiles/repo_name &&
	printf "app-misc\ndev-libs\n" >tree/profiles/categories &&
	echo 8 >tree/profiles/base/eapi &&
	printf "ARCH=\"amd64\"\nACCEPT_KEYWORDS=\"amd64\"\n" >tree/profiles/base/make.defaults &&
	echo "PROFILE=\"base\"" >tree/etc/gild.conf &&
	mkdir -p tree/recipes/dev-libs/foo tree/recipes/app-misc/bar &&
	printf "EAPI=8\nSLOT=\"0/1\"\nKEYWORDS=\"amd64\"\nIUSE=\"+ssl\"\n" \
		>tree/recipes/dev-libs/foo/foo-1.recipe &&
	printf "EAPI=8\nSLOT=\"0/2\"\nKEYWORDS=\"~amd64\"\nIUSE=\"+ssl\"\n" \
		>tree/recipes/dev-libs/foo/foo-2.recipe &&
	printf "EAPI=8\nSLOT=\"0\"\nKEYWORDS=\"amd64\"\nRDEPEND=\"dev-libs/foo:=\"\nDEPEND=\"\${RDEPEND}\"\n" \
		>tree/recipes/app-misc/bar/bar-1.recipe
'

test_expect_success 'without binary packages everything is built' '
	gild -C tree pretend app-misc/bar >out &&
	cat >expect <<-\EOF &&
	[build  N   ] dev-libs/foo-1:0/1 USE="ssl"
	[build  N   ] app-misc/bar-1:0

	Total: 2 packages (2 new)
	EOF
	test_cmp expect out &&
	! test -e tree/var/packages
'

# The binary packages here are made by hand: their build-ids are not the
# ones gild build computes, so pretend (which computes them as build
# does) says they would be built; the resolver's own choice of them is
# what `gild pretend --json` shows as "rebuild" reasons below and what
# the resolver cases test.
test_expect_success 'a binary package of the same USE is chosen; one of another build-id is built; the index is written when missing' '
	binpkg dev-libs foo-1 SLOT=0/1 IUSE=ssl USE=ssl &&
	! test -e tree/var/packages/Packages &&
	gild -C tree pretend --json app-misc/bar >json &&
	test_grep "\"cpv\": \"dev-libs/foo-1\".*\"action\": \"build\", \"op\": \"N\", \"rebuild\": \"the recipe, its classes, files/ or distfiles changed\"" json &&
	test -f tree/var/packages/Packages &&
	gild -C tree pretend app-misc/bar >out &&
	cat >expect <<-\EOF &&
	[build  N   ] dev-libs/foo-1:0/1 USE="ssl" (the recipe, its classes, files/ or distfiles changed)
	[build  N   ] app-misc/bar-1:0

	Total: 2 packages (2 new)
	EOF
	test_cmp expect out
'

test_expect_success '--emptytree ignores the binary packages' '
	gild -C tree pretend --emptytree app-misc/bar >out &&
	test_grep "^\[build  N   \] dev-libs/foo-1:0/1 USE=\"ssl\"$" out
'

test_expect_success 'a package added without rewriting the index is seen' '
	sleep 0.01 &&
	binpkg app-misc bar-1 SLOT=0 RDEPEND=dev-libs/foo:0/1= &&
	gild -C tree pretend app-misc/bar >out &&
	test_grep "^\[binary N   \] app-misc/bar-1:0$" out &&
	test_grep "^PATH: app-misc/bar-1-" tree/var/packages/Packages
'

test_expect_success 'the resolver cache never keeps binary packages, even when it is refreshed' '
	echo "# edited" >>tree/recipes/dev-libs/foo/foo-1.recipe &&
	gild -C tree pretend app-misc/bar >out &&
	test_grep "^\[binary N   \] dev-libs/foo-1" out &&
	gild -C tree pretend --emptytree app-misc/bar >out &&
	! grep "^\[binary" out
'

test_expect_success 'USE changed since the binary was built: built again, the flag marked' '
	echo "dev-libs/foo -ssl" >tree/etc/package.use &&
	gild -C tree pretend app-misc/bar >out &&
	cat >expect <<-\EOF &&
	[build  N   ] dev-libs/foo-1:0/1 USE="-ssl*"
	[binary N   ] app-misc/bar-1:0

	Total: 2 packages (2 new, 1 binary)
	EOF
	test_cmp expect out &&
	rm tree/etc/package.use
'

test_expect_success 'a binary built against another sub-slot is built again, saying why' '
	echo "dev-libs/foo ~amd64" >tree/etc/package.accept_keywords &&
	gild -C tree pretend app-misc/bar >out &&
	cat >expect <<-\EOF &&
	[build  N   ] dev-libs/foo-2:0/2 USE="ssl"
	[build  N   ] app-misc/bar-1:0 (rebuild for dev-libs/foo:0/2 (sub-slot changed))

	Total: 2 packages (2 new)
	EOF
	test_cmp expect out &&
	rm tree/etc/package.accept_keywords
'

test_expect_success 'an installed root: same USE kept, other USE R, older version U' '
	installed root dev-libs foo-1 SLOT=0/1 IUSE=+ssl USE="amd64 ssl" &&
	installed root app-misc bar-1 SLOT=0 RDEPEND="dev-libs/foo:0/1=" &&
	gild -C tree pretend --root "$PWD/root" app-misc/bar >out &&
	cat >expect <<-\EOF &&

	Total: 0 packages (0 new)
	EOF
	test_cmp expect out &&
	echo "dev-libs/foo -ssl" >tree/etc/package.use &&
	ROOT="$PWD/root" gild -C tree pretend dev-libs/foo >out &&
	test_grep "^\[build   R  \] dev-libs/foo-1:0/1 USE=\"-ssl\*\"$" out &&
	rm tree/etc/package.use &&
	echo "dev-libs/foo ~amd64" >tree/etc/package.accept_keywords &&
	gild -C tree pretend --root root dev-libs/foo >out &&
	cat >expect <<-\EOF &&
	[build    U ] dev-libs/foo-2:0/2 USE="ssl" [1]
	[build   R  ] app-misc/bar-1:0 (rebuild for dev-libs/foo:0/2 (sub-slot changed))

	Total: 2 packages (1 upgrade, 1 reinstall)
	EOF
	test_cmp expect out &&
	gild -C tree why --root root app-misc/bar dev-libs/foo >out &&
	echo "rebuild for dev-libs/foo:0/2 (sub-slot changed) -> app-misc/bar-1" >expect &&
	test_cmp expect out &&
	rm tree/etc/package.accept_keywords
'

test_expect_success 'a root whose database cannot be read is an error naming it' '
	mkdir -p badroot/var/db &&
	: >badroot/var/db/pkg &&
	test_expect_code 1 gild -C tree pretend --root badroot app-misc/bar 2>err &&
	echo "gild: error: cannot read the installed packages in '"'"'badroot/var/db/pkg'"'"': Not a directory" >expect &&
	test_cmp expect err
'

test_expect_success SANDBOX 'a package that gild build made is reused by pretend and by build, without its sources' '
	make_hello_tree h &&
	gild -C h pretend app-misc/hello >out &&
	test_grep "^\[build  N   \] app-misc/hello-1.0:0 USE=\"-loud\"$" out &&
	gild -C h build app-misc/hello >out 2>err &&
	test_grep "^>>> app-misc/hello-1.0: built " out &&
	rm h/var/packages/Packages &&
	gild -C h repo index &&
	gild -C h pretend app-misc/hello >out &&
	test_grep "^\[binary N   \] app-misc/hello-1.0:0 USE=\"-loud\"$" out &&
	mv h/var/distfiles/hello-1.0.tar.gz hello.tar.gz &&
	gild -C h build app-misc/hello >out 2>err &&
	mv hello.tar.gz h/var/distfiles/hello-1.0.tar.gz &&
	test_grep "^>>> app-misc/hello-1.0: reused " out
'

test_expect_success SANDBOX 'USE= in the environment reaches pretend as it reaches build' '
	USE=loud gild -C h pretend app-misc/hello >out &&
	test_grep "^\[build  N   \] app-misc/hello-1.0:0 USE=\"loud\*\"$" out &&
	USE=loud gild -C h build app-misc/hello >out 2>err &&
	test_grep "^>>> app-misc/hello-1.0: built " out &&
	USE=loud gild -C h pretend app-misc/hello >out &&
	test_grep "^\[binary N   \] app-misc/hello-1.0:0 USE=\"loud\"$" out &&
	gild -C h pretend app-misc/hello >out &&
	test_grep "^\[binary N   \] app-misc/hello-1.0:0 USE=\"-loud\"$" out
'

slot_recipe() {
	mkdir -p "h/recipes/app-misc/$1" &&
	cat >"h/recipes/app-misc/$1/$1-$2.recipe" <<-EOF
	EAPI=8
	DESCRIPTION="sub-slot test"
	SLOT="$3"
	KEYWORDS="amd64"
	LICENSE="MIT"
	RDEPEND="$4"
	DEPEND="\${RDEPEND}"
	S="\${WORKDIR}"
	src_install() {
		insinto /usr/share/$1
		echo $2 >"\${T}"/v && doins "\${T}"/v
	}
	EOF
}

test_expect_success SANDBOX 'gild build records := with the sub-slot; a new sub-slot rebuilds the user' '
	slot_recipe slotlib 1 0/1 "" &&
	slot_recipe slotuser 1 0 "app-misc/slotlib:=" &&
	gild -C h build app-misc/slotuser >out 2>err &&
	test_grep "^RDEPEND: app-misc/slotlib:0/1=$" h/var/packages/Packages &&
	gild -C h pretend app-misc/slotuser >out &&
	test_grep "^\[binary N   \] app-misc/slotuser-1:0$" out &&
	slot_recipe slotlib 2 0/2 "" &&
	gild -C h pretend app-misc/slotuser >out &&
	cat >expect <<-\EOF &&
	[build  N   ] app-misc/slotlib-2:0/2
	[build  N   ] app-misc/slotuser-1:0 (rebuild for app-misc/slotlib:0/2 (sub-slot changed))

	Total: 2 packages (2 new)
	EOF
	test_cmp expect out &&
	gild -C h build app-misc/slotuser >out 2>err &&
	test_grep "^>>> app-misc/slotuser-1: built " out &&
	test_grep "^RDEPEND: app-misc/slotlib:0/2=$" h/var/packages/Packages
'

test_expect_success SANDBOX 'pretend computes build-ids: [binary] only for what build will reuse, else why not' '
	gild -C h pretend app-misc/hello >out &&
	test_grep "^\[binary N   \] app-misc/hello-1.0:0 USE=\"-loud\"$" out &&
	cp h/etc/gild.conf gild.conf.orig &&
	test_when_finished "cp gild.conf.orig h/etc/gild.conf" &&
	echo "CFLAGS=\"-O1 -pipe\"" >>h/etc/gild.conf &&
	gild -C h pretend app-misc/hello >out &&
	test_grep "^\[build  N   \] app-misc/hello-1.0:0 USE=\"-loud\" (CFLAGS changed)$" out &&
	cp gild.conf.orig h/etc/gild.conf &&
	mkdir -p h/recipes/app-misc/hello/files &&
	echo extra >h/recipes/app-misc/hello/files/extra.txt &&
	test_when_finished "rm -rf h/recipes/app-misc/hello/files" &&
	gild -C h pretend app-misc/hello >out &&
	test_grep "^\[build  N   \] app-misc/hello-1.0:0 USE=\"-loud\" (the recipe, its classes, files/ or distfiles changed)$" out &&
	gild -C h build app-misc/hello >out 2>err &&
	test_grep "^>>> app-misc/hello-1.0: built " out
'

test_expect_success SANDBOX 'a dependency built anew is named as the reason its user is built again' '
	slot_recipe deplib 1 0 "" &&
	slot_recipe depuser 1 0 "app-misc/deplib" &&
	gild -C h build app-misc/depuser >out 2>err &&
	gild -C h pretend app-misc/depuser >out &&
	test_grep "^\[binary N   \] app-misc/depuser-1:0$" out &&
	echo "# changed" >>h/recipes/app-misc/deplib/deplib-1.recipe &&
	gild -C h pretend app-misc/depuser >out &&
	test_grep "^\[build  N   \] app-misc/deplib-1:0 (the recipe, its classes, files/ or distfiles changed)$" out &&
	test_grep "^\[build  N   \] app-misc/depuser-1:0 (dependency app-misc/deplib-1 rebuilt)$" out &&
	gild -C h build app-misc/depuser >out 2>err &&
	test_grep "^>>> app-misc/deplib-1: built " out &&
	test_grep "^>>> app-misc/depuser-1: built " out &&
	gild -C h pretend app-misc/depuser >out &&
	test_grep "^\[binary N   \] app-misc/depuser-1:0$" out
'

test_done
