//! Methods of the builtin types (str, list, dict, set, tuple, int, float,
//! bytes, generators), dispatched by name.
//!
//! `getattr("abc", "upper")` produces a `BMethod(receiver, "upper")`; calling
//! it (or `call_method` directly, which skips the allocation) lands in
//! `call_builtin_method`.  The method tables below are the single list of
//! what exists; their `&'static str` entries double as the stored name.

use crate::object::*;
use crate::ops;
use crate::value::*;
use std::cell::RefCell;
use std::rc::Rc;

const STR_M: &[&str] = &[
    "capitalize", "casefold", "center", "count", "encode", "endswith", "expandtabs", "find", "format", "format_map",
    "index", "isalnum", "isalpha", "isascii", "isdecimal", "isdigit", "isidentifier", "islower", "isnumeric",
    "isprintable", "isspace", "istitle", "isupper", "join", "ljust", "lower", "lstrip", "partition", "removeprefix",
    "removesuffix", "replace", "rfind", "rindex", "rjust", "rpartition", "rsplit", "rstrip", "split", "splitlines",
    "startswith", "strip", "swapcase", "title", "translate", "upper", "zfill", "maketrans",
];
const LIST_M: &[&str] = &["append", "clear", "copy", "count", "extend", "index", "insert", "pop", "remove", "reverse", "sort"];
const DICT_M: &[&str] = &["clear", "copy", "fromkeys", "get", "items", "keys", "pop", "popitem", "setdefault", "update", "values"];
const SET_M: &[&str] = &[
    "add", "clear", "copy", "difference", "difference_update", "discard", "intersection", "intersection_update",
    "isdisjoint", "issubset", "issuperset", "pop", "remove", "symmetric_difference", "symmetric_difference_update",
    "union", "update",
];
const TUPLE_M: &[&str] = &["count", "index"];
const INT_M: &[&str] = &["bit_length", "bit_count", "to_bytes", "from_bytes", "conjugate", "as_integer_ratio", "is_integer"];
const FLOAT_M: &[&str] = &["is_integer", "as_integer_ratio", "hex", "conjugate", "fromhex"];
const BYTES_M: &[&str] = &[
    "decode", "hex", "count", "find", "startswith", "endswith", "split", "strip", "join", "replace", "upper", "lower",
    "index", "rfind", "rindex", "rsplit", "lstrip", "rstrip", "partition", "rpartition", "splitlines", "ljust", "rjust",
    "center", "zfill", "removeprefix", "removesuffix", "expandtabs", "title", "capitalize", "swapcase", "isdigit",
    "isalpha", "isalnum", "isspace", "isascii", "islower", "isupper", "istitle", "translate", "maketrans", "fromhex",
];
const GEN_M: &[&str] = &["send", "throw", "close"];
const AGEN_M: &[&str] = &["__anext__", "asend", "athrow", "aclose", "__aiter__"];
const DUNDER_M: &[&str] = &[
    "__len__", "__getitem__", "__setitem__", "__delitem__", "__contains__", "__iter__", "__next__", "__repr__",
    "__str__", "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__hash__", "__bool__", "__format__",
    "__reversed__", "__init__", "__neg__", "__pos__", "__abs__", "__invert__", "__int__", "__float__", "__index__",
    "__round__", "__divmod__", "__add__", "__sub__", "__mul__", "__truediv__", "__floordiv__", "__mod__", "__pow__",
    "__lshift__", "__rshift__", "__and__", "__or__", "__xor__", "__matmul__", "__radd__", "__rsub__", "__rmul__",
    "__rtruediv__", "__rfloordiv__", "__rmod__", "__rpow__", "__rlshift__", "__rrshift__", "__rand__", "__ror__",
    "__rxor__", "__rmatmul__",
];

fn dunder_op(name: &str) -> Option<(ops::Op, bool)> {
    use ops::Op::*;
    let (base, refl) = match name.strip_prefix("__r") {
        Some(rest) if name != "__rshift__" && name != "__round__" && name != "__repr__" && name != "__reversed__" => (format!("__{}", rest), true),
        _ => (name.to_string(), false),
    };
    let op = match base.as_str() {
        "__add__" => Add,
        "__sub__" => Sub,
        "__mul__" => Mul,
        "__truediv__" => TrueDiv,
        "__floordiv__" => FloorDiv,
        "__mod__" => Mod,
        "__pow__" => Pow,
        "__lshift__" => LShift,
        "__rshift__" => RShift,
        "__and__" => And,
        "__or__" => Or,
        "__xor__" => Xor,
        "__matmul__" => MatMul,
        _ => return None,
    };
    Some((op, refl))
}

fn table(obj: &Value) -> &'static [&'static str] {
    match obj {
        Value::Str(_) => STR_M,
        Value::List(_) => LIST_M,
        Value::Dict(_) => DICT_M,
        Value::Set(_) => SET_M,
        Value::FrozenSet(_) => SET_M,
        Value::Tuple(_) => TUPLE_M,
        Value::Int(_) | Value::Big(_) | Value::Bool(_) => INT_M,
        Value::Float(_) => FLOAT_M,
        Value::Bytes(_) => BYTES_M,
        Value::Obj(o) => match &**o {
            Obj::Gen(g) if g.kind == crate::gen::KIND_AGEN => AGEN_M,
            Obj::Gen(_) => GEN_M,
            _ => &[],
        },
        _ => &[],
    }
}

/// The static name of method `name` on `obj`'s builtin type, if it has one.
pub fn method_name(obj: &Value, name: &str) -> Option<&'static str> {
    if let Value::FrozenSet(_) = obj {
        if matches!(name, "add" | "clear" | "discard" | "pop" | "remove" | "update") || name.ends_with("_update") {
            return None;
        }
    }
    if let Some(n) = table(obj).iter().find(|n| **n == name) {
        return Some(n);
    }
    if let Value::Obj(o) = obj {
        if let Obj::Inst(_) = &**o {
            return None;
        }
        if !matches!(&**o, Obj::Gen(_) | Obj::Iter(_)) && matches!(name, "__next__") {
            return None;
        }
    }
    DUNDER_M.iter().find(|n| **n == name).copied()
}

/// Attributes of builtin classes: unbound methods (`str.upper`) and
/// classmethods (`dict.fromkeys`, `int.from_bytes`, `str.maketrans`).
pub fn builtin_class_attr(cls: &Value, kind: BType, name: &str) -> Option<Value> {
    let sample: Value = match kind {
        BType::Str => Value::str(""),
        BType::List => crate::list(vec![]),
        BType::Dict => Value::Dict(Rc::new(RefCell::new(Dict::new()))),
        BType::Set => Value::Set(Rc::new(RefCell::new(Set::new()))),
        BType::FrozenSet => Value::FrozenSet(Rc::new(RefCell::new(Set::new()))),
        BType::Tuple => crate::tuple(vec![]),
        BType::Int | BType::Bool => Value::Int(0),
        BType::Float => Value::Float(0.0),
        BType::Bytes => Value::Bytes(Rc::new(vec![])),
        _ => return None,
    };
    let sn = method_name(&sample, name)?;
    match sn {
        "fromkeys" | "from_bytes" | "maketrans" | "fromhex" => {
            let c = cls.clone();
            Some(native(sn, false, move |a, kw| {
                let _ = &c;
                call_builtin_method(&sample, sn, a, kw)
            }))
        }
        _ => Some(native(sn, false, move |mut a, kw| {
            if a.is_empty() {
                return Err(type_error(format!("unbound method {}() needs an argument", sn)));
            }
            let recv = a.remove(0);
            call_builtin_method(&recv, sn, a, kw)
        })),
    }
}

