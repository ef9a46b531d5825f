//! Operators, comparisons, hashing, truth, str() and repr().
//!
//! Every binary operator takes a fast path for the common inline cases
//! (int op int with overflow check, float op float) and falls back to the
//! general numeric tower (bool < int < big int < float) and then to dunder
//! dispatch with reflected operands, raising CPython's exact TypeError text
//! when nothing applies.  Integer results are always demoted to the inline
//! i64 form when they fit, so `Value::Big` means "does not fit in i64".

use crate::bigint::BigInt;
use crate::object::*;
use crate::value::*;
use std::cmp::Ordering;
use std::rc::Rc;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Op {
    Add,
    Sub,
    Mul,
    TrueDiv,
    FloorDiv,
    Mod,
    Pow,
    LShift,
    RShift,
    And,
    Or,
    Xor,
    MatMul,
}

impl Op {
    fn sym(self) -> &'static str {
        match self {
            Op::Add => "+",
            Op::Sub => "-",
            Op::Mul => "*",
            Op::TrueDiv => "/",
            Op::FloorDiv => "//",
            Op::Mod => "%",
            Op::Pow => "** or pow()",
            Op::LShift => "<<",
            Op::RShift => ">>",
            Op::And => "&",
            Op::Or => "|",
            Op::Xor => "^",
            Op::MatMul => "@",
        }
    }
    fn dunders(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Op::Add => ("__add__", "__radd__", "__iadd__"),
            Op::Sub => ("__sub__", "__rsub__", "__isub__"),
            Op::Mul => ("__mul__", "__rmul__", "__imul__"),
            Op::TrueDiv => ("__truediv__", "__rtruediv__", "__itruediv__"),
            Op::FloorDiv => ("__floordiv__", "__rfloordiv__", "__ifloordiv__"),
            Op::Mod => ("__mod__", "__rmod__", "__imod__"),
            Op::Pow => ("__pow__", "__rpow__", "__ipow__"),
            Op::LShift => ("__lshift__", "__rlshift__", "__ilshift__"),
            Op::RShift => ("__rshift__", "__rrshift__", "__irshift__"),
            Op::And => ("__and__", "__rand__", "__iand__"),
            Op::Or => ("__or__", "__ror__", "__ior__"),
            Op::Xor => ("__xor__", "__rxor__", "__ixor__"),
            Op::MatMul => ("__matmul__", "__rmatmul__", "__imatmul__"),
        }
    }
}

pub fn int_from_big(b: BigInt) -> Value {
    match b.to_i64() {
        Some(i) => Value::Int(i),
        None => Value::Big(Rc::new(b)),
    }
}

pub fn to_big(v: &Value) -> Option<BigInt> {
    match v {
        Value::Int(i) => Some(BigInt::from_i64(*i)),
        Value::Bool(b) => Some(BigInt::from_i64(*b as i64)),
        Value::Big(b) => Some((**b).clone()),
        _ => None,
    }
}

pub fn is_int(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Bool(_) | Value::Big(_))
}

pub fn int_to_f64(v: &Value) -> PyResult<f64> {
    match v {
        Value::Int(i) => Ok(*i as f64),
        Value::Bool(b) => Ok(*b as i64 as f64),
        Value::Big(b) => b.to_f64().ok_or_else(|| new_exc("OverflowError", "int too large to convert to float")),
        Value::Float(f) => Ok(*f),
        _ => Err(type_error(format!("must be real number, not {}", type_name(v)))),
    }
}

fn zde(m: &str) -> PyErr {
    new_exc("ZeroDivisionError", m)
}

pub fn float_mod(x: f64, y: f64) -> f64 {
    let mut m = x % y;
    if m != 0.0 {
        if (y < 0.0) != (m < 0.0) {
            m += y;
        }
    } else {
        m = 0.0f64.copysign(y);
    }
    m
}

pub fn float_floordiv(x: f64, y: f64) -> f64 {
    let m = x % y;
    let div = (x - m) / y;
    let mut m2 = m;
    let mut div2 = div;
    if m2 != 0.0 && ((y < 0.0) != (m2 < 0.0)) {
        m2 += y;
        div2 -= 1.0;
        let _ = m2;
    }
    if div2 != 0.0 {
        let mut fd = div2.floor();
        if div2 - fd > 0.5 {
            fd += 1.0;
        }
        fd
    } else {
        0.0f64.copysign(x / y)
    }
}

fn float_op(op: Op, x: f64, y: f64) -> PyResult<Value> {
    Ok(Value::Float(match op {
        Op::Add => x + y,
        Op::Sub => x - y,
        Op::Mul => x * y,
        Op::TrueDiv => {
            if y == 0.0 {
                return Err(zde("float division by zero"));
            }
            x / y
        }
        Op::FloorDiv => {
            if y == 0.0 {
                return Err(zde("float floor division by zero"));
            }
            float_floordiv(x, y)
        }
        Op::Mod => {
            if y == 0.0 {
                return Err(zde("float modulo"));
            }
            float_mod(x, y)
        }
        Op::Pow => {
            if x == 0.0 && y < 0.0 {
                return Err(zde("0.0 cannot be raised to a negative power"));
            }
            if x < 0.0 && y.fract() != 0.0 && y.is_finite() {
                return crate::ext::complex::pow_real(x, y);
            }
            let r = x.powf(y);
            if r.is_infinite() && x.is_finite() && y.is_finite() {
                return Err(new_exc_args(
                    "OverflowError",
                    vec![Value::Int(34), Value::str("Numerical result out of range")],
                ));
            }
            r
        }
        _ => return Err(PyErr { val: Value::None }),
    }))
}

pub fn big_truediv(a: &BigInt, b: &BigInt) -> PyResult<f64> {
    if b.is_zero() {
        return Err(zde("division by zero"));
    }
    if let (Some(x), Some(y)) = (a.to_i64(), b.to_i64()) {
        if x.unsigned_abs() <= 1 << 53 && y.unsigned_abs() <= 1 << 53 {
            return Ok(x as f64 / y as f64);
        }
    }
    let neg = a.neg != b.neg;
    let (a, b) = (a.abs(), b.abs());
    let shift: i64 = 56 - (a.bit_length() as i64 - b.bit_length() as i64);
    let (n, d) = if shift >= 0 { (a.shl(shift as usize), b) } else { (a, b.shl((-shift) as usize)) };
    let (q, r) = n.divmod(&d);
    let q2 = q.shl(1).add(&BigInt::from_i64(if r.is_zero() { 0 } else { 1 }));
    let f = q2.to_f64().unwrap_or(f64::INFINITY);
    let e = -(shift + 1);
    let r = f * 2f64.powi(e.clamp(-1074, 1023) as i32) * 2f64.powi((e - e.clamp(-1074, 1023)) as i32);
    if r.is_infinite() {
        return Err(new_exc("OverflowError", "integer division result too large for a float"));
    }
    Ok(if neg { -r } else { r })
}

