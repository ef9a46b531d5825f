//! The rest of `bytes`: `%` formatting (PEP 461), `maketrans`/`translate`,
//! `fromhex`, codecs for `decode`/`encode` (utf-8, ascii, latin-1 with the
//! strict, ignore and replace error handlers), and the ASCII-only
//! predicates and case methods.
//!
//! methods.rs sends a bytes method here first (`method`); what this file
//! does not answer falls back to methods.rs's own bytes methods, which run
//! most of them through the latin-1 str methods.  Every function here also
//! accepts a bytearray (`ext::bytearray`) wherever CPython accepts a
//! bytes-like object.
//!
//! `bytes % args` is done by rewriting: each conversion's argument is
//! checked and turned into what the str formatter takes (`%s`/`%b` need a
//! bytes-like object or `__bytes__`, `%r`/`%a` become `ascii()`, `%c` takes
//! an int below 256 or one byte), the format is decoded as latin-1, run
//! through `format::percent_format`, and the result encoded back.

use crate::object::*;
use crate::value::*;
use std::rc::Rc;

/// The bytes of a bytes or bytearray value.
pub fn bytes_like(v: &Value) -> Option<Rc<Vec<u8>>> {
    match v {
        Value::Bytes(b) => Some(b.clone()),
        _ => super::bytearray::data(v).or_else(|| super::memview::data(v)),
    }
}

fn latin1(b: &[u8]) -> String {
    b.iter().map(|&c| c as char).collect()
}

fn want_bytes(v: &Value) -> PyResult<Rc<Vec<u8>>> {
    bytes_like(v).ok_or_else(|| type_error(format!("a bytes-like object is required, not '{}'", type_name(v))))
}

fn bv(b: Vec<u8>) -> Value {
    Value::Bytes(Rc::new(b))
}

// ---------------------------------------------------------------- codecs

fn norm_encoding(e: &str) -> String {
    e.to_ascii_lowercase().replace('_', "-")
}

/// bytes.decode(encoding="utf-8", errors="strict").
pub fn decode(b: &[u8], args: &[Value], kw: &Kw) -> PyResult<Value> {
    let o = crate::methods::getargs("decode", args.to_vec(), kw.clone(), &["encoding", "errors"], 0)?;
    let enc = match &o[0] {
        Some(Value::Str(s)) => norm_encoding(&s.s),
        _ => "utf-8".into(),
    };
    let errors = match &o[1] {
        Some(Value::Str(s)) => s.s.clone(),
        _ => "strict".into(),
    };
    let codec = match enc.as_str() {
        "utf-8" | "utf8" | "u8" => "utf-8",
        "ascii" | "us-ascii" | "646" => "ascii",
        "latin-1" | "latin1" | "iso-8859-1" | "iso8859-1" | "l1" | "cp819" => "latin-1",
        _ => return Err(new_exc("LookupError", &format!("unknown encoding: {}", enc))),
    };
    match codec {
        "latin-1" => Ok(Value::string(latin1(b))),
        "ascii" => {
            let mut out = String::new();
            for (i, &c) in b.iter().enumerate() {
                if c < 0x80 {
                    out.push(c as char);
                } else {
                    match errors.as_str() {
                        "ignore" => {}
                        "replace" => out.push('\u{fffd}'),
                        "backslashreplace" => out.push_str(&format!("\\x{:02x}", c)),
                        _ => {
                            return Err(new_exc(
                                "UnicodeDecodeError",
                                &format!("'ascii' codec can't decode byte 0x{:02x} in position {}: ordinal not in range(128)", c, i),
                            ))
                        }
                    }
                }
            }
            Ok(Value::string(out))
        }
        _ => match std::str::from_utf8(b) {
            Ok(s) => Ok(Value::str(s)),
            Err(e) => match errors.as_str() {
                "replace" => Ok(Value::string(String::from_utf8_lossy(b).into_owned())),
                "ignore" => {
                    let mut out = String::new();
                    let mut rest = b;
                    loop {
                        match std::str::from_utf8(rest) {
                            Ok(s) => {
                                out.push_str(s);
                                break;
                            }
                            Err(e) => {
                                let good = e.valid_up_to();
                                out.push_str(std::str::from_utf8(&rest[..good]).unwrap());
                                let skip = e.error_len().unwrap_or(rest.len() - good);
                                rest = &rest[good + skip..];
                            }
                        }
                    }
                    Ok(Value::string(out))
                }
                _ => {
                    let pos = e.valid_up_to();
                    let why = match e.error_len() {
                        None => "unexpected end of data",
                        Some(_) if b[pos] >= 0x80 && b[pos] < 0xc2 || b[pos] > 0xf4 => "invalid start byte",
                        Some(_) => "invalid continuation byte",
                    };
                    Err(new_exc("UnicodeDecodeError", &format!("'utf-8' codec can't decode byte 0x{:02x} in position {}: {}", b[pos], pos, why)))
                }
            },
        },
    }
}

