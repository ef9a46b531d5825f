//! `fractions.Fraction`, following CPython 3.11's fractions.py.
//!
//! A Fraction is an instance of the runtime class `Fraction` whose native
//! payload is the tuple (numerator, denominator) of Python ints, always in
//! lowest terms with a positive denominator.  The arithmetic runs on the
//! runtime's big integers, so fractions never overflow.
//!
//! The semantics are fractions.py's: an int or Fraction operand keeps the
//! result a Fraction, a float operand turns it into float arithmetic on
//! float(self), a complex one into complex arithmetic; `//` gives an int
//! and `%` a Fraction; `**` with an integral exponent is exact, otherwise a
//! float.  Equality and ordering with floats are exact (the float is
//! converted to its exact ratio), and `hash(Fraction(n, 1)) == hash(n)`
//! through the same modular hash CPython uses for every number.  Strings
//! accept "3/4", " -1.25e-3 ", "7"; `limit_denominator` is the continued
//! fraction walk of fractions.py.

use super::{meth, nat};
use crate::bigint::BigInt;
use crate::object::*;
use crate::ops::{int_from_big, to_big};
use crate::value::*;
use std::cell::RefCell;
use std::cmp::Ordering;

#[derive(Clone)]
pub struct Q {
    pub n: BigInt,
    pub d: BigInt,
}

thread_local! {
    static CLS: RefCell<Option<Value>> = RefCell::new(None);
}

fn big(i: i64) -> BigInt {
    BigInt::from_i64(i)
}

fn gcd(a: &BigInt, b: &BigInt) -> BigInt {
    let (mut a, mut b) = (a.abs(), b.abs());
    while !b.is_zero() {
        let r = a.divmod(&b).1;
        a = b;
        b = r;
    }
    a
}

fn sign(b: &BigInt) -> Ordering {
    b.cmp(&BigInt::zero())
}

fn zde_q(n: &BigInt) -> PyErr {
    new_exc("ZeroDivisionError", &format!("Fraction({}, 0)", n.to_string_radix(10)))
}

/// n/d in lowest terms (d != 0).
fn norm(n: BigInt, d: BigInt) -> PyResult<Q> {
    if d.is_zero() {
        return Err(zde_q(&n));
    }
    let mut g = gcd(&n, &d);
    if sign(&d) == Ordering::Less {
        g = g.neg();
    }
    if g.is_zero() {
        return Ok(Q { n, d });
    }
    Ok(Q { n: n.divmod(&g).0, d: d.divmod(&g).0 })
}

pub fn class() -> Value {
    if let Some(v) = CLS.with(|c| c.borrow().clone()) {
        return v;
    }
    let cls = build_class();
    CLS.with(|c| *c.borrow_mut() = Some(cls.clone()));
    cls
}

fn set_q(inst: &Value, q: &Q) {
    if let Some(i) = as_inst(inst) {
        *i.payload.borrow_mut() = crate::tuple(vec![int_from_big(q.n.clone()), int_from_big(q.d.clone())]);
    }
}

fn make_in(cls: &Value, q: Q) -> Value {
    let v = new_instance(cls);
    set_q(&v, &q);
    v
}

fn mk(q: Q) -> Value {
    make_in(&class(), q)
}

/// The value of a Fraction (an instance of Fraction or a subclass).
pub fn parts(v: &Value) -> Option<Q> {
    let i = as_inst(v)?;
    let p = i.payload.borrow();
    if let Value::Tuple(t) = &*p {
        if t.len() == 2 && is_subclass(&i.class.borrow(), &class()) {
            return Some(Q { n: to_big(&t[0])?, d: to_big(&t[1])? });
        }
    }
    None
}

/// An int or Fraction as a ratio.
fn rational(v: &Value) -> Option<Q> {
    match v {
        Value::Int(_) | Value::Big(_) | Value::Bool(_) => Some(Q { n: to_big(v)?, d: big(1) }),
        _ => parts(v),
    }
}

/// The exact ratio of a finite float.
fn from_f64(x: f64) -> PyResult<Q> {
    if x.is_nan() {
        return Err(value_error("cannot convert NaN to integer ratio".into()));
    }
    if x.is_infinite() {
        return Err(new_exc("OverflowError", "cannot convert Infinity to integer ratio"));
    }
    let (m, e) = crate::ops::frexp(x);
    // x = m * 2**e with 0.5 <= |m| < 1: scale m to a 53-bit integer
    let mant = BigInt::from_f64(m * 9007199254740992.0);
    let e = e - 53;
    if e >= 0 {
        norm(mant.mul(&big(2).pow(e as u64)), big(1))
    } else {
        norm(mant, big(2).pow((-e) as u64))
    }
}

