//! `bytearray`: the mutable bytes.
//!
//! An instance of the runtime class `bytearray` whose native payload is a
//! `Value::Bytes`; mutation replaces the bytes in place (`Rc::make_mut`,
//! which copies only while some other value still shares them, e.g. the
//! bytes a slice handed out).  The read-only methods are the bytes methods
//! run on the payload, with bytes results turned back into bytearrays as
//! CPython does (`ba.upper()`, `ba.split()` give bytearrays; `find`,
//! `decode`, `hex` give the same as for bytes); the mutating ones (append,
//! extend, insert, pop, remove, clear, reverse, item and slice assignment
//! and deletion, `+=`, `*=`) are here.  A bytearray is unhashable and
//! compares equal to bytes with the same contents.

use super::bytesx::bytes_like;
use super::meth;
use crate::object::*;
use crate::value::*;
use std::cell::RefCell;
use std::rc::Rc;

thread_local! {
    static CLS: RefCell<Option<Value>> = RefCell::new(None);
}

pub fn class() -> Value {
    if let Some(v) = CLS.with(|c| c.borrow().clone()) {
        return v;
    }
    let cls = build_class();
    CLS.with(|c| *c.borrow_mut() = Some(cls.clone()));
    cls
}

/// The contents of a bytearray (None for anything else).
pub fn data(v: &Value) -> Option<Rc<Vec<u8>>> {
    let i = as_inst(v)?;
    let p = i.payload.borrow();
    if let Value::Bytes(b) = &*p {
        let is_ba = CLS.with(|c| c.borrow().as_ref().map(|cls| is_subclass(&i.class.borrow(), cls)).unwrap_or(false));
        if is_ba {
            return Some(b.clone());
        }
    }
    None
}

pub fn make(b: Vec<u8>) -> Value {
    make_in(&class(), b)
}

fn make_in(cls: &Value, b: Vec<u8>) -> Value {
    let v = new_instance(cls);
    set(&v, b);
    v
}

fn set(v: &Value, b: Vec<u8>) {
    if let Some(i) = as_inst(v) {
        *i.payload.borrow_mut() = Value::Bytes(Rc::new(b));
    }
}

fn me(a: &[Value]) -> PyResult<Rc<Vec<u8>>> {
    a.get(0).and_then(data).ok_or_else(|| type_error("descriptor requires a 'bytearray' object".into()))
}

/// Runs `f` on the bytes of `v`, in place.
fn with_mut<R>(v: &Value, f: impl FnOnce(&mut Vec<u8>) -> PyResult<R>) -> PyResult<R> {
    let i = as_inst(v).ok_or_else(|| type_error("descriptor requires a 'bytearray' object".into()))?;
    let mut p = i.payload.borrow_mut();
    match &mut *p {
        Value::Bytes(rc) => f(Rc::make_mut(rc)),
        _ => Err(type_error("descriptor requires a 'bytearray' object".into())),
    }
}

fn byte_of(v: &Value) -> PyResult<u8> {
    let n = match crate::attr::to_index(v)? {
        Some(n) => n,
        None => return Err(type_error(format!("'{}' object cannot be interpreted as an integer", type_name(v)))),
    };
    if !(0..256).contains(&n) {
        return Err(value_error("byte must be in range(0, 256)".into()));
    }
    Ok(n as u8)
}

/// The bytes of a bytes-like object or an iterable of ints.
fn bytes_from(v: &Value) -> PyResult<Vec<u8>> {
    if let Some(b) = bytes_like(v) {
        return Ok(b.to_vec());
    }
    if let Value::Str(_) = v {
        return Err(type_error("can't extend bytearray with str".into()));
    }
    let mut out = Vec::new();
    for x in crate::collect(v)? {
        out.push(byte_of(&x)?);
    }
    Ok(out)
}

