//! `collections.abc`: the abstract base classes, with CPython's mixin
//! methods (a class that defines `__getitem__` and `__len__` and derives
//! from Sequence gets `__iter__`, `__contains__`, `index`, `count`...; a
//! Mapping gets `get`, `keys`, `items`, `values`, `__eq__`...; a
//! MutableMapping `pop`, `update`, `setdefault`...; a Set the comparisons
//! and `&`, `|`, `-`, `^`), and `isinstance`/`issubclass` answers for the
//! builtin types registered with them (`isinstance([], Sequence)`) and for
//! the one-method ABCs by structure (`Iterable`: the type has `__iter__`),
//! through `virtual_subclass`, which object.rs consults after the MRO.
//! `numbers` is here too: its tower of ABCs, with int, bool, float,
//! complex and fractions.Fraction registered as CPython registers them (no
//! mixin methods: a user class deriving from numbers.Real defines its own).

use super::meth;
use crate::call::call_method;
use crate::object::*;
use crate::value::*;
use std::cell::RefCell;

struct Abc {
    cls: Value,
    builtins: Vec<&'static str>,
    needs: &'static [&'static str], // structural check (one-trick ABCs)
}

thread_local! {
    static REG: RefCell<Vec<Abc>> = RefCell::new(Vec::new());
    static MODULE: RefCell<Option<Value>> = RefCell::new(None);
}

/// True when `c` is a virtual subclass of the ABC `abc`.
pub fn virtual_subclass(c: &Value, abc: &Value) -> bool {
    REG.with(|r| {
        let r = r.borrow();
        if r.is_empty() {
            return false;
        }
        for a in r.iter() {
            if !ptr_eq(&a.cls, abc) {
                continue;
            }
            for b in a.builtins.iter() {
                // "module.Name": a runtime class (fractions.Fraction) or a subclass of it
                if let Some((md, nm)) = b.split_once('.') {
                    let hit = as_class(c)
                        .map(|k| k.mro.borrow().iter().any(|m| as_class(m).map(|x| x.name == nm && x.module == md).unwrap_or(false)))
                        .unwrap_or(false);
                    if hit {
                        return true;
                    }
                    continue;
                }
                if let Some(bc) = crate::builtins::try_builtin(b) {
                    if is_subclass(c, &bc) {
                        return true;
                    }
                }
                if as_class(c).map(|k| k.name == *b && k.builtin).unwrap_or(false) {
                    return true;
                }
            }
            let builtin = as_class(c).map(|k| k.builtin).unwrap_or(true);
            if !builtin && !a.needs.is_empty() && a.needs.iter().all(|n| matches!(lookup(c, n), Some(v) if !v.is_none())) {
                return true;
            }
            return false;
        }
        false
    })
}

fn m(name: &'static str, f: impl Fn(Vec<Value>, Kw) -> PyResult<Value> + 'static) -> (&'static str, Value) {
    (name, meth(name, f))
}

fn s(v: &Value) -> Value {
    v.clone()
}

fn seq_items(v: &Value) -> PyResult<Vec<Value>> {
    let n = crate::len(v)?;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        out.push(call_method(v, "__getitem__", vec![Value::Int(i as i64)], vec![])?);
    }
    Ok(out)
}

