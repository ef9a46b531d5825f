//! Standard modules: statistics (exact rational arithmetic like
//! CPython's, so means and variances round the same way), textwrap and
//! io.StringIO.

use crate::bigint::BigInt;
use crate::object::*;
use crate::ops;
use crate::stdlib::heapq_bisect_itertools_functools::rt_class;
use crate::value::*;
use std::cmp::Ordering;

fn nat(name: &'static str, f: impl Fn(Vec<Value>, Kw) -> PyResult<Value> + 'static) -> Value {
    native(name, false, f)
}
fn meth(name: &'static str, f: impl Fn(Vec<Value>, Kw) -> PyResult<Value> + 'static) -> Value {
    native(name, true, f)
}

// ---------------------------------------------------------------- statistics

thread_local! {
    static STAT_ERR: std::cell::RefCell<Option<Value>> = std::cell::RefCell::new(None);
}

fn stat_err(msg: &str) -> PyErr {
    let cls = STAT_ERR.with(|s| s.borrow().clone()).unwrap_or_else(|| {
        let c = rt_class("StatisticsError", "statistics", vec![exc_class("ValueError").unwrap()], vec![]);
        STAT_ERR.with(|s| *s.borrow_mut() = Some(c.clone()));
        c
    });
    let inst = new_instance(&cls);
    set_exc_args(&inst, crate::tuple(vec![Value::str(msg)]));
    raise(inst)
}

/// An exact rational n / d with d > 0.
#[derive(Clone)]
struct Frac {
    n: BigInt,
    d: BigInt,
}

fn one() -> BigInt {
    BigInt::from_i64(1)
}

fn gcd(a: &BigInt, b: &BigInt) -> BigInt {
    let (mut a, mut b) = (a.abs(), b.abs());
    while !b.is_zero() {
        let r = a.divmod(&b).1;
        a = b;
        b = r;
    }
    a
}

impl Frac {
    fn norm(n: BigInt, d: BigInt) -> Frac {
        let g = gcd(&n, &d);
        if g.is_zero() || g == one() {
            return Frac { n, d };
        }
        Frac { n: n.divmod(&g).0, d: d.divmod(&g).0 }
    }
    fn of(v: &Value) -> PyResult<(Frac, bool)> {
        match v {
            Value::Int(_) | Value::Big(_) | Value::Bool(_) => Ok((Frac { n: ops::to_big(v).unwrap(), d: one() }, true)),
            Value::Float(f) => {
                if !f.is_finite() {
                    return Err(value_error("cannot convert non-finite float".into()));
                }
                let bits = f.abs().to_bits();
                let exp = ((bits >> 52) & 0x7ff) as i64;
                let frac = bits & ((1u64 << 52) - 1);
                let (m, e) = if exp == 0 { (frac, -1074) } else { (frac | (1u64 << 52), exp - 1075) };
                let mut n = BigInt::from_u64(m);
                if *f < 0.0 {
                    n = n.neg();
                }
                Ok(if e >= 0 { (Frac { n: n.shl(e as usize), d: one() }, false) } else { (Frac::norm(n, one().shl((-e) as usize)), false) })
            }
            _ => Err(type_error(format!("can't convert type '{}' to numerator/denominator", type_name(v)))),
        }
    }
    fn add(&self, o: &Frac) -> Frac {
        Frac::norm(self.n.mul(&o.d).add(&o.n.mul(&self.d)), self.d.mul(&o.d))
    }
    fn sub(&self, o: &Frac) -> Frac {
        Frac::norm(self.n.mul(&o.d).sub(&o.n.mul(&self.d)), self.d.mul(&o.d))
    }
    fn mul(&self, o: &Frac) -> Frac {
        Frac::norm(self.n.mul(&o.n), self.d.mul(&o.d))
    }
    fn div_int(&self, k: i64) -> Frac {
        let mut n = self.n.clone();
        let mut d = self.d.mul(&BigInt::from_i64(k.abs()));
        if k < 0 {
            n = n.neg();
        }
        if d.neg {
            d = d.neg();
            n = n.neg();
        }
        Frac::norm(n, d)
    }
    /// CPython's _convert: int when exact and all inputs were ints, else float.
    fn convert(&self, all_int: bool) -> PyResult<Value> {
        if all_int && self.d == one() {
            return Ok(ops::int_from_big(self.n.clone()));
        }
        Ok(Value::Float(ops::big_truediv(&self.n, &self.d)?))
    }
}

/// statistics.fmean: fsum(data) / n, two roundings as in CPython (the
/// exact sum rounded once is what math.fsum returns).
fn fmean(data: &[Value]) -> PyResult<f64> {
    let (total, _) = exact_sum(data)?;
    Ok(ops::big_truediv(&total.n, &total.d)? / data.len() as f64)
}

fn data_of(v: &Value) -> PyResult<Vec<Value>> {
    crate::iter::collect(v)
}

