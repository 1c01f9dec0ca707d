#!/bin/sh
test_description='gild sandbox: options, exit statuses, limits, the view from inside'
. "$(dirname "$0")/lib.sh"

test_expect_success 'the exit status of the command is returned' '
	test_expect_code 0 gild sandbox -- true &&
	test_expect_code 1 gild sandbox -- false &&
	test_expect_code 42 gild sandbox -- sh -c "exit 42"
'

test_expect_success SANDBOX 'a command killed by a signal gives 128+signal' '
	test_expect_code 143 gild sandbox -- sh -c "kill -TERM \$\$" 2>err &&
	test_grep "gild sandbox: killed by signal 15" err
'

test_expect_success SANDBOX 'the timeout kills everything and says so' '
	test_expect_code 137 gild sandbox --timeout 1 -- sh -c "sleep 30 & sleep 30" 2>err &&
	test_grep "gild sandbox: timed out after 1 s; every process in the sandbox was killed" err
'

test_expect_success SANDBOX 'the file size limit kills the writer and says so' '
	test_expect_code 153 gild sandbox --fsize 1 -- dd if=/dev/zero of=/tmp/big bs=1M count=4 2>err &&
	test_grep "gild sandbox: killed by the file size limit (1 MB)" err
'

# Where gild may not write cgroup v1 (cgroup v2 only, as a fresh Debian 12
# boots, or a container's read-only v1), the memory and process limits are
# rlimits (sandbox/limits.c): they still hold, but gild cannot tell that
# they struck.
if test -w /sys/fs/cgroup/memory && test -w /sys/fs/cgroup/pids; then
	test_set_prereq CGROUP_V1
else
	test_set_prereq_reason CGROUP_V1 "needs writable cgroup v1 memory and pids controllers"
	test_set_prereq RLIMIT_ONLY
fi
test_have_prereq CGROUP_V1 && test_set_prereq_reason RLIMIT_ONLY "cgroup v1 is writable here"

test_expect_success SANDBOX,CGROUP_V1 'the memory limit kills a hog and says so' '
	test_expect_code 137 gild sandbox --mem 32 -- sh -c "x=\$(head -c 300000000 /dev/zero | tr \"\\\\0\" a); echo \${#x}" 2>err &&
	test_grep "gild sandbox: .*memory limit (32 MB)" err
'

test_expect_success SANDBOX,CGROUP_V1 'the process limit refuses forks and says so' '
	test_must_fail gild sandbox --nproc 4 -- sh -c "for i in 1 2 3 4 5 6; do sleep 2 & done; wait" 2>err &&
	test_grep "gild sandbox: the process limit (4) refused a fork" err
'

test_expect_success SANDBOX,RLIMIT_ONLY 'without cgroup v1 the memory limit is the address space: a hog fails' '
	gild sandbox --check >check &&
	test_grep "^memory limit  *ok  *rlimit fallback (RLIMIT_AS)" check &&
	# the shell fails to grow, as it can (dash: SIGSEGV, so not test_must_fail)
	! gild sandbox --mem 32 -- sh -c "x=\$(head -c 300000000 /dev/zero | tr \"\\\\0\" a); echo \${#x}" >out 2>err &&
	! grep 300000000 out
'

test_expect_success SANDBOX,RLIMIT_ONLY 'without cgroup v1 the process limit is RLIMIT_NPROC: forks are refused' '
	gild sandbox --check >check &&
	test_grep "^process limit  *ok  *rlimit fallback (RLIMIT_NPROC)" check &&
	test_must_fail gild sandbox --nproc 4 -- sh -c "for i in 1 2 3 4 5 6; do sleep 2 & done; wait" 2>err &&
	test_grep "Cannot fork" err
'

test_expect_success SANDBOX 'a missing command is 127 with a message' '
	test_expect_code 127 gild sandbox -- no-such-command-gild 2>err &&
	test_grep "gild sandbox: cannot run .no-such-command-gild.: No such file or directory" err
'

test_expect_success 'a missing bind source is a setup error naming it' '
	test_expect_code 1 gild sandbox --ro /nonexistent/gild -- true 2>err &&
	echo "gild: error: bind source '\''/nonexistent/gild'\'' does not exist" >expect &&
	test_cmp expect err
'

