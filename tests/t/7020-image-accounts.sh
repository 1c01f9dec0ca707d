#!/bin/sh
test_description='service accounts as packages: acct-group/ and acct-user/ recipes (Gentoo'"'"'s eclasses) put sysusers.d lines in the image, and gild image makes the accounts only where a package needs them'
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" = 0 ] && test_have_prereq SANDBOX; then test_set_prereq IMAGE
else test_set_prereq_reason IMAGE "gild image needs root and the sandbox"; fi

OUT=tree/out/test/tiny

# acct KIND NAME LINES: an acct-KIND/NAME-0 recipe inheriting the class.
acct() {
	mkdir -p "tree/recipes/acct-$1/$2" &&
	printf 'EAPI=8\ninherit acct-%s\n%s\n' "$1" "$3" >"tree/recipes/acct-$1/$2/$2-0.recipe"
}

test_expect_success IMAGE 'setup: app-misc/tool runs as the user svc of the groups svc and logs' '
	cp -r "$FIXTURES/image-basic" tree &&
	mkdir -p tree/recipes/classes tree/licenses &&
	cp "$GILD_TOP/recipes/classes/acct-user.class" "$GILD_TOP/recipes/classes/acct-group.class" tree/recipes/classes/ &&
	printf "acct-group\nacct-user\n" >>tree/profiles/categories &&
	acct group svc "ACCT_GROUP_ID=250" &&
	acct group logs "ACCT_GROUP_ID=251" &&
	acct user svc "ACCT_USER_ID=250
ACCT_USER_GROUPS=\"svc logs\"
ACCT_USER_HOME=\"/var/lib/svc\"
RDEPEND=\"acct-group/svc acct-group/logs\"" &&
	sed -i "/^ACCEPT_LICENSE=/d" tree/profiles/test/make.defaults &&
	echo "ACCEPT_LICENSE=\"*\"" >>tree/profiles/test/make.defaults
'

test_expect_success IMAGE 'without a package that needs it, the image has no such account' '
	gild -C tree image >out 2>err &&
	! grep -q "sysusers" $OUT/manifest.txt &&
	tar -xOf $OUT/rootfs.tar.zst etc/passwd >passwd &&
	! grep -q "^svc:" passwd
'

test_expect_success IMAGE 'with it, passwd, group and shadow have the account, sorted, and the sysusers.d files say where it came from' '
	sed -i "s|^RDEPEND=\"sys-apps/base\"|RDEPEND=\"sys-apps/base acct-user/svc\"|" tree/recipes/app-misc/tool/tool-1.recipe &&
	test_grep "acct-user/svc" tree/recipes/app-misc/tool/tool-1.recipe &&
	gild -C tree image >out 2>err &&
	tar -xOf $OUT/rootfs.tar.zst etc/passwd >passwd &&
	tar -xOf $OUT/rootfs.tar.zst etc/group >group &&
	tar -xOf $OUT/rootfs.tar.zst etc/shadow >shadow &&
	test_grep "^svc:x:250:250:svc:/var/lib/svc:/sbin/nologin$" passwd &&
	test_grep "^svc:x:250:$" group &&
	test_grep "^logs:x:251:svc$" group &&
	test_grep "^svc:\*:" shadow &&
	cut -d: -f3 passwd >ids &&
	sort -n ids >sorted &&
	test_cmp sorted ids &&
	test_grep "^obj .* /usr/lib/sysusers.d/acct-user-svc.conf acct-user/svc-0$" $OUT/manifest.txt &&
	test_grep "^obj .* /usr/lib/sysusers.d/acct-group-logs.conf acct-group/logs-0$" $OUT/manifest.txt
'

test_expect_success IMAGE 'an account whose id differs from the base system'"'"'s is refused, naming the file and line' '
	cp tree/recipes/sys-apps/base/base-1.recipe base.orig &&
	test_when_finished "cp base.orig tree/recipes/sys-apps/base/base-1.recipe" &&
	sed -i "s|printf \"root:x:0:0::/root:/bin/sh|printf \"svc:x:7:7::/:/bin/sh\\\\nroot:x:0:0::/root:/bin/sh|" tree/recipes/sys-apps/base/base-1.recipe &&
	test_grep "svc:x:7:7" tree/recipes/sys-apps/base/base-1.recipe &&
	test_expect_code 2 gild -C tree image 2>err &&
	test_grep "/usr/lib/sysusers.d/acct-user-svc.conf:1:1: error: user .svc. has id 250 here but 7 in the image" err
'

test_expect_success IMAGE 'a user whose group has no package is refused, saying what is missing' '
	acct user svc "ACCT_USER_ID=250
ACCT_USER_GROUPS=\"svc nosuch\"
RDEPEND=\"acct-group/svc\"" &&
	test_expect_code 1 gild -C tree image 2>err &&
	test_grep "error: group .nosuch. of user .svc. is not in the image (an acct-group package missing from RDEPEND?)" err
'

test_expect_success IMAGE 'a user whose primary group has no package is refused too' '
	acct user svc "ACCT_USER_ID=250
ACCT_USER_GROUPS=\"www\"
RDEPEND=\"acct-group/svc\"" &&
	test_expect_code 1 gild -C tree image 2>err &&
	test_grep "acct-user-svc.conf:1:1: error: group .www. of user .svc. is not in the image" err
'

test_expect_success IMAGE 'an account line with a bad name, a bad id or a colon in a field is refused' '
	acct user svc "ACCT_USER_ID=250
ACCT_USER_GROUPS=\"svc\"
ACCT_USER_COMMENT=\"a:b\"
RDEPEND=\"acct-group/svc\"" &&
	test_expect_code 2 gild -C tree image 2>err &&
	test_grep "error: user .svc.: a field holds .:. or a control character" err &&
	acct user svc "ACCT_USER_ID=0
ACCT_USER_GROUPS=\"svc\"
RDEPEND=\"acct-group/svc\"" &&
	test_expect_code 2 gild -C tree image 2>err &&
	test_grep "error: user .svc.: .0. is no id (1-65533)" err &&
	acct group svc "ACCT_GROUP_ID=251" &&
	acct user svc "ACCT_USER_ID=250
ACCT_USER_GROUPS=\"svc logs\"
RDEPEND=\"acct-group/svc acct-group/logs\"" &&
	test_expect_code 2 gild -C tree image 2>err &&
	test_grep "error: group .svc. has id 251, which .logs. has in the image already" err
'

test_done
