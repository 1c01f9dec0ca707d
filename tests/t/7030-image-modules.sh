#!/bin/sh
test_description='kernel modules in an image: depmod makes their index (modules.dep, aliases, symbols) where the image is assembled, reproducibly, and the image keeps the modules'"'"' symbols'
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" = 0 ] && test_have_prereq SANDBOX; then test_set_prereq IMAGE
else test_set_prereq_reason IMAGE "gild image needs root and the sandbox"; fi
if command -v depmod >/dev/null 2>&1 || test -x /sbin/depmod || test -x /usr/sbin/depmod; then test_set_prereq DEPMOD
else test_set_prereq_reason DEPMOD "depmod not installed (kmod)"; fi

OUT=tree/out/test/tiny
MOD=lib/modules/9.9.9

test_expect_success IMAGE 'setup: a stand-in kernel package with two modules, bar needing foo'"'"'s symbol' '
	cp -r "$FIXTURES/image-basic" tree &&
	printf "sys-kernel\n" >>tree/profiles/categories &&
	mkdir -p tree/recipes/sys-kernel/kmods/files &&
	cp "$FIXTURES/kmods/foo.c" "$FIXTURES/kmods/bar.c" tree/recipes/sys-kernel/kmods/files/ &&
	cat >tree/recipes/sys-kernel/kmods/kmods-1.recipe <<-\EOF2 &&
	EAPI=8
	DESCRIPTION="Stand-in kernel modules: ELF objects as depmod reads them"
	# unstripped: the image must not strip them either
	RESTRICT="strip"
	SLOT="0"
	KEYWORDS="amd64"
	LICENSE="MIT"
	S="${WORKDIR}"
	src_compile() {
		${CC:-cc} -c -O2 -o foo.ko "${FILESDIR}/foo.c" &&
			${CC:-cc} -c -O2 -o bar.ko "${FILESDIR}/bar.c" || die
	}
	src_install() {
		insinto /lib/modules/9.9.9/kernel
		doins foo.ko bar.ko
		printf "kernel/foo.ko\nkernel/bar.ko\n" >modules.order || die
		insinto /lib/modules/9.9.9
		doins modules.order
	}
	EOF2
	gild -C tree image >out 2>err &&
	test_must_fail grep -q "/lib/modules" $OUT/manifest.txt
'

test_expect_success IMAGE,DEPMOD 'the image has the modules'"'"' index, made by depmod, with its origin in the manifest' '
	echo sys-kernel/kmods >>tree/profiles/roles/tiny/role.set &&
	gild -C tree image >out 2>err &&
	mkdir root && tar -xf $OUT/rootfs.tar.zst -C root &&
	printf "kernel/foo.ko:\nkernel/bar.ko: kernel/foo.ko\n" >expect &&
	test_cmp expect root/$MOD/modules.dep &&
	test_grep "^alias gild-test-bar bar$" root/$MOD/modules.alias &&
	test_grep "^alias symbol:foo_fn foo$" root/$MOD/modules.symbols &&
	test -s root/$MOD/modules.dep.bin &&
	test_grep " /$MOD/modules.dep image step: depmod$" $OUT/manifest.txt &&
	test_grep " /$MOD/modules.alias.bin image step: depmod$" $OUT/manifest.txt &&
	test_grep " /$MOD/modules.order sys-kernel/kmods-1$" $OUT/manifest.txt &&
	test_grep "kernel modules: the index of 9.9.9 made by depmod" $OUT/hardening.txt
'

test_expect_success IMAGE,DEPMOD 'the modules keep the symbols they are linked by (the image strips programs, not modules)' '
	nm root/$MOD/kernel/foo.ko >syms &&
	test_grep " T foo_fn$" syms &&
	nm root/$MOD/kernel/bar.ko >syms &&
	test_grep " U foo_fn$" syms &&
	gild pkg extract tree/var/packages/sys-kernel/kmods-1-*.gpkg.tar pkg >/dev/null &&
	cmp pkg/$MOD/kernel/foo.ko root/$MOD/kernel/foo.ko &&
	cmp pkg/$MOD/kernel/bar.ko root/$MOD/kernel/bar.ko
'

test_expect_success IMAGE,DEPMOD 'the index is reproducible: --verify-reproducible assembles the image twice' '
	gild -C tree image --verify-reproducible -o "$(pwd)/out2" >out 2>err &&
	test_grep "^image-id " out &&
	cmp $OUT/rootfs.tar.zst out2/rootfs.tar.zst
'

test_done
