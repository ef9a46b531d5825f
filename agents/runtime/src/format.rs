//! Number and string formatting: float repr, the format-spec
//! mini-language, `%` formatting and `str.format`.
//!
//! Float repr uses Rust's shortest round-trip digits (`{:e}`) and re-lays
//! them out by CPython's rule (scientific when the exponent is < -4 or
//! >= 16).  Fixed and scientific formatting with a precision is done here
//! with exact big-integer arithmetic and round-half-even, because CPython
//! rounds the exact binary value (`format(2.5, '.0f') == '2'`) and Rust 1.63's
//! formatter rounds ties away from zero.

use crate::bigint::BigInt;
use crate::object::*;
use crate::ops;
use crate::value::*;

/// Shortest round-trip digits and decimal exponent: value = 0.DIGITS * 10^decpt.
fn shortest(x: f64) -> (String, i32) {
    let s = format!("{:e}", x.abs());
    let (mant, exp) = s.split_once('e').unwrap();
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let e: i32 = exp.parse().unwrap();
    (digits, e + 1)
}

fn exp_str(e: i32) -> String {
    if e < 0 {
        format!("-{:02}", -e)
    } else {
        format!("+{:02}", e)
    }
}

pub fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0".into() } else { "0.0".into() };
    }
    let (digits, decpt) = shortest(x);
    let sign = if x < 0.0 { "-" } else { "" };
    let body = layout_repr(&digits, decpt, true);
    format!("{}{}", sign, body)
}

/// Lays out significant digits like repr: fixed for -4 < decpt <= 16.
fn layout_repr(digits: &str, decpt: i32, force_point: bool) -> String {
    let n = digits.len() as i32;
    if decpt > -4 && decpt <= 16 {
        if decpt <= 0 {
            format!("0.{}{}", "0".repeat((-decpt) as usize), digits)
        } else if decpt >= n {
            format!("{}{}{}", digits, "0".repeat((decpt - n) as usize), if force_point { ".0" } else { "" })
        } else {
            format!("{}.{}", &digits[..decpt as usize], &digits[decpt as usize..])
        }
    } else {
        let m = if n > 1 { format!("{}.{}", &digits[..1], &digits[1..]) } else { digits.to_string() };
        format!("{}e{}", m, exp_str(decpt - 1))
    }
}

fn pow10(n: u32) -> BigInt {
    BigInt::from_i64(10).pow(n as u64)
}

/// |x| as an exact fraction num/den (den a power of two).
fn exact(x: f64) -> (BigInt, BigInt) {
    let bits = x.abs().to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1u64 << 52) - 1);
    let (m, e) = if exp == 0 { (frac, -1074) } else { (frac | (1u64 << 52), exp - 1075) };
    let m = BigInt::from_u64(m);
    if e >= 0 {
        (m.shl(e as usize), BigInt::from_i64(1))
    } else {
        (m, BigInt::from_i64(1).shl((-e) as usize))
    }
}

fn round_div(num: &BigInt, den: &BigInt) -> BigInt {
    let (q, r) = num.divmod(den);
    let twice = r.shl(1);
    match twice.cmp(den) {
        std::cmp::Ordering::Greater => q.add(&BigInt::from_i64(1)),
        std::cmp::Ordering::Equal => {
            if q.mag.first().map(|d| d & 1 == 1).unwrap_or(false) {
                q.add(&BigInt::from_i64(1))
            } else {
                q
            }
        }
        _ => q,
    }
}

/// Fixed notation of |x| with `prec` decimals, exactly rounded.
pub fn fixed_digits(x: f64, prec: usize) -> String {
    let (num, den) = exact(x);
    let n = round_div(&num.mul(&pow10(prec as u32)), &den);
    let mut s = n.to_string_radix(10);
    if prec == 0 {
        return s;
    }
    if s.len() <= prec {
        s = format!("{}{}", "0".repeat(prec + 1 - s.len()), s);
    }
    let p = s.len() - prec;
    format!("{}.{}", &s[..p], &s[p..])
}

