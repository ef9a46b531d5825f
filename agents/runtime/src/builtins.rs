//! The builtins module: functions, type constructors and exceptions.
//!
//! `rt::builtin(name)` hands out values from one per-thread table built on
//! first use; `BUILTIN_NAMES` is the list the code generator may ask for.
//! Builtin types are their classes (so `isinstance(x, int)` and `int("7")`
//! both work); calling one lands in `construct_builtin`.

use crate::bigint::BigInt;
use crate::call::call;
use crate::iter::{collect, iter, make_iter, next};
use crate::methods::getargs;
use crate::object::*;
use crate::ops;
use crate::value::*;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

pub const BUILTIN_NAMES: &[&str] = &[
    "abs", "all", "any", "ascii", "bin", "bool", "bytes", "callable", "chr", "classmethod", "delattr", "dict", "dir",
    "divmod", "enumerate", "exit", "filter", "float", "format", "frozenset", "getattr", "hasattr", "hash", "hex", "id",
    "input", "int", "isinstance", "issubclass", "iter", "len", "list", "map", "max", "min", "next", "object", "oct",
    "ord", "pow", "print", "property", "quit", "range", "repr", "reversed", "round", "set", "setattr", "slice",
    "sorted", "staticmethod", "str", "sum", "super", "tuple", "type", "vars", "zip", "NotImplemented", "Ellipsis",
    "None", "True", "False", "__name__", "open", "complex", "__import__", "bytearray", "memoryview",
    "BaseException", "GeneratorExit", "KeyboardInterrupt", "SystemExit", "Exception", "ArithmeticError",
    "FloatingPointError", "OverflowError", "ZeroDivisionError", "AssertionError", "AttributeError", "BufferError",
    "EOFError", "ImportError", "ModuleNotFoundError", "LookupError", "IndexError", "KeyError", "MemoryError",
    "NameError", "UnboundLocalError", "OSError", "FileNotFoundError", "FileExistsError", "PermissionError",
    "IsADirectoryError", "NotADirectoryError", "TimeoutError", "ConnectionError", "BrokenPipeError",
    "ConnectionAbortedError", "ConnectionRefusedError", "ConnectionResetError", "BlockingIOError",
    "ChildProcessError", "InterruptedError", "ProcessLookupError", "ReferenceError", "RuntimeError",
    "NotImplementedError", "RecursionError", "StopAsyncIteration", "StopIteration", "SyntaxError",
    "IndentationError", "TabError", "SystemError", "TypeError", "ValueError", "UnicodeError", "UnicodeDecodeError",
    "UnicodeEncodeError", "Warning", "UserWarning", "DeprecationWarning", "RuntimeWarning", "EnvironmentError",
    "IOError", "BaseExceptionGroup", "ExceptionGroup", "UnicodeTranslateError",
    "PendingDeprecationWarning", "SyntaxWarning", "FutureWarning", "ImportWarning", "UnicodeWarning", "BytesWarning", "ResourceWarning", "EncodingWarning",
];

thread_local! {
    static TABLE: RefCell<Option<HashMap<&'static str, Value, crate::value::FnvBuild>>> = const { RefCell::new(None) };
}

/// A builtin by name; panics on names outside BUILTIN_NAMES.
pub fn builtin(name: &str) -> Value {
    try_builtin(name).unwrap_or_else(|| panic!("portalis_rt: unknown builtin {}", name))
}

pub fn try_builtin(name: &str) -> Option<Value> {
    let have = TABLE.with(|t| t.borrow().is_some());
    if !have {
        let m = fnv_table(build_table());
        TABLE.with(|t| *t.borrow_mut() = Some(m));
    }
    TABLE.with(|t| t.borrow().as_ref().unwrap().get(name).cloned())
}

