//! Standard modules: enum and dataclasses.
//!
//! Both are class-building machinery in CPython (a metaclass and a class
//! decorator).  Here `make_class` calls `enum_init` for subclasses of Enum,
//! turning plain class attributes into member instances, and the runtime's
//! class-level iteration/len/call/getitem consult the member tables.
//! `dataclass` reads the ordered `__annotations__` the code generator puts
//! in the class namespace and installs native __init__/__repr__/__eq__/
//! ordering/__hash__/frozen __setattr__.

use crate::call::call;
use crate::iter::collect;
use crate::methods::{dict_get, dict_set};
use crate::object::*;
use crate::ops;
use crate::stdlib::heapq_bisect_itertools_functools::rt_class;
use crate::value::*;
use std::cell::RefCell;

fn nat(name: &'static str, f: impl Fn(Vec<Value>, Kw) -> PyResult<Value> + 'static) -> Value {
    native(name, false, f)
}
fn meth(name: &'static str, f: impl Fn(Vec<Value>, Kw) -> PyResult<Value> + 'static) -> Value {
    native(name, true, f)
}
fn dget(o: &Value, k: &str) -> Value {
    as_inst(o).and_then(|i| i.dict.borrow().get(k)).unwrap_or(Value::None)
}
fn cget(c: &Value, k: &str) -> Option<Value> {
    as_class(c).and_then(|cl| cl.dict.borrow().get(k))
}

// ---------------------------------------------------------------- enum

thread_local! {
    static ENUM: RefCell<Option<(Value, Value)>> = RefCell::new(None);
}

fn enum_classes() -> (Value, Value) {
    if let Some(v) = ENUM.with(|e| e.borrow().clone()) {
        return v;
    }
    let auto = rt_class("auto", "enum", vec![], vec![]);
    let en = rt_class("Enum", "enum", vec![], vec![
        ("__enum_base__", Value::Bool(true)),
        ("__repr__", meth("__repr__", |a, _| {
            let v = dget(&a[0], "_value_");
            Ok(Value::string(format!("<{}.{}: {}>", type_name(&a[0]), ops::to_str(&dget(&a[0], "_name_"))?, ops::repr(&v)?)))
        })),
        ("__str__", meth("__str__", |a, _| {
            let cls = type_of(&a[0]);
            let mix = class_of(&cls).base_kind;
            if mix == BType::Int || mix == BType::Str {
                if lookup(&cls, "__str_is_value__").is_some() {
                    return Ok(Value::string(ops::to_str(&dget(&a[0], "_value_"))?));
                }
            }
            Ok(Value::string(format!("{}.{}", type_name(&a[0]), ops::to_str(&dget(&a[0], "_name_"))?)))
        })),
        ("__format__", meth("__format__", |a, _| {
            let spec = ops::to_str(&a[1])?;
            let cls = type_of(&a[0]);
            let mix = class_of(&cls).base_kind;
            if mix == BType::Int || mix == BType::Str {
                return Ok(Value::string(crate::format::format(&dget(&a[0], "_value_"), &spec)?));
            }
            let s = ops::to_str(&a[0])?;
            Ok(Value::string(crate::format::format(&Value::string(s), &spec)?))
        })),
        ("__class_getitem__", Value::obj(Obj::ClassMethod(nat("__class_getitem__", |a, _| {
            let map = cget(&a[0], "_member_map_").unwrap_or(Value::None);
            match dict_get(&map, &a[1])? {
                Some(m) => Ok(m),
                None => Err(new_exc_args("KeyError", vec![a[1].clone()])),
            }
        })))),
    ]);
    let v = (en, auto);
    ENUM.with(|e| *e.borrow_mut() = Some(v.clone()));
    v
}

pub fn is_enum_class(c: &Value) -> bool {
    cget(c, "_member_names_").is_some()
}

pub fn enum_members(c: &Value) -> PyResult<Vec<Value>> {
    let names = collect(&lookup(c, "_member_names_").unwrap_or(Value::None))?;
    let map = lookup(c, "_member_map_").unwrap_or(Value::None);
    let mut out = Vec::new();
    for n in names {
        if let Some(m) = dict_get(&map, &n)? {
            out.push(m);
        }
    }
    Ok(out)
}

