import gzip
import io

data = ("line %d\n" % i for i in range(100))
blob = "".join(data).encode()
gz = gzip.compress(blob, mtime=0)
print(gz[:4], len(gz) < len(blob), gzip.decompress(gz) == blob)
buf = io.BytesIO()
with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as f:
    f.write(b"streamed data\n")
buf.seek(0)
with gzip.GzipFile(fileobj=buf, mode="rb") as f:
    print(f.read())
try:
    gzip.decompress(b"plain")
except gzip.BadGzipFile as e:
    print("BadGzipFile:", e)
