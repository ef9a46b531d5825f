//! `types`: the names of the interpreter's own types (FunctionType,
//! GeneratorType, MethodType, ModuleType, ...: the runtime's type objects,
//! so `isinstance` and `is` work as in CPython), SimpleNamespace,
//! MappingProxyType (a read-only view of a mapping), GenericAlias (what
//! `list[int]` is: `rt::getitem` on a builtin container type makes one, see
//! `class_subscript`) and new_class.
//!
//! Not provided (listed in agents/an_missing_names.inc, so an import is an
//! analysis error): the types of code, frames, tracebacks and cells, which a
//! translated program does not have, DynamicClassAttribute, coroutine,
//! prepare_class, resolve_bases, get_original_bases.

use super::meth;
use super::nat;
use crate::object::*;
use crate::value::*;
use std::cell::RefCell;

thread_local! {
    static NS: RefCell<Option<Value>> = RefCell::new(None);
    static GA: RefCell<Option<Value>> = RefCell::new(None);
    static MP: RefCell<Option<Value>> = RefCell::new(None);
}

fn cached(cell: &'static std::thread::LocalKey<RefCell<Option<Value>>>, build: fn() -> Value) -> Value {
    if let Some(v) = cell.with(|c| c.borrow().clone()) {
        return v;
    }
    let v = build();
    cell.with(|c| *c.borrow_mut() = Some(v.clone()));
    v
}

fn inst_of(v: &Value, cls: &Value) -> bool {
    as_inst(v).map(|i| is_subclass(&i.class.borrow(), cls)).unwrap_or(false)
}

// ------------------------------------------------------------ SimpleNamespace

/// The instance attributes of v, in insertion order.
fn attrs(v: &Value) -> Vec<(String, Value)> {
    match as_inst(v) {
        Some(i) => i.dict.borrow().entries.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
        None => vec![],
    }
}

fn namespace_class() -> Value {
    cached(&NS, || {
        crate::stdlib2::rt_class(
            "SimpleNamespace",
            "types",
            vec![],
            vec![
                ("__init__", meth("__init__", |a, kw| {
                    if a.len() > 1 {
                        return Err(type_error("no positional arguments expected".into()));
                    }
                    for (k, v) in kw {
                        crate::setattr(&a[0], &k, v)?;
                    }
                    Ok(Value::None)
                })),
                ("__repr__", meth("__repr__", |a, _| {
                    let me = &a[0];
                    let cls = type_of(me);
                    let name = if ops_is(&cls, &namespace_class()) { "namespace".to_string() } else { class_of(&cls).name.to_string() };
                    let mut parts = Vec::new();
                    for (k, v) in attrs(me) {
                        parts.push(format!("{}={}", k, crate::ops::repr(&v)?));
                    }
                    Ok(Value::string(format!("{}({})", name, parts.join(", "))))
                })),
                ("__eq__", meth("__eq__", |a, _| {
                    let ns = namespace_class();
                    if !inst_of(&a[1], &ns) {
                        return Ok(Value::obj(Obj::NotImplemented));
                    }
                    let (x, y) = (attrs(&a[0]), attrs(&a[1]));
                    if x.len() != y.len() {
                        return Ok(Value::Bool(false));
                    }
                    for (k, v) in &x {
                        match y.iter().find(|(k2, _)| k2 == k) {
                            Some((_, w)) if crate::ops::eq_bool(v, w)? => {}
                            _ => return Ok(Value::Bool(false)),
                        }
                    }
                    Ok(Value::Bool(true))
                })),
                ("__hash__", Value::None),
            ],
        )
    })
}

fn ops_is(a: &Value, b: &Value) -> bool {
    crate::ops::is(a, b)
}

// ------------------------------------------------------------ MappingProxyType

fn mapping(a: &[Value]) -> PyResult<Value> {
    let i = a.get(0).and_then(as_inst).ok_or_else(|| type_error("descriptor requires a 'mappingproxy' object".into()))?;
    let p = i.payload.borrow().clone();
    Ok(p)
}

fn read_only(_: Vec<Value>, _: Kw) -> PyResult<Value> {
    Err(type_error("'mappingproxy' object does not support item assignment".into()))
}

