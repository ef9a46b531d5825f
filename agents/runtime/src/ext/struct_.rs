//! `struct`: packing Python values into C structs held in bytes, as
//! CPython's `_struct` does it on x86-64 Linux (the machine CPython runs the
//! comparison on): native mode `@` uses that ABI's sizes and alignment
//! (`l`, `L`, `n`, `N`, `P` are 8 bytes), `=`, `<`, `>`, `!` the standard
//! sizes without padding.  Formats are parsed once per `Struct`; the module
//! functions build one each call.  Errors are `struct.error` with
//! CPython's messages for the common cases (range errors per code, item
//! counts, buffer sizes).

use super::{meth, nat};
use crate::object::*;
use crate::value::*;
use std::cell::RefCell;
use std::rc::Rc;

thread_local! {
    static ERROR: RefCell<Option<Value>> = RefCell::new(None);
}

fn error_class() -> Value {
    if let Some(c) = ERROR.with(|e| e.borrow().clone()) {
        return c;
    }
    let c = crate::stdlib2::rt_class("error", "struct", vec![exc_class("Exception").unwrap()], vec![]);
    ERROR.with(|e| *e.borrow_mut() = Some(c.clone()));
    c
}

fn err(msg: String) -> PyErr {
    match crate::call::call(&error_class(), vec![Value::string(msg)], vec![]) {
        Ok(v) => raise(v),
        Err(e) => e,
    }
}

#[derive(Clone, Copy)]
struct Item {
    code: u8,
    count: usize, // repeat count, or the length of s/p
    size: usize,  // of one element
    offset: usize,
}

struct Layout {
    items: Vec<Item>,
    size: usize,
    little: bool,
    native: bool,
    nargs: usize,
}

fn code_size(code: u8, native: bool) -> Option<(usize, usize)> {
    // (size, alignment in native mode)
    Some(match code {
        b'x' | b'c' | b'b' | b'B' | b'?' | b's' | b'p' => (1, 1),
        b'h' | b'H' | b'e' => (2, 2),
        b'i' | b'I' | b'f' => (4, 4),
        b'l' | b'L' => {
            if native {
                (8, 8)
            } else {
                (4, 4)
            }
        }
        b'q' | b'Q' | b'd' => (8, 8),
        b'n' | b'N' | b'P' => {
            if native {
                (8, 8)
            } else {
                return None;
            }
        }
        _ => return None,
    })
}

fn parse(fmt: &str) -> PyResult<Layout> {
    let b = fmt.as_bytes();
    let mut i = 0;
    let (little, native) = match b.first() {
        Some(b'@') => {
            i = 1;
            (true, true)
        }
        Some(b'=') | Some(b'<') => {
            i = 1;
            (true, false)
        }
        Some(b'>') | Some(b'!') => {
            i = 1;
            (false, false)
        }
        _ => (true, true),
    };
    let mut items = Vec::new();
    let mut off = 0usize;
    let mut nargs = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let mut count: Option<usize> = None;
        if c.is_ascii_digit() {
            let mut n: usize = 0;
            while i < b.len() && b[i].is_ascii_digit() {
                n = n.checked_mul(10).and_then(|n| n.checked_add((b[i] - b'0') as usize)).ok_or_else(|| err("total struct size too long".into()))?;
                i += 1;
            }
            if i >= b.len() {
                return Err(err("repeat count given without format specifier".into()));
            }
            count = Some(n);
        }
        let code = b[i];
        i += 1;
        let (size, align) = code_size(code, native).ok_or_else(|| err("bad char in struct format".into()))?;
        if native && align > 1 {
            off = (off + align - 1) / align * align;
        }
        let n = count.unwrap_or(1);
        match code {
            b's' | b'p' => {
                items.push(Item { code, count: n, size: 1, offset: off });
                off += n;
                nargs += 1;
            }
            b'x' => {
                off += n;
            }
            _ => {
                items.push(Item { code, count: n, size, offset: off });
                off += n * size;
                nargs += n;
            }
        }
    }
    Ok(Layout { items, size: off, little, native, nargs })
}

