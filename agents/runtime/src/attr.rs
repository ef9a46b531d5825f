//! Attribute access and subscription.
//!
//! `getattr` follows CPython's lookup order for instances (data descriptors
//! on the type, instance dict, other class attributes bound as methods,
//! `__getattr__`), and gives builtin values their methods as bound
//! `BMethod`s dispatched by name in methods.rs.  Subscription covers
//! sequences (negative indices, slices with steps, slice assignment and
//! deletion), mappings and the `__getitem__` family on user classes.

use crate::object::*;
use crate::ops;
use crate::value::*;
use std::rc::Rc;

fn attr_err(obj: &Value, name: &str) -> PyErr {
    match obj {
        Value::Obj(o) => match &**o {
            Obj::Class(c) => return new_exc("AttributeError", &format!("type object '{}' has no attribute '{}'", c.name, name)),
            Obj::Module(m) => return new_exc("AttributeError", &format!("module '{}' has no attribute '{}'", m.name, name)),
            _ => {}
        },
        _ => {}
    }
    new_exc("AttributeError", &format!("'{}' object has no attribute '{}'", type_name(obj), name))
}

fn exc_attr(obj: &Value, name: &str) -> Option<Value> {
    exc_data(obj, |e| match name {
        "args" => Some(e.args.clone()),
        "__cause__" => Some(e.cause.clone()),
        "__context__" => Some(e.context.clone()),
        "__suppress_context__" => Some(Value::Bool(e.suppress)),
        "__traceback__" => Some(Value::None),
        _ => None,
    })
    .flatten()
}

fn exc_default_attr(obj: &Value, name: &str) -> Option<Value> {
    let args = exc_args(obj);
    let first = || args.first().cloned().unwrap_or(Value::None);
    let is = |n: &str| exc_class(n).map(|c| is_subclass(&type_of(obj), &c)).unwrap_or(false);
    match name {
        "value" if is("StopIteration") => Some(first()),
        "message" if args.len() == 2 && crate::object::is_exc_group(obj) => Some(first()),
        "exceptions" if args.len() == 2 && crate::object::is_exc_group(obj) => Some(crate::tuple(crate::iter::collect(&args[1]).ok()?)),
        "code" if is("SystemExit") => Some(if args.len() > 1 { crate::tuple(args.clone()) } else { first() }),
        "msg" if is("SyntaxError") => Some(first()),
        "name" if is("NameError") || is("ImportError") => Some(Value::None),
        "errno" | "strerror" | "filename" if is("OSError") => Some(Value::None),
        _ => None,
    }
}

thread_local! {
    static NATIVE_ATTRS: std::cell::RefCell<Vec<(String, String, Value)>> = std::cell::RefCell::new(Vec::new());
}

/// Attributes of builtin functions (`itertools.chain.from_iterable`).
pub fn set_native_attr(func: &str, name: &str, v: Value) {
    NATIVE_ATTRS.with(|a| a.borrow_mut().push((func.to_string(), name.to_string(), v)));
}

fn native_attr(func: &str, name: &str) -> Option<Value> {
    NATIVE_ATTRS.with(|a| a.borrow().iter().find(|(f, n, _)| f == func && n == name).map(|(_, _, v)| v.clone()))
}

