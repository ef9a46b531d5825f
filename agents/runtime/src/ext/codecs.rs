//! `_codecs`, the C half of `codecs` (whose Python half, with `encodings`
//! and `locale`, is compiled from CPython's installed source): the codec
//! search-function registry (`register`, `unregister`, `lookup`), the error
//! handler registry (`register_error`, `lookup_error` with CPython's
//! built-in handler names), `encode`/`decode` through the runtime's own
//! str.encode and bytes.decode, and the utf-8, latin-1 and ascii
//! primitives the `encodings` modules call. A statically translated
//! program cannot import an `encodings.<name>` module chosen at run time,
//! so `lookup` finds only what a registered search function returns.
//!
//! Also `shutil.get_terminal_size` for argparse's help layout: a WASI
//! module has no terminal, so it is CPython's answer for a pipe (the
//! COLUMNS and LINES variables, else 80x24). The rest of `shutil` (file
//! operations) is not provided.

use super::nat;
use crate::object::*;
use crate::value::*;
use std::cell::RefCell;

thread_local! {
    static SEARCH: RefCell<Vec<Value>> = RefCell::new(Vec::new());
    static CACHE: RefCell<Vec<(String, Value)>> = RefCell::new(Vec::new());
    static ERRORS: RefCell<Vec<(String, Value)>> = RefCell::new(Vec::new());
}

fn is_callable(f: &Value) -> bool {
    crate::call::call(&crate::builtin("callable"), vec![f.clone()], vec![]).map(|r| crate::truthy(&r).unwrap_or(false)).unwrap_or(false)
}

fn norm(enc: &str) -> String {
    enc.to_lowercase().replace(' ', "_")
}

fn str_arg(a: &[Value], i: usize, what: &str) -> PyResult<String> {
    match a.get(i) {
        Some(Value::Str(s)) => Ok(s.s.clone()),
        Some(v) => Err(type_error(format!("{}() argument {} must be str, not {}", what, i + 1, type_name(v)))),
        None => Err(type_error(format!("{}() missing required argument (pos {})", what, i + 1))),
    }
}

fn lookup(enc: &str) -> PyResult<Value> {
    let key = norm(enc);
    if let Some(v) = CACHE.with(|c| c.borrow().iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone())) {
        return Ok(v);
    }
    let funcs = SEARCH.with(|s| s.borrow().clone());
    for f in funcs {
        let r = crate::call::call(&f, vec![Value::string(key.clone())], vec![])?;
        if !r.is_none() {
            CACHE.with(|c| c.borrow_mut().push((key.clone(), r.clone())));
            return Ok(r);
        }
    }
    Err(new_exc("LookupError", &format!("unknown encoding: {}", enc)))
}

/// The built-in error handlers by name: what lookup_error returns for them.
fn builtin_handler(name: &str) -> Option<Value> {
    let n: &'static str = match name {
        "strict" => "strict_errors",
        "ignore" => "ignore_errors",
        "replace" => "replace_errors",
        "xmlcharrefreplace" => "xmlcharrefreplace_errors",
        "backslashreplace" => "backslashreplace_errors",
        "namereplace" => "namereplace_errors",
        "surrogateescape" => "surrogateescape",
        "surrogatepass" => "surrogatepass",
        _ => return None,
    };
    Some(nat(n, move |a, _| {
        let exc = a.get(0).cloned().unwrap_or(Value::None);
        if n == "strict_errors" {
            return Err(raise(exc));
        }
        let end = crate::getattr(&exc, "end")?;
        let rep = match n {
            "ignore_errors" => Value::str(""),
            "replace_errors" => {
                if crate::object::isinstance(&exc, &exc_class("UnicodeDecodeError").unwrap())? {
                    Value::str("\u{fffd}")
                } else {
                    let (s, e) = (crate::getattr(&exc, "start")?.as_i64().unwrap_or(0), end.as_i64().unwrap_or(0));
                    Value::string("?".repeat((e - s).max(0) as usize))
                }
            }
            _ => return Err(raise(exc)),
        };
        Ok(crate::tuple(vec![rep, end]))
    }))
}

fn codec_call(v: &Value, meth: &str, enc: Option<Value>, errors: Option<Value>) -> PyResult<Value> {
    let mut args = vec![enc.unwrap_or_else(|| Value::str("utf-8"))];
    if let Some(e) = errors {
        args.push(e);
    }
    crate::call::call_method(v, meth, args, vec![])
}

