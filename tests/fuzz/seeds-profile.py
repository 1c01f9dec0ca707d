#!/usr/bin/env python3
# seeds-profile.py TOP DIR: the seeds of tests/fuzz/corpus/profile
# (seed-*): shipped profiles and the test fixtures' profiles in the input
# format of fuzz-profile.c ("--- profiles/PATH" files, t/child's parent
# pointing at the profile to load).
import os, sys
top, out = sys.argv[1], sys.argv[2]
def files(root, prefix, skip=()):
    r = []
    for d, _, fs in sorted(os.walk(root)):
        for f in sorted(fs):
            p = os.path.join(d, f)
            rel = os.path.relpath(p, root)
            if any(rel.startswith(s) for s in skip) or os.path.getsize(p) > 3000:
                continue
            r.append(("%s/%s" % (prefix, rel), open(p, "rb").read()))
    return r
def seed(name, child_parent, parts, head=b""):
    b = head
    b += b"--- profiles/t/child/parent\n" + child_parent.encode()
    for n, d in parts:
        b += b"--- " + n.encode() + b"\n" + d
        if d and not d.endswith(b"\n"):
            b += b"\n"
    open(os.path.join(out, name), "wb").write(b)
T = lambda p: os.path.join(top, p)
seed("shipped-amd64", "../../default/linux/amd64\n",
     files(T("profiles"), "profiles", skip=("roles", "desc", "README")) +
     files(T("tests/fixtures/profiles-basic/etc"), "etc"))
seed("shipped-hardened", "../../default/linux/amd64/hardened\n",
     files(T("profiles/base"), "profiles/base") +
     files(T("profiles/default"), "profiles/default") +
     files(T("profiles/features"), "profiles/features"), head=b'USE="child -ssl"\n')
seed("shipped-role-web", "../../roles/web\n",
     files(T("profiles/base"), "profiles/base") +
     files(T("profiles/default"), "profiles/default") +
     files(T("profiles/roles/web"), "profiles/roles/web", skip=("files",)))
seed("gentoo-desktop", "../../default/linux/amd64/23.0/desktop\n",
     files(T("tests/fixtures/profiles-gentoo/profiles"), "profiles"))
seed("basic-targets", "../../targets/desktop\ngild:base\n",
     files(T("tests/fixtures/profiles-basic/profiles"), "profiles") +
     files(T("tests/fixtures/profiles-basic/etc"), "etc"))
