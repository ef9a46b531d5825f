//! `doctest`: testmod() over docstring examples compiled at translate time.
//!
//! CPython's doctest finds docstrings, parses them and exec()s each example
//! from source at run time. The translator does the finding and parsing
//! (agents/ing_doctest.c) and compiles every example into a Rust module of
//! its own; generated main() registers the table of them (`register`).
//! What is left here is DocTestRunner and OutputChecker of CPython 3.11:
//! each example runs in a copy of the module's globals with stdout
//! captured, its output compared the way doctest compares (`True` for `1`,
//! `<BLANKLINE>`, NORMALIZE_WHITESPACE, ELLIPSIS, expected exceptions with
//! IGNORE_EXCEPTION_DETAIL), and failures reported in doctest's words,
//! byte for byte, as is the summary (verbose or not). testmod() checks
//! that each module-level name still holds a routine or class of the
//! module with the docstring the translator saw (a decorator without
//! functools.wraps leaves it no examples, as in CPython);
//! run_docstring_examples() finds a function's compiled examples by its
//! docstring.
//!
//! Known differences: the traceback in an "Exception raised:" report has
//! no source lines below the example's own (the runtime keeps no source
//! text); the diff reports (REPORT_UDIFF/CDIFF/NDIFF) print the plain
//! Expected/Got form; raise_on_error is refused.

use crate::object::*;
use crate::value::*;
use std::cell::Cell;

pub struct Example {
    pub source: &'static str,
    pub want: &'static str,
    pub exc_msg: Option<&'static str>,
    pub lineno: i32,
    pub indent: i32,
    pub on: i64,
    pub off: i64,
    pub body: fn(&Value) -> PyResult<()>,
}

pub struct Test {
    pub name: &'static str,
    /// The object below the module ("Stack.push"; "" for the module).
    pub path: &'static str,
    pub doc: Option<&'static str>,
    /// 0-based line of the docstring, -1 for None (DocTestFinder._find_lineno).
    pub lineno: i32,
    pub examples: &'static [Example],
}

pub struct Module {
    pub name: &'static str,
    pub tests: &'static [Test],
}

thread_local! {
    static TABLE: Cell<&'static [Module]> = Cell::new(&[]);
}

/// Called by generated main() with the program's doctests.
pub fn register(t: &'static [Module]) {
    TABLE.with(|c| c.set(t));
}

const DONT_ACCEPT_TRUE_FOR_1: i64 = 1;
const DONT_ACCEPT_BLANKLINE: i64 = 2;
const NORMALIZE_WHITESPACE: i64 = 4;
const ELLIPSIS: i64 = 8;
const SKIP: i64 = 16;
const IGNORE_EXCEPTION_DETAIL: i64 = 32;
const REPORT_ONLY_FIRST_FAILURE: i64 = 512;
const FAIL_FAST: i64 = 1024;
const FLAGS: &[(&str, i64)] = &[
    ("DONT_ACCEPT_TRUE_FOR_1", 1),
    ("DONT_ACCEPT_BLANKLINE", 2),
    ("NORMALIZE_WHITESPACE", 4),
    ("ELLIPSIS", 8),
    ("SKIP", 16),
    ("IGNORE_EXCEPTION_DETAIL", 32),
    ("REPORT_UDIFF", 64),
    ("REPORT_CDIFF", 128),
    ("REPORT_NDIFF", 256),
    ("REPORT_ONLY_FIRST_FAILURE", 512),
    ("FAIL_FAST", 1024),
];
const DIVIDER: &str = "**********************************************************************";

/// sys.displayhook for an expression statement of an example (the
/// interactive compile mode): repr of anything but None, on stdout, and
/// the value kept as `_` (in the example's globals, where CPython sets
/// builtins._: so a test that reads `_` before displaying anything gets a
/// NameError where CPython gets the None doctest left after the last test).
pub fn display(g: &Value, v: &Value) -> PyResult<()> {
    if v.is_none() {
        return Ok(());
    }
    let r = crate::ops::repr(v)?;
    crate::rtsys::write_stdout(&r);
    crate::rtsys::write_stdout("\n");
    crate::rtsys::mod_set(g, "_", v.clone());
    Ok(())
}

