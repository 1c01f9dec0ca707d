#!/bin/sh
test_description='gild fetch: mirrors, upstream, resume, redirects, timeouts, Manifest checks'
. "$(dirname "$0")/lib.sh"

# A loopback HTTP server (tests/lib/httpd.py) serving www/, killed at exit.
start_httpd() {
	python3 "$GILD_TOP/tests/lib/httpd.py" --root www --port-file port \
		--log httpd.log --slow 5 2>httpd.err &
	httpd_pid=$!
	trap 'kill $httpd_pid 2>/dev/null' EXIT
	i=0
	while [ ! -s port ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	PORT=$(cat port)
	URL=http://127.0.0.1:$PORT
}

# fetch SRC_URI [options]: gild fetch against pkg/Manifest into dist/
fetch() {
	src=$1
	shift
	gild fetch --distdir dist --manifest pkg/Manifest --src-uri "$src" "$@"
}

# The port nobody listens on: a mirror that is down.
DOWN=http://127.0.0.1:1

if test_have_prereq PYTHON3; then
	mkdir -p www/sub www/bad dist pkg mirror/distfiles &&
	python3 -c 'import os,sys; sys.stdout.buffer.write(os.urandom(100000))' >www/foo-1.tar.gz &&
	cp www/foo-1.tar.gz www/sub/foo-1.tar.gz &&
	echo "right" >www/bar-1.tar.gz &&
	echo "wrong!" >www/bad/bar-1.tar.gz &&
	cp www/foo-1.tar.gz www/bar-1.tar.gz mirror/distfiles/ &&
	start_httpd &&
	test -n "$PORT" && test_set_prereq HTTPD
fi
test_set_prereq_reason HTTPD "python3 or the test server is not available"

test_expect_success HTTPD 'gild manifest writes sorted DIST lines with BLAKE2B and SHA512' '
	cp www/foo-1.tar.gz www/bar-1.tar.gz dist/ &&
	gild manifest --distdir dist pkg foo-1.tar.gz bar-1.tar.gz >out &&
	echo "pkg/Manifest: 2 DIST entries" >expect &&
	test_cmp expect out &&
	for f in bar-1.tar.gz foo-1.tar.gz; do
		echo "DIST $f $(wc -c <dist/$f) BLAKE2B $(b2sum dist/$f | cut -d" " -f1) SHA512 $(sha512sum dist/$f | cut -d" " -f1)" || exit 1
	done >expect &&
	test_cmp expect pkg/Manifest &&
	rm dist/*
'

test_expect_success HTTPD 'gild manifest without names recomputes the existing entries' '
	cp pkg/Manifest Manifest.orig &&
	cp www/foo-1.tar.gz www/bar-1.tar.gz dist/ &&
	gild manifest --distdir dist pkg >out &&
	echo "pkg/Manifest: 2 DIST entries" >expect &&
	test_cmp expect out &&
	test_cmp Manifest.orig pkg/Manifest &&
	rm dist/*
'

test_expect_success HTTPD 'fetches from upstream over HTTP' '
	fetch "$URL/foo-1.tar.gz" >out &&
	echo "foo-1.tar.gz: fetched from $URL/foo-1.tar.gz" >expect &&
	test_cmp expect out &&
	cmp www/foo-1.tar.gz dist/foo-1.tar.gz &&
	! test -e dist/foo-1.tar.gz.__download__
'

test_expect_success HTTPD 'a verified file in DISTDIR is not fetched again' '
	: >httpd.log &&
	fetch "$URL/foo-1.tar.gz" >out &&
	echo "foo-1.tar.gz: already in DISTDIR" >expect &&
	test_cmp expect out &&
	test_must_fail test -s httpd.log
'

test_expect_success HTTPD 'a mirror that is down is skipped for the next source' '
	rm -f dist/* &&
	fetch "$URL/foo-1.tar.gz" --mirrors "$DOWN" >out 2>err &&
	echo "foo-1.tar.gz: fetched from $URL/foo-1.tar.gz" >expect &&
	test_cmp expect out &&
	echo "gild: $DOWN/distfiles/foo-1.tar.gz: connection refused" >expect &&
	test_cmp expect err
'

test_expect_success HTTPD 'GILD_MIRRORS come before upstream (file:// flat layout)' '
	rm -f dist/* &&
	GILD_MIRRORS="file://$PWD/mirror" fetch "$URL/404/foo-1.tar.gz" >out &&
	echo "foo-1.tar.gz: fetched from file://$PWD/mirror/distfiles/foo-1.tar.gz" >expect &&
	test_cmp expect out
'

test_expect_success HTTPD 'a file:// mirror in the GLEP 75 filename-hash layout' '
	rm -f dist/* &&
	d=$(printf %s foo-1.tar.gz | b2sum | cut -c1-2) &&
	mkdir -p hashed/distfiles/$d &&
	printf "[structure]\n0=filename-hash BLAKE2B 8\n1=flat\n" >hashed/distfiles/layout.conf &&
	cp www/foo-1.tar.gz hashed/distfiles/$d/ &&
	fetch "$DOWN/foo-1.tar.gz" --mirrors "file://$PWD/hashed" >out &&
	echo "foo-1.tar.gz: fetched from file://$PWD/hashed/distfiles/$d/foo-1.tar.gz" >expect &&
	test_cmp expect out
'

test_expect_success HTTPD 'the layout.conf of an HTTP mirror is read (GLEP 75)' '
	rm -f dist/* &&
	d=$(printf %s foo-1.tar.gz | b2sum | cut -c1-2) &&
	mkdir -p www/hm &&
	cp -r hashed/distfiles www/hm/ &&
	: >httpd.log &&
	fetch "$DOWN/foo-1.tar.gz" --mirrors "$URL/hm/" >out &&
	echo "foo-1.tar.gz: fetched from $URL/hm/distfiles/$d/foo-1.tar.gz" >expect &&
	test_cmp expect out &&
	cat >expect <<-EOF &&
	GET /hm/distfiles/layout.conf
	GET /hm/distfiles/$d/foo-1.tar.gz
	EOF
	test_cmp expect httpd.log
'

test_expect_success HTTPD 'every failed source is listed with its reason' '
	rm -f dist/* &&
	test_expect_code 1 fetch "$URL/404/foo-1.tar.gz" --mirrors "$DOWN file://$PWD/nowhere" >out 2>err &&
	cat >expect <<-EOF &&
	gild: error: cannot fetch '"'"'foo-1.tar.gz'"'"': 3 sources tried, none worked
	  $DOWN/distfiles/foo-1.tar.gz: connection refused
	  file://$PWD/nowhere/distfiles/foo-1.tar.gz: no such file
	  $URL/404/foo-1.tar.gz: HTTP 404
	EOF
	test_cmp expect err &&
	! test -e dist/foo-1.tar.gz
'

test_expect_success HTTPD 'a redirect is followed' '
	rm -f dist/* &&
	fetch "$URL/redirect/sub/foo-1.tar.gz" >out &&
	cmp www/foo-1.tar.gz dist/foo-1.tar.gz
'

test_expect_success HTTPD 'a redirect loop stops after the redirect limit' '
	rm -f dist/* &&
	test_expect_code 1 fetch "$URL/loop/foo-1.tar.gz" 2>err &&
	test_grep "^  $URL/loop/foo-1.tar.gz: more than 10 redirects$" err
'

test_expect_success HTTPD 'a truncated transfer is resumed with a Range request' '
	rm -f dist/* &&
	: >httpd.log &&
	fetch "$URL/truncate/foo-1.tar.gz" >out &&
	cmp www/foo-1.tar.gz dist/foo-1.tar.gz &&
	cat >expect <<-EOF &&
	GET /truncate/foo-1.tar.gz
	GET /truncate/foo-1.tar.gz range=bytes=50000-
	EOF
	test_cmp expect httpd.log
'

test_expect_success HTTPD 'a partial file is resumed on the next run' '
	rm -f dist/* &&
	head -c 30000 www/foo-1.tar.gz >dist/foo-1.tar.gz.__download__ &&
	: >httpd.log &&
	fetch "$URL/foo-1.tar.gz" >out &&
	cmp www/foo-1.tar.gz dist/foo-1.tar.gz &&
	echo "GET /foo-1.tar.gz range=bytes=30000-" >expect &&
	test_cmp expect httpd.log
'

test_expect_success HTTPD 'a server that ignores Range restarts the file' '
	rm -f dist/* &&
	echo garbage >dist/foo-1.tar.gz.__download__ &&
	fetch "$URL/norange/foo-1.tar.gz" >out &&
	cmp www/foo-1.tar.gz dist/foo-1.tar.gz
'

test_expect_success HTTPD 'a cut transfer from a server without Range support restarts from zero' '
	rm -f dist/* &&
	: >httpd.log &&
	fetch "$URL/cutnorange/foo-1.tar.gz" >out &&
	cmp www/foo-1.tar.gz dist/foo-1.tar.gz &&
	cat >expect <<-EOF &&
	GET /cutnorange/foo-1.tar.gz
	GET /cutnorange/foo-1.tar.gz range=bytes=50000-
	GET /cutnorange/foo-1.tar.gz
	EOF
	test_cmp expect httpd.log &&
	test_must_fail test -e dist/foo-1.tar.gz.__download__
'

test_expect_success HTTPD 'a server that always cuts and cannot resume fails, leaving no partial file' '
	rm -f dist/* &&
	test_expect_code 1 fetch "$URL/cutalways/foo-1.tar.gz" 2>err &&
	test_grep "^  $URL/cutalways/foo-1.tar.gz: cut short, and the server cannot resume (no Range support)$" err &&
	test_must_fail test -e dist/foo-1.tar.gz &&
	test_must_fail test -e dist/foo-1.tar.gz.__download__
'

test_expect_success HTTPD 'the layout.conf probe of a mirror counts against the fetch timeout' '
	rm -f dist/* &&
	: >httpd.log &&
	test_expect_code 1 env GILD_FETCH_TIMEOUT=2 \
		gild fetch --distdir dist --manifest pkg/Manifest \
		--src-uri foo-1.tar.gz --mirrors "$URL/slow" 2>err &&
	echo "GET /slow/distfiles/layout.conf" >expect &&
	test_cmp expect httpd.log &&
	cat >expect <<-EOF &&
	gild: error: cannot fetch '"'"'foo-1.tar.gz'"'"': 1 source tried, none worked
	  $URL/slow/distfiles/foo-1.tar.gz: timed out (below 1 KiB/s for 2 s)
	EOF
	test_cmp expect err &&
	test_must_fail test -e dist/foo-1.tar.gz.__download__
'

test_expect_success HTTPD 'a mirror whose probe timed out is listed for each distfile, never asked again' '
	rm -f dist/* &&
	: >httpd.log &&
	test_expect_code 1 env GILD_FETCH_TIMEOUT=1 \
		gild fetch --distdir dist --manifest pkg/Manifest \
		--src-uri "$URL/bar-1.tar.gz $URL/404/foo-1.tar.gz" \
		--mirrors "$URL/slow" >out 2>err &&
	cat >expect <<-EOF &&
	GET /slow/distfiles/layout.conf
	GET /bar-1.tar.gz
	GET /404/foo-1.tar.gz
	EOF
	test_cmp expect httpd.log &&
	echo "bar-1.tar.gz: fetched from $URL/bar-1.tar.gz" >expect &&
	test_cmp expect out &&
	cat >expect <<-EOF &&
	gild: $URL/slow/distfiles/bar-1.tar.gz: timed out (below 1 KiB/s for 1 s)
	gild: error: cannot fetch '"'"'foo-1.tar.gz'"'"': 2 sources tried, none worked
	  $URL/slow/distfiles/foo-1.tar.gz: timed out (below 1 KiB/s for 1 s)
	  $URL/404/foo-1.tar.gz: HTTP 404
	EOF
	test_cmp expect err
'

test_expect_success HTTPD 'gild build probes a mirror under the configured fetch timeout' '
	cp -r "$FIXTURES/build-basic" btree &&
	echo "DIST hello-1.0.tar.gz 100000 BLAKE2B 00 SHA512 00" \
		>btree/recipes/app-misc/hello/Manifest &&
	: >httpd.log &&
	test_expect_code 1 env GILD_FETCH_TIMEOUT=1 GILD_MIRRORS="$URL/slow" \
		gild --tree btree build --fetchonly app-misc/hello >out 2>err &&
	echo "GET /slow/distfiles/layout.conf" >expect &&
	test_cmp expect httpd.log &&
	test_grep "; $URL/slow/distfiles/hello-1.0.tar.gz: timed out (below 1 KiB/s for 1 s);" err
'

test_expect_success HTTPD 'GILD_FETCH_TIMEOUT in the environment counts without a configuration' '
	rm -f dist/* &&
	test_expect_code 1 env GILD_FETCH_TIMEOUT=1 \
		gild fetch --distdir dist --manifest pkg/Manifest \
		--src-uri "$URL/slow/foo-1.tar.gz" 2>err &&
	test_grep "^  $URL/slow/foo-1.tar.gz: timed out (below 1 KiB/s for 1 s)$" err &&
	test_expect_code 2 env GILD_FETCH_TIMEOUT=soon \
		gild fetch --distdir dist --manifest pkg/Manifest \
		--src-uri "$URL/foo-1.tar.gz" 2>err &&
	echo "gild: error: environment: '"'"'GILD_FETCH_TIMEOUT'"'"' is not a whole number: '"'"'soon'"'"'" >expect &&
	test_cmp expect err
'

test_expect_success HTTPD 'a long transfer shows a progress line with -v' '
	rm -f dist/* &&
	fetch "$URL/trickle/foo-1.tar.gz" -v >out 2>err &&
	cmp www/foo-1.tar.gz dist/foo-1.tar.gz &&
	test_grep "^foo-1.tar.gz: [0-9.]* KiB / 97.7 KiB, [0-9.]* [KMG]*i*B/s$" err
'

test_expect_success HTTPD 'no progress line without -v when stderr is no terminal' '
	rm -f dist/* &&
	fetch "$URL/trickle/foo-1.tar.gz" >out 2>err &&
	test_must_fail test -s err
'

test_expect_success HTTPD 'a slow server fails after the timeout' '
	rm -f dist/* &&
	test_expect_code 1 fetch "$URL/slow/foo-1.tar.gz" --timeout 1 2>err &&
	test_grep "^  $URL/slow/foo-1.tar.gz: timed out (below 1 KiB/s for 1 s)$" err
'

test_expect_success HTTPD 'a server dripping a byte now and then times out, leaving no empty partial' '
	rm -f dist/* &&
	test_expect_code 1 fetch "$URL/drip/foo-1.tar.gz" --timeout 2 2>err &&
	test_grep "^  $URL/drip/foo-1.tar.gz: timed out (below 1 KiB/s for 2 s)$" err &&
	test_must_fail test -e dist/foo-1.tar.gz
'

test_expect_success HTTPD 'a body longer than the Manifest says stops at its size' '
	rm -f dist/* &&
	test_expect_code 1 fetch "$URL/long/foo-1.tar.gz" 2>err &&
	test_grep "^  $URL/long/foo-1.tar.gz: sent more than the Manifest.s 100000 bytes; stopped there$" err &&
	test $(cat dist/foo-1.tar.gz.__download__ 2>/dev/null | wc -c) -le 100000
'

test_expect_success HTTPD 'a failed fetch that got nothing leaves no empty partial file' '
	rm -f dist/* &&
	test_expect_code 1 fetch "$URL/404/foo-1.tar.gz" 2>err &&
	test_must_fail test -e dist/foo-1.tar.gz.__download__
'

test_expect_success HTTPD 'two fetches of one distfile at once: one downloads, both succeed' '
	rm -f dist/* &&
	: >httpd.log &&
	{ fetch "$URL/foo-1.tar.gz" >out1 & } &&
	fetch "$URL/foo-1.tar.gz" >out2 &&
	wait $! &&
	cmp www/foo-1.tar.gz dist/foo-1.tar.gz &&
	test $(grep -c . httpd.log) -eq 1 &&
	cat out1 out2 | sort >both &&
	cat >expect <<-EOF &&
	foo-1.tar.gz: already in DISTDIR
	foo-1.tar.gz: fetched from $URL/foo-1.tar.gz
	EOF
	test_cmp expect both
'

test_expect_success HTTPD 'a file longer than the Manifest says is refused at its size, and not kept' '
	rm -rf dist/* dist/.bad &&
	test_expect_code 1 fetch "$URL/bad/bar-1.tar.gz" 2>err &&
	test_grep "^  $URL/bad/bar-1.tar.gz: larger than the Manifest.s 6 bytes$" err &&
	! test -e dist/bar-1.tar.gz &&
	! test -e dist/bar-1.tar.gz.__download__
'

test_expect_success HTTPD 'a hash mismatch of the right size says which hash and both values' '
	rm -rf dist/* dist/.bad &&
	echo "wrong" >www/bad/bar-1.tar.gz &&
	test_expect_code 1 fetch "$URL/bad/bar-1.tar.gz" 2>err &&
	want=$(b2sum www/bar-1.tar.gz | cut -d" " -f1) &&
	got=$(b2sum www/bad/bar-1.tar.gz | cut -d" " -f1) &&
	echo "pkg/Manifest:1: error: BLAKE2B mismatch for '"'"'bar-1.tar.gz'"'"': expected $want, got $got" >expect &&
	head -n 1 err >first &&
	test_cmp expect first
'

test_expect_success HTTPD 'a corrupt file in DISTDIR is moved aside and fetched again' '
	rm -rf dist/* dist/.bad &&
	echo "wrong" >dist/bar-1.tar.gz &&
	fetch "$URL/bar-1.tar.gz" >out 2>err &&
	cmp www/bar-1.tar.gz dist/bar-1.tar.gz &&
	test -e dist/.bad/bar-1.tar.gz.1 &&
	test_grep "^gild: dist/bar-1.tar.gz: BLAKE2B mismatch" err
'

test_expect_success HTTPD 'a second bad copy gets the next number in .bad' '
	echo "wrong" >dist/bar-1.tar.gz &&
	fetch "$URL/bar-1.tar.gz" >out 2>err &&
	test -e dist/.bad/bar-1.tar.gz.1 &&
	test -e dist/.bad/bar-1.tar.gz.2
'

test_expect_success HTTPD 'a distfile without a Manifest entry is not fetched' '
	: >httpd.log &&
	test_expect_code 1 fetch "$URL/foo-1.tar.gz -> baz-1.tar.gz" 2>err &&
	echo "pkg/Manifest: error: no DIST entry for '"'"'baz-1.tar.gz'"'"'" >expect &&
	test_cmp expect err &&
	test_must_fail test -s httpd.log
'

test_expect_success HTTPD 'mirror:// is expanded from profiles/thirdpartymirrors' '
	rm -rf dist/* &&
	mkdir -p profiles &&
	printf "# comment\nlocal $DOWN/x $URL/sub\n" >profiles/thirdpartymirrors &&
	fetch "mirror://local/foo-1.tar.gz" >out 2>err &&
	echo "foo-1.tar.gz: fetched from $URL/sub/foo-1.tar.gz" >expect &&
	test_cmp expect out &&
	echo "gild: $DOWN/x/foo-1.tar.gz: connection refused" >expect &&
	test_cmp expect err
'

test_expect_success HTTPD 'an unknown mirror:// name is an error' '
	test_expect_code 1 fetch "mirror://nosuch/foo-1.tar.gz" 2>err &&
	echo "gild: error: unknown mirror '"'"'nosuch'"'"' in '"'"'mirror://nosuch/foo-1.tar.gz'"'"' (not in profiles/thirdpartymirrors)" >expect &&
	test_cmp expect err
'

test_expect_success HTTPD 'DISTDIR and GILD_MIRRORS come from gild.conf' '
	mkdir -p tree/etc &&
	cp -r "$GILD_TOP/profiles" tree/ &&
	cat >tree/etc/gild.conf <<-EOF &&
	DISTDIR="$PWD/confdist"
	GILD_MIRRORS="file://$PWD/mirror"
	EOF
	gild --tree tree fetch --manifest pkg/Manifest --src-uri "$DOWN/foo-1.tar.gz" >out &&
	echo "foo-1.tar.gz: fetched from file://$PWD/mirror/distfiles/foo-1.tar.gz" >expect &&
	test_cmp expect out &&
	cmp www/foo-1.tar.gz confdist/foo-1.tar.gz
'

test_expect_success HTTPD 'fetch timeouts come from gild.conf' '
	cat >>tree/etc/gild.conf <<-EOF &&
	GILD_FETCH_TIMEOUT=1
	EOF
	rm -f confdist/* &&
	test_expect_code 1 gild --tree tree fetch --mirrors "" --manifest pkg/Manifest --src-uri "$URL/slow/foo-1.tar.gz" 2>err &&
	test_grep "^  $URL/slow/foo-1.tar.gz: timed out (below 1 KiB/s for 1 s)$" err
'

test_expect_success HTTPD 'a gild.conf that does not load is an error, not ignored' '
	echo "PROFILE=nosuch/profile" >tree/etc/gild.conf &&
	test_must_fail gild --tree tree fetch --manifest pkg/Manifest --src-uri "$DOWN/foo-1.tar.gz" 2>err &&
	test_grep "nosuch/profile" err
'

test_expect_success 'a dangling -> in SRC_URI is bad input' '
	test_expect_code 2 gild fetch --manifest Manifest --src-uri "http://x/a.tar.gz ->" 2>err &&
	echo "gild: error: expected a file name after '"'"'->'"'"' at column 19" >expect &&
	test_cmp expect err
'

test_expect_success HTTPD 'SRC_URI USE conditionals follow --use' '
	rm -rf dist/* &&
	fetch "ssl? ( $URL/foo-1.tar.gz ) !ssl? ( $URL/bar-1.tar.gz )" --use "ssl" >out &&
	echo "foo-1.tar.gz: fetched from $URL/foo-1.tar.gz" >expect &&
	test_cmp expect out &&
	fetch "ssl? ( $URL/foo-1.tar.gz ) !ssl? ( $URL/bar-1.tar.gz )" >out &&
	echo "bar-1.tar.gz: fetched from $URL/bar-1.tar.gz" >expect &&
	test_cmp expect out
'

test_expect_success 'a malformed Manifest line is reported with file:line' '
	printf "DIST a 1 BLAKE2B 00 SHA512 00\nDIST b x BLAKE2B 00\n" >Manifest &&
	test_expect_code 2 gild fetch --manifest Manifest --src-uri "http://x/a" 2>err &&
	echo "Manifest:2: error: bad size '"'"'x'"'"' for '"'"'b'"'"'" >expect &&
	test_cmp expect err
'

kill $httpd_pid 2>/dev/null
test_done