/// str.encode(encoding="utf-8", errors="strict").
pub fn encode(s: &str, args: &[Value], kw: &Kw) -> PyResult<Value> {
    let o = crate::methods::getargs("encode", args.to_vec(), kw.clone(), &["encoding", "errors"], 0)?;
    let enc = match &o[0] {
        Some(Value::Str(s)) => norm_encoding(&s.s),
        _ => "utf-8".into(),
    };
    let errors = match &o[1] {
        Some(Value::Str(s)) => s.s.clone(),
        _ => "strict".into(),
    };
    let limit: u32 = match enc.as_str() {
        "utf-8" | "utf8" | "u8" => return Ok(bv(s.as_bytes().to_vec())),
        "ascii" | "us-ascii" | "646" => 128,
        "latin-1" | "latin1" | "iso-8859-1" | "iso8859-1" | "l1" | "cp819" => 256,
        _ => return Err(new_exc("LookupError", &format!("unknown encoding: {}", enc))),
    };
    let name = if limit == 128 { "ascii" } else { "latin-1" };
    let mut out = Vec::new();
    for (i, c) in s.chars().enumerate() {
        if (c as u32) < limit {
            out.push(c as u32 as u8);
            continue;
        }
        match errors.as_str() {
            "ignore" => {}
            "replace" => out.push(b'?'),
            "backslashreplace" => {
                let n = c as u32;
                let e = if n < 0x100 { format!("\\x{:02x}", n) } else if n < 0x10000 { format!("\\u{:04x}", n) } else { format!("\\U{:08x}", n) };
                out.extend_from_slice(e.as_bytes());
            }
            "xmlcharrefreplace" => out.extend_from_slice(format!("&#{};", c as u32).as_bytes()),
            _ => {
                return Err(new_exc(
                    "UnicodeEncodeError",
                    &format!("'{}' codec can't encode character '\\{}' in position {}: ordinal not in range({})", name, esc(c), i, limit),
                ))
            }
        }
    }
    Ok(bv(out))
}

fn esc(c: char) -> String {
    let n = c as u32;
    if n < 0x100 {
        format!("x{:02x}", n)
    } else if n < 0x10000 {
        format!("u{:04x}", n)
    } else {
        format!("U{:08x}", n)
    }
}

// ---------------------------------------------------------------- translate

pub fn maketrans(args: &[Value]) -> PyResult<Value> {
    if args.len() != 2 {
        return Err(type_error(format!("maketrans expected 2 arguments, got {}", args.len())));
    }
    let (f, t) = (want_bytes(&args[0])?, want_bytes(&args[1])?);
    if f.len() != t.len() {
        return Err(value_error("maketrans arguments must have same length".into()));
    }
    let mut table: Vec<u8> = (0..=255u8).collect();
    for (a, b) in f.iter().zip(t.iter()) {
        table[*a as usize] = *b;
    }
    Ok(bv(table))
}

pub fn translate(b: &[u8], args: &[Value], kw: &Kw) -> PyResult<Vec<u8>> {
    let o = crate::methods::getargs("translate", args.to_vec(), kw.clone(), &["table", "delete"], 1)?;
    let table = match o[0].as_ref().unwrap() {
        Value::None => None,
        v => {
            let t = want_bytes(v)?;
            if t.len() != 256 {
                return Err(value_error("translation table must be 256 characters long".into()));
            }
            Some(t)
        }
    };
    let delete = match &o[1] {
        Some(v) => want_bytes(v)?.to_vec(),
        None => vec![],
    };
    Ok(b.iter().filter(|c| !delete.contains(c)).map(|&c| match &table {
        Some(t) => t[c as usize],
        None => c,
    }).collect())
}

