//! Standard-library modules implemented in the runtime (`rt::import`).
//!
//! Each module is built on first import and cached in `sys.modules`.  Types
//! that extend builtins (a user class deriving from `dict`, and runtime
//! types like `defaultdict`) keep their native value in the instance's
//! `payload`; the helpers at the top of this file create and print it.

pub mod collections_string_random;
pub mod deque;
pub mod enum_dataclasses;
pub mod heapq_bisect_itertools_functools;
pub mod json;
pub mod statistics_textwrap_io_os;
pub mod typing_abc_copy_contextlib;

use crate::object::*;
use crate::ops;
use crate::value::*;
use std::cell::RefCell;
use std::rc::Rc;

pub const STDLIB_MODULES: &[&str] = &[
    "math", "sys", "time", "heapq", "bisect", "itertools", "functools", "collections", "string", "random", "json", "enum",
    "dataclasses", "re", "operator", "typing", "abc", "copy", "contextlib",
    "statistics", "textwrap", "io", "os", "os.path", "struct", "collections.abc", "queue",
    "cmath", "fractions", "pprint", "array", "asyncio", "doctest", "types", "numbers", "builtins", "binascii",
    "_codecs", "shutil", "_collections_abc", "errno", "linecache",
];

/// Creates the native payload for an instance of a builtin-derived class.
pub fn init_payload(inst: &Value, kind: BType, args: &[Value], kw: &Kw) -> PyResult<()> {
    let cls = type_for(kind);
    let p = match kind {
        BType::Dict => {
            let d = Value::Dict(Rc::new(RefCell::new(Dict::new())));
            d
        }
        BType::List => crate::list(vec![]),
        BType::Set => crate::set(vec![])?,
        BType::Tuple => match args.len() {
            1 => crate::tuple(crate::iter::collect(&args[0]).unwrap_or_default()),
            _ => crate::tuple(vec![]),
        },
        _ => crate::builtins::construct_builtin(&cls, kind, args.to_vec(), kw.clone())?,
    };
    if let Some(i) = as_inst(inst) {
        *i.payload.borrow_mut() = p;
    }
    Ok(())
}

pub fn payload_repr(v: &Value, p: &Value) -> PyResult<String> {
    let _ = v;
    ops::repr(p)
}

/// `__missing__` behaviour of runtime dict subclasses (defaultdict).
pub fn payload_missing(v: &Value, key: &Value) -> PyResult<Option<Value>> {
    let _ = (v, key);
    Ok(None)
}

thread_local! {
    static CACHE: RefCell<Vec<(String, Value)>> = RefCell::new(Vec::new());
}

fn nat(name: &'static str, f: impl Fn(Vec<Value>, Kw) -> PyResult<Value> + 'static) -> Value {
    native(name, false, f)
}

/// A one-argument math function, with CPython's math_1 error rules: a NaN
/// from a non-NaN argument is a domain error (ValueError); an infinity from
/// a finite argument is OverflowError where the function can overflow (exp,
/// sinh, ...) and a domain error otherwise (log10(0), atanh(1), ...).
fn f1(name: &'static str, f: fn(f64) -> f64) -> Value {
    let can_overflow = matches!(name, "exp" | "expm1" | "sinh" | "cosh");
    nat(name, move |a, _| {
        if a.len() != 1 {
            return Err(type_error(format!("math.{}() takes exactly one argument ({} given)", name, a.len())));
        }
        let x = crate::builtins::to_float(&a[0]).map_err(|_| type_error(format!("must be real number, not {}", type_name(&a[0]))))?;
        let r = f(x);
        if r.is_nan() && !x.is_nan() {
            return Err(value_error("math domain error".into()));
        }
        if r.is_infinite() && x.is_finite() {
            if !can_overflow {
                return Err(value_error("math domain error".into()));
            }
            return Err(new_exc("OverflowError", "math range error"));
        }
        Ok(Value::Float(r))
    })
}

fn int_arg(v: &Value) -> PyResult<crate::bigint::BigInt> {
    ops::to_big(v).ok_or_else(|| type_error(format!("'{}' object cannot be interpreted as an integer", type_name(v))))
}

fn big_gcd(a: crate::bigint::BigInt, b: crate::bigint::BigInt) -> crate::bigint::BigInt {
    let (mut a, mut b) = (a.abs(), b.abs());
    while !b.is_zero() {
        let r = a.divmod(&b).1;
        a = b;
        b = r;
    }
    a
}

