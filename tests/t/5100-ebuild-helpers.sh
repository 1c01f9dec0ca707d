#!/bin/sh
test_description='builder/build/ebuild.sh: PMS helpers and default phases, run directly with bash'
. "$(dirname "$0")/lib.sh"

EBUILD_SH="$GILD_TOP/builder/build/ebuild.sh"
export EBUILD_SH

# pkgenv DIR: a fake build of app-misc/foo-1.0 under DIR, as the phase
# driver sets it up (work, temp and image directories).
pkgenv() {
	base=$(pwd)/$1
	mkdir -p "$base/work/foo-1.0" "$base/temp" "$base/image" "$base/distdir" &&
	P=foo-1.0 PN=foo PV=1.0 PR=r0 PVR=1.0 PF=foo-1.0 CATEGORY=app-misc \
	WORKDIR=$base/work S=$base/work/foo-1.0 T=$base/temp D=$base/image/ \
	ED=$base/image/ DISTDIR=$base/distdir FILESDIR=$base/files EAPI=8 \
	CHOST=x86_64-pc-linux-gnu CFLAGS=-O2 CXXFLAGS=-O2 LDFLAGS= MAKEOPTS=-j1 \
	SOURCE_DATE_EPOCH=1700000000 A= IUSE="ssl ipv6 +zlib" USE="ssl zlib amd64" &&
	export P PN PV PR PVR PF CATEGORY WORKDIR S T D ED DISTDIR FILESDIR EAPI \
		CHOST CFLAGS CXXFLAGS LDFLAGS MAKEOPTS SOURCE_DATE_EPOCH A IUSE USE &&
	cd "$S"
}

# eb 'SHELL CODE': run code with ebuild.sh sourced, as the driver does.
eb() {
	bash -c '. "$EBUILD_SH" && eval "$1"' eb "$1"
}

test_expect_success 'dobin installs mode 0755 into ${D}/usr/bin' '
	pkgenv bin &&
	echo "#!/bin/sh" >tool && chmod 600 tool &&
	eb "dobin tool" &&
	test "$(stat -c %a "$ED/usr/bin/tool")" = 755
'

test_expect_success 'into / makes dosbin install into /sbin' '
	pkgenv sbin &&
	echo x >daemon &&
	eb "into / && dosbin daemon" &&
	test -x "$ED/sbin/daemon" &&
	test ! -e "$ED/usr/sbin/daemon"
'

test_expect_success 'doins -r installs a tree with mode 0644 and keeps symlinks' '
	pkgenv ins &&
	mkdir -p conf/sub && echo a >conf/a.conf && echo b >conf/sub/b.conf &&
	chmod 755 conf/a.conf && ln -s a.conf conf/link.conf &&
	eb "insinto /etc/foo && doins -r conf" &&
	test "$(stat -c %a "$ED/etc/foo/conf/a.conf")" = 644 &&
	test -f "$ED/etc/foo/conf/sub/b.conf" &&
	test "$(readlink "$ED/etc/foo/conf/link.conf")" = a.conf
'

test_expect_success 'doins of several files, a directory and a dotfile at once; a missing one is named and nothing is installed' '
	pkgenv insmany &&
	mkdir -p d/e && echo 1 >one && echo 2 >"two words" && echo h >d/.hidden && echo e >d/e/deep &&
	eb "insinto /usr/share/many && doins -r one \"two words\" d/" &&
	test "$(cat "$ED/usr/share/many/two words")" = 2 &&
	test "$(stat -c %a "$ED/usr/share/many/one")" = 644 &&
	test -f "$ED/usr/share/many/d/.hidden" &&
	test -f "$ED/usr/share/many/d/e/deep" &&
	test_expect_code 1 eb "insinto /usr/share/none && doins one missing" 2>err &&
	test_grep "doins: .missing. is not a file" err &&
	test ! -e "$ED/usr/share/none"
'

