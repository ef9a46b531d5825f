//! `complex` and `cmath`, as CPython 3.11's complexobject.c and
//! cmathmodule.c compute them.
//!
//! A complex number is an instance of the runtime class `complex` whose
//! native payload is a tuple of two floats (real, imag), so no new `Value`
//! variant is needed: arithmetic reaches it through the ordinary dunder
//! dispatch (`1 + z` tries int's add, then `complex.__radd__`), hashing
//! through `__hash__`, printing through `__repr__`.  The payload never
//! changes after construction: complex numbers are immutable.
//!
//! Results must print the same digits as CPython, so every formula here is
//! CPython's own, operation for operation: mixed arithmetic converts the
//! int or float operand to complex(x, 0.0) first (3.11 semantics, which the
//! sign of a zero imaginary part shows), division is Smith's algorithm
//! (`_Py_c_quot`), an integer power up to 100 is repeated squaring
//! (`c_powi`) and anything else goes through polar form (`_Py_c_pow`).
//! `repr` is CPython's: the real part is left out when it is +0.0
//! (`2j`, but `(-0+2j)`), parts are the shortest round-tripping digits
//! without a trailing `.0`, and the imaginary part always carries its sign.
//!
//! cmath: sqrt, exp, log (with base), log10, phase, polar, rect, isclose,
//! isnan, isinf, isfinite, the trigonometric and hyperbolic sin, cos, tan
//! for finite arguments, and the constants.  The special-value tables
//! CPython consults for infinite and NaN arguments are not reproduced: for
//! those, results follow the finite formulas.

use super::{meth, nat};
use crate::object::*;
use crate::value::*;
use std::cell::RefCell;

#[derive(Clone, Copy)]
pub struct C {
    pub re: f64,
    pub im: f64,
}

const fn c(re: f64, im: f64) -> C {
    C { re, im }
}

thread_local! {
    static CLS: RefCell<Option<Value>> = RefCell::new(None);
}

/// The `complex` type (built once per thread).
pub fn class() -> Value {
    if let Some(v) = CLS.with(|c| c.borrow().clone()) {
        return v;
    }
    let cls = build_class();
    CLS.with(|c| *c.borrow_mut() = Some(cls.clone()));
    cls
}

/// A new complex number.
pub fn make(re: f64, im: f64) -> Value {
    let v = new_instance(&class());
    if let Some(i) = as_inst(&v) {
        *i.payload.borrow_mut() = Value::Tuple(std::rc::Rc::new(vec![Value::Float(re), Value::Float(im)]));
    }
    v
}

fn mk(z: C) -> Value {
    make(z.re, z.im)
}

/// The parts of a complex number (an instance of complex or a subclass).
pub fn parts(v: &Value) -> Option<C> {
    let i = as_inst(v)?;
    let p = i.payload.borrow();
    if let Value::Tuple(t) = &*p {
        if let (Some(Value::Float(a)), Some(Value::Float(b))) = (t.get(0), t.get(1)) {
            if t.len() == 2 && is_subclass(&i.class.borrow(), &class()) {
                return Some(c(*a, *b));
            }
        }
    }
    None
}

/// An int, bool, float or complex as a complex; None for anything else.
fn to_c(v: &Value) -> PyResult<Option<C>> {
    Ok(match v {
        Value::Int(_) | Value::Bool(_) | Value::Big(_) | Value::Float(_) => Some(c(crate::ops::int_to_f64(v)?, 0.0)),
        _ => parts(v),
    })
}

fn zde(m: &str) -> PyErr {
    new_exc("ZeroDivisionError", m)
}

// ---------------------------------------------------------------- arithmetic

fn prod(a: C, b: C) -> C {
    c(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)
}

/// `_Py_c_quot`: Smith's algorithm; None when dividing by zero.
pub fn quot(a: C, b: C) -> Option<C> {
    let abs_breal = b.re.abs();
    let abs_bimag = b.im.abs();
    if abs_breal >= abs_bimag {
        if abs_breal == 0.0 {
            return None;
        }
        let ratio = b.im / b.re;
        let denom = b.re + b.im * ratio;
        Some(c((a.re + a.im * ratio) / denom, (a.im - a.re * ratio) / denom))
    } else if abs_bimag >= abs_breal {
        let ratio = b.re / b.im;
        let denom = b.re * ratio + b.im;
        Some(c((a.re * ratio + a.im) / denom, (a.im * ratio - a.re) / denom))
    } else {
        Some(c(f64::NAN, f64::NAN))
    }
}