fn int_op(op: Op, a: &Value, b: &Value) -> PyResult<Value> {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        let r = match op {
            Op::Add => x.checked_add(y),
            Op::Sub => x.checked_sub(y),
            Op::Mul => x.checked_mul(y),
            Op::FloorDiv => {
                if y == 0 {
                    return Err(zde("integer division or modulo by zero"));
                }
                if x == i64::MIN && y == -1 {
                    None
                } else {
                    let q = x / y;
                    Some(if (x % y != 0) && ((x < 0) != (y < 0)) { q - 1 } else { q })
                }
            }
            Op::Mod => {
                if y == 0 {
                    return Err(zde("integer modulo by zero"));
                }
                if y == -1 {
                    Some(0)
                } else {
                    let m = x % y;
                    Some(if m != 0 && ((m < 0) != (y < 0)) { m + y } else { m })
                }
            }
            Op::TrueDiv => {
                if y == 0 {
                    return Err(zde("division by zero"));
                }
                if x.unsigned_abs() <= 1 << 53 && y.unsigned_abs() <= 1 << 53 {
                    return Ok(Value::Float(x as f64 / y as f64));
                }
                None
            }
            Op::And => Some(x & y),
            Op::Or => Some(x | y),
            Op::Xor => Some(x ^ y),
            Op::LShift => {
                if y < 0 {
                    return Err(value_error("negative shift count".into()));
                }
                if x == 0 {
                    Some(0)
                } else if y < 63 && ((x << y) >> y) == x {
                    Some(x << y)
                } else {
                    None
                }
            }
            Op::RShift => {
                if y < 0 {
                    return Err(value_error("negative shift count".into()));
                }
                Some(if y >= 64 { if x < 0 { -1 } else { 0 } } else { x >> y })
            }
            Op::Pow => {
                if y < 0 {
                    if x == 0 {
                        return Err(zde("0.0 cannot be raised to a negative power"));
                    }
                    return float_op(Op::Pow, x as f64, y as f64);
                }
                let mut r: Option<i64> = Some(1);
                let mut base = Some(x);
                let mut e = y;
                while e > 0 {
                    if e & 1 == 1 {
                        r = match (r, base) {
                            (Some(r), Some(b)) => r.checked_mul(b),
                            _ => None,
                        };
                        if r.is_none() {
                            break;
                        }
                    }
                    e >>= 1;
                    if e > 0 {
                        base = base.and_then(|b| b.checked_mul(b));
                    }
                }
                r
            }
            Op::MatMul => return Err(unsupported(op, a, b)),
        };
        if let Some(r) = r {
            return Ok(Value::Int(r));
        }
    }
    let x = to_big(a).unwrap();
    let y = to_big(b).unwrap();
    Ok(match op {
        Op::Add => int_from_big(x.add(&y)),
        Op::Sub => int_from_big(x.sub(&y)),
        Op::Mul => int_from_big(x.mul(&y)),
        Op::FloorDiv | Op::Mod => {
            if y.is_zero() {
                return Err(zde(if op == Op::Mod { "integer modulo by zero" } else { "integer division or modulo by zero" }));
            }
            let (q, r) = x.divmod(&y);
            int_from_big(if op == Op::Mod { r } else { q })
        }
        Op::TrueDiv => Value::Float(big_truediv(&x, &y)?),
        Op::And => int_from_big(x.bitop(&y, '&')),
        Op::Or => int_from_big(x.bitop(&y, '|')),
        Op::Xor => int_from_big(x.bitop(&y, '^')),
        Op::LShift => {
            if y.neg {
                return Err(value_error("negative shift count".into()));
            }
            let n = y.to_i64().ok_or_else(|| new_exc("OverflowError", "too many digits in integer"))?;
            int_from_big(x.shl(n as usize))
        }
        Op::RShift => {
            if y.neg {
                return Err(value_error("negative shift count".into()));
            }
            match y.to_i64() {
                Some(n) => int_from_big(x.shr(n as usize)),
                None => Value::Int(if x.neg { -1 } else { 0 }),
            }
        }
        Op::Pow => {
            if y.neg {
                if x.is_zero() {
                    return Err(zde("0.0 cannot be raised to a negative power"));
                }
                return float_op(Op::Pow, int_to_f64(a)?, int_to_f64(b)?);
            }
            let e = y.to_i64().ok_or_else(|| new_exc("OverflowError", "exponent too large"))?;
            int_from_big(x.pow(e as u64))
        }
        Op::MatMul => return Err(unsupported(op, a, b)),
    })
}

fn is_num(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Bool(_) | Value::Big(_) | Value::Float(_))
}

fn num_op(op: Op, a: &Value, b: &Value) -> PyResult<Value> {
    if let (Value::Float(_), _) | (_, Value::Float(_)) = (a, b) {
        if matches!(op, Op::And | Op::Or | Op::Xor | Op::LShift | Op::RShift | Op::MatMul) {
            return Err(unsupported(op, a, b));
        }
        return float_op(op, int_to_f64(a)?, int_to_f64(b)?);
    }
    int_op(op, a, b)
}

pub fn unsupported(op: Op, a: &Value, b: &Value) -> PyErr {
    type_error(format!(
        "unsupported operand type(s) for {}: '{}' and '{}'",
        op.sym(),
        type_name(a),
        type_name(b)
    ))
}

fn seq_repeat(v: &Value, n: &Value) -> PyResult<Option<Value>> {
    let n = match n {
        Value::Int(i) => *i,
        Value::Bool(b) => *b as i64,
        Value::Big(_) => return Err(new_exc("OverflowError", "cannot fit 'int' into an index-sized integer")),
        _ => return Ok(None),
    };
    let n = n.max(0) as usize;
    Ok(Some(match v {
        Value::Str(s) => Value::string(s.s.repeat(n)),
        Value::List(l) => {
            let l = l.borrow();
            let mut out = Vec::with_capacity(l.len() * n);
            for _ in 0..n {
                out.extend(l.iter().cloned());
            }
            crate::list(out)
        }
        Value::Tuple(t) => {
            let mut out = Vec::with_capacity(t.len() * n);
            for _ in 0..n {
                out.extend(t.iter().cloned());
            }
            crate::tuple(out)
        }
        Value::Bytes(b) => Value::Bytes(Rc::new(b.repeat(n))),
        _ => return Ok(None),
    }))
}

/// Calls a user dunder on `obj`'s type; None when the type has none.
pub fn call_dunder(obj: &Value, name: &str, args: Vec<Value>) -> PyResult<Option<Value>> {
    call_dunder_slice(obj, name, &args)
}

/// `call_dunder` with borrowed arguments. A plain function (with up to
/// three arguments) or a binding native found on the class is called with
/// the receiver in front: what the bound method would do, without building
/// it or an argument Vec (dunders are looked up on the type, so the
/// instance dict cannot shadow them).
pub fn call_dunder_slice(obj: &Value, name: &str, args: &[Value]) -> PyResult<Option<Value>> {
    let f = match lookup_user(obj, name) {
        Some(f) => f,
        None => return Ok(None),
    };
    if let Value::Obj(fo) = &f {
        match &**fo {
            Obj::Func(_) if args.len() < 4 => {
                let mut buf: [Value; 4] = Default::default();
                buf[0] = obj.clone();
                for (slot, a) in buf[1..].iter_mut().zip(args) {
                    *slot = a.clone();
                }
                return Ok(Some(crate::call::call_args(&f, &buf[..args.len() + 1])?));
            }
            Obj::Native(nf) if nf.binds => {
                let mut a = Vec::with_capacity(args.len() + 1);
                a.push(obj.clone());
                a.extend(args.iter().cloned());
                return Ok(Some((nf.f)(a, Vec::new())?));
            }
            _ => {}
        }
    }
    let cls = type_of(obj);
    let m = bind(f, obj, &cls)?;
    Ok(Some(crate::call::call(&m, args.to_vec(), vec![])?))
}

fn is_notimpl(v: &Value) -> bool {
    matches!(v, Value::Obj(o) if matches!(&**o, Obj::NotImplemented))
}