pub fn enum_lookup(c: &Value, v: &Value) -> PyResult<Value> {
    if is_subclass(&type_of(v), c) {
        return Ok(v.clone());
    }
    let map = lookup(c, "_value2member_map_").unwrap_or(Value::None);
    if let Ok(Some(m)) = dict_get(&map, v) {
        return Ok(m);
    }
    // unhashable or missing: linear scan
    for m in enum_members(c)? {
        if ops::eq_bool(&dget(&m, "_value_"), v)? {
            return Ok(m);
        }
    }
    if lookup(c, "__flag__").is_some() {
        if let Some(n) = v.as_i64().filter(|_| !matches!(v, Value::Bool(_))) {
            return flag_pseudo(c, n);
        }
    }
    Err(value_error(format!("{} is not a valid {}", ops::repr(v)?, class_of(c).qualname)))
}

// ------------------------------------------------------------ Flag

/// The members of a flag class with one bit, in definition order.
fn flag_bits(c: &Value) -> PyResult<Vec<(Value, i64)>> {
    let mut out = Vec::new();
    for m in enum_members(c)? {
        if let Some(n) = dget(&m, "_value_").as_i64() {
            if n > 0 && n & (n - 1) == 0 {
                out.push((m, n));
            }
        }
    }
    Ok(out)
}

fn flag_all(c: &Value) -> PyResult<i64> {
    Ok(enum_members(c)?.iter().filter_map(|m| dget(m, "_value_").as_i64()).fold(0, |a, b| a | b))
}

/// `Perm(5)` for a value no member has: a pseudo-member named after the
/// one-bit members it holds ("R|X", CPython's composite name; extra bits
/// of an IntFlag are kept and named by number; Flag refuses them), made
/// once per value.
fn flag_pseudo(c: &Value, n: i64) -> PyResult<Value> {
    let all = flag_all(c)?;
    let int_flag = class_of(c).base_kind == BType::Int;
    if n < 0 || (!int_flag && n & !all != 0) {
        return Err(value_error(format!("{} is not a valid {}", n, class_of(c).qualname)));
    }
    let mut names = Vec::new();
    for (m, b) in flag_bits(c)? {
        if n & b != 0 {
            names.push(ops::to_str(&dget(&m, "_name_"))?);
        }
    }
    if n & !all != 0 {
        names.push(format!("{}", n & !all));
    }
    let m = new_instance(c);
    let name = if n == 0 { Value::None } else { Value::string(names.join("|")) };
    if let Some(i) = as_inst(&m) {
        let mut d = i.dict.borrow_mut();
        d.set("_name_", name.clone());
        d.set("_value_", Value::Int(n));
        d.set("name", name);
        d.set("value", Value::Int(n));
        drop(d);
        if int_flag {
            *i.payload.borrow_mut() = Value::Int(n);
        }
    }
    if let Some(map) = lookup(c, "_value2member_map_") {
        dict_set(&map, Value::Int(n), m.clone())?;
    }
    Ok(m)
}

/// The int value of the other operand of a flag operator: a member of the
/// same class, or (for an IntFlag) an int; None: NotImplemented.
fn flag_other(me: &Value, other: &Value) -> Option<i64> {
    let c = type_of(me);
    if is_subclass(&type_of(other), &c) {
        return dget(other, "_value_").as_i64();
    }
    if class_of(&c).base_kind == BType::Int && matches!(other, Value::Int(_)) {
        return other.as_i64();
    }
    None
}

fn flag_value(v: &Value) -> i64 {
    dget(v, "_value_").as_i64().unwrap_or(0)
}

