//! `collections.deque`: a double-ended queue on a ring buffer.
//!
//! The instance is a runtime class (base `object`, as in CPython, so
//! `isinstance(d, list)` is false) whose payload is an `Obj::Deque`: a
//! `VecDeque` of the items, the optional maxlen, and a state counter that
//! every mutation bumps.  Appends and pops at both ends are O(1), which is
//! what breadth-first searches and work queues rely on; the old list-backed
//! deque paid a memmove of the whole queue for every `popleft`.
//!
//! Every behaviour is a method of the class (`__len__`, `__getitem__`,
//! `__iter__`, `__contains__`, comparisons, `+`, `*`, `repr`), so the core's
//! generic paths find the dunders and never look at the payload itself; the
//! payload never reaches Python code.  Iterators and `in` check the state
//! counter the way CPython's deque does and raise "deque mutated during
//! iteration".  Error messages are CPython 3.11's.

use crate::iter::collect;
use crate::methods::getargs;
use crate::object::*;
use crate::ops;
use crate::stdlib::heapq_bisect_itertools_functools::rt_class;
use crate::value::*;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

impl DequeData {
    fn bump(&self) {
        self.state.set(self.state.get().wrapping_add(1));
    }
    /// Appends on the right (or left), dropping from the other end when a
    /// maxlen is set and reached.
    fn push(&self, x: Value, right: bool) {
        self.bump();
        let m = self.maxlen.get();
        if m == Some(0) {
            return;
        }
        let mut it = self.items.borrow_mut();
        if right {
            it.push_back(x);
        } else {
            it.push_front(x);
        }
        if let Some(m) = m {
            if it.len() > m {
                if right {
                    it.pop_front();
                } else {
                    it.pop_back();
                }
            }
        }
    }
    fn snapshot(&self) -> Vec<Value> {
        self.items.borrow().iter().cloned().collect()
    }
}

fn meth(name: &'static str, f: impl Fn(Vec<Value>, Kw) -> PyResult<Value> + 'static) -> Value {
    native(name, true, f)
}

/// The payload of a deque instance; created empty for a subclass instance
/// whose `__init__` never reached deque's.
fn dq(v: &Value) -> PyResult<Value> {
    let inst = as_inst(v).ok_or_else(|| type_error("descriptor requires a 'collections.deque' object".into()))?;
    let p = inst.payload.borrow().clone();
    if let Value::Obj(o) = &p {
        if let Obj::Deque(_) = &**o {
            return Ok(p);
        }
    }
    let p = new_payload(VecDeque::new(), None);
    *inst.payload.borrow_mut() = p.clone();
    Ok(p)
}

fn new_payload(items: VecDeque<Value>, maxlen: Option<usize>) -> Value {
    Value::obj(Obj::Deque(DequeData { items: RefCell::new(items), maxlen: Cell::new(maxlen), state: Cell::new(0) }))
}

/// Runs f on the deque data of v.
fn with<R>(v: &Value, f: impl FnOnce(&DequeData) -> PyResult<R>) -> PyResult<R> {
    let p = dq(v)?;
    match &p {
        Value::Obj(o) => match &**o {
            Obj::Deque(d) => f(d),
            _ => unreachable!("dq returns a deque payload"),
        },
        _ => unreachable!("dq returns a deque payload"),
    }
}

fn is_deque(v: &Value) -> bool {
    match as_inst(v) {
        Some(i) => matches!(&*i.payload.borrow(), Value::Obj(o) if matches!(&**o, Obj::Deque(_))),
        None => false,
    }
}

fn parse_maxlen(v: &Option<Value>) -> PyResult<Option<usize>> {
    match v {
        None | Some(Value::None) => Ok(None),
        Some(Value::Int(n)) if *n < 0 => Err(value_error("maxlen must be non-negative".into())),
        Some(Value::Int(n)) => Ok(Some(*n as usize)),
        Some(Value::Bool(b)) => Ok(Some(*b as usize)),
        Some(_) => Err(type_error("an integer is required".into())),
    }
}

fn index_arg(v: &Value) -> PyResult<i64> {
    match crate::attr::to_index(v)? {
        Some(i) => Ok(i),
        None => Err(type_error(format!("sequence index must be integer, not '{}'", type_name(v)))),
    }
}

