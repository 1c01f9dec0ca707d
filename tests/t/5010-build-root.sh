#!/bin/sh
test_description='gild build: the build root (build-time dependencies laid over the stage, STAGE=)'
. "$(dirname "$0")/lib.sh"

if gild sandbox -- true 2>/dev/null; then test_set_prereq SANDBOX
else test_set_prereq_reason SANDBOX "gild sandbox cannot run here"; fi

test_expect_success SANDBOX 'a dependency'"'"'s library and header are where the compiler and the loader look' '
	cp -r "$FIXTURES/build-basic" t1 &&
	{ gild -C t1 build app-misc/greetuse >out 2>err || { cat err; false; }; } &&
	sed -n "s/^>>> \([^:]*\): .*/\1/p" out >order &&
	printf "app-misc/libgreet-1\napp-misc/greetuse-1\n" >expect &&
	test_cmp expect order &&
	rm -rf x && gild pkg extract t1/var/packages/app-misc/greetuse-1-*.gpkg.tar x >/dev/null &&
	echo "greetings from libgreet" >expect &&
	test_cmp expect x/usr/share/greetuse/greeting.out
'

test_expect_success SANDBOX 'the dependency'"'"'s own package keeps its layout' '
	gild pkg files t1/var/packages/app-misc/libgreet-1-*.gpkg.tar >files &&
	test_grep " /lib/libgreet.so.1$" files &&
	test_grep "^sym .* /usr/lib/libgreet.so -> ../../lib/libgreet.so.1$" files
'

test_done