fn flag_methods() -> Vec<(&'static str, Value)> {
    fn binop(name: &'static str, f: fn(i64, i64) -> i64) -> Value {
        meth(name, move |a, _| match flag_other(&a[0], &a[1]) {
            Some(o) => enum_lookup(&type_of(&a[0]), &Value::Int(f(flag_value(&a[0]), o))),
            None => Ok(Value::obj(Obj::NotImplemented)),
        })
    }
    vec![
        ("__or__", binop("__or__", |x, y| x | y)),
        ("__ror__", binop("__ror__", |x, y| x | y)),
        ("__and__", binop("__and__", |x, y| x & y)),
        ("__rand__", binop("__rand__", |x, y| x & y)),
        ("__xor__", binop("__xor__", |x, y| x ^ y)),
        ("__rxor__", binop("__rxor__", |x, y| x ^ y)),
        ("__invert__", meth("__invert__", |a, _| {
            let c = type_of(&a[0]);
            let all = flag_all(&c)?;
            enum_lookup(&c, &Value::Int(all & !flag_value(&a[0])))
        })),
        ("__contains__", meth("__contains__", |a, _| {
            let c = type_of(&a[0]);
            if !is_subclass(&type_of(&a[1]), &c) {
                return Err(type_error(format!(
                    "unsupported operand type(s) for 'in': '{}' and '{}'",
                    type_name(&a[1]),
                    class_of(&c).qualname
                )));
            }
            let o = flag_value(&a[1]);
            Ok(Value::Bool(o & flag_value(&a[0]) == o))
        })),
        ("__bool__", meth("__bool__", |a, _| Ok(Value::Bool(flag_value(&a[0]) != 0)))),
        ("__iter__", meth("__iter__", |a, _| {
            let v = flag_value(&a[0]);
            let ms: Vec<Value> = flag_bits(&type_of(&a[0]))?.into_iter().filter(|(_, b)| v & b != 0).map(|(m, _)| m).collect();
            crate::iter::iter(&crate::list(ms))
        })),
        ("__len__", meth("__len__", |a, _| {
            let v = flag_value(&a[0]);
            Ok(Value::Int(flag_bits(&type_of(&a[0]))?.iter().filter(|(_, b)| v & b != 0).count() as i64))
        })),
        ("__repr__", meth("__repr__", |a, _| {
            let n = dget(&a[0], "_name_");
            let v = ops::repr(&dget(&a[0], "_value_"))?;
            Ok(Value::string(match n {
                Value::None => format!("<{}: {}>", type_name(&a[0]), v),
                n => format!("<{}.{}: {}>", type_name(&a[0]), ops::to_str(&n)?, v),
            }))
        })),
    ]
}

