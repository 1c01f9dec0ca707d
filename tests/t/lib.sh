# lib.sh: git-style shell test library for gild (source it from tests/t/NNNN-*.sh).
#
#   test_description='what this script checks'
#   . "$(dirname "$0")/lib.sh"
#   test_expect_success 'title' '
#           gild vercmp 1.0 1.0_p1 >out &&
#           echo "<" >expect &&
#           test_cmp expect out
#   '
#   test_done
#
# Each script runs in its own tests/t/trash.NNNN-name/ (removed on success
# unless GILD_KEEP_TRASH=1); gild is on PATH (GILD_BINDIR). Output is TAP.
# Prerequisites: test_have_prereq NAME, or 'NAME' as the first argument of
# test_expect_success; a test whose prerequisite is missing is skipped with
# the reason given by test_set_prereq_reason.

set -u
TEST_DIRECTORY=$(cd "$(dirname "$0")" && pwd)
GILD_TOP=${GILD_TOP:-$(cd "$TEST_DIRECTORY/../.." && pwd)}
GILD_BINDIR=${GILD_BINDIR:-$GILD_TOP}
FIXTURES="$GILD_TOP/tests/fixtures"
PATH="$GILD_BINDIR:$PATH"
export PATH GILD_TOP FIXTURES
# what the environment may override in gild (config_env_vars) must not leak
# in from the caller (make asan exports its CFLAGS, for one)
unset USE GILD_MIRRORS DISTDIR PKGDIR CFLAGS CXXFLAGS LDFLAGS CPPFLAGS CHOST \
	FEATURES MAKEOPTS ACCEPT_KEYWORDS ACCEPT_LICENSE 2>/dev/null || true
export LC_ALL=C TZ=UTC
# What the tests create has the same modes whatever the caller's umask
# (a clone in /root under umask 077 runs make check too); gild's own
# independence from the umask is what 5060 and 7000 test, by setting one.
umask 022

this_test=$(basename "$0" .sh)
TRASH_DIRECTORY="$TEST_DIRECTORY/trash.$this_test"
rm -rf "$TRASH_DIRECTORY"
mkdir -p "$TRASH_DIRECTORY" || exit 1
cd "$TRASH_DIRECTORY" || exit 1

test_count=0 test_failure=0
prereqs_ok=" " prereqs_reason=""

say() { printf '%s\n' "$*"; }

test_set_prereq() { prereqs_ok="$prereqs_ok$1 "; }
# test_set_prereq_reason NAME "why it is missing"
test_set_prereq_reason() { prereqs_reason="$prereqs_reason$1=$2|"; }
test_have_prereq() {
	for p in $(echo "$1" | tr ',' ' '); do
		case "$prereqs_ok" in *" $p "*) ;; *) return 1 ;; esac
	done
	return 0
}
prereq_reason() {
	for p in $(echo "$1" | tr ',' ' '); do
		case "$prereqs_ok" in *" $p "*) continue ;; esac
		r=$(printf '%s' "$prereqs_reason" | tr '|' '\n' | sed -n "s/^$p=//p" | head -n 1)
		printf 'missing %s%s' "$p" "${r:+ ($r)}"
		return
	done
}

# Common prerequisites.
if [ "$(id -u)" = 0 ]; then test_set_prereq ROOT; else test_set_prereq_reason ROOT "not running as root"; fi
if [ "$(id -u)" != 0 ]; then test_set_prereq NOROOT; fi
if unshare --user --map-root-user true 2>/dev/null; then test_set_prereq USERNS
else test_set_prereq_reason USERNS "unshare --user fails here"; fi
if [ -n "${GILD_SLOW:-}" ]; then test_set_prereq SLOW
else test_set_prereq_reason SLOW "slow test: run make check-slow"; fi
for tool in mksquashfs unsquashfs mkfs.erofs mke2fs xorriso qemu-system-x86_64 python3 bwrap sfdisk mformat qemu-img; do
	name=$(echo "$tool" | tr 'a-z.-' 'A-Z__' | sed 's/_X86_64//')
	if command -v "$tool" >/dev/null 2>&1; then test_set_prereq "$name"
	else test_set_prereq_reason "$name" "$tool not installed"; fi
done

# gild's own sandbox (namespaces, seccomp), for the build and sandbox tests.
if gild sandbox -- true 2>/dev/null; then test_set_prereq SANDBOX
else test_set_prereq_reason SANDBOX "gild sandbox cannot create namespaces here"; fi