fn math_module() -> Value {
    let m = crate::rtsys::new_module("math", "");
    let set = |n: &str, v: Value| crate::rtsys::mod_set(&m, n, v);
    set("pi", Value::Float(std::f64::consts::PI));
    set("e", Value::Float(std::f64::consts::E));
    set("tau", Value::Float(std::f64::consts::TAU));
    set("inf", Value::Float(f64::INFINITY));
    set("nan", Value::Float(f64::NAN));
    set("sqrt", f1("sqrt", f64::sqrt));
    set("exp", f1("exp", f64::exp));
    set("sin", f1("sin", crate::libm::sin));
    set("cos", f1("cos", crate::libm::cos));
    set("tan", f1("tan", crate::libm::tan));
    set("asin", f1("asin", f64::asin));
    set("acos", f1("acos", f64::acos));
    set("atan", f1("atan", crate::libm::atan));
    set("sinh", f1("sinh", f64::sinh));
    set("cosh", f1("cosh", f64::cosh));
    set("tanh", f1("tanh", crate::libm::tanh));
    set("log2", f1("log2", f64::log2));
    set("log10", f1("log10", crate::libm::log10));
    set("log1p", f1("log1p", f64::ln_1p));
    set("expm1", f1("expm1", f64::exp_m1));
    set("fabs", f1("fabs", f64::abs));
    // degrees/radians are plain multiplications in CPython: no range check
    for (name, f) in [("degrees", f64::to_degrees as fn(f64) -> f64), ("radians", f64::to_radians)] {
        set(name, nat(name, move |a, _| {
            if a.len() != 1 {
                return Err(type_error(format!("math.{}() takes exactly one argument ({} given)", name, a.len())));
            }
            Ok(Value::Float(f(crate::builtins::to_float(&a[0])?)))
        }));
    }
    set("atan2", nat("atan2", |a, _| Ok(Value::Float(crate::builtins::to_float(&a[0])?.atan2(crate::builtins::to_float(&a[1])?)))));
    set("hypot", nat("hypot", |a, _| {
        let mut s = 0.0f64;
        for x in a.iter() {
            let f = crate::builtins::to_float(x)?;
            s = s.hypot(f);
        }
        Ok(Value::Float(s))
    }));
    set("copysign", nat("copysign", |a, _| Ok(Value::Float(crate::builtins::to_float(&a[0])?.copysign(crate::builtins::to_float(&a[1])?)))));
    set("fmod", nat("fmod", |a, _| {
        let (x, y) = (crate::builtins::to_float(&a[0])?, crate::builtins::to_float(&a[1])?);
        if y == 0.0 {
            return Err(value_error("math domain error".into()));
        }
        Ok(Value::Float(x % y))
    }));
    set("pow", nat("pow", |a, _| {
        let (x, y) = (crate::builtins::to_float(&a[0])?, crate::builtins::to_float(&a[1])?);
        let r = x.powf(y);
        if r.is_nan() && !x.is_nan() && !y.is_nan() {
            return Err(value_error("math domain error".into()));
        }
        if r.is_infinite() && x.is_finite() && y.is_finite() {
            if x == 0.0 {
                return Err(value_error("math domain error".into()));
            }
            return Err(new_exc("OverflowError", "math range error"));
        }
        Ok(Value::Float(r))
    }));
    set("log", nat("log", |a, _| {
        let lg = |v: &Value| -> PyResult<f64> {
            if let Value::Big(b) = v {
                if !b.neg {
                    // log of huge ints without overflow
                    let bl = b.bit_length() as i64;
                    let sh = (bl - 60).max(0) as usize;
                    let top = b.shr(sh).to_f64().unwrap();
                    return Ok(top.ln() + sh as f64 * std::f64::consts::LN_2);
                }
            }
            let x = crate::builtins::to_float(v)?;
            if x <= 0.0 {
                return Err(value_error("math domain error".into()));
            }
            Ok(x.ln())
        };
        let x = lg(&a[0])?;
        match a.get(1) {
            Some(b) => {
                let d = lg(b)?;
                if d == 0.0 {
                    return Err(new_exc("ZeroDivisionError", "float division by zero"));
                }
                Ok(Value::Float(x / d))
            }
            None => Ok(Value::Float(x)),
        }
    }));
    for (name, f) in [("floor", f64::floor as fn(f64) -> f64), ("ceil", f64::ceil), ("trunc", f64::trunc)] {
        set(name, nat(name, move |a, _| match &a[0] {
            Value::Int(_) | Value::Big(_) => Ok(a[0].clone()),
            Value::Bool(b) => Ok(Value::Int(*b as i64)),
            Value::Float(x) => crate::builtins::to_int(&Value::Float(f(*x)), None),
            v => {
                let d = format!("__{}__", name);
                if let Some(r) = ops::call_dunder(v, &d, vec![])? {
                    return Ok(r);
                }
                let x = crate::builtins::to_float(v)?;
                crate::builtins::to_int(&Value::Float(f(x)), None)
            }
        }));
    }
    set("isqrt", nat("isqrt", |a, _| {
        let n = int_arg(&a[0])?;
        if n.neg {
            return Err(value_error("isqrt() argument must be nonnegative".into()));
        }
        if n.is_zero() {
            return Ok(Value::Int(0));
        }
        // Newton iteration on big ints
        let mut x = crate::bigint::BigInt::from_i64(1).shl(((n.bit_length() + 1) / 2) as usize);
        loop {
            let y = x.add(&n.divmod(&x).0).shr(1);
            if y.cmp(&x) != std::cmp::Ordering::Less {
                break;
            }
            x = y;
        }
        Ok(ops::int_from_big(x))
    }));
    set("gcd", nat("gcd", |a, _| {
        let mut g = crate::bigint::BigInt::zero();
        for x in a.iter() {
            g = big_gcd(g, int_arg(x)?);
        }
        Ok(ops::int_from_big(g))
    }));
    set("lcm", nat("lcm", |a, _| {
        let mut l = crate::bigint::BigInt::from_i64(1);
        for x in a.iter() {
            let b = int_arg(x)?;
            if b.is_zero() {
                return Ok(Value::Int(0));
            }
            let g = big_gcd(l.clone(), b.clone());
            l = l.mul(&b).divmod(&g).0.abs();
        }
        Ok(ops::int_from_big(l))
    }));
    set("factorial", nat("factorial", |a, _| {
        let n = match &a[0] {
            Value::Int(i) => *i,
            Value::Bool(b) => *b as i64,
            Value::Float(_) => return Err(type_error("'float' object cannot be interpreted as an integer".into())),
            v => return Err(type_error(format!("'{}' object cannot be interpreted as an integer", type_name(v)))),
        };
        if n < 0 {
            return Err(value_error("factorial() not defined for negative values".into()));
        }
        let mut r = Value::Int(1);
        for k in 2..=n {
            r = ops::mul(&r, &Value::Int(k))?;
        }
        Ok(r)
    }));
    set("comb", nat("comb", |a, _| {
        let n = int_arg(&a[0])?.to_i64().unwrap_or(0);
        let k = int_arg(&a[1])?.to_i64().unwrap_or(0);
        if n < 0 || k < 0 {
            return Err(value_error("n must be a non-negative integer".into()));
        }
        if k > n {
            return Ok(Value::Int(0));
        }
        let k = k.min(n - k);
        let mut r = Value::Int(1);
        for i in 0..k {
            r = ops::mul(&r, &Value::Int(n - i))?;
            r = ops::floordiv(&r, &Value::Int(i + 1))?;
        }
        Ok(r)
    }));
    set("perm", nat("perm", |a, _| {
        let n = int_arg(&a[0])?.to_i64().unwrap_or(0);
        let k = match a.get(1) {
            Some(v) if !v.is_none() => int_arg(v)?.to_i64().unwrap_or(0),
            _ => n,
        };
        if k > n {
            return Ok(Value::Int(0));
        }
        let mut r = Value::Int(1);
        for i in 0..k {
            r = ops::mul(&r, &Value::Int(n - i))?;
        }
        Ok(r)
    }));
    set("isfinite", nat("isfinite", |a, _| Ok(Value::Bool(crate::builtins::to_float(&a[0])?.is_finite()))));
    set("isinf", nat("isinf", |a, _| Ok(Value::Bool(crate::builtins::to_float(&a[0])?.is_infinite()))));
    set("isnan", nat("isnan", |a, _| Ok(Value::Bool(crate::builtins::to_float(&a[0])?.is_nan()))));
    set("isclose", nat("isclose", |a, kw| {
        let (x, y) = (crate::builtins::to_float(&a[0])?, crate::builtins::to_float(&a[1])?);
        let mut rel = 1e-9;
        let mut abs = 0.0;
        for (k, v) in kw {
            if k == "rel_tol" {
                rel = crate::builtins::to_float(&v)?;
            } else if k == "abs_tol" {
                abs = crate::builtins::to_float(&v)?;
            }
        }
        if x == y {
            return Ok(Value::Bool(true));
        }
        if x.is_infinite() || y.is_infinite() {
            return Ok(Value::Bool(false));
        }
        let d = (x - y).abs();
        Ok(Value::Bool(d <= (rel * y.abs()).max(rel * x.abs()) || d <= abs))
    }));
    set("fsum", nat("fsum", |a, _| {
        // Shewchuk's exact summation, as CPython's msum
        let mut partials: Vec<f64> = Vec::new();
        for v in crate::iter::collect(&a[0])? {
            let mut x = crate::builtins::to_float(&v)?;
            let mut i = 0;
            for j in 0..partials.len() {
                let mut y = partials[j];
                if x.abs() < y.abs() {
                    std::mem::swap(&mut x, &mut y);
                }
                let hi = x + y;
                let lo = y - (hi - x);
                if lo != 0.0 {
                    partials[i] = lo;
                    i += 1;
                }
                x = hi;
            }
            partials.truncate(i);
            partials.push(x);
        }
        let mut hi = 0.0;
        if let Some(mut n) = partials.len().checked_sub(1).map(|n| n + 1) {
            hi = partials[n - 1];
            n -= 1;
            let mut lo = 0.0;
            while n > 0 {
                let x = hi;
                let y = partials[n - 1];
                n -= 1;
                hi = x + y;
                let yr = hi - x;
                lo = y - yr;
                if lo != 0.0 {
                    break;
                }
            }
            if n > 0 && ((lo < 0.0 && partials[n - 1] < 0.0) || (lo > 0.0 && partials[n - 1] > 0.0)) {
                let y = lo * 2.0;
                let x = hi + y;
                let yr = x - hi;
                if y == yr {
                    hi = x;
                }
            }
        }
        Ok(Value::Float(hi))
    }));
    set("prod", nat("prod", |a, kw| {
        let mut r = kw.iter().find(|(k, _)| k == "start").map(|(_, v)| v.clone()).unwrap_or(Value::Int(1));
        for v in crate::iter::collect(&a[0])? {
            r = ops::mul(&r, &v)?;
        }
        Ok(r)
    }));
    set("frexp", nat("frexp", |a, _| {
        let (m, e) = ops::frexp(crate::builtins::to_float(&a[0])?);
        Ok(crate::tuple(vec![Value::Float(m), Value::Int(e as i64)]))
    }));
    set("ldexp", nat("ldexp", |a, _| {
        let x = crate::builtins::to_float(&a[0])?;
        let e = a[1].as_i64().unwrap_or(0);
        Ok(Value::Float(x * 2f64.powi(e as i32)))
    }));
    set("modf", nat("modf", |a, _| {
        let x = crate::builtins::to_float(&a[0])?;
        let i = x.trunc();
        Ok(crate::tuple(vec![Value::Float((x - i).copysign(x)), Value::Float(i)]))
    }));
    set("dist", nat("dist", |a, _| {
        let p = crate::iter::collect(&a[0])?;
        let q = crate::iter::collect(&a[1])?;
        let mut s = 0.0f64;
        for (x, y) in p.iter().zip(q.iter()) {
            s = s.hypot(crate::builtins::to_float(x)? - crate::builtins::to_float(y)?);
        }
        Ok(Value::Float(s))
    }));
    m
}

