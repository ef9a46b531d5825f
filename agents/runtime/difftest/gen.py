#!/usr/bin/env python3
# Differential test generator for the runtime: each *.tests file lists calls
# (module or builtin or method-on-literal, positional args, keyword args,
# then methods applied to the result) with literal arguments.  This script
# writes a Rust program that makes the same calls through portalis_rt and a
# Python program that makes them in CPython; tests/runtime.sh builds and runs
# both and compares the printed reprs line by line.
# usage: gen.py TESTS OUT.rs OUT.py
# Tiny generator: each test is (module, func, args, kwargs, post) where post is
# an optional list of method calls applied to the result; emits a Rust program
# using portalis_rt and the equivalent Python program.
import sys, json
class Ref:
    def __init__(self, rs, py): self.rs, self.py = rs, py
    def __repr__(self): return self.py
class Lit:
    def __init__(self, v): self.v = v
tests = eval(open(sys.argv[1]).read())
def rs(v):
    if v is None: return "Value::none()"
    if isinstance(v, bool): return f"Value::bool({'true' if v else 'false'})"
    if isinstance(v, int):
        if -2**63 <= v < 2**63: return f"Value::int({v})"
        return f'rt::int_from_str("{v}")'
    if isinstance(v, float):
        if v != v: return "Value::float(f64::NAN)"
        if v == float('inf'): return "Value::float(f64::INFINITY)"
        if v == float('-inf'): return "Value::float(f64::NEG_INFINITY)"
        return f"Value::float({v!r})"
    if isinstance(v, str): return "Value::str(" + rstr(v) + ")"
    if isinstance(v, list): return "rt::list(vec![" + ", ".join(rs(x) for x in v) + "])"
    if isinstance(v, tuple): return "rt::tuple(vec![" + ", ".join(rs(x) for x in v) + "])"
    if isinstance(v, dict): return "rt::dict(vec![" + ", ".join(f"({rs(k)}, {rs(x)})" for k, x in v.items()) + "]).unwrap()"
    if isinstance(v, Ref): return v.rs
    if isinstance(v, frozenset): return "rt::frozenset(vec![" + ", ".join(rs(x) for x in v) + "]).unwrap()"
    if isinstance(v, set): return ("rt::set_const" if len(v) > 2 else "rt::set") + "(vec![" + ", ".join(rs(x) for x in v) + "]).unwrap()"
    raise Exception(v)
def py(v):
    if isinstance(v, float) and (v != v or v in (float('inf'), float('-inf'))): return f"float('{v}')"
    return repr(v)
def rstr(v):
    out = '"'
    for c in v:
        if c in '"\\': out += '\\' + c
        elif 32 <= ord(c) < 127: out += c
        else: out += "\\u{%x}" % ord(c)
    return out + '"'

R = []
mods = sorted({t[0] for t in tests if isinstance(t[0], str) and t[0] != "builtins"})
P = ["import " + ", ".join(mods)] if mods else []
for idx, (mod, fn, args, kw, post) in enumerate(tests):
    a = ", ".join(rs(x) for x in args)
    k = ", ".join(f'("{n}".to_string(), {rs(x)})' for n, x in kw.items())
    if mod == "builtins":
        R.append(f'    let r = rt::call(&rt::builtin("{fn}"), vec![{a}], vec![{k}]);')
    elif isinstance(mod, Lit):
        R.append(f'    let r = rt::call_method(&{rs(mod.v)}, "{fn}", vec![{a}], vec![{k}]);')
    else:
        R.append(f'    let r = rt::call(&rt::getattr(&rt::import("{mod}")?, "{fn}")?, vec![{a}], vec![{k}]);')
    chain = ""
    pychain = ""
    for m, margs in post:
        ma = ", ".join(rs(x) for x in margs)
        chain += f'.and_then(|v| rt::call_method(&v, "{m}", vec![{ma}], vec![]))'
        pychain += f".{m}(" + ", ".join(py(x) for x in margs) + ")"
    R.append(f'    show(r{chain});')
    pa = ", ".join([py(x) for x in args] + [f"{n}={py(x)}" for n, x in kw.items()])
    target = "" if mod == "builtins" else (f"({mod.v!r})." if isinstance(mod, Lit) else f"{mod}.")
    P.append(f"try:\n    print(repr({target}{fn}({pa}){pychain}))\nexcept Exception as e:\n    print('ERR', type(e).__name__, e)")
open(sys.argv[2], "w").write("""use portalis_rt::prelude::*;
fn show(r: PyResult<Value>) { match r { Ok(v) => { let s = rt::repr(&v).unwrap(); rt::print(&[Value::string(s)]).unwrap(); } Err(e) => { let t = rt::type_name(&e.value()); let m = rt::to_str(&e.value()).unwrap(); rt::print(&[Value::str("ERR"), Value::string(t), Value::string(m)]).unwrap(); } } }
fn body(_m: &Value) -> PyResult<()> {
""" + "\n".join(R) + "\n    Ok(())\n}\nfn main() { rt::run_main(\"main.py\", body) }\n")
open(sys.argv[3], "w").write("\n".join(P) + "\n")
