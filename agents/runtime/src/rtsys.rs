//! Program plumbing: buffered stdout, stderr, stdin, `input()`, modules,
//! `sys`, and `run_main`, the entry point of every generated program.
//!
//! stdout is buffered in memory and flushed at exit, when the buffer grows
//! large, before anything goes to stderr, and before reading stdin, so the
//! interleaving a terminal would show is preserved while WASI write calls
//! stay few.  `run_main` maps SystemExit to the exit status and prints a
//! CPython-style traceback for any other uncaught exception.

use crate::object::*;
use crate::ops;
use crate::value::*;
use std::cell::RefCell;
use std::rc::Rc;

thread_local! {
    static OUT: RefCell<Vec<u8>> = RefCell::new(Vec::with_capacity(1 << 16));
    static MODULES: RefCell<Option<Value>> = RefCell::new(None);
    static STREAMS: RefCell<Option<(Value, Value, Value)>> = RefCell::new(None);
    static ARGV: RefCell<Vec<String>> = RefCell::new(Vec::new());
    static CUR_MODULE: RefCell<Vec<String>> = RefCell::new(Vec::new());
    static CAPTURING: std::cell::Cell<usize> = std::cell::Cell::new(0);
}

/// Name of the module whose body is executing (default `__module__` of
/// functions and classes created meanwhile).
pub fn current_module() -> String {
    CUR_MODULE.with(|c| c.borrow().last().cloned()).unwrap_or_else(|| "__main__".to_string())
}

fn run_body(name: &str, m: &Value, body: fn(&Value) -> PyResult<()>) -> PyResult<()> {
    CUR_MODULE.with(|c| c.borrow_mut().push(name.to_string()));
    let r = body(m);
    CUR_MODULE.with(|c| {
        c.borrow_mut().pop();
    });
    r
}

/// Output capture (doctest's fake sys.stdout): while a capture is open,
/// stdout stays in the buffer from its mark on and nothing is flushed.
pub fn capture_begin() -> usize {
    CAPTURING.with(|c| c.set(c.get() + 1));
    OUT.with(|o| o.borrow().len())
}

/// Closes the capture opened at `mark`, returning what was written since.
pub fn capture_end(mark: usize) -> Vec<u8> {
    CAPTURING.with(|c| c.set(c.get().saturating_sub(1)));
    OUT.with(|o| {
        let mut o = o.borrow_mut();
        let m = mark.min(o.len());
        o.split_off(m)
    })
}

fn capturing() -> bool {
    CAPTURING.with(|c| c.get() > 0)
}

pub fn write_stdout(s: &str) {
    OUT.with(|o| {
        let mut o = o.borrow_mut();
        o.extend_from_slice(s.as_bytes());
        if o.len() > 1 << 16 && !capturing() {
            crate::sysio::write_all(1, &o);
            o.clear();
        }
    });
}

/// Binary output to stdout (`sys.stdout.buffer.write`), in order with text.
pub fn write_stdout_bytes(b: &[u8]) {
    OUT.with(|o| {
        let mut o = o.borrow_mut();
        o.extend_from_slice(b);
        if o.len() > 1 << 16 && !capturing() {
            crate::sysio::write_all(1, &o);
            o.clear();
        }
    });
}

pub fn flush_stdout() {
    if capturing() {
        return;
    }
    OUT.with(|o| {
        let mut o = o.borrow_mut();
        if !o.is_empty() {
            crate::sysio::write_all(1, &o);
            o.clear();
        }
    });
}

pub fn write_stderr(s: &str) {
    flush_stdout();
    crate::sysio::write_all(2, s.as_bytes());
}

fn stream_fd(v: &Value) -> Option<i64> {
    let i = as_inst(v)?;
    let fd = i.dict.borrow().get("_fd")?;
    fd.as_i64()
}

pub fn write_file(file: &Value, s: &str) -> PyResult<()> {
    if file.is_none() {
        write_stdout(s);
        return Ok(());
    }
    match stream_fd(file) {
        Some(1) => write_stdout(s),
        Some(2) => write_stderr(s),
        _ => {
            crate::call::call_method(file, "write", vec![Value::str(s)], vec![])?;
        }
    }
    Ok(())
}

pub fn flush_file(file: &Value) -> PyResult<()> {
    match stream_fd(file) {
        Some(_) => flush_stdout(),
        None => {
            if file.is_none() {
                flush_stdout();
            } else {
                crate::call::call_method(file, "flush", vec![], vec![])?;
            }
        }
    }
    Ok(())
}

/// Reads one line from stdin including its newline; None at EOF.
pub fn read_line() -> Option<String> {
    flush_stdout();
    let l = crate::sysio::stdin_line();
    if l.is_empty() {
        None
    } else {
        Some(String::from_utf8_lossy(&l).into_owned())
    }
}