fn sys_module() -> Value {
    let m = crate::rtsys::new_module("sys", "");
    let set = |n: &str, v: Value| crate::rtsys::mod_set(&m, n, v);
    let (i, o, e) = crate::rtsys::streams();
    set("stdin", i.clone());
    set("stdout", o.clone());
    set("stderr", e.clone());
    set("__stdin__", i);
    set("__stdout__", o);
    set("__stderr__", e);
    let argv = crate::rtsys::argv();
    let mut items: Vec<Value> = argv.into_iter().map(Value::string).collect();
    if !items.is_empty() {
        items[0] = Value::str("main.py");
    }
    set("argv", crate::list(items));
    set("maxsize", Value::Int(i64::MAX));
    set("byteorder", Value::str("little"));
    set("platform", Value::str("wasi"));
    set("version", Value::str("3.11.2 (portalis)"));
    // the installation's directories (gettext and sysconfig-style code join
    // paths onto them; a WASI module has no installation: CPython's default)
    for n in ["prefix", "base_prefix", "exec_prefix", "base_exec_prefix"] {
        set(n, Value::str("/usr/local"));
    }
    set("warnoptions", crate::list(vec![]));
    // a translated program keeps no frames: CPython's answer past the
    // outermost one (warnings.warn then names the location "sys:0")
    set("_getframe", nat("_getframe", |_, _| Err(value_error("call stack is not deep enough".into()))));
    // the struct sequences, as named tuples with CPython's reprs
    let seq = |name: &str, fields: &[&str], vals: Vec<Value>| -> Value {
        let cls = crate::stdlib::collections_string_random::namedtuple_class(name, fields, "sys");
        crate::call::call(&cls, vals, vec![]).expect("portalis_rt: sys struct sequence")
    };
    set("version_info", seq("sys.version_info", &["major", "minor", "micro", "releaselevel", "serial"],
        vec![Value::Int(3), Value::Int(11), Value::Int(2), Value::str("final"), Value::Int(0)]));
    set("float_info", seq("sys.float_info",
        &["max", "max_exp", "max_10_exp", "min", "min_exp", "min_10_exp", "dig", "mant_dig", "epsilon", "radix", "rounds"],
        vec![Value::Float(f64::MAX), Value::Int(1024), Value::Int(308), Value::Float(f64::MIN_POSITIVE), Value::Int(-1021),
             Value::Int(-307), Value::Int(15), Value::Int(53), Value::Float(f64::EPSILON), Value::Int(2), Value::Int(1)]));
    set("int_info", seq("sys.int_info", &["bits_per_digit", "sizeof_digit", "default_max_str_digits", "str_digits_check_threshold"],
        vec![Value::Int(30), Value::Int(4), Value::Int(4300), Value::Int(640)]));
    set("modules", crate::rtsys::sys_modules());
    set("path", crate::list(vec![]));
    set("exit", nat("exit", |a, _| Err(new_exc_args("SystemExit", a))));
    set("getrecursionlimit", nat("getrecursionlimit", |_, _| Ok(Value::Int(crate::call::recursion_limit() as i64))));
    set("setrecursionlimit", nat("setrecursionlimit", |a, _| {
        let n = a.get(0).and_then(|v| v.as_i64()).ok_or_else(|| type_error("an integer is required".into()))?;
        if n < 1 {
            return Err(value_error("recursion limit must be greater or equal than 1".into()));
        }
        crate::call::set_recursion_limit(n as usize);
        Ok(Value::None)
    }));
    set("intern", nat("intern", |a, _| Ok(a[0].clone())));
    set("get_int_max_str_digits", nat("get_int_max_str_digits", |_, _| Ok(Value::Int(ops::int_max_str_digits() as i64))));
    set("set_int_max_str_digits", nat("set_int_max_str_digits", |a, kw| {
        let v = a.get(0).cloned().or_else(|| kw.iter().find(|(k, _)| k == "maxdigits").map(|(_, v)| v.clone()));
        let n = v.and_then(|v| v.as_i64()).ok_or_else(|| type_error("an integer is required".into()))?;
        if n != 0 && n < 640 {
            return Err(value_error("maxdigits must be 0 or larger than 640".into()));
        }
        ops::set_int_max_str_digits(n as usize);
        Ok(Value::None)
    }));
    set("exc_info", nat("exc_info", |_, _| match current_exc() {
        Some(v) => Ok(crate::tuple(vec![type_of(&v), v, Value::None])),
        None => Ok(crate::tuple(vec![Value::None, Value::None, Value::None])),
    }));
    set("exception", nat("exception", |_, _| Ok(current_exc().unwrap_or(Value::None))));
    m
}

