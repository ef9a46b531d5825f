//! `pprint`: pformat, pprint, pp, saferepr, isreadable, isrecursive and
//! PrettyPrinter, as CPython 3.11's pprint.py lays things out.
//!
//! The algorithm is pprint.py's, function for function: `format_obj` is
//! `_format` (write the one-line `safe_repr` when it fits in what is left
//! of the width, else dispatch on the type), the `pp_*` functions are the
//! `_pprint_*` dispatchers for dict, list, tuple, set/frozenset, str (split
//! at whitespace into adjacent literals), bytes/bytearray (4-byte chunks),
//! OrderedDict, Counter, defaultdict and deque, and `items` is
//! `_format_items` with its compact mode.  Dicts are sorted by key unless
//! sort_dicts=False, sets always, with pprint's fallback for keys that do
//! not compare (type name order).  Recursive containers print
//! `<Recursion on list with id=...>`, depth-limited ones `[...]`.
//! Dataclass instances are written with their repr (CPython 3.11 wraps
//! them field by field).

use super::{meth, nat};
use crate::object::*;
use crate::value::*;

#[derive(Clone)]
struct PP {
    indent: usize,
    width: usize,
    depth: usize,
    compact: bool,
    sort_dicts: bool,
    underscore: bool,
}

impl Default for PP {
    fn default() -> PP {
        PP { indent: 1, width: 80, depth: 0, compact: false, sort_dicts: true, underscore: false }
    }
}

fn clen(s: &str) -> usize {
    s.chars().count()
}

fn repr(v: &Value) -> PyResult<String> {
    crate::ops::repr(v)
}

/// Sorts like `sorted(xs, key=_safe_key)`: by `<`, falling back to the
/// type names for values that do not compare.
fn safe_sort(xs: &mut Vec<(Value, Value)>) {
    let err: std::cell::RefCell<Option<PyErr>> = std::cell::RefCell::new(None);
    xs.sort_by(|a, b| {
        let lt = |x: &Value, y: &Value| -> bool {
            match crate::ops::lt_bool(x, y) {
                Ok(r) => r,
                Err(e) => {
                    let _ = e;
                    let (tx, ty) = (type_name(x), type_name(y));
                    tx < ty
                }
            }
        };
        if lt(&a.0, &b.0) {
            std::cmp::Ordering::Less
        } else if lt(&b.0, &a.0) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    });
    let _ = err;
}

fn dict_items(v: &Value) -> Vec<(Value, Value)> {
    match v {
        Value::Dict(d) => d.borrow().items(),
        _ => vec![],
    }
}

/// Which pprint dispatcher a value has (by its exact type's __repr__).
#[derive(PartialEq, Clone, Copy)]
enum K {
    Dict,
    List,
    Tuple,
    Set,
    FrozenSet,
    Str,
    Bytes,
    ByteArray,
    OrderedDict,
    Counter,
    DefaultDict,
    Deque,
}

fn kind(v: &Value) -> Option<K> {
    Some(match v {
        Value::Dict(_) => K::Dict,
        Value::List(_) => K::List,
        Value::Tuple(_) => K::Tuple,
        Value::Set(_) => K::Set,
        Value::FrozenSet(_) => K::FrozenSet,
        Value::Str(_) => K::Str,
        Value::Bytes(_) => K::Bytes,
        _ => {
            if super::bytearray::data(v).is_some() {
                return Some(K::ByteArray);
            }
            let cls = type_of(v);
            let c = class_of(&cls);
            if c.module != "collections" && crate::attr::getattr(&cls, "__module__").ok().and_then(|m| m.as_str().map(|s| s.to_string())).as_deref() != Some("collections") {
                return None;
            }
            match c.name.as_str() {
                "OrderedDict" => K::OrderedDict,
                "Counter" => K::Counter,
                "defaultdict" => K::DefaultDict,
                "deque" => K::Deque,
                _ => return None,
            }
        }
    })
}

struct Ctx {
    ids: Vec<i64>,
}

impl Ctx {
    fn has(&self, id: i64) -> bool {
        self.ids.contains(&id)
    }
}