pub fn getattr(obj: &Value, name: &str) -> PyResult<Value> {
    if let Value::Obj(o) = obj {
        match &**o {
            Obj::Inst(i) => {
                if !class_of(&i.class.borrow()).has_props.get() {
                    if let Some(v) = i.dict.borrow().get(name) {
                        return Ok(v);
                    }
                }
                let cls = i.class.borrow().clone();
                let ca = lookup(&cls, name);
                if let Some(Value::Obj(p)) = &ca {
                    match &**p {
                        Obj::Property(..) => return bind(ca.clone().unwrap(), obj, &cls),
                        // a data descriptor (__set__ or __delete__ on its
                        // class) comes before the instance dict
                        Obj::Inst(_) if lookup_user(ca.as_ref().unwrap(), "__set__").is_some() || lookup_user(ca.as_ref().unwrap(), "__delete__").is_some() => {
                            return bind(ca.clone().unwrap(), obj, &cls);
                        }
                        _ => {}
                    }
                }
                if let Some(v) = i.dict.borrow().get(name) {
                    return Ok(v);
                }
                if i.exc.borrow().is_some() {
                    if let Some(v) = exc_attr(obj, name) {
                        return Ok(v);
                    }
                }
                if let Some(a) = ca {
                    return bind(a, obj, &cls);
                }
                match name {
                    "__class__" => return Ok(cls),
                    "__dict__" => {
                        let items: Vec<(Value, Value)> =
                            i.dict.borrow().entries.iter().map(|(k, v)| (Value::str(k), v.clone())).collect();
                        return crate::dict(items);
                    }
                    "__doc__" => return Ok(Value::None),
                    _ => {}
                }
                if i.exc.borrow().is_some() {
                    if let Some(v) = exc_default_attr(obj, name) {
                        return Ok(v);
                    }
                }
                let p = i.payload.borrow().clone();
                if !p.is_none() {
                    if let Some(sn) = crate::methods::method_name(&p, name) {
                        return Ok(Value::obj(Obj::BMethod(p, sn)));
                    }
                }
                if let Some(ga) = lookup_user(obj, "__getattr__") {
                    let m = bind(ga, obj, &cls)?;
                    return crate::call::call(&m, vec![Value::str(name)], vec![]);
                }
                return Err(attr_err(obj, name));
            }
            Obj::Class(c) => {
                match name {
                    "__name__" => return Ok(c.name_v.clone()),
                    "__qualname__" => return Ok(Value::str(&c.qualname)),
                    "__module__" => return Ok(Value::str(&c.module)),
                    "__mro__" => return Ok(crate::tuple(c.mro.borrow().clone())),
                    "__bases__" => return Ok(crate::tuple(c.bases.clone())),
                    "__base__" => return Ok(c.bases.first().cloned().unwrap_or(Value::None)),
                    "__class__" => return Ok(type_for(BType::Type)),
                    "__dict__" => {
                        let items: Vec<(Value, Value)> =
                            c.dict.borrow().entries.iter().map(|(k, v)| (Value::str(k), v.clone())).collect();
                        return crate::dict(items);
                    }
                    "__subclasses__" => {
                        return Ok(native("__subclasses__", false, |_, _| Ok(crate::list(vec![]))));
                    }
                    _ => {}
                }
                if let Some(a) = lookup(obj, name) {
                    if let Value::Obj(ao) = &a {
                        match &**ao {
                            Obj::ClassMethod(f) => return Ok(Value::obj(Obj::Method(obj.clone(), f.clone()))),
                            Obj::StaticMethod(f) => return Ok(f.clone()),
                            _ => {}
                        }
                    }
                    return Ok(a);
                }
                if c.builtin || c.base_kind != BType::Object {
                    if let Some(v) = crate::methods::builtin_class_attr(obj, c.base_kind, name) {
                        return Ok(v);
                    }
                }
                if name == "__doc__" {
                    return Ok(Value::None);
                }
                return Err(attr_err(obj, name));
            }
            Obj::Func(f) => {
                match name {
                    "__name__" => return Ok(Value::string(f.name.borrow().clone())),
                    "__qualname__" => return Ok(Value::string(f.qualname.borrow().clone())),
                    "__doc__" => return Ok(f.doc.borrow().clone()),
                    "__module__" => return Ok(Value::string(f.module.borrow().clone())),
                    "__defaults__" => {
                        return Ok(if f.defaults.is_empty() { Value::None } else { crate::tuple(f.defaults.clone()) })
                    }
                    "__class__" => return Ok(type_of(obj)),
                    "__dict__" => {
                        let items: Vec<(Value, Value)> =
                            f.dict.borrow().entries.iter().map(|(k, v)| (Value::str(k), v.clone())).collect();
                        return crate::dict(items);
                    }
                    _ => {}
                }
                if let Some(v) = f.dict.borrow().get(name) {
                    return Ok(v);
                }
                if name == "__get__" {
                    let f2 = obj.clone();
                    return Ok(native("__get__", false, move |a, _| {
                        Ok(if a.is_empty() || a[0].is_none() { f2.clone() } else { Value::obj(Obj::Method(a[0].clone(), f2.clone())) })
                    }));
                }
                return Err(attr_err(obj, name));
            }
            Obj::Native(n) => match name {
                "__name__" | "__qualname__" => return Ok(Value::str(&n.name)),
                _ if native_attr(&n.name, name).is_some() => return Ok(native_attr(&n.name, name).unwrap()),
                "__doc__" => return Ok(Value::None),
                "__module__" => return Ok(Value::str("builtins")),
                "__call__" => return Ok(obj.clone()),
                _ => return Err(attr_err(obj, name)),
            },
            Obj::Method(s, f) => match name {
                "__self__" => return Ok(s.clone()),
                "__func__" => return Ok(f.clone()),
                _ => return getattr(f, name),
            },
            Obj::BMethod(s, n) => match name {
                "__self__" => return Ok(s.clone()),
                "__name__" | "__qualname__" => return Ok(Value::str(n)),
                _ => return Err(attr_err(obj, name)),
            },
            Obj::Module(m) => {
                if let Some(v) = m.dict.borrow().get(name) {
                    return Ok(v);
                }
                if name == "__name__" {
                    return Ok(Value::str(&m.name));
                }
                if name == "__dict__" {
                    let items: Vec<(Value, Value)> =
                        m.dict.borrow().entries.iter().map(|(k, v)| (Value::str(k), v.clone())).collect();
                    return crate::dict(items);
                }
                return Err(attr_err(obj, name));
            }
            Obj::Super(c, s) => return super_getattr(c, s, name),
            Obj::Slice(a, b, c) => match name {
                "start" => return Ok(a.clone()),
                "stop" => return Ok(b.clone()),
                "step" => return Ok(c.clone()),
                _ => {}
            },
            Obj::Range(a, b, c) => match name {
                "start" => return Ok(Value::Int(*a)),
                "stop" => return Ok(Value::Int(*b)),
                "step" => return Ok(Value::Int(*c)),
                _ => {}
            },
            Obj::Property(fget, fset, fdel, doc) => {
                let (g, s, d) = (fget.clone(), fset.clone(), fdel.clone());
                match name {
                    "fget" => return Ok(g),
                    "fset" => return Ok(s),
                    "fdel" => return Ok(d),
                    "__doc__" => return Ok(prop_doc(obj).unwrap_or_else(|| doc.clone())),
                    "setter" => {
                        return Ok(native("setter", false, move |a, _| {
                            Ok(Value::obj(Obj::Property(g.clone(), a[0].clone(), d.clone(), Value::None)))
                        }))
                    }
                    "getter" => {
                        return Ok(native("getter", false, move |a, _| {
                            Ok(Value::obj(Obj::Property(a[0].clone(), s.clone(), d.clone(), Value::None)))
                        }))
                    }
                    "deleter" => {
                        return Ok(native("deleter", false, move |a, _| {
                            Ok(Value::obj(Obj::Property(g.clone(), s.clone(), a[0].clone(), Value::None)))
                        }))
                    }
                    _ => {}
                }
            }
            Obj::StaticMethod(f) | Obj::ClassMethod(f) => {
                if name == "__func__" {
                    return Ok(f.clone());
                }
                return getattr(f, name);
            }
            _ => {}
        }
    }
    match (obj, name) {
        (_, "__class__") => return Ok(type_of(obj)),
        (Value::Obj(o), "__call__") if matches!(&**o, Obj::Func(_) | Obj::Native(_) | Obj::Method(..) | Obj::BMethod(..)) => return Ok(obj.clone()),
        (Value::Int(_) | Value::Bool(_) | Value::Big(_), "real") | (Value::Int(_) | Value::Bool(_) | Value::Big(_), "numerator") => {
            return ops::pos(obj)
        }
        (Value::Int(_) | Value::Bool(_) | Value::Big(_), "imag") => return Ok(Value::Int(0)),
        (Value::Int(_) | Value::Bool(_) | Value::Big(_), "denominator") => return Ok(Value::Int(1)),
        (Value::Float(_), "real") => return Ok(obj.clone()),
        (Value::Float(_), "imag") => return Ok(Value::Float(0.0)),
        (_, "__doc__") => return Ok(Value::None),
        _ => {}
    }
    if let Some(sn) = crate::methods::method_name(obj, name) {
        return Ok(Value::obj(Obj::BMethod(obj.clone(), sn)));
    }
    Err(attr_err(obj, name))
}

