#!/bin/sh
test_description='tools/mirror-sources: a flat distfiles mirror from deb-src, verified against Manifests (fake apt)'
. "$(dirname "$0")/lib.sh"

# A tree with one recipe's Manifest and a sources.list row, and fake
# apt-get/apt-cache that serve files from ./debian-pool and log their calls.
test_expect_success 'setup' '
	mkdir -p tree/tools tree/recipes/app-misc/hello debian-pool bin &&
	cp "$GILD_TOP/tools/mirror-sources" tree/tools/ &&
	printf "upstream hello 1.0\n" >debian-pool/hello_1.0.orig.tar.gz &&
	printf "upstream other 2.0\n" >debian-pool/other_2.0.orig.tar.gz &&
	for f in hello_1.0 other_2.0; do
		name=$(echo $f | tr _ -).tar.gz &&
		file=debian-pool/$f.orig.tar.gz &&
		echo "DIST $name $(wc -c <$file) BLAKE2B $(b2sum <$file | cut -d" " -f1) SHA512 $(sha512sum <$file | cut -d" " -f1)" || return 1
	done >tree/recipes/app-misc/hello/Manifest &&
	cat >tree/tools/sources.list <<-\EOF &&
	# distfile  package  orig
	hello-1.0.tar.gz	hello	hello_1.0.orig.tar.gz
	other-2.0.tar.gz	other	other_2.0.orig.tar.gz	2.0-1
	EOF
	cat >bin/apt-cache <<-\EOF &&
	#!/bin/sh
	echo "apt-cache $*" >>"$POOL/../apt.log"
	[ "$1" = showsrc ] && [ -e "$POOL/$2.known" ] && echo "Package: $2" &&
		sed "s/^/Version: /" "$POOL/$2.versions" 2>/dev/null
	exit 0
	EOF
	cat >bin/apt-get <<-\EOF &&
	#!/bin/sh
	echo "apt-get $*" >>"$POOL/../apt.log"
	# update: a deb-src entry makes the source package "fresh" known
	if [ "$1" = update ]; then
		grep -qs "deb-src" "$APT_DIR"/sources.list.d/* && : >"$POOL/fresh.known"
		exit 0
	fi
	[ "$1 $2" = "source --download-only" ] || exit 100
	# PACKAGE=VERSION: from debian-pool/PACKAGE=VERSION/ when there is one,
	# nothing when the version is listed in PACKAGE.404 (a security upload
	# whose files the mirror lacks), else from debian-pool/
	case $3 in *=*) grep -qx "${3#*=}" "$POOL/${3%%=*}.404" 2>/dev/null && exit 100 ;; esac
	if [ -d "$POOL/$3" ]; then cp "$POOL/$3"/* .; else cp "$POOL/${3%%=*}"_*.orig.tar.* . 2>/dev/null; fi
	echo "E: Failed to fetch $3.debian.tar.xz  404  Not Found" >&2
	exit 100
	EOF
	cat >bin/apt-config <<-\EOF &&
	#!/bin/sh
	echo "apt_list='"'"'$APT_DIR/sources.list'"'"' apt_parts='"'"'$APT_DIR/sources.list.d/'"'"'"
	EOF
	chmod +x bin/apt-cache bin/apt-get bin/apt-config &&
	: >debian-pool/hello.known && : >debian-pool/other.known
'

POOL=$(pwd)/debian-pool
APT_DIR=$(pwd)/apt
PATH=$(pwd)/bin:$PATH
export POOL APT_DIR PATH

test_expect_success 'missing distfiles are fetched, renamed and verified' '
	tree/tools/mirror-sources >out &&
	test_grep "^apt-get source --download-only hello$" apt.log &&
	test_grep "^apt-get source --download-only other=2.0-1$" apt.log &&
	cat >expect <<-\EOF &&
	mirror-sources: added hello-1.0.tar.gz (Debian hello_1.0.orig.tar.gz)
	mirror-sources: added other-2.0.tar.gz (Debian other_2.0.orig.tar.gz from other 2.0-1)
	EOF
	test_cmp expect out &&
	test_cmp debian-pool/hello_1.0.orig.tar.gz tree/var/mirror/distfiles/hello-1.0.tar.gz &&
	printf "[structure]\n0=flat\n" >expect &&
	test_cmp expect tree/var/mirror/distfiles/layout.conf
'

test_expect_success 'a second run only verifies and calls no apt' '
	: >apt.log &&
	tree/tools/mirror-sources >out &&
	printf "mirror-sources: ok hello-1.0.tar.gz\nmirror-sources: ok other-2.0.tar.gz\n" >expect &&
	test_cmp expect out &&
	test_must_fail test -s apt.log
'

test_expect_success 'a corrupt distfile is reported by -n and replaced otherwise' '
	printf "upstream HELLO 1.0\n" >tree/var/mirror/distfiles/hello-1.0.tar.gz &&
	test_expect_code 1 tree/tools/mirror-sources -n hello-1.0.tar.gz 2>err &&
	echo "mirror-sources: error: '"'"'$(pwd)/tree/var/mirror/distfiles/hello-1.0.tar.gz'"'"': BLAKE2B mismatch" >expect &&
	test_cmp expect err &&
	tree/tools/mirror-sources hello-1.0.tar.gz 2>err &&
	test_cmp debian-pool/hello_1.0.orig.tar.gz tree/var/mirror/distfiles/hello-1.0.tar.gz
'

test_expect_success 'an orig tarball that does not match the Manifest is refused' '
	rm -f tree/var/mirror/distfiles/other-2.0.tar.gz tree/var/mirror/apt/other_2.0.orig.tar.gz &&
	printf "upstream other 2.0, repacked\n" >debian-pool/other_2.0.orig.tar.gz &&
	test_expect_code 1 tree/tools/mirror-sources other-2.0.tar.gz 2>err &&
	test_grep "error: no version of Debian.s source package .other. carries .other_2.0.orig.tar.gz. with the Manifest.s digests of .other-2.0.tar.gz. (tried: 2.0-1: size 29, Manifest says 19); see " err &&
	test ! -e tree/var/mirror/distfiles/other-2.0.tar.gz
'

test_expect_success 'a source package without the orig tarball names what it has' '
	rm -f tree/var/mirror/apt/other_2.0.orig.tar.gz debian-pool/other_2.0.orig.tar.gz &&
	printf "newer\n" >debian-pool/other_2.1.orig.tar.gz &&
	test_expect_code 1 tree/tools/mirror-sources other-2.0.tar.gz 2>err &&
	test_grep "error: no version of Debian.s source package .other. carries .other_2.0.orig.tar.gz. with the Manifest.s digests of .other-2.0.tar.gz. (tried: 2.0-1: no .other_2.0.orig.tar.gz. (it has: other_2.1.orig.tar.gz))" err
'

test_expect_success 'the newest version failing, older ones are tried newest first' '
	mkdir -p "debian-pool/zed=1:1.0-1" "debian-pool/zed=1:1.0-2" &&
	printf "upstream zed 1.0\n" >"debian-pool/zed=1:1.0-1/zed_1.0.orig.tar.gz" &&
	printf "repacked zed 1.0\n" >"debian-pool/zed=1:1.0-2/zed_1.0.orig.tar.gz" &&
	printf "1:1.0-1\n1:1.0-2+deb12u1\n1:1.0-2\n" >debian-pool/zed.versions &&
	echo "1:1.0-2+deb12u1" >debian-pool/zed.404 &&
	: >debian-pool/zed.known &&
	file="debian-pool/zed=1:1.0-1/zed_1.0.orig.tar.gz" &&
	echo "DIST zed-1.0.tar.gz $(wc -c <$file) BLAKE2B $(b2sum <$file | cut -d" " -f1) SHA512 $(sha512sum <$file | cut -d" " -f1)" \
		>>tree/recipes/app-misc/hello/Manifest &&
	printf "zed-1.0.tar.gz\tzed\tzed_1.0.orig.tar.gz\n" >>tree/tools/sources.list &&
	: >apt.log &&
	tree/tools/mirror-sources zed-1.0.tar.gz >out &&
	grep "^apt-get" apt.log >calls &&
	cat >expect <<-\EOF &&
	apt-get source --download-only zed=1:1.0-2+deb12u1
	apt-get source --download-only zed=1:1.0-2
	apt-get source --download-only zed=1:1.0-1
	EOF
	test_cmp expect calls &&
	echo "mirror-sources: added zed-1.0.tar.gz (Debian zed_1.0.orig.tar.gz from zed 1:1.0-1)" >expect &&
	test_cmp expect out &&
	test_cmp "$file" tree/var/mirror/distfiles/zed-1.0.tar.gz
'

test_expect_success 'unknown distfiles and bad options are errors' '
	test_expect_code 1 tree/tools/mirror-sources -n nope.tar.gz 2>err &&
	test_grep "error: '"'"'nope.tar.gz'"'"' is not in tools/sources.list" err &&
	test_expect_code 2 tree/tools/mirror-sources -x 2>err &&
	test_grep "^usage: tools/mirror-sources" err
'

# fresh_setup: a source package apt knows only once deb-src is there
fresh_setup() {
	rm -rf apt "$POOL/fresh.known" tree/var/mirror/distfiles/fresh-1.0.tar.gz &&
	mkdir -p apt/sources.list.d &&
	printf "upstream fresh 1.0\n" >debian-pool/fresh_1.0.orig.tar.gz &&
	f=debian-pool/fresh_1.0.orig.tar.gz &&
	if ! grep -q "^DIST fresh-1.0.tar.gz " tree/recipes/app-misc/hello/Manifest; then
		echo "DIST fresh-1.0.tar.gz $(wc -c <$f) BLAKE2B $(b2sum <$f | cut -d" " -f1) SHA512 $(sha512sum <$f | cut -d" " -f1)" >>tree/recipes/app-misc/hello/Manifest &&
		printf "fresh-1.0.tar.gz\tfresh\tfresh_1.0.orig.tar.gz\n" >>tree/tools/sources.list
	fi
}

test_expect_success 'no deb-src: one is added from a one-line sources.list (debootstrap, the installer)' '
	fresh_setup &&
	echo "deb http://deb.example/debian bookworm main" >apt/sources.list &&
	echo "deb [signed-by=/k.gpg] http://deb.example/debian-security bookworm-security main" >apt/sources.list.d/security.list &&
	echo "deb http://apt.example/repo stable main" >apt/sources.list.d/vendor.list &&
	tree/tools/mirror-sources fresh-1.0.tar.gz >out 2>err &&
	cat >expect <<-\EOF &&
	deb-src http://deb.example/debian bookworm main
	deb-src [signed-by=/k.gpg] http://deb.example/debian-security bookworm-security main
	EOF
	test_cmp expect apt/sources.list.d/gild-deb-src.list &&
	test_grep "^mirror-sources: adding $APT_DIR/sources.list.d/gild-deb-src.list$" out &&
	test_grep "^mirror-sources: added fresh-1.0.tar.gz " out &&
	test_cmp debian-pool/fresh_1.0.orig.tar.gz tree/var/mirror/distfiles/fresh-1.0.tar.gz
'

test_expect_success 'no deb-src: one is added from deb822 debian.sources (cloud images)' '
	fresh_setup &&
	printf "Types: deb\nURIs: http://deb.example/debian\nSuites: bookworm\nComponents: main\n" >apt/sources.list.d/debian.sources &&
	tree/tools/mirror-sources fresh-1.0.tar.gz >out 2>err &&
	printf "Types: deb-src\nURIs: http://deb.example/debian\nSuites: bookworm\nComponents: main\n" >expect &&
	test_cmp expect apt/sources.list.d/debian-src.sources &&
	! test -e apt/sources.list.d/gild-deb-src.list &&
	test_grep "^mirror-sources: added fresh-1.0.tar.gz " out
'

test_expect_success 'no deb-src and no Debian entry to copy: the error says what to add' '
	fresh_setup &&
	echo "deb http://apt.example/repo stable main" >apt/sources.list &&
	test_expect_code 1 tree/tools/mirror-sources fresh-1.0.tar.gz >out 2>err &&
	test_grep "cannot add deb-src: apt has no .deb. entry in .$APT_DIR/sources.list. or .$APT_DIR/sources.list.d.; add a deb-src line for your Debian mirror" err
'

test_expect_success 'the shipped sources.list covers every distfile of the shipped Manifests' '
	sed -e "s/#.*//" "$GILD_TOP/tools/sources.list" | awk "NF { print \$1 }" | sort >listed &&
	cat "$GILD_TOP"/recipes/*/*/Manifest | awk "\$1 == \"DIST\" { print \$2 }" | sort >manifested &&
	test_cmp manifested listed
'

test_done