fn exact_sum(data: &[Value]) -> PyResult<(Frac, bool)> {
    let mut total = Frac { n: BigInt::zero(), d: one() };
    let mut all_int = true;
    for x in data {
        let (f, is_int) = Frac::of(x)?;
        all_int &= is_int;
        total = total.add(&f);
    }
    Ok((total, all_int))
}

/// Sum of squared deviations from the mean, exactly.
fn exact_ss(data: &[Value]) -> PyResult<(Frac, bool)> {
    let (total, all_int) = exact_sum(data)?;
    let n = data.len() as i64;
    let mean = total.div_int(n);
    let mut ss = Frac { n: BigInt::zero(), d: one() };
    for x in data {
        let (f, _) = Frac::of(x)?;
        let dev = f.sub(&mean);
        ss = ss.add(&dev.mul(&dev));
    }
    Ok((ss, all_int))
}

fn isqrt(n: &BigInt) -> BigInt {
    if n.is_zero() {
        return BigInt::zero();
    }
    let mut x = one().shl(((n.bit_length() + 1) / 2) as usize);
    loop {
        let y = x.add(&n.divmod(&x).0).shr(1);
        if y.cmp(&x) != Ordering::Less {
            return x;
        }
        x = y;
    }
}

/// Correctly rounded float square root of n/m (CPython's _float_sqrt_of_frac).
fn sqrt_frac(n: &BigInt, m: &BigInt) -> PyResult<f64> {
    let rto = |n: &BigInt, m: &BigInt| -> BigInt {
        let a = isqrt(&n.divmod(m).0);
        if a.mul(&a).mul(m) != *n {
            a.bitop(&one(), '|')
        } else {
            a
        }
    };
    let q = (n.bit_length() as i64 - m.bit_length() as i64 - 109).div_euclid(2);
    let (num, den) = if q >= 0 {
        (rto(n, &m.shl((2 * q) as usize)).shl(q as usize), one())
    } else {
        (rto(&n.shl((-2 * q) as usize), m), one().shl((-q) as usize))
    };
    ops::big_truediv(&num, &den)
}

fn spread(a: &[Value], sample: bool, root: bool) -> PyResult<Value> {
    let data = data_of(&a[0])?;
    let name = match (sample, root) {
        (true, true) => "stdev",
        (true, false) => "variance",
        (false, true) => "pstdev",
        (false, false) => "pvariance",
    };
    let need = if sample { 2 } else { 1 };
    if data.len() < need {
        return Err(stat_err(&format!("{} requires at least {} data point{}", name, if sample { "two" } else { "one" }, if sample { "s" } else { "" })));
    }
    let (ss, all_int) = exact_ss(&data)?;
    let k = data.len() as i64 - if sample { 1 } else { 0 };
    let var = ss.div_int(k);
    if root {
        return Ok(Value::Float(sqrt_frac(&var.n, &var.d)?));
    }
    var.convert(all_int)
}

