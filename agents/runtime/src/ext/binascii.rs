//! `binascii`: conversions between binary data and ASCII encodings, what
//! CPython implements in C and `base64.py` (compiled from CPython's
//! installed source) builds on: base64 (`b2a_base64`, `a2b_base64` with
//! the non-strict and strict decoders), hex (`hexlify`/`b2a_hex` with
//! `sep` and `bytes_per_sep`, `unhexlify`/`a2b_hex`), `crc32` and
//! `crc_hqx`, and the `Error` (a ValueError) and `Incomplete` exceptions,
//! with CPython 3.11's messages. The a2b functions take bytes-like
//! objects or ASCII-only str, as CPython's do. No uuencode or
//! quoted-printable (`b2a_uu`, `a2b_uu`, `b2a_qp`, `a2b_qp`).

use super::nat;
use crate::object::*;
use crate::value::*;
use std::cell::RefCell;
use std::rc::Rc;

thread_local! {
    static CLASSES: RefCell<Option<(Value, Value)>> = RefCell::new(None);
}

fn classes() -> (Value, Value) {
    if let Some(c) = CLASSES.with(|c| c.borrow().clone()) {
        return c;
    }
    let error = crate::stdlib2::rt_class("Error", "binascii", vec![exc_class("ValueError").unwrap()], vec![]);
    let incomplete = crate::stdlib2::rt_class("Incomplete", "binascii", vec![exc_class("Exception").unwrap()], vec![]);
    let c = (error, incomplete);
    CLASSES.with(|s| *s.borrow_mut() = Some(c.clone()));
    c
}

fn err(msg: &str) -> PyErr {
    match crate::call::call(&classes().0, vec![Value::str(msg)], vec![]) {
        Ok(v) => raise(v),
        Err(e) => e,
    }
}

fn kwarg(a: &[Value], kw: &Kw, pos: usize, name: &str) -> Option<Value> {
    a.get(pos).cloned().or_else(|| kw.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
}

/// A b2a argument: any bytes-like object.
fn data_in(v: Option<Value>, fname: &str) -> PyResult<Rc<Vec<u8>>> {
    let v = v.ok_or_else(|| type_error(format!("{}() missing required argument 'data' (pos 1)", fname)))?;
    super::bytesx::bytes_like(&v).ok_or_else(|| type_error(format!("a bytes-like object is required, not '{}'", type_name(&v))))
}

/// An a2b argument: bytes-like, or a str of ASCII characters only.
fn ascii_in(v: Option<Value>, fname: &str) -> PyResult<Rc<Vec<u8>>> {
    let v = v.ok_or_else(|| type_error(format!("{}() missing required argument 'data' (pos 1)", fname)))?;
    if let Value::Str(s) = &v {
        if !s.s.is_ascii() {
            return Err(value_error("string argument should contain only ASCII characters".into()));
        }
        return Ok(Rc::new(s.s.as_bytes().to_vec()));
    }
    super::bytesx::bytes_like(&v).ok_or_else(|| {
        type_error(format!("argument should be bytes, buffer or ASCII string, not '{}'", type_name(&v)))
    })
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn b64_value(c: u8) -> Option<u32> {
    B64.iter().position(|&x| x == c).map(|p| p as u32)
}

pub fn b2a_base64(data: &[u8], newline: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 3 * 4 + 5);
    for ch in data.chunks(3) {
        let n = (ch[0] as u32) << 16 | (*ch.get(1).unwrap_or(&0) as u32) << 8 | *ch.get(2).unwrap_or(&0) as u32;
        out.push(B64[(n >> 18) as usize & 63]);
        out.push(B64[(n >> 12) as usize & 63]);
        out.push(if ch.len() > 1 { B64[(n >> 6) as usize & 63] } else { b'=' });
        out.push(if ch.len() > 2 { B64[n as usize & 63] } else { b'=' });
    }
    if newline {
        out.push(b'\n');
    }
    out
}

/// CPython's binascii.a2b_base64 (Modules/binascii.c), both modes.
pub fn a2b_base64(data: &[u8], strict: bool) -> PyResult<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() / 4 * 3 + 3);
    let (mut quad_pos, mut left, mut pads) = (0u32, 0u32, 0u32);
    let mut padding_started = false;
    if strict && data.first() == Some(&b'=') {
        return Err(err("Leading padding not allowed"));
    }
    for (i, &c) in data.iter().enumerate() {
        if c == b'=' {
            padding_started = true;
            pads += 1;
            if quad_pos >= 2 && quad_pos + pads >= 4 {
                if strict && i + 1 < data.len() {
                    return Err(err("Excess data after padding"));
                }
                return Ok(out);
            }
            continue;
        }
        let v = match b64_value(c) {
            Some(v) => v,
            None => {
                if strict {
                    return Err(err("Only base64 data is allowed"));
                }
                continue;
            }
        };
        if strict && padding_started {
            return Err(err("Discontinuous padding not allowed"));
        }
        pads = 0;
        match quad_pos {
            0 => {
                quad_pos = 1;
                left = v;
            }
            1 => {
                quad_pos = 2;
                out.push(((left << 2) | (v >> 4)) as u8);
                left = v & 0x0f;
            }
            2 => {
                quad_pos = 3;
                out.push(((left << 4) | (v >> 2)) as u8);
                left = v & 0x03;
            }
            _ => {
                quad_pos = 0;
                out.push(((left << 6) | v) as u8);
                left = 0;
            }
        }
    }
    if quad_pos == 1 {
        return Err(err(&format!(
            "Invalid base64-encoded string: number of data characters ({}) cannot be 1 more than a multiple of 4",
            out.len() / 3 * 4 + 1
        )));
    }
    if quad_pos != 0 {
        return Err(err("Incorrect padding"));
    }
    Ok(out)
}

