#!/bin/sh
test_description='the resolver cache: packages checked when looked at, read again when stale, never a stale answer'
. "$(dirname "$0")/lib.sh"

# The cache trusts no path changed within a second of its stamp (see
# resolve-cache.c, "racy"), so tests that want the cache used as it is
# wait that second after changing the tree.
settle() {
	sleep 1.1
}

# pv TARGET: pretend -v; "hit" is the cache line, "again" how many
# packages were read again.
pv() {
	gild -v -C tree pretend "$@" >out 2>err &&
	sed -n "s/^gild: debug: timing: config .* versions from \([a-z]*\) .*/\1/p" err >from &&
	sed -n "s/^gild: debug: cache: \([0-9]*\) package.*/\1/p" err >again
}

recipe() {
	printf "EAPI=8\nSLOT=\"0\"\nKEYWORDS=\"amd64\"\n%s\n" "$2" >"tree/recipes/$1"
}

test_expect_success 'setup a tree and a settled cache' '
	mkdir -p tree/profiles/base tree/etc tree/recipes/classes &&
	echo test >tree/profiles/repo_name &&
	printf "app-misc\ndev-libs\n" >tree/profiles/categories &&
	echo 8 >tree/profiles/base/eapi &&
	printf "ARCH=\"amd64\"\nACCEPT_KEYWORDS=\"amd64\"\n" >tree/profiles/base/make.defaults &&
	echo "PROFILE=\"base\"" >tree/etc/gild.conf &&
	mkdir -p tree/recipes/app-misc/top tree/recipes/dev-libs/a \
		tree/recipes/dev-libs/b tree/recipes/dev-libs/c &&
	recipe app-misc/top/top-1.recipe "RDEPEND=\"dev-libs/a\"" &&
	recipe dev-libs/a/a-1.recipe "RDEPEND=\"dev-libs/b\"" &&
	recipe dev-libs/b/b-1.recipe "" &&
	recipe dev-libs/c/c-1.recipe "" &&
	settle &&
	pv app-misc/top && echo tree >expect && test_cmp expect from &&
	pv app-misc/top && echo cache >expect && test_cmp expect from &&
	echo 0 >expect && test_cmp expect again &&
	test_grep "dev-libs/b-1" out
'

test_expect_success 'an in-place edit of the same size is seen; only that package is read again' '
	sed -i "s/dev-libs\/b/dev-libs\/c/" tree/recipes/dev-libs/a/a-1.recipe &&
	pv app-misc/top &&
	echo cache >expect && test_cmp expect from &&
	echo 1 >expect && test_cmp expect again &&
	test_grep "dev-libs/c-1" out &&
	! test_grep "dev-libs/b-1" out
'

test_expect_success 'a package edited in place is read again on each run, the cache kept as it is' '
	settle && cp tree/var/cache/gild/resolve.solv.data data.before &&
	pv app-misc/top && echo 1 >expect && test_cmp expect again &&
	pv app-misc/top && echo 1 >expect && test_cmp expect again &&
	test_grep "dev-libs/c-1" out &&
	cmp data.before tree/var/cache/gild/resolve.solv.data
'

test_expect_success 'once 32 packages are read again the cache is written, and they are not read again' '
	mkdir -p tree/recipes/app-misc/many &&
	deps= && for i in $(seq 1 32); do
		mkdir -p tree/recipes/dev-libs/p$i &&
		recipe dev-libs/p$i/p$i-1.recipe "" &&
		deps="$deps dev-libs/p$i" || return 1
	done &&
	recipe app-misc/many/many-1.recipe "RDEPEND=\"$deps\"" &&
	settle && pv app-misc/many && settle &&
	pv app-misc/many && echo 0 >expect && test_cmp expect again &&
	cp tree/var/cache/gild/resolve.solv.data data.before &&
	for i in $(seq 1 31); do
		echo "# edited" >>tree/recipes/dev-libs/p$i/p$i-1.recipe || return 1
	done &&
	settle && pv app-misc/many && echo 31 >expect && test_cmp expect again &&
	cmp data.before tree/var/cache/gild/resolve.solv.data &&
	echo "# edited" >>tree/recipes/dev-libs/p32/p32-1.recipe &&
	settle && pv app-misc/many && echo 32 >expect && test_cmp expect again &&
	! cmp -s data.before tree/var/cache/gild/resolve.solv.data &&
	pv app-misc/many && echo 0 >expect && test_cmp expect again &&
	test_grep "dev-libs/p32-1" out
'

test_expect_success 'an edit that restores the old mtime is seen (ctime)' '
	cp -p tree/recipes/dev-libs/a/a-1.recipe saved &&
	sed -i "s/dev-libs\/c/dev-libs\/b/" tree/recipes/dev-libs/a/a-1.recipe &&
	touch -r saved tree/recipes/dev-libs/a/a-1.recipe &&
	pv app-misc/top &&
	test_grep "dev-libs/b-1" out &&
	! test_grep "dev-libs/c-1" out
