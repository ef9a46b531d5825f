//! `queue` for single-threaded programs: Queue (FIFO), LifoQueue,
//! PriorityQueue (heapq order) and SimpleQueue, with maxsize, qsize,
//! empty, full, put/get, put_nowait/get_nowait, task_done/join and the
//! Empty/Full exceptions.  With no other thread, a get from an empty queue
//! or a put to a full one could only wait for ever (CPython hangs); here it
//! raises Empty/Full at once, as with a timeout.

use super::meth;
use crate::object::*;
use crate::value::*;

fn items(q: &Value) -> PyResult<Value> {
    crate::getattr(q, "queue")
}

fn kind(q: &Value) -> i64 {
    crate::getattr(q, "_kind").ok().and_then(|k| k.as_i64()).unwrap_or(0)
}

fn maxsize(q: &Value) -> i64 {
    as_inst(q).and_then(|i| i.dict.borrow().get("maxsize")).and_then(|k| k.as_i64()).unwrap_or(0)
}

fn exc(md: &Value, name: &str) -> PyErr {
    match crate::getattr(md, name).and_then(|c| crate::call(&c, vec![], vec![])) {
        Ok(v) => raise(v),
        Err(e) => e,
    }
}

pub fn module() -> Value {
    let md = crate::rtsys::new_module("queue", "");
    let empty = crate::stdlib2::rt_class("Empty", "_queue", vec![exc_class("Exception").unwrap()], vec![]);
    let full = crate::stdlib2::rt_class("Full", "queue", vec![exc_class("Exception").unwrap()], vec![]);
    crate::rtsys::mod_set(&md, "Empty", empty);
    crate::rtsys::mod_set(&md, "Full", full);
    let heapq = crate::stdlib::import_std("heapq", crate::stdlib::modules::heapq).expect("heapq");
    let (m1, m2, m3) = (md.clone(), md.clone(), heapq.clone());
    let base = crate::stdlib2::rt_class(
        "Queue",
        "queue",
        vec![],
        vec![
            ("__init__", meth("__init__", |a, kw| {
                let mut ms = a.get(1).cloned().unwrap_or(Value::Int(0));
                for (k, v) in kw {
                    if k == "maxsize" {
                        ms = v;
                    }
                }
                let i = as_inst(&a[0]).unwrap();
                let mut d = i.dict.borrow_mut();
                d.set("maxsize", ms);
                d.set("queue", crate::list(vec![]));
                d.set("unfinished_tasks", Value::Int(0));
                Ok(Value::None)
            })),
            ("qsize", meth("qsize", |a, _| Ok(Value::Int(crate::len(&items(&a[0])?)? as i64)))),
            ("empty", meth("empty", |a, _| Ok(Value::Bool(crate::len(&items(&a[0])?)? == 0)))),
            ("full", meth("full", |a, _| {
                let m = maxsize(&a[0]);
                Ok(Value::Bool(m > 0 && crate::len(&items(&a[0])?)? as i64 >= m))
            })),
            ("put", meth("put", move |a, _| {
                let q = &a[0];
                let m = maxsize(q);
                let l = items(q)?;
                if m > 0 && crate::len(&l)? as i64 >= m {
                    return Err(exc(&m1, "Full"));
                }
                let item = a.get(1).cloned().unwrap_or(Value::None);
                if kind(q) == 2 {
                    crate::call(&crate::getattr(&m3, "heappush")?, vec![l, item], vec![])?;
                } else {
                    crate::call_method(&l, "append", vec![item], vec![])?;
                }
                let n = crate::getattr(q, "unfinished_tasks")?;
                crate::setattr(q, "unfinished_tasks", crate::add(&n, &Value::Int(1))?)?;
                Ok(Value::None)
            })),
            ("get", meth("get", move |a, _| {
                let q = &a[0];
                let l = items(q)?;
                if crate::len(&l)? == 0 {
                    return Err(exc(&m2, "Empty"));
                }
                match kind(q) {
                    0 => crate::call_method(&l, "pop", vec![Value::Int(0)], vec![]),
                    1 => crate::call_method(&l, "pop", vec![], vec![]),
                    _ => crate::call(&crate::getattr(&heapq, "heappop")?, vec![l], vec![]),
                }
            })),
            ("put_nowait", meth("put_nowait", |a, _| crate::call_method(&a[0], "put", vec![a[1].clone()], vec![]))),
            ("get_nowait", meth("get_nowait", |a, _| crate::call_method(&a[0], "get", vec![], vec![]))),
            ("task_done", meth("task_done", |a, _| {
                let n = crate::getattr(&a[0], "unfinished_tasks")?.as_i64().unwrap_or(0);
                if n <= 0 {
                    return Err(new_exc("ValueError", "task_done() called too many times"));
                }
                crate::setattr(&a[0], "unfinished_tasks", Value::Int(n - 1))?;
                Ok(Value::None)
            })),
            ("join", meth("join", |_, _| Ok(Value::None))),
        ],
    );
    crate::rtsys::mod_set(&md, "Queue", base.clone());
    for (name, k) in [("LifoQueue", 1i64), ("PriorityQueue", 2)] {
        let c = crate::stdlib2::rt_class(name, "queue", vec![base.clone()], vec![]);
        class_set(&c, "_kind", Value::Int(k));
        crate::rtsys::mod_set(&md, name, c);
    }
    let simple = crate::stdlib2::rt_class("SimpleQueue", "_queue", vec![base.clone()], vec![]);
    crate::rtsys::mod_set(&md, "SimpleQueue", simple);
    md
}
