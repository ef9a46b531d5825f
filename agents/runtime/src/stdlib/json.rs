//! Standard module json.
//!
//! A direct port of the behaviour of CPython's json module: the decoder's
//! error messages and positions (JSONDecodeError msg/lineno/colno), the
//! encoder's separators, indentation, key coercion, ensure_ascii escaping
//! and float repr.

use crate::object::*;
use crate::ops;
use crate::value::*;
use std::cell::RefCell;

fn nat(name: &'static str, f: impl Fn(Vec<Value>, Kw) -> PyResult<Value> + 'static) -> Value {
    native(name, false, f)
}

thread_local! {
    static DECODE_ERR: RefCell<Option<Value>> = RefCell::new(None);
}

fn decode_error_class() -> Value {
    if let Some(c) = DECODE_ERR.with(|d| d.borrow().clone()) {
        return c;
    }
    let c = crate::stdlib::heapq_bisect_itertools_functools::rt_class("JSONDecodeError", "json.decoder", vec![exc_class("ValueError").unwrap()], vec![]);
    DECODE_ERR.with(|d| *d.borrow_mut() = Some(c.clone()));
    c
}

struct Parser {
    c: Vec<char>,
    pos: usize,
}

fn jerr(p: &Parser, msg: &str, pos: usize) -> PyErr {
    let lineno = p.c[..pos.min(p.c.len())].iter().filter(|&&ch| ch == '\n').count() + 1;
    let colno = match p.c[..pos.min(p.c.len())].iter().rposition(|&ch| ch == '\n') {
        Some(nl) => pos - nl,
        None => pos + 1,
    };
    let cls = decode_error_class();
    let inst = new_instance(&cls);
    set_exc_args(&inst, crate::tuple(vec![Value::string(format!("{}: line {} column {} (char {})", msg, lineno, colno, pos))]));
    if let Some(i) = as_inst(&inst) {
        let mut d = i.dict.borrow_mut();
        d.set("msg", Value::str(msg));
        d.set("pos", Value::Int(pos as i64));
        d.set("lineno", Value::Int(lineno as i64));
        d.set("colno", Value::Int(colno as i64));
        d.set("doc", Value::string(p.c.iter().collect()));
    }
    raise(inst)
}