fn powu(x: C, n: i64) -> C {
    let mut r = c(1.0, 0.0);
    let mut p = x;
    let mut mask: i64 = 1;
    while mask > 0 && n >= mask {
        if n & mask != 0 {
            r = prod(r, p);
        }
        mask <<= 1;
        p = prod(p, p);
    }
    r
}

/// complex ** complex (`complex_pow`), with CPython's errors.
pub fn pow(a: C, b: C) -> PyResult<C> {
    let mut edom = false;
    let p = if b.im == 0.0 && b.re == b.re.floor() && b.re.abs() <= 100.0 {
        let n = b.re as i64;
        if n > 0 {
            powu(a, n)
        } else {
            match quot(c(1.0, 0.0), powu(a, -n)) {
                Some(q) => q,
                None => {
                    edom = true;
                    c(0.0, 0.0)
                }
            }
        }
    } else if b.re == 0.0 && b.im == 0.0 {
        c(1.0, 0.0)
    } else if a.re == 0.0 && a.im == 0.0 {
        if b.im != 0.0 || b.re < 0.0 {
            edom = true;
        }
        c(0.0, 0.0)
    } else {
        let vabs = a.re.hypot(a.im);
        let mut len = vabs.powf(b.re);
        let at = a.im.atan2(a.re);
        let mut phase = at * b.re;
        if b.im != 0.0 {
            len /= (at * b.im).exp();
            phase += b.im * vabs.ln();
        }
        c(len * crate::libm::cos(phase), len * crate::libm::sin(phase))
    };
    if edom {
        return Err(zde("0.0 to a negative or complex power"));
    }
    if p.re.is_infinite() || p.im.is_infinite() {
        return Err(new_exc("OverflowError", "complex exponentiation"));
    }
    Ok(p)
}

/// float ** float where CPython's float_pow hands over to complex (a
/// negative base and a non-integral exponent).
pub fn pow_real(x: f64, y: f64) -> PyResult<Value> {
    Ok(mk(pow(c(x, 0.0), c(y, 0.0))?))
}

fn abs_c(z: C) -> PyResult<f64> {
    let r = z.re.hypot(z.im);
    if r.is_infinite() && z.re.is_finite() && z.im.is_finite() {
        return Err(new_exc("OverflowError", "absolute value too large"));
    }
    Ok(r)
}

// ---------------------------------------------------------------- repr

fn part_repr(x: f64) -> String {
    let s = crate::format::float_repr(x);
    match s.strip_suffix(".0") {
        Some(t) => t.to_string(),
        None => s,
    }
}

fn signed(s: String) -> String {
    if s.starts_with('-') {
        s
    } else {
        format!("+{}", s)
    }
}

pub fn repr_c(z: C) -> String {
    if z.re == 0.0 && z.re.is_sign_positive() {
        format!("{}j", part_repr(z.im))
    } else {
        format!("({}{}j)", part_repr(z.re), signed(part_repr(z.im)))
    }
}