fn time_module() -> Value {
    let m = crate::rtsys::new_module("time", "");
    let now = || std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0);
    crate::rtsys::mod_set(&m, "time", nat("time", move |_, _| Ok(Value::Float(now()))));
    crate::rtsys::mod_set(&m, "perf_counter", nat("perf_counter", move |_, _| Ok(Value::Float(now()))));
    crate::rtsys::mod_set(&m, "monotonic", nat("monotonic", move |_, _| Ok(Value::Float(now()))));
    crate::rtsys::mod_set(&m, "process_time", nat("process_time", move |_, _| Ok(Value::Float(now()))));
    let now_ns = || std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as i64).unwrap_or(0);
    for n in ["time_ns", "monotonic_ns", "perf_counter_ns", "process_time_ns"] {
        crate::rtsys::mod_set(&m, n, nat(n, move |_, _| Ok(Value::Int(now_ns()))));
    }
    crate::rtsys::mod_set(&m, "sleep", nat("sleep", |a, _| {
        if a.len() != 1 {
            return Err(type_error(format!("time.sleep() takes exactly one argument ({} given)", a.len())));
        }
        let secs = match &a[0] {
            Value::Str(_) => return Err(type_error("'str' object cannot be interpreted as an integer".into())),
            v => crate::builtins::to_float(v)
                .map_err(|_| type_error(format!("'{}' object cannot be interpreted as an integer", type_name(v))))?,
        };
        if secs.is_nan() {
            return Err(value_error("Invalid value NaN (not a number)".into()));
        }
        if secs < 0.0 {
            return Err(value_error("sleep length must be non-negative".into()));
        }
        if secs >= 9.223372036854776e18 {
            return Err(new_exc("OverflowError", "timestamp out of range for platform time_t"));
        }
        crate::rtsys::flush_stdout();
        crate::sysio::sleep(secs);
        Ok(Value::None)
    }));
    crate::ext::timefmt::add_to(&m);
    m
}