fn to_f64(q: &Q) -> PyResult<f64> {
    crate::ops::big_truediv(&q.n, &q.d)
}

/// Fraction(string): fractions.py's _RATIONAL_FORMAT.
fn parse(s: &str) -> Option<Q> {
    let t = s.trim();
    let b = t.as_bytes();
    let mut i = 0;
    let mut neg = false;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        neg = b[i] == b'-';
        i += 1;
    }
    // digits with single underscores between digits
    let digits = |i: &mut usize| -> Option<String> {
        let start = *i;
        let mut out = String::new();
        while *i < b.len() && (b[*i].is_ascii_digit() || b[*i] == b'_') {
            if b[*i] == b'_' && (*i == start || !b[*i - 1].is_ascii_digit() || *i + 1 >= b.len() || !b[*i + 1].is_ascii_digit()) {
                return None;
            }
            if b[*i] != b'_' {
                out.push(b[*i] as char);
            }
            *i += 1;
        }
        Some(out)
    };
    let num = digits(&mut i)?;
    let mut n = if num.is_empty() { BigInt::zero() } else { BigInt::parse_digits(&num, 10)? };
    let mut d = big(1);
    if i < b.len() && b[i] == b'/' {
        if num.is_empty() {
            return None;
        }
        i += 1;
        let den = digits(&mut i)?;
        if den.is_empty() {
            return None;
        }
        d = BigInt::parse_digits(&den, 10)?;
    } else {
        let mut any = !num.is_empty();
        if i < b.len() && b[i] == b'.' {
            i += 1;
            let dec = digits(&mut i)?;
            if !dec.is_empty() {
                any = true;
                let scale = big(10).pow(dec.len() as u64);
                n = n.mul(&scale).add(&BigInt::parse_digits(&dec, 10)?);
                d = d.mul(&scale);
            }
        }
        if !any {
            return None;
        }
        if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
            i += 1;
            let mut eneg = false;
            if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                eneg = b[i] == b'-';
                i += 1;
            }
            let ex = digits(&mut i)?;
            if ex.is_empty() {
                return None;
            }
            let e: u64 = ex.parse().ok()?;
            if eneg {
                d = d.mul(&big(10).pow(e));
            } else {
                n = n.mul(&big(10).pow(e));
            }
        }
    }
    if i != b.len() {
        return None;
    }
    if neg {
        n = n.neg();
    }
    Some(Q { n, d })
}

fn construct(a: &[Value], kw: Kw) -> PyResult<Q> {
    let o = crate::methods::getargs("Fraction", a.to_vec(), kw, &["numerator", "denominator"], 0)?;
    let num = o[0].clone().unwrap_or(Value::Int(0));
    match &o[1] {
        None | Some(Value::None) => {
            if let Some(q) = rational(&num) {
                return Ok(q);
            }
            match &num {
                Value::Float(f) => from_f64(*f),
                Value::Str(s) => match parse(&s.s) {
                    Some(q) => norm(q.n, q.d),
                    None => Err(value_error(format!("Invalid literal for Fraction: {}", crate::ops::str_repr(&s.s)))),
                },
                _ => {
                    if let Some(r) = crate::ops::call_dunder(&num, "as_integer_ratio", vec![])? {
                        if let Value::Tuple(t) = &r {
                            if let (Some(n), Some(d)) = (t.get(0).and_then(to_big), t.get(1).and_then(to_big)) {
                                return norm(n, d);
                            }
                        }
                    }
                    Err(type_error("argument should be a string or a Rational instance".into()))
                }
            }
        }
        Some(den) => match (rational(&num), rational(den)) {
            (Some(x), Some(y)) => norm(x.n.mul(&y.d), x.d.mul(&y.n)),
            _ => Err(type_error("both arguments should be Rational instances".into())),
        },
    }
}

// ---------------------------------------------------------------- arithmetic

