//! Helpers owned by the code generator (agents/rs_gen.c); the runtime
//! engineer does not edit this file after creating it.
//!
//! Generated modules import this as `rx`. Everything here is a thin layer
//! over the contract in docs/runtime-api.md: control-flow plumbing for
//! try/with (`Flow`, `try_sync`, `try_async`), function objects from plain
//! fns (`func`, `genexp`), class-body namespaces (`ns_*`), comparisons that
//! yield Rust bools, f-string conversions, import helpers, and the checked
//! i64 arithmetic of the unboxed fast path.

use crate::value::{Kw, Params, PyErr, PyResult, Value};
use crate::Cell;
use std::future::Future;
use std::cell::RefCell;
pub use crate::libm;
use std::rc::Rc;

/// How a `try`/`with` body ended when it did not raise.
pub enum Flow {
    Normal,
    Return(Value),
    Break,
    Continue,
}

/// Runs a try body (an immediately-called closure, so `?` works inside).
#[inline(always)]
pub fn try_sync<F: FnOnce() -> PyResult<Flow>>(f: F) -> PyResult<Flow> {
    f()
}

/// The same inside generators: the body is an `async` block awaited in place.
#[inline(always)]
pub fn try_async<F: Future<Output = PyResult<Flow>>>(f: F) -> F {
    f
}

/// The signature of every generated Python function.
pub type PyFn = fn(&Value, &[Cell], &[Value]) -> PyResult<Value>;

/// A function object for a generated fn: module globals, defaults, the cells
/// it closes over.
pub fn func(p: &'static Params, g: &Value, defaults: Vec<Value>, kwdefaults: Vec<(&'static str, Value)>, cells: Vec<Cell>, f: PyFn) -> Value {
    let g2 = g.clone();
    let v = crate::make_function(p, defaults, kwdefaults, move |a: &[Value]| f(&g2, &cells, a));
    if let Ok(name) = crate::mod_get(g, "__name__") {
        if let Value::Obj(o) = &v {
            if let crate::value::Obj::Func(func) = &**o {
                if let Some(s) = name.as_str() {
                    *func.module.borrow_mut() = s.to_string();
                }
            }
        }
    }
    v
}

/// A generator expression: its fn receives the already-iterated first iterable.
pub fn genexp(g: &Value, cells: Vec<Cell>, f: PyFn, it: Value) -> PyResult<Value> {
    f(g, &cells, &[it])
}

// ------------------------------------------------------------ class bodies

pub fn ns_get(ns: &[(String, Value)], g: &Value, name: &str) -> PyResult<Value> {
    for (k, v) in ns.iter().rev() {
        if k == name {
            return Ok(v.clone());
        }
    }
    crate::mod_get(g, name)
}

pub fn ns_set(ns: &mut Vec<(String, Value)>, name: &str, v: Value) {
    for e in ns.iter_mut() {
        if e.0 == name {
            e.1 = v;
            return;
        }
    }
    ns.push((name.to_string(), v));
}

pub fn ns_del(ns: &mut Vec<(String, Value)>, name: &str) -> PyResult<()> {
    match ns.iter().position(|e| e.0 == name) {
        Some(i) => {
            ns.remove(i);
            Ok(())
        }
        None => Err(crate::new_exc("NameError", &format!("name '{}' is not defined", name))),
    }
}

/// `x: T` in a class body: records the annotation in `__annotations__`.
pub fn ns_annotate(ns: &mut Vec<(String, Value)>, name: &str, ann: Value) -> PyResult<()> {
    let d = match ns.iter().find(|e| e.0 == "__annotations__") {
        Some(e) => e.1.clone(),
        None => {
            let d = crate::dict(vec![])?;
            ns.push(("__annotations__".to_string(), d.clone()));
            d
        }
    };
    crate::setitem(&d, &Value::str(name), ann)
}

// ------------------------------------------------------------ operators

#[inline]
pub fn in_(item: &Value, container: &Value) -> PyResult<bool> {
    crate::contains(container, item)
}

#[inline]
pub fn eq_b(a: &Value, b: &Value) -> PyResult<bool> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return Ok(x == y);
    }
    crate::eq_bool(a, b)
}

#[inline]
pub fn ne_b(a: &Value, b: &Value) -> PyResult<bool> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return Ok(x != y);
    }
    crate::truthy(&crate::ne(a, b)?)
}

macro_rules! ord_b {
    ($name:ident, $f:ident, $op:tt) => {
        #[inline]
        pub fn $name(a: &Value, b: &Value) -> PyResult<bool> {
            if let (Value::Int(x), Value::Int(y)) = (a, b) {
                return Ok(x $op y);
            }
            crate::truthy(&crate::$f(a, b)?)
        }
    };
}
ord_b!(lt_b, lt, <);
ord_b!(le_b, le, <=);
ord_b!(gt_b, gt, >);
ord_b!(ge_b, ge, >=);

/// One `{v!c:spec}` of an f-string (`c` is ' ' for no conversion).
pub fn fmt(v: &Value, conv: char, spec: &str) -> PyResult<String> {
    let conv_v;
    let v = match conv {
        'r' => {
            conv_v = Value::string(crate::repr(v)?);
            &conv_v
        }
        's' => {
            conv_v = Value::string(crate::to_str(v)?);
            &conv_v
        }
        'a' => {
            conv_v = Value::string(crate::ascii(v)?);
            &conv_v
        }
        _ => v,
    };
    crate::format(v, spec)
}