/// Called by make_class for every class whose MRO contains Enum.
pub fn enum_init(cls: &Value) -> PyResult<()> {
    let c = class_of(cls);
    if c.dict.borrow().contains("__enum_base__") || c.module == "enum" {
        return Ok(());
    }
    // Enum exists (and so a subclass of it) only once the module is built:
    // reading its classes without building them keeps the enum machinery
    // out of programs that never import enum (make_class calls this).
    let auto = match ENUM.with(|e| e.borrow().clone()) {
        Some((_, auto)) => auto,
        None => return Ok(()),
    };
    let entries = c.dict.borrow().entries.clone();
    let member_map = crate::dict(vec![])?;
    let value_map = crate::dict(vec![])?;
    let mut names = Vec::new();
    let mut last: Option<Value> = None;
    let mix = c.base_kind;
    for (k, v) in entries {
        if k.starts_with('_') {
            continue;
        }
        let is_desc = match &v {
            Value::Obj(o) => matches!(&**o, Obj::Func(_) | Obj::Native(_) | Obj::Property(..) | Obj::StaticMethod(_) | Obj::ClassMethod(_) | Obj::Class(_)),
            _ => false,
        };
        if is_desc {
            continue;
        }
        let mut val = v.clone();
        if as_inst(&v).map(|i| ptr_eq(&i.class.borrow(), &auto)).unwrap_or(false) {
            let flag = lookup(cls, "__flag__").is_some();
            val = match (&last, mix) {
                (_, BType::Str) => Value::string(k.to_lowercase()),
                // a Flag's next power of two above the last value
                (Some(l), _) if flag && ops::is_int(l) => {
                    let n = l.as_i64().unwrap_or(0);
                    Value::Int(if n <= 0 { 1 } else { 1i64 << (64 - n.leading_zeros()) })
                }
                (Some(l), _) if ops::is_int(l) => ops::add(l, &Value::Int(1))?,
                _ => Value::Int(1),
            };
        }
        last = Some(val.clone());
        // aliases share the first member with that value
        if let Ok(Some(existing)) = dict_get(&value_map, &val) {
            c.dict.borrow_mut().set(&k, existing.clone());
            dict_set(&member_map, Value::str(&k), existing)?;
            continue;
        }
        let m = new_instance(cls);
        if let Some(i) = as_inst(&m) {
            let mut d = i.dict.borrow_mut();
            d.set("_name_", Value::str(&k));
            d.set("_value_", val.clone());
            d.set("name", Value::str(&k));
            d.set("value", val.clone());
            drop(d);
            match mix {
                BType::Int => *i.payload.borrow_mut() = crate::builtins::to_int(&val, None)?,
                BType::Str => *i.payload.borrow_mut() = Value::string(ops::to_str(&val)?),
                _ => {}
            }
        }
        c.dict.borrow_mut().set(&k, m.clone());
        dict_set(&member_map, Value::str(&k), m.clone())?;
        if ops::hash(&val).is_ok() {
            dict_set(&value_map, val, m)?;
        }
        names.push(Value::str(&k));
    }
    let mut d = c.dict.borrow_mut();
    d.set("_member_map_", member_map.clone());
    d.set("__members__", member_map);
    d.set("_value2member_map_", value_map);
    d.set("_member_names_", crate::list(names));
    Ok(())
}

pub fn enum_module() -> Value {
    let m = crate::rtsys::new_module("enum", "");
    let (en, auto) = enum_classes();
    let set = |n: &str, v: Value| crate::rtsys::mod_set(&m, n, v);
    let int_enum = rt_class("IntEnum", "enum", vec![type_for(BType::Int), en.clone()], vec![("__str_is_value__", Value::Bool(true))]);
    let str_enum = rt_class("StrEnum", "enum", vec![type_for(BType::Str), en.clone()], vec![("__str_is_value__", Value::Bool(true))]);
    let flag = rt_class("Flag", "enum", vec![en.clone()], vec![]);
    let int_flag = rt_class("IntFlag", "enum", vec![type_for(BType::Int), flag.clone()], vec![("__str_is_value__", Value::Bool(true))]);
    for c in [&int_enum, &str_enum, &flag, &int_flag] {
        class_set(c, "__enum_base__", Value::Bool(true));
        // Enum's repr/str/format win over the mixed-in builtin's
        for n in ["__repr__", "__str__", "__format__"] {
            if let Some(f) = cget(&en, n) {
                class_set(c, n, f);
            }
        }
    }
    // the flag operators, on IntFlag too (ahead of int's in its MRO)
    for c in [&flag, &int_flag] {
        class_set(c, "__flag__", Value::Bool(true));
        for (n, f) in flag_methods() {
            class_set(c, n, f);
        }
    }
    class_set(&flag, "__str__", meth("__str__", |a, _| {
        let n = dget(&a[0], "_name_");
        Ok(Value::string(match n {
            Value::None => format!("{}({})", type_name(&a[0]), ops::repr(&dget(&a[0], "_value_"))?),
            n => format!("{}.{}", type_name(&a[0]), ops::to_str(&n)?),
        }))
    }));
    set("Enum", en);
    set("IntEnum", int_enum);
    set("StrEnum", str_enum);
    set("Flag", flag);
    set("IntFlag", int_flag);
    set("auto", auto);
    set("unique", nat("unique", |a, _| Ok(a[0].clone())));
    m
}

// ---------------------------------------------------------------- dataclasses

thread_local! {
    static DC: RefCell<Option<(Value, Value, Value)>> = RefCell::new(None);
}

