# bench: object
# A JSON-like serializer and parser plus a tiny template engine, written
# without the json module: recursive encoding of dicts, lists, strings (with
# escapes), ints, floats, bools and None into compact and indented text; a
# recursive-descent parser that reads it back; and "{{ name }}" templates
# filled from nested records. Round-trips generated documents and prints sizes
# and a digest.


class EncodeError(Exception):
    pass


ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def quote(s):
    out = ['"']
    for ch in s:
        esc = ESCAPES.get(ch)
        if esc is not None:
            out.append(esc)
        elif ch < " ":
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def encode(value, indent=None, level=0):
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        items = [encode(v, indent, level + 1) for v in value]
        if indent is None:
            return "[" + ",".join(items) + "]"
        pad = "\n" + " " * (indent * (level + 1))
        return "[" + pad + ("," + pad).join(items) + "\n" + " " * (indent * level) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = []
        for k, v in value.items():
            if not isinstance(k, str):
                raise EncodeError("key must be a string: %r" % (k,))
            sep = ": " if indent is not None else ":"
            items.append(quote(k) + sep + encode(v, indent, level + 1))
        if indent is None:
            return "{" + ",".join(items) + "}"
        pad = "\n" + " " * (indent * (level + 1))
        return "{" + pad + ("," + pad).join(items) + "\n" + " " * (indent * level) + "}"
    raise EncodeError("cannot encode %s" % type(value).__name__)


class Parser:
    def __init__(self, text):
        self.text = text
        self.pos = 0

    def skip(self):
        text = self.text
        while self.pos < len(text) and text[self.pos] in " \n\t\r":
            self.pos += 1

    def parse(self):
        value = self.value()
        self.skip()
        if self.pos != len(self.text):
            raise ValueError("trailing data at %d" % self.pos)
        return value

    def value(self):
        self.skip()
        ch = self.text[self.pos]
        if ch == "{":
            return self.obj()
        if ch == "[":
            return self.arr()
        if ch == '"':
            return self.string()
        for word, val in (("null", None), ("true", True), ("false", False)):
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return val
        return self.number()

    def obj(self):
        self.pos += 1
        result = {}
        self.skip()
        if self.text[self.pos] == "}":
            self.pos += 1
            return result
        while True:
            self.skip()
            key = self.string()
            self.skip()
            self.pos += 1  # ':'
            result[key] = self.value()
            self.skip()
            ch = self.text[self.pos]
            self.pos += 1
            if ch == "}":
                return result

    def arr(self):
        self.pos += 1
        result = []
        self.skip()
        if self.text[self.pos] == "]":
            self.pos += 1
            return result
        while True:
            result.append(self.value())
            self.skip()
            ch = self.text[self.pos]
            self.pos += 1
            if ch == "]":
                return result

    def string(self):
        text = self.text
        self.pos += 1
        parts = []
        start = self.pos
        while True:
            ch = text[self.pos]
            if ch == '"':
                parts.append(text[start:self.pos])
                self.pos += 1
                return "".join(parts)
            if ch == "\\":
                parts.append(text[start:self.pos])
                nxt = text[self.pos + 1]
                if nxt == "u":
                    parts.append(chr(int(text[self.pos + 2:self.pos + 6], 16)))
                    self.pos += 6
                else:
                    parts.append({"n": "\n", "t": "\t", "r": "\r"}.get(nxt, nxt))
                    self.pos += 2
                start = self.pos
            else:
                self.pos += 1

    def number(self):
        start = self.pos
        text = self.text
        while self.pos < len(text) and text[self.pos] in "+-0123456789.eE":
            self.pos += 1
        token = text[start:self.pos]
        if "." in token or "e" in token or "E" in token:
            return float(token)
        return int(token)


NAMES = ["ada", "brian", "chloe", "dmitri", "emeka", "fatima", "goran", "hana"]
CITIES = ["Lisbon", "Osaka", "Quito", "Tromso", "Accra", "Perth"]


def make_record(i):
    name = NAMES[i % len(NAMES)]
    return {
        "id": i,
        "name": name.capitalize() + " " + NAMES[(i * 7) % len(NAMES)].upper(),
        "email": "%s.%d@example.org" % (name, i),
        "active": i % 3 != 0,
        "score": (i * 37 % 1000) / 8.0,
        "tags": [CITIES[(i + k) % len(CITIES)] for k in range(i % 4)],
        "address": {"city": CITIES[i % len(CITIES)], "zip": "%05d" % (i * 91 % 100000),
                    "note": None if i % 5 else 'line "one"\n\tline two'},
        "history": [{"year": 2000 + k, "amount": i * k - 17} for k in range(i % 3 + 1)],
    }


def render(template, context):
    out = []
    pos = 0
    while True:
        start = template.find("{{", pos)
        if start < 0:
            out.append(template[pos:])
            return "".join(out)
        end = template.find("}}", start)
        out.append(template[pos:start])
        path = template[start + 2:end].strip()
        value = context
        for part in path.split("."):
            if isinstance(value, list):
                value = value[int(part)]
            else:
                value = value[part]
        out.append(str(value))
        pos = end + 2


TEMPLATE = ("Dear {{ name }} <{{ email }}>, your score is {{ score }} "
            "and you live in {{ address.city }} ({{ address.zip }}); "
            "first year {{ history.0.year }} amount {{ history.0.amount }}.")


def digest(text):
    h = 5381
    for ch in text:
        h = (h * 33 + ord(ch)) & 0xFFFFFFFF
    return h


total_compact = 0
total_pretty = 0
h = 0
letters = 0
for batch in range(60):
    doc = {"batch": batch, "records": [make_record(batch * 100 + i) for i in range(100)],
           "meta": {"source": "bench", "version": [1, batch, 0], "ok": True}}
    compact = encode(doc)
    pretty = encode(doc, indent=2)
    back = Parser(pretty).parse()
    assert back == doc, batch
    assert Parser(compact).parse() == doc
    total_compact += len(compact)
    total_pretty += len(pretty)
    h = (h * 31 + digest(compact)) % 4294967296
    for rec in doc["records"]:
        letters += len(render(TEMPLATE, rec))
print("compact", total_compact, "pretty", total_pretty, "digest", h, "letters", letters)
print(encode(make_record(5), indent=2))
print(render(TEMPLATE, make_record(42)))
try:
    encode({"ok": [1, 2, {3: "x"}]})
except EncodeError as e:
    print("EncodeError:", e)
try:
    encode({"bad": {1, 2}})
except EncodeError as e:
    print("EncodeError:", e)