/// `format(z, spec)`: CPython's format_complex_internal.
fn format_c(z: C, spec: &str) -> PyResult<String> {
    if spec.is_empty() {
        return Ok(repr_c(z));
    }
    let ch: Vec<char> = spec.chars().collect();
    let mut i = 0;
    let (mut fill, mut align) = (' ', '\0');
    if ch.len() >= 2 && matches!(ch[1], '<' | '>' | '^' | '=') {
        fill = ch[0];
        align = ch[1];
        i = 2;
    } else if !ch.is_empty() && matches!(ch[0], '<' | '>' | '^' | '=') {
        align = ch[0];
        i = 1;
    }
    let mut sign = '\0';
    if i < ch.len() && matches!(ch[i], '+' | '-' | ' ') {
        sign = ch[i];
        i += 1;
    }
    let mut alt = false;
    if i < ch.len() && ch[i] == '#' {
        alt = true;
        i += 1;
    }
    if i < ch.len() && ch[i] == '0' {
        return Err(value_error("Zero padding is not allowed in complex format specifier".into()));
    }
    let mut width = 0usize;
    while i < ch.len() && ch[i].is_ascii_digit() {
        width = width * 10 + ch[i].to_digit(10).unwrap() as usize;
        i += 1;
    }
    let mut grouping = String::new();
    if i < ch.len() && matches!(ch[i], ',' | '_') {
        grouping.push(ch[i]);
        i += 1;
    }
    let mut prec: Option<usize> = None;
    if i < ch.len() && ch[i] == '.' {
        i += 1;
        let mut p = 0usize;
        while i < ch.len() && ch[i].is_ascii_digit() {
            p = p * 10 + ch[i].to_digit(10).unwrap() as usize;
            i += 1;
        }
        prec = Some(p);
    }
    let mut ty = if i < ch.len() { ch[i] } else { '\0' };
    if i + 1 < ch.len() || (ty != '\0' && !"eEfFgGn".contains(ty)) {
        return Err(value_error(format!("Unknown format code '{}' for object of type 'complex'", ty)));
    }
    if align == '=' {
        return Err(value_error("'=' alignment flag is not allowed in complex format specifier".into()));
    }
    let (mut skip_re, mut parens) = (false, false);
    if ty == '\0' {
        ty = 'r';
        if z.re == 0.0 && z.re.is_sign_positive() {
            skip_re = true;
        } else {
            parens = true;
        }
    }
    if ty == 'n' {
        ty = 'g';
    }
    if ty == 'r' && prec.is_some() {
        ty = 'g';
    }
    let part = |x: f64| -> PyResult<String> {
        if ty == 'r' {
            return Ok(part_repr(x));
        }
        let mut s = String::new();
        if alt {
            s.push('#');
        }
        s.push_str(&grouping);
        s.push('.');
        s.push_str(&prec.unwrap_or(6).to_string());
        s.push(ty);
        crate::format(&Value::Float(x), &s)
    };
    let mut body = String::new();
    if !skip_re {
        let r = part(z.re)?;
        if !r.starts_with('-') && (sign == '+' || sign == ' ') {
            body.push(sign);
        }
        body.push_str(&r);
    }
    let im = part(z.im)?;
    if im.starts_with('-') {
        body.push_str(&im);
    } else {
        body.push(if skip_re { if sign == '+' || sign == ' ' { sign } else { '\0' } } else { '+' });
        body = body.replace('\0', "");
        body.push_str(&im);
    }
    body.push('j');
    if parens {
        body = format!("({})", body);
    }
    let n = body.chars().count();
    if n >= width {
        return Ok(body);
    }
    let pad = width - n;
    let f = |k: usize| fill.to_string().repeat(k);
    Ok(match align {
        '<' => format!("{}{}", body, f(pad)),
        '^' => format!("{}{}{}", f(pad / 2), body, f(pad - pad / 2)),
        _ => format!("{}{}", f(pad), body),
    })
}

// ---------------------------------------------------------------- constructor

/// `complex(string)`: CPython's complex_from_string_inner.
fn parse(s: &str) -> Option<C> {
    let mut t = s.trim();
    if t.starts_with('(') {
        t = t.strip_prefix('(')?.strip_suffix(')')?.trim();
    }
    let t: String = t.chars().collect();
    if t.is_empty() || t.contains("__") || t.starts_with('_') {
        return None;
    }
    let b = t.as_bytes();
    // a float literal (with its sign) starting at i: returns its end
    let num_end = |mut i: usize| -> usize {
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let start = i;
        let low: String = t[i..].to_ascii_lowercase();
        for word in ["infinity", "inf", "nan"] {
            if low.starts_with(word) {
                return i + word.len();
            }
        }
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_' || b[i] == b'.') {
            i += 1;
        }
        if i > start && i < b.len() && (b[i] == b'e' || b[i] == b'E') {
            let mut k = i + 1;
            if k < b.len() && (b[k] == b'+' || b[k] == b'-') {
                k += 1;
            }
            let ds = k;
            while k < b.len() && b[k].is_ascii_digit() {
                k += 1;
            }
            if k > ds {
                i = k;
            }
        }
        i
    };
    let fl = |x: &str| -> Option<f64> {
        match x {
            "" | "+" => Some(1.0),
            "-" => Some(-1.0),
            _ => crate::builtins::parse_float(x),
        }
    };
    let e1 = num_end(0);
    let is_j = |i: usize| i < b.len() && (b[i] == b'j' || b[i] == b'J');
    if e1 == b.len() {
        return Some(c(fl(&t[..e1]).filter(|_| e1 > 0)?, 0.0));
    }
    if is_j(e1) && e1 + 1 == b.len() {
        return Some(c(0.0, fl(&t[..e1])?));
    }
    if e1 == 0 || !(b[e1] == b'+' || b[e1] == b'-') {
        return None;
    }
    let re = fl(&t[..e1])?;
    let e2 = num_end(e1);
    if !is_j(e2) || e2 + 1 != b.len() {
        return None;
    }
    Some(c(re, fl(&t[e1..e2])?))
}