pub fn binop(op: Op, a: &Value, b: &Value) -> PyResult<Value> {
    if is_num(a) && is_num(b) {
        return num_op(op, a, b);
    }
    match (op, a, b) {
        (Op::Add, Value::Str(x), Value::Str(y)) => {
            let mut s = String::with_capacity(x.s.len() + y.s.len());
            s.push_str(&x.s);
            s.push_str(&y.s);
            return Ok(Value::string(s));
        }
        (Op::Add, Value::List(x), Value::List(y)) => {
            let mut v = x.borrow().clone();
            v.extend(y.borrow().iter().cloned());
            return Ok(crate::list(v));
        }
        (Op::Add, Value::Tuple(x), Value::Tuple(y)) => {
            let mut v = (**x).clone();
            v.extend(y.iter().cloned());
            return Ok(crate::tuple(v));
        }
        (Op::Add, Value::Bytes(x), Value::Bytes(y)) => {
            let mut v = (**x).clone();
            v.extend(y.iter().cloned());
            return Ok(Value::Bytes(Rc::new(v)));
        }
        (Op::Mul, Value::Str(_), _) | (Op::Mul, Value::List(_), _) | (Op::Mul, Value::Tuple(_), _) | (Op::Mul, Value::Bytes(_), _) => {
            if let Some(r) = seq_repeat(a, b)? {
                return Ok(r);
            }
            if as_inst(b).is_none() {
                return Err(type_error(format!("can't multiply sequence by non-int of type '{}'", type_name(b))));
            }
        }
        (Op::Mul, _, Value::Str(_)) | (Op::Mul, _, Value::List(_)) | (Op::Mul, _, Value::Tuple(_)) => {
            if let Some(r) = seq_repeat(b, a)? {
                return Ok(r);
            }
            if as_inst(a).is_none() {
                return Err(type_error(format!("can't multiply sequence by non-int of type '{}'", type_name(a))));
            }
        }
        (Op::Mod, Value::Bytes(f), _) => {
            if as_inst(b).is_none() || lookup_user(b, "__rmod__").is_none() {
                return crate::ext::bytesx::percent(f, b);
            }
        }
        (Op::Mod, Value::Str(s), _) => {
            if as_inst(b).is_none() || lookup_user(b, "__rmod__").is_none() {
                return Ok(Value::string(crate::format::percent_format(&s.s, b)?));
            }
        }
        (Op::Sub, Value::Set(_), _) | (Op::Sub, Value::FrozenSet(_), _) | (Op::And, Value::Set(_), _) | (Op::And, Value::FrozenSet(_), _) | (Op::Or, Value::Set(_), _) | (Op::Or, Value::FrozenSet(_), _) | (Op::Xor, Value::Set(_), _) | (Op::Xor, Value::FrozenSet(_), _) => {
            if let Some(r) = crate::methods::set_binop(op, a, b)? {
                return Ok(r);
            }
        }
        (Op::Or, Value::Dict(x), Value::Dict(_)) => {
            let d = Value::Dict(Rc::new(std::cell::RefCell::new(x.borrow().clone())));
            crate::methods::dict_update(&d, b)?;
            return Ok(d);
        }
        _ => {}
    }
    if matches!(op, Op::And | Op::Or | Op::Sub | Op::Xor) {
        let is_view = |v: &Value| matches!(v, Value::Obj(o) if matches!(&**o, Obj::DictView(_, k) if *k != 1));
        if is_view(a) || is_view(b) {
            let sa = if is_view(a) { crate::set_from(&crate::iter::collect(a)?)? } else { a.clone() };
            let sb = if is_view(b) || !matches!(b, Value::Set(_) | Value::FrozenSet(_)) { crate::set_from(&crate::iter::collect(b)?)? } else { b.clone() };
            if let Value::Set(_) = sa {
                if let Some(r) = crate::methods::set_binop(op, &sa, &sb)? {
                    return Ok(r);
                }
            }
        }
    }
    let (l, r, _) = op.dunders();
    // a subclass operand on the right gets the first try with its reflected method
    let b_first = as_inst(b).is_some() && !crate::object::ptr_eq(&type_of(a), &type_of(b)) && is_subclass(&type_of(b), &type_of(a));
    if b_first {
        if let Some(res) = call_dunder_slice(b, r, std::slice::from_ref(a))? {
            if !is_notimpl(&res) {
                return Ok(res);
            }
        }
    }
    if let Some(res) = call_dunder_slice(a, l, std::slice::from_ref(b))? {
        if !is_notimpl(&res) {
            return Ok(res);
        }
    }
    if !b_first {
        if let Some(res) = call_dunder_slice(b, r, std::slice::from_ref(a))? {
            if !is_notimpl(&res) {
                return Ok(res);
            }
        }
    }
    if op == Op::Add {
        if let Value::Str(_) = a {
            return Err(type_error(format!("can only concatenate str (not \"{}\") to str", type_name(b))));
        }
        if let Value::List(_) = a {
            return Err(type_error(format!("can only concatenate list (not \"{}\") to list", type_name(b))));
        }
        if let Value::Tuple(_) = a {
            return Err(type_error(format!("can only concatenate tuple (not \"{}\") to tuple", type_name(b))));
        }
    }
    Err(unsupported(op, a, b))
}

pub fn inplace(op: Op, a: &Value, b: &Value) -> PyResult<Value> {
    match (op, a) {
        (Op::Add, Value::List(l)) => {
            if let Value::List(r) = b {
                let add = r.borrow().clone();
                l.borrow_mut().extend(add);
            } else {
                let items = crate::iter::collect(b)?;
                l.borrow_mut().extend(items);
            }
            return Ok(a.clone());
        }
        (Op::Mul, Value::List(l)) => {
            if let Some(n) = b.as_i64() {
                let cur = l.borrow().clone();
                let mut out = Vec::new();
                for _ in 0..n.max(0) {
                    out.extend(cur.iter().cloned());
                }
                *l.borrow_mut() = out;
                return Ok(a.clone());
            }
        }
        (Op::Or, Value::Set(_)) | (Op::And, Value::Set(_)) | (Op::Sub, Value::Set(_)) | (Op::Xor, Value::Set(_)) => {
            if let Value::Set(_) | Value::FrozenSet(_) = b {
                crate::methods::set_inplace(op, a, b)?;
                return Ok(a.clone());
            }
        }
        (Op::Or, Value::Dict(_)) => {
            crate::methods::dict_update(a, b)?;
            return Ok(a.clone());
        }
        (_, Value::Obj(_)) => {
            let (_, _, i) = op.dunders();
            if let Some(res) = call_dunder_slice(a, i, &[b.clone()])? {
                if !is_notimpl(&res) {
                    return Ok(res);
                }
            }
        }
        _ => {}
    }
    binop(op, a, b)
}

/// Inline float fast paths (both operands float, or float with a small int);
/// None defers to the general code (division by zero, other ops).
#[inline(always)]
fn float_fast(op: Op, a: &Value, b: &Value) -> Option<Value> {
    let (x, y) = match (a, b) {
        (Value::Float(x), Value::Float(y)) => (*x, *y),
        (Value::Float(x), Value::Int(y)) if y.unsigned_abs() < (1u64 << 53) => (*x, *y as f64),
        (Value::Int(x), Value::Float(y)) if x.unsigned_abs() < (1u64 << 53) => (*x as f64, *y),
        _ => return None,
    };
    match op {
        Op::Add => Some(Value::Float(x + y)),
        Op::Sub => Some(Value::Float(x - y)),
        Op::Mul => Some(Value::Float(x * y)),
        Op::TrueDiv if y != 0.0 => Some(Value::Float(x / y)),
        _ => None,
    }
}

macro_rules! binops {
    ($($name:ident $iname:ident $op:ident),*) => {
        $(
            #[inline]
            pub fn $name(a: &Value, b: &Value) -> PyResult<Value> {
                if let (Value::Int(x), Value::Int(y)) = (a, b) {
                    if let Some(r) = int_fast(Op::$op, *x, *y) {
                        return Ok(r);
                    }
                } else if let Some(r) = float_fast(Op::$op, a, b) {
                    return Ok(r);
                }
                binop(Op::$op, a, b)
            }
            #[inline]
            pub fn $iname(a: &Value, b: &Value) -> PyResult<Value> {
                if let (Value::Int(x), Value::Int(y)) = (a, b) {
                    if let Some(r) = int_fast(Op::$op, *x, *y) {
                        return Ok(r);
                    }
                } else if let Some(r) = float_fast(Op::$op, a, b) {
                    return Ok(r);
                }
                inplace(Op::$op, a, b)
            }
        )*
    };
}
binops!(sub isub Sub, mul imul Mul, truediv itruediv TrueDiv, floordiv ifloordiv FloorDiv,
        modulo imod Mod, matmul imatmul MatMul, lshift ilshift LShift, rshift irshift RShift,
        bitand iand And, bitor ior Or, bitxor ixor Xor);

/// Inline int fast paths; None defers to the general code (overflow, errors).
#[inline(always)]
fn int_fast(op: Op, x: i64, y: i64) -> Option<Value> {
    match op {
        Op::Sub => x.checked_sub(y).map(Value::Int),
        Op::Mul => x.checked_mul(y).map(Value::Int),
        Op::FloorDiv if y > 0 && x >= 0 => Some(Value::Int(x / y)),
        Op::Mod if y > 0 && x >= 0 => Some(Value::Int(x % y)),
        Op::And => Some(Value::Int(x & y)),
        Op::Or => Some(Value::Int(x | y)),
        Op::Xor => Some(Value::Int(x ^ y)),
        _ => None,
    }
}