/// (Field class, MISSING sentinel, FrozenInstanceError)
fn dc_classes() -> (Value, Value, Value) {
    if let Some(v) = DC.with(|d| d.borrow().clone()) {
        return v;
    }
    let field = rt_class("Field", "dataclasses", vec![], vec![
        ("__repr__", meth("__repr__", |a, _| {
            Ok(Value::string(format!("Field(name={},type={},default={})", ops::repr(&dget(&a[0], "name"))?, ops::repr(&dget(&a[0], "type"))?, ops::repr(&dget(&a[0], "default"))?)))
        })),
    ]);
    let missing_cls = rt_class("_MISSING_TYPE", "dataclasses", vec![], vec![("__repr__", meth("__repr__", |_, _| Ok(Value::str("MISSING"))))]);
    let missing = new_instance(&missing_cls);
    let frozen = rt_class("FrozenInstanceError", "dataclasses", vec![exc_class("AttributeError").unwrap()], vec![]);
    let v = (field, missing, frozen);
    DC.with(|d| *d.borrow_mut() = Some(v.clone()));
    v
}

fn is_missing(v: &Value) -> bool {
    ptr_eq(v, &dc_classes().1)
}

fn new_field(kw: &Kw) -> Value {
    let (fc, missing, _) = dc_classes();
    let f = new_instance(&fc);
    let get = |n: &str, d: Value| kw.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()).unwrap_or(d);
    if let Some(i) = as_inst(&f) {
        let mut d = i.dict.borrow_mut();
        d.set("name", Value::None);
        d.set("type", Value::None);
        d.set("default", get("default", missing.clone()));
        d.set("default_factory", get("default_factory", missing.clone()));
        d.set("init", get("init", Value::Bool(true)));
        d.set("repr", get("repr", Value::Bool(true)));
        d.set("compare", get("compare", Value::Bool(true)));
        d.set("hash", get("hash", Value::None));
        d.set("kw_only", get("kw_only", Value::Bool(false)));
    }
    f
}

fn fields_of(cls: &Value) -> PyResult<Vec<Value>> {
    match lookup(cls, "__dataclass_fields__") {
        Some(d) => {
            let mut out = Vec::new();
            if let Value::Dict(dd) = &d {
                for (_, f) in dd.borrow().items() {
                    out.push(f);
                }
            }
            Ok(out)
        }
        None => Err(type_error("must be called with a dataclass type or instance".into())),
    }
}

fn truthy_attr(f: &Value, n: &str) -> bool {
    ops::truthy(&dget(f, n)).unwrap_or(false)
}

fn field_tuple(obj: &Value, fields: &[Value], what: &str) -> PyResult<Value> {
    let mut out = Vec::new();
    for f in fields {
        if truthy_attr(f, what) {
            out.push(crate::attr::getattr(obj, &ops::to_str(&dget(f, "name"))?)?);
        }
    }
    Ok(crate::tuple(out))
}

