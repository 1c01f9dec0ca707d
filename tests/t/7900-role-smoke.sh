#!/bin/sh
test_description='the shipped web and bastion roles, built and tried in the sandbox (slow: make check-slow)'
. "$(dirname "$0")/lib.sh"

MIRROR="$GILD_TOP/var/mirror"
if [ -f "$MIRROR/distfiles/layout.conf" ]; then test_set_prereq MIRROR
else test_set_prereq_reason MIRROR "no local mirror: run tools/mirror-sources"; fi

test_expect_success SLOW,MIRROR,SANDBOX,ROOT 'the web role serves its page from lighttpd as an unprivileged user' '
	mkdir tree && cp -r "$GILD_TOP/recipes" "$GILD_TOP/profiles" "$GILD_TOP/metadata" tree/ &&
	GILD_MIRRORS="file://$MIRROR" gild -C tree image --role web >out 2>err &&
	gild -C tree image run --role web --init -- sh -c "
		wget -qO- http://127.0.0.1/ &&
		ps -o user,comm | grep lighttpd
	" >page 2>err &&
	test_grep "<h1>It works</h1>" page &&
	test_grep "^lighttpd *lighttpd" page
'

test_expect_success SLOW,MIRROR,SANDBOX,ROOT 'the bastion role: key login for its user, no root login, no forwarding' '
	GILD_MIRRORS="file://$MIRROR" gild -C tree image --role bastion >out 2>err &&
	gild -C tree image run --role bastion -- sh -c "
		dropbearkey -t ed25519 -f /tmp/k >/dev/null 2>&1 &&
		dropbearkey -y -f /tmp/k | grep ^ssh- >/tmp/pub &&
		cat /tmp/pub && base64 /tmp/k
	" >keys &&
	head -n 1 keys >jump.pub && tail -n +2 keys >key.b64 &&
	cp -r tree/profiles/roles/bastion tree/profiles/roles/bastion-test &&
	cp jump.pub tree/profiles/roles/bastion-test/ &&
	echo "jump 1000 jump /home/jump /bin/sh jump.pub" >tree/profiles/roles/bastion-test/users &&
	GILD_MIRRORS="file://$MIRROR" gild -C tree image --role bastion-test >out 2>err &&
	gild -C tree image run --role bastion-test --init -- sh -c "
		base64 -d >/tmp/k <<-EOF &&
		$(cat key.b64)
		EOF
		mkdir -p /root/.ssh && cp /home/jump/.ssh/authorized_keys /root/.ssh/ &&
		dbclient -y -i /tmp/k jump@127.0.0.1 id -un &&
		! dbclient -y -i /tmp/k root@127.0.0.1 true 2>/dev/null &&
		ps -o args | grep [d]ropbear
	" >out 2>err &&
	test_grep "^jump$" out &&
	test_grep "dropbear -F -E -R -w -j -k" out
'

test_done