#[inline]
pub fn add(a: &Value, b: &Value) -> PyResult<Value> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        if let Some(r) = x.checked_add(*y) {
            return Ok(Value::Int(r));
        }
    } else if let Some(r) = float_fast(Op::Add, a, b) {
        return Ok(r);
    }
    binop(Op::Add, a, b)
}
#[inline]
pub fn iadd(a: &Value, b: &Value) -> PyResult<Value> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        if let Some(r) = x.checked_add(*y) {
            return Ok(Value::Int(r));
        }
    } else if let Some(r) = float_fast(Op::Add, a, b) {
        return Ok(r);
    }
    inplace(Op::Add, a, b)
}
pub fn pow(a: &Value, b: &Value) -> PyResult<Value> {
    binop(Op::Pow, a, b)
}
pub fn ipow(a: &Value, b: &Value) -> PyResult<Value> {
    inplace(Op::Pow, a, b)
}

pub fn pow3(a: &Value, b: &Value, m: &Value) -> PyResult<Value> {
    if m.is_none() {
        return pow(a, b);
    }
    let (x, y, m) = match (to_big(a), to_big(b), to_big(m)) {
        (Some(x), Some(y), Some(m)) => (x, y, m),
        _ => {
            if let Some(r) = call_dunder_slice(a, "__pow__", &[b.clone(), m.clone()])? {
                return Ok(r);
            }
            return Err(type_error("pow() 3rd argument not allowed unless all arguments are integers".into()));
        }
    };
    if m.is_zero() {
        return Err(value_error("pow() 3rd argument cannot be 0".into()));
    }
    let mut base = x.divmod(&m).1;
    let mut e = y.clone();
    if e.neg {
        base = mod_inverse(&base, &m)?;
        e = e.neg();
    }
    let mut r = BigInt::from_i64(1).divmod(&m).1;
    let two = BigInt::from_i64(2);
    while !e.is_zero() {
        let (q, bit) = e.divmod(&two);
        if !bit.is_zero() {
            r = r.mul(&base).divmod(&m).1;
        }
        base = base.mul(&base).divmod(&m).1;
        e = q;
    }
    Ok(int_from_big(r))
}

fn mod_inverse(a: &BigInt, m: &BigInt) -> PyResult<BigInt> {
    let (mut old_r, mut r) = (a.clone(), m.abs());
    let (mut old_s, mut s) = (BigInt::from_i64(1), BigInt::zero());
    while !r.is_zero() {
        let (q, rem) = old_r.divmod(&r);
        old_r = std::mem::replace(&mut r, rem);
        let ns = old_s.sub(&q.mul(&s));
        old_s = std::mem::replace(&mut s, ns);
    }
    if old_r != BigInt::from_i64(1) {
        return Err(value_error("base is not invertible for the given modulus".into()));
    }
    Ok(old_s.divmod(m).1)
}

pub fn neg(a: &Value) -> PyResult<Value> {
    match a {
        Value::Int(i) => Ok(match i.checked_neg() {
            Some(r) => Value::Int(r),
            None => int_from_big(BigInt::from_i64(*i).neg()),
        }),
        Value::Bool(b) => Ok(Value::Int(-(*b as i64))),
        Value::Big(b) => Ok(int_from_big(b.neg())),
        Value::Float(f) => Ok(Value::Float(-f)),
        _ => match call_dunder(a, "__neg__", vec![])? {
            Some(r) => Ok(r),
            None => Err(type_error(format!("bad operand type for unary -: '{}'", type_name(a)))),
        },
    }
}

pub fn pos(a: &Value) -> PyResult<Value> {
    match a {
        Value::Int(_) | Value::Big(_) | Value::Float(_) => Ok(a.clone()),
        Value::Bool(b) => Ok(Value::Int(*b as i64)),
        _ => match call_dunder(a, "__pos__", vec![])? {
            Some(r) => Ok(r),
            None => Err(type_error(format!("bad operand type for unary +: '{}'", type_name(a)))),
        },
    }
}

pub fn invert(a: &Value) -> PyResult<Value> {
    match a {
        Value::Int(i) => Ok(Value::Int(!i)),
        Value::Bool(b) => Ok(Value::Int(!(*b as i64))),
        Value::Big(b) => Ok(int_from_big(b.add(&BigInt::from_i64(1)).neg())),
        _ => match call_dunder(a, "__invert__", vec![])? {
            Some(r) => Ok(r),
            None => Err(type_error(format!("bad operand type for unary ~: '{}'", type_name(a)))),
        },
    }
}

pub fn abs(a: &Value) -> PyResult<Value> {
    match a {
        Value::Int(i) => Ok(if *i < 0 { neg(a)? } else { a.clone() }),
        Value::Bool(b) => Ok(Value::Int(*b as i64)),
        Value::Big(b) => Ok(int_from_big(b.abs())),
        Value::Float(f) => Ok(Value::Float(f.abs())),
        _ => match call_dunder(a, "__abs__", vec![])? {
            Some(r) => Ok(r),
            None => Err(type_error(format!("bad operand type for abs(): '{}'", type_name(a)))),
        },
    }
}

// ---------------------------------------------------------------- truth

#[inline]
pub fn truthy(v: &Value) -> PyResult<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Int(i) => Ok(*i != 0),
        Value::None => Ok(false),
        _ => truthy_slow(v),
    }
}

#[inline(never)]
fn truthy_slow(v: &Value) -> PyResult<bool> {
    Ok(match v {
        Value::None => false,
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::Float(f) => *f != 0.0,
        Value::Big(_) => true,
        Value::Str(s) => !s.s.is_empty(),
        Value::Bytes(b) => !b.is_empty(),
        Value::List(l) => !l.borrow().is_empty(),
        Value::Tuple(t) => !t.is_empty(),
        Value::Dict(d) => d.borrow().len() > 0,
        Value::Set(s) | Value::FrozenSet(s) => s.borrow().len() > 0,
        Value::Obj(o) => match &**o {
            Obj::Inst(i) => {
                match crate::object::class_facts(&i.class.borrow(), |fx| fx.truth) {
                    crate::value::Truth::Always if i.payload.borrow().is_none() => return Ok(true),
                    crate::value::Truth::Deque => {
                        if let Some(n) = crate::stdlib::deque::payload_len(i) {
                            return Ok(n > 0);
                        }
                    }
                    _ => {}
                }
                if let Some(r) = call_dunder(v, "__bool__", vec![])? {
                    match r {
                        Value::Bool(b) => return Ok(b),
                        _ => return Err(type_error(format!("__bool__ should return bool, returned {}", type_name(&r)))),
                    }
                }
                if lookup_user(v, "__len__").is_some() {
                    return Ok(crate::builtins::len(v)? != 0);
                }
                let p = as_inst(v).unwrap().payload.borrow().clone();
                if !p.is_none() {
                    return truthy(&p);
                }
                true
            }
            Obj::Range(a, b, s) => crate::builtins::range_len(*a, *b, *s) > 0,
            Obj::DictView(d, _) => truthy(d)?,
            _ => true,
        },
    })
}

pub fn not_(v: &Value) -> PyResult<bool> {
    Ok(!truthy(v)?)
}

pub fn is(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::None, Value::None) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y && (-5..=256).contains(x),
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
        (Value::Str(x), Value::Str(y)) => Rc::ptr_eq(x, y) || (x.s.len() <= 1 && x.s == y.s),
        (Value::Big(x), Value::Big(y)) => Rc::ptr_eq(x, y),
        (Value::Bytes(x), Value::Bytes(y)) => Rc::ptr_eq(x, y),
        (Value::List(x), Value::List(y)) => Rc::ptr_eq(x, y),
        (Value::Tuple(x), Value::Tuple(y)) => Rc::ptr_eq(x, y) || (x.is_empty() && y.is_empty()),
        (Value::Dict(x), Value::Dict(y)) => Rc::ptr_eq(x, y),
        (Value::Set(x), Value::Set(y)) => Rc::ptr_eq(x, y),
        (Value::FrozenSet(x), Value::FrozenSet(y)) => Rc::ptr_eq(x, y),
        (Value::Obj(x), Value::Obj(y)) => Rc::ptr_eq(x, y) || matches!((&**x, &**y), (Obj::Ellipsis, Obj::Ellipsis) | (Obj::NotImplemented, Obj::NotImplemented)),
        _ => false,
    }
}