/// `name=value` in a call that also has `**m`: duplicates are a TypeError.
pub fn push_kw(kw: &mut Kw, name: &str, v: Value) -> PyResult<()> {
    if kw.iter().any(|e| e.0 == name) {
        return Err(crate::new_exc("TypeError", &format!("got multiple values for keyword argument '{}'", name)));
    }
    kw.push((name.to_string(), v));
    Ok(())
}

/// `{**m}` in a dict display.
pub fn extend_pairs(p: &mut Vec<(Value, Value)>, m: &Value) -> PyResult<()> {
    let keys = crate::call_method(m, "keys", vec![], vec![])?;
    let it = crate::iter(&keys)?;
    while let Some(k) = crate::next(&it)? {
        let v = crate::getitem(m, &k)?;
        p.push((k, v));
    }
    Ok(())
}

/// Big literal in base 16/8/2.
pub fn int_radix(digits: &str, base: u32) -> Value {
    let mut v = Value::int(0);
    let b = Value::int(base as i64);
    for c in digits.chars() {
        if let Some(d) = c.to_digit(base) {
            v = crate::add(&crate::mul(&v, &b).unwrap(), &Value::int(d as i64)).unwrap();
        }
    }
    v
}

// ------------------------------------------------------------ loops

/// `for x in range(...)` when `range` is the builtin: small-int ranges
/// count in plain i64 (no iterator object); anything else (big ints, bools,
/// errors) goes through the real `range` and its iterator.
pub enum RangeIter {
    Fast { i: i64, stop: i64, step: i64 },
    Slow(Value),
}

impl RangeIter {
    pub fn new(args: &[Value]) -> PyResult<RangeIter> {
        let mut v = [0i64; 3];
        let mut small = !args.is_empty() && args.len() <= 3;
        for (k, a) in args.iter().enumerate().take(3) {
            match a {
                Value::Int(x) => v[k] = *x,
                _ => small = false,
            }
        }
        if small {
            let (start, stop, step) = match args.len() {
                1 => (0, v[0], 1),
                2 => (v[0], v[1], 1),
                _ => (v[0], v[1], v[2]),
            };
            if step == 0 {
                return Err(crate::new_exc("ValueError", "range() arg 3 must not be zero"));
            }
            return Ok(RangeIter::Fast { i: start, stop, step });
        }
        let r = crate::call(&crate::builtin("range"), args.to_vec(), vec![])?;
        Ok(RangeIter::Slow(crate::iter(&r)?))
    }

    #[inline]
    pub fn next(&mut self) -> PyResult<Option<Value>> {
        match self {
            RangeIter::Fast { i, stop, step } => {
                if (*step > 0 && *i < *stop) || (*step < 0 && *i > *stop) {
                    let v = *i;
                    *i = match i.checked_add(*step) {
                        Some(n) => n,
                        None => *stop, // past the end of i64: the range is over
                    };
                    Ok(Some(Value::Int(v)))
                } else {
                    Ok(None)
                }
            }
            RangeIter::Slow(it) => crate::next(it),
        }
    }
}

// ------------------------------------------------------------ locals and frames

thread_local! {
    static UNBOUND: Value = crate::object::native("<unbound local>", false, |_, _| Ok(Value::None));
}

/// The marker a maybe-unbound local starts with (and `del x` puts back).
pub fn unbound() -> Value {
    UNBOUND.with(|u| u.clone())
}

/// A read of a maybe-unbound local: UnboundLocalError if it holds the marker.
#[inline]
pub fn local<'a>(v: &'a Value, name: &str) -> PyResult<&'a Value> {
    if let Value::Obj(o) = v {
        let hit = UNBOUND.with(|u| match u {
            Value::Obj(m) => std::rc::Rc::ptr_eq(m, o),
            _ => false,
        });
        if hit {
            return Err(crate::new_exc(
                "UnboundLocalError",
                &format!("cannot access local variable '{}' where it is not associated with a value", name),
            ));
        }
    }
    Ok(v)
}

/// The entry module's frame: run_main pushed it already; this only moves
/// its line (it is the innermost frame whenever the module's code runs).
pub struct TopFrame;

pub fn top_frame() -> TopFrame {
    TopFrame
}

impl TopFrame {
    #[inline]
    pub fn line(&self, n: u32) {
        crate::object::set_line(n);
    }
}

// ------------------------------------------------------------ match statements

/// A sequence pattern's subject: its items, or None when it is not a
/// sequence in the sense of PEP 634 (str, bytes and mappings are not).
pub fn match_seq(v: &Value) -> PyResult<Option<Vec<Value>>> {
    match v {
        Value::List(l) => Ok(Some(l.borrow().clone())),
        Value::Tuple(t) => Ok(Some((**t).clone())),
        Value::Str(_) | Value::Bytes(_) | Value::Dict(_) | Value::Set(_) | Value::FrozenSet(_) => Ok(None),
        Value::Obj(o) => match &**o {
            crate::value::Obj::Range(..) => Ok(Some(crate::collect(v)?)),
            crate::value::Obj::Inst(_) => {
                // user sequences: instances of list/tuple subclasses or with __getitem__ + __len__
                if crate::hasattr(v, "__len__")? && crate::hasattr(v, "__getitem__")? && !crate::hasattr(v, "keys")? {
                    Ok(Some(crate::collect(v)?))
                } else {
                    Ok(None)
                }
            }
            _ => Ok(None),
        },
        _ => Ok(None),
    }
}

