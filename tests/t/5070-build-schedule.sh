#!/bin/sh
test_description='gild build: a plan built as a graph, several packages at once'
# critical path first; --keep-going; SIGINT/SIGTERM; two runs at once; the
# progress display on a terminal, without one, and as JSON events.
. "$(dirname "$0")/lib.sh"

# sched_recipe NAME DEPEND BODY: a recipe in app-sched whose src_compile
# runs BODY (a sleep, a failure) and which installs one file.
sched_recipe() {
	mkdir -p g/recipes/app-sched/$1 &&
	cat >g/recipes/app-sched/$1/$1-1.recipe <<-RECIPE
	EAPI=8
	DESCRIPTION="scheduler test package $1"
	SLOT="0"
	KEYWORDS="amd64"
	LICENSE="MIT"
	DEPEND="$2"
	S="\${WORKDIR}"
	src_compile() {
		$3
	}
	src_install() {
		insinto /usr/share/sched
		echo $1 >$1.txt
		doins $1.txt
	}
	RECIPE
}

# The first argument of every "start" event, in order.
starts() { sed -n 's/^{"event":"start","cpv":"app-sched\/\([^"]*\)-1".*/\1/p' "$1"; }

test_expect_success SANDBOX 'a generated tree: a chain, two independent packages, a failure and what it holds back' '
	cp -r "$FIXTURES/build-basic" g &&
	echo app-sched >>g/profiles/categories &&
	sched_recipe z1 "" "sleep 1" &&
	sched_recipe z2 "app-sched/z1" "sleep 1" &&
	sched_recipe z3 "app-sched/z2" "true" &&
	sched_recipe a1 "" "sleep 2" &&
	sched_recipe a2 "" "sleep 2" &&
	sched_recipe bad "" "die \"broken on purpose\"" &&
	sched_recipe needbad "app-sched/bad" "true" &&
	sched_recipe afterbad "app-sched/needbad" "true" &&
	sched_recipe slow "" "sleep 600" &&
	gild -C g pretend app-sched/z3 app-sched/a1 >plan &&
	test_grep "app-sched/z3-1" plan
'

test_expect_success SANDBOX 'the longest path to the end of the plan starts first' '
	gild -C g build -j1 --json-events 3 app-sched/a1 app-sched/a2 app-sched/z3 \
		>out 2>err 3>events &&
	starts events >order &&
	head -n1 order >first && echo z1 >expect && test_cmp expect first &&
	test "$(grep -n "^z2$" order | cut -d: -f1)" -lt "$(grep -n "^a1$" order | cut -d: -f1)" &&
	test_grep "slot use .* of 1 job$" err
'

test_expect_success SANDBOX 'with -j2 two independent packages build at once' '
	rm -rf g/var/packages &&
	gild -C g build -j2 --json-events 3 app-sched/a1 app-sched/a2 >out 2>err 3>events &&
	sed -n "s/^{\"event\":\"\([a-z]*\)\",\"cpv\":\"app-sched\/\(a[12]\)-1\".*/\1 \2/p" events |
		grep -v phase >seq &&
	head -n2 seq >both && printf "start a1\nstart a2\n" >expect1 && printf "start a2\nstart a1\n" >expect2 &&
	{ test_cmp expect1 both || test_cmp expect2 both; } &&
	test_grep "2 built, 0 reused" err
'

