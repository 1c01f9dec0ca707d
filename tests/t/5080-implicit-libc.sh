#!/bin/sh
test_description='GILD_IMPLICIT_BDEPEND: the profile libc every recipe is built against'
. "$(dirname "$0")/lib.sh"

# A tree whose profile names sys-libs/fakelibc as what every recipe is
# built against: it installs a file that the user's build looks for in
# its build root, where the stage has no such thing.
test_expect_success 'setup: a profile libc and a user of it' '
	cp -r "$FIXTURES/build-basic" t &&
	rm -rf t/recipes/app-misc/* &&
	echo sys-libs >>t/profiles/categories &&
	profile=$(sed -n "s/^PROFILE=\"\(.*\)\"/\1/p" t/etc/gild.conf) &&
	echo "GILD_IMPLICIT_BDEPEND=\"sys-libs/fakelibc\"" >>"t/profiles/$profile/make.defaults" &&
	mkdir -p t/recipes/sys-libs/fakelibc t/recipes/app-misc/user &&
	cat >t/recipes/sys-libs/fakelibc/fakelibc-1.recipe <<-\EOF &&
	EAPI=8
	DESCRIPTION="stands for the profile libc"
	SLOT="0"
	KEYWORDS="amd64"
	LICENSE="MIT"
	S="${WORKDIR}"
	src_install() {
		insinto /usr/share/fakelibc
		echo libc-from-the-tree >marker
		doins marker
	}
	EOF
	cat >t/recipes/app-misc/user/user-1.recipe <<-\EOF
	EAPI=8
	DESCRIPTION="built against the profile libc without naming it"
	SLOT="0"
	KEYWORDS="amd64"
	LICENSE="MIT"
	S="${WORKDIR}"
	src_compile() {
		cp /build/libc/usr/share/fakelibc/marker seen || die "no libc at /build/libc"
		! test -e /usr/share/fakelibc/marker || die "the libc was laid over the stage"
	}
	src_install() {
		insinto /usr/share/user
		doins seen
	}
	EOF
'

test_expect_success 'the plan builds the libc first, though no recipe names it' '
	gild -C t pretend app-misc/user >plan &&
	cat >expect <<-\EOF &&
	[build  N   ] sys-libs/fakelibc-1:0
	[build  N   ] app-misc/user-1:0

	Total: 2 packages (2 new)
	EOF
	test_cmp expect plan
'

test_expect_success SANDBOX 'the build lays it into the build root and records it' '
	gild -C t build -j2 app-misc/user >out 2>err &&
	test_grep "^>>> sys-libs/fakelibc-1: built " out &&
	test_grep "^>>> app-misc/user-1: built " out &&
	gild -C t pkg show t/var/packages/app-misc/user-1-*.gpkg.tar >meta &&
	test_grep "BUILD_DEPS.*sys-libs/fakelibc-1-" meta &&
	gild -C t pkg show t/var/packages/sys-libs/fakelibc-1-*.gpkg.tar >meta &&
	! test_grep "BUILD_DEPS.*fakelibc" meta
'

test_expect_success SANDBOX 'a libc rebuilt rebuilds its users' '
	echo "# changed" >>t/recipes/sys-libs/fakelibc/fakelibc-1.recipe &&
	gild -C t pretend app-misc/user >plan &&
	test_grep "^\[build  N   \] app-misc/user-1:0 (dependency sys-libs/fakelibc-1 rebuilt)$" plan
'

test_expect_success 'a GILD_IMPLICIT_BDEPEND that is no atom is an error naming it' '
	cp -r t bad &&
	echo "GILD_IMPLICIT_BDEPEND=\"not-an-atom\"" >>"bad/profiles/$(sed -n "s/^PROFILE=\"\(.*\)\"/\1/p" bad/etc/gild.conf)/make.defaults" &&
	test_must_fail gild -C bad pretend app-misc/user 2>err &&
	test_grep "GILD_IMPLICIT_BDEPEND: .not-an-atom. is not an atom" err
'

test_done