pub fn id_of(v: &Value) -> i64 {
    (match v {
        Value::None => 0x9a_5b40,
        Value::Bool(b) => 0x9a_4e20 + *b as usize * 32,
        Value::Int(i) => 0x1000_0000 + (*i as usize).wrapping_mul(32),
        Value::Float(f) => f.to_bits() as usize,
        Value::Big(x) => Rc::as_ptr(x) as usize,
        Value::Str(x) => Rc::as_ptr(x) as usize,
        Value::Bytes(x) => Rc::as_ptr(x) as usize,
        Value::List(x) => Rc::as_ptr(x) as *const u8 as usize,
        Value::Tuple(x) => Rc::as_ptr(x) as usize,
        Value::Dict(x) => Rc::as_ptr(x) as *const u8 as usize,
        Value::Set(x) | Value::FrozenSet(x) => Rc::as_ptr(x) as *const u8 as usize,
        Value::Obj(x) => Rc::as_ptr(x) as usize,
    }) as i64
}

// ---------------------------------------------------------------- comparisons

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn sym(self) -> &'static str {
        match self {
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
        }
    }
    fn dunder(self) -> (&'static str, &'static str) {
        match self {
            Cmp::Lt => ("__lt__", "__gt__"),
            Cmp::Le => ("__le__", "__ge__"),
            Cmp::Gt => ("__gt__", "__lt__"),
            Cmp::Ge => ("__ge__", "__le__"),
        }
    }
    fn test(self, o: Ordering) -> bool {
        match self {
            Cmp::Lt => o == Ordering::Less,
            Cmp::Le => o != Ordering::Greater,
            Cmp::Gt => o == Ordering::Greater,
            Cmp::Ge => o != Ordering::Less,
        }
    }
}

fn cmp_int_float(i: &Value, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    if f.is_infinite() {
        return Some(if f > 0.0 { Ordering::Less } else { Ordering::Greater });
    }
    if let Some(x) = i.as_i64() {
        if x.unsigned_abs() <= 1 << 53 {
            return (x as f64).partial_cmp(&f);
        }
    }
    let b = to_big(i).unwrap();
    let fl = f.floor();
    let fb = BigInt::from_f64(fl);
    match b.cmp(&fb) {
        Ordering::Equal => Some(if fl == f { Ordering::Equal } else { Ordering::Less }),
        o => Some(o),
    }
}

/// Numeric ordering; None for NaN or non-numbers.
pub fn num_cmp(a: &Value, b: &Value) -> Option<Option<Ordering>> {
    Some(match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y),
        (Value::Float(x), _) if is_int(b) => cmp_int_float(b, *x).map(|o| o.reverse()),
        (_, Value::Float(y)) if is_int(a) => cmp_int_float(a, *y),
        _ if is_int(a) && is_int(b) => Some(to_big(a).unwrap().cmp(&to_big(b).unwrap())),
        _ => return None,
    })
}

/// Equality for values that can be compared without user code.
pub fn fast_eq(a: &Value, b: &Value) -> Option<bool> {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => Some(Rc::ptr_eq(x, y) || x.s == y.s),
        (Value::Int(x), Value::Int(y)) => Some(x == y),
        (Value::None, Value::None) => Some(true),
        (Value::Str(_), Value::Int(_)) | (Value::Int(_), Value::Str(_)) => Some(false),
        _ => {
            if let Some(o) = num_cmp(a, b) {
                return Some(o == Some(Ordering::Equal));
            }
            let prim = |v: &Value| matches!(v, Value::None | Value::Bool(_) | Value::Int(_) | Value::Big(_) | Value::Float(_) | Value::Str(_) | Value::Bytes(_));
            if prim(a) && prim(b) {
                return Some(match (a, b) {
                    (Value::Bytes(x), Value::Bytes(y)) => x == y,
                    _ => false,
                });
            }
            None
        }
    }
}

pub fn eq_bool(a: &Value, b: &Value) -> PyResult<bool> {
    if let Some(r) = fast_eq(a, b) {
        return Ok(r);
    }
    match (a, b) {
        (Value::List(x), Value::List(y)) => {
            if Rc::ptr_eq(x, y) {
                return Ok(true);
            }
            let (x, y) = (x.borrow().clone(), y.borrow().clone());
            seq_eq(&x, &y)
        }
        (Value::Tuple(x), Value::Tuple(y)) => seq_eq(x, y),
        (Value::Dict(x), Value::Dict(y)) => {
            if Rc::ptr_eq(x, y) {
                return Ok(true);
            }
            if x.borrow().len() != y.borrow().len() {
                return Ok(false);
            }
            let items = x.borrow().items();
            for (k, v) in items {
                match crate::methods::dict_get(b, &k)? {
                    Some(v2) => {
                        if !is(&v, &v2) && !eq_bool(&v, &v2)? {
                            return Ok(false);
                        }
                    }
                    None => return Ok(false),
                }
            }
            Ok(true)
        }
        (Value::Set(x), Value::Set(y)) | (Value::Set(x), Value::FrozenSet(y)) | (Value::FrozenSet(x), Value::Set(y)) | (Value::FrozenSet(x), Value::FrozenSet(y)) => {
            if x.borrow().len() != y.borrow().len() {
                return Ok(false);
            }
            let vals = x.borrow().entries();
            for (k, h) in vals {
                if y.borrow().find(&k, h)?.is_none() {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        (Value::Obj(x), Value::Obj(y)) => match (&**x, &**y) {
            (Obj::Range(a1, b1, s1), Obj::Range(a2, b2, s2)) => {
                let (l1, l2) = (crate::builtins::range_len(*a1, *b1, *s1), crate::builtins::range_len(*a2, *b2, *s2));
                Ok(l1 == l2 && (l1 == 0 || (a1 == a2 && (l1 == 1 || s1 == s2))))
            }
            (Obj::Slice(a1, b1, c1), Obj::Slice(a2, b2, c2)) => Ok(eq_bool(a1, a2)? && eq_bool(b1, b2)? && eq_bool(c1, c2)?),
            (Obj::Method(s1, f1), Obj::Method(s2, f2)) => Ok(is(s1, s2) && is(f1, f2)),
            (Obj::Inst(_), _) | (_, Obj::Inst(_)) => rich_eq(a, b),
            (Obj::DictView(d1, k1), Obj::DictView(d2, k2)) if *k1 == 0 && *k2 == 0 => {
                let s1 = crate::set_from(&crate::iter::collect(d1)?)?;
                let s2 = crate::set_from(&crate::iter::collect(d2)?)?;
                eq_bool(&s1, &s2)
            }
            _ => Ok(Rc::ptr_eq(x, y)),
        },
        (Value::Obj(_), _) | (_, Value::Obj(_)) => rich_eq(a, b),
        _ => Ok(false),
    }
}

fn rich_eq(a: &Value, b: &Value) -> PyResult<bool> {
    if let Some(r) = call_dunder_slice(a, "__eq__", &[b.clone()])? {
        if !is_notimpl(&r) {
            return truthy(&r);
        }
    }
    if let Some(r) = call_dunder_slice(b, "__eq__", &[a.clone()])? {
        if !is_notimpl(&r) {
            return truthy(&r);
        }
    }
    Ok(is(a, b))
}

fn seq_eq(x: &[Value], y: &[Value]) -> PyResult<bool> {
    if x.len() != y.len() {
        return Ok(false);
    }
    for (p, q) in x.iter().zip(y.iter()) {
        if !is(p, q) && !eq_bool(p, q)? {
            return Ok(false);
        }
    }
    Ok(true)
}

#[inline]
pub fn eq(a: &Value, b: &Value) -> PyResult<Value> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return Ok(Value::Bool(x == y));
    }
    eq_slow(a, b)
}

fn eq_slow(a: &Value, b: &Value) -> PyResult<Value> {
    if as_inst(a).is_some() || as_inst(b).is_some() {
        if let Some(r) = call_dunder_slice(a, "__eq__", &[b.clone()])? {
            if !is_notimpl(&r) {
                return Ok(r);
            }
        }
        if let Some(r) = call_dunder_slice(b, "__eq__", &[a.clone()])? {
            if !is_notimpl(&r) {
                return Ok(r);
            }
        }
        return Ok(Value::Bool(is(a, b)));
    }
    Ok(Value::Bool(eq_bool(a, b)?))
}

#[inline]
pub fn ne(a: &Value, b: &Value) -> PyResult<Value> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return Ok(Value::Bool(x != y));
    }
    ne_slow(a, b)
}