test_expect_success SANDBOX 'JSON events: one object per line, ending with the summary' '
	python3 -c "
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert ev[-1][\"event\"] == \"end\", ev[-1]
assert ev[-1][\"built\"] == 2 and ev[-1][\"total\"] == 2, ev[-1]
assert {e[\"event\"] for e in ev} >= {\"start\", \"phase\", \"done\", \"end\"}
" events
'

test_expect_success SANDBOX 'without a terminal: one plain line per event, nothing redrawn' '
	rm -rf g/var/packages &&
	gild -C g build -j2 app-sched/z2 >out 2>err &&
	test_grep "^>>> \[1/2\] Building app-sched/z1-1$" err &&
	test_grep "^<<< \[1/2\] app-sched/z1-1 built in [0-9.]* s$" err &&
	test_grep "^>>> app-sched/z2-1: built " out &&
	! grep -q "$(printf "\r")" err
'

test_expect_success SANDBOX 'on a terminal: a status line redrawn in place, results above it' '
	rm -rf g/var/packages &&
	TERM=xterm script -qec "gild -C g build -j2 app-sched/z2" /dev/null >tty &&
	grep -q "$(printf "\r\033\[K")" tty &&
	test_grep "\[0/2\] 1 building: z1 (" tty &&
	test_grep ">>> app-sched/z2-1: built " tty &&
	test_grep "2 built, 0 reused" tty
'

test_expect_success SANDBOX 'a failure stops new starts without --keep-going' '
	rm -rf g/var/packages &&
	test_expect_code 1 gild -C g build -j1 app-sched/afterbad app-sched/a1 >out 2>err &&
	test_grep "broken on purpose" err &&
	test_grep "0 built, 0 reused, 1 failed" err &&
	! ls g/var/packages/app-sched 2>/dev/null
'

test_expect_success SANDBOX '--keep-going builds everything the failure does not hold back' '
	test_expect_code 1 gild -C g build -j1 --keep-going app-sched/afterbad app-sched/a1 app-sched/z2 >out 2>err &&
	test_grep "!!! app-sched/needbad-1 skipped: it is built against app-sched/bad-1" err &&
	test_grep "!!! app-sched/afterbad-1 skipped: it is built against app-sched/needbad-1" err &&
	test_grep "3 built, 0 reused, 1 failed, 2 skipped" err &&
	test_grep "\*\*\* failed: app-sched/bad-1, log: .*/build.log" err &&
	ls g/var/packages/app-sched >built &&
	test_grep "^a1-1-" built && test_grep "^z1-1-" built && test_grep "^z2-1-" built &&
	! test_grep "needbad\|afterbad" built
'

# interrupt SIGNAL STATUS: start a plan of a quick and an endless package,
# wait for the quick one's package and the endless one's compile, send the
# signal, and check what is left.
interrupt() {
	rm -rf g/var/packages status &&
	(gild -C g build -j2 app-sched/slow app-sched/z1 >int.out 2>int.err & echo $! >pid; wait $!; echo $? >status) &
	for i in $(seq 150); do ls g/var/packages/app-sched/z1-1-* >/dev/null 2>&1 &&
		pgrep -f "sleep 600" >/dev/null && break; sleep 0.2; done &&
	pgrep -f "sleep 600" >/dev/null &&
	kill -$1 $(cat pid) &&
	for i in $(seq 100); do test -s status && break; sleep 0.2; done &&
	echo $2 >expect && test_cmp expect status &&
	! pgrep -f "sleep 600" &&
	! ls g/var/packages/app-sched/slow-* 2>/dev/null &&
	test_grep "interrupted by signal" int.err &&
	flock -n g/var/tmp/gild/app-sched/.slow-1.lock true
}

test_expect_success SANDBOX 'SIGINT stops the running builds: exit 130, no package, no lock held' '
	interrupt INT 130
'

test_expect_success SANDBOX 'SIGTERM likewise exits 143; the rerun reuses what was built' '
	interrupt TERM 143 &&
	gild -C g build app-sched/z1 >out 2>err &&
	test_grep "^>>> app-sched/z1-1: reused " out
'

test_expect_success SANDBOX 'PKGDIR'"'"'s index is written at the end of a plan, not per package; a reader meanwhile still finds what was built' '
	rm -rf g/var/packages status &&
	(gild -C g build -j2 app-sched/slow app-sched/z1 >idx.out 2>idx.err & echo $! >pid; wait $!; echo $? >status) &
	for i in $(seq 150); do ls g/var/packages/app-sched/z1-1-* >/dev/null 2>&1 &&
		pgrep -f "sleep 600" >/dev/null && break; sleep 0.2; done &&
	pgrep -f "sleep 600" >/dev/null &&
	test ! -e g/var/packages/Packages &&
	gild repo list --pkgdir g/var/packages >during &&
	test_grep "app-sched/z1-1" during &&
	rm -f g/var/packages/Packages g/var/packages/Packages.solv &&
	kill -TERM $(cat pid) &&
	for i in $(seq 100); do test -s status && break; sleep 0.2; done &&
	echo 143 >expect && test_cmp expect status &&
	test_grep "app-sched/z1-1" g/var/packages/Packages &&
	test_grep "^PACKAGES: 1$" g/var/packages/Packages
'

test_expect_success SANDBOX 'two gild build runs of one plan at once build each package once' '
	rm -rf g/var/packages &&
	gild -C g build -j2 app-sched/z3 app-sched/a2 >c1 2>&1 &
	gild -C g build -j2 app-sched/z3 app-sched/a2 >c2 2>&1 &&
	wait $! &&
	cat c1 c2 | sed -n "s/^>>> \(app-sched\/[^:]*\): built .*/\1/p" | sort >built &&
	printf "app-sched/a2-1\napp-sched/z1-1\napp-sched/z2-1\napp-sched/z3-1\n" >expect &&
	test_cmp expect built &&
	test $(ls g/var/packages/app-sched | wc -l) = 4
'

test_expect_success SANDBOX 'recorded build times give the estimate of what is left' '
	test_grep "^app-sched/a2-1 [0-9.]*$" g/var/tmp/gild/.build-times
'

test_expect_success SANDBOX '--verify-reproducible builds each package twice and finds them identical' '
	rm -rf g/var/packages &&
	gild -C g build -j2 --verify-reproducible app-sched/z2 >out 2>err &&
	test_grep "2 built, 0 reused, 0 failed" err &&
	! ls g/var/tmp/gild/.repro/packages/app-sched/*.gpkg.tar 2>/dev/null
'

test_expect_success SANDBOX '--verify-reproducible names the file and offset of a difference' '
	sched_recipe stamp "" "date +%s%N >when" &&
	cat >>g/recipes/app-sched/stamp/stamp-1.recipe <<-\EOF &&
	src_install() {
		insinto /usr/share/sched
		doins when
	}
	EOF
	test_expect_code 1 gild -C g build --verify-reproducible app-sched/stamp >out 2>err &&
	test_grep "app-sched/stamp-1. is not reproducible: /usr/share/sched/when differs from byte [0-9]* (sizes 20 and 20)" err &&
	test_grep "the second build is .*/.repro/packages/app-sched/stamp-1-" err
'

test_expect_success 'bad scheduling options are usage errors' '
	cp -r "$FIXTURES/build-basic" o &&
	test_expect_code 2 gild -C o build -j 0 app-sched/z1 2>err &&
	test_grep "jobs wants a whole number" err &&
	test_expect_code 2 gild -C o build --load-average x app-sched/z1 2>err &&
	test_grep "load-average wants a positive number" err &&
	test_expect_code 2 gild -C o build --json-events 99 app-sched/z1 2>err &&
	test_grep "json-events wants an open file descriptor" err &&
	test_expect_code 2 env GILD_JOBS=many gild -C o build app-sched/z1 2>err &&
	test_grep "GILD_JOBS" err
'

test_done
