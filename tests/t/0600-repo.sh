#!/bin/sh
test_description='gild repo: list, index (Packages + Packages.solv), verify'
. "$(dirname "$0")/lib.sh"

# add CATEGORY PF BUILD_ID [more --set args]
add() {
	cat=$1 pf=$2 bid=$3 && shift 3 &&
	gild pkg create --pkgdir pkgs --set CATEGORY=$cat --set PF=$pf \
		--set BUILD_ID=$bid --set SLOT=0 --set EAPI=8 "$@" img
}

test_expect_success 'setup: two packages in a repository' '
	mkdir -p img/usr/bin && echo x >img/usr/bin/x &&
	add app-misc hello-1.0-r1 aaaabbbbccccddddeeee --set "RDEPEND=dev-libs/foo" &&
	add dev-libs foo-2.1 111122223333444455556666 --set USE=ssl &&
	test -f pkgs/app-misc/hello-1.0-r1-aaaabbbbcccc.gpkg.tar &&
	test -f pkgs/dev-libs/foo-2.1-111122223333.gpkg.tar
'

test_expect_success 'repo list names every package' '
	gild repo list --pkgdir pkgs >out &&
	cat >expect <<-\EOT &&
	app-misc/hello-1.0-r1 aaaabbbbcccc app-misc/hello-1.0-r1-aaaabbbbcccc.gpkg.tar
	dev-libs/foo-2.1 111122223333 dev-libs/foo-2.1-111122223333.gpkg.tar
	EOT
	test_cmp expect out
'

test_expect_success 'PKGDIR from the environment' '
	PKGDIR=pkgs gild repo list >out2 &&
	test_cmp out out2
'

test_expect_success 'PKGDIR from gild.conf, and --pkgdir over it' '
	mkdir -p tree/etc &&
	cp -r "$GILD_TOP/profiles" tree/ &&
	echo "PKGDIR=\"$PWD/pkgs\"" >tree/etc/gild.conf &&
	gild --tree tree repo list >out3 &&
	test_cmp out out3 &&
	gild --tree tree repo list --pkgdir nowhere >out4 &&
	test_must_fail test -s out4
'

test_expect_success 'a gild.conf that does not load is an error' '
	echo "PROFILE=nosuch/profile" >tree/etc/gild.conf &&
	test_must_fail gild --tree tree repo list 2>err &&
	test_grep "nosuch/profile" err
'

test_expect_success 'repo list --json' '
	gild repo list --json --pkgdir pkgs >out &&
	test_grep "^\[{\"category\":\"app-misc\",\"pf\":\"hello-1.0-r1\",\"build_id\":\"aaaabbbbccccddddeeee\"" out
'

test_expect_success 'repo index writes a Portage-style Packages file' '
	gild repo index --pkgdir pkgs &&
	sed "/^MTIME:/d; /^TIMESTAMP:/d; /^SIZE:/d" pkgs/Packages >out &&
	cat >expect <<-\EOT &&
	PACKAGES: 2
	VERSION: 0

	BUILD_ID: aaaabbbbccccddddeeee
	CPV: app-misc/hello-1.0-r1
	EAPI: 8
	PATH: app-misc/hello-1.0-r1-aaaabbbbcccc.gpkg.tar
	RDEPEND: dev-libs/foo
	SLOT: 0

	BUILD_ID: 111122223333444455556666
	CPV: dev-libs/foo-2.1
	EAPI: 8
	PATH: dev-libs/foo-2.1-111122223333.gpkg.tar
	SLOT: 0
	USE: ssl
	EOT
	test_cmp expect out &&
	size=$(stat -c %s pkgs/dev-libs/foo-2.1-111122223333.gpkg.tar) &&
	test_grep "^SIZE: $size$" pkgs/Packages &&
	test -s pkgs/Packages.solv &&
	! ls -A pkgs | grep "tmp"
'

test_expect_success 'repo verify passes an intact repository' '
	gild repo verify --pkgdir pkgs >out &&
	echo "2 packages, 0 damaged" >expect &&
	test_cmp expect out
'

test_expect_success PYTHON3 'repo verify names each damaged package and exits 1' '
	python3 - pkgs/dev-libs/foo-2.1-111122223333.gpkg.tar <<-\EOP &&
	import sys, tarfile
	path = sys.argv[1]
	with tarfile.open(path) as t:
	    off = [m for m in t.getmembers() if m.name.endswith("/image.tar.zst")][0].offset_data
	with open(path, "r+b") as f:
	    f.seek(off + 30); b = f.read(1); f.seek(off + 30); f.write(bytes([b[0] ^ 1]))
	EOP
	echo garbage >pkgs/app-misc/junk-1.gpkg.tar &&
	test_expect_code 1 gild repo verify --pkgdir pkgs >out &&
	cat >expect <<-\EOT &&
	damaged: app-misc/junk-1.gpkg.tar: not a readable gpkg file: Unrecognized archive format
	damaged: dev-libs/foo-2.1-111122223333.gpkg.tar: BLAKE2B/SHA512 mismatch for '\''image.tar.zst'\''
	3 packages, 2 damaged
	EOT
	test_cmp expect out
'

test_expect_success 'repo index skips an unreadable package with a warning' '
	gild repo index --pkgdir pkgs 2>err &&
	test_grep "warning: app-misc/junk-1.gpkg.tar: .*, skipping" err &&
	test_grep "^PACKAGES: 2$" pkgs/Packages
'

test_expect_success 'a missing PKGDIR is an empty repository' '
	gild repo list --pkgdir nowhere >out &&
	test_must_fail test -s out
'

test_expect_success 'an unknown repo subcommand is a usage error' '
	test_expect_code 2 gild repo frob 2>err &&
	test_grep "unknown subcommand .frob." err
'

test_done
