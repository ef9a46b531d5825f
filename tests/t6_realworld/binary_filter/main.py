"""A byte-level filter, the way command-line tools handle binary input:
read all of stdin as bytes, count line endings, rewrite CRLF to LF,
and write the result and a summary through sys.stdout.buffer."""
import sys

data = sys.stdin.buffer.read()
print(f"read {len(data)} bytes", flush=True)
crlf = data.count(b"\r\n")
lines = data.replace(b"\r\n", b"\n").split(b"\n")
out = sys.stdout.buffer
for i, line in enumerate(lines):
    if not line:
        continue
    out.write(f"{i:03d}| ".encode("ascii") + line.upper() + b"\n")
out.write(bytes([0x2d]) * 10 + b"\n")
out.flush()
print("crlf", crlf, "lines", len([l for l in lines if l]))
high = sorted({b for b in data if b >= 0x80})
print("non-ascii bytes", [hex(b) for b in high])
sys.stdout.write("text after binary\n")
sys.stdout.buffer.write("é ✓\n".encode("utf-8"))
print(sys.stdin.buffer.read() == b"")
