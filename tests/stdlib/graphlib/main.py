from graphlib import TopologicalSorter, CycleError

deps = {"app": {"lib", "utils"}, "lib": {"core"}, "utils": {"core"}, "core": set()}
ts = TopologicalSorter(deps)
order = list(ts.static_order())
print(order[0], order[-1], len(order))
ts2 = TopologicalSorter()
ts2.add("b", "a")
ts2.add("c", "b")
ts2.add("d", "a")
print(list(ts2.static_order()))
ts3 = TopologicalSorter({"x": ["y"], "y": []})
ts3.prepare()
while ts3.is_active():
    ready = ts3.get_ready()
    print("ready", ready)
    ts3.done(*ready)
try:
    list(TopologicalSorter({"a": ["b"], "b": ["a"]}).static_order())
except CycleError as e:
    print("CycleError", e.args[0])