pub fn statistics_module() -> Value {
    let m = crate::rtsys::new_module("statistics", "");
    let set = |n: &str, v: Value| crate::rtsys::mod_set(&m, n, v);
    let _ = stat_err("init");
    set("StatisticsError", STAT_ERR.with(|s| s.borrow().clone()).unwrap());
    set("mean", nat("mean", |a, _| {
        let data = data_of(&a[0])?;
        if data.is_empty() {
            return Err(stat_err("mean requires at least one data point"));
        }
        let (total, all_int) = exact_sum(&data)?;
        total.div_int(data.len() as i64).convert(all_int)
    }));
    set("fmean", nat("fmean", |a, _| {
        let data = data_of(&a[0])?;
        if data.is_empty() {
            return Err(stat_err("fmean requires at least one data point"));
        }
        Ok(Value::Float(fmean(&data)?))
    }));
    set("geometric_mean", nat("geometric_mean", |a, _| {
        // exp(fmean(map(log, data))), as statistics.py
        let data = data_of(&a[0])?;
        let err = || stat_err("geometric mean requires a non-empty dataset containing positive numbers");
        let mut logs = Vec::with_capacity(data.len());
        for x in &data {
            let f = crate::builtins::to_float(x)?;
            if f <= 0.0 || f.is_nan() {
                return Err(err());
            }
            logs.push(Value::Float(f.ln()));
        }
        if logs.is_empty() {
            return Err(err());
        }
        Ok(Value::Float(fmean(&logs)?.exp()))
    }));
    set("quantiles", nat("quantiles", |a, kw| {
        let o = crate::methods::getargs("quantiles", vec![], kw, &["n", "method"], 0)?;
        if a.len() != 1 {
            return Err(type_error(format!("quantiles() takes 1 positional argument but {} were given", a.len())));
        }
        let n = o[0].as_ref().map(|v| v.as_i64().ok_or_else(|| type_error("n must be an integer".into()))).transpose()?.unwrap_or(4);
        let method = o[1].as_ref().map(ops::to_str).transpose()?.unwrap_or_else(|| "exclusive".into());
        if n < 1 {
            return Err(stat_err("n must be at least 1"));
        }
        let mut data = data_of(&a[0])?;
        crate::methods::sort_values(&mut data, None, false)?;
        let ld = data.len() as i64;
        if ld < 2 {
            return Err(stat_err("must have at least two data points"));
        }
        let interp = |lo: &Value, hi: &Value, delta: i64| -> PyResult<Value> {
            let x = ops::add(&ops::binop(ops::Op::Mul, lo, &Value::Int(n - delta))?, &ops::binop(ops::Op::Mul, hi, &Value::Int(delta))?)?;
            ops::binop(ops::Op::TrueDiv, &x, &Value::Int(n))
        };
        let mut out = Vec::new();
        match method.as_str() {
            "inclusive" => {
                let m = ld - 1;
                for i in 1..n {
                    let (j, delta) = ((i * m).div_euclid(n), (i * m).rem_euclid(n));
                    out.push(interp(&data[j as usize], &data[(j + 1).min(ld - 1) as usize], delta)?);
                }
            }
            "exclusive" => {
                let m = ld + 1;
                for i in 1..n {
                    let j = ((i * m).div_euclid(n)).max(1).min(ld - 1);
                    let delta = i * m - j * n;
                    out.push(interp(&data[(j - 1) as usize], &data[j as usize], delta)?);
                }
            }
            _ => return Err(value_error(format!("Unknown method: {}", ops::repr(&Value::string(method.clone()))?))),
        }
        Ok(crate::list(out))
    }));
    for (name, which) in [("median", 0u8), ("median_low", 1), ("median_high", 2)] {
        set(name, nat(name, move |a, _| {
            let mut data = data_of(&a[0])?;
            crate::methods::sort_values(&mut data, None, false)?;
            let n = data.len();
            if n == 0 {
                return Err(stat_err("no median for empty data"));
            }
            if n % 2 == 1 {
                return Ok(data[n / 2].clone());
            }
            match which {
                1 => Ok(data[n / 2 - 1].clone()),
                2 => Ok(data[n / 2].clone()),
                _ => ops::truediv(&ops::add(&data[n / 2 - 1], &data[n / 2])?, &Value::Int(2)),
            }
        }));
    }
    let counts = |data: &[Value]| -> PyResult<Vec<(Value, i64)>> {
        let d = crate::dict(vec![])?;
        for x in data {
            let c = crate::methods::dict_get(&d, x)?.and_then(|v| v.as_i64()).unwrap_or(0);
            crate::methods::dict_set(&d, x.clone(), Value::Int(c + 1))?;
        }
        Ok(match &d {
            Value::Dict(dd) => dd.borrow().items().into_iter().map(|(k, v)| (k, v.as_i64().unwrap_or(0))).collect(),
            _ => vec![],
        })
    };
    set("mode", nat("mode", move |a, _| {
        let data = data_of(&a[0])?;
        let c = counts(&data)?;
        let best = c.iter().map(|(_, n)| *n).max().ok_or_else(|| stat_err("no mode for empty data"))?;
        Ok(c.into_iter().find(|(_, n)| *n == best).unwrap().0)
    }));
    set("multimode", nat("multimode", move |a, _| {
        let data = data_of(&a[0])?;
        let c = counts(&data)?;
        let best = c.iter().map(|(_, n)| *n).max().unwrap_or(0);
        Ok(crate::list(c.into_iter().filter(|(_, n)| *n == best).map(|(k, _)| k).collect()))
    }));
    set("variance", nat("variance", |a, _| spread(&a, true, false)));
    set("pvariance", nat("pvariance", |a, _| spread(&a, false, false)));
    set("stdev", nat("stdev", |a, _| spread(&a, true, true)));
    set("pstdev", nat("pstdev", |a, _| spread(&a, false, true)));
    m
}

// ---------------------------------------------------------------- textwrap