fn construct(args: &[Value], kw: Kw) -> PyResult<C> {
    let o = crate::methods::getargs("complex", args.to_vec(), kw, &["real", "imag"], 0)?;
    let (r, i) = (o[0].clone(), o[1].clone());
    if let Some(Value::Str(s)) = &r {
        if i.is_some() {
            return Err(type_error("complex() can't take second arg if first is a string".into()));
        }
        return parse(&s.s).ok_or_else(|| value_error("complex() arg is a malformed string".into()));
    }
    if let Some(Value::Str(_)) = &i {
        return Err(type_error("complex() second arg can't be a string".into()));
    }
    let conv = |v: &Value, first: bool| -> PyResult<C> {
        if let Some(z) = to_c(v)? {
            return Ok(z);
        }
        if let Some(r) = crate::ops::call_dunder(v, "__complex__", vec![])? {
            if let Some(z) = parts(&r) {
                return Ok(z);
            }
            return Err(type_error(format!("__complex__ returned non-complex (type {})", type_name(&r))));
        }
        if let Some(r) = crate::ops::call_dunder(v, "__float__", vec![])? {
            return Ok(c(crate::ops::int_to_f64(&r)?, 0.0));
        }
        if let Some(r) = crate::ops::call_dunder(v, "__index__", vec![])? {
            return Ok(c(crate::ops::int_to_f64(&r)?, 0.0));
        }
        Err(type_error(format!(
            "complex() {} argument must be a string or a number, not '{}'",
            if first { "first" } else { "second" },
            type_name(v)
        )))
    };
    let a = match &r {
        Some(v) => conv(v, true)?,
        None => c(0.0, 0.0),
    };
    let r_cx = r.as_ref().map(|v| parts(v).is_some()).unwrap_or(false);
    match &i {
        None => Ok(a),
        Some(v) => {
            let b = conv(v, false)?;
            let re = if parts(v).is_some() { a.re - b.im } else { a.re };
            let im = if r_cx { b.re + a.im } else { b.re };
            Ok(c(re, im))
        }
    }
}

// ---------------------------------------------------------------- the class

type Bin = fn(C, C) -> PyResult<C>;

fn binary(name: &'static str, f: Bin, reflected: bool) -> Value {
    meth(name, move |a, _| {
        let x = parts(&a[0]).ok_or_else(|| type_error(format!("descriptor '{}' requires a 'complex' object", name)))?;
        let y = match a.get(1).map(to_c).transpose()?.flatten() {
            Some(y) => y,
            None => return Ok(Value::not_implemented()),
        };
        Ok(mk(if reflected { f(y, x)? } else { f(x, y)? }))
    })
}

fn self_c(a: &[Value]) -> PyResult<C> {
    a.get(0).and_then(parts).ok_or_else(|| type_error("descriptor requires a 'complex' object".into()))
}

fn hash_c(z: C) -> i64 {
    let hr = crate::ops::hash_float(z.re) as u64;
    let hi = crate::ops::hash_float(z.im) as u64;
    let h = hr.wrapping_add(1000003u64.wrapping_mul(hi)) as i64;
    if h == -1 {
        -2
    } else {
        h
    }
}

