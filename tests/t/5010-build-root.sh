#!/bin/sh
test_description='gild build: the build root (build-time dependencies laid over the stage, STAGE=)'
. "$(dirname "$0")/lib.sh"

test_expect_success SANDBOX 'a dependency'"'"'s library and header are where the compiler and the loader look' '
	cp -r "$FIXTURES/build-basic" t1 &&
	{ gild -C t1 build app-misc/greetuse >out 2>err || { cat err; false; }; } &&
	sed -n "s/^>>> \([^:]*\): .*/\1/p" out >order &&
	test $(wc -l <order) -eq 3 &&
	echo app-misc/greetuse-1 >expect &&
	sed -n 3p order >last &&
	test_cmp expect last &&
	printf "app-misc/libgreet-1\napp-misc/wordlist-1\n" >expect &&
	sed -n 1,2p order | sort >first &&
	test_cmp expect first &&
	rm -rf x && gild pkg extract t1/var/packages/app-misc/greetuse-1-*.gpkg.tar x >/dev/null &&
	printf "greetings from libgreet\nand good day\n" >expect &&
	test_cmp expect x/usr/share/greetuse/greeting.out
'

test_expect_success SANDBOX 'a build-time dependency comes with its runtime dependencies, which are in the build-id' '
	gild pkg show t1/var/packages/app-misc/greetuse-1-*.gpkg.tar >show &&
	test_grep "^BUILD_DEPS: app-misc/libgreet-1-[0-9a-f]*.gpkg.tar app-misc/wordlist-1-[0-9a-f]*.gpkg.tar$" show &&
	sed -i "s/and good day/and good night/" t1/recipes/app-misc/wordlist/wordlist-1.recipe &&
	gild -C t1 build app-misc/greetuse >out 2>err &&
	test_grep "^>>> app-misc/libgreet-1: reused " out &&
	test_grep "^>>> app-misc/greetuse-1: built " out &&
	rm -rf x && gild pkg extract $(sed -n "s|^>>> app-misc/greetuse-1: built ||p" out) x >/dev/null &&
	test_grep "^and good night$" x/usr/share/greetuse/greeting.out
'

test_expect_success SANDBOX 'the dependency'"'"'s own package keeps its layout' '
	gild pkg files t1/var/packages/app-misc/libgreet-1-*.gpkg.tar >files &&
	test_grep " /lib/libgreet.so.1$" files &&
	test_grep "^sym .* /usr/lib/libgreet.so -> ../../lib/libgreet.so.1$" files
'

test_expect_success SANDBOX 'at /build/deps (where musl-gcc links from), the folded dependency'"'"'s links that climb to /lib resolve' '
	mkdir -p t1/recipes/app-misc/depslinks &&
	cat >t1/recipes/app-misc/depslinks/depslinks-1.recipe <<-\EOF &&
	EAPI=8
	DESCRIPTION="Looks at the dependencies at /build/deps"
	SLOT="0"
	KEYWORDS="amd64"
	LICENSE="MIT"
	DEPEND="app-misc/libgreet"
	S="${WORKDIR}"
	src_install() {
		if [ -L /lib ]; then
			[ "$(readlink /build/deps/lib)" = "$(readlink /lib)" ] || die "no lib link at /build/deps"
		fi
		test -e /build/deps/usr/lib/libgreet.so || die "/build/deps/usr/lib/libgreet.so is dangling"
		insinto /usr/share/depslinks
		newins /build/deps/usr/lib/libgreet.so libgreet.copy
	}
	EOF
	{ gild -C t1 build app-misc/depslinks >out 2>err || { cat err; false; }; } &&
	test_grep ": built " out
'

test_expect_success 'a dependency under an implicit flag (kernel_linux? ( ... )) is planned (PMS 11.1.1)' '
	cp -r "$FIXTURES/build-basic" t6 &&
	cat >>t6/profiles/test/make.defaults <<-\EOF &&
	USE_EXPAND="KERNEL"
	USE_EXPAND_HIDDEN="KERNEL"
	USE_EXPAND_IMPLICIT="KERNEL"
	USE_EXPAND_VALUES_KERNEL="linux"
	KERNEL="linux"
	EOF
	mkdir -p t6/recipes/app-misc/kernely &&
	cat >t6/recipes/app-misc/kernely/kernely-1.recipe <<-\EOF &&
	EAPI=8
	DESCRIPTION="Needs hello on Linux only"
	SLOT="0"
	KEYWORDS="amd64"
	LICENSE="MIT"
	DEPEND="kernel_linux? ( app-misc/hello ) !kernel_linux? ( app-misc/nothere )"
	S="${WORKDIR}"
	EOF
	gild -C t6 pretend app-misc/kernely >out &&
	test_grep "^\[build  N   \] app-misc/hello-1.0:0" out &&
	test_grep "^Total: 2 packages" out