test_expect_success 'a name given twice is installed from its last file; doins -r of 1,200 files; dodoc of a name starting with a dash' '
	pkgenv insdup &&
	mkdir -p a b many && echo A >a/x && echo B >b/x && echo dash >./-notes &&
	for i in $(seq 1200); do echo $i >many/f$i; done &&
	eb "insinto /usr/share/dup && doins a/x b/x && doins -r many && dodoc a/x a/x ./-notes" &&
	test "$(cat "$ED/usr/share/dup/x")" = B &&
	test "$(ls "$ED/usr/share/dup/many" | wc -l)" = 1200 &&
	test "$(cat "$ED/usr/share/dup/many/f1200")" = 1200 &&
	test "$(cat "$ED/usr/share/doc/foo-1.0/-notes")" = dash &&
	test "$(cat "$ED/usr/share/doc/foo-1.0/x")" = A
'

test_expect_success 'doins of a directory without -r fails' '
	pkgenv insdir &&
	mkdir conf &&
	test_expect_code 1 eb "insinto /etc && doins conf" 2>err &&
	test_grep "doins: .*conf'"'"' is a directory (use doins -r)" err
'

test_expect_success 'newins reads standard input for -' '
	pkgenv newins &&
	echo hello | eb "insinto /etc && newins - greeting" &&
	echo hello >expect &&
	test_cmp expect "$ED/etc/greeting"
'

test_expect_success 'dosym -r makes a relative link (EAPI 8)' '
	pkgenv sym &&
	eb "dosym -r /usr/lib/libc.so /usr/bin/ldd && dosym -r /lib/a /lib/b && dosym /abs/target /usr/x" &&
	test "$(readlink "$ED/usr/bin/ldd")" = ../lib/libc.so &&
	test "$(readlink "$ED/lib/b")" = a &&
	test "$(readlink "$ED/usr/x")" = /abs/target
'

test_expect_success 'dosym -r refuses a relative target' '
	pkgenv symrel &&
	test_expect_code 1 eb "dosym -r lib/a /b" 2>err &&
	test_grep "dosym -r: target '"'"'lib/a'"'"' is not absolute" err
'

test_expect_success 'use_enable and use_with print the right option' '
	pkgenv useopt &&
	eb "use_enable ssl; use_enable ipv6; use_enable ssl tls; use_with ssl openssl /usr; use_enable ipv6 v6 \"\"; use_with !ssl insecure" >out &&
	cat >expect <<-\EOF &&
	--enable-ssl
	--disable-ipv6
	--enable-tls
	--with-openssl=/usr
	--disable-v6
	--without-insecure
	EOF
	test_cmp expect out
'

test_expect_success 'usex, usev and use with !' '
	pkgenv usex &&
	eb "usex ssl; usex ipv6 on off; usex zlib -z \"\" .so; usev ssl; usev zlib libz; use !ipv6 && echo no-ipv6" >out &&
	printf "yes\noff\n-z.so\nssl\nlibz\nno-ipv6\n" >expect &&
	test_cmp expect out
'

test_expect_success 'use of a flag outside IUSE dies' '
	pkgenv useiuse &&
	test_expect_code 1 eb "use gtk" 2>err &&
	test_grep "use: flag '"'"'gtk'"'"' is not in IUSE of app-misc/foo-1.0" err &&
	eb "use amd64 && use test || echo implicit flags ok" >out &&
	test_grep "implicit flags ok" out &&
	IUSE_EFFECTIVE="gtk" eb "use gtk || echo gtk off" >out &&
	test_grep "gtk off" out
'

test_expect_success 'in_iuse and has' '
	pkgenv iniuse &&
	eb "in_iuse zlib && ! in_iuse gtk && has b a b c && ! has d a b c && echo ok" >out &&
	test_grep "^ok$" out
'

test_expect_success 'die exits non-zero with the message and the phase' '
	pkgenv die &&
	test_expect_code 1 eb "EBUILD_PHASE=compile; die \"the frobnicator broke\"; echo after" >out 2>err &&
	test_grep "ERROR: app-misc/foo-1.0 failed (compile phase):" err &&
	test_grep "^  the frobnicator broke$" err &&
	test_grep -v after out
