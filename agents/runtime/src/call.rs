//! Calling: functions, argument binding, methods, classes.
//!
//! `bind_args` implements CPython's parameter binding (positional-only,
//! defaults, `*args`, keyword-only, `**kwargs`) with the same TypeError texts,
//! so a generated function body receives exactly one value per parameter in
//! declaration order.  The common case (positional call, exact arity, no
//! star parameters) skips binding entirely.

use crate::object::*;
use crate::value::*;
use std::cell::RefCell;
use std::rc::Rc;

crate::sites! {
    static DEPTH: std::cell::Cell<usize> = std::cell::Cell::new(0);
    static MAX_DEPTH: std::cell::Cell<usize> = std::cell::Cell::new(995);
}

/// sys.setrecursionlimit: Python frames beyond `limit` raise RecursionError.
pub fn set_recursion_limit(limit: usize) {
    crate::extra::pstatic(&MAX_DEPTH, |m| m.set(limit.saturating_sub(5).max(50)));
}

pub fn recursion_limit() -> usize {
    crate::extra::pstatic(&MAX_DEPTH, |m| m.get()) + 5
}

pub fn make_function(
    params: &'static Params,
    defaults: Vec<Value>,
    kwdefaults: Vec<(&'static str, Value)>,
    body: impl Fn(&[Value]) -> PyResult<Value> + 'static,
) -> Value {
    Value::obj(Obj::Func(Function {
        params,
        defaults,
        kwdefaults,
        body: Box::new(body),
        dict: RefCell::new(StrMap::new()),
        name: RefCell::new(params.name.to_string()),
        qualname: RefCell::new(params.qualname.to_string()),
        doc: RefCell::new(Value::None),
        module: RefCell::new(crate::rtsys::current_module()),
    }))
}

pub fn set_doc(f: &Value, doc: &str) {
    if let Value::Obj(o) = f {
        if let Obj::Func(func) = &**o {
            *func.doc.borrow_mut() = Value::str(doc);
        }
    }
}

fn quoted_list(names: &[&str]) -> String {
    let q: Vec<String> = names.iter().map(|n| format!("'{}'", n)).collect();
    match q.len() {
        0 => String::new(),
        1 => q[0].clone(),
        2 => format!("{} and {}", q[0], q[1]),
        _ => format!("{}, and {}", q[..q.len() - 1].join(", "), q[q.len() - 1]),
    }
}

pub fn bind_args(f: &Function, mut args: Vec<Value>, kw: Kw) -> PyResult<Vec<Value>> {
    let p = f.params;
    let qn = f.qualname.borrow().clone();
    let npos = p.npos;
    let nargs = args.len();
    let mut out: Vec<Option<Value>> = vec![None; p.args.len()];
    let star_ix = npos;
    let kw_start = npos + p.star as usize;
    let dstar_ix = kw_start + p.kwonly;
    let mut extra: Vec<Value> = Vec::new();
    if nargs > npos {
        if !p.star {
            let ndef = f.defaults.len();
            let kwonly_given = kw.iter().filter(|(k, _)| p.args[kw_start..kw_start + p.kwonly].contains(&k.as_str())).count();
            let takes = if ndef > 0 {
                format!("from {} to {} positional arguments", npos - ndef, npos)
            } else {
                format!("{} positional argument{}", npos, if npos == 1 { "" } else { "s" })
            };
            let given = if kwonly_given > 0 {
                format!(
                    "{} positional argument{} (and {} keyword-only argument{}) were given",
                    nargs,
                    if nargs == 1 { "" } else { "s" },
                    kwonly_given,
                    if kwonly_given == 1 { "" } else { "s" }
                )
            } else {
                format!("{} {} given", nargs, if nargs == 1 { "was" } else { "were" })
            };
            return Err(type_error(format!("{}() takes {} but {}", qn, takes, given)));
        }
        extra = args.split_off(npos);
    }
    for (i, a) in args.into_iter().enumerate() {
        out[i] = Some(a);
    }
    let mut dkw: Vec<(Value, Value)> = Vec::new();
    let mut posonly_kw: Vec<&str> = Vec::new();
    for (k, v) in kw {
        let mut found = None;
        for (i, name) in p.args.iter().enumerate() {
            if *name == k && i >= p.posonly && (i < npos || (i >= kw_start && i < dstar_ix)) {
                found = Some(i);
                break;
            }
        }
        match found {
            Some(i) => {
                if out[i].is_some() {
                    return Err(type_error(format!("{}() got multiple values for argument '{}'", qn, k)));
                }
                out[i] = Some(v);
            }
            None => {
                if p.dstar {
                    dkw.push((Value::string(k), v));
                } else {
                    if let Some(i) = p.args[..p.posonly].iter().position(|n| *n == k) {
                        posonly_kw.push(p.args[i]);
                        continue;
                    }
                    return Err(type_error(format!("{}() got an unexpected keyword argument '{}'", qn, k)));
                }
            }
        }
    }
    if !posonly_kw.is_empty() {
        return Err(type_error(format!(
            "{}() got some positional-only arguments passed as keyword arguments: '{}'",
            qn,
            posonly_kw.join(", ")
        )));
    }
    // defaults for positional parameters
    let ndef = f.defaults.len();
    let mut missing = Vec::new();
    for i in 0..npos {
        if out[i].is_none() {
            if i + ndef >= npos {
                out[i] = Some(f.defaults[i + ndef - npos].clone());
            } else {
                missing.push(p.args[i]);
            }
        }
    }
    if !missing.is_empty() {
        return Err(type_error(format!(
            "{}() missing {} required positional argument{}: {}",
            qn,
            missing.len(),
            if missing.len() == 1 { "" } else { "s" },
            quoted_list(&missing)
        )));
    }
    for i in kw_start..dstar_ix {
        if out[i].is_none() {
            if let Some((_, d)) = f.kwdefaults.iter().find(|(n, _)| *n == p.args[i]) {
                out[i] = Some(d.clone());
            } else {
                missing.push(p.args[i]);
            }
        }
    }
    if !missing.is_empty() {
        return Err(type_error(format!(
            "{}() missing {} required keyword-only argument{}: {}",
            qn,
            missing.len(),
            if missing.len() == 1 { "" } else { "s" },
            quoted_list(&missing)
        )));
    }
    if p.star {
        out[star_ix] = Some(crate::tuple(extra));
    }
    if p.dstar {
        let mut d = Dict::new();
        for (k, v) in dkw {
            let h = crate::ops::hash(&k)?;
            d.push_new(k, v, h);
        }
        out[dstar_ix] = Some(Value::Dict(Rc::new(RefCell::new(d))));
    }
    Ok(out.into_iter().map(|v| v.unwrap_or(Value::None)).collect())
}

#[inline]
fn call_function(f: &Function, args: Vec<Value>, kw: Kw) -> PyResult<Value> {
    let p = f.params;
    let _g = enter_call()?;
    if kw.is_empty() && !p.star && !p.dstar && args.len() == p.npos && p.kwonly == 0 {
        return (f.body)(&args);
    }
    let bound = bind_args(f, args, kw)?;
    (f.body)(&bound)
}

/// Counts one Python-level call against the recursion limit for as long as
/// the returned guard lives (what call_function does around every call).
pub struct DepthGuard;

impl Drop for DepthGuard {
    #[inline]
    fn drop(&mut self) {
        crate::extra::pstatic(&DEPTH, |d| d.set(d.get() - 1));
    }
}

#[inline]
pub fn enter_call() -> PyResult<DepthGuard> {
    let depth = crate::extra::pstatic(&DEPTH, |d| {
        let n = d.get() + 1;
        d.set(n);
        n
    });
    let g = DepthGuard;
    if depth > crate::extra::pstatic(&MAX_DEPTH, |m| m.get()) || crate::sysio::stack_low() {
        return Err(new_exc("RecursionError", "maximum recursion depth exceeded"));
    }
    Ok(g)
}

/// A plain function called with positional arguments only: its body gets
/// the caller's slice when the arity matches exactly (no Vec, no binding).
#[inline]
pub fn call_function_slice(f: &Function, args: &[Value]) -> PyResult<Value> {
    let p = f.params;
    if !p.star && !p.dstar && args.len() == p.npos && p.kwonly == 0 {
        let _g = enter_call()?;
        return (f.body)(args);
    }
    call_function(f, args.to_vec(), Vec::new())
}

/// `f(a, b, ...)`: positional arguments only, borrowed. Plain functions of
/// the right arity run without allocating; everything else (classes
/// included) goes through `call`.
#[inline]
pub fn call_args(f: &Value, args: &[Value]) -> PyResult<Value> {
    if let Value::Obj(o) = f {
        match &**o {
            Obj::Func(func) => return call_function_slice(func, args),
            Obj::Class(_) => return construct_args(f, args),
            _ => {}
        }
    }
    call_slow(f, args.to_vec(), Vec::new())
}

/// `cls(a, b, ...)` with positional arguments only. A user class whose
/// instances come from object.__new__ and a plain `__init__` (the class
/// facts say so, and they follow every change to any class) is built
/// without an argument Vec: the instance and the arguments go to
/// `__init__` in one slice on the stack. Everything else goes to
/// `construct`.
pub fn construct_args(cls: &Value, args: &[Value]) -> PyResult<Value> {
    const N: usize = 8;
    let (init, bare) = crate::object::class_facts(cls, |fx| (fx.plain_init.clone(), fx.bare));
    if bare && args.is_empty() {
        return Ok(new_instance(cls));
    }
    let init = match init {
        Some(i) if args.len() < N => i,
        _ => return construct(cls, args.to_vec(), Vec::new()),
    };
    let func = match &init {
        Value::Obj(o) => match &**o {
            Obj::Func(func) => func,
            _ => unreachable!("class facts hold a plain function"),
        },
        _ => unreachable!("class facts hold a plain function"),
    };
    let inst = new_instance(cls);
    let mut buf: [Value; N] = Default::default();
    buf[0] = inst.clone();
    for (slot, a) in buf[1..].iter_mut().zip(args) {
        *slot = a.clone();
    }
    init_result(call_function_slice(func, &buf[..args.len() + 1])?)?;
    if let Some(i) = crate::object::as_inst(&inst) {
        let c = class_of(cls);
        let n = i.dict.borrow().len() as u32;
        if n > c.attr_hint.get() {
            c.attr_hint.set(n.min(64));
        }
    }
    Ok(inst)
}

/// `a[0].name(a[1], a[2], ...)`: the receiver first, positional arguments
/// after it. A plain function found on an instance's class (and not
/// shadowed by the instance dict) is called with the slice as it is.
#[inline]
pub fn call_method_args(name: &str, a: &[Value]) -> PyResult<Value> {
    let obj = &a[0];
    if let Value::Obj(o) = obj {
        if let Obj::Inst(i) = &**o {
            let found = {
                let cls = i.class.borrow();
                crate::object::lookup_cached(&cls, name).0
            };
            if let Some(Value::Obj(fo)) = &found {
                match &**fo {
                    Obj::Func(func) => {
                        if !i.dict.borrow().contains(name) {
                            return call_function_slice(func, a);
                        }
                    }
                    // a method of a class written in Rust (random.Random,
                    // the payload classes): what getattr would bind and
                    // call, without the bound method
                    Obj::Native(n) if n.binds => {
                        if !i.dict.borrow().contains(name) {
                            return (n.f)(a.to_vec(), Vec::new());
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    // the two builtin methods that loops call most, without an argument Vec
    match obj {
        Value::List(l) if a.len() == 2 && name == "append" => {
            l.borrow_mut().push(a[1].clone());
            return Ok(Value::None);
        }
        Value::Dict(_) if (a.len() == 2 || a.len() == 3) && name == "get" => {
            return Ok(crate::methods::dict_get(obj, &a[1])?.unwrap_or_else(|| a.get(2).cloned().unwrap_or(Value::None)));
        }
        _ => {}
    }
    call_method(obj, name, a[1..].to_vec(), Vec::new())
}

/// `f(*args, **kw)` for any callable.
#[inline]
pub fn call(f: &Value, args: Vec<Value>, kw: Kw) -> PyResult<Value> {
    if let Value::Obj(o) = f {
        if let Obj::Func(func) = &**o {
            return call_function(func, args, kw);
        }
    }
    call_slow(f, args, kw)
}

fn call_slow(f: &Value, args: Vec<Value>, kw: Kw) -> PyResult<Value> {
    match f {
        Value::Obj(o) => match &**o {
            Obj::Func(func) => call_function(func, args, kw),
            Obj::Native(n) => (n.f)(args, kw),
            Obj::Method(s, func) => {
                if let Value::Obj(fo) = func {
                    if let Obj::Func(inner) = &**fo {
                        let mut a = Vec::with_capacity(args.len() + 1);
                        a.push(s.clone());
                        a.extend(args);
                        return call_function(inner, a, kw);
                    }
                }
                let mut a = Vec::with_capacity(args.len() + 1);
                a.push(s.clone());
                a.extend(args);
                call(func, a, kw)
            }
            Obj::BMethod(s, name) => crate::methods::call_builtin_method(s, name, args, kw),
            Obj::Class(_) => construct(f, args, kw),
            Obj::Inst(_) => match crate::object::lookup_user(f, "__call__") {
                Some(c) => {
                    let m = bind(c, f, &type_of(f))?;
                    call(&m, args, kw)
                }
                None => Err(type_error(format!("'{}' object is not callable", type_name(f)))),
            },
            Obj::StaticMethod(inner) => call(inner, args, kw),
            _ => Err(type_error(format!("'{}' object is not callable", type_name(f)))),
        },
        _ => Err(type_error(format!("'{}' object is not callable", type_name(f)))),
    }
}

thread_local! {
    static OBJECT_SLOTS: RefCell<Vec<(&'static str, Value)>> = const { RefCell::new(Vec::new()) };
}

/// `object.__init__` / `object.__new__`, cached.
fn object_slot(name: &'static str) -> Option<Value> {
    if let Some(v) = OBJECT_SLOTS.with(|s| s.borrow().iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone())) {
        return Some(v);
    }
    let v = class_of(&type_for(BType::Object)).dict.borrow().get(name)?;
    OBJECT_SLOTS.with(|s| s.borrow_mut().push((name, v.clone())));
    Some(v)
}

/// What `__init__` returned: anything but None is CPython's TypeError.
fn init_result(r: Value) -> PyResult<()> {
    if r.is_none() {
        return Ok(());
    }
    Err(type_error(format!("__init__() should return None, not '{}'", type_name(&r))))
}

/// Instantiates a class: builtin types go to their constructors, user
/// classes through __new__ and __init__.
pub fn construct(cls: &Value, args: Vec<Value>, kw: Kw) -> PyResult<Value> {
    let c = class_of(cls);
    if !c.builtin && crate::stdlib5::is_enum_class(cls) {
        if args.len() == 1 && kw.is_empty() {
            return crate::stdlib5::enum_lookup(cls, &args[0]);
        }
    }
    if c.builtin {
        if c.base_kind == BType::BaseException {
            let inst = new_instance(cls);
            set_exc_args(&inst, crate::tuple(args));
            return Ok(inst);
        }
        return crate::builtins::construct_builtin(cls, c.base_kind, args, kw);
    }
    let inst = match lookup(cls, "__new__") {
        Some(nf) if !object_slot("__new__").map(|on| ptr_eq(&on, &nf)).unwrap_or(false) && !matches!(&nf, Value::Obj(o) if matches!(&**o, Obj::Native(_))) => {
            let f = match &nf {
                Value::Obj(o) => match &**o {
                    Obj::StaticMethod(f) => f.clone(),
                    _ => nf.clone(),
                },
                _ => nf.clone(),
            };
            let mut a = vec![cls.clone()];
            a.extend(args.iter().cloned());
            let inst = call(&f, a, kw.clone())?;
            if !is_subclass(&type_of(&inst), cls) {
                return Ok(inst);
            }
            inst
        }
        _ => {
            if let Some(e) = crate::object::abstract_instantiation(cls) {
                return Err(e);
            }
            let inst = new_instance(cls);
            if c.base_kind == BType::BaseException {
                set_exc_args(&inst, crate::tuple(args.clone()));
            } else if c.base_kind != BType::Object {
                crate::stdlib::init_payload(&inst, c.base_kind, &args, &kw)?;
            }
            inst
        }
    };
    match lookup(cls, "__init__") {
        Some(init) => {
            let is_object_init = object_slot("__init__").map(|oi| ptr_eq(&oi, &init)).unwrap_or(false);
            if is_object_init {
                if !args.is_empty() || !kw.is_empty() {
                    if lookup(cls, "__new__").map(|n| matches!(&n, Value::Obj(o) if matches!(&**o, Obj::Native(_)))).unwrap_or(true) {
                        return Err(type_error(format!("{}() takes no arguments", c.name)));
                    }
                }
                return Ok(inst);
            }
            // a plain __init__ is called with the instance first, as its
            // bound method would be, without making the bound method
            let r = match &init {
                Value::Obj(io) if matches!(&**io, Obj::Func(_)) => {
                    let mut a = Vec::with_capacity(args.len() + 1);
                    a.push(inst.clone());
                    a.extend(args);
                    call(&init, a, kw)?
                }
                _ => call(&bind(init, &inst, cls)?, args, kw)?,
            };
            init_result(r)?;
        }
        None => {}
    }
    Ok(inst)
}

/// `obj.name(*args, **kw)` without materialising the bound method when possible.
pub fn call_method(obj: &Value, name: &str, args: Vec<Value>, kw: Kw) -> PyResult<Value> {
    match obj {
        Value::Obj(o) => match &**o {
            Obj::Inst(i) => {
                let cls = i.class.borrow().clone();
                if let Some(f) = lookup(&cls, name) {
                    if let Value::Obj(fo) = &f {
                        if let Obj::Func(func) = &**fo {
                            if !i.dict.borrow().contains(name) {
                                let mut a = Vec::with_capacity(args.len() + 1);
                                a.push(obj.clone());
                                a.extend(args);
                                return call_function(func, a, kw);
                            }
                        }
                    }
                }
                let m = crate::attr::getattr(obj, name)?;
                call(&m, args, kw)
            }
            _ => {
                let m = crate::attr::getattr(obj, name)?;
                call(&m, args, kw)
            }
        },
        _ => crate::methods::call_builtin_method(obj, name, args, kw),
    }
}

pub fn extend_args(args: &mut Vec<Value>, it: &Value) -> PyResult<()> {
    match crate::iter::collect(it) {
        Ok(items) => {
            args.extend(items);
            Ok(())
        }
        Err(e) => {
            if exc_is(&e, "TypeError") && crate::iter::iter(it).is_err() {
                return Err(type_error(format!("Value after * must be an iterable, not {}", type_name(it))));
            }
            Err(e)
        }
    }
}

pub fn extend_kwargs(kw: &mut Kw, m: &Value) -> PyResult<()> {
    let items: Vec<(Value, Value)> = match m {
        Value::Dict(d) => d.borrow().items(),
        _ => {
            let keys = match crate::call_method(m, "keys", vec![], vec![]) {
                Ok(k) => crate::iter::collect(&k)?,
                Err(_) => {
                    return Err(type_error(format!("argument after ** must be a mapping, not {}", type_name(m))));
                }
            };
            let mut out = Vec::new();
            for k in keys {
                let v = crate::attr::getitem(m, &k)?;
                out.push((k, v));
            }
            out
        }
    };
    for (k, v) in items {
        let k = match k {
            Value::Str(s) => s.s.clone(),
            _ => return Err(type_error("keywords must be strings".into())),
        };
        if kw.iter().any(|(n, _)| *n == k) {
            return Err(type_error(format!("got multiple values for keyword argument '{}'", k)));
        }
        kw.push((k, v));
    }
    Ok(())
}