/// Binds positional and keyword arguments of a builtin method by name.
pub fn getargs(fname: &str, args: Vec<Value>, kw: Kw, names: &[&str], required: usize) -> PyResult<Vec<Option<Value>>> {
    if args.len() > names.len() {
        return Err(type_error(format!(
            "{}() takes at most {} argument{} ({} given)",
            fname,
            names.len(),
            if names.len() == 1 { "" } else { "s" },
            args.len()
        )));
    }
    let mut out: Vec<Option<Value>> = vec![None; names.len()];
    for (i, a) in args.into_iter().enumerate() {
        out[i] = Some(a);
    }
    for (k, v) in kw {
        match names.iter().position(|n| *n == k) {
            Some(i) => out[i] = Some(v),
            None => return Err(type_error(format!("{}() got an unexpected keyword argument '{}'", fname, k))),
        }
    }
    for i in 0..required {
        if out[i].is_none() {
            // Argument Clinic's wording, which CPython's C functions with
            // keyword parameters use.
            return Err(type_error(format!("{}() missing required argument '{}' (pos {})", fname, names[i], i + 1)));
        }
    }
    Ok(out)
}

fn opt_none(v: &Option<Value>) -> Option<&Value> {
    match v {
        Some(Value::None) | None => None,
        Some(x) => Some(x),
    }
}

fn want_str<'a>(v: &'a Value, what: &str) -> PyResult<&'a str> {
    match v {
        Value::Str(s) => Ok(&s.s),
        _ => Err(type_error(format!("{}must be str, not {}", what, type_name(v)))),
    }
}

fn as_int(v: &Value) -> PyResult<i64> {
    match crate::attr::to_index(v)? {
        Some(i) => Ok(i),
        None => Err(type_error(format!("'{}' object cannot be interpreted as an integer", type_name(v)))),
    }
}

pub fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

fn char_to_byte(s: &str, ci: usize) -> usize {
    s.char_indices().nth(ci).map(|(b, _)| b).unwrap_or(s.len())
}

fn byte_to_char(s: &str, bi: usize) -> usize {
    if s.is_ascii() {
        bi
    } else {
        s[..bi].chars().count()
    }
}

/// Resolves optional start/end (char indices) to a byte range.
fn sub_range(s: &PyStr, start: &Option<Value>, end: &Option<Value>) -> PyResult<(usize, usize, usize)> {
    let n = s.nchars as i64;
    let fix = |v: &Option<Value>, d: i64| -> PyResult<i64> {
        match opt_none(v) {
            None => Ok(d),
            Some(x) => {
                let mut i = as_int(x)?;
                if i < 0 {
                    i += n;
                    if i < 0 {
                        i = 0;
                    }
                }
                Ok(i.min(n))
            }
        }
    };
    let st = fix(start, 0)?;
    let en = fix(end, n)?;
    if s.is_ascii() {
        return Ok((st as usize, en.max(st) as usize, st as usize));
    }
    let bs = char_to_byte(&s.s, st as usize);
    let be = char_to_byte(&s.s, en.max(st) as usize);
    Ok((bs, be, st as usize))
}

fn split_ws(s: &str, maxsplit: i64) -> Vec<Value> {
    let mut out = Vec::new();
    let mut rest = s.trim_start_matches(is_py_space);
    while !rest.is_empty() {
        if maxsplit >= 0 && out.len() as i64 >= maxsplit {
            out.push(Value::str(rest));
            return out;
        }
        match rest.find(is_py_space) {
            Some(p) => {
                out.push(Value::str(&rest[..p]));
                rest = rest[p..].trim_start_matches(is_py_space);
            }
            None => {
                out.push(Value::str(rest));
                break;
            }
        }
    }
    out
}

fn rsplit_ws(s: &str, maxsplit: i64) -> Vec<Value> {
    let mut out = Vec::new();
    let mut rest = s.trim_end_matches(is_py_space);
    while !rest.is_empty() {
        if maxsplit >= 0 && out.len() as i64 >= maxsplit {
            out.push(Value::str(rest));
            break;
        }
        match rest.rfind(is_py_space) {
            Some(p) => {
                let c = rest[p..].chars().next().unwrap();
                out.push(Value::str(&rest[p + c.len_utf8()..]));
                rest = rest[..p].trim_end_matches(is_py_space);
            }
            None => {
                out.push(Value::str(rest));
                break;
            }
        }
    }
    out.reverse();
    out
}

fn is_cased_upper(c: char) -> bool {
    c.is_uppercase()
}
fn is_cased_lower(c: char) -> bool {
    c.is_lowercase()
}
fn is_titlecase(c: char) -> bool {
    crate::unicase::is_cased(c) && !c.is_uppercase() && !c.is_lowercase()
}

/// str.istitle() as CPython's unicode_istitle_impl: an uppercase or
/// titlecase character must not follow a cased one, a lowercase one must;
/// anything else (digits, 'ª' counts as lowercase) resets the word.
fn is_title_str(s: &str) -> bool {
    let (mut cased, mut prev_cased) = (false, false);
    for c in s.chars() {
        if is_cased_upper(c) || is_titlecase(c) {
            if prev_cased {
                return false;
            }
            prev_cased = true;
            cased = true;
        } else if is_cased_lower(c) {
            if !prev_cased {
                return false;
            }
            prev_cased = true;
            cased = true;
        } else {
            prev_cased = false;
        }
    }
    cased
}

/// str.title() as CPython does it: a character after a cased one is
/// lowercased in the context of the whole string (final sigma), any other
/// is titlecased.
fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_cased = false;
    let lower = crate::unicase::lower_in_context(s);
    for (i, c) in s.chars().enumerate() {
        if prev_cased {
            out.push_str(&lower[i]);
        } else {
            crate::unicase::push_title(c, &mut out);
        }
        prev_cased = crate::unicase::is_cased(c);
    }
    out
}

fn pad_str(s: &PyStr, width: i64, fill: char, how: char) -> Value {
    let n = s.nchars as i64;
    if width <= n {
        return Value::Str(Rc::new(PyStr::new(s.s.clone())));
    }
    let marg = width - n;
    let (l, r) = match how {
        'l' => (0, marg),
        'r' => (marg, 0),
        _ => {
            let left = marg / 2 + (marg & width & 1);
            (left, marg - left)
        }
    };
    let f = |k: i64| std::iter::repeat(fill).take(k as usize).collect::<String>();
    Value::string(format!("{}{}{}", f(l), s.s, f(r)))
}

fn fill_char(v: &Option<Value>) -> PyResult<char> {
    match v {
        None => Ok(' '),
        Some(Value::Str(s)) if s.nchars == 1 => Ok(s.s.chars().next().unwrap()),
        Some(_) => Err(type_error("The fill character must be exactly one character long".into())),
    }
}

fn prefix_match(s: &str, p: &Value, f: &dyn Fn(&str, &str) -> bool, what: &str) -> PyResult<bool> {
    match p {
        Value::Str(x) => Ok(f(s, &x.s)),
        Value::Tuple(t) => {
            for x in t.iter() {
                match x {
                    Value::Str(x) => {
                        if f(s, &x.s) {
                            return Ok(true);
                        }
                    }
                    _ => return Err(type_error(format!("tuple for {} must only contain str, not {}", what, type_name(x)))),
                }
            }
            Ok(false)
        }
        _ => Err(type_error(format!("{} first arg must be str or a tuple of str, not {}", what, type_name(p)))),
    }
}

