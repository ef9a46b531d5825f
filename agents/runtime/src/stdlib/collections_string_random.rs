//! Standard modules: collections, string, random.
//!
//! collections types are runtime classes deriving from the builtin they
//! extend (namedtuple from tuple, Counter/defaultdict/OrderedDict from dict)
//! with the native value in the instance payload; deque is a ring buffer
//! of its own (deque.rs).  random
//! is CPython's Mersenne Twister with the same seeding and the same
//! derivations (random(), getrandbits, _randbelow, shuffle, sample,
//! choices), so seeded programs print the same numbers.

use crate::bigint::BigInt;
use crate::call::call;
use crate::iter::{collect, iter, next};
use crate::methods::{dict_get, dict_pop, dict_set, getargs};
use crate::object::*;
use crate::ops;
use crate::stdlib::heapq_bisect_itertools_functools::rt_class;
use crate::value::*;
use std::cell::RefCell;
use std::rc::Rc;

fn nat(name: &'static str, f: impl Fn(Vec<Value>, Kw) -> PyResult<Value> + 'static) -> Value {
    native(name, false, f)
}
fn meth(name: &'static str, f: impl Fn(Vec<Value>, Kw) -> PyResult<Value> + 'static) -> Value {
    native(name, true, f)
}

pub fn payload(v: &Value) -> Value {
    match as_inst(v) {
        Some(i) => {
            let p = i.payload.borrow().clone();
            if p.is_none() {
                v.clone()
            } else {
                p
            }
        }
        None => v.clone(),
    }
}

fn set_payload(v: &Value, p: Value) {
    if let Some(i) = as_inst(v) {
        *i.payload.borrow_mut() = p;
    }
}

fn dget(o: &Value, k: &str) -> Value {
    as_inst(o).and_then(|i| i.dict.borrow().get(k)).unwrap_or(Value::None)
}
fn dset(o: &Value, k: &str, v: Value) {
    if let Some(i) = as_inst(o) {
        i.dict.borrow_mut().set(k, v);
    }
}

fn cls_name(v: &Value) -> String {
    type_name(v)
}

// ---------------------------------------------------------------- namedtuple

pub fn namedtuple_class(name: &str, fields: &[&str], module: &str) -> Value {
    let fields: Vec<String> = fields.iter().map(|s| s.to_string()).collect();
    make_namedtuple(name, fields, vec![], module).expect("portalis_rt: namedtuple")
}

fn make_namedtuple(name: &str, fields: Vec<String>, defaults: Vec<Value>, module: &str) -> PyResult<Value> {
    let tuple_t = type_for(BType::Tuple);
    let fnames: Rc<Vec<String>> = Rc::new(fields.clone());
    let mut methods: Vec<(&str, Value)> = Vec::new();
    let f1 = fnames.clone();
    let defs = Rc::new(defaults);
    let d1 = defs.clone();
    let nm = name.to_string();
    methods.push(("__init__", meth("__init__", move |a, kw| {
        let n = f1.len();
        let mut vals: Vec<Option<Value>> = vec![None; n];
        if a.len() - 1 > n {
            return Err(type_error(format!("{}.__new__() takes {} positional arguments but {} were given", nm, n + 1, a.len())));
        }
        for (i, v) in a[1..].iter().enumerate() {
            vals[i] = Some(v.clone());
        }
        for (k, v) in kw {
            match f1.iter().position(|f| *f == k) {
                Some(i) => {
                    if vals[i].is_some() {
                        return Err(type_error(format!("{}.__new__() got multiple values for argument '{}'", nm, k)));
                    }
                    vals[i] = Some(v)
                }
                None => return Err(type_error(format!("{}.__new__() got an unexpected keyword argument '{}'", nm, k))),
            }
        }
        let nd = d1.len();
        let mut missing = Vec::new();
        for i in 0..n {
            if vals[i].is_none() {
                if i + nd >= n {
                    vals[i] = Some(d1[i + nd - n].clone());
                } else {
                    missing.push(format!("'{}'", f1[i]));
                }
            }
        }
        if !missing.is_empty() {
            let list = if missing.len() == 1 {
                missing[0].clone()
            } else {
                format!("{} and {}", missing[..missing.len() - 1].join(", "), missing[missing.len() - 1])
            };
            return Err(type_error(format!(
                "{}.__new__() missing {} required positional argument{}: {}",
                nm,
                missing.len(),
                if missing.len() == 1 { "" } else { "s" },
                list
            )));
        }
        set_payload(&a[0], crate::tuple(vals.into_iter().map(|v| v.unwrap()).collect()));
        Ok(Value::None)
    })));
    let f2 = fnames.clone();
    methods.push(("__repr__", meth("__repr__", move |a, _| {
        let t = collect(&payload(&a[0]))?;
        let mut parts = Vec::new();
        for (f, v) in f2.iter().zip(t.iter()) {
            parts.push(format!("{}={}", f, ops::repr(v)?));
        }
        Ok(Value::string(format!("{}({})", cls_name(&a[0]), parts.join(", "))))
    })));
    let f3 = fnames.clone();
    methods.push(("_asdict", meth("_asdict", move |a, _| {
        let t = collect(&payload(&a[0]))?;
        crate::dict(f3.iter().zip(t.into_iter()).map(|(f, v)| (Value::str(f), v)).collect())
    })));
    let f4 = fnames.clone();
    methods.push(("_replace", meth("_replace", move |a, kw| {
        let mut t = collect(&payload(&a[0]))?;
        for (k, v) in kw {
            match f4.iter().position(|f| *f == k) {
                Some(i) => t[i] = v,
                None => return Err(value_error(format!("Got unexpected field names: ['{}']", k))),
            }
        }
        let cls = type_of(&a[0]);
        let inst = new_instance(&cls);
        set_payload(&inst, crate::tuple(t));
        Ok(inst)
    })));
    methods.push(("_make", Value::obj(Obj::ClassMethod(nat("_make", |a, _| {
        let items = collect(&a[1])?;
        call(&a[0], items, vec![])
    })))));
    methods.push(("_fields", crate::tuple(fnames.iter().map(|f| Value::str(f)).collect())));
    methods.push(("__module__", Value::str(module)));
    for (i, f) in fnames.iter().enumerate() {
        let getter = nat("getter", move |a, _| {
            let t = payload(&a[0]);
            crate::attr::getitem(&t, &Value::Int(i as i64))
        });
        let fname: &'static str = Box::leak(f.clone().into_boxed_str());
        methods.push((fname, Value::obj(Obj::Property(getter, Value::None, Value::None, Value::None))));
    }
    let ns: Vec<(String, Value)> = methods.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    let c = make_class(name, name, vec![tuple_t], ns, vec![])?;
    class_of(&c).dict.borrow_mut().set("_field_defaults", crate::dict(vec![])?);
    Ok(c)
}

fn field_list(v: &Value) -> PyResult<Vec<String>> {
    match v {
        Value::Str(s) => Ok(s.s.replace(',', " ").split_whitespace().map(|x| x.to_string()).collect()),
        _ => collect(v)?.iter().map(ops::to_str).collect(),
    }
}

// ---------------------------------------------------------------- Counter

fn counter_get(c: &Value, k: &Value) -> PyResult<Value> {
    Ok(dict_get(&payload(c), k)?.unwrap_or(Value::Int(0)))
}

fn counter_update(c: &Value, src: &Value, sign: i64) -> PyResult<()> {
    let d = payload(c);
    let src_p = payload(src);
    match &src_p {
        Value::Dict(sd) => {
            for (k, v) in sd.borrow().items() {
                let cur = dict_get(&d, &k)?.unwrap_or(Value::Int(0));
                let nv = if sign > 0 { ops::add(&cur, &v)? } else { ops::sub(&cur, &v)? };
                dict_set(&d, k, nv)?;
            }
        }
        _ => {
            let it = iter(src)?;
            while let Some(k) = next(&it)? {
                let cur = dict_get(&d, &k)?.unwrap_or(Value::Int(0));
                dict_set(&d, k, ops::add(&cur, &Value::Int(sign))?)?;
            }
        }
    }
    Ok(())
}