fn chunks(text: &str) -> Vec<String> {
    // CPython's TextWrapper.wordsep_re, by hand: runs of whitespace; an
    // em-dash (2+ hyphens) between a word and a word character; words,
    // split after a hyphen that has two letters (or letter-hyphen-letter)
    // before it and letter, optional hyphen, letter after it ("whats-new-1"
    // is "whats-" and "new-1"). A letter is [^\d\W]: alphabetic or '_'.
    let c: Vec<char> = text.chars().collect();
    let n = c.len();
    let at = |i: isize| -> Option<char> { if i >= 0 && (i as usize) < n { Some(c[i as usize]) } else { None } };
    let letter = |x: Option<char>| x.map(|x| x.is_alphabetic() || x == '_').unwrap_or(false);
    let word = |x: Option<char>| x.map(|x| x.is_alphanumeric() || x == '_').unwrap_or(false);
    let wpunct = |x: Option<char>| word(x) || x.map(|x| "!\"'&.,?".contains(x)).unwrap_or(false);
    let ws = |x: Option<char>| x == Some(' ');
    // 2+ hyphens at i followed by a word character: the index after them
    let dashes = |i: usize| -> Option<usize> {
        let mut j = i;
        while j < n && c[j] == '-' {
            j += 1;
        }
        if j - i >= 2 && word(at(j as isize)) { Some(j) } else { None }
    };
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < n {
        let end = if c[i] == ' ' {
            let mut j = i;
            while j < n && c[j] == ' ' {
                j += 1;
            }
            j
        } else if let Some(j) = dashes(i).filter(|_| wpunct(at(i as isize - 1))) {
            j
        } else {
            let mut j = i + 1;
            loop {
                let ji = j as isize;
                if j < n && c[j] == '-' {
                    let behind = (letter(at(ji - 1)) && letter(at(ji - 2)))
                        || (letter(at(ji - 1)) && at(ji - 2) == Some('-') && letter(at(ji - 3)));
                    let ahead = letter(at(ji + 1)) && (letter(at(ji + 2)) || (at(ji + 2) == Some('-') && letter(at(ji + 3))));
                    if behind && ahead {
                        break j + 1;
                    }
                }
                if j >= n || ws(at(ji)) {
                    break j;
                }
                if wpunct(at(ji - 1)) && dashes(j).is_some() {
                    break j;
                }
                j += 1;
            }
        };
        out.push(c[i..end].iter().collect());
        i = end;
    }
    out
}

pub fn wrap_text(text: &str, width: usize, initial: &str, subsequent: &str, break_long: bool) -> Vec<String> {
    let mut t = String::new();
    let mut col = 0;
    for c in text.chars() {
        match c {
            '\t' => {
                let n = 8 - col % 8;
                t.push_str(&" ".repeat(n));
                col += n;
            }
            '\n' | '\r' | '\x0b' | '\x0c' => {
                t.push(' ');
                col = 0;
            }
            c => {
                t.push(if c.is_whitespace() { ' ' } else { c });
                col += 1;
            }
        }
    }
    let mut chunks: Vec<String> = chunks(&t);
    chunks.reverse();
    let mut lines = Vec::new();
    while !chunks.is_empty() {
        let mut cur: Vec<String> = Vec::new();
        let mut cur_len = 0;
        let indent = if lines.is_empty() { initial } else { subsequent };
        let w = width.saturating_sub(indent.chars().count()).max(1);
        if chunks.last().map(|c| c.trim().is_empty()).unwrap_or(false) && !lines.is_empty() {
            chunks.pop();
        }
        while let Some(c) = chunks.last() {
            let l = c.chars().count();
            if cur_len + l <= w {
                cur_len += l;
                cur.push(chunks.pop().unwrap());
            } else {
                break;
            }
        }
        if let Some(c) = chunks.last() {
            if c.chars().count() > w && break_long {
                let space_left = if w > cur_len { w - cur_len } else { 1 };
                if cur.is_empty() || space_left > 0 {
                    let c = chunks.pop().unwrap();
                    let head: String = c.chars().take(space_left).collect();
                    let tail: String = c.chars().skip(space_left).collect();
                    cur.push(head);
                    chunks.push(tail);
                }
            } else if c.chars().count() > w && cur.is_empty() {
                cur.push(chunks.pop().unwrap());
            }
        }
        while cur.last().map(|c| c.trim().is_empty()).unwrap_or(false) {
            cur.pop();
        }
        if !cur.is_empty() {
            lines.push(format!("{}{}", indent, cur.concat()));
        }
    }
    lines
}

fn kwarg<'a>(kw: &'a Kw, n: &str) -> Option<&'a Value> {
    kw.iter().find(|(k, _)| k == n).map(|(_, v)| v)
}

