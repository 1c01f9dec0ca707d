#!/bin/sh
test_description='gild pkg: GLEP 78 layout, metadata, determinism, verify, safe extraction, interrupted writes'
. "$(dirname "$0")/lib.sh"

# make_image DIR: a small tree with a setuid file, a symlink, a hard link
# and an empty directory.
make_image() {
	mkdir -p "$1/usr/bin" "$1/usr/lib" "$1/var/empty" &&
	printf '#!/bin/sh\necho hi\n' >"$1/usr/bin/tool" &&
	chmod 4755 "$1/usr/bin/tool" &&
	echo lib >"$1/usr/lib/libx.so.1" &&
	chmod 644 "$1/usr/lib/libx.so.1" &&
	ln "$1/usr/lib/libx.so.1" "$1/usr/lib/libx-hard.so.1" &&
	ln -s libx.so.1 "$1/usr/lib/libx.so"
}

create() {
	gild pkg create --set CATEGORY=app-misc --set PF=tool-1.0 \
		--set BUILD_ID=0123456789abcdef --set SLOT=0 --set EAPI=8 \
		--set "RDEPEND=sys-libs/zlib" --source-date-epoch 1700000000 "$@"
}

test_expect_success 'setup' '
	umask 022 &&
	make_image img &&
	create img tool.gpkg.tar
'

test_expect_success 'the outer tar holds exactly the four members, in order' '
	tar -tf tool.gpkg.tar >out &&
	cat >expect <<-\EOT &&
	tool-1.0-0123456789ab/gpkg-1
	tool-1.0-0123456789ab/metadata.tar.zst
	tool-1.0-0123456789ab/image.tar.zst
	tool-1.0-0123456789ab/Manifest
	EOT
	test_cmp expect out
'

# padded_like_tar FILE: FILE ends with the smallest padding to a whole
# 10240-byte record (tar's default) after its end-of-archive blocks.
padded_like_tar() {
	python3 - "$1" <<-\EOP
	import os, sys, tarfile
	with tarfile.open(sys.argv[1]) as t:
	    last = t.getmembers()[-1]
	end = last.offset_data + (last.size + 511) // 512 * 512 + 1024
	size = os.path.getsize(sys.argv[1])
	sys.exit(0 if size % 10240 == 0 and 0 <= size - end < 10240 else 1)
	EOP
}

test_expect_success PYTHON3 'the outer tar ends padded to a whole 10240-byte record, small or large' '
	padded_like_tar tool.gpkg.tar &&
	make_image large &&
	head -c 3000000 /dev/urandom >large/usr/lib/blob &&
	create large large.gpkg.tar &&
	padded_like_tar large.gpkg.tar &&
	gild pkg verify large.gpkg.tar
'

test_expect_success 'the Manifest lists the three other members with both digests' '
	tar -xOf tool.gpkg.tar tool-1.0-0123456789ab/Manifest >manifest &&
	test $(wc -l <manifest) -eq 3 &&
	test_grep "^DATA gpkg-1 0 BLAKE2B [0-9a-f]\{128\} SHA512 cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e$" manifest &&
	test_grep "^DATA image.tar.zst [0-9]* BLAKE2B" manifest &&
	test_grep "^DATA metadata.tar.zst [0-9]* BLAKE2B" manifest
'

test_expect_success 'metadata and image are zstd-compressed tars under metadata/ and image/' '
	tar -xOf tool.gpkg.tar tool-1.0-0123456789ab/metadata.tar.zst >m.zst &&
	tar -xOf tool.gpkg.tar tool-1.0-0123456789ab/image.tar.zst >i.zst &&
	test "$(head -c 4 m.zst | od -An -tx1 | tr -d " ")" = 28b52ffd &&
	test "$(head -c 4 i.zst | od -An -tx1 | tr -d " ")" = 28b52ffd &&
	python3 -c "import sys; d=open(sys.argv[1],\"rb\").read(); sys.exit(d.count(b\"metadata/\") != 0)" m.zst &&
	if command -v zstd >/dev/null; then
		zstd -dc m.zst | tar -tf - >mlist &&
		test_grep "^metadata/CONTENTS$" mlist &&
		zstd -dc i.zst | tar -tf - >ilist &&
		test_grep "^image/usr/bin/tool$" ilist
	fi
'