/// Every builtin name with its value (the `builtins` module).
pub fn all_builtins() -> Vec<(&'static str, Value)> {
    let _ = try_builtin("len");
    let mut v: Vec<(&'static str, Value)> =
        TABLE.with(|t| t.borrow().as_ref().unwrap().iter().map(|(k, v)| (*k, v.clone())).collect());
    v.sort_by(|a, b| a.0.cmp(b.0));
    v
}

fn fnv_table(m: HashMap<&'static str, Value>) -> HashMap<&'static str, Value, crate::value::FnvBuild> {
    m.into_iter().collect()
}

fn nat(name: &'static str, f: impl Fn(Vec<Value>, Kw) -> PyResult<Value> + 'static) -> Value {
    native(name, false, f)
}

fn no_kw(name: &str, kw: &Kw) -> PyResult<()> {
    if let Some((k, _)) = kw.first() {
        return Err(type_error(format!("{}() takes no keyword arguments", name).replace("() got", &format!(" got {}", k))));
    }
    Ok(())
}

fn nargs(name: &str, a: &[Value], lo: usize, hi: usize) -> PyResult<()> {
    if a.len() < lo || a.len() > hi {
        if lo == hi {
            return Err(type_error(format!(
                "{}() takes exactly one argument ({} given)",
                name,
                a.len()
            )
            .replace("exactly one argument", &if lo == 1 { "exactly one argument".to_string() } else { format!("exactly {} arguments", lo) })));
        }
        if a.len() < lo {
            return Err(type_error(format!("{} expected at least {} argument{}, got {}", name, lo, if lo == 1 { "" } else { "s" }, a.len())));
        }
        return Err(type_error(format!("{} expected at most {} argument{}, got {}", name, hi, if hi == 1 { "" } else { "s" }, a.len())));
    }
    Ok(())
}

pub fn range_len(a: i64, b: i64, s: i64) -> i64 {
    if s > 0 && a < b {
        (b - a - 1) / s + 1
    } else if s < 0 && a > b {
        (a - b - 1) / (-s) + 1
    } else {
        0
    }
}

pub fn len(v: &Value) -> PyResult<usize> {
    Ok(match v {
        Value::Str(s) => s.nchars,
        Value::List(l) => l.borrow().len(),
        Value::Tuple(t) => t.len(),
        Value::Dict(d) => d.borrow().len(),
        Value::Set(s) | Value::FrozenSet(s) => s.borrow().len(),
        Value::Bytes(b) => b.len(),
        Value::Obj(o) => match &**o {
            Obj::Range(a, b, s) => range_len(*a, *b, *s) as usize,
            Obj::Class(_) if crate::stdlib5::is_enum_class(v) => crate::stdlib5::enum_members(v)?.len(),
            Obj::DictView(d, _) => len(d)?,
            Obj::Inst(i) => {
                if crate::object::class_facts(&i.class.borrow(), |fx| fx.len_deque) {
                    if let Some(n) = crate::stdlib::deque::payload_len(i) {
                        return Ok(n);
                    }
                }
                if let Some(r) = ops::call_dunder(v, "__len__", vec![])? {
                    return match r {
                        Value::Int(n) if n >= 0 => Ok(n as usize),
                        Value::Int(_) => Err(value_error("__len__() should return >= 0".into())),
                        Value::Bool(b) => Ok(b as usize),
                        _ => Err(type_error(format!("'{}' object cannot be interpreted as an integer", type_name(&r)))),
                    };
                }
                let p = i.payload.borrow().clone();
                if !p.is_none() {
                    return len(&p);
                }
                return Err(type_error(format!("object of type '{}' has no len()", type_name(v))));
            }
            _ => return Err(type_error(format!("object of type '{}' has no len()", type_name(v)))),
        },
        _ => return Err(type_error(format!("object of type '{}' has no len()", type_name(v)))),
    })
}

pub fn reversed(v: &Value) -> PyResult<Value> {
    match v {
        Value::List(_) => {
            let src = v.clone();
            let mut i: Option<usize> = None;
            Ok(make_iter(move || {
                if let Value::List(l) = &src {
                    let l = l.borrow();
                    let cur = match i {
                        None => l.len(),
                        Some(c) => c.min(l.len()),
                    };
                    if cur == 0 {
                        i = Some(0);
                        return Ok(None);
                    }
                    i = Some(cur - 1);
                    return Ok(Some(l[cur - 1].clone()));
                }
                Ok(None)
            }))
        }
        Value::Tuple(_) | Value::Str(_) | Value::Bytes(_) => {
            let mut items = collect(v)?;
            items.reverse();
            Ok(Value::obj(Obj::Iter(RefCell::new(Iter::Values(items, 0)))))
        }
        Value::Dict(_) => {
            let mut items = collect(v)?;
            items.reverse();
            Ok(Value::obj(Obj::Iter(RefCell::new(Iter::Values(items, 0)))))
        }
        Value::Obj(o) => match &**o {
            Obj::Range(a, b, s) => {
                let n = range_len(*a, *b, *s);
                let last = a + (n - 1) * s;
                Ok(Value::obj(Obj::Iter(RefCell::new(Iter::Range(last, a - s, -s)))))
            }
            Obj::DictView(..) => {
                let mut items = collect(v)?;
                items.reverse();
                Ok(Value::obj(Obj::Iter(RefCell::new(Iter::Values(items, 0)))))
            }
            Obj::Inst(_) => {
                if let Some(r) = ops::call_dunder(v, "__reversed__", vec![])? {
                    return Ok(r);
                }
                if lookup_user(v, "__getitem__").is_some() && lookup_user(v, "__len__").is_some() {
                    let n = len(v)? as i64;
                    let src = v.clone();
                    let mut i = n;
                    return Ok(make_iter(move || {
                        if i <= 0 {
                            return Ok(None);
                        }
                        i -= 1;
                        Ok(Some(crate::attr::getitem(&src, &Value::Int(i))?))
                    }));
                }
                let p = as_inst(v).unwrap().payload.borrow().clone();
                if !p.is_none() {
                    return reversed(&p);
                }
                Err(type_error(format!("'{}' object is not reversible", type_name(v))))
            }
            _ => Err(type_error(format!("'{}' object is not reversible", type_name(v)))),
        },
        _ => Err(type_error(format!("'{}' object is not reversible", type_name(v)))),
    }
}

// ---------------------------------------------------------------- conversions

/// Digits of a decimal literal beyond sys.get_int_max_str_digits().
fn check_digit_limit(s: &str, base: i64) -> PyResult<()> {
    let limit = ops::int_max_str_digits();
    if limit == 0 || (base & (base - 1)) == 0 {
        return Ok(());
    }
    let n = s.chars().filter(|c| c.is_alphanumeric()).count();
    if n > limit {
        return Err(value_error(format!(
            "Exceeds the limit ({} digits) for integer string conversion: value has {} digits; use sys.set_int_max_str_digits() to increase the limit",
            limit, n
        )));
    }
    Ok(())
}

pub fn parse_int(s: &str, base: i64) -> Option<BigInt> {
    let t = s.trim_matches(crate::methods::is_py_space);
    let (neg, t) = if let Some(r) = t.strip_prefix('-') {
        (true, r)
    } else if let Some(r) = t.strip_prefix('+') {
        (false, r)
    } else {
        (false, t)
    };
    let lower = t.to_ascii_lowercase();
    let mut base = base;
    let mut digits: &str = t;
    let pref = |p: &str| lower.starts_with(p);
    if (base == 16 || base == 0) && pref("0x") {
        base = 16;
        digits = &t[2..];
    } else if (base == 8 || base == 0) && pref("0o") {
        base = 8;
        digits = &t[2..];
    } else if (base == 2 || base == 0) && pref("0b") {
        base = 2;
        digits = &t[2..];
    } else if base == 0 {
        if t.len() > 1 && t.starts_with('0') && !t.chars().all(|c| c == '0' || c == '_') {
            return None;
        }
        base = 10;
    }
    let digits = if digits.starts_with('_') && digits.len() < t.len() { &digits[1..] } else { digits };
    if digits.is_empty() || digits.starts_with('_') || digits.ends_with('_') || digits.contains("__") {
        return None;
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    if !clean.chars().all(|c| c.is_ascii_alphanumeric()) {
        let zeros: [u32; 21] = [
            0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6, 0xE50, 0xED0,
            0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0xFF10,
        ];
        let uni = |c: char| -> Option<char> {
            if c.is_ascii() {
                return Some(c);
            }
            let u = c as u32;
            zeros.iter().find(|&&z| u >= z && u < z + 10).map(|&z| std::char::from_digit(u - z, 10).unwrap())
        };
        let conv: Option<String> = clean.chars().map(uni).collect();
        let conv = conv?;
        let b = BigInt::parse_digits(&conv, base as u32)?;
        return Some(if neg { b.neg() } else { b });
    }
    if false {
        // non-ASCII digits (e.g. Arabic-Indic) are accepted by Python
        let conv: Option<String> = clean.chars().map(|c| c.to_digit(10).and_then(|d| std::char::from_digit(d, 10)).or(if c.is_ascii() { Some(c) } else { None })).collect();
        let conv = conv?;
        let b = BigInt::parse_digits(&conv, base as u32)?;
        return Some(if neg { b.neg() } else { b });
    }
    let b = BigInt::parse_digits(&clean, base as u32)?;
    Some(if neg { b.neg() } else { b })
}

pub fn int_from_str(s: &str) -> Value {
    ops::int_from_big(parse_int(s, 10).expect("portalis_rt: bad int literal"))
}

pub fn to_int(v: &Value, base: Option<&Value>) -> PyResult<Value> {
    if let Some(b) = base {
        let bi = b.as_i64().ok_or_else(|| type_error("'str' object cannot be interpreted as an integer".into()))?;
        if bi != 0 && !(2..=36).contains(&bi) {
            return Err(value_error("int() base must be >= 2 and <= 36, or 0".into()));
        }
        if let Value::Str(s) = v {
            check_digit_limit(&s.s, if bi == 0 { 10 } else { bi })?;
        }
        return match v {
            Value::Str(s) => parse_int(&s.s, bi).map(ops::int_from_big).ok_or_else(|| {
                value_error(format!("invalid literal for int() with base {}: {}", bi, ops::str_repr(&s.s)))
            }),
            Value::Bytes(b) => {
                let s: String = b.iter().map(|&c| c as char).collect();
                parse_int(&s, bi).map(ops::int_from_big).ok_or_else(|| value_error(format!("invalid literal for int() with base {}: {}", bi, ops::bytes_repr(b))))
            }
            _ => Err(type_error("int() can't convert non-string with explicit base".into())),
        };
    }
    match v {
        Value::Int(_) | Value::Big(_) => Ok(v.clone()),
        Value::Bool(b) => Ok(Value::Int(*b as i64)),
        Value::Float(f) => {
            if f.is_nan() {
                return Err(value_error("cannot convert float NaN to integer".into()));
            }
            if f.is_infinite() {
                return Err(new_exc("OverflowError", "cannot convert float infinity to integer"));
            }
            let t = f.trunc();
            if t.abs() < 9.0e18 {
                Ok(Value::Int(t as i64))
            } else {
                Ok(ops::int_from_big(BigInt::from_f64(t)))
            }
        }
        Value::Str(s) => {
            check_digit_limit(&s.s, 10)?;
            parse_int(&s.s, 10).map(ops::int_from_big).ok_or_else(|| value_error(format!("invalid literal for int() with base 10: {}", ops::str_repr(&s.s))))
        }
        Value::Bytes(b) => {
            let s: String = b.iter().map(|&c| c as char).collect();
            parse_int(&s, 10).map(ops::int_from_big).ok_or_else(|| value_error(format!("invalid literal for int() with base 10: {}", ops::bytes_repr(b))))
        }
        _ => {
            for d in ["__int__", "__index__", "__trunc__"] {
                if let Some(r) = ops::call_dunder(v, d, vec![])? {
                    return Ok(r);
                }
            }
            if let Some(i) = as_inst(v) {
                let p = i.payload.borrow().clone();
                if !p.is_none() && !crate::ext::complex::is_complex(v) {
                    return to_int(&p, None);
                }
            }
            Err(type_error(format!(
                "int() argument must be a string, a bytes-like object or a real number, not '{}'",
                type_name(v)
            )))
        }
    }
}

pub fn parse_float(s: &str) -> Option<f64> {
    let t = s.trim_matches(crate::methods::is_py_space);
    let low = t.to_ascii_lowercase();
    let (neg, body) = if let Some(r) = low.strip_prefix('-') {
        (true, r.to_string())
    } else if let Some(r) = low.strip_prefix('+') {
        (false, r.to_string())
    } else {
        (false, low.clone())
    };
    let v = match body.as_str() {
        "inf" | "infinity" => f64::INFINITY,
        "nan" => f64::NAN,
        _ => {
            if body.is_empty() || body.starts_with('_') || body.ends_with('_') || body.contains("__") {
                return None;
            }
            if !body.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | '_' | '+' | '-')) {
                return None;
            }
            let clean: String = body.chars().filter(|c| *c != '_').collect();
            clean.parse::<f64>().ok()?
        }
    };
    Some(if neg { -v } else { v })
}

pub fn to_float(v: &Value) -> PyResult<f64> {
    match v {
        Value::Float(f) => Ok(*f),
        Value::Int(_) | Value::Big(_) | Value::Bool(_) => ops::int_to_f64(v),
        Value::Str(s) => parse_float(&s.s).ok_or_else(|| value_error(format!("could not convert string to float: {}", ops::str_repr(&s.s)))),
        _ => {
            if let Some(r) = ops::call_dunder(v, "__float__", vec![])? {
                return ops::int_to_f64(&r);
            }
            if let Some(r) = ops::call_dunder(v, "__index__", vec![])? {
                return ops::int_to_f64(&r);
            }
            Err(type_error(format!("float() argument must be a string or a real number, not '{}'", type_name(v))))
        }
    }
}

fn round_float(x: f64, nd: i64) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    if nd > 330 {
        return x;
    }
    if nd >= 0 {
        let s = crate::format::fixed_digits(x.abs(), nd as usize);
        let r: f64 = s.parse().unwrap();
        return if x < 0.0 { -r } else { r };
    }
    let k = (-nd) as u32;
    if k > 330 {
        return 0.0f64.copysign(x);
    }
    let p = BigInt::from_i64(10).pow(k as u64);
    let (n, d) = if x.abs().fract() == 0.0 { (BigInt::from_f64(x.abs()), BigInt::from_i64(1)) } else {
        let s = crate::format::fixed_digits(x.abs(), 0);
        (BigInt::parse_digits(&s, 10).unwrap(), BigInt::from_i64(1))
    };
    let q = round_half_even(&n, &d.mul(&p)).mul(&p);
    let r = q.to_f64().unwrap_or(f64::INFINITY);
    if x < 0.0 {
        -r
    } else {
        r
    }
}