fn add(a: &Q, b: &Q) -> PyResult<Q> {
    norm(a.n.mul(&b.d).add(&b.n.mul(&a.d)), a.d.mul(&b.d))
}
fn sub(a: &Q, b: &Q) -> PyResult<Q> {
    norm(a.n.mul(&b.d).sub(&b.n.mul(&a.d)), a.d.mul(&b.d))
}
fn mul(a: &Q, b: &Q) -> PyResult<Q> {
    norm(a.n.mul(&b.n), a.d.mul(&b.d))
}
fn div(a: &Q, b: &Q) -> PyResult<Q> {
    if b.n.is_zero() {
        // fractions.py reduces a.n by gcd(a.n, 0) before it builds n/0
        return Err(zde_q(&big(match sign(&a.n) { Ordering::Less => -1, Ordering::Equal => 0, _ => 1 })));
    }
    norm(a.n.mul(&b.d), a.d.mul(&b.n))
}
fn floordiv(a: &Q, b: &Q) -> PyResult<BigInt> {
    let den = a.d.mul(&b.n);
    if den.is_zero() {
        return Err(new_exc("ZeroDivisionError", "integer division or modulo by zero"));
    }
    Ok(a.n.mul(&b.d).divmod(&den).0)
}
fn modq(a: &Q, b: &Q) -> PyResult<Q> {
    let den = b.n.mul(&a.d);
    if den.is_zero() {
        return Err(new_exc("ZeroDivisionError", "integer division or modulo by zero"));
    }
    norm(a.n.mul(&b.d).divmod(&den).1, a.d.mul(&b.d))
}

fn cmp_q(a: &Q, b: &Q) -> Ordering {
    a.n.mul(&b.d).cmp(&b.n.mul(&a.d))
}

/// a ** b for an integral exponent b.
fn powi(a: &Q, p: &BigInt) -> PyResult<Q> {
    let e = p.abs().to_i64().filter(|e| *e <= 1 << 40).ok_or_else(|| new_exc("OverflowError", "exponent too large"))? as u64;
    if sign(p) != Ordering::Less {
        return Ok(Q { n: a.n.pow(e), d: a.d.pow(e) });
    }
    if a.n.is_zero() {
        return Err(zde_q(&a.d.pow(e)));
    }
    if sign(&a.n) == Ordering::Greater {
        Ok(Q { n: a.d.pow(e), d: a.n.pow(e) })
    } else {
        Ok(Q { n: a.d.neg().pow(e), d: a.n.neg().pow(e) })
    }
}

enum Other {
    Q(Q),
    F(f64),
    C(Value),
    No,
}

fn other(v: &Value) -> PyResult<Other> {
    if let Some(q) = rational(v) {
        return Ok(Other::Q(q));
    }
    if let Value::Float(f) = v {
        return Ok(Other::F(*f));
    }
    if super::complex::parts(v).is_some() {
        return Ok(Other::C(v.clone()));
    }
    Ok(Other::No)
}

type QOp = fn(&Q, &Q) -> PyResult<Value>;

/// fractions.py's _operator_fallbacks: forward and reflected dunders.
fn binary(name: &'static str, qop: QOp, pyop: fn(&Value, &Value) -> PyResult<Value>, reflected: bool) -> Value {
    meth(name, move |a, _| {
        let me = parts(&a[0]).ok_or_else(|| type_error(format!("descriptor '{}' requires a 'Fraction' object", name)))?;
        let o = match a.get(1) {
            Some(v) => other(v)?,
            None => Other::No,
        };
        match o {
            Other::Q(q) => {
                if reflected {
                    qop(&q, &me)
                } else {
                    qop(&me, &q)
                }
            }
            Other::F(f) => {
                let x = Value::Float(to_f64(&me)?);
                if reflected {
                    pyop(&Value::Float(f), &x)
                } else {
                    pyop(&x, &Value::Float(f))
                }
            }
            Other::C(cv) => {
                let x = super::complex::make(to_f64(&me)?, 0.0);
                if reflected {
                    pyop(&cv, &x)
                } else {
                    pyop(&x, &cv)
                }
            }
            Other::No => Ok(Value::not_implemented()),
        }
    })
}

fn qv(r: PyResult<Q>) -> PyResult<Value> {
    r.map(mk)
}

fn pow_v(a: &Q, b: &Value) -> PyResult<Value> {
    match other(b)? {
        Other::Q(q) => {
            if q.d == big(1) {
                return qv(powi(a, &q.n));
            }
            crate::ops::pow(&Value::Float(to_f64(a)?), &Value::Float(to_f64(&q)?))
        }
        Other::F(f) => crate::ops::pow(&Value::Float(to_f64(a)?), &Value::Float(f)),
        Other::C(c) => crate::ops::pow(&super::complex::make(to_f64(a)?, 0.0), &c),
        Other::No => Ok(Value::not_implemented()),
    }
}