fn process_dataclass(cls: Value, opts: &Kw) -> PyResult<Value> {
    let opt = |n: &str, d: bool| opts.iter().find(|(k, _)| k == n).map(|(_, v)| ops::truthy(v).unwrap_or(d)).unwrap_or(d);
    let (init, repr, eq, order, frozen, unsafe_hash) = (opt("init", true), opt("repr", true), opt("eq", true), opt("order", false), opt("frozen", false), opt("unsafe_hash", false));
    let c = class_of(&cls);
    // inherited fields first
    let fields_dict = crate::dict(vec![])?;
    for base in c.mro.borrow().iter().skip(1).collect::<Vec<_>>().into_iter().rev() {
        if let Some(Value::Dict(bd)) = cget(base, "__dataclass_fields__") {
            for (k, v) in bd.borrow().items() {
                dict_set(&fields_dict, k, v)?;
            }
        }
    }
    let ann = cget(&cls, "__annotations__").unwrap_or(Value::None);
    let ann_items: Vec<(Value, Value)> = match &ann {
        Value::Dict(d) => d.borrow().items(),
        _ => vec![],
    };
    let (fc, missing, _) = dc_classes();
    for (name, ty) in ann_items {
        let n = ops::to_str(&name)?;
        if let Value::Str(s) = &ty {
            if s.s.starts_with("ClassVar") || s.s.contains(".ClassVar") {
                continue;
            }
        }
        let dflt = cget(&cls, &n);
        let f = match &dflt {
            Some(v) if as_inst(v).map(|i| ptr_eq(&i.class.borrow(), &fc)).unwrap_or(false) => v.clone(),
            Some(v) => {
                let f = new_field(&vec![]);
                if let Some(i) = as_inst(&f) {
                    i.dict.borrow_mut().set("default", v.clone());
                }
                f
            }
            None => new_field(&vec![]),
        };
        if let Some(i) = as_inst(&f) {
            let mut d = i.dict.borrow_mut();
            d.set("name", name.clone());
            d.set("type", ty.clone());
        }
        // the class attribute becomes the plain default (or disappears)
        let d = dget(&f, "default");
        if is_missing(&d) {
            c.dict.borrow_mut().remove(&n);
        } else {
            c.dict.borrow_mut().set(&n, d);
        }
        dict_set(&fields_dict, name, f)?;
    }
    c.dict.borrow_mut().set("__dataclass_fields__", fields_dict.clone());
    let qual = c.qualname.clone();
    let all: Vec<Value> = match &fields_dict {
        Value::Dict(d) => d.borrow().items().into_iter().map(|(_, f)| f).collect(),
        _ => vec![],
    };
    let _ = missing;
    if init {
        let fl = all.clone();
        let q = qual.clone();
        c.dict.borrow_mut().set("__init__", meth("__init__", move |a, kw| {
            let me = &a[0];
            let init_fields: Vec<&Value> = fl.iter().filter(|f| truthy_attr(f, "init")).collect();
            let npos = init_fields.len();
            if a.len() - 1 > npos {
                let ndef = init_fields.iter().filter(|f| !is_missing(&dget(f, "default")) || !is_missing(&dget(f, "default_factory"))).count();
                let takes = if ndef > 0 { format!("from {} to {} positional arguments", npos - ndef + 1, npos + 1) } else { format!("{} positional argument{}", npos + 1, if npos == 0 { "" } else { "s" }) };
                return Err(type_error(format!("{}.__init__() takes {} but {} were given", q, takes, a.len())));
            }
            let mut vals: Vec<Option<Value>> = vec![None; npos];
            for (i, v) in a[1..].iter().enumerate() {
                vals[i] = Some(v.clone());
            }
            for (k, v) in kw {
                match init_fields.iter().position(|f| ops::to_str(&dget(f, "name")).map(|n| n == k).unwrap_or(false)) {
                    Some(i) => {
                        if vals[i].is_some() {
                            return Err(type_error(format!("{}.__init__() got multiple values for argument '{}'", q, k)));
                        }
                        vals[i] = Some(v)
                    }
                    None => return Err(type_error(format!("{}.__init__() got an unexpected keyword argument '{}'", q, k))),
                }
            }
            let mut missing_names = Vec::new();
            for (i, f) in init_fields.iter().enumerate() {
                if vals[i].is_none() {
                    let d = dget(f, "default");
                    let df = dget(f, "default_factory");
                    if !is_missing(&d) {
                        vals[i] = Some(d);
                    } else if !is_missing(&df) {
                        vals[i] = Some(call(&df, vec![], vec![])?);
                    } else {
                        missing_names.push(format!("'{}'", ops::to_str(&dget(f, "name"))?));
                    }
                }
            }
            if !missing_names.is_empty() {
                let list = match missing_names.len() {
                    1 => missing_names[0].clone(),
                    2 => format!("{} and {}", missing_names[0], missing_names[1]),
                    _ => format!("{}, and {}", missing_names[..missing_names.len() - 1].join(", "), missing_names[missing_names.len() - 1]),
                };
                return Err(type_error(format!(
                    "{}.__init__() missing {} required positional argument{}: {}",
                    q,
                    missing_names.len(),
                    if missing_names.len() == 1 { "" } else { "s" },
                    list
                )));
            }
            for (i, f) in init_fields.iter().enumerate() {
                let n = ops::to_str(&dget(f, "name"))?;
                crate::attr::generic_setattr(me, &n, vals[i].take().unwrap())?;
            }
            for f in fl.iter().filter(|f| !truthy_attr(f, "init")) {
                let n = ops::to_str(&dget(f, "name"))?;
                let df = dget(f, "default_factory");
                let d = dget(f, "default");
                if !is_missing(&df) {
                    crate::attr::generic_setattr(me, &n, call(&df, vec![], vec![])?)?;
                } else if !is_missing(&d) {
                    crate::attr::generic_setattr(me, &n, d)?;
                }
            }
            if let Some(pi) = lookup_user(me, "__post_init__") {
                let m = bind(pi, me, &type_of(me))?;
                call(&m, vec![], vec![])?;
            }
            Ok(Value::None)
        }));
    }
    if repr && !c.dict.borrow().contains("__repr__") {
        let fl = all.clone();
        c.dict.borrow_mut().set("__repr__", meth("__repr__", move |a, _| {
            let mut parts = Vec::new();
            for f in fl.iter().filter(|f| truthy_attr(f, "repr")) {
                let n = ops::to_str(&dget(f, "name"))?;
                parts.push(format!("{}={}", n, ops::repr(&crate::attr::getattr(&a[0], &n)?)?));
            }
            Ok(Value::string(format!("{}({})", class_of(&type_of(&a[0])).qualname, parts.join(", "))))
        }));
    }
    if eq && !c.dict.borrow().contains("__eq__") {
        let fl = all.clone();
        c.dict.borrow_mut().set("__eq__", meth("__eq__", move |a, _| {
            if !ptr_eq(&type_of(&a[0]), &type_of(&a[1])) {
                return Ok(Value::not_implemented());
            }
            Ok(Value::Bool(ops::eq_bool(&field_tuple(&a[0], &fl, "compare")?, &field_tuple(&a[1], &fl, "compare")?)?))
        }));
    }
    if order {
        for (name, op) in [("__lt__", ops::Cmp::Lt), ("__le__", ops::Cmp::Le), ("__gt__", ops::Cmp::Gt), ("__ge__", ops::Cmp::Ge)] {
            let fl = all.clone();
            let nm: &'static str = name;
            c.dict.borrow_mut().set(name, meth(nm, move |a, _| {
                if !ptr_eq(&type_of(&a[0]), &type_of(&a[1])) {
                    return Ok(Value::not_implemented());
                }
                ops::compare(&field_tuple(&a[0], &fl, "compare")?, &field_tuple(&a[1], &fl, "compare")?, op)
            }));
        }
    }
    if frozen {
        c.dict.borrow_mut().set("__setattr__", meth("__setattr__", |a, _| {
            let (_, _, fe) = dc_classes();
            let inst = new_instance(&fe);
            set_exc_args(&inst, crate::tuple(vec![Value::string(format!("cannot assign to field '{}'", ops::to_str(&a[1])?))]));
            Err(raise(inst))
        }));
        c.dict.borrow_mut().set("__delattr__", meth("__delattr__", |a, _| {
            let (_, _, fe) = dc_classes();
            let inst = new_instance(&fe);
            set_exc_args(&inst, crate::tuple(vec![Value::string(format!("cannot delete field '{}'", ops::to_str(&a[1])?))]));
            Err(raise(inst))
        }));
    }
    let has_own_hash = c.dict.borrow().get("__hash__").map(|h| !h.is_none()).unwrap_or(false);
    if (eq && frozen) || unsafe_hash {
        if !has_own_hash || unsafe_hash {
            let fl = all.clone();
            c.dict.borrow_mut().set("__hash__", meth("__hash__", move |a, _| Ok(Value::Int(ops::hash(&field_tuple(&a[0], &fl, "compare")?)?))));
        }
    } else if eq && !has_own_hash {
        c.dict.borrow_mut().set("__hash__", Value::None);
    }
    let names: Vec<Value> = all.iter().map(|f| dget(f, "name")).collect();
    c.dict.borrow_mut().set("__match_args__", crate::tuple(names));
    Ok(cls)
}