pub fn module() -> Value {
    let m = crate::rtsys::new_module("doctest", "");
    let set = |n: &str, v: Value| crate::rtsys::mod_set(&m, n, v);
    for (n, f) in FLAGS {
        set(n, Value::int(*f));
    }
    set("COMPARISON_FLAGS", Value::int(63));
    set("REPORTING_FLAGS", Value::int(64 | 128 | 256 | 512 | 1024));
    set("BLANKLINE_MARKER", Value::str("<BLANKLINE>"));
    set("ELLIPSIS_MARKER", Value::str("..."));
    set("testmod", super::nat("testmod", testmod));
    set("run_docstring_examples", super::nat("run_docstring_examples", run_docstring_examples));
    m
}

fn results(failed: i64, attempted: i64) -> PyResult<Value> {
    thread_local! {
        static CLS: std::cell::RefCell<Option<Value>> = std::cell::RefCell::new(None);
    }
    let cls = match CLS.with(|c| c.borrow().clone()) {
        Some(c) => c,
        None => {
            let coll = crate::stdlib::import_std("collections", crate::stdlib::modules::collections)?;
            let nt = crate::attr::getattr(&coll, "namedtuple")?;
            let c = crate::call::call(&nt, vec![Value::str("TestResults"), Value::str("failed attempted")], vec![])?;
            CLS.with(|x| *x.borrow_mut() = Some(c.clone()));
            c
        }
    };
    crate::call::call(&cls, vec![Value::int(failed), Value::int(attempted)], vec![])
}

fn out(s: &str) {
    crate::rtsys::write_stdout(s);
}

/// doctest._indent: four spaces before every non-empty line.
fn indent(s: &str) -> String {
    let mut r = String::with_capacity(s.len() + 16);
    for l in s.split_inclusive('\n') {
        if l != "\n" {
            r.push_str("    ");
        }
        r.push_str(l);
    }
    r
}

fn to_ascii(s: &str) -> String {
    let mut r = String::with_capacity(s.len());
    for ch in s.chars() {
        let c = ch as u32;
        if c < 0x80 {
            r.push(ch);
        } else if c < 0x100 {
            r.push_str(&format!("\\x{:02x}", c));
        } else if c < 0x10000 {
            r.push_str(&format!("\\u{:04x}", c));
        } else {
            r.push_str(&format!("\\U{:08x}", c));
        }
    }
    r
}

fn py_ws(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// doctest._ellipsis_match
fn ellipsis_match(want: &str, got: &str) -> bool {
    if !want.contains("...") {
        return want == got;
    }
    let mut ws: Vec<&str> = want.split("...").collect();
    let (mut start, mut end) = (0usize, got.len());
    let w = ws[0];
    if !w.is_empty() {
        if got.starts_with(w) {
            start = w.len();
            ws.remove(0);
        } else {
            return false;
        }
    }
    let w = ws[ws.len() - 1];
    if !w.is_empty() {
        if got.ends_with(w) {
            end -= w.len();
            ws.pop();
        } else {
            return false;
        }
    }
    if start > end {
        return false;
    }
    for w in ws {
        match got[start..end].find(w) {
            Some(i) => start += i + w.len(),
            None => return false,
        }
    }
    true
}

/// Lines of `s` with a predicate's lines emptied (keeping their newline).
fn map_lines(s: &str, f: impl Fn(&str) -> bool) -> String {
    let mut r = String::with_capacity(s.len());
    for l in s.split_inclusive('\n') {
        let (body, nl) = match l.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (l, ""),
        };
        if f(body) {
            r.push_str(nl);
        } else {
            r.push_str(l);
        }
    }
    r
}

