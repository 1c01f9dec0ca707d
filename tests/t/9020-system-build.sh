#!/bin/sh
test_description='the README'"'"'s main job: build @system of the default profile from the local mirror'
. "$(dirname "$0")/lib.sh"

# Needs the shipped distfiles (tools/mirror-sources; .ci/run fills the
# mirror before make check) and a working sandbox. Takes about 10 minutes
# (glibc is built from the tree: 7-8 of them on 2 cores).
MIRROR="$GILD_TOP/var/mirror"
if [ -f "$MIRROR/distfiles/layout.conf" ]; then test_set_prereq MIRROR
else test_set_prereq_reason MIRROR "no local mirror: run tools/mirror-sources"; fi
# A copy of the shipped tree, so that caches and packages stay in the trash.
test_expect_success MIRROR,SANDBOX 'gild build @system builds every package of the plan' '
	mkdir tree && cp -r "$GILD_TOP/recipes" "$GILD_TOP/profiles" "$GILD_TOP/metadata" tree/ &&
	gild -C tree pretend @system >plan &&
	sed -n "s/^\[build *N *\] \([^ ]*\).*/\1/p" plan | sort >expect &&
	test $(wc -l <expect) -ge 3 &&
	GILD_MIRRORS="file://$MIRROR" gild -C tree build @system >out 2>err &&
	sed -n "s/^>>> \([^:]*\): built .*/\1/p" out | sed "s/:[^ ]*//" | sort >built &&
	sed "s/:[^ ]*//" expect >expect.cpv &&
	test_cmp expect.cpv built
'

test_expect_success MIRROR,SANDBOX 'the packages verify, and busybox runs with its applet links' '
	gild -C tree repo verify &&
	pkg=$(ls tree/var/packages/sys-apps/busybox-*.gpkg.tar) &&
	gild pkg files "$pkg" >files &&
	test_grep "^sym 0777 root:root - /bin/sh -> busybox$" files &&
	gild pkg extract "$pkg" img >/dev/null &&
	test "$(./img/bin/busybox echo gild)" = gild
'

test_expect_success MIRROR,SANDBOX 'a second build reuses everything; --rebuild of zlib is byte-identical' '
	GILD_MIRRORS="file://$MIRROR" gild -C tree build @system >out2 2>err2 &&
	! test_grep "Building" err2 &&
	old=$(ls tree/var/packages/sys-libs/zlib-*.gpkg.tar) &&
	cp "$old" zlib.before &&
	GILD_MIRRORS="file://$MIRROR" gild -C tree build --rebuild --nodeps sys-libs/zlib >out3 2>err3 &&
	test_grep "^>>> sys-libs/zlib-1.2.13: built " out3 &&
	cmp zlib.before "$old"
'

# The glibc profile builds against the glibc of the tree (at /build/libc,
# GILD_IMPLICIT_BDEPEND): a probe recipe records which stdio.h its
# compiler reads and which libc.so.6 its linker takes.
test_expect_success MIRROR,SANDBOX 'every recipe compiles and links against the glibc built from the tree' '
	mkdir -p tree/recipes/sys-apps/libc-probe &&
	cat >tree/recipes/sys-apps/libc-probe/libc-probe-1.recipe <<-\EOF &&
	EAPI=8
	DESCRIPTION="which libc a build uses"
	SLOT="0"
	KEYWORDS="amd64"
	LICENSE="MIT"
	S="${WORKDIR}"
	src_compile() {
		echo "#include <stdio.h>" | ${CC} -E -H - 2>&1 >/dev/null |
			grep "/stdio.h$" | head -n 1 >header.txt || die
		printf "int main(void) { return 0; }\n" >p.c || die
		${CC} ${CFLAGS} p.c -o p -Wl,--trace >link.txt 2>&1 || die
		./p || die
	}
	src_install() {
		insinto /usr/share/libc-probe
		doins header.txt link.txt
	}
	EOF
	GILD_MIRRORS="file://$MIRROR" gild -C tree build sys-apps/libc-probe >out 2>err &&
	test_grep "^>>> sys-apps/libc-probe-1: built " out &&
	gild pkg extract tree/var/packages/sys-apps/libc-probe-*.gpkg.tar probe >/dev/null &&
	echo ". /build/libc/usr/include/stdio.h" >expect &&
	test_cmp expect probe/usr/share/libc-probe/header.txt &&
	test_grep "^/build/libc/usr/lib/libc.so.6" probe/usr/share/libc-probe/link.txt &&
	! test_grep "x86_64-linux-gnu/libc.so" probe/usr/share/libc-probe/link.txt
'

test_done