fn asdict_rec(v: &Value, as_tuple: bool) -> PyResult<Value> {
    if let Some(i) = as_inst(v) {
        let cls = i.class.borrow().clone();
        if lookup(&cls, "__dataclass_fields__").is_some() {
            let fields = fields_of(&cls)?;
            let mut items = Vec::new();
            for f in fields {
                let n = dget(&f, "name");
                let x = crate::attr::getattr(v, &ops::to_str(&n)?)?;
                items.push((n, asdict_rec(&x, as_tuple)?));
            }
            return if as_tuple { Ok(crate::tuple(items.into_iter().map(|(_, x)| x).collect())) } else { crate::dict(items) };
        }
    }
    match v {
        Value::List(l) => {
            let items = l.borrow().clone();
            Ok(crate::list(items.iter().map(|x| asdict_rec(x, as_tuple)).collect::<PyResult<_>>()?))
        }
        Value::Tuple(t) => Ok(crate::tuple(t.iter().map(|x| asdict_rec(x, as_tuple)).collect::<PyResult<_>>()?)),
        Value::Dict(d) => {
            let items = d.borrow().items();
            let mut out = Vec::new();
            for (k, x) in items {
                out.push((asdict_rec(&k, as_tuple)?, asdict_rec(&x, as_tuple)?));
            }
            crate::dict(out)
        }
        _ => Ok(v.clone()),
    }
}