/// Scientific digits of |x| rounded to `prec`+1 significant digits:
/// (digit string of length prec+1, exponent).
pub fn sci_digits(x: f64, prec: usize) -> (String, i32) {
    if x == 0.0 {
        return ("0".repeat(prec + 1), 0);
    }
    let (num, den) = exact(x);
    let mut e = x.abs().log10().floor() as i32;
    loop {
        let k = e - prec as i32;
        let n = if k >= 0 { round_div(&num, &den.mul(&pow10(k as u32))) } else { round_div(&num.mul(&pow10((-k) as u32)), &den) };
        let s = n.to_string_radix(10);
        if s.len() > prec + 1 {
            if s.len() == prec + 2 && s.bytes().skip(1).all(|b| b == b'0') && s.starts_with('1') {
                // rounding carried into a new digit
                let lower_ok = {
                    let k2 = e + 1 - prec as i32;
                    let n2 = if k2 >= 0 { round_div(&num, &den.mul(&pow10(k2 as u32))) } else { round_div(&num.mul(&pow10((-k2) as u32)), &den) };
                    n2.to_string_radix(10).len() == prec + 1
                };
                if lower_ok {
                    e += 1;
                    continue;
                }
            }
            e += 1;
            continue;
        }
        if s.len() < prec + 1 {
            e -= 1;
            continue;
        }
        return (s, e);
    }
}

fn strip_zeros(s: String) -> String {
    if s.contains('.') {
        let t = s.trim_end_matches('0');
        let t = t.trim_end_matches('.');
        t.to_string()
    } else {
        s
    }
}

/// Formats |x| (finite) for one of e f g % and '' (repr-like) types.
fn float_body(x: f64, ty: char, prec: Option<usize>, alt: bool) -> String {
    let upper = ty.is_ascii_uppercase();
    let r = match ty.to_ascii_lowercase() {
        'f' => {
            let s = fixed_digits(x, prec.unwrap_or(6));
            if alt && !s.contains('.') {
                s + "."
            } else {
                s
            }
        }
        '%' => {
            let s = fixed_digits(x * 100.0, prec.unwrap_or(6));
            let s = if alt && !s.contains('.') { s + "." } else { s };
            s + "%"
        }
        'e' => {
            let p = prec.unwrap_or(6);
            let (d, e) = sci_digits(x, p);
            let m = if p > 0 { format!("{}.{}", &d[..1], &d[1..]) } else if alt { format!("{}.", d) } else { d };
            format!("{}e{}", m, exp_str(e))
        }
        'g' | 'n' => {
            let p = match prec {
                Some(0) => 1,
                Some(p) => p,
                None => 6,
            };
            if x == 0.0 {
                let s = if alt { format!("0.{}", "0".repeat(p - 1)) } else { "0".to_string() };
                return s;
            }
            let (d, e) = sci_digits(x, p - 1);
            if e >= -4 && e < p as i32 {
                let s = fixed_digits(x, (p as i32 - 1 - e) as usize);
                if alt {
                    if s.contains('.') {
                        s
                    } else {
                        s + "."
                    }
                } else {
                    strip_zeros(s)
                }
            } else {
                let m = if p > 1 { format!("{}.{}", &d[..1], &d[1..]) } else { d };
                let m = if alt { m } else { strip_zeros(m) };
                format!("{}e{}", m, exp_str(e))
            }
        }
        _ => {
            // no type: repr, or 'g'-like with at least one decimal when precision given
            match prec {
                None => {
                    let r = float_repr(x);
                    r
                }
                Some(p) => {
                    let p = if p == 0 { 1 } else { p };
                    let (d, e) = sci_digits(x, p - 1);
                    let d = d.trim_end_matches('0');
                    let d = if d.is_empty() { "0" } else { d };
                    if e >= -4 && e < p as i32 {
                        layout_repr(d, e + 1, true)
                    } else {
                        let m = if d.len() > 1 { format!("{}.{}", &d[..1], &d[1..]) } else { d.to_string() };
                        format!("{}e{}", m, exp_str(e))
                    }
                }
            }
        }
    };
    if upper {
        r.to_uppercase()
    } else {
        r
    }
}

// ---------------------------------------------------------------- spec

#[derive(Default, Debug)]
pub struct Spec {
    pub fill: Option<char>,
    pub align: Option<char>,
    pub sign: Option<char>,
    pub z: bool,
    pub alt: bool,
    pub zero: bool,
    pub width: usize,
    pub grouping: Option<char>,
    pub prec: Option<usize>,
    pub ty: Option<char>,
}