fn eq_c(a: &Value, b: &Value) -> PyResult<Value> {
    let x = parts(a).unwrap();
    match b {
        Value::Int(_) | Value::Bool(_) | Value::Big(_) => {
            if x.im != 0.0 {
                return Ok(Value::Bool(false));
            }
            // exact comparison of the float with the int
            crate::ops::eq(&Value::Float(x.re), b)
        }
        Value::Float(f) => Ok(Value::Bool(x.re == *f && x.im == 0.0)),
        _ => match parts(b) {
            Some(y) => Ok(Value::Bool(x.re == y.re && x.im == y.im)),
            None => Ok(Value::not_implemented()),
        },
    }
}

fn getter(name: &'static str, f: fn(C) -> f64) -> Value {
    let g = meth(name, move |a, _| Ok(Value::Float(f(self_c(&a)?))));
    Value::obj(Obj::Property(g, Value::None, Value::None, Value::None))
}

fn build_class() -> Value {
    let methods: Vec<(&str, Value)> = vec![
        ("__init__", meth("__init__", |a, kw| {
            let z = construct(&a[1..], kw)?;
            if let Some(i) = as_inst(&a[0]) {
                *i.payload.borrow_mut() = Value::Tuple(std::rc::Rc::new(vec![Value::Float(z.re), Value::Float(z.im)]));
            }
            Ok(Value::None)
        })),
        ("__add__", binary("__add__", |x, y| Ok(c(x.re + y.re, x.im + y.im)), false)),
        ("__radd__", binary("__radd__", |x, y| Ok(c(x.re + y.re, x.im + y.im)), true)),
        ("__sub__", binary("__sub__", |x, y| Ok(c(x.re - y.re, x.im - y.im)), false)),
        ("__rsub__", binary("__rsub__", |x, y| Ok(c(x.re - y.re, x.im - y.im)), true)),
        ("__mul__", binary("__mul__", |x, y| Ok(prod(x, y)), false)),
        ("__rmul__", binary("__rmul__", |x, y| Ok(prod(x, y)), true)),
        ("__truediv__", binary("__truediv__", |x, y| quot(x, y).ok_or_else(|| zde("complex division by zero")), false)),
        ("__rtruediv__", binary("__rtruediv__", |x, y| quot(x, y).ok_or_else(|| zde("complex division by zero")), true)),
        ("__pow__", meth("__pow__", |a, _| {
            if a.len() > 2 && !a[2].is_none() {
                return Err(value_error("complex modulo".into()));
            }
            let x = self_c(&a)?;
            match a.get(1).map(to_c).transpose()?.flatten() {
                Some(y) => Ok(mk(pow(x, y)?)),
                None => Ok(Value::not_implemented()),
            }
        })),
        ("__rpow__", binary("__rpow__", pow, true)),
        ("__neg__", meth("__neg__", |a, _| {
            let z = self_c(&a)?;
            Ok(make(-z.re, -z.im))
        })),
        ("__pos__", meth("__pos__", |a, _| {
            let z = self_c(&a)?;
            Ok(make(z.re, z.im))
        })),
        ("__abs__", meth("__abs__", |a, _| Ok(Value::Float(abs_c(self_c(&a)?)?)))),
        ("__bool__", meth("__bool__", |a, _| {
            let z = self_c(&a)?;
            Ok(Value::Bool(z.re != 0.0 || z.im != 0.0))
        })),
        ("__eq__", meth("__eq__", |a, _| eq_c(&a[0], &a[1]))),
        ("__ne__", meth("__ne__", |a, _| {
            let r = eq_c(&a[0], &a[1])?;
            Ok(match r {
                Value::Bool(b) => Value::Bool(!b),
                other => other,
            })
        })),
        ("__hash__", meth("__hash__", |a, _| Ok(Value::Int(hash_c(self_c(&a)?))))),
        ("__repr__", meth("__repr__", |a, _| Ok(Value::string(repr_c(self_c(&a)?))))),
        ("__str__", meth("__str__", |a, _| Ok(Value::string(repr_c(self_c(&a)?))))),
        ("__format__", meth("__format__", |a, _| {
            let spec = match a.get(1) {
                Some(Value::Str(s)) => s.s.clone(),
                _ => String::new(),
            };
            Ok(Value::string(format_c(self_c(&a)?, &spec)?))
        })),
        ("__complex__", meth("__complex__", |a, _| {
            let z = self_c(&a)?;
            Ok(make(z.re, z.im))
        })),
        ("__getnewargs__", meth("__getnewargs__", |a, _| {
            let z = self_c(&a)?;
            Ok(crate::tuple(vec![Value::Float(z.re), Value::Float(z.im)]))
        })),
        ("conjugate", meth("conjugate", |a, _| {
            let z = self_c(&a)?;
            Ok(make(z.re, -z.im))
        })),
    ];
    let cls = crate::stdlib::heapq_bisect_itertools_functools::rt_class("complex", "builtins", vec![], methods);
    class_set(&cls, "real", getter("real", |z| z.re));
    class_set(&cls, "imag", getter("imag", |z| z.im));
    cls
}