/// A runtime module's constructor (`modules::json`, ...).
pub type ModuleFn = fn() -> PyResult<Value>;

/// `import name` of a runtime module whose constructor the caller names:
/// generated code imports `json` as `rt::import_std("json",
/// rt::stdlib::modules::json)`, so a program links the modules it imports
/// and no others. Built on first import and cached in `sys.modules`.
pub fn import_std(name: &str, make: ModuleFn) -> PyResult<Value> {
    let mods = crate::rtsys::sys_modules();
    if let Some(m) = crate::methods::dict_get(&mods, &Value::str(name))? {
        return Ok(m);
    }
    let m = make()?;
    crate::methods::dict_set(&mods, Value::str(name), m.clone())?;
    CACHE.with(|c| c.borrow_mut().push((name.to_string(), m.clone())));
    Ok(m)
}

/// The constructor of a runtime module by name. Naming every module, it
/// links all of them: only `import` (a name known at run time) uses it.
pub fn module_fn(name: &str) -> Option<ModuleFn> {
    use self::modules as m;
    Some(match name {
        "math" => m::math,
        "sys" => m::sys,
        "time" => m::time,
        "heapq" => m::heapq,
        "bisect" => m::bisect,
        "itertools" => m::itertools,
        "functools" => m::functools,
        "collections" => m::collections,
        "string" => m::string,
        "random" => m::random,
        "json" => m::json,
        "enum" => m::enum_,
        "dataclasses" => m::dataclasses,
        "re" => m::re,
        "operator" => m::operator,
        "typing" => m::typing,
        "abc" => m::abc,
        "copy" => m::copy,
        "contextlib" => m::contextlib,
        "statistics" => m::statistics,
        "textwrap" => m::textwrap,
        "io" => m::io,
        "os" => m::os,
        "os.path" => m::os_path,
        "struct" => m::struct_,
        "collections.abc" => m::collections_abc,
        "queue" => m::queue,
        "cmath" => m::cmath,
        "fractions" => m::fractions,
        "pprint" => m::pprint,
        "asyncio" => m::asyncio,
        "doctest" => m::doctest,
        "types" => m::types,
        "numbers" => m::numbers,
        "builtins" => m::builtins,
        _ => return None,
    })
}

