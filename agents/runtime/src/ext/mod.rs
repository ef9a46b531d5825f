//! Standard modules added for real programs (issue 11), one file each, so
//! that the core files stay untouched: `struct`, `collections.abc`,
//! `numbers`, `queue`, `complex`/`cmath`, `fractions`, `pprint`, `array`, `asyncio`, `types`, `bytearray`, `memoryview` and the rest of
//! `bytes` (`%`, maketrans/translate, codecs), and the binary layer of sys.stdin/sys.stdout (`.buffer`).
//!
//! Each module is a native Rust version of what CPython implements in C
//! (`_struct`) or a small pure-Python module written here natively, with
//! CPython 3.11's names, results and error messages.

pub mod array;
pub mod asyncio;
pub mod binascii;
pub mod binio;
pub mod bytearray;
pub mod bytesx;
pub mod codecs;
pub mod coll_abc;
pub mod complex;
pub mod doctest;
pub mod errno;
pub mod fractions;
pub mod memview;
pub mod pprint;
pub mod queue;
pub mod struct_;
pub mod timefmt;
pub mod types;

use crate::object::native;
use crate::value::*;

pub(crate) fn nat(name: &'static str, f: impl Fn(Vec<Value>, Kw) -> PyResult<Value> + 'static) -> Value {
    native(name, false, f)
}

pub(crate) fn meth(name: &'static str, f: impl Fn(Vec<Value>, Kw) -> PyResult<Value> + 'static) -> Value {
    native(name, true, f)
}

/// The modules of this folder, for `rt::import`.
pub fn import(name: &str) -> Option<Value> {
    match name {
        "struct" => Some(struct_::module()),
        "collections.abc" => Some(coll_abc::module()),
        // the private name the standard library's own sources import
        "_collections_abc" => Some(coll_abc::module()),
        "queue" => Some(queue::module()),
        "cmath" => Some(complex::cmath_module()),
        "fractions" => Some(fractions::module()),
        "pprint" => Some(pprint::module()),
        "array" => Some(array::module()),
        "binascii" => Some(binascii::module()),
        "_codecs" => Some(codecs::module()),
        "shutil" => Some(codecs::shutil_module()),
        "errno" => Some(errno::module()),
        "linecache" => Some(errno::linecache_module()),
        "asyncio" => Some(asyncio::module()),
        "doctest" => Some(doctest::module()),
        "types" => Some(types::module()),
        "numbers" => Some(coll_abc::numbers_module()),
        "builtins" => Some(builtins_module()),
        _ => None,
    }
}

/// `builtins`: the builtin names as a module (what `import builtins` gives
/// the standard library's own sources: builtins.open, builtins.str...).
pub fn builtins_module() -> Value {
    let md = crate::rtsys::new_module("builtins", "");
    for (k, v) in crate::builtins::all_builtins() {
        crate::rtsys::mod_set(&md, k, v);
    }
    md
}