fn round_half_even(num: &BigInt, den: &BigInt) -> BigInt {
    let (q, r) = num.divmod(den);
    match r.shl(1).cmp(den) {
        std::cmp::Ordering::Greater => q.add(&BigInt::from_i64(1)),
        std::cmp::Ordering::Equal if q.mag.first().map(|d| d & 1 == 1).unwrap_or(false) => q.add(&BigInt::from_i64(1)),
        _ => q,
    }
}

pub fn round(v: &Value, nd: Option<&Value>) -> PyResult<Value> {
    let nd = match nd {
        Some(Value::None) | None => None,
        Some(x) => Some(x.as_i64().ok_or_else(|| type_error(format!("'{}' object cannot be interpreted as an integer", type_name(x))))?),
    };
    match v {
        Value::Float(f) => match nd {
            None => {
                if f.is_nan() {
                    return Err(value_error("cannot convert float NaN to integer".into()));
                }
                if f.is_infinite() {
                    return Err(new_exc("OverflowError", "cannot convert float infinity to integer"));
                }
                let r = f.round();
                let r = if (f - f.trunc()).abs() == 0.5 { 2.0 * (f / 2.0).round() } else { r };
                to_int(&Value::Float(r), None)
            }
            Some(n) => Ok(Value::Float(round_float(*f, n))),
        },
        Value::Int(_) | Value::Big(_) | Value::Bool(_) => match nd {
            None => ops::pos(v),
            Some(n) if n >= 0 => ops::pos(v),
            Some(n) => {
                let b = ops::to_big(v).unwrap();
                let p = BigInt::from_i64(10).pow((-n) as u64);
                let q = round_half_even(&b.abs(), &p).mul(&p);
                Ok(ops::int_from_big(if b.neg { q.neg() } else { q }))
            }
        },
        _ => {
            let args = match nd {
                Some(n) => vec![Value::Int(n)],
                None => vec![],
            };
            match ops::call_dunder(v, "__round__", args)? {
                Some(r) => Ok(r),
                None => Err(type_error(format!("type {} doesn't define __round__ method", type_name(v)))),
            }
        }
    }
}

fn radix_str(v: &Value, radix: u32, prefix: &str) -> PyResult<Value> {
    let v = match v {
        Value::Int(_) | Value::Big(_) | Value::Bool(_) => v.clone(),
        _ => match ops::call_dunder(v, "__index__", vec![])? {
            Some(r) => r,
            None => return Err(type_error(format!("'{}' object cannot be interpreted as an integer", type_name(v)))),
        },
    };
    let b = ops::to_big(&v).unwrap();
    Ok(Value::string(format!("{}{}{}", if b.neg { "-" } else { "" }, prefix, b.abs().to_string_radix(radix))))
}