pub fn textwrap_module() -> Value {
    let m = crate::rtsys::new_module("textwrap", "");
    let set = |n: &str, v: Value| crate::rtsys::mod_set(&m, n, v);
    let do_wrap = |a: &[Value], kw: &Kw| -> PyResult<Vec<String>> {
        let text = ops::to_str(&a[0])?;
        let width = a.get(1).or_else(|| kwarg(kw, "width")).and_then(|v| v.as_i64()).unwrap_or(70) as usize;
        let init = kwarg(kw, "initial_indent").map(ops::to_str).transpose()?.unwrap_or_default();
        let sub = kwarg(kw, "subsequent_indent").map(ops::to_str).transpose()?.unwrap_or_default();
        let bl = kwarg(kw, "break_long_words").map(|v| ops::truthy(v).unwrap_or(true)).unwrap_or(true);
        let text = text.trim_start_matches(' ').to_string();
        Ok(wrap_text(&text, width, &init, &sub, bl))
    };
    set("wrap", nat("wrap", move |a, kw| Ok(crate::list(do_wrap(&a, &kw)?.into_iter().map(Value::string).collect()))));
    set("fill", nat("fill", move |a, kw| Ok(Value::string(do_wrap(&a, &kw)?.join("\n")))));
    set("shorten", nat("shorten", |a, kw| {
        let text = ops::to_str(&a[0])?;
        let width = a.get(1).or_else(|| kwarg(&kw, "width")).and_then(|v| v.as_i64()).unwrap_or(70) as usize;
        let ph = kwarg(&kw, "placeholder").map(ops::to_str).transpose()?.unwrap_or_else(|| " [...]".to_string());
        let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if collapsed.chars().count() <= width {
            return Ok(Value::string(collapsed));
        }
        let words: Vec<&str> = collapsed.split(' ').collect();
        let mut out = String::new();
        for w in words {
            let cand = if out.is_empty() { w.to_string() } else { format!("{} {}", out, w) };
            if cand.chars().count() + ph.chars().count() > width {
                break;
            }
            out = cand;
        }
        Ok(Value::string(format!("{}{}", out, if out.is_empty() { ph.trim_start().to_string() } else { ph })))
    }));
    set("dedent", nat("dedent", |a, _| {
        let text = ops::to_str(&a[0])?;
        let lines: Vec<&str> = text.split('\n').collect();
        let mut margin: Option<String> = None;
        for l in lines.iter() {
            if l.trim().is_empty() {
                continue;
            }
            let ind: String = l.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
            margin = Some(match margin {
                None => ind,
                Some(m) => m.chars().zip(ind.chars()).take_while(|(x, y)| x == y).map(|(x, _)| x).collect(),
            });
        }
        let mg = margin.unwrap_or_default();
        let out: Vec<String> = lines.iter().map(|l| if l.trim().is_empty() { String::new() } else { l.strip_prefix(mg.as_str()).unwrap_or(l).to_string() }).collect();
        Ok(Value::string(out.join("\n")))
    }));
    set("indent", nat("indent", |a, _| {
        let text = ops::to_str(&a[0])?;
        let prefix = ops::to_str(&a[1])?;
        let mut out = String::new();
        for l in text.split_inclusive('\n') {
            if !l.trim().is_empty() {
                out.push_str(&prefix);
            }
            out.push_str(l);
        }
        Ok(Value::string(out))
    }));
    m
}

// ---------------------------------------------------------------- io

/// read/readline's size argument: None or negative is all.
fn size_arg(v: Option<&Value>) -> PyResult<usize> {
    match v {
        None | Some(Value::None) => Ok(usize::MAX),
        Some(x) => match x.as_i64() {
            Some(n) if n < 0 => Ok(usize::MAX),
            Some(n) => Ok(n as usize),
            None => Err(type_error(format!("argument should be integer or None, not '{}'", type_name(x)))),
        },
    }
}

fn open_check(f: &Value) -> PyResult<()> {
    match crate::getattr(f, "closed") {
        Ok(Value::Bool(true)) => Err(value_error("I/O operation on closed file".into())),
        _ => Ok(()),
    }
}