pub fn fromhex(args: &[Value]) -> PyResult<Vec<u8>> {
    let s = match args.get(0) {
        Some(Value::Str(s)) => s.s.clone(),
        Some(v) => return Err(type_error(format!("fromhex() argument must be str, not {}", type_name(v)))),
        None => return Err(type_error("fromhex() takes exactly one argument (0 given)".into())),
    };
    let ch: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < ch.len() {
        if ch[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let hi = ch[i].to_digit(16);
        let lo = ch.get(i + 1).and_then(|c| c.to_digit(16));
        match (hi, lo) {
            (Some(h), Some(l)) => out.push((h * 16 + l) as u8),
            _ => {
                let pos = if hi.is_none() { i } else { i + 1 };
                return Err(value_error(format!("non-hexadecimal number found in fromhex() arg at position {}", pos)));
            }
        }
        i += 2;
    }
    Ok(out)
}

// ---------------------------------------------------------------- methods

fn is_all(b: &[u8], f: fn(u8) -> bool) -> Value {
    Value::Bool(!b.is_empty() && b.iter().all(|&c| f(c)))
}

fn title(b: &[u8]) -> Vec<u8> {
    let mut prev_cased = false;
    b.iter()
        .map(|&c| {
            let r = if c.is_ascii_alphabetic() {
                if prev_cased {
                    c.to_ascii_lowercase()
                } else {
                    c.to_ascii_uppercase()
                }
            } else {
                c
            };
            prev_cased = c.is_ascii_alphabetic();
            r
        })
        .collect()
}

/// Bytes methods answered here (None: not one of them).
pub fn method(b: &[u8], name: &str, args: &[Value], kw: &Kw) -> Option<PyResult<Value>> {
    Some(match name {
        "decode" => decode(b, args, kw),
        "maketrans" => maketrans(args),
        "translate" => translate(b, args, kw).map(bv),
        "fromhex" => fromhex(args).map(bv),
        "isdigit" => Ok(is_all(b, |c| c.is_ascii_digit())),
        "isalpha" => Ok(is_all(b, |c| c.is_ascii_alphabetic())),
        "isalnum" => Ok(is_all(b, |c| c.is_ascii_alphanumeric())),
        "isspace" => Ok(is_all(b, |c| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))),
        "isascii" => Ok(Value::Bool(b.iter().all(|c| *c < 0x80))),
        "islower" => Ok(Value::Bool(b.iter().any(|c| c.is_ascii_lowercase()) && !b.iter().any(|c| c.is_ascii_uppercase()))),
        "isupper" => Ok(Value::Bool(b.iter().any(|c| c.is_ascii_uppercase()) && !b.iter().any(|c| c.is_ascii_lowercase()))),
        "istitle" => Ok(Value::Bool(b.iter().any(|c| c.is_ascii_alphabetic()) && title(b) == b)),
        "title" => Ok(bv(title(b))),
        "capitalize" => {
            let mut v = b.to_ascii_lowercase();
            if let Some(f) = v.first_mut() {
                *f = f.to_ascii_uppercase();
            }
            Ok(bv(v))
        }
        "swapcase" => Ok(bv(b.iter().map(|&c| if c.is_ascii_uppercase() { c.to_ascii_lowercase() } else { c.to_ascii_uppercase() }).collect())),
        "__mod__" => percent(b, args.get(0).unwrap_or(&Value::None)),
        _ => return None,
    })
}

// ---------------------------------------------------------------- % formatting

