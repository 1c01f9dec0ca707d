#!/bin/sh
test_description='gild info: metadata.xml, and USE flag descriptions next to their state'
. "$(dirname "$0")/lib.sh"

T="$FIXTURES/profiles-basic"

test_expect_success 'info prints metadata and flags with their effective state' '
	gild --tree "$T" info app-misc/bar >out &&
	cat >expect <<-\EOF &&
	app-misc/bar-4
	description: A bar with many flags
	homepage: https://bar.invalid/
	long description: Bar serves drinks to everyone.
	maintainers:
	    Bar Keeper <bar@gild.invalid> (person)
	    base@gild.invalid (project)
	USE flags:
	    -   cpu_flags_x86_sse2         (no description)
	    (-) debug                      Build with debugging
	    -   gtk                        Build the x11-libs/gtk+ interface
	    +   python_targets_python3_11  Build with Python 3.11
	    +   python_targets_python3_12  Build with Python 3.12
	    -   python_targets_python3_13  (no description)
	    +   qt                         Build the Qt interface
	    (+) zlib                       Compress with zlib
	EOF
	test_cmp expect out
'

test_expect_success 'info follows the effective USE of the environment' '
	USE="gtk -qt" gild --tree "$T" info app-misc/bar >out &&
	test_grep "^    +   gtk  *Build the x11-libs/gtk+ interface$" out &&
	test_grep "^    -   qt  *Build the Qt interface$" out
'

test_expect_success 'info --json' '
	gild --tree "$T" info --json "=app-misc/old-2" >out &&
	cat >expect <<-\EOF &&
	{"cpv": "app-misc/old-2", "description": "Newer", "homepage": "", "longdescription": null, "maintainers": [], "flags": [{"name": "ssl", "enabled": true, "forced": false, "masked": false, "description": null}]}
	EOF
	test_cmp expect out
'

test_expect_success 'a broken metadata.xml is an error naming it' '
	mkdir -p tree/profiles/default/linux/amd64 tree/recipes/app-misc/x &&
	printf "EAPI=8\nSLOT=0\nKEYWORDS=amd64\n" >tree/recipes/app-misc/x/x-1.recipe &&
	echo "<pkgmetadata><maintainer>" >tree/recipes/app-misc/x/metadata.xml &&
	test_must_fail gild --tree tree info x 2>err &&
	test_grep "recipes/app-misc/x/metadata.xml" err
'

test_expect_success 'info on the shipped tree' '
	gild --tree "$GILD_TOP" info sys-libs/zlib >out &&
	test_grep "^maintainers:" out
'

test_done
