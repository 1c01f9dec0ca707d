#!/bin/sh
test_description='the man pages: every one renders without warnings, every command has one'
. "$(dirname "$0")/lib.sh"

if command -v man >/dev/null 2>&1 && command -v groff >/dev/null 2>&1; then test_set_prereq MAN
else test_set_prereq_reason MAN "man or groff not installed (man-db, groff-base)"; fi

render() {
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings=w -l "$1" 2>&1 >/dev/null
}

test_expect_success MAN 'every page renders without a warning' '
	for p in "$GILD_TOP"/doc/man/*.[15]; do
		render "$p" >warn &&
		test_must_be_empty warn || exit 1
	done
'

test_expect_success MAN 'a page with a broken macro is caught' '
	printf ".TH X 1\n.SH NAME\nx \\\\- y\n.BADMACRO z\n" >bad.1 &&
	render bad.1 >warn &&
	test_grep "BADMACRO" warn
'

test_expect_success 'every command gild help lists has a page' '
	gild help | sed -n "s/^  \([a-z-]*\) .*/\1/p" >cmds &&
	test $(wc -l <cmds) -ge 18 &&
	while read -r c; do
		pat=$(echo "$c" | sed "s/-/\\\\\\\\-/g") &&
		grep -l "^\.SS \"gild $pat\b\|^\.B gild $pat\b" "$GILD_TOP"/doc/man/*.1 >/dev/null ||
			{ echo "no page for gild $c"; exit 1; }
	done <cmds
'

test_expect_success 'make install puts the pages under share/man' '
	make -s -C "$GILD_TOP" install-man DESTDIR="$(pwd)/dest" PREFIX=/usr >/dev/null &&
	test -f dest/usr/share/man/man1/gild.1 &&
	test -f dest/usr/share/man/man1/gild-image.1 &&
	test -f dest/usr/share/man/man5/gild.conf.5
'

test_done
