//! `array.array`: typed arrays of numbers, CPython's arraymodule.c on the
//! x86-64 sizes (l and L are 8 bytes, as on the Linux CPython the tests
//! compare with).
//!
//! An instance of the runtime class `array` whose native payload is a list
//! of the items, already converted to the typecode's range: ints checked
//! against the C type with CPython's OverflowError messages, 'f' rounded
//! to single precision, 'd' as is, 'u' one-character strings.  The sequence
//! behaviour (indexing, slices that give arrays, slice assignment from an
//! array of the same kind, `+`, `*`, comparisons) runs on the payload list;
//! tobytes/frombytes pack little-endian items of `itemsize` bytes.

use super::meth;
use crate::object::*;
use crate::value::*;
use std::cell::RefCell;
use std::rc::Rc;

thread_local! {
    static CLS: RefCell<Option<Value>> = RefCell::new(None);
}

const TYPECODES: &str = "bBuhHiIlLqQfd";

fn itemsize(tc: char) -> usize {
    match tc {
        'b' | 'B' => 1,
        'h' | 'H' => 2,
        'u' | 'i' | 'I' | 'f' => 4,
        _ => 8,
    }
}

fn class() -> Value {
    if let Some(v) = CLS.with(|c| c.borrow().clone()) {
        return v;
    }
    let cls = build_class();
    CLS.with(|c| *c.borrow_mut() = Some(cls.clone()));
    cls
}

fn tc_of(v: &Value) -> PyResult<char> {
    match as_inst(v).and_then(|i| i.dict.borrow().get("typecode")) {
        Some(Value::Str(s)) => Ok(s.s.chars().next().unwrap_or('b')),
        _ => Err(type_error("descriptor requires an 'array.array' object".into())),
    }
}

fn items(v: &Value) -> PyResult<Rc<RefCell<Vec<Value>>>> {
    match as_inst(v).map(|i| i.payload.borrow().clone()) {
        Some(Value::List(l)) => Ok(l),
        _ => Err(type_error("descriptor requires an 'array.array' object".into())),
    }
}

fn is_array(v: &Value) -> bool {
    as_inst(v).map(|i| CLS.with(|c| c.borrow().as_ref().map(|cls| is_subclass(&i.class.borrow(), cls)).unwrap_or(false))).unwrap_or(false)
}

fn make_in(cls: &Value, tc: char, xs: Vec<Value>) -> Value {
    let v = new_instance(cls);
    if let Some(i) = as_inst(&v) {
        i.dict.borrow_mut().set("typecode", Value::string(tc.to_string()));
        i.dict.borrow_mut().set("itemsize", Value::Int(itemsize(tc) as i64));
        *i.payload.borrow_mut() = crate::list(xs);
    }
    v
}

fn ovf(m: &str) -> PyErr {
    new_exc("OverflowError", m)
}