test_expect_success 'metadata.tar.zst holds only metadata/KEY files, no directory entry (Portage reads it)' '
	tar -xOf tool.gpkg.tar tool-1.0-0123456789ab/metadata.tar.zst | zstd -dc | tar -tvf - >mlist &&
	test_grep ! "^d" mlist &&
	sed "s|.* ||" mlist >names &&
	test_grep ! -v "^metadata/[A-Za-z0-9_.+-]*$" names &&
	test_grep "^metadata/CONTENTS$" names
'

# image_offset FILE: where image.tar.zst's data starts in FILE.
image_offset() {
	python3 - "$1" <<-\EOP
	import sys, tarfile
	with tarfile.open(sys.argv[1]) as t:
	    print([m for m in t.getmembers() if m.name.endswith("/image.tar.zst")][0].offset_data)
	EOP
}

test_expect_success PYTHON3 'the image data starts at a multiple of 4096, after a skippable frame that pads metadata' '
	off=$(image_offset tool.gpkg.tar) &&
	test $((off % 4096)) -eq 0 &&
	python3 - m.zst <<-\EOP
	import struct, sys
	d = open(sys.argv[1], "rb").read()
	# The zstd frame ends where the skippable frame (RFC 8878 3.1.2) starts.
	i = d.rfind(struct.pack("<I", 0x184D2A50))
	assert i > 0 and struct.unpack("<I", d[i + 4:i + 8])[0] == len(d) - i - 8, "no trailing skippable frame"
	EOP
'

# A filesystem that slides the image into place (ext4, XFS) and one that
# cannot (tmpfs): the package is copied there, with the same bytes.
printf x >insert-probe && head -c 8192 /dev/zero >>insert-probe &&
if fallocate --insert-range -o 0 -l 4096 insert-probe 2>/dev/null; then
	test_set_prereq INSERT_RANGE
else
	test_set_prereq_reason INSERT_RANGE "this filesystem cannot insert a range"
fi
rm -f insert-probe
if noinsert=$(mktemp -d /dev/shm/gild-test.XXXXXX 2>/dev/null) &&
   printf x >"$noinsert/p" && ! fallocate --insert-range -o 0 -l 4096 "$noinsert/p" 2>/dev/null; then
	test_set_prereq NO_INSERT_DIR
else
	test_set_prereq_reason NO_INSERT_DIR "no writable tmpfs in /dev/shm"
fi

test_expect_success INSERT_RANGE,NO_INSERT_DIR 'a package written where the image cannot slide into place has the same bytes' '
	create img "$noinsert/tool.gpkg.tar" &&
	cmp tool.gpkg.tar "$noinsert/tool.gpkg.tar" &&
	ls -A "$noinsert" >left &&
	printf "%s\n" .tool.gpkg.tar.lock p tool.gpkg.tar >expect &&
	test_cmp expect left
'
test -n "$noinsert" && rm -rf "$noinsert"

test_expect_success 'pkg show prints the metadata' '
	gild pkg show tool.gpkg.tar >out &&
	cat >expect <<-\EOT &&
	BUILD_ID: 0123456789abcdef
	CATEGORY: app-misc
	EAPI: 8
	PF: tool-1.0
	RDEPEND: sys-libs/zlib
	SIZE: 22
	SLOT: 0
	EOT
	test_cmp expect out
'

test_expect_success 'pkg show --json' '
	gild pkg show --json tool.gpkg.tar >out &&
	test_grep "^{\"BUILD_ID\":\"0123456789abcdef\",\"CATEGORY\":\"app-misc\"" out &&
	test_grep "\"CONTENTS\":\"dir 0755 root:root - /usr\\\\n" out
'

test_expect_success 'pkg files lists type, mode, owner, sha256 and path' '
	gild pkg files tool.gpkg.tar >out &&
	lib=$(sha256sum <img/usr/lib/libx.so.1 | cut -d" " -f1) &&
	tool=$(sha256sum <img/usr/bin/tool | cut -d" " -f1) &&
	cat >expect <<-EOT &&
	dir 0755 root:root - /usr
	dir 0755 root:root - /usr/bin
	obj 4755 root:root $tool /usr/bin/tool
	dir 0755 root:root - /usr/lib
	obj 0644 root:root $lib /usr/lib/libx-hard.so.1
	sym 0777 root:root - /usr/lib/libx.so -> libx.so.1
	obj 0644 root:root $lib /usr/lib/libx.so.1
	dir 0755 root:root - /var
	dir 0755 root:root - /var/empty
	EOT
	test_cmp expect out
