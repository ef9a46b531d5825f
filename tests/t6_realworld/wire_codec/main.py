"""A small binary wire protocol in the style of published networking code:
frames built in a bytearray, a CRC-16, escaping with bytes.translate,
bytes %-formatting for headers, hexdump output, and a run-length codec."""
import struct
import sys

STX, ETX, ESC = 0x02, 0x03, 0x1B
ROT13 = bytes.maketrans(b"ABCDEFGHIJKLMabcdefghijklmNOPQRSTUVWXYZnopqrstuvwxyz",
                        b"NOPQRSTUVWXYZnopqrstuvwxyzABCDEFGHIJKLMabcdefghijklm")


def crc16_ccitt(data, crc=0xFFFF):
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            if crc & 0x8000:
                crc = ((crc << 1) ^ 0x1021) & 0xFFFF
            else:
                crc = (crc << 1) & 0xFFFF
    return crc


def escape(payload):
    out = bytearray()
    for b in payload:
        if b in (STX, ETX, ESC):
            out.append(ESC)
            out.append(b ^ 0x20)
        else:
            out.append(b)
    return out


def unescape(data):
    out = bytearray()
    it = iter(data)
    for b in it:
        if b == ESC:
            out.append(next(it) ^ 0x20)
        else:
            out.append(b)
    return bytes(out)


def frame(msg_type, seq, payload):
    body = bytearray(struct.pack(">BHH", msg_type, seq, len(payload)))
    body += payload
    body.extend(struct.pack(">H", crc16_ccitt(body)))
    return bytes([STX]) + escape(body) + bytes([ETX])


def parse_frames(stream):
    frames = []
    buf = bytearray(stream)
    while True:
        start = buf.find(bytes([STX]))
        if start < 0:
            break
        end = buf.find(bytes([ETX]), start)
        if end < 0:
            break
        raw = unescape(buf[start + 1:end])
        del buf[:end + 1]
        msg_type, seq, n = struct.unpack(">BHH", raw[:5])
        payload = raw[5:5 + n]
        (crc,) = struct.unpack(">H", raw[5 + n:7 + n])
        ok = crc == crc16_ccitt(raw[:5 + n])
        frames.append((msg_type, seq, payload, ok))
    return frames, bytes(buf)


def rle_encode(data):
    out = bytearray()
    i = 0
    while i < len(data):
        j = i
        while j < len(data) and data[j] == data[i] and j - i < 255:
            j += 1
        out += bytes((j - i, data[i]))
        i = j
    return out


def rle_decode(data):
    out = bytearray()
    for k in range(0, len(data), 2):
        out.extend(data[k + 1:k + 2] * data[k])
    return out


def hexdump(data, width=16):
    lines = []
    for off in range(0, len(data), width):
        chunk = data[off:off + width]
        hexpart = " ".join("%02x" % b for b in chunk)
        text = chunk.translate(None, b"").decode("latin-1")
        text = "".join(c if 32 <= ord(c) < 127 else "." for c in text)
        lines.append(b"%08x  %-*s  |%s|" % (off, width * 3 - 1, hexpart.encode(), text.encode("ascii")))
    return b"\n".join(lines)


def main():
    messages = [line.rstrip("\n") for line in sys.stdin]
    stream = bytearray()
    for seq, text in enumerate(messages):
        payload = text.encode("utf-8")
        if seq % 2:
            payload = payload.translate(ROT13)
        if seq == 2:
            stream[len(stream):] = b"\x00\xff"  # line noise between frames
        stream += frame(1 + seq % 3, seq, payload)
    stream += b"\x02\x01partial"
    print("stream:", len(stream), "bytes, crc %04x" % crc16_ccitt(stream))
    sys.stdout.flush()
    sys.stdout.buffer.write(hexdump(bytes(stream[:64])) + b"\n")
    frames, rest = parse_frames(stream)
    for msg_type, seq, payload, ok in frames:
        if seq % 2:
            payload = payload.translate(ROT13)
        print(b"type=%d seq=%03d ok=%s len=%2d %r" % (msg_type, seq, b"yes" if ok else b"NO", len(payload), payload[:24]))
        print("   ", payload.decode("utf-8", errors="replace"))
    print("leftover:", rest)

    data = bytearray(b"aaaabbbcccccccccd" + bytes(300) + b"zz")
    packed = rle_encode(data)
    print(len(data), "->", len(packed), bytes(packed[:12]), rle_decode(packed) == data)

    ba = bytearray(b"Hello, World")
    ba[0] = ord("J")
    ba[-5:] = b"Wire!"
    ba.insert(5, 0x21)
    ba.reverse()
    ba.reverse()
    print(ba, repr(ba), len(ba), ba[1], ba[1:4], ba.upper(), ba.split(b","), ba.find(b"W"), b"!" in ba, 33 in ba)
    print(ba.pop(), ba.pop(0), ba, ba.count(b"l"), ba.replace(b"l", b"L"), ba.decode(), ba.hex(), bytearray.fromhex("de ad be ef"))
    ba.remove(ord(","))
    del ba[0:2]
    del ba[-1]
    ba *= 2
    print(ba, ba == b"lo Wire" * 2, ba < b"m", bytes(ba), list(ba[:3]), bytearray(3), bytearray([65, 66]), bytearray("é", "utf-8"))
    print(b"%s:%d:%5.2f:%x:%c:%c:%r:%a" % (b"key", 42, 3.14159, 255, 65, b"Z", b"raw", "é"))
    print(b"%(name)s=%(value)04d" % {b"name": b"width", b"value": 7}, b"%%d" % (), b"%-6s|" % bytearray(b"ab"))
    print(b"abc".translate(None, b"b"), b"Hello".translate(ROT13), bytes.fromhex("00 ff 7f"), b"a,b,,c".split(b","), b"  x ".strip())
    print(b"caf\xc3\xa9".decode(), b"caf\xe9".decode("latin-1"), b"caf\xe9".decode("ascii", "replace"), "naïve".encode("ascii", "ignore"), "naïve".encode("latin-1"))
    print(b"abc".rjust(6, b"*"), b"abc".center(7, b"-"), b"12".zfill(5), b"a-b-c".rpartition(b"-"), b"Hello World".title(), b"hello".capitalize())
    print(b"ABC".isupper(), b"abc1".isalnum(), b"123".isdigit(), b" \t".isspace(), b"Abc".swapcase(), b"x\ny\n".splitlines(), b"prefix.txt".removeprefix(b"prefix."))
    print(b"".join([b"a", bytearray(b"b"), b"c"]), bytearray(b"-").join([b"x", b"y"]), b"ab" + bytearray(b"cd"), bytearray(b"ab") + b"cd")
    print(isinstance(ba, bytearray), isinstance(ba, bytes), type(ba).__name__, struct.unpack("<I", bytearray(b"\x01\x00\x00\x00")))
    for bad in [lambda: hash(bytearray()), lambda: bytearray("x"), lambda: ba.append(256), lambda: b"%s" % "str",
                lambda: b"%d %d" % (1,), lambda: b"%d" % (1, 2), lambda: bytearray().pop(), lambda: ba.remove(0),
                lambda: b"\xff".decode(), lambda: "é".encode("ascii"), lambda: bytes.fromhex("0g"), lambda: ba[100]]:
        try:
            print(bad())
        except Exception as e:
            print(type(e).__name__ + ":", e)


if __name__ == "__main__":
    main()
