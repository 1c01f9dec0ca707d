#!/bin/sh
test_description='gild sandbox: the escape suite (tests/sandbox/escape.c) as root and unprivileged'
. "$(dirname "$0")/lib.sh"

ESCAPE="$GILD_TOP/${O:-.build}/tests/sandbox/escape"
[ -x "$ESCAPE" ] || ESCAPE="$GILD_TOP/.build/tests/sandbox/escape"

# An unprivileged user (nobody) that can reach gild, run the sandbox and
# enter this test's directory (not so in a clone inside a 0700 directory
# such as /root: then these tests skip, saying why).
if test_have_prereq ROOT && command -v setpriv >/dev/null &&
   setpriv --reuid=65534 --regid=65534 --clear-groups "$GILD_BINDIR/gild" sandbox -- true 2>/dev/null &&
   setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$TRASH_DIRECTORY"
then test_set_prereq UNPRIV
else test_set_prereq_reason UNPRIV "needs root to become nobody, setpriv, a gild that nobody can run and a test directory nobody can enter (not in a clone inside a 0700 directory)"; fi

ROOT_OPTS=
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

# The host side of the attempts: listeners, a process, a file outside, a
# setuid copy of the escape program owned by SUID_OWNER (inside root where
# that is mapped, so that only nosuid and no_new_privs stand in the way);
# each run gets DIR/build (owned by OWNER, the host uid of the inside
# build user) and DIR/ro.
setup_host() {
	dir=$1 owner=$2 suid_owner=$3
	mkdir -p "$dir/build" "$dir/ro" &&
	echo untouched >"$dir/outside" &&
	cp "$ESCAPE" "$dir/ro/suid-escape" &&
	chown "$suid_owner" "$dir/ro/suid-escape" &&
	chmod 4755 "$dir/ro/suid-escape" &&
	chown "$owner" "$dir" "$dir/build"
}

run_escape() {
	dir=$1
	shift
	ESCAPE_SECRET=leak "$@" "$GILD_BINDIR/gild" sandbox $ROOT_OPTS \
		--rw "$dir/build:/build" --ro "$dir/ro:/ro" --ro "$ESCAPE:/escape" \
		--tmpfs /tmp:8m --mem 64 --nproc 32 --fsize 16 --timeout 60 -- \
		/escape --port "$PORT" --unix "$dir/host.sock" --abstract "$ABSTRACT" \
		--outside "$dir/outside" --host-pid "$HOST_PID" --suid /ro/suid-escape 9<.
}

check_tap() {
	! grep "^not ok" "$1" &&
	plan=$(sed -n "s/^1\.\.//p" "$1") &&
	test "$plan" -ge 30 &&
	test "$(grep -c "^ok [0-9]* - refused: " "$1")" -eq "$plan"
}

test_expect_success SANDBOX 'set up the host side' '
	gild sandbox --check >check &&
	inside_owner=$(sed -n "s/^id map .*= host uid \([0-9]*\).*/\1/p" check) &&
	inside_root=$(sed -n "s/^id map .*(range \([0-9]*\)+.*/\1/p" check) &&
	test -n "$inside_owner" && test -n "$inside_root" &&
	mkdir -p root unpriv &&
	setup_host "$PWD/root" "$inside_owner" "$inside_root" &&
	setup_host "$PWD/unpriv" 65534 0 &&
	chmod 755 . &&
	{ "$ESCAPE" --listen "$PWD/unpriv" >listen.out 2>&1 & echo $! >listen.pid; } &&
	{ sleep 314 >/dev/null 2>&1 & echo $! >host.pid; } &&
	i=0; while ! test -s listen.out && test $i -lt 50; do sleep 0.1; i=$((i + 1)); done &&
	read PORT ABSTRACT <listen.out && test -n "$PORT" &&
	echo "$PORT $ABSTRACT $(cat host.pid)" >host.env &&
	cat host.env
