//! Generators as Rust async state machines.
//!
//! The code generator writes a generator body as an `async move` block that
//! awaits `co.yield_(v)` at each `yield`.  Driving it is a plain poll with a
//! no-op waker: a poll that returns `Pending` has stopped at a yield (the
//! yielded value waits in the shared slot), `Ready` means the body returned
//! or raised.  `send`/`throw`/`close` put their input in the slot before the
//! next poll; the pending `yield_` future picks it up and resolves to the
//! sent value or to an `Err` carrying the thrown exception.  This needs no
//! unstable features (Rust 1.63).

use crate::object::*;
use crate::value::*;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

pub enum Input {
    Send(Value),
    Throw(PyErr),
}

pub struct Shared {
    yielded: RefCell<Option<Value>>,
    input: RefCell<Option<Input>>,
}

#[derive(Clone)]
pub struct Co {
    sh: Rc<Shared>,
}

pub struct YieldFut {
    sh: Rc<Shared>,
    val: Option<Value>,
}

impl Future for YieldFut {
    type Output = PyResult<Value>;
    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<PyResult<Value>> {
        if let Some(v) = self.val.take() {
            *self.sh.yielded.borrow_mut() = Some(v);
            return Poll::Pending;
        }
        match self.sh.input.borrow_mut().take() {
            Some(Input::Send(v)) => Poll::Ready(Ok(v)),
            Some(Input::Throw(e)) => Poll::Ready(Err(e)),
            None => Poll::Ready(Ok(Value::None)),
        }
    }
}

impl Co {
    /// `yield v`: evaluates to the value sent in, or Err for throw/close.
    pub fn yield_(&self, v: Value) -> YieldFut {
        YieldFut { sh: self.sh.clone(), val: Some(v) }
    }
}

type BoxFut = Pin<Box<dyn Future<Output = PyResult<Value>>>>;

pub struct Generator {
    pub name: String,
    pub qualname: String,
    sh: Rc<Shared>,
    fut: RefCell<Option<BoxFut>>,
    started: std::cell::Cell<bool>,
    running: std::cell::Cell<bool>,
}

pub enum Step {
    Yield(Value),
    Return(Value),
}

fn noop_waker() -> Waker {
    fn clone(_: *const ()) -> RawWaker {
        RawWaker::new(std::ptr::null(), &VTABLE)
    }
    fn noop(_: *const ()) {}
    static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, noop, noop, noop);
    unsafe { Waker::from_raw(RawWaker::new(std::ptr::null(), &VTABLE)) }
}

pub fn make_generator<F, Fut>(name: &str, qualname: &str, body: F) -> Value
where
    F: FnOnce(Co) -> Fut,
    Fut: Future<Output = PyResult<Value>> + 'static,
{
    let sh = Rc::new(Shared { yielded: RefCell::new(None), input: RefCell::new(None) });
    let fut: BoxFut = Box::pin(body(Co { sh: sh.clone() }));
    Value::obj(Obj::Gen(Generator {
        name: name.to_string(),
        qualname: qualname.to_string(),
        sh,
        fut: RefCell::new(Some(fut)),
        started: std::cell::Cell::new(false),
        running: std::cell::Cell::new(false),
    }))
}

pub fn as_gen(v: &Value) -> Option<&Generator> {
    match v {
        Value::Obj(o) => match &**o {
            Obj::Gen(g) => Some(g),
            _ => None,
        },
        _ => None,
    }
}