'

test_expect_success SANDBOX 'a dependency shipping /dev, /proc, /tmp and /etc does not cover what the sandbox owns' '
	mkdir -p t1/recipes/app-misc/onroot &&
	cat >t1/recipes/app-misc/onroot/onroot-1.recipe <<-\EOF &&
	EAPI=8
	DESCRIPTION="Builds beside a baselayout-like dependency"
	SLOT="0"
	KEYWORDS="amd64"
	LICENSE="MIT"
	DEPEND="app-misc/rootish"
	S="${WORKDIR}"
	src_install() {
		echo scratch >/tmp/scratch || die "/tmp is not writable"
		test -c /dev/null || die "no /dev/null"
		grep -q "^builder:" /etc/passwd || die "not the sandbox /etc"
		insinto /usr/share/onroot
		doins /usr/share/rootish/marker
	}
	EOF
	echo "QA_ALLOWED_DIRS=\"usr etc dev proc sys run tmp home\"" >>t1/etc/gild.conf &&
	{ gild -C t1 build app-misc/onroot >out 2>err || { cat err; false; }; } &&
	test_grep ": built " out
'

test_expect_success SANDBOX 'a dependency'"'"'s links never steer the fold on the host (lib -> a host directory, bin -> usr/bin)' '
	mkdir -p victim && echo keep >victim/host-file &&
	mkdir -p t1/recipes/app-misc/linky t1/recipes/app-misc/onlinky &&
	cat >t1/recipes/app-misc/linky/linky-1.recipe <<-EOF &&
	EAPI=8
	DESCRIPTION="Ships links where the stage has its own"
	SLOT="0"
	KEYWORDS="amd64"
	LICENSE="MIT"
	S="\${WORKDIR}"
	src_install() {
		dosym $PWD/victim /lib
		dosym usr/bin /bin
		insinto /usr/share/linky
		echo here >marker
		doins marker
	}
	EOF
	cat >t1/recipes/app-misc/onlinky/onlinky-1.recipe <<-\EOF &&
	EAPI=8
	DESCRIPTION="Builds on linky"
	SLOT="0"
	KEYWORDS="amd64"
	LICENSE="MIT"
	DEPEND="app-misc/linky"
	S="${WORKDIR}"
	src_install() {
		insinto /usr/share/onlinky
		doins /usr/share/linky/marker
	}
	EOF
	echo "QA_ALLOWED_DIRS=\"usr etc dev proc sys run tmp home lib bin\"" >>t1/etc/gild.conf &&
	{ gild -C t1 build app-misc/onlinky >out 2>err || { cat err; false; }; } &&
	test_grep "app-misc/onlinky-1: built " out &&
	echo keep >expect && test_cmp expect victim/host-file
'

# make_stage DIR: a tiny stage from the host's files: bash, the tools
# ebuild.sh uses and the libraries they load, plus a marker file.
make_stage() {
	d=$1
	mkdir -p "$d/usr/bin" "$d/usr/lib" "$d/usr/lib64" "$d/etc" &&
	ln -s usr/bin "$d/bin" && ln -s usr/bin "$d/sbin" &&
	ln -s usr/lib "$d/lib" && ln -s usr/lib64 "$d/lib64" &&
	for t in bash sh cat mkdir rm cp mv ln chmod ls find stat readlink install \
		sort head tail tr od sed grep env dirname basename touch cut wc xargs; do
		p=$(command -v $t) || return 1
		cp -L "$p" "$d/usr/bin/$t" || return 1
		for l in $(ldd "$p" | awk "/=> \\//{print \$3} /^[ \t]*\\/lib/{print \$1}"); do
			test -e "$d$l" || cp --parents -L "$l" "$d" || return 1
		done
	done &&
	echo "tiny stage 1" >"$d/etc/stage-release"
}

test_expect_success SANDBOX 'STAGE= a directory: the build runs in it, its toolchain versions are its identity' '
	make_stage "$PWD/stage" &&
	cp -r "$FIXTURES/build-basic" t2 &&
	echo "STAGE=\"$PWD/stage\"" >>t2/etc/gild.conf &&
	{ gild -C t2 build app-misc/staged >out 2>err || { cat err; false; }; } &&
	pkg=$(ls t2/var/packages/app-misc/staged-1-*.gpkg.tar) &&
	rm -rf x && gild pkg extract "$pkg" x >/dev/null &&
	echo "tiny stage 1" >expect &&
	test_cmp expect x/usr/share/staged/release &&
	gild pkg show "$pkg" >show &&
	test_grep "^STAGE: stagedir-[0-9a-f]\{64\}$" show &&
	test_grep "^STAGE_DESC: (no cc);(no ld);ld.so (.*GLIBC.*) .*version [0-9.]*$" show