fn ne_slow(a: &Value, b: &Value) -> PyResult<Value> {
    if as_inst(a).is_some() || as_inst(b).is_some() {
        if let Some(r) = call_dunder_slice(a, "__ne__", &[b.clone()])? {
            if !is_notimpl(&r) {
                return Ok(r);
            }
        }
        if let Some(r) = call_dunder_slice(b, "__ne__", &[a.clone()])? {
            if !is_notimpl(&r) {
                return Ok(r);
            }
        }
        let r = eq(a, b)?;
        return Ok(Value::Bool(!truthy(&r)?));
    }
    Ok(Value::Bool(!eq_bool(a, b)?))
}

fn seq_cmp(x: &[Value], y: &[Value], op: Cmp) -> PyResult<bool> {
    for (p, q) in x.iter().zip(y.iter()) {
        // ints and strs (sort keys such as (-count, word)) in one comparison
        // each instead of identity, equality and then the ordering
        match (p, q) {
            (Value::Int(a), Value::Int(b)) => {
                if a != b {
                    return Ok(op.test(a.cmp(b)));
                }
                continue;
            }
            (Value::Str(a), Value::Str(b)) => {
                let o = a.s.cmp(&b.s);
                if o != std::cmp::Ordering::Equal {
                    return Ok(op.test(o));
                }
                continue;
            }
            _ => {}
        }
        if !is(p, q) && !eq_bool(p, q)? {
            return compare_bool(p, q, op);
        }
    }
    Ok(op.test(x.len().cmp(&y.len())))
}

/// Two lists compared as CPython's list_richcompare does: item by item,
/// each pair taken under a short borrow (an item's `__eq__` may change
/// either list), the lengths read again after the last pair. No copy of
/// the lists is made.
fn list_cmp(x: &std::cell::RefCell<Vec<Value>>, y: &std::cell::RefCell<Vec<Value>>, op: Cmp) -> PyResult<bool> {
    let mut i = 0;
    loop {
        let pair = {
            let (xb, yb) = (x.borrow(), y.borrow());
            if i >= xb.len() || i >= yb.len() {
                break;
            }
            match (&xb[i], &yb[i]) {
                (Value::Int(a), Value::Int(b)) => {
                    if a != b {
                        return Ok(op.test(a.cmp(b)));
                    }
                    None
                }
                (Value::Str(a), Value::Str(b)) => {
                    let o = a.s.cmp(&b.s);
                    if o != std::cmp::Ordering::Equal {
                        return Ok(op.test(o));
                    }
                    None
                }
                (p, q) => Some((p.clone(), q.clone())),
            }
        };
        if let Some((p, q)) = pair {
            if !is(&p, &q) && !eq_bool(&p, &q)? {
                return compare_bool(&p, &q, op);
            }
        }
        i += 1;
    }
    let (n, m) = (x.borrow().len(), y.borrow().len());
    Ok(op.test(n.cmp(&m)))
}

pub fn compare(a: &Value, b: &Value, op: Cmp) -> PyResult<Value> {
    if let Some(o) = num_cmp(a, b) {
        return Ok(Value::Bool(match o {
            Some(o) => op.test(o),
            None => false,
        }));
    }
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => return Ok(Value::Bool(op.test(x.s.cmp(&y.s)))),
        (Value::Bytes(x), Value::Bytes(y)) => return Ok(Value::Bool(op.test(x.cmp(y)))),
        (Value::List(x), Value::List(y)) => return Ok(Value::Bool(list_cmp(x, y, op)?)),
        (Value::Tuple(x), Value::Tuple(y)) => return Ok(Value::Bool(seq_cmp(x, y, op)?)),
        (Value::Set(_) | Value::FrozenSet(_), Value::Set(_) | Value::FrozenSet(_)) => {
            let r = match op {
                Cmp::Le => crate::methods::set_issubset(a, b)?,
                Cmp::Ge => crate::methods::set_issubset(b, a)?,
                Cmp::Lt => crate::methods::set_issubset(a, b)? && crate::builtins::len(a)? < crate::builtins::len(b)?,
                Cmp::Gt => crate::methods::set_issubset(b, a)? && crate::builtins::len(a)? > crate::builtins::len(b)?,
            };
            return Ok(Value::Bool(r));
        }
        _ => {}
    }
    let (l, r) = op.dunder();
    if let Some(res) = call_dunder_slice(a, l, &[b.clone()])? {
        if !is_notimpl(&res) {
            return Ok(res);
        }
    }
    if let Some(res) = call_dunder_slice(b, r, &[a.clone()])? {
        if !is_notimpl(&res) {
            return Ok(res);
        }
    }
    Err(type_error(format!(
        "'{}' not supported between instances of '{}' and '{}'",
        op.sym(),
        type_name(a),
        type_name(b)
    )))
}

pub fn compare_bool(a: &Value, b: &Value, op: Cmp) -> PyResult<bool> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Ok(op.test(x.cmp(y))),
        _ => truthy(&compare(a, b, op)?),
    }
}

#[inline]
pub fn lt(a: &Value, b: &Value) -> PyResult<Value> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return Ok(Value::Bool(x < y));
    }
    compare(a, b, Cmp::Lt)
}
#[inline]
pub fn le(a: &Value, b: &Value) -> PyResult<Value> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return Ok(Value::Bool(x <= y));
    }
    compare(a, b, Cmp::Le)
}
#[inline]
pub fn gt(a: &Value, b: &Value) -> PyResult<Value> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return Ok(Value::Bool(x > y));
    }
    compare(a, b, Cmp::Gt)
}
#[inline]
pub fn ge(a: &Value, b: &Value) -> PyResult<Value> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return Ok(Value::Bool(x >= y));
    }
    compare(a, b, Cmp::Ge)
}

/// Total order used by sort: `a < b` with Python semantics.
pub fn lt_bool(a: &Value, b: &Value) -> PyResult<bool> {
    compare_bool(a, b, Cmp::Lt)
}

// ---------------------------------------------------------------- hashing

const HASH_MOD: i64 = (1i64 << 61) - 1;

pub fn hash_int(i: i64) -> i64 {
    let r = if i >= 0 { i % HASH_MOD } else { -((-(i as i128) % HASH_MOD as i128) as i64) };
    if r == -1 {
        -2
    } else {
        r
    }
}

pub fn hash_float(v: f64) -> i64 {
    if v.is_infinite() {
        return if v > 0.0 { 314159 } else { -314159 };
    }
    if v.is_nan() {
        return 0;
    }
    if v.fract() == 0.0 && v.abs() < 9.2e18 {
        return hash_int(v as i64);
    }
    const BITS: i32 = 61;
    let m_: u64 = HASH_MOD as u64;
    let (mut m, mut e) = frexp(v);
    let mut sign = 1i64;
    if m < 0.0 {
        sign = -1;
        m = -m;
    }
    let mut x: u64 = 0;
    while m != 0.0 {
        x = ((x << 28) & m_) | x >> (BITS - 28);
        m *= 268435456.0;
        e -= 28;
        let y = m as u64;
        m -= y as f64;
        x += y;
        if x >= m_ {
            x -= m_;
        }
    }
    let e = if e >= 0 { e % BITS } else { BITS - 1 - ((-1 - e) % BITS) };
    x = ((x << e) & m_) | x >> (BITS - e);
    let mut r = (x as i64).wrapping_mul(sign);
    if r == -1 {
        r = -2;
    }
    r
}