fn proxy_class() -> Value {
    cached(&MP, || {
        let fwd = |name: &'static str| {
            meth(name, move |a, kw| {
                let m = mapping(&a)?;
                crate::call_method(&m, name, a[1..].to_vec(), kw)
            })
        };
        crate::stdlib2::rt_class(
            "mappingproxy",
            "builtins",
            vec![],
            vec![
                ("__init__", meth("__init__", |a, _| {
                    let m = a.get(1).cloned().ok_or_else(|| type_error("mappingproxy() missing required argument 'mapping' (pos 1)".into()))?;
                    let ok = matches!(m, Value::Dict(_)) || crate::attr::getattr(&m, "keys").is_ok() && crate::attr::getattr(&m, "__getitem__").is_ok();
                    if !ok || matches!(m, Value::List(_) | Value::Tuple(_)) {
                        return Err(type_error(format!("mappingproxy() argument must be a mapping, not {}", type_name(&m))));
                    }
                    if let Some(i) = as_inst(&a[0]) {
                        *i.payload.borrow_mut() = m;
                    }
                    Ok(Value::None)
                })),
                ("__getitem__", fwd("__getitem__")),
                ("__contains__", fwd("__contains__")),
                ("__iter__", fwd("__iter__")),
                ("__len__", fwd("__len__")),
                ("get", fwd("get")),
                ("keys", fwd("keys")),
                ("values", fwd("values")),
                ("items", fwd("items")),
                ("copy", fwd("copy")),
                ("__reversed__", fwd("__reversed__")),
                ("__or__", meth("__or__", |a, _| {
                    let m = mapping(&a)?;
                    crate::ops::binop(crate::ops::Op::Or, &m, &a[1])
                })),
                ("__eq__", meth("__eq__", |a, _| {
                    let m = mapping(&a)?;
                    let other = if inst_of(&a[1], &proxy_class()) { mapping(&a[1..])? } else { a[1].clone() };
                    Ok(Value::Bool(crate::ops::eq_bool(&m, &other)?))
                })),
                ("__setitem__", nat("__setitem__", read_only)),
                ("__delitem__", nat("__delitem__", |_, _| {
                    Err(type_error("'mappingproxy' object does not support item deletion".into()))
                })),
                ("__repr__", meth("__repr__", |a, _| {
                    let m = mapping(&a)?;
                    Ok(Value::string(format!("mappingproxy({})", crate::ops::repr(&m)?)))
                })),
                ("__str__", meth("__str__", |a, _| {
                    let m = mapping(&a)?;
                    crate::ops::to_str(&m).map(Value::string)
                })),
            ],
        )
    })
}

// ------------------------------------------------------------ GenericAlias

fn alias_class() -> Value {
    cached(&GA, || {
        crate::stdlib2::rt_class(
            "GenericAlias",
            "types",
            vec![],
            vec![
                ("__init__", meth("__init__", |a, _| {
                    if a.len() != 3 {
                        return Err(type_error(format!("GenericAlias expected 2 arguments, got {}", a.len().saturating_sub(1))));
                    }
                    let args = match &a[2] {
                        Value::Tuple(_) => a[2].clone(),
                        x => crate::tuple(vec![x.clone()]),
                    };
                    let i = as_inst(&a[0]).unwrap();
                    let mut d = i.dict.borrow_mut();
                    d.set("__origin__", a[1].clone());
                    d.set("__args__", args);
                    d.set("__parameters__", crate::tuple(vec![]));
                    Ok(Value::None)
                })),
                ("__repr__", meth("__repr__", |a, _| {
                    let origin = crate::getattr(&a[0], "__origin__")?;
                    let args = crate::iter::collect(&crate::getattr(&a[0], "__args__")?)?;
                    let mut s = type_repr(&origin)?;
                    s.push('[');
                    if args.is_empty() {
                        s.push_str("()");
                    }
                    for (k, x) in args.iter().enumerate() {
                        if k > 0 {
                            s.push_str(", ");
                        }
                        s.push_str(&type_repr(x)?);
                    }
                    s.push(']');
                    Ok(Value::string(s))
                })),
                ("__eq__", meth("__eq__", |a, _| {
                    if !inst_of(&a[1], &alias_class()) {
                        return Ok(Value::obj(Obj::NotImplemented));
                    }
                    let same = crate::ops::eq_bool(&crate::getattr(&a[0], "__origin__")?, &crate::getattr(&a[1], "__origin__")?)?
                        && crate::ops::eq_bool(&crate::getattr(&a[0], "__args__")?, &crate::getattr(&a[1], "__args__")?)?;
                    Ok(Value::Bool(same))
                })),
                ("__hash__", meth("__hash__", |a, _| {
                    let o = crate::ops::hash(&crate::getattr(&a[0], "__origin__")?)?;
                    let t = crate::ops::hash(&crate::getattr(&a[0], "__args__")?)?;
                    Ok(Value::Int(o ^ t))
                })),
                ("__call__", meth("__call__", |a, kw| {
                    let origin = crate::getattr(&a[0], "__origin__")?;
                    crate::call(&origin, a[1..].to_vec(), kw)
                })),
                ("__mro_entries__", meth("__mro_entries__", |a, _| {
                    Ok(crate::tuple(vec![crate::getattr(&a[0], "__origin__")?]))
                })),
                ("__instancecheck__", meth("__instancecheck__", |_, _| {
                    Err(type_error("isinstance() argument 2 cannot be a parameterized generic".into()))
                })),
            ],
        )
    })
}

