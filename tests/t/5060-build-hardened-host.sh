#!/bin/sh
test_description='gild build on a hardened host: a tree under a 0700 directory, umask 077 or 027'
. "$(dirname "$0")/lib.sh"

# Each tree goes into a mktemp -d directory (mode 0700) in the trash.

# build_in DIR UMASK ATOM: build ATOM in a copy of the hello tree under
# DIR, with the caller's umask set to UMASK
build_in() {
	make_hello_tree "$1/t" &&
	(umask "$2" && gild -C "$1/t" build "$3" >"$1.out" 2>"$1.err") ||
	{ cat "$1.err"; return 1; }
}

# same_packages A B: the two trees' packages are byte-identical
same_packages() {
	(cd "$1/t/var/packages" && find . -name "*.gpkg.tar" | sort) >"$1.list" &&
	(cd "$2/t/var/packages" && find . -name "*.gpkg.tar" | sort) >"$2.list" &&
	test_cmp "$1.list" "$2.list" &&
	test -s "$1.list" &&
	while read -r p; do
		cmp "$1/t/var/packages/$p" "$2/t/var/packages/$p" || return 1
	done <"$1.list"
}

test_expect_success SANDBOX 'reference: a 0755 directory and umask 022' '
	mkdir ref ref2 && chmod 755 ref ref2 &&
	build_in ref 022 app-misc/hello &&
	build_in ref2 022 app-misc/greetuse
'

test_expect_success SANDBOX 'a tree under a 0700 directory with umask 077 builds the same package' '
	d=$(mktemp -d "$TRASH_DIRECTORY/hardened.XXXXXX") &&
	test $(stat -c %a "$d") = 700 &&
	build_in "$d" 077 app-misc/hello &&
	same_packages ref "$d" &&
	test $(stat -c %a "$d/t/var/tmp/gild") = 755
'

test_expect_success SANDBOX 'umask 027 under a 0700 directory builds the same package' '
	d=$(mktemp -d "$TRASH_DIRECTORY/hardened.XXXXXX") &&
	build_in "$d" 027 app-misc/hello &&
	same_packages ref "$d"
'

test_expect_success SANDBOX 'dependencies laid over the root (overlayfs) work from a 0700 directory too' '
	d=$(mktemp -d "$TRASH_DIRECTORY/hardened.XXXXXX") &&
	build_in "$d" 077 app-misc/greetuse &&
	same_packages ref2 "$d"
'

test_expect_success SANDBOX,ROOT 'a STAGE directory the build user cannot enter is named, with the uid and the fix' '
	d=$(mktemp -d "$TRASH_DIRECTORY/hardened.XXXXXX") &&
	mkdir -p "$d/stage/usr/bin" &&
	chmod 755 "$d/stage" &&
	chmod 700 "$d/stage/usr" &&
	make_hello_tree t5 &&
	echo "STAGE=\"$d/stage\"" >>t5/etc/gild.conf &&
	test_must_fail gild -C t5 build app-misc/hello 2>err &&
	test_grep "STAGE .$d/stage.: the build user (host uid 101000) cannot enter .$d/stage/usr. (mode 0700): make the stage.s directories searchable by all (chmod -R o+rX .$d/stage.)" err
'

test_done