fn minmax(name: &'static str, args: Vec<Value>, kw: Kw, want_max: bool) -> PyResult<Value> {
    let mut key = None;
    let mut default = None;
    for (k, v) in kw {
        match k.as_str() {
            "key" => {
                if !v.is_none() {
                    key = Some(v)
                }
            }
            "default" => default = Some(v),
            _ => return Err(type_error(format!("{}() got an unexpected keyword argument '{}'", name, k))),
        }
    }
    let items = match args.len() {
        0 => return Err(type_error(format!("{} expected at least 1 argument, got 0", name))),
        1 => collect(&args[0])?,
        _ => {
            if default.is_some() {
                return Err(type_error(format!(
                    "Cannot specify a default for {}() with multiple positional arguments",
                    name
                )));
            }
            args
        }
    };
    if items.is_empty() {
        return match default {
            Some(d) => Ok(d),
            None => Err(value_error(format!("{}() arg is an empty sequence", name))),
        };
    }
    let mut best = items[0].clone();
    let mut best_k = match &key {
        Some(k) => call(k, vec![best.clone()], vec![])?,
        None => best.clone(),
    };
    for x in items.into_iter().skip(1) {
        let xk = match &key {
            Some(k) => call(k, vec![x.clone()], vec![])?,
            None => x.clone(),
        };
        let better = if want_max { ops::compare_bool(&xk, &best_k, ops::Cmp::Gt)? } else { ops::compare_bool(&xk, &best_k, ops::Cmp::Lt)? };
        if better {
            best = x;
            best_k = xk;
        }
    }
    Ok(best)
}

pub fn sum(it: &Value, start: Value) -> PyResult<Value> {
    if let Value::Str(_) = start {
        return Err(type_error("sum() can't sum strings [use ''.join(seq) instead]".into()));
    }
    let i = iter(it)?;
    let mut acc = start;
    while let Some(x) = next(&i)? {
        acc = ops::add(&acc, &x)?;
    }
    Ok(acc)
}

pub fn print_to(args: &[Value], sep: &str, end: &str, file: &Value, flush: bool) -> PyResult<()> {
    let mut s = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            s.push_str(sep);
        }
        match a {
            Value::Str(x) => s.push_str(&x.s),
            _ => s.push_str(&ops::to_str(a)?),
        }
    }
    s.push_str(end);
    crate::rtsys::write_file(file, &s)?;
    if flush {
        crate::rtsys::flush_file(file)?;
    }
    Ok(())
}

fn print_native(args: Vec<Value>, kw: Kw) -> PyResult<Value> {
    let mut sep = String::from(" ");
    let mut end = String::from("\n");
    let mut file = Value::None;
    let mut flush = false;
    for (k, v) in kw {
        match k.as_str() {
            "sep" => {
                if !v.is_none() {
                    sep = match &v {
                        Value::Str(s) => s.s.clone(),
                        _ => return Err(type_error(format!("sep must be None or a string, not {}", type_name(&v)))),
                    }
                }
            }
            "end" => {
                if !v.is_none() {
                    end = match &v {
                        Value::Str(s) => s.s.clone(),
                        _ => return Err(type_error(format!("end must be None or a string, not {}", type_name(&v)))),
                    }
                }
            }
            "file" => file = v,
            "flush" => flush = ops::truthy(&v)?,
            _ => return Err(type_error(format!("'{}' is an invalid keyword argument for print()", k))),
        }
    }
    print_to(&args, &sep, &end, &file, flush)?;
    Ok(Value::None)
}

fn zip_native(args: Vec<Value>, kw: Kw) -> PyResult<Value> {
    let strict = kw.iter().any(|(k, v)| k == "strict" && ops::truthy(v).unwrap_or(false));
    let its: Vec<Value> = args.iter().map(iter).collect::<PyResult<_>>()?;
    let mut done = false;
    Ok(make_iter(move || {
        if done || its.is_empty() {
            return Ok(None);
        }
        let mut out = Vec::with_capacity(its.len());
        for (i, it) in its.iter().enumerate() {
            match next(it)? {
                Some(x) => out.push(x),
                None => {
                    done = true;
                    if strict {
                        if i > 0 {
                            return Err(value_error(format!("zip() argument {} is shorter than argument{} 1{}", i + 1, if i > 1 { "s" } else { "" }, if i > 1 { format!("-{}", i) } else { String::new() })));
                        }
                        for (j, other) in its.iter().enumerate().skip(1) {
                            if next(other)?.is_some() {
                                return Err(value_error(format!("zip() argument {} is longer than argument{} 1{}", j + 1, if j > 1 { "s" } else { "" }, if j > 1 { format!("-{}", j) } else { String::new() })));
                            }
                        }
                    }
                    return Ok(None);
                }
            }
        }
        Ok(Some(crate::tuple(out)))
    }))
}

