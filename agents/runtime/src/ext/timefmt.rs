//! The calendar half of `time`: `struct_time`, `gmtime`, `localtime`,
//! `mktime`, `asctime`, `ctime` and `strftime` in the C locale, with the
//! zone fixed at UTC (a WASI module has no time-zone database: `localtime`
//! is `gmtime`, `timezone`/`altzone` are 0, `tzname` is ('UTC', 'UTC')).
//! This is what `datetime.py`, compiled from CPython's installed source,
//! asks of `time` (timetuple, strftime, fromtimestamp, timestamp).
//! `strftime` knows glibc's directives for the C locale; an unknown one is
//! copied through, as glibc does. No `strptime` (CPython's is `_strptime.py`).

use super::nat;
use crate::object::*;
use crate::value::*;
use std::cell::RefCell;

const FIELDS: [&str; 9] = ["tm_year", "tm_mon", "tm_mday", "tm_hour", "tm_min", "tm_sec", "tm_wday", "tm_yday", "tm_isdst"];
const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTHS: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

thread_local! {
    static STRUCT_TIME: RefCell<Option<Value>> = RefCell::new(None);
}

fn tuple_class() -> Value {
    if let Some(c) = STRUCT_TIME.with(|s| s.borrow().clone()) {
        return c;
    }
    let c = crate::stdlib::collections_string_random::namedtuple_class("time.struct_time", &FIELDS, "time");
    STRUCT_TIME.with(|s| *s.borrow_mut() = Some(c.clone()));
    c
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// days_from_civil).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

/// The nine fields of a UTC time.
fn fields_of(secs: i64) -> [i64; 9] {
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    let (y, m, d) = civil_from_days(days);
    let yday = days - days_from_civil(y, 1, 1) + 1;
    let wday = (days + 3).rem_euclid(7); // 1970-01-01 was a Thursday; Monday is 0
    [y, m, d, rem / 3600, rem % 3600 / 60, rem % 60, wday, yday, 0]
}

fn make(f: [i64; 9]) -> PyResult<Value> {
    let t = crate::call::call(&tuple_class(), f.iter().map(|&x| Value::Int(x)).collect(), vec![])?;
    Ok(t)
}

fn secs_arg(a: &[Value]) -> PyResult<i64> {
    match a.get(0) {
        None | Some(Value::None) => {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64);
            Ok(now.unwrap_or(0))
        }
        Some(v) => {
            let f = crate::builtins::to_float(v)?;
            if f.is_nan() {
                return Err(value_error("Invalid value NaN (not a number)".into()));
            }
            Ok(f.floor() as i64)
        }
    }
}

/// The nine fields of a struct_time or 9-tuple argument.
fn tuple_arg(v: Option<&Value>, fname: &str) -> PyResult<[i64; 9]> {
    let v = match v {
        None | Some(Value::None) => return Ok(fields_of(secs_arg(&[])?)),
        Some(v) => v,
    };
    let items = crate::iter::collect(v)?;
    if items.len() != 9 {
        return Err(type_error(format!("{}(): illegal time tuple argument", fname)));
    }
    let mut f = [0i64; 9];
    for (i, x) in items.iter().enumerate() {
        f[i] = x.as_i64().ok_or_else(|| type_error("an integer is required".into()))?;
    }
    Ok(f)
}

fn iso_week(f: &[i64; 9]) -> (i64, i64) {
    // ISO 8601: weeks start on Monday; week 1 holds the year's first Thursday
    let (y, yday, wday) = (f[0], f[7] - 1, f[6]);
    let wk = (yday - wday + 10) / 7;
    if wk < 1 {
        let py = y - 1;
        let pdays = if is_leap(py) { 366 } else { 365 };
        return (py, (yday + pdays - wday + 10) / 7);
    }
    let ydays = if is_leap(y) { 366 } else { 365 };
    if wk == 53 && yday - wday + 3 >= ydays {
        return (y + 1, 1);
    }
    (y, wk)
}

