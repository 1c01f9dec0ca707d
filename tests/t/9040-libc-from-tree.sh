#!/bin/sh
test_description='the musl profiles build every package against sys-libs/musl from the tree, not the stage'
. "$(dirname "$0")/lib.sh"

MIRROR="$GILD_TOP/var/mirror"
if [ -f "$MIRROR/distfiles/layout.conf" ]; then test_set_prereq MIRROR
else test_set_prereq_reason MIRROR "no local mirror: run tools/mirror-sources"; fi

test_expect_success MIRROR 'the musl profile plans sys-libs/musl before what is built against it' '
	mkdir tree && cp -r "$GILD_TOP/recipes" "$GILD_TOP/profiles" "$GILD_TOP/metadata" tree/ &&
	gild -C tree --profile default/linux/amd64/musl pretend sys-libs/zlib >plan &&
	head -n1 plan >first &&
	test_grep "^\[build  N   \] sys-libs/musl-1.2.3:0 USE=\"-headers-only\"$" first &&
	test_grep "^\[build  N   \] sys-libs/zlib-" plan
'

# musl built with a marker in a string every busybox links (strerror's
# text for errno 0; an unused symbol would be dropped by --gc-sections):
# the static busybox of the minimal role must carry it, which it cannot
# when the stage's libc.a is linked.
test_expect_success SLOW,MIRROR,SANDBOX 'a static busybox carries the code of the musl built from the tree' '
	cat >>tree/recipes/sys-libs/musl/musl-1.2.3.recipe <<-\EOF &&
	src_prepare() {
		sed -i "s/No error information/GILD-MUSL-FROM-THE-TREE/" \
			src/errno/__strerror.h || die
		grep -q GILD-MUSL-FROM-THE-TREE src/errno/__strerror.h || die
		eapply_user
	}
	EOF
	GILD_MIRRORS="file://$MIRROR" gild -C tree --profile roles/minimal build sys-apps/busybox >out 2>err &&
	test_grep "^>>> sys-libs/musl-1.2.3: built " out &&
	gild pkg extract tree/var/packages/sys-apps/busybox-*.gpkg.tar bb >/dev/null &&
	grep -q "GILD-MUSL-FROM-THE-TREE" bb/bin/busybox
'

test_done
