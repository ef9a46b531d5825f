import uuid

u = uuid.UUID("12345678-1234-5678-1234-567812345678")
print(u, repr(u), u.hex, u.int, u.version, u.bytes[:4], u.urn)
print(uuid.uuid3(uuid.NAMESPACE_DNS, "python.org"), uuid.uuid5(uuid.NAMESPACE_URL, "https://example.com"))
r = uuid.uuid4()
print(r.version, len(str(r)), r.variant == uuid.RFC_4122)
print(uuid.UUID(bytes=b"\x00" * 15 + b"\x01"), uuid.UUID("{12345678-1234-5678-1234-567812345678}") == u)
print(sorted([uuid.UUID(int=5), uuid.UUID(int=1)]))