pub fn resume(g: &Generator, input: Input) -> PyResult<Step> {
    if g.running.get() {
        return Err(new_exc("ValueError", "generator already executing"));
    }
    let mut slot = g.fut.borrow_mut();
    let fut = match slot.as_mut() {
        Some(f) => f,
        None => {
            return match input {
                Input::Send(_) => Ok(Step::Return(Value::None)),
                Input::Throw(e) => Err(e),
            }
        }
    };
    if !g.started.get() {
        match &input {
            Input::Send(v) if !v.is_none() => {
                return Err(type_error("can't send non-None value to a just-started generator".into()))
            }
            Input::Throw(e) => {
                let e = e.clone();
                *slot = None;
                return Err(e);
            }
            _ => {}
        }
        g.started.set(true);
    }
    *g.sh.input.borrow_mut() = Some(input);
    g.running.set(true);
    let waker = noop_waker();
    let mut cx = Context::from_waker(&waker);
    let r = fut.as_mut().poll(&mut cx);
    g.running.set(false);
    match r {
        Poll::Pending => {
            let v = g.sh.yielded.borrow_mut().take().unwrap_or(Value::None);
            Ok(Step::Yield(v))
        }
        Poll::Ready(res) => {
            *slot = None;
            match res {
                Ok(v) => Ok(Step::Return(v)),
                Err(e) => {
                    if exc_is(&e, "StopIteration") {
                        let re = new_exc("RuntimeError", "generator raised StopIteration");
                        exc_data(&re.val, |d| d.cause = e.val.clone());
                        return Err(re);
                    }
                    Err(e)
                }
            }
        }
    }
}

pub fn gen_next(v: &Value) -> PyResult<Option<Value>> {
    let g = as_gen(v).unwrap();
    match resume(g, Input::Send(Value::None))? {
        Step::Yield(y) => Ok(Some(y)),
        Step::Return(_) => Ok(None),
    }
}

fn stop_iteration(v: Value) -> PyErr {
    if v.is_none() {
        new_exc_args("StopIteration", vec![])
    } else {
        new_exc_args("StopIteration", vec![v])
    }
}

pub fn send(v: &Value, x: Value) -> PyResult<Value> {
    let g = as_gen(v).unwrap();
    match resume(g, Input::Send(x))? {
        Step::Yield(y) => Ok(y),
        Step::Return(r) => Err(stop_iteration(r)),
    }
}

pub fn throw(v: &Value, exc: Value) -> PyResult<Value> {
    let g = as_gen(v).unwrap();
    let e = raise(exc);
    match resume(g, Input::Throw(e))? {
        Step::Yield(y) => Ok(y),
        Step::Return(r) => Err(stop_iteration(r)),
    }
}

pub fn close(v: &Value) -> PyResult<Value> {
    let g = as_gen(v).unwrap();
    if g.fut.borrow().is_none() {
        return Ok(Value::None);
    }
    if !g.started.get() {
        *g.fut.borrow_mut() = None;
        return Ok(Value::None);
    }
    let e = new_exc_args("GeneratorExit", vec![]);
    match resume(g, Input::Throw(e)) {
        Ok(Step::Yield(_)) => Err(new_exc("RuntimeError", "generator ignored GeneratorExit")),
        Ok(Step::Return(_)) => Ok(Value::None),
        Err(e) => {
            if exc_is(&e, "GeneratorExit") || exc_is(&e, "StopIteration") {
                Ok(Value::None)
            } else {
                Err(e)
            }
        }
    }
}

/// `yield from iterable` inside a generator body; evaluates to the
/// sub-generator's return value.
pub async fn yield_from(co: &Co, v: &Value) -> PyResult<Value> {
    let it = crate::iter::iter(v)?;
    if as_gen(&it).is_some() {
        let mut input = Input::Send(Value::None);
        loop {
            let step = resume(as_gen(&it).unwrap(), input)?;
            match step {
                Step::Yield(y) => match co.yield_(y).await {
                    Ok(s) => input = Input::Send(s),
                    Err(e) => {
                        if exc_is(&e, "GeneratorExit") {
                            close(&it)?;
                            return Err(e);
                        }
                        input = Input::Throw(e);
                    }
                },
                Step::Return(r) => return Ok(r),
            }
        }
    }
    loop {
        match crate::iter::next(&it)? {
            Some(y) => {
                co.yield_(y).await?;
            }
            None => return Ok(Value::None),
        }
    }
}