pub fn parse_spec(spec: &str) -> PyResult<Spec> {
    let c: Vec<char> = spec.chars().collect();
    let mut i = 0;
    let mut s = Spec::default();
    let is_align = |ch: char| matches!(ch, '<' | '>' | '^' | '=');
    if c.len() >= 2 && is_align(c[1]) {
        s.fill = Some(c[0]);
        s.align = Some(c[1]);
        i = 2;
    } else if !c.is_empty() && is_align(c[0]) {
        s.align = Some(c[0]);
        i = 1;
    }
    if i < c.len() && matches!(c[i], '+' | '-' | ' ') {
        s.sign = Some(c[i]);
        i += 1;
    }
    if i < c.len() && c[i] == 'z' {
        s.z = true;
        i += 1;
    }
    if i < c.len() && c[i] == '#' {
        s.alt = true;
        i += 1;
    }
    if i < c.len() && c[i] == '0' {
        s.zero = true;
        i += 1;
    }
    let st = i;
    while i < c.len() && c[i].is_ascii_digit() {
        i += 1;
    }
    if i > st {
        s.width = c[st..i].iter().collect::<String>().parse().unwrap_or(0);
    }
    if i < c.len() && (c[i] == ',' || c[i] == '_') {
        s.grouping = Some(c[i]);
        i += 1;
    }
    if i < c.len() && c[i] == '.' {
        i += 1;
        let st = i;
        while i < c.len() && c[i].is_ascii_digit() {
            i += 1;
        }
        if i == st {
            return Err(value_error("Format specifier missing precision".into()));
        }
        s.prec = Some(c[st..i].iter().collect::<String>().parse().unwrap_or(0));
    }
    if i < c.len() {
        s.ty = Some(c[i]);
        i += 1;
    }
    if i < c.len() {
        return Err(value_error("Invalid format specifier".into()));
    }
    Ok(s)
}

fn group(digits: &str, sep: char, every: usize) -> String {
    let n = digits.len();
    let mut out = String::with_capacity(n + n / every);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (n - i) % every == 0 {
            out.push(sep);
        }
        out.push(ch);
    }
    out
}

fn pad(body: String, s: &Spec, default_right: bool, sign_prefix: &str) -> String {
    let len = body.chars().count() + sign_prefix.chars().count();
    if len >= s.width {
        return format!("{}{}", sign_prefix, body);
    }
    let fill = s.fill.unwrap_or(if s.zero && s.align.is_none() { '0' } else { ' ' });
    let align = s.align.unwrap_or(if s.zero && default_right { '=' } else if default_right { '>' } else { '<' });
    let n = s.width - len;
    let f = |k: usize| std::iter::repeat(fill).take(k).collect::<String>();
    match align {
        '<' => format!("{}{}{}", sign_prefix, body, f(n)),
        '^' => format!("{}{}{}{}", f(n / 2), sign_prefix, body, f(n - n / 2)),
        '=' => format!("{}{}{}", sign_prefix, f(n), body),
        _ => format!("{}{}{}", f(n), sign_prefix, body),
    }
}

/// Numeric layout: sign, prefix, grouped digits, zero padding.
fn num_layout(neg: bool, prefix: &str, int_part: &str, rest: &str, s: &Spec, every: usize) -> String {
    let sign = if neg {
        "-"
    } else {
        match s.sign {
            Some('+') => "+",
            Some(' ') => " ",
            _ => "",
        }
    };
    let sp = format!("{}{}", sign, prefix);
    let zero_fill = (s.zero && s.align.is_none() && s.fill.is_none()) || (s.fill == Some('0') && s.align == Some('='));
    let mut digits = int_part.to_string();
    if let Some(g) = s.grouping {
        if zero_fill && s.width > 0 {
            loop {
                let grouped = group(&digits, g, every);
                if sp.len() + grouped.chars().count() + rest.chars().count() >= s.width {
                    return format!("{}{}{}", sp, grouped, rest);
                }
                digits.insert(0, '0');
            }
        }
        digits = group(&digits, g, every);
    }
    pad(format!("{}{}", digits, rest), s, true, &sp)
}