pub fn frexp(v: f64) -> (f64, i32) {
    if v == 0.0 || v.is_nan() || v.is_infinite() {
        return (v, 0);
    }
    let bits = v.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    if exp == 0 {
        let (m, e) = frexp(v * 2f64.powi(54));
        return (m, e - 54);
    }
    let e = exp - 1022;
    let m = f64::from_bits((bits & !(0x7ffu64 << 52)) | (1022u64 << 52));
    (m, e)
}

fn hash_bytes(b: &[u8]) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in b {
        h ^= x as u64;
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    let r = h as i64;
    if r == -1 {
        -2
    } else {
        r
    }
}

pub fn hash(v: &Value) -> PyResult<i64> {
    Ok(match v {
        Value::None => 0xFCA86420 >> 4,
        Value::Bool(b) => *b as i64,
        Value::Int(i) => hash_int(*i),
        Value::Big(b) => b.py_hash(),
        Value::Float(f) => hash_float(*f),
        Value::Str(s) => hash_bytes(s.s.as_bytes()),
        Value::Bytes(b) => hash_bytes(b),
        Value::Tuple(t) => {
            const P1: u64 = 11400714785074694791;
            const P2: u64 = 14029467366897019727;
            const P5: u64 = 2870177450012600261;
            let mut acc: u64 = P5;
            for x in t.iter() {
                let lane = hash(x)? as u64;
                acc = acc.wrapping_add(lane.wrapping_mul(P2));
                acc = acc.rotate_left(31);
                acc = acc.wrapping_mul(P1);
            }
            acc = acc.wrapping_add((t.len() as u64) ^ (P5 ^ 3527539));
            if acc == u64::MAX {
                1546275796
            } else {
                acc as i64
            }
        }
        Value::FrozenSet(s) => {
            let mut h: u64 = 0;
            for (_, eh) in s.borrow().entries() {
                let x = eh as u64;
                h ^= ((x ^ (x << 16)) ^ 89869747).wrapping_mul(3644798167);
            }
            h ^= (s.borrow().len() as u64 + 1).wrapping_mul(1927868237);
            h ^= (h >> 11) ^ (h >> 25);
            h = h.wrapping_mul(69069).wrapping_add(907133923);
            if h == u64::MAX {
                590923713
            } else {
                h as i64
            }
        }
        Value::List(_) | Value::Dict(_) | Value::Set(_) => {
            return Err(type_error(format!("unhashable type: '{}'", type_name(v))))
        }
        Value::Obj(o) => match &**o {
            Obj::Inst(_) => {
                let cls = type_of(v);
                let object_hash = class_of(&type_for(BType::Object)).dict.borrow().get("__hash__");
                let is_default = |f: &Value| object_hash.as_ref().map(|o| crate::object::ptr_eq(o, f)).unwrap_or(false);
                match lookup(&cls, "__hash__") {
                    Some(Value::None) => return Err(type_error(format!("unhashable type: '{}'", type_name(v)))),
                    Some(f) if !is_default(&f) => {
                        let r = crate::call::call(&bind(f, v, &cls)?, vec![], vec![])?;
                        match r {
                            Value::Int(i) => {
                                if i == -1 {
                                    -2
                                } else {
                                    i
                                }
                            }
                            Value::Big(b) => b.py_hash(),
                            Value::Bool(b) => b as i64,
                            _ => return Err(type_error("__hash__ method should return an integer".into())),
                        }
                    }
                    _ => {
                        let p = as_inst(v).unwrap().payload.borrow().clone();
                        if !p.is_none() && !matches!(p, Value::List(_) | Value::Dict(_) | Value::Set(_)) {
                            return hash(&p);
                        }
                        (id_of(v) >> 4) as i64
                    }
                }
            }
            Obj::Slice(..) => return Err(type_error("unhashable type: 'slice'".into())),
            Obj::Method(s, f) => hash(s)? ^ hash(f)?,
            _ => (id_of(v) >> 4) as i64,
        },
    })
}

// ---------------------------------------------------------------- str / repr

thread_local! {
    static REPR_GUARD: std::cell::RefCell<Vec<usize>> = std::cell::RefCell::new(Vec::new());
}

fn guarded(v: &Value, open: &str, f: impl FnOnce() -> PyResult<String>) -> PyResult<String> {
    let id = id_of(v) as usize;
    if REPR_GUARD.with(|g| g.borrow().contains(&id)) {
        return Ok(format!("{}...{}", open, match open {
            "[" => "]",
            "{" => "}",
            _ => ")",
        }));
    }
    REPR_GUARD.with(|g| g.borrow_mut().push(id));
    let r = f();
    REPR_GUARD.with(|g| g.borrow_mut().pop());
    r
}

pub fn is_printable(c: char) -> bool {
    crate::unicase::is_printable(c)
}

pub fn str_repr(s: &str) -> String {
    let q = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(q);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == q => {
                out.push('\\');
                out.push(c);
            }
            c if !is_printable(c) => {
                let u = c as u32;
                if u < 0x100 {
                    out.push_str(&format!("\\x{:02x}", u));
                } else if u < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", u));
                } else {
                    out.push_str(&format!("\\U{:08x}", u));
                }
            }
            c => out.push(c),
        }
    }
    out.push(q);
    out
}

pub fn bytes_repr(b: &[u8]) -> String {
    let q = if b.contains(&b'\'') && !b.contains(&b'"') { b'"' } else { b'\'' };
    let mut out = String::from("b");
    out.push(q as char);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            c if c == q => {
                out.push('\\');
                out.push(c as char);
            }
            0x20..=0x7e => out.push(c as char),
            c => out.push_str(&format!("\\x{:02x}", c)),
        }
    }
    out.push(q as char);
    out
}

fn join_repr(items: &[Value]) -> PyResult<String> {
    let mut s = String::new();
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str(&repr(x)?);
    }
    Ok(s)
}

thread_local! {
    static INT_MAX_STR_DIGITS: std::cell::Cell<usize> = const { std::cell::Cell::new(4300) };
}

/// sys.set_int_max_str_digits (0 = unlimited).
pub fn set_int_max_str_digits(n: usize) {
    INT_MAX_STR_DIGITS.with(|c| c.set(n));
}

pub fn int_max_str_digits() -> usize {
    INT_MAX_STR_DIGITS.with(|c| c.get())
}

/// Decimal text of a big int, with CPython 3.11's digit limit.
pub fn big_dec(b: &BigInt) -> PyResult<String> {
    let limit = int_max_str_digits();
    // bit_length * log10(2) bounds the digit count from below (cheap pre-check)
    if limit > 0 && (b.bit_length() as f64) * 0.30102999566398120 > limit as f64 {
        return Err(value_error(format!(
            "Exceeds the limit ({} digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit",
            limit
        )));
    }
    let s = b.to_string_radix(10);
    let digits = s.len() - b.neg as usize;
    if limit > 0 && digits > limit {
        return Err(value_error(format!(
            "Exceeds the limit ({} digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit",
            limit
        )));
    }
    Ok(s)
}

pub fn int_str(v: &Value) -> String {
    match v {
        Value::Int(i) => i.to_string(),
        Value::Bool(b) => (*b as i64).to_string(),
        Value::Big(b) => b.to_string_radix(10),
        _ => String::new(),
    }
}

pub fn int_str_checked(v: &Value) -> PyResult<String> {
    match v {
        Value::Big(b) => big_dec(b),
        _ => Ok(int_str(v)),
    }
}

