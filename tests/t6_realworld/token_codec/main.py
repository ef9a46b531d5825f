"""Session tokens and a framed binary message format, the way web backends
and device protocols encode them: fields packed with struct, a CRC-32 from
binascii for integrity, URL-safe base64 without padding for transport, hex
dumps for debugging, and decoding that rejects tampered or truncated input
with precise errors."""
import base64
import binascii
import struct
from dataclasses import dataclass

MAGIC = 0xC0DE
HEAD = struct.Struct(">HBBIq")  # magic, version, flags, user id, expiry
FLAG_ADMIN, FLAG_MFA = 1, 2


class TokenError(ValueError):
    pass


@dataclass(frozen=True)
class Token:
    user: int
    expires: int
    scopes: tuple
    admin: bool = False
    mfa: bool = False


def b64u_encode(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64u_decode(text):
    pad = "=" * (-len(text) % 4)
    try:
        return base64.urlsafe_b64decode(text + pad)
    except binascii.Error as e:
        raise TokenError(f"bad base64: {e}") from None


def encode(tok):
    flags = (FLAG_ADMIN if tok.admin else 0) | (FLAG_MFA if tok.mfa else 0)
    body = HEAD.pack(MAGIC, 1, flags, tok.user, tok.expires)
    scopes = ",".join(tok.scopes).encode()
    body += struct.pack(">H", len(scopes)) + scopes
    crc = binascii.crc32(body)
    return b64u_encode(body + struct.pack(">I", crc))


def decode(text, now):
    raw = b64u_decode(text)
    if len(raw) < HEAD.size + 6:
        raise TokenError(f"token too short ({len(raw)} bytes)")
    body, (crc,) = raw[:-4], struct.unpack(">I", raw[-4:])
    if binascii.crc32(body) != crc:
        raise TokenError(f"checksum mismatch: {crc:08x} != {binascii.crc32(body):08x}")
    magic, version, flags, user, expires = HEAD.unpack_from(body)
    if magic != MAGIC or version != 1:
        raise TokenError(f"not a token (magic {magic:#06x}, version {version})")
    (n,) = struct.unpack_from(">H", body, HEAD.size)
    scopes = body[HEAD.size + 2:HEAD.size + 2 + n].decode()
    if expires < now:
        raise TokenError(f"expired {now - expires} s ago")
    return Token(user, expires, tuple(scopes.split(",")) if scopes else (), bool(flags & FLAG_ADMIN), bool(flags & FLAG_MFA))


def hexdump(raw, width=16):
    for off in range(0, len(raw), width):
        chunk = raw[off:off + width]
        hexpart = binascii.hexlify(chunk, " ").decode()
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        print(f"  {off:04x}  {hexpart:<{width * 3 - 1}}  |{text}|")


def frames(messages):
    """Length-prefixed frames with a type byte, then base64 for a text channel."""
    out = bytearray()
    for kind, payload in messages:
        data = payload.encode() if isinstance(payload, str) else payload
        out += struct.pack("<BH", kind, len(data)) + data
    return base64.b64encode(bytes(out)).decode()


def unframe(text):
    raw = base64.b64decode(text, validate=True)
    pos = 0
    while pos < len(raw):
        kind, n = struct.unpack_from("<BH", raw, pos)
        pos += 3
        yield kind, raw[pos:pos + n]
        pos += n


def main():
    now = 1_700_000_000
    tok = Token(42, now + 3600, ("read", "write"), admin=True)
    t = encode(tok)
    print("token:", t)
    print("decoded:", decode(t, now))
    raw = b64u_decode(t)
    hexdump(raw)
    tampered = bytearray(raw)
    tampered[9] ^= 0x01
    cases = {
        "tampered": b64u_encode(bytes(tampered)),
        "expired": encode(Token(7, now - 90, ())),
        "truncated": t[:12],
        "bad chars": t[:10] + "*" + t[11:],
        "one extra char": t + "A",
        "foreign": b64u_encode(struct.pack(">HBBIq", 0xBEEF, 1, 0, 1, now) + b"\x00\x00" + b"\x00" * 4),
    }
    for name, text in cases.items():
        try:
            print(f"{name}: ok {decode(text, now)}")
        except TokenError as e:
            print(f"{name}: {e}")
    print("empty scopes:", decode(encode(Token(1, now, (), mfa=True)), now))
    wire = frames([(1, "hello"), (2, b"\x00\xff\x10"), (3, "é")])
    print("frames:", wire)
    for kind, payload in unframe(wire):
        print(" ", kind, payload, binascii.hexlify(payload), f"crc={binascii.crc32(payload):#010x}")
    print("b32:", base64.b32encode(b"token"), "b16:", base64.b16encode(b"\x0f\xf0"), base64.b16decode("0FF0"))
    try:
        list(unframe("AQUA!!"))
    except binascii.Error as e:
        print("unframe:", e)
    print(binascii.unhexlify("c0de0101"), binascii.a2b_base64("wN4BAQ=="), base64.b64encode(b"\xfb\xff", altchars=b"-_"))


main()
