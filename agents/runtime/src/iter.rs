//! Iteration: `iter()`, `next()` and helpers that drain iterables.
//!
//! Builtin containers get dedicated iterator states (no allocation per
//! step); user classes go through `__iter__`/`__next__` (or the old
//! `__getitem__` protocol), generators through gen.rs.  `next` returns
//! `Ok(None)` at exhaustion so StopIteration never has to be materialised on
//! the hot path.

use crate::object::*;
use crate::ops;
use crate::value::*;
use std::cell::RefCell;

pub fn make_iter(f: impl FnMut() -> PyResult<Option<Value>> + 'static) -> Value {
    Value::obj(Obj::Iter(RefCell::new(Iter::Native(Box::new(f)))))
}

fn it(i: Iter) -> Value {
    Value::obj(Obj::Iter(RefCell::new(i)))
}

pub fn iter(v: &Value) -> PyResult<Value> {
    Ok(match v {
        Value::List(_) => it(Iter::List(v.clone(), 0)),
        Value::Tuple(t) => it(Iter::Tuple(t.clone(), 0)),
        Value::Str(s) => it(Iter::Str(s.clone(), 0)),
        Value::Dict(d) => {
            let n = d.borrow().len();
            it(Iter::DictKeys(d.clone(), 0, n, 0))
        }
        Value::Set(s) | Value::FrozenSet(s) => it(Iter::Values(s.borrow().values(), 0)),
        Value::Bytes(b) => it(Iter::Values(b.iter().map(|x| Value::Int(*x as i64)).collect(), 0)),
        Value::Obj(o) => match &**o {
            Obj::Gen(g) if g.kind != crate::gen::KIND_GEN => return Err(type_error(format!("'{}' object is not iterable", g.type_name()))),
            Obj::Iter(_) | Obj::Gen(_) => v.clone(),
            Obj::Range(a, b, s) => it(Iter::Range(*a, *b, *s)),
            Obj::Class(_) if crate::stdlib5::is_enum_class(v) => it(Iter::Values(crate::stdlib5::enum_members(v)?, 0)),
            Obj::DictView(d, k) => match d {
                Value::Dict(dd) => {
                    let n = dd.borrow().len();
                    it(Iter::DictKeys(dd.clone(), 0, n, *k))
                }
                _ => {
                    let keys = collect(d)?;
                    match k {
                        0 => it(Iter::Values(keys, 0)),
                        _ => {
                            let mut out = Vec::new();
                            for key in keys {
                                let val = crate::attr::getitem(d, &key)?;
                                out.push(if *k == 1 { val } else { crate::tuple(vec![key, val]) });
                            }
                            it(Iter::Values(out, 0))
                        }
                    }
                }
            },
            Obj::Inst(i) => {
                if let Some(r) = ops::call_dunder(v, "__iter__", vec![])? {
                    if lookup_user(&r, "__next__").is_none() && !matches!(&r, Value::Obj(o) if matches!(&**o, Obj::Iter(_) | Obj::Gen(_))) {
                        return Err(type_error(format!("iter() returned non-iterator of type '{}'", type_name(&r))));
                    }
                    return Ok(r);
                }
                if lookup_user(v, "__getitem__").is_some() {
                    return Ok(it(Iter::Seq(v.clone(), 0)));
                }
                let p = i.payload.borrow().clone();
                if !p.is_none() {
                    return iter(&p);
                }
                return Err(type_error(format!("'{}' object is not iterable", type_name(v))));
            }
            _ => return Err(type_error(format!("'{}' object is not iterable", type_name(v)))),
        },
        _ => return Err(type_error(format!("'{}' object is not iterable", type_name(v)))),
    })
}

/// `for a, b in it`: the next item unpacked into N values. A dict's items
/// view hands over its key and value without building the tuple; any other
/// item is unpacked as `a, b = item` would.
pub fn next_n<const N: usize>(itv: &Value) -> PyResult<Option<[Value; N]>> {
    if N == 2 {
        if let Value::Obj(o) = itv {
            if let Obj::Iter(cell) = &**o {
                if let Iter::DictKeys(d, i, n, 2) = &mut *cell.borrow_mut() {
                    let d = d.borrow();
                    if d.len() != *n {
                        *n = usize::MAX;
                        return Err(new_exc("RuntimeError", "dictionary changed size during iteration"));
                    }
                    while *i < d.entries.len() {
                        *i += 1;
                        if let Some((k, v)) = &d.entries[*i - 1] {
                            let mut kv = [k, v].into_iter();
                            return Ok(Some(std::array::from_fn(|_| kv.next().unwrap().clone())));
                        }
                    }
                    return Ok(None);
                }
            }
        }
    }
    match next(itv)? {
        Some(x) => Ok(Some(unpack_arr::<N>(&x)?)),
        None => Ok(None),
    }
}