pub fn input(prompt: &str) -> PyResult<Value> {
    write_stdout(prompt);
    match read_line() {
        Some(mut s) => {
            if s.ends_with('\n') {
                s.pop();
                if s.ends_with('\r') {
                    s.pop();
                }
            }
            Ok(Value::string(s))
        }
        None => Err(new_exc("EOFError", "EOF when reading a line")),
    }
}

fn make_streams() -> (Value, Value, Value) {
    let cls = make_class("TextIOWrapper", "TextIOWrapper", vec![], vec![], vec![]).unwrap();
    class_set(&cls, "write", native("write", true, |a, _| {
        let s = match &a[1] {
            Value::Str(s) => s.s.clone(),
            x => return Err(type_error(format!("write() argument must be str, not {}", type_name(x)))),
        };
        match stream_fd(&a[0]) {
            Some(2) => write_stderr(&s),
            _ => write_stdout(&s),
        }
        Ok(Value::Int(s.chars().count() as i64))
    }));
    class_set(&cls, "flush", native("flush", true, |_, _| {
        flush_stdout();
        Ok(Value::None)
    }));
    class_set(&cls, "readline", native("readline", true, |_, _| Ok(Value::string(read_line().unwrap_or_default()))));
    class_set(&cls, "read", native("read", true, |_, _| {
        flush_stdout();
        let b = crate::sysio::stdin_read(None);
        Ok(Value::string(String::from_utf8_lossy(&b).into_owned()))
    }));
    class_set(&cls, "readlines", native("readlines", true, |_, _| {
        let mut out = Vec::new();
        while let Some(l) = read_line() {
            out.push(Value::string(l));
        }
        Ok(crate::list(out))
    }));
    class_set(&cls, "__iter__", native("__iter__", true, |a, _| Ok(a[0].clone())));
    class_set(&cls, "__next__", native("__next__", true, |_, _| match read_line() {
        Some(l) => Ok(Value::string(l)),
        None => Err(new_exc_args("StopIteration", vec![])),
    }));
    class_set(&cls, "isatty", native("isatty", true, |_, _| Ok(Value::Bool(false))));
    class_set(&cls, "fileno", native("fileno", true, |a, _| Ok(a[0].clone())));
    let mk = |fd: i64, name: &str| {
        let v = new_instance(&cls);
        as_inst(&v).unwrap().dict.borrow_mut().set("_fd", Value::Int(fd));
        as_inst(&v).unwrap().dict.borrow_mut().set("name", Value::str(name));
        as_inst(&v).unwrap().dict.borrow_mut().set("buffer", crate::ext::binio::buffer(fd));
        v
    };
    (mk(0, "<stdin>"), mk(1, "<stdout>"), mk(2, "<stderr>"))
}

pub fn streams() -> (Value, Value, Value) {
    if let Some(s) = STREAMS.with(|s| s.borrow().clone()) {
        return s;
    }
    let s = make_streams();
    STREAMS.with(|st| *st.borrow_mut() = Some(s.clone()));
    s
}

// ---------------------------------------------------------------- modules

pub fn sys_modules() -> Value {
    if let Some(m) = MODULES.with(|m| m.borrow().clone()) {
        return m;
    }
    let d = Value::Dict(Rc::new(RefCell::new(Dict::new())));
    MODULES.with(|m| *m.borrow_mut() = Some(d.clone()));
    d
}

pub fn new_module(name: &str, file: &str) -> Value {
    let m = Value::obj(Obj::Module(Module { name: name.to_string(), file: file.to_string(), dict: RefCell::new(StrMap::new()) }));
    if let Value::Obj(o) = &m {
        if let Obj::Module(md) = &**o {
            let mut d = md.dict.borrow_mut();
            d.set("__name__", Value::str(name));
            d.set("__doc__", Value::None);
            if !file.is_empty() {
                d.set("__file__", Value::str(file));
            }
        }
    }
    m
}

pub(crate) fn mod_dict(m: &Value) -> &RefCell<StrMap> {
    match m {
        Value::Obj(o) => match &**o {
            Obj::Module(md) => &md.dict,
            _ => panic!("portalis_rt: not a module"),
        },
        _ => panic!("portalis_rt: not a module"),
    }
}

#[inline]
pub fn mod_get(m: &Value, name: &str) -> PyResult<Value> {
    if let Some(v) = mod_dict(m).borrow().get(name) {
        return Ok(v);
    }
    if let Some(v) = crate::builtins::try_builtin(name) {
        if name != "__name__" {
            return Ok(v);
        }
    }
    Err(new_exc_args("NameError", vec![Value::string(format!("name '{}' is not defined", name))]))
}

pub fn mod_set(m: &Value, name: &str, v: Value) {
    mod_dict(m).borrow_mut().set(name, v);
}