fn view_class(name: &'static str, kind: u8) -> Value {
    crate::stdlib2::rt_class(
        name,
        "collections.abc",
        vec![],
        vec![
            m("__init__", |a, _| {
                as_inst(&a[0]).unwrap().dict.borrow_mut().set("_mapping", a[1].clone());
                Ok(Value::None)
            }),
            m("__len__", |a, _| Ok(Value::Int(crate::len(&crate::getattr(&a[0], "_mapping")?)? as i64))),
            m("__iter__", move |a, _| {
                let mp = crate::getattr(&a[0], "_mapping")?;
                let keys = crate::collect(&mp)?;
                let mut out = Vec::with_capacity(keys.len());
                for k in keys {
                    out.push(match kind {
                        0 => k,
                        1 => crate::getitem(&mp, &k)?,
                        _ => {
                            let v = crate::getitem(&mp, &k)?;
                            crate::tuple(vec![k, v])
                        }
                    });
                }
                crate::iter(&crate::list(out))
            }),
            m("__contains__", move |a, _| {
                let mp = crate::getattr(&a[0], "_mapping")?;
                match kind {
                    0 => Ok(Value::Bool(crate::contains(&mp, &a[1])?)),
                    1 => {
                        for k in crate::collect(&mp)? {
                            let v = crate::getitem(&mp, &k)?;
                            if crate::ops::is(&v, &a[1]) || crate::ops::eq_bool(&v, &a[1])? {
                                return Ok(Value::Bool(true));
                            }
                        }
                        Ok(Value::Bool(false))
                    }
                    _ => {
                        let kv = crate::unpack(&a[1], 2)?;
                        match crate::getitem(&mp, &kv[0]) {
                            Ok(v) => Ok(Value::Bool(crate::ops::is(&v, &kv[1]) || crate::ops::eq_bool(&v, &kv[1])?)),
                            Err(e) if crate::exc_is(&e, "KeyError") => Ok(Value::Bool(false)),
                            Err(e) => Err(e),
                        }
                    }
                }
            }),
            m("__repr__", move |a, _| {
                let mp = crate::getattr(&a[0], "_mapping")?;
                Ok(Value::string(format!("{}({})", name, crate::repr(&mp)?)))
            }),
        ],
    )
}