fn build_table() -> HashMap<&'static str, Value> {
    let mut m: HashMap<&'static str, Value> = HashMap::new();
    use BType as B;
    for (n, k) in [
        ("int", B::Int),
        ("float", B::Float),
        ("str", B::Str),
        ("bool", B::Bool),
        ("list", B::List),
        ("tuple", B::Tuple),
        ("dict", B::Dict),
        ("set", B::Set),
        ("frozenset", B::FrozenSet),
        ("bytes", B::Bytes),
        ("object", B::Object),
        ("type", B::Type),
        ("range", B::Range),
        ("slice", B::Slice),
        ("property", B::Property),
        ("staticmethod", B::StaticMethod),
        ("classmethod", B::ClassMethod),
        ("super", B::Super),
    ] {
        m.insert(n, type_for(k));
    }
    for n in exc_names() {
        m.insert(n, exc_class(n).unwrap());
    }
    m.insert("EnvironmentError", exc_class("OSError").unwrap());
    m.insert("IOError", exc_class("OSError").unwrap());
    m.insert("None", Value::None);
    m.insert("True", Value::Bool(true));
    m.insert("False", Value::Bool(false));
    m.insert("__name__", Value::str("__main__"));
    m.insert("NotImplemented", singleton_not_implemented());
    m.insert("Ellipsis", singleton_ellipsis());
    m.insert("print", nat("print", print_native));
    m.insert("len", nat("len", |a, kw| {
        no_kw("len", &kw)?;
        nargs("len", &a, 1, 1)?;
        Ok(Value::Int(len(&a[0])? as i64))
    }));
    m.insert("repr", nat("repr", |a, _| {
        nargs("repr", &a, 1, 1)?;
        Ok(Value::string(ops::repr(&a[0])?))
    }));
    m.insert("ascii", nat("ascii", |a, _| Ok(Value::string(ops::ascii(&a[0])?))));
    m.insert("abs", nat("abs", |a, _| {
        nargs("abs", &a, 1, 1)?;
        ops::abs(&a[0])
    }));
    m.insert("min", nat("min", |a, kw| minmax("min", a, kw, false)));
    m.insert("max", nat("max", |a, kw| minmax("max", a, kw, true)));
    m.insert("sum", nat("sum", |a, kw| {
        let a = getargs("sum", a, kw, &["iterable", "start"], 1)?;
        sum(a[0].as_ref().unwrap(), a[1].clone().unwrap_or(Value::Int(0)))
    }));
    m.insert("sorted", nat("sorted", |a, kw| {
        if a.len() != 1 {
            return Err(type_error(format!("sorted expected 1 argument, got {}", a.len())));
        }
        let mut items = collect(&a[0])?;
        let o = getargs("sorted", vec![], kw, &["key", "reverse"], 0)?;
        let reverse = match &o[1] {
            Some(v) => ops::truthy(v)?,
            None => false,
        };
        let key = match &o[0] {
            Some(Value::None) | None => None,
            Some(k) => Some(k.clone()),
        };
        crate::methods::sort_values(&mut items, key.as_ref(), reverse)?;
        Ok(crate::list(items))
    }));
    m.insert("reversed", nat("reversed", |a, _| {
        nargs("reversed", &a, 1, 1)?;
        reversed(&a[0])
    }));
    m.insert("enumerate", nat("enumerate", |a, kw| {
        let a = getargs("enumerate", a, kw, &["iterable", "start"], 1)?;
        let it = iter(a[0].as_ref().unwrap())?;
        let mut n = a[1].clone().unwrap_or(Value::Int(0));
        Ok(make_iter(move || match next(&it)? {
            Some(x) => {
                let cur = n.clone();
                n = ops::add(&n, &Value::Int(1))?;
                Ok(Some(crate::tuple(vec![cur, x])))
            }
            None => Ok(None),
        }))
    }));
    m.insert("zip", nat("zip", zip_native));
    m.insert("map", nat("map", |a, _| {
        if a.len() < 2 {
            return Err(type_error("map() must have at least two arguments.".into()));
        }
        let f = a[0].clone();
        let its: Vec<Value> = a[1..].iter().map(iter).collect::<PyResult<_>>()?;
        Ok(make_iter(move || {
            let mut xs = Vec::with_capacity(its.len());
            for it in its.iter() {
                match next(it)? {
                    Some(x) => xs.push(x),
                    None => return Ok(None),
                }
            }
            Ok(Some(call(&f, xs, vec![])?))
        }))
    }));
    m.insert("filter", nat("filter", |a, _| {
        nargs("filter", &a, 2, 2)?;
        let f = a[0].clone();
        let it = iter(&a[1])?;
        Ok(make_iter(move || loop {
            match next(&it)? {
                Some(x) => {
                    let keep = if f.is_none() { ops::truthy(&x)? } else { ops::truthy(&call(&f, vec![x.clone()], vec![])?)? };
                    if keep {
                        return Ok(Some(x));
                    }
                }
                None => return Ok(None),
            }
        }))
    }));
    m.insert("any", nat("any", |a, _| {
        nargs("any", &a, 1, 1)?;
        let it = iter(&a[0])?;
        while let Some(x) = next(&it)? {
            if ops::truthy(&x)? {
                return Ok(Value::Bool(true));
            }
        }
        Ok(Value::Bool(false))
    }));
    m.insert("all", nat("all", |a, _| {
        nargs("all", &a, 1, 1)?;
        let it = iter(&a[0])?;
        while let Some(x) = next(&it)? {
            if !ops::truthy(&x)? {
                return Ok(Value::Bool(false));
            }
        }
        Ok(Value::Bool(true))
    }));
    m.insert("isinstance", nat("isinstance", |a, _| {
        nargs("isinstance", &a, 2, 2)?;
        Ok(Value::Bool(isinstance(&a[0], &a[1])?))
    }));
    m.insert("issubclass", nat("issubclass", |a, _| {
        nargs("issubclass", &a, 2, 2)?;
        if as_class(&a[0]).is_none() {
            return Err(type_error("issubclass() arg 1 must be a class".into()));
        }
        let classes = match &a[1] {
            Value::Tuple(t) => t.to_vec(),
            c => vec![c.clone()],
        };
        Ok(Value::Bool(classes.iter().any(|c| is_subclass(&a[0], c) || crate::ext::coll_abc::virtual_subclass(&a[0], c))))
    }));
    m.insert("ord", nat("ord", |a, _| {
        nargs("ord", &a, 1, 1)?;
        match &a[0] {
            Value::Str(s) if s.nchars == 1 => Ok(Value::Int(s.s.chars().next().unwrap() as i64)),
            Value::Str(s) => Err(type_error(format!("ord() expected a character, but string of length {} found", s.nchars))),
            Value::Bytes(b) if b.len() == 1 => Ok(Value::Int(b[0] as i64)),
            x => Err(type_error(format!("ord() expected string of length 1, but {} found", type_name(x)))),
        }
    }));
    m.insert("chr", nat("chr", |a, _| {
        nargs("chr", &a, 1, 1)?;
        let i = a[0].as_i64().ok_or_else(|| type_error(format!("'{}' object cannot be interpreted as an integer", type_name(&a[0]))))?;
        match char::from_u32(i as u32) {
            Some(c) if (0..0x110000).contains(&i) => Ok(Value::string(c.to_string())),
            _ => Err(value_error("chr() arg not in range(0x110000)".into())),
        }
    }));
    m.insert("hex", nat("hex", |a, _| radix_str(&a[0], 16, "0x")));
    m.insert("oct", nat("oct", |a, _| radix_str(&a[0], 8, "0o")));
    m.insert("bin", nat("bin", |a, _| radix_str(&a[0], 2, "0b")));
    m.insert("round", nat("round", |a, kw| {
        let a = getargs("round", a, kw, &["number", "ndigits"], 1)?;
        round(a[0].as_ref().unwrap(), a[1].as_ref())
    }));
    m.insert("divmod", nat("divmod", |a, _| {
        nargs("divmod", &a, 2, 2)?;
        divmod(&a[0], &a[1])
    }));
    m.insert("pow", nat("pow", |a, kw| {
        let a = getargs("pow", a, kw, &["base", "exp", "mod"], 2)?;
        match &a[2] {
            Some(m) if !m.is_none() => ops::pow3(a[0].as_ref().unwrap(), a[1].as_ref().unwrap(), m),
            _ => ops::pow(a[0].as_ref().unwrap(), a[1].as_ref().unwrap()),
        }
    }));
    m.insert("hash", nat("hash", |a, _| Ok(Value::Int(ops::hash(&a[0])?))));
    m.insert("id", nat("id", |a, _| Ok(Value::Int(ops::id_of(&a[0])))));
    m.insert("iter", nat("iter", |a, _| {
        nargs("iter", &a, 1, 2)?;
        if a.len() == 2 {
            let f = a[0].clone();
            let sentinel = a[1].clone();
            return Ok(make_iter(move || {
                let v = call(&f, vec![], vec![])?;
                if ops::eq_bool(&v, &sentinel)? {
                    Ok(None)
                } else {
                    Ok(Some(v))
                }
            }));
        }
        iter(&a[0])
    }));
    m.insert("next", nat("next", |a, _| {
        nargs("next", &a, 1, 2)?;
        let is_iter = matches!(&a[0], Value::Obj(o) if matches!(&**o, Obj::Iter(_) | Obj::Gen(_)))
            || lookup_user(&a[0], "__next__").is_some();
        if !is_iter {
            return Err(type_error(format!("'{}' object is not an iterator", type_name(&a[0]))));
        }
        if let Some(_) = lookup_user(&a[0], "__next__") {
            // let the user's StopIteration (with its value) propagate
            match ops::call_dunder(&a[0], "__next__", vec![]) {
                Ok(v) => return Ok(v.unwrap()),
                Err(e) => {
                    if exc_is(&e, "StopIteration") && a.len() == 2 {
                        return Ok(a[1].clone());
                    }
                    return Err(e);
                }
            }
        }
        if crate::gen::as_gen(&a[0]).is_some() {
            return match crate::gen::send(&a[0], Value::None) {
                Ok(v) => Ok(v),
                Err(e) => {
                    if exc_is(&e, "StopIteration") && a.len() == 2 {
                        Ok(a[1].clone())
                    } else {
                        Err(e)
                    }
                }
            };
        }
        match next(&a[0])? {
            Some(v) => Ok(v),
            None => match a.get(1) {
                Some(d) => Ok(d.clone()),
                None => Err(new_exc_args("StopIteration", vec![])),
            },
        }
    }));
    m.insert("callable", nat("callable", |a, _| {
        Ok(Value::Bool(match &a[0] {
            Value::Obj(o) => match &**o {
                Obj::Func(_) | Obj::Native(_) | Obj::Method(..) | Obj::BMethod(..) | Obj::Class(_) => true,
                Obj::Inst(_) => lookup_user(&a[0], "__call__").is_some(),
                _ => false,
            },
            _ => false,
        }))
    }));
    m.insert("getattr", nat("getattr", |a, _| {
        nargs("getattr", &a, 2, 3)?;
        let name = match &a[1] {
            Value::Str(s) => s.s.clone(),
            _ => return Err(type_error("attribute name must be string".into())),
        };
        match crate::attr::getattr(&a[0], &name) {
            Ok(v) => Ok(v),
            Err(e) => {
                if a.len() == 3 && exc_is(&e, "AttributeError") {
                    Ok(a[2].clone())
                } else {
                    Err(e)
                }
            }
        }
    }));
    m.insert("setattr", nat("setattr", |a, _| {
        nargs("setattr", &a, 3, 3)?;
        let name = ops::to_str(&a[1])?;
        crate::attr::setattr(&a[0], &name, a[2].clone())?;
        Ok(Value::None)
    }));
    m.insert("hasattr", nat("hasattr", |a, _| {
        nargs("hasattr", &a, 2, 2)?;
        let name = ops::to_str(&a[1])?;
        Ok(Value::Bool(crate::attr::hasattr(&a[0], &name)?))
    }));
    m.insert("delattr", nat("delattr", |a, _| {
        let name = ops::to_str(&a[1])?;
        crate::attr::delattr(&a[0], &name)?;
        Ok(Value::None)
    }));
    m.insert("vars", nat("vars", |a, _| {
        if a.is_empty() {
            return Err(type_error("vars() without arguments is not supported".into()));
        }
        crate::attr::getattr(&a[0], "__dict__")
    }));
    m.insert("dir", nat("dir", |a, _| {
        let mut names: Vec<String> = Vec::new();
        if let Some(o) = a.get(0) {
            if let Some(i) = as_inst(o) {
                names.extend(i.dict.borrow().entries.iter().map(|(k, _)| k.to_string()));
                let cls = i.class.borrow().clone();
                for c in class_of(&cls).mro.borrow().iter() {
                    names.extend(class_of(c).dict.borrow().entries.iter().map(|(k, _)| k.to_string()));
                }
            } else if let Some(c) = as_class(o) {
                for c in c.mro.borrow().iter() {
                    names.extend(class_of(c).dict.borrow().entries.iter().map(|(k, _)| k.to_string()));
                }
            } else if let Value::Obj(ob) = o {
                if let Obj::Module(m) = &**ob {
                    names.extend(m.dict.borrow().entries.iter().map(|(k, _)| k.to_string()));
                }
            }
        }
        names.sort();
        names.dedup();
        Ok(crate::list(names.into_iter().map(Value::string).collect()))
    }));
    m.insert("format", nat("format", |a, _| {
        nargs("format", &a, 1, 2)?;
        let spec = match a.get(1) {
            Some(Value::Str(s)) => s.s.clone(),
            Some(x) => return Err(type_error(format!("format() argument 2 must be str, not {}", type_name(x)))),
            None => String::new(),
        };
        Ok(Value::string(crate::format::format(&a[0], &spec)?))
    }));
    m.insert("input", nat("input", |a, _| {
        let prompt = match a.get(0) {
            Some(p) => ops::to_str(p)?,
            None => String::new(),
        };
        crate::rtsys::input(&prompt)
    }));
    m.insert("complex", crate::ext::complex::class());
    m.insert("bytearray", crate::ext::bytearray::class());
    m.insert("memoryview", crate::ext::memview::class());
    m.insert("__import__", nat("__import__", |a, _| {
        let name = ops::to_str(a.get(0).unwrap_or(&Value::None))?;
        if let Some(m) = crate::methods::dict_get(&crate::rtsys::sys_modules(), &Value::string(name.clone()))? {
            return Ok(m);
        }
        crate::stdlib::import_dynamic(&name)
    }));
    let exit = nat("exit", |a, _| Err(new_exc_args("SystemExit", a)));
    m.insert("exit", exit.clone());
    m.insert("quit", exit);
    m.insert("open", nat("open", |a, _| {
        let name = a.get(0).map(|v| ops::to_str(v).unwrap_or_default()).unwrap_or_default();
        Err(new_exc_args(
            "FileNotFoundError",
            vec![Value::Int(2), Value::str("No such file or directory")],
        ))
        .map_err(|e| {
            let _ = name;
            e
        })
    }));
    m
}

