import re

text = "Contact: alice@example.com, bob.smith@mail.org; phone 555-1234 or 555-9876."
print(re.findall(r"[\w.]+@[\w.]+\.\w+", text))
print(re.findall(r"(\d{3})-(\d{4})", text))
m = re.search(r"(?P<user>\w+)@(?P<host>[\w.]+)", text)
print(m.group(0), m.group("user"), m.groupdict(), m.span(), m.start(2))
print(re.sub(r"\d", "#", "a1b22c333"))
print(re.sub(r"(\w+)@(\w+)", r"\2 at \1", "x@y and p@q"))
print(re.sub(r"[aeiou]", lambda m: m.group().upper(), "programming language"))
print(re.split(r"[,;]\s*", "a, b;c,   d"))
print(re.split(r"(\s)", "one two"))
pat = re.compile(r"^(\w+)\s*=\s*(.*)$", re.MULTILINE)
cfg = "name = portalis\nversion=3\n# comment\nmode = fast "
for k, v in pat.findall(cfg):
    print(repr(k), repr(v))
print([m.group(1) for m in re.finditer(r"<(\w+)>", "<a><bb><ccc>")])
print(re.match(r"\d+", "abc123"), bool(re.fullmatch(r"[a-f0-9]+", "deadbeef")))
print(re.IGNORECASE and re.search("HELLO", "say hello", re.I).group())
print(re.escape("a.b*c?"))
print(re.subn(r"o", "0", "foo boo"))
print(pat.pattern, pat.flags & re.MULTILINE != 0)
try:
    re.compile("(unclosed")
except re.error as e:
    print("re.error:", e)