fn most_common(c: &Value, n: Option<usize>) -> PyResult<Vec<Value>> {
    let items: Vec<Value> = match payload(c) {
        Value::Dict(d) => d.borrow().items().into_iter().map(|(k, v)| crate::tuple(vec![k, v])).collect(),
        _ => vec![],
    };
    let mut items = items;
    let key = nat("itemgetter", |a, _| crate::attr::getitem(&a[0], &Value::Int(1)));
    crate::methods::sort_values(&mut items, Some(&key), true)?;
    if let Some(n) = n {
        items.truncate(n);
    }
    Ok(items)
}

thread_local! {
    static COLL: RefCell<Option<Vec<Value>>> = RefCell::new(None);
}

fn new_counter() -> PyResult<Value> {
    let cls = collections_classes()[0].clone();
    let c = new_instance(&cls);
    set_payload(&c, crate::dict(vec![])?);
    Ok(c)
}

fn counter_binop(a: &Value, b: &Value, op: char) -> PyResult<Value> {
    let r = new_counter()?;
    let rd = payload(&r);
    let (ad, bd) = (payload(a), payload(b));
    let a_items = match &ad {
        Value::Dict(d) => d.borrow().items(),
        _ => vec![],
    };
    let b_items = match &bd {
        Value::Dict(d) => d.borrow().items(),
        _ => return Ok(Value::not_implemented()),
    };
    let zero = Value::Int(0);
    for (k, v) in a_items.iter() {
        let o = dict_get(&bd, k)?.unwrap_or(Value::Int(0));
        let nv = match op {
            '+' => ops::add(v, &o)?,
            '-' => ops::sub(v, &o)?,
            '|' => {
                if ops::lt_bool(v, &o)? {
                    o
                } else {
                    v.clone()
                }
            }
            _ => {
                if ops::lt_bool(v, &o)? {
                    v.clone()
                } else {
                    o
                }
            }
        };
        if ops::lt_bool(&zero, &nv)? {
            dict_set(&rd, k.clone(), nv)?;
        }
    }
    if op != '&' {
        for (k, v) in b_items.iter() {
            if dict_get(&ad, k)?.is_none() {
                if op == '-' {
                    if ops::lt_bool(v, &zero)? {
                        dict_set(&rd, k.clone(), ops::sub(&zero, v)?)?;
                    }
                } else if ops::lt_bool(&zero, v)? {
                    dict_set(&rd, k.clone(), v.clone())?;
                }
            }
        }
    }
    Ok(r)
}

fn collections_classes() -> Vec<Value> {
    if let Some(v) = COLL.with(|c| c.borrow().clone()) {
        return v;
    }
    let dict_t = type_for(BType::Dict);
    let counter = rt_class("Counter", "collections", vec![dict_t.clone()], vec![
        ("__init__", meth("__init__", |a, kw| {
            set_payload(&a[0], crate::dict(vec![])?);
            if let Some(src) = a.get(1) {
                counter_update(&a[0], src, 1)?;
            }
            for (k, v) in kw {
                dict_set(&payload(&a[0]), Value::string(k), v)?;
            }
            Ok(Value::None)
        })),
        ("__missing__", meth("__missing__", |_, _| Ok(Value::Int(0)))),
        ("most_common", meth("most_common", |a, _| {
            let n = a.get(1).and_then(|v| v.as_i64()).map(|n| n.max(0) as usize);
            Ok(crate::list(most_common(&a[0], n)?))
        })),
        ("update", meth("update", |a, kw| {
            if let Some(src) = a.get(1) {
                counter_update(&a[0], src, 1)?;
            }
            for (k, v) in kw {
                let cur = counter_get(&a[0], &Value::str(&k))?;
                dict_set(&payload(&a[0]), Value::string(k), ops::add(&cur, &v)?)?;
            }
            Ok(Value::None)
        })),
        ("subtract", meth("subtract", |a, kw| {
            if let Some(src) = a.get(1) {
                counter_update(&a[0], src, -1)?;
            }
            for (k, v) in kw {
                let cur = counter_get(&a[0], &Value::str(&k))?;
                dict_set(&payload(&a[0]), Value::string(k), ops::sub(&cur, &v)?)?;
            }
            Ok(Value::None)
        })),
        ("elements", meth("elements", |a, _| {
            let mut out = Vec::new();
            if let Value::Dict(d) = payload(&a[0]) {
                for (k, v) in d.borrow().items() {
                    for _ in 0..v.as_i64().unwrap_or(0).max(0) {
                        out.push(k.clone());
                    }
                }
            }
            crate::iter::iter(&crate::list(out))
        })),
        ("total", meth("total", |a, _| crate::builtins::sum(&crate::call::call_method(&payload(&a[0]), "values", vec![], vec![])?, Value::Int(0)))),
        ("copy", meth("copy", |a, _| {
            let c = new_counter()?;
            counter_update(&c, &a[0], 1)?;
            Ok(c)
        })),
        ("__add__", meth("__add__", |a, _| counter_binop(&a[0], &a[1], '+'))),
        ("__sub__", meth("__sub__", |a, _| counter_binop(&a[0], &a[1], '-'))),
        ("__or__", meth("__or__", |a, _| counter_binop(&a[0], &a[1], '|'))),
        ("__and__", meth("__and__", |a, _| counter_binop(&a[0], &a[1], '&'))),
        ("__pos__", meth("__pos__", |a, _| {
            let e = new_counter()?;
            counter_binop(&a[0], &e, '+')
        })),
        ("__neg__", meth("__neg__", |a, _| {
            let e = new_counter()?;
            counter_binop(&e, &a[0], '-')
        })),
        ("__eq__", meth("__eq__", |a, _| {
            let (x, y) = (payload(&a[0]), payload(&a[1]));
            if !matches!(y, Value::Dict(_)) {
                return Ok(Value::not_implemented());
            }
            for c in [&x, &y] {
                for k in collect(c)? {
                    let p = dict_get(&x, &k)?.unwrap_or(Value::Int(0));
                    let q = dict_get(&y, &k)?.unwrap_or(Value::Int(0));
                    if !ops::eq_bool(&p, &q)? {
                        return Ok(Value::Bool(false));
                    }
                }
            }
            Ok(Value::Bool(true))
        })),
        ("__repr__", meth("__repr__", |a, _| {
            let items = most_common(&a[0], None)?;
            if items.is_empty() {
                return Ok(Value::string(format!("{}()", cls_name(&a[0]))));
            }
            let mut parts = Vec::new();
            for it in items {
                let kv = collect(&it)?;
                parts.push(format!("{}: {}", ops::repr(&kv[0])?, ops::repr(&kv[1])?));
            }
            Ok(Value::string(format!("{}({{{}}})", cls_name(&a[0]), parts.join(", "))))
        })),
    ]);
    let defaultdict = rt_class("defaultdict", "collections", vec![dict_t.clone()], vec![
        ("__init__", meth("__init__", |a, kw| {
            let f = a.get(1).cloned().unwrap_or(Value::None);
            dset(&a[0], "default_factory", f);
            let d = crate::dict(vec![])?;
            if let Some(src) = a.get(2) {
                crate::methods::dict_update(&d, src)?;
            }
            for (k, v) in kw {
                dict_set(&d, Value::string(k), v)?;
            }
            set_payload(&a[0], d);
            Ok(Value::None)
        })),
        ("__missing__", meth("__missing__", |a, _| {
            let f = dget(&a[0], "default_factory");
            if f.is_none() {
                return Err(new_exc_args("KeyError", vec![a[1].clone()]));
            }
            let v = call(&f, vec![], vec![])?;
            dict_set(&payload(&a[0]), a[1].clone(), v.clone())?;
            Ok(v)
        })),
        ("__repr__", meth("__repr__", |a, _| {
            let f = dget(&a[0], "default_factory");
            let fr = if f.is_none() { "None".to_string() } else { ops::repr(&f)? };
            Ok(Value::string(format!("{}({}, {})", cls_name(&a[0]), fr, ops::repr(&payload(&a[0]))?)))
        })),
        ("copy", meth("copy", |a, _| {
            let cls = type_of(&a[0]);
            call(&cls, vec![dget(&a[0], "default_factory"), payload(&a[0])], vec![])
        })),
    ]);
    let od = rt_class("OrderedDict", "collections", vec![dict_t.clone()], vec![
        ("__init__", meth("__init__", |a, kw| {
            let d = crate::dict(vec![])?;
            if let Some(src) = a.get(1) {
                crate::methods::dict_update(&d, src)?;
            }
            for (k, v) in kw {
                dict_set(&d, Value::string(k), v)?;
            }
            set_payload(&a[0], d);
            Ok(Value::None)
        })),
        ("move_to_end", meth("move_to_end", |a, kw| {
            let o = getargs("move_to_end", a[1..].to_vec(), kw, &["key", "last"], 1)?;
            let key = o[0].clone().unwrap();
            let last = match &o[1] {
                Some(v) => ops::truthy(v)?,
                None => true,
            };
            let d = payload(&a[0]);
            let v = dict_pop(&d, &key)?.ok_or_else(|| new_exc_args("KeyError", vec![key.clone()]))?;
            if last {
                dict_set(&d, key, v)?;
            } else if let Value::Dict(dd) = &d {
                let mut items = vec![(key, v)];
                items.extend(dd.borrow().items());
                dd.borrow_mut().clear();
                drop(dd);
                for (k, v) in items {
                    dict_set(&d, k, v)?;
                }
            }
            Ok(Value::None)
        })),
        ("popitem", meth("popitem", |a, kw| {
            let o = getargs("popitem", a[1..].to_vec(), kw, &["last"], 0)?;
            let last = match &o[0] {
                Some(v) => ops::truthy(v)?,
                None => true,
            };
            let d = payload(&a[0]);
            if let Value::Dict(dd) = &d {
                let pos = if last {
                    dd.borrow().entries.iter().rposition(|e| e.is_some())
                } else {
                    dd.borrow().entries.iter().position(|e| e.is_some())
                };
                if let Some(i) = pos {
                    let (k, v) = dd.borrow_mut().remove_at(i);
                    return Ok(crate::tuple(vec![k, v]));
                }
            }
            Err(new_exc("KeyError", "dictionary is empty"))
        })),
        ("fromkeys", Value::obj(Obj::ClassMethod(nat("fromkeys", |a, _| {
            let inst = call(&a[0], vec![], vec![])?;
            let v = a.get(2).cloned().unwrap_or(Value::None);
            for k in collect(&a[1])? {
                dict_set(&payload(&inst), k, v.clone())?;
            }
            Ok(inst)
        })))),
        ("__eq__", meth("__eq__", |a, _| {
            let (x, y) = (payload(&a[0]), payload(&a[1]));
            let both_od = type_name(&a[1]) == "OrderedDict";
            if both_od {
                let (kx, ky) = (collect(&x)?, collect(&y)?);
                if !ops::eq_bool(&crate::list(kx), &crate::list(ky))? {
                    return Ok(Value::Bool(false));
                }
            }
            Ok(Value::Bool(ops::eq_bool(&x, &y)?))
        })),
        ("__repr__", meth("__repr__", |a, _| {
            let d = payload(&a[0]);
            let items = match &d {
                Value::Dict(dd) => dd.borrow().items(),
                _ => vec![],
            };
            if items.is_empty() {
                return Ok(Value::string(format!("{}()", cls_name(&a[0]))));
            }
            let l = crate::list(items.into_iter().map(|(k, v)| crate::tuple(vec![k, v])).collect());
            Ok(Value::string(format!("{}({})", cls_name(&a[0]), ops::repr(&l)?)))
        })),
    ]);
    let deque = crate::stdlib::deque::deque_class();
    let v = vec![counter, defaultdict, od, deque];
    COLL.with(|c| *c.borrow_mut() = Some(v.clone()));
    v
}

