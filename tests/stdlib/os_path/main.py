import os
import os.path

paths = ["/usr/local/lib/python3.11/os.py", "relative/dir/file.tar.gz", "/", "", "a//b/../c/./d", "~user/x", ".hidden"]
for p in paths:
    print(repr(p), os.path.basename(p), os.path.dirname(p), os.path.split(p), os.path.splitext(p))
    print("  isabs", os.path.isabs(p), "normpath", os.path.normpath(p) if p else "")
print(os.path.join("a", "b", "c.txt"))
print(os.path.join("/etc", "/abs", "x"))
print(os.path.join("dir/", "file"))
print(os.path.commonprefix(["/usr/lib/a", "/usr/lib/b", "/usr/local"]))
print(os.path.commonpath(["/usr/lib/a", "/usr/lib/b"]))
print(os.path.relpath("/a/b/c/d", "/a/b/x"))
print(os.path.splitext("archive.tar.gz")[1], os.path.splitext(".bashrc"))
print(os.sep, os.curdir, os.pardir, os.extsep, os.path.sep)
print(os.path.exists("/definitely/not/here/x.txt"))
print(os.path.normcase("A/B"), os.path.expanduser("/no/tilde"))