/// OutputChecker.check_output
fn check_output(want: &str, got: &str, flags: i64) -> bool {
    let (got, want) = (to_ascii(got), to_ascii(want));
    if got == want {
        return true;
    }
    if flags & DONT_ACCEPT_TRUE_FOR_1 == 0 {
        if (got.as_str(), want.as_str()) == ("True\n", "1\n") || (got.as_str(), want.as_str()) == ("False\n", "0\n") {
            return true;
        }
    }
    let (mut got, mut want) = (got, want);
    if flags & DONT_ACCEPT_BLANKLINE == 0 {
        want = map_lines(&want, |l| l.strip_prefix("<BLANKLINE>").map_or(false, |r| r.chars().all(py_ws)));
        got = map_lines(&got, |l| !l.is_empty() && l.chars().all(py_ws));
        if got == want {
            return true;
        }
    }
    if flags & NORMALIZE_WHITESPACE != 0 {
        let g = got.split(py_ws).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ");
        let w = want.split(py_ws).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ");
        if g == w {
            return true;
        }
    }
    if flags & ELLIPSIS != 0 && ellipsis_match(&want, &got) {
        return true;
    }
    false
}

/// OutputChecker.output_difference (the plain form).
fn output_difference(want: &str, got: &str, flags: i64) -> String {
    let mut got = got.to_string();
    if flags & DONT_ACCEPT_BLANKLINE == 0 {
        // (?m)^[ ]*(?=\n) -> <BLANKLINE>
        let mut r = String::with_capacity(got.len());
        for l in got.split_inclusive('\n') {
            match l.strip_suffix('\n') {
                Some(b) if b.chars().all(|c| c == ' ') => r.push_str("<BLANKLINE>\n"),
                _ => r.push_str(l),
            }
        }
        got = r;
    }
    if !want.is_empty() && !got.is_empty() {
        format!("Expected:\n{}Got:\n{}", indent(want), indent(&got))
    } else if !want.is_empty() {
        format!("Expected:\n{}Got nothing\n", indent(want))
    } else if !got.is_empty() {
        format!("Expected nothing\nGot:\n{}", indent(&got))
    } else {
        "Expected nothing\nGot nothing\n".to_string()
    }
}

/// doctest._strip_exception_details
fn strip_details(msg: &str) -> &str {
    let mut end = msg.find('\n').unwrap_or(msg.len());
    if let Some(i) = msg[..end].find(':') {
        end = i;
    }
    let start = msg[..end].rfind('.').map_or(0, |i| i + 1);
    &msg[start..end]
}

/// traceback.format_exception_only's last line.
fn exc_only(e: &Value) -> String {
    let label = crate::rtsys::exc_type_label(e);
    let msg = crate::ops::to_str(e).unwrap_or_else(|_| "<exception str() failed>".into());
    if msg.is_empty() {
        format!("{}\n", label)
    } else {
        format!("{}: {}\n", label, msg)
    }
}

/// The traceback CPython prints for an exception an example raised; frames
/// below the example's have no source line here.
fn exc_traceback(e: &Value, ex: &Example) -> String {
    let mut full = String::new();
    crate::rtsys::format_exception(e, &mut full, 0);
    let lines: Vec<&str> = ex.source.lines().collect();
    let mut r = String::new();
    // the frames above the example's (testmod's caller) are not in CPython's
    let mut above = false;
    for l in full.split_inclusive('\n') {
        if l == "Traceback (most recent call last):\n" {
            r.push_str(l);
            r.push_str("  File \"/usr/lib/python3.11/doctest.py\", line 1351, in __run\n");
            r.push_str("    exec(compile(example.source, filename, \"single\",\n");
            above = full.contains("  File \"<doctest ");
            continue;
        }
        if above && l.starts_with("  File \"") {
            if !l.starts_with("  File \"<doctest ") {
                continue;
            }
            above = false;
        }
        r.push_str(l);
        if l.starts_with("  File \"<doctest ") {
            if let Some(n) = l.split(", line ").nth(1).and_then(|t| t.split(',').next()).and_then(|t| t.parse::<usize>().ok()) {
                if let Some(src) = lines.get(n.wrapping_sub(1)) {
                    r.push_str(&format!("    {}\n", src.trim()));
                }
            }
        }
    }
    r
}