'

test_expect_success 'the same tree elsewhere, later, with new mtimes gives identical bytes' '
	mkdir -p other/place &&
	cp -a img other/place/img2 &&
	touch -d "2030-01-01" other/place/img2/usr/bin/tool other/place/img2/usr/lib &&
	(cd other && create place/img2 ../again.gpkg.tar) &&
	cmp tool.gpkg.tar again.gpkg.tar
'

test_expect_success 'names past ustar limits: pax headers without pid or times, identical bytes' '
	long=$(printf "a-directory-name-long-enough-to-need-pax-%s/" 1 2 3 4 5 6) &&
	mkdir -p longimg/$long one two &&
	echo x >longimg/${long}file &&
	ln -s "$long$long" longimg/${long}link &&
	create longimg one/long.gpkg.tar &&
	sleep 1 &&
	create longimg two/long.gpkg.tar &&
	cmp one/long.gpkg.tar two/long.gpkg.tar &&
	tar -xOf one/long.gpkg.tar tool-1.0-0123456789ab/image.tar.zst >long.zst &&
	python3 -c "import sys; d=open(sys.argv[1],\"rb\").read(); sys.exit(d[:4] != bytes.fromhex(\"28b52ffd\"))" long.zst &&
	if command -v zstd >/dev/null; then
		zstd -dc long.zst >long.tar &&
		test_grep -a "path=image/a-directory" long.tar &&
		test_grep -v -a "mtime=\|atime=\|ctime=\|PaxHeaders\.[0-9]" long.tar
	fi &&
	gild pkg verify one/long.gpkg.tar
'

test_expect_success 'a different SOURCE_DATE_EPOCH changes the bytes (the test can fail)' '
	gild pkg create --set CATEGORY=app-misc --set PF=tool-1.0 \
		--set BUILD_ID=0123456789abcdef --set SLOT=0 --set EAPI=8 \
		--set "RDEPEND=sys-libs/zlib" --source-date-epoch 1600000000 img later.gpkg.tar &&
	! cmp -s tool.gpkg.tar later.gpkg.tar
'

test_expect_success 'a SOURCE_DATE_EPOCH that is not whole seconds is refused, not taken as 0' '
	test_expect_code 2 gild pkg create --source-date-epoch 1600000000.5 img bad.gpkg.tar 2>err &&
	test_grep "^gild pkg: --source-date-epoch wants whole seconds since 1970, not .1600000000.5." err &&
	test_expect_code 2 env SOURCE_DATE_EPOCH=yesterday gild pkg create img bad.gpkg.tar 2>err &&
	test_grep "^gild pkg: SOURCE_DATE_EPOCH wants whole seconds since 1970, not .yesterday." err &&
	! test -e bad.gpkg.tar
'

test_expect_success ROOT 'owners are root by default, recorded with --keep-owners' '
	make_image owned && chown 4321:8765 owned/usr/bin/tool &&
	create owned owned-root.gpkg.tar &&
	gild pkg files owned-root.gpkg.tar >out &&
	test_grep "^obj [0-7]* root:root [0-9a-f]* /usr/bin/tool$" out &&
	create --keep-owners owned owned-kept.gpkg.tar &&
	gild pkg files owned-kept.gpkg.tar >out &&
	test_grep "^obj [0-7]* 4321:8765 [0-9a-f]* /usr/bin/tool$" out &&
	test_grep "^dir 0755 root:root - /usr$" out &&
	gild pkg verify owned-kept.gpkg.tar
'

test_expect_success 'pkg verify accepts an intact package' '
	gild pkg verify tool.gpkg.tar 2>err &&
	test_grep "tool.gpkg.tar: ok" err
'

# flip_byte FILE MEMBER: corrupt the first data byte block of a member.
flip_byte() {
	python3 - "$1" "$2" <<-\EOP
	import sys, tarfile
	path, member = sys.argv[1], sys.argv[2]
	with tarfile.open(path) as t:
	    off = [m for m in t.getmembers() if m.name.endswith("/" + member)][0].offset_data
	with open(path, "r+b") as f:
	    f.seek(off + 20); b = f.read(1); f.seek(off + 20); f.write(bytes([b[0] ^ 0x55]))
	EOP
}