fn recursion(v: &Value) -> String {
    format!("<Recursion on {} with id={}>", type_name(v), crate::ops::id_of(v))
}

impl PP {
    /// `_safe_repr`: (repr, readable, recursive).
    fn safe_repr(&self, v: &Value, ctx: &mut Ctx, level: usize) -> PyResult<(String, bool, bool)> {
        match v {
            Value::Str(_) | Value::Bytes(_) | Value::Float(_) | Value::Bool(_) | Value::None => return Ok((repr(v)?, true, false)),
            Value::Int(_) | Value::Big(_) => {
                if self.underscore {
                    return Ok((crate::format(v, "_d")?, true, false));
                }
                return Ok((repr(v)?, true, false));
            }
            Value::Dict(_) => {
                let mut items = dict_items(v);
                if items.is_empty() {
                    return Ok(("{}".into(), true, false));
                }
                let id = crate::ops::id_of(v);
                if self.depth > 0 && level >= self.depth {
                    return Ok(("{...}".into(), false, ctx.has(id)));
                }
                if ctx.has(id) {
                    return Ok((recursion(v), false, true));
                }
                ctx.ids.push(id);
                if self.sort_dicts {
                    safe_sort(&mut items);
                }
                let (mut readable, mut recursive) = (true, false);
                let mut parts = Vec::new();
                for (k, x) in items {
                    let (kr, kread, krec) = self.safe_repr(&k, ctx, level + 1)?;
                    let (vr, vread, vrec) = self.safe_repr(&x, ctx, level + 1)?;
                    parts.push(format!("{}: {}", kr, vr));
                    readable = readable && kread && vread;
                    recursive = recursive || krec || vrec;
                }
                ctx.ids.retain(|x| *x != id);
                return Ok((format!("{{{}}}", parts.join(", ")), readable, recursive));
            }
            Value::List(_) | Value::Tuple(_) => {
                let items = crate::collect(v)?;
                let is_list = matches!(v, Value::List(_));
                if items.is_empty() {
                    return Ok((if is_list { "[]" } else { "()" }.into(), true, false));
                }
                let id = crate::ops::id_of(v);
                if self.depth > 0 && level >= self.depth {
                    return Ok((if is_list { "[...]" } else { "(...)" }.into(), false, ctx.has(id)));
                }
                if ctx.has(id) {
                    return Ok((recursion(v), false, true));
                }
                ctx.ids.push(id);
                let (mut readable, mut recursive) = (true, false);
                let mut parts = Vec::new();
                for x in &items {
                    let (r, rd, rc) = self.safe_repr(x, ctx, level + 1)?;
                    parts.push(r);
                    readable = readable && rd;
                    recursive = recursive || rc;
                }
                ctx.ids.retain(|x| *x != id);
                let body = parts.join(", ");
                let s = if is_list {
                    format!("[{}]", body)
                } else if items.len() == 1 {
                    format!("({},)", body)
                } else {
                    format!("({})", body)
                };
                return Ok((s, readable, recursive));
            }
            _ => {}
        }
        let r = repr(v)?;
        let readable = !r.is_empty() && !r.starts_with('<');
        Ok((r, readable, false))
    }

    fn rep(&self, v: &Value, ctx: &Ctx, level: usize) -> PyResult<String> {
        let mut c = Ctx { ids: ctx.ids.clone() };
        Ok(self.safe_repr(v, &mut c, level)?.0)
    }