pub fn io_module() -> Value {
    let m = crate::rtsys::new_module("io", "");
    let get = |o: &Value| -> (String, usize) {
        let i = as_inst(o).unwrap();
        let d = i.dict.borrow();
        (d.get("_buf").and_then(|v| v.as_str().map(|s| s.to_string())).unwrap_or_default(), d.get("_pos").and_then(|v| v.as_i64()).unwrap_or(0) as usize)
    };
    let put = |o: &Value, buf: String, pos: usize| {
        let i = as_inst(o).unwrap();
        let mut d = i.dict.borrow_mut();
        d.set("_buf", Value::string(buf));
        d.set("_pos", Value::Int(pos as i64));
    };
    let sio = rt_class("StringIO", "io", vec![], vec![
        ("__init__", meth("__init__", move |a, _| {
            let init = a.get(1).filter(|v| !v.is_none()).map(ops::to_str).transpose()?.unwrap_or_default();
            put(&a[0], init, 0);
            Ok(Value::None)
        })),
        ("write", meth("write", move |a, _| {
            open_check(&a[0])?;
            let s = match &a[1] {
                Value::Str(s) => s.s.clone(),
                x => return Err(type_error(format!("string argument expected, got '{}'", type_name(x)))),
            };
            let (mut buf, pos) = get(&a[0]);
            let chars: Vec<char> = buf.chars().collect();
            let n = s.chars().count();
            let mut out: String = chars.iter().take(pos).collect();
            out.push_str(&s);
            out.extend(chars.iter().skip(pos + n));
            buf = out;
            put(&a[0], buf, pos + n);
            Ok(Value::Int(n as i64))
        })),
        ("getvalue", meth("getvalue", move |a, _| {
            open_check(&a[0])?;
            Ok(Value::string(get(&a[0]).0))
        })),
        ("read", meth("read", move |a, _| {
            open_check(&a[0])?;
            let (buf, pos) = get(&a[0]);
            let rest: String = buf.chars().skip(pos).take(size_arg(a.get(1))?).collect();
            let n = rest.chars().count();
            put(&a[0], buf, pos + n);
            Ok(Value::string(rest))
        })),
        ("readline", meth("readline", move |a, _| {
            open_check(&a[0])?;
            let (buf, pos) = get(&a[0]);
            let rest: Vec<char> = buf.chars().skip(pos).collect();
            let end = rest.iter().position(|c| *c == '\n').map(|p| p + 1).unwrap_or(rest.len()).min(size_arg(a.get(1))?);
            let line: String = rest[..end].iter().collect();
            put(&a[0], buf, pos + end);
            Ok(Value::string(line))
        })),
        ("readlines", meth("readlines", |a, _| {
            // hint: stop once the lines read hold that many characters
            let hint = match a.get(1) {
                Some(Value::None) | None => usize::MAX,
                Some(v) => v.as_i64().map(|n| if n <= 0 { usize::MAX } else { n as usize }).unwrap_or(usize::MAX),
            };
            let mut out = Vec::new();
            let mut total = 0;
            loop {
                let l = crate::call::call_method(&a[0], "readline", vec![], vec![])?;
                let n = l.as_str().map(|s| s.chars().count()).unwrap_or(0);
                if n == 0 {
                    break;
                }
                out.push(l);
                total += n;
                if total >= hint {
                    break;
                }
            }
            Ok(crate::list(out))
        })),
        ("writelines", meth("writelines", |a, _| {
            for l in crate::iter::collect(&a[1])? {
                crate::call::call_method(&a[0], "write", vec![l], vec![])?;
            }
            Ok(Value::None)
        })),
        ("truncate", meth("truncate", move |a, _| {
            open_check(&a[0])?;
            let (buf, pos) = get(&a[0]);
            let size = match a.get(1) {
                Some(Value::None) | None => pos,
                Some(v) => v.as_i64().ok_or_else(|| type_error(format!("'{}' object cannot be interpreted as an integer", type_name(v))))?.max(0) as usize,
            };
            let kept: String = buf.chars().take(size).collect();
            put(&a[0], kept, pos);
            Ok(Value::Int(size as i64))
        })),
        ("readable", meth("readable", |a, _| open_check(&a[0]).map(|_| Value::Bool(true)))),
        ("writable", meth("writable", |a, _| open_check(&a[0]).map(|_| Value::Bool(true)))),
        ("seekable", meth("seekable", |a, _| open_check(&a[0]).map(|_| Value::Bool(true)))),
        ("seek", meth("seek", move |a, _| {
            open_check(&a[0])?;
            let (buf, cur) = get(&a[0]);
            let off = a.get(1).and_then(|v| v.as_i64()).unwrap_or(0);
            let whence = a.get(2).and_then(|v| v.as_i64()).unwrap_or(0);
            let p = match whence {
                0 if off < 0 => return Err(value_error(format!("Negative seek position {}", off))),
                0 => off as usize,
                1 | 2 if off != 0 => return Err(new_exc("OSError", "Can't do nonzero cur-relative seeks")),
                1 => cur,
                2 => buf.chars().count(),
                w => return Err(value_error(format!("Invalid whence ({}, should be 0, 1 or 2)", w))),
            };
            put(&a[0], buf, p);
            Ok(Value::Int(p as i64))
        })),
        ("tell", meth("tell", move |a, _| Ok(Value::Int(get(&a[0]).1 as i64)))),
        ("__iter__", meth("__iter__", |a, _| Ok(a[0].clone()))),
        ("__next__", meth("__next__", |a, _| {
            let l = crate::call::call_method(&a[0], "readline", vec![], vec![])?;
            if l.as_str().map(|s| s.is_empty()).unwrap_or(true) {
                return Err(new_exc_args("StopIteration", vec![]));
            }
            Ok(l)
        })),
        ("close", meth("close", |a, _| {
            crate::setattr(&a[0], "closed", Value::Bool(true))?;
            Ok(Value::None)
        })),
        ("closed", Value::Bool(false)),
        ("flush", meth("flush", |_, _| Ok(Value::None))),
        ("__enter__", meth("__enter__", |a, _| Ok(a[0].clone()))),
        ("__exit__", meth("__exit__", |a, _| {
            crate::setattr(&a[0], "closed", Value::Bool(true))?;
            Ok(Value::Bool(false))
        })),
    ]);
    crate::rtsys::mod_set(&m, "StringIO", sio);
    m
}

// ---------------------------------------------------------------- os (minimal)

fn path_split(p: &str) -> (String, String) {
    match p.rfind('/') {
        Some(i) => {
            let head = &p[..i + 1];
            let head_trim = head.trim_end_matches('/');
            (if head_trim.is_empty() { head.to_string() } else { head_trim.to_string() }, p[i + 1..].to_string())
        }
        None => (String::new(), p.to_string()),
    }
}

