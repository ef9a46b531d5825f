import base64

data = b"Portalis \x00\xff binary?"
e = base64.b64encode(data)
print(e, base64.b64decode(e) == data)
print(base64.urlsafe_b64encode(b"\xfb\xff\xfe"), base64.urlsafe_b64decode("-__-"))
print(base64.b32encode(b"hello"), base64.b32decode(b"NBSWY3DP"), base64.b16encode(b"\x01\xab"), base64.b16decode("01AB"))
print(base64.standard_b64encode(b"a"), base64.b64encode(b"ab"), base64.b64decode("YWJj"))
print(base64.encodebytes(b"x" * 60))
print(base64.b85encode(b"hello"), base64.a85encode(b"hello"))
try:
    base64.b64decode("abc")
except Exception as e:
    print(type(e).__name__, e)