// ---------------------------------------------------------------- ChainMap

fn cm_maps(v: &Value) -> PyResult<Vec<Value>> {
    collect(&crate::getattr(v, "maps")?)
}

/// The keys of a ChainMap: each once, in the order CPython's __iter__ gives
/// (the last mapping's first, then the new ones of each earlier mapping).
fn cm_keys(v: &Value) -> PyResult<Vec<Value>> {
    let d = crate::dict(vec![])?;
    for m in cm_maps(v)?.iter().rev() {
        for k in collect(m)? {
            dict_set(&d, k, Value::None)?;
        }
    }
    collect(&d)
}

fn cm_get(v: &Value, k: &Value) -> PyResult<Option<Value>> {
    for m in cm_maps(v)? {
        if ops::contains(&m, k)? {
            return Ok(Some(crate::attr::getitem(&m, k)?));
        }
    }
    Ok(None)
}

fn cm_first(v: &Value) -> PyResult<Value> {
    cm_maps(v)?.into_iter().next().ok_or_else(|| new_exc("IndexError", "list index out of range"))
}

fn chainmap_class() -> Value {
    let cls = rt_class("ChainMap", "collections", vec![], vec![
        ("__init__", meth("__init__", |a, _| {
            let maps: Vec<Value> = if a.len() > 1 { a[1..].to_vec() } else { vec![crate::dict(vec![])?] };
            crate::setattr(&a[0], "maps", crate::list(maps))
                .map(|_| Value::None)
        })),
        ("__getitem__", meth("__getitem__", |a, _| match cm_get(&a[0], &a[1])? {
            Some(v) => Ok(v),
            None => match crate::getattr(&a[0], "__missing__") {
                Ok(f) => call(&f, vec![a[1].clone()], vec![]),
                Err(_) => Err(new_exc_args("KeyError", vec![a[1].clone()])),
            },
        })),
        ("get", meth("get", |a, _| Ok(cm_get(&a[0], &a[1])?.unwrap_or_else(|| a.get(2).cloned().unwrap_or(Value::None))))),
        ("__contains__", meth("__contains__", |a, _| {
            for m in cm_maps(&a[0])? {
                if ops::contains(&m, &a[1])? {
                    return Ok(Value::Bool(true));
                }
            }
            Ok(Value::Bool(false))
        })),
        ("__len__", meth("__len__", |a, _| Ok(Value::Int(cm_keys(&a[0])?.len() as i64)))),
        ("__iter__", meth("__iter__", |a, _| iter(&crate::list(cm_keys(&a[0])?)))),
        ("__bool__", meth("__bool__", |a, _| {
            for m in cm_maps(&a[0])? {
                if ops::truthy(&m)? {
                    return Ok(Value::Bool(true));
                }
            }
            Ok(Value::Bool(false))
        })),
        ("__setitem__", meth("__setitem__", |a, _| {
            crate::setitem(&cm_first(&a[0])?, &a[1], a[2].clone())?;
            Ok(Value::None)
        })),
        ("__delitem__", meth("__delitem__", |a, _| {
            let m = cm_first(&a[0])?;
            if !ops::contains(&m, &a[1])? {
                return Err(new_exc_args("KeyError", vec![Value::string(format!("Key not found in the first mapping: {}", ops::repr(&a[1])?))]));
            }
            crate::attr::delitem(&m, &a[1])?;
            Ok(Value::None)
        })),
        ("pop", meth("pop", |a, _| {
            let m = cm_first(&a[0])?;
            if ops::contains(&m, &a[1])? {
                let v = crate::attr::getitem(&m, &a[1])?;
                crate::attr::delitem(&m, &a[1])?;
                return Ok(v);
            }
            match a.get(2) {
                Some(d) => Ok(d.clone()),
                None => Err(new_exc_args("KeyError", vec![Value::string(format!("Key not found in the first mapping: {}", ops::repr(&a[1])?))])),
            }
        })),
        ("clear", meth("clear", |a, _| crate::call::call_method(&cm_first(&a[0])?, "clear", vec![], vec![]))),
        ("keys", meth("keys", |a, _| Ok(crate::list(cm_keys(&a[0])?)))),
        ("values", meth("values", |a, _| {
            let mut out = Vec::new();
            for k in cm_keys(&a[0])? {
                out.push(cm_get(&a[0], &k)?.unwrap_or(Value::None));
            }
            Ok(crate::list(out))
        })),
        ("items", meth("items", |a, _| {
            let mut out = Vec::new();
            for k in cm_keys(&a[0])? {
                let v = cm_get(&a[0], &k)?.unwrap_or(Value::None);
                out.push(crate::tuple(vec![k, v]));
            }
            Ok(crate::list(out))
        })),
        ("new_child", meth("new_child", |a, kw| {
            let mut m = match a.get(1) {
                Some(Value::None) | None => crate::dict(vec![])?,
                Some(m) => m.clone(),
            };
            if !kw.is_empty() {
                if a.get(1).map(|v| !v.is_none()).unwrap_or(false) {
                    m = crate::call::call_method(&m, "copy", vec![], vec![])?;
                }
                for (k, v) in kw {
                    crate::setitem(&m, &Value::string(k), v)?;
                }
            }
            let mut args = vec![m];
            args.extend(cm_maps(&a[0])?);
            call(&type_of(&a[0]), args, vec![])
        })),
        ("parents", Value::obj(Obj::Property(
            meth("parents", |a, _| call(&type_of(&a[0]), cm_maps(&a[0])?.into_iter().skip(1).collect(), vec![])),
            Value::None, Value::None, Value::None))),
        ("copy", meth("copy", |a, _| {
            let mut maps = cm_maps(&a[0])?;
            if !maps.is_empty() {
                maps[0] = crate::call::call_method(&maps[0], "copy", vec![], vec![])?;
            }
            call(&type_of(&a[0]), maps, vec![])
        })),
        ("__eq__", meth("__eq__", |a, _| {
            let me = crate::dict(Vec::new())?;
            for k in cm_keys(&a[0])? {
                let v = cm_get(&a[0], &k)?.unwrap_or(Value::None);
                dict_set(&me, k, v)?;
            }
            let other = match as_inst(&a[1]) {
                Some(_) if crate::getattr(&a[1], "maps").is_ok() => call(&type_for(BType::Dict), vec![a[1].clone()], vec![])?,
                _ => a[1].clone(),
            };
            Ok(Value::Bool(ops::eq_bool(&me, &other)?))
        })),
        ("__repr__", meth("__repr__", |a, _| {
            let parts: Vec<String> = cm_maps(&a[0])?.iter().map(ops::repr).collect::<PyResult<_>>()?;
            Ok(Value::string(format!("{}({})", type_name(&a[0]), parts.join(", "))))
        })),
    ]);
    cls
}

