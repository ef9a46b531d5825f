//! The `re` module: a backtracking regular-expression engine with Python's
//! syntax and match semantics.
//!
//! Patterns are parsed into a small node tree and matched over the text as
//! a slice of chars (Python indexes by code point) in continuation-passing
//! style, which gives exact backtracking order for alternation and greedy/
//! lazy quantifiers.  Single-character repeats (`\d+`, `[^"]*`, `.*?`) are
//! matched iteratively.  Supported: classes, escapes \d\w\s\b\B\A\Z, groups
//! (capturing, non-capturing, named), backreferences, lookaround, flags
//! I/M/S/X (also inline and scoped), and the module API (compile, match,
//! search, fullmatch, findall, finditer, sub, subn, split, escape).

use crate::object::*;
use crate::ops;
use crate::value::*;
use std::cell::RefCell;
use std::rc::Rc;

const F_I: i64 = 2;
const F_M: i64 = 8;
const F_S: i64 = 16;
const F_X: i64 = 64;

#[derive(Clone, Debug)]
enum Item {
    Ch(char),
    Range(char, char),
    Digit(bool),
    Word(bool),
    Space(bool),
}

#[derive(Clone, Debug)]
enum Node {
    Empty,
    Ch(char, bool),
    Any(bool),
    Class(Vec<Item>, bool, bool),
    Bol(bool),
    Eol(bool),
    StrStart,
    StrEnd,
    WordB(bool),
    Group(Option<usize>, Box<Node>),
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    Repeat(Box<Node>, usize, usize, bool),
    Backref(usize, bool),
    Look(Box<Node>, bool, bool),
}

struct Parser<'a> {
    c: &'a [char],
    i: usize,
    flags: i64,
    ngroups: usize,
    names: Vec<(String, usize)>,
}