/// One item converted to the typecode (CPython's setitem checks).
fn conv(tc: char, v: &Value) -> PyResult<Value> {
    match tc {
        'f' | 'd' => {
            let x = match v {
                Value::Float(f) => *f,
                Value::Int(_) | Value::Big(_) | Value::Bool(_) => crate::ops::int_to_f64(v)?,
                _ => crate::builtins::to_float(v).map_err(|_| type_error(format!("must be real number, not {}", type_name(v))))?,
            };
            Ok(Value::Float(if tc == 'f' { x as f32 as f64 } else { x }))
        }
        'u' => match v {
            Value::Str(s) if s.nchars == 1 => Ok(v.clone()),
            _ => Err(type_error("array item must be unicode character".into())),
        },
        _ => {
            if let Value::Float(_) = v {
                return Err(type_error("'float' object cannot be interpreted as an integer".into()));
            }
            let n = match crate::attr::to_index(v) {
                Ok(Some(n)) => n as i128,
                Ok(None) => return Err(type_error(format!("an integer is required (got type {})", type_name(v)))),
                Err(e) => {
                    // a big int: out of every range here
                    if let Some(b) = crate::ops::to_big(v) {
                        let neg = b.neg;
                        if !neg && matches!(tc, 'L' | 'Q') && b.bit_length() <= 64 {
                            return Ok(v.clone());
                        }
                        return Err(match (tc, neg) {
                            ('q', _) | ('Q', false) => ovf("int too big to convert"),
                            ('Q', true) => ovf("can't convert negative int to unsigned"),
                            ('L', true) | ('I', true) => ovf("can't convert negative value to unsigned int"),
                            _ => ovf("Python int too large to convert to C long"),
                        });
                    }
                    return Err(e);
                }
            };
            let (lo, hi, name): (i128, i128, &str) = match tc {
                'b' => (-128, 127, "signed char"),
                'B' => (0, 255, "unsigned byte integer"),
                'h' => (-32768, 32767, "signed short integer"),
                'H' => (0, 65535, "unsigned short"),
                'i' => (i32::MIN as i128, i32::MAX as i128, "signed integer"),
                'I' => (0, u32::MAX as i128, "unsigned int"),
                'l' | 'q' => (i64::MIN as i128, i64::MAX as i128, "signed long"),
                _ => (0, u64::MAX as i128, "unsigned long"),
            };
            if n < lo {
                if matches!(tc, 'I' | 'L') {
                    return Err(ovf("can't convert negative value to unsigned int"));
                }
                if tc == 'Q' {
                    return Err(ovf("can't convert negative int to unsigned"));
                }
                return Err(ovf(&format!("{} is less than minimum", name)));
            }
            if n > hi {
                return Err(ovf(&format!("{} is greater than maximum", name)));
            }
            Ok(v.clone())
        }
    }
}

fn conv_all(tc: char, src: &Value) -> PyResult<Vec<Value>> {
    if is_array(src) {
        if tc_of(src)? != tc {
            return Err(type_error("can only extend with array of same kind".into()));
        }
        return Ok(items(src)?.borrow().clone());
    }
    let mut out = Vec::new();
    for x in crate::collect(src)? {
        out.push(conv(tc, &x)?);
    }
    Ok(out)
}

fn to_bytes(tc: char, xs: &[Value]) -> PyResult<Vec<u8>> {
    let mut out = Vec::new();
    for x in xs {
        match tc {
            'f' => out.extend_from_slice(&(x.as_f64().unwrap_or(0.0) as f32).to_le_bytes()),
            'd' => out.extend_from_slice(&x.as_f64().unwrap_or(0.0).to_le_bytes()),
            'u' => {
                let c = x.as_str().and_then(|s| s.chars().next()).unwrap_or('\0');
                out.extend_from_slice(&(c as u32).to_le_bytes());
            }
            _ => {
                let n: i128 = match crate::ops::to_big(x) {
                    Some(b) => b.to_string_radix(10).parse().unwrap_or(0),
                    None => 0,
                };
                let bytes = (n as u128).to_le_bytes();
                out.extend_from_slice(&bytes[..itemsize(tc)]);
            }
        }
    }
    Ok(out)
}

fn from_bytes(tc: char, b: &[u8]) -> PyResult<Vec<Value>> {
    let sz = itemsize(tc);
    if b.len() % sz != 0 {
        return Err(value_error("bytes length not a multiple of item size".into()));
    }
    let mut out = Vec::new();
    for ch in b.chunks(sz) {
        let mut buf = [0u8; 8];
        buf[..sz].copy_from_slice(ch);
        let u = u64::from_le_bytes(buf);
        out.push(match tc {
            'f' => Value::Float(f32::from_le_bytes([ch[0], ch[1], ch[2], ch[3]]) as f64),
            'd' => Value::Float(f64::from_le_bytes(buf)),
            'u' => Value::string(char::from_u32(u as u32).unwrap_or('\u{fffd}').to_string()),
            'b' => Value::Int(ch[0] as i8 as i64),
            'h' => Value::Int(u as u16 as i16 as i64),
            'i' => Value::Int(u as u32 as i32 as i64),
            'l' | 'q' => Value::Int(u as i64),
            'L' | 'Q' => {
                if u > i64::MAX as u64 {
                    crate::ops::int_from_big(crate::bigint::BigInt::from_u64(u))
                } else {
                    Value::Int(u as i64)
                }
            }
            _ => Value::Int(u as i64),
        });
    }
    Ok(out)
}