pub fn hasattr(obj: &Value, name: &str) -> PyResult<bool> {
    match getattr(obj, name) {
        Ok(_) => Ok(true),
        Err(e) => {
            if exc_is(&e, "AttributeError") {
                Ok(false)
            } else {
                Err(e)
            }
        }
    }
}

/// object.__setattr__: descriptors, slots, exception fields, then the dict.
pub fn generic_setattr(obj: &Value, name: &str, v: Value) -> PyResult<()> {
    let i = match as_inst(obj) {
        Some(i) => i,
        None => return Err(attr_err(obj, name)),
    };
    let plain = {
        // no property to call, no exception field, no __slots__ to check
        let c = i.class.borrow();
        let c = class_of(&c);
        !c.has_props.get() && c.slots.is_none() && name != "__class__" && i.exc.borrow().is_none()
    };
    if plain {
        i.dict.borrow_mut().set(name, v);
        return Ok(());
    }
    let cls = i.class.borrow().clone();
    let maybe_prop = if class_of(&cls).has_props.get() { lookup(&cls, name) } else { None };
    if let Some(a) = maybe_prop {
        if let Value::Obj(p) = &a {
            if let Obj::Property(_, fset, ..) = &**p {
                if fset.is_none() {
                    return Err(new_exc(
                        "AttributeError",
                        &format!("property '{}' of '{}' object has no setter", name, class_of(&cls).name),
                    ));
                }
                crate::call::call(fset, vec![obj.clone(), v], vec![])?;
                return Ok(());
            }
            if let Obj::Inst(_) = &**p {
                if let Some(set) = lookup_user(&a, "__set__") {
                    let m = bind(set, &a, &type_of(&a))?;
                    crate::call::call(&m, vec![obj.clone(), v], vec![])?;
                    return Ok(());
                }
            }
        }
    }
    if i.exc.borrow().is_some() {
        let done = exc_data(obj, |e| match name {
            "args" => {
                e.args = v.clone();
                true
            }
            "__cause__" => {
                e.cause = v.clone();
                e.suppress = true;
                true
            }
            "__context__" => {
                e.context = v.clone();
                true
            }
            "__suppress_context__" => {
                e.suppress = ops::truthy(&v).unwrap_or(false);
                true
            }
            "__traceback__" => true,
            _ => false,
        })
        .unwrap_or(false);
        if done {
            return Ok(());
        }
    }
    if name == "__class__" {
        *i.class.borrow_mut() = v;
        return Ok(());
    }
    if let Some(slots) = &class_of(&cls).slots {
        if !slots.iter().any(|s| s == name) {
            return Err(new_exc(
                "AttributeError",
                &format!("'{}' object has no attribute '{}'", class_of(&cls).name, name),
            ));
        }
    }
    i.dict.borrow_mut().set(name, v);
    Ok(())
}

