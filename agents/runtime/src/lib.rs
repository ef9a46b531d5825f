//! portalis_rt: Python's object model and semantics for translated programs.
//!
//! Generated Rust starts with `use portalis_rt::prelude::*;` and calls the
//! runtime through `rt::` (the crate root).  The contract is
//! docs/runtime-api.md.  Module map:
//!
//! - value.rs    the `Value` enum, object structs, dict/set internals
//! - bigint.rs   arbitrary-precision integers
//! - ops.rs      operators, comparisons, hashing, str/repr, truth
//! - object.rs   types, classes (C3 MRO), exceptions, frames, super
//! - attr.rs     getattr/setattr and subscription/slicing
//! - call.rs     calls, argument binding, functions
//! - iter.rs     iter/next/unpacking
//! - gen.rs      generators as async state machines
//! - format.rs   float repr, format specs, % and str.format
//! - methods.rs  methods of builtin types
//! - builtins.rs the builtins table and type constructors
//! - rtsys.rs    stdout/stdin, modules, run_main, tracebacks
//! - sysio.rs    the WASI file descriptors under sys.stdin/stdout/stderr
//! - libm.rs     float functions (math module, float repr)
//! - unicase.rs  Unicode case mapping and character classes for str methods
//! - regex.rs    the `re` module (its own backtracking engine)
//! - stdlib/     runtime-implemented standard modules, one file per group:
//!   - mod.rs                                `rt::import`, builtin-subclass payloads, math, sys, time, operator
//!   - heapq_bisect_itertools_functools.rs   heapq, bisect, itertools, functools (and `rt_class`)
//!   - collections_string_random.rs          collections, string, random (with the sha512 random.seed uses)
//!   - deque.rs                              collections.deque on a ring buffer
//!   - json.rs                               json
//!   - enum_dataclasses.rs                   enum, dataclasses
//!   - typing_abc_copy_contextlib.rs         typing, abc, copy, contextlib
//!   - statistics_textwrap_io_os.rs          statistics, textwrap, io, os, os.path
//! - ext/        modules added one file each: struct, collections.abc, queue, asyncio, cmath and complex, fractions, pprint, types, numbers (in coll_abc.rs), memoryview, bytearray, sys.std*.buffer
//! - extra.rs    owned by the code generator (helpers it needs)
//! - smalloc.rs  the WASM module's allocator: size classes for small blocks

pub mod attr;
pub mod bigint;
pub mod builtins;
pub mod call;
pub mod ext;
pub mod extra;
pub mod format;
pub mod gen;
pub mod iter;
pub mod libm;
pub mod unicase;
pub mod methods;
pub mod object;
pub mod ops;
pub mod rtsys;
pub mod stdlib;
// The files' old names (stdlib2.rs ... stdlib7.rs), kept as aliases while
// branches written against them merge; new code uses the stdlib:: paths.
#[doc(hidden)]
pub use crate::stdlib::heapq_bisect_itertools_functools as stdlib2;
#[doc(hidden)]
pub use crate::stdlib::collections_string_random as stdlib3;
#[doc(hidden)]
pub use crate::stdlib::json as stdlib4;
#[doc(hidden)]
pub use crate::stdlib::enum_dataclasses as stdlib5;
#[doc(hidden)]
pub use crate::stdlib::typing_abc_copy_contextlib as stdlib6;
#[doc(hidden)]
pub use crate::stdlib::statistics_textwrap_io_os as stdlib7;
pub mod sysio;
pub mod regex;
mod smalloc;
pub mod value;

#[cfg(test)]
mod tests;

use std::cell::RefCell;
use std::rc::Rc;

pub use crate::attr::{delattr, delitem, getattr, getitem, hasattr, setattr, setitem, slice_indices};
pub use crate::builtins::{builtin, int_from_str, len, BUILTIN_NAMES};
pub use crate::call::{call, call_args, call_method, call_method_args, enter_call, extend_args, extend_kwargs, make_function, set_doc};
pub use crate::format::{float_repr, percent_format, str_format};
pub use crate::gen::{aenter, aexit, aiter, anext, await_, make_coroutine, make_generator, yield_from, Co};
pub use crate::iter::{collect, enumerate_next, iter, next, next_n, unpack, unpack_arr, unpack_ex, zip_next};
pub use crate::object::{
    current_exc, exc_enter, exc_is, exc_leave, exc_matches, isinstance, make_class, new_exc, raise, raise_from,
    super_, type_name, type_of, Frame,
};
pub use crate::ops::{
    abs, add, ascii, bitand, bitor, bitxor, contains, eq, floordiv, ge, gt, hash, iadd, iand, ifloordiv, ilshift,
    imatmul, imod, imul, invert, ior, ipow, irshift, is, isub, itruediv, ixor, le, lshift, lt, matmul, modulo, mul, ne,
    neg, not_, pos, pow, repr, rshift, sub, to_str, truediv, truthy,
};
pub use crate::rtsys::{flush_stdout, import_user, mod_del, mod_get, mod_set, new_module, run_main};
pub use crate::stdlib::{import, STDLIB_MODULES};
pub use crate::value::{Kw, Params, PyErr, PyResult, Value};

/// Everything generated code needs in scope.
pub mod prelude {
    pub use crate as rt;
    pub use crate::gen::Co;
    pub use crate::value::{Kw, Params, PyErr, PyResult, Value};
    pub use crate::Cell;
}

// ---------------------------------------------------------------- constructors

pub fn list(v: Vec<Value>) -> Value {
    Value::List(Rc::new(RefCell::new(v)))
}