'

test_expect_success 'die in a command substitution ends the phase too' '
	pkgenv diesub &&
	test_must_fail eb "x=\$(die inner); echo survived" >out 2>err &&
	test_grep inner err &&
	test_grep -v survived out
'

test_expect_success 'assert dies when a part of the pipeline failed' '
	pkgenv assert &&
	eb "true | true; assert \"not reached\"; echo fine" >out &&
	test_grep fine out &&
	test_expect_code 1 eb "false | true; assert \"pipe broke\"" 2>err &&
	test_grep "pipe broke" err
'

test_expect_success 'nonfatal turns a helper failure into a status' '
	pkgenv nonfatal &&
	eb "nonfatal dobin missing-file; echo status=\$?" >out 2>err &&
	test_grep "^status=1$" out &&
	test_grep "dobin: '"'"'missing-file'"'"' is not a file" err &&
	test_expect_code 1 eb "dobin missing-file; echo not-here" >out &&
	test_grep -v not-here out
'

test_expect_success 'einstall is banned in EAPI 8' '
	pkgenv einstall &&
	test_expect_code 1 eb einstall 2>err &&
	test_grep "'"'"'einstall'"'"' is banned in EAPI 8" err
'

# A configure script that records its arguments and answers --help like
# an autoconf/libtool one.
write_configure() {
	cat >configure <<-\EOF &&
	#!/bin/sh
	if [ "$1" = --help ]; then
		echo "  --disable-dependency-tracking  speeds up one-time build"
		echo "  --disable-silent-rules  verbose build output"
		echo "  --docdir=DIR  documentation root"
		echo "  --htmldir=DIR  html documentation"
		echo "  --datarootdir=DIR  read-only arch.-independent data root"
		echo "  --with-sysroot=DIR  search for dependent libraries within DIR"
		echo "  --enable-static[=PKGS]  build static libraries"
		exit 0
	fi
	for a in "$@"; do echo "$a"; done >configure.args
	EOF
	chmod +x configure
}

test_expect_success 'econf passes the PMS options for EAPI 8, caller options last' '
	pkgenv econf &&
	write_configure &&
	eb "econf --enable-foo \$(use_with ssl)" 2>err &&
	cat >expect <<-EOF &&
	--prefix=/usr
	--host=x86_64-pc-linux-gnu
	--mandir=/usr/share/man
	--infodir=/usr/share/info
	--datadir=/usr/share
	--sysconfdir=/etc
	--localstatedir=/var/lib
	--datarootdir=/usr/share
	--disable-dependency-tracking
	--disable-silent-rules
	--docdir=/usr/share/doc/foo-1.0
	--htmldir=/usr/share/doc/foo-1.0/html
	--with-sysroot=/
	--disable-static
	--enable-foo
	--with-ssl
	EOF
	test_cmp expect configure.args
'

test_expect_success 'econf adds --build with CBUILD and --libdir with ABI' '
	pkgenv econf2 &&
	write_configure &&
	CBUILD=x86_64-pc-linux-gnu ABI=amd64 LIBDIR_amd64=lib64 EAPI=7 \
		eb "econf --prefix=/opt/foo" &&
	test_grep "^--build=x86_64-pc-linux-gnu$" configure.args &&
	test_grep "^--libdir=/opt/foo/lib64$" configure.args &&
	test_grep -v "^--disable-static$" configure.args
'

test_expect_success 'econf without a configure script dies' '
	pkgenv econf3 &&
	test_expect_code 1 eb econf 2>err &&
	test_grep "econf: no configure script in '"'"'.'"'"'" err
'

# make_patch LEVEL: a patch changing hello.c to say "patched", with paths
# as diff -u writes them at that -p level (a/ b/ prefixes for -p1).
make_patch() {
	if [ "$1" = 1 ]; then old=a/hello.c new=b/hello.c; else old=hello.c new=hello.c; fi
	printf -- "--- %s\n+++ %s\n@@ -1 +1 @@\n-original\n+patched\n" "$old" "$new"
}

