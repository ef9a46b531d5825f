//! `memoryview` over bytes and bytearray, format 'B' (one unsigned byte
//! per item, one dimension): len, items and slices (a slice is a view of
//! the same memory, with its step), item and slice assignment through a
//! view of a bytearray (bytes are read-only), tobytes, tolist, hex,
//! comparison with any bytes-like object, iteration, hash of a read-only
//! view, release and `with`, and the attributes obj, nbytes, readonly,
//! itemsize, format, ndim, shape, strides. A memoryview is bytes-like
//! (`bytesx::bytes_like`): bytes(), bytearray(), struct, b"".join and the
//! other consumers of bytes read it. No cast to other formats, no
//! multi-dimensional views, and the bytearray under a view may still be
//! resized (CPython refuses while the view is held).

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

/// A view: the object, the first index, the step and the length.
struct View {
    obj: Value,
    start: i64,
    step: i64,
    len: i64,
}

fn view(v: &Value) -> PyResult<View> {
    let i = as_inst(v).ok_or_else(|| type_error("descriptor requires a 'memoryview' object".into()))?;
    let p = i.payload.borrow().clone();
    let t = match &p {
        Value::Tuple(t) if t.len() == 4 => t.clone(),
        _ => return Err(value_error("operation forbidden on released memoryview object".into())),
    };
    Ok(View { obj: t[0].clone(), start: t[1].as_i64().unwrap_or(0), step: t[2].as_i64().unwrap_or(1), len: t[3].as_i64().unwrap_or(0) })
}

fn is_view(v: &Value) -> bool {
    let cls = match CLS.with(|c| c.borrow().clone()) {
        Some(c) => c,
        None => return false,
    };
    as_inst(v).map(|i| is_subclass(&i.class.borrow(), &cls)).unwrap_or(false)
}

/// The bytes a memoryview shows (None for anything else): bytes_like's half.
pub fn data(v: &Value) -> Option<Rc<Vec<u8>>> {
    if !is_view(v) {
        return None;
    }
    let w = view(v).ok()?;
    let src = super::bytesx::bytes_like(&w.obj)?;
    let mut out = Vec::with_capacity(w.len.max(0) as usize);
    for k in 0..w.len {
        let j = (w.start + k * w.step) as usize;
        out.push(*src.get(j)?);
    }
    Some(Rc::new(out))
}

fn make(obj: Value, start: i64, step: i64, len: i64) -> Value {
    let v = new_instance(&class());
    fill(&v, obj, start, step, len);
    v
}

fn fill(v: &Value, obj: Value, start: i64, step: i64, len: i64) {
    if let Some(i) = as_inst(v) {
        let readonly = super::bytearray::data(&obj).is_none();
        let mut d = i.dict.borrow_mut();
        d.set("obj", obj.clone());
        d.set("nbytes", Value::Int(len));
        d.set("readonly", Value::Bool(readonly));
        d.set("itemsize", Value::Int(1));
        d.set("format", Value::str("B"));
        d.set("ndim", Value::Int(1));
        d.set("shape", crate::tuple(vec![Value::Int(len)]));
        d.set("strides", crate::tuple(vec![Value::Int(step)]));
        d.set("c_contiguous", Value::Bool(step == 1));
        d.set("contiguous", Value::Bool(step == 1));
        drop(d);
        *i.payload.borrow_mut() = crate::tuple(vec![obj, Value::Int(start), Value::Int(step), Value::Int(len)]);
    }
}

fn bytes_of(v: &Value) -> PyResult<Rc<Vec<u8>>> {
    view(v)?;
    data(v).ok_or_else(|| value_error("operation forbidden on released memoryview object".into()))
}

fn index(w: &View, key: &Value) -> PyResult<i64> {
    let i = crate::attr::to_index(key)?.ok_or_else(|| type_error("memoryview: invalid slice key".into()))?;
    let j = if i < 0 { i + w.len } else { i };
    if j < 0 || j >= w.len {
        return Err(new_exc("IndexError", "index out of bounds on dimension 1"));
    }
    Ok(w.start + j * w.step)
}

fn slice_of(key: &Value) -> Option<Value> {
    match key {
        Value::Obj(o) if matches!(&**o, Obj::Slice(..)) => Some(key.clone()),
        _ => None,
    }
}

/// The view of a slice of w: (start, step, len) in the object's indices.
fn sub(w: &View, key: &Value) -> PyResult<(i64, i64, i64)> {
    let (a, b, c) = match key {
        Value::Obj(o) => match &**o {
            Obj::Slice(a, b, c) => (a.clone(), b.clone(), c.clone()),
            _ => unreachable!(),
        },
        _ => unreachable!(),
    };
    let (s, _, st, n) = crate::attr::slice_indices(&a, &b, &c, w.len)?;
    Ok((w.start + s * w.step, w.step * st, n))
}

fn byte_value(v: &Value) -> PyResult<u8> {
    match v.as_i64() {
        Some(n) if (0..256).contains(&n) && !matches!(v, Value::Bool(_)) => Ok(n as u8),
        _ => Err(value_error("memoryview: invalid value for format 'B'".into())),
    }
}