pub fn tuple(v: Vec<Value>) -> Value {
    Value::Tuple(Rc::new(v))
}

/// An imaginary literal `2.5j`.
pub fn imag(v: f64) -> Value {
    crate::ext::complex::make(0.0, v)
}

pub fn bytes(b: &[u8]) -> Value {
    Value::Bytes(Rc::new(b.to_vec()))
}

pub fn dict(items: Vec<(Value, Value)>) -> PyResult<Value> {
    let d = Value::Dict(Rc::new(RefCell::new(value::Dict::new())));
    for (k, v) in items {
        methods::dict_set(&d, k, v)?;
    }
    Ok(d)
}

pub fn set(items: Vec<Value>) -> PyResult<Value> {
    let mut s = value::Set::new();
    for x in items {
        let h = ops::hash(&x)?;
        s.add(x, h)?;
    }
    Ok(Value::Set(Rc::new(RefCell::new(s))))
}

/// A set display whose elements are all constants and more than two
/// (`{1, 2, 3}`): CPython folds it into a frozenset constant and merges that
/// into a new set, which can give a different iteration order than adding
/// the elements one by one (`rt::set`).
pub fn set_const(items: Vec<Value>) -> PyResult<Value> {
    if items.len() <= 2 {
        return set(items);
    }
    let fs = set(items)?;
    set_from_iterable(&fs)
}

/// set(iterable), copying a set's table the way CPython's set_merge does.
pub fn set_from_iterable(v: &Value) -> PyResult<Value> {
    match v {
        Value::Set(s) | Value::FrozenSet(s) => {
            let mut n = value::Set::new();
            n.merge(&s.borrow())?;
            Ok(Value::Set(Rc::new(RefCell::new(n))))
        }
        Value::Dict(d) => {
            let mut n = value::Set::new();
            let entries: Vec<(Value, i64)> = {
                let d = d.borrow();
                d.entries.iter().zip(d.hashes.iter()).filter_map(|(e, h)| e.as_ref().map(|(k, _)| (k.clone(), *h))).collect()
            };
            if (entries.len()) * 5 >= 7 * 3 {
                n.resize(entries.len() * 2);
            }
            for (k, h) in entries {
                n.add(k, h)?;
            }
            Ok(Value::Set(Rc::new(RefCell::new(n))))
        }
        _ => set(iter::collect(v)?),
    }
}

pub fn set_from(items: &[Value]) -> PyResult<Value> {
    set(items.to_vec())
}

pub fn frozenset(items: Vec<Value>) -> PyResult<Value> {
    match set(items)? {
        Value::Set(s) => Ok(Value::FrozenSet(s)),
        v => Ok(v),
    }
}

pub fn slice(start: Value, stop: Value, step: Value) -> Value {
    Value::obj(value::Obj::Slice(start, stop, step))
}

/// `format(v, spec)` for f-strings: `f"{x:>10}"` is `rt::format(&x, ">10")`.
pub fn format(v: &Value, spec: &str) -> PyResult<String> {
    format::format(v, spec)
}

/// `print(*args)` with default sep/end to stdout.
pub fn print(args: &[Value]) -> PyResult<()> {
    builtins::print_to(args, " ", "\n", &Value::None, false)
}

pub fn pow3(a: &Value, b: &Value, m: &Value) -> PyResult<Value> {
    ops::pow3(a, b, m)
}

pub fn divmod(a: &Value, b: &Value) -> PyResult<Value> {
    builtins::divmod(a, b)
}

pub fn lt_bool(a: &Value, b: &Value) -> PyResult<bool> {
    ops::lt_bool(a, b)
}

pub fn eq_bool(a: &Value, b: &Value) -> PyResult<bool> {
    ops::eq_bool(a, b)
}

pub fn new_exc_args(name: &str, args: Vec<Value>) -> PyErr {
    object::new_exc_args(name, args)
}

/// `assert cond, msg`: the AssertionError to return when `cond` is false.
pub fn assertion_error(msg: Option<Value>) -> PyErr {
    match msg {
        Some(m) => object::new_exc_args("AssertionError", vec![m]),
        None => object::new_exc_args("AssertionError", vec![]),
    }
}

// ---------------------------------------------------------------- cells

/// A shared variable cell for closures and `nonlocal`.
#[derive(Clone)]
pub struct Cell(Rc<RefCell<Option<Value>>>, &'static str);

impl Cell {
    pub fn new(v: Value) -> Cell {
        Cell(Rc::new(RefCell::new(Some(v))), "")
    }
    pub fn empty() -> Cell {
        Cell(Rc::new(RefCell::new(None)), "")
    }
    /// An empty cell that knows its variable name (for the NameError text).
    pub fn named(name: &'static str) -> Cell {
        Cell(Rc::new(RefCell::new(None)), name)
    }
    pub fn get(&self) -> PyResult<Value> {
        match &*self.0.borrow() {
            Some(v) => Ok(v.clone()),
            None => Err(new_exc(
                "NameError",
                &if self.1.is_empty() {
                    "free variable referenced before assignment in enclosing scope".to_string()
                } else {
                    format!("cannot access free variable '{}' where it is not associated with a value in enclosing scope", self.1)
                },
            )),
        }
    }
    pub fn set(&self, v: Value) {
        *self.0.borrow_mut() = Some(v);
    }
    pub fn clear(&self) {
        *self.0.borrow_mut() = None;
    }
    pub fn is_set(&self) -> bool {
        self.0.borrow().is_some()
    }
}