'

test_expect_success 'a version added by rename is seen, and removed again' '
	settle && pv app-misc/top &&
	recipe dev-libs/b/.tmp "" &&
	mv tree/recipes/dev-libs/b/.tmp tree/recipes/dev-libs/b/b-2.recipe &&
	pv app-misc/top && test_grep "dev-libs/b-2" out &&
	rm tree/recipes/dev-libs/b/b-2.recipe &&
	pv app-misc/top && test_grep "dev-libs/b-1" out &&
	! test_grep "dev-libs/b-2" out
'

test_expect_success 'an edit within the second the cache was written is seen (racy)' '
	recipe dev-libs/b/b-1.recipe "RDEPEND=\"dev-libs/c\"" &&
	pv app-misc/top && test_grep "dev-libs/c-1" out &&
	recipe dev-libs/b/b-1.recipe "RDEPEND=\"\"" &&
	pv app-misc/top && ! test_grep "dev-libs/c-1" out
'

test_expect_success 'a recipe broken and fixed in place is seen both times' '
	settle && pv app-misc/top &&
	recipe dev-libs/b/b-1.recipe "RDEPEND=\"(\"" &&
	test_expect_code 1 gild -C tree pretend app-misc/top 2>err &&
	test_grep "dev-libs/b" err &&
	settle &&
	recipe dev-libs/b/b-1.recipe "RDEPEND=\"dev-libs/c\"" &&
	pv app-misc/top && test_grep "dev-libs/c-1" out
'

test_expect_success 'a removed package and a new one are seen' '
	settle && pv app-misc/top &&
	rm -r tree/recipes/dev-libs/c &&
	test_expect_code 1 gild -C tree pretend app-misc/top 2>err &&
	test_grep "dev-libs/c" err &&
	mkdir tree/recipes/dev-libs/c &&
	recipe dev-libs/c/c-5.recipe "" &&
	pv app-misc/top && test_grep "dev-libs/c-5" out
'

test_expect_success 'profile and configuration edits are evaluated from the cache' '
	mkdir -p tree/recipes/app-misc/opt &&
	printf "EAPI=8\nSLOT=\"0\"\nKEYWORDS=\"amd64\"\nIUSE=\"ssl\"\nRDEPEND=\"ssl? ( dev-libs/b )\"\n" \
		>tree/recipes/app-misc/opt/opt-1.recipe &&
	settle && pv app-misc/opt && pv app-misc/opt &&
	echo cache >expect && test_cmp expect from &&
	! test_grep "dev-libs/b" out &&
	echo "app-misc/opt ssl" >tree/etc/package.use &&
	pv app-misc/opt && test_cmp expect from &&
	test_grep "dev-libs/b-1" out &&
	test_grep "USE=\"ssl\"" out &&
	echo "app-misc/opt -ssl" >tree/profiles/base/package.use &&
	rm tree/etc/package.use &&
	pv app-misc/opt && test_cmp expect from &&
	! test_grep "dev-libs/b" out &&
	echo "=app-misc/opt-1" >tree/profiles/base/package.mask &&
	test_expect_code 1 gild -C tree pretend app-misc/opt 2>err &&
	test_grep "app-misc/opt-1: masked by profiles/base/package.mask:1" err
'

test_expect_success 'a package added or removed: only its category is read again' '
	settle && pv app-misc/top && pv app-misc/top &&
	echo 0 >expect && test_cmp expect again &&
	mkdir tree/recipes/app-misc/new &&
	recipe app-misc/new/new-1.recipe "RDEPEND=\"dev-libs/c\"" &&
	pv app-misc/new && echo cache >expect && test_cmp expect from &&
	ls tree/recipes/app-misc | wc -l >expect && test_cmp expect again &&
	test_grep "app-misc/new-1" out && test_grep "dev-libs/c-5" out &&
	settle && pv app-misc/new && pv app-misc/new &&
	echo 0 >expect && test_cmp expect again &&
	rm -r tree/recipes/app-misc/new &&
	test_expect_code 1 gild -C tree pretend app-misc/new 2>err &&
	test_grep "app-misc/new" err
'

test_expect_success 'a class edit reads again only the packages that inherit it' '
	printf "RDEPEND=\"dev-libs/b\"\n" >tree/recipes/classes/lib.class &&
	mkdir -p tree/recipes/app-misc/cls &&
	printf "EAPI=8\ninherit lib\nSLOT=\"0\"\nKEYWORDS=\"amd64\"\n" \
		>tree/recipes/app-misc/cls/cls-1.recipe &&
	settle && pv app-misc/cls && pv app-misc/cls &&
	echo cache >expect && test_cmp expect from &&
	echo 0 >expect && test_cmp expect again &&
	test_grep "dev-libs/b-1" out &&
	printf "RDEPEND=\"dev-libs/c\"\n" >tree/recipes/classes/lib.class &&
	pv app-misc/cls &&
	echo cache >expect && test_cmp expect from &&
	echo 1 >expect && test_cmp expect again &&
	test_grep "dev-libs/c-5" out && ! test_grep "dev-libs/b-1" out &&
	settle && pv app-misc/cls && pv app-misc/cls &&
	echo 0 >expect && test_cmp expect again &&
	test_grep "dev-libs/c-5" out
