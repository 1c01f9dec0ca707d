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
	[ "$1" = showsrc ] && [ -e "$POOL/$2.known" ] && echo "Package: $2"
	exit 0
	EOF
	cat >bin/apt-get <<-\EOF &&
	#!/bin/sh
	echo "apt-get $*" >>"$POOL/../apt.log"
	[ "$1 $2" = "source --download-only" ] || exit 100
	cp "$POOL/${3%%=*}"_*.orig.tar.* . 2>/dev/null
	echo "E: Failed to fetch $3.debian.tar.xz  404  Not Found" >&2
	exit 100
	EOF
	chmod +x bin/apt-cache bin/apt-get &&
	: >debian-pool/hello.known && : >debian-pool/other.known
'

POOL=$(pwd)/debian-pool
PATH=$(pwd)/bin:$PATH
export POOL PATH

test_expect_success 'missing distfiles are fetched, renamed and verified' '
	tree/tools/mirror-sources >out &&
	test_grep "^apt-get source --download-only hello$" apt.log &&
	test_grep "^apt-get source --download-only other=2.0-1$" apt.log &&
	cat >expect <<-\EOF &&
	mirror-sources: added hello-1.0.tar.gz (Debian hello_1.0.orig.tar.gz)
	mirror-sources: added other-2.0.tar.gz (Debian other_2.0.orig.tar.gz)
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
	test_grep "error: '"'"'other_2.0.orig.tar.gz'"'"' from Debian'"'"'s '"'"'other'"'"' does not match the Manifest entry of '"'"'other-2.0.tar.gz'"'"': size 29, Manifest says 19" err &&
	test ! -e tree/var/mirror/distfiles/other-2.0.tar.gz
'

test_expect_success 'a source package without the orig tarball names what it has' '
	rm -f tree/var/mirror/apt/other_2.0.orig.tar.gz debian-pool/other_2.0.orig.tar.gz &&
	printf "newer\n" >debian-pool/other_2.1.orig.tar.gz &&
	test_expect_code 1 tree/tools/mirror-sources other-2.0.tar.gz 2>err &&
	test_grep "error: Debian'"'"'s source package '"'"'other'"'"' does not carry '"'"'other_2.0.orig.tar.gz'"'"' (it has: other_2.1.orig.tar.gz )" err
'

test_expect_success 'unknown distfiles and bad options are errors' '
	test_expect_code 1 tree/tools/mirror-sources -n nope.tar.gz 2>err &&
	test_grep "error: '"'"'nope.tar.gz'"'"' is not in tools/sources.list" err &&
	test_expect_code 2 tree/tools/mirror-sources -x 2>err &&
	test_grep "^usage: tools/mirror-sources" err
'

test_expect_success 'the shipped sources.list covers every distfile of the shipped Manifests' '
	sed -e "s/#.*//" "$GILD_TOP/tools/sources.list" | awk "NF { print \$1 }" | sort >listed &&
	cat "$GILD_TOP"/recipes/*/*/Manifest | awk "\$1 == \"DIST\" { print \$2 }" | sort >manifested &&
	test_cmp manifested listed
'

test_done