thread_local! {
    static PROP_DOCS: std::cell::RefCell<Vec<(Value, Value)>> = std::cell::RefCell::new(Vec::new());
}

/// A doc string assigned to a property after its creation.
fn prop_doc(p: &Value) -> Option<Value> {
    PROP_DOCS.with(|t| t.borrow().iter().find(|(q, _)| crate::ops::is(q, p)).map(|(_, d)| d.clone()))
}

pub fn setattr(obj: &Value, name: &str, v: Value) -> PyResult<()> {
    if let Value::Obj(o) = obj {
        match &**o {
            Obj::Inst(i) => {
                let user = {
                    let cls = i.class.borrow();
                    crate::object::class_facts(&cls, |fx| fx.user_setattr)
                };
                if !user {
                    return generic_setattr(obj, name, v);
                }
                if let Some(sa) = lookup_user(obj, "__setattr__") {
                    let m = bind(sa, obj, &type_of(obj))?;
                    crate::call::call(&m, vec![Value::str(name), v], vec![])?;
                    return Ok(());
                }
                return generic_setattr(obj, name, v);
            }
            Obj::Class(c) => {
                if c.builtin {
                    return Err(type_error(format!(
                        "cannot set '{}' attribute of immutable type '{}'",
                        name, c.name
                    )));
                }
                if matches!(&v, Value::Obj(o) if matches!(&**o, Obj::Property(..) | Obj::Inst(_))) {
                    c.has_props.set(true);
                }
                c.dict.borrow_mut().set(name, v);
                return Ok(());
            }
            Obj::Property(..) if name == "__doc__" => {
                // a property's doc is writable (namedtuple fields get theirs
                // this way in the standard library): kept beside it
                PROP_DOCS.with(|t| {
                    let mut t = t.borrow_mut();
                    t.retain(|(p, _)| !crate::ops::is(p, obj));
                    t.push((obj.clone(), v));
                });
                return Ok(());
            }
            Obj::Func(f) => {
                match name {
                    "__name__" => *f.name.borrow_mut() = ops::to_str(&v)?,
                    "__qualname__" => *f.qualname.borrow_mut() = ops::to_str(&v)?,
                    "__doc__" => *f.doc.borrow_mut() = v,
                    "__module__" => *f.module.borrow_mut() = ops::to_str(&v)?,
                    _ => f.dict.borrow_mut().set(name, v),
                }
                return Ok(());
            }
            Obj::Module(m) => {
                m.dict.borrow_mut().set(name, v);
                return Ok(());
            }
            _ => {}
        }
    }
    Err(attr_err(obj, name))
}