test_expect_success 'default_src_prepare applies PATCHES with -p1' '
	pkgenv prep &&
	echo original >hello.c &&
	make_patch 1 >"$T/fix.patch" &&
	eb "PATCHES=(\"\$T/fix.patch\"); default_src_prepare" 2>err &&
	echo patched >expect &&
	test_cmp expect hello.c &&
	test_grep "Applying fix.patch" err
'

test_expect_success 'PATCHES as a string, and eapply -p0 for a -p0 patch' '
	pkgenv prep0 &&
	echo original >hello.c &&
	make_patch 0 >"$T/p0.diff" &&
	test_expect_code 1 eb "PATCHES=\"\$T/p0.diff\"; default_src_prepare" 2>err &&
	test_grep "eapply: '"'"'p0.diff'"'"' does not apply" err &&
	eb "eapply -p0 \"\$T/p0.diff\"" &&
	echo patched >expect &&
	test_cmp expect hello.c
'

test_expect_success 'eapply on a directory applies its patches in order' '
	pkgenv prepdir &&
	echo original >hello.c &&
	mkdir "$T/patches" &&
	make_patch 1 >"$T/patches/01-first.patch" &&
	printf -- "--- a/hello.c\n+++ b/hello.c\n@@ -1 +1 @@\n-patched\n+twice\n" >"$T/patches/02-second.diff" &&
	echo "not a patch" >"$T/patches/README" &&
	eb "eapply \"\$T/patches\"" &&
	echo twice >expect &&
	test_cmp expect hello.c
'

test_expect_success 'eapply_user applies GILD_USER_PATCHES/CATEGORY/PN once' '
	pkgenv user &&
	echo original >hello.c &&
	mkdir -p "$T/up/app-misc/foo" &&
	make_patch 1 >"$T/up/app-misc/foo/local.patch" &&
	GILD_USER_PATCHES=$T/up eb "eapply_user && eapply_user" &&
	echo patched >expect &&
	test_cmp expect hello.c &&
	eb eapply_user
'

write_makefile() {
	printf "all:\n\techo built >built\ninstall:\n\tmkdir -p \$(DESTDIR)/usr/share/foo\n\tcp built \$(DESTDIR)/usr/share/foo/\ncheck:\n\techo checked >checked\n" >Makefile
}

test_expect_success 'default calls the phase default: compile, test, install, docs' '
	pkgenv defaults &&
	write_makefile && echo docs >README && echo news >NEWS && : >TODO &&
	eb "src_compile() { default; }; src_test() { default; }; src_install() { default; };
	    ebuild_run_phase src_compile && ebuild_run_phase src_test && ebuild_run_phase src_install" &&
	test -f built && test -f checked &&
	test -f "$ED/usr/share/foo/built" &&
	test -f "$ED/usr/share/doc/foo-1.0/README" &&
	test -f "$ED/usr/share/doc/foo-1.0/NEWS" &&
	test ! -e "$ED/usr/share/doc/foo-1.0/TODO"
'

test_expect_success 'ebuild_run_phase without a phase function runs default_src_configure' '
	pkgenv runphase &&
	write_configure &&
	eb "ebuild_run_phase src_configure" &&
	test_grep "^--prefix=/usr$" configure.args
'

test_expect_success 'einstalldocs installs DOCS and HTML_DOCS' '
	pkgenv docs &&
	mkdir -p manual/html && echo a >manual/guide.txt && echo h >manual/html/index.html &&
	eb "DOCS=(manual/guide.txt); HTML_DOCS=(manual/html/.); einstalldocs; dodoc manual/guide.txt" &&
	test -f "$ED/usr/share/doc/foo-1.0/guide.txt" &&
	test -f "$ED/usr/share/doc/foo-1.0/html/index.html"
'