/// Compares with an int, Fraction or float (exactly); None if unordered
/// (NaN) or not a number.
fn rich_cmp(a: &Q, b: &Value) -> PyResult<Option<Option<Ordering>>> {
    Ok(match other(b)? {
        Other::Q(q) => Some(Some(cmp_q(a, &q))),
        Other::F(f) => {
            if f.is_nan() {
                Some(None)
            } else if f.is_infinite() {
                Some(Some(if f > 0.0 { Ordering::Less } else { Ordering::Greater }))
            } else {
                Some(Some(cmp_q(a, &from_f64(f)?)))
            }
        }
        _ => None,
    })
}

fn cmp_meth(name: &'static str, want: fn(Ordering) -> bool) -> Value {
    meth(name, move |a, _| {
        let me = parts(&a[0]).unwrap();
        match rich_cmp(&me, &a[1])? {
            None => Ok(Value::not_implemented()),
            Some(None) => Ok(Value::Bool(false)),
            Some(Some(o)) => Ok(Value::Bool(want(o))),
        }
    })
}

fn eq_v(me: &Q, b: &Value) -> PyResult<Value> {
    if let Some(z) = super::complex::parts(b) {
        if z.im != 0.0 {
            return Ok(Value::Bool(false));
        }
        return eq_v(me, &Value::Float(z.re));
    }
    match rich_cmp(me, b)? {
        None => Ok(Value::not_implemented()),
        Some(o) => Ok(Value::Bool(o == Some(Ordering::Equal))),
    }
}

fn hash_q(q: &Q) -> PyResult<i64> {
    let m = BigInt::from_i64((1i64 << 61) - 1);
    let h = match crate::ops::pow3(&int_from_big(q.d.clone()), &Value::Int(-1), &int_from_big(m)) {
        Ok(dinv) => {
            let hn = Value::Int(q.n.abs().py_hash());
            crate::ops::hash(&crate::ops::mul(&hn, &dinv)?)?
        }
        Err(_) => 314159,
    };
    let r = if sign(&q.n) == Ordering::Less { -h } else { h };
    Ok(if r == -1 { -2 } else { r })
}

fn round_half_even(q: &Q) -> BigInt {
    let (fl, rem) = q.n.divmod(&q.d);
    let twice = rem.mul(&big(2));
    match twice.cmp(&q.d) {
        Ordering::Less => fl,
        Ordering::Greater => fl.add(&big(1)),
        Ordering::Equal => {
            if fl.divmod(&big(2)).1.is_zero() {
                fl
            } else {
                fl.add(&big(1))
            }
        }
    }
}

fn me(a: &[Value]) -> PyResult<Q> {
    a.get(0).and_then(parts).ok_or_else(|| type_error("descriptor requires a 'Fraction' object".into()))
}

fn str_q(q: &Q) -> String {
    if q.d == big(1) {
        q.n.to_string_radix(10)
    } else {
        format!("{}/{}", q.n.to_string_radix(10), q.d.to_string_radix(10))
    }
}

fn limit_denominator(q: &Q, maxd: &BigInt) -> PyResult<Q> {
    if sign(maxd) != Ordering::Greater {
        return Err(value_error("max_denominator should be at least 1".into()));
    }
    if q.d.cmp(maxd) != Ordering::Greater {
        return Ok(q.clone());
    }
    let (mut p0, mut q0, mut p1, mut q1) = (big(0), big(1), big(1), big(0));
    let (mut n, mut d) = (q.n.clone(), q.d.clone());
    loop {
        let a = n.divmod(&d).0;
        let q2 = q0.add(&a.mul(&q1));
        if q2.cmp(maxd) == Ordering::Greater {
            break;
        }
        let np1 = p0.add(&a.mul(&p1));
        p0 = p1;
        q0 = q1;
        p1 = np1;
        q1 = q2;
        let nd = n.sub(&a.mul(&d));
        n = d;
        d = nd;
    }
    let k = maxd.sub(&q0).divmod(&q1).0;
    let bound1 = norm(p0.add(&k.mul(&p1)), q0.add(&k.mul(&q1)))?;
    let bound2 = norm(p1, q1)?;
    let d2 = sub(&bound2, q)?;
    let d1 = sub(&bound1, q)?;
    let abs = |x: &Q| Q { n: x.n.abs(), d: x.d.clone() };
    if cmp_q(&abs(&d2), &abs(&d1)) != Ordering::Greater {
        Ok(bound2)
    } else {
        Ok(bound1)
    }
}