pub fn collections_module() -> Value {
    let m = crate::rtsys::new_module("collections", "");
    let set = |n: &str, v: Value| crate::rtsys::mod_set(&m, n, v);
    let cs = collections_classes();
    set("Counter", cs[0].clone());
    set("defaultdict", cs[1].clone());
    set("OrderedDict", cs[2].clone());
    set("deque", cs[3].clone());
    set("ChainMap", chainmap_class());
    set("namedtuple", nat("namedtuple", |a, kw| {
        let o = getargs("namedtuple", a, kw, &["typename", "field_names", "rename", "defaults", "module"], 2)?;
        let name = ops::to_str(o[0].as_ref().unwrap())?;
        let fields = field_list(o[1].as_ref().unwrap())?;
        let defaults = match &o[3] {
            Some(v) if !v.is_none() => collect(v)?,
            _ => vec![],
        };
        let module = match &o[4] {
            Some(v) if !v.is_none() => ops::to_str(v)?,
            _ => "__main__".to_string(),
        };
        let c = make_namedtuple(&name, fields.clone(), defaults.clone(), &module)?;
        let n = fields.len();
        let fd: Vec<(Value, Value)> = fields[n - defaults.len()..].iter().zip(defaults.into_iter()).map(|(f, d)| (Value::str(f), d)).collect();
        class_of(&c).dict.borrow_mut().set("_field_defaults", crate::dict(fd)?);
        Ok(c)
    }));
    m
}

// ---------------------------------------------------------------- string

pub fn string_module() -> Value {
    let m = crate::rtsys::new_module("string", "");
    let set = |n: &str, v: Value| crate::rtsys::mod_set(&m, n, v);
    let lower = "abcdefghijklmnopqrstuvwxyz";
    let upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let punct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    set("ascii_lowercase", Value::str(lower));
    set("ascii_uppercase", Value::str(upper));
    set("ascii_letters", Value::string(format!("{}{}", lower, upper)));
    set("digits", Value::str("0123456789"));
    set("hexdigits", Value::str("0123456789abcdefABCDEF"));
    set("octdigits", Value::str("01234567"));
    set("punctuation", Value::str(punct));
    set("whitespace", Value::str(" \t\n\r\x0b\x0c"));
    set("printable", Value::string(format!("0123456789{}{}{}{}", lower, upper, punct, " \t\n\r\x0b\x0c")));
    set("capwords", nat("capwords", |a, _| {
        let s = ops::to_str(&a[0])?;
        let sep = a.get(1).filter(|v| !v.is_none()).map(|v| ops::to_str(v)).transpose()?;
        let cap = |w: &str| -> String {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase(),
                None => String::new(),
            }
        };
        Ok(Value::string(match sep {
            None => s.split_whitespace().map(cap).collect::<Vec<_>>().join(" "),
            Some(sp) => s.split(sp.as_str()).map(cap).collect::<Vec<_>>().join(&sp),
        }))
    }));
    let template = rt_class("Template", "string", vec![], vec![
        ("__init__", meth("__init__", |a, _| {
            dset(&a[0], "template", a[1].clone());
            Ok(Value::None)
        })),
        ("substitute", meth("substitute", |a, kw| template_sub(&a, kw, false))),
        ("safe_substitute", meth("safe_substitute", |a, kw| template_sub(&a, kw, true))),
    ]);
    class_set(&template, "delimiter", Value::str("$"));
    set("Template", template);
    let formatter = rt_class("Formatter", "string", vec![], vec![
        ("format", meth("format", |a, kw| Ok(Value::string(crate::format::str_format(&ops::to_str(&a[1])?, &a[2..], &kw)?)))),
        ("parse", meth("parse", |a, _| Ok(crate::list(formatter_parse(&ops::to_str(&a[1])?)?)))),
        ("vformat", meth("vformat", |a, _| {
            let args = collect(&a[2])?;
            let mut kws = Kw::new();
            if let Value::Dict(d) = payload(&a[3]) {
                for (k, v) in d.borrow().items() {
                    kws.push((ops::to_str(&k)?, v));
                }
            }
            Ok(Value::string(crate::format::str_format(&ops::to_str(&a[1])?, &args, &kws)?))
        })),
    ]);
    set("Formatter", formatter);
    m
}

