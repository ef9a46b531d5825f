//! Standard modules: small helpers real programs import even when
//! they only use them for annotations or light plumbing: typing, abc, copy,
//! contextlib.

use crate::call::call;
use crate::object::*;
use crate::ops;
use crate::stdlib::heapq_bisect_itertools_functools::rt_class;
use crate::value::*;
use std::cell::RefCell;
use std::rc::Rc;

fn nat(name: &'static str, f: impl Fn(Vec<Value>, Kw) -> PyResult<Value> + 'static) -> Value {
    native(name, false, f)
}
fn meth(name: &'static str, f: impl Fn(Vec<Value>, Kw) -> PyResult<Value> + 'static) -> Value {
    native(name, true, f)
}

pub fn typing_module() -> Value {
    let m = crate::rtsys::new_module("typing", "");
    let special = rt_class("_SpecialForm", "typing", vec![], vec![
        ("__getitem__", meth("__getitem__", |a, _| Ok(a[0].clone()))),
        ("__call__", meth("__call__", |a, _| Ok(a.get(1).cloned().unwrap_or(Value::None)))),
        ("__repr__", meth("__repr__", |a, _| {
            let n = as_inst(&a[0]).and_then(|i| i.dict.borrow().get("_name")).unwrap_or(Value::str("?"));
            Ok(Value::string(format!("typing.{}", ops::to_str(&n)?)))
        })),
        ("__or__", meth("__or__", |a, _| Ok(a[0].clone()))),
    ]);
    for n in [
        "Any", "Union", "Optional", "List", "Dict", "Set", "FrozenSet", "Tuple", "Callable", "Iterable", "Iterator",
        "Generator", "Sequence", "Mapping", "MutableMapping", "MutableSequence", "Type", "ClassVar", "Final", "Literal",
        "Deque", "DefaultDict", "Counter", "OrderedDict", "AbstractSet", "Collection", "Container", "Hashable", "Sized",
        "Reversible", "SupportsInt", "SupportsFloat", "Awaitable", "Coroutine", "AsyncIterator", "NoReturn", "Annotated",
        "TypeAlias", "Self", "Never", "LiteralString", "Required", "NotRequired", "ParamSpec", "Concatenate",
        "IO", "BinaryIO", "TextIO", "AnyStr", "SupportsAbs", "SupportsBytes", "SupportsComplex", "SupportsIndex",
        "SupportsRound", "AsyncIterable", "AsyncGenerator", "ContextManager", "AsyncContextManager", "ItemsView",
        "KeysView", "ValuesView", "MappingView", "ChainMap", "Pattern", "Match", "ByteString", "TypeGuard", "Unpack",
        "TypeVarTuple", "MutableSet", "NamedTupleMeta",
    ] {
        let v = new_instance(&special);
        as_inst(&v).unwrap().dict.borrow_mut().set("_name", Value::str(n));
        crate::rtsys::mod_set(&m, n, v);
    }
    let generic = rt_class("Generic", "typing", vec![], vec![]);
    crate::rtsys::mod_set(&m, "Generic", generic);
    let protocol = rt_class("Protocol", "typing", vec![], vec![]);
    crate::rtsys::mod_set(&m, "Protocol", protocol);
    crate::rtsys::mod_set(&m, "TYPE_CHECKING", Value::Bool(false));
    crate::rtsys::mod_set(&m, "Text", crate::builtins::builtin("str"));
    crate::rtsys::mod_set(&m, "no_type_check", nat("no_type_check", |a, _| Ok(a[0].clone())));
    crate::rtsys::mod_set(&m, "get_type_hints", nat("get_type_hints", |a, _| {
        match crate::attr::getattr(&a[0], "__annotations__") {
            Ok(d) => crate::call::call(&crate::builtins::builtin("dict"), vec![d], vec![]),
            Err(_) => crate::dict(vec![]),
        }
    }));
    crate::rtsys::mod_set(&m, "assert_never", nat("assert_never", |a, _| {
        Err(new_exc("AssertionError", &format!("Expected code to be unreachable, but got: {}", crate::ops::repr(&a[0])?)))
    }));
    crate::rtsys::mod_set(&m, "reveal_type", nat("reveal_type", |a, _| Ok(a[0].clone())));
    crate::rtsys::mod_set(&m, "TypeVar", nat("TypeVar", |a, _| Ok(a.get(0).cloned().unwrap_or(Value::None))));
    crate::rtsys::mod_set(&m, "NewType", nat("NewType", |a, _| Ok(a.get(1).cloned().unwrap_or(Value::None))));
    crate::rtsys::mod_set(&m, "cast", nat("cast", |a, _| Ok(a.get(1).cloned().unwrap_or(Value::None))));
    crate::rtsys::mod_set(&m, "overload", nat("overload", |a, _| Ok(a[0].clone())));
    crate::rtsys::mod_set(&m, "final", nat("final", |a, _| Ok(a[0].clone())));
    crate::rtsys::mod_set(&m, "runtime_checkable", nat("runtime_checkable", |a, _| Ok(a[0].clone())));
    crate::rtsys::mod_set(&m, "NamedTuple", crate::attr::getattr(&crate::stdlib::import_std("collections", crate::stdlib::modules::collections).unwrap(), "namedtuple").unwrap());
    m
}

