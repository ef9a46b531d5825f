//! Generators, coroutines and async generators as Rust async state machines.
//!
//! The code generator writes a generator body as an `async move` block that
//! awaits `co.yield_(v)` at each `yield`.  Driving it is a plain poll with a
//! no-op waker: a poll that returns `Pending` has stopped at a yield (the
//! yielded value waits in the shared slot), `Ready` means the body returned
//! or raised.  `send`/`throw`/`close` put their input in the slot before the
//! next poll; the pending `yield_` future picks it up and resolves to the
//! sent value or to an `Err` carrying the thrown exception.  This needs no
//! unstable features (Rust 1.63).
//!
//! Coroutines (`async def`) are the same object with another kind, as in
//! CPython, where a coroutine is a generator that `await`s instead of
//! yielding: `await x` is `yield from x.__await__()`.  The code generator
//! writes it `rt::await_(&__co, x).await?`: a coroutine is resumed in place
//! (what it yields passes up unchanged), anything else must have
//! `__await__` returning an iterator, which is delegated to in the same way.
//! So the value that finally leaves the outermost coroutine is whatever the
//! innermost awaitable yielded: an asyncio Future asking its Task to wait for
//! it, or None for `asyncio.sleep(0)`.  The event loop (ext/asyncio.rs) is
//! only a driver of `send`/`throw` on these objects, as in CPython.
//!
//! An async generator yields two kinds of things through the one slot: its
//! own values (`yield v`, written `__co.ayield(v)`, which marks the slot) and
//! the futures its awaits pass up.  `anext` resumes it and returns at the
//! first marked value, passing the others up to its own caller's task.

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
    /// The value in `yielded` is an async generator's own `yield`.
    agen_value: std::cell::Cell<bool>,
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
    /// `yield v` in an async generator: a value for `anext`, not a future
    /// for the event loop.
    pub fn ayield(&self, v: Value) -> YieldFut {
        self.sh.agen_value.set(true);
        YieldFut { sh: self.sh.clone(), val: Some(v) }
    }
}

/// What a `Generator` object is: its Python type.
pub const KIND_GEN: u8 = 0;
pub const KIND_CORO: u8 = 1;
pub const KIND_AGEN: u8 = 2;

type BoxFut = Pin<Box<dyn Future<Output = PyResult<Value>>>>;

pub struct Generator {
    pub name: String,
    pub qualname: String,
    sh: Rc<Shared>,
    fut: RefCell<Option<BoxFut>>,
    started: std::cell::Cell<bool>,
    running: std::cell::Cell<bool>,
    /// KIND_GEN, KIND_CORO or KIND_AGEN.
    pub kind: u8,
}

impl Generator {
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            KIND_CORO => "coroutine",
            KIND_AGEN => "async_generator",
            _ => "generator",
        }
    }
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
    make_gen_kind(KIND_GEN, name, qualname, body)
}

/// The object an `async def` call returns: a coroutine, or an async
/// generator when the body yields.
pub fn make_coroutine<F, Fut>(name: &str, qualname: &str, agen: bool, body: F) -> Value
where
    F: FnOnce(Co) -> Fut,
    Fut: Future<Output = PyResult<Value>> + 'static,
{
    make_gen_kind(if agen { KIND_AGEN } else { KIND_CORO }, name, qualname, body)
}