fn re_err(msg: &str) -> PyErr {
    new_exc("ValueError", msg)
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}
fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric())
}
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c') || (!c.is_ascii() && c.is_whitespace())
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<char> {
        self.c.get(self.i).copied()
    }
    fn skip_x(&mut self) {
        if self.flags & F_X != 0 {
            loop {
                match self.peek() {
                    Some(c) if c.is_whitespace() => self.i += 1,
                    Some('#') => {
                        while let Some(c) = self.peek() {
                            self.i += 1;
                            if c == '\n' {
                                break;
                            }
                        }
                    }
                    _ => break,
                }
            }
        }
    }
    fn alt(&mut self) -> PyResult<Node> {
        let mut branches = vec![self.concat()?];
        while self.peek() == Some('|') {
            self.i += 1;
            branches.push(self.concat()?);
        }
        Ok(if branches.len() == 1 { branches.pop().unwrap() } else { Node::Alt(branches) })
    }
    fn concat(&mut self) -> PyResult<Node> {
        let mut items = Vec::new();
        loop {
            self.skip_x();
            match self.peek() {
                None | Some('|') | Some(')') => break,
                _ => {}
            }
            let atom = self.atom()?;
            self.skip_x();
            let atom = self.quant(atom)?;
            items.push(atom);
        }
        Ok(if items.len() == 1 { items.pop().unwrap() } else { Node::Concat(items) })
    }
    fn number(&mut self) -> Option<usize> {
        let st = self.i;
        while self.peek().map(|c| c.is_ascii_digit()).unwrap_or(false) {
            self.i += 1;
        }
        if self.i == st {
            None
        } else {
            self.c[st..self.i].iter().collect::<String>().parse().ok()
        }
    }
    fn quant(&mut self, atom: Node) -> PyResult<Node> {
        let (min, max) = match self.peek() {
            Some('*') => {
                self.i += 1;
                (0, usize::MAX)
            }
            Some('+') => {
                self.i += 1;
                (1, usize::MAX)
            }
            Some('?') => {
                self.i += 1;
                (0, 1)
            }
            Some('{') => {
                let save = self.i;
                self.i += 1;
                let lo = self.number();
                let r = if self.peek() == Some(',') {
                    self.i += 1;
                    let hi = self.number();
                    (lo.unwrap_or(0), hi.unwrap_or(usize::MAX))
                } else {
                    match lo {
                        Some(n) => (n, n),
                        None => {
                            self.i = save;
                            return Ok(atom);
                        }
                    }
                };
                if self.peek() != Some('}') {
                    self.i = save;
                    return Ok(atom);
                }
                self.i += 1;
                r
            }
            _ => return Ok(atom),
        };
        if matches!(atom, Node::Bol(_) | Node::Eol(_) | Node::Empty) {
            return Err(re_err("nothing to repeat"));
        }
        let greedy = if self.peek() == Some('?') {
            self.i += 1;
            false
        } else {
            true
        };
        if self.peek() == Some('+') {
            self.i += 1; // possessive: treat as greedy
        }
        Ok(Node::Repeat(Box::new(atom), min, max, greedy))
    }
    fn escape_item(&mut self) -> PyResult<Result<Item, Node>> {
        let c = self.peek().ok_or_else(|| re_err("bad escape (end of pattern)"))?;
        self.i += 1;
        let ic = self.flags & F_I != 0;
        Ok(match c {
            'd' => Ok(Item::Digit(false)),
            'D' => Ok(Item::Digit(true)),
            'w' => Ok(Item::Word(false)),
            'W' => Ok(Item::Word(true)),
            's' => Ok(Item::Space(false)),
            'S' => Ok(Item::Space(true)),
            'n' => Ok(Item::Ch('\n')),
            't' => Ok(Item::Ch('\t')),
            'r' => Ok(Item::Ch('\r')),
            'f' => Ok(Item::Ch('\x0c')),
            'v' => Ok(Item::Ch('\x0b')),
            'a' => Ok(Item::Ch('\x07')),
            '0' => Ok(Item::Ch('\0')),
            'x' => {
                let h: String = self.c[self.i..(self.i + 2).min(self.c.len())].iter().collect();
                self.i += 2;
                Ok(Item::Ch(char::from_u32(u32::from_str_radix(&h, 16).map_err(|_| re_err("bad escape \\x"))?).unwrap_or('\0')))
            }
            'u' => {
                let h: String = self.c[self.i..(self.i + 4).min(self.c.len())].iter().collect();
                self.i += 4;
                Ok(Item::Ch(char::from_u32(u32::from_str_radix(&h, 16).map_err(|_| re_err("bad escape \\u"))?).unwrap_or('\0')))
            }
            'b' => Err(Node::WordB(true)),
            'B' => Err(Node::WordB(false)),
            'A' => Err(Node::StrStart),
            'Z' => Err(Node::StrEnd),
            '1'..='9' => {
                let mut n = c.to_digit(10).unwrap() as usize;
                if let Some(d) = self.peek().and_then(|d| d.to_digit(10)) {
                    n = n * 10 + d as usize;
                    self.i += 1;
                }
                Err(Node::Backref(n, ic))
            }
            c if c.is_ascii_alphanumeric() => return Err(re_err(&format!("bad escape \\{}", c))),
            c => Ok(Item::Ch(c)),
        })
    }
    fn class(&mut self) -> PyResult<Node> {
        let mut neg = false;
        if self.peek() == Some('^') {
            neg = true;
            self.i += 1;
        }
        let mut items = Vec::new();
        let mut first = true;
        loop {
            let c = self.peek().ok_or_else(|| re_err("unterminated character set"))?;
            if c == ']' && !first {
                self.i += 1;
                break;
            }
            first = false;
            self.i += 1;
            let item = if c == '\\' {
                match self.escape_item()? {
                    Ok(it) => it,
                    Err(Node::WordB(true)) => Item::Ch('\x08'),
                    Err(_) => return Err(re_err("bad escape in class")),
                }
            } else {
                Item::Ch(c)
            };
            if let Item::Ch(lo) = item {
                if self.peek() == Some('-') && self.c.get(self.i + 1).map(|&x| x != ']').unwrap_or(false) {
                    self.i += 1;
                    let hc = self.peek().unwrap();
                    self.i += 1;
                    let hi = if hc == '\\' {
                        match self.escape_item()? {
                            Ok(Item::Ch(h)) => h,
                            _ => return Err(re_err("bad character range")),
                        }
                    } else {
                        hc
                    };
                    if hi < lo {
                        return Err(re_err("bad character range"));
                    }
                    items.push(Item::Range(lo, hi));
                    continue;
                }
            }
            items.push(item);
        }
        Ok(Node::Class(items, neg, self.flags & F_I != 0))
    }
    fn atom(&mut self) -> PyResult<Node> {
        let c = self.peek().unwrap();
        self.i += 1;
        let ic = self.flags & F_I != 0;
        Ok(match c {
            '.' => Node::Any(self.flags & F_S != 0),
            '^' => Node::Bol(self.flags & F_M != 0),
            '$' => Node::Eol(self.flags & F_M != 0),
            '[' => self.class()?,
            '\\' => match self.escape_item()? {
                Ok(Item::Ch(ch)) => Node::Ch(ch, ic),
                Ok(it) => Node::Class(vec![it], false, ic),
                Err(n) => n,
            },
            '(' => self.group()?,
            '*' | '+' | '?' => return Err(re_err(&format!("nothing to repeat at position {}", self.i - 1))),
            c => Node::Ch(c, ic),
        })
    }
    fn group(&mut self) -> PyResult<Node> {
        let start = self.i - 1; // the '(' (CPython's position in the error)
        if self.peek() == Some('?') {
            self.i += 1;
            let c = self.peek().ok_or_else(|| re_err("unexpected end of pattern"))?;
            match c {
                ':' => {
                    self.i += 1;
                    let n = self.alt()?;
                    self.close(start)?;
                    return Ok(Node::Group(None, Box::new(n)));
                }
                'P' => {
                    self.i += 1;
                    if self.peek() == Some('<') {
                        self.i += 1;
                        let st = self.i;
                        while self.peek().map(|c| c != '>').unwrap_or(false) {
                            self.i += 1;
                        }
                        let name: String = self.c[st..self.i].iter().collect();
                        self.i += 1;
                        self.ngroups += 1;
                        let idx = self.ngroups;
                        self.names.push((name, idx));
                        let n = self.alt()?;
                        self.close(start)?;
                        return Ok(Node::Group(Some(idx), Box::new(n)));
                    }
                    if self.peek() == Some('=') {
                        self.i += 1;
                        let st = self.i;
                        while self.peek().map(|c| c != ')').unwrap_or(false) {
                            self.i += 1;
                        }
                        let name: String = self.c[st..self.i].iter().collect();
                        self.i += 1;
                        let idx = self.names.iter().find(|(n, _)| *n == name).map(|(_, i)| *i).ok_or_else(|| re_err("unknown group name"))?;
                        return Ok(Node::Backref(idx, self.flags & F_I != 0));
                    }
                    return Err(re_err("unknown extension ?P"));
                }
                '=' | '!' => {
                    self.i += 1;
                    let n = self.alt()?;
                    self.close(start)?;
                    return Ok(Node::Look(Box::new(n), true, c == '!'));
                }
                '<' => {
                    self.i += 1;
                    let c2 = self.peek();
                    if c2 == Some('=') || c2 == Some('!') {
                        self.i += 1;
                        let n = self.alt()?;
                        self.close(start)?;
                        return Ok(Node::Look(Box::new(n), false, c2 == Some('!')));
                    }
                    // (?<name>...) is 3.12+ syntax but harmless to accept
                    let st = self.i;
                    while self.peek().map(|c| c != '>').unwrap_or(false) {
                        self.i += 1;
                    }
                    let name: String = self.c[st..self.i].iter().collect();
                    self.i += 1;
                    self.ngroups += 1;
                    let idx = self.ngroups;
                    self.names.push((name, idx));
                    let n = self.alt()?;
                    self.close(start)?;
                    return Ok(Node::Group(Some(idx), Box::new(n)));
                }
                '#' => {
                    while self.peek().map(|c| c != ')').unwrap_or(false) {
                        self.i += 1;
                    }
                    self.i += 1;
                    return Ok(Node::Empty);
                }
                _ => {
                    // inline flags (?imsx) or scoped (?i:...)
                    let mut on = 0;
                    let mut off = 0;
                    let mut neg = false;
                    while let Some(f) = self.peek() {
                        let bit = match f {
                            'i' => F_I,
                            'm' => F_M,
                            's' => F_S,
                            'x' => F_X,
                            'a' | 'u' | 'L' => 0,
                            '-' => {
                                neg = true;
                                self.i += 1;
                                continue;
                            }
                            _ => break,
                        };
                        if neg {
                            off |= bit;
                        } else {
                            on |= bit;
                        }
                        self.i += 1;
                    }
                    match self.peek() {
                        Some(')') => {
                            self.i += 1;
                            self.flags |= on;
                            return Ok(Node::Empty);
                        }
                        Some(':') => {
                            self.i += 1;
                            let saved = self.flags;
                            self.flags = (self.flags | on) & !off;
                            let n = self.alt()?;
                            self.flags = saved;
                            self.close(start)?;
                            return Ok(Node::Group(None, Box::new(n)));
                        }
                        _ => return Err(re_err("unknown extension")),
                    }
                }
            }
        }
        self.ngroups += 1;
        let idx = self.ngroups;
        let n = self.alt()?;
        self.close(start)?;
        Ok(Node::Group(Some(idx), Box::new(n)))
    }
    fn close(&mut self, start: usize) -> PyResult<()> {
        if self.peek() != Some(')') {
            return Err(re_err(&format!("missing ), unterminated subpattern at position {}", start)));
        }
        self.i += 1;
        Ok(())
    }
}