pub fn abc_module() -> Value {
    let m = crate::rtsys::new_module("abc", "");
    // _abc_impl marks the classes under ABC: make_class computes their
    // __abstractmethods__ (object.rs, set_abstract_methods)
    let abc = rt_class("ABC", "abc", vec![], vec![("_abc_impl", Value::None)]);
    crate::rtsys::mod_set(&m, "ABC", abc.clone());
    crate::rtsys::mod_set(&m, "ABCMeta", type_for(BType::Type));
    crate::rtsys::mod_set(&m, "abstractmethod", nat("abstractmethod", |a, _| {
        let _ = crate::attr::setattr(&a[0], "__isabstractmethod__", Value::Bool(true));
        Ok(a[0].clone())
    }));
    m
}

fn copy_value(v: &Value, deep: bool, memo: &mut Vec<(i64, Value)>) -> PyResult<Value> {
    let id = ops::id_of(v);
    if let Some((_, c)) = memo.iter().find(|(i, _)| *i == id) {
        return Ok(c.clone());
    }
    let rec = |x: &Value, memo: &mut Vec<(i64, Value)>| -> PyResult<Value> {
        if deep {
            copy_value(x, true, memo)
        } else {
            Ok(x.clone())
        }
    };
    let out = match v {
        Value::List(l) => {
            let nl = crate::list(vec![]);
            memo.push((id, nl.clone()));
            let items = l.borrow().clone();
            let mut out = Vec::with_capacity(items.len());
            for x in items.iter() {
                out.push(rec(x, memo)?);
            }
            if let Value::List(n) = &nl {
                *n.borrow_mut() = out;
            }
            return Ok(nl);
        }
        Value::Tuple(t) => {
            if !deep {
                return Ok(v.clone());
            }
            let mut out = Vec::with_capacity(t.len());
            for x in t.iter() {
                out.push(rec(x, memo)?);
            }
            crate::tuple(out)
        }
        Value::Dict(d) => {
            let nd = crate::dict(vec![])?;
            memo.push((id, nd.clone()));
            for (k, x) in d.borrow().items() {
                crate::methods::dict_set(&nd, rec(&k, memo)?, rec(&x, memo)?)?;
            }
            return Ok(nd);
        }
        Value::Set(s) => {
            let items = s.borrow().values();
            let mut out = Vec::new();
            for x in items.iter() {
                out.push(rec(x, memo)?);
            }
            crate::set(out)?
        }
        Value::Obj(o) => match &**o {
            Obj::Deque(d) => {
                let items: Vec<Value> = d.items.borrow().iter().cloned().collect();
                let mut out = Vec::with_capacity(items.len());
                for x in items.iter() {
                    out.push(rec(x, memo)?);
                }
                return Ok(crate::stdlib::deque::copy_payload(d, out));
            }
            Obj::Inst(i) => {
                let hook = if deep { "__deepcopy__" } else { "__copy__" };
                if let Some(f) = lookup_user(v, hook) {
                    let m = bind(f, v, &type_of(v))?;
                    let args = if deep { vec![crate::dict(vec![])?] } else { vec![] };
                    return call(&m, args, vec![]);
                }
                let cls = i.class.borrow().clone();
                let n = new_instance(&cls);
                memo.push((id, n.clone()));
                let ni = as_inst(&n).unwrap();
                let entries = i.dict.borrow().entries.clone();
                for (k, x) in entries {
                    let x2 = rec(&x, memo)?;
                    ni.dict.borrow_mut().set(&k, x2);
                }
                let p = i.payload.borrow().clone();
                *ni.payload.borrow_mut() = if p.is_none() { p } else if deep { copy_value(&p, true, memo)? } else { copy_value(&p, false, &mut Vec::new())? };
                if let (Some(src), Some(dst)) = (i.exc.borrow().as_ref(), ni.exc.borrow_mut().as_mut()) {
                    dst.args = src.args.clone();
                }
                return Ok(n);
            }
            _ => v.clone(),
        },
        _ => v.clone(),
    };
    memo.push((id, out.clone()));
    Ok(out)
}

