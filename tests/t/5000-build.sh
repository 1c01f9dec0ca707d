#!/bin/sh
test_description='gild build: fetch, sandboxed phases, QA, GPKG, reuse, reproducibility, failures'
. "$(dirname "$0")/lib.sh"

# run_pkg_binary PKG: extract a package and run its /usr/bin/hello
run_hello() {
	rm -rf x && gild pkg extract "$1" x >/dev/null && ./x/usr/bin/hello
}

test_expect_success SANDBOX 'build a package from source into the repository' '
	make_hello_tree t1 &&
	gild -C t1 build app-misc/hello >out 2>err &&
	test_grep "^>>> app-misc/hello-1.0: built .*/var/packages/app-misc/hello-1.0-[0-9a-f]\{12\}\.gpkg\.tar$" out &&
	pkg=$(ls t1/var/packages/app-misc/hello-1.0-*.gpkg.tar) &&
	tar -tf "$pkg" >members &&
	test $(wc -l <members) -eq 4 &&
	test_grep "/gpkg-1$" members &&
	run_hello "$pkg" >greeting &&
	echo "hello, world" >expect &&
	test_cmp expect greeting &&
	test -f t1/var/packages/Packages &&
	test_grep "^CPV: app-misc/hello-1.0$" t1/var/packages/Packages &&
	test_grep "^REPO: build-basic$" t1/var/packages/Packages
'

test_expect_success SANDBOX 'the package records metadata, FILESDIR files and a CONTENTS list' '
	pkg=$(ls t1/var/packages/app-misc/hello-1.0-*.gpkg.tar) &&
	gild pkg show "$pkg" >show &&
	test_grep "^CATEGORY: app-misc$" show &&
	test_grep "^IUSE: loud$" show &&
	test_grep "^INHERITED: simple-c$" show &&
	test_grep "^STAGE: host-[0-9a-f]*$" show &&
	test_grep "^GILD_BUILD_ID: [0-9a-f]\{64\}$" show &&
	! grep -q "^BUILD_ID:" show &&
	test_grep "^GILD_BUILD_ID: [0-9a-f]\{64\}$" t1/var/packages/Packages &&
	test_grep "^repository: build-basic$" show &&
	gild pkg files "$pkg" >files &&
	test_grep "^obj 0755 root:root [0-9a-f]\{64\} /usr/bin/hello$" files &&
	test_grep "^obj 0644 root:root [0-9a-f]\{64\} /usr/share/hello/greeting.txt$" files
'

test_expect_success SANDBOX 'a second build reuses the package by build-id' '
	gild -C t1 build app-misc/hello >out 2>err &&
	test_grep "^>>> app-misc/hello-1.0: reused " out
'

test_expect_success SANDBOX 'USE=loud changes the build-id and the program' '
	USE=loud gild -C t1 build app-misc/hello >out 2>err &&
	test_grep ": built " out &&
	test $(ls t1/var/packages/app-misc/hello-1.0-*.gpkg.tar | wc -l) -eq 2 &&
	pkg=$(sed -n "s/^>>> app-misc\/hello-1.0: built //p" out) &&
	run_hello "$pkg" >greeting &&
	echo "HELLO, WORLD!" >expect &&
	test_cmp expect greeting
'

test_expect_success SANDBOX 'rebuilding elsewhere, later, gives a byte-identical package' '
	make_hello_tree t2 &&
	sleep 1 &&
	touch t2/recipes/app-misc/hello/hello-1.0.recipe &&
	gild -C t2 build app-misc/hello >out2 2>err &&
	a=$(ls t1/var/packages/app-misc/hello-1.0-*.gpkg.tar | xargs -n1 basename | sort) &&
	for p in $(ls t2/var/packages/app-misc/); do
		case $p in *.gpkg.tar) cmp t1/var/packages/app-misc/$p t2/var/packages/app-misc/$p || exit 1 ;; esac
	done &&
	gild -C t2 build --rebuild app-misc/hello >out3 2>err &&
	cmp t1/var/packages/app-misc/$(ls t2/var/packages/app-misc | grep gpkg.tar$ | head -1) \
		t2/var/packages/app-misc/$(ls t2/var/packages/app-misc | grep gpkg.tar$ | head -1)
'

