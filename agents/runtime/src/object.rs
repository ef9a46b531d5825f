//! Types, classes, instances, attributes and exceptions.
//!
//! Builtin types (`int`, `list`, ...) and the builtin exception hierarchy are
//! ordinary `Class` objects built once per thread, so `type(x)`, `isinstance`,
//! `__mro__` and `__name__` behave uniformly for builtins and user classes.
//! User classes get a C3 MRO; attribute lookup follows CPython's order (data
//! descriptors on the type, then the instance dict, then other class
//! attributes, then `__getattr__`).  Exceptions are instances whose `exc`
//! field holds args, cause, context and traceback.

use crate::value::*;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

pub struct Types {
    pub by_kind: Vec<(BType, Value)>,
    pub exc: HashMap<&'static str, Value>,
    pub exc_order: Vec<&'static str>,
    pub ellipsis: Value,
    pub not_impl: Value,
}

fn raw_class(name: &str, kind: BType, bases: Vec<Value>) -> Value {
    let v = Value::obj(Obj::Class(Class {
        name: name.to_string(),
        name_v: Value::str(name),
        qualname: name.to_string(),
        module: "builtins".to_string(),
        bases: bases.clone(),
        mro: ClassCell::new(Vec::new()),
        dict: ClassCell::new(StrMap::new()),
        base_kind: kind,
        builtin: true,
        slots: None,
        has_props: std::cell::Cell::new(false),
        facts: RefCell::new(ClassFacts::default()),
        attr_hint: std::cell::Cell::new(0),
    }));
    let mut mro = vec![v.clone()];
    if let Some(b) = bases.first() {
        mro.extend(class_of(b).mro.borrow().iter().cloned());
    }
    *class_of(&v).mro.borrow_mut() = mro;
    v
}

pub fn class_of(v: &Value) -> &Class {
    match v {
        Value::Obj(o) => match &**o {
            Obj::Class(c) => c,
            _ => panic!("portalis_rt: class_of on a non-class"),
        },
        _ => panic!("portalis_rt: class_of on a non-class"),
    }
}

pub fn as_class(v: &Value) -> Option<&Class> {
    match v {
        Value::Obj(o) => match &**o {
            Obj::Class(c) => Some(c),
            _ => None,
        },
        _ => None,
    }
}

const EXC_TREE: &[(&str, &str)] = &[
    ("BaseException", ""),
    ("GeneratorExit", "BaseException"),
    ("KeyboardInterrupt", "BaseException"),
    ("SystemExit", "BaseException"),
    ("Exception", "BaseException"),
    ("ArithmeticError", "Exception"),
    ("FloatingPointError", "ArithmeticError"),
    ("OverflowError", "ArithmeticError"),
    ("ZeroDivisionError", "ArithmeticError"),
    ("AssertionError", "Exception"),
    ("AttributeError", "Exception"),
    ("BufferError", "Exception"),
    ("EOFError", "Exception"),
    ("ImportError", "Exception"),
    ("ModuleNotFoundError", "ImportError"),
    ("LookupError", "Exception"),
    ("IndexError", "LookupError"),
    ("KeyError", "LookupError"),
    ("MemoryError", "Exception"),
    ("NameError", "Exception"),
    ("UnboundLocalError", "NameError"),
    ("OSError", "Exception"),
    ("FileNotFoundError", "OSError"),
    ("FileExistsError", "OSError"),
    ("PermissionError", "OSError"),
    ("IsADirectoryError", "OSError"),
    ("NotADirectoryError", "OSError"),
    ("TimeoutError", "OSError"),
    ("ConnectionError", "OSError"),
    ("BrokenPipeError", "ConnectionError"),
    ("ConnectionAbortedError", "ConnectionError"),
    ("ConnectionRefusedError", "ConnectionError"),
    ("ConnectionResetError", "ConnectionError"),
    ("BlockingIOError", "OSError"),
    ("ChildProcessError", "OSError"),
    ("InterruptedError", "OSError"),
    ("ProcessLookupError", "OSError"),
    ("ReferenceError", "Exception"),
    ("RuntimeError", "Exception"),
    ("NotImplementedError", "RuntimeError"),
    ("RecursionError", "RuntimeError"),
    ("StopAsyncIteration", "Exception"),
    ("StopIteration", "Exception"),
    ("SyntaxError", "Exception"),
    ("IndentationError", "SyntaxError"),
    ("TabError", "IndentationError"),
    ("SystemError", "Exception"),
    ("TypeError", "Exception"),
    ("ValueError", "Exception"),
    ("UnicodeError", "ValueError"),
    ("UnicodeDecodeError", "UnicodeError"),
    ("UnicodeEncodeError", "UnicodeError"),
    ("Warning", "Exception"),
    ("UserWarning", "Warning"),
    ("DeprecationWarning", "Warning"),
    ("RuntimeWarning", "Warning"),
    ("PendingDeprecationWarning", "Warning"),
    ("SyntaxWarning", "Warning"),
    ("FutureWarning", "Warning"),
    ("ImportWarning", "Warning"),
    ("UnicodeWarning", "Warning"),
    ("BytesWarning", "Warning"),
    ("ResourceWarning", "Warning"),
    ("EncodingWarning", "Warning"),
    ("UnicodeTranslateError", "UnicodeError"),
    // single inheritance here: ExceptionGroup is not a BaseExceptionGroup
    ("BaseExceptionGroup", "BaseException"),
    ("ExceptionGroup", "Exception"),
];