fn str_method(sv: &Value, s: &Rc<PyStr>, name: &str, args: Vec<Value>, kw: Kw) -> PyResult<Value> {
    let st = &s.s;
    macro_rules! noargs {
        () => {
            if !args.is_empty() {
                return Err(type_error(format!("str.{}() takes no arguments ({} given)", name, args.len())));
            }
        };
    }
    Ok(match name {
        "upper" => {
            noargs!();
            Value::string(st.to_uppercase())
        }
        "lower" => {
            noargs!();
            Value::string(st.to_lowercase())
        }
        "casefold" => Value::string(crate::unicase::casefold(st)),
        "swapcase" => {
            let lower = crate::unicase::lower_in_context(st);
            let mut out = String::with_capacity(st.len());
            for (i, c) in st.chars().enumerate() {
                if c.is_uppercase() {
                    out.push_str(&lower[i]);
                } else if c.is_lowercase() {
                    out.extend(c.to_uppercase());
                } else {
                    out.push(c);
                }
            }
            Value::string(out)
        }
        "title" => Value::string(title(st)),
        "capitalize" => {
            let mut cs = st.chars();
            match cs.next() {
                Some(f) => {
                    // the first character titlecased ('ß' -> "Ss"), the rest
                    // lowercased in the context of the whole string (final sigma)
                    let mut out = String::new();
                    crate::unicase::push_title(f, &mut out);
                    let lower = st.to_lowercase();
                    let skip: usize = f.to_lowercase().map(|c| c.len_utf8()).sum();
                    out.push_str(&lower[skip..]);
                    Value::string(out)
                }
                None => Value::str(""),
            }
        }
        "strip" | "lstrip" | "rstrip" => {
            let a = getargs(name, args, kw, &["chars"], 0)?;
            let r: &str = match opt_none(&a[0]) {
                None => match name {
                    "strip" => st.trim_matches(is_py_space),
                    "lstrip" => st.trim_start_matches(is_py_space),
                    _ => st.trim_end_matches(is_py_space),
                },
                Some(c) => {
                    let cs: Vec<char> = want_str(c, "")?.chars().collect();
                    let f = |c: char| cs.contains(&c);
                    match name {
                        "strip" => st.trim_matches(f),
                        "lstrip" => st.trim_start_matches(f),
                        _ => st.trim_end_matches(f),
                    }
                }
            };
            Value::str(r)
        }
        "split" | "rsplit" => {
            let a = getargs(name, args, kw, &["sep", "maxsplit"], 0)?;
            let maxsplit = match &a[1] {
                Some(v) => as_int(v)?,
                None => -1,
            };
            let parts = match opt_none(&a[0]) {
                None => {
                    if name == "split" {
                        split_ws(st, maxsplit)
                    } else {
                        rsplit_ws(st, maxsplit)
                    }
                }
                Some(sep) => {
                    let sep = want_str(sep, "")?;
                    if sep.is_empty() {
                        return Err(value_error("empty separator".into()));
                    }
                    if name == "split" {
                        if maxsplit < 0 {
                            st.split(sep).map(Value::str).collect()
                        } else {
                            st.splitn(maxsplit as usize + 1, sep).map(Value::str).collect()
                        }
                    } else {
                        let mut v: Vec<Value> = if maxsplit < 0 {
                            st.rsplit(sep).map(Value::str).collect()
                        } else {
                            st.rsplitn(maxsplit as usize + 1, sep).map(Value::str).collect()
                        };
                        v.reverse();
                        v
                    }
                }
            };
            crate::list(parts)
        }
        "splitlines" => {
            let a = getargs(name, args, kw, &["keepends"], 0)?;
            let keep = match &a[0] {
                Some(v) => ops::truthy(v)?,
                None => false,
            };
            let mut out = Vec::new();
            let cs: Vec<(usize, char)> = st.char_indices().collect();
            let mut start = 0usize;
            let mut i = 0;
            while i < cs.len() {
                let (b, c) = cs[i];
                let is_nl = matches!(c, '\n' | '\r' | '\x0b' | '\x0c' | '\x1c' | '\x1d' | '\x1e' | '\u{85}' | '\u{2028}' | '\u{2029}');
                if is_nl {
                    let mut end = b + c.len_utf8();
                    if c == '\r' && i + 1 < cs.len() && cs[i + 1].1 == '\n' {
                        end += 1;
                        i += 1;
                    }
                    out.push(Value::str(if keep { &st[start..end] } else { &st[start..b] }));
                    start = end;
                }
                i += 1;
            }
            if start < st.len() {
                out.push(Value::str(&st[start..]));
            }
            crate::list(out)
        }
        "join" => {
            if args.len() != 1 {
                return Err(type_error(format!("str.join() takes exactly one argument ({} given)", args.len())));
            }
            let items = crate::iter::collect(&args[0])?;
            let mut out = String::new();
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(st);
                }
                match x {
                    Value::Str(xs) => out.push_str(&xs.s),
                    _ => {
                        return Err(type_error(format!(
                            "sequence item {}: expected str instance, {} found",
                            i,
                            type_name(x)
                        )))
                    }
                }
            }
            Value::string(out)
        }
        "replace" => {
            let a = getargs(name, args, kw, &["old", "new", "count"], 2)?;
            let old = want_str(a[0].as_ref().unwrap(), "replace() argument 1 ")?;
            let new = want_str(a[1].as_ref().unwrap(), "replace() argument 2 ")?;
            let count = match &a[2] {
                Some(v) => as_int(v)?,
                None => -1,
            };
            if count < 0 {
                Value::string(st.replace(old, new))
            } else {
                Value::string(st.replacen(old, new, count as usize))
            }
        }
        "find" | "rfind" | "index" | "rindex" | "count" => {
            let a = getargs(name, args, kw, &["sub", "start", "end"], 1)?;
            let sub = want_str(a[0].as_ref().unwrap(), "")?;
            let (bs, be, cs) = sub_range(s, &a[1], &a[2])?;
            if bs > st.len() || (bs > be) {
                return Ok(Value::Int(if name == "count" { 0 } else { -1 }));
            }
            let hay = &st[bs..be];
            if name == "count" {
                if sub.is_empty() {
                    return Ok(Value::Int(hay.chars().count() as i64 + 1));
                }
                return Ok(Value::Int(hay.matches(sub).count() as i64));
            }
            let pos = if name.starts_with('r') { hay.rfind(sub) } else { hay.find(sub) };
            match pos {
                Some(p) => Value::Int((cs + byte_to_char(hay, p)) as i64),
                None => {
                    if name.ends_with("index") {
                        return Err(value_error("substring not found".into()));
                    }
                    Value::Int(-1)
                }
            }
        }
        "startswith" | "endswith" => {
            let a = getargs(name, args, kw, &["prefix", "start", "end"], 1)?;
            let (bs, be, _) = sub_range(s, &a[1], &a[2])?;
            let hay = if bs <= be && be <= st.len() { &st[bs..be] } else { "" };
            let f: &dyn Fn(&str, &str) -> bool = if name == "startswith" { &|h: &str, p: &str| h.starts_with(p) } else { &|h: &str, p: &str| h.ends_with(p) };
            Value::Bool(prefix_match(hay, a[0].as_ref().unwrap(), f, name)?)
        }
        "partition" | "rpartition" => {
            if args.len() != 1 {
                return Err(type_error(format!("str.{}() takes exactly one argument ({} given)", name, args.len())));
            }
            let sep = want_str(&args[0], "")?;
            if sep.is_empty() {
                return Err(value_error("empty separator".into()));
            }
            let pos = if name == "partition" { st.find(sep) } else { st.rfind(sep) };
            match pos {
                Some(p) => crate::tuple(vec![Value::str(&st[..p]), Value::str(sep), Value::str(&st[p + sep.len()..])]),
                None => {
                    if name == "partition" {
                        crate::tuple(vec![sv.clone(), Value::str(""), Value::str("")])
                    } else {
                        crate::tuple(vec![Value::str(""), Value::str(""), sv.clone()])
                    }
                }
            }
        }
        "center" | "ljust" | "rjust" => {
            let a = getargs(name, args, kw, &["width", "fillchar"], 1)?;
            let w = as_int(a[0].as_ref().unwrap())?;
            let f = fill_char(&a[1])?;
            pad_str(s, w, f, match name {
                "ljust" => 'l',
                "rjust" => 'r',
                _ => 'c',
            })
        }
        "zfill" => {
            let w = as_int(args.get(0).ok_or_else(|| type_error("zfill() takes exactly one argument (0 given)".into()))?)?;
            let n = s.nchars as i64;
            if w <= n {
                return Ok(sv.clone());
            }
            let zeros = "0".repeat((w - n) as usize);
            if st.starts_with('+') || st.starts_with('-') {
                Value::string(format!("{}{}{}", &st[..1], zeros, &st[1..]))
            } else {
                Value::string(format!("{}{}", zeros, st))
            }
        }
        "expandtabs" => {
            let a = getargs(name, args, kw, &["tabsize"], 0)?;
            let ts = match &a[0] {
                Some(v) => as_int(v)?,
                None => 8,
            };
            let mut out = String::new();
            let mut col = 0i64;
            for c in st.chars() {
                match c {
                    '\t' => {
                        if ts > 0 {
                            let n = ts - col % ts;
                            out.push_str(&" ".repeat(n as usize));
                            col += n;
                        }
                    }
                    '\n' | '\r' => {
                        out.push(c);
                        col = 0;
                    }
                    _ => {
                        out.push(c);
                        col += 1;
                    }
                }
            }
            Value::string(out)
        }
        "removeprefix" => {
            let p = want_str(&args[0], "")?;
            Value::str(st.strip_prefix(p).unwrap_or(st))
        }
        "removesuffix" => {
            let p = want_str(&args[0], "")?;
            Value::str(if p.is_empty() { st } else { st.strip_suffix(p).unwrap_or(st) })
        }
        "isdigit" | "isdecimal" | "isnumeric" => Value::Bool(!st.is_empty() && st.chars().all(|c| c.is_numeric() && (name == "isnumeric" || c.to_digit(10).is_some() || (name == "isdigit" && matches!(c, '²' | '³' | '¹'))))),
        "isalpha" => Value::Bool(!st.is_empty() && st.chars().all(|c| c.is_alphabetic())),
        "isalnum" => Value::Bool(!st.is_empty() && st.chars().all(|c| c.is_alphanumeric())),
        "isspace" => Value::Bool(!st.is_empty() && st.chars().all(is_py_space)),
        "isascii" => Value::Bool(st.is_ascii()),
        "isupper" => Value::Bool(st.chars().any(is_cased_upper) && !st.chars().any(|c| is_cased_lower(c) || is_titlecase(c))),
        "islower" => Value::Bool(st.chars().any(is_cased_lower) && !st.chars().any(|c| is_cased_upper(c) || is_titlecase(c))),
        "istitle" => Value::Bool(is_title_str(st)),
        "isidentifier" => {
            let mut cs = st.chars();
            Value::Bool(match cs.next() {
                Some(c) => (c.is_alphabetic() || c == '_') && cs.all(|c| c.is_alphanumeric() || c == '_'),
                None => false,
            })
        }
        "isprintable" => Value::Bool(st.chars().all(|c| c == ' ' || ops::is_printable(c))),
        "format" => Value::string(crate::format::str_format(st, &args, &kw)?),
        "format_map" => {
            let m = &args[0];
            let mut kws = Kw::new();
            for k in crate::iter::collect(m)? {
                let v = crate::attr::getitem(m, &k)?;
                kws.push((ops::to_str(&k)?, v));
            }
            Value::string(crate::format::str_format(st, &[], &kws)?)
        }
        "encode" => crate::ext::bytesx::encode(st, &args, &kw)?,
        "translate" => {
            let table = &args[0];
            let mut out = String::new();
            for c in st.chars() {
                match crate::attr::getitem(table, &Value::Int(c as i64)) {
                    Ok(Value::None) => {}
                    Ok(Value::Str(r)) => out.push_str(&r.s),
                    Ok(Value::Int(i)) => out.push(char::from_u32(i as u32).unwrap_or(c)),
                    Ok(_) => return Err(type_error("character mapping must return integer, None or str".into())),
                    Err(e) => {
                        if exc_is(&e, "LookupError") {
                            out.push(c)
                        } else {
                            return Err(e);
                        }
                    }
                }
            }
            Value::string(out)
        }
        "maketrans" => {
            let mut d = Vec::new();
            if args.len() == 1 {
                if let Value::Dict(dd) = &args[0] {
                    for (k, v) in dd.borrow().items() {
                        let k = match &k {
                            Value::Str(ks) => Value::Int(ks.s.chars().next().unwrap() as i64),
                            _ => k.clone(),
                        };
                        d.push((k, v));
                    }
                }
            } else {
                let a = want_str(&args[0], "")?;
                let b = want_str(&args[1], "")?;
                if a.chars().count() != b.chars().count() {
                    return Err(value_error("the first two maketrans arguments must have equal length".into()));
                }
                for (x, y) in a.chars().zip(b.chars()) {
                    d.push((Value::Int(x as i64), Value::Int(y as i64)));
                }
                if let Some(z) = args.get(2) {
                    for x in want_str(z, "")?.chars() {
                        d.push((Value::Int(x as i64), Value::None));
                    }
                }
            }
            crate::dict(d)?
        }
        _ => return dunder_method(sv, name, args, kw),
    })
}

