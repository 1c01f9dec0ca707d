#!/bin/sh
test_description='the README'"'"'s main job: build @system of the default profile from the local mirror'
. "$(dirname "$0")/lib.sh"

# Needs the shipped distfiles (tools/mirror-sources; .ci/run fills the
# mirror before make check) and a working sandbox. Takes about 2 minutes.
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
	GILD_MIRRORS="file://$MIRROR" gild -C tree build --rebuild sys-libs/zlib >out3 2>err3 &&
	test_grep "Building sys-libs/zlib" err3 &&
	cmp zlib.before "$old"
'

test_done