/// `import name` for runtime-implemented standard modules, the name known
/// only at run time (`__import__`, the runtime's examples): links every
/// module (see `import_std`).
pub fn import(name: &str) -> PyResult<Value> {
    if let Some(f) = module_fn(name) {
        return import_std(name, f);
    }
    let mods = crate::rtsys::sys_modules();
    if let Some(m) = crate::methods::dict_get(&mods, &Value::str(name))? {
        return Ok(m);
    }
    let m = match crate::ext::import(name) {
        Some(m) => m,
        None => return Err(no_module(name)),
    };
    crate::methods::dict_set(&mods, Value::str(name), m.clone())?;
    CACHE.with(|c| c.borrow_mut().push((name.to_string(), m.clone())));
    Ok(m)
}

fn no_module(name: &str) -> PyErr {
    new_exc_args("ModuleNotFoundError", vec![Value::string(format!("No module named '{}'", name))])
}

thread_local! {
    static DYNAMIC: std::cell::Cell<Option<fn(&str) -> PyResult<Value>>> = std::cell::Cell::new(None);
}

/// Makes `__import__` able to import every runtime module. Generated main()
/// calls it when the program's source names `__import__`; otherwise the
/// builtin finds only the modules already in sys.modules, and the linker
/// can drop the modules the program does not import.
pub fn enable_dynamic_import() {
    DYNAMIC.with(|d| d.set(Some(import)));
}