pub struct Regex {
    node: Node,
    pub ngroups: usize,
    pub names: Vec<(String, usize)>,
    pub flags: i64,
    /// compiled from a bytes pattern: matches bytes (as latin-1 chars) only
    pub bytes: bool,
}

pub fn compile(pat: &str, flags: i64) -> PyResult<Regex> {
    let c: Vec<char> = pat.chars().collect();
    // global inline flags anywhere apply to the whole pattern
    let mut p = Parser { c: &c, i: 0, flags, ngroups: 0, names: Vec::new() };
    let node = p.alt()?;
    if p.i < c.len() {
        return Err(re_err(&format!("unbalanced parenthesis at position {}", p.i)));
    }
    let fl = p.flags;
    // re-parse if inline flags changed the global flags after the start
    if fl != flags {
        let mut p2 = Parser { c: &c, i: 0, flags: fl, ngroups: 0, names: Vec::new() };
        let node2 = p2.alt()?;
        return Ok(Regex { node: node2, ngroups: p2.ngroups, names: p2.names, flags: fl, bytes: false });
    }
    Ok(Regex { node, ngroups: p.ngroups, names: p.names, flags: fl, bytes: false })
}

struct M<'t> {
    t: &'t [char],
    caps: Vec<Option<(usize, usize)>>,
    steps: usize,
}

fn fold_eq(a: char, b: char) -> bool {
    a == b || a.to_lowercase().eq(b.to_lowercase())
}

fn item_match(it: &Item, c: char, ic: bool) -> bool {
    match it {
        Item::Ch(x) => {
            if ic {
                fold_eq(*x, c)
            } else {
                *x == c
            }
        }
        Item::Range(lo, hi) => {
            if (*lo..=*hi).contains(&c) {
                return true;
            }
            if ic {
                let l: Vec<char> = c.to_lowercase().collect();
                let u: Vec<char> = c.to_uppercase().collect();
                return l.iter().chain(u.iter()).any(|x| (*lo..=*hi).contains(x));
            }
            false
        }
        Item::Digit(n) => is_digit(c) != *n,
        Item::Word(n) => is_word(c) != *n,
        Item::Space(n) => is_space(c) != *n,
    }
}