fn int_spec(v: &Value, s: &Spec) -> PyResult<String> {
    let ty = s.ty.unwrap_or('d');
    if matches!(ty, 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%') {
        return float_spec(ops::int_to_f64(v)?, s);
    }
    if s.prec.is_some() {
        return Err(value_error("Precision not allowed in integer format specifier".into()));
    }
    let b = ops::to_big(v).unwrap();
    if ty == 'c' {
        let c = b.to_i64().and_then(|i| char::from_u32(i as u32)).ok_or_else(|| new_exc("OverflowError", "%c arg not in range(0x110000)"))?;
        return Ok(pad(c.to_string(), s, false, ""));
    }
    let (radix, prefix) = match ty {
        'd' | 'n' => (10, ""),
        'b' => (2, "0b"),
        'o' => (8, "0o"),
        'x' => (16, "0x"),
        'X' => (16, "0X"),
        _ => return Err(value_error(format!("Unknown format code '{}' for object of type '{}'", ty, type_name(v)))),
    };
    let mut digits = if radix == 10 { ops::big_dec(&b.abs())? } else { b.abs().to_string_radix(radix) };
    if ty == 'X' {
        digits = digits.to_uppercase();
    }
    let every = if radix == 10 { 3 } else { 4 };
    Ok(num_layout(b.neg, if s.alt { prefix } else { "" }, &digits, "", s, every))
}

fn float_spec(x: f64, s: &Spec) -> PyResult<String> {
    let ty = s.ty.unwrap_or('\0');
    if !matches!(ty, '\0' | 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'n' | '%') {
        return Err(value_error(format!("Unknown format code '{}' for object of type 'float'", ty)));
    }
    let mut neg = x.is_sign_negative() && !x.is_nan();
    if x.is_nan() || x.is_infinite() {
        let mut b = if x.is_nan() { "nan".to_string() } else { "inf".to_string() };
        if ty.is_ascii_uppercase() {
            b = b.to_uppercase();
        }
        if ty == '%' {
            b.push('%');
        }
        return Ok(num_layout(neg, "", "", &b, s, 3));
    }
    let body = float_body(x.abs(), if ty == '\0' { ' ' } else { ty }, s.prec, s.alt);
    if s.z && neg && body.chars().all(|c| c == '0' || c == '.' || c == '%' || c == 'e' || c == '+' || c == '-') {
        neg = false;
    }
    let (int_part, rest) = match body.find(|c: char| !c.is_ascii_digit()) {
        Some(p) => (body[..p].to_string(), body[p..].to_string()),
        None => (body.clone(), String::new()),
    };
    Ok(num_layout(neg, "", &int_part, &rest, s, 3))
}

fn str_spec(st: &str, s: &Spec, tyname: &str) -> PyResult<String> {
    if let Some(t) = s.ty {
        if t != 's' {
            return Err(value_error(format!("Unknown format code '{}' for object of type '{}'", t, tyname)));
        }
    }
    if s.sign.is_some() {
        return Err(value_error("Sign not allowed in string format specifier".into()));
    }
    if s.align == Some('=') {
        return Err(value_error("'=' alignment not allowed in string format specifier".into()));
    }
    let body: String = match s.prec {
        Some(p) => st.chars().take(p).collect(),
        None => st.to_string(),
    };
    Ok(pad(body, s, false, ""))
}

/// `format(v, spec)`.
pub fn format(v: &Value, spec: &str) -> PyResult<String> {
    match v {
        Value::Str(st) => {
            if spec.is_empty() {
                return Ok(st.s.clone());
            }
            str_spec(&st.s, &parse_spec(spec)?, "str")
        }
        Value::Bool(_) if spec.is_empty() => Ok(ops::to_str(v)?),
        Value::Int(_) | Value::Big(_) | Value::Bool(_) => {
            if spec.is_empty() {
                return ops::int_str_checked(v);
            }
            int_spec(v, &parse_spec(spec)?)
        }
        Value::Float(f) => {
            if spec.is_empty() {
                return Ok(float_repr(*f));
            }
            float_spec(*f, &parse_spec(spec)?)
        }
        Value::Obj(_) => {
            if let Some(r) = ops::call_dunder(v, "__format__", vec![Value::str(spec)])? {
                return ops::to_str(&r);
            }
            if let Some(p) = as_inst(v).map(|i| i.payload.borrow().clone()) {
                if !p.is_none() && !spec.is_empty() {
                    return format(&p, spec);
                }
            }
            generic_format(v, spec)
        }
        _ => generic_format(v, spec),
    }
}

fn generic_format(v: &Value, spec: &str) -> PyResult<String> {
    if spec.is_empty() {
        return ops::to_str(v);
    }
    Err(type_error(format!("unsupported format string passed to {}.__format__", type_name(v))))
}