pub fn copy_module() -> Value {
    let m = crate::rtsys::new_module("copy", "");
    crate::rtsys::mod_set(&m, "copy", nat("copy", |a, _| copy_value(&a[0], false, &mut Vec::new())));
    crate::rtsys::mod_set(&m, "deepcopy", nat("deepcopy", |a, _| copy_value(&a[0], true, &mut Vec::new())));
    m
}

thread_local! {
    static GCM: RefCell<Option<Value>> = RefCell::new(None);
}

fn gen_cm_class() -> Value {
    if let Some(c) = GCM.with(|g| g.borrow().clone()) {
        return c;
    }
    let c = rt_class("_GeneratorContextManager", "contextlib", vec![], vec![
        ("__enter__", meth("__enter__", |a, _| {
            let g = as_inst(&a[0]).unwrap().dict.borrow().get("gen").unwrap();
            match crate::iter::next(&g)? {
                Some(v) => Ok(v),
                None => Err(new_exc("RuntimeError", "generator didn't yield")),
            }
        })),
        ("__exit__", meth("__exit__", |a, _| {
            let g = as_inst(&a[0]).unwrap().dict.borrow().get("gen").unwrap();
            if a.get(1).map(|t| t.is_none()).unwrap_or(true) {
                return match crate::iter::next(&g)? {
                    None => Ok(Value::Bool(false)),
                    Some(_) => Err(new_exc("RuntimeError", "generator didn't stop")),
                };
            }
            let exc = a.get(2).cloned().filter(|e| !e.is_none()).unwrap_or_else(|| a[1].clone());
            match crate::gen::throw(&g, exc.clone()) {
                Ok(_) => Err(new_exc("RuntimeError", "generator didn't stop after throw()")),
                Err(e) => {
                    if ops::is(&e.value(), &exc) {
                        return Ok(Value::Bool(false));
                    }
                    if exc_is(&e, "StopIteration") {
                        return Ok(Value::Bool(true));
                    }
                    Err(e)
                }
            }
        })),
    ]);
    GCM.with(|g| *g.borrow_mut() = Some(c.clone()));
    c
}

pub fn contextlib_module() -> Value {
    let m = crate::rtsys::new_module("contextlib", "");
    crate::rtsys::mod_set(&m, "contextmanager", nat("contextmanager", |a, _| {
        let f = a[0].clone();
        let wrapper = nat("helper", move |b, kw| {
            let g = call(&f, b, kw)?;
            let cm = new_instance(&gen_cm_class());
            as_inst(&cm).unwrap().dict.borrow_mut().set("gen", g);
            Ok(cm)
        });
        Ok(wrapper)
    }));
    let suppress = rt_class("suppress", "contextlib", vec![], vec![
        ("__init__", meth("__init__", |a, _| {
            as_inst(&a[0]).unwrap().dict.borrow_mut().set("excs", crate::tuple(a[1..].to_vec()));
            Ok(Value::None)
        })),
        ("__enter__", meth("__enter__", |_, _| Ok(Value::None))),
        ("__exit__", meth("__exit__", |a, _| {
            let t = a.get(1).cloned().unwrap_or(Value::None);
            if t.is_none() {
                return Ok(Value::Bool(false));
            }
            let excs = as_inst(&a[0]).unwrap().dict.borrow().get("excs").unwrap();
            for c in crate::iter::collect(&excs)? {
                if is_subclass(&t, &c) {
                    return Ok(Value::Bool(true));
                }
            }
            Ok(Value::Bool(false))
        })),
    ]);
    crate::rtsys::mod_set(&m, "suppress", suppress);
    let _ = Rc::new(());
    m
}