/// `__import__(name)` after the sys.modules lookup.
pub fn import_dynamic(name: &str) -> PyResult<Value> {
    match DYNAMIC.with(|d| d.get()) {
        Some(f) => f(name),
        None => Err(no_module(name)),
    }
}

/// One constructor per runtime module, named after the module (dots as
/// underscores; `enum_`, `struct_` for the Rust keywords).
pub mod modules {
    use super::*;
    use crate::stdlib::collections_string_random as csr;
    use crate::stdlib::enum_dataclasses as ed;
    use crate::stdlib::heapq_bisect_itertools_functools as hibf;
    use crate::stdlib::statistics_textwrap_io_os as stio;
    use crate::stdlib::typing_abc_copy_contextlib as tacc;

    pub fn math() -> PyResult<Value> { Ok(math_module()) }
    pub fn sys() -> PyResult<Value> { Ok(sys_module()) }
    pub fn time() -> PyResult<Value> { Ok(time_module()) }
    pub fn heapq() -> PyResult<Value> { Ok(hibf::heapq_module()) }
    pub fn bisect() -> PyResult<Value> { Ok(hibf::bisect_module()) }
    pub fn itertools() -> PyResult<Value> { Ok(hibf::itertools_module()) }
    pub fn functools() -> PyResult<Value> { Ok(hibf::functools_module()) }
    pub fn collections() -> PyResult<Value> { Ok(csr::collections_module()) }
    pub fn string() -> PyResult<Value> { Ok(csr::string_module()) }
    pub fn random() -> PyResult<Value> { Ok(csr::random_module()) }
    pub fn json() -> PyResult<Value> { Ok(crate::stdlib::json::json_module()) }
    pub fn enum_() -> PyResult<Value> { Ok(ed::enum_module()) }
    pub fn dataclasses() -> PyResult<Value> { Ok(ed::dataclasses_module()) }
    pub fn re() -> PyResult<Value> { Ok(crate::regex::re_module()) }
    pub fn operator() -> PyResult<Value> { Ok(operator_module()) }
    pub fn typing() -> PyResult<Value> { Ok(tacc::typing_module()) }
    pub fn abc() -> PyResult<Value> { Ok(tacc::abc_module()) }
    pub fn copy() -> PyResult<Value> { Ok(tacc::copy_module()) }
    pub fn contextlib() -> PyResult<Value> { Ok(tacc::contextlib_module()) }
    pub fn statistics() -> PyResult<Value> { Ok(stio::statistics_module()) }
    pub fn textwrap() -> PyResult<Value> { Ok(stio::textwrap_module()) }
    pub fn io() -> PyResult<Value> { Ok(stio::io_module()) }
    pub fn os() -> PyResult<Value> { Ok(stio::os_module()) }
    pub fn os_path() -> PyResult<Value> { crate::attr::getattr(&import_std("os", os)?, "path") }
    pub fn struct_() -> PyResult<Value> { Ok(crate::ext::struct_::module()) }
    pub fn collections_abc() -> PyResult<Value> { Ok(crate::ext::coll_abc::module()) }
    pub fn queue() -> PyResult<Value> { Ok(crate::ext::queue::module()) }
    pub fn cmath() -> PyResult<Value> { Ok(crate::ext::complex::cmath_module()) }
    pub fn fractions() -> PyResult<Value> { Ok(crate::ext::fractions::module()) }
    pub fn pprint() -> PyResult<Value> { Ok(crate::ext::pprint::module()) }
    pub fn asyncio() -> PyResult<Value> { Ok(crate::ext::asyncio::module()) }
    pub fn doctest() -> PyResult<Value> { Ok(crate::ext::doctest::module()) }
    pub fn types() -> PyResult<Value> { Ok(crate::ext::types::module()) }
    pub fn numbers() -> PyResult<Value> { Ok(crate::ext::coll_abc::numbers_module()) }
    pub fn builtins() -> PyResult<Value> { Ok(crate::ext::builtins_module()) }
}