impl Types {
    fn build() -> Types {
        use BType::*;
        let object = raw_class("object", Object, vec![]);
        let mut by_kind = vec![(Object, object.clone())];
        let simple: &[(&str, BType)] = &[
            ("type", Type),
            ("NoneType", NoneType),
            ("int", Int),
            ("float", Float),
            ("str", Str),
            ("bytes", Bytes),
            ("list", List),
            ("tuple", Tuple),
            ("dict", Dict),
            ("set", Set),
            ("frozenset", FrozenSet),
            ("function", Function),
            ("builtin_function_or_method", BuiltinFunction),
            ("method", Method),
            ("generator", Generator),
            ("iterator", Iterator),
            ("module", Module),
            ("slice", Slice),
            ("range", Range),
            ("property", Property),
            ("staticmethod", StaticMethod),
            ("classmethod", ClassMethod),
            ("super", Super),
            ("dict_keys", DictView),
            ("ellipsis", Ellipsis),
            ("NotImplementedType", NotImplementedType),
        ];
        for (n, k) in simple {
            let c = raw_class(n, *k, vec![object.clone()]);
            by_kind.push((*k, c));
        }
        let int = by_kind.iter().find(|(k, _)| *k == Int).unwrap().1.clone();
        by_kind.push((Bool, raw_class("bool", Bool, vec![int])));
        let mut exc = HashMap::new();
        let mut exc_order = Vec::new();
        for (n, b) in EXC_TREE {
            let base = if b.is_empty() { object.clone() } else { exc.get(b).cloned().unwrap() };
            let c = raw_class(n, BaseException, vec![base]);
            exc.insert(*n, c);
            exc_order.push(*n);
        }
        let be = exc["BaseException"].clone();
        by_kind.push((BaseException, be));
        Types {
            by_kind,
            exc,
            exc_order,
            ellipsis: Value::obj(Obj::Ellipsis),
            not_impl: Value::obj(Obj::NotImplemented),
        }
    }
}

thread_local! {
    pub static TYPES: Types = Types::build();
    static NATIVE_INSTALLED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

// The exception stack, the frame stack and the innermost frame's line: read
// and written on every call and statement (see crate::sites!).
crate::sites! {
    static EXC_STACK: RefCell<Vec<Value>> = RefCell::new(Vec::new());
    pub static FRAMES: RefCell<Vec<(&'static str, &'static str, u32)>> = RefCell::new(Vec::new());
    pub static CUR_LINE: std::cell::Cell<u32> = std::cell::Cell::new(0);
}

crate::sites! {
    static TYPE_INDEX: RefCell<Vec<Option<Value>>> = RefCell::new(Vec::new());
}

#[inline]
pub fn type_for(k: BType) -> Value {
    let hit = crate::extra::pstatic(&TYPE_INDEX, |ix| ix.borrow().get(k as usize).cloned().flatten());
    if let Some(v) = hit {
        return v;
    }
    type_for_slow(k)
}

#[inline(never)]
fn type_for_slow(k: BType) -> Value {
    ensure_natives();
    let v = TYPES.with(|t| t.by_kind.iter().find(|(kk, _)| *kk == k).unwrap().1.clone());
    crate::extra::pstatic(&TYPE_INDEX, |ix| {
        let mut ix = ix.borrow_mut();
        let i = k as usize;
        if ix.len() <= i {
            ix.resize(i + 1, None);
        }
        ix[i] = Some(v.clone());
    });
    v
}

pub fn exc_class(name: &str) -> Option<Value> {
    ensure_natives();
    TYPES.with(|t| t.exc.get(name).cloned())
}

pub fn exc_names() -> Vec<&'static str> {
    TYPES.with(|t| t.exc_order.clone())
}

pub fn singleton_ellipsis() -> Value {
    TYPES.with(|t| t.ellipsis.clone())
}
pub fn singleton_not_implemented() -> Value {
    TYPES.with(|t| t.not_impl.clone())
}

/// Install native methods (object.__init__, BaseException.__str__ ...) into
/// the builtin classes.  Done lazily, after TYPES exists.
fn ensure_natives() {
    if NATIVE_INSTALLED.with(|c| c.replace(true)) {
        return;
    }
    crate::builtins::install_type_methods();
}

pub fn native(name: &str, binds: bool, f: impl Fn(Vec<Value>, Kw) -> PyResult<Value> + 'static) -> Value {
    Value::obj(Obj::Native(NativeFunc { name: name.to_string(), binds, f: Box::new(f) }))
}

pub fn class_set(cls: &Value, name: &str, v: Value) {
    class_of(cls).dict.borrow_mut().set(name, v);
}

// ---------------------------------------------------------------- type_of

thread_local! {
    static ASYNC_TYPES: RefCell<Option<(Value, Value)>> = RefCell::new(None);
}

/// The classes `coroutine` and `async_generator` (generator objects of
/// those kinds, gen.rs), made on first use.
pub fn async_type(kind: u8) -> Value {
    let (c, a) = ASYNC_TYPES.with(|t| {
        t.borrow_mut()
            .get_or_insert_with(|| {
                let obj = type_for(BType::Object);
                (raw_class("coroutine", BType::Generator, vec![obj.clone()]), raw_class("async_generator", BType::Generator, vec![obj]))
            })
            .clone()
    });
    if kind == crate::gen::KIND_CORO {
        c
    } else {
        a
    }
}

