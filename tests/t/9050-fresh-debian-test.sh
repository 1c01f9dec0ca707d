#!/bin/sh
test_description='tools/fresh-debian-test: runs the commands README.md gives, exactly (the run itself: make check-fresh)'
. "$(dirname "$0")/lib.sh"

test_expect_success 'the script runs README.md'"'"'s two commands as written' '
	sed -n "/^\`\`\`sh$/,/^\`\`\`$/p" "$GILD_TOP/README.md" | sed "1d;\$d" | head -n 2 >readme &&
	test $(wc -l <readme) = 2 &&
	while read -r line; do
		grep -F "echo '"'"'$line'"'"' ;;" "$GILD_TOP/tools/fresh-debian-test" ||
			{ echo "not run as written: $line"; exit 1; }
	done <readme
'

test_expect_success 'a bad usage exits 2' '
	test_expect_code 2 "$GILD_TOP/tools/fresh-debian-test" 2>err &&
	test_grep "^usage: tools/fresh-debian-test" err &&
	test_expect_code 2 "$GILD_TOP/tools/fresh-debian-test" -x dir 2>err
'

test_done