test_expect_success 'dodoc with docinto, doman by section and language' '
	pkgenv man &&
	echo x >foo.1 && echo y >foo.de.8 && echo z >bar.conf.5 && echo d >notes &&
	eb "doman foo.1 foo.de.8 bar.conf.5 && doman -i18n=fr foo.1 && docinto examples && dodoc notes" &&
	test -f "$ED/usr/share/man/man1/foo.1" &&
	test -f "$ED/usr/share/man/de/man8/foo.8" &&
	test -f "$ED/usr/share/man/man5/bar.conf.5" &&
	test -f "$ED/usr/share/man/fr/man1/foo.1" &&
	test -f "$ED/usr/share/doc/foo-1.0/examples/notes"
'

test_expect_success 'keepdir, dodir with diropts, fperms and doexe' '
	pkgenv dirs &&
	echo x >hook &&
	eb "keepdir /var/lib/foo && diropts -m0700 && dodir /var/cache/foo && exeinto /usr/libexec/foo && doexe hook && fperms 0750 /usr/libexec/foo/hook" &&
	test -f "$ED/var/lib/foo/.keep_app-misc_foo-0" &&
	test "$(stat -c %a "$ED/var/cache/foo")" = 700 &&
	test "$(stat -c %a "$ED/usr/libexec/foo/hook")" = 750
'

test_expect_success 'fowners records one spelling of a path (trailing and doubled slashes)' '
	pkgenv attrs &&
	eb "keepdir /var/empty && fowners sshd:sshd /var//empty/ && fowners root /var/empty//" &&
	printf "%s\n" "user sshd /var/empty" "group sshd /var/empty" "user root /var/empty" >expect &&
	test_cmp expect "$T/.gild-attrs"
'

test_expect_success 'dolib.so and dolib.a install into lib with their modes' '
	pkgenv lib &&
	echo so >libfoo.so.1 && echo a >libfoo.a && ln -s libfoo.so.1 libfoo.so &&
	eb "dolib.so libfoo.so.1 libfoo.so && dolib.a libfoo.a" &&
	test "$(stat -c %a "$ED/usr/lib/libfoo.so.1")" = 755 &&
	test "$(stat -c %a "$ED/usr/lib/libfoo.a")" = 644 &&
	test "$(readlink "$ED/usr/lib/libfoo.so")" = libfoo.so.1
'

test_expect_success 'helpers are programs too: xargs dobin' '
	pkgenv xargs &&
	echo a >one && echo b >two &&
	eb "printf \"one\\ntwo\\n\" | xargs dobin" &&
	test -x "$ED/usr/bin/one" && test -x "$ED/usr/bin/two"
'

test_expect_success 'unpack takes names in DISTDIR and ./paths' '
	pkgenv unpack &&
	mkdir -p src/pkg && echo hi >src/pkg/file &&
	tar -czf "$DISTDIR/pkg-1.tar.gz" -C src pkg &&
	echo plain | gzip >"$DISTDIR/note.gz" &&
	cd "$WORKDIR" &&
	eb "unpack pkg-1.tar.gz note.gz" &&
	test -f pkg/file && echo plain >expect && test_cmp expect note &&
	test_expect_code 1 eb "unpack missing.tar" 2>err &&
	test_grep "unpack: .*missing.tar'"'"' does not exist" err
'

test_expect_success 'inherit sources classes once, adding to IUSE and DEPEND' '
	pkgenv inherit &&
	mkdir -p classes &&
	cat >classes/base.class <<-\EOF &&
	IUSE="debug"
	DEPEND="sys-libs/zlib"
	src_install() { echo "class install"; }
	EOF
	cat >classes/top.class <<-\EOF &&
	inherit base
	IUSE="static"
	EOF
	cat >foo-1.0.recipe <<-\EOF &&
	EAPI=8
	inherit top base
	IUSE="ssl"
	DEPEND="dev-libs/openssl"
	src_compile() { echo "recipe compile"; echo "$INHERITED|$IUSE|$DEPEND"; }
	EOF
	IUSE="ssl static debug" GILD_CLASSDIR=$(pwd)/classes eb ". ./foo-1.0.recipe &&
		ebuild_run_phase src_install && ebuild_run_phase src_compile && use debug || echo debug-off" >out &&
	cat >expect <<-\EOF &&
	class install
	recipe compile
	top base|ssl debug static|dev-libs/openssl sys-libs/zlib
	debug-off
	EOF
	test_cmp expect out