pub fn sort_values(items: &mut Vec<Value>, key: Option<&Value>, reverse: bool) -> PyResult<()> {
    let mut err: Option<PyErr> = None;
    match key {
        None => {
            items.sort_by(|a, b| {
                if err.is_some() {
                    return std::cmp::Ordering::Greater;
                }
                let (x, y) = if reverse { (b, a) } else { (a, b) };
                let r = match (x, y) {
                    (Value::Int(p), Value::Int(q)) => Ok(p < q),
                    (Value::Str(p), Value::Str(q)) => Ok(p.s < q.s),
                    _ => ops::lt_bool(x, y),
                };
                match r {
                    Ok(true) => std::cmp::Ordering::Less,
                    Ok(false) => std::cmp::Ordering::Greater,
                    Err(e) => {
                        err = Some(e);
                        std::cmp::Ordering::Greater
                    }
                }
            });
        }
        Some(k) => {
            let mut keyed = Vec::with_capacity(items.len());
            for x in items.drain(..) {
                let kv = crate::call::call(k, vec![x.clone()], vec![])?;
                keyed.push((kv, x));
            }
            keyed.sort_by(|a, b| {
                if err.is_some() {
                    return std::cmp::Ordering::Greater;
                }
                let (x, y) = if reverse { (&b.0, &a.0) } else { (&a.0, &b.0) };
                match ops::lt_bool(x, y) {
                    Ok(true) => std::cmp::Ordering::Less,
                    Ok(false) => std::cmp::Ordering::Greater,
                    Err(e) => {
                        err = Some(e);
                        std::cmp::Ordering::Greater
                    }
                }
            });
            items.extend(keyed.into_iter().map(|(_, x)| x));
        }
    }
    match err {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn seq_index(items: &[Value], x: &Value, start: &Option<Value>, end: &Option<Value>) -> PyResult<Option<usize>> {
    let n = items.len() as i64;
    let fix = |v: &Option<Value>, d: i64| -> PyResult<i64> {
        match opt_none(v) {
            None => Ok(d),
            Some(v) => {
                let mut i = as_int(v)?;
                if i < 0 {
                    i = (i + n).max(0);
                }
                Ok(i.min(n))
            }
        }
    };
    let (s, e) = (fix(start, 0)?, fix(end, n)?);
    for i in s..e.max(s) {
        let it = &items[i as usize];
        if ops::is(it, x) || ops::eq_bool(it, x)? {
            return Ok(Some(i as usize));
        }
    }
    Ok(None)
}

fn list_method(lv: &Value, l: &Rc<RefCell<Vec<Value>>>, name: &str, args: Vec<Value>, kw: Kw) -> PyResult<Value> {
    let nargs = |n: usize| -> PyResult<()> {
        if args.len() != n {
            return Err(type_error(format!("list.{}() takes exactly one argument ({} given)", name, args.len())));
        }
        Ok(())
    };
    Ok(match name {
        "append" => {
            nargs(1)?;
            l.borrow_mut().push(args.into_iter().next().unwrap());
            Value::None
        }
        "extend" => {
            nargs(1)?;
            let items = crate::iter::collect(&args[0])?;
            l.borrow_mut().extend(items);
            Value::None
        }
        "insert" => {
            if args.len() != 2 {
                return Err(type_error(format!("insert expected 2 arguments, got {}", args.len())));
            }
            let mut l = l.borrow_mut();
            let n = l.len() as i64;
            let mut i = as_int(&args[0])?;
            if i < 0 {
                i = (i + n).max(0);
            }
            let i = i.min(n) as usize;
            l.insert(i, args[1].clone());
            Value::None
        }
        "pop" => {
            let mut l = l.borrow_mut();
            if l.is_empty() {
                return Err(new_exc("IndexError", "pop from empty list"));
            }
            let n = l.len() as i64;
            let i = match args.get(0) {
                Some(v) => as_int(v)?,
                None => -1,
            };
            let j = if i < 0 { i + n } else { i };
            if j < 0 || j >= n {
                return Err(new_exc("IndexError", "pop index out of range"));
            }
            l.remove(j as usize)
        }
        "remove" => {
            nargs(1)?;
            let items = l.borrow().clone();
            match seq_index(&items, &args[0], &None, &None)? {
                Some(i) => {
                    l.borrow_mut().remove(i);
                    Value::None
                }
                None => return Err(value_error("list.remove(x): x not in list".into())),
            }
        }
        "index" => {
            let a = getargs("index", args, kw, &["value", "start", "stop"], 1)?;
            let items = l.borrow().clone();
            match seq_index(&items, a[0].as_ref().unwrap(), &a[1], &a[2])? {
                Some(i) => Value::Int(i as i64),
                None => return Err(value_error(format!("{} is not in list", ops::repr(a[0].as_ref().unwrap())?))),
            }
        }
        "count" => {
            nargs(1)?;
            let items = l.borrow().clone();
            let mut c = 0;
            for x in items.iter() {
                if ops::is(x, &args[0]) || ops::eq_bool(x, &args[0])? {
                    c += 1;
                }
            }
            Value::Int(c)
        }
        "sort" => {
            if !args.is_empty() {
                return Err(type_error("sort() takes no positional arguments".into()));
            }
            let a = getargs("sort", vec![], kw, &["key", "reverse"], 0)?;
            let reverse = match &a[1] {
                Some(v) => ops::truthy(v)?,
                None => false,
            };
            let mut items = std::mem::take(&mut *l.borrow_mut());
            let r = sort_values(&mut items, opt_none(&a[0]), reverse);
            *l.borrow_mut() = items;
            r?;
            Value::None
        }
        "reverse" => {
            l.borrow_mut().reverse();
            Value::None
        }
        "copy" => crate::list(l.borrow().clone()),
        "clear" => {
            l.borrow_mut().clear();
            Value::None
        }
        _ => return dunder_method(lv, name, args, kw),
    })
}

// ---------------------------------------------------------------- dict helpers

pub fn dict_get(d: &Value, key: &Value) -> PyResult<Option<Value>> {
    match d {
        Value::Dict(dd) => {
            let h = ops::hash(key)?;
            let ix = dd.borrow().find(key, h)?;
            Ok(ix.map(|i| dd.borrow().entries[i].as_ref().unwrap().1.clone()))
        }
        _ => {
            if let Some(p) = as_inst(d).map(|i| i.payload.borrow().clone()) {
                if let Value::Dict(_) = p {
                    return dict_get(&p, key);
                }
            }
            match crate::attr::getitem(d, key) {
                Ok(v) => Ok(Some(v)),
                Err(e) => {
                    if exc_is(&e, "KeyError") {
                        Ok(None)
                    } else {
                        Err(e)
                    }
                }
            }
        }
    }
}

pub fn dict_set(d: &Value, key: Value, v: Value) -> PyResult<()> {
    if let Value::Dict(dd) = d {
        let h = ops::hash(&key)?;
        let ix = dd.borrow().find(&key, h)?;
        match ix {
            Some(i) => dd.borrow_mut().entries[i].as_mut().unwrap().1 = v,
            None => dd.borrow_mut().push_new(key, v, h),
        }
        return Ok(());
    }
    crate::attr::setitem(d, &key, v)
}

pub fn dict_pop(d: &Value, key: &Value) -> PyResult<Option<Value>> {
    if let Value::Dict(dd) = d {
        let h = ops::hash(key)?;
        let ix = dd.borrow().find(key, h)?;
        return Ok(ix.map(|i| dd.borrow_mut().remove_at(i).1));
    }
    Ok(None)
}

pub fn dict_update(d: &Value, other: &Value) -> PyResult<()> {
    match other {
        Value::Dict(o) => {
            let items = o.borrow().items();
            for (k, v) in items {
                dict_set(d, k, v)?;
            }
        }
        _ => {
            if crate::attr::hasattr(other, "keys")? {
                let keys = crate::iter::collect(&crate::call::call_method(other, "keys", vec![], vec![])?)?;
                for k in keys {
                    let v = crate::attr::getitem(other, &k)?;
                    dict_set(d, k, v)?;
                }
                return Ok(());
            }
            let items = crate::iter::collect(other)?;
            for (i, it) in items.iter().enumerate() {
                let kv = crate::iter::collect(it).map_err(|_| {
                    type_error(format!("cannot convert dictionary update sequence element #{} to a sequence", i))
                })?;
                if kv.len() != 2 {
                    return Err(value_error(format!(
                        "dictionary update sequence element #{} has length {}; 2 is required",
                        i,
                        kv.len()
                    )));
                }
                dict_set(d, kv[0].clone(), kv[1].clone())?;
            }
        }
    }
    Ok(())
}

fn dict_method(dv: &Value, d: &Rc<RefCell<Dict>>, name: &str, args: Vec<Value>, kw: Kw) -> PyResult<Value> {
    Ok(match name {
        "get" => {
            if args.is_empty() || args.len() > 2 {
                return Err(type_error(format!("get expected at least 1 argument, got {}", args.len())));
            }
            dict_get(dv, &args[0])?.unwrap_or_else(|| args.get(1).cloned().unwrap_or(Value::None))
        }
        "setdefault" => {
            let dflt = args.get(1).cloned().unwrap_or(Value::None);
            match dict_get(dv, &args[0])? {
                Some(v) => v,
                None => {
                    dict_set(dv, args[0].clone(), dflt.clone())?;
                    dflt
                }
            }
        }
        "pop" => {
            if args.is_empty() {
                return Err(type_error("pop expected at least 1 argument, got 0".into()));
            }
            match dict_pop(dv, &args[0])? {
                Some(v) => v,
                None => match args.get(1) {
                    Some(x) => x.clone(),
                    None => return Err(new_exc_args("KeyError", vec![args[0].clone()])),
                },
            }
        }
        "popitem" => {
            let last = d.borrow().entries.iter().rposition(|e| e.is_some());
            match last {
                Some(i) => {
                    let (k, v) = d.borrow_mut().remove_at(i);
                    crate::tuple(vec![k, v])
                }
                None => return Err(new_exc("KeyError", "popitem(): dictionary is empty")),
            }
        }
        "update" => {
            if let Some(o) = args.get(0) {
                dict_update(dv, o)?;
            }
            for (k, v) in kw {
                dict_set(dv, Value::string(k), v)?;
            }
            Value::None
        }
        "keys" => Value::obj(Obj::DictView(dv.clone(), 0)),
        "values" => Value::obj(Obj::DictView(dv.clone(), 1)),
        "items" => Value::obj(Obj::DictView(dv.clone(), 2)),
        "copy" => Value::Dict(Rc::new(RefCell::new(d.borrow().clone()))),
        "clear" => {
            d.borrow_mut().clear();
            Value::None
        }
        "fromkeys" => {
            let v = args.get(1).cloned().unwrap_or(Value::None);
            let nd = Value::Dict(Rc::new(RefCell::new(Dict::new())));
            for k in crate::iter::collect(&args[0])? {
                dict_set(&nd, k, v.clone())?;
            }
            nd
        }
        _ => return dunder_method(dv, name, args, kw),
    })
}

// ---------------------------------------------------------------- sets

fn set_of(v: &Value) -> Option<&Rc<RefCell<Set>>> {
    match v {
        Value::Set(s) | Value::FrozenSet(s) => Some(s),
        _ => None,
    }
}

fn to_set(v: &Value) -> PyResult<Set> {
    match set_of(v) {
        Some(s) => Ok(s.borrow().clone()),
        None => {
            let mut s = Set::new();
            for x in crate::iter::collect(v)? {
                let h = ops::hash(&x)?;
                s.add(x, h)?;
            }
            Ok(s)
        }
    }
}

fn wrap_like(a: &Value, s: Set) -> Value {
    match a {
        Value::FrozenSet(_) => Value::FrozenSet(Rc::new(RefCell::new(s))),
        _ => Value::Set(Rc::new(RefCell::new(s))),
    }
}

/// make_new_set / set_copy: merge into an empty table (not a verbatim copy).
pub fn set_copy(a: &Set) -> PyResult<Set> {
    let mut r = Set::new();
    r.merge(a)?;
    Ok(r)
}

fn set_union(a: &Set, b: &Set) -> PyResult<Set> {
    let mut r = set_copy(a)?;
    r.merge(b)?;
    Ok(r)
}

fn set_inter(a: &Set, b: &Set) -> PyResult<Set> {
    // CPython iterates over `b` unless it is strictly larger than `a`
    let (small, large) = if b.len() > a.len() { (a, b) } else { (b, a) };
    let mut r = Set::new();
    for (k, h) in small.entries() {
        if large.find(&k, h)?.is_some() {
            r.add(k, h)?;
        }
    }
    Ok(r)
}

fn set_discard_all(r: &mut Set, b: &Set) -> PyResult<()> {
    for (k, h) in b.entries() {
        if let Some(i) = r.find(&k, h)? {
            r.remove_at(i);
        }
    }
    Ok(())
}

fn set_diff(a: &Set, b: &Set) -> PyResult<Set> {
    if (a.len() >> 2) > b.len() {
        let mut r = set_copy(a)?;
        set_discard_all(&mut r, b)?;
        return Ok(r);
    }
    let mut r = Set::new();
    for (k, h) in a.entries() {
        if b.find(&k, h)?.is_none() {
            r.add(k, h)?;
        }
    }
    Ok(r)
}

fn set_toggle(r: &mut Set, b: &Set) -> PyResult<()> {
    for (k, h) in b.entries() {
        match r.find(&k, h)? {
            Some(i) => {
                r.remove_at(i);
            }
            None => {
                r.add(k, h)?;
            }
        }
    }
    Ok(())
}

fn set_symdiff(a: &Set, b: &Set) -> PyResult<Set> {
    let mut r = set_copy(b)?;
    set_toggle(&mut r, a)?;
    Ok(r)
}

pub fn set_binop(op: ops::Op, a: &Value, b: &Value) -> PyResult<Option<Value>> {
    if set_of(b).is_none() {
        return Ok(None);
    }
    let (x, y) = (set_of(a).unwrap().borrow().clone(), set_of(b).unwrap().borrow().clone());
    let r = match op {
        ops::Op::Or => set_union(&x, &y)?,
        ops::Op::And => set_inter(&x, &y)?,
        ops::Op::Sub => set_diff(&x, &y)?,
        ops::Op::Xor => set_symdiff(&x, &y)?,
        _ => return Ok(None),
    };
    Ok(Some(wrap_like(a, r)))
}

pub fn set_inplace(op: ops::Op, a: &Value, b: &Value) -> PyResult<()> {
    let s = set_of(a).unwrap();
    let y = to_set(b)?;
    let x = s.borrow().clone();
    let r = match op {
        ops::Op::Or => {
            let mut r = x;
            r.merge(&y)?;
            r
        }
        ops::Op::And => set_inter(&x, &y)?,
        ops::Op::Sub => {
            let mut r = x;
            set_discard_all(&mut r, &y)?;
            r
        }
        _ => {
            let mut r = x;
            set_toggle(&mut r, &y)?;
            r
        }
    };
    *s.borrow_mut() = r;
    Ok(())
}

pub fn set_issubset(a: &Value, b: &Value) -> PyResult<bool> {
    let x = to_set(a)?;
    let y = to_set(b)?;
    for (k, h) in x.entries() {
        if y.find(&k, h)?.is_none() {
            return Ok(false);
        }
    }
    Ok(true)
}

fn set_method(sv: &Value, s: &Rc<RefCell<Set>>, name: &str, args: Vec<Value>, kw: Kw) -> PyResult<Value> {
    Ok(match name {
        "add" => {
            let h = ops::hash(&args[0])?;
            s.borrow_mut().add(args[0].clone(), h)?;
            Value::None
        }
        "remove" | "discard" => {
            let h = ops::hash(&args[0])?;
            let ix = s.borrow().find(&args[0], h)?;
            match ix {
                Some(i) => {
                    s.borrow_mut().remove_at(i);
                }
                None => {
                    if name == "remove" {
                        return Err(new_exc_args("KeyError", vec![args[0].clone()]));
                    }
                }
            }
            Value::None
        }
        "pop" => {
            let first = s.borrow().table.iter().position(|e| e.key.is_some());
            match first {
                Some(i) => s.borrow_mut().remove_at(i),
                None => return Err(new_exc("KeyError", "pop from an empty set")),
            }
        }
        "clear" => {
            s.borrow_mut().clear();
            Value::None
        }
        "copy" => wrap_like(sv, set_copy(&s.borrow())?),
        "union" | "intersection" | "difference" | "symmetric_difference" => {
            let mut acc = set_copy(&s.borrow())?;
            for a in args.iter() {
                let o = to_set(a)?;
                acc = match name {
                    "union" => set_union(&acc, &o)?,
                    "intersection" => set_inter(&acc, &o)?,
                    "difference" => set_diff(&acc, &o)?,
                    _ => set_symdiff(&acc, &o)?,
                };
            }
            wrap_like(sv, acc)
        }
        "update" | "intersection_update" | "difference_update" | "symmetric_difference_update" => {
            let op = match name {
                "update" => ops::Op::Or,
                "intersection_update" => ops::Op::And,
                "difference_update" => ops::Op::Sub,
                _ => ops::Op::Xor,
            };
            for a in args.iter() {
                set_inplace(op, sv, a)?;
            }
            Value::None
        }
        "issubset" => Value::Bool(set_issubset(sv, &args[0])?),
        "issuperset" => Value::Bool(set_issubset(&args[0], sv)?),
        "isdisjoint" => {
            let o = to_set(&args[0])?;
            Value::Bool(set_inter(&s.borrow().clone(), &o)?.len() == 0)
        }
        _ => return dunder_method(sv, name, args, kw),
    })
}

fn int_method(v: &Value, name: &str, args: Vec<Value>, kw: Kw) -> PyResult<Value> {
    let b = ops::to_big(v).unwrap_or_else(crate::bigint::BigInt::zero);
    Ok(match name {
        "bit_length" => Value::Int(b.bit_length() as i64),
        "bit_count" => Value::Int(b.mag.iter().map(|x| x.count_ones() as i64).sum()),
        "conjugate" => ops::pos(v)?,
        "as_integer_ratio" => crate::tuple(vec![ops::pos(v)?, Value::Int(1)]),
        "is_integer" => Value::Bool(true),
        "to_bytes" => {
            let a = getargs("to_bytes", args, kw, &["length", "byteorder", "signed"], 0)?;
            let len = match &a[0] {
                Some(x) => as_int(x)? as usize,
                None => 1,
            };
            let little = match &a[1] {
                Some(Value::Str(s)) => s.s == "little",
                _ => false,
            };
            let signed = match &a[2] {
                Some(x) => ops::truthy(x)?,
                None => false,
            };
            if b.neg && !signed {
                return Err(new_exc("OverflowError", "can't convert negative int to unsigned"));
            }
            let m = if b.neg { b.add(&crate::bigint::BigInt::from_i64(1).shl(len * 8)) } else { b.clone() };
            let mut bytes = Vec::new();
            let mut cur = m;
            for _ in 0..len {
                let (q, r) = cur.divmod(&crate::bigint::BigInt::from_i64(256));
                bytes.push(r.to_i64().unwrap() as u8);
                cur = q;
            }
            if !cur.is_zero() {
                return Err(new_exc("OverflowError", "int too big to convert"));
            }
            if !little {
                bytes.reverse();
            }
            Value::Bytes(Rc::new(bytes))
        }
        "from_bytes" => {
            let a = getargs("from_bytes", args, kw, &["bytes", "byteorder", "signed"], 1)?;
            let mut bytes: Vec<u8> = crate::iter::collect(a[0].as_ref().unwrap())?.iter().map(|x| x.as_i64().unwrap_or(0) as u8).collect();
            let little = match &a[1] {
                Some(Value::Str(s)) => s.s == "little",
                _ => false,
            };
            let signed = match &a[2] {
                Some(x) => ops::truthy(x)?,
                None => false,
            };
            if little {
                bytes.reverse();
            }
            let mut r = crate::bigint::BigInt::zero();
            for x in bytes.iter() {
                r = r.shl(8).add(&crate::bigint::BigInt::from_i64(*x as i64));
            }
            if signed && !bytes.is_empty() && bytes[0] & 0x80 != 0 {
                r = r.sub(&crate::bigint::BigInt::from_i64(1).shl(bytes.len() * 8));
            }
            ops::int_from_big(r)
        }
        _ => return dunder_method(v, name, args, kw),
    })
}

fn float_method(v: &Value, f: f64, name: &str, args: Vec<Value>, kw: Kw) -> PyResult<Value> {
    Ok(match name {
        "is_integer" => Value::Bool(f.is_finite() && f.fract() == 0.0),
        "conjugate" => v.clone(),
        "as_integer_ratio" => {
            if f.is_infinite() {
                return Err(new_exc("OverflowError", "cannot convert Infinity to integer ratio"));
            }
            if f.is_nan() {
                return Err(value_error("cannot convert NaN to integer ratio".into()));
            }
            let (m, e) = ops::frexp(f);
            let mut m = m;
            let mut e = e;
            let mut i = 0;
            while m.fract() != 0.0 && i < 300 {
                m *= 2.0;
                e -= 1;
                i += 1;
            }
            let num = crate::bigint::BigInt::from_f64(m);
            let (n, d) = if e >= 0 {
                (num.shl(e as usize), crate::bigint::BigInt::from_i64(1))
            } else {
                (num, crate::bigint::BigInt::from_i64(1).shl((-e) as usize))
            };
            crate::tuple(vec![ops::int_from_big(n), ops::int_from_big(d)])
        }
        "hex" => {
            if f == 0.0 {
                return Ok(Value::str(if f.is_sign_negative() { "-0x0.0p+0" } else { "0x0.0p+0" }));
            }
            let bits = f.to_bits();
            let exp = ((bits >> 52) & 0x7ff) as i64;
            let frac = bits & ((1u64 << 52) - 1);
            let sign = if f < 0.0 { "-" } else { "" };
            let (lead, e) = if exp == 0 { (0, -1022) } else { (1, exp - 1023) };
            let h = format!("{:013x}", frac);
            Value::string(format!("{}0x{}.{}p{}{}", sign, lead, h, if e >= 0 { "+" } else { "" }, e))
        }
        _ => return dunder_method(v, name, args, kw),
    })
}

fn bytes_method(v: &Value, b: &Rc<Vec<u8>>, name: &str, args: Vec<Value>, kw: Kw) -> PyResult<Value> {
    if let Some(r) = crate::ext::bytesx::method(b, name, &args, &kw) {
        return r;
    }
    Ok(match name {
        "decode" => match String::from_utf8(b.to_vec()) {
            Ok(s) => Value::string(s),
            Err(_) => return Err(new_exc("UnicodeDecodeError", "'utf-8' codec can't decode bytes")),
        },
        "hex" => Value::string(b.iter().map(|x| format!("{:02x}", x)).collect()),
        "upper" => Value::Bytes(Rc::new(b.to_ascii_uppercase())),
        "lower" => Value::Bytes(Rc::new(b.to_ascii_lowercase())),
        "join" => {
            let items = crate::collect(args.get(0).unwrap_or(&Value::None))?;
            let mut out = Vec::new();
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(b);
                }
                match crate::ext::bytesx::bytes_like(it) {
                    Some(x) => out.extend_from_slice(&x),
                    None => {
                        return Err(type_error(format!(
                            "sequence item {}: expected a bytes-like object, {} found",
                            i,
                            type_name(it)
                        )))
                    }
                }
            }
            Value::Bytes(Rc::new(out))
        }
        _ => {
            // delegate the rest through latin-1 text
            let s: String = b.iter().map(|&x| x as char).collect();
            let sv = Value::string(s);
            let conv: Vec<Value> = args
                .iter()
                .map(|a| match a {
                    Value::Bytes(x) => Value::string(x.iter().map(|&c| c as char).collect()),
                    _ => a.clone(),
                })
                .collect();
            let r = call_builtin_method(&sv, name, conv, kw)?;
            let back = |x: &Value| -> Value {
                match x {
                    Value::Str(s) => Value::Bytes(Rc::new(s.s.chars().map(|c| c as u8).collect())),
                    _ => x.clone(),
                }
            };
            match &r {
                Value::Str(_) => back(&r),
                Value::List(l) => crate::list(l.borrow().iter().map(back).collect()),
                Value::Tuple(t) => crate::tuple(t.iter().map(back).collect()),
                _ => {
                    let _ = v;
                    r
                }
            }
        }
    })
}