/// string.Formatter().parse: (literal, field, spec, conversion) tuples.
fn formatter_parse(f: &str) -> PyResult<Vec<Value>> {
    let c: Vec<char> = f.chars().collect();
    let mut out = Vec::new();
    let mut lit = String::new();
    let mut i = 0;
    let none4 = |l: String| crate::tuple(vec![Value::string(l), Value::None, Value::None, Value::None]);
    while i < c.len() {
        let ch = c[i];
        if (ch == '{' || ch == '}') && i + 1 < c.len() && c[i + 1] == ch {
            lit.push(ch);
            out.push(none4(std::mem::take(&mut lit)));
            i += 2;
            continue;
        }
        if ch == '}' {
            return Err(value_error("Single '}' encountered in format string".into()));
        }
        if ch == '{' {
            let st = i + 1;
            i = crate::format::field_end(&c, st)?;
            let field: String = c[st..i].iter().collect();
            i += 1;
            let mut name = field.clone();
            let mut conv = Value::None;
            let mut spec = String::new();
            if let Some(p) = field.find(|ch| ch == '!' || ch == ':') {
                name = field[..p].to_string();
                let rest = &field[p..];
                if let Some(r) = rest.strip_prefix('!') {
                    let mut it = r.chars();
                    if let Some(cv) = it.next() {
                        conv = Value::string(cv.to_string());
                    }
                    let r2: String = it.collect();
                    spec = r2.strip_prefix(':').unwrap_or("").to_string();
                } else {
                    spec = rest[1..].to_string();
                }
            }
            out.push(crate::tuple(vec![Value::string(std::mem::take(&mut lit)), Value::string(name), Value::string(spec), conv]));
            continue;
        }
        lit.push(ch);
        i += 1;
    }
    if !lit.is_empty() {
        out.push(none4(lit));
    }
    Ok(out)
}

fn template_sub(a: &[Value], kw: Kw, safe: bool) -> PyResult<Value> {
    let tpl = ops::to_str(&dget(&a[0], "template"))?;
    let mapping = a.get(1).cloned();
    let lookup = |name: &str| -> PyResult<Option<Value>> {
        if let Some((_, v)) = kw.iter().find(|(k, _)| k == name) {
            return Ok(Some(v.clone()));
        }
        if let Some(m) = &mapping {
            return match crate::attr::getitem(m, &Value::str(name)) {
                Ok(v) => Ok(Some(v)),
                Err(e) => {
                    if exc_is(&e, "KeyError") {
                        Ok(None)
                    } else {
                        Err(e)
                    }
                }
            };
        }
        Ok(None)
    };
    let c: Vec<char> = tpl.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let is_id_start = |ch: char| ch == '_' || ch.is_ascii_alphabetic();
    let is_id = |ch: char| ch == '_' || ch.is_ascii_alphanumeric();
    while i < c.len() {
        if c[i] != '$' {
            out.push(c[i]);
            i += 1;
            continue;
        }
        if i + 1 < c.len() && c[i + 1] == '$' {
            out.push('$');
            i += 2;
            continue;
        }
        let (name, end, braced) = if i + 1 < c.len() && c[i + 1] == '{' {
            let st = i + 2;
            let mut j = st;
            while j < c.len() && is_id(c[j]) {
                j += 1;
            }
            if j < c.len() && c[j] == '}' && j > st && is_id_start(c[st]) {
                (Some(c[st..j].iter().collect::<String>()), j + 1, true)
            } else {
                (None, i + 1, true)
            }
        } else if i + 1 < c.len() && is_id_start(c[i + 1]) {
            let mut j = i + 1;
            while j < c.len() && is_id(c[j]) {
                j += 1;
            }
            (Some(c[i + 1..j].iter().collect::<String>()), j, false)
        } else {
            (None, i + 1, false)
        };
        let _ = braced;
        match name {
            Some(n) => match lookup(&n)? {
                Some(v) => {
                    out.push_str(&ops::to_str(&v)?);
                    i = end;
                }
                None => {
                    if safe {
                        out.extend(c[i..end].iter());
                        i = end;
                    } else {
                        return Err(new_exc_args("KeyError", vec![Value::string(n)]));
                    }
                }
            },
            None => {
                if safe {
                    out.push('$');
                    i += 1;
                } else {
                    let line = c[..i].iter().filter(|&&ch| ch == '\n').count() + 1;
                    let col = i - c[..i].iter().rposition(|&ch| ch == '\n').map(|p| p + 1).unwrap_or(0) + 1;
                    return Err(value_error(format!("Invalid placeholder in string: line {}, col {}", line, col)));
                }
            }
        }
    }
    Ok(Value::string(out))
}

// ---------------------------------------------------------------- random

pub struct Mt {
    mt: [u32; 624],
    idx: usize,
}

impl Mt {
    fn new() -> Mt {
        let mut m = Mt { mt: [0; 624], idx: 625 };
        m.init_genrand(5489);
        m
    }
    fn init_genrand(&mut self, s: u32) {
        self.mt[0] = s;
        for i in 1..624 {
            self.mt[i] = 1812433253u32.wrapping_mul(self.mt[i - 1] ^ (self.mt[i - 1] >> 30)).wrapping_add(i as u32);
        }
        self.idx = 624;
    }
    fn init_by_array(&mut self, key: &[u32]) {
        self.init_genrand(19650218);
        let n = 624;
        let mut i = 1usize;
        let mut j = 0usize;
        let klen = key.len().max(1);
        let mut k = if n > klen { n } else { klen };
        while k > 0 {
            self.mt[i] = (self.mt[i] ^ (self.mt[i - 1] ^ (self.mt[i - 1] >> 30)).wrapping_mul(1664525))
                .wrapping_add(*key.get(j).unwrap_or(&0))
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= n {
                self.mt[0] = self.mt[n - 1];
                i = 1;
            }
            if j >= klen {
                j = 0;
            }
            k -= 1;
        }
        k = n - 1;
        while k > 0 {
            self.mt[i] = (self.mt[i] ^ (self.mt[i - 1] ^ (self.mt[i - 1] >> 30)).wrapping_mul(1566083941)).wrapping_sub(i as u32);
            i += 1;
            if i >= n {
                self.mt[0] = self.mt[n - 1];
                i = 1;
            }
            k -= 1;
        }
        self.mt[0] = 0x8000_0000;
        self.idx = 624;
    }
    fn genrand(&mut self) -> u32 {
        const MAG: [u32; 2] = [0, 0x9908_b0df];
        if self.idx >= 624 {
            let mt = &mut self.mt;
            let mut kk = 0;
            while kk < 624 - 397 {
                let y = (mt[kk] & 0x8000_0000) | (mt[kk + 1] & 0x7fff_ffff);
                mt[kk] = mt[kk + 397] ^ (y >> 1) ^ MAG[(y & 1) as usize];
                kk += 1;
            }
            while kk < 623 {
                let y = (mt[kk] & 0x8000_0000) | (mt[kk + 1] & 0x7fff_ffff);
                mt[kk] = mt[kk + 397 - 624] ^ (y >> 1) ^ MAG[(y & 1) as usize];
                kk += 1;
            }
            let y = (mt[623] & 0x8000_0000) | (mt[0] & 0x7fff_ffff);
            mt[623] = mt[396] ^ (y >> 1) ^ MAG[(y & 1) as usize];
            self.idx = 0;
        }
        let mut y = self.mt[self.idx];
        self.idx += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^= y >> 18;
        y
    }
    fn random(&mut self) -> f64 {
        let a = (self.genrand() >> 5) as f64;
        let b = (self.genrand() >> 6) as f64;
        (a * 67108864.0 + b) * (1.0 / 9007199254740992.0)
    }
    fn getrandbits(&mut self, k: u64) -> BigInt {
        if k == 0 {
            return BigInt::zero();
        }
        if k <= 32 {
            return BigInt::from_i64((self.genrand() >> (32 - k)) as i64);
        }
        let words = ((k - 1) / 32 + 1) as usize;
        let mut v = Vec::with_capacity(words);
        let mut kk = k as i64;
        for _ in 0..words {
            let mut r = self.genrand();
            if kk < 32 {
                r >>= 32 - kk;
            }
            v.push(r);
            kk -= 32;
        }
        BigInt::from_mag(false, v)
    }
    fn seed(&mut self, v: &Value) -> PyResult<()> {
        let b = match v {
            Value::None => BigInt::from_u64(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0)),
            Value::Int(_) | Value::Big(_) | Value::Bool(_) => ops::to_big(v).unwrap().abs(),
            Value::Float(f) => BigInt::from_i64(ops::hash_float(*f)).abs(),
            Value::Str(s) => {
                // version 2 seeding: bytes + sha512(bytes)
                let mut bytes = s.s.as_bytes().to_vec();
                bytes.extend_from_slice(&crate::stdlib::collections_string_random::sha512(s.s.as_bytes()));
                let mut r = BigInt::zero();
                for x in bytes {
                    r = r.shl(8).add(&BigInt::from_i64(x as i64));
                }
                r
            }
            _ => BigInt::from_i64(ops::hash(v)?).abs(),
        };
        let key: Vec<u32> = if b.mag.is_empty() { vec![0] } else { b.mag.clone() };
        self.init_by_array(&key);
        Ok(())
    }
    fn randbelow(&mut self, n: &BigInt) -> BigInt {
        if n.is_zero() {
            return BigInt::zero();
        }
        let k = n.bit_length();
        loop {
            let r = self.getrandbits(k);
            if r.cmp(n) == std::cmp::Ordering::Less {
                return r;
            }
        }
    }
    fn randbelow_i(&mut self, n: usize) -> usize {
        self.randbelow(&BigInt::from_u64(n as u64)).to_i64().unwrap() as usize
    }
}