fn norm_path(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let abs = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                if parts.last().map(|l| *l != "..").unwrap_or(false) {
                    parts.pop();
                } else if !abs {
                    parts.push("..");
                }
            }
            c => parts.push(c),
        }
    }
    let body = parts.join("/");
    if abs {
        format!("/{}", body)
    } else if body.is_empty() {
        ".".into()
    } else {
        body
    }
}

pub fn os_path_module() -> Value {
    let m = crate::rtsys::new_module("posixpath", "");
    let set = |n: &str, v: Value| crate::rtsys::mod_set(&m, n, v);
    set("sep", Value::str("/"));
    set("join", nat("join", |a, _| {
        let mut out = String::new();
        for p in a.iter() {
            let p = ops::to_str(p)?;
            if p.starts_with('/') || out.is_empty() {
                out = p;
            } else if out.ends_with('/') {
                out.push_str(&p);
            } else {
                out.push('/');
                out.push_str(&p);
            }
        }
        Ok(Value::string(out))
    }));
    set("split", nat("split", |a, _| {
        let (h, t) = path_split(&ops::to_str(&a[0])?);
        Ok(crate::tuple(vec![Value::string(h), Value::string(t)]))
    }));
    set("basename", nat("basename", |a, _| Ok(Value::string(path_split(&ops::to_str(&a[0])?).1))));
    set("dirname", nat("dirname", |a, _| Ok(Value::string(path_split(&ops::to_str(&a[0])?).0))));
    set("splitext", nat("splitext", |a, _| {
        let p = ops::to_str(&a[0])?;
        let base_start = p.rfind('/').map(|i| i + 1).unwrap_or(0);
        let base = &p[base_start..];
        let dot = base.rfind('.').filter(|&i| base[..i].chars().any(|c| c != '.'));
        Ok(match dot {
            Some(i) => crate::tuple(vec![Value::str(&p[..base_start + i]), Value::str(&p[base_start + i..])]),
            None => crate::tuple(vec![Value::string(p.clone()), Value::str("")]),
        })
    }));
    set("normpath", nat("normpath", |a, _| Ok(Value::string(norm_path(&ops::to_str(&a[0])?)))));
    set("abspath", nat("abspath", |a, _| {
        let p = ops::to_str(&a[0])?;
        Ok(Value::string(norm_path(&if p.starts_with('/') { p } else { format!("/{}", p) })))
    }));
    set("isabs", nat("isabs", |a, _| Ok(Value::Bool(ops::to_str(&a[0])?.starts_with('/')))));
    for (n, v) in [("sep", "/"), ("curdir", "."), ("pardir", ".."), ("extsep", "."), ("pathsep", ":"), ("defpath", "/bin:/usr/bin"), ("devnull", "/dev/null")] {
        set(n, Value::str(v));
    }
    set("altsep", Value::None);
    set("normcase", nat("normcase", |a, _| Ok(Value::string(ops::to_str(&a[0])?))));
    set("commonprefix", nat("commonprefix", |a, _| {
        // character by character, as posixpath's (not path components)
        let items = crate::iter::collect(&a[0])?;
        if items.is_empty() {
            return Ok(Value::str(""));
        }
        let strs: Vec<Vec<char>> = items.iter().map(|v| ops::to_str(v).map(|s| s.chars().collect())).collect::<PyResult<_>>()?;
        let (lo, hi) = (strs.iter().min().unwrap(), strs.iter().max().unwrap());
        let n = lo.iter().zip(hi.iter()).take_while(|(x, y)| x == y).count();
        Ok(Value::string(lo[..n].iter().collect()))
    }));
    set("commonpath", nat("commonpath", |a, _| {
        let items = crate::iter::collect(&a[0])?;
        if items.is_empty() {
            return Err(value_error("commonpath() arg is an empty sequence".into()));
        }
        let paths: Vec<String> = items.iter().map(ops::to_str).collect::<PyResult<_>>()?;
        let abs: Vec<bool> = paths.iter().map(|p| p.starts_with('/')).collect();
        if abs.iter().any(|x| *x != abs[0]) {
            return Err(value_error("Can't mix absolute and relative paths".into()));
        }
        let split: Vec<Vec<&str>> = paths.iter().map(|p| p.split('/').filter(|c| !c.is_empty() && *c != ".").collect()).collect();
        let (lo, hi) = (split.iter().min().unwrap(), split.iter().max().unwrap());
        let n = lo.iter().zip(hi.iter()).take_while(|(x, y)| x == y).count();
        let prefix = if abs[0] { "/" } else { "" };
        Ok(Value::string(format!("{}{}", prefix, lo[..n].join("/"))))
    }));
    set("relpath", nat("relpath", |a, _| {
        let p = ops::to_str(&a[0])?;
        if p.is_empty() {
            return Err(value_error("no path specified".into()));
        }
        let start = match a.get(1) {
            Some(Value::None) | None => ".".to_string(),
            Some(v) => ops::to_str(v)?,
        };
        // both made absolute against the current directory, as abspath does
        let cwd = std::env::current_dir().map(|d| d.to_string_lossy().into_owned()).unwrap_or_else(|_| "/".into());
        let absolute = |x: &str| norm_path(&if x.starts_with('/') { x.to_string() } else { format!("{}/{}", cwd, x) });
        let (sp, pp) = (absolute(&start), absolute(&p));
        let sl: Vec<&str> = sp.split('/').filter(|c| !c.is_empty()).collect();
        let pl: Vec<&str> = pp.split('/').filter(|c| !c.is_empty()).collect();
        let i = sl.iter().zip(pl.iter()).take_while(|(x, y)| x == y).count();
        let mut rel: Vec<&str> = vec![".."; sl.len() - i];
        rel.extend(&pl[i..]);
        Ok(Value::string(if rel.is_empty() { ".".to_string() } else { rel.join("/") }))
    }));
    set("expanduser", nat("expanduser", |a, _| {
        let p = ops::to_str(&a[0])?;
        if !p.starts_with('~') {
            return Ok(Value::string(p));
        }
        let home = std::env::var("HOME").ok();
        let (user, rest) = match p.find('/') {
            Some(i) => (&p[1..i], &p[i..]),
            None => (&p[1..], ""),
        };
        match home {
            Some(h) if user.is_empty() => {
                let h = h.trim_end_matches('/');
                Ok(Value::string(format!("{}{}", if h.is_empty() { "/" } else { h }, rest)))
            }
            _ => Ok(Value::string(p)),
        }
    }));
    for n in ["exists", "isfile", "isdir", "islink"] {
        let name: &'static str = n;
        set(n, nat(name, move |a, _| {
            let p = std::path::PathBuf::from(ops::to_str(&a[0])?);
            Ok(Value::Bool(match name {
                "isfile" => p.is_file(),
                "isdir" => p.is_dir(),
                "islink" => false,
                _ => p.exists(),
            }))
        }));
    }
    m
}