impl Parser {
    fn ws(&mut self) {
        while self.pos < self.c.len() && matches!(self.c[self.pos], ' ' | '\t' | '\n' | '\r') {
            self.pos += 1;
        }
    }
    fn peek(&self) -> Option<char> {
        self.c.get(self.pos).copied()
    }
    fn starts(&self, s: &str) -> bool {
        let n = s.chars().count();
        self.pos + n <= self.c.len() && self.c[self.pos..self.pos + n].iter().copied().eq(s.chars())
    }
    fn value(&mut self) -> PyResult<Value> {
        let start = self.pos;
        match self.peek() {
            Some('{') => self.object(),
            Some('[') => self.array(),
            Some('"') => {
                self.pos += 1;
                Ok(Value::string(self.string(start)?))
            }
            Some('n') if self.starts("null") => {
                self.pos += 4;
                Ok(Value::None)
            }
            Some('t') if self.starts("true") => {
                self.pos += 4;
                Ok(Value::Bool(true))
            }
            Some('f') if self.starts("false") => {
                self.pos += 5;
                Ok(Value::Bool(false))
            }
            Some('N') if self.starts("NaN") => {
                self.pos += 3;
                Ok(Value::Float(f64::NAN))
            }
            Some('I') if self.starts("Infinity") => {
                self.pos += 8;
                Ok(Value::Float(f64::INFINITY))
            }
            Some('-') if self.starts("-Infinity") => {
                self.pos += 9;
                Ok(Value::Float(f64::NEG_INFINITY))
            }
            Some(c) if c == '-' || c.is_ascii_digit() => self.number(),
            _ => Err(jerr(self, "Expecting value", start)),
        }
    }
    fn number(&mut self) -> PyResult<Value> {
        let start = self.pos;
        let mut i = self.pos;
        if self.c.get(i) == Some(&'-') {
            i += 1;
        }
        let int_start = i;
        if self.c.get(i) == Some(&'0') {
            i += 1;
        } else {
            while i < self.c.len() && self.c[i].is_ascii_digit() {
                i += 1;
            }
        }
        if i == int_start {
            return Err(jerr(self, "Expecting value", start));
        }
        let mut is_float = false;
        if self.c.get(i) == Some(&'.') && self.c.get(i + 1).map(|c| c.is_ascii_digit()).unwrap_or(false) {
            i += 1;
            while i < self.c.len() && self.c[i].is_ascii_digit() {
                i += 1;
            }
            is_float = true;
        }
        if matches!(self.c.get(i), Some('e') | Some('E')) {
            let mut j = i + 1;
            if matches!(self.c.get(j), Some('+') | Some('-')) {
                j += 1;
            }
            if self.c.get(j).map(|c| c.is_ascii_digit()).unwrap_or(false) {
                while j < self.c.len() && self.c[j].is_ascii_digit() {
                    j += 1;
                }
                i = j;
                is_float = true;
            }
        }
        let text: String = self.c[start..i].iter().collect();
        self.pos = i;
        if is_float {
            Ok(Value::Float(text.parse().unwrap_or(f64::NAN)))
        } else {
            Ok(crate::builtins::int_from_str(&text))
        }
    }
    fn string(&mut self, start: usize) -> PyResult<String> {
        let mut out = String::new();
        loop {
            let ch = match self.peek() {
                Some(c) => c,
                None => return Err(jerr(self, "Unterminated string starting at", start)),
            };
            self.pos += 1;
            match ch {
                '"' => return Ok(out),
                '\\' => {
                    let e = match self.peek() {
                        Some(e) => e,
                        None => return Err(jerr(self, "Unterminated string starting at", start)),
                    };
                    self.pos += 1;
                    match e {
                        '"' => out.push('"'),
                        '\\' => out.push('\\'),
                        '/' => out.push('/'),
                        'b' => out.push('\x08'),
                        'f' => out.push('\x0c'),
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        'u' => {
                            let hex = |p: &Parser, at: usize| -> Option<u32> {
                                if at + 4 > p.c.len() {
                                    return None;
                                }
                                u32::from_str_radix(&p.c[at..at + 4].iter().collect::<String>(), 16).ok()
                            };
                            let u = match hex(self, self.pos) {
                                Some(u) => u,
                                None => return Err(jerr(self, "Invalid \\uXXXX escape", self.pos - 1)),
                            };
                            self.pos += 4;
                            if (0xd800..0xdc00).contains(&u) && self.starts("\\u") {
                                if let Some(lo) = hex(self, self.pos + 2) {
                                    if (0xdc00..0xe000).contains(&lo) {
                                        self.pos += 6;
                                        let cp = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
                                        out.push(char::from_u32(cp).unwrap_or('\u{fffd}'));
                                        continue;
                                    }
                                }
                            }
                            out.push(char::from_u32(u).unwrap_or('\u{fffd}'));
                        }
                        _ => return Err(jerr(self, &format!("Invalid \\escape: {}", ops::str_repr(&e.to_string())), self.pos - 2)),
                    }
                }
                c if (c as u32) < 0x20 => return Err(jerr(self, "Invalid control character at", self.pos - 1)),
                c => out.push(c),
            }
        }
    }
    fn object(&mut self) -> PyResult<Value> {
        self.pos += 1;
        let d = crate::dict(vec![])?;
        self.ws();
        if self.peek() == Some('}') {
            self.pos += 1;
            return Ok(d);
        }
        loop {
            if self.peek() != Some('"') {
                return Err(jerr(self, "Expecting property name enclosed in double quotes", self.pos));
            }
            let ks = self.pos;
            self.pos += 1;
            let k = self.string(ks)?;
            self.ws();
            if self.peek() != Some(':') {
                return Err(jerr(self, "Expecting ':' delimiter", self.pos));
            }
            self.pos += 1;
            self.ws();
            let v = self.value()?;
            crate::methods::dict_set(&d, Value::string(k), v)?;
            self.ws();
            match self.peek() {
                Some('}') => {
                    self.pos += 1;
                    return Ok(d);
                }
                Some(',') => {
                    self.pos += 1;
                    self.ws();
                }
                _ => return Err(jerr(self, "Expecting ',' delimiter", self.pos)),
            }
        }
    }
    fn array(&mut self) -> PyResult<Value> {
        self.pos += 1;
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(']') {
            self.pos += 1;
            return Ok(crate::list(items));
        }
        loop {
            self.ws();
            items.push(self.value()?);
            self.ws();
            match self.peek() {
                Some(']') => {
                    self.pos += 1;
                    return Ok(crate::list(items));
                }
                Some(',') => {
                    self.pos += 1;
                }
                _ => return Err(jerr(self, "Expecting ',' delimiter", self.pos)),
            }
        }
    }
}