fn int_arg(v: &Value) -> PyResult<i64> {
    match crate::attr::to_index(v)? {
        Some(i) => Ok(i),
        None => Err(type_error(format!("'{}' object cannot be interpreted as an integer", type_name(v)))),
    }
}

fn norm(i: i64, len: usize) -> PyResult<usize> {
    let j = if i < 0 { i + len as i64 } else { i };
    if j < 0 || j >= len as i64 {
        return Err(new_exc("IndexError", "deque index out of range"));
    }
    Ok(j as usize)
}

/// A new deque of the same class as `like` holding `items` (CPython builds
/// subclasses through their constructor: `type(d)(items, maxlen)`).
fn same_kind(like: &Value, items: Vec<Value>, maxlen: Option<usize>) -> PyResult<Value> {
    let cls = type_of(like);
    let m = match maxlen {
        Some(n) => Value::Int(n as i64),
        None => Value::None,
    };
    let args = if maxlen.is_some() { vec![crate::list(items), m] } else { vec![crate::list(items)] };
    crate::call::call(&cls, args, vec![])
}

/// The iterator of a deque, forwards or backwards, checking its state.
fn deque_iter(v: &Value, reverse: bool) -> PyResult<Value> {
    let p = dq(v)?;
    let (start_state, len) = match &p {
        Value::Obj(o) => match &**o {
            Obj::Deque(d) => (d.state.get(), d.items.borrow().len()),
            _ => unreachable!(),
        },
        _ => unreachable!(),
    };
    let mut i = 0usize;
    let f = move || -> PyResult<Option<Value>> {
        let d = match &p {
            Value::Obj(o) => match &**o {
                Obj::Deque(d) => d,
                _ => unreachable!(),
            },
            _ => unreachable!(),
        };
        let items = d.items.borrow();
        if d.state.get() != start_state || items.len() != len {
            return Err(new_exc("RuntimeError", "deque mutated during iteration"));
        }
        if i >= len {
            return Ok(None);
        }
        let x = if reverse { items[len - 1 - i].clone() } else { items[i].clone() };
        i += 1;
        Ok(Some(x))
    };
    Ok(Value::obj(Obj::Iter(RefCell::new(Iter::Native(Box::new(f))))))
}

thread_local! {
    static REPR_ACTIVE: RefCell<Vec<i64>> = const { RefCell::new(Vec::new()) };
}

fn deque_repr(v: &Value) -> PyResult<Value> {
    let id = ops::id_of(v);
    if REPR_ACTIVE.with(|r| r.borrow().contains(&id)) {
        return Ok(Value::str("[...]"));
    }
    REPR_ACTIVE.with(|r| r.borrow_mut().push(id));
    let body = (|| -> PyResult<String> {
        let items = with(v, |d| Ok(d.snapshot()))?;
        let mut s = String::from("[");
        for (k, x) in items.iter().enumerate() {
            if k > 0 {
                s.push_str(", ");
            }
            s.push_str(&ops::repr(x)?);
        }
        s.push(']');
        Ok(s)
    })();
    REPR_ACTIVE.with(|r| {
        r.borrow_mut().retain(|x| *x != id);
    });
    let body = body?;
    let name = type_name(v);
    Ok(Value::string(match with(v, |d| Ok(d.maxlen.get()))? {
        Some(m) => format!("{}({}, maxlen={})", name, body, m),
        None => format!("{}({})", name, body),
    }))
}

/// Rich comparison with another deque (NotImplemented otherwise): the
/// items compared as lists, lexicographically. `op` None means ==, and
/// Some(None) is !=.
fn compare(a: &[Value], op: Option<Option<ops::Cmp>>) -> PyResult<Value> {
    if !is_deque(&a[1]) {
        return Ok(Value::not_implemented());
    }
    let x = crate::list(with(&a[0], |d| Ok(d.snapshot()))?);
    let y = crate::list(with(&a[1], |d| Ok(d.snapshot()))?);
    match op {
        None => Ok(Value::Bool(ops::eq_bool(&x, &y)?)),
        Some(None) => Ok(Value::Bool(!ops::eq_bool(&x, &y)?)),
        Some(Some(c)) => ops::compare(&x, &y, c),
    }
}