pub fn os_module() -> Value {
    let m = crate::rtsys::new_module("os", "");
    let set = |n: &str, v: Value| crate::rtsys::mod_set(&m, n, v);
    let path = os_path_module();
    let _ = crate::methods::dict_set(&crate::rtsys::sys_modules(), Value::str("os.path"), path.clone());
    set("path", path);
    set("sep", Value::str("/"));
    set("linesep", Value::str("\n"));
    set("name", Value::str("posix"));
    set("curdir", Value::str("."));
    for (n, v) in [("pardir", ".."), ("extsep", "."), ("pathsep", ":"), ("defpath", "/bin:/usr/bin"), ("devnull", "/dev/null")] {
        set(n, Value::str(v));
    }
    set("altsep", Value::None);
    let env: Vec<(Value, Value)> = std::env::vars().map(|(k, v)| (Value::string(k), Value::string(v))).collect();
    set("environ", crate::dict(env).unwrap_or(Value::None));
    set("getenv", nat("getenv", |a, _| {
        let k = ops::to_str(&a[0])?;
        Ok(match std::env::var(&k) {
            Ok(v) => Value::string(v),
            Err(_) => a.get(1).cloned().unwrap_or(Value::None),
        })
    }));
    set("getcwd", nat("getcwd", |_, _| Ok(Value::string(std::env::current_dir().map(|p| p.display().to_string()).unwrap_or_else(|_| "/".into())))));
    set("cpu_count", nat("cpu_count", |_, _| Ok(Value::Int(1))));
    // os.fspath: str and bytes as they are, else the type's __fspath__
    set("fspath", nat("fspath", |a, _| {
        let p = a.get(0).cloned().ok_or_else(|| type_error("fspath() missing required argument 'path' (pos 1)".into()))?;
        let tn = type_name(&p);
        if tn == "str" || tn == "bytes" {
            return Ok(p);
        }
        match crate::getattr(&type_of(&p), "__fspath__") {
            Ok(f) => {
                let r = crate::call::call(&f, vec![p.clone()], vec![])?;
                let rn = type_name(&r);
                if rn == "str" || rn == "bytes" {
                    Ok(r)
                } else {
                    Err(type_error(format!("expected {}.__fspath__() to return str or bytes, not {}", tn, rn)))
                }
            }
            Err(_) => Err(type_error(format!("expected str, bytes or os.PathLike object, not {}", tn))),
        }
    }));
    set("listdir", nat("listdir", |a, _| {
        let p = a.get(0).map(ops::to_str).transpose()?.unwrap_or_else(|| ".".into());
        match std::fs::read_dir(&p) {
            Ok(rd) => {
                let mut names: Vec<String> = rd.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect();
                names.sort();
                Ok(crate::list(names.into_iter().map(Value::string).collect()))
            }
            Err(_) => Err(new_exc_args("FileNotFoundError", vec![Value::Int(2), Value::str("No such file or directory")])),
        }
    }));
    m
}
