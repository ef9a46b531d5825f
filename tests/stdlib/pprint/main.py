import pprint

data = {"name": "portalis", "versions": list(range(30)), "nested": {"a": [1, 2, {"deep": ("t", "u")}], "b": "x" * 50},
        "set": {3, 1, 2}}
pprint.pprint(data)
pprint.pprint(data, width=40, depth=2)
print(pprint.pformat([1, 2, 3]), pprint.pformat(list(range(40)), compact=True))
pprint.pprint({"z": 1, "a": 2}, sort_dicts=False)
pp = pprint.PrettyPrinter(indent=4, width=30)
pp.pprint([{"k": i, "v": "val%d" % i} for i in range(3)])
print(pprint.saferepr([1, "two"]), pprint.isreadable({"a": 1}))