test_expect_success PYTHON3 'a flipped byte in image.tar.zst fails verify, naming member and file' '
	cp tool.gpkg.tar bad.gpkg.tar &&
	flip_byte bad.gpkg.tar image.tar.zst &&
	test_expect_code 1 gild pkg verify bad.gpkg.tar 2>err &&
	echo "bad.gpkg.tar: error: BLAKE2B/SHA512 mismatch for '\''image.tar.zst'\''" >expect &&
	test_cmp expect err &&
	test_expect_code 1 gild pkg extract bad.gpkg.tar dest 2>err &&
	test_cmp expect err &&
	! test -e dest
'

# rewrap IN OUT DROP ADD: copy the outer tar without member DROP, with an
# extra member ADD (either may be "").
rewrap() {
	python3 - "$@" <<-\EOP
	import io, sys, tarfile
	src, dst, drop, add = sys.argv[1:5]
	with tarfile.open(src) as t, tarfile.open(dst, "w", format=tarfile.USTAR_FORMAT) as o:
	    for m in t.getmembers():
	        if drop and m.name.endswith("/" + drop):
	            continue
	        o.addfile(m, t.extractfile(m))
	        top = m.name.split("/")[0]
	    if add:
	        ti = tarfile.TarInfo(top + "/" + add); ti.size = 3
	        o.addfile(ti, io.BytesIO(b"xyz"))
	EOP
}

test_expect_success PYTHON3 'an extra member not in the Manifest fails verify' '
	rewrap tool.gpkg.tar extra.gpkg.tar "" surprise &&
	test_expect_code 1 gild pkg verify extra.gpkg.tar 2>err &&
	echo "extra.gpkg.tar: error: member '\''surprise'\'' not in the Manifest" >expect &&
	test_cmp expect err
'

test_expect_success 'a second Manifest member (or a cut one) fails verify and extract, leaving nothing' '
	cp tool.gpkg.tar dupm.gpkg.tar &&
	m=$(tar -tf tool.gpkg.tar | grep "/Manifest$") &&
	tar -xf tool.gpkg.tar "$m" &&
	tar -rf dupm.gpkg.tar "$m" &&
	test_expect_code 1 gild pkg verify dupm.gpkg.tar 2>err &&
	echo "dupm.gpkg.tar: error: duplicate member '\''Manifest'\''" >expect &&
	test_cmp expect err &&
	test_expect_code 1 gild pkg extract dupm.gpkg.tar dupm-dest 2>err &&
	test_cmp expect err &&
	test_must_fail test -e dupm-dest
'

test_expect_success PYTHON3 'a missing member fails verify' '
	rewrap tool.gpkg.tar missing.gpkg.tar image.tar.zst "" &&
	test_expect_code 1 gild pkg verify missing.gpkg.tar 2>err &&
	echo "missing.gpkg.tar: error: missing member '\''image.tar.zst'\''" >expect &&
	test_cmp expect err
'

test_expect_success 'extract restores files, links and empty directories' '
	gild pkg extract tool.gpkg.tar root &&
	test "$(cat root/usr/lib/libx.so.1)" = lib &&
	test "$(readlink root/usr/lib/libx.so)" = libx.so.1 &&
	test "$(stat -c %i root/usr/lib/libx.so.1)" = "$(stat -c %i root/usr/lib/libx-hard.so.1)" &&
	test -d root/var/empty &&
	test -x root/usr/bin/tool
'

test_expect_success 'extract leaves the destination directory mode alone' '
	mkdir -p d700 && chmod 700 d700 &&
	gild pkg extract tool.gpkg.tar d700 &&
	test "$(stat -c %a d700)" = 700 &&
	test -f d700/usr/bin/tool
'

test_expect_success ROOT 'extract as root keeps the setuid bit' '
	test "$(stat -c %a root/usr/bin/tool)" = 4755
'