/// SHA-512 (for string seeds).
pub fn sha512(data: &[u8]) -> Vec<u8> {
    const K: [u64; 80] = [
        0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc, 0x3956c25bf348b538, 0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118,
        0xd807aa98a3030242, 0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2, 0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235, 0xc19bf174cf692694,
        0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65, 0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
        0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4, 0xc6e00bf33da88fc2, 0xd5a79147930aa725, 0x06ca6351e003826f, 0x142929670a0e6e70,
        0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df, 0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
        0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30, 0xd192e819d6ef5218, 0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8,
        0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8, 0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3,
        0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec, 0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b,
        0xca273eceea26619c, 0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178, 0x06f067aa72176fba, 0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
        0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc, 0x431d67c49c100d4c, 0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
    ];
    let mut h: [u64; 8] = [
        0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1, 0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
    ];
    let mut msg = data.to_vec();
    let bitlen = (data.len() as u128) * 8;
    msg.push(0x80);
    while msg.len() % 128 != 112 {
        msg.push(0);
    }
    msg.extend_from_slice(&bitlen.to_be_bytes());
    for chunk in msg.chunks(128) {
        let mut w = [0u64; 80];
        for t in 0..16 {
            let mut b = [0u8; 8];
            b.copy_from_slice(&chunk[t * 8..t * 8 + 8]);
            w[t] = u64::from_be_bytes(b);
        }
        for t in 16..80 {
            let s0 = w[t - 15].rotate_right(1) ^ w[t - 15].rotate_right(8) ^ (w[t - 15] >> 7);
            let s1 = w[t - 2].rotate_right(19) ^ w[t - 2].rotate_right(61) ^ (w[t - 2] >> 6);
            w[t] = w[t - 16].wrapping_add(s0).wrapping_add(w[t - 7]).wrapping_add(s1);
        }
        let mut v = h;
        for t in 0..80 {
            let s1 = v[4].rotate_right(14) ^ v[4].rotate_right(18) ^ v[4].rotate_right(41);
            let ch = (v[4] & v[5]) ^ (!v[4] & v[6]);
            let t1 = v[7].wrapping_add(s1).wrapping_add(ch).wrapping_add(K[t]).wrapping_add(w[t]);
            let s0 = v[0].rotate_right(28) ^ v[0].rotate_right(34) ^ v[0].rotate_right(39);
            let maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
            let t2 = s0.wrapping_add(maj);
            v = [t1.wrapping_add(t2), v[0], v[1], v[2], v[3].wrapping_add(t1), v[4], v[5], v[6]];
        }
        for i in 0..8 {
            h[i] = h[i].wrapping_add(v[i]);
        }
    }
    h.iter().flat_map(|x| x.to_be_bytes()).collect()
}

thread_local! {
    static RANDOM_CLASS: RefCell<Option<Value>> = RefCell::new(None);
}

type MtRef = Rc<RefCell<Mt>>;

/// (mu, sigma) of gauss, normalvariate and lognormvariate: 0.0 and 1.0 by default.
fn mu_sigma(name: &str, a: &[Value], kw: Kw) -> PyResult<(f64, f64)> {
    let o = getargs(name, a[1..].to_vec(), kw, &["mu", "sigma"], 0)?;
    let mu = o[0].as_ref().map(crate::builtins::to_float).transpose()?.unwrap_or(0.0);
    let sigma = o[1].as_ref().map(crate::builtins::to_float).transpose()?.unwrap_or(1.0);
    Ok((mu, sigma))
}

/// random.py's normalvariate: Kinderman and Monahan's ratio method.
fn normal_z(mt: &MtRef) -> f64 {
    let nv_magic = 4.0 * (-0.5f64).exp() / 2.0f64.sqrt();
    loop {
        let u1 = mt.borrow_mut().random();
        let u2 = 1.0 - mt.borrow_mut().random();
        let z = nv_magic * (u1 - 0.5) / u2;
        let zz = z * z / 4.0;
        if zz <= -u2.ln() {
            return z;
        }
    }
}

/// random.py's gammavariate (Cheng's method above 1, Ahrens-Dieter's below).
fn gamma_variate(mt: &MtRef, alpha: f64, beta: f64) -> PyResult<f64> {
    if alpha <= 0.0 || beta <= 0.0 {
        return Err(value_error("gammavariate: alpha and beta must be > 0.0".into()));
    }
    let random = || mt.borrow_mut().random();
    if alpha > 1.0 {
        let ainv = (2.0 * alpha - 1.0).sqrt();
        let bbb = alpha - 4.0f64.ln();
        let ccc = alpha + ainv;
        let sg_magic = 1.0 + 4.5f64.ln();
        loop {
            let u1 = random();
            if !(1e-7 < u1 && u1 < 0.9999999) {
                continue;
            }
            let u2 = 1.0 - random();
            let v = (u1 / (1.0 - u1)).ln() / ainv;
            let x = alpha * v.exp();
            let z = u1 * u1 * u2;
            let r = bbb + ccc * v - x;
            if r + sg_magic - 4.5 * z >= 0.0 || r >= z.ln() {
                return Ok(x * beta);
            }
        }
    } else if alpha == 1.0 {
        Ok(-(1.0 - random()).ln() * beta)
    } else {
        let e = std::f64::consts::E;
        loop {
            let u = random();
            let b = (e + alpha) / e;
            let p = b * u;
            let x = if p <= 1.0 { p.powf(1.0 / alpha) } else { -((b - p) / alpha).ln() };
            let u1 = random();
            if p > 1.0 {
                if u1 <= x.powf(alpha - 1.0) {
                    return Ok(x * beta);
                }
            } else if u1 <= (-x).exp() {
                return Ok(x * beta);
            }
        }
    }
}

fn mt_of(v: &Value) -> PyResult<MtRef> {
    // the generator lives in a native closure stored on the instance
    let i = as_inst(v).ok_or_else(|| type_error("descriptor requires a 'Random' object".into()))?;
    let p = i.payload.borrow().clone();
    RNGS.with(|r| {
        let idx = p.as_i64().unwrap_or(-1);
        r.borrow().get(idx as usize).cloned().ok_or_else(|| type_error("uninitialised Random".into()))
    })
}

thread_local! {
    static RNGS: RefCell<Vec<MtRef>> = RefCell::new(Vec::new());
}

fn to_big_idx(v: &Value) -> PyResult<BigInt> {
    match v {
        Value::Float(f) if f.fract() == 0.0 => Ok(BigInt::from_f64(*f)),
        _ => ops::to_big(v).ok_or_else(|| type_error(format!("'{}' object cannot be interpreted as an integer", type_name(v)))),
    }
}