impl<'t> M<'t> {
    fn single(&self, n: &Node, pos: usize) -> Option<bool> {
        let c = self.t.get(pos).copied();
        Some(match n {
            Node::Ch(x, ic) => c.map(|c| if *ic { fold_eq(*x, c) } else { *x == c }).unwrap_or(false),
            Node::Any(dotall) => c.map(|c| *dotall || c != '\n').unwrap_or(false),
            Node::Class(items, neg, ic) => c.map(|c| items.iter().any(|it| item_match(it, c, *ic)) != *neg).unwrap_or(false),
            _ => return None,
        })
    }
    fn m(&mut self, n: &Node, pos: usize, k: &mut dyn FnMut(&mut M<'t>, usize) -> bool) -> bool {
        self.steps += 1;
        if self.steps > 5_000_000 {
            return false;
        }
        let len = self.t.len();
        match n {
            Node::Empty => k(self, pos),
            Node::Ch(..) | Node::Any(_) | Node::Class(..) => {
                if self.single(n, pos).unwrap() {
                    k(self, pos + 1)
                } else {
                    false
                }
            }
            Node::Bol(multi) => {
                if pos == 0 || (*multi && self.t[pos - 1] == '\n') {
                    k(self, pos)
                } else {
                    false
                }
            }
            Node::Eol(multi) => {
                if pos == len || (pos == len - 1 && self.t[pos] == '\n') || (*multi && self.t[pos] == '\n') {
                    k(self, pos)
                } else {
                    false
                }
            }
            Node::StrStart => pos == 0 && k(self, pos),
            Node::StrEnd => pos == len && k(self, pos),
            Node::WordB(want) => {
                let a = pos > 0 && is_word(self.t[pos - 1]);
                let b = pos < len && is_word(self.t[pos]);
                if (a != b) == *want {
                    k(self, pos)
                } else {
                    false
                }
            }
            Node::Group(idx, inner) => match idx {
                None => self.m(inner, pos, k),
                Some(i) => {
                    let i = *i;
                    let start = pos;
                    self.m(inner, pos, &mut |s: &mut M<'t>, p: usize| {
                        let old = s.caps[i];
                        s.caps[i] = Some((start, p));
                        if k(s, p) {
                            return true;
                        }
                        s.caps[i] = old;
                        false
                    })
                }
            },
            Node::Concat(items) => self.seq(items, 0, pos, k),
            Node::Alt(bs) => {
                for b in bs {
                    if self.m(b, pos, k) {
                        return true;
                    }
                }
                false
            }
            Node::Repeat(inner, min, max, greedy) => {
                if self.single(inner, pos).is_some() {
                    // iterative single-character repeat
                    let mut n = 0;
                    while n < *max && self.single(inner, pos + n).unwrap() {
                        n += 1;
                    }
                    if n < *min {
                        return false;
                    }
                    if *greedy {
                        let mut i = n;
                        loop {
                            if k(self, pos + i) {
                                return true;
                            }
                            if i == *min {
                                return false;
                            }
                            i -= 1;
                        }
                    } else {
                        for i in *min..=n {
                            if k(self, pos + i) {
                                return true;
                            }
                        }
                        return false;
                    }
                }
                self.rep(inner, *min, *max, *greedy, 0, pos, k)
            }
            Node::Backref(i, ic) => match self.caps.get(*i).copied().flatten() {
                Some((s, e)) => {
                    let l = e - s;
                    if pos + l > len {
                        return false;
                    }
                    for j in 0..l {
                        let (a, b) = (self.t[s + j], self.t[pos + j]);
                        if !(a == b || (*ic && fold_eq(a, b))) {
                            return false;
                        }
                    }
                    k(self, pos + l)
                }
                None => false,
            },
            Node::Look(inner, ahead, negate) => {
                let saved = self.caps.clone();
                let found = if *ahead {
                    self.m(inner, pos, &mut |_, _| true)
                } else {
                    let mut ok = false;
                    for st in (0..=pos).rev() {
                        if self.m(inner, st, &mut |_, p| p == pos) {
                            ok = true;
                            break;
                        }
                    }
                    ok
                };
                if found == *negate {
                    self.caps = saved;
                    return false;
                }
                if *negate {
                    self.caps = saved;
                }
                k(self, pos)
            }
        }
    }
    fn seq(&mut self, items: &[Node], i: usize, pos: usize, k: &mut dyn FnMut(&mut M<'t>, usize) -> bool) -> bool {
        if i == items.len() {
            return k(self, pos);
        }
        self.m(&items[i], pos, &mut |s: &mut M<'t>, p: usize| s.seq(items, i + 1, p, k))
    }
    #[allow(clippy::too_many_arguments)]
    fn rep(&mut self, inner: &Node, min: usize, max: usize, greedy: bool, count: usize, pos: usize, k: &mut dyn FnMut(&mut M<'t>, usize) -> bool) -> bool {
        if !greedy && count >= min && k(self, pos) {
            return true;
        }
        if count < max {
            let ok = self.m(inner, pos, &mut |s: &mut M<'t>, p: usize| {
                if p == pos && count >= min {
                    return false;
                }
                s.rep(inner, min, max, greedy, count + 1, p, k)
            });
            if ok {
                return true;
            }
        }
        greedy && count >= min && k(self, pos)
    }
}

/// Match at exactly `start`; returns the group spans (group 0 first).
fn match_at(re: &Regex, t: &[char], start: usize, full: bool, not_empty: bool) -> Option<Vec<Option<(usize, usize)>>> {
    let mut m = M { t, caps: vec![None; re.ngroups + 1], steps: 0 };
    let mut end = None;
    let len = t.len();
    let ok = m.m(&re.node, start, &mut |_, p| {
        if full && p != len {
            return false;
        }
        if not_empty && p == start {
            return false;
        }
        end = Some(p);
        true
    });
    if ok {
        let mut caps = m.caps;
        caps[0] = Some((start, end.unwrap()));
        Some(caps)
    } else {
        None
    }
}

fn search(re: &Regex, t: &[char], from: usize, no_empty_at: Option<usize>) -> Option<Vec<Option<(usize, usize)>>> {
    for s in from..=t.len() {
        if let Some(c) = match_at(re, t, s, false, no_empty_at == Some(s)) {
            return Some(c);
        }
    }
    None
}

fn all_matches(re: &Regex, t: &[char], limit: usize) -> Vec<Vec<Option<(usize, usize)>>> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut no_empty: Option<usize> = None;
    while pos <= t.len() {
        if limit > 0 && out.len() >= limit {
            break;
        }
        match search(re, t, pos, no_empty) {
            Some(c) => {
                let (s, e) = c[0].unwrap();
                no_empty = if s == e { Some(e) } else { None };
                pos = e;
                out.push(c);
            }
            None => break,
        }
    }
    out
}

// ---------------------------------------------------------------- Python objects

thread_local! {
    static CLASSES: RefCell<Option<(Value, Value)>> = RefCell::new(None);
}

fn meth(name: &'static str, f: impl Fn(Vec<Value>, Kw) -> PyResult<Value> + 'static) -> Value {
    native(name, true, f)
}
fn nat(name: &'static str, f: impl Fn(Vec<Value>, Kw) -> PyResult<Value> + 'static) -> Value {
    native(name, false, f)
}

struct CompiledRef(Rc<Regex>);

thread_local! {
    static REGEXES: RefCell<Vec<Rc<Regex>>> = RefCell::new(Vec::new());
}

fn regex_of(p: &Value) -> PyResult<Rc<Regex>> {
    let i = as_inst(p).ok_or_else(|| type_error("expected a Pattern".into()))?;
    let idx = i.payload.borrow().as_i64().unwrap_or(-1);
    REGEXES.with(|r| r.borrow().get(idx as usize).cloned()).ok_or_else(|| type_error("bad Pattern".into()))
}

fn dget(o: &Value, k: &str) -> Value {
    as_inst(o).and_then(|i| i.dict.borrow().get(k)).unwrap_or(Value::None)
}

fn chars_of(v: &Value) -> PyResult<(Rc<Vec<char>>, Value)> {
    match v {
        Value::Str(s) => Ok((Rc::new(s.s.chars().collect()), v.clone())),
        // bytes-like subjects are matched as latin-1 text
        _ => match crate::ext::bytesx::bytes_like(v) {
            Some(b) => Ok((Rc::new(b.iter().map(|&c| c as char).collect()), v.clone())),
            None => Err(type_error(format!("expected string or bytes-like object, got '{}'", type_name(v)))),
        },
    }
}

/// The subject of a match with the pattern's kind checked (CPython's
/// TypeErrors for a str pattern on bytes and the reverse); true for bytes.
fn subject(re: &Regex, v: &Value) -> PyResult<(Rc<Vec<char>>, Value, bool)> {
    let (t, tv) = chars_of(v)?;
    let b = !matches!(v, Value::Str(_));
    if b && !re.bytes {
        return Err(type_error("cannot use a string pattern on a bytes-like object".into()));
    }
    if !b && re.bytes {
        return Err(type_error("cannot use a bytes pattern on a string-like object".into()));
    }
    Ok((t, tv, b))
}

fn substr(t: &[char], s: usize, e: usize, b: bool) -> Value {
    if b {
        let v: Vec<u8> = t[s..e].iter().map(|&c| c as u32 as u8).collect();
        return crate::bytes(&v);
    }
    Value::string(t[s..e].iter().collect())
}

/// A replacement or group as text: bytes as latin-1 chars.
fn text_of(v: &Value) -> PyResult<String> {
    match v {
        Value::Str(s) => Ok(s.s.clone()),
        _ => match crate::ext::bytesx::bytes_like(v) {
            Some(b) => Ok(b.iter().map(|&c| c as char).collect()),
            None => ops::to_str(v),
        },
    }
}

fn make_match(pat: &Value, text: &Value, t: &[char], caps: Vec<Option<(usize, usize)>>) -> Value {
    let (_, mcls) = classes();
    let m = new_instance(&mcls);
    if let Some(i) = as_inst(&m) {
        let mut d = i.dict.borrow_mut();
        d.set("re", pat.clone());
        d.set("string", text.clone());
        let spans: Vec<Value> = caps
            .iter()
            .map(|c| match c {
                Some((s, e)) => crate::tuple(vec![Value::Int(*s as i64), Value::Int(*e as i64)]),
                None => crate::tuple(vec![Value::Int(-1), Value::Int(-1)]),
            })
            .collect();
        let b = !matches!(text, Value::Str(_));
        let groups: Vec<Value> = caps.iter().map(|c| match c {
            Some((s, e)) => substr(t, *s, *e, b),
            None => Value::None,
        }).collect();
        d.set("_spans", crate::list(spans));
        d.set("_groups", crate::list(groups));
        d.set("pos", Value::Int(0));
        d.set("endpos", Value::Int(t.len() as i64));
        let last = caps.iter().enumerate().skip(1).filter(|(_, c)| c.is_some()).map(|(i, _)| i).max();
        d.set("lastindex", last.map(|l| Value::Int(l as i64)).unwrap_or(Value::None));
        // the name of the last matched group, where it has one
        let lastgroup = last.and_then(|l| {
            regex_of(pat).ok().and_then(|re| re.names.iter().find(|(_, i)| *i == l).map(|(n, _)| Value::str(n)))
        });
        d.set("lastgroup", lastgroup.unwrap_or(Value::None));
    }
    m
}

fn group_index(m: &Value, g: &Value) -> PyResult<usize> {
    let re = regex_of(&dget(m, "re"))?;
    match g {
        Value::Int(i) if *i >= 0 && (*i as usize) <= re.ngroups => Ok(*i as usize),
        Value::Str(s) => re.names.iter().find(|(n, _)| *n == s.s).map(|(_, i)| *i).ok_or_else(|| new_exc("IndexError", "no such group")),
        _ => Err(new_exc("IndexError", "no such group")),
    }
}

fn mgroup(m: &Value, g: &Value) -> PyResult<Value> {
    let i = group_index(m, g)?;
    crate::attr::getitem(&dget(m, "_groups"), &Value::Int(i as i64))
}

fn mspan(m: &Value, g: Option<&Value>) -> PyResult<(i64, i64)> {
    let i = match g {
        Some(g) => group_index(m, g)?,
        None => 0,
    };
    let sp = crate::iter::collect(&crate::attr::getitem(&dget(m, "_spans"), &Value::Int(i as i64))?)?;
    Ok((sp[0].as_i64().unwrap(), sp[1].as_i64().unwrap()))
}

fn expand(m: &Value, tpl: &str) -> PyResult<String> {
    let c: Vec<char> = tpl.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < c.len() {
        if c[i] != '\\' || i + 1 >= c.len() {
            out.push(c[i]);
            i += 1;
            continue;
        }
        let n = c[i + 1];
        i += 2;
        match n {
            'g' if i < c.len() && c[i] == '<' => {
                let st = i + 1;
                let mut j = st;
                while j < c.len() && c[j] != '>' {
                    j += 1;
                }
                let name: String = c[st..j].iter().collect();
                i = j + 1;
                let key = match name.parse::<i64>() {
                    Ok(k) => Value::Int(k),
                    Err(_) => Value::string(name),
                };
                let g = mgroup(m, &key)?;
                if !g.is_none() {
                    out.push_str(&text_of(&g)?);
                }
            }
            '0'..='9' => {
                let mut num = n.to_digit(10).unwrap() as i64;
                if i < c.len() && c[i].is_ascii_digit() {
                    num = num * 10 + c[i].to_digit(10).unwrap() as i64;
                    i += 1;
                }
                let g = mgroup(m, &Value::Int(num)).map_err(|_| re_err(&format!("invalid group reference {}", num)))?;
                if !g.is_none() {
                    out.push_str(&text_of(&g)?);
                }
            }
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '\\' => out.push('\\'),
            c2 if c2.is_ascii_alphabetic() => return Err(re_err(&format!("bad escape \\{}", c2))),
            c2 => {
                out.push('\\');
                out.push(c2);
            }
        }
    }
    Ok(out)
}

fn classes() -> (Value, Value) {
    if let Some(v) = CLASSES.with(|c| c.borrow().clone()) {
        return v;
    }
    let mcls = crate::stdlib::heapq_bisect_itertools_functools::rt_class("Match", "re", vec![], vec![
        ("group", meth("group", |a, _| {
            if a.len() <= 1 {
                return mgroup(&a[0], &Value::Int(0));
            }
            if a.len() == 2 {
                return mgroup(&a[0], &a[1]);
            }
            let mut out = Vec::new();
            for g in &a[1..] {
                out.push(mgroup(&a[0], g)?);
            }
            Ok(crate::tuple(out))
        })),
        ("__getitem__", meth("__getitem__", |a, _| mgroup(&a[0], &a[1]))),
        ("groups", meth("groups", |a, kw| {
            let dflt = a.get(1).cloned().or_else(|| kw.iter().find(|(k, _)| k == "default").map(|(_, v)| v.clone())).unwrap_or(Value::None);
            let g = crate::iter::collect(&dget(&a[0], "_groups"))?;
            Ok(crate::tuple(g.into_iter().skip(1).map(|x| if x.is_none() { dflt.clone() } else { x }).collect()))
        })),
        ("groupdict", meth("groupdict", |a, _| {
            let dflt = a.get(1).cloned().unwrap_or(Value::None);
            let re = regex_of(&dget(&a[0], "re"))?;
            let mut items = Vec::new();
            for (n, i) in re.names.iter() {
                let g = crate::attr::getitem(&dget(&a[0], "_groups"), &Value::Int(*i as i64))?;
                items.push((Value::str(n), if g.is_none() { dflt.clone() } else { g }));
            }
            crate::dict(items)
        })),
        ("start", meth("start", |a, _| Ok(Value::Int(mspan(&a[0], a.get(1))?.0)))),
        ("end", meth("end", |a, _| Ok(Value::Int(mspan(&a[0], a.get(1))?.1)))),
        ("span", meth("span", |a, _| {
            let (s, e) = mspan(&a[0], a.get(1))?;
            Ok(crate::tuple(vec![Value::Int(s), Value::Int(e)]))
        })),
        ("expand", meth("expand", |a, _| Ok(Value::string(expand(&a[0], &ops::to_str(&a[1])?)?)))),
        ("__bool__", meth("__bool__", |_, _| Ok(Value::Bool(true)))),
        ("__repr__", meth("__repr__", |a, _| {
            let (s, e) = mspan(&a[0], None)?;
            let g = mgroup(&a[0], &Value::Int(0))?;
            Ok(Value::string(format!("<re.Match object; span=({}, {}), match={}>", s, e, ops::repr(&g)?)))
        })),
    ]);
    let pcls = crate::stdlib::heapq_bisect_itertools_functools::rt_class("Pattern", "re", vec![], vec![
        ("match", meth("match", |a, kw| pat_match_kw(&a, &kw, 0))),
        ("fullmatch", meth("fullmatch", |a, kw| pat_match_kw(&a, &kw, 2))),
        ("search", meth("search", |a, kw| pat_match_kw(&a, &kw, 1))),
        ("findall", meth("findall", |a, _| findall(&a[0], &a[1]))),
        ("finditer", meth("finditer", |a, _| finditer(&a[0], &a[1]))),
        ("sub", meth("sub", |a, kw| subn(&a[0], &a[1], &a[2], count_arg(&a, 3, &kw)?, false))),
        ("subn", meth("subn", |a, kw| subn(&a[0], &a[1], &a[2], count_arg(&a, 3, &kw)?, true))),
        ("split", meth("split", |a, kw| {
            let ms = a.get(2).cloned().or_else(|| kw.iter().find(|(k, _)| k == "maxsplit").map(|(_, v)| v.clone()));
            split(&a[0], &a[1], ms.and_then(|v| v.as_i64()).unwrap_or(0))
        })),
        ("__repr__", meth("__repr__", |a, _| {
            let f = dget(&a[0], "flags").as_i64().unwrap_or(0) & !32;
            let mut s = format!("re.compile({}", ops::repr(&dget(&a[0], "pattern"))?);
            if f != 0 {
                let mut names = Vec::new();
                for (bit, n) in [(F_I, "re.IGNORECASE"), (F_M, "re.MULTILINE"), (F_S, "re.DOTALL"), (F_X, "re.VERBOSE")] {
                    if f & bit != 0 {
                        names.push(n);
                    }
                }
                s.push_str(&format!(", {}", names.join("|")));
            }
            s.push(')');
            Ok(Value::string(s))
        })),
    ]);
    let v = (pcls, mcls);
    CLASSES.with(|c| *c.borrow_mut() = Some(v.clone()));
    v
}

fn count_arg(a: &[Value], i: usize, kw: &Kw) -> PyResult<usize> {
    let v = a.get(i).cloned().or_else(|| kw.iter().find(|(k, _)| k == "count").map(|(_, v)| v.clone()));
    Ok(v.and_then(|v| v.as_i64()).unwrap_or(0).max(0) as usize)
}

pub fn compile_value(pat: &Value, flags: i64) -> PyResult<Value> {
    if let Some(i) = as_inst(pat) {
        if i.dict.borrow().contains("pattern") && i.dict.borrow().contains("groupindex") {
            return Ok(pat.clone());
        }
    }
    let (ps, is_bytes) = match pat {
        Value::Str(s) => (s.s.clone(), false),
        Value::Bytes(b) => (b.iter().map(|&c| c as char).collect(), true),
        _ => return Err(type_error("first argument must be string or compiled pattern".into())),
    };
    let mut re = compile(&ps, flags)?;
    re.bytes = is_bytes;
    let (pcls, _) = classes();
    let p = new_instance(&pcls);
    let groupindex = crate::dict(re.names.iter().map(|(n, i)| (Value::str(n), Value::Int(*i as i64))).collect())?;
    let ng = re.ngroups;
    let fl = if is_bytes { re.flags } else { re.flags | 32 };
    let idx = REGEXES.with(|r| {
        r.borrow_mut().push(Rc::new(re));
        r.borrow().len() - 1
    });
    if let Some(i) = as_inst(&p) {
        *i.payload.borrow_mut() = Value::Int(idx as i64);
        let mut d = i.dict.borrow_mut();
        d.set("pattern", pat.clone());
        d.set("flags", Value::Int(fl));
        d.set("groups", Value::Int(ng as i64));
        d.set("groupindex", groupindex);
    }
    let _ = CompiledRef;
    Ok(p)
}

fn pat_match(p: &Value, text: &Value, mode: u8) -> PyResult<Value> {
    pat_match_at(p, text, mode, None, None)
}

/// Pattern.match/fullmatch/search(string, pos, endpos): the string as if it
/// ended at endpos, the match tried from pos (`^` still means the string's
/// real start, as in CPython).
fn pat_match_at(p: &Value, text: &Value, mode: u8, pos: Option<&Value>, endpos: Option<&Value>) -> PyResult<Value> {
    let re = regex_of(p)?;
    let (t, tv, _) = subject(&re, text)?;
    let n = t.len() as i64;
    let int = |v: Option<&Value>, d: i64| -> PyResult<i64> {
        match v {
            None => Ok(d),
            Some(x) => x.as_i64().ok_or_else(|| type_error(format!("'{}' object cannot be interpreted as an integer", type_name(x)))),
        }
    };
    let pos = int(pos, 0)?.clamp(0, n) as usize;
    let endpos = int(endpos, n)?.clamp(0, n) as usize;
    if endpos < pos {
        return Ok(Value::None);
    }
    let tt = &t[..endpos];
    let caps = match mode {
        0 => match_at(&re, tt, pos, false, false),
        2 => match_at(&re, tt, pos, true, false),
        _ => search(&re, tt, pos, None),
    };
    Ok(match caps {
        Some(c) => make_match(p, &tv, &t, c),
        None => Value::None,
    })
}

fn pat_match_kw(a: &[Value], kw: &Kw, mode: u8) -> PyResult<Value> {
    let get = |i: usize, name: &str| a.get(i).cloned().or_else(|| kw.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()));
    let text = get(1, "string").ok_or_else(|| type_error("missing required argument 'string' (pos 1)".into()))?;
    let (pos, endpos) = (get(2, "pos"), get(3, "endpos"));
    pat_match_at(&a[0], &text, mode, pos.as_ref(), endpos.as_ref())
}