'

test_expect_success 'inherit of a missing class dies naming it' '
	pkgenv inherit2 &&
	mkdir -p classes &&
	test_expect_code 1 env GILD_CLASSDIR=$(pwd)/classes bash -c ". \"\$EBUILD_SH\" && inherit nope" 2>err &&
	test_grep "inherit: class '"'"'nope'"'"' not found in" err
'

test_expect_success 'a musl CHOST builds with musl-gcc and the kernel headers, through a ${CHOST}-gcc in T' '
	pkgenv musl &&
	mkdir -p fakebin &&
	printf "#!/bin/sh\necho musl-gcc \"\$@\"\n" >fakebin/musl-gcc &&
	chmod +x fakebin/musl-gcc &&
	PATH=$(pwd)/fakebin:$PATH CHOST=x86_64-gild-linux-musl \
		eb "src_compile() { echo \"CC=\$CC CBUILD=\$CBUILD\"; \$CC -c x.c; }; ebuild_run_phase src_compile" >out &&
	kh=$T/.musl-toolchain/kernel-headers &&
	printf "CC=x86_64-gild-linux-musl-gcc CBUILD=x86_64-gild-linux-musl\nmusl-gcc -idirafter $kh -c x.c\n" >expect &&
	test_cmp expect out &&
	test "$(readlink "$kh/linux")" = /usr/include/linux
'

test_expect_success 'a glibc CHOST or a CC already set keeps the toolchain as it is' '
	pkgenv glibc &&
	eb "src_compile() { echo \"CC=\${CC-unset}\"; }; ebuild_run_phase src_compile" >out &&
	echo "CC=unset" >expect && test_cmp expect out &&
	CC=clang CHOST=x86_64-gild-linux-musl \
		eb "src_compile() { echo \"CC=\$CC\"; }; ebuild_run_phase src_compile" >out &&
	echo "CC=clang" >expect && test_cmp expect out
'

test_expect_success 'useq and hasq are banned in EAPI 8, allowed in EAPI 7' '
	pkgenv eapi &&
	test_expect_code 1 eb "useq ssl" 2>err &&
	test_grep "'"'"'useq'"'"' is banned in EAPI 8" err &&
	EAPI=7 eb "useq ssl && hasq a a b && echo fine" >out &&
	test_grep "^fine$" out
'

test_expect_success 'doinitd, doconfd, newenvd and domo' '
	pkgenv initd &&
	echo "#!/sbin/openrc-run" >foo.initd && echo "OPTS=" >foo.confd && echo "PATH=/x" >env &&
	echo mo >de.mo &&
	eb "newinitd foo.initd foo && newconfd foo.confd foo && newenvd env 50foo && domo de.mo" &&
	test "$(stat -c %a "$ED/etc/init.d/foo")" = 755 &&
	test "$(stat -c %a "$ED/etc/conf.d/foo")" = 644 &&
	test -f "$ED/etc/env.d/50foo" &&
	test -f "$ED/usr/share/locale/de/LC_MESSAGES/foo.mo"
'

test_expect_success 'has_version stops the phase instead of guessing' '
	pkgenv hasver &&
	test_expect_code 1 eb "has_version dev-libs/openssl" 2>err &&
	test_grep "has_version is not available in gild'"'"'s build phases" err
'

test_expect_success 'eend reports the status it is given' '
	pkgenv eend &&
	eb "ebegin Working; eend 0" 2>err &&
	test_grep "Working ..." err &&
	test_expect_code 3 eb "ebegin Working; eend 3 went wrong" 2>err &&
	test_grep "went wrong" err
'

test_done