'

test_expect_success 'a damaged data file is not used' '
	settle && pv app-misc/top && echo cache >expect && pv app-misc/top &&
	test_cmp expect from &&
	printf "garbage" >tree/var/cache/gild/resolve.solv.data &&
	pv app-misc/top && echo tree >expect && test_cmp expect from &&
	test_grep "dev-libs/c-5" out
'

test_expect_success 'a recipe that does not load is named in a warning on every run until fixed' '
	settle && pv app-misc/top &&
	printf "EAPI=8\nSLOT=\"0\"\nKEYWORDS=\"amd64\nIUSE=\"x\"\n" >tree/recipes/dev-libs/c/c-9.recipe &&
	echo "gild: warning: recipes/dev-libs/c/c-9.recipe:4:8: unterminated double quote (the recipe is left out)" >expect &&
	pv dev-libs/c && grep "^gild: warning" err >warn && test_cmp expect warn &&
	test_grep "dev-libs/c-[0-8]:0" out &&
	settle && pv dev-libs/c && grep "^gild: warning" err >warn && test_cmp expect warn &&
	rm -rf tree/var/cache && pv dev-libs/c && grep "^gild: warning" err >warn && test_cmp expect warn &&
	rm tree/recipes/dev-libs/c/c-9.recipe &&
	pv dev-libs/c && ! grep "^gild: warning" err
'

test_expect_success 'a recipe that does not load is cached as failing: a warm run reads nothing again and still names it' '
	printf "EAPI=8\nSLOT=\"0\"\nKEYWORDS=\"amd64\nIUSE=\"x\"\n" >tree/recipes/dev-libs/c/c-9.recipe &&
	echo "gild: warning: recipes/dev-libs/c/c-9.recipe:4:8: unterminated double quote (the recipe is left out)" >expect &&
	rm -rf tree/var/cache && settle &&
	pv dev-libs/c && echo tree >expect.from && test_cmp expect.from from &&
	grep "^gild: warning" err >warn && test_cmp expect warn &&
	pv dev-libs/c && grep "^gild: warning" err >warn && test_cmp expect warn &&
	echo cache >expect.from && test_cmp expect.from from &&
	echo 0 >expect.again && test_cmp expect.again again &&
	test -f tree/var/cache/gild/resolve.solv &&
	pv app-misc/top && grep "^gild: warning" err >warn && test_cmp expect warn &&
	echo cache >expect.from && test_cmp expect.from from &&
	echo 0 >expect.again && test_cmp expect.again again
'

test_expect_success 'a cached failing recipe, fixed in place, is read again and planned' '
	recipe dev-libs/c/c-9.recipe "" &&
	pv dev-libs/c && ! grep "^gild: warning" err &&
	echo 1 >expect.again && test_cmp expect.again again &&
	test_grep "dev-libs/c-9:0" out &&
	settle && pv dev-libs/c && ! grep "^gild: warning" err &&
	test_grep "dev-libs/c-9:0" out &&
	rm tree/recipes/dev-libs/c/c-9.recipe
'

test_expect_success 'a recipe with an empty REQUIRED_USE group loads, with a located QA warning on the run that reads it only' '
	recipe dev-libs/c/c-8.recipe "IUSE=\"python\"
REQUIRED_USE=\"python? ( )\"" &&
	settle && pv dev-libs/c &&
	echo "gild: warning: recipes/dev-libs/c/c-8.recipe:5:15: empty group '\''python? ( )'\'' in REQUIRED_USE (QA: PMS refuses this, Portage loads it; so does gild)" >expect &&
	grep "^gild: warning" err >warn && test_cmp expect warn &&
	test_grep "dev-libs/c-8:0" out &&
	pv dev-libs/c && ! grep "^gild: warning" err &&
	echo cache >expect.from && test_cmp expect.from from &&
	rm tree/recipes/dev-libs/c/c-8.recipe
'

test_expect_success 'another gild-core.so (the parser) does not trust the cache' '
	settle && pv app-misc/top && pv app-misc/top &&
	echo cache >expect && test_cmp expect from &&
	cp "$GILD_BINDIR/gild-core.so" other-core.so &&
	GILD_CORE="$PWD/other-core.so" gild -v -C tree pretend app-misc/top >out 2>err &&
	sed -n "s/^gild: debug: timing: config .* versions from \([a-z]*\) .*/\1/p" err >from &&
	echo tree >expect && test_cmp expect from
'

test_done
