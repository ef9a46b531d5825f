import binascii

print(binascii.hexlify(b"\x01\xabxyz"), binascii.unhexlify("01ab78797a"), binascii.hexlify(b"abc", "-"))
print(binascii.b2a_hex(b"\xff"), binascii.a2b_hex(b"ff"), binascii.b2a_base64(b"hi"), binascii.a2b_base64(b"aGk=\n"))
print(binascii.crc32(b"hello world"), hex(binascii.crc32(b"abc", 0)), binascii.crc_hqx(b"abc", 0))
try:
    binascii.unhexlify("abc")
except binascii.Error as e:
    print("Error:", e)