fn failure_header(test: &Test, filename: &Option<String>, ex: &Example) -> String {
    let mut s = String::from(DIVIDER);
    s.push('\n');
    match filename {
        Some(f) => {
            let line = if test.lineno >= 0 { (test.lineno + ex.lineno + 1).to_string() } else { "?".to_string() };
            s.push_str(&format!("File \"{}\", line {}, in {}\n", f, line, test.name));
        }
        None => s.push_str(&format!("Line {}, in {}\n", ex.lineno + 1, test.name)),
    }
    s.push_str("Failed example:\n");
    s.push_str(&indent(ex.source));
    s
}

/// A copy of a module's globals, as a module object the examples run in.
fn globs_copy(src: &Value) -> Value {
    let m = crate::rtsys::new_module("__main__", "");
    if let (Value::Obj(a), Value::Obj(b)) = (src, &m) {
        if let (Obj::Module(sa), Obj::Module(sb)) = (&**a, &**b) {
            let mut d = sb.dict.borrow_mut();
            *d = StrMap::new();
            for (k, v) in sa.dict.borrow().entries.iter() {
                d.set(k, v.clone());
            }
        }
    }
    m
}

/// Copies a dict's str-keyed items into a module's globals.
fn globs_update(m: &Value, d: &Value) -> PyResult<()> {
    for item in crate::iter::collect(&crate::call::call_method(d, "items", vec![], vec![])?)? {
        let kv = crate::iter::collect(&item)?;
        if let (Some(Value::Str(k)), Some(v)) = (kv.get(0), kv.get(1)) {
            crate::rtsys::mod_set(m, &k.s, v.clone());
        }
    }
    Ok(())
}

/// Is the object a routine or a class of module `modname` (DocTestFinder's
/// test for module-level names)? And its docstring, when it has one.
fn still_there(v: &Value, modname: &str) -> (bool, Option<Value>) {
    let ok = match v {
        Value::Obj(o) => match &**o {
            Obj::Func(_) | Obj::Class(_) => true,
            Obj::Inst(_) => crate::attr::getattr(v, "__wrapped__").is_ok(),
            _ => false,
        },
        _ => false,
    };
    if !ok {
        return (false, None);
    }
    let module = crate::attr::getattr(v, "__module__").ok();
    if let Some(Value::Str(s)) = &module {
        if s.s != modname {
            return (false, None);
        }
    }
    (true, crate::attr::getattr(v, "__doc__").ok())
}

struct Runner {
    verbose: bool,
    flags: i64,
    name2ft: Vec<(String, i64, i64)>,
}

impl Runner {
    fn record(&mut self, name: &str, f: i64, t: i64) {
        for e in self.name2ft.iter_mut() {
            if e.0 == name {
                e.1 += f;
                e.2 += t;
                return;
            }
        }
        self.name2ft.push((name.to_string(), f, t));
    }

