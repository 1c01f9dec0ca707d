#!/bin/sh
test_description='the shipped Manifests match the distfiles of the local mirror (tools/mirror-sources)'
. "$(dirname "$0")/lib.sh"

MIRROR="$GILD_TOP/var/mirror"
if [ -f "$MIRROR/distfiles/layout.conf" ]; then test_set_prereq MIRROR
else test_set_prereq_reason MIRROR "no local mirror: run tools/mirror-sources"; fi

test_expect_success MIRROR 'gild fetch verifies every distfile of the tree from the mirror' '
	(cd "$GILD_TOP/recipes" && ls -d */*/*.recipe) | sed "s|/[^/]*\$||" | sort -u >atoms &&
	gild --tree "$GILD_TOP" fetch --distdir distdir --mirrors "file://$MIRROR" $(cat atoms) >out &&
	sed -e "s/#.*//" "$GILD_TOP/tools/sources.list" | awk "NF { print \$1 }" | sort >expect &&
	ls distdir | sort >actual &&
	test_cmp expect actual
'

test_expect_success MIRROR 'a distfile changed by one byte is refused with its Manifest line' '
	mkdir -p bad/distfiles &&
	cp "$MIRROR/distfiles/musl-1.2.3.tar.gz" bad/distfiles/ &&
	printf X | dd of=bad/distfiles/musl-1.2.3.tar.gz bs=1 seek=100 conv=notrunc 2>/dev/null &&
	# upstream is tried after the mirror: a dead proxy keeps it from
	# succeeding on a machine with network access (libcurl reads these)
	test_must_fail env http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 \
		HTTPS_PROXY=http://127.0.0.1:9 \
		gild --tree "$GILD_TOP" fetch --distdir d2 --mirrors "file://$(pwd)/bad" sys-libs/musl 2>err &&
	test_grep "recipes/sys-libs/musl/Manifest:1: error: BLAKE2B mismatch for '"'"'musl-1.2.3.tar.gz'"'"'" err
'

test_done