fn randrange(mt: &mut Mt, a: &[Value]) -> PyResult<Value> {
    let start = to_big_idx(&a[0])?;
    if a.len() < 2 || a[1].is_none() {
        if start.cmp(&BigInt::zero()) == std::cmp::Ordering::Greater {
            return Ok(ops::int_from_big(mt.randbelow(&start)));
        }
        return Err(value_error("empty range for randrange()".into()));
    }
    let stop = to_big_idx(&a[1])?;
    let step = match a.get(2) {
        Some(v) => to_big_idx(v)?,
        None => BigInt::from_i64(1),
    };
    let width = stop.sub(&start);
    if step == BigInt::from_i64(1) {
        if width.cmp(&BigInt::zero()) == std::cmp::Ordering::Greater {
            return Ok(ops::int_from_big(start.add(&mt.randbelow(&width))));
        }
        return Err(value_error(format!(
            "empty range for randrange() ({}, {}, {})",
            start.to_string_radix(10),
            stop.to_string_radix(10),
            width.to_string_radix(10)
        )));
    }
    let n = if !step.neg && !step.is_zero() {
        width.add(&step).sub(&BigInt::from_i64(1)).divmod(&step).0
    } else if step.neg {
        width.add(&step).add(&BigInt::from_i64(1)).divmod(&step).0
    } else {
        return Err(value_error("zero step for randrange()".into()));
    };
    if n.cmp(&BigInt::zero()) != std::cmp::Ordering::Greater {
        return Err(value_error("empty range for randrange()".into()));
    }
    Ok(ops::int_from_big(start.add(&step.mul(&mt.randbelow(&n)))))
}