pub fn is_mapping(v: &Value) -> bool {
    match v {
        Value::Dict(_) => true,
        Value::Obj(o) => matches!(&**o, crate::value::Obj::Inst(_)) && crate::hasattr(v, "keys").unwrap_or(false),
        _ => false,
    }
}

/// `{key: p}`: the value for key, None when absent.
pub fn map_get(m: &Value, k: &Value) -> PyResult<Option<Value>> {
    if !crate::contains(m, k)? {
        return Ok(None);
    }
    Ok(Some(crate::getitem(m, k)?))
}

/// `{**rest}`: a new dict without the matched keys.
pub fn map_rest(m: &Value, keys: &[Value]) -> PyResult<Value> {
    let mut p = Vec::new();
    extend_pairs(&mut p, m)?;
    let mut out = Vec::new();
    for (k, v) in p {
        let mut skip = false;
        for x in keys {
            if crate::eq_bool(&k, x)? {
                skip = true;
            }
        }
        if !skip {
            out.push((k, v));
        }
    }
    crate::dict(out)
}

/// `Cls(p1, p2, ...)`: None unless isinstance; else the values the
/// positional sub-patterns match against (via `__match_args__`, or the
/// subject itself for the builtin types that match themselves).
pub fn match_class(v: &Value, cls: &Value, npos: usize) -> PyResult<Option<Vec<Value>>> {
    if !crate::isinstance(v, cls)? {
        return Ok(None);
    }
    if npos == 0 {
        return Ok(Some(vec![]));
    }
    let name = crate::getattr(cls, "__name__").ok().and_then(|n| n.as_str().map(|s| s.to_string())).unwrap_or_default();
    let selfish = ["bool", "bytearray", "bytes", "dict", "float", "frozenset", "int", "list", "set", "str", "tuple"];
    if crate::object::as_class(cls).map(|_| true).unwrap_or(false) && selfish.contains(&name.as_str()) && crate::getattr(cls, "__match_args__").is_err() {
        if npos > 1 {
            return Err(crate::new_exc("TypeError", &format!("{}() accepts 1 positional sub-pattern ({} given)", name, npos)));
        }
        return Ok(Some(vec![v.clone()]));
    }
    let args = match crate::getattr(cls, "__match_args__") {
        Ok(a) => crate::collect(&a)?,
        Err(_) => vec![],
    };
    if npos > args.len() {
        return Err(crate::new_exc(
            "TypeError",
            &format!("{}() accepts {} positional sub-pattern{} ({} given)", name, args.len(), if args.len() == 1 { "" } else { "s" }, npos),
        ));
    }
    let mut out = Vec::new();
    for a in args.iter().take(npos) {
        let attr = crate::to_str(a)?;
        match crate::getattr(v, &attr) {
            Ok(x) => out.push(x),
            Err(_) => return Ok(None),
        }
    }
    Ok(Some(out))
}

/// `Cls(name=p)`: the attribute, None when the subject has none.
pub fn match_attr(v: &Value, name: &str) -> Option<Value> {
    crate::getattr(v, name).ok()
}

// ------------------------------------------------------------ exceptions

/// A bare `raise` outside any lexically enclosing except clause.
pub fn reraise() -> PyErr {
    match crate::current_exc() {
        Some(v) => PyErr { val: v },
        None => crate::new_exc("RuntimeError", "No active exception to reraise"),
    }
}

pub fn assert_error(msg: Option<Value>) -> PyErr {
    crate::assertion_error(msg)
}

/// `__exit__` of a with statement; true when it suppresses the exception.
pub fn with_exit(m: &Value, e: Option<&PyErr>) -> PyResult<bool> {
    match e {
        None => {
            crate::call_method(m, "__exit__", vec![Value::none(), Value::none(), Value::none()], vec![])?;
            Ok(false)
        }
        Some(e) => {
            let v = e.value();
            let t = crate::type_of(&v);
            crate::exc_enter(e);
            let r = crate::call_method(m, "__exit__", vec![t, v, Value::none()], vec![]);
            crate::exc_leave();
            crate::truthy(&r?)
        }
    }
}

// ------------------------------------------------------------ imports

/// `from m import name`: the attribute, or the ImportError CPython raises.
pub fn import_name(m: &Value, name: &str) -> PyResult<Value> {
    match crate::getattr(m, name) {
        Ok(v) => Ok(v),
        Err(_) => {
            let mn = crate::getattr(m, "__name__").ok().and_then(|v| v.as_str().map(|s| s.to_string())).unwrap_or_default();
            Err(crate::new_exc("ImportError", &format!("cannot import name '{}' from '{}'", name, mn)))
        }
    }
}

/// `from m import *`: every public name (or `__all__`).
pub fn import_star(g: &Value, m: &Value) -> PyResult<()> {
    let names: Vec<Value> = match crate::getattr(m, "__all__") {
        Ok(all) => crate::collect(&all)?,
        Err(_) => {
            let d = crate::getattr(m, "__dict__")?;
            crate::collect(&d)?.into_iter().filter(|k| k.as_str().map(|s| !s.starts_with('_')).unwrap_or(false)).collect()
        }
    };
    for k in names {
        if let Some(s) = k.as_str() {
            let s = s.to_string();
            crate::mod_set(g, &s, crate::getattr(m, &s)?);
        }
    }
    Ok(())
}

// ------------------------------------------------------------ unboxed ints