fn findall(p: &Value, text: &Value) -> PyResult<Value> {
    let re = regex_of(p)?;
    let (t, _, b) = subject(&re, text)?;
    let mut out = Vec::new();
    for caps in all_matches(&re, &t, 0) {
        let g = |i: usize| match caps[i] {
            Some((s, e)) => substr(&t, s, e, b),
            None => substr(&t, 0, 0, b),
        };
        out.push(match re.ngroups {
            0 => g(0),
            1 => g(1),
            n => crate::tuple((1..=n).map(g).collect()),
        });
    }
    Ok(crate::list(out))
}

fn finditer(p: &Value, text: &Value) -> PyResult<Value> {
    let re = regex_of(p)?;
    let (t, tv, _) = subject(&re, text)?;
    let ms: Vec<Value> = all_matches(&re, &t, 0).into_iter().map(|c| make_match(p, &tv, &t, c)).collect();
    crate::iter::iter(&crate::list(ms))
}

fn subn(p: &Value, repl: &Value, text: &Value, count: usize, with_n: bool) -> PyResult<Value> {
    let re = regex_of(p)?;
    let (t, tv, b) = subject(&re, text)?;
    let mut out = String::new();
    let mut last = 0;
    let mut n = 0;
    for caps in all_matches(&re, &t, count) {
        let (s, e) = caps[0].unwrap();
        out.extend(t[last..s].iter());
        let m = make_match(p, &tv, &t, caps);
        match repl {
            Value::Str(r) => out.push_str(&expand(&m, &r.s)?),
            Value::Bytes(r) => out.push_str(&expand(&m, &r.iter().map(|&c| c as char).collect::<String>())?),
            _ => {
                let r = crate::call::call(repl, vec![m], vec![])?;
                out.push_str(&text_of(&r)?);
            }
        }
        last = e;
        n += 1;
    }
    out.extend(t[last..].iter());
    let res = if b {
        crate::bytes(&out.chars().map(|c| c as u32 as u8).collect::<Vec<u8>>())
    } else {
        Value::string(out)
    };
    if with_n {
        Ok(crate::tuple(vec![res, Value::Int(n)]))
    } else {
        Ok(res)
    }
}