fn make_gen_kind<F, Fut>(kind: u8, name: &str, qualname: &str, body: F) -> Value
where
    F: FnOnce(Co) -> Fut,
    Fut: Future<Output = PyResult<Value>> + 'static,
{
    let sh = Rc::new(Shared { yielded: RefCell::new(None), input: RefCell::new(None), agen_value: std::cell::Cell::new(false) });
    let fut: BoxFut = Box::pin(body(Co { sh: sh.clone() }));
    Value::obj(Obj::Gen(Generator {
        name: name.to_string(),
        qualname: qualname.to_string(),
        sh,
        fut: RefCell::new(Some(fut)),
        started: std::cell::Cell::new(false),
        running: std::cell::Cell::new(false),
        kind,
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
        return Err(new_exc("ValueError", &format!("{} already executing", g.type_name())));
    }
    // a running coroutine is a frame on CPython's stack: `await f()` nested
    // past the recursion limit is a RecursionError, as there
    let _depth = if g.kind != KIND_GEN { Some(crate::call::enter_call()?) } else { None };
    let mut slot = g.fut.borrow_mut();
    let fut = match slot.as_mut() {
        Some(f) => f,
        None if g.kind == KIND_CORO => return Err(new_exc("RuntimeError", "cannot reuse already awaited coroutine")),
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
                return Err(type_error(format!("can't send non-None value to a just-started {}", g.type_name())))
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
    g.sh.agen_value.set(false);
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
                    let stop = if g.kind == KIND_AGEN && exc_is(&e, "StopAsyncIteration") { "StopAsyncIteration" } else { "StopIteration" };
                    if exc_is(&e, stop) {
                        let what = if g.kind == KIND_AGEN { "async generator" } else { g.type_name() };
                        let re = new_exc("RuntimeError", &format!("{} raised {}", what, stop));
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

// ------------------------------------------------------------ await

/// Resumes `it` (a generator or coroutine object) until it returns, passing
/// what it yields up through `co` and what comes back down into it: the
/// delegation of `yield from` and `await`.
async fn delegate(co: &Co, it: &Value) -> PyResult<Value> {
    let mut input = Input::Send(Value::None);
    loop {
        let step = resume(as_gen(it).unwrap(), input)?;
        match step {
            Step::Yield(y) => match co.yield_(y).await {
                Ok(s) => input = Input::Send(s),
                Err(e) => {
                    if exc_is(&e, "GeneratorExit") {
                        close(it)?;
                        return Err(e);
                    }
                    input = Input::Throw(e);
                }
            },
            Step::Return(r) => return Ok(r),
        }
    }
}

/// The iterator `await v` delegates to: a coroutine itself, else what
/// `v.__await__()` returns (CPython's _PyCoro_GetAwaitableIter).
fn awaitable_iter(v: &Value) -> PyResult<Value> {
    if let Some(g) = as_gen(v) {
        if g.kind == KIND_CORO {
            return Ok(v.clone());
        }
    } else if as_inst(v).is_some() && crate::object::lookup_user(v, "__await__").is_some() {
        let r = crate::call_method(v, "__await__", vec![], vec![])?;
        if let Some(g) = as_gen(&r) {
            if g.kind == KIND_CORO {
                return Err(type_error("__await__() returned a coroutine".into()));
            }
            return Ok(r);
        }
        let is_iter = matches!(&r, Value::Obj(o) if matches!(&**o, Obj::Iter(_))) || crate::object::lookup_user(&r, "__next__").is_some();
        if !is_iter {
            return Err(type_error(format!("__await__() returned non-iterator of type '{}'", type_name(&r))));
        }
        return Ok(r);
    }
    Err(type_error(format!("object {} can't be used in 'await' expression", type_name(v))))
}

/// `await v` inside a coroutine body.
pub async fn await_(co: &Co, v: Value) -> PyResult<Value> {
    let it = awaitable_iter(&v)?;
    if as_gen(&it).is_some() {
        return delegate(co, &it).await;
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

/// Runs an async generator to its next own value (`Some`) or its end
/// (`None`), passing the futures its awaits yield up through `co`.
async fn agen_step(co: &Co, agen: &Value, mut input: Input) -> PyResult<Option<Value>> {
    let g = as_gen(agen).unwrap();
    loop {
        match resume(g, input)? {
            Step::Yield(y) => {
                if g.sh.agen_value.get() {
                    return Ok(Some(y));
                }
                input = match co.yield_(y).await {
                    Ok(s) => Input::Send(s),
                    Err(e) => Input::Throw(e),
                };
            }
            Step::Return(_) => return Ok(None),
        }
    }
}

fn stop_async() -> PyErr {
    new_exc_args("StopAsyncIteration", vec![])
}

/// The awaitables of an async generator's methods: `__anext__()`,
/// `asend(v)`, `athrow(e)` and `aclose()`, each a coroutine object.
pub fn agen_method(agen: &Value, name: &str, args: &[Value]) -> Option<PyResult<Value>> {
    let a = agen.clone();
    let arg = args.get(0).cloned().unwrap_or(Value::None);
    let qn = format!("{}.{}", as_gen(agen)?.qualname, name);
    let v = match name {
        "__anext__" | "asend" => make_coroutine(name, &qn, false, move |co: Co| async move {
            match agen_step(&co, &a, Input::Send(arg)).await? {
                Some(v) => Ok(v),
                None => Err(stop_async()),
            }
        }),
        "athrow" => make_coroutine(name, &qn, false, move |co: Co| async move {
            let e = raise(arg);
            match agen_step(&co, &a, Input::Throw(e)).await? {
                Some(v) => Ok(v),
                None => Err(stop_async()),
            }
        }),
        "aclose" => make_coroutine(name, &qn, false, move |co: Co| async move {
            let g = as_gen(&a).unwrap();
            if g.fut.borrow().is_none() || !g.started.get() {
                *g.fut.borrow_mut() = None;
                return Ok(Value::None);
            }
            match agen_step(&co, &a, Input::Throw(new_exc_args("GeneratorExit", vec![]))).await {
                Ok(Some(_)) => Err(new_exc("RuntimeError", "async generator ignored GeneratorExit")),
                Ok(None) => Ok(Value::None),
                Err(e) if exc_is(&e, "GeneratorExit") || exc_is(&e, "StopAsyncIteration") => Ok(Value::None),
                Err(e) => Err(e),
            }
        }),
        "__aiter__" => return Some(Ok(a)),
        _ => return None,
    };
    Some(Ok(v))
}

/// `async for`'s iterator: an async generator itself, else `__aiter__()`.
pub fn aiter(v: &Value) -> PyResult<Value> {
    if let Some(g) = as_gen(v) {
        if g.kind == KIND_AGEN {
            return Ok(v.clone());
        }
    } else if as_inst(v).is_some() && crate::object::lookup_user(v, "__aiter__").is_some() {
        let r = crate::call_method(v, "__aiter__", vec![], vec![])?;
        let ok = as_gen(&r).map(|g| g.kind == KIND_AGEN).unwrap_or(false) || crate::object::lookup_user(&r, "__anext__").is_some();
        if !ok {
            return Err(type_error(format!(
                "'async for' received an object from __aiter__ that does not implement __anext__: {}",
                type_name(&r)
            )));
        }
        return Ok(r);
    }
    Err(type_error(format!("'async for' requires an object with __aiter__ method, got {}", type_name(v))))
}

/// One step of `async for`: the next value, or None at StopAsyncIteration.
pub async fn anext(co: &Co, it: &Value) -> PyResult<Option<Value>> {
    if let Some(g) = as_gen(it) {
        if g.kind == KIND_AGEN {
            return agen_step(co, it, Input::Send(Value::None)).await;
        }
    }
    let aw = crate::call_method(it, "__anext__", vec![], vec![])?;
    if awaitable_iter(&aw).is_err() {
        return Err(type_error(format!(
            "'async for' received an invalid object from __anext__: {}",
            type_name(&aw)
        )));
    }
    match await_(co, aw).await {
        Ok(v) => Ok(Some(v)),
        Err(e) if exc_is(&e, "StopAsyncIteration") => Ok(None),
        Err(e) => Err(e),
    }
}

/// `async with`'s enter: `await type(m).__aenter__(m)`.
pub async fn aenter(co: &Co, m: &Value) -> PyResult<Value> {
    if crate::object::lookup_user(m, "__aenter__").is_none() {
        return Err(type_error(format!(
            "'{}' object does not support the asynchronous context manager protocol",
            type_name(m)
        )));
    }
    let aw = crate::call_method(m, "__aenter__", vec![], vec![])?;
    await_(co, aw).await
}

/// `async with`'s exit; true when it suppresses the exception.
pub async fn aexit(co: &Co, m: &Value, e: Option<&PyErr>) -> PyResult<bool> {
    match e {
        None => {
            let aw = crate::call_method(m, "__aexit__", vec![Value::none(), Value::none(), Value::none()], vec![])?;
            await_(co, aw).await?;
            Ok(false)
        }
        Some(e) => {
            let v = e.value();
            let t = crate::type_of(&v);
            crate::exc_enter(e);
            let r = match crate::call_method(m, "__aexit__", vec![t, v, Value::none()], vec![]) {
                Ok(aw) => await_(co, aw).await,
                Err(e) => Err(e),
            };
            crate::exc_leave();
            crate::truthy(&r?)
        }
    }
}