fn hexlify(data: &[u8], sep: Option<u8>, per: i64) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = Vec::with_capacity(data.len() * 3);
    let n = data.len();
    let group = per.unsigned_abs() as usize;
    for (i, &b) in data.iter().enumerate() {
        if let Some(s) = sep {
            if i > 0 && group > 0 {
                // a positive bytes_per_sep counts the groups from the right
                let boundary = if per > 0 { (n - i) % group == 0 } else { i % group == 0 };
                if boundary {
                    out.push(s);
                }
            }
        }
        out.push(HEX[(b >> 4) as usize]);
        out.push(HEX[(b & 15) as usize]);
    }
    out
}

fn unhexlify(data: &[u8]) -> PyResult<Vec<u8>> {
    if data.len() % 2 != 0 {
        return Err(err("Odd-length string"));
    }
    let digit = |c: u8| (c as char).to_digit(16);
    let mut out = Vec::with_capacity(data.len() / 2);
    for p in data.chunks(2) {
        match (digit(p[0]), digit(p[1])) {
            (Some(h), Some(l)) => out.push((h * 16 + l) as u8),
            _ => return Err(err("Non-hexadecimal digit found")),
        }
    }
    Ok(out)
}

pub fn crc32(data: &[u8], start: u32) -> u32 {
    let mut crc = !start;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn crc_hqx(data: &[u8], start: u32) -> u32 {
    let mut crc = start & 0xffff;
    for &b in data {
        crc ^= (b as u32) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 { (crc << 1) ^ 0x1021 } else { crc << 1 };
            crc &= 0xffff;
        }
    }
    crc
}

fn bool_arg(v: Option<Value>, default: bool) -> PyResult<bool> {
    match v {
        Some(v) => crate::truthy(&v),
        None => Ok(default),
    }
}

fn hex_fn(name: &'static str) -> Value {
    nat(name, move |a, kw| {
        let d = data_in(kwarg(&a, &kw, 0, "data"), name)?;
        let sep = match kwarg(&a, &kw, 1, "sep") {
            None | Some(Value::None) => None,
            Some(v) => {
                let s: Vec<u8> = match &v {
                    Value::Str(s) => s.s.as_bytes().to_vec(),
                    other => super::bytesx::bytes_like(other)
                        .map(|b| b.to_vec())
                        .ok_or_else(|| type_error("sep must be str or bytes.".into()))?,
                };
                if s.len() != 1 {
                    return Err(value_error("sep must be length 1.".into()));
                }
                if !s[0].is_ascii() {
                    return Err(value_error("sep must be ASCII.".into()));
                }
                Some(s[0])
            }
        };
        let per = kwarg(&a, &kw, 2, "bytes_per_sep").and_then(|v| v.as_i64()).unwrap_or(1);
        Ok(crate::bytes(&hexlify(&d, sep, per)))
    })
}

fn unhex_fn(name: &'static str) -> Value {
    nat(name, move |a, kw| {
        let d = ascii_in(kwarg(&a, &kw, 0, "hexstr"), name)?;
        Ok(crate::bytes(&unhexlify(&d)?))
    })
}

fn crc_start(v: Option<Value>, default: u32) -> PyResult<u32> {
    match v {
        None => Ok(default),
        Some(v) => {
            // any int, taken modulo 2**32 as CPython's unsigned int conversion
            let m = crate::ops::modulo(&v, &Value::Int(1i64 << 32))?;
            Ok(m.as_i64().ok_or_else(|| type_error(format!("'{}' object cannot be interpreted as an integer", type_name(&v))))? as u32)
        }
    }
}

pub fn module() -> Value {
    let m = crate::rtsys::new_module("binascii", "");
    let set = |n: &str, v: Value| crate::rtsys::mod_set(&m, n, v);
    let (error, incomplete) = classes();
    set("Error", error);
    set("Incomplete", incomplete);
    set("b2a_base64", nat("b2a_base64", |a, kw| {
        let d = data_in(kwarg(&a, &kw, 0, "data"), "b2a_base64")?;
        let nl = bool_arg(kw.iter().find(|(k, _)| k == "newline").map(|(_, v)| v.clone()), true)?;
        Ok(crate::bytes(&b2a_base64(&d, nl)))
    }));
    set("a2b_base64", nat("a2b_base64", |a, kw| {
        let d = ascii_in(kwarg(&a, &kw, 0, "data"), "a2b_base64")?;
        let strict = bool_arg(kw.iter().find(|(k, _)| k == "strict_mode").map(|(_, v)| v.clone()), false)?;
        Ok(crate::bytes(&a2b_base64(&d, strict)?))
    }));
    set("hexlify", hex_fn("hexlify"));
    set("b2a_hex", hex_fn("b2a_hex"));
    set("unhexlify", unhex_fn("unhexlify"));
    set("a2b_hex", unhex_fn("a2b_hex"));
    set("crc32", nat("crc32", |a, kw| {
        let d = data_in(kwarg(&a, &kw, 0, "data"), "crc32")?;
        let start = crc_start(kwarg(&a, &kw, 1, "crc"), 0)?;
        Ok(Value::Int(crc32(&d, start) as i64))
    }));
    set("crc_hqx", nat("crc_hqx", |a, kw| {
        let d = data_in(kwarg(&a, &kw, 0, "data"), "crc_hqx")?;
        let start = crc_start(kwarg(&a, &kw, 1, "crc"), 0)?;
        Ok(Value::Int(crc_hqx(&d, start) as i64))
    }));
    m
}