/// Complex numbers are never ordered (used by the comparison error path).
pub fn is_complex(v: &Value) -> bool {
    parts(v).is_some()
}

// ---------------------------------------------------------------- cmath

fn arg_c(fname: &str, v: &Value) -> PyResult<C> {
    if let Some(z) = to_c(v)? {
        return Ok(z);
    }
    if let Some(r) = crate::ops::call_dunder(v, "__complex__", vec![])? {
        if let Some(z) = parts(&r) {
            return Ok(z);
        }
    }
    if let Some(r) = crate::ops::call_dunder(v, "__float__", vec![])? {
        return Ok(c(crate::ops::int_to_f64(&r)?, 0.0));
    }
    let _ = fname;
    Err(type_error(format!("must be real number, not {}", type_name(v))))
}

fn one(a: &[Value], name: &str) -> PyResult<C> {
    if a.len() != 1 {
        return Err(type_error(format!("{}() takes exactly one argument ({} given)", name, a.len())));
    }
    arg_c(name, &a[0])
}

const LARGE_DOUBLE: f64 = f64::MAX / 4.0;
const LOG_LARGE_DOUBLE: f64 = 708.3964185322641; // log(LARGE_DOUBLE)

fn c_sqrt(z: C) -> C {
    if z.re == 0.0 && z.im == 0.0 {
        return c(0.0, z.im);
    }
    if z.re.is_infinite() || z.im.is_infinite() || z.re.is_nan() || z.im.is_nan() {
        if z.im.is_infinite() {
            return c(f64::INFINITY, z.im);
        }
        if z.re == f64::NEG_INFINITY {
            return c(if z.im.is_nan() { f64::NAN } else { 0.0 }, if z.im.is_nan() { f64::INFINITY } else { f64::INFINITY.copysign(z.im) });
        }
        if z.re == f64::INFINITY {
            return c(f64::INFINITY, if z.im.is_nan() { f64::NAN } else { 0.0f64.copysign(z.im) });
        }
        return c(f64::NAN, f64::NAN);
    }
    let mut ax = z.re.abs();
    let ay = z.im.abs();
    let s;
    if ax < f64::MIN_POSITIVE && ay < f64::MIN_POSITIVE {
        ax = ldexp(ax, 53);
        s = ldexp((ax + ax.hypot(ldexp(ay, 53))).sqrt(), -27);
    } else {
        ax /= 8.0;
        s = 2.0 * (ax + ax.hypot(ay / 8.0)).sqrt();
    }
    let d = ay / (2.0 * s);
    if z.re >= 0.0 {
        c(s, d.copysign(z.im))
    } else {
        c(d, s.copysign(z.im))
    }
}

fn ldexp(x: f64, e: i32) -> f64 {
    x * 2f64.powi(e)
}

fn c_exp(z: C) -> PyResult<C> {
    let r = if z.re > LOG_LARGE_DOUBLE {
        let l = (z.re - 1.0).exp();
        c(l * crate::libm::cos(z.im) * std::f64::consts::E, l * crate::libm::sin(z.im) * std::f64::consts::E)
    } else {
        let l = z.re.exp();
        c(l * crate::libm::cos(z.im), l * crate::libm::sin(z.im))
    };
    if z.re.is_finite() && z.im.is_finite() && (r.re.is_infinite() || r.im.is_infinite()) {
        return Err(new_exc("OverflowError", "math range error"));
    }
    Ok(r)
}