# evil_members OUT MEMBER...: a package whose valid Manifest covers the
# image members given, each NAME (a file) or NAME->TARGET (a symlink,
# TARGET may be empty), in
# that order, with a CONTENTS that lists them, except a NAME written
# -NAME. EVIL_META_RAW=1: metadata.tar.zst not compressed; EVIL_CONTENTS:
# this CONTENTS text instead ("none": no CONTENTS); EVIL_BIG=N: a
# DESCRIPTION of N bytes; EVIL_NO_IMAGE=1: no image.tar.zst member.
evil_members() {
	python3 - "$@" <<-\EOP
	import hashlib, io, os, subprocess, sys, tarfile
	out = sys.argv[1]
	def tar_bytes(members):
	    buf = io.BytesIO()
	    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
	        for n, data, link in members:
	            ti = tarfile.TarInfo(n)
	            ti.uname = ti.gname = "root"
	            if link is not None:
	                ti.type, ti.linkname, ti.mode = tarfile.SYMTYPE, link, 0o777
	            else:
	                ti.size, ti.mode = len(data), 0o644
	            t.addfile(ti, io.BytesIO(data) if link is None else None)
	    return buf.getvalue()
	def zst(data):
	    return subprocess.run(["zstd", "-q", "-c"], input=data, stdout=subprocess.PIPE, check=True).stdout
	data = b"pwned\n"
	specs, contents = [], ""
	for a in sys.argv[2:]:
	    listed = not a.startswith("-")
	    name, arrow, link = a.lstrip("-").partition("->")
	    specs.append((name, data, link if arrow else None))
	    if listed and name.startswith("image/"):
	        path = name[len("image"):]
	        if arrow:
	            contents += "sym 0777 root:root - %s -> %s\n" % (path, link)
	        else:
	            contents += "obj 0644 root:root %s %s\n" % (hashlib.sha256(data).hexdigest(), path)
	image = zst(tar_bytes(specs))
	contents = os.environ.get("EVIL_CONTENTS", contents)
	meta = [("metadata/PF", b"evil-1\n", None), ("metadata/CATEGORY", b"x\n", None)]
	if contents != "none":
	    meta.append(("metadata/CONTENTS", contents.encode(), None))
	if os.environ.get("EVIL_BIG"):
	    meta.append(("metadata/DESCRIPTION", b"x" * int(os.environ["EVIL_BIG"]), None))
	meta = tar_bytes(meta)
	if not os.environ.get("EVIL_META_RAW"):
	    meta = zst(meta)
	members = [("gpkg-1", b""), ("metadata.tar.zst", meta), ("image.tar.zst", image)]
	if os.environ.get("EVIL_NO_IMAGE"):
	    members = members[:2]
	man = "".join("DATA %s %d BLAKE2B %s SHA512 %s\n" % (n, len(d),
	      hashlib.blake2b(d).hexdigest(), hashlib.sha512(d).hexdigest()) for n, d in members)
	members.append(("Manifest", man.encode()))
	with open(out, "wb") as f:
	    f.write(tar_bytes([("evil-1/" + n, d, None) for n, d in members]))
	EOP
}

# evil_gpkg OUT NAME [LINKTARGET]: one image member NAME (a symlink to
# LINKTARGET if given).
evil_gpkg() {
	evil_members "$1" "$2${3:+->$3}"
}

test_expect_success PYTHON3 'extract refuses a ../ member before writing anything outside' '
	mkdir -p jail &&
	evil_gpkg evil.gpkg.tar "image/../../escaped" &&
	test_expect_code 2 gild pkg extract evil.gpkg.tar jail/root 2>err &&
	echo "evil.gpkg.tar: error: refusing member name with '\''..'\'': '\''image/../../escaped'\''" >expect &&
	test_cmp expect err &&
	! test -e escaped && ! test -e jail/escaped
'

test_expect_success PYTHON3 'extract refuses an absolute member name' '
	evil_gpkg abs.gpkg.tar "/tmp/gild-escaped" &&
	test_expect_code 2 gild pkg extract abs.gpkg.tar jail/root 2>err &&
	test_grep "refusing member .*/tmp/gild-escaped" err &&
	! test -e /tmp/gild-escaped
'

test_expect_success PYTHON3 'extract refuses a symlink that climbs out of the image' '
	evil_gpkg link.gpkg.tar "image/usr/evil" "../../../etc" &&
	test_expect_code 2 gild pkg extract link.gpkg.tar jail/root 2>err &&
	echo "link.gpkg.tar: error: refusing symlink '\''usr/evil'\'' -> '\''../../../etc'\'' that leaves the image" >expect &&
	test_cmp expect err
'

test_expect_success PYTHON3 'a file under an absolute symlink is refused, naming the file (no use after free)' '
	evil_members under.gpkg.tar "image/usr/lnk->/etc" "image/usr/lnk/passwd" &&
	test_must_fail gild pkg extract under.gpkg.tar jail/under 2>err &&
	test_grep "^under.gpkg.tar: error: cannot extract .*'\''/usr/lnk/passwd'\'': " err
