import secrets
import string

tok = secrets.token_hex(16)
print(len(tok), all(c in string.hexdigits for c in tok))
print(len(secrets.token_bytes(8)), len(secrets.token_urlsafe(16)) >= 16)
alphabet = string.ascii_letters + string.digits
pw = "".join(secrets.choice(alphabet) for _ in range(12))
print(len(pw), all(c in alphabet for c in pw))
n = secrets.randbelow(10)
print(0 <= n < 10, secrets.randbits(8) < 256, secrets.compare_digest("abc", "abc"), secrets.compare_digest(b"a", b"b"))
print(secrets.SystemRandom().random() < 1.0)
