#!/bin/sh
test_description='the phases of a build run in one sandbox: variables carry over, each phase has its own timeout, stripping picks ELF files and archives'
. "$(dirname "$0")/lib.sh"

# phase_recipe NAME BODY: a recipe in app-misc whose phases are BODY.
phase_recipe() {
	mkdir -p t/recipes/app-misc/$1 &&
	{
		printf 'EAPI=8\nDESCRIPTION="phase test %s"\nSLOT="0"\n' "$1" &&
		printf 'KEYWORDS="amd64"\nLICENSE="MIT"\nS="${WORKDIR}"\n' &&
		cat
	} >t/recipes/app-misc/$1/$1-1.recipe
}

test_expect_success 'setup: recipes that pass state between phases, sleep, and install things to strip' '
	cp -r "$FIXTURES/build-basic" t &&
	rm -rf t/recipes/app-misc/* &&
	phase_recipe carry <<-\EOF &&
	src_configure() { CARRIED="from configure"; export EXPORTED="exported too"; }
	src_compile() { echo "${CARRIED}, ${EXPORTED}" >carried.txt || die; }
	src_install() { [[ ${CARRIED} == "from configure" ]] || die "lost: ${CARRIED}"; insinto /usr/share/carry; doins carried.txt; }
	EOF
	phase_recipe slow-phases <<-\EOF &&
	src_configure() { sleep 1.5; }
	src_compile() { sleep 1.5; }
	src_install() { sleep 1.5; keepdir /usr/share/slow; }
	EOF
	phase_recipe fd-three <<-\EOF &&
	src_compile() { if { echo "phase src_install" >&3; } 2>/dev/null; then die "fd 3 is open in the phase"; fi; }
	src_install() { keepdir /usr/share/fd; }
	EOF
	phase_recipe early-exit <<-\EOF &&
	src_compile() { exit 0; }
	src_install() { keepdir /usr/share/early; }
	EOF
	phase_recipe set-e <<-\EOF &&
	src_compile() { set -e; false; touch reached; }
	src_install() { keepdir /usr/share/set-e; }
	EOF
	phase_recipe umask-reset <<-\EOF &&
	src_configure() { umask 077; }
	src_install() { mkdir -p "${D}"/usr/share/um && echo x >"${D}"/usr/share/um/file; }
	EOF
	phase_recipe strippable <<-\EOF
	src_compile() {
		printf "int v = 1;\nint main(void) { return 0; }\n" >m.c &&
		${CC:-cc} -g -o prog m.c && ${CC:-cc} -g -o prog2 m.c &&
		${CC:-cc} -g -c m.c -o m.o && ar rc libm1.a m.o &&
		printf "#!/bin/sh\n# not ELF\n" >script || die
	}
	src_install() {
		exeinto /usr/bin && doexe prog prog2 &&
		insinto /usr/lib && doins libm1.a &&
		insinto /usr/share/strippable && doins script || die
		chmod 0555 "${D}"/usr/bin/prog || die
	}
	EOF
'

test_expect_success SANDBOX 'a variable set in one phase is seen by the later phases (PMS 11.2)' '
	gild -C t build app-misc/carry >out 2>err &&
	gild pkg extract t/var/packages/app-misc/carry-1-*.gpkg.tar x1 &&
	test "$(cat x1/usr/share/carry/carried.txt)" = "from configure, exported too"
'

test_expect_success SANDBOX 'the phases log as before, each once, and -v times each step once' '
	gild -C t -v build --rebuild --keep-work app-misc/carry >out 2>err &&
	log=t/var/tmp/gild/app-misc/carry-1/build.log &&
	test "$(grep -c "^>>> app-misc/carry-1: src_" $log)" = 4 &&
	grep "^>>> app-misc/carry-1: src_" $log >phases &&
	printf ">>> app-misc/carry-1: %s\n" src_prepare src_configure src_compile src_install >expect &&
	test_cmp expect phases &&
	test "$(grep -c "step time: src_configure" err)" = 1 &&
	test "$(grep -c "step time: src_prepare" err)" = 1 &&
	test "$(grep -c "step time: src_install" err)" = 1
'

test_expect_success SANDBOX 'the helper programs gild makes are exactly the ones ebuild.sh lists, and run it' '
	ls t/var/tmp/gild/lib >libs &&
	test "$(wc -l <libs)" = 1 &&
	helpers=t/var/tmp/gild/lib/$(cat libs)/helpers &&
	ls $helpers >made &&
	bash -c ". \"$GILD_TOP/builder/build/ebuild.sh\"; printf \"%s\\n\" \"\${_EB_HELPERS[@]}\"" | LC_ALL=C sort >listed &&
	test_cmp listed made &&
	test "$(cat $helpers/dosym)" = "$(printf "#!/bin/bash\nexec bash /gild/ebuild.sh dosym \"\$@\"")" &&
	test -x $helpers/emake
'

test_expect_success SANDBOX 'the shared /gild is read-only in a build, its own recipe too, and made once' '
	phase_recipe shared-ro <<-\EOF &&
	src_compile() {
		test -r /gild/ebuild.sh && test -r /gild/pkg/recipe || die "no /gild"
		if { : >>/gild/ebuild.sh; } 2>/dev/null; then die "wrote ebuild.sh"; fi
		if { : >>/gild/pkg/recipe; } 2>/dev/null; then die "wrote the recipe"; fi
		if mkdir /gild/helpers/x 2>/dev/null; then die "wrote a helper"; fi
	}
	EOF
	gild -C t build app-misc/shared-ro >out 2>err &&
	test_grep "^>>> app-misc/shared-ro-1: built " out &&
	ls t/var/tmp/gild/lib >libs &&
	test "$(wc -l <libs)" = 1
'

test_expect_success SANDBOX 'the phase timeout counts per phase, not for the whole build' '
	gild -C t build --phase-timeout 3 app-misc/slow-phases >out 2>err &&
	test_grep "^>>> app-misc/slow-phases-1: built " out
'

test_expect_success SANDBOX 'a phase past its timeout is named' '
	test_expect_code 1 gild -C t build --rebuild --phase-timeout 1 app-misc/slow-phases >out 2>err &&
	test_grep "slow-phases-1.: src_configure failed (timed out after 1 s" err
'

test_expect_success SANDBOX 'the report channel is closed inside a phase' '
	gild -C t build app-misc/fd-three >out 2>err &&
	test_grep "^>>> app-misc/fd-three-1: built " out
'

test_expect_success SANDBOX 'FEATURES=strip strips a read-only program and an archive, and leaves a script alone' '
	gild -C t build --keep-work app-misc/strippable >out 2>err &&
	test_grep "^>>> Stripping /build/image (3 files)$" t/var/tmp/gild/app-misc/strippable-1/build.log &&
	gild pkg extract t/var/packages/app-misc/strippable-1-*.gpkg.tar x2 &&
	! readelf -S x2/usr/bin/prog | grep -q "\.debug_info" &&
	! readelf -S x2/usr/bin/prog | grep -q "\.symtab" &&
	! readelf -S x2/usr/lib/libm1.a | grep -q "\.debug_info" &&
	readelf -s x2/usr/lib/libm1.a | grep -q " main$" &&
	printf "#!/bin/sh\n# not ELF\n" >expect &&
	test_cmp expect x2/usr/share/strippable/script &&
	gild pkg files t/var/packages/app-misc/strippable-1-*.gpkg.tar >files &&
	test_grep "^obj 0555 root:root .* /usr/bin/prog$" files
'

test_expect_success SANDBOX 'splitdebug keeps the debug information, and INSTALL_MASK takes a masked file'"'"'s along' '
	cp t/etc/gild.conf gild.conf.saved &&
	printf "FEATURES=\"splitdebug\"\nINSTALL_MASK=\"/usr/bin/prog\"\n" >>t/etc/gild.conf &&
	rm t/var/packages/app-misc/strippable-1-*.gpkg.tar &&
	gild -C t build app-misc/strippable >out 2>err &&
	cp gild.conf.saved t/etc/gild.conf &&
	gild pkg files t/var/packages/app-misc/strippable-1-*.gpkg.tar >files &&
	test_grep " /usr/lib/debug/usr/bin/prog2.debug$" files &&
	test_grep ! " /usr/bin/prog$" files &&
	test_grep ! "prog.debug" files
'

test_expect_success SANDBOX 'an exit in a phase fails the build instead of packaging half of it' '
	test_expect_code 1 gild -C t build app-misc/early-exit >out 2>err &&
	test_grep "early-exit-1.: src_compile ended the build early, without a failure (an .exit. in the recipe? use die)" err &&
	! ls t/var/packages/app-misc/early-exit-* 2>/dev/null
'

test_expect_success SANDBOX 'set -e in a recipe still ends its phase at the first failure' '
	test_expect_code 1 gild -C t build --keep-work app-misc/set-e >out 2>err &&
	test_grep "set-e-1.: src_compile failed" err &&
	! test -e t/var/tmp/gild/app-misc/set-e-1/work/reached
'

test_expect_success SANDBOX 'each phase starts with the build'"'"'s umask, whatever the last one set' '
	gild -C t build app-misc/umask-reset >out 2>err &&
	gild pkg files t/var/packages/app-misc/umask-reset-1-*.gpkg.tar >files &&
	test_grep "^obj 0644 root:root .* /usr/share/um/file$" files
'

test_expect_success SANDBOX 'RESTRICT=strip keeps the symbols' '
	# without -g: the debug information would name the build directory
	sed -i -e "s/ -g / /g" -e "\$aRESTRICT=\"strip\"" t/recipes/app-misc/strippable/strippable-1.recipe &&
	rm t/var/packages/app-misc/strippable-1-*.gpkg.tar &&
	gild -C t build --keep-work app-misc/strippable >out 2>err &&
	test_grep ! "Stripping" t/var/tmp/gild/app-misc/strippable-1/build.log &&
	gild pkg extract t/var/packages/app-misc/strippable-1-*.gpkg.tar x3 &&
	readelf -S x3/usr/bin/prog | grep -q "\.symtab"
'

test_expect_success SANDBOX 'gild build --nodeps shows the build starting and its time, and nothing for a reused package' '
	gild -C t build --nodeps --rebuild app-misc/carry >out 2>err &&
	test_grep "^>>> \[1/1\] Building app-misc/carry-1$" err &&
	test_grep "^<<< \[1/1\] app-misc/carry-1 built in [0-9.]* s$" err &&
	test_grep ! "built in 0 s" err &&
	gild -C t build --nodeps app-misc/carry >out 2>err &&
	test_grep "^>>> app-misc/carry-1: reused " out &&
	test_grep ! "Building" err
'

test_done