pub fn divmod(a: &Value, b: &Value) -> PyResult<Value> {
    if let (Value::Float(_), _) | (_, Value::Float(_)) = (a, b) {
        if ops::int_to_f64(b).map(|y| y == 0.0).unwrap_or(false) {
            return Err(new_exc("ZeroDivisionError", "float divmod()"));
        }
    }
    if ops::is_int(a) && ops::is_int(b) || matches!((a, b), (Value::Float(_), _) | (_, Value::Float(_))) {
        let q = ops::floordiv(a, b)?;
        let r = ops::modulo(a, b)?;
        return Ok(crate::tuple(vec![q, r]));
    }
    if let Some(r) = ops::call_dunder_slice(a, "__divmod__", &[b.clone()])? {
        return Ok(r);
    }
    if let Some(r) = ops::call_dunder_slice(b, "__rdivmod__", &[a.clone()])? {
        return Ok(r);
    }
    Err(type_error(format!(
        "unsupported operand type(s) for divmod(): '{}' and '{}'",
        type_name(a),
        type_name(b)
    )))
}

/// Calls of builtin type objects: int("7"), list(x), dict(a=1) ...
pub fn construct_builtin(cls: &Value, kind: BType, args: Vec<Value>, kw: Kw) -> PyResult<Value> {
    use BType as B;
    let name = class_of(cls).name.clone();
    let one = |a: &Vec<Value>| -> PyResult<Option<Value>> {
        if a.len() > 1 {
            return Err(type_error(format!("{} expected at most 1 argument, got {}", name, a.len())));
        }
        Ok(a.get(0).cloned())
    };
    match kind {
        B::Int => {
            let a = getargs("int", args, kw, &["x", "base"], 0)?;
            match &a[0] {
                None => Ok(Value::Int(0)),
                Some(x) => to_int(x, a[1].as_ref()),
            }
        }
        B::Float => match one(&args)? {
            None => Ok(Value::Float(0.0)),
            Some(x) => Ok(Value::Float(to_float(&x)?)),
        },
        B::Str => {
            let a = getargs("str", args, kw, &["object", "encoding", "errors"], 0)?;
            match (&a[0], &a[1]) {
                (None, _) => Ok(Value::str("")),
                (Some(Value::Bytes(b)), Some(_)) => Ok(Value::string(String::from_utf8_lossy(b).into_owned())),
                (Some(x), _) => Ok(Value::string(ops::to_str(x)?)),
            }
        }
        B::Bool => match one(&args)? {
            None => Ok(Value::Bool(false)),
            Some(x) => Ok(Value::Bool(ops::truthy(&x)?)),
        },
        B::List => match one(&args)? {
            None => Ok(crate::list(vec![])),
            Some(x) => Ok(crate::list(collect(&x)?)),
        },
        B::Tuple => match one(&args)? {
            None => Ok(crate::tuple(vec![])),
            Some(x) => match x {
                Value::Tuple(_) => Ok(x),
                _ => Ok(crate::tuple(collect(&x)?)),
            },
        },
        B::Set => match one(&args)? {
            None => crate::set(vec![]),
            Some(x) => crate::set_from_iterable(&x),
        },
        B::FrozenSet => match one(&args)? {
            None => crate::frozenset(vec![]),
            Some(x) => {
                let s = crate::set_from_iterable(&x)?;
                if let Value::Set(inner) = s {
                    return Ok(Value::FrozenSet(inner));
                }
                Ok(s)
            }
        },
        B::Dict => {
            let d = Value::Dict(Rc::new(RefCell::new(Dict::new())));
            if let Some(x) = one(&args)? {
                crate::methods::dict_update(&d, &x)?;
            }
            for (k, v) in kw {
                crate::methods::dict_set(&d, Value::string(k), v)?;
            }
            Ok(d)
        }
        B::Bytes => match args.get(0) {
            None => Ok(Value::Bytes(Rc::new(vec![]))),
            Some(Value::Str(s)) => Ok(Value::Bytes(Rc::new(s.s.as_bytes().to_vec()))),
            Some(Value::Int(n)) => Ok(Value::Bytes(Rc::new(vec![0; (*n).max(0) as usize]))),
            Some(x) => {
                let items = collect(x)?;
                let mut out = Vec::new();
                for i in items {
                    let n = i.as_i64().ok_or_else(|| type_error("an integer is required".into()))?;
                    if !(0..256).contains(&n) {
                        return Err(value_error("bytes must be in range(0, 256)".into()));
                    }
                    out.push(n as u8);
                }
                Ok(Value::Bytes(Rc::new(out)))
            }
        },
        B::Object => {
            if !args.is_empty() {
                return Err(type_error("object() takes no arguments".into()));
            }
            Ok(new_instance(cls))
        }
        B::Type => match args.len() {
            1 => Ok(type_of(&args[0])),
            3 => {
                let name = ops::to_str(&args[0])?;
                let bases = collect(&args[1])?;
                let mut ns = Vec::new();
                if let Value::Dict(d) = &args[2] {
                    for (k, v) in d.borrow().items() {
                        ns.push((ops::to_str(&k)?, v));
                    }
                }
                make_class(&name, &name, bases, ns, kw)
            }
            _ => Err(type_error("type() takes 1 or 3 arguments".into())),
        },
        B::Range => {
            let mut ints = Vec::new();
            for a in args.iter() {
                match crate::attr::to_index(a)? {
                    Some(i) => ints.push(i),
                    None => return Err(type_error(format!("'{}' object cannot be interpreted as an integer", type_name(a)))),
                }
            }
            let (a, b, s) = match ints.len() {
                1 => (0, ints[0], 1),
                2 => (ints[0], ints[1], 1),
                3 => (ints[0], ints[1], ints[2]),
                0 => return Err(type_error("range expected at least 1 argument, got 0".into())),
                n => return Err(type_error(format!("range expected at most 3 arguments, got {}", n))),
            };
            if s == 0 {
                return Err(value_error("range() arg 3 must not be zero".into()));
            }
            Ok(Value::obj(Obj::Range(a, b, s)))
        }
        B::Slice => {
            let g = |i: usize| args.get(i).cloned().unwrap_or(Value::None);
            Ok(match args.len() {
                1 => crate::slice(Value::None, g(0), Value::None),
                2 => crate::slice(g(0), g(1), Value::None),
                _ => crate::slice(g(0), g(1), g(2)),
            })
        }
        B::Property => {
            let a = getargs("property", args, kw, &["fget", "fset", "fdel", "doc"], 0)?;
            let g = |i: usize| a[i].clone().unwrap_or(Value::None);
            Ok(Value::obj(Obj::Property(g(0), g(1), g(2), g(3))))
        }
        B::StaticMethod => Ok(Value::obj(Obj::StaticMethod(args[0].clone()))),
        B::ClassMethod => Ok(Value::obj(Obj::ClassMethod(args[0].clone()))),
        B::Super => {
            if args.len() != 2 {
                return Err(new_exc("RuntimeError", "super(): no arguments"));
            }
            super_(&args[0], &args[1])
        }
        B::Module => {
            // types.ModuleType(name, doc=None)
            let a = getargs("module", args, kw, &["name", "doc"], 1)?;
            let n = match &a[0] {
                Some(Value::Str(s)) => s.s.clone(),
                Some(x) => return Err(type_error(format!("module.__init__() argument 'name' must be str, not {}", type_name(x)))),
                None => String::new(),
            };
            let m = crate::rtsys::new_module(&n, "");
            crate::rtsys::mod_set(&m, "__doc__", a[1].clone().unwrap_or(Value::None));
            Ok(m)
        }
        _ => Err(type_error(format!("cannot create '{}' instances", name))),
    }
}