fn split(p: &Value, text: &Value, maxsplit: i64) -> PyResult<Value> {
    let re = regex_of(p)?;
    let (t, _, b) = subject(&re, text)?;
    let mut out = Vec::new();
    let mut last = 0;
    for caps in all_matches(&re, &t, maxsplit.max(0) as usize) {
        let (s, e) = caps[0].unwrap();
        out.push(substr(&t, last, s, b));
        for g in caps.iter().skip(1) {
            out.push(match g {
                Some((x, y)) => substr(&t, *x, *y, b),
                None => Value::None,
            });
        }
        last = e;
    }
    out.push(substr(&t, last, t.len(), b));
    Ok(crate::list(out))
}

fn flags_arg(a: &[Value], i: usize, kw: &Kw) -> i64 {
    a.get(i).cloned().or_else(|| kw.iter().find(|(k, _)| k == "flags").map(|(_, v)| v.clone())).and_then(|v| crate::stdlib::collections_string_random::payload(&v).as_i64()).unwrap_or(0)
}

pub fn re_module() -> Value {
    let m = crate::rtsys::new_module("re", "");
    let set = |n: &str, v: Value| crate::rtsys::mod_set(&m, n, v);
    for (n, v) in [("I", F_I), ("IGNORECASE", F_I), ("M", F_M), ("MULTILINE", F_M), ("S", F_S), ("DOTALL", F_S), ("X", F_X), ("VERBOSE", F_X), ("A", 256), ("ASCII", 256), ("U", 32), ("UNICODE", 32)] {
        set(n, Value::Int(v));
    }
    set("error", exc_class("ValueError").unwrap());
    set("compile", nat("compile", |a, kw| compile_value(&a[0], flags_arg(&a, 1, &kw))));
    set("match", nat("match", |a, kw| pat_match(&compile_value(&a[0], flags_arg(&a, 2, &kw))?, &a[1], 0)));
    set("search", nat("search", |a, kw| pat_match(&compile_value(&a[0], flags_arg(&a, 2, &kw))?, &a[1], 1)));
    set("fullmatch", nat("fullmatch", |a, kw| pat_match(&compile_value(&a[0], flags_arg(&a, 2, &kw))?, &a[1], 2)));
    set("findall", nat("findall", |a, kw| findall(&compile_value(&a[0], flags_arg(&a, 2, &kw))?, &a[1])));
    set("finditer", nat("finditer", |a, kw| finditer(&compile_value(&a[0], flags_arg(&a, 2, &kw))?, &a[1])));
    set("sub", nat("sub", |a, kw| subn(&compile_value(&a[0], flags_arg(&a, 4, &kw))?, &a[1], &a[2], count_arg(&a, 3, &kw)?, false)));
    set("subn", nat("subn", |a, kw| subn(&compile_value(&a[0], flags_arg(&a, 4, &kw))?, &a[1], &a[2], count_arg(&a, 3, &kw)?, true)));
    set("split", nat("split", |a, kw| {
        let ms = a.get(2).cloned().or_else(|| kw.iter().find(|(k, _)| k == "maxsplit").map(|(_, v)| v.clone()));
        split(&compile_value(&a[0], flags_arg(&a, 3, &kw))?, &a[1], ms.and_then(|v| v.as_i64()).unwrap_or(0))
    }));
    set("escape", nat("escape", |a, _| {
        let s = ops::to_str(&a[0])?;
        let mut out = String::new();
        for c in s.chars() {
            if "()[]{}?*+-|^$\\.&~# \t\n\r\x0b\x0c".contains(c) {
                out.push('\\');
            }
            out.push(c);
        }
        Ok(Value::string(out))
    }));
    set("purge", nat("purge", |_, _| Ok(Value::None)));
    m
}
