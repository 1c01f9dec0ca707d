#!/bin/sh
test_description='gild unpack: tar, zip and .deb; members that escape the work directory are refused'
. "$(dirname "$0")/lib.sh"

# mkarchive KIND OUT: craft an archive with python3 (tarfile, zipfile, and
# the ar format by hand for .deb).
mkarchive() {
	python3 - "$1" "$2" <<-'EOF'
	import io, sys, tarfile, zipfile
	kind, out = sys.argv[1], sys.argv[2]

	def tar(members, mode="w:gz"):
	    buf = io.BytesIO()
	    with tarfile.open(fileobj=buf, mode=mode) as t:
	        for name, typ, data in members:
	            ti = tarfile.TarInfo(name)
	            ti.mtime = 1000000000
	            ti.mode = 0o644
	            if typ == "file":
	                ti.size = len(data)
	                t.addfile(ti, io.BytesIO(data))
	            elif typ == "dir":
	                ti.type, ti.mode = tarfile.DIRTYPE, 0o755
	                t.addfile(ti)
	            else:
	                ti.type = tarfile.SYMTYPE if typ == "sym" else tarfile.LNKTYPE
	                ti.linkname = data
	                t.addfile(ti)
	    return buf.getvalue()

	def ar(members):
	    b = b"!<arch>\n"
	    for name, data in members:
	        b += b"%-16s%-12d%-6d%-6d%-8s%-10d`\n" % (name.encode(), 0, 0, 0, b"100644", len(data))
	        b += data + (b"\n" if len(data) % 2 else b"")
	    return b

	good = [("hello-1/", "dir", b""), ("hello-1/README", "file", b"hi\n"),
	        ("hello-1/doc", "sym", "README")]
	cases = {
	    "good": lambda: tar(good),
	    "dotdot": lambda: tar([("ok", "file", b"1"), ("../escaped", "file", b"x")]),
	    "absolute": lambda: tar([("/tmp/gild-absolute-escape", "file", b"x")]),
	    "symlink": lambda: tar([("sneaky", "sym", "../../.."), ("sneaky/x", "file", b"x")]),
	    "hardlink": lambda: tar([("h", "hard", "/etc/passwd")]),
	}
	if kind == "zip":
	    with zipfile.ZipFile(out, "w") as z:
	        z.writestr("hello-1/README", "hi\n")
	        z.writestr("../zip-escaped", "x")
	elif kind == "zipgood":
	    with zipfile.ZipFile(out, "w") as z:
	        z.writestr("hello-1/README", "hi\n")
	elif kind == "deb":
	    ctl = tar([("./control", "file", b"Package: hello\n")], "w:gz")
	    data = tar([("./usr/", "dir", b""), ("./usr/bin/", "dir", b""),
	                ("./usr/bin/hello", "file", b"#!/bin/sh\n")], "w:xz")
	    open(out, "wb").write(ar([("debian-binary", b"2.0\n"),
	        ("control.tar.gz", ctl), ("data.tar.xz", data)]))
	else:
	    open(out, "wb").write(cases[kind]())
	EOF
}

test_expect_success PYTHON3 'a good tar.gz unpacks with its symlink' '
	mkarchive good good.tar.gz &&
	gild unpack good.tar.gz work &&
	echo hi >expect &&
	test_cmp expect work/hello-1/README &&
	test_cmp expect work/hello-1/doc &&
	test -h work/hello-1/doc
'

test_expect_success PYTHON3 'a ../ member is refused and nothing lands outside' '
	mkarchive dotdot dotdot.tar.gz &&
	mkdir -p w1/work &&
	test_expect_code 2 gild unpack dotdot.tar.gz w1/work 2>err &&
	echo "gild: error: '"'"'dotdot.tar.gz'"'"': member '"'"'../escaped'"'"' has a '"'"'..'"'"' component" >expect &&
	test_cmp expect err &&
	! test -e w1/escaped
'

test_expect_success PYTHON3 'an absolute member path is refused' '
	mkarchive absolute abs.tar.gz &&
	test_expect_code 2 gild unpack abs.tar.gz w2 2>err &&
	echo "gild: error: '"'"'abs.tar.gz'"'"': member '"'"'/tmp/gild-absolute-escape'"'"' has an absolute path" >expect &&
	test_cmp expect err &&
	! test -e /tmp/gild-absolute-escape
'

test_expect_success PYTHON3 'a symlink pointing outside is refused' '
	mkarchive symlink sym.tar.gz &&
	test_expect_code 2 gild unpack sym.tar.gz w3 2>err &&
	echo "gild: error: '"'"'sym.tar.gz'"'"': member '"'"'sneaky'"'"' is a symlink to '"'"'../../..'"'"', outside the work directory" >expect &&
	test_cmp expect err &&
	! test -e w3/sneaky
'

test_expect_success PYTHON3 'a hard link to outside is refused' '
	mkarchive hardlink hard.tar.gz &&
	test_expect_code 2 gild unpack hard.tar.gz w4 2>err &&
	echo "gild: error: '"'"'hard.tar.gz'"'"': member '"'"'h'"'"' is a hard link to outside the work directory" >expect &&
	test_cmp expect err
'

test_expect_success PYTHON3 'zip files unpack; an escaping zip member is refused' '
	mkarchive zipgood good.zip &&
	gild unpack good.zip w5 &&
	echo hi >expect &&
	test_cmp expect w5/hello-1/README &&
	mkarchive zip evil.zip &&
	mkdir -p w6/work &&
	test_expect_code 2 gild unpack evil.zip w6/work 2>err &&
	test_grep "member '"'"'../zip-escaped'"'"' has a '"'"'..'"'"' component" err &&
	! test -e w6/zip-escaped
'

test_expect_success PYTHON3 'a .deb unpacks its data.tar member' '
	mkarchive deb hello_1_all.deb &&
	gild unpack hello_1_all.deb w7 &&
	echo "#!/bin/sh" >expect &&
	test_cmp expect w7/usr/bin/hello &&
	! test -e w7/control &&
	! test -e w7/debian-binary
'

test_expect_success PYTHON3 'a destination reached through a symlink works' '
	mkdir real &&
	ln -s real viasymlink &&
	gild unpack good.tar.gz viasymlink &&
	echo hi >expect &&
	test_cmp expect real/hello-1/README
'

test_expect_success 'a file that is not an archive is an error' '
	echo "plain text" >notes.txt &&
	test_expect_code 2 gild unpack notes.txt w8 2>err &&
	test_grep "^gild: error: '"'"'notes.txt'"'"': not an archive gild can unpack" err
'

if test_have_prereq ROOT && mkdir -p small &&
	mount -t tmpfs -o size=1m tmpfs small 2>/dev/null; then
	test_set_prereq SMALLFS
else test_set_prereq_reason SMALLFS "needs root and mount -t tmpfs"; fi

test_expect_success SMALLFS 'a full work directory is an environment failure (exit 1) with errno' '
	mkdir -p big small/w &&
	head -c 4194304 /dev/urandom >big/blob &&
	tar -cf big.tar big &&
	test_expect_code 1 gild unpack big.tar small/w 2>err &&
	echo "gild: error: '"'"'big.tar'"'"': cannot write '"'"'big/blob'"'"': No space left on device" >expect &&
	test_cmp expect err
'
test_have_prereq SMALLFS && umount small

test_done