fn random_methods() -> Vec<(&'static str, Value)> {
    let mut v: Vec<(&'static str, Value)> = Vec::new();
    v.push(("__init__", meth("__init__", |a, _| {
        let mut mt = Mt::new();
        mt.seed(a.get(1).unwrap_or(&Value::None))?;
        let idx = RNGS.with(|r| {
            r.borrow_mut().push(Rc::new(RefCell::new(mt)));
            r.borrow().len() - 1
        });
        set_payload(&a[0], Value::Int(idx as i64));
        Ok(Value::None)
    })));
    v.push(("seed", meth("seed", |a, _| {
        mt_of(&a[0])?.borrow_mut().seed(a.get(1).unwrap_or(&Value::None))?;
        if let Some(i) = as_inst(&a[0]) {
            i.dict.borrow_mut().remove("gauss_next");
        }
        Ok(Value::None)
    })));
    v.push(("random", meth("random", |a, _| Ok(Value::Float(mt_of(&a[0])?.borrow_mut().random())))));
    v.push(("getrandbits", meth("getrandbits", |a, _| {
        let k = a[1].as_i64().ok_or_else(|| type_error("an integer is required".into()))?;
        if k < 0 {
            return Err(value_error("number of bits must be non-negative".into()));
        }
        Ok(ops::int_from_big(mt_of(&a[0])?.borrow_mut().getrandbits(k as u64)))
    })));
    v.push(("randrange", meth("randrange", |a, _| randrange(&mut mt_of(&a[0])?.borrow_mut(), &a[1..]))));
    v.push(("randint", meth("randint", |a, _| {
        let b1 = ops::add(&a[2], &Value::Int(1))?;
        randrange(&mut mt_of(&a[0])?.borrow_mut(), &[a[1].clone(), b1])
    })));
    v.push(("choice", meth("choice", |a, _| {
        let n = crate::builtins::len(&a[1])?;
        if n == 0 {
            return Err(new_exc("IndexError", "Cannot choose from an empty sequence"));
        }
        let i = mt_of(&a[0])?.borrow_mut().randbelow_i(n);
        crate::attr::getitem(&a[1], &Value::Int(i as i64))
    })));
    v.push(("shuffle", meth("shuffle", |a, _| {
        let mt = mt_of(&a[0])?;
        let n = crate::builtins::len(&a[1])?;
        for i in (1..n).rev() {
            let j = mt.borrow_mut().randbelow_i(i + 1);
            let (x, y) = (crate::attr::getitem(&a[1], &Value::Int(i as i64))?, crate::attr::getitem(&a[1], &Value::Int(j as i64))?);
            crate::attr::setitem(&a[1], &Value::Int(i as i64), y)?;
            crate::attr::setitem(&a[1], &Value::Int(j as i64), x)?;
        }
        Ok(Value::None)
    })));
    v.push(("sample", meth("sample", |a, kw| {
        let o = getargs("sample", a[1..].to_vec(), kw, &["population", "k", "counts"], 2)?;
        let pop = o[0].clone().unwrap();
        let population = collect(&pop)?;
        let n = population.len();
        let k = o[1].as_ref().unwrap().as_i64().unwrap_or(-1);
        if k < 0 || k as usize > n {
            return Err(value_error("Sample larger than population or is negative".into()));
        }
        let k = k as usize;
        let mt = mt_of(&a[0])?;
        let mut result = Vec::with_capacity(k);
        let mut setsize = 21usize;
        if k > 5 {
            let l = ((k * 3) as f64).ln() / 4f64.ln();
            setsize += 4usize.pow(l.ceil() as u32);
        }
        if n <= setsize {
            let mut pool = population.clone();
            for i in 0..k {
                let j = mt.borrow_mut().randbelow_i(n - i);
                result.push(pool[j].clone());
                pool[j] = pool[n - i - 1].clone();
            }
        } else {
            let mut selected = std::collections::HashSet::new();
            for _ in 0..k {
                let mut j = mt.borrow_mut().randbelow_i(n);
                while selected.contains(&j) {
                    j = mt.borrow_mut().randbelow_i(n);
                }
                selected.insert(j);
                result.push(population[j].clone());
            }
        }
        Ok(crate::list(result))
    })));
    v.push(("uniform", meth("uniform", |a, _| {
        let (x, y) = (crate::builtins::to_float(&a[1])?, crate::builtins::to_float(&a[2])?);
        let r = mt_of(&a[0])?.borrow_mut().random();
        Ok(Value::Float(x + (y - x) * r))
    })));
    v.push(("triangular", meth("triangular", |a, kw| {
        let o = getargs("triangular", a[1..].to_vec(), kw, &["low", "high", "mode"], 0)?;
        let low = o[0].as_ref().map(crate::builtins::to_float).transpose()?.unwrap_or(0.0);
        let high = o[1].as_ref().map(crate::builtins::to_float).transpose()?.unwrap_or(1.0);
        let mut u = mt_of(&a[0])?.borrow_mut().random();
        let mut c = match &o[2] {
            Some(m) if !m.is_none() => {
                if high == low {
                    return Ok(Value::Float(low));
                }
                (crate::builtins::to_float(m)? - low) / (high - low)
            }
            _ => 0.5,
        };
        let (mut lo, mut hi) = (low, high);
        if u > c {
            u = 1.0 - u;
            c = 1.0 - c;
            std::mem::swap(&mut lo, &mut hi);
        }
        Ok(Value::Float(lo + (hi - lo) * (u * c).sqrt()))
    })));
    v.push(("choices", meth("choices", |a, kw| {
        let o = getargs("choices", a[1..].to_vec(), kw, &["population", "weights", "cum_weights", "k"], 1)?;
        let population = collect(o[0].as_ref().unwrap())?;
        let n = population.len();
        let k = o[3].as_ref().and_then(|v| v.as_i64()).unwrap_or(1).max(0) as usize;
        let mt = mt_of(&a[0])?;
        let weights = o[1].clone().filter(|v| !v.is_none());
        let cum = o[2].clone().filter(|v| !v.is_none());
        if weights.is_none() && cum.is_none() {
            let mut out = Vec::new();
            for _ in 0..k {
                let r = mt.borrow_mut().random();
                out.push(population[(r * n as f64).floor() as usize].clone());
            }
            return Ok(crate::list(out));
        }
        let cum: Vec<f64> = match cum {
            Some(c) => collect(&c)?.iter().map(crate::builtins::to_float).collect::<PyResult<_>>()?,
            None => {
                let mut acc = Vec::new();
                let mut s = Value::Int(0);
                for w in collect(&weights.unwrap())? {
                    s = ops::add(&s, &w)?;
                    acc.push(crate::builtins::to_float(&s)?);
                }
                acc
            }
        };
        if cum.len() != n {
            return Err(value_error("The number of weights does not match the population".into()));
        }
        let total = *cum.last().unwrap_or(&0.0);
        let hi = n - 1;
        let mut out = Vec::new();
        for _ in 0..k {
            let x = mt.borrow_mut().random() * total;
            // bisect_right(cum, x, 0, hi)
            let (mut lo, mut h) = (0usize, hi);
            while lo < h {
                let mid = (lo + h) / 2;
                if x < cum[mid] {
                    h = mid;
                } else {
                    lo = mid + 1;
                }
            }
            out.push(population[lo].clone());
        }
        Ok(crate::list(out))
    })));
    v.push(("gauss", meth("gauss", |a, kw| {
        let (mu, sigma) = mu_sigma("gauss", &a, kw)?;
        // CPython makes two normal values from one pair of randoms and
        // keeps the second (gauss_next) for the next call
        let me = as_inst(&a[0]).ok_or_else(|| type_error("descriptor requires a 'Random' object".into()))?;
        let cached = me.dict.borrow_mut().remove("gauss_next").filter(|v| !v.is_none());
        let z = match cached.and_then(|v| v.as_f64()) {
            Some(z) => z,
            None => {
                let mt = mt_of(&a[0])?;
                let x2pi = mt.borrow_mut().random() * std::f64::consts::TAU;
                let g2rad = (-2.0 * (1.0 - mt.borrow_mut().random()).ln()).sqrt();
                me.dict.borrow_mut().set("gauss_next", Value::Float(crate::libm::sin(x2pi) * g2rad));
                crate::libm::cos(x2pi) * g2rad
            }
        };
        Ok(Value::Float(mu + z * sigma))
    })));
    v.push(("normalvariate", meth("normalvariate", |a, kw| {
        let (mu, sigma) = mu_sigma("normalvariate", &a, kw)?;
        Ok(Value::Float(mu + normal_z(&mt_of(&a[0])?) * sigma))
    })));
    v.push(("lognormvariate", meth("lognormvariate", |a, kw| {
        let (mu, sigma) = mu_sigma("lognormvariate", &a, kw)?;
        Ok(Value::Float((mu + normal_z(&mt_of(&a[0])?) * sigma).exp()))
    })));
    v.push(("expovariate", meth("expovariate", |a, kw| {
        let o = getargs("expovariate", a[1..].to_vec(), kw, &["lambd"], 1)?;
        let lambd = crate::builtins::to_float(o[0].as_ref().unwrap())?;
        let r = mt_of(&a[0])?.borrow_mut().random();
        if lambd == 0.0 {
            return Err(new_exc("ZeroDivisionError", "float division by zero"));
        }
        Ok(Value::Float(-(1.0 - r).ln() / lambd))
    })));
    v.push(("gammavariate", meth("gammavariate", |a, kw| {
        let o = getargs("gammavariate", a[1..].to_vec(), kw, &["alpha", "beta"], 2)?;
        let alpha = crate::builtins::to_float(o[0].as_ref().unwrap())?;
        let beta = crate::builtins::to_float(o[1].as_ref().unwrap())?;
        Ok(Value::Float(gamma_variate(&mt_of(&a[0])?, alpha, beta)?))
    })));
    v.push(("betavariate", meth("betavariate", |a, kw| {
        let o = getargs("betavariate", a[1..].to_vec(), kw, &["alpha", "beta"], 2)?;
        let alpha = crate::builtins::to_float(o[0].as_ref().unwrap())?;
        let beta = crate::builtins::to_float(o[1].as_ref().unwrap())?;
        let mt = mt_of(&a[0])?;
        let y = gamma_variate(&mt, alpha, 1.0)?;
        Ok(Value::Float(if y != 0.0 { y / (y + gamma_variate(&mt, beta, 1.0)?) } else { 0.0 }))
    })));
    v.push(("paretovariate", meth("paretovariate", |a, kw| {
        let o = getargs("paretovariate", a[1..].to_vec(), kw, &["alpha"], 1)?;
        let alpha = crate::builtins::to_float(o[0].as_ref().unwrap())?;
        let u = 1.0 - mt_of(&a[0])?.borrow_mut().random();
        Ok(Value::Float(u.powf(-1.0 / alpha)))
    })));
    v.push(("weibullvariate", meth("weibullvariate", |a, kw| {
        let o = getargs("weibullvariate", a[1..].to_vec(), kw, &["alpha", "beta"], 2)?;
        let alpha = crate::builtins::to_float(o[0].as_ref().unwrap())?;
        let beta = crate::builtins::to_float(o[1].as_ref().unwrap())?;
        let u = 1.0 - mt_of(&a[0])?.borrow_mut().random();
        Ok(Value::Float(alpha * (-u.ln()).powf(1.0 / beta)))
    })));
    v.push(("getstate", meth("getstate", |a, _| {
        let mt = mt_of(&a[0])?;
        let m = mt.borrow();
        let mut st: Vec<Value> = m.mt.iter().map(|x| Value::Int(*x as i64)).collect();
        st.push(Value::Int(m.idx as i64));
        let next = as_inst(&a[0]).and_then(|i| i.dict.borrow().get("gauss_next")).unwrap_or(Value::None);
        Ok(crate::tuple(vec![Value::Int(3), crate::tuple(st), next]))
    })));
    v.push(("setstate", meth("setstate", |a, _| {
        let parts = collect(&a[1])?;
        let st = collect(&parts[1])?;
        let mt = mt_of(&a[0])?;
        let mut m = mt.borrow_mut();
        for i in 0..624 {
            m.mt[i] = st[i].as_i64().unwrap_or(0) as u32;
        }
        m.idx = st[624].as_i64().unwrap_or(624) as usize;
        drop(m);
        if let Some(i) = as_inst(&a[0]) {
            let next = parts.get(2).cloned().unwrap_or(Value::None);
            let mut d = i.dict.borrow_mut();
            if next.is_none() {
                d.remove("gauss_next");
            } else {
                d.set("gauss_next", next);
            }
        }
        Ok(Value::None)
    })));
    v
}

pub fn random_module() -> Value {
    let m = crate::rtsys::new_module("random", "");
    let cls = rt_class("Random", "random", vec![], random_methods());
    crate::rtsys::mod_set(&m, "Random", cls.clone());
    let inst = call(&cls, vec![], vec![]).expect("portalis_rt: random instance");
    for name in ["seed", "random", "getrandbits", "randrange", "randint", "choice", "shuffle", "sample", "uniform", "triangular", "choices", "gauss", "getstate", "setstate",
        "normalvariate", "lognormvariate", "expovariate", "gammavariate", "betavariate", "paretovariate", "weibullvariate"] {
        if let Ok(b) = crate::attr::getattr(&inst, name) {
            crate::rtsys::mod_set(&m, name, b);
        }
    }
    for (n, v) in [("NV_MAGICCONST", 4.0 * (-0.5f64).exp() / 2.0f64.sqrt()), ("TWOPI", std::f64::consts::TAU), ("LOG4", 4.0f64.ln()),
                   ("SG_MAGICCONST", 1.0 + 4.5f64.ln()), ("RECIP_BPF", 2.0f64.powi(-53))] {
        crate::rtsys::mod_set(&m, n, Value::Float(v));
    }
    crate::rtsys::mod_set(&m, "BPF", Value::Int(53));
    RANDOM_CLASS.with(|r| *r.borrow_mut() = Some(cls));
    m
}