fn int_of(v: &Value) -> PyResult<Value> {
    match v {
        Value::Int(_) | Value::Big(_) | Value::Bool(_) => Ok(v.clone()),
        Value::Float(_) | Value::Str(_) | Value::Bytes(_) | Value::None => Err(err("required argument is not an integer".into())),
        _ => match crate::ops::call_dunder(v, "__index__", vec![])? {
            Some(r) => Ok(r),
            None => Err(err("required argument is not an integer".into())),
        },
    }
}

fn pack_int(out: &mut [u8], it: &Item, lay: &Layout, v: &Value) -> PyResult<()> {
    let v = int_of(v)?;
    let signed = matches!(it.code, b'b' | b'h' | b'i' | b'l' | b'q' | b'n');
    let bits = it.size * 8;
    let (lo, hi): (i128, i128) = if signed { (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1) } else { (0, (1i128 << bits) - 1) };
    let x: Option<i128> = match &v {
        Value::Int(i) => Some(*i as i128),
        Value::Bool(b) => Some(*b as i128),
        Value::Big(b) => {
            let s = b.to_string_radix(10);
            s.parse::<i128>().ok()
        }
        _ => None,
    };
    let x = match x {
        Some(x) if x >= lo && x <= hi => x,
        _ => {
            let msg = match it.code {
                b'b' => "byte format requires -128 <= number <= 127".to_string(),
                b'B' => "ubyte format requires 0 <= number <= 255".to_string(),
                b'h' => "short format requires -32768 <= number <= 32767".to_string(),
                b'H' if lay.native => "ushort format requires 0 <= number <= 65535".to_string(),
                b'H' => "'H' format requires 0 <= number <= 65535".to_string(),
                c if signed && it.size == 4 => format!("'{}' format requires {} <= number <= {}", c as char, lo, hi),
                _ => "argument out of range".to_string(),
            };
            return Err(err(msg));
        }
    };
    let bytes = (x as u128).to_le_bytes();
    for k in 0..it.size {
        out[k] = if lay.little { bytes[k] } else { bytes[it.size - 1 - k] };
    }
    Ok(())
}

fn unpack_int(b: &[u8], it: &Item, lay: &Layout) -> Value {
    let mut x: u128 = 0;
    for k in 0..it.size {
        let byte = if lay.little { b[it.size - 1 - k] } else { b[k] };
        x = (x << 8) | byte as u128;
    }
    let signed = matches!(it.code, b'b' | b'h' | b'i' | b'l' | b'q' | b'n');
    let bits = it.size * 8;
    let v: i128 = if signed && bits < 128 && (x >> (bits - 1)) & 1 == 1 { (x as i128) - (1i128 << bits) } else { x as i128 };
    if v >= i64::MIN as i128 && v <= i64::MAX as i128 {
        Value::Int(v as i64)
    } else {
        crate::int_from_str(&v.to_string())
    }
}

/// f64 -> IEEE half, round half to even (CPython's PyFloat_Pack2).
fn to_half(x: f64) -> Option<u16> {
    let sign: u16 = if x.is_sign_negative() { 0x8000 } else { 0 };
    if x.is_nan() {
        return Some(sign | 0x7e00);
    }
    let a = x.abs();
    if a.is_infinite() {
        return Some(sign | 0x7c00);
    }
    if a == 0.0 {
        return Some(sign);
    }
    // scale into integer units of the smallest subnormal (2^-24)
    let (m, e) = crate::ops::frexp(a); // a = m * 2^e, 0.5 <= m < 1
    let mut exp = e - 1; // a = (2m) * 2^exp
    let bits: u64;
    if exp < -14 {
        // subnormal: units of 2^-24
        let v = a * (2f64).powi(24);
        let r = round_even(v);
        bits = r as u64;
        if bits >= 0x400 {
            // rounded up into the normals
            return Some(sign | bits as u16);
        }
        return Some(sign | bits as u16);
    }
    let frac = (2.0 * m - 1.0) * 1024.0;
    let mut f = round_even(frac) as u64;
    if f == 1024 {
        f = 0;
        exp += 1;
    }
    if exp > 15 {
        return None;
    }
    Some(sign | (((exp + 15) as u16) << 10) | f as u16)
}