'

test_expect_success PYTHON3 'a crafted package that verifies is extracted (the helper is sound)' '
	evil_members fine.gpkg.tar "image/usr/lnk->../etc" "image/usr/data" &&
	gild pkg verify fine.gpkg.tar &&
	gild pkg extract fine.gpkg.tar jail/fine &&
	test "$(readlink jail/fine/usr/lnk)" = ../etc &&
	test "$(cat jail/fine/usr/data)" = pwned
'

# refused WHAT PKG MESSAGE: extract refuses PKG, as verify does, with
# MESSAGE, and writes nothing: not into a new directory (none is left,
# nor a temporary beside it), not into an existing one
refused() {
	test_must_fail gild pkg verify "$2" 2>verify.err &&
	test_grep "$3" verify.err &&
	test_must_fail gild pkg extract "$2" "jail/$1" 2>err &&
	test_grep "$3" err &&
	! test -e "jail/$1" &&
	test -z "$(ls jail | grep "^$1.gild-tmp")" &&
	mkdir -p "jail/$1-old" &&
	test_must_fail gild pkg extract "$2" "jail/$1-old" 2>err &&
	test_grep "$3" err &&
	test -z "$(ls -A "jail/$1-old")"
}

test_expect_success PYTHON3 'extract refuses an image member not in CONTENTS, writing nothing' '
	evil_members unlisted.gpkg.tar "image/usr/data" "-image/usr/setuid" &&
	refused unlisted unlisted.gpkg.tar "'\''/usr/setuid'\'' is not in CONTENTS"
'

test_expect_success PYTHON3 'extract refuses metadata that is not zstd, writing nothing' '
	EVIL_META_RAW=1 evil_members raw.gpkg.tar "image/usr/data" &&
	refused raw raw.gpkg.tar "'\''metadata.tar.zst'\'' is not zstd-compressed"
'

test_expect_success PYTHON3 'extract refuses a package without CONTENTS, writing nothing' '
	EVIL_CONTENTS=none evil_members nocont.gpkg.tar "image/usr/data" &&
	refused nocont nocont.gpkg.tar "no CONTENTS in the metadata"
'

test_expect_success PYTHON3 'extract refuses garbage CONTENTS, writing nothing' '
	EVIL_CONTENTS="no such line" evil_members garbage.gpkg.tar "image/usr/data" &&
	refused garbage garbage.gpkg.tar "error: "
'

test_expect_success PYTHON3 'garbage CONTENTS names the package and the line' '
	for c in files verify; do
		test_expect_code 2 gild pkg $c garbage.gpkg.tar 2>err &&
		echo "garbage.gpkg.tar: error: malformed CONTENTS line 1" >expect &&
		test_cmp expect err || exit 1
	done
'

test_expect_success PYTHON3 'extract refuses a package without an image, as verify does' '
	EVIL_NO_IMAGE=1 evil_members noimage.gpkg.tar &&
	refused noimage noimage.gpkg.tar "noimage.gpkg.tar: error: no image.tar.zst member"
'

test_expect_success PYTHON3 'extract refuses a metadata value past the limit, writing nothing' '
	EVIL_BIG=68157440 evil_members big.gpkg.tar "image/usr/data" &&
	refused bigmeta big.gpkg.tar "metadata file '\''DESCRIPTION'\'' is too large"
'

test_expect_success PYTHON3 'a symlink without a target is refused by verify and extract (it crashed both)' '
	evil_members notarget.gpkg.tar "image/usr/data" "image/usr/empty->" &&
	refused notarget notarget.gpkg.tar "symlink '\''.*/usr/empty'\'' without a target"
'

test_expect_success 'a FIFO in the image is refused with its path' '
	make_image fifoimg && mkfifo fifoimg/usr/pipe &&
	test_expect_code 2 create fifoimg fifo.gpkg.tar 2>err &&
	echo "gild: error: FIFO '\''/usr/pipe'\'' cannot be packaged (create it at image assembly instead)" >expect &&
	test_cmp expect err &&
	! test -e fifo.gpkg.tar
'

if test_have_prereq ROOT && mkdir -p small &&
	mount -t tmpfs -o size=1m tmpfs small 2>/dev/null; then
	test_set_prereq SMALLFS
else test_set_prereq_reason SMALLFS "needs root and mount -t tmpfs"; fi