pub fn type_of(v: &Value) -> Value {
    use BType as B;
    let k = match v {
        Value::None => B::NoneType,
        Value::Bool(_) => B::Bool,
        Value::Int(_) | Value::Big(_) => B::Int,
        Value::Float(_) => B::Float,
        Value::Str(_) => B::Str,
        Value::Bytes(_) => B::Bytes,
        Value::List(_) => B::List,
        Value::Tuple(_) => B::Tuple,
        Value::Dict(_) => B::Dict,
        Value::Set(_) => B::Set,
        Value::FrozenSet(_) => B::FrozenSet,
        Value::Obj(o) => match &**o {
            Obj::Inst(i) => return i.class.borrow().clone(),
            Obj::Func(_) => B::Function,
            Obj::Native(_) => B::BuiltinFunction,
            Obj::Class(_) => B::Type,
            Obj::Method(..) | Obj::BMethod(..) => B::Method,
            Obj::Iter(_) => B::Iterator,
            Obj::Gen(g) if g.kind != crate::gen::KIND_GEN => return async_type(g.kind),
            Obj::Gen(_) => B::Generator,
            Obj::Module(_) => B::Module,
            Obj::Slice(..) => B::Slice,
            Obj::Range(..) => B::Range,
            Obj::Property(..) => B::Property,
            Obj::StaticMethod(_) => B::StaticMethod,
            Obj::ClassMethod(_) => B::ClassMethod,
            Obj::Super(..) => B::Super,
            Obj::DictView(..) => B::DictView,
            Obj::Ellipsis => B::Ellipsis,
            Obj::NotImplemented => B::NotImplementedType,
            Obj::Deque(_) => B::Object,
        },
    };
    type_for(k)
}

pub fn type_name(v: &Value) -> String {
    match v {
        Value::None => "NoneType".into(),
        Value::Bool(_) => "bool".into(),
        Value::Int(_) | Value::Big(_) => "int".into(),
        Value::Float(_) => "float".into(),
        Value::Str(_) => "str".into(),
        Value::List(_) => "list".into(),
        Value::Tuple(_) => "tuple".into(),
        Value::Dict(_) => "dict".into(),
        Value::Obj(o) => match &**o {
            Obj::Inst(i) => class_of(&i.class.borrow()).name.clone(),
            Obj::Iter(it) => match &*it.borrow() {
                Iter::List(..) => "list_iterator".into(),
                Iter::Tuple(..) => "tuple_iterator".into(),
                Iter::Str(..) => "str_ascii_iterator".into(),
                Iter::Range(..) => "range_iterator".into(),
                Iter::DictKeys(..) => "dict_keyiterator".into(),
                _ => "iterator".into(),
            },
            Obj::DictView(_, k) => ["dict_keys", "dict_values", "dict_items"][*k as usize].into(),
            Obj::Gen(g) => g.type_name().into(),
            _ => class_of(&type_of(v)).name.clone(),
        },
        _ => class_of(&type_of(v)).name.clone(),
    }
}

pub fn is_subclass(c: &Value, base: &Value) -> bool {
    match as_class(c) {
        Some(cl) => cl.mro.borrow().iter().any(|m| ptr_eq(m, base)),
        None => false,
    }
}

pub fn ptr_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Obj(x), Value::Obj(y)) => Rc::ptr_eq(x, y),
        _ => false,
    }
}