/// Dunder methods of builtin values, called explicitly (`x.__len__()`).
fn dunder_method(v: &Value, name: &str, args: Vec<Value>, _kw: Kw) -> PyResult<Value> {
    let a0 = || args.get(0).cloned().ok_or_else(|| type_error(format!("expected 1 argument, got 0")));
    if let Some((op, refl)) = dunder_op(name) {
        let o = a0()?;
        if ops::is_int(v) && matches!(o, Value::Float(_)) {
            return Ok(Value::not_implemented());
        }
        let r = if refl { ops::binop(op, &o, v) } else { ops::binop(op, v, &o) };
        return match r {
            Ok(x) => Ok(x),
            Err(e) if exc_is(&e, "TypeError") && e.value().as_str().is_none() && crate::ops::to_str(&e.value()).map(|m| m.starts_with("unsupported operand")).unwrap_or(false) => Ok(Value::not_implemented()),
            Err(e) => Err(e),
        };
    }
    Ok(match name {
        "__neg__" => ops::neg(v)?,
        "__pos__" => ops::pos(v)?,
        "__abs__" => ops::abs(v)?,
        "__invert__" => ops::invert(v)?,
        "__int__" | "__index__" => crate::builtins::to_int(v, None)?,
        "__float__" => Value::Float(crate::builtins::to_float(v)?),
        "__round__" => crate::builtins::round(v, args.get(0))?,
        "__divmod__" => crate::builtins::divmod(v, &a0()?)?,
        "__len__" => Value::Int(crate::builtins::len(v)? as i64),
        "__getitem__" => crate::attr::getitem(v, &a0()?)?,
        "__setitem__" => {
            crate::attr::setitem(v, &a0()?, args.get(1).cloned().unwrap_or(Value::None))?;
            Value::None
        }
        "__delitem__" => {
            crate::attr::delitem(v, &a0()?)?;
            Value::None
        }
        "__contains__" => Value::Bool(ops::contains(v, &a0()?)?),
        "__iter__" => crate::iter::iter(v)?,
        "__next__" => match crate::iter::next(v)? {
            Some(x) => x,
            None => return Err(new_exc_args("StopIteration", vec![])),
        },
        "__repr__" => Value::string(ops::repr(v)?),
        "__str__" => Value::string(ops::to_str(v)?),
        "__hash__" => Value::Int(ops::hash(v)?),
        "__bool__" => Value::Bool(ops::truthy(v)?),
        "__format__" => Value::string(crate::format::format(v, &ops::to_str(&a0()?)?)?),
        "__eq__" => ops::eq(v, &a0()?)?,
        "__ne__" => ops::ne(v, &a0()?)?,
        "__lt__" => ops::lt(v, &a0()?)?,
        "__le__" => ops::le(v, &a0()?)?,
        "__gt__" => ops::gt(v, &a0()?)?,
        "__ge__" => ops::ge(v, &a0()?)?,
        "__reversed__" => crate::builtins::reversed(v)?,
        "__init__" => Value::None,
        _ => return Err(new_exc("AttributeError", &format!("'{}' object has no attribute '{}'", type_name(v), name))),
    })
}