pub fn mod_del(m: &Value, name: &str) -> PyResult<()> {
    match mod_dict(m).borrow_mut().remove(name) {
        Some(_) => Ok(()),
        None => Err(new_exc("NameError", &format!("name '{}' is not defined", name))),
    }
}

pub fn import_user(name: &str, body: fn(&Value) -> PyResult<()>) -> PyResult<Value> {
    let mods = sys_modules();
    let key = Value::str(name);
    if let Some(m) = crate::methods::dict_get(&mods, &key)? {
        return Ok(m);
    }
    let file = format!("{}.py", name.replace('.', "/"));
    let m = new_module(name, &file);
    crate::methods::dict_set(&mods, key.clone(), m.clone())?;
    if let Some(p) = name.rfind('.') {
        let parent = &name[..p];
        if let Some(pm) = crate::methods::dict_get(&mods, &Value::str(parent))? {
            if let Value::Obj(o) = &pm {
                if let Obj::Module(_) = &**o {
                    mod_set(&pm, &name[p + 1..], m.clone());
                }
            }
        }
    }
    if let Err(e) = run_body(name, &m, body) {
        crate::methods::dict_pop(&mods, &key)?;
        return Err(e);
    }
    Ok(m)
}

pub fn set_argv(args: Vec<String>) {
    ARGV.with(|a| *a.borrow_mut() = args);
}

pub fn argv() -> Vec<String> {
    let a = ARGV.with(|a| a.borrow().clone());
    if a.is_empty() {
        return std::env::args().collect();
    }
    a
}

// ---------------------------------------------------------------- tracebacks

pub fn exc_type_label(v: &Value) -> String {
    let cls = type_of(v);
    let c = class_of(&cls);
    if c.builtin || c.module == "__main__" || c.module == "builtins" {
        c.qualname.clone()
    } else {
        format!("{}.{}", c.module, c.qualname)
    }
}

pub fn format_exception(v: &Value, out: &mut String, depth: usize) {
    if depth > 20 {
        return;
    }
    let (cause, context, suppress, tb) = exc_data(v, |e| (e.cause.clone(), e.context.clone(), e.suppress, e.tb.clone()))
        .unwrap_or((Value::None, Value::None, false, vec![]));
    if !cause.is_none() {
        format_exception(&cause, out, depth + 1);
        out.push_str("\nThe above exception was the direct cause of the following exception:\n\n");
    } else if !context.is_none() && !suppress {
        format_exception(&context, out, depth + 1);
        out.push_str("\nDuring handling of the above exception, another exception occurred:\n\n");
    }
    if !tb.is_empty() {
        out.push_str("Traceback (most recent call last):\n");
        for (name, file, line) in tb.iter() {
            out.push_str(&format!("  File \"{}\", line {}, in {}\n", file, line, name));
        }
    }
    let msg = ops::to_str(v).unwrap_or_else(|_| "<exception str() failed>".into());
    if msg.is_empty() {
        out.push_str(&format!("{}\n", exc_type_label(v)));
    } else {
        out.push_str(&format!("{}: {}\n", exc_type_label(v), msg));
    }
}

/// Exit status for an uncaught exception (printing what CPython prints).
pub fn handle_uncaught(e: &PyErr) -> i32 {
    flush_stdout();
    if exc_is(e, "SystemExit") {
        let args = exc_args(&e.val);
        let code = if args.len() > 1 { crate::tuple(args) } else { args.into_iter().next().unwrap_or(Value::None) };
        return match &code {
            Value::None => 0,
            Value::Int(i) => *i as i32,
            Value::Bool(b) => *b as i32,
            _ => {
                write_stderr(&format!("{}\n", ops::to_str(&code).unwrap_or_default()));
                1
            }
        };
    }
    let mut s = String::new();
    format_exception(&e.val, &mut s, 0);
    write_stderr(&s);
    1
}

/// Runs the entry module as `__main__` and exits the process.
pub fn run_main(file: &'static str, body: fn(&Value) -> PyResult<()>) -> ! {
    crate::sysio::mark_stack_top();
    // a runtime bug must not also lose the output printed so far
    std::panic::set_hook(Box::new(|info| {
        let _ = OUT.try_with(|o| {
            if let Ok(mut o) = o.try_borrow_mut() {
                crate::sysio::write_all(1, &o);
                o.clear();
            }
        });
        crate::sysio::write_all(2, format!("portalis runtime error: {}\n", info).as_bytes());
    }));
    let m = new_module("__main__", file);
    let _ = crate::methods::dict_set(&sys_modules(), Value::str("__main__"), m.clone());
    let code = {
        let _fr = Frame::enter("<module>", file, 1);
        match run_body("__main__", &m, body) {
            Ok(()) => 0,
            Err(e) => handle_uncaught(&e),
        }
    };
    flush_stdout();
    std::process::exit(code)
}
