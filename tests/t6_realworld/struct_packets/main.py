"""A little binary protocol: a header, typed records and a checksum, packed
and parsed with struct the way network and file-format code does it."""
import struct

HEADER = struct.Struct("<4sHHI")          # magic, version, count, payload size
RECORD = "<IhBx d"                          # id, delta, flags, pad, value


def build(records):
    body = b"".join(struct.pack(RECORD, *r) for r in records)
    head = HEADER.pack(b"PKT1", 2, len(records), len(body))
    checksum = sum(body) & 0xFFFF
    return head + body + struct.pack(">H", checksum)


def parse(blob):
    magic, version, count, size = HEADER.unpack_from(blob, 0)
    print("magic", magic, "version", version, "count", count, "size", size)
    body = blob[HEADER.size:HEADER.size + size]
    (checksum,) = struct.unpack(">H", blob[-2:])
    print("checksum ok", checksum == sum(body) & 0xFFFF)
    out = []
    for rec in struct.iter_unpack(RECORD, body):
        out.append(rec)
    return out


records = [(1, -5, 3, 2.5), (2, 300, 255, -0.125), (65535, -32768, 0, 1e100)]
blob = build(records)
print(len(blob), blob[:12])
for r in parse(blob):
    print(r)

print(struct.calcsize("@bhiq"), struct.calcsize("=bhiq"), struct.calcsize("<3s?e"), struct.calcsize("2xi"))
print(struct.pack(">hHiI", -2, 65535, -70000, 4000000000))
print(struct.unpack("<qQ", struct.pack("<qQ", -2 ** 63, 2 ** 64 - 1)))
print(struct.pack("<f", 0.1), struct.unpack("<f", struct.pack("<f", 0.1)))
print(struct.pack("<e", 1.5), struct.unpack("<e", b"\x00<"), struct.unpack(">e", b"\x7c\x00"))
print(struct.pack("5p", b"hi"), struct.unpack("5p", b"\x02hixx"), struct.pack("3s", b"abcdef"))
print(struct.pack("?c", [], b"z"), struct.unpack("<??", b"\x00\x07"))
print(struct.Struct("!I").pack(1), struct.Struct(">Q").size, struct.Struct("<i").format)

for fmt, args in [("b", (200,)), ("B", (-1,)), ("h", (70000,)), ("<i", (2 ** 31,)), ("<I", (-1,)),
                  ("<ii", (1,)), ("i", ("x",)), ("c", (b"ab",)), ("3s", ("x",)), ("y", (1,))]:
    try:
        struct.pack(fmt, *args)
    except struct.error as e:
        print(fmt, "error:", e)
try:
    struct.unpack("<i", b"12")
except struct.error as e:
    print("unpack error:", e)
try:
    HEADER.unpack_from(b"short", 2)
except struct.error as e:
    print("unpack_from error:", e)
print(isinstance(struct.error("x"), Exception))