test_expect_success SANDBOX 'a build reads its recipe tree once, for the plan and the build' '
	make_hello_tree t6 &&
	gild -v -C t6 build app-misc/hello >out 2>err &&
	test_grep "^>>> app-misc/hello-1.0: built " out &&
	test $(grep -c "read the recipe tree in " err) -eq 1 &&
	gild -v -C t6 build app-misc/hello >out 2>err &&
	test_grep "^>>> app-misc/hello-1.0: reused " out &&
	test $(grep -c "read the recipe tree in " err) -eq 1
'

test_expect_success SANDBOX 'missing build-time dependencies are each named' '
	test_expect_code 1 gild -C t2 build --nodeps app-misc/needy 2>err &&
	test_grep "gild: error: .app-misc/needy-1. needs build-time dependencies that are not built yet: .app-misc/hello\[loud\]. (DEPEND), .app-misc/nothere. (DEPEND)" err
'

test_expect_success SANDBOX 'a target is built after its planned dependencies, which it can run' '
	make_hello_tree t5 &&
	{ gild -C t5 build app-misc/greeter >out 2>err || { cat err; false; }; } &&
	sed -n "s/^>>> \([^:]*\): .*/\1/p" out >order &&
	printf "app-misc/hello-1.0\napp-misc/greeter-1\n" >expect &&
	test_cmp expect order &&
	rm -rf g && gild pkg extract t5/var/packages/app-misc/greeter-1-*.gpkg.tar g >/dev/null &&
	echo "hello, world" >expect &&
	test_cmp expect g/usr/share/greeter/greeting.out
'

test_expect_success SANDBOX 'a target whose dependency cannot be met is refused with the resolver explanation' '
	test_expect_code 1 gild -C t5 build app-misc/needy >out 2>err &&
	test_grep "app-misc/hello-1.0: USE flag .loud. is disabled" err &&
	test_grep "add .app-misc/hello loud. to etc/package.use" err &&
	test_grep "gild: error: no build plan for the targets" err
'

test_expect_success SANDBOX 'a failing phase prints the phase, the log tail and the log path, and packages nothing' '
	test_expect_code 1 gild -C t2 build app-misc/broken 2>err &&
	test_grep "^--- last lines of .*/var/tmp/gild/app-misc/broken-1/build.log ---$" err &&
	test_grep "^compiling the broken thing$" err &&
	test_grep "the compiler exploded" err &&
	test_grep "gild: error: .app-misc/broken-1.: src_compile failed (status 1); log: .*build.log$" err &&
	! ls t2/var/packages/app-misc/broken-* 2>/dev/null &&
	test -d t2/var/tmp/gild/app-misc/broken-1/work
'

test_expect_success SANDBOX 'a missing S fails a phase the recipe defines, naming S (PMS 9.1.1, EAPI 4+)' '
	mkdir -p t2/recipes/app-misc/nos &&
	cat >t2/recipes/app-misc/nos/nos-1.recipe <<-\EOF &&
	EAPI=8
	DESCRIPTION="S is never created"
	SLOT="0"
	KEYWORDS="amd64"
	LICENSE="MIT"
	src_install() { keepdir /usr/share/nos; }
	EOF
	test_expect_code 1 gild -C t2 build --nodeps app-misc/nos 2>err &&
	test_grep "S ./build/work/nos-1. does not exist" err &&
	test_grep "gild: error: .app-misc/nos-1.: src_install failed" err &&
	! ls t2/var/packages/app-misc/nos-* 2>/dev/null
'

test_expect_success SANDBOX 'EAPI 8: D and ED have no trailing slash, ROOT and EROOT are empty (PMS, EAPI 7+)' '
	mkdir -p t2/recipes/app-misc/slashes &&
	cat >t2/recipes/app-misc/slashes/slashes-1.recipe <<-\EOF &&
	EAPI=8
	DESCRIPTION="Looks at the path variables"
	SLOT="0"
	KEYWORDS="amd64"
	LICENSE="MIT"
	S="${WORKDIR}"
	src_install() {
		echo "D=${D} ED=${ED} ROOT=${ROOT} EROOT=${EROOT}" >"${T}"/vars
		[[ ${D} != */ && ${ED} != */ && -z ${ROOT} && -z ${EROOT} ]] ||
			die "wrong path variables: $(cat "${T}"/vars)"
		keepdir /usr/share/slashes
	}
	EOF
	gild -C t2 build --nodeps app-misc/slashes >out 2>err &&
	test_grep ": built " out
'