pub fn strftime(fmt: &str, f: &[i64; 9]) -> String {
    let mut out = String::new();
    let mut it = fmt.chars().peekable();
    let day = |i: i64| DAYS[i.rem_euclid(7) as usize];
    let mon = |m: i64| MONTHS[((m - 1).rem_euclid(12)) as usize];
    let h12 = if f[3] % 12 == 0 { 12 } else { f[3] % 12 };
    let sunday_wday = (f[6] + 1) % 7;
    let yday0 = f[7] - 1;
    while let Some(c) = it.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let d = match it.next() {
            Some(d) => d,
            None => {
                out.push('%');
                break;
            }
        };
        let s = match d {
            'a' => day(f[6])[..3].to_string(),
            'A' => day(f[6]).to_string(),
            'b' | 'h' => mon(f[1])[..3].to_string(),
            'B' => mon(f[1]).to_string(),
            'c' => strftime("%a %b %e %H:%M:%S %Y", f),
            'C' => format!("{:02}", f[0].div_euclid(100)),
            'd' => format!("{:02}", f[2]),
            'D' | 'x' => strftime("%m/%d/%y", f),
            'e' => format!("{:2}", f[2]),
            'F' => strftime("%Y-%m-%d", f),
            'G' => format!("{}", iso_week(f).0),
            'g' => format!("{:02}", iso_week(f).0.rem_euclid(100)),
            'H' => format!("{:02}", f[3]),
            'I' => format!("{:02}", h12),
            'j' => format!("{:03}", f[7]),
            'k' => format!("{:2}", f[3]),
            'l' => format!("{:2}", h12),
            'm' => format!("{:02}", f[1]),
            'M' => format!("{:02}", f[4]),
            'n' => "\n".to_string(),
            'p' => (if f[3] < 12 { "AM" } else { "PM" }).to_string(),
            'P' => (if f[3] < 12 { "am" } else { "pm" }).to_string(),
            'r' => strftime("%I:%M:%S %p", f),
            'R' => strftime("%H:%M", f),
            'S' => format!("{:02}", f[5]),
            's' => format!("{}", days_from_civil(f[0], f[1], f[2]) * 86400 + f[3] * 3600 + f[4] * 60 + f[5]),
            't' => "\t".to_string(),
            'T' | 'X' => strftime("%H:%M:%S", f),
            'u' => format!("{}", f[6] + 1),
            'U' => format!("{:02}", (yday0 + 7 - sunday_wday) / 7),
            'V' => format!("{:02}", iso_week(f).1),
            'w' => format!("{}", sunday_wday),
            'W' => format!("{:02}", (yday0 + 7 - f[6]) / 7),
            'y' => format!("{:02}", f[0].rem_euclid(100)),
            'Y' => format!("{}", f[0]),
            'z' => "+0000".to_string(),
            'Z' => "UTC".to_string(),
            '%' => "%".to_string(),
            other => format!("%{}", other),
        };
        out.push_str(&s);
    }
    out
}

fn asctime(f: &[i64; 9]) -> String {
    format!("{} {} {:2} {:02}:{:02}:{:02} {}", &DAYS[f[6].rem_euclid(7) as usize][..3], &MONTHS[(f[1] - 1).rem_euclid(12) as usize][..3],
            f[2], f[3], f[4], f[5], f[0])
}

/// Adds the calendar functions to the runtime's `time` module.
pub fn add_to(m: &Value) {
    let set = |n: &str, v: Value| crate::rtsys::mod_set(m, n, v);
    set("struct_time", nat("struct_time", |a, _| {
        let seq = a.get(0).ok_or_else(|| type_error("struct_time() missing required argument 'sequence' (pos 1)".into()))?;
        let items = crate::iter::collect(seq)?;
        if items.len() < 9 || items.len() > 11 {
            return Err(type_error(format!("time.struct_time() takes a 9-sequence ({}-sequence given)", items.len())));
        }
        crate::call::call(&tuple_class(), items[..9].to_vec(), vec![])
    }));
    set("gmtime", nat("gmtime", |a, _| make(fields_of(secs_arg(&a)?))));
    set("localtime", nat("localtime", |a, _| make(fields_of(secs_arg(&a)?))));
    set("mktime", nat("mktime", |a, _| {
        let f = tuple_arg(a.get(0), "mktime")?;
        // months and days out of range roll over, as in C's mktime
        let y = f[0] + (f[1] - 1).div_euclid(12);
        let mo = (f[1] - 1).rem_euclid(12) + 1;
        let days = days_from_civil(y, mo, 1) + f[2] - 1;
        Ok(Value::Float((days * 86400 + f[3] * 3600 + f[4] * 60 + f[5]) as f64))
    }));
    set("strftime", nat("strftime", |a, _| {
        let fmt = match a.get(0) {
            Some(Value::Str(s)) => s.s.clone(),
            Some(v) => return Err(type_error(format!("strftime() argument 1 must be str, not {}", type_name(v)))),
            None => return Err(type_error("strftime() takes at least 1 argument (0 given)".into())),
        };
        let f = tuple_arg(a.get(1), "strftime")?;
        if f[1] < 1 || f[1] > 12 {
            return Err(value_error("month out of range".into()));
        }
        Ok(Value::string(strftime(&fmt, &f)))
    }));
    set("asctime", nat("asctime", |a, _| Ok(Value::string(asctime(&tuple_arg(a.get(0), "asctime")?)))));
    set("ctime", nat("ctime", |a, _| Ok(Value::string(asctime(&fields_of(secs_arg(&a)?))))));
    set("timezone", Value::Int(0));
    set("altzone", Value::Int(0));
    set("daylight", Value::Int(0));
    set("tzname", crate::tuple(vec![Value::str("UTC"), Value::str("UTC")]));
}