fn extend(d: &Value, src: &Value, right: bool) -> PyResult<()> {
    // extending a deque by itself iterates a copy, as CPython does
    let items = if as_inst(src).map(|_| ptr_eq(src, d)).unwrap_or(false) {
        with(d, |dd| Ok(dd.snapshot()))?
    } else {
        collect(src)?
    };
    with(d, |dd| {
        for x in items {
            dd.push(x, right);
        }
        Ok(())
    })
}

/// `d * n` and `n * d`: a new deque of d's kind and maxlen.
fn repeat(a: &[Value]) -> PyResult<Value> {
    let n = match crate::attr::to_index(&a[1])? {
        Some(n) => n,
        None => return Ok(Value::not_implemented()),
    };
    let (items, m) = with(&a[0], |d| Ok((d.snapshot(), d.maxlen.get())))?;
    let mut out = Vec::with_capacity(items.len() * n.max(0) as usize);
    for _ in 0..n.max(0) {
        out.extend(items.iter().cloned());
    }
    same_kind(&a[0], out, m)
}

/// `d.copy()` and `copy.copy(d)`.
fn copy(d: &Value) -> PyResult<Value> {
    let (items, m) = with(d, |dd| Ok((dd.snapshot(), dd.maxlen.get())))?;
    same_kind(d, items, m)
}

// The deque class's own `__len__` (its address):
// class facts compare a class's dunders with them, so that `len(q)` and
// `if q:` on a deque read its length without a dunder call.
crate::sites! {
    static OWN_DUNDERS: Cell<usize> = Cell::new(0);
}

fn ptr(v: &Value) -> usize {
    match v {
        Value::Obj(o) => std::rc::Rc::as_ptr(o) as usize,
        _ => 0,
    }
}

/// Whether `f` is the deque's own `__len__`.
pub fn is_own_len(f: &Value) -> bool {
    let p = ptr(f);
    p != 0 && p == crate::extra::pstatic(&OWN_DUNDERS, |o| o.get())
}

/// The length of a deque instance's payload (None for anything else).
#[inline]
pub fn payload_len(i: &Instance) -> Option<usize> {
    match &*i.payload.borrow() {
        Value::Obj(o) => match &**o {
            Obj::Deque(d) => Some(d.items.borrow().len()),
            _ => None,
        },
        _ => None,
    }
}