// The twins return plain i64/f64 (an Option would go through memory on
// wasm32) and report failure in a flag the dynamic caller checks.
static TWIN_FAILED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// A twin gives up: sets the flag; the value returned is meaningless.
#[inline(always)]
pub fn bail<T: Default>() -> T {
    TWIN_FAILED.store(true, std::sync::atomic::Ordering::Relaxed);
    T::default()
}

#[inline(always)]
pub fn failed() -> bool {
    TWIN_FAILED.load(std::sync::atomic::Ordering::Relaxed)
}

#[inline(always)]
pub fn clear_failed() {
    TWIN_FAILED.store(false, std::sync::atomic::Ordering::Relaxed)
}

/// Python's `//` on i64; None on division by zero or overflow (the dynamic
/// path then raises or promotes).
#[inline(always)]
pub fn floordiv_i64(a: i64, b: i64) -> Option<i64> {
    if b == 0 || (a == i64::MIN && b == -1) {
        return None;
    }
    let q = a / b;
    Some(if (a % b != 0) && ((a < 0) != (b < 0)) { q - 1 } else { q })
}

/// Python's `%` on i64 (sign of the divisor).
#[inline(always)]
pub fn mod_i64(a: i64, b: i64) -> Option<i64> {
    if b == 0 {
        return None;
    }
    if b == -1 {
        return Some(0);
    }
    let r = a % b;
    Some(if r != 0 && ((r < 0) != (b < 0)) { r + b } else { r })
}

/// Python's `/` on floats; None on division by zero (ZeroDivisionError).
#[inline(always)]
pub fn div_f64(a: f64, b: f64) -> Option<f64> {
    if b == 0.0 {
        None
    } else {
        Some(a / b)
    }
}

/// Python's `//` on floats.
#[inline(always)]
pub fn floordiv_f64(a: f64, b: f64) -> Option<f64> {
    if b == 0.0 {
        None
    } else {
        Some(crate::ops::float_floordiv(a, b))
    }
}

/// Python's `%` on floats (sign of the divisor).
#[inline(always)]
pub fn mod_f64(a: f64, b: f64) -> Option<f64> {
    if b == 0.0 {
        None
    } else {
        Some(crate::ops::float_mod(a, b))
    }
}

/// Python's float `**`; None where Python raises or returns a complex
/// (negative base with a fractional exponent, 0 ** negative, overflow).
#[inline]
pub fn pow_f64(a: f64, b: f64) -> Option<f64> {
    if a == 0.0 && b < 0.0 {
        return None;
    }
    if a < 0.0 && b.is_finite() && b.fract() != 0.0 {
        return None;
    }
    let r = a.powf(b);
    if r.is_infinite() && a.is_finite() && b.is_finite() {
        return None;
    }
    Some(r)
}

/// `math.sqrt`: None for negative input (ValueError).
#[inline]
pub fn sqrt_f64(a: f64) -> Option<f64> {
    if a < 0.0 {
        None
    } else {
        Some(a.sqrt())
    }
}

/// math.<f>(x) as the runtime's math module computes it: None where that
/// raises (a NaN from a non-NaN argument: domain error; an infinity from a
/// finite one: range error).
#[inline]
pub fn math1(f: fn(f64) -> f64, x: f64) -> Option<f64> {
    let r = f(x);
    if (r.is_nan() && !x.is_nan()) || (r.is_infinite() && x.is_finite()) {
        None
    } else {
        Some(r)
    }
}

/// math.log(x): None for x <= 0 (ValueError on the dynamic path).
#[inline]
pub fn log_f64(x: f64) -> Option<f64> {
    if x <= 0.0 {
        None
    } else {
        Some(x.ln())
    }
}

/// `int(x)` of a float: truncation; None for inf/nan and beyond i64.
#[inline]
pub fn f64_to_i64(a: f64) -> Option<i64> {
    if !a.is_finite() {
        return None;
    }
    let t = a.trunc();
    if t >= -9.223372036854775808e18 && t < 9.223372036854775808e18 {
        Some(t as i64)
    } else {
        None
    }
}

// ------------------------------------------------------------ typed lists

// A twin works on Vec<i64>/Vec<f64>/Vec<bool>: lists it made itself, or
// copies of list arguments whose every element has exactly that type
// (copied back only when the twin succeeded).

/// Python's index rules: a negative index counts from the end; None when
/// out of range (the dynamic re-run raises the IndexError).
#[inline(always)]
pub fn ix(len: usize, i: i64) -> Option<usize> {
    let j = if i < 0 { i.wrapping_add(len as i64) } else { i };
    if j >= 0 && (j as u64) < len as u64 {
        Some(j as usize)
    } else {
        None
    }
}

/// `[v] * n`: empty for n <= 0 as in Python; None past 2**27 items, where
/// the dynamic path decides (MemoryError or a very large list).
pub fn vec_rep<T: Copy>(v: T, n: i64) -> Option<Vec<T>> {
    if n <= 0 {
        Some(Vec::new())
    } else if n > (1 << 27) {
        None
    } else {
        Some(vec![v; n as usize])
    }
}

