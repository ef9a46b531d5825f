from pathlib import PurePosixPath, PurePath, PureWindowsPath

p = PurePosixPath("/usr/local/lib/python3.11/site-packages/pkg/mod.tar.gz")
print(p, repr(p), p.name, p.stem, p.suffix, p.suffixes, p.parent, p.anchor, p.root)
print(p.parts[:3], list(p.parents)[:2], p.is_absolute(), p.with_suffix(".zip"), p.with_name("other.py"))
q = PurePosixPath("docs") / "guide" / "intro.md"
print(q, q.relative_to("docs"), q.match("*.md"), q.with_stem("index"), str(q), q.as_posix())
print(PurePath("a/b") == PurePosixPath("a/b"), PurePosixPath("a", "b", "../c"), PurePosixPath("//x/y"))
print(sorted([PurePosixPath("b"), PurePosixPath("a/z"), PurePosixPath("a")]))
w = PureWindowsPath(r"C:\Users\me\file.txt")
print(w.drive, w.name, w.parent, w.as_posix())
try:
    q.relative_to("other")
except ValueError as e:
    print("ValueError:", e)