# make_hello_tree DIR: a copy of the build-basic fixture with its distfile
# made reproducibly (fixed mtimes and owners, gzip -n) and a Manifest.
make_hello_tree() {
	cp -r "$FIXTURES/build-basic" "$1" &&
	mkdir -p "$1/var/distfiles" &&
	(cd "$1/src" && tar --sort=name --mtime=@1700000000 --owner=0 --group=0 \
		--numeric-owner -cf - hello-1.0 | gzip -n >../var/distfiles/hello-1.0.tar.gz) &&
	f="$1/var/distfiles/hello-1.0.tar.gz" &&
	echo "DIST hello-1.0.tar.gz $(stat -c %s "$f") BLAKE2B $(b2sum "$f" | cut -d" " -f1) SHA512 $(sha512sum "$f" | cut -d" " -f1)" \
		>"$1/recipes/app-misc/hello/Manifest"
}

# The body runs in a subshell; what test_when_finished registered runs
# after it, whatever the body returned (git's test_when_finished).
test_run_() {
	(
		test_cleanup_=:
		eval "$1"
		rc=$?
		eval "$test_cleanup_"
		exit $rc
	) >"$TRASH_DIRECTORY/.test-output" 2>&1
}

# test_when_finished CMD: run CMD when the current test ends.
test_when_finished() {
	test_cleanup_="$*; $test_cleanup_"
}

test_expect_success() {
	prereq=""
	if [ $# = 3 ]; then prereq=$1; shift; fi
	test_count=$((test_count + 1))
	if [ -n "$prereq" ] && ! test_have_prereq "$prereq"; then
		say "ok $test_count - $1 # SKIP $(prereq_reason "$prereq")"
		return
	fi
	if test_run_ "$2"; then
		say "ok $test_count - $1"
	else
		test_failure=$((test_failure + 1))
		say "not ok $test_count - $1"
		sed 's/^/#	/' "$TRASH_DIRECTORY/.test-output" | tail -n 40
		printf '%s\n' "$2" | sed 's/^/#	> /'
	fi
}

# test_expect_failure [PREREQ] 'title' 'body': a known breakage (git's).
# The body runs: while it fails, the test is reported as skipped with the
# reason "known breakage"; once it passes, the breakage has vanished and
# the test fails, so that someone turns it into test_expect_success.
test_expect_failure() {
	prereq=""
	if [ $# = 3 ]; then prereq=$1; shift; fi
	test_count=$((test_count + 1))
	if [ -n "$prereq" ] && ! test_have_prereq "$prereq"; then
		say "ok $test_count - $1 # SKIP $(prereq_reason "$prereq")"
		return
	fi
	if test_run_ "$2"; then
		test_failure=$((test_failure + 1))
		say "not ok $test_count - $1 # known breakage vanished: make it test_expect_success"
	else
		say "ok $test_count - $1 # SKIP known breakage"
	fi
}

# test_must_fail CMD...: CMD must exit non-zero, but not by a signal or
# sanitizer crash (>128).
test_must_fail() {
	"$@"
	rc=$?
	if [ $rc -eq 0 ]; then echo "test_must_fail: '$*' succeeded" >&2; return 1; fi
	if [ $rc -gt 128 ]; then echo "test_must_fail: '$*' died with $rc" >&2; return 1; fi
	return 0
}

# test_expect_code N CMD...
test_expect_code() {
	want=$1; shift
	"$@"
	rc=$?
	[ $rc -eq "$want" ] && return 0
	echo "test_expect_code: '$*' exited $rc, wanted $want" >&2
	return 1
}

test_cmp() { diff -u "$1" "$2"; }

test_must_be_empty() {
	[ ! -s "$1" ] && return 0
	echo "test_must_be_empty: '$1' is not empty, it holds:" >&2
	cat "$1" >&2
	return 1
}

# test_grep [-v] [grep options] PATTERN FILE
test_grep() {
	if [ "$1" = "!" ] || [ "$1" = "-v" ]; then
		shift
		if grep "$@"; then echo "test_grep: unexpected match for '$*'" >&2; return 1; fi
		return 0
	fi
	grep "$@" && return 0
	eval "last=\${$#}"
	echo "test_grep: no match for '$*'; the file holds:" >&2
	cat "$last" >&2 2>/dev/null
	return 1
}

test_done() {
	echo "1..$test_count"
	cd "$TEST_DIRECTORY" || exit 1
	if [ "$test_failure" -eq 0 ] && [ -z "${GILD_KEEP_TRASH:-}" ]; then
		rm -rf "$TRASH_DIRECTORY"
	fi
	[ "$test_failure" -eq 0 ]
	exit $?
}