fn getter(name: &'static str, f: fn(Q) -> BigInt) -> Value {
    let g = meth(name, move |a, _| Ok(int_from_big(f(me(&a)?))));
    Value::obj(Obj::Property(g, Value::None, Value::None, Value::None))
}

fn build_class() -> Value {
    let methods: Vec<(&str, Value)> = vec![
        ("__init__", meth("__init__", |a, kw| {
            let q = construct(&a[1..], kw)?;
            set_q(&a[0], &q);
            Ok(Value::None)
        })),
        ("__add__", binary("__add__", |x, y| qv(add(x, y)), crate::ops::add, false)),
        ("__radd__", binary("__radd__", |x, y| qv(add(x, y)), crate::ops::add, true)),
        ("__sub__", binary("__sub__", |x, y| qv(sub(x, y)), crate::ops::sub, false)),
        ("__rsub__", binary("__rsub__", |x, y| qv(sub(x, y)), crate::ops::sub, true)),
        ("__mul__", binary("__mul__", |x, y| qv(mul(x, y)), crate::ops::mul, false)),
        ("__rmul__", binary("__rmul__", |x, y| qv(mul(x, y)), crate::ops::mul, true)),
        ("__truediv__", binary("__truediv__", |x, y| qv(div(x, y)), crate::ops::truediv, false)),
        ("__rtruediv__", binary("__rtruediv__", |x, y| qv(div(x, y)), crate::ops::truediv, true)),
        ("__floordiv__", binary("__floordiv__", |x, y| Ok(int_from_big(floordiv(x, y)?)), crate::ops::floordiv, false)),
        ("__rfloordiv__", binary("__rfloordiv__", |x, y| Ok(int_from_big(floordiv(x, y)?)), crate::ops::floordiv, true)),
        ("__mod__", binary("__mod__", |x, y| qv(modq(x, y)), crate::ops::modulo, false)),
        ("__rmod__", binary("__rmod__", |x, y| qv(modq(x, y)), crate::ops::modulo, true)),
        ("__divmod__", binary("__divmod__", |x, y| Ok(crate::tuple(vec![int_from_big(floordiv(x, y)?), mk(modq(x, y)?)])), crate::divmod, false)),
        ("__rdivmod__", binary("__rdivmod__", |x, y| Ok(crate::tuple(vec![int_from_big(floordiv(x, y)?), mk(modq(x, y)?)])), crate::divmod, true)),
        ("__pow__", meth("__pow__", |a, _| pow_v(&me(&a)?, &a[1]))),
        ("__rpow__", meth("__rpow__", |a, _| {
            let b = me(&a)?;
            let base = &a[1];
            if b.d == big(1) && sign(&b.n) != Ordering::Less {
                return crate::ops::pow(base, &int_from_big(b.n));
            }
            if let Some(q) = rational(base) {
                return pow_v(&q, &a[0]);
            }
            if b.d == big(1) {
                return crate::ops::pow(base, &int_from_big(b.n));
            }
            crate::ops::pow(base, &Value::Float(to_f64(&b)?))
        })),
        ("__neg__", meth("__neg__", |a, _| {
            let q = me(&a)?;
            Ok(mk(Q { n: q.n.neg(), d: q.d }))
        })),
        ("__pos__", meth("__pos__", |a, _| Ok(mk(me(&a)?)))),
        ("__abs__", meth("__abs__", |a, _| {
            let q = me(&a)?;
            Ok(mk(Q { n: q.n.abs(), d: q.d }))
        })),
        ("__bool__", meth("__bool__", |a, _| Ok(Value::Bool(!me(&a)?.n.is_zero())))),
        ("__float__", meth("__float__", |a, _| Ok(Value::Float(to_f64(&me(&a)?)?)))),
        ("__int__", meth("__int__", |a, _| {
            let q = me(&a)?;
            let t = q.n.divmod_trunc(&q.d).0;
            Ok(int_from_big(t))
        })),
        ("__trunc__", meth("__trunc__", |a, _| {
            let q = me(&a)?;
            Ok(int_from_big(q.n.divmod_trunc(&q.d).0))
        })),
        ("__floor__", meth("__floor__", |a, _| {
            let q = me(&a)?;
            Ok(int_from_big(q.n.divmod(&q.d).0))
        })),
        ("__ceil__", meth("__ceil__", |a, _| {
            let q = me(&a)?;
            Ok(int_from_big(q.n.neg().divmod(&q.d).0.neg()))
        })),
        ("__round__", meth("__round__", |a, _| {
            let q = me(&a)?;
            match a.get(1) {
                None | Some(Value::None) => Ok(int_from_big(round_half_even(&q))),
                Some(nd) => {
                    let nd = nd.as_i64().ok_or_else(|| type_error("ndigits must be an integer".into()))?;
                    let shift = big(10).pow(nd.unsigned_abs());
                    if nd > 0 {
                        let r = round_half_even(&mul(&q, &Q { n: shift.clone(), d: big(1) })?);
                        qv(norm(r, shift))
                    } else {
                        let r = round_half_even(&div(&q, &Q { n: shift.clone(), d: big(1) })?);
                        qv(norm(r.mul(&shift), big(1)))
                    }
                }
            }
        })),
        ("__eq__", meth("__eq__", |a, _| eq_v(&me(&a)?, &a[1]))),
        ("__ne__", meth("__ne__", |a, _| {
            Ok(match eq_v(&me(&a)?, &a[1])? {
                Value::Bool(b) => Value::Bool(!b),
                o => o,
            })
        })),
        ("__lt__", cmp_meth("__lt__", |o| o == Ordering::Less)),
        ("__le__", cmp_meth("__le__", |o| o != Ordering::Greater)),
        ("__gt__", cmp_meth("__gt__", |o| o == Ordering::Greater)),
        ("__ge__", cmp_meth("__ge__", |o| o != Ordering::Less)),
        ("__hash__", meth("__hash__", |a, _| Ok(Value::Int(hash_q(&me(&a)?)?)))),
        ("__repr__", meth("__repr__", |a, _| {
            let q = me(&a)?;
            Ok(Value::string(format!("{}({}, {})", type_name(&a[0]), q.n.to_string_radix(10), q.d.to_string_radix(10))))
        })),
        ("__str__", meth("__str__", |a, _| Ok(Value::string(str_q(&me(&a)?))))),
        ("__format__", meth("__format__", |a, _| {
            let spec = match a.get(1) {
                Some(Value::Str(s)) => s.s.clone(),
                _ => String::new(),
            };
            if spec.is_empty() {
                return Ok(Value::string(str_q(&me(&a)?)));
            }
            Err(type_error(format!("unsupported format string passed to {}.__format__", type_name(&a[0]))))
        })),
        ("limit_denominator", meth("limit_denominator", |a, kw| {
            let q = me(&a)?;
            let o = crate::methods::getargs("limit_denominator", a[1..].to_vec(), kw, &["max_denominator"], 0)?;
            let m = match &o[0] {
                Some(v) => to_big(v).ok_or_else(|| type_error("max_denominator must be an integer".into()))?,
                None => big(1_000_000),
            };
            qv(limit_denominator(&q, &m))
        })),
        ("as_integer_ratio", meth("as_integer_ratio", |a, _| {
            let q = me(&a)?;
            Ok(crate::tuple(vec![int_from_big(q.n), int_from_big(q.d)]))
        })),
        ("__copy__", meth("__copy__", |a, _| Ok(a[0].clone()))),
        ("__deepcopy__", meth("__deepcopy__", |a, _| Ok(a[0].clone()))),
    ];
    let cls = crate::stdlib::heapq_bisect_itertools_functools::rt_class("Fraction", "fractions", vec![], methods);
    class_set(&cls, "numerator", getter("numerator", |q| q.n));
    class_set(&cls, "denominator", getter("denominator", |q| q.d));
    let from_float = nat("from_float", |a, _| {
        let cls = a.get(0).cloned().unwrap_or_else(class);
        match a.get(1) {
            Some(Value::Float(f)) => Ok(make_in(&cls, from_f64(*f)?)),
            Some(v) if rational(v).is_some() => Ok(make_in(&cls, rational(v).unwrap())),
            Some(v) => Err(type_error(format!(
                "{}.from_float() only takes floats, not {} ({})",
                class_of(&cls).name,
                crate::ops::repr(v)?,
                type_name(v)
            ))),
            None => Err(type_error("from_float() missing 1 required positional argument: 'f'".into())),
        }
    });
    class_set(&cls, "from_float", Value::obj(Obj::ClassMethod(from_float)));
    cls
}

pub fn module() -> Value {
    let md = crate::rtsys::new_module("fractions", "");
    crate::rtsys::mod_set(&md, "Fraction", class());
    md
}