test_expect_success SMALLFS 'extract onto a full disk fails, naming the file and ENOSPC' '
	mkdir -p bigimg/usr/share &&
	head -c 8388608 /dev/urandom >bigimg/usr/share/big &&
	create bigimg bigimg.gpkg.tar &&
	test_expect_code 1 gild pkg extract bigimg.gpkg.tar small/dst 2>err &&
	test_grep "^bigimg.gpkg.tar: error: cannot write '\''$PWD/small/dst.gild-tmp.[0-9]*/usr/share/big'\'': No space left on device$" err &&
	test -z "$(ls -A small)"
'
test_expect_success SMALLFS 'a package that does not fit names the package and ENOSPC' '
	rm -rf small/* &&
	test_expect_code 1 create bigimg small/big.gpkg.tar 2>err &&
	echo "gild: error: cannot write the temporary of package '"'"'small/big.gpkg.tar'"'"': No space left on device" >expect &&
	test_cmp expect err &&
	test -z "$(ls small)"
'
test_have_prereq SMALLFS && umount small

test_expect_success 'kill -9 during a large write leaves no package, and the next write works' '
	make_image big && mkdir -p kill &&
	head -c 96000000 /dev/urandom >big/usr/lib/blob &&
	{ create big kill/big.gpkg.tar & pid=$!; } &&
	i=0 && while ! test -e kill/.big.gpkg.tar.lock && test $i -lt 500; do sleep 0.01; i=$((i+1)); done &&
	sleep 0.05 &&
	kill -9 $pid && { wait $pid; test $? -eq 137; } &&
	! test -e kill/big.gpkg.tar &&
	rm big/usr/lib/blob &&
	: >kill/.big.gpkg.tar.tmp.1.0 &&
	timeout 60 gild pkg create --set CATEGORY=app-misc --set PF=tool-1.0 \
		--set BUILD_ID=0123456789abcdef big kill/big.gpkg.tar &&
	gild pkg verify kill/big.gpkg.tar &&
	ls -A kill >left &&
	printf "%s\n" .big.gpkg.tar.lock big.gpkg.tar >expect &&
	test_cmp expect left
'

# only_package_files DIR NAME: DIR holds nothing but NAME's lock, NAME
# itself and temporaries of NAME (".NAME.tmp.*").
only_package_files() {
	ls -A "$1" | grep -v -x -e ".$2.lock" -e "$2" -e ".$2.tmp.*" >stray;
	test_must_fail test -s stray
}

test_expect_success 'kill -9 at any moment of a write: never a broken package, never a held lock' '
	make_image big3 && mkdir -p kill3 &&
	head -c 40000000 /dev/urandom >big3/usr/lib/blob &&
	for ms in 000 010 020 040 060 080 100 130 160 200 250 300 400; do
		rm -f kill3/big.gpkg.tar &&
		{ gild pkg create --set CATEGORY=app-misc --set PF=tool-1.0 \
			big3 kill3/big.gpkg.tar 2>/dev/null & pid=$!; } &&
		sleep 0.$ms && { kill -9 $pid 2>/dev/null; wait $pid || :; } &&
		flock -n kill3/.big.gpkg.tar.lock true || return 1
		if test -e kill3/big.gpkg.tar; then
			gild pkg verify kill3/big.gpkg.tar 2>/dev/null || return 1
		fi
		only_package_files kill3 big.gpkg.tar || return 1
	done &&
	gild pkg create --set CATEGORY=app-misc --set PF=tool-1.0 big3 kill3/big.gpkg.tar &&
	gild pkg verify kill3/big.gpkg.tar &&
	ls -A kill3 >left &&
	printf "%s\n" .big.gpkg.tar.lock big.gpkg.tar >expect &&
	test_cmp expect left
'

test_expect_success 'two concurrent writers of one package leave one good package' '
	mkdir -p conc &&
	{ create img conc/tool.gpkg.tar & p1=$!; } &&
	{ create img conc/tool.gpkg.tar & p2=$!; } &&
	wait $p1 && wait $p2 &&
	cmp tool.gpkg.tar conc/tool.gpkg.tar &&
	gild pkg verify conc/tool.gpkg.tar &&
	ls -A conc >left &&
	printf "%s\n" .tool.gpkg.tar.lock tool.gpkg.tar >expect &&
	test_cmp expect left
'

test_done
