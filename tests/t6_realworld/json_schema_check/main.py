"""Validating JSON documents against a small JSON-Schema subset, the way
config-file validators are written: recursive checks that collect errors
with JSON-pointer paths, type dispatch through a dict of checker functions,
$ref resolution with a memo, and a summary table per document."""
import json
import re
import sys

TYPES = {
    "object": dict, "array": list, "string": str, "boolean": bool, "null": type(None),
}


def is_type(value, name):
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, TYPES[name])


def pointer(path):
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path) if path else "(root)"


class Validator:
    def __init__(self, root):
        self.root = root
        self.errors = []
        self.refs = {}

    def resolve(self, ref):
        if ref not in self.refs:
            node = self.root
            for part in ref.lstrip("#/").split("/"):
                node = node[part]
            self.refs[ref] = node
        return self.refs[ref]

    def error(self, path, msg):
        self.errors.append((pointer(path), msg))

    def check(self, value, schema, path=()):
        if "$ref" in schema:
            return self.check(value, self.resolve(schema["$ref"]), path)
        want = schema.get("type")
        if want is not None:
            names = want if isinstance(want, list) else [want]
            if not any(is_type(value, n) for n in names):
                self.error(path, f"expected {' or '.join(names)}, got {json.dumps(value)[:20]}")
                return
        if "enum" in schema and value not in schema["enum"]:
            self.error(path, f"{value!r} is not one of {schema['enum']}")
        for key, fn in CHECKS.items():
            if key in schema:
                fn(self, value, schema[key], schema, path)


def c_properties(v, value, props, schema, path):
    if not isinstance(value, dict):
        return
    for name in schema.get("required", []):
        if name not in value:
            v.error(path, f"missing required property {name!r}")
    for name, sub in props.items():
        if name in value:
            v.check(value[name], sub, path + (name,))
    extra = schema.get("additionalProperties", True)
    for name in sorted(set(value) - set(props)):
        if extra is False:
            v.error(path + (name,), "additional property not allowed")
        elif isinstance(extra, dict):
            v.check(value[name], extra, path + (name,))


def c_items(v, value, sub, schema, path):
    if isinstance(value, list):
        for i, item in enumerate(value):
            v.check(item, sub, path + (i,))
        if schema.get("uniqueItems"):
            seen = []
            for i, item in enumerate(value):
                if item in seen:
                    v.error(path + (i,), f"duplicate item {json.dumps(item)}")
                seen.append(item)


def c_min_items(v, value, n, schema, path):
    if isinstance(value, list) and len(value) < n:
        v.error(path, f"expected at least {n} items, got {len(value)}")


def c_minimum(v, value, lo, schema, path):
    if isinstance(value, (int, float)) and value < lo:
        v.error(path, f"{value} is less than the minimum {lo}")


def c_maximum(v, value, hi, schema, path):
    if isinstance(value, (int, float)) and value > hi:
        v.error(path, f"{value} is greater than the maximum {hi}")


def c_pattern(v, value, pat, schema, path):
    if isinstance(value, str) and not re.search(pat, value):
        v.error(path, f"{value!r} does not match {pat!r}")


def c_max_length(v, value, n, schema, path):
    if isinstance(value, str) and len(value) > n:
        v.error(path, f"{value[:10]!r}... is longer than {n} characters")


def c_any_of(v, value, subs, schema, path):
    for sub in subs:
        trial = Validator(v.root)
        trial.check(value, sub, path)
        if not trial.errors:
            return
    v.error(path, f"matches none of {len(subs)} alternatives")


CHECKS = {
    "properties": c_properties, "items": c_items, "minItems": c_min_items, "minimum": c_minimum,
    "maximum": c_maximum, "pattern": c_pattern, "maxLength": c_max_length, "anyOf": c_any_of,
}

SCHEMA = json.loads("""
{
  "definitions": {
    "port": {"type": "integer", "minimum": 1, "maximum": 65535},
    "host": {"type": "string", "pattern": "^[a-z0-9.-]+$", "maxLength": 30}
  },
  "type": "object",
  "required": ["name", "listen", "upstreams"],
  "additionalProperties": false,
  "properties": {
    "name": {"type": "string", "maxLength": 12},
    "listen": {"$ref": "#/definitions/port"},
    "mode": {"enum": ["http", "tcp"]},
    "timeout": {"type": ["number", "null"], "minimum": 0},
    "upstreams": {
      "type": "array", "minItems": 1, "uniqueItems": true,
      "items": {
        "type": "object", "required": ["host"],
        "properties": {"host": {"$ref": "#/definitions/host"}, "port": {"$ref": "#/definitions/port"},
                       "weight": {"anyOf": [{"type": "integer", "minimum": 0}, {"enum": ["auto"]}]}},
        "additionalProperties": {"type": "string"}
      }
    }
  }
}
""")


def main():
    docs = [d for d in sys.stdin.read().split("\n%%\n") if d.strip()]
    total = 0
    for n, text in enumerate(docs, 1):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as e:
            print(f"document {n}: invalid JSON: {e.msg} at line {e.lineno} column {e.colno}")
            total += 1
            continue
        v = Validator(SCHEMA)
        v.check(doc, SCHEMA)
        total += len(v.errors)
        print(f"document {n}: {'valid' if not v.errors else f'{len(v.errors)} error(s)'}")
        for where, msg in v.errors:
            print(f"  {where:<22} {msg}")
    print(f"{len(docs)} documents, {total} problem(s)")
    return 1 if total else 0


sys.exit(main())