fn round_even(v: f64) -> f64 {
    let r = v.round();
    if (r - v).abs() == 0.5 && r % 2.0 != 0.0 {
        r - v.signum()
    } else {
        r
    }
}

fn from_half(h: u16) -> f64 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let e = ((h >> 10) & 0x1f) as i32;
    let f = (h & 0x3ff) as f64;
    sign * match e {
        0 => f * (2f64).powi(-24),
        31 => {
            if f == 0.0 {
                f64::INFINITY
            } else {
                f64::NAN
            }
        }
        _ => (1.0 + f / 1024.0) * (2f64).powi(e - 15),
    }
}

fn float_of(v: &Value) -> PyResult<f64> {
    match v {
        Value::Float(f) => Ok(*f),
        Value::Int(_) | Value::Big(_) | Value::Bool(_) => crate::ops::int_to_f64(v),
        Value::Obj(_) => crate::builtins::to_float(v).map_err(|_| err("required argument is not a float".into())),
        _ => Err(err("required argument is not a float".into())),
    }
}

fn put(out: &mut [u8], raw: &[u8], little: bool) {
    // raw is little-endian
    let n = raw.len();
    for k in 0..n {
        out[k] = if little { raw[k] } else { raw[n - 1 - k] };
    }
}

fn get(b: &[u8], n: usize, little: bool) -> Vec<u8> {
    (0..n).map(|k| if little { b[k] } else { b[n - 1 - k] }).collect()
}

fn pack(lay: &Layout, args: &[Value]) -> PyResult<Value> {
    if args.len() != lay.nargs {
        return Err(err(format!("pack expected {} items for packing (got {})", lay.nargs, args.len())));
    }
    let mut out = vec![0u8; lay.size];
    let mut a = 0;
    for it in lay.items.iter() {
        match it.code {
            b's' | b'p' => {
                let v = &args[a];
                a += 1;
                let data: &[u8] = match v {
                    Value::Bytes(b) => b,
                    _ => return Err(err(format!("argument for '{}' must be a bytes object", it.code as char))),
                };
                let o = it.offset;
                if it.code == b's' {
                    let n = data.len().min(it.count);
                    out[o..o + n].copy_from_slice(&data[..n]);
                } else if it.count > 0 {
                    let n = data.len().min(it.count - 1).min(255);
                    out[o] = n as u8;
                    out[o + 1..o + 1 + n].copy_from_slice(&data[..n]);
                }
            }
            _ => {
                for k in 0..it.count {
                    let v = &args[a];
                    a += 1;
                    let o = it.offset + k * it.size;
                    let slot = &mut out[o..o + it.size];
                    match it.code {
                        b'c' => match v {
                            Value::Bytes(b) if b.len() == 1 => slot[0] = b[0],
                            _ => return Err(err("char format requires a bytes object of length 1".into())),
                        },
                        b'?' => slot[0] = crate::ops::truthy(v)? as u8,
                        b'f' => {
                            let x = float_of(v)?;
                            let y = x as f32;
                            if y.is_infinite() && x.is_finite() {
                                return Err(new_exc("OverflowError", "float too large to pack with f format"));
                            }
                            put(slot, &y.to_le_bytes(), lay.little);
                        }
                        b'd' => put(slot, &float_of(v)?.to_le_bytes(), lay.little),
                        b'e' => {
                            let h = to_half(float_of(v)?).ok_or_else(|| new_exc("OverflowError", "float too large to pack with e format"))?;
                            put(slot, &h.to_le_bytes(), lay.little);
                        }
                        b'P' => {
                            pack_int(slot, &Item { code: b'Q', ..*it }, lay, v)?;
                        }
                        _ => pack_int(slot, it, lay, v)?,
                    }
                }
            }
        }
    }
    Ok(crate::bytes(&out))
}