'
PORT= ABSTRACT= HOST_PID= LISTEN_PID=
test -s host.env 2>/dev/null && read PORT ABSTRACT HOST_PID <host.env &&
	LISTEN_PID=$(cat listen.pid)
# by pid: the listener and the host process this script started
trap 'kill $LISTEN_PID $HOST_PID 2>/dev/null' EXIT

test_expect_success SANDBOX 'as root: every escape attempt is refused' '
	run_escape "$PWD/root" >root.tap &&
	cat root.tap &&
	check_tap root.tap
'

test_expect_success SANDBOX 'as root: nothing changed on the host side' '
	echo untouched >expect &&
	test_cmp expect root/outside &&
	kill -0 "$HOST_PID" &&
	! test -e root/build/null
'

test_expect_success SANDBOX 'with --root (an overlay of a stage): every escape attempt is refused' '
	mkdir -p stage/usr stage/etc &&
	ln -s usr/bin stage/bin && ln -s usr/lib stage/lib && ln -s usr/lib64 stage/lib64 &&
	rm -f root/build/* &&
	ROOT_OPTS="--root $PWD/stage --ro /usr" run_escape "$PWD/root" >stage.tap &&
	cat stage.tap &&
	check_tap stage.tap &&
	test_cmp expect root/outside &&
	test "$(ls stage/etc)" = ""
'

test_expect_success UNPRIV 'as an unprivileged user: every escape attempt is refused' '
	run_escape "$PWD/unpriv" as_nobody >unpriv.tap &&
	cat unpriv.tap &&
	check_tap unpriv.tap &&
	test_cmp expect unpriv/outside &&
	kill -0 "$HOST_PID"
'

test_expect_success SANDBOX 'the suite notices a weaker sandbox (--allow-net)' '
	test_must_fail gild sandbox --allow-net --ro "$ESCAPE:/escape" -- \
		/escape --port "$PORT" >net.tap &&
	test_grep "^not ok 1 - connect to a host loopback listener: connected to 127.0.0.1:$PORT" net.tap
'

test_expect_success SANDBOX 'a daemon left behind dies with the command' '
	gild sandbox --rw "$PWD/root/build:/build" --ro "$ESCAPE:/escape" -- \
		/escape --daemon /build/daemon-alive &&
	sleep 2 &&
	! test -e root/build/daemon-alive
'

test_expect_success SANDBOX 'running past the timeout leaves no process behind' '
	marker=27.$$ &&
	test_expect_code 137 gild sandbox --timeout 1 -- sh -c "sleep $marker & sleep $marker" 2>err &&
	test_grep "timed out after 1 s" err &&
	! pgrep -f "sleep $marker"
'

test_expect_success SANDBOX 'everything inside dies with gild (pid 1 has PDEATHSIG)' '
	marker=28.$$ &&
	{ gild sandbox -- sh -c "sleep $marker & sleep $marker" & echo $! >gild.pid; } &&
	i=0; while ! pgrep -f "sleep $marker" >/dev/null && test $i -lt 50; do sleep 0.1; i=$((i + 1)); done &&
	pgrep -f "sleep $marker" >/dev/null &&
	kill -KILL "$(cat gild.pid)" &&
	i=0; while pgrep -f "sleep $marker" >/dev/null && test $i -lt 50; do sleep 0.1; i=$((i + 1)); done &&
	! pgrep -f "sleep $marker"
'

test_expect_success UNPRIV 'as an unprivileged user: limits fall back to rlimits and still hold' '
	test_expect_code 153 as_nobody "$GILD_BINDIR/gild" sandbox --fsize 1 -- \
		dd if=/dev/zero of=/tmp/big bs=1M count=4 2>err &&
	test_grep "killed by the file size limit (1 MB)" err &&
	test_expect_code 137 as_nobody "$GILD_BINDIR/gild" sandbox --timeout 1 -- sleep 9 2>err &&
	test_grep "timed out after 1 s" err
'

test_done