pub fn delattr(obj: &Value, name: &str) -> PyResult<()> {
    if let Value::Obj(o) = obj {
        match &**o {
            Obj::Inst(i) => {
                if let Some(da) = lookup_user(obj, "__delattr__") {
                    let m = bind(da, obj, &type_of(obj))?;
                    crate::call::call(&m, vec![Value::str(name)], vec![])?;
                    return Ok(());
                }
                let cls = i.class.borrow().clone();
                if let Some(a) = lookup(&cls, name) {
                    if let Value::Obj(p) = &a {
                        if let Obj::Property(_, _, fdel, _) = &**p {
                            if !fdel.is_none() {
                                crate::call::call(fdel, vec![obj.clone()], vec![])?;
                                return Ok(());
                            }
                        }
                        if let Obj::Inst(_) = &**p {
                            if let Some(del) = lookup_user(&a, "__delete__") {
                                let m = bind(del, &a, &type_of(&a))?;
                                crate::call::call(&m, vec![obj.clone()], vec![])?;
                                return Ok(());
                            }
                        }
                    }
                }
                if i.dict.borrow_mut().remove(name).is_some() {
                    return Ok(());
                }
            }
            Obj::Class(c) => {
                if c.dict.borrow_mut().remove(name).is_some() {
                    return Ok(());
                }
            }
            Obj::Func(f) => {
                if f.dict.borrow_mut().remove(name).is_some() {
                    return Ok(());
                }
            }
            Obj::Module(m) => {
                if m.dict.borrow_mut().remove(name).is_some() {
                    return Ok(());
                }
            }
            _ => {}
        }
    }
    Err(attr_err(obj, name))
}

// ---------------------------------------------------------------- items

pub fn to_index(v: &Value) -> PyResult<Option<i64>> {
    match v {
        Value::Int(i) => Ok(Some(*i)),
        Value::Bool(b) => Ok(Some(*b as i64)),
        Value::Big(_) => Err(new_exc("IndexError", "cannot fit 'int' into an index-sized integer")),
        Value::Obj(_) => match ops::call_dunder(v, "__index__", vec![])? {
            Some(r) => to_index(&r),
            None => Ok(None),
        },
        _ => Ok(None),
    }
}