fn unpack(lay: &Layout, b: &[u8]) -> Value {
    let mut out = Vec::with_capacity(lay.nargs);
    for it in lay.items.iter() {
        let o = it.offset;
        match it.code {
            b's' => out.push(crate::bytes(&b[o..o + it.count])),
            b'p' => {
                if it.count == 0 {
                    out.push(crate::bytes(&[]));
                } else {
                    let n = (b[o] as usize).min(it.count - 1);
                    out.push(crate::bytes(&b[o + 1..o + 1 + n]));
                }
            }
            _ => {
                for k in 0..it.count {
                    let s = &b[o + k * it.size..o + (k + 1) * it.size];
                    out.push(match it.code {
                        b'c' => crate::bytes(&s[..1]),
                        b'?' => Value::Bool(s[0] != 0),
                        b'f' => {
                            let r = get(s, 4, lay.little);
                            Value::Float(f32::from_le_bytes([r[0], r[1], r[2], r[3]]) as f64)
                        }
                        b'd' => {
                            let r = get(s, 8, lay.little);
                            let mut a = [0u8; 8];
                            a.copy_from_slice(&r);
                            Value::Float(f64::from_le_bytes(a))
                        }
                        b'e' => {
                            let r = get(s, 2, lay.little);
                            Value::Float(from_half(u16::from_le_bytes([r[0], r[1]])))
                        }
                        b'P' => unpack_int(s, &Item { code: b'Q', ..*it }, lay),
                        _ => unpack_int(s, it, lay),
                    });
                }
            }
        }
    }
    crate::tuple(out)
}

fn buffer_of(v: &Value) -> PyResult<Rc<Vec<u8>>> {
    match super::bytesx::bytes_like(v) {
        Some(b) => Ok(b),
        None => Err(type_error(format!("a bytes-like object is required, not '{}'", type_name(v)))),
    }
}

fn fmt_of(v: &Value) -> PyResult<String> {
    match v {
        Value::Str(s) => Ok(s.s.clone()),
        Value::Bytes(b) => Ok(String::from_utf8_lossy(b).into_owned()),
        _ => Err(type_error(format!("Struct() argument 1 must be a str or bytes object, not {}", type_name(v)))),
    }
}

fn do_unpack(lay: &Layout, buf: &[u8]) -> PyResult<Value> {
    if buf.len() != lay.size {
        return Err(err(format!("unpack requires a buffer of {} bytes", lay.size)));
    }
    Ok(unpack(lay, buf))
}

fn do_unpack_from(lay: &Layout, buf: &[u8], offset: i64) -> PyResult<Value> {
    let len = buf.len() as i64;
    let off = if offset < 0 {
        if offset + len < 0 {
            return Err(err(format!("offset {} out of range for {}-byte buffer", offset, len)));
        }
        offset + len
    } else {
        offset
    };
    if len - off < lay.size as i64 {
        if off > len {
            return Err(err(format!("offset {} out of range for {}-byte buffer", offset, len)));
        }
        return Err(err(format!(
            "unpack_from requires a buffer of at least {} bytes for unpacking {} bytes at offset {} (actual buffer size is {})",
            lay.size as i64 + off,
            lay.size,
            off,
            len
        )));
    }
    Ok(unpack(lay, &buf[off as usize..off as usize + lay.size]))
}

fn do_iter_unpack(lay: &Layout, buf: &[u8]) -> PyResult<Value> {
    if lay.size == 0 {
        return Err(err("cannot iteratively unpack with a struct of length 0".into()));
    }
    if buf.len() % lay.size != 0 {
        return Err(err(format!("iterative unpacking requires a buffer of a multiple of {} bytes", lay.size)));
    }
    let items: Vec<Value> = buf.chunks(lay.size).map(|c| unpack(lay, c)).collect();
    crate::iter::iter(&crate::list(items))
}

fn offset_arg(a: &[Value], kw: &Kw, pos: usize) -> PyResult<i64> {
    if let Some(v) = a.get(pos) {
        return v.as_i64().ok_or_else(|| type_error("'offset' must be an integer".into()));
    }
    for (k, v) in kw.iter() {
        if k == "offset" {
            return v.as_i64().ok_or_else(|| type_error("'offset' must be an integer".into()));
        }
    }
    Ok(0)
}