'

test_expect_success SANDBOX 'in a STAGE directory too, the dependencies are laid over it' '
	mkdir -p t2/recipes/app-misc/stagedeps &&
	cat >t2/recipes/app-misc/stagedeps/stagedeps-1.recipe <<-\EOF &&
	EAPI=8
	DESCRIPTION="Reads a dependency'"'"'s file in a stage"
	SLOT="0"
	KEYWORDS="amd64"
	LICENSE="MIT"
	DEPEND="app-misc/wordlist"
	S="${WORKDIR}"
	src_install() {
		insinto /usr/share/stagedeps
		cat /etc/stage-release /usr/share/wordlist/word >both || die
		doins both
	}
	EOF
	{ gild -C t2 build app-misc/stagedeps >out 2>err || { cat err; false; }; } &&
	rm -rf x && gild pkg extract t2/var/packages/app-misc/stagedeps-1-*.gpkg.tar x >/dev/null &&
	printf "tiny stage 1\nand good day\n" >expect &&
	test_cmp expect x/usr/share/stagedeps/both
'

test_expect_success SANDBOX 'a new compiler in the stage directory changes the identity and the build-id' '
	old=$(ls t2/var/packages/app-misc/staged-1-*.gpkg.tar) &&
	printf "#!/bin/sh\necho \"cc (Fake) 99.1.0\"\n" >stage/usr/bin/cc &&
	chmod 755 stage/usr/bin/cc &&
	gild -C t2 build app-misc/staged >out 2>err &&
	test_grep ": built " out &&
	new=$(sed -n "s|^>>> app-misc/staged-1: built ||p" out) &&
	test "$new" != "$old" &&
	gild pkg show "$new" >show &&
	test_grep "^STAGE_DESC: cc (Fake) 99.1.0;(no ld);" show
'

test_expect_success SANDBOX 'STAGE= a .tar.zst: unpacked once into a cache keyed by its hash, which is its identity' '
	(cd stage && tar --sort=name -cf - .) | zstd -q >stage.tar.zst &&
	cp -r "$FIXTURES/build-basic" t3 &&
	echo "STAGE=\"$PWD/stage.tar.zst\"" >>t3/etc/gild.conf &&
	{ gild -C t3 build app-misc/staged >out 2>err || { cat err; false; }; } &&
	test_grep "unpacking the stage .*/stage.tar.zst" err &&
	sum=$(sha256sum stage.tar.zst | cut -d" " -f1) &&
	test -d t3/var/tmp/gild/stage/$(echo $sum | cut -c1-32) &&
	pkg=$(ls t3/var/packages/app-misc/staged-1-*.gpkg.tar) &&
	gild pkg show "$pkg" >show &&
	test_grep "^STAGE: stage-$sum$" show &&
	test_grep "^STAGE_DESC: stage.tar.zst (sha256 $sum)$" show &&
	gild -C t3 build --rebuild app-misc/staged >out 2>err &&
	test_grep ! "unpacking the stage" err &&
	test_grep ": built " out
'

test_expect_success SANDBOX 'STAGE= a .tar.xz works the same' '
	(cd stage && tar --sort=name -cf - .) | xz -T1 -0 >stage.tar.xz &&
	cp -r "$FIXTURES/build-basic" t4 &&
	echo "STAGE=\"$PWD/stage.tar.xz\"" >>t4/etc/gild.conf &&
	gild -C t4 build app-misc/staged >out 2>err &&
	rm -rf x && gild pkg extract t4/var/packages/app-misc/staged-1-*.gpkg.tar x >/dev/null &&
	echo "tiny stage 1" >expect &&
	test_cmp expect x/usr/share/staged/release
'

test_expect_success SANDBOX 'STAGE= naming nothing, or something that is no stage, is a clear error' '
	cp -r "$FIXTURES/build-basic" t5 &&
	echo "STAGE=\"$PWD/no-such-stage\"" >>t5/etc/gild.conf &&
	test_expect_code 2 gild -C t5 build app-misc/staged 2>err &&
	echo "gild: error: STAGE '"'"'$PWD/no-such-stage'"'"' names no stage directory or tarball: No such file or directory" >expect &&
	test_cmp expect err &&
	echo junk >notastage.zip &&
	echo "STAGE=\"$PWD/notastage.zip\"" >>t5/etc/gild.conf &&
	test_expect_code 2 gild -C t5 build app-misc/staged 2>err &&
	test_grep "STAGE .*notastage.zip. is neither a directory nor a .tar, .tar.gz, .tar.xz or .tar.zst stage tarball" err
'

test_done