macro_rules! list_io {
    ($tin:ident, $tout:ident, $t:ty, $var:ident) => {
        /// Copy-in: Some when every element is exactly of this type.
        pub fn $tin(l: &Rc<RefCell<Vec<Value>>>) -> Option<Vec<$t>> {
            let b = l.borrow();
            let mut v = Vec::with_capacity(b.len());
            for x in b.iter() {
                match x {
                    Value::$var(y) => v.push(*y),
                    _ => return None,
                }
            }
            Some(v)
        }
        /// Copy-back after the twin succeeded (it never changes a length).
        pub fn $tout(l: &Rc<RefCell<Vec<Value>>>, v: &[$t]) {
            let mut b = l.borrow_mut();
            for (d, s) in b.iter_mut().zip(v.iter()) {
                *d = Value::$var(*s);
            }
        }
    };
}
list_io!(list_in_f64, list_out_f64, f64, Float);
list_io!(list_in_i64, list_out_i64, i64, Int);
list_io!(list_in_bool, list_out_bool, bool, Bool);

// Copying a list in costs O(len); a loop that does little work per entry
// (a short inner loop over a long list, called from a loop that cannot be
// typed) would make that quadratic. Every typed loop iteration ticks WORK;
// each call site that copies lists keeps its totals and stops using the
// typed path once copying outweighs the work it saves.
static WORK: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