fn c_log(z: C) -> PyResult<C> {
    let ax = z.re.abs();
    let ay = z.im.abs();
    let re;
    if z.re.is_nan() || z.im.is_nan() {
        re = if ax.is_infinite() || ay.is_infinite() { f64::INFINITY } else { f64::NAN };
    } else if ax.is_infinite() || ay.is_infinite() {
        re = f64::INFINITY;
    } else if ax > LARGE_DOUBLE || ay > LARGE_DOUBLE {
        re = (ax / 2.0).hypot(ay / 2.0).ln() + std::f64::consts::LN_2;
    } else if ax < f64::MIN_POSITIVE && ay < f64::MIN_POSITIVE {
        if ax > 0.0 || ay > 0.0 {
            re = ldexp(ax, 53).hypot(ldexp(ay, 53)).ln() - 53.0 * std::f64::consts::LN_2;
        } else {
            return Err(value_error("math domain error".into()));
        }
    } else {
        let h = ax.hypot(ay);
        if (0.71..=1.73).contains(&h) {
            let am = if ax > ay { ax } else { ay };
            let an = if ax > ay { ay } else { ax };
            re = ((am - 1.0) * (am + 1.0) + an * an).ln_1p() / 2.0;
        } else {
            re = h.ln();
        }
    }
    Ok(c(re, z.im.atan2(z.re)))
}

fn c_sinh(z: C) -> C {
    if z.re.abs() > LOG_LARGE_DOUBLE {
        let x_minus_one = z.re - 1.0f64.copysign(z.re);
        c(crate::libm::cos(z.im) * x_minus_one.sinh() * std::f64::consts::E, crate::libm::sin(z.im) * x_minus_one.cosh() * std::f64::consts::E)
    } else {
        c(crate::libm::cos(z.im) * z.re.sinh(), crate::libm::sin(z.im) * z.re.cosh())
    }
}

fn c_cosh(z: C) -> C {
    if z.re.abs() > LOG_LARGE_DOUBLE {
        let x_minus_one = z.re - 1.0f64.copysign(z.re);
        c(crate::libm::cos(z.im) * x_minus_one.cosh() * std::f64::consts::E, crate::libm::sin(z.im) * x_minus_one.sinh() * std::f64::consts::E)
    } else {
        c(crate::libm::cos(z.im) * z.re.cosh(), crate::libm::sin(z.im) * z.re.sinh())
    }
}

fn c_tanh(z: C) -> C {
    if z.re.abs() > LOG_LARGE_DOUBLE {
        c(1.0f64.copysign(z.re), 4.0 * crate::libm::sin(z.im) * crate::libm::cos(z.im) * (-2.0 * z.re.abs()).exp())
    } else {
        let tx = crate::libm::tanh(z.re);
        let ty = crate::libm::tan(z.im);
        let cx = 1.0 / z.re.cosh();
        let txty = tx * ty;
        let denom = 1.0 + txty * txty;
        c(tx * (1.0 + ty * ty) / denom, ((ty / denom) * cx) * cx)
    }
}

fn isclose(a: Vec<Value>, kw: Kw) -> PyResult<Value> {
    let o = crate::methods::getargs("isclose", a, kw, &["a", "b", "rel_tol", "abs_tol"], 2)?;
    let x = arg_c("isclose", o[0].as_ref().unwrap())?;
    let y = arg_c("isclose", o[1].as_ref().unwrap())?;
    let rel = match &o[2] {
        Some(v) => crate::ops::int_to_f64(v)?,
        None => 1e-9,
    };
    let abs_tol = match &o[3] {
        Some(v) => crate::ops::int_to_f64(v)?,
        None => 0.0,
    };
    if rel < 0.0 || abs_tol < 0.0 {
        return Err(value_error("tolerances must be non-negative".into()));
    }
    if x.re == y.re && x.im == y.im {
        return Ok(Value::Bool(true));
    }
    if x.re.is_infinite() || x.im.is_infinite() || y.re.is_infinite() || y.im.is_infinite() {
        return Ok(Value::Bool(false));
    }
    let diff = (x.re - y.re).hypot(x.im - y.im);
    let ab = y.re.hypot(y.im);
    let aa = x.re.hypot(x.im);
    Ok(Value::Bool(diff <= rel * ab || diff <= rel * aa || diff <= abs_tol))
}