pub fn repr(v: &Value) -> PyResult<String> {
    Ok(match v {
        Value::None => "None".into(),
        Value::Bool(b) => (if *b { "True" } else { "False" }).into(),
        Value::Int(i) => i.to_string(),
        Value::Big(b) => big_dec(b)?,
        Value::Float(f) => crate::format::float_repr(*f),
        Value::Str(s) => str_repr(&s.s),
        Value::Bytes(b) => bytes_repr(b),
        Value::List(l) => guarded(v, "[", || {
            let items = l.borrow().clone();
            Ok(format!("[{}]", join_repr(&items)?))
        })?,
        Value::Tuple(t) => {
            if t.len() == 1 {
                format!("({},)", repr(&t[0])?)
            } else {
                format!("({})", join_repr(t)?)
            }
        }
        Value::Dict(d) => guarded(v, "{", || {
            let items = d.borrow().items();
            let mut s = String::from("{");
            for (i, (k, x)) in items.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                s.push_str(&repr(k)?);
                s.push_str(": ");
                s.push_str(&repr(x)?);
            }
            s.push('}');
            Ok(s)
        })?,
        Value::Set(s) => {
            let items = s.borrow().values();
            if items.is_empty() {
                "set()".into()
            } else {
                format!("{{{}}}", join_repr(&items)?)
            }
        }
        Value::FrozenSet(s) => {
            let items = s.borrow().values();
            if items.is_empty() {
                "frozenset()".into()
            } else {
                format!("frozenset({{{}}})", join_repr(&items)?)
            }
        }
        Value::Obj(o) => match &**o {
            Obj::Inst(i) => {
                if let Some(r) = call_dunder(v, "__repr__", vec![])? {
                    return match r {
                        Value::Str(s) => Ok(s.s.clone()),
                        _ => Err(type_error(format!("__repr__ returned non-string (type {})", type_name(&r)))),
                    };
                }
                if i.exc.borrow().is_some() {
                    return exc_repr(v);
                }
                let p = i.payload.borrow().clone();
                if !p.is_none() {
                    return crate::stdlib::payload_repr(v, &p);
                }
                let c = i.class.borrow().clone();
                let c = class_of(&c);
                format!("<{}.{} object at {:#x}>", c.module, c.qualname, id_of(v))
            }
            Obj::Func(f) => format!("<function {} at {:#x}>", f.qualname.borrow(), id_of(v)),
            Obj::Native(n) => format!("<built-in function {}>", n.name),
            Obj::Class(c) => {
                if crate::stdlib5::is_enum_class(v) {
                    format!("<enum '{}'>", c.name)
                } else if c.builtin {
                    format!("<class '{}'>", c.name)
                } else {
                    format!("<class '{}.{}'>", c.module, c.qualname)
                }
            }
            Obj::Method(s, f) => {
                let fname = match f {
                    Value::Obj(fo) => match &**fo {
                        Obj::Func(func) => func.qualname.borrow().clone(),
                        Obj::Native(n) => n.name.clone(),
                        _ => "?".into(),
                    },
                    _ => "?".into(),
                };
                format!("<bound method {} of {}>", fname, repr(s)?)
            }
            Obj::BMethod(s, n) => format!("<built-in method {} of {} object at {:#x}>", n, type_name(s), id_of(s)),
            Obj::Iter(_) => format!("<{} object at {:#x}>", type_name(v), id_of(v)),
            Obj::Gen(g) => format!("<{} object {} at {:#x}>", g.type_name(), g.qualname, id_of(v)),
            Obj::Module(m) => {
                if m.file.is_empty() {
                    format!("<module '{}' (built-in)>", m.name)
                } else {
                    format!("<module '{}' from '{}'>", m.name, m.file)
                }
            }
            Obj::Slice(a, b, c) => format!("slice({}, {}, {})", repr(a)?, repr(b)?, repr(c)?),
            Obj::Range(a, b, s) => {
                if *s == 1 {
                    format!("range({}, {})", a, b)
                } else {
                    format!("range({}, {}, {})", a, b, s)
                }
            }
            Obj::Property(..) => format!("<property object at {:#x}>", id_of(v)),
            Obj::StaticMethod(_) => format!("<staticmethod object at {:#x}>", id_of(v)),
            Obj::ClassMethod(_) => format!("<classmethod object at {:#x}>", id_of(v)),
            Obj::Super(c, _) => format!("<super: <class '{}'>, <object>>", class_of(c).name),
            Obj::DictView(d, k) => {
                let items = crate::iter::collect(v)?;
                let _ = d;
                format!("{}([{}])", ["dict_keys", "dict_values", "dict_items"][*k as usize], join_repr(&items)?)
            }
            Obj::Ellipsis => "Ellipsis".into(),
            Obj::NotImplemented => "NotImplemented".into(),
            // a deque's payload; Python code sees the instance, never this
            Obj::Deque(_) => format!("<deque payload at {:#x}>", id_of(v)),
        },
    })
}

pub fn to_str(v: &Value) -> PyResult<String> {
    match v {
        Value::Str(s) => Ok(s.s.clone()),
        Value::Int(i) => Ok(i.to_string()),
        Value::Obj(o) => {
            if let Obj::Inst(i) = &**o {
                if let Some(r) = call_dunder(v, "__str__", vec![]) ? {
                    return match r {
                        Value::Str(s) => Ok(s.s.clone()),
                        _ => Err(type_error(format!("__str__ returned non-string (type {})", type_name(&r)))),
                    };
                }
                if i.exc.borrow().is_some() {
                    return exc_str(v);
                }
            }
            repr(v)
        }
        _ => repr(v),
    }
}

pub fn ascii(v: &Value) -> PyResult<String> {
    let r = repr(v)?;
    let mut out = String::new();
    for c in r.chars() {
        let u = c as u32;
        if u < 0x80 {
            out.push(c);
        } else if u < 0x100 {
            out.push_str(&format!("\\x{:02x}", u));
        } else if u < 0x10000 {
            out.push_str(&format!("\\u{:04x}", u));
        } else {
            out.push_str(&format!("\\U{:08x}", u));
        }
    }
    Ok(out)
}

pub fn contains(container: &Value, item: &Value) -> PyResult<bool> {
    match container {
        Value::Str(s) => match item {
            Value::Str(i) => Ok(s.s.contains(&i.s[..])),
            _ => Err(type_error(format!("'in <string>' requires string as left operand, not {}", type_name(item)))),
        },
        Value::List(l) => {
            let items = l.borrow().clone();
            for x in items.iter() {
                if is(x, item) || eq_bool(x, item)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Value::Tuple(t) => {
            for x in t.iter() {
                if is(x, item) || eq_bool(x, item)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Value::Dict(_) => Ok(crate::methods::dict_get(container, item)?.is_some()),
        Value::Set(s) | Value::FrozenSet(s) => {
            let h = match hash(item) {
                Ok(h) => h,
                Err(e) => {
                    if let Value::Set(_) = item {
                        let fs = crate::frozenset(crate::iter::collect(item)?)?;
                        return contains(container, &fs);
                    }
                    return Err(e);
                }
            };
            let r = s.borrow().find(item, h)?;
            Ok(r.is_some())
        }
        Value::Bytes(b) => match item {
            Value::Bytes(i) => Ok(i.is_empty() || b.windows(i.len()).any(|w| w == &i[..])),
            Value::Int(i) => Ok(b.contains(&(*i as u8))),
            _ => Err(type_error("a bytes-like object is required".into())),
        },
        Value::Obj(o) => match &**o {
            Obj::Range(a, b, s) => {
                if let Some(i) = item.as_i64() {
                    let n = crate::builtins::range_len(*a, *b, *s);
                    if n == 0 {
                        return Ok(false);
                    }
                    let off = i - a;
                    return Ok(off % s == 0 && off / s >= 0 && off / s < n);
                }
                generic_contains(container, item)
            }
            Obj::DictView(d, 0) => contains(d, item),
            Obj::Inst(_) => {
                if let Some(r) = call_dunder_slice(container, "__contains__", &[item.clone()])? {
                    return truthy(&r);
                }
                let p = as_inst(container).unwrap().payload.borrow().clone();
                if !p.is_none() && lookup_user(container, "__iter__").is_none() {
                    return contains(&p, item);
                }
                generic_contains(container, item)
            }
            _ => generic_contains(container, item),
        },
        _ => generic_contains(container, item),
    }
}

fn generic_contains(container: &Value, item: &Value) -> PyResult<bool> {
    let it = crate::iter::iter(container).map_err(|_| {
        type_error(format!("argument of type '{}' is not iterable", type_name(container)))
    })?;
    while let Some(x) = crate::iter::next(&it)? {
        if is(&x, item) || eq_bool(&x, item)? {
            return Ok(true);
        }
    }
    Ok(false)
}
