import os
import tempfile

with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "notes.txt")
    with open(path, "w") as f:
        f.write("first line\nsecond line\n")
    with open(path, "a") as f:
        print("appended", file=f)
    with open(path) as f:
        for i, line in enumerate(f, 1):
            print(i, line.rstrip())
    with open(path, "rb") as f:
        print(f.read(5), os.path.getsize(path))
    print(sorted(os.listdir(d)), os.path.exists(path), os.path.isdir(d))
    os.remove(path)
    print(os.path.exists(path))
with tempfile.NamedTemporaryFile("w+", suffix=".csv") as t:
    t.write("a,b\n")
    t.seek(0)
    print(t.read().strip(), t.name.endswith(".csv"))
try:
    open("/no/such/file.txt")
except FileNotFoundError as e:
    print("FileNotFoundError:", e.errno, e.strerror)