pub fn loads(s: &str) -> PyResult<Value> {
    let mut p = Parser { c: s.chars().collect(), pos: 0 };
    p.ws();
    let v = p.value()?;
    p.ws();
    if p.pos != p.c.len() {
        return Err(jerr(&p, "Extra data", p.pos));
    }
    Ok(v)
}

struct Enc {
    indent: Option<String>,
    item_sep: String,
    key_sep: String,
    sort_keys: bool,
    ascii: bool,
    default: Value,
    depth: usize,
}

fn quote(s: &str, ascii: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if ascii && (c as u32) > 0x7e => {
                let u = c as u32;
                if u >= 0x10000 {
                    let v = u - 0x10000;
                    out.push_str(&format!("\\u{:04x}\\u{:04x}", 0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff)));
                } else {
                    out.push_str(&format!("\\u{:04x}", u));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn float_str(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else {
        crate::format::float_repr(f)
    }
}

impl Enc {
    fn nl(&self, out: &mut String, depth: usize) {
        if let Some(ind) = &self.indent {
            out.push('\n');
            for _ in 0..depth {
                out.push_str(ind);
            }
        }
    }
    fn enc(&mut self, v: &Value, out: &mut String) -> PyResult<()> {
        if self.depth > 500 {
            return Err(value_error("Circular reference detected".into()));
        }
        match v {
            Value::None => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(_) | Value::Big(_) => out.push_str(&ops::int_str_checked(v)?),
            Value::Float(f) => out.push_str(&float_str(*f)),
            Value::Str(s) => out.push_str(&quote(&s.s, self.ascii)),
            Value::List(_) | Value::Tuple(_) => {
                let items = crate::iter::collect(v)?;
                if items.is_empty() {
                    out.push_str("[]");
                    return Ok(());
                }
                out.push('[');
                self.depth += 1;
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(&self.item_sep);
                    }
                    self.nl(out, self.depth);
                    self.enc(x, out)?;
                }
                self.depth -= 1;
                self.nl(out, self.depth);
                out.push(']');
            }
            Value::Dict(d) => {
                let mut items = d.borrow().items();
                if items.is_empty() {
                    out.push_str("{}");
                    return Ok(());
                }
                if self.sort_keys {
                    let mut keyed: Vec<Value> = items.iter().map(|(k, v)| crate::tuple(vec![k.clone(), v.clone()])).collect();
                    let key0 = native("k", false, |a, _| crate::attr::getitem(&a[0], &Value::Int(0)));
                    crate::methods::sort_values(&mut keyed, Some(&key0), false)?;
                    items = keyed.iter().map(|t| {
                        let p = crate::iter::collect(t).unwrap();
                        (p[0].clone(), p[1].clone())
                    }).collect();
                }
                out.push('{');
                self.depth += 1;
                for (i, (k, x)) in items.iter().enumerate() {
                    let ks = match k {
                        Value::Str(s) => s.s.clone(),
                        Value::Bool(b) => (if *b { "true" } else { "false" }).to_string(),
                        Value::None => "null".to_string(),
                        Value::Int(_) | Value::Big(_) => ops::int_str(k),
                        Value::Float(f) => float_str(*f),
                        _ => return Err(type_error(format!("keys must be str, int, float, bool or None, not {}", type_name(k)))),
                    };
                    if i > 0 {
                        out.push_str(&self.item_sep);
                    }
                    self.nl(out, self.depth);
                    out.push_str(&quote(&ks, self.ascii));
                    out.push_str(&self.key_sep);
                    self.enc(x, out)?;
                }
                self.depth -= 1;
                self.nl(out, self.depth);
                out.push('}');
            }
            _ => {
                if let Some(i) = as_inst(v) {
                    let p = i.payload.borrow().clone();
                    if matches!(p, Value::Dict(_) | Value::List(_) | Value::Tuple(_)) {
                        return self.enc(&p, out);
                    }
                }
                if self.default.is_none() {
                    return Err(type_error(format!("Object of type {} is not JSON serializable", type_name(v))));
                }
                let r = crate::call::call(&self.default, vec![v.clone()], vec![])?;
                self.depth += 1;
                let res = self.enc(&r, out);
                self.depth -= 1;
                res?;
            }
        }
        Ok(())
    }
}