thread_local! {
    static STRUCT_CLS: RefCell<Option<Value>> = RefCell::new(None);
}

fn layout_of(s: &Value) -> PyResult<Rc<Layout>> {
    let f = crate::getattr(s, "format")?;
    Ok(Rc::new(parse(&fmt_of(&f)?)?))
}

fn struct_class() -> Value {
    if let Some(c) = STRUCT_CLS.with(|c| c.borrow().clone()) {
        return c;
    }
    let c = crate::stdlib2::rt_class(
        "Struct",
        "_struct",
        vec![],
        vec![
            ("__init__", meth("__init__", |a, _| {
                let f = a.get(1).ok_or_else(|| type_error("Struct() missing required argument 'format' (pos 1)".into()))?;
                let lay = parse(&fmt_of(f)?)?;
                let i = as_inst(&a[0]).unwrap();
                let mut d = i.dict.borrow_mut();
                d.set("format", Value::string(fmt_of(f)?));
                d.set("size", Value::Int(lay.size as i64));
                Ok(Value::None)
            })),
            ("pack", meth("pack", |a, _| pack(&*layout_of(&a[0])?, &a[1..]))),
            ("unpack", meth("unpack", |a, _| {
                let b = buffer_of(a.get(1).unwrap_or(&Value::None))?;
                do_unpack(&*layout_of(&a[0])?, &b)
            })),
            ("unpack_from", meth("unpack_from", |a, kw| {
                let b = buffer_of(a.get(1).unwrap_or(&Value::None))?;
                do_unpack_from(&*layout_of(&a[0])?, &b, offset_arg(&a, &kw, 2)?)
            })),
            ("iter_unpack", meth("iter_unpack", |a, _| {
                let b = buffer_of(a.get(1).unwrap_or(&Value::None))?;
                do_iter_unpack(&*layout_of(&a[0])?, &b)
            })),
            ("__repr__", meth("__repr__", |a, _| {
                let f = crate::getattr(&a[0], "format")?;
                Ok(Value::string(format!("Struct({})", crate::repr(&f)?)))
            })),
        ],
    );
    STRUCT_CLS.with(|s| *s.borrow_mut() = Some(c.clone()));
    c
}

fn fmt_arg(a: &[Value], name: &str) -> PyResult<Rc<Layout>> {
    let f = a.get(0).ok_or_else(|| type_error(format!("{}() missing required argument 'format' (pos 1)", name)))?;
    Ok(Rc::new(parse(&fmt_of(f)?)?))
}

pub fn module() -> Value {
    let m = crate::rtsys::new_module("struct", "");
    let set = |n: &str, v: Value| crate::rtsys::mod_set(&m, n, v);
    set("error", error_class());
    set("Struct", struct_class());
    set("calcsize", nat("calcsize", |a, _| Ok(Value::Int(fmt_arg(&a, "calcsize")?.size as i64))));
    set("pack", nat("pack", |a, _| pack(&*fmt_arg(&a, "pack")?, &a[1..])));
    set("unpack", nat("unpack", |a, _| {
        let lay = fmt_arg(&a, "unpack")?;
        let b = buffer_of(a.get(1).unwrap_or(&Value::None))?;
        do_unpack(&lay, &b)
    }));
    set("unpack_from", nat("unpack_from", |a, kw| {
        let lay = fmt_arg(&a, "unpack_from")?;
        let b = buffer_of(a.get(1).unwrap_or(&Value::None))?;
        do_unpack_from(&lay, &b, offset_arg(&a, &kw, 2)?)
    }));
    set("iter_unpack", nat("iter_unpack", |a, _| {
        let lay = fmt_arg(&a, "iter_unpack")?;
        let b = buffer_of(a.get(1).unwrap_or(&Value::None))?;
        do_iter_unpack(&lay, &b)
    }));
    m
}