fn kw_or(a: &[Value], kw: &Kw, i: usize, name: &str) -> Option<Value> {
    a.get(i).cloned().or_else(|| kw.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
}

/// `<enc>_encode(str, errors=None)` -> (bytes, consumed)
fn prim_encode(enc: &'static str) -> Value {
    let name: &'static str = Box::leak(format!("{}_encode", enc).into_boxed_str());
    nat(name, move |a, kw| {
        let s = a.get(0).cloned().unwrap_or(Value::None);
        let n = crate::len(&s)?;
        let errs = kw_or(&a, &kw, 1, "errors").filter(|e| !e.is_none());
        let b = codec_call(&s, "encode", Some(Value::str(enc)), Some(errs.unwrap_or_else(|| Value::str("strict"))))?;
        Ok(crate::tuple(vec![b, Value::Int(n as i64)]))
    })
}

/// `<enc>_decode(bytes, errors=None, final=False)` -> (str, consumed)
fn prim_decode(enc: &'static str) -> Value {
    let name: &'static str = Box::leak(format!("{}_decode", enc).into_boxed_str());
    nat(name, move |a, kw| {
        let b = a.get(0).cloned().unwrap_or(Value::None);
        let bytes = super::bytesx::bytes_like(&b)
            .ok_or_else(|| type_error(format!("a bytes-like object is required, not '{}'", type_name(&b))))?;
        let errs = kw_or(&a, &kw, 1, "errors").filter(|e| !e.is_none());
        let s = codec_call(&crate::bytes(&bytes), "decode", Some(Value::str(enc)), Some(errs.unwrap_or_else(|| Value::str("strict"))))?;
        Ok(crate::tuple(vec![s, Value::Int(bytes.len() as i64)]))
    })
}

pub fn module() -> Value {
    let m = crate::rtsys::new_module("_codecs", "");
    let set = |n: &str, v: Value| crate::rtsys::mod_set(&m, n, v);
    set("register", nat("register", |a, _| {
        let f = a.get(0).cloned().unwrap_or(Value::None);
        if !is_callable(&f) {
            return Err(type_error("argument must be callable".into()));
        }
        SEARCH.with(|s| s.borrow_mut().push(f));
        Ok(Value::None)
    }));
    set("unregister", nat("unregister", |a, _| {
        let f = a.get(0).cloned().unwrap_or(Value::None);
        SEARCH.with(|s| s.borrow_mut().retain(|g| !crate::ops::is(g, &f)));
        CACHE.with(|c| c.borrow_mut().clear());
        Ok(Value::None)
    }));
    set("lookup", nat("lookup", |a, _| lookup(&str_arg(&a, 0, "lookup")?)));
    set("_forget_codec", nat("_forget_codec", |a, _| {
        let key = norm(&str_arg(&a, 0, "_forget_codec")?);
        CACHE.with(|c| c.borrow_mut().retain(|(k, _)| *k != key));
        Ok(Value::None)
    }));
    set("register_error", nat("register_error", |a, _| {
        let name = str_arg(&a, 0, "register_error")?;
        let f = a.get(1).cloned().unwrap_or(Value::None);
        if !is_callable(&f) {
            return Err(type_error("handler must be callable".into()));
        }
        ERRORS.with(|e| {
            let mut e = e.borrow_mut();
            e.retain(|(k, _)| *k != name);
            e.push((name, f));
        });
        Ok(Value::None)
    }));
    set("lookup_error", nat("lookup_error", |a, _| {
        let name = str_arg(&a, 0, "lookup_error")?;
        if let Some(f) = ERRORS.with(|e| e.borrow().iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone())) {
            return Ok(f);
        }
        builtin_handler(&name).ok_or_else(|| new_exc("LookupError", &format!("unknown error handler name '{}'", name)))
    }));
    set("encode", nat("encode", |a, kw| {
        let obj = a.get(0).cloned().unwrap_or(Value::None);
        codec_call(&obj, "encode", kw_or(&a, &kw, 1, "encoding"), kw_or(&a, &kw, 2, "errors"))
    }));
    set("decode", nat("decode", |a, kw| {
        let obj = a.get(0).cloned().unwrap_or(Value::None);
        let b = super::bytesx::bytes_like(&obj)
            .ok_or_else(|| type_error(format!("a bytes-like object is required, not '{}'", type_name(&obj))))?;
        codec_call(&crate::bytes(&b), "decode", kw_or(&a, &kw, 1, "encoding"), kw_or(&a, &kw, 2, "errors"))
    }));
    for enc in ["utf_8", "latin_1", "ascii"] {
        set(&format!("{}_encode", enc), prim_encode(enc));
        set(&format!("{}_decode", enc), prim_decode(enc));
    }
    m
}

pub fn shutil_module() -> Value {
    let m = crate::rtsys::new_module("shutil", "");
    let size_cls = crate::stdlib::collections_string_random::namedtuple_class("terminal_size", &["columns", "lines"], "os");
    crate::rtsys::mod_set(&m, "get_terminal_size", nat("get_terminal_size", move |a, kw| {
        let fallback = kw_or(&a, &kw, 0, "fallback").unwrap_or_else(|| crate::tuple(vec![Value::Int(80), Value::Int(24)]));
        let fb = crate::iter::collect(&fallback)?;
        let env = |k: &str, i: usize| -> Value {
            match std::env::var(k).ok().and_then(|s| s.parse::<i64>().ok()) {
                Some(n) if n > 0 => Value::Int(n),
                _ => fb.get(i).cloned().unwrap_or(Value::Int(0)),
            }
        };
        crate::call::call(&size_cls, vec![env("COLUMNS", 0), env("LINES", 1)], vec![])
    }));
    m
}