/// PySlice_GetIndicesEx: (start, stop, step, length) for a sequence of `len`.
pub fn slice_indices(a: &Value, b: &Value, c: &Value, len: i64) -> PyResult<(i64, i64, i64, i64)> {
    let bad = || type_error("slice indices must be integers or None or have an __index__ method".into());
    let step = if c.is_none() { 1 } else { to_index(c)?.ok_or_else(bad)? };
    if step == 0 {
        return Err(value_error("slice step cannot be zero".into()));
    }
    let (lo, hi) = if step < 0 { (-1, len - 1) } else { (0, len) };
    let fix = |v: &Value, dflt: i64| -> PyResult<i64> {
        if v.is_none() {
            return Ok(dflt);
        }
        let mut i = match v {
            Value::Big(b) => {
                if b.neg {
                    i64::MIN / 2
                } else {
                    i64::MAX / 2
                }
            }
            _ => to_index(v)?.ok_or_else(bad)?,
        };
        if i < 0 {
            i += len;
            if i < lo {
                i = lo;
            }
        } else if i > hi {
            i = hi;
        }
        Ok(i)
    };
    let start = fix(a, if step < 0 { hi } else { lo })?;
    let stop = fix(b, if step < 0 { lo } else { hi })?;
    let n = if step < 0 {
        if stop < start {
            (start - stop - 1) / (-step) + 1
        } else {
            0
        }
    } else if start < stop {
        (stop - start - 1) / step + 1
    } else {
        0
    };
    Ok((start, stop, step, n))
}

fn slice_parts(key: &Value) -> Option<(Value, Value, Value)> {
    if let Value::Obj(o) = key {
        if let Obj::Slice(a, b, c) = &**o {
            return Some((a.clone(), b.clone(), c.clone()));
        }
    }
    None
}

fn norm_index(i: i64, len: usize, what: &str) -> PyResult<usize> {
    let j = if i < 0 { i + len as i64 } else { i };
    if j < 0 || j >= len as i64 {
        return Err(new_exc("IndexError", &format!("{} index out of range", what)));
    }
    Ok(j as usize)
}

fn pick<T: Clone>(items: &[T], start: i64, step: i64, n: i64) -> Vec<T> {
    let mut out = Vec::with_capacity(n as usize);
    let mut i = start;
    for _ in 0..n {
        out.push(items[i as usize].clone());
        i += step;
    }
    out
}

fn idx_type_err(obj: &Value, key: &Value) -> PyErr {
    let what = match obj {
        Value::Str(_) => "string indices must be integers, not",
        Value::List(_) => "list indices must be integers or slices, not",
        Value::Tuple(_) => "tuple indices must be integers or slices, not",
        _ => "indices must be integers, not",
    };
    type_error(format!("{} '{}'", what, type_name(key)))
}

pub fn str_char_at(s: &PyStr, i: usize) -> Value {
    if s.is_ascii() {
        Value::str(&s.s[i..i + 1])
    } else {
        Value::string(s.s.chars().nth(i).unwrap().to_string())
    }
}

/// `obj[key]`; the list-by-small-int case is inlined into generated code.
#[inline]
pub fn getitem(obj: &Value, key: &Value) -> PyResult<Value> {
    if let (Value::List(l), Value::Int(i)) = (obj, key) {
        let l = l.borrow();
        let n = l.len() as i64;
        let j = if *i < 0 { *i + n } else { *i };
        if j >= 0 && j < n {
            return Ok(l[j as usize].clone());
        }
    }
    getitem_slow(obj, key)
}