/// `bytes % args` (PEP 461).
pub fn percent(fmt: &[u8], args: &Value) -> PyResult<Value> {
    let mapping = match args {
        Value::Dict(_) => true,
        _ => as_inst(args).is_some() && super::bytearray::data(args).is_none() && crate::attr::hasattr(args, "__getitem__")? && crate::attr::hasattr(args, "keys")?,
    };
    let list: Vec<Value> = match args {
        Value::Tuple(t) => (**t).clone(),
        _ => vec![args.clone()],
    };
    let mut ai = 0usize;
    let next = |ai: &mut usize| -> PyResult<Value> {
        if *ai >= list.len() {
            return Err(type_error("not enough arguments for format string".into()));
        }
        *ai += 1;
        Ok(list[*ai - 1].clone())
    };
    let mut out = String::new();
    let mut conv_args: Vec<Value> = Vec::new();
    let mut used_map = false;
    let mut i = 0;
    while i < fmt.len() {
        let c = fmt[i];
        if c != b'%' {
            out.push(c as char);
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        if i >= fmt.len() {
            return Err(value_error("incomplete format".into()));
        }
        if fmt[i] == b'%' {
            out.push_str("%%");
            i += 1;
            continue;
        }
        let mut val: Option<Value> = None;
        if fmt[i] == b'(' {
            if !mapping {
                return Err(type_error("format requires a mapping".into()));
            }
            let mut depth = 1;
            let ks = i + 1;
            i += 1;
            while i < fmt.len() && depth > 0 {
                if fmt[i] == b'(' {
                    depth += 1;
                } else if fmt[i] == b')' {
                    depth -= 1;
                }
                i += 1;
            }
            if depth > 0 {
                return Err(value_error("incomplete format key".into()));
            }
            let key = bv(fmt[ks..i - 1].to_vec());
            val = Some(crate::attr::getitem(args, &key)?);
            used_map = true;
        }
        let mut spec = String::from("%");
        while i < fmt.len() && matches!(fmt[i], b'-' | b'+' | b' ' | b'#' | b'0') {
            spec.push(fmt[i] as char);
            i += 1;
        }
        if i < fmt.len() && fmt[i] == b'*' {
            let w = next(&mut ai)?;
            spec.push('*');
            conv_args.push(w);
            i += 1;
        } else {
            while i < fmt.len() && fmt[i].is_ascii_digit() {
                spec.push(fmt[i] as char);
                i += 1;
            }
        }
        if i < fmt.len() && fmt[i] == b'.' {
            spec.push('.');
            i += 1;
            if i < fmt.len() && fmt[i] == b'*' {
                let p = next(&mut ai)?;
                spec.push('*');
                conv_args.push(p);
                i += 1;
            } else {
                while i < fmt.len() && fmt[i].is_ascii_digit() {
                    spec.push(fmt[i] as char);
                    i += 1;
                }
            }
        }
        while i < fmt.len() && matches!(fmt[i], b'h' | b'l' | b'L') {
            i += 1;
        }
        if i >= fmt.len() {
            return Err(value_error("incomplete format".into()));
        }
        let conv = fmt[i];
        i += 1;
        let v = match val {
            Some(v) => v,
            None => {
                if mapping && !matches!(args, Value::Tuple(_)) {
                    return Err(type_error("format requires a mapping".into()));
                }
                next(&mut ai)?
            }
        };
        let _ = start;
        match conv {
            b's' | b'b' => {
                let b = match bytes_like(&v) {
                    Some(b) => b,
                    None => match crate::ops::call_dunder(&v, "__bytes__", vec![])? {
                        Some(r) => want_bytes(&r)?,
                        None => {
                            return Err(type_error(format!(
                                "%b requires a bytes-like object, or an object that implements __bytes__, not '{}'",
                                type_name(&v)
                            )))
                        }
                    },
                };
                spec.push('s');
                conv_args.push(Value::string(latin1(&b)));
            }
            b'r' | b'a' => {
                spec.push('s');
                conv_args.push(Value::string(crate::ops::ascii(&v)?));
            }
            b'c' => {
                let n = match &v {
                    Value::Int(n) => *n,
                    Value::Bool(b) => *b as i64,
                    _ => match bytes_like(&v) {
                        Some(b) if b.len() == 1 => b[0] as i64,
                        _ => return Err(type_error("%c requires an integer in range(256) or a single byte".into())),
                    },
                };
                if !(0..256).contains(&n) {
                    return Err(new_exc("OverflowError", "%c arg not in range(256)"));
                }
                spec.push('c');
                conv_args.push(Value::Int(n));
            }
            b'd' | b'i' | b'u' | b'o' | b'x' | b'X' | b'e' | b'E' | b'f' | b'F' | b'g' | b'G' => {
                spec.push(conv as char);
                conv_args.push(v);
            }
            _ => {
                return Err(value_error(format!(
                    "unsupported format character '{}' (0x{:x}) at index {}",
                    conv as char,
                    conv,
                    i - 1
                )))
            }
        }
        out.push_str(&spec);
    }
    if !mapping && ai < list.len() {
        return Err(type_error("not all arguments converted during bytes formatting".into()));
    }
    let _ = used_map;
    let s = crate::format::percent_format(&out, &crate::tuple(conv_args))?;
    Ok(bv(s.chars().map(|c| c as u32 as u8).collect()))
}