fn repr_a(v: &Value) -> PyResult<String> {
    let tc = tc_of(v)?;
    let xs = items(v)?.borrow().clone();
    let name = type_name(v);
    if xs.is_empty() {
        return Ok(format!("{}('{}')", name, tc));
    }
    if tc == 'u' {
        let s: String = xs.iter().filter_map(|x| x.as_str().map(|s| s.to_string())).collect();
        return Ok(format!("{}('u', {})", name, crate::ops::str_repr(&s)));
    }
    Ok(format!("{}('{}', {})", name, tc, crate::ops::repr(&crate::list(xs))?))
}

fn is_slice(v: &Value) -> bool {
    matches!(v, Value::Obj(o) if matches!(&**o, Obj::Slice(..)))
}

fn cmp_meth(name: &'static str, op: crate::ops::Cmp) -> Value {
    meth(name, move |a, _| {
        if !is_array(&a[1]) {
            return Ok(Value::not_implemented());
        }
        let (x, y) = (crate::list(items(&a[0])?.borrow().clone()), crate::list(items(&a[1])?.borrow().clone()));
        crate::ops::compare(&x, &y, op)
    })
}

fn build_class() -> Value {
    use crate::ops::Cmp;
    let methods: Vec<(&str, Value)> = vec![
        ("__init__", meth("__init__", |a, kw| {
            if !kw.is_empty() {
                return Err(type_error("array.array() takes no keyword arguments".into()));
            }
            let tc = match a.get(1) {
                Some(Value::Str(s)) if s.nchars == 1 && TYPECODES.contains(s.s.as_str()) => s.s.chars().next().unwrap(),
                Some(Value::Str(_)) => return Err(value_error("bad typecode (must be b, B, u, h, H, i, I, l, L, q, Q, f or d)".into())),
                Some(v) => return Err(type_error(format!("array() argument 1 must be a unicode character, not {}", type_name(v)))),
                None => return Err(type_error("array() takes at least 1 argument (0 given)".into())),
            };
            let xs = match a.get(2) {
                None => vec![],
                Some(v) => {
                    if let Some(b) = super::bytesx::bytes_like(v) {
                        from_bytes(tc, &b)?
                    } else if let (Value::Str(s), 'u') = (v, tc) {
                        s.s.chars().map(|c| Value::string(c.to_string())).collect()
                    } else if let Value::Str(_) = v {
                        return Err(type_error(format!("cannot use a str to initialize an array with typecode '{}'", tc)));
                    } else {
                        conv_all(tc, v)?
                    }
                }
            };
            let me = &a[0];
            if let Some(i) = as_inst(me) {
                i.dict.borrow_mut().set("typecode", Value::string(tc.to_string()));
                i.dict.borrow_mut().set("itemsize", Value::Int(itemsize(tc) as i64));
                *i.payload.borrow_mut() = crate::list(xs);
            }
            Ok(Value::None)
        })),
        ("__len__", meth("__len__", |a, _| Ok(Value::Int(items(&a[0])?.borrow().len() as i64)))),
        ("__iter__", meth("__iter__", |a, _| crate::iter::iter(&crate::list(items(&a[0])?.borrow().clone())))),
        ("__contains__", meth("__contains__", |a, _| Ok(Value::Bool(crate::ops::contains(&Value::List(items(&a[0])?), &a[1])?)))),
        ("__getitem__", meth("__getitem__", |a, _| {
            let l = Value::List(items(&a[0])?);
            if is_slice(&a[1]) {
                let r = crate::collect(&crate::attr::getitem(&l, &a[1])?)?;
                return Ok(make_in(&type_of(&a[0]), tc_of(&a[0])?, r));
            }
            crate::attr::getitem(&l, &a[1]).map_err(|e| if exc_is(&e, "IndexError") { new_exc("IndexError", "array index out of range") } else { e })
        })),
        ("__setitem__", meth("__setitem__", |a, _| {
            let tc = tc_of(&a[0])?;
            let l = Value::List(items(&a[0])?);
            if is_slice(&a[1]) {
                if !is_array(&a[2]) {
                    return Err(type_error(format!("can only assign array (not \"{}\") to array slice", type_name(&a[2]))));
                }
                let src = conv_all(tc, &a[2])?;
                crate::attr::setitem(&l, &a[1], crate::list(src))?;
                return Ok(Value::None);
            }
            let v = conv(tc, &a[2])?;
            crate::attr::setitem(&l, &a[1], v).map_err(|e| if exc_is(&e, "IndexError") { new_exc("IndexError", "array assignment index out of range") } else { e })?;
            Ok(Value::None)
        })),
        ("__delitem__", meth("__delitem__", |a, _| {
            crate::attr::delitem(&Value::List(items(&a[0])?), &a[1]).map_err(|e| if exc_is(&e, "IndexError") { new_exc("IndexError", "array assignment index out of range") } else { e })?;
            Ok(Value::None)
        })),
        ("append", meth("append", |a, _| {
            let v = conv(tc_of(&a[0])?, a.get(1).unwrap_or(&Value::None))?;
            items(&a[0])?.borrow_mut().push(v);
            Ok(Value::None)
        })),
        ("extend", meth("extend", |a, _| {
            let xs = conv_all(tc_of(&a[0])?, a.get(1).unwrap_or(&Value::None))?;
            items(&a[0])?.borrow_mut().extend(xs);
            Ok(Value::None)
        })),
        ("fromlist", meth("fromlist", |a, _| {
            if !matches!(a.get(1), Some(Value::List(_))) {
                return Err(type_error("arg must be list".into()));
            }
            let xs = conv_all(tc_of(&a[0])?, &a[1])?;
            items(&a[0])?.borrow_mut().extend(xs);
            Ok(Value::None)
        })),
        ("insert", meth("insert", |a, _| {
            let v = conv(tc_of(&a[0])?, &a[2])?;
            crate::call_method(&Value::List(items(&a[0])?), "insert", vec![a[1].clone(), v], vec![])
        })),
        ("pop", meth("pop", |a, _| {
            let l = items(&a[0])?;
            if l.borrow().is_empty() {
                return Err(new_exc("IndexError", "pop from empty array"));
            }
            crate::call_method(&Value::List(l), "pop", a[1..].to_vec(), vec![]).map_err(|e| if exc_is(&e, "IndexError") { new_exc("IndexError", "pop index out of range") } else { e })
        })),
        ("remove", meth("remove", |a, _| {
            crate::call_method(&Value::List(items(&a[0])?), "remove", vec![a[1].clone()], vec![])
                .map_err(|e| if exc_is(&e, "ValueError") { value_error("array.remove(x): x not in array".into()) } else { e })
        })),
        ("index", meth("index", |a, _| {
            crate::call_method(&Value::List(items(&a[0])?), "index", a[1..].to_vec(), vec![])
                .map_err(|e| if exc_is(&e, "ValueError") { value_error("array.index(x): x not in array".into()) } else { e })
        })),
        ("count", meth("count", |a, _| crate::call_method(&Value::List(items(&a[0])?), "count", vec![a[1].clone()], vec![]))),
        ("reverse", meth("reverse", |a, _| {
            items(&a[0])?.borrow_mut().reverse();
            Ok(Value::None)
        })),
        ("tolist", meth("tolist", |a, _| Ok(crate::list(items(&a[0])?.borrow().clone())))),
        ("tobytes", meth("tobytes", |a, _| {
            let b = to_bytes(tc_of(&a[0])?, &items(&a[0])?.borrow())?;
            Ok(Value::Bytes(Rc::new(b)))
        })),
        ("frombytes", meth("frombytes", |a, _| {
            let b = a.get(1).and_then(super::bytesx::bytes_like).ok_or_else(|| type_error("a bytes-like object is required".into()))?;
            let xs = from_bytes(tc_of(&a[0])?, &b)?;
            items(&a[0])?.borrow_mut().extend(xs);
            Ok(Value::None)
        })),
        ("tounicode", meth("tounicode", |a, _| {
            if tc_of(&a[0])? != 'u' {
                return Err(value_error("tounicode() may only be called on unicode type arrays".into()));
            }
            Ok(Value::string(items(&a[0])?.borrow().iter().filter_map(|x| x.as_str().map(|s| s.to_string())).collect()))
        })),
        ("byteswap", meth("byteswap", |a, _| {
            let tc = tc_of(&a[0])?;
            let sz = itemsize(tc);
            let mut b = to_bytes(tc, &items(&a[0])?.borrow())?;
            for ch in b.chunks_mut(sz) {
                ch.reverse();
            }
            let xs = from_bytes(tc, &b)?;
            *items(&a[0])?.borrow_mut() = xs;
            Ok(Value::None)
        })),
        ("buffer_info", meth("buffer_info", |a, _| Ok(crate::tuple(vec![Value::Int(crate::ops::id_of(&a[0])), Value::Int(items(&a[0])?.borrow().len() as i64)])))),
        ("__add__", meth("__add__", |a, _| {
            if !is_array(&a[1]) || tc_of(&a[1])? != tc_of(&a[0])? {
                return Err(type_error("bad argument type for built-in operation".into()));
            }
            let mut xs = items(&a[0])?.borrow().clone();
            xs.extend(items(&a[1])?.borrow().iter().cloned());
            Ok(make_in(&type_of(&a[0]), tc_of(&a[0])?, xs))
        })),
        ("__iadd__", meth("__iadd__", |a, _| {
            if !is_array(&a[1]) || tc_of(&a[1])? != tc_of(&a[0])? {
                return Err(type_error("can only extend with array of same kind".into()));
            }
            let ys = items(&a[1])?.borrow().clone();
            items(&a[0])?.borrow_mut().extend(ys);
            Ok(a[0].clone())
        })),
        ("__mul__", meth("__mul__", |a, _| {
            let n = match a[1].as_i64() {
                Some(n) => n.max(0) as usize,
                None => return Ok(Value::not_implemented()),
            };
            let xs = items(&a[0])?.borrow().clone();
            let mut out = Vec::with_capacity(xs.len() * n);
            for _ in 0..n {
                out.extend(xs.iter().cloned());
            }
            Ok(make_in(&type_of(&a[0]), tc_of(&a[0])?, out))
        })),
        ("__rmul__", meth("__rmul__", |a, _| crate::call_method(&a[0], "__mul__", vec![a[1].clone()], vec![]))),
        ("__eq__", meth("__eq__", |a, _| {
            if !is_array(&a[1]) {
                return Ok(Value::not_implemented());
            }
            let (x, y) = (crate::list(items(&a[0])?.borrow().clone()), crate::list(items(&a[1])?.borrow().clone()));
            Ok(Value::Bool(crate::ops::eq_bool(&x, &y)?))
        })),
        ("__ne__", meth("__ne__", |a, _| {
            if !is_array(&a[1]) {
                return Ok(Value::not_implemented());
            }
            let (x, y) = (crate::list(items(&a[0])?.borrow().clone()), crate::list(items(&a[1])?.borrow().clone()));
            Ok(Value::Bool(!crate::ops::eq_bool(&x, &y)?))
        })),
        ("__lt__", cmp_meth("__lt__", Cmp::Lt)),
        ("__le__", cmp_meth("__le__", Cmp::Le)),
        ("__gt__", cmp_meth("__gt__", Cmp::Gt)),
        ("__ge__", cmp_meth("__ge__", Cmp::Ge)),
        ("__repr__", meth("__repr__", |a, _| Ok(Value::string(repr_a(&a[0])?)))),
        ("__str__", meth("__str__", |a, _| Ok(Value::string(repr_a(&a[0])?)))),
        ("__copy__", meth("__copy__", |a, _| Ok(make_in(&type_of(&a[0]), tc_of(&a[0])?, items(&a[0])?.borrow().clone())))),
        ("__deepcopy__", meth("__deepcopy__", |a, _| Ok(make_in(&type_of(&a[0]), tc_of(&a[0])?, items(&a[0])?.borrow().clone())))),
    ];
    let cls = crate::stdlib::heapq_bisect_itertools_functools::rt_class("array", "array", vec![], methods);
    class_set(&cls, "__hash__", Value::None);
    cls
}

pub fn module() -> Value {
    let md = crate::rtsys::new_module("array", "");
    crate::rtsys::mod_set(&md, "array", class());
    crate::rtsys::mod_set(&md, "ArrayType", class());
    crate::rtsys::mod_set(&md, "typecodes", Value::str(TYPECODES));
    md
}