pub fn dumps(v: &Value, kw: &Kw) -> PyResult<String> {
    let get = |n: &str| kw.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let indent = match get("indent") {
        Some(Value::None) | None => None,
        Some(Value::Int(n)) => Some(" ".repeat(n.max(0) as usize)),
        Some(Value::Str(s)) => Some(s.s.clone()),
        Some(_) => None,
    };
    let (item_sep, key_sep) = match get("separators") {
        Some(s) if !s.is_none() => {
            let p = crate::iter::collect(&s)?;
            (ops::to_str(&p[0])?, ops::to_str(&p[1])?)
        }
        _ => (if indent.is_some() { ",".to_string() } else { ", ".to_string() }, ": ".to_string()),
    };
    let mut e = Enc {
        indent,
        item_sep,
        key_sep,
        sort_keys: get("sort_keys").map(|v| ops::truthy(&v).unwrap_or(false)).unwrap_or(false),
        ascii: get("ensure_ascii").map(|v| ops::truthy(&v).unwrap_or(true)).unwrap_or(true),
        default: get("default").unwrap_or(Value::None),
        depth: 0,
    };
    let mut out = String::new();
    e.enc(v, &mut out)?;
    Ok(out)
}

/// loads' object_hook / object_pairs_hook: every decoded object, inner
/// ones first (the order CPython's decoder calls them), goes through the
/// hook and is replaced by what it returns. The decoded value holds no
/// dict that is not a JSON object, so a walk of the result finds them all.
fn with_hooks(v: Value, kw: &Kw) -> PyResult<Value> {
    let mut hook = None;
    let mut pairs = None;
    for (k, x) in kw {
        match k.as_str() {
            "object_hook" if !matches!(x, Value::None) => hook = Some(x.clone()),
            "object_pairs_hook" if !matches!(x, Value::None) => pairs = Some(x.clone()),
            "object_hook" | "object_pairs_hook" | "strict" | "cls" => {}
            _ => return Err(type_error(format!("loads() got an unexpected keyword argument '{}'", k))),
        }
    }
    if hook.is_none() && pairs.is_none() {
        return Ok(v);
    }
    fn walk(v: Value, hook: &Option<Value>, pairs: &Option<Value>) -> PyResult<Value> {
        match &v {
            Value::List(l) => {
                let items = l.borrow().clone();
                let mut out = Vec::with_capacity(items.len());
                for x in items {
                    out.push(walk(x, hook, pairs)?);
                }
                *l.borrow_mut() = out;
                Ok(v)
            }
            Value::Dict(d) => {
                let items = d.borrow().items();
                let mut done = Vec::with_capacity(items.len());
                for (k, x) in items {
                    done.push((k, walk(x, hook, pairs)?));
                }
                if let Some(p) = pairs {
                    let l = crate::list(done.into_iter().map(|(k, x)| crate::tuple(vec![k, x])).collect());
                    return crate::call::call(p, vec![l], vec![]);
                }
                let nd = crate::dict(done)?;
                match hook {
                    Some(h) => crate::call::call(h, vec![nd], vec![]),
                    None => Ok(nd),
                }
            }
            _ => Ok(v),
        }
    }
    walk(v, &hook, &pairs)
}

pub fn json_module() -> Value {
    let m = crate::rtsys::new_module("json", "");
    let set = |n: &str, v: Value| crate::rtsys::mod_set(&m, n, v);
    set("JSONDecodeError", decode_error_class());
    set("loads", nat("loads", |a, kw| {
        let s = match &a[0] {
            Value::Str(s) => s.s.clone(),
            Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
            x => return Err(type_error(format!("the JSON object must be str, bytes or bytearray, not {}", type_name(x)))),
        };
        with_hooks(loads(&s)?, &kw)
    }));
    set("dumps", nat("dumps", |a, kw| Ok(Value::string(dumps(&a[0], &kw)?))));
    set("dump", nat("dump", |a, kw| {
        let s = dumps(&a[0], &kw)?;
        crate::call::call_method(&a[1], "write", vec![Value::string(s)], vec![])?;
        Ok(Value::None)
    }));
    set("load", nat("load", |a, kw| {
        let s = crate::call::call_method(&a[0], "read", vec![], vec![])?;
        with_hooks(loads(&ops::to_str(&s)?)?, &kw)
    }));
    m
}