/// CPython's repr of a type argument: `...`, a builtin class by its
/// qualified name, another class as module.qualname, anything else by repr.
fn type_repr(v: &Value) -> PyResult<String> {
    if let Value::Obj(o) = v {
        if let Obj::Ellipsis = &**o {
            return Ok("...".into());
        }
    }
    if as_class(v).is_some() {
        let qual = crate::getattr(v, "__qualname__").and_then(|q| crate::ops::to_str(&q)).unwrap_or_else(|_| class_of(v).name.to_string());
        let module = crate::getattr(v, "__module__").and_then(|m| crate::ops::to_str(&m)).unwrap_or_else(|_| "builtins".into());
        return Ok(if module == "builtins" { qual } else { format!("{}.{}", module, qual) });
    }
    crate::ops::repr(v)
}

/// `list[int]`: a GenericAlias for a subscripted builtin container type
/// (list, dict, tuple, set, frozenset, type), None for any other class.
pub fn class_subscript(cls: &Value, key: &Value) -> Option<PyResult<Value>> {
    use BType as B;
    let k = as_class(cls)?.base_kind;
    if !matches!(k, B::List | B::Dict | B::Tuple | B::Set | B::FrozenSet | B::Type) || !crate::ops::is(cls, &type_for(k)) {
        return None;
    }
    Some(crate::call(&alias_class(), vec![cls.clone(), key.clone()], vec![]))
}

// ------------------------------------------------------------ the module

pub fn module() -> Value {
    use BType as B;
    let md = crate::rtsys::new_module("types", "");
    let set = |n: &str, v: Value| crate::rtsys::mod_set(&md, n, v);
    set("SimpleNamespace", namespace_class());
    set("MappingProxyType", proxy_class());
    set("GenericAlias", alias_class());
    set("FunctionType", type_for(B::Function));
    set("LambdaType", type_for(B::Function));
    set("BuiltinFunctionType", type_for(B::BuiltinFunction));
    set("BuiltinMethodType", type_for(B::BuiltinFunction));
    set("MethodType", type_for(B::Method));
    set("GeneratorType", type_for(B::Generator));
    set("ModuleType", type_for(B::Module));
    set("NoneType", type_for(B::NoneType));
    set("EllipsisType", type_for(B::Ellipsis));
    set("NotImplementedType", type_for(B::NotImplementedType));
    // the types of a coroutine and an async generator (gen.rs kinds)
    set("CoroutineType", crate::object::async_type(crate::gen::KIND_CORO));
    set("AsyncGeneratorType", crate::object::async_type(crate::gen::KIND_AGEN));
    set("new_class", nat("new_class", |a, kw| {
        let mut a: Vec<Option<Value>> = a.into_iter().map(Some).collect();
        a.resize(4, None);
        for (k, v) in kw {
            let ix = match k.as_str() {
                "name" => 0,
                "bases" => 1,
                "kwds" => 2,
                "exec_body" => 3,
                _ => return Err(type_error(format!("new_class() got an unexpected keyword argument '{}'", k))),
            };
            a[ix] = Some(v);
        }
        let name = a[0].clone().ok_or_else(|| type_error("new_class() missing required argument 'name'".into()))?;
        let bases = a[1].clone().unwrap_or_else(|| crate::tuple(vec![]));
        let ns = crate::dict(vec![])?;
        if let Some(body) = a[3].clone().filter(|b| !matches!(b, Value::None)) {
            crate::call(&body, vec![ns.clone()], vec![])?;
        }
        crate::call(&type_for(B::Type), vec![name, bases, ns], vec![])
    }));
    md
}