fn construct(a: &[Value], kw: Kw) -> PyResult<Vec<u8>> {
    let o = crate::methods::getargs("bytearray", a.to_vec(), kw, &["source", "encoding", "errors"], 0)?;
    match &o[0] {
        None => {
            if o[1].is_some() || o[2].is_some() {
                return Err(type_error("encoding or errors without sequence argument".into()));
            }
            Ok(vec![])
        }
        Some(Value::Str(s)) => {
            if o[1].is_none() {
                return Err(type_error("string argument without an encoding".into()));
            }
            let mut args = vec![o[1].clone().unwrap()];
            if let Some(e) = &o[2] {
                args.push(e.clone());
            }
            match super::bytesx::encode(&s.s, &args, &vec![])? {
                Value::Bytes(b) => Ok(b.to_vec()),
                _ => Ok(vec![]),
            }
        }
        Some(v) => {
            if o[1].is_some() {
                return Err(type_error("encoding without a string argument".into()));
            }
            if let Value::Int(n) = v {
                if *n < 0 {
                    return Err(value_error("negative count".into()));
                }
                return Ok(vec![0; *n as usize]);
            }
            if let Value::Float(_) = v {
                return Err(type_error("cannot convert 'float' object to bytearray".into()));
            }
            bytes_from(v)
        }
    }
}

/// Bytes results of a delegated method become bytearrays.
fn back(v: Value) -> Value {
    match &v {
        Value::Bytes(b) => make(b.to_vec()),
        Value::List(l) => crate::list(l.borrow().iter().cloned().map(back).collect()),
        Value::Tuple(t) => crate::tuple(t.iter().cloned().map(back).collect()),
        _ => v,
    }
}

fn plain(v: &Value) -> Value {
    match data(v) {
        Some(b) => Value::Bytes(b),
        None => v.clone(),
    }
}

const DELEGATED: &[&str] = &[
    "count", "find", "rfind", "index", "rindex", "startswith", "endswith", "split", "rsplit", "strip", "lstrip",
    "rstrip", "join", "replace", "upper", "lower", "partition", "rpartition", "splitlines", "ljust", "rjust", "center",
    "zfill", "removeprefix", "removesuffix", "expandtabs", "title", "capitalize", "swapcase", "isdigit", "isalpha",
    "isalnum", "isspace", "isascii", "islower", "isupper", "istitle", "translate", "decode", "hex",
];

fn delegate(name: &'static str) -> Value {
    meth(name, move |a, kw| {
        let b = me(&a)?;
        let args: Vec<Value> = a[1..].iter().map(plain).collect();
        let kw: Kw = kw.into_iter().map(|(k, v)| (k, plain(&v))).collect();
        let r = crate::methods::call_builtin_method(&Value::Bytes(b), name, args, kw)?;
        Ok(back(r))
    })
}

fn index_of(b: &[u8], i: &Value, what: &str) -> PyResult<usize> {
    let n = crate::attr::to_index(i)?.ok_or_else(|| type_error(format!("bytearray indices must be integers or slices, not {}", type_name(i))))?;
    let len = b.len() as i64;
    let k = if n < 0 { n + len } else { n };
    if k < 0 || k >= len {
        return Err(new_exc("IndexError", &format!("{} index out of range", what)));
    }
    Ok(k as usize)
}

fn is_slice(v: &Value) -> bool {
    matches!(v, Value::Obj(o) if matches!(&**o, Obj::Slice(..)))
}

fn as_list(b: &[u8]) -> Value {
    crate::list(b.iter().map(|&c| Value::Int(c as i64)).collect())
}

fn from_list(l: &Value) -> PyResult<Vec<u8>> {
    let mut out = Vec::new();
    for x in crate::collect(l)? {
        out.push(byte_of(&x)?);
    }
    Ok(out)
}

fn cmp_meth(name: &'static str, want: fn(std::cmp::Ordering) -> bool) -> Value {
    meth(name, move |a, _| {
        let x = me(&a)?;
        match a.get(1).and_then(bytes_like) {
            Some(y) => Ok(Value::Bool(want(x.as_slice().cmp(y.as_slice())))),
            None => Ok(Value::not_implemented()),
        }
    })
}

fn repr_ba(v: &Value) -> PyResult<String> {
    let b = me(&[v.clone()])?;
    Ok(format!("{}({})", type_name(v), crate::ops::bytes_repr(&b)))
}