fn build_class() -> Value {
    crate::stdlib2::rt_class(
        "memoryview",
        "builtins",
        vec![],
        vec![
            ("__init__", meth("__init__", |a, _| {
                let obj = a.get(1).cloned().ok_or_else(|| type_error("memoryview() missing required argument 'object' (pos 1)".into()))?;
                let (obj, start, step, len) = if is_view(&obj) {
                    let w = view(&obj)?;
                    (w.obj, w.start, w.step, w.len)
                } else {
                    match super::bytesx::bytes_like(&obj) {
                        Some(b) => (obj.clone(), 0, 1, b.len() as i64),
                        None => {
                            return Err(type_error(format!(
                                "memoryview: a bytes-like object is required, not '{}'",
                                type_name(&obj)
                            )))
                        }
                    }
                };
                fill(&a[0], obj, start, step, len);
                Ok(Value::None)
            })),
            ("__len__", meth("__len__", |a, _| Ok(Value::Int(view(&a[0])?.len)))),
            ("__getitem__", meth("__getitem__", |a, _| {
                let w = view(&a[0])?;
                if let Some(k) = slice_of(&a[1]) {
                    let (s, st, n) = sub(&w, &k)?;
                    return Ok(make(w.obj.clone(), s, st, n));
                }
                let j = index(&w, &a[1])?;
                let src = super::bytesx::bytes_like(&w.obj).unwrap_or_default();
                src.get(j as usize).map(|b| Value::Int(*b as i64)).ok_or_else(|| new_exc("IndexError", "index out of bounds on dimension 1"))
            })),
            ("__setitem__", meth("__setitem__", |a, _| {
                let w = view(&a[0])?;
                if super::bytearray::data(&w.obj).is_none() {
                    return Err(type_error("cannot modify read-only memory".into()));
                }
                let targets: Vec<i64> = if let Some(k) = slice_of(&a[1]) {
                    let (s, st, n) = sub(&w, &k)?;
                    (0..n).map(|i| s + i * st).collect()
                } else {
                    vec![index(&w, &a[1])?]
                };
                let values: Vec<u8> = if slice_of(&a[1]).is_some() {
                    let src = super::bytesx::bytes_like(&a[2]).or_else(|| data(&a[2])).ok_or_else(|| {
                        type_error(format!("a bytes-like object is required, not '{}'", type_name(&a[2])))
                    })?;
                    if src.len() != targets.len() {
                        return Err(value_error("memoryview assignment: lvalue and rvalue have different structures".into()));
                    }
                    src.to_vec()
                } else {
                    vec![byte_value(&a[2])?]
                };
                for (t, v) in targets.into_iter().zip(values) {
                    crate::setitem(&w.obj, &Value::Int(t), Value::Int(v as i64))?;
                }
                Ok(Value::None)
            })),
            ("__iter__", meth("__iter__", |a, _| {
                let b = bytes_of(&a[0])?;
                crate::iter::iter(&crate::list(b.iter().map(|x| Value::Int(*x as i64)).collect()))
            })),
            ("__bytes__", meth("__bytes__", |a, _| Ok(Value::Bytes(bytes_of(&a[0])?)))),
            ("tobytes", meth("tobytes", |a, _| Ok(Value::Bytes(bytes_of(&a[0])?)))),
            ("tolist", meth("tolist", |a, _| Ok(crate::list(bytes_of(&a[0])?.iter().map(|x| Value::Int(*x as i64)).collect())))),
            ("hex", meth("hex", |a, kw| crate::call_method(&Value::Bytes(bytes_of(&a[0])?), "hex", a[1..].to_vec(), kw))),
            ("__eq__", meth("__eq__", |a, _| {
                let me = match data(&a[0]) {
                    Some(b) => b,
                    None => return Ok(Value::Bool(crate::ops::is(&a[0], &a[1]))),
                };
                match super::bytesx::bytes_like(&a[1]).or_else(|| data(&a[1])) {
                    Some(o) => Ok(Value::Bool(*me == *o)),
                    None => Ok(Value::obj(Obj::NotImplemented)),
                }
            })),
            ("__hash__", meth("__hash__", |a, _| {
                let w = view(&a[0])?;
                if super::bytearray::data(&w.obj).is_some() {
                    return Err(value_error("cannot hash writable memoryview object".into()));
                }
                Ok(Value::Int(crate::ops::hash(&Value::Bytes(bytes_of(&a[0])?))?))
            })),
            ("release", meth("release", |a, _| {
                if let Some(i) = as_inst(&a[0]) {
                    *i.payload.borrow_mut() = Value::None;
                }
                Ok(Value::None)
            })),
            ("__enter__", meth("__enter__", |a, _| {
                view(&a[0])?;
                Ok(a[0].clone())
            })),
            ("__exit__", meth("__exit__", |a, _| {
                if let Some(i) = as_inst(&a[0]) {
                    *i.payload.borrow_mut() = Value::None;
                }
                Ok(Value::Bool(false))
            })),
            ("__repr__", meth("__repr__", |a, _| {
                let released = view(&a[0]).is_err();
                Ok(Value::string(format!("<{}memory at 0x{:x}>", if released { "released " } else { "" }, crate::ops::id_of(&a[0]))))
            })),
        ],
    )
}