    fn run(&mut self, test: &Test, name: &str, examples: &[Example], filename: &Option<String>, globs: &Value) -> PyResult<(i64, i64)> {
        let shown = Test { name: leak(name), path: test.path, doc: test.doc, lineno: test.lineno, examples: &[] };
        let original = self.flags;
        let (mut failures, mut tries) = (0i64, 0i64);
        for (k, ex) in examples.iter().enumerate() {
            let quiet = self.flags & REPORT_ONLY_FIRST_FAILURE != 0 && failures > 0;
            self.flags = (original | ex.on) & !ex.off;
            if self.flags & SKIP != 0 {
                continue;
            }
            tries += 1;
            if !quiet && self.verbose {
                if !ex.want.is_empty() {
                    out(&format!("Trying:\n{}Expecting:\n{}", indent(ex.source), indent(ex.want)));
                } else {
                    out(&format!("Trying:\n{}Expecting nothing\n", indent(ex.source)));
                }
            }
            let _ = k;
            let mark = crate::rtsys::capture_begin();
            let r = (ex.body)(globs);
            let bytes = crate::rtsys::capture_end(mark);
            let mut got = String::from_utf8_lossy(&bytes).into_owned();
            if !got.is_empty() && !got.ends_with('\n') {
                got.push('\n');
            }
            // 0 success, 1 failure, 2 unexpected exception
            let mut outcome = 1;
            let mut exc: Option<Value> = None;
            match r {
                Ok(()) => {
                    if check_output(ex.want, &got, self.flags) {
                        outcome = 0;
                    }
                }
                Err(e) => {
                    let msg = exc_only(&e.val);
                    if !quiet {
                        got.push_str(&exc_traceback(&e.val, ex));
                    }
                    match ex.exc_msg {
                        None => outcome = 2,
                        Some(want) => {
                            if check_output(want, &msg, self.flags) {
                                outcome = 0;
                            } else if self.flags & IGNORE_EXCEPTION_DETAIL != 0
                                && check_output(strip_details(want), strip_details(&msg), self.flags)
                            {
                                outcome = 0;
                            }
                        }
                    }
                    exc = Some(e.val);
                }
            }
            match outcome {
                0 => {
                    if !quiet && self.verbose {
                        out("ok\n");
                    }
                }
                1 => {
                    if !quiet {
                        out(&format!("{}{}", failure_header(&shown, filename, ex), output_difference(ex.want, &got, self.flags)));
                    }
                    failures += 1;
                }
                _ => {
                    if !quiet {
                        let tb = exc_traceback(exc.as_ref().unwrap(), ex);
                        out(&format!("{}Exception raised:\n{}", failure_header(&shown, filename, ex), indent(&tb)));
                    }
                    failures += 1;
                }
            }
            if failures > 0 && self.flags & FAIL_FAST != 0 {
                break;
            }
        }
        self.flags = original;
        self.record(name, failures, tries);
        Ok((failures, tries))
    }