test_expect_success SANDBOX 'the caller'"'"'s umask does not reach the package (PMS: phases run with umask 022)' '
	mkdir -p t2/recipes/app-misc/masked &&
	cat >t2/recipes/app-misc/masked/masked-1.recipe <<-\EOF &&
	EAPI=8
	DESCRIPTION="Creates files with the default mode"
	SLOT="0"
	KEYWORDS="amd64"
	LICENSE="MIT"
	S="${WORKDIR}"
	src_install() {
		mkdir -p "${D}"/usr/share/masked
		echo data >"${D}"/usr/share/masked/file
	}
	EOF
	(umask 0002 && gild -C t2 build --nodeps app-misc/masked >out 2>err) &&
	gild pkg files t2/var/packages/app-misc/masked-1-*.gpkg.tar >files &&
	test_grep "^dir 0755 .* /usr/share/masked$" files &&
	test_grep "^obj 0644 .* /usr/share/masked/file$" files
'

test_expect_success SANDBOX 'a SOURCE_DATE_EPOCH that is not a number is refused, naming it' '
	test_expect_code 2 env SOURCE_DATE_EPOCH=yesterday gild -C t2 build --rebuild app-misc/hello 2>err &&
	test_grep "gild: error: SOURCE_DATE_EPOCH .yesterday. is not a number of seconds" err
'

test_expect_success SANDBOX '--phase-timeout takes whole seconds only' '
	test_expect_code 2 gild -C t2 build --phase-timeout 5x app-misc/sleepy 2>err &&
	test_grep "^gild build: --phase-timeout wants a whole number from 1 to 604800, not .5x. (see .gild build --help.)$" err
'

test_expect_success SANDBOX 'a phase past its timeout is killed and reported' '
	test_expect_code 1 gild -C t2 build --phase-timeout 2 app-misc/sleepy 2>err &&
	test_grep "src_compile failed (.*tim.*" err &&
	! ls t2/var/packages/app-misc/sleepy-* 2>/dev/null
'

test_expect_success SANDBOX 'a recipe cannot write outside its image or reach the network' '
	rm -f /tmp/outside-marker &&
	gild -C t2 build app-misc/escape >out 2>err &&
	test_grep ": built " out &&
	! test -e /tmp/outside-marker &&
	test_grep "pwned" -v t2/recipes/app-misc/escape/escape-1.recipe >/dev/null
'

test_expect_success SANDBOX 'a distfile with a wrong checksum is moved aside and not used' '
	make_hello_tree t3 &&
	echo garbage >>t3/var/distfiles/hello-1.0.tar.gz &&
	test_must_fail gild -C t3 build app-misc/hello 2>err &&
	test_grep "recipes/app-misc/hello/Manifest:1: error: .*mismatch for .hello-1.0.tar.gz." err &&
	ls t3/var/distfiles/.bad/ >bad &&
	test_grep "hello-1.0.tar.gz" bad &&
	! ls t3/var/packages/app-misc/hello-* 2>/dev/null
'

# The sandbox refuses to set setuid/setgid bits (seccomp, as Nix does), so
# sloppy's chmod 4755 fails and leaves the file 0644: checked below.
test_expect_success SANDBOX 'QA: world-writable and build-path files fail the build, each named' '
	test_expect_code 2 gild -C t2 build app-misc/sloppy 2>err &&
	test_grep "gild: error: .app-misc/sloppy-1. fails QA: " err &&
	test_grep "world-writable: ./usr/share/doc/sloppy/open. is world-writable" err &&
	test_grep "builddir: ./usr/share/doc/sloppy/where. contains the build directory.s path" err &&
	test_grep "warning: app-misc/sloppy-1: QA broken-symlink: ./usr/bin/dangling. points nowhere" err &&
	test_grep "warning: app-misc/sloppy-1: QA empty-dir: ./usr/share/empty. is an empty directory" err &&
	! ls t2/var/packages/app-misc/sloppy-* 2>/dev/null
'

test_expect_success SANDBOX 'QA_FATAL and INSTALL_MASK from gild.conf decide what fails and what is dropped (a bare name matches any file so named)' '
	cat >>t2/etc/gild.conf <<-\EOF &&
	QA_FATAL="outside"
	INSTALL_MASK="*.la /usr/share/empty where"
	EOF
	gild -C t2 build app-misc/sloppy >out 2>err &&
	test_grep "warning: app-misc/sloppy-1: QA world-writable: ./usr/share/doc/sloppy/open." err &&
	gild pkg files t2/var/packages/app-misc/sloppy-1-*.gpkg.tar >files &&
	test_grep "^obj 0644 root:root .* /usr/bin/sloppy$" files &&
	test_grep ! "junk.la" files &&
	test_grep ! "/usr/share/doc/sloppy/where" files &&
	test_grep ! "/usr/share/empty" files