test_expect_success 'bad options are usage errors (exit 2)' '
	test_expect_code 2 gild sandbox 2>err &&
	test_grep "no command given" err &&
	test_expect_code 2 gild sandbox --timeout 0 -- true 2>err &&
	test_grep "gild sandbox: --timeout wants a whole number from 1 to 1073741824, not .0." err &&
	test_expect_code 2 gild sandbox --mem lots -- true 2>err &&
	test_grep "gild sandbox: --mem wants a whole number from 1 to 1073741824, not .lots." err &&
	test_expect_code 2 gild sandbox --tmpfs /t:huge -- true 2>err &&
	test_grep "gild sandbox: bad tmpfs size .huge." err &&
	test_expect_code 2 gild sandbox --setenv FOO -- true 2>err &&
	test_grep "gild sandbox: .FOO. is not K=V" err &&
	test_expect_code 2 gild sandbox --rw /tmp:/proc -- true 2>err &&
	test_grep "sandbox path ./proc. is managed by the sandbox" err
'

test_expect_success SANDBOX 'inside: builder user, localhost, fixed environment' '
	SOURCE_DATE_EPOCH=1700000000 SECRET=x gild sandbox --setenv FOO=bar -- \
		sh -c "id -un; hostname; echo \$HOME \$TZ \$LC_ALL \$FOO \$SOURCE_DATE_EPOCH \${SECRET:-none}" >out &&
	cat >expect <<-\EOF &&
	builder
	localhost
	/tmp UTC C.UTF-8 bar 1700000000 none
	EOF
	test_cmp expect out
'

test_expect_success SANDBOX 'inside: a minimal /dev, no /sys, the command is pid 2' '
	gild sandbox -- sh -c "ls /dev; test -e /sys || echo nosys; echo \$\$" >out &&
	cat >expect <<-\EOF &&
	fd
	full
	null
	ptmx
	pts
	random
	shm
	stderr
	stdin
	stdout
	tty
	urandom
	zero
	nosys
	2
	EOF
	test_cmp expect out
'

test_expect_success SANDBOX 'rw and ro binds and tmpfs appear where asked' '
	mkdir -p rw ro && echo hello >ro/file && chmod 777 rw &&
	gild sandbox --ro "$PWD/ro:/src" --rw "$PWD/rw:/build" --tmpfs /scratch:1m -- \
		sh -c "cat /src/file >/build/copy && ! touch /src/new 2>/dev/null && df -k /scratch | tail -n 1" >out &&
	test_cmp ro/file rw/copy &&
	! test -e ro/new &&
	test_grep " 1024 " out
'

test_expect_success SANDBOX '--root gives only that tree, read-only, with /etc synthesized' '
	mkdir -p stage/etc stage/usr stage/build &&
	ln -s usr/bin stage/bin && ln -s usr/lib stage/lib && ln -s usr/lib64 stage/lib64 &&
	echo from-stage >stage/etc/motd &&
	gild sandbox --root "$PWD/stage" --ro /usr -- \
		sh -c "cat /etc/motd; grep -c builder /etc/passwd; touch /x /build/x 2>/dev/null || echo ro; ls /" >out &&
	printf "from-stage\n1\nro\nbin\nbuild\ndev\netc\nlib\nlib64\nproc\ntmp\nusr\n" >expect &&
	test_cmp expect out &&
	! test -e stage/etc/passwd && ! test -e stage/proc
'

test_expect_success SANDBOX '--check lists the protections and exits 0 here' '
	gild sandbox --check >out &&
	test_grep "^user namespace  *ok" out &&
	test_grep "^seccomp  *ok  *filter for x86-64 x86 x32" out &&
	test_grep "^memory limit  *ok" out &&
	test_grep "^landlock " out
'

test_expect_success SANDBOX 'signals the caller ignores are not ignored inside' '
	(trap "" PIPE INT TERM CHLD && gild sandbox -- grep -E "^Sig(Ign|Blk)" /proc/self/status) >out &&
	printf "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n" >expect &&
	test_cmp expect out
'

test_expect_success SANDBOX '--check --json gives the same as JSON' '
	gild sandbox --check --json >out &&
	test_grep "^{\"ok\": true, \"protections\": \[" out &&
	test_grep "{\"name\": \"seccomp\", \"ok\": true, \"needed\": true, \"detail\": \"filter for x86-64 x86 x32\"}" out &&
	test_grep "^\]}$" out
