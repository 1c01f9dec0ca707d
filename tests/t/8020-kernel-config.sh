#!/bin/sh
test_description='sys-kernel/gild-kernel USE=vm: tinyconfig plus files/gild.config, every option kept, no modules, a small bzImage'
. "$(dirname "$0")/lib.sh"

# Slow (make check-slow): builds the kernel (about 15 minutes on 2 busy
# cores) unless the top tree's var/packages has it already (packages are
# named by build-id, so a package there is this recipe's).
MIRROR="$GILD_TOP/var/mirror"
if [ -f "$MIRROR/distfiles/layout.conf" ]; then test_set_prereq MIRROR
else test_set_prereq_reason MIRROR "no local mirror: run tools/mirror-sources"; fi
FRAGMENT="$GILD_TOP/recipes/sys-kernel/gild-kernel/files/gild.config"

test_expect_success SLOW,MIRROR,SANDBOX,ROOT 'the kernel builds under the minimal role' '
	mkdir tree && cp -r "$GILD_TOP/recipes" "$GILD_TOP/profiles" "$GILD_TOP/metadata" tree/ &&
	GILD_MIRRORS="file://$MIRROR" PKGDIR="$GILD_TOP/var/packages" \
		gild -C tree build --profile roles/minimal sys-kernel/gild-kernel >out 2>err &&
	pkg=$(sed -n "s,^>>> sys-kernel/gild-kernel-6.1.187: [a-z]* ,,p" out) &&
	test -f "$pkg" &&
	gild pkg extract "$pkg" k
'

test_expect_success SLOW,MIRROR,SANDBOX,ROOT 'every option of files/gild.config is in the configuration' '
	grep "^CONFIG_" "$FRAGMENT" | sort >want &&
	test $(wc -l <want) -ge 60 &&
	grep -Fx -f want k/boot/config-6.1.187 | sort >have &&
	test_cmp want have &&
	test_grep "^# CONFIG_MODULES is not set" k/boot/config-6.1.187 &&
	test ! -d k/lib/modules
'

test_expect_success SLOW,MIRROR,SANDBOX,ROOT 'the bzImage is small, its version string names gild, not the build host' '
	test $(stat -c %s k/boot/vmlinuz-6.1.187) -le 3145728 &&
	strings k/boot/vmlinuz-6.1.187 >s &&
	test_grep "^6\.1\.187 (gild@gild) #1 @[0-9]*$" s &&
	test_grep ! "^6\.1\.187 ([a-z]*@[a-z]*) #[02-9]" s
'

test_done