pub fn deque_class() -> Value {
    let maxlen_prop = Value::obj(Obj::Property(
        native("maxlen", false, |a, _| {
            Ok(match with(&a[0], |d| Ok(d.maxlen.get()))? {
                Some(m) => Value::Int(m as i64),
                None => Value::None,
            })
        }),
        Value::None,
        Value::None,
        Value::None,
    ));
    let len_m = meth("__len__", |a, _| with(&a[0], |d| Ok(Value::Int(d.items.borrow().len() as i64))));
    // no __bool__: CPython's deque has none (truth is len() != 0, so a
    // subclass's __len__ decides it)
    crate::extra::pstatic(&OWN_DUNDERS, |o| o.set(ptr(&len_m)));
    rt_class("deque", "collections", vec![], vec![
        ("__init__", meth("__init__", |a, kw| {
            let o = getargs("deque", a[1..].to_vec(), kw, &["iterable", "maxlen"], 0)?;
            let maxlen = parse_maxlen(&o[1])?;
            let p = dq(&a[0])?;
            if let Value::Obj(ob) = &p {
                if let Obj::Deque(d) = &**ob {
                    d.maxlen.set(maxlen);
                    d.items.borrow_mut().clear();
                    d.bump();
                }
            }
            if let Some(src) = &o[0] {
                extend(&a[0], src, true)?;
            }
            Ok(Value::None)
        })),
        ("maxlen", maxlen_prop),
        ("__hash__", Value::None),
        ("__len__", len_m),
        ("__iter__", meth("__iter__", |a, _| deque_iter(&a[0], false))),
        ("__reversed__", meth("__reversed__", |a, _| deque_iter(&a[0], true))),
        ("__repr__", meth("__repr__", |a, _| deque_repr(&a[0]))),
        ("__getitem__", meth("__getitem__", |a, _| {
            let i = index_arg(&a[1])?;
            with(&a[0], |d| {
                let items = d.items.borrow();
                Ok(items[norm(i, items.len())?].clone())
            })
        })),
        ("__setitem__", meth("__setitem__", |a, _| {
            let i = index_arg(&a[1])?;
            let x = a[2].clone();
            with(&a[0], |d| {
                let mut items = d.items.borrow_mut();
                let k = norm(i, items.len())?;
                items[k] = x;
                Ok(Value::None)
            })
        })),
        ("__delitem__", meth("__delitem__", |a, _| {
            let i = index_arg(&a[1])?;
            with(&a[0], |d| {
                let k = norm(i, d.items.borrow().len())?;
                d.bump();
                let old = d.items.borrow_mut().remove(k);
                drop(old);
                Ok(Value::None)
            })
        })),
        ("__contains__", meth("__contains__", |a, _| {
            let (items, state) = with(&a[0], |d| Ok((d.snapshot(), d.state.get())))?;
            for x in items.iter() {
                let eq = ops::eq_bool(x, &a[1])?;
                if with(&a[0], |d| Ok(d.state.get()))? != state {
                    return Err(new_exc("RuntimeError", "deque mutated during iteration"));
                }
                if eq {
                    return Ok(Value::Bool(true));
                }
            }
            Ok(Value::Bool(false))
        })),
        ("__eq__", meth("__eq__", |a, _| compare(&a, None))),
        ("__ne__", meth("__ne__", |a, _| compare(&a, Some(None)))),
        ("__lt__", meth("__lt__", |a, _| compare(&a, Some(Some(ops::Cmp::Lt))))),
        ("__le__", meth("__le__", |a, _| compare(&a, Some(Some(ops::Cmp::Le))))),
        ("__gt__", meth("__gt__", |a, _| compare(&a, Some(Some(ops::Cmp::Gt))))),
        ("__ge__", meth("__ge__", |a, _| compare(&a, Some(Some(ops::Cmp::Ge))))),
        ("__add__", meth("__add__", |a, _| {
            if !is_deque(&a[1]) {
                return Err(type_error(format!("can only concatenate deque (not \"{}\") to deque", type_name(&a[1]))));
            }
            let mut items = with(&a[0], |d| Ok(d.snapshot()))?;
            items.extend(with(&a[1], |d| Ok(d.snapshot()))?);
            let m = with(&a[0], |d| Ok(d.maxlen.get()))?;
            same_kind(&a[0], items, m)
        })),
        ("__iadd__", meth("__iadd__", |a, _| {
            extend(&a[0], &a[1], true)?;
            Ok(a[0].clone())
        })),
        ("__mul__", meth("__mul__", |a, _| repeat(&a))),
        ("__rmul__", meth("__rmul__", |a, _| repeat(&a))),
        ("__imul__", meth("__imul__", |a, _| {
            let n = int_arg(&a[1])?;
            with(&a[0], |d| {
                let items = d.snapshot();
                d.bump();
                d.items.borrow_mut().clear();
                for _ in 0..n.max(0) {
                    for x in items.iter() {
                        d.push(x.clone(), true);
                    }
                }
                Ok(())
            })?;
            Ok(a[0].clone())
        })),
        ("__copy__", meth("__copy__", |a, _| copy(&a[0]))),
        ("copy", meth("copy", |a, _| copy(&a[0]))),
        ("append", meth("append", |a, _| {
            let x = a[1].clone();
            with(&a[0], |d| {
                d.push(x, true);
                Ok(Value::None)
            })
        })),
        ("appendleft", meth("appendleft", |a, _| {
            let x = a[1].clone();
            with(&a[0], |d| {
                d.push(x, false);
                Ok(Value::None)
            })
        })),
        ("extend", meth("extend", |a, _| {
            extend(&a[0], &a[1], true)?;
            Ok(Value::None)
        })),
        ("extendleft", meth("extendleft", |a, _| {
            extend(&a[0], &a[1], false)?;
            Ok(Value::None)
        })),
        ("pop", meth("pop", |a, _| {
            with(&a[0], |d| {
                d.bump();
                let x = d.items.borrow_mut().pop_back();
                x.ok_or_else(|| new_exc("IndexError", "pop from an empty deque"))
            })
        })),
        ("popleft", meth("popleft", |a, _| {
            with(&a[0], |d| {
                d.bump();
                let x = d.items.borrow_mut().pop_front();
                x.ok_or_else(|| new_exc("IndexError", "pop from an empty deque"))
            })
        })),
        ("clear", meth("clear", |a, _| {
            let old = with(&a[0], |d| {
                d.bump();
                Ok(std::mem::take(&mut *d.items.borrow_mut()))
            })?;
            drop(old);
            Ok(Value::None)
        })),
        ("rotate", meth("rotate", |a, _| {
            let n = match a.get(1) {
                Some(v) => int_arg(v)?,
                None => 1,
            };
            with(&a[0], |d| {
                d.bump();
                let mut items = d.items.borrow_mut();
                let len = items.len() as i64;
                if len > 0 {
                    let k = n.rem_euclid(len) as usize;
                    items.rotate_right(k);
                }
                Ok(Value::None)
            })
        })),
        ("reverse", meth("reverse", |a, _| {
            with(&a[0], |d| {
                d.bump();
                let mut items = d.items.borrow_mut();
                let v: Vec<Value> = items.drain(..).rev().collect();
                items.extend(v);
                Ok(Value::None)
            })
        })),
        ("count", meth("count", |a, _| {
            let (items, state) = with(&a[0], |d| Ok((d.snapshot(), d.state.get())))?;
            let mut n = 0i64;
            for x in items.iter() {
                if ops::eq_bool(x, &a[1])? {
                    n += 1;
                }
                if with(&a[0], |d| Ok(d.state.get()))? != state {
                    return Err(new_exc("RuntimeError", "deque mutated during iteration"));
                }
            }
            Ok(Value::Int(n))
        })),
        ("index", meth("index", |a, _| {
            let items = with(&a[0], |d| Ok(d.snapshot()))?;
            let len = items.len() as i64;
            let fix = |v: Option<&Value>, dflt: i64| -> PyResult<i64> {
                let i = match v {
                    Some(v) => int_arg(v)?,
                    None => return Ok(dflt),
                };
                Ok(if i < 0 { (i + len).max(0) } else { i.min(len) })
            };
            let start = fix(a.get(2), 0)?;
            let stop = fix(a.get(3), len)?;
            let mut k = start;
            while k < stop {
                if ops::eq_bool(&items[k as usize], &a[1])? {
                    return Ok(Value::Int(k));
                }
                k += 1;
            }
            Err(value_error(format!("{} is not in deque", ops::repr(&a[1])?)))
        })),
        ("insert", meth("insert", |a, _| {
            let i = int_arg(&a[1])?;
            let x = a[2].clone();
            with(&a[0], |d| {
                let len = d.items.borrow().len();
                if d.maxlen.get() == Some(len) {
                    return Err(new_exc("IndexError", "deque already at its maximum size"));
                }
                let k = if i < 0 { (i + len as i64).max(0) } else { i.min(len as i64) } as usize;
                d.bump();
                d.items.borrow_mut().insert(k, x);
                Ok(Value::None)
            })
        })),
        ("remove", meth("remove", |a, _| {
            let items = with(&a[0], |d| Ok(d.snapshot()))?;
            for (k, x) in items.iter().enumerate() {
                if ops::eq_bool(x, &a[1])? {
                    return with(&a[0], |d| {
                        if d.items.borrow().len() != items.len() {
                            return Err(new_exc("IndexError", "deque mutated during remove()."));
                        }
                        d.bump();
                        let old = d.items.borrow_mut().remove(k);
                        drop(old);
                        Ok(Value::None)
                    });
                }
            }
            Err(value_error(format!("{} is not in deque", ops::repr(&a[1])?)))
        })),
    ])
}

/// A copy of a deque payload (copy.copy / copy.deepcopy of an instance).
pub fn copy_payload(d: &DequeData, items: Vec<Value>) -> Value {
    new_payload(items.into_iter().collect(), d.maxlen.get())
}