pub fn module() -> Value {
    if let Some(md) = MODULE.with(|x| x.borrow().clone()) {
        return md;
    }
    let md = crate::rtsys::new_module("collections.abc", "");
    let mk = |name: &str, bases: Vec<Value>, methods: Vec<(&'static str, Value)>| {
        let c = crate::stdlib2::rt_class(name, "collections.abc", bases, methods);
        crate::rtsys::mod_set(&md, name, c.clone());
        c
    };
    let reg = |c: &Value, builtins: Vec<&'static str>, needs: &'static [&'static str]| {
        REG.with(|r| r.borrow_mut().push(Abc { cls: c.clone(), builtins, needs }));
    };
    const ITERATORS: [&str; 16] = [
        "generator", "iterator", "list_iterator", "tuple_iterator", "str_iterator", "str_ascii_iterator",
        "range_iterator", "dict_keyiterator", "dict_valueiterator", "dict_itemiterator", "set_iterator", "map",
        "filter", "zip", "enumerate", "reversed",
    ];
    let mut iterables = vec!["list", "tuple", "str", "bytes", "dict", "set", "frozenset", "range", "dict_keys", "dict_values", "dict_items"];
    iterables.extend(ITERATORS.iter());

    let container = mk("Container", vec![], vec![]);
    reg(&container, vec!["list", "tuple", "str", "bytes", "dict", "set", "frozenset", "range", "dict_keys", "dict_items"], &["__contains__"]);
    let hashable = mk("Hashable", vec![], vec![]);
    reg(
        &hashable,
        vec!["int", "float", "bool", "str", "bytes", "tuple", "frozenset", "NoneType", "range", "type", "function",
             "builtin_function_or_method", "method"],
        &["__hash__"],
    );
    let iterable = mk("Iterable", vec![], vec![]);
    reg(&iterable, iterables.clone(), &["__iter__"]);
    let iterator = mk("Iterator", vec![iterable.clone()], vec![m("__iter__", |a, _| Ok(s(&a[0])))]);
    reg(&iterator, ITERATORS.to_vec(), &["__iter__", "__next__"]);
    let reversible = mk("Reversible", vec![iterable.clone()], vec![]);
    reg(&reversible, vec!["list", "tuple", "str", "bytes", "range", "dict", "dict_keys", "dict_values", "dict_items"], &["__reversed__", "__iter__"]);
    let generator = mk("Generator", vec![iterator.clone()], vec![]);
    reg(&generator, vec!["generator"], &["__iter__", "__next__", "send", "throw", "close"]);
    let sized = mk("Sized", vec![], vec![]);
    reg(&sized, vec!["list", "tuple", "str", "bytes", "dict", "set", "frozenset", "range", "dict_keys", "dict_values", "dict_items"], &["__len__"]);
    let callable = mk("Callable", vec![], vec![]);
    reg(&callable, vec!["function", "builtin_function_or_method", "method", "type"], &["__call__"]);
    let collection = mk("Collection", vec![sized.clone(), iterable.clone(), container.clone()], vec![]);
    reg(&collection, vec!["list", "tuple", "str", "bytes", "dict", "set", "frozenset", "range", "dict_keys", "dict_values", "dict_items"], &["__len__", "__iter__", "__contains__"]);

    let sequence = mk(
        "Sequence",
        vec![reversible.clone(), collection.clone()],
        vec![
            m("__iter__", |a, _| crate::iter(&crate::list(seq_items(&a[0])?))),
            m("__contains__", |a, _| {
                for v in seq_items(&a[0])? {
                    if crate::ops::is(&v, &a[1]) || crate::ops::eq_bool(&v, &a[1])? {
                        return Ok(Value::Bool(true));
                    }
                }
                Ok(Value::Bool(false))
            }),
            m("__reversed__", |a, _| {
                let mut v = seq_items(&a[0])?;
                v.reverse();
                crate::iter(&crate::list(v))
            }),
            m("index", |a, _| {
                let items = seq_items(&a[0])?;
                let n = items.len() as i64;
                let norm = |v: Option<&Value>, d: i64| -> i64 {
                    match v.and_then(|x| x.as_i64()) {
                        Some(i) if i < 0 => (i + n).max(0),
                        Some(i) => i.min(n),
                        None => d,
                    }
                };
                let (start, stop) = (norm(a.get(2), 0), norm(a.get(3), n));
                for i in start..stop {
                    let v = &items[i as usize];
                    if crate::ops::is(v, &a[1]) || crate::ops::eq_bool(v, &a[1])? {
                        return Ok(Value::Int(i));
                    }
                }
                Err(new_exc("ValueError", ""))
            }),
            m("count", |a, _| {
                let mut n = 0;
                for v in seq_items(&a[0])? {
                    if crate::ops::is(&v, &a[1]) || crate::ops::eq_bool(&v, &a[1])? {
                        n += 1;
                    }
                }
                Ok(Value::Int(n))
            }),
        ],
    );
    reg(&sequence, vec!["list", "tuple", "str", "bytes", "range"], &[]);
    let mutseq = mk(
        "MutableSequence",
        vec![sequence.clone()],
        vec![
            m("append", |a, _| {
                let n = crate::len(&a[0])?;
                call_method(&a[0], "insert", vec![Value::Int(n as i64), a[1].clone()], vec![])?;
                Ok(Value::None)
            }),
            m("extend", |a, _| {
                let items = if crate::ops::is(&a[0], &a[1]) { crate::collect(&crate::list(seq_items(&a[1])?))? } else { crate::collect(&a[1])? };
                for v in items {
                    call_method(&a[0], "append", vec![v], vec![])?;
                }
                Ok(Value::None)
            }),
            m("clear", |a, _| {
                while crate::len(&a[0])? > 0 {
                    call_method(&a[0], "pop", vec![], vec![])?;
                }
                Ok(Value::None)
            }),
            m("reverse", |a, _| {
                let n = crate::len(&a[0])? as i64;
                for i in 0..n / 2 {
                    let x = crate::getitem(&a[0], &Value::Int(i))?;
                    let y = crate::getitem(&a[0], &Value::Int(n - i - 1))?;
                    crate::setitem(&a[0], &Value::Int(i), y)?;
                    crate::setitem(&a[0], &Value::Int(n - i - 1), x)?;
                }
                Ok(Value::None)
            }),
            m("pop", |a, _| {
                let i = a.get(1).cloned().unwrap_or(Value::Int(-1));
                let v = crate::getitem(&a[0], &i)?;
                crate::delitem(&a[0], &i)?;
                Ok(v)
            }),
            m("remove", |a, _| {
                let i = call_method(&a[0], "index", vec![a[1].clone()], vec![])?;
                crate::delitem(&a[0], &i)?;
                Ok(Value::None)
            }),
            m("__iadd__", |a, _| {
                call_method(&a[0], "extend", vec![a[1].clone()], vec![])?;
                Ok(a[0].clone())
            }),
        ],
    );
    reg(&mutseq, vec!["list"], &[]);

    let set_ops = |name: &'static str, f: fn(Vec<Value>, &Value) -> PyResult<Value>| {
        m(name, move |a, _| {
            let other = a.get(1).cloned().unwrap_or(Value::None);
            if crate::len(&other).is_err() {
                return Ok(singleton_not_implemented());
            }
            f(crate::collect(&a[0])?, &other)
        })
    };
    fn contains_all(xs: &[Value], other: &Value) -> PyResult<bool> {
        for x in xs {
            if !crate::contains(other, x)? {
                return Ok(false);
            }
        }
        Ok(true)
    }
    let set = mk(
        "Set",
        vec![collection.clone()],
        vec![
            set_ops("__le__", |xs, o| Ok(Value::Bool(xs.len() <= crate::len(o)? && contains_all(&xs, o)?))),
            set_ops("__lt__", |xs, o| Ok(Value::Bool(xs.len() < crate::len(o)? && contains_all(&xs, o)?))),
            set_ops("__ge__", |xs, o| {
                let os = crate::collect(o)?;
                let me = crate::list(xs.clone());
                Ok(Value::Bool(xs.len() >= os.len() && contains_all(&os, &me)?))
            }),
            set_ops("__gt__", |xs, o| {
                let os = crate::collect(o)?;
                let me = crate::list(xs.clone());
                Ok(Value::Bool(xs.len() > os.len() && contains_all(&os, &me)?))
            }),
            set_ops("__eq__", |xs, o| Ok(Value::Bool(xs.len() == crate::len(o)? && contains_all(&xs, o)?))),
            set_ops("__and__", |xs, o| {
                let mut out = Vec::new();
                for x in xs {
                    if crate::contains(o, &x)? {
                        out.push(x);
                    }
                }
                crate::set(out)
            }),
            set_ops("__or__", |mut xs, o| {
                xs.extend(crate::collect(o)?);
                crate::set(xs)
            }),
            set_ops("__sub__", |xs, o| {
                let mut out = Vec::new();
                for x in xs {
                    if !crate::contains(o, &x)? {
                        out.push(x);
                    }
                }
                crate::set(out)
            }),
            set_ops("__xor__", |xs, o| {
                let me = crate::list(xs.clone());
                let mut out = Vec::new();
                for x in xs {
                    if !crate::contains(o, &x)? {
                        out.push(x);
                    }
                }
                for y in crate::collect(o)? {
                    if !crate::contains(&me, &y)? {
                        out.push(y);
                    }
                }
                crate::set(out)
            }),
            m("isdisjoint", |a, _| {
                for y in crate::collect(&a[1])? {
                    if crate::contains(&a[0], &y)? {
                        return Ok(Value::Bool(false));
                    }
                }
                Ok(Value::Bool(true))
            }),
        ],
    );
    class_set(&set, "__hash__", Value::None);
    reg(&set, vec!["set", "frozenset", "dict_keys", "dict_items"], &[]);
    let mutset = mk(
        "MutableSet",
        vec![set.clone()],
        vec![
            m("remove", |a, _| {
                if !crate::contains(&a[0], &a[1])? {
                    return Err(crate::new_exc_args("KeyError", vec![a[1].clone()]));
                }
                call_method(&a[0], "discard", vec![a[1].clone()], vec![])
            }),
            m("pop", |a, _| {
                let it = crate::iter(&a[0])?;
                match crate::next(&it)? {
                    Some(v) => {
                        call_method(&a[0], "discard", vec![v.clone()], vec![])?;
                        Ok(v)
                    }
                    None => Err(crate::new_exc_args("KeyError", vec![])),
                }
            }),
            m("clear", |a, _| {
                for v in crate::collect(&a[0])? {
                    call_method(&a[0], "discard", vec![v], vec![])?;
                }
                Ok(Value::None)
            }),
            m("__ior__", |a, _| {
                for v in crate::collect(&a[1])? {
                    call_method(&a[0], "add", vec![v], vec![])?;
                }
                Ok(a[0].clone())
            }),
            m("__isub__", |a, _| {
                for v in crate::collect(&a[1])? {
                    call_method(&a[0], "discard", vec![v], vec![])?;
                }
                Ok(a[0].clone())
            }),
        ],
    );
    reg(&mutset, vec!["set"], &[]);

    let mapping_view = mk("MappingView", vec![sized.clone()], vec![]);
    let kv = view_class("KeysView", 0);
    let vv = view_class("ValuesView", 1);
    let iv = view_class("ItemsView", 2);
    for (n, c) in [("KeysView", &kv), ("ValuesView", &vv), ("ItemsView", &iv)] {
        crate::rtsys::mod_set(&md, n, c.clone());
    }
    reg(&kv, vec!["dict_keys"], &[]);
    reg(&vv, vec!["dict_values"], &[]);
    reg(&iv, vec!["dict_items"], &[]);
    reg(&mapping_view, vec!["dict_keys", "dict_values", "dict_items"], &[]);
    let (kv2, vv2, iv2) = (kv.clone(), vv.clone(), iv.clone());
    let mapping = mk(
        "Mapping",
        vec![collection.clone()],
        vec![
            m("get", |a, _| match crate::getitem(&a[0], &a[1]) {
                Ok(v) => Ok(v),
                Err(e) if crate::exc_is(&e, "KeyError") => Ok(a.get(2).cloned().unwrap_or(Value::None)),
                Err(e) => Err(e),
            }),
            m("__contains__", |a, _| match crate::getitem(&a[0], &a[1]) {
                Ok(_) => Ok(Value::Bool(true)),
                Err(e) if crate::exc_is(&e, "KeyError") => Ok(Value::Bool(false)),
                Err(e) => Err(e),
            }),
            m("keys", move |a, _| crate::call(&kv2, vec![a[0].clone()], vec![])),
            m("values", move |a, _| crate::call(&vv2, vec![a[0].clone()], vec![])),
            m("items", move |a, _| crate::call(&iv2, vec![a[0].clone()], vec![])),
            m("__eq__", |a, _| {
                let o = &a[1];
                if crate::len(o).is_err() || crate::getattr(o, "keys").is_err() {
                    return Ok(singleton_not_implemented());
                }
                let mine = crate::dict(
                    crate::collect(&a[0])?.into_iter().map(|k| crate::getitem(&a[0], &k).map(|v| (k, v))).collect::<PyResult<Vec<_>>>()?,
                )?;
                let theirs = crate::dict(
                    crate::collect(o)?.into_iter().map(|k| crate::getitem(o, &k).map(|v| (k, v))).collect::<PyResult<Vec<_>>>()?,
                )?;
                crate::eq(&mine, &theirs)
            }),
        ],
    );
    class_set(&mapping, "__hash__", Value::None);
    class_set(&mapping, "__reversed__", Value::None);
    reg(&mapping, vec!["dict"], &[]);
    let mutmap = mk(
        "MutableMapping",
        vec![mapping.clone()],
        vec![
            m("pop", |a, _| match crate::getitem(&a[0], &a[1]) {
                Ok(v) => {
                    crate::delitem(&a[0], &a[1])?;
                    Ok(v)
                }
                Err(e) if crate::exc_is(&e, "KeyError") && a.len() > 2 => Ok(a[2].clone()),
                Err(e) => Err(e),
            }),
            m("popitem", |a, _| {
                let it = crate::iter(&a[0])?;
                match crate::next(&it)? {
                    Some(k) => {
                        let v = crate::getitem(&a[0], &k)?;
                        crate::delitem(&a[0], &k)?;
                        Ok(crate::tuple(vec![k, v]))
                    }
                    None => Err(crate::new_exc_args("KeyError", vec![])),
                }
            }),
            m("clear", |a, _| {
                for k in crate::collect(&a[0])? {
                    crate::delitem(&a[0], &k)?;
                }
                Ok(Value::None)
            }),
            m("update", |a, kw| {
                if let Some(o) = a.get(1) {
                    if crate::getattr(o, "keys").is_ok() {
                        for k in crate::collect(&call_method(o, "keys", vec![], vec![])?)? {
                            let v = crate::getitem(o, &k)?;
                            crate::setitem(&a[0], &k, v)?;
                        }
                    } else {
                        for kv in crate::collect(o)? {
                            let p = crate::unpack(&kv, 2)?;
                            crate::setitem(&a[0], &p[0], p[1].clone())?;
                        }
                    }
                }
                for (k, v) in kw {
                    crate::setitem(&a[0], &Value::string(k), v)?;
                }
                Ok(Value::None)
            }),
            m("setdefault", |a, _| match crate::getitem(&a[0], &a[1]) {
                Ok(v) => Ok(v),
                Err(e) if crate::exc_is(&e, "KeyError") => {
                    let d = a.get(2).cloned().unwrap_or(Value::None);
                    crate::setitem(&a[0], &a[1], d.clone())?;
                    Ok(d)
                }
                Err(e) => Err(e),
            }),
        ],
    );
    reg(&mutmap, vec!["dict"], &[]);
    for n in ["Awaitable", "Coroutine", "AsyncIterable", "AsyncIterator", "AsyncGenerator", "ByteString", "Buffer"] {
        if n == "Buffer" {
            continue; // 3.12
        }
        let c = mk(n, vec![], vec![]);
        match n {
            "ByteString" => reg(&c, vec!["bytes"], &[]),
            // the runtime's coroutine and async_generator types (gen.rs)
            "Awaitable" => reg(&c, vec!["coroutine"], &["__await__"]),
            "Coroutine" => reg(&c, vec!["coroutine"], &[]),
            "AsyncIterable" => reg(&c, vec!["async_generator"], &["__aiter__"]),
            "AsyncIterator" => reg(&c, vec!["async_generator"], &["__aiter__", "__anext__"]),
            "AsyncGenerator" => reg(&c, vec!["async_generator"], &[]),
            _ => {}
        }
    }
    // `import collections.abc` reaches it as an attribute of collections
    if let Ok(coll) = crate::stdlib::import_std("collections", crate::stdlib::modules::collections) {
        crate::rtsys::mod_set(&coll, "abc", md.clone());
    }
    MODULE.with(|x| *x.borrow_mut() = Some(md.clone()));
    md
}

/// `numbers`: Number > Complex > Real > Rational > Integral.
pub fn numbers_module() -> Value {
    let md = crate::rtsys::new_module("numbers", "");
    let mut prev: Option<Value> = None;
    let tower: [(&str, Vec<&'static str>); 5] = [
        ("Number", vec!["int", "float", "complex", "fractions.Fraction"]),
        ("Complex", vec!["int", "float", "complex", "fractions.Fraction"]),
        ("Real", vec!["int", "float", "fractions.Fraction"]),
        ("Rational", vec!["int", "fractions.Fraction"]),
        ("Integral", vec!["int"]),
    ];
    for (name, builtins) in tower {
        let bases = prev.iter().cloned().collect();
        let c = crate::stdlib2::rt_class(name, "numbers", bases, vec![]);
        crate::rtsys::mod_set(&md, name, c.clone());
        REG.with(|r| r.borrow_mut().push(Abc { cls: c.clone(), builtins, needs: &[] }));
        prev = Some(c);
    }
    md
}
