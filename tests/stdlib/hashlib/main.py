import hashlib

for name in ["md5", "sha1", "sha256", "sha512"]:
    h = hashlib.new(name)
    h.update(b"hello ")
    h.update(b"world")
    print(name, h.hexdigest(), h.digest_size, h.block_size)
print(hashlib.sha256(b"").hexdigest())
print(hashlib.md5("héllo".encode()).hexdigest(), hashlib.sha1(b"abc").digest()[:4])
h = hashlib.sha256()
h.update(b"a" * 1000)
c = h.copy()
c.update(b"b")
print(h.hexdigest(), c.hexdigest(), h.name)
print(hashlib.pbkdf2_hmac("sha256", b"password", b"salt", 1000).hex())
print(hashlib.blake2b(b"x", digest_size=16).hexdigest(), hashlib.sha3_256(b"x").hexdigest())
print(sorted(hashlib.algorithms_guaranteed)[:4])