// ---------------------------------------------------------------- % formatting

pub fn percent_format(fmt: &str, args: &Value) -> PyResult<String> {
    let (list, mapping): (Vec<Value>, Option<Value>) = match args {
        Value::Tuple(t) => ((**t).clone(), None),
        Value::Dict(_) => (vec![args.clone()], Some(args.clone())),
        Value::Obj(_) if as_inst(args).is_some() && crate::attr::hasattr(args, "__getitem__")? && !matches!(args, Value::Str(_)) => {
            (vec![args.clone()], Some(args.clone()))
        }
        _ => (vec![args.clone()], None),
    };
    let c: Vec<char> = fmt.chars().collect();
    let mut out = String::new();
    let mut ai = 0usize;
    let mut used_mapping = false;
    let mut i = 0;
    let next_arg = |ai: &mut usize| -> PyResult<Value> {
        if *ai >= list.len() {
            return Err(type_error("not enough arguments for format string".into()));
        }
        *ai += 1;
        Ok(list[*ai - 1].clone())
    };
    while i < c.len() {
        if c[i] != '%' {
            out.push(c[i]);
            i += 1;
            continue;
        }
        i += 1;
        if i >= c.len() {
            return Err(value_error("incomplete format".into()));
        }
        let mut key: Option<String> = None;
        if c[i] == '(' {
            let mut depth = 1;
            let st = i + 1;
            i += 1;
            while i < c.len() && depth > 0 {
                if c[i] == '(' {
                    depth += 1;
                } else if c[i] == ')' {
                    depth -= 1;
                }
                i += 1;
            }
            key = Some(c[st..i - 1].iter().collect());
        }
        let mut spec = Spec::default();
        let mut left = false;
        while i < c.len() && matches!(c[i], '-' | '+' | ' ' | '#' | '0') {
            match c[i] {
                '-' => left = true,
                '+' => spec.sign = Some('+'),
                ' ' => {
                    if spec.sign.is_none() {
                        spec.sign = Some(' ')
                    }
                }
                '#' => spec.alt = true,
                _ => spec.zero = true,
            }
            i += 1;
        }
        if i < c.len() && c[i] == '*' {
            let w = next_arg(&mut ai)?;
            let w = w.as_i64().ok_or_else(|| type_error("* wants int".into()))?;
            if w < 0 {
                left = true;
            }
            spec.width = w.unsigned_abs() as usize;
            i += 1;
        } else {
            let st = i;
            while i < c.len() && c[i].is_ascii_digit() {
                i += 1;
            }
            if i > st {
                spec.width = c[st..i].iter().collect::<String>().parse().unwrap();
            }
        }
        if i < c.len() && c[i] == '.' {
            i += 1;
            if i < c.len() && c[i] == '*' {
                let p = next_arg(&mut ai)?;
                spec.prec = Some(p.as_i64().ok_or_else(|| type_error("* wants int".into()))?.max(0) as usize);
                i += 1;
            } else {
                let st = i;
                while i < c.len() && c[i].is_ascii_digit() {
                    i += 1;
                }
                spec.prec = Some(c[st..i].iter().collect::<String>().parse().unwrap_or(0));
            }
        }
        while i < c.len() && matches!(c[i], 'h' | 'l' | 'L') {
            i += 1;
        }
        if i >= c.len() {
            return Err(value_error("incomplete format".into()));
        }
        let ty = c[i];
        i += 1;
        if ty == '%' {
            out.push('%');
            continue;
        }
        let arg = match &key {
            Some(k) => {
                used_mapping = true;
                match &mapping {
                    Some(m) => crate::attr::getitem(m, &Value::string(k.clone()))?,
                    None => return Err(type_error("format requires a mapping".into())),
                }
            }
            None => next_arg(&mut ai)?,
        };
        if left {
            spec.align = Some('<');
            spec.zero = false;
        }
        let piece = match ty {
            's' | 'r' | 'a' => {
                let s = match ty {
                    's' => ops::to_str(&arg)?,
                    'r' => ops::repr(&arg)?,
                    _ => ops::ascii(&arg)?,
                };
                let body: String = match spec.prec {
                    Some(p) => s.chars().take(p).collect(),
                    None => s,
                };
                let sp = Spec { width: spec.width, align: Some(if left { '<' } else { '>' }), ..Spec::default() };
                pad(body, &sp, false, "")
            }
            'd' | 'i' | 'u' => {
                let iv = match &arg {
                    Value::Int(_) | Value::Big(_) | Value::Bool(_) => arg.clone(),
                    Value::Float(f) => {
                        if f.is_nan() {
                            return Err(value_error("cannot convert float NaN to integer".into()));
                        }
                        ops::int_from_big(BigInt::from_f64(f.trunc()))
                    }
                    _ => {
                        if let Some(r) = ops::call_dunder(&arg, "__int__", vec![])? {
                            r
                        } else {
                            return Err(type_error(format!("%{} format: a real number is required, not {}", ty, type_name(&arg))));
                        }
                    }
                };
                let b = ops::to_big(&iv).unwrap();
                let mut digits = ops::big_dec(&b.abs())?;
                if let Some(p) = spec.prec {
                    while digits.len() < p {
                        digits.insert(0, '0');
                    }
                }
                num_layout(b.neg, "", &digits, "", &spec, 3)
            }
            'x' | 'X' | 'o' => {
                let b = match &arg {
                    Value::Int(_) | Value::Big(_) | Value::Bool(_) => ops::to_big(&arg).unwrap(),
                    _ => {
                        return Err(type_error(format!("%{} format: an integer is required, not {}", ty, type_name(&arg))));
                    }
                };
                let radix = if ty == 'o' { 8 } else { 16 };
                let mut digits = b.abs().to_string_radix(radix);
                if ty == 'X' {
                    digits = digits.to_uppercase();
                }
                if let Some(p) = spec.prec {
                    while digits.len() < p {
                        digits.insert(0, '0');
                    }
                }
                let prefix = if spec.alt {
                    match ty {
                        'x' => "0x",
                        'X' => "0X",
                        _ => "0o",
                    }
                } else {
                    ""
                };
                num_layout(b.neg, prefix, &digits, "", &spec, 3)
            }
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
                let f = match &arg {
                    Value::Float(f) => *f,
                    Value::Int(_) | Value::Big(_) | Value::Bool(_) => ops::int_to_f64(&arg)?,
                    _ => {
                        if let Some(r) = ops::call_dunder(&arg, "__float__", vec![])? {
                            ops::int_to_f64(&r)?
                        } else {
                            return Err(type_error(format!("must be real number, not {}", type_name(&arg))));
                        }
                    }
                };
                let mut sp = spec;
                sp.ty = Some(ty);
                if sp.prec.is_none() {
                    sp.prec = Some(6);
                }
                float_spec(f, &sp)?
            }
            'c' => {
                let ch = match &arg {
                    Value::Int(i) => char::from_u32(*i as u32).ok_or_else(|| new_exc("OverflowError", "%c arg not in range(0x110000)"))?.to_string(),
                    Value::Str(s) if s.nchars == 1 => s.s.clone(),
                    _ => return Err(type_error("%c requires int or char".into())),
                };
                let sp = Spec { width: spec.width, align: Some(if left { '<' } else { '>' }), ..Spec::default() };
                pad(ch, &sp, false, "")
            }
            _ => {
                return Err(value_error(format!(
                    "unsupported format character '{}' (0x{:x}) at index {}",
                    ty,
                    ty as u32,
                    i - 1
                )))
            }
        };
        out.push_str(&piece);
    }
    if ai < list.len() && !used_mapping && mapping.is_none() {
        return Err(type_error("not all arguments converted during string formatting".into()));
    }
    Ok(out)
}