    /// `_format`.
    fn format_obj(&self, v: &Value, out: &mut String, indent: usize, allowance: usize, ctx: &mut Ctx, level: usize) -> PyResult<()> {
        let id = crate::ops::id_of(v);
        if ctx.has(id) {
            out.push_str(&recursion(v));
            return Ok(());
        }
        let r = self.rep(v, ctx, level)?;
        let max_width = self.width as i64 - indent as i64 - allowance as i64;
        if clen(&r) as i64 > max_width {
            if let Some(k) = kind(v) {
                ctx.ids.push(id);
                self.dispatch(k, v, out, indent, allowance, ctx, level + 1)?;
                ctx.ids.retain(|x| *x != id);
                return Ok(());
            }
        }
        out.push_str(&r);
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn dispatch(&self, k: K, v: &Value, out: &mut String, indent: usize, allowance: usize, ctx: &mut Ctx, level: usize) -> PyResult<()> {
        match k {
            K::Dict => self.pp_dict(v, out, indent, allowance, ctx, level),
            K::List => {
                out.push('[');
                self.items(&crate::collect(v)?, out, indent, allowance + 1, ctx, level)?;
                out.push(']');
                Ok(())
            }
            K::Tuple => {
                let xs = crate::collect(v)?;
                out.push('(');
                let end = if xs.len() == 1 { ",)" } else { ")" };
                self.items(&xs, out, indent, allowance + end.len(), ctx, level)?;
                out.push_str(end);
                Ok(())
            }
            K::Set | K::FrozenSet => {
                let xs = crate::collect(v)?;
                if xs.is_empty() {
                    out.push_str(&repr(v)?);
                    return Ok(());
                }
                let (mut indent, end) = (indent, if k == K::Set { "}" } else { "})" });
                if k == K::Set {
                    out.push('{');
                } else {
                    out.push_str("frozenset({");
                    indent += "frozenset".len() + 1;
                }
                let mut pairs: Vec<(Value, Value)> = xs.into_iter().map(|x| (x, Value::None)).collect();
                safe_sort(&mut pairs);
                let xs: Vec<Value> = pairs.into_iter().map(|p| p.0).collect();
                self.items(&xs, out, indent, allowance + end.len(), ctx, level)?;
                out.push_str(end);
                Ok(())
            }
            K::Str => self.pp_str(v, out, indent, allowance, level),
            K::Bytes => {
                let b = match v {
                    Value::Bytes(b) => b.to_vec(),
                    _ => vec![],
                };
                self.pp_bytes(&b, out, indent, allowance, level)
            }
            K::ByteArray => {
                let b = super::bytearray::data(v).map(|b| b.to_vec()).unwrap_or_default();
                out.push_str("bytearray(");
                self.pp_bytes(&b, out, indent + 10, allowance + 1, level + 1)?;
                out.push(')');
                Ok(())
            }
            K::OrderedDict => {
                if crate::len(v)? == 0 {
                    out.push_str(&repr(v)?);
                    return Ok(());
                }
                let name = type_name(v);
                out.push_str(&name);
                out.push('(');
                let items = crate::collect(&crate::call_method(v, "items", vec![], vec![])?)?;
                self.format_obj(&crate::list(items), out, indent + clen(&name) + 1, allowance + 1, ctx, level)?;
                out.push(')');
                Ok(())
            }
            K::Counter => {
                if crate::len(v)? == 0 {
                    out.push_str(&repr(v)?);
                    return Ok(());
                }
                let name = type_name(v);
                out.push_str(&name);
                out.push_str("({");
                if self.indent > 1 {
                    out.push_str(&" ".repeat(self.indent - 1));
                }
                let mut items = Vec::new();
                for t in crate::collect(&crate::call_method(v, "most_common", vec![], vec![])?)? {
                    let p = crate::collect(&t)?;
                    items.push((p[0].clone(), p[1].clone()));
                }
                self.dict_items(&items, out, indent + clen(&name) + 1, allowance + 2, ctx, level)?;
                out.push_str("})");
                Ok(())
            }
            K::DefaultDict => {
                if crate::len(v)? == 0 {
                    out.push_str(&repr(v)?);
                    return Ok(());
                }
                let f = crate::getattr(v, "default_factory")?;
                let rdf = self.rep(&f, ctx, level)?;
                let name = type_name(v);
                let indent = indent + clen(&name) + 1;
                out.push_str(&format!("{}({},\n{}", name, rdf, " ".repeat(indent)));
                let plain = crate::builtins::builtin("dict");
                let d = crate::call(&plain, vec![v.clone()], vec![])?;
                self.pp_dict(&d, out, indent, allowance + 1, ctx, level)?;
                out.push(')');
                Ok(())
            }
            K::Deque => {
                if crate::len(v)? == 0 {
                    out.push_str(&repr(v)?);
                    return Ok(());
                }
                let name = type_name(v);
                out.push_str(&name);
                out.push_str("([");
                let indent = indent + clen(&name) + 1;
                let xs = crate::collect(v)?;
                let maxlen = crate::getattr(v, "maxlen")?;
                if maxlen.is_none() {
                    self.items(&xs, out, indent, allowance + 2, ctx, level)?;
                    out.push_str("])");
                } else {
                    self.items(&xs, out, indent, 2, ctx, level)?;
                    let rml = self.rep(&maxlen, ctx, level)?;
                    out.push_str(&format!("],\n{}maxlen={})", " ".repeat(indent), rml));
                }
                Ok(())
            }
        }
    }

    fn pp_dict(&self, v: &Value, out: &mut String, indent: usize, allowance: usize, ctx: &mut Ctx, level: usize) -> PyResult<()> {
        out.push('{');
        if self.indent > 1 {
            out.push_str(&" ".repeat(self.indent - 1));
        }
        let mut items = dict_items(v);
        if !items.is_empty() {
            if self.sort_dicts {
                safe_sort(&mut items);
            }
            self.dict_items(&items, out, indent, allowance + 1, ctx, level)?;
        }
        out.push('}');
        Ok(())
    }

    fn dict_items(&self, items: &[(Value, Value)], out: &mut String, indent: usize, allowance: usize, ctx: &mut Ctx, level: usize) -> PyResult<()> {
        let indent = indent + self.indent;
        let delimnl = format!(",\n{}", " ".repeat(indent));
        let last_index = items.len().saturating_sub(1);
        for (i, (k, x)) in items.iter().enumerate() {
            let last = i == last_index;
            let r = self.rep(k, ctx, level)?;
            out.push_str(&r);
            out.push_str(": ");
            self.format_obj(x, out, indent + clen(&r) + 2, if last { allowance } else { 1 }, ctx, level)?;
            if !last {
                out.push_str(&delimnl);
            }
        }
        Ok(())
    }

    /// `_format_items`.
    fn items(&self, xs: &[Value], out: &mut String, indent: usize, allowance: usize, ctx: &mut Ctx, level: usize) -> PyResult<()> {
        let indent = indent + self.indent;
        if self.indent > 1 {
            out.push_str(&" ".repeat(self.indent - 1));
        }
        let delimnl = format!(",\n{}", " ".repeat(indent));
        let mut delim = String::new();
        let mut max_width = self.width as i64 - indent as i64 + 1;
        let mut width = max_width;
        for (i, x) in xs.iter().enumerate() {
            let last = i + 1 == xs.len();
            if last {
                max_width -= allowance as i64;
                width -= allowance as i64;
            }
            if self.compact {
                let r = self.rep(x, ctx, level)?;
                let w = clen(&r) as i64 + 2;
                if width < w {
                    width = max_width;
                    if !delim.is_empty() {
                        delim = delimnl.clone();
                    }
                }
                if width >= w {
                    width -= w;
                    out.push_str(&delim);
                    delim = ", ".into();
                    out.push_str(&r);
                    continue;
                }
            }
            out.push_str(&delim);
            delim = delimnl.clone();
            self.format_obj(x, out, indent, if last { allowance } else { 1 }, ctx, level)?;
        }
        Ok(())
    }

    fn pp_str(&self, v: &Value, out: &mut String, indent: usize, allowance: usize, level: usize) -> PyResult<()> {
        let s = match v {
            Value::Str(s) => s.s.clone(),
            _ => String::new(),
        };
        if s.is_empty() {
            out.push_str(&repr(v)?);
            return Ok(());
        }
        let (mut indent, mut allowance) = (indent as i64, allowance as i64);
        if level == 1 {
            indent += 1;
            allowance += 1;
        }
        let lines = crate::collect(&crate::call_method(v, "splitlines", vec![Value::Bool(true)], vec![])?)?;
        let max_width = self.width as i64 - indent;
        let mut max_width1 = max_width;
        let mut chunks: Vec<String> = Vec::new();
        let mut last_rep = String::new();
        for (i, line) in lines.iter().enumerate() {
            let line_s = line.as_str().unwrap_or("").to_string();
            let rep = repr(line)?;
            last_rep = rep.clone();
            if i == lines.len() - 1 {
                max_width1 -= allowance;
            }
            if clen(&rep) as i64 <= max_width1 {
                chunks.push(rep);
            } else {
                // alternating runs: non-space then space (re.findall(r'\S*\s*'))
                let mut parts: Vec<String> = Vec::new();
                let cs: Vec<char> = line_s.chars().collect();
                let mut j = 0;
                while j < cs.len() {
                    let st = j;
                    while j < cs.len() && !cs[j].is_whitespace() {
                        j += 1;
                    }
                    while j < cs.len() && cs[j].is_whitespace() {
                        j += 1;
                    }
                    parts.push(cs[st..j].iter().collect());
                }
                let mut max_width2 = max_width;
                let mut current = String::new();
                for (j, part) in parts.iter().enumerate() {
                    let candidate = format!("{}{}", current, part);
                    if j == parts.len() - 1 && i == lines.len() - 1 {
                        max_width2 -= allowance;
                    }
                    if clen(&repr(&Value::string(candidate.clone()))?) as i64 > max_width2 {
                        if !current.is_empty() {
                            chunks.push(repr(&Value::string(current.clone()))?);
                        }
                        current = part.clone();
                    } else {
                        current = candidate;
                    }
                }
                if !current.is_empty() {
                    chunks.push(repr(&Value::string(current))?);
                }
            }
        }
        if chunks.len() == 1 {
            out.push_str(&last_rep);
            return Ok(());
        }
        if level == 1 {
            out.push('(');
        }
        for (i, r) in chunks.iter().enumerate() {
            if i > 0 {
                out.push('\n');
                out.push_str(&" ".repeat(indent as usize));
            }
            out.push_str(r);
        }
        if level == 1 {
            out.push(')');
        }
        Ok(())
    }

    fn pp_bytes(&self, b: &[u8], out: &mut String, indent: usize, allowance: usize, level: usize) -> PyResult<()> {
        if b.len() <= 4 {
            out.push_str(&crate::ops::bytes_repr(b));
            return Ok(());
        }
        let (mut indent, mut allowance) = (indent as i64, allowance as i64);
        let parens = level == 1;
        if parens {
            indent += 1;
            allowance += 1;
            out.push('(');
        }
        let mut width = self.width as i64 - indent;
        let mut reps = Vec::new();
        let mut current: Vec<u8> = Vec::new();
        let last = b.len() / 4 * 4;
        let mut i = 0;
        while i < b.len() {
            let part = &b[i..(i + 4).min(b.len())];
            let mut candidate = current.clone();
            candidate.extend_from_slice(part);
            if i == last {
                width -= allowance;
            }
            if clen(&crate::ops::bytes_repr(&candidate)) as i64 > width {
                if !current.is_empty() {
                    reps.push(crate::ops::bytes_repr(&current));
                }
                current = part.to_vec();
            } else {
                current = candidate;
            }
            i += 4;
        }
        if !current.is_empty() {
            reps.push(crate::ops::bytes_repr(&current));
        }
        for (i, r) in reps.iter().enumerate() {
            if i > 0 {
                out.push('\n');
                out.push_str(&" ".repeat(indent as usize));
            }
            out.push_str(r);
        }
        if parens {
            out.push(')');
        }
        Ok(())
    }

    fn pformat(&self, v: &Value) -> PyResult<String> {
        let mut out = String::new();
        let mut ctx = Ctx { ids: vec![] };
        self.format_obj(v, &mut out, 0, 0, &mut ctx, 0)?;
        Ok(out)
    }
}

fn settings(args: Vec<Value>, kw: Kw, fname: &str, names: &[&str]) -> PyResult<(Vec<Option<Value>>, PP, Option<Value>)> {
    let mut all: Vec<&str> = names.to_vec();
    all.extend_from_slice(&["indent", "width", "depth", "stream", "compact", "sort_dicts", "underscore_numbers"]);
    let o = crate::methods::getargs(fname, args, kw, &all, 0)?;
    let n = names.len();
    let mut pp = PP::default();
    let int = |v: &Option<Value>| v.as_ref().and_then(|x| x.as_i64());
    let truthy = |v: &Option<Value>, d: bool| -> PyResult<bool> {
        match v {
            Some(x) => crate::ops::truthy(x),
            None => Ok(d),
        }
    };
    // pprint/pformat/PrettyPrinter take the object first, then stream (pprint) or indent
    let stream = o.get(n + 3).cloned().flatten().filter(|s| !s.is_none());
    if let Some(i) = int(&o[n]) {
        if i < 0 {
            return Err(value_error("indent must be >= 0".into()));
        }
        pp.indent = i as usize;
    }
    if let Some(w) = int(&o[n + 1]) {
        if w <= 0 {
            return Err(value_error("width must be != 0".into()));
        }
        pp.width = w as usize;
    }
    if let Some(d) = int(&o[n + 2]) {
        if d <= 0 {
            return Err(value_error("depth must be > 0".into()));
        }
        pp.depth = d as usize;
    }
    pp.compact = truthy(&o[n + 4], false)?;
    pp.sort_dicts = truthy(&o[n + 5], true)?;
    pp.underscore = truthy(&o[n + 6], false)?;
    Ok((o[..n].to_vec(), pp, stream))
}

fn write_out(stream: &Option<Value>, s: String) -> PyResult<()> {
    match stream {
        Some(st) => {
            crate::call_method(st, "write", vec![Value::string(s)], vec![])?;
        }
        None => {
            crate::call(&crate::builtins::builtin("print"), vec![Value::string(s)], vec![("end".into(), Value::str(""))])?;
        }
    }
    Ok(())
}

/// pprint(object, stream=None, indent=1, width=80, depth=None, *, ...):
/// the positional order differs from PrettyPrinter's, so reorder.
fn pprint_args(a: Vec<Value>, kw: Kw) -> (Vec<Value>, Kw) {
    let mut kw = kw;
    let mut pos = Vec::new();
    let names = ["stream", "indent", "width", "depth"];
    for (i, v) in a.into_iter().enumerate() {
        if i == 0 {
            pos.push(v);
        } else if i <= names.len() {
            kw.push((names[i - 1].to_string(), v));
        }
    }
    (pos, kw)
}

fn pp_of(inst: &Value) -> PP {
    let d = |k: &str| crate::getattr(inst, k).ok();
    let mut pp = PP::default();
    if let Some(v) = d("_indent_per_level").and_then(|v| v.as_i64()) {
        pp.indent = v as usize;
    }
    if let Some(v) = d("_width").and_then(|v| v.as_i64()) {
        pp.width = v as usize;
    }
    if let Some(v) = d("_depth").and_then(|v| v.as_i64()) {
        pp.depth = v as usize;
    }
    pp.compact = d("_compact").map(|v| crate::ops::truthy(&v).unwrap_or(false)).unwrap_or(false);
    pp.sort_dicts = d("_sort_dicts").map(|v| crate::ops::truthy(&v).unwrap_or(true)).unwrap_or(true);
    pp.underscore = d("_underscore_numbers").map(|v| crate::ops::truthy(&v).unwrap_or(false)).unwrap_or(false);
    pp
}

pub fn module() -> Value {
    let md = crate::rtsys::new_module("pprint", "");
    let set = |n: &str, v: Value| crate::rtsys::mod_set(&md, n, v);
    set("pformat", nat("pformat", |a, kw| {
        let mut kw2 = kw;
        let mut pos = Vec::new();
        for (i, v) in a.into_iter().enumerate() {
            match i {
                0 => pos.push(v),
                1 => kw2.push(("indent".into(), v)),
                2 => kw2.push(("width".into(), v)),
                3 => kw2.push(("depth".into(), v)),
                _ => return Err(type_error("pformat() takes from 1 to 4 positional arguments".into())),
            }
        }
        let (o, pp, _) = settings(pos, kw2, "pformat", &["object"])?;
        let obj = o[0].clone().ok_or_else(|| type_error("pformat() missing 1 required positional argument: 'object'".into()))?;
        Ok(Value::string(pp.pformat(&obj)?))
    }));
    for (name, sort_default) in [("pprint", true), ("pp", false)] {
        set(name, nat(name, move |a, kw| {
            let (pos, mut kw) = pprint_args(a, kw);
            if !sort_default && !kw.iter().any(|(k, _)| k == "sort_dicts") {
                kw.push(("sort_dicts".into(), Value::Bool(false)));
            }
            let (o, pp, stream) = settings(pos, kw, name, &["object"])?;
            let obj = o[0].clone().ok_or_else(|| type_error(format!("{}() missing 1 required positional argument: 'object'", name)))?;
            write_out(&stream, format!("{}\n", pp.pformat(&obj)?))?;
            Ok(Value::None)
        }));
    }
    set("saferepr", nat("saferepr", |a, _| {
        let pp = PP::default();
        let mut ctx = Ctx { ids: vec![] };
        Ok(Value::string(pp.safe_repr(a.get(0).unwrap_or(&Value::None), &mut ctx, 0)?.0))
    }));
    set("isreadable", nat("isreadable", |a, _| {
        let pp = PP::default();
        let mut ctx = Ctx { ids: vec![] };
        let (_, r, rec) = pp.safe_repr(a.get(0).unwrap_or(&Value::None), &mut ctx, 0)?;
        Ok(Value::Bool(r && !rec))
    }));
    set("isrecursive", nat("isrecursive", |a, _| {
        let pp = PP::default();
        let mut ctx = Ctx { ids: vec![] };
        Ok(Value::Bool(pp.safe_repr(a.get(0).unwrap_or(&Value::None), &mut ctx, 0)?.2))
    }));
    let cls = crate::stdlib::heapq_bisect_itertools_functools::rt_class(
        "PrettyPrinter",
        "pprint",
        vec![],
        vec![
            ("__init__", meth("__init__", |a, kw| {
                let (_, pp, stream) = settings(a[1..].to_vec(), kw, "PrettyPrinter", &[])?;
                let me = &a[0];
                crate::setattr(me, "_indent_per_level", Value::Int(pp.indent as i64))?;
                crate::setattr(me, "_width", Value::Int(pp.width as i64))?;
                crate::setattr(me, "_depth", if pp.depth > 0 { Value::Int(pp.depth as i64) } else { Value::None })?;
                crate::setattr(me, "_stream", stream.unwrap_or(Value::None))?;
                crate::setattr(me, "_compact", Value::Bool(pp.compact))?;
                crate::setattr(me, "_sort_dicts", Value::Bool(pp.sort_dicts))?;
                crate::setattr(me, "_underscore_numbers", Value::Bool(pp.underscore))?;
                Ok(Value::None)
            })),
            ("pformat", meth("pformat", |a, _| Ok(Value::string(pp_of(&a[0]).pformat(a.get(1).unwrap_or(&Value::None))?)))),
            ("pprint", meth("pprint", |a, _| {
                let s = pp_of(&a[0]).pformat(a.get(1).unwrap_or(&Value::None))?;
                let st = crate::getattr(&a[0], "_stream").ok().filter(|s| !s.is_none());
                write_out(&st, format!("{}\n", s))?;
                Ok(Value::None)
            })),
            ("isreadable", meth("isreadable", |a, _| {
                let mut ctx = Ctx { ids: vec![] };
                let (_, r, rec) = pp_of(&a[0]).safe_repr(a.get(1).unwrap_or(&Value::None), &mut ctx, 0)?;
                Ok(Value::Bool(r && !rec))
            })),
            ("isrecursive", meth("isrecursive", |a, _| {
                let mut ctx = Ctx { ids: vec![] };
                Ok(Value::Bool(pp_of(&a[0]).safe_repr(a.get(1).unwrap_or(&Value::None), &mut ctx, 0)?.2))
            })),
        ],
    );
    set("PrettyPrinter", cls);
    md
}