pub fn cmath_module() -> Value {
    let md = crate::rtsys::new_module("cmath", "");
    let set = |n: &str, v: Value| crate::rtsys::mod_set(&md, n, v);
    set("pi", Value::Float(std::f64::consts::PI));
    set("e", Value::Float(std::f64::consts::E));
    set("tau", Value::Float(std::f64::consts::TAU));
    set("inf", Value::Float(f64::INFINITY));
    set("nan", Value::Float(f64::NAN));
    set("infj", make(0.0, f64::INFINITY));
    set("nanj", make(0.0, f64::NAN));
    set("sqrt", nat("sqrt", |a, _| Ok(mk(c_sqrt(one(&a, "sqrt")?)))));
    set("exp", nat("exp", |a, _| Ok(mk(c_exp(one(&a, "exp")?)?))));
    set("log", nat("log", |a, _| {
        if a.is_empty() || a.len() > 2 {
            return Err(type_error(format!("log expected at most 2 arguments, got {}", a.len())));
        }
        let x = c_log(arg_c("log", &a[0])?)?;
        if a.len() == 2 {
            let b = c_log(arg_c("log", &a[1])?)?;
            return quot(x, b).map(mk).ok_or_else(|| zde("complex division by zero"));
        }
        Ok(mk(x))
    }));
    set("log10", nat("log10", |a, _| {
        let r = c_log(one(&a, "log10")?)?;
        Ok(make(r.re / std::f64::consts::LN_10, r.im / std::f64::consts::LN_10))
    }));
    set("phase", nat("phase", |a, _| {
        let z = one(&a, "phase")?;
        Ok(Value::Float(z.im.atan2(z.re)))
    }));
    set("polar", nat("polar", |a, _| {
        let z = one(&a, "polar")?;
        let r = z.re.hypot(z.im);
        if r.is_infinite() && z.re.is_finite() && z.im.is_finite() {
            return Err(new_exc("OverflowError", "math range error"));
        }
        Ok(crate::tuple(vec![Value::Float(r), Value::Float(z.im.atan2(z.re))]))
    }));
    set("rect", nat("rect", |a, _| {
        if a.len() != 2 {
            return Err(type_error(format!("rect expected 2 arguments, got {}", a.len())));
        }
        let r = crate::ops::int_to_f64(&a[0])?;
        let phi = crate::ops::int_to_f64(&a[1])?;
        if phi == 0.0 {
            return Ok(make(r, r * phi));
        }
        Ok(make(r * crate::libm::cos(phi), r * crate::libm::sin(phi)))
    }));
    set("isclose", nat("isclose", isclose));
    set("isnan", nat("isnan", |a, _| {
        let z = one(&a, "isnan")?;
        Ok(Value::Bool(z.re.is_nan() || z.im.is_nan()))
    }));
    set("isinf", nat("isinf", |a, _| {
        let z = one(&a, "isinf")?;
        Ok(Value::Bool(z.re.is_infinite() || z.im.is_infinite()))
    }));
    set("isfinite", nat("isfinite", |a, _| {
        let z = one(&a, "isfinite")?;
        Ok(Value::Bool(z.re.is_finite() && z.im.is_finite()))
    }));
    set("sinh", nat("sinh", |a, _| Ok(mk(c_sinh(one(&a, "sinh")?)))));
    set("cosh", nat("cosh", |a, _| Ok(mk(c_cosh(one(&a, "cosh")?)))));
    set("tanh", nat("tanh", |a, _| Ok(mk(c_tanh(one(&a, "tanh")?)))));
    set("sin", nat("sin", |a, _| {
        let z = one(&a, "sin")?;
        let s = c_sinh(c(-z.im, z.re));
        Ok(make(s.im, -s.re))
    }));
    set("cos", nat("cos", |a, _| {
        let z = one(&a, "cos")?;
        Ok(mk(c_cosh(c(-z.im, z.re))))
    }));
    set("tan", nat("tan", |a, _| {
        let z = one(&a, "tan")?;
        let s = c_tanh(c(-z.im, z.re));
        Ok(make(s.im, -s.re))
    }));
    md
}