    fn summarize(&self) -> (i64, i64) {
        let mut notests: Vec<&str> = vec![];
        let mut passed: Vec<(&str, i64)> = vec![];
        let mut failed: Vec<(&str, i64, i64)> = vec![];
        let (mut totalt, mut totalf) = (0i64, 0i64);
        for (name, f, t) in &self.name2ft {
            totalt += t;
            totalf += f;
            if *t == 0 {
                notests.push(name);
            } else if *f == 0 {
                passed.push((name, *t));
            } else {
                failed.push((name, *f, *t));
            }
        }
        if self.verbose {
            if !notests.is_empty() {
                out(&format!("{} items had no tests:\n", notests.len()));
                notests.sort();
                for n in &notests {
                    out(&format!("    {}\n", n));
                }
            }
            if !passed.is_empty() {
                out(&format!("{} items passed all tests:\n", passed.len()));
                passed.sort();
                for (n, c) in &passed {
                    out(&format!(" {:>3} tests in {}\n", c, n));
                }
            }
        }
        if !failed.is_empty() {
            out(&format!("{}\n", DIVIDER));
            out(&format!("{} items had failures:\n", failed.len()));
            failed.sort();
            for (n, f, t) in &failed {
                out(&format!(" {:>3} of {:>3} in {}\n", f, t, n));
            }
        }
        if self.verbose {
            out(&format!("{} tests in {} items.\n", totalt, self.name2ft.len()));
            out(&format!("{} passed and {} failed.\n", totalt - totalf, totalf));
        }
        if totalf > 0 {
            out(&format!("***Test Failed*** {} failures.\n", totalf));
        } else if self.verbose {
            out("Test passed.\n");
        }
        (totalf, totalt)
    }
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

fn truthy(v: &Value) -> PyResult<bool> {
    crate::ops::truthy(v)
}

/// doctest.testmod(m=None, name=None, globs=None, verbose=None, report=True,
/// optionflags=0, extraglobs=None, raise_on_error=False, exclude_empty=False)
fn testmod(args: Vec<Value>, kw: Kw) -> PyResult<Value> {
    const NAMES: [&str; 9] =
        ["m", "name", "globs", "verbose", "report", "optionflags", "extraglobs", "raise_on_error", "exclude_empty"];
    let mut a: Vec<Value> = vec![Value::None; 9];
    a[4] = Value::Bool(true);
    a[5] = Value::int(0);
    a[7] = Value::Bool(false);
    a[8] = Value::Bool(false);
    if args.len() > 9 {
        return Err(type_error(format!("testmod() takes from 0 to 9 positional arguments but {} were given", args.len())));
    }
    for (i, v) in args.into_iter().enumerate() {
        a[i] = v;
    }
    for (k, v) in kw {
        match NAMES.iter().position(|n| *n == k.as_str()) {
            Some(i) => a[i] = v,
            None => return Err(type_error(format!("testmod() got an unexpected keyword argument '{}'", k))),
        }
    }
    if truthy(&a[7])? {
        return Err(new_exc("NotImplementedError", "doctest.testmod(raise_on_error=True) is not supported by Portalis"));
    }
    let m = if a[0].is_none() {
        match crate::methods::dict_get(&crate::rtsys::sys_modules(), &Value::str("__main__"))? {
            Some(m) => m,
            None => return Err(type_error("testmod: module required; None".into())),
        }
    } else {
        a[0].clone()
    };
    let modname = match crate::attr::getattr(&m, "__name__")? {
        Value::Str(s) => s.s.clone(),
        _ => return Err(type_error("testmod: module required".into())),
    };
    let table = TABLE.with(|t| t.get());
    let entry = match table.iter().find(|e| e.name == modname) {
        Some(e) => e,
        None => {
            return Err(new_exc(
                "NotImplementedError",
                &format!("doctest.testmod(): the docstrings of module {} were not compiled by Portalis", modname),
            ))
        }
    };
    let name = match &a[1] {
        Value::Str(s) => s.s.clone(),
        _ => modname.clone(),
    };
    let verbose = if a[3].is_none() { crate::rtsys::argv().iter().skip(1).any(|x| x == "-v") } else { truthy(&a[3])? };
    let flags = match &a[5] {
        Value::Int(i) => *i,
        Value::Bool(b) => *b as i64,
        v => v.as_i64().unwrap_or(0),
    };
    if flags & !2047 != 0 {
        return Err(new_exc("ValueError", &format!("Invalid optionflags {}", flags)));
    }
    let exclude_empty = truthy(&a[8])?;
    let filename = match crate::attr::getattr(&m, "__file__") {
        Ok(Value::Str(s)) => {
            let f = s.s.clone();
            Some(if f.ends_with(".pyc") { f[..f.len() - 1].to_string() } else { f })
        }
        _ => Some(modname.clone()),
    };
    // find: every test with its globals copy, before any runs
    let base = if a[2].is_none() { m.clone() } else { Value::None };
    let mut found: Vec<(&Test, String, &'static [Example], Value)> = vec![];
    let mut gone: Vec<&str> = vec![];
    for t in entry.tests {
        let mut examples = t.examples;
        let mut empty = t.doc.map_or(true, |d| d.is_empty());
        if !t.path.is_empty() {
            if gone.iter().any(|g| t.path.starts_with(g) && t.path[g.len()..].starts_with('.')) {
                continue;
            }
            if !t.path.contains('.') {
                let v = crate::rtsys::mod_get(&m, t.path).ok();
                let (ok, doc) = match &v {
                    Some(v) => still_there(v, &modname),
                    None => (false, None),
                };
                if !ok {
                    gone.push(t.path);
                    continue;
                }
                // a decorator that dropped or replaced the docstring: no
                // examples (classes keep theirs out of reach here)
                let is_func = matches!(&v, Some(Value::Obj(o)) if matches!(&**o, Obj::Func(_)));
                match &doc {
                    Some(Value::Str(d)) if Some(d.s.as_str()) != t.doc => {
                        examples = &[];
                        empty = d.s.is_empty();
                    }
                    Some(Value::None) if is_func && t.doc.is_some() => {
                        examples = &[];
                        empty = true;
                    }
                    _ => {}
                }
            }
        }
        if exclude_empty && empty {
            continue;
        }
        let globs = if base.is_none() {
            let g = crate::rtsys::new_module("__main__", "");
            globs_update(&g, &a[2])?;
            g
        } else {
            globs_copy(&base)
        };
        if !a[6].is_none() {
            globs_update(&globs, &a[6])?;
        }
        let tname = if name == modname { t.name.to_string() } else { format!("{}{}", name, &t.name[modname.len()..]) };
        found.push((t, tname, examples, globs));
    }
    let mut runner = Runner { verbose, flags, name2ft: vec![] };
    for (t, tname, examples, globs) in &found {
        runner.run(t, tname, examples, &filename, globs)?;
        if let Value::Obj(o) = globs {
            if let Obj::Module(md) = &**o {
                *md.dict.borrow_mut() = StrMap::new();
            }
        }
    }
    let (f, t) = if truthy(&a[4])? { runner.summarize() } else {
        runner.name2ft.iter().fold((0, 0), |(f, t), e| (f + e.1, t + e.2))
    };
    results(f, t)
}

/// doctest.run_docstring_examples(f, globs, verbose=False, name="NoName",
/// compileflags=None, optionflags=0): f's own examples (found in the table
/// by its docstring), no summary.
fn run_docstring_examples(args: Vec<Value>, kw: Kw) -> PyResult<Value> {
    const NAMES: [&str; 6] = ["f", "globs", "verbose", "name", "compileflags", "optionflags"];
    let mut a: Vec<Value> = vec![Value::None; 6];
    a[2] = Value::Bool(false);
    a[3] = Value::str("NoName");
    a[5] = Value::int(0);
    if args.len() > 6 {
        return Err(type_error(format!("run_docstring_examples() takes from 2 to 6 positional arguments but {} were given", args.len())));
    }
    for (i, v) in args.into_iter().enumerate() {
        a[i] = v;
    }
    for (k, v) in kw {
        match NAMES.iter().position(|n| *n == k.as_str()) {
            Some(i) => a[i] = v,
            None => return Err(type_error(format!("run_docstring_examples() got an unexpected keyword argument '{}'", k))),
        }
    }
    let name = crate::ops::to_str(&a[3])?;
    let verbose = truthy(&a[2])?;
    if verbose {
        out(&format!("Finding tests in {}\n", name));
    }
    let doc = match crate::attr::getattr(&a[0], "__doc__") {
        Ok(Value::Str(d)) => d.s.clone(),
        _ => return Ok(Value::None),
    };
    let fname = match crate::attr::getattr(&a[0], "__name__") {
        Ok(Value::Str(n)) => n.s.clone(),
        _ => String::new(),
    };
    // the test compiled from this docstring: the one named like f first
    let table = TABLE.with(|t| t.get());
    let mut hit: Option<(&Module, &Test)> = None;
    for m in table {
        for t in m.tests {
            if t.doc == Some(doc.as_str()) {
                let same = t.path.rsplit('.').next() == Some(fname.as_str());
                if hit.is_none() || same {
                    hit = Some((m, t));
                }
                if same {
                    break;
                }
            }
        }
    }
    let (module, test) = match hit {
        Some(h) => h,
        None => {
            return Err(new_exc(
                "NotImplementedError",
                &format!("doctest.run_docstring_examples(): the docstring of {} was not compiled by Portalis", fname),
            ))
        }
    };
    let filename = crate::methods::dict_get(&crate::rtsys::sys_modules(), &Value::str(module.name))?
        .and_then(|m| match crate::attr::getattr(&m, "__file__") {
            Ok(Value::Str(s)) => Some(s.s.clone()),
            _ => None,
        })
        .or_else(|| Some(module.name.to_string()));
    let globs = crate::rtsys::new_module("__main__", "");
    crate::rtsys::mod_set(&globs, "__name__", Value::str("__main__"));
    if !a[1].is_none() {
        globs_update(&globs, &a[1])?;
    }
    let flags = a[5].as_i64().unwrap_or(0);
    let mut runner = Runner { verbose, flags, name2ft: vec![] };
    runner.run(test, &name, test.examples, &filename, &globs)?;
    Ok(Value::None)
}