'

test_expect_success SANDBOX '-v times each setup step, in gild, pid 1 and the command' '
	gild sandbox -v -- true 2>err &&
	test_grep "^sandbox: *[0-9]*\.[0-9][0-9][0-9] ms gild ids resolved$" err &&
	test_grep "^sandbox: *[0-9.]* ms pid1 pivoted into the new root$" err &&
	test_grep "^sandbox: *[0-9.]* ms cmd  seccomp loaded, exec$" err &&
	test_grep "^sandbox: *[0-9.]* ms gild status read$" err &&
	gild sandbox -- true 2>err &&
	! test -s err
'

test_expect_success SANDBOX 'inside: the mount table holds the sandbox'\''s mounts only' '
	gild sandbox -- cut -d" " -f5 /proc/self/mountinfo >out &&
	head -n 1 out >first && echo / >expect && test_cmp expect first &&
	! grep -E "^/(oldroot|newroot|skel|sys|run)(/|$)" out &&
	test_grep "^/usr$" out &&
	test_grep "^/dev/null$" out &&
	test_grep "^/proc/sys$" out &&
	test_grep "^/tmp$" out
'

# The command's process execs from a stack of its own (run.c), where
# execvp copies argv for a script without "#!".
test_expect_success SANDBOX 'a script without #! runs through sh, with 100000 arguments' '
	mkdir -p bin && echo "echo no-shebang \$# \$1" >bin/script && chmod 755 bin/script &&
	gild sandbox --ro "$PWD/bin:/opt/bin" -- /opt/bin/script $(seq 100000) >out &&
	echo "no-shebang 100000 1" >expect &&
	test_cmp expect out
'

# Errors of the setup inside reach gild through a pipe read once pid 1
# has ended.
test_expect_success SANDBOX 'a setup error inside names the path as the command would see it' '
	test_expect_code 1 gild sandbox --tmpfs /usr/gild-x -- true 2>err &&
	echo "gild: error: cannot create directory '\''/usr/gild-x'\'': Read-only file system" >expect &&
	test_cmp expect err
'

# gild sandbox returns without waiting for pid 1's own exit, but only once
# pid 1 has killed and reaped every other process of the sandbox.
test_expect_success SANDBOX 'when gild sandbox returns, no process it started is left' '
	mkdir -p ticks && chmod 777 ticks &&
	gild sandbox --rw "$PWD/ticks:/out" -- \
		sh -c "(trap \"\" HUP TERM; while :; do echo x >>/out/tick; done) & sleep 0.2" &&
	wc -c <ticks/tick >before && sleep 0.3 && wc -c <ticks/tick >after &&
	test_cmp before after
'


# gild's pid is the shell's after exec; the groups are sandbox-PID-N.
test_expect_success SANDBOX,CGROUP_V1 'the cgroups of --mem and --nproc are gone when gild sandbox returns' '
	sh -c "echo \$\$ >gild.pid; exec gild sandbox --mem 64 --nproc 50 -- true" &&
	pid=$(cat gild.pid) &&
	! ls -d /sys/fs/cgroup/memory/gild/sandbox-$pid-* /sys/fs/cgroup/pids/gild/sandbox-$pid-* 2>/dev/null
'

# gild moves pid 1 into the groups while pid 1 builds the root; the
# cgroup namespace must come after that move, so that the groups are "/".
test_expect_success SANDBOX,CGROUP_V1 'with --mem and --nproc the command starts in its groups, seen as /' '
	gild sandbox --mem 64 --nproc 50 -- cat /proc/self/cgroup >out &&
	test_grep "^[0-9]*:memory:/$" out &&
	test_grep "^[0-9]*:pids:/$" out
'

# writable, not only there: a container may show cgroup v1 read-only
if [ "$(id -u)" = 0 ] && [ -w /sys/fs/cgroup/memory ]; then test_set_prereq MEMCG
else test_set_prereq_reason MEMCG "needs root and a writable cgroup v1 memory controller"; fi

test_expect_success SANDBOX,MEMCG 'a cgroup left by a killed gild with the same pid is reused, not an error' '
	sh -c "mkdir -p /sys/fs/cgroup/memory/gild/sandbox-\$\$-0 &&
		exec gild sandbox --mem 67108864 -- true" 2>err &&
	test_must_be_empty err
'

test_done