/// `for i, x in enumerate(xs)`: the next count and item, no tuple built.
#[inline]
pub fn enumerate_next(it: &Value, n: &mut i64) -> PyResult<Option<[Value; 2]>> {
    match next(it)? {
        Some(x) => {
            let i = *n;
            *n += 1;
            Ok(Some([Value::Int(i), x]))
        }
        None => Ok(None),
    }
}

/// `for a, b in zip(xs, ys)`: one item from each iterator in turn, until
/// the first is exhausted (the later ones are then not advanced, as in
/// CPython's zip).
#[inline]
pub fn zip_next<const N: usize>(its: &[Value; N]) -> PyResult<Option<[Value; N]>> {
    let mut out: [Value; N] = std::array::from_fn(|_| Value::None);
    for (k, it) in its.iter().enumerate() {
        match next(it)? {
            Some(x) => out[k] = x,
            None => return Ok(None),
        }
    }
    Ok(Some(out))
}

pub fn next(itv: &Value) -> PyResult<Option<Value>> {
    match itv {
        Value::Obj(o) => match &**o {
            Obj::Iter(cell) => {
                let mut st = cell.borrow_mut();
                match &mut *st {
                    Iter::List(l, i) => {
                        if let Value::List(l) = l {
                            let l = l.borrow();
                            if *i < l.len() {
                                *i += 1;
                                return Ok(Some(l[*i - 1].clone()));
                            }
                        }
                        *st = Iter::Done;
                        Ok(None)
                    }
                    Iter::Tuple(t, i) => {
                        if *i < t.len() {
                            *i += 1;
                            return Ok(Some(t[*i - 1].clone()));
                        }
                        Ok(None)
                    }
                    Iter::Str(s, pos) => {
                        if *pos >= s.s.len() {
                            return Ok(None);
                        }
                        let c = s.s[*pos..].chars().next().unwrap();
                        let l = c.len_utf8();
                        let r = Value::str(&s.s[*pos..*pos + l]);
                        *pos += l;
                        Ok(Some(r))
                    }
                    Iter::Range(a, b, s) => {
                        if (*s > 0 && *a < *b) || (*s < 0 && *a > *b) {
                            let r = *a;
                            *a += *s;
                            Ok(Some(Value::Int(r)))
                        } else {
                            Ok(None)
                        }
                    }
                    Iter::Values(v, i) => {
                        if *i < v.len() {
                            *i += 1;
                            Ok(Some(v[*i - 1].clone()))
                        } else {
                            Ok(None)
                        }
                    }
                    Iter::DictKeys(d, i, n, kind) => {
                        let d = d.borrow();
                        if d.len() != *n {
                            *n = usize::MAX;
                            return Err(new_exc("RuntimeError", "dictionary changed size during iteration"));
                        }
                        while *i < d.entries.len() {
                            *i += 1;
                            if let Some((k, v)) = &d.entries[*i - 1] {
                                return Ok(Some(match kind {
                                    0 => k.clone(),
                                    1 => v.clone(),
                                    _ => crate::tuple(vec![k.clone(), v.clone()]),
                                }));
                            }
                        }
                        Ok(None)
                    }
                    Iter::Native(f) => {
                        let r = f()?;
                        if r.is_none() {
                            *st = Iter::Done;
                        }
                        Ok(r)
                    }
                    Iter::Seq(v, i) => {
                        let (v2, idx) = (v.clone(), *i);
                        *i += 1;
                        drop(st);
                        match crate::attr::getitem(&v2, &Value::Int(idx)) {
                            Ok(x) => Ok(Some(x)),
                            Err(e) => {
                                if exc_is(&e, "IndexError") || exc_is(&e, "StopIteration") {
                                    *cell.borrow_mut() = Iter::Done;
                                    Ok(None)
                                } else {
                                    Err(e)
                                }
                            }
                        }
                    }
                    Iter::Done => Ok(None),
                }
            }
            Obj::Gen(_) => crate::gen::gen_next(itv),
            Obj::Inst(_) => match lookup_user(itv, "__next__") {
                Some(f) => {
                    let m = bind(f, itv, &type_of(itv))?;
                    match crate::call::call(&m, vec![], vec![]) {
                        Ok(v) => Ok(Some(v)),
                        Err(e) => {
                            if exc_is(&e, "StopIteration") {
                                Ok(None)
                            } else {
                                Err(e)
                            }
                        }
                    }
                }
                None => Err(type_error(format!("'{}' object is not an iterator", type_name(itv)))),
            },
            _ => Err(type_error(format!("'{}' object is not an iterator", type_name(itv)))),
        },
        _ => Err(type_error(format!("'{}' object is not an iterator", type_name(itv)))),
    }
}