fn operator_module() -> Value {
    let m = crate::rtsys::new_module("operator", "");
    let set = |n: &str, v: Value| crate::rtsys::mod_set(&m, n, v);
    type B = fn(&Value, &Value) -> PyResult<Value>;
    let bins: &[(&'static str, B)] = &[
        ("add", ops::add), ("sub", ops::sub), ("mul", ops::mul), ("truediv", ops::truediv), ("floordiv", ops::floordiv),
        ("mod", ops::modulo), ("pow", ops::pow), ("matmul", ops::matmul), ("lshift", ops::lshift), ("rshift", ops::rshift),
        ("and_", ops::bitand), ("or_", ops::bitor), ("xor", ops::bitxor), ("concat", ops::add), ("eq", ops::eq), ("ne", ops::ne),
        ("lt", ops::lt), ("le", ops::le), ("gt", ops::gt), ("ge", ops::ge), ("iadd", ops::iadd), ("isub", ops::isub),
        ("imul", ops::imul), ("getitem", crate::attr::getitem),
    ];
    for (n, f) in bins.iter() {
        let f = *f;
        let name: &'static str = n;
        set(n, nat(name, move |a, _| {
            if a.len() != 2 {
                return Err(type_error(format!("{} expected 2 arguments, got {}", name, a.len())));
            }
            f(&a[0], &a[1])
        }));
    }
    type U = fn(&Value) -> PyResult<Value>;
    let uns: &[(&'static str, U)] = &[("neg", ops::neg), ("pos", ops::pos), ("abs", ops::abs), ("invert", ops::invert), ("inv", ops::invert)];
    for (n, f) in uns.iter() {
        let f = *f;
        set(n, nat(n, move |a, _| f(&a[0])));
    }
    set("not_", nat("not_", |a, _| Ok(Value::Bool(!ops::truthy(&a[0])?))));
    set("truth", nat("truth", |a, _| Ok(Value::Bool(ops::truthy(&a[0])?))));
    set("is_", nat("is_", |a, _| Ok(Value::Bool(ops::is(&a[0], &a[1])))));
    set("is_not", nat("is_not", |a, _| Ok(Value::Bool(!ops::is(&a[0], &a[1])))));
    set("contains", nat("contains", |a, _| Ok(Value::Bool(ops::contains(&a[0], &a[1])?))));
    set("index", nat("index", |a, _| crate::builtins::to_int(&a[0], None)));
    set("length_hint", nat("length_hint", |a, _| {
        // len() when there is one, else __length_hint__, else the default
        let default = match a.get(1) {
            Some(d) => d.as_i64().ok_or_else(|| type_error(format!("'{}' object cannot be interpreted as an integer", type_name(d))))?,
            None => 0,
        };
        if let Ok(n) = crate::len(&a[0]) {
            return Ok(Value::Int(n as i64));
        }
        if let Ok(f) = crate::getattr(&a[0], "__length_hint__") {
            let r = crate::call::call(&f, vec![], vec![])?;
            if !matches!(r, Value::Obj(ref o) if matches!(&**o, Obj::NotImplemented)) {
                return Ok(r);
            }
        }
        Ok(Value::Int(default))
    }));
    set("setitem", nat("setitem", |a, _| {
        crate::attr::setitem(&a[0], &a[1], a[2].clone())?;
        Ok(Value::None)
    }));
    set("delitem", nat("delitem", |a, _| {
        crate::attr::delitem(&a[0], &a[1])?;
        Ok(Value::None)
    }));
    set("itemgetter", nat("itemgetter", |a, _| {
        let keys = a;
        Ok(nat("itemgetter", move |b, _| {
            if keys.len() == 1 {
                return crate::attr::getitem(&b[0], &keys[0]);
            }
            let mut out = Vec::new();
            for k in keys.iter() {
                out.push(crate::attr::getitem(&b[0], k)?);
            }
            Ok(crate::tuple(out))
        }))
    }));
    set("attrgetter", nat("attrgetter", |a, _| {
        let names: Vec<String> = a.iter().map(|v| ops::to_str(v).unwrap_or_default()).collect();
        Ok(nat("attrgetter", move |b, _| {
            let get = |n: &str| -> PyResult<Value> {
                let mut v = b[0].clone();
                for part in n.split('.') {
                    v = crate::attr::getattr(&v, part)?;
                }
                Ok(v)
            };
            if names.len() == 1 {
                return get(&names[0]);
            }
            let mut out = Vec::new();
            for n in names.iter() {
                out.push(get(n)?);
            }
            Ok(crate::tuple(out))
        }))
    }));
    set("methodcaller", nat("methodcaller", |a, kw| {
        let name = ops::to_str(&a[0])?;
        let args: Vec<Value> = a[1..].to_vec();
        Ok(nat("methodcaller", move |b, _| crate::call::call_method(&b[0], &name, args.clone(), kw.clone())))
    }));
    m
}