#[inline(never)]
fn getitem_slow(obj: &Value, key: &Value) -> PyResult<Value> {
    match obj {
        Value::List(l) => {
            if let Value::Int(i) = key {
                let l = l.borrow();
                let j = norm_index(*i, l.len(), "list")?;
                return Ok(l[j].clone());
            }
            if let Some((a, b, c)) = slice_parts(key) {
                let l = l.borrow();
                let (s, _, st, n) = slice_indices(&a, &b, &c, l.len() as i64)?;
                return Ok(crate::list(pick(&l, s, st, n)));
            }
            match to_index(key)? {
                Some(i) => getitem(obj, &Value::Int(i)),
                None => Err(idx_type_err(obj, key)),
            }
        }
        Value::Tuple(t) => {
            if let Some((a, b, c)) = slice_parts(key) {
                let (s, _, st, n) = slice_indices(&a, &b, &c, t.len() as i64)?;
                return Ok(crate::tuple(pick(t, s, st, n)));
            }
            match to_index(key)? {
                Some(i) => Ok(t[norm_index(i, t.len(), "tuple")?].clone()),
                None => Err(idx_type_err(obj, key)),
            }
        }
        Value::Str(s) => {
            if let Some((a, b, c)) = slice_parts(key) {
                let (st, _, step, n) = slice_indices(&a, &b, &c, s.nchars as i64)?;
                if s.is_ascii() {
                    if step == 1 {
                        return Ok(Value::str(&s.s[st as usize..(st + n) as usize]));
                    }
                    let bytes = pick(s.s.as_bytes(), st, step, n);
                    return Ok(Value::string(String::from_utf8(bytes).unwrap()));
                }
                let chars: Vec<char> = s.s.chars().collect();
                return Ok(Value::string(pick(&chars, st, step, n).into_iter().collect()));
            }
            match to_index(key)? {
                Some(i) => {
                    let j = norm_index(i, s.nchars, "string")?;
                    Ok(str_char_at(s, j))
                }
                None => Err(idx_type_err(obj, key)),
            }
        }
        Value::Bytes(bs) => {
            if let Some((a, b, c)) = slice_parts(key) {
                let (s, _, st, n) = slice_indices(&a, &b, &c, bs.len() as i64)?;
                return Ok(Value::Bytes(Rc::new(pick(bs, s, st, n))));
            }
            match to_index(key)? {
                Some(i) => Ok(Value::Int(bs[norm_index(i, bs.len(), "index")?] as i64)),
                None => Err(idx_type_err(obj, key)),
            }
        }
        Value::Dict(_) => match crate::methods::dict_get(obj, key)? {
            Some(v) => Ok(v),
            None => Err(crate::object::new_exc_args("KeyError", vec![key.clone()])),
        },
        Value::Obj(o) => match &**o {
            Obj::Inst(i) => {
                if let Some(r) = ops::call_dunder_slice(obj, "__getitem__", &[key.clone()])? {
                    return Ok(r);
                }
                let p = i.payload.borrow().clone();
                if !p.is_none() {
                    if let Value::Dict(_) = p {
                        if let Some(v) = crate::methods::dict_get(&p, key)? {
                            return Ok(v);
                        }
                        if let Some(r) = ops::call_dunder_slice(obj, "__missing__", &[key.clone()])? {
                            return Ok(r);
                        }
                        if let Some(r) = crate::stdlib::payload_missing(obj, key)? {
                            return Ok(r);
                        }
                        return Err(crate::object::new_exc_args("KeyError", vec![key.clone()]));
                    }
                    return getitem(&p, key);
                }
                Err(type_error(format!("'{}' object is not subscriptable", type_name(obj))))
            }
            Obj::Range(a, b, st) => {
                let n = crate::builtins::range_len(*a, *b, *st);
                if let Some((x, y, z)) = slice_parts(key) {
                    let (s, e, step, _) = slice_indices(&x, &y, &z, n)?;
                    return Ok(Value::obj(Obj::Range(a + s * st, a + e * st, st * step)));
                }
                match to_index(key)? {
                    Some(i) => {
                        let j = if i < 0 { i + n } else { i };
                        if j < 0 || j >= n {
                            return Err(new_exc("IndexError", "range object index out of range"));
                        }
                        Ok(Value::Int(a + j * st))
                    }
                    None => Err(type_error(format!("range indices must be integers or slices, not {}", type_name(key)))),
                }
            }
            Obj::Class(_) => {
                // list[int], dict[str, int]: a types.GenericAlias
                if let Some(ga) = crate::ext::types::class_subscript(obj, key) {
                    return ga;
                }
                if let Some(f) = lookup(obj, "__class_getitem__") {
                    let m = bind(f, obj, obj)?;
                    return crate::call::call(&m, vec![key.clone()], vec![]);
                }
                Ok(obj.clone())
            }
            _ => Err(type_error(format!("'{}' object is not subscriptable", type_name(obj)))),
        },
        _ => Err(type_error(format!("'{}' object is not subscriptable", type_name(obj)))),
    }
}