fn build_class() -> Value {
    let mut methods: Vec<(&str, Value)> = vec![
        ("__init__", meth("__init__", |a, kw| {
            let b = construct(&a[1..], kw)?;
            set(&a[0], b);
            Ok(Value::None)
        })),
        ("__len__", meth("__len__", |a, _| Ok(Value::Int(me(&a)?.len() as i64)))),
        ("__iter__", meth("__iter__", |a, _| crate::iter::iter(&as_list(&me(&a)?)))),
        ("__contains__", meth("__contains__", |a, _| {
            let b = me(&a)?;
            let x = plain(&a[1]);
            if let Value::Bytes(_) = x {
                return Ok(Value::Bool(crate::ops::contains(&Value::Bytes(b), &x)?));
            }
            let c = byte_of(&x)?;
            Ok(Value::Bool(b.contains(&c)))
        })),
        ("__getitem__", meth("__getitem__", |a, _| {
            let b = me(&a)?;
            if is_slice(&a[1]) {
                return Ok(back(crate::attr::getitem(&Value::Bytes(b), &a[1])?));
            }
            let k = index_of(&b, &a[1], "bytearray")?;
            Ok(Value::Int(b[k] as i64))
        })),
        ("__setitem__", meth("__setitem__", |a, _| {
            let (key, val) = (a[1].clone(), a[2].clone());
            if is_slice(&key) {
                let src = if let Value::Int(_) = val {
                    return Err(type_error("can assign only bytes, buffers, or iterables of ints in range(0, 256)".into()));
                } else {
                    as_list(&bytes_from(&val)?)
                };
                return with_mut(&a[0], |b| {
                    let l = as_list(b);
                    crate::attr::setitem(&l, &key, src)?;
                    *b = from_list(&l)?;
                    Ok(Value::None)
                });
            }
            let c = byte_of(&val)?;
            with_mut(&a[0], |b| {
                let k = index_of(b, &key, "bytearray")?;
                b[k] = c;
                Ok(Value::None)
            })
        })),
        ("__delitem__", meth("__delitem__", |a, _| {
            let key = a[1].clone();
            with_mut(&a[0], |b| {
                if is_slice(&key) {
                    let l = as_list(b);
                    crate::attr::delitem(&l, &key)?;
                    *b = from_list(&l)?;
                } else {
                    let k = index_of(b, &key, "bytearray")?;
                    b.remove(k);
                }
                Ok(Value::None)
            })
        })),
        ("append", meth("append", |a, _| {
            let c = byte_of(a.get(1).ok_or_else(|| type_error("append() takes exactly one argument (0 given)".into()))?)?;
            with_mut(&a[0], |b| {
                b.push(c);
                Ok(Value::None)
            })
        })),
        ("extend", meth("extend", |a, _| {
            let src = a.get(1).ok_or_else(|| type_error("extend() takes exactly one argument (0 given)".into()))?;
            let add = match bytes_from(src) {
                Ok(v) => v,
                Err(e) if matches!(src, Value::Int(_)) => {
                    let _ = e;
                    return Err(type_error(format!("can't extend bytearray with {}", type_name(src))));
                }
                Err(e) => return Err(e),
            };
            with_mut(&a[0], |b| {
                b.extend_from_slice(&add);
                Ok(Value::None)
            })
        })),
        ("insert", meth("insert", |a, _| {
            if a.len() != 3 {
                return Err(type_error(format!("insert expected 2 arguments, got {}", a.len().saturating_sub(1))));
            }
            let n = crate::attr::to_index(&a[1])?.ok_or_else(|| type_error("an integer is required".into()))?;
            let c = byte_of(&a[2])?;
            with_mut(&a[0], |b| {
                let len = b.len() as i64;
                let k = if n < 0 { (n + len).max(0) } else { n.min(len) };
                b.insert(k as usize, c);
                Ok(Value::None)
            })
        })),
        ("pop", meth("pop", |a, _| {
            let idx = a.get(1).cloned().unwrap_or(Value::Int(-1));
            with_mut(&a[0], |b| {
                if b.is_empty() {
                    return Err(new_exc("IndexError", "pop from empty bytearray"));
                }
                let k = index_of(b, &idx, "pop")?;
                Ok(Value::Int(b.remove(k) as i64))
            })
        })),
        ("remove", meth("remove", |a, _| {
            let c = byte_of(&a[1])?;
            with_mut(&a[0], |b| match b.iter().position(|x| *x == c) {
                Some(k) => {
                    b.remove(k);
                    Ok(Value::None)
                }
                None => Err(value_error("value not found in bytearray".into())),
            })
        })),
        ("clear", meth("clear", |a, _| {
            with_mut(&a[0], |b| {
                b.clear();
                Ok(Value::None)
            })
        })),
        ("reverse", meth("reverse", |a, _| {
            with_mut(&a[0], |b| {
                b.reverse();
                Ok(Value::None)
            })
        })),
        ("copy", meth("copy", |a, _| Ok(make(me(&a)?.to_vec())))),
        ("__eq__", meth("__eq__", |a, _| {
            let x = me(&a)?;
            match bytes_like(&a[1]) {
                Some(y) => Ok(Value::Bool(*x == *y)),
                None => Ok(Value::not_implemented()),
            }
        })),
        ("__ne__", meth("__ne__", |a, _| {
            let x = me(&a)?;
            match bytes_like(&a[1]) {
                Some(y) => Ok(Value::Bool(*x != *y)),
                None => Ok(Value::not_implemented()),
            }
        })),
        ("__lt__", cmp_meth("__lt__", |o| o == std::cmp::Ordering::Less)),
        ("__le__", cmp_meth("__le__", |o| o != std::cmp::Ordering::Greater)),
        ("__gt__", cmp_meth("__gt__", |o| o == std::cmp::Ordering::Greater)),
        ("__ge__", cmp_meth("__ge__", |o| o != std::cmp::Ordering::Less)),
        ("__add__", meth("__add__", |a, _| {
            let mut x = me(&a)?.to_vec();
            match bytes_like(&a[1]) {
                Some(y) => {
                    x.extend_from_slice(&y);
                    Ok(make(x))
                }
                None => Err(type_error(format!("can't concat {} to bytearray", type_name(&a[1])))),
            }
        })),
        ("__radd__", meth("__radd__", |a, _| {
            let x = me(&a)?;
            match &a[1] {
                Value::Bytes(y) => {
                    let mut v = y.to_vec();
                    v.extend_from_slice(&x);
                    Ok(Value::Bytes(Rc::new(v)))
                }
                _ => Ok(Value::not_implemented()),
            }
        })),
        ("__iadd__", meth("__iadd__", |a, _| {
            let y = bytes_like(&a[1]).ok_or_else(|| type_error(format!("can't concat {} to bytearray", type_name(&a[1]))))?;
            with_mut(&a[0], |b| {
                b.extend_from_slice(&y);
                Ok(())
            })?;
            Ok(a[0].clone())
        })),
        ("__mul__", meth("__mul__", |a, _| {
            let x = me(&a)?;
            match crate::attr::to_index(&a[1])? {
                Some(n) => Ok(make(x.repeat(n.max(0) as usize))),
                None => Ok(Value::not_implemented()),
            }
        })),
        ("__rmul__", meth("__rmul__", |a, _| {
            let x = me(&a)?;
            match crate::attr::to_index(&a[1])? {
                Some(n) => Ok(make(x.repeat(n.max(0) as usize))),
                None => Ok(Value::not_implemented()),
            }
        })),
        ("__imul__", meth("__imul__", |a, _| {
            let n = crate::attr::to_index(&a[1])?.ok_or_else(|| type_error(format!("can't multiply sequence by non-int of type '{}'", type_name(&a[1]))))?;
            with_mut(&a[0], |b| {
                *b = b.repeat(n.max(0) as usize);
                Ok(())
            })?;
            Ok(a[0].clone())
        })),
        ("__mod__", meth("__mod__", |a, _| Ok(back(super::bytesx::percent(&me(&a)?, &a[1])?)))),
        ("__repr__", meth("__repr__", |a, _| Ok(Value::string(repr_ba(&a[0])?)))),
        ("__str__", meth("__str__", |a, _| Ok(Value::string(repr_ba(&a[0])?)))),
        ("__bytes__", meth("__bytes__", |a, _| Ok(Value::Bytes(me(&a)?)))),
        ("__alloc__", meth("__alloc__", |a, _| Ok(Value::Int(me(&a)?.len() as i64 + 1)))),
    ];
    for name in DELEGATED {
        methods.push((name, delegate(name)));
    }
    let cls = crate::stdlib::heapq_bisect_itertools_functools::rt_class("bytearray", "builtins", vec![], methods);
    class_set(&cls, "__hash__", Value::None);
    class_set(&cls, "fromhex", Value::obj(Obj::ClassMethod(super::nat("fromhex", |a, _| {
        let b = super::bytesx::fromhex(&a[1..])?;
        Ok(make_in(&a[0], b))
    }))));
    class_set(&cls, "maketrans", Value::obj(Obj::StaticMethod(super::nat("maketrans", |a, _| super::bytesx::maketrans(&a)))));
    cls
}
