import struct

hdr = struct.pack("<4sHHI", b"PRTL", 1, 2, 0xDEADBEEF)
print(hdr, len(hdr), struct.calcsize("<4sHHI"))
magic, major, minor, flags = struct.unpack("<4sHHI", hdr)
print(magic, major, minor, hex(flags))
print(struct.pack(">i", -2), struct.pack("<d", 1.5), struct.pack("!f", 0.1))
print(struct.unpack(">hhl", b"\x00\x01\x00\x02\x00\x00\x00\x03"))
rec = struct.Struct("<Ih?")
buf = b"".join(rec.pack(i, -i, i % 2 == 0) for i in range(3))
print(rec.size, list(rec.iter_unpack(buf)), rec.unpack_from(buf, rec.size))
print(struct.unpack_from("<H", b"\x00\x00\x34\x12", 2))
print(struct.calcsize("@ci"), struct.calcsize("=ci"), struct.pack("3s", b"abcdef"), struct.pack("<q", 2 ** 62))
try:
    struct.pack("<B", 300)
except struct.error as e:
    print("struct.error:", e)
try:
    struct.unpack("<I", b"\x01")
except struct.error as e:
    print("struct.error:", e)
# parsing a buffer through a memoryview: no copies of the slices
packet = bytearray(struct.pack("<HH", 2, 7) + b"\x01\x02\x03\x04\x05\x06\x07")
view = memoryview(packet)
count, size = struct.unpack_from("<HH", view, 0)
body = view[4:4 + size]
print(count, size, bytes(body), body.tolist()[:3], len(body), body.nbytes, body.readonly)
body[0] = 0xFF
print(packet[4], bytes(view[::3]), view[-1], body == b"\xff\x02\x03\x04\x05\x06\x07")
