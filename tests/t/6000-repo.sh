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

	CPV: app-misc/hello-1.0-r1
	EAPI: 8
	GILD_BUILD_ID: aaaabbbbccccddddeeee
	PATH: app-misc/hello-1.0-r1-aaaabbbbcccc.gpkg.tar
	RDEPEND: dev-libs/foo
	SLOT: 0

	CPV: dev-libs/foo-2.1
	EAPI: 8
	GILD_BUILD_ID: 111122223333444455556666
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
	echo "2 packages, 0 damaged, 0 index problems" >expect &&
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
	index: older than the packages, or cut short (run '\''gild repo index'\'')
	3 packages, 2 damaged, 1 index problems
	EOT
	test_cmp expect out
'

# damage KIND FILE: break a package the way a disk, a download or a hand
# can (GLEP 78: "missing, duplicate, or extraneous files" and checksum
# mismatches): truncate (inside image.tar.zst), cut (before the Manifest),
# digest (a wrong BLAKE2B in the Manifest), size (a wrong size in it),
# drop (no image.tar.zst), nomanifest, extra (a member the Manifest lacks).
damage() {
	python3 - "$@" <<-\EOP
	import io, os, sys, tarfile
	kind, path = sys.argv[1:3]
	with tarfile.open(path) as t:
	    ms = [(m, t.extractfile(m).read()) for m in t.getmembers()]
	def find(base):
	    return [m for m, d in ms if m.name.endswith("/" + base)][0]
	def write(members):
	    with tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as o:
	        for m, d in members:
	            m.size = len(d); o.addfile(m, io.BytesIO(d))
	def edit_manifest(member, field, fn):
	    m, d = ms[-1]
	    lines = d.decode().split("\n")
	    for i, l in enumerate(lines):
	        f = l.split(" ")
	        if len(f) > 1 and f[1] == member:
	            f[field] = fn(f[field]); lines[i] = " ".join(f)
	    write(ms[:-1] + [(m, "\n".join(lines).encode())])
	if kind == "truncate":
	    os.truncate(path, find("image.tar.zst").offset_data + 100)
	elif kind == "cut":
	    os.truncate(path, find("Manifest").offset)
	elif kind == "digest":
	    edit_manifest("metadata.tar.zst", 4, lambda h: ("1" if h[0] == "0" else "0") + h[1:])
	elif kind == "size":
	    edit_manifest("image.tar.zst", 2, lambda n: str(int(n) + 1))
	elif kind == "drop":
	    write([x for x in ms if not x[0].name.endswith("/image.tar.zst")])
	elif kind == "nomanifest":
	    write(ms[:-1])
	elif kind == "extra":
	    extra = tarfile.TarInfo(ms[0][0].name.split("/")[0] + "/surprise")
	    write(ms[:-1] + [(extra, b"xyz"), ms[-1]])
	EOP
}

test_expect_success PYTHON3 'setup: one package per kind of damage' '
	head -c 200000 /dev/urandom >img/usr/bin/blob &&
	for kind in intact truncate cut digest size drop nomanifest extra; do
		gild pkg create --pkgdir dmg --set CATEGORY=dmg --set PF=$kind-1 \
			--set BUILD_ID=000000000000 img || return 1
		test $kind = intact || damage $kind dmg/dmg/$kind-1-000000000000.gpkg.tar || return 1
	done
'

# verify_names KIND MESSAGE: repo verify reports the package KIND with
# MESSAGE (and only damaged packages).
verify_names() {
	test_expect_code 1 gild repo verify --pkgdir dmg >out &&
	grep "dmg/$1-1-" out >line &&
	echo "damaged: dmg/$1-1-000000000000.gpkg.tar: $2" >expect &&
	test_cmp expect line &&
	test_grep ! "intact" out
}

test_expect_success PYTHON3 'repo verify: a member cut short' '
	verify_names truncate "truncated member '\''image.tar.zst'\'': Truncated tar archive"
'

test_expect_success PYTHON3 'repo verify: a package cut before its Manifest' '
	verify_names cut "no Manifest member"
'

test_expect_success PYTHON3 'repo verify: a wrong digest in the Manifest' '
	verify_names digest "BLAKE2B/SHA512 mismatch for '\''metadata.tar.zst'\''"
'

test_expect_success PYTHON3 'repo verify: a wrong size in the Manifest' '
	verify_names size "size mismatch for '\''image.tar.zst'\''"
'

test_expect_success PYTHON3 'repo verify: a member the Manifest lists is missing' '
	verify_names drop "missing member '\''image.tar.zst'\''"
'

test_expect_success PYTHON3 'repo verify: no Manifest at all' '
	verify_names nomanifest "no Manifest member"
'

test_expect_success PYTHON3 'repo verify: an extra member the Manifest does not list' '
	verify_names extra "member '\''surprise'\'' not in the Manifest"
'

test_expect_success PYTHON3 'repo verify counts every damaged package once' '
	test_expect_code 1 gild repo verify --pkgdir dmg >out &&
	test $(grep -c "^damaged: " out) -eq 7 &&
	test_grep "^8 packages, 7 damaged, " out
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

test_expect_success 'repo verify: a package without CATEGORY, and an index that lists a missing file' '
	mkdir -p v/app-misc img/usr && echo x >img/usr/x &&
	gild pkg create --set PF=nocat-1 --set BUILD_ID=aaaabbbbccccdddd img v/app-misc/nocat-1-aaaabbbbcccc.gpkg.tar >/dev/null &&
	gild pkg create --set CATEGORY=app-misc --set PF=ok-1 --set BUILD_ID=eeeeffff00001111 img v/app-misc/ok-1-eeeeffff0000.gpkg.tar >/dev/null &&
	gild repo index --pkgdir v 2>/dev/null &&
	cp v/Packages Packages.keep &&
	rm v/app-misc/ok-1-eeeeffff0000.gpkg.tar &&
	cp Packages.keep v/Packages && touch -d "next hour" v/Packages &&
	test_expect_code 1 gild repo verify --pkgdir v >out &&
	test_grep "^damaged: app-misc/nocat-1-aaaabbbbcccc.gpkg.tar: its metadata has no CATEGORY$" out &&
	test_grep "^index: lists app-misc/ok-1-eeeeffff0000.gpkg.tar, which is not in PKGDIR$" out
'

test_done
