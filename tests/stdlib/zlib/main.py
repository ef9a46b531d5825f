import zlib

data = b"hello hello hello hello portalis " * 20
c = zlib.compress(data)
print(len(data), len(c) < len(data), zlib.decompress(c) == data, c[:2])
print(zlib.compress(b"abc", 9), zlib.decompress(zlib.compress(b"")))
print(zlib.crc32(b"hello"), zlib.adler32(b"hello"), zlib.crc32(b"lo", zlib.crc32(b"hel")))
co = zlib.compressobj(6, zlib.DEFLATED, -15)
raw = co.compress(data) + co.flush()
print(zlib.decompress(raw, -15) == data)
do = zlib.decompressobj()
print(do.decompress(c[:10]) + do.decompress(c[10:]) == data)
try:
    zlib.decompress(b"not zlib")
except zlib.error as e:
    print("zlib.error:", e)