pub fn isinstance(v: &Value, cls: &Value) -> PyResult<bool> {
    match cls {
        Value::Tuple(t) => {
            for c in t.iter() {
                if isinstance(v, c)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        _ => {
            if as_class(cls).is_none() {
                return Err(new_exc("TypeError", "isinstance() arg 2 must be a type, a tuple of types, or a union"));
            }
            let t = type_of(v);
            Ok(is_subclass(&t, cls) || crate::ext::coll_abc::virtual_subclass(&t, cls))
        }
    }
}

/// Look `name` up along the MRO of class `cls`.
pub fn lookup(cls: &Value, name: &str) -> Option<Value> {
    lookup_cached(cls, name).0
}

/// The attribute lookup cache: (class, name) -> what the MRO walk found and
/// whether it was found on the builtin `object` (lookup_user stops there).
/// Direct-mapped, keyed by the class's address and the name's text; an
/// entry holds a strong reference to its class (so the address cannot be
/// reused while cached) and the class epoch it was computed in (any change
/// to any class namespace or MRO invalidates every entry).
struct LookupEntry {
    cls: Value,
    name: Box<str>,
    epoch: u64,
    found: Option<Value>,
    on_object: bool,
}

const LOOKUP_SLOTS: usize = 512;

crate::sites! {
    static LOOKUP_CACHE: RefCell<Vec<Option<LookupEntry>>> = RefCell::new(Vec::new());
}

#[inline]
fn lookup_slot(cls: &Value, name: &str) -> usize {
    let a = match cls {
        Value::Obj(o) => Rc::as_ptr(o) as *const u8 as usize,
        _ => 0,
    };
    // keyed by the name's address, not its text: generated code passes
    // string literals, whose address is fixed, so no byte is hashed; the
    // same text at another address takes another slot and is as correct
    let p = name.as_ptr() as usize ^ name.len();
    let h = (a >> 4).wrapping_mul(0x9E37_79B9) ^ p.wrapping_mul(0x0100_0193);
    (h ^ (h >> 15)) & (LOOKUP_SLOTS - 1)
}

fn lookup_walk(cls: &Value, name: &str) -> (Option<Value>, bool) {
    let c = class_of(cls);
    for m in c.mro.borrow().iter() {
        let mc = class_of(m);
        if let Some(v) = mc.dict.borrow().get(name) {
            return (Some(v), mc.builtin && mc.base_kind == BType::Object);
        }
    }
    (None, false)
}

/// The MRO lookup of name on cls, and whether the value came from `object`.
#[inline]
pub fn lookup_cached(cls: &Value, name: &str) -> (Option<Value>, bool) {
    let slot = lookup_slot(cls, name);
    let epoch = crate::value::class_epoch();
    let hit = crate::extra::pstatic(&LOOKUP_CACHE, |c| {
        let c = c.borrow();
        match c.get(slot) {
            Some(Some(e)) if e.epoch == epoch && ptr_eq(&e.cls, cls) && name_eq(e.name.as_bytes(), name.as_bytes()) => Some((e.found.clone(), e.on_object)),
            _ => None,
        }
    });
    if let Some(h) = hit {
        return h;
    }
    let r = lookup_walk(cls, name);
    // the walk may have run user code? no: dict gets are plain reads, so the
    // epoch read above is still current
    crate::extra::pstatic(&LOOKUP_CACHE, |c| {
        let mut c = c.borrow_mut();
        if c.is_empty() {
            c.resize_with(LOOKUP_SLOTS, || None);
        }
        c[slot] = Some(LookupEntry { cls: cls.clone(), name: name.into(), epoch, found: r.0.clone(), on_object: r.1 });
    });
    r
}

/// Calls `f` with the class's special-method facts, recomputing them first
/// when any class changed since they were taken.
#[inline]
pub fn class_facts<R>(cls: &Value, f: impl FnOnce(&ClassFacts) -> R) -> R {
    let c = class_of(cls);
    let epoch = crate::value::class_epoch();
    {
        let fx = c.facts.borrow();
        if fx.epoch == epoch {
            return f(&fx);
        }
    }
    let fresh = compute_facts(cls, epoch);
    *c.facts.borrow_mut() = fresh;
    let fx = c.facts.borrow();
    f(&fx)
}

fn compute_facts(cls: &Value, epoch: u64) -> ClassFacts {
    let c = class_of(cls);
    let user = |n: &str| {
        let (found, on_object) = lookup_cached(cls, n);
        found.is_some() && !on_object
    };
    let mut fx = ClassFacts { epoch, user_setattr: user("__setattr__"), plain_init: None, bare: false, truth: Truth::Slow, len_deque: false };
    if !c.builtin && c.base_kind == BType::Object {
        let (b, b_obj) = lookup_cached(cls, "__bool__");
        let (l, l_obj) = lookup_cached(cls, "__len__");
        let b = if b_obj { None } else { b };
        let l = if l_obj { None } else { l };
        fx.truth = match (&b, &l) {
            (None, None) => Truth::Always,
            (None, Some(f)) if crate::stdlib::deque::is_own_len(f) => Truth::Deque,
            _ => Truth::Slow,
        };
        fx.len_deque = matches!(&l, Some(f) if crate::stdlib::deque::is_own_len(f));
    }
    // an abstract class goes the slow way, which raises
    let is_abstract_class = || c.dict.borrow().get("__abstractmethods__").map(|v| crate::ops::truthy(&v).unwrap_or(false)).unwrap_or(false);
    if c.builtin || c.base_kind != BType::Object || crate::stdlib5::is_enum_class(cls) || is_abstract_class() {
        return fx;
    }
    let (new, new_on_object) = lookup_cached(cls, "__new__");
    let plain_new = match &new {
        None => true,
        Some(Value::Obj(o)) => new_on_object || matches!(&**o, Obj::Native(_)),
        Some(_) => false,
    };
    if !plain_new {
        return fx;
    }
    match lookup_cached(cls, "__init__") {
        (Some(init), false) if matches!(&init, Value::Obj(o) if matches!(&**o, Obj::Func(_))) => fx.plain_init = Some(init),
        (Some(_), true) if new_on_object => fx.bare = true,
        _ => {}
    }
    fx
}

/// Looks up a dunder on the type of `v` that is user-defined (not one of the
/// runtime's native defaults from `object`).
pub fn lookup_user(v: &Value, name: &str) -> Option<Value> {
    if let Value::Obj(o) = v {
        if let Obj::Inst(i) = &**o {
            let cls = i.class.borrow();
            let (found, on_object) = lookup_cached(&cls, name);
            return if on_object { None } else { found };
        }
    }
    None
}

/// Binds a class attribute found on the type for instance access.
pub fn bind(attr: Value, inst: &Value, cls: &Value) -> PyResult<Value> {
    if let Value::Obj(o) = &attr {
        match &**o {
            Obj::Func(_) => return Ok(Value::obj(Obj::Method(inst.clone(), attr.clone()))),
            Obj::Native(n) if n.binds => return Ok(Value::obj(Obj::Method(inst.clone(), attr.clone()))),
            Obj::StaticMethod(f) => return Ok(f.clone()),
            Obj::ClassMethod(f) => return Ok(Value::obj(Obj::Method(cls.clone(), f.clone()))),
            Obj::Property(fget, ..) => {
                if fget.is_none() {
                    return Err(new_exc("AttributeError", "unreadable attribute"));
                }
                return crate::call::call(fget, vec![inst.clone()], vec![]);
            }
            Obj::Inst(_) => {
                if let Some(g) = lookup_user(&attr, "__get__") {
                    let m = bind(g, &attr, &type_of(&attr))?;
                    return crate::call::call(&m, vec![inst.clone(), cls.clone()], vec![]);
                }
            }
            _ => {}
        }
    }
    Ok(attr)
}

// ---------------------------------------------------------------- classes

fn c3_merge(mut seqs: Vec<Vec<Value>>, name: &str) -> PyResult<Vec<Value>> {
    let mut out = Vec::new();
    loop {
        seqs.retain(|s| !s.is_empty());
        if seqs.is_empty() {
            return Ok(out);
        }
        let mut cand = None;
        for s in &seqs {
            let h = &s[0];
            if !seqs.iter().any(|t| t[1..].iter().any(|x| ptr_eq(x, h))) {
                cand = Some(h.clone());
                break;
            }
        }
        let c = match cand {
            Some(c) => c,
            None => {
                let _ = name;
                return Err(new_exc(
                    "TypeError",
                    "Cannot create a consistent method resolution order (MRO) for bases",
                ));
            }
        };
        for s in seqs.iter_mut() {
            if ptr_eq(&s[0], &c) {
                s.remove(0);
            }
        }
        out.push(c);
    }
}

pub fn make_class(name: &str, qualname: &str, bases: Vec<Value>, ns: Vec<(String, Value)>, kw: Kw) -> PyResult<Value> {
    let _ = kw;
    // PEP 560: a base that is not a class (list[int], a typing alias) names
    // its classes through __mro_entries__
    let bases = if bases.iter().any(|b| as_class(b).is_none()) {
        let orig = crate::tuple(bases.clone());
        let mut out = Vec::new();
        for b in bases {
            if as_class(&b).is_none() {
                if let Ok(f) = crate::attr::getattr(&b, "__mro_entries__") {
                    out.extend(crate::iter::collect(&crate::call::call(&f, vec![orig.clone()], vec![])?)?);
                    continue;
                }
            }
            out.push(b);
        }
        out
    } else {
        bases
    };
    let bases = if bases.is_empty() { vec![type_for(BType::Object)] } else { bases };
    for b in &bases {
        if as_class(b).is_none() {
            return Err(new_exc("TypeError", "bases must be types"));
        }
    }
    let mut base_kind = BType::Object;
    for b in &bases {
        let k = class_of(b).base_kind;
        if k != BType::Object {
            base_kind = k;
            break;
        }
    }
    let mut seqs: Vec<Vec<Value>> = bases.iter().map(|b| class_of(b).mro.borrow().clone()).collect();
    seqs.push(bases.clone());
    let tail = c3_merge(seqs, name)?;
    // __slots__: only when every user class in the MRO declares it
    let mut dict = StrMap::new();
    let mut own_slots: Option<Vec<String>> = None;
    let mut module = crate::rtsys::current_module();
    for (k, v) in ns {
        if k == "__slots__" {
            let mut names = Vec::new();
            match &v {
                Value::Str(s) => names.push(s.s.clone()),
                _ => {
                    for x in crate::iter::collect(&v)? {
                        names.push(crate::ops::to_str(&x)?);
                    }
                }
            }
            own_slots = Some(names);
        }
        if k == "__module__" {
            if let Value::Str(s) = &v {
                module = s.s.clone();
            }
        }
        let v = match (&k[..], &v) {
            ("__init_subclass__", Value::Obj(o)) | ("__class_getitem__", Value::Obj(o)) if matches!(&**o, Obj::Func(_)) => {
                Value::obj(Obj::ClassMethod(v.clone()))
            }
            ("__new__", Value::Obj(o)) if matches!(&**o, Obj::Func(_)) => Value::obj(Obj::StaticMethod(v.clone())),
            _ => v,
        };
        dict.set(&k, v);
    }
    if dict.contains("__eq__") && !dict.contains("__hash__") {
        dict.set("__hash__", Value::None);
    }
    if !dict.contains("__doc__") {
        dict.set("__doc__", Value::None);
    }
    let mut slots = own_slots.clone();
    if let Some(s) = &mut slots {
        for m in tail.iter() {
            let mc = class_of(m);
            if mc.builtin {
                continue;
            }
            match &mc.slots {
                Some(ps) => s.extend(ps.iter().cloned()),
                None => {
                    slots = None;
                    break;
                }
            }
        }
    }
    if let Some(s) = &slots {
        if s.iter().any(|n| n == "__dict__") {
            slots = None;
        }
    }
    let is_prop = |v: &Value| matches!(v, Value::Obj(o) if matches!(&**o, Obj::Property(..)));
    let has_props = dict.entries.iter().any(|(_, v)| is_prop(v) || as_inst(v).is_some())
        || tail.iter().any(|b| class_of(b).has_props.get());
    crate::value::bump_class_epoch();
    let cls = Value::obj(Obj::Class(Class {
        name: name.to_string(),
        name_v: Value::str(name),
        qualname: qualname.to_string(),
        module,
        bases: bases.clone(),
        mro: ClassCell::new(Vec::new()),
        dict: ClassCell::new(dict),
        base_kind,
        builtin: false,
        slots,
        has_props: std::cell::Cell::new(has_props),
        facts: RefCell::new(ClassFacts::default()),
        attr_hint: std::cell::Cell::new(0),
    }));
    let mut mro = vec![cls.clone()];
    mro.extend(tail);
    *class_of(&cls).mro.borrow_mut() = mro;
    if lookup(&cls, "__enum_base__").is_some() {
        crate::stdlib5::enum_init(&cls)?;
    }
    // __set_name__ of the namespace's descriptors, in namespace order, then
    // __init_subclass__ of a base (type_new's order)
    let named: Vec<(String, Value)> = class_of(&cls)
        .dict
        .borrow()
        .entries
        .iter()
        .filter(|(_, v)| as_inst(v).is_some())
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    for (k, v) in named {
        if let Some(sn) = lookup_user(&v, "__set_name__") {
            let m = bind(sn, &v, &type_of(&v))?;
            crate::call::call(&m, vec![cls.clone(), Value::str(&k)], vec![])?;
        }
    }
    if lookup(&cls, "_abc_impl").is_some() {
        set_abstract_methods(&cls)?;
    }
    if let Some(hook) = lookup_after(&cls, &cls, "__init_subclass__") {
        if let Value::Obj(o) = &hook {
            if let Obj::ClassMethod(f) = &**o {
                crate::call::call(f, vec![cls.clone()], vec![])?;
            }
        }
    }
    Ok(cls)
}

/// Whether a class attribute is abstract: a function marked by
/// abc.abstractmethod, or a property, staticmethod or classmethod around one.
fn is_abstract(v: &Value) -> PyResult<bool> {
    if let Value::Obj(o) = v {
        match &**o {
            Obj::Property(fget, ..) => return is_abstract(fget),
            Obj::StaticMethod(f) | Obj::ClassMethod(f) => return is_abstract(f),
            Obj::Func(_) => {}
            _ => return Ok(false),
        }
    } else {
        return Ok(false);
    }
    match crate::attr::getattr(v, "__isabstractmethod__") {
        Ok(x) => crate::ops::truthy(&x),
        Err(_) => Ok(false),
    }
}

/// `__abstractmethods__` of a class under abc.ABC, as ABCMeta computes it:
/// the abstract names of its own namespace, and those of its bases' that
/// are still abstract here. A class with any cannot be instantiated.
fn set_abstract_methods(cls: &Value) -> PyResult<()> {
    let mut names: Vec<String> = Vec::new();
    let own: Vec<(String, Value)> = class_of(cls).dict.borrow().entries.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    for (k, v) in &own {
        if is_abstract(v)? {
            names.push(k.clone());
        }
    }
    let bases = class_of(cls).bases.clone();
    for b in &bases {
        let inherited = match class_of(b).dict.borrow().get("__abstractmethods__") {
            Some(v) => v,
            None => continue,
        };
        for n in crate::iter::collect(&inherited)? {
            let n = crate::ops::to_str(&n)?;
            if names.contains(&n) {
                continue;
            }
            if let Some(v) = lookup(cls, &n) {
                if is_abstract(&v)? {
                    names.push(n);
                }
            }
        }
    }
    names.sort();
    let set = crate::frozenset(names.into_iter().map(Value::string).collect())?;
    class_of(cls).dict.borrow_mut().set("__abstractmethods__", set);
    Ok(())
}

/// The TypeError for instantiating a class with abstract methods, if it has any.
pub fn abstract_instantiation(cls: &Value) -> Option<PyErr> {
    let am = class_of(cls).dict.borrow().get("__abstractmethods__")?;
    let mut names: Vec<String> = crate::iter::collect(&am).ok()?.iter().filter_map(|n| crate::ops::to_str(n).ok()).collect();
    if names.is_empty() {
        return None;
    }
    names.sort();
    Some(type_error(format!(
        "Can't instantiate abstract class {} with abstract method{} {}",
        class_of(cls).name,
        if names.len() == 1 { "" } else { "s" },
        names.join(", ")
    )))
}

fn lookup_after(start_after: &Value, cls: &Value, name: &str) -> Option<Value> {
    let c = class_of(cls);
    let mro = c.mro.borrow();
    let mut seen = false;
    for m in mro.iter() {
        if seen {
            if let Some(v) = class_of(m).dict.borrow().get(name) {
                return Some(v);
            }
        }
        if ptr_eq(m, start_after) {
            seen = true;
        }
    }
    None
}

pub fn new_instance(cls: &Value) -> Value {
    let c = class_of(cls);
    let is_exc = c.base_kind == BType::BaseException;
    Value::obj(Obj::Inst(Instance {
        class: RefCell::new(cls.clone()),
        dict: RefCell::new(StrMap::with_capacity(c.attr_hint.get() as usize)),
        exc: RefCell::new(if is_exc {
            Some(Box::new(ExcData {
                args: Value::Tuple(Rc::new(vec![])),
                cause: Value::None,
                context: Value::None,
                suppress: false,
                tb: Vec::new(),
            }))
        } else {
            None
        }),
        payload: RefCell::new(Value::None),
    }))
}

pub fn as_inst(v: &Value) -> Option<&Instance> {
    match v {
        Value::Obj(o) => match &**o {
            Obj::Inst(i) => Some(i),
            _ => None,
        },
        _ => None,
    }
}

// ---------------------------------------------------------------- exceptions

/// The frames active now, for an exception's traceback: names and files
/// are the generated code's static strings, so this is one copy of the
/// frame stack (exceptions used for control flow stay cheap).
pub fn snapshot_frames() -> Vec<(&'static str, &'static str, u32)> {
    let mut v = crate::extra::pstatic(&FRAMES, |f| f.borrow().clone());
    if let Some(top) = v.last_mut() {
        top.2 = crate::extra::pstatic(&CUR_LINE, |c| c.get());
    }
    v
}

fn stamp(inst: &Value) {
    if let Some(i) = as_inst(inst) {
        if let Some(e) = i.exc.borrow_mut().as_mut() {
            if e.tb.is_empty() {
                e.tb = snapshot_frames();
            }
            if e.context.is_none() {
                if let Some(top) = crate::extra::pstatic(&EXC_STACK, |s| s.borrow().last().cloned()) {
                    if !ptr_eq(&top, inst) {
                        e.context = top;
                    }
                }
            }
        }
    }
}

pub fn is_exc_instance(v: &Value) -> bool {
    as_inst(v).map(|i| i.exc.borrow().is_some()).unwrap_or(false)
}

pub fn new_exc_args(name: &str, args: Vec<Value>) -> PyErr {
    let cls = exc_class(name).unwrap_or_else(|| panic!("portalis_rt: unknown exception {}", name));
    let inst = new_instance(&cls);
    set_exc_args(&inst, Value::Tuple(Rc::new(args)));
    stamp(&inst);
    PyErr { val: inst }
}

/// The runtime's own errors: `rt::new_exc("ValueError", "message")`.
pub fn new_exc(name: &str, msg: &str) -> PyErr {
    new_exc_args(name, vec![Value::str(msg)])
}

pub fn type_error(msg: String) -> PyErr {
    new_exc("TypeError", &msg)
}
pub fn value_error(msg: String) -> PyErr {
    new_exc("ValueError", &msg)
}

pub fn set_exc_args(inst: &Value, args: Value) {
    if let Some(i) = as_inst(inst) {
        if let Some(e) = i.exc.borrow_mut().as_mut() {
            e.args = args;
        }
    }
}

pub fn exc_args(inst: &Value) -> Vec<Value> {
    if let Some(i) = as_inst(inst) {
        if let Some(e) = i.exc.borrow().as_ref() {
            if let Value::Tuple(t) = &e.args {
                return t.to_vec();
            }
        }
    }
    Vec::new()
}

pub fn exc_data<R>(inst: &Value, f: impl FnOnce(&mut ExcData) -> R) -> Option<R> {
    let i = as_inst(inst)?;
    let mut b = i.exc.borrow_mut();
    b.as_mut().map(|e| f(e))
}

/// `raise v`: instantiates classes, checks the value is an exception.
pub fn raise(v: Value) -> PyErr {
    let inst = match to_exc_instance(v) {
        Ok(i) => i,
        Err(e) => return e,
    };
    stamp(&inst);
    PyErr { val: inst }
}

fn to_exc_instance(v: Value) -> Result<Value, PyErr> {
    if let Some(c) = as_class(&v) {
        if c.base_kind == BType::BaseException {
            return crate::call::call(&v, vec![], vec![]);
        }
    } else if is_exc_instance(&v) {
        return Ok(v);
    }
    Err(new_exc("TypeError", "exceptions must derive from BaseException"))
}

pub fn raise_from(v: Value, cause: Value) -> PyErr {
    let inst = match to_exc_instance(v) {
        Ok(i) => i,
        Err(e) => return e,
    };
    let cause = if cause.is_none() {
        Value::None
    } else {
        match to_exc_instance(cause) {
            Ok(c) => c,
            Err(_) => return new_exc("TypeError", "exception causes must derive from BaseException"),
        }
    };
    exc_data(&inst, |e| {
        e.cause = cause;
        e.suppress = true;
    });
    stamp(&inst);
    PyErr { val: inst }
}

pub fn exc_matches(err: &PyErr, cls: &Value) -> PyResult<bool> {
    match cls {
        Value::Tuple(t) => {
            for c in t.iter() {
                if exc_matches(err, c)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        _ => match as_class(cls) {
            Some(c) if c.base_kind == BType::BaseException => Ok(is_subclass(&type_of(&err.val), cls)),
            _ => Err(new_exc("TypeError", "catching classes that do not inherit from BaseException is not allowed")),
        },
    }
}

pub fn exc_is(err: &PyErr, name: &str) -> bool {
    match exc_class(name) {
        Some(c) => is_subclass(&type_of(&err.val), &c),
        None => false,
    }
}

pub fn exc_enter(err: &PyErr) {
    crate::extra::pstatic(&EXC_STACK, |s| s.borrow_mut().push(err.val.clone()));
}

pub fn exc_leave() {
    crate::extra::pstatic(&EXC_STACK, |s| {
        s.borrow_mut().pop();
    });
}

pub fn current_exc() -> Option<Value> {
    crate::extra::pstatic(&EXC_STACK, |s| s.borrow().last().cloned())
}

/// str(exception instance) per BaseException.__str__ (KeyError quotes).
pub fn exc_str(inst: &Value) -> PyResult<String> {
    let args = exc_args(inst);
    if args.len() == 2 && is_exc_group(inst) {
        let n = crate::len(&args[1]).unwrap_or(0);
        return Ok(format!("{} ({} sub-exception{})", crate::ops::to_str(&args[0])?, n, if n == 1 { "" } else { "s" }));
    }
    let is_key = exc_class("KeyError").map(|k| is_subclass(&type_of(inst), &k)).unwrap_or(false);
    match args.len() {
        0 => Ok(String::new()),
        1 => {
            if is_key {
                crate::ops::repr(&args[0])
            } else {
                crate::ops::to_str(&args[0])
            }
        }
        _ => crate::ops::repr(&Value::Tuple(Rc::new(args))),
    }
}

/// An instance of ExceptionGroup or BaseExceptionGroup (or a subclass).
pub fn is_exc_group(inst: &Value) -> bool {
    ["ExceptionGroup", "BaseExceptionGroup"].iter().any(|n| exc_class(n).map(|k| is_subclass(&type_of(inst), &k)).unwrap_or(false))
}

pub fn exc_repr(inst: &Value) -> PyResult<String> {
    let args = exc_args(inst);
    let name = type_name(inst);
    if args.len() == 1 {
        return Ok(format!("{}({})", name, crate::ops::repr(&args[0])?));
    }
    let t = crate::ops::repr(&Value::Tuple(Rc::new(args)))?;
    if t == "()" {
        Ok(format!("{}()", name))
    } else {
        Ok(format!("{}{}", name, t))
    }
}

// ---------------------------------------------------------------- frames

/// Traceback frame guard: pushed at function entry, popped on drop.
///
/// The line of the running (innermost) frame lives in one cell, CUR_LINE,
/// so the line marker before every statement is a single store. The stack
/// entry of a frame holds its line only while it is not innermost: entering
/// a callee saves the caller's current line into the caller's entry, and
/// leaving it restores the cell from there. A traceback snapshot takes the
/// stack with the cell as the innermost line.
pub struct Frame {
    idx: usize,
}

impl Frame {
    #[inline]
    pub fn enter(name: &'static str, file: &'static str, line: u32) -> Frame {
        let cur = crate::extra::pstatic(&CUR_LINE, |c| c.replace(line));
        let idx = crate::extra::pstatic(&FRAMES, |f| {
            let mut f = f.borrow_mut();
            if let Some(top) = f.last_mut() {
                top.2 = cur;
            }
            f.push((name, file, line));
            f.len() - 1
        });
        Frame { idx }
    }
    #[inline]
    pub fn line(&self, n: u32) {
        set_line(n);
    }
}

/// The line of the innermost frame (what `__fr.line(n)` does).
#[inline]
pub fn set_line(n: u32) {
    crate::extra::pstatic(&CUR_LINE, |c| c.set(n));
}

impl Drop for Frame {
    #[inline]
    fn drop(&mut self) {
        crate::extra::pstatic(&FRAMES, |f| {
            let mut f = f.borrow_mut();
            f.truncate(self.idx);
            if let Some(top) = f.last() {
                crate::extra::pstatic(&CUR_LINE, |c| c.set(top.2));
            }
        });
    }
}

pub fn frame_depth() -> usize {
    crate::extra::pstatic(&FRAMES, |f| f.borrow().len())
}

// ---------------------------------------------------------------- super

pub fn super_(cls: &Value, obj: &Value) -> PyResult<Value> {
    if as_class(cls).is_none() {
        return Err(new_exc("TypeError", "super() argument 1 must be a type"));
    }
    Ok(Value::obj(Obj::Super(cls.clone(), obj.clone())))
}

pub fn super_getattr(cls: &Value, obj: &Value, name: &str) -> PyResult<Value> {
    let (start, is_cls) = if as_class(obj).is_some() && is_subclass(obj, cls) {
        (obj.clone(), true)
    } else {
        (type_of(obj), false)
    };
    if let Some(v) = lookup_after(cls, &start, name) {
        if is_cls {
            if let Value::Obj(o) = &v {
                match &**o {
                    Obj::ClassMethod(f) => return Ok(Value::obj(Obj::Method(obj.clone(), f.clone()))),
                    Obj::StaticMethod(f) => return Ok(f.clone()),
                    _ => {}
                }
            }
            return Ok(v);
        }
        return bind(v, obj, &start);
    }
    // a builtin base (list, dict, str, ... subclassed): its methods are not
    // in a class namespace but act on the instance's native payload
    if !is_cls {
        if let Some(i) = as_inst(obj) {
            let p = i.payload.borrow().clone();
            if !p.is_none() {
                if let Some(sn) = crate::methods::method_name(&p, name) {
                    return Ok(Value::obj(Obj::BMethod(p, sn)));
                }
            }
        }
    }
    Err(new_exc("AttributeError", &format!("'super' object has no attribute '{}'", name)))
}