'

test_expect_success SANDBOX 'gild killed mid-build leaves no package, no running build and no lock' '
	# the log of an earlier build would end the wait below at once
	rm -f t2/var/tmp/gild/app-misc/sleepy-1/build.log &&
	(gild -C t2 build --rebuild app-misc/sleepy >/dev/null 2>&1 & echo $! >pid; wait) &
	log=t2/var/tmp/gild/app-misc/sleepy-1/build.log &&
	for i in $(seq 100); do grep -q src_compile $log 2>/dev/null && break; sleep 0.2; done &&
	sleep 0.5 && pgrep -f "sleep 600" >/dev/null &&
	kill -9 $(cat pid) &&
	for i in $(seq 50); do pgrep -f "sleep 600" >/dev/null || break; sleep 0.2; done &&
	! ls t2/var/packages/app-misc/sleepy-* 2>/dev/null &&
	! pgrep -f "sleep 600" &&
	test_must_fail gild -C t2 build --phase-timeout 1 app-misc/sleepy 2>err &&
	test_grep "src_compile failed" err
'

test_expect_success SANDBOX 'RESTRICT=fetch prints what pkg_nofetch says instead of fetching' '
	test_expect_code 1 gild -C t2 build --nodeps app-misc/manual 2>err &&
	test_grep "^app-misc/manual-2: fetch restricted; pkg_nofetch says:$" err &&
	test_grep "Download manual-2.tar.gz from https://example.org/manual" err &&
	test_grep "gild: error: .manual-2.tar.gz. must be placed in .*var/distfiles. by hand (RESTRICT=fetch)" err
'

test_expect_success SANDBOX 'two concurrent builds of one package both succeed with one valid package' '
	make_hello_tree t4 &&
	(gild -C t4 build --rebuild app-misc/hello >c1 2>&1 & gild -C t4 build --rebuild app-misc/hello >c2 2>&1; wait) &&
	test_grep ": built " c1 && test_grep ": built " c2 &&
	test $(ls t4/var/packages/app-misc/*.gpkg.tar | wc -l) -eq 1 &&
	gild repo verify --pkgdir t4/var/packages
'

test_expect_success SANDBOX 'of two concurrent builds of one package, the one that waited reuses the other'"'"'s package' '
	make_hello_tree t7 &&
	(gild -C t7 build app-misc/hello >c1 2>&1 & gild -C t7 build app-misc/hello >c2 2>&1; wait) &&
	cat c1 c2 | grep "^>>> app-misc/hello-1.0: " | sed "s/: \([a-z]*\) .*/: \1/" | sort >outcomes &&
	printf ">>> app-misc/hello-1.0: built\n>>> app-misc/hello-1.0: reused\n" >expect &&
	test_cmp expect outcomes
'

test_expect_success SANDBOX 'a bad GILD_FETCH_TIMEOUT is refused by build as by fetch' '
	test_expect_code 2 env GILD_FETCH_TIMEOUT=soon gild -C t1 build --rebuild app-misc/hello 2>err &&
	echo "gild: error: environment: '"'"'GILD_FETCH_TIMEOUT'"'"' is not a whole number: '"'"'soon'"'"'" >expect &&
	test_cmp expect err &&
	test_expect_code 2 env GILD_FETCH_TIMEOUT=soon gild -C t1 fetch app-misc/hello 2>err &&
	test_cmp expect err
'

test_expect_success SANDBOX 'a damaged package of the right build-id is moved aside and built again' '
	gild -C t1 build app-misc/hello >out 2>err &&
	test_grep "reused" out &&
	pkg=$(sed -n "s/^>>> app-misc\/hello-1.0: reused //p" out) &&
	test -f "$pkg" &&
	size=$(stat -c %s "$pkg") &&
	printf "XXXX" | dd of="$pkg" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null &&
	test_must_fail gild pkg verify "$pkg" 2>/dev/null &&
	gild -C t1 build app-misc/hello >out 2>err &&
	test_grep "warning: .*hello-1.0-.*gpkg.tar does not verify (.*): moved to .*/.bad/hello-1.0-.*, building it again" err &&
	test_grep ": built " out &&
	gild pkg verify "$pkg" &&
	ls t1/var/packages/.bad/hello-1.0-* >/dev/null
'

test_done
