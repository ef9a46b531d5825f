//! `sys.stdin.buffer`, `sys.stdout.buffer`, `sys.stderr.buffer`: the binary
//! layer under the text streams.  Writes go into the same stdout buffer as
//! text (so the order of mixed text and binary output is kept); reads come
//! from the one stdin buffer of sysio.rs (so `input()` and
//! `sys.stdin.buffer.read()` can follow each other).

use super::meth;
use crate::object::*;
use crate::value::*;
use std::cell::RefCell;

thread_local! {
    static CLASSES: RefCell<Option<(Value, Value)>> = RefCell::new(None);
}

fn fd_of(v: &Value) -> i64 {
    as_inst(v).and_then(|i| i.dict.borrow().get("_fd")).and_then(|f| f.as_i64()).unwrap_or(1)
}

fn size_arg(a: &[Value]) -> PyResult<Option<usize>> {
    match a.get(1) {
        None | Some(Value::None) => Ok(None),
        Some(v) => match v.as_i64() {
            Some(n) if n < 0 => Ok(None),
            Some(n) => Ok(Some(n as usize)),
            None => Err(type_error(format!("argument should be integer or None, not '{}'", type_name(v)))),
        },
    }
}

fn classes() -> (Value, Value) {
    if let Some(c) = CLASSES.with(|c| c.borrow().clone()) {
        return c;
    }
    let reader = crate::stdlib2::rt_class(
        "BufferedReader",
        "_io",
        vec![],
        vec![
            ("read", meth("read", |a, _| {
                crate::rtsys::flush_stdout();
                Ok(crate::bytes(&crate::sysio::stdin_read(size_arg(&a)?)))
            })),
            ("read1", meth("read1", |a, _| {
                crate::rtsys::flush_stdout();
                Ok(crate::bytes(&crate::sysio::stdin_read1(size_arg(&a)?.unwrap_or(65536))))
            })),
            ("readline", meth("readline", |_, _| {
                crate::rtsys::flush_stdout();
                Ok(crate::bytes(&crate::sysio::stdin_line()))
            })),
            ("readlines", meth("readlines", |_, _| {
                crate::rtsys::flush_stdout();
                let mut out = Vec::new();
                loop {
                    let l = crate::sysio::stdin_line();
                    if l.is_empty() {
                        break;
                    }
                    out.push(crate::bytes(&l));
                }
                Ok(crate::list(out))
            })),
            ("__iter__", meth("__iter__", |a, _| Ok(a[0].clone()))),
            ("__next__", meth("__next__", |_, _| {
                crate::rtsys::flush_stdout();
                let l = crate::sysio::stdin_line();
                if l.is_empty() {
                    return Err(new_exc_args("StopIteration", vec![]));
                }
                Ok(crate::bytes(&l))
            })),
            ("readable", meth("readable", |_, _| Ok(Value::Bool(true)))),
            ("writable", meth("writable", |_, _| Ok(Value::Bool(false)))),
            ("fileno", meth("fileno", |_, _| Ok(Value::Int(0)))),
            ("isatty", meth("isatty", |_, _| Ok(Value::Bool(false)))),
            ("close", meth("close", |_, _| Ok(Value::None))),
            ("__enter__", meth("__enter__", |a, _| Ok(a[0].clone()))),
            ("__exit__", meth("__exit__", |_, _| Ok(Value::None))),
        ],
    );
    let writer = crate::stdlib2::rt_class(
        "BufferedWriter",
        "_io",
        vec![],
        vec![
            ("write", meth("write", |a, _| {
                let fd = fd_of(&a[0]);
                let b = match a.get(1) {
                    Some(v) if super::bytesx::bytes_like(v).is_some() => super::bytesx::bytes_like(v).unwrap(),
                    Some(Value::Str(_)) => return Err(type_error("a bytes-like object is required, not 'str'".into())),
                    Some(v) => return Err(type_error(format!("a bytes-like object is required, not '{}'", type_name(v)))),
                    None => return Err(type_error("write() takes exactly one argument (0 given)".into())),
                };
                if fd == 2 {
                    crate::rtsys::flush_stdout();
                    crate::sysio::write_all(2, &b);
                } else {
                    crate::rtsys::write_stdout_bytes(&b);
                }
                Ok(Value::Int(b.len() as i64))
            })),
            ("writelines", meth("writelines", |a, _| {
                let fd = fd_of(&a[0]);
                for v in crate::collect(a.get(1).unwrap_or(&Value::None))? {
                    match &v {
                        Value::Bytes(b) => {
                            if fd == 2 {
                                crate::rtsys::flush_stdout();
                                crate::sysio::write_all(2, b);
                            } else {
                                crate::rtsys::write_stdout_bytes(b);
                            }
                        }
                        _ => return Err(type_error(format!("a bytes-like object is required, not '{}'", type_name(&v)))),
                    }
                }
                Ok(Value::None)
            })),
            ("flush", meth("flush", |_, _| {
                crate::rtsys::flush_stdout();
                Ok(Value::None)
            })),
            ("readable", meth("readable", |_, _| Ok(Value::Bool(false)))),
            ("writable", meth("writable", |_, _| Ok(Value::Bool(true)))),
            ("fileno", meth("fileno", |a, _| Ok(Value::Int(fd_of(&a[0]))))),
            ("isatty", meth("isatty", |_, _| Ok(Value::Bool(false)))),
            ("close", meth("close", |_, _| Ok(Value::None))),
            ("__enter__", meth("__enter__", |a, _| Ok(a[0].clone()))),
            ("__exit__", meth("__exit__", |_, _| Ok(Value::None))),
        ],
    );
    CLASSES.with(|c| *c.borrow_mut() = Some((reader.clone(), writer.clone())));
    (reader, writer)
}

/// The `.buffer` object of the text stream on `fd`.
pub fn buffer(fd: i64) -> Value {
    let (reader, writer) = classes();
    let v = new_instance(if fd == 0 { &reader } else { &writer });
    let i = as_inst(&v).unwrap();
    let mut d = i.dict.borrow_mut();
    d.set("_fd", Value::Int(fd));
    d.set("name", Value::str(["<stdin>", "<stdout>", "<stderr>"][fd.clamp(0, 2) as usize]));
    drop(d);
    v
}
