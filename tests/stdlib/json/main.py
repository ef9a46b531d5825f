import json

data = {"name": "Widget", "price": 9.99, "tags": ["a", "b"], "stock": None, "active": True, "dims": {"w": 3, "h": 4.5}}
s = json.dumps(data)
print(s)
print(json.dumps(data, indent=2, sort_keys=True))
print(json.dumps([1, 2, {"x": "é"}], ensure_ascii=False))
print(json.dumps("é\n\"q\""))
print(json.dumps({"b": 1, "a": 2}, separators=(",", ":"), sort_keys=True))
back = json.loads(s)
print(back == data, back["dims"]["h"], type(back["tags"]).__name__)
print(json.loads('[1, 2.5, "x", null, true, false, {"k": [ ]}]'))
print(json.loads('"\\u00e9\\ud83d\\ude00"'))
print(json.loads("1e3"), json.loads("-0"), json.loads("12345678901234567890"))
try:
    json.loads('{"a": 1,}')
except json.JSONDecodeError as e:
    print("JSONDecodeError:", e.msg, e.pos, e.lineno, e.colno)
try:
    json.dumps({1, 2})
except TypeError as e:
    print("TypeError:", e)


class P:
    def __init__(self, x, y):
        self.x, self.y = x, y


print(json.dumps(P(1, 2), default=lambda o: o.__dict__))
print(json.loads('{"x": 1, "y": 2}', object_hook=lambda d: P(**d)).y)
print(json.dumps({1: "int key", 2.5: "f", None: "n", True: "t"}))