/// Native methods of `object` and `BaseException`, installed once.
pub fn install_type_methods() {
    let object = TYPES.with(|t| t.by_kind[0].1.clone());
    let be = TYPES.with(|t| t.exc["BaseException"].clone());
    let set = |c: &Value, n: &str, v: Value| class_set(c, n, v);
    // object.__init__(self, *extra): CPython accepts extra arguments only
    // when the class overrides __new__ and not __init__ (then they were
    // meant for __new__); super().__init__(v) up to object is a TypeError.
    set(&object, "__init__", native("__init__", true, |a, kw| {
        if a.len() <= 1 && kw.is_empty() {
            return Ok(Value::None);
        }
        let cls = match a.get(0) {
            Some(s) => type_of(s),
            None => return Ok(Value::None),
        };
        let is_native = |v: &Option<Value>| matches!(v, Some(Value::Obj(o)) if matches!(&**o, Obj::Native(_)));
        let init_overridden = !is_native(&crate::object::lookup(&cls, "__init__"));
        let new_overridden = !is_native(&crate::object::lookup(&cls, "__new__"));
        if init_overridden {
            Err(type_error("object.__init__() takes exactly one argument (the instance to initialize)".into()))
        } else if !new_overridden {
            Err(type_error(format!("{}() takes no arguments", class_of(&cls).name)))
        } else {
            Ok(Value::None)
        }
    }));
    set(&object, "__new__", native("__new__", false, |a, kw| {
        match a.get(0) {
            Some(c) if as_class(c).is_some() => {
                // reached by super().__new__(cls, value) from a subclass of
                // tuple, int, str, float...: the builtin base's __new__,
                // which gives the instance its value
                let inst = new_instance(c);
                let kind = crate::object::class_of(c).base_kind;
                if kind != BType::Object && kind != BType::BaseException {
                    crate::stdlib::init_payload(&inst, kind, &a[1..], &kw)?;
                }
                Ok(inst)
            }
            _ => Err(type_error("object.__new__(X): X is not a type object".into())),
        }
    }));
    set(&object, "__setattr__", native("__setattr__", true, |a, _| {
        let name = ops::to_str(&a[1])?;
        crate::attr::generic_setattr(&a[0], &name, a[2].clone())?;
        Ok(Value::None)
    }));
    set(&object, "__getattribute__", native("__getattribute__", true, |a, _| {
        let name = ops::to_str(&a[1])?;
        crate::attr::getattr(&a[0], &name)
    }));
    set(&object, "__delattr__", native("__delattr__", true, |a, _| {
        let name = ops::to_str(&a[1])?;
        if let Some(i) = as_inst(&a[0]) {
            if i.dict.borrow_mut().remove(&name).is_some() {
                return Ok(Value::None);
            }
        }
        Err(new_exc("AttributeError", &name))
    }));
    set(&object, "__repr__", native("__repr__", true, |a, _| {
        let v = &a[0];
        if let Some(i) = as_inst(v) {
            let c = i.class.borrow().clone();
            let c = class_of(&c);
            return Ok(Value::string(format!("<{}.{} object at {:#x}>", c.module, c.qualname, ops::id_of(v))));
        }
        Ok(Value::string(ops::repr(v)?))
    }));
    set(&object, "__str__", native("__str__", true, |a, _| {
        if let Some(r) = ops::call_dunder(&a[0], "__repr__", vec![])? {
            return Ok(r);
        }
        Ok(Value::string(ops::repr(&a[0])?))
    }));
    set(&object, "__eq__", native("__eq__", true, |a, _| {
        Ok(if ops::is(&a[0], &a[1]) { Value::Bool(true) } else { singleton_not_implemented() })
    }));
    set(&object, "__ne__", native("__ne__", true, |a, _| {
        let r = ops::eq(&a[0], &a[1])?;
        Ok(Value::Bool(!ops::truthy(&r)?))
    }));
    set(&object, "__hash__", native("__hash__", true, |a, _| Ok(Value::Int(ops::id_of(&a[0]) >> 4))));
    set(&object, "__format__", native("__format__", true, |a, _| {
        let spec = ops::to_str(&a[1])?;
        if !spec.is_empty() {
            return Err(type_error(format!("unsupported format string passed to {}.__format__", type_name(&a[0]))));
        }
        Ok(Value::string(ops::to_str(&a[0])?))
    }));
    set(&object, "__init_subclass__", Value::obj(Obj::ClassMethod(native("__init_subclass__", false, |_, _| Ok(Value::None)))));
    set(&object, "__class_getitem__", Value::obj(Obj::ClassMethod(native("__class_getitem__", false, |a, _| Ok(a[0].clone())))));
    set(&be, "__init__", native("__init__", true, |a, _| {
        set_exc_args(&a[0], crate::tuple(a[1..].to_vec()));
        Ok(Value::None)
    }));
    set(&be, "__str__", native("__str__", true, |a, _| Ok(Value::string(exc_str(&a[0])?))));
    // ExceptionGroup(message, exceptions): .message and .exceptions (a tuple)
    for n in ["BaseExceptionGroup", "ExceptionGroup"] {
        let c = TYPES.with(|t| t.exc[n].clone());
        set(&c, "__init__", native("__init__", true, move |a, _| {
            if a.len() != 3 {
                return Err(type_error(format!("{} expected 2 arguments, got {}", n, a.len().saturating_sub(1))));
            }
            let msg = a[1].clone();
            if !matches!(msg, Value::Str(_)) {
                return Err(type_error("argument 1 must be str, not ".to_string() + &type_name(&msg)));
            }
            let excs = crate::tuple(crate::iter::collect(&a[2])?);
            if crate::len(&excs)? == 0 {
                return Err(crate::object::value_error("second argument (exceptions) must be a non-empty sequence".into()));
            }
            set_exc_args(&a[0], crate::tuple(vec![msg.clone(), excs.clone()]));
            if let Some(i) = as_inst(&a[0]) {
                let mut d = i.dict.borrow_mut();
                d.set("message", msg);
                d.set("exceptions", excs);
            }
            Ok(Value::None)
        }));
    }
    set(&be, "__repr__", native("__repr__", true, |a, _| Ok(Value::string(exc_repr(&a[0])?))));
    set(&be, "with_traceback", native("with_traceback", true, |a, _| Ok(a[0].clone())));
    set(&be, "add_note", native("add_note", true, |a, _| {
        let notes = match crate::attr::getattr(&a[0], "__notes__") {
            Ok(n) => n,
            Err(_) => {
                let l = crate::list(vec![]);
                crate::attr::generic_setattr(&a[0], "__notes__", l.clone())?;
                l
            }
        };
        crate::call::call_method(&notes, "append", vec![a[1].clone()], vec![])?;
        Ok(Value::None)
    }));
    // builtin container types: methods that unwrap the payload of instances
    // of their subclasses (class Stack(list), Counter, namedtuple ...)
    for k in [BType::Dict, BType::List, BType::Set, BType::Str, BType::Int, BType::Tuple] {
        let c = TYPES.with(|t| t.by_kind.iter().find(|(kk, _)| *kk == k).unwrap().1.clone());
        set(&c, "__init__", native("__init__", true, move |a, kw| {
            if let Some(i) = as_inst(&a[0]) {
                if matches!(k, BType::Tuple | BType::Str | BType::Int) {
                    return Ok(Value::None);
                }
                let p = construct_builtin(&type_for(k), k, a[1..].to_vec(), kw)?;
                *i.payload.borrow_mut() = p;
            }
            Ok(Value::None)
        }));
        let names: &[&'static str] = &[
            "__getitem__", "__setitem__", "__delitem__", "__contains__", "__len__", "__iter__", "__repr__", "__eq__",
            "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__add__", "__mul__", "__reversed__",
        ];
        for &name in names {
            set(&c, name, native(name, true, move |a, kw| {
                let recv = crate::stdlib3::payload(&a[0]);
                let rest: Vec<Value> = a[1..].iter().map(crate::stdlib3::payload).collect();
                if name == "__getitem__" {
                    if let Value::Dict(_) = recv {
                        if let Some(v) = crate::methods::dict_get(&recv, &rest[0])? {
                            return Ok(v);
                        }
                        if as_inst(&a[0]).is_some() {
                            if let Some(r) = ops::call_dunder(&a[0], "__missing__", vec![rest[0].clone()])? {
                                return Ok(r);
                            }
                        }
                        return Err(new_exc_args("KeyError", vec![rest[0].clone()]));
                    }
                }
                crate::methods::call_builtin_method(&recv, name, rest, kw)
            }));
        }
    }
}