/// `obj[key] = v`; the list-by-small-int case is inlined into generated code.
#[inline]
pub fn setitem(obj: &Value, key: &Value, v: Value) -> PyResult<()> {
    if let (Value::List(l), Value::Int(i)) = (obj, key) {
        if let Ok(mut l) = l.try_borrow_mut() {
            let n = l.len() as i64;
            let j = if *i < 0 { *i + n } else { *i };
            if j >= 0 && j < n {
                l[j as usize] = v;
                return Ok(());
            }
        }
    }
    setitem_slow(obj, key, v)
}

#[inline(never)]
fn setitem_slow(obj: &Value, key: &Value, v: Value) -> PyResult<()> {
    match obj {
        Value::List(l) => {
            if let Some((a, b, c)) = slice_parts(key) {
                let items = crate::iter::collect(&v)?;
                let mut l = l.borrow_mut();
                let (s, e, st, n) = slice_indices(&a, &b, &c, l.len() as i64)?;
                if st == 1 {
                    let e = e.max(s);
                    l.splice(s as usize..e as usize, items);
                    return Ok(());
                }
                if items.len() as i64 != n {
                    return Err(value_error(format!(
                        "attempt to assign sequence of size {} to extended slice of size {}",
                        items.len(),
                        n
                    )));
                }
                let mut i = s;
                for x in items {
                    l[i as usize] = x;
                    i += st;
                }
                return Ok(());
            }
            match to_index(key)? {
                Some(i) => {
                    let mut l = l.borrow_mut();
                    let j = norm_index(i, l.len(), "list assignment")?;
                    l[j] = v;
                    Ok(())
                }
                None => Err(idx_type_err(obj, key)),
            }
        }
        Value::Dict(_) => crate::methods::dict_set(obj, key.clone(), v),
        Value::Obj(o) => match &**o {
            Obj::Inst(i) => {
                if ops::call_dunder_slice(obj, "__setitem__", &[key.clone(), v.clone()])?.is_some() {
                    return Ok(());
                }
                let p = i.payload.borrow().clone();
                if !p.is_none() {
                    return setitem(&p, key, v);
                }
                Err(type_error(format!("'{}' object does not support item assignment", type_name(obj))))
            }
            _ => Err(type_error(format!("'{}' object does not support item assignment", type_name(obj)))),
        },
        _ => Err(type_error(format!("'{}' object does not support item assignment", type_name(obj)))),
    }
}

pub fn delitem(obj: &Value, key: &Value) -> PyResult<()> {
    match obj {
        Value::List(l) => {
            if let Some((a, b, c)) = slice_parts(key) {
                let mut l = l.borrow_mut();
                let (s, _, st, n) = slice_indices(&a, &b, &c, l.len() as i64)?;
                let mut idx: Vec<usize> = (0..n).map(|k| (s + k * st) as usize).collect();
                idx.sort_unstable();
                for i in idx.into_iter().rev() {
                    l.remove(i);
                }
                return Ok(());
            }
            match to_index(key)? {
                Some(i) => {
                    let mut l = l.borrow_mut();
                    let j = norm_index(i, l.len(), "list assignment")?;
                    l.remove(j);
                    Ok(())
                }
                None => Err(idx_type_err(obj, key)),
            }
        }
        Value::Dict(_) => match crate::methods::dict_pop(obj, key)? {
            Some(_) => Ok(()),
            None => Err(crate::object::new_exc_args("KeyError", vec![key.clone()])),
        },
        Value::Obj(o) => match &**o {
            Obj::Inst(i) => {
                if ops::call_dunder_slice(obj, "__delitem__", &[key.clone()])?.is_some() {
                    return Ok(());
                }
                let p = i.payload.borrow().clone();
                if !p.is_none() {
                    return delitem(&p, key);
                }
                Err(type_error(format!("'{}' object does not support item deletion", type_name(obj))))
            }
            _ => Err(type_error(format!("'{}' object does not support item deletion", type_name(obj)))),
        },
        _ => Err(type_error(format!("'{}' object does not support item deletion", type_name(obj)))),
    }
}