/// Calls method `name` of a builtin value.
pub fn call_builtin_method(obj: &Value, name: &str, args: Vec<Value>, kw: Kw) -> PyResult<Value> {
    match obj {
        Value::Str(s) => str_method(obj, s, name, args, kw),
        Value::List(l) => list_method(obj, l, name, args, kw),
        Value::Dict(d) => dict_method(obj, d, name, args, kw),
        Value::Set(s) => set_method(obj, s, name, args, kw),
        Value::FrozenSet(s) => {
            if method_name(obj, name).is_none() {
                return Err(new_exc("AttributeError", &format!("'frozenset' object has no attribute '{}'", name)));
            }
            set_method(obj, s, name, args, kw)
        }
        Value::Tuple(t) => match name {
            "count" => {
                let mut c = 0;
                for x in t.iter() {
                    if ops::is(x, &args[0]) || ops::eq_bool(x, &args[0])? {
                        c += 1;
                    }
                }
                Ok(Value::Int(c))
            }
            "index" => {
                let a = getargs("index", args, kw, &["value", "start", "stop"], 1)?;
                match seq_index(t, a[0].as_ref().unwrap(), &a[1], &a[2])? {
                    Some(i) => Ok(Value::Int(i as i64)),
                    None => Err(value_error("tuple.index(x): x not in tuple".into())),
                }
            }
            _ => dunder_method(obj, name, args, kw),
        },
        Value::Int(_) | Value::Big(_) | Value::Bool(_) => int_method(obj, name, args, kw),
        Value::Float(f) => float_method(obj, *f, name, args, kw),
        Value::Bytes(b) => bytes_method(obj, b, name, args, kw),
        Value::Obj(o) => match &**o {
            Obj::Gen(g) if g.kind == crate::gen::KIND_AGEN => match crate::gen::agen_method(obj, name, &args) {
                Some(r) => r,
                None => dunder_method(obj, name, args, kw),
            },
            Obj::Gen(_) => match name {
                "send" => crate::gen::send(obj, args.get(0).cloned().unwrap_or(Value::None)),
                "throw" => crate::gen::throw(obj, args.get(0).cloned().unwrap_or(Value::None)),
                "close" => crate::gen::close(obj),
                _ => dunder_method(obj, name, args, kw),
            },
            Obj::Func(_) | Obj::Native(_) | Obj::Method(..) | Obj::BMethod(..) if name == "__call__" => crate::call::call(obj, args, kw),
            Obj::Inst(_) | Obj::Module(_) | Obj::Class(_) | Obj::Super(..) => {
                let m = crate::attr::getattr(obj, name)?;
                crate::call::call(&m, args, kw)
            }
            _ => {
                if method_name(obj, name).is_some() {
                    return dunder_method(obj, name, args, kw);
                }
                let m = crate::attr::getattr(obj, name)?;
                crate::call::call(&m, args, kw)
            }
        },
        Value::None => {
            if DUNDER_M.contains(&name) {
                return dunder_method(obj, name, args, kw);
            }
            Err(new_exc("AttributeError", &format!("'NoneType' object has no attribute '{}'", name)))
        }
    }
}