#[inline(always)]
pub fn tick() {
    WORK.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

#[inline(always)]
pub fn work() -> u64 {
    WORK.load(std::sync::atomic::Ordering::Relaxed)
}

/// Per call site (a twin with list arguments, a typed region with lists).
pub struct Site {
    copied: std::sync::atomic::AtomicU64,
    work: std::sync::atomic::AtomicU64,
    off: std::sync::atomic::AtomicBool,
}

impl Site {
    pub const fn new() -> Site {
        Site {
            copied: std::sync::atomic::AtomicU64::new(0),
            work: std::sync::atomic::AtomicU64::new(0),
            off: std::sync::atomic::AtomicBool::new(false),
        }
    }
    #[inline(always)]
    pub fn on(&self) -> bool {
        !self.off.load(std::sync::atomic::Ordering::Relaxed)
    }
    /// After a typed run: `copied` list items moved in and out, `work` loop
    /// iterations done. Off for good once the copies cost more than 8 items
    /// per iteration (past a first 64 Ki items, so short runs never decide).
    pub fn account(&self, copied: usize, work: u64) {
        use std::sync::atomic::Ordering::Relaxed;
        let c = self.copied.load(Relaxed) + copied as u64;
        let w = self.work.load(Relaxed) + work;
        self.copied.store(c, Relaxed);
        self.work.store(w, Relaxed);
        if c > 65536 && c > 8 * w {
            self.off.store(true, Relaxed);
        }
    }
}

#[inline]
pub fn addr(l: &Rc<RefCell<Vec<Value>>>) -> usize {
    Rc::as_ptr(l) as *const u8 as usize
}

/// No list passed twice (the copies would not alias as the lists do).
pub fn distinct(a: &[usize]) -> bool {
    for i in 0..a.len() {
        for j in i + 1..a.len() {
            if a[i] == a[j] {
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floor_ops_match_python() {
        // checked with python3: -7 // 2 == -4, -7 % 2 == 1, 7 % -2 == -1
        assert_eq!(floordiv_i64(-7, 2), Some(-4));
        assert_eq!(floordiv_i64(7, -2), Some(-4));
        assert_eq!(floordiv_i64(7, 2), Some(3));
        assert_eq!(mod_i64(-7, 2), Some(1));
        assert_eq!(mod_i64(7, -2), Some(-1));
        assert_eq!(mod_i64(6, -2), Some(0));
        assert_eq!(floordiv_i64(1, 0), None);
        assert_eq!(floordiv_i64(i64::MIN, -1), None);
    }

    #[test]
    fn typed_list_helpers() {
        // Python: [1, 2, 3][-1] == 3, [1, 2, 3][-4] and [1, 2, 3][3] raise IndexError
        assert_eq!(ix(3, -1), Some(2));
        assert_eq!(ix(3, -3), Some(0));
        assert_eq!(ix(3, -4), None);
        assert_eq!(ix(3, 3), None);
        assert_eq!(ix(0, 0), None);
        assert_eq!(ix(3, i64::MIN), None);
        // [True] * -2 == [], [0.5] * 3 == [0.5, 0.5, 0.5]
        assert_eq!(vec_rep(true, -2), Some(vec![]));
        assert_eq!(vec_rep(0.5, 3), Some(vec![0.5, 0.5, 0.5]));
        assert_eq!(vec_rep(1i64, 1 << 40), None);
        let l = Rc::new(RefCell::new(vec![Value::Float(1.5), Value::Float(-0.0)]));
        let mut v = list_in_f64(&l).unwrap();
        assert_eq!(list_in_i64(&l), None);
        v[0] = 2.5;
        list_out_f64(&l, &v);
        assert!(matches!(l.borrow()[0], Value::Float(x) if x == 2.5));
        assert!(matches!(l.borrow()[1], Value::Float(x) if x == 0.0 && x.is_sign_negative()));
        // a bool is not an int here: copying back would turn True into 1
        let m = Rc::new(RefCell::new(vec![Value::Int(1), Value::Bool(true)]));
        assert_eq!(list_in_i64(&m), None);
        assert!(distinct(&[addr(&l), addr(&m)]));
        // a site that copies a lot for little work turns itself off
        let site = Site::new();
        site.account(1000, 10);
        assert!(site.on()); // below the first 64 Ki items
        site.account(100_000, 100);
        assert!(!site.on());
        let busy = Site::new();
        busy.account(1_000_000, 1_000_000);
        assert!(busy.on());
        assert!(!distinct(&[addr(&l), addr(&m), addr(&l)]));
    }
}

// ------------------------------------------------------------ module slots

/// The statics of a generated program (module-name slots `G_n`, string
/// constants `K_n`, inline caches `A_n`/`S_n`/`M_n`) are declared with
/// `portalis_rt::sites!` and read through `rx::pstatic`. A WASM module without
/// threads (wasm32-wasi, the Build stage's target) runs on one thread, so
/// there they are plain statics: a read is a load. Anywhere else (native
/// test builds) they are thread-locals, whose every access calls through
/// `LocalKey::with`, which under Node took about a tenth of a class-heavy
/// program's time.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
pub type Static<T> = Single<T>;
#[cfg(not(all(target_arch = "wasm32", not(target_feature = "atomics"))))]
pub type Static<T> = std::thread::LocalKey<T>;

/// A static of a single-threaded program (see `Static`).
pub struct Single<T>(pub T);

// Sound because the only target that declares them has one thread.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
unsafe impl<T> Sync for Single<T> {}

/// `f` on the value of a program static.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[inline(always)]
pub fn pstatic<T, R>(s: &'static Static<T>, f: impl FnOnce(&T) -> R) -> R {
    f(&s.0)
}
#[cfg(not(all(target_arch = "wasm32", not(target_feature = "atomics"))))]
#[inline(always)]
pub fn pstatic<T, R>(s: &'static Static<T>, f: impl FnOnce(&T) -> R) -> R {
    s.with(f)
}

/// Declares a generated program's statics (and the runtime's hottest
/// per-thread state, for the same reason): `sites! { static A_0: rx::ACache = rx::ACache::new(); }`.
#[macro_export]
macro_rules! sites {
    ($($vis:vis static $name:ident: $t:ty = $e:expr;)*) => {
        $(
            #[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
            #[allow(non_upper_case_globals)]
            $vis static $name: $crate::extra::Single<$t> = $crate::extra::Single($e);
        )*
        #[cfg(not(all(target_arch = "wasm32", not(target_feature = "atomics"))))]
        thread_local! {
            $( #[allow(non_upper_case_globals)] $vis static $name: $t = const { $e }; )*
        }
    };
}

/// The value of a module name that only the module's own statements bind
/// (the code generator proves it): every binding fills the slot beside the
/// module dict, and reads take it from here without a dict lookup.
/// The second field remembers where the name sits in the module dict, so
/// a rebinding overwrites that entry without a lookup.
pub struct GSlot(RefCell<Option<Value>>, std::cell::Cell<u32>);

impl GSlot {
    pub const fn new() -> GSlot {
        GSlot(RefCell::new(None), std::cell::Cell::new(0))
    }
}

/// Reads a slotted module name; before its first binding ran, the module
/// dict answers (and raises NameError as CPython would).
#[inline]
pub fn gget(slot: &'static Static<GSlot>, g: &Value, name: &str) -> PyResult<Value> {
    if let Some(v) = pstatic(slot, |s| s.0.borrow().clone()) {
        return Ok(v);
    }
    crate::mod_get(g, name)
}

/// A string constant of the program, made on first use (rx::kstr).
pub struct KStr(RefCell<Option<Value>>);

impl KStr {
    pub const fn new() -> KStr {
        KStr(RefCell::new(None))
    }
}

/// The str object of a literal: made once, then shared (as CPython shares
/// a code object's constants).
#[inline]
pub fn kstr(slot: &'static Static<KStr>, s: &'static str) -> Value {
    pstatic(slot, |k| {
        if let Some(v) = &*k.0.borrow() {
            return v.clone();
        }
        let v = Value::str(s);
        *k.0.borrow_mut() = Some(v.clone());
        v
    })
}

/// A builtin (`int`, `sorted`, ...) read at a site inside a function or
/// loop: looked up by name once, then kept (the builtins never change).
#[inline]
pub fn kbuiltin(slot: &'static Static<KStr>, name: &'static str) -> Value {
    pstatic(slot, |k| {
        if let Some(v) = &*k.0.borrow() {
            return v.clone();
        }
        let v = crate::builtins::builtin(name);
        *k.0.borrow_mut() = Some(v.clone());
        v
    })
}

/// Succeeds when a slotted module name is bound; before its binding ran,
/// the module dict's NameError.
#[inline]
pub fn gready(slot: &'static Static<GSlot>, g: &Value, name: &str) -> PyResult<()> {
    if pstatic(slot, |s| s.0.borrow().is_some()) {
        return Ok(());
    }
    crate::mod_get(g, name).map(|_| ())
}

/// Binds a slotted module name: the module dict and the slot.
#[inline]
pub fn gset(slot: &'static Static<GSlot>, g: &Value, name: &str, v: Value) {
    let (prev, at) = pstatic(slot, |s| (s.0.borrow_mut().replace(v.clone()), s.1.get() as usize));
    let mut d = crate::rtsys::mod_dict(g).borrow_mut();
    let old = match d.position_from(at, name) {
        Some(k) => {
            if k != at {
                pstatic(slot, |s| s.1.set(k as u32));
            }
            Some(std::mem::replace(&mut d.entries[k].1, v))
        }
        None => {
            d.push_absent(name, v);
            let k = d.entries.len() - 1;
            pstatic(slot, |s| s.1.set(k as u32));
            None
        }
    };
    // release the replaced values after the dict borrow ends (dropping one
    // may drop others that reach back into the module)
    drop(d);
    drop(old);
    drop(prev);
}

/// `f(x.__dict__)` for a write through `x.__dict__` (`x.__dict__[k] = v`,
/// `del x.__dict__[k]`, `x.__dict__.update(...)`, ...). An instance keeps
/// its attributes in the runtime's own map and `x.__dict__` reads a copy
/// as a dict; here the copy is changed by `f` and then becomes the
/// instance's attributes, in the dict's order, as in CPython where the two
/// are one object. Keys that are not strings are left out (CPython keeps
/// them, but no attribute access can reach them). Anything but an instance
/// gets `f` on what `x.__dict__` gives.
pub fn via_dict(x: &Value, f: impl FnOnce(&Value) -> PyResult<Value>) -> PyResult<Value> {
    use crate::value::Obj;
    let d = crate::attr::getattr(x, "__dict__")?;
    let r = f(&d)?;
    if let (Value::Obj(o), Value::Dict(dd)) = (x, &d) {
        if let Obj::Inst(i) = &**o {
            let items = dd.borrow().items();
            let mut m = crate::value::StrMap::with_capacity(items.len());
            for (k, v) in items {
                if let Value::Str(s) = &k {
                    m.set(&s.s, v);
                }
            }
            let old = std::mem::replace(&mut *i.dict.borrow_mut(), m);
            drop(old);
        }
    }
    Ok(r)
}

/// An attribute-store site's inline cache (`rx::sa`): the class of the
/// instance last stored to there, the class epoch when the store was found
/// to be a plain instance-dict store, and where the name sat in the dict.
pub struct SCache {
    cls: std::cell::Cell<usize>,
    epoch: std::cell::Cell<u64>,
    at: std::cell::Cell<u32>,
    /// the site's attribute name as a dict key, made once: a new
    /// instance's first store of it pushes this (no intern lookup)
    key: RefCell<Option<Rc<str>>>,
}

impl SCache {
    pub const fn new() -> SCache {
        SCache {
            cls: std::cell::Cell::new(0),
            epoch: std::cell::Cell::new(0),
            at: std::cell::Cell::new(0),
            key: RefCell::new(None),
        }
    }
}

/// `obj.name = v` at a site with an inline cache. The store is a plain
/// instance-dict store when the class has no `__setattr__` of its own, no
/// `__slots__`, and nothing on its MRO under that name that a store would
/// call (a property, a descriptor with `__set__`); that is checked once per
/// class and epoch. An exception instance, whose fields (`args`,
/// `__cause__`...) are not in its dict, always takes `setattr`.
#[inline]
pub fn sa(site: &'static Static<SCache>, obj: &Value, name: &'static str, v: Value) -> PyResult<()> {
    use crate::value::Obj;
    if let Value::Obj(o) = obj {
        if let Obj::Inst(i) = &**o {
            let cp = match &*i.class.borrow() {
                Value::Obj(c) => Rc::as_ptr(c) as usize,
                _ => 0,
            };
            let epoch = crate::value::class_epoch();
            let (hit, at) = pstatic(site, |s| (s.cls.get() == cp && s.epoch.get() == epoch, s.at.get() as usize));
            let plain = hit || (name != "__class__" && sa_plain(&i.class.borrow(), name));
            if plain && i.exc.borrow().is_none() {
                let mut d = i.dict.borrow_mut();
                let k = if hit { d.position_from(at, name) } else { d.position(name) };
                let k = match k {
                    Some(k) => {
                        let old = std::mem::replace(&mut d.entries[k].1, v);
                        drop(d);
                        drop(old);
                        k
                    }
                    None => {
                        let key = match pstatic(site, |s| s.key.borrow().clone()) {
                            Some(k) => k,
                            None => {
                                let k = crate::value::intern_name(name, crate::value::name_tag(name.as_bytes()));
                                pstatic(site, |s| *s.key.borrow_mut() = Some(k.clone()));
                                k
                            }
                        };
                        d.push_name(key, v);
                        d.entries.len() - 1
                    }
                };
                pstatic(site, |s| {
                    s.cls.set(cp);
                    s.epoch.set(epoch);
                    s.at.set(k as u32);
                });
                return Ok(());
            }
        }
    }
    crate::attr::setattr(obj, name, v)
}

/// Whether `inst.name = v` on an instance of cls is a plain dict store.
#[cold]
fn sa_plain(cls: &Value, name: &str) -> bool {
    use crate::value::Obj;
    let c = crate::object::class_of(cls);
    // a class with __slots__ keeps the slot values in the instance dict
    // too; a store to one of its slots is a plain store, any other name
    // takes setattr (and its AttributeError)
    if c.slots.as_ref().map_or(false, |s| !s.iter().any(|x| x == name)) || crate::object::class_facts(cls, |fx| fx.user_setattr) {
        return false;
    }
    match crate::object::lookup_cached(cls, name).0 {
        None => true,
        Some(Value::Obj(a)) => match &*a {
            Obj::Property(..) => false,
            Obj::Inst(_) => false, // may be a descriptor with __set__
            _ => true,
        },
        Some(_) => true,
    }
}

/// A method-call site's inline cache (`rx::cm`): the class of the receiver
/// last seen there, the class epoch when that was checked, and the function
/// the class's MRO gave for the name (a Python function, or a method of a
/// class written in Rust).
pub struct MCache {
    cls: std::cell::Cell<usize>,
    epoch: std::cell::Cell<u64>,
    f: RefCell<Value>,
}

impl MCache {
    pub const fn new() -> MCache {
        MCache { cls: std::cell::Cell::new(0), epoch: std::cell::Cell::new(0), f: RefCell::new(Value::None) }
    }
}

/// `a[0].name(*a[1..])` at a site with an inline cache. When the receiver
/// is an instance of the class cached there and no class changed since
/// (the epoch moves on every change to any class namespace or MRO, and
/// when a class is made), the function is the one found last time; it is
/// called with the receiver as its first argument unless the instance's own
/// dict holds the name. Everything else is `call_method_args`, which
/// decides alone (and the cache is filled from the class's MRO lookup).
#[inline]
pub fn cm(site: &'static Static<MCache>, name: &'static str, a: &[Value]) -> PyResult<Value> {
    use crate::value::Obj;
    if let Value::Obj(o) = &a[0] {
        if let Obj::Inst(i) = &**o {
            let cp = match &*i.class.borrow() {
                Value::Obj(c) => Rc::as_ptr(c) as usize,
                _ => 0,
            };
            let epoch = crate::value::class_epoch();
            let mut f = pstatic(site, |s| if s.cls.get() == cp && s.epoch.get() == epoch { Some(s.f.borrow().clone()) } else { None });
            if f.is_none() {
                let found = crate::object::lookup_cached(&i.class.borrow(), name).0;
                let callable = match &found {
                    Some(Value::Obj(fo)) => matches!(&**fo, Obj::Func(_)) || matches!(&**fo, Obj::Native(n) if n.binds),
                    _ => false,
                };
                if callable {
                    let fv = found.unwrap();
                    pstatic(site, |s| {
                        s.cls.set(cp);
                        s.epoch.set(epoch);
                        *s.f.borrow_mut() = fv.clone();
                    });
                    f = Some(fv);
                }
            }
            if let Some(Value::Obj(fo)) = &f {
                if !i.dict.borrow().contains(name) {
                    match &**fo {
                        Obj::Func(func) => return crate::call::call_function_slice(func, a),
                        Obj::Native(n) => return (n.f)(a.to_vec(), Vec::new()),
                        _ => {}
                    }
                }
            }
        }
    }
    crate::call::call_method_args(name, a)
}

/// An attribute-read site's inline cache (`rx::ga`): the class of the
/// instance last read there, the class epoch when that was checked, and
/// where the name sat in that instance's dict.
pub struct ACache {
    cls: std::cell::Cell<usize>,
    epoch: std::cell::Cell<u64>,
    at: std::cell::Cell<u32>,
    /// the address of the name's text in the dict where it was found:
    /// attribute names are interned, so the instances of a class share it
    /// and a hit is one pointer comparison
    key: std::cell::Cell<usize>,
    /// that text, held so that its address cannot be reused by another
    /// name while the site remembers it
    hold: RefCell<Option<Rc<str>>>,
}

impl ACache {
    pub const fn new() -> ACache {
        ACache {
            cls: std::cell::Cell::new(0),
            epoch: std::cell::Cell::new(0),
            at: std::cell::Cell::new(0),
            key: std::cell::Cell::new(0),
            hold: RefCell::new(None),
        }
    }
}

/// The address of a dict key's text (ACache::key).
#[inline(always)]
fn key_addr(k: &Rc<str>) -> usize {
    Rc::as_ptr(k) as *const u8 as usize
}

/// `obj.name` at a site with an inline cache. When the instance's class is
/// the one cached and no class changed since (the epoch), the class has no
/// property or descriptor that would come before the instance dict, so the
/// dict answers; the cached position is tried first and confirmed by the
/// name. Every other case is `getattr` itself, which decides alone.
#[inline]
pub fn ga(site: &'static Static<ACache>, obj: &Value, name: &'static str) -> PyResult<Value> {
    use crate::value::Obj;
    if let Value::Obj(o) = obj {
        if let Obj::Inst(i) = &**o {
            let cp = match &*i.class.borrow() {
                Value::Obj(c) => Rc::as_ptr(c) as usize,
                _ => 0,
            };
            let epoch = crate::value::class_epoch();
            let (hit, at, key) = pstatic(site, |s| (s.cls.get() == cp && s.epoch.get() == epoch, s.at.get() as usize, s.key.get()));
            if hit {
                let d = i.dict.borrow();
                if let Some(e) = d.entries.get(at) {
                    if key_addr(&e.0) == key {
                        return Ok(e.1.clone());
                    }
                }
                if let Some(k) = d.position(name) {
                    let kr = d.entries[k].0.clone();
                    pstatic(site, |s| {
                        s.at.set(k as u32);
                        s.key.set(key_addr(&kr));
                        *s.hold.borrow_mut() = Some(kr);
                    });
                    return Ok(d.entries[k].1.clone());
                }
            } else if !crate::object::class_of(&i.class.borrow()).has_props.get() {
                let d = i.dict.borrow();
                if let Some(k) = d.position(name) {
                    let kr = d.entries[k].0.clone();
                    pstatic(site, |s| {
                        s.cls.set(cp);
                        s.epoch.set(epoch);
                        s.at.set(k as u32);
                        s.key.set(key_addr(&kr));
                        *s.hold.borrow_mut() = Some(kr);
                    });
                    return Ok(d.entries[k].1.clone());
                }
            }
        }
    }
    crate::attr::getattr(obj, name)
}