pub fn dataclasses_module() -> Value {
    let m = crate::rtsys::new_module("dataclasses", "");
    let set = |n: &str, v: Value| crate::rtsys::mod_set(&m, n, v);
    let (fc, missing, fe) = dc_classes();
    set("Field", fc);
    set("MISSING", missing);
    set("FrozenInstanceError", fe);
    set("field", nat("field", |a, kw| {
        if !a.is_empty() {
            return Err(type_error("field() takes 0 positional arguments".into()));
        }
        Ok(new_field(&kw))
    }));
    set("dataclass", nat("dataclass", |a, kw| {
        if let Some(c) = a.get(0) {
            if !c.is_none() {
                return process_dataclass(c.clone(), &kw);
            }
        }
        Ok(nat("wrap", move |b, _| process_dataclass(b[0].clone(), &kw)))
    }));
    set("fields", nat("fields", |a, _| {
        let cls = if as_class(&a[0]).is_some() { a[0].clone() } else { type_of(&a[0]) };
        Ok(crate::tuple(fields_of(&cls)?))
    }));
    set("asdict", nat("asdict", |a, _| asdict_rec(&a[0], false)));
    set("astuple", nat("astuple", |a, _| asdict_rec(&a[0], true)));
    set("is_dataclass", nat("is_dataclass", |a, _| {
        let cls = if as_class(&a[0]).is_some() { a[0].clone() } else { type_of(&a[0]) };
        Ok(Value::Bool(as_class(&cls).is_some() && lookup(&cls, "__dataclass_fields__").is_some()))
    }));
    set("replace", nat("replace", |a, kw| {
        let obj = &a[0];
        let cls = type_of(obj);
        let mut kws: Kw = Vec::new();
        for f in fields_of(&cls)? {
            if !truthy_attr(&f, "init") {
                continue;
            }
            let n = ops::to_str(&dget(&f, "name"))?;
            match kw.iter().find(|(k, _)| *k == n) {
                Some((_, v)) => kws.push((n, v.clone())),
                None => kws.push((n.clone(), crate::attr::getattr(obj, &n)?)),
            }
        }
        for (k, _) in kw.iter() {
            if !kws.iter().any(|(n, _)| n == k) {
                return Err(type_error(format!("{}.__init__() got an unexpected keyword argument '{}'", class_of(&cls).qualname, k)));
            }
        }
        call(&cls, vec![], kws)
    }));
    m
}