/// Drains any iterable into a Vec.
pub fn collect(v: &Value) -> PyResult<Vec<Value>> {
    match v {
        Value::List(l) => Ok(l.borrow().clone()),
        Value::Tuple(t) => Ok((**t).clone()),
        Value::Set(s) | Value::FrozenSet(s) => Ok(s.borrow().values()),
        Value::Dict(d) => Ok(d.borrow().keys()),
        Value::Obj(o) if matches!(&**o, Obj::Range(..)) => {
            if let Obj::Range(a, b, s) = &**o {
                let mut out = Vec::new();
                let mut i = *a;
                while (*s > 0 && i < *b) || (*s < 0 && i > *b) {
                    out.push(Value::Int(i));
                    i += s;
                }
                return Ok(out);
            }
            unreachable!()
        }
        _ => {
            let it = iter(v)?;
            let mut out = Vec::new();
            while let Some(x) = next(&it)? {
                out.push(x);
            }
            Ok(out)
        }
    }
}

/// Unpacking `a, b = v` with CPython's messages.
/// `a, b, c = v` with no starred target: the N values in an array (the
/// generated code moves them out with a pattern). A tuple or list of the
/// right length is read directly; everything else iterates as `unpack`.
pub fn unpack_arr<const N: usize>(v: &Value) -> PyResult<[Value; N]> {
    match v {
        Value::Tuple(t) if t.len() == N => return Ok(std::array::from_fn(|i| t[i].clone())),
        Value::List(l) => {
            let l = l.borrow();
            if l.len() == N {
                return Ok(std::array::from_fn(|i| l[i].clone()));
            }
        }
        _ => {}
    }
    let mut u = unpack(v, N)?.into_iter();
    Ok(std::array::from_fn(|_| u.next().unwrap_or(Value::None)))
}

pub fn unpack(v: &Value, n: usize) -> PyResult<Vec<Value>> {
    if let Value::Tuple(t) = v {
        if t.len() == n {
            return Ok((**t).clone());
        }
    }
    let it = iter(v).map_err(|_| type_error(format!("cannot unpack non-iterable {} object", type_name(v))))?;
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        match next(&it)? {
            Some(x) => out.push(x),
            None => {
                return Err(value_error(format!(
                    "not enough values to unpack (expected {}, got {})",
                    n,
                    out.len()
                )))
            }
        }
    }
    if next(&it)?.is_some() {
        // CPython 3.11 names only the expected count here (3.12 adds "got")
        return Err(value_error(format!("too many values to unpack (expected {})", n)));
    }
    Ok(out)
}

/// Starred unpacking `a, *b, c = v`: `before` values, a list, `after` values.
pub fn unpack_ex(v: &Value, before: usize, after: usize) -> PyResult<Vec<Value>> {
    let items = collect(v).map_err(|_| type_error(format!("cannot unpack non-iterable {} object", type_name(v))))?;
    if items.len() < before + after {
        return Err(value_error(format!(
            "not enough values to unpack (expected at least {}, got {})",
            before + after,
            items.len()
        )));
    }
    let mut out: Vec<Value> = items[..before].to_vec();
    out.push(crate::list(items[before..items.len() - after].to_vec()));
    out.extend(items[items.len() - after..].iter().cloned());
    Ok(out)
}
