#!/usr/bin/env python3
# seeds-gpkg.py DIR: the hand-made seeds of tests/fuzz/corpus/gpkg (seed-plain-*):
# outer tars whose *.tar.zst members are plain tars, which fuzz-gpkg.c
# compresses, and without a Manifest, which it computes; each holds a
# CONTENTS that matches its image. seed-raw-foo-1 is a package
# as `gild pkg create` writes it.
import hashlib, io, sys, tarfile

def strip(b):
    while len(b) >= 512 and b[-512:] == b"\0" * 512:
        b = b[:-512]
    return b

def tar(entries):
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode="w", format=tarfile.PAX_FORMAT) as t:
        for e in entries:
            ti = tarfile.TarInfo(e["name"])
            ti.uname = ti.gname = "root"
            ti.mtime = 1700000000
            ti.mode = e.get("mode", 0o644)
            data = e.get("data", b"")
            if e.get("type") == "dir":
                ti.type = tarfile.DIRTYPE
            elif e.get("type") == "sym":
                ti.type = tarfile.SYMTYPE
                ti.linkname = e["target"]
            elif e.get("type") == "hard":
                ti.type = tarfile.LNKTYPE
                ti.linkname = e["target"]
            ti.size = len(data) if e.get("type", "obj") == "obj" else 0
            t.addfile(ti, io.BytesIO(data) if ti.size else None)
    return strip(bio.getvalue())

def contents(img):
    lines, sha = [], {}
    for e in img:
        p = "/" + e["name"][len("image/"):].rstrip("/")
        if p == "/":
            continue
        ty = e.get("type", "obj")
        if ty == "dir":
            lines.append("dir %04o root:root - %s" % (e.get("mode", 0o755), p))
        elif ty == "sym":
            lines.append("sym 0777 root:root - %s -> %s" % (p, e["target"]))
        elif ty == "hard":
            lines.append("obj %04o root:root %s %s" % (e.get("mode", 0o644), sha[e["target"]], p))
        else:
            h = hashlib.sha256(e.get("data", b"")).hexdigest()
            sha[e["name"]] = h
            lines.append("obj %04o root:root %s %s" % (e.get("mode", 0o644), h, p))
    return "\n".join(sorted(lines, key=lambda l: l.split(" ")[4])) + "\n"

def pkg(img, meta=None, extra_contents="", manifest=False):
    meta = dict(meta or {"CATEGORY": "app-misc", "PF": "foo-1", "SLOT": "0", "EAPI": "8"})
    meta["CONTENTS"] = contents(img) + extra_contents
    md = [{"name": "metadata/" + k, "data": (v + "\n").encode()} for k, v in meta.items()]
    md.append({"name": "metadata/foo-1.ebuild", "data": b"EAPI=8\n"})
    outer = [{"name": "foo-1-0123456789ab/gpkg-1"},
             {"name": "foo-1-0123456789ab/metadata.tar.zst", "data": tar(md)},
             {"name": "foo-1-0123456789ab/image.tar.zst", "data": tar(img)}]
    return tar(outer)

D = lambda n, m=0o755: {"name": n, "type": "dir", "mode": m}
F = lambda n, d, m=0o644: {"name": n, "data": d, "mode": m}
S = lambda n, t: {"name": n, "type": "sym", "target": t, "mode": 0o777}
H = lambda n, t: {"name": n, "type": "hard", "target": t}

seeds = {
  "plain-basic": pkg([D("image/"), D("image/usr"), D("image/usr/bin"),
                      F("image/usr/bin/hello", b"#!/bin/sh\necho hi\n", 0o755),
                      H("image/usr/bin/hello2", "image/usr/bin/hello"),
                      F("image/usr/bin/su", b"x", 0o4755),
                      D("image/usr/lib"), S("image/usr/lib/libz.so", "libz.so.1"),
                      F("image/usr/lib/libz.so.1", b"lib\n")]),
  "plain-abs-symlink-then-file": pkg([D("image/"), D("image/etc"),
                      S("image/etc/abs", "/usr/bin"), F("image/etc/abs/x", b"V")]),
  "plain-climbing-symlink": pkg([D("image/"), S("image/a", "../../../etc/passwd"),
                      S("image/b", "./c/../../x")]),
  "plain-one-file": pkg([D("image/"), F("image/ok", b"ok")],
                      extra_contents=""),
  "plain-empty": pkg([]),
  "plain-long-name": pkg([D("image/"), F("image/" + "d" * 120 + "/" + "f" * 90, b"long")]),
}
for k, v in seeds.items():
    open(sys.argv[1] + "/" + k, "wb").write(v)