// ---------------------------------------------------------------- str.format

pub fn str_format(fmt: &str, args: &[Value], kw: &Kw) -> PyResult<String> {
    let mut auto = 0usize;
    let mut manual = false;
    format_inner(fmt, args, kw, &mut auto, &mut manual, 2)
}

fn format_inner(fmt: &str, args: &[Value], kw: &Kw, auto: &mut usize, manual: &mut bool, depth: u32) -> PyResult<String> {
    let c: Vec<char> = fmt.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        if ch == '{' {
            if i + 1 < c.len() && c[i + 1] == '{' {
                out.push('{');
                i += 2;
                continue;
            }
            let st = i + 1;
            i = field_end(&c, st)?;
            let field: String = c[st..i].iter().collect();
            i += 1;
            // split field, conversion, spec
            let (mut name, mut rest) = (field.clone(), String::new());
            let mut bd = 0;
            for (k, fc) in field.char_indices() {
                match fc {
                    '[' => bd += 1,
                    ']' => bd -= 1,
                    '!' | ':' if bd == 0 => {
                        name = field[..k].to_string();
                        rest = field[k..].to_string();
                        break;
                    }
                    _ => {}
                }
            }
            let mut conv = None;
            let mut spec = String::new();
            if let Some(r) = rest.strip_prefix('!') {
                let mut it = r.chars();
                conv = it.next();
                let r2: String = it.collect();
                if let Some(s) = r2.strip_prefix(':') {
                    spec = s.to_string();
                } else if !r2.is_empty() {
                    return Err(value_error("expected ':' after conversion specifier".into()));
                }
            } else if let Some(s) = rest.strip_prefix(':') {
                spec = s.to_string();
            }
            if spec.contains('{') {
                if depth == 0 {
                    return Err(value_error("Max string recursion exceeded".into()));
                }
                spec = format_inner(&spec, args, kw, auto, manual, depth - 1)?;
            }
            // resolve the field name
            let first_end = name.find(|c| c == '.' || c == '[').unwrap_or(name.len());
            let first = &name[..first_end];
            let mut val = if first.is_empty() {
                if *manual {
                    return Err(value_error("cannot switch from manual field specification to automatic field numbering".into()));
                }
                *auto += 1;
                args.get(*auto - 1).cloned().ok_or_else(|| {
                    new_exc("IndexError", &format!("Replacement index {} out of range for positional args tuple", *auto - 1))
                })?
            } else if let Ok(n) = first.parse::<usize>() {
                if *auto > 0 {
                    return Err(value_error("cannot switch from automatic field numbering to manual field specification".into()));
                }
                *manual = true;
                args.get(n).cloned().ok_or_else(|| {
                    new_exc("IndexError", &format!("Replacement index {} out of range for positional args tuple", n))
                })?
            } else {
                match kw.iter().find(|(k, _)| k == first) {
                    Some((_, v)) => v.clone(),
                    None => return Err(new_exc_args("KeyError", vec![Value::str(first)])),
                }
            };
            let mut r = &name[first_end..];
            while !r.is_empty() {
                if let Some(a) = r.strip_prefix('.') {
                    let e = a.find(|c| c == '.' || c == '[').unwrap_or(a.len());
                    val = crate::attr::getattr(&val, &a[..e])?;
                    r = &a[e..];
                } else if let Some(a) = r.strip_prefix('[') {
                    let e = a.find(']').ok_or_else(|| value_error("Missing ']' in format string".into()))?;
                    let key = &a[..e];
                    let k = match key.parse::<i64>() {
                        Ok(n) => Value::Int(n),
                        Err(_) => Value::str(key),
                    };
                    val = crate::attr::getitem(&val, &k)?;
                    r = &a[e + 1..];
                } else {
                    return Err(value_error("Only '.' or '[' may follow ']' in format field specifier".into()));
                }
            }
            let val = match conv {
                Some('r') => Value::string(ops::repr(&val)?),
                Some('s') => Value::string(ops::to_str(&val)?),
                Some('a') => Value::string(ops::ascii(&val)?),
                Some(x) => return Err(value_error(format!("Unknown conversion specifier {}", x))),
                None => val,
            };
            out.push_str(&format(&val, &spec)?);
        } else if ch == '}' {
            if i + 1 < c.len() && c[i + 1] == '}' {
                out.push('}');
                i += 2;
                continue;
            }
            return Err(value_error("Single '}' encountered in format string".into()));
        } else {
            out.push(ch);
            i += 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn repr_floats() {
        assert_eq!(float_repr(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(float_repr(1e16), "1e+16");
        assert_eq!(float_repr(1e15), "1000000000000000.0");
        assert_eq!(float_repr(1.5e-7), "1.5e-07");
        assert_eq!(float_repr(0.0001), "0.0001");
        assert_eq!(float_repr(-0.0), "-0.0");
        assert_eq!(float_repr(5e-324), "5e-324");
        assert_eq!(float_repr(f64::INFINITY), "inf");
        assert_eq!(float_repr(2.0), "2.0");
        assert_eq!(float_repr(123456789.123), "123456789.123");
        assert_eq!(float_repr(1.7976931348623157e308), "1.7976931348623157e+308");
    }
    #[test]
    fn spec_floats() {
        let f = |x: f64, s: &str| format(&Value::Float(x), s).unwrap();
        assert_eq!(f(2.5, ".0f"), "2");
        assert_eq!(f(3.5, ".0f"), "4");
        assert_eq!(f(0.5, ".0f"), "0");
        assert_eq!(f(2.675, ".2f"), "2.67");
        assert_eq!(f(0.1, ".20f"), "0.10000000000000000555");
        assert_eq!(f(1234.5678, ",.2f"), "1,234.57");
        assert_eq!(f(3.14159265358979, "e"), "3.141593e+00");
        assert_eq!(f(3.14159265358979 * 1e6, "g"), "3.14159e+06");
        assert_eq!(f(3.14159265358979 * 1e-6, "g"), "3.14159e-06");
        assert_eq!(f(1e20, ".3g"), "1e+20");
        assert_eq!(f(123.0, "g"), "123");
        assert_eq!(f(0.125, ".1%"), "12.5%");
        assert_eq!(f(1.0 / 3.0, ".5"), "0.33333");
        assert_eq!(f(-0.0, "+.1f"), "-0.0");
        assert_eq!(f(12.0, "#g"), "12.0000");
        assert_eq!(f(1234567.0, ","), "1,234,567.0");
        assert_eq!(f(f64::NAN, "08.2f"), "00000nan");
        assert_eq!(f(9.999, ".2e"), "1.00e+01");
        assert_eq!(f(0.00001234, "g"), "1.234e-05");
    }
    #[test]
    fn spec_ints() {
        let f = |x: i64, s: &str| format(&Value::Int(x), s).unwrap();
        assert_eq!(f(1234567, ","), "1,234,567");
        assert_eq!(f(1234567, "_"), "1_234_567");
        assert_eq!(f(255, "#010b"), "0b11111111");
        assert_eq!(f(-42, "=8d"), "-     42");
        assert_eq!(f(42, "*^9"), "***42****");
        assert_eq!(f(1234, "08,"), "0,001,234");
        assert_eq!(f(-1234, "08,"), "-001,234");
        assert_eq!(f(255, "#010_x"), "0x000_00ff");
        assert_eq!(f(1234567, "012d"), "000001234567");
        assert_eq!(format(&Value::Bool(true), ">5").unwrap(), "    1");
        assert_eq!(format(&Value::Bool(true), "").unwrap(), "True");
    }
    #[test]
    fn percent() {
        let t = |v: Vec<Value>| crate::tuple(v);
        assert_eq!(percent_format("%-10s|%08d|%14.2f|%6.2f%%", &t(vec![Value::str("Ada"), Value::Int(1017), Value::Float(2500.456), Value::Float(1.25)])).unwrap(), "Ada       |00001017|       2500.46|  1.25%");
        assert_eq!(percent_format("%e | %E | %.3e | %g | %g | %G", &t(vec![Value::Float(12345.678), Value::Float(0.00012), Value::Float(6.02e23), Value::Float(0.00001234), Value::Float(1234567.0), Value::Float(1e-10)])).unwrap(), "1.234568e+04 | 1.200000E-04 | 6.020e+23 | 1.234e-05 | 1.23457e+06 | 1E-10");
        assert_eq!(percent_format("[%*d] [%-*d] [%.*f]", &t(vec![Value::Int(6), Value::Int(42), Value::Int(6), Value::Int(42), Value::Int(2), Value::Float(3.14159)])).unwrap(), "[    42] [42    ] [3.14]");
        assert_eq!(percent_format("%d, %i", &t(vec![Value::Float(3.99), Value::Float(-3.99)])).unwrap(), "3, -3");
        assert_eq!(percent_format("%5.1s|", &Value::str("abc")).unwrap(), "    a|");
    }
}

/// Index of the `}` that closes a replacement field whose text starts at
/// `st` (just after its `{`), counting nested braces of format specs
/// (`{x:{w}}`). Shared by str.format and string.Formatter.
pub(crate) fn field_end(c: &[char], st: usize) -> PyResult<usize> {
    let mut depth = 1;
    let mut i = st;
    while i < c.len() {
        if c[i] == '{' {
            depth += 1;
        } else if c[i] == '}' {
            depth -= 1;
            if depth == 0 {
                return Ok(i);
            }
        }
        i += 1;
    }
    Err(value_error("expected '}' before end of string".into()))
}
