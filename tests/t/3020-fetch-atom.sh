#!/bin/sh
test_description='gild fetch ATOM: a recipe'"'"'s SRC_URI under USE, mirror://, RESTRICT=fetch and mirror, Manifest names'
. "$(dirname "$0")/lib.sh"

start_httpd() {
	python3 "$GILD_TOP/tests/lib/httpd.py" --root www --port-file port \
		--log httpd.log 2>httpd.err &
	httpd_pid=$!
	trap 'kill $httpd_pid 2>/dev/null' EXIT
	i=0
	while [ ! -s port ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	PORT=$(cat port)
	URL=http://127.0.0.1:$PORT
}

# recipe CAT/PN PV BODY: write recipes/CAT/PN/PN-PV.recipe
recipe() {
	mkdir -p "tree/recipes/$1" &&
	{
		echo "EAPI=8" &&
		echo "SLOT=\"0\"" &&
		echo "KEYWORDS=\"amd64\"" &&
		printf '%s\n' "$3"
	} >"tree/recipes/$1/${1#*/}-$2.recipe"
}

if test_have_prereq PYTHON3; then
	mkdir -p www/gnu/hello www/sub tree/profiles &&
	echo "hello one" >www/gnu/hello/hello-1.tar.gz &&
	echo "hello two" >www/gnu/hello/hello-2.tar.gz &&
	echo "with ssl" >www/sub/ssl-patch.tar.gz &&
	echo "secret" >secret-1.zip &&
	start_httpd &&
	test -n "$PORT" && test_set_prereq HTTPD
fi
test_set_prereq_reason HTTPD "python3 or the test server is not available"

test_expect_success HTTPD 'set up a tree with Manifests' '
	printf "gnu http://127.0.0.1:1/gnu $URL/gnu\n" >tree/profiles/thirdpartymirrors &&
	recipe app-misc/hello 1 "IUSE=\"+nls ssl\"
SRC_URI=\"mirror://gnu/\${PN}/\${P}.tar.gz ssl? ( $URL/sub/ssl-patch.tar.gz )\"" &&
	recipe app-misc/hello 2 "SRC_URI=\"mirror://gnu/\${PN}/\${P}.tar.gz\"" &&
	recipe app-misc/secret 1 "RESTRICT=\"fetch\"
SRC_URI=\"\${P}.zip\"
pkg_nofetch() {
	einfo \"Log in at https://vendor.example/ and download \${A}\"
	einfo \"then put it into \${DISTDIR}\"
}" &&
	recipe app-misc/nomirror 1 "RESTRICT=\"mirror\"
SRC_URI=\"$URL/gnu/hello/hello-1.tar.gz -> nomirror-1.tar.gz\"" &&
	mkdir dist &&
	cp www/gnu/hello/*.tar.gz www/sub/ssl-patch.tar.gz secret-1.zip dist/ &&
	cp dist/hello-1.tar.gz dist/nomirror-1.tar.gz &&
	gild --tree tree manifest --distdir dist app-misc/hello hello-1.tar.gz hello-2.tar.gz ssl-patch.tar.gz &&
	gild --tree tree manifest --distdir dist app-misc/secret secret-1.zip &&
	gild --tree tree manifest --distdir dist app-misc/nomirror nomirror-1.tar.gz &&
	test $(wc -l <tree/recipes/app-misc/hello/Manifest) -eq 3 &&
	rm dist/*
'

test_expect_success HTTPD 'an ATOM fetches the best version through mirror://' '
	gild --tree tree fetch --distdir dist app-misc/hello >out 2>err &&
	echo "hello-2.tar.gz: fetched from $URL/gnu/hello/hello-2.tar.gz" >expect &&
	test_cmp expect out &&
	echo "gild: http://127.0.0.1:1/gnu/hello/hello-2.tar.gz: connection refused" >expect &&
	test_cmp expect err
'

test_expect_success HTTPD 'cat/pn-ver and a bare name select a version' '
	gild --tree tree fetch --distdir dist app-misc/hello-1 >out 2>/dev/null &&
	echo "hello-1.tar.gz: fetched from $URL/gnu/hello/hello-1.tar.gz" >expect &&
	test_cmp expect out &&
	gild --tree tree fetch --distdir dist "<hello-2" >out &&
	echo "hello-1.tar.gz: already in DISTDIR" >expect &&
	test_cmp expect out
'

test_expect_success HTTPD 'USE from the environment turns on a SRC_URI conditional' '
	USE=ssl gild --tree tree fetch --distdir dist =app-misc/hello-1 >out 2>/dev/null &&
	cat >expect <<-EOF &&
	hello-1.tar.gz: already in DISTDIR
	ssl-patch.tar.gz: fetched from $URL/sub/ssl-patch.tar.gz
	EOF
	test_cmp expect out
'

test_expect_success HTTPD 'RESTRICT=fetch prints pkg_nofetch instead of fetching' '
	: >httpd.log &&
	test_expect_code 1 gild --tree tree fetch --distdir dist app-misc/secret >out 2>err &&
	cat >expect <<-EOF &&
	gild: error: app-misc/secret-1 has RESTRICT="fetch": put these files into '"'"'dist'"'"' by hand:
	  secret-1.zip
	Log in at https://vendor.example/ and download secret-1.zip
	then put it into dist
	EOF
	test_cmp expect err &&
	test_must_fail test -s httpd.log
'

test_expect_success HTTPD 'RESTRICT=fetch is satisfied by a verified file in DISTDIR' '
	cp secret-1.zip dist/ &&
	gild --tree tree fetch --distdir dist app-misc/secret >out &&
	echo "secret-1.zip: already in DISTDIR" >expect &&
	test_cmp expect out
'

test_expect_success HTTPD 'RESTRICT=mirror skips GILD_MIRRORS' '
	: >httpd.log &&
	gild --tree tree fetch --distdir dist --mirrors "$URL/m" app-misc/nomirror >out &&
	echo "nomirror-1.tar.gz: fetched from $URL/gnu/hello/hello-1.tar.gz" >expect &&
	test_cmp expect out &&
	echo "GET /gnu/hello/hello-1.tar.gz" >expect &&
	test_cmp expect httpd.log
'

test_expect_success HTTPD 'a @SET fetches every package of its plan' '
	cp -r tree ptree &&
	cp -r "$GILD_TOP/profiles/." ptree/profiles/ &&
	cp tree/profiles/thirdpartymirrors ptree/profiles/ &&
	echo app-misc >>ptree/profiles/categories &&
	echo sys-libs/glibc-2.36 >>ptree/profiles/base/package.provided &&
	mkdir -p ptree/etc/sets &&
	printf "app-misc/hello\napp-misc/nomirror\n" >ptree/etc/sets/mine &&
	gild --tree ptree fetch --distdir dist3 @mine >out 2>err &&
	cat >expect <<-EOF &&
	hello-2.tar.gz: fetched from $URL/gnu/hello/hello-2.tar.gz
	nomirror-1.tar.gz: fetched from $URL/gnu/hello/hello-1.tar.gz
	EOF
	sort out >sorted &&
	test_cmp expect sorted
'

test_expect_success HTTPD '--deps fetches the plan of an atom' '
	rm -rf dist3 &&
	gild --tree ptree fetch --distdir dist3 --deps app-misc/nomirror >out 2>err &&
	echo "nomirror-1.tar.gz: fetched from $URL/gnu/hello/hello-1.tar.gz" >expect &&
	test_cmp expect out
'

test_expect_success HTTPD 'an ATOM takes the best visible version (keywords)' '
	printf "EAPI=8\nSLOT=0\nKEYWORDS=\"~amd64\"\nSRC_URI=\"mirror://gnu/\${PN}/\${P}.tar.gz\"\n" \
		>ptree/recipes/app-misc/hello/hello-3.recipe &&
	gild --tree ptree fetch --distdir dist3 app-misc/hello >out 2>/dev/null &&
	echo "hello-2.tar.gz: fetched from $URL/gnu/hello/hello-2.tar.gz" >expect &&
	test_cmp expect out &&
	test_expect_code 1 gild --tree ptree fetch --distdir dist3 =app-misc/hello-3 2>err &&
	test_grep "no DIST entry for .hello-3.tar.gz." err
'

test_expect_success HTTPD 'a corrupt distfile names the Manifest of the recipe' '
	echo "corrupted" >www/gnu/hello/hello-2.tar.gz &&
	rm dist/hello-2.tar.gz &&
	test_expect_code 1 gild --tree tree fetch --distdir dist app-misc/hello 2>err &&
	head -n 1 err >first &&
	want=$(b2sum dist/.bad/hello-2.tar.gz.1 | cut -d" " -f1) &&
	test_grep "^tree/recipes/app-misc/hello/Manifest:2: error: BLAKE2B mismatch for '"'"'hello-2.tar.gz'"'"': expected [0-9a-f]*, got $want$" first
'

test_expect_success HTTPD 'gild manifest CAT/PN covers every recipe under any USE' '
	mkdir -p dist2 &&
	cp www/gnu/hello/hello-1.tar.gz www/sub/ssl-patch.tar.gz dist2/ &&
	echo "fresh two" >dist2/hello-2.tar.gz &&
	cp tree/recipes/app-misc/hello/Manifest before &&
	echo "DIST gone-0.tar.gz 1 BLAKE2B 00 SHA512 00" >>tree/recipes/app-misc/hello/Manifest &&
	gild --tree tree manifest --distdir dist2 app-misc/hello >out 2>err &&
	echo "tree/recipes/app-misc/hello/Manifest: 3 DIST entries" >expect &&
	test_cmp expect out &&
	echo "gild: dropped '"'"'gone-0.tar.gz'"'"': no recipe uses it" >expect &&
	test_cmp expect err &&
	grep -v hello-2 before >expect &&
	grep -v hello-2 tree/recipes/app-misc/hello/Manifest >actual &&
	test_cmp expect actual &&
	test_grep "^DIST hello-2.tar.gz 10 BLAKE2B $(b2sum dist2/hello-2.tar.gz | cut -d" " -f1) " tree/recipes/app-misc/hello/Manifest
'

test_expect_success HTTPD 'gild manifest keeps entries of files missing from DISTDIR' '
	cp tree/recipes/app-misc/hello/Manifest before &&
	rm dist2/ssl-patch.tar.gz &&
	gild --tree tree manifest --distdir dist2 "=app-misc/hello-1" >out 2>err &&
	echo "gild: '"'"'ssl-patch.tar.gz'"'"' is not in DISTDIR: entry kept" >expect &&
	test_cmp expect err &&
	test_cmp before tree/recipes/app-misc/hello/Manifest
'

test_expect_success HTTPD 'gild manifest fails for a new distfile missing from DISTDIR' '
	recipe app-misc/hello 3 "SRC_URI=\"mirror://gnu/\${PN}/\${P}.tar.gz\"" &&
	cp tree/recipes/app-misc/hello/Manifest before &&
	test_expect_code 1 gild --tree tree manifest --distdir dist2 hello 2>err &&
	cat >expect <<-EOF &&
	gild: '"'"'ssl-patch.tar.gz'"'"' is not in DISTDIR: entry kept
	gild: error: '"'"'hello-3.tar.gz'"'"' is not in DISTDIR '"'"'dist2'"'"' (fetch it first)
	EOF
	test_cmp expect err &&
	test_cmp before tree/recipes/app-misc/hello/Manifest &&
	rm tree/recipes/app-misc/hello/hello-3.recipe
'

test_expect_success HTTPD 'unknown packages and versions are errors' '
	test_expect_code 1 gild --tree tree fetch app-misc/nosuch 2>err &&
	echo "gild: error: no package named '"'"'app-misc/nosuch'"'"' in the tree" >expect &&
	test_cmp expect err &&
	test_expect_code 1 gild --tree tree fetch ">=app-misc/hello-3" 2>err &&
	echo "gild: error: no version of app-misc/hello matches '"'"'>=app-misc/hello-3'"'"'; there are 1, 2" >expect &&
	test_cmp expect err
'

test_expect_success HTTPD 'a recipe that does not load: others still fetch, its own package names its error' '
	recipe app-misc/torn 1 "SRC_URI=\"\$(date).tar.gz\"" &&
	rm -rf dist3 && mkdir dist3 &&
	gild --tree tree fetch --distdir dist3 --mirrors "$URL" "=app-misc/hello-1" >out 2>err &&
	test -f dist3/hello-1.tar.gz &&
	test_expect_code 2 gild --tree tree fetch --distdir dist3 app-misc/torn 2>err &&
	test_grep "^recipes/app-misc/torn/torn-1.recipe:4:[0-9]*: error: command substitution" err
'

kill $httpd_pid 2>/dev/null
test_done
