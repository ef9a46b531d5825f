//! `asyncio` for single-process programs: the event loop, Future and Task,
//! sleep, gather, wait_for, wait, as_completed, shield, TaskGroup, Queue (and
//! its LIFO and priority kinds), Lock, Event, Condition, Semaphore,
//! BoundedSemaphore, timeout, to_thread (run in place: no threads),
//! run, and the old `get_event_loop().run_until_complete(...)` style.
//!
//! The design follows CPython's pure-Python asyncio line by line, because
//! programs print from many tasks and the interleaving is only the same if
//! every wake-up is scheduled in the same order:
//!
//! - a coroutine object is a generator of another kind (gen.rs); a Task is
//!   a Future that drives one with `send`/`throw` (task_step is
//!   Task.__step).  When the coroutine yields a Future whose
//!   `_asyncio_future_blocking` is set (Future.__await__ sets it), the task
//!   adds its wake-up as that future's done callback; a bare `yield` (what
//!   `sleep(0)` does) reschedules the step at once;
//! - a Future's done callbacks are not called when it completes but put on
//!   the loop's ready queue (call_soon), in the order they were added;
//! - the loop (run_once is BaseEventLoop._run_once) sleeps until the
//!   earliest timer, moves every timer due to the ready queue (a binary heap
//!   ordered on the deadline only, with heapq's exact sift algorithm, so
//!   equal deadlines come out as in CPython), then runs the callbacks that
//!   were ready at that moment, FIFO; callbacks added meanwhile wait for the
//!   next round;
//! - `run` is asyncio.Runner: a fresh loop, a task for the main coroutine,
//!   run until it is done (the round that completes it still runs to its
//!   end), then every task left is cancelled and gathered.
//!
//! Futures keep their state in the instance dict under CPython's attribute
//! names (`_state`, `_result`, `_callbacks`...): no second object model,
//! and the reference counts of `Value` free them.  The loop is one
//! thread-local state (one loop at a time, as a single-threaded program
//! has).  Delays are real: the loop sleeps with the WASI clock.
//!
//! Where CPython waits for ever (every task waits on a future nothing will
//! complete), this loop raises RuntimeError instead of hanging.  Orders that
//! depend on object addresses in CPython (the set iteration inside
//! as_completed and wait, the cancellation order of tasks left at the end of
//! `run`) follow creation order here.

use super::{meth, nat};
use crate::gen::{await_, make_coroutine, make_generator, Co};
use crate::object::*;
use crate::value::*;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

// ------------------------------------------------------------ small helpers

fn get(v: &Value, k: &str) -> Value {
    as_inst(v).and_then(|i| i.dict.borrow().get(k)).unwrap_or(Value::None)
}

fn set(v: &Value, k: &str, x: Value) {
    if let Some(i) = as_inst(v) {
        i.dict.borrow_mut().set(k, x);
    }
}

fn has(v: &Value, k: &str) -> bool {
    as_inst(v).map(|i| i.dict.borrow().get(k).is_some()).unwrap_or(false)
}

fn flag(v: &Value, k: &str) -> bool {
    matches!(get(v, k), Value::Bool(true))
}

/// Argument `i` or keyword `name`.
fn arg(a: &[Value], kw: &Kw, i: usize, name: &str) -> Option<Value> {
    if let Some(v) = a.get(i) {
        return Some(v.clone());
    }
    kw.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

fn list_vec(v: &Value) -> Rc<RefCell<Vec<Value>>> {
    match v {
        Value::List(l) => l.clone(),
        _ => Rc::new(RefCell::new(Vec::new())),
    }
}

fn repr(v: &Value) -> String {
    crate::ops::repr(v).unwrap_or_else(|_| "<?>".into())
}

fn err_of(cls: &Value, args: Vec<Value>) -> PyErr {
    match crate::call(cls, args, vec![]) {
        Ok(v) => raise(v),
        Err(e) => e,
    }
}

fn is_instance_of(v: &Value, cls: &Value) -> bool {
    is_subclass(&type_of(v), cls)
}

// ------------------------------------------------------------ classes

struct Classes {
    future: Value,
    task: Value,
    gathering: Value,
    cancelled: Value,
    invalid_state: Value,
    queue_empty: Value,
    queue_full: Value,
    handle: Value,
    loop_cls: Value,
}

thread_local! {
    static CLS: RefCell<Option<Rc<Classes>>> = RefCell::new(None);
    static LOOP: RefCell<LoopSt> = RefCell::new(LoopSt::new());
    static TASK_N: Cell<u64> = Cell::new(0);
}

fn cls() -> Rc<Classes> {
    if let Some(c) = CLS.with(|c| c.borrow().clone()) {
        return c;
    }
    let c = Rc::new(make_classes());
    CLS.with(|s| *s.borrow_mut() = Some(c.clone()));
    c
}

fn cancelled_error(msg: &Value) -> PyErr {
    let c = cls();
    if msg.is_none() {
        err_of(&c.cancelled, vec![])
    } else {
        err_of(&c.cancelled, vec![msg.clone()])
    }
}

fn invalid_state(msg: &str) -> PyErr {
    err_of(&cls().invalid_state, vec![Value::str(msg)])
}

fn is_cancelled_error(e: &PyErr) -> bool {
    is_instance_of(&e.val, &cls().cancelled)
}

pub fn is_coroutine(v: &Value) -> bool {
    crate::gen::as_gen(v).map(|g| g.kind == crate::gen::KIND_CORO).unwrap_or(false)
}

fn is_future(v: &Value) -> bool {
    as_inst(v).is_some() && is_instance_of(v, &cls().future)
}

fn is_task(v: &Value) -> bool {
    as_inst(v).is_some() && is_instance_of(v, &cls().task)
}

// ------------------------------------------------------------ the loop

enum Job {
    /// cb(*args)
    Call(Value, Vec<Value>),
    /// Task.__step(exc)
    Step(Value, Option<Value>),
    /// futures._set_result_unless_cancelled / tasks._release_waiter
    SetIfPending(Value, Value),
}

struct Handle {
    job: Job,
    cancelled: Option<Rc<Cell<bool>>>,
}

struct Timer {
    when: f64,
    h: Handle,
}

struct LoopSt {
    ready: VecDeque<Handle>,
    timers: Vec<Timer>,
    stopping: bool,
    running: bool,
    closed: bool,
    /// The loop object Python sees; None when there is no loop.
    obj: Value,
    tasks: Vec<Value>,
    current: Value,
    t0: Option<std::time::Instant>,
}

impl LoopSt {
    fn new() -> LoopSt {
        LoopSt {
            ready: VecDeque::new(),
            timers: Vec::new(),
            stopping: false,
            running: false,
            closed: false,
            obj: Value::None,
            tasks: Vec::new(),
            current: Value::None,
            t0: None,
        }
    }
}

fn with_loop<R>(f: impl FnOnce(&mut LoopSt) -> R) -> R {
    LOOP.with(|l| f(&mut l.borrow_mut()))
}

fn now() -> f64 {
    with_loop(|l| {
        let t0 = *l.t0.get_or_insert_with(std::time::Instant::now);
        t0.elapsed().as_secs_f64()
    })
}

/// A fresh loop (the previous one, if any, is dropped).
fn new_loop() -> Value {
    let obj = new_instance(&cls().loop_cls);
    let o = obj.clone();
    with_loop(move |l| {
        let t0 = l.t0;
        *l = LoopSt::new();
        l.t0 = t0;
        l.obj = o;
    });
    obj
}

/// The current loop object, made on first use (get_event_loop).
fn current_loop() -> Value {
    let o = with_loop(|l| if l.closed { Value::None } else { l.obj.clone() });
    if o.is_none() {
        new_loop()
    } else {
        o
    }
}

fn running() -> bool {
    with_loop(|l| l.running)
}

fn get_running_loop() -> PyResult<Value> {
    if running() {
        Ok(with_loop(|l| l.obj.clone()))
    } else {
        Err(crate::new_exc("RuntimeError", "no running event loop"))
    }
}

fn call_soon(job: Job) {
    with_loop(|l| l.ready.push_back(Handle { job, cancelled: None }))
}

fn call_soon_handle(job: Job) -> Rc<Cell<bool>> {
    let c = Rc::new(Cell::new(false));
    let h = Handle { job, cancelled: Some(c.clone()) };
    with_loop(|l| l.ready.push_back(h));
    c
}

// heapq's _siftdown/_siftup on the deadline alone (TimerHandle.__lt__).
fn sift_down(h: &mut Vec<Timer>, start: usize, mut pos: usize) {
    while pos > start {
        let parent = (pos - 1) >> 1;
        if h[pos].when < h[parent].when {
            h.swap(pos, parent);
            pos = parent;
            continue;
        }
        break;
    }
}

fn sift_up(h: &mut Vec<Timer>, mut pos: usize) {
    let end = h.len();
    let start = pos;
    let mut child = 2 * pos + 1;
    while child < end {
        let right = child + 1;
        if right < end && !(h[child].when < h[right].when) {
            child = right;
        }
        h.swap(pos, child);
        pos = child;
        child = 2 * pos + 1;
    }
    sift_down(h, start, pos);
}

fn heap_pop(h: &mut Vec<Timer>) -> Timer {
    let last = h.pop().unwrap();
    if h.is_empty() {
        return last;
    }
    let top = std::mem::replace(&mut h[0], last);
    sift_up(h, 0);
    top
}

fn call_at(when: f64, job: Job) -> Rc<Cell<bool>> {
    let c = Rc::new(Cell::new(false));
    let t = Timer { when, h: Handle { job, cancelled: Some(c.clone()) } };
    with_loop(|l| {
        l.timers.push(t);
        let n = l.timers.len() - 1;
        sift_down(&mut l.timers, 0, n);
    });
    c
}

fn call_later(delay: f64, job: Job) -> Rc<Cell<bool>> {
    call_at(now() + delay, job)
}

fn run_job(job: Job) -> PyResult<()> {
    match job {
        Job::Call(cb, args) => crate::call(&cb, args, vec![]).map(|_| ()),
        Job::Step(t, exc) => task_step(&t, exc),
        Job::SetIfPending(f, v) => {
            if !fut_done(&f) {
                fut_set_result(&f, v)?;
            }
            Ok(())
        }
    }
}

/// The default exception handler's report, on stderr.
fn report(what: &str, e: &PyErr) {
    let mut s = format!("{}\n", what);
    crate::rtsys::format_exception(&e.val, &mut s, 0);
    crate::rtsys::write_stderr(&s);
}

/// BaseEventLoop._run_once.
fn run_once() -> PyResult<()> {
    let timeout = with_loop(|l| {
        while !l.timers.is_empty() && l.timers[0].h.cancelled.as_ref().map(|c| c.get()).unwrap_or(false) {
            heap_pop(&mut l.timers);
        }
        if !l.ready.is_empty() || l.stopping {
            Some(0.0)
        } else if !l.timers.is_empty() {
            Some(l.timers[0].when)
        } else {
            None
        }
    });
    match timeout {
        None => {
            return Err(crate::new_exc(
                "RuntimeError",
                "the event loop has nothing left to run: every task waits for a future that nothing will complete (CPython would wait for ever)",
            ))
        }
        Some(when) if when > 0.0 => {
            let d = (when - now()).max(0.0).min(86400.0);
            crate::sysio::sleep(d);
        }
        _ => {}
    }
    let end = now() + 1e-9;
    with_loop(|l| {
        while !l.timers.is_empty() && l.timers[0].when < end {
            let t = heap_pop(&mut l.timers);
            l.ready.push_back(t.h);
        }
    });
    let ntodo = with_loop(|l| l.ready.len());
    for _ in 0..ntodo {
        let h = match with_loop(|l| l.ready.pop_front()) {
            Some(h) => h,
            None => break,
        };
        if h.cancelled.as_ref().map(|c| c.get()).unwrap_or(false) {
            continue;
        }
        if let Err(e) = run_job(h.job) {
            if exc_is(&e, "SystemExit") || exc_is(&e, "KeyboardInterrupt") {
                return Err(e);
            }
            report("Exception in callback", &e);
        }
    }
    Ok(())
}

fn run_forever() -> PyResult<()> {
    let (closed, was) = with_loop(|l| (l.closed, l.running));
    if closed {
        return Err(crate::new_exc("RuntimeError", "Event loop is closed"));
    }
    if was {
        return Err(crate::new_exc("RuntimeError", "This event loop is already running"));
    }
    with_loop(|l| l.running = true);
    let r = loop {
        if let Err(e) = run_once() {
            break Err(e);
        }
        if with_loop(|l| l.stopping) {
            break Ok(());
        }
    };
    with_loop(|l| {
        l.stopping = false;
        l.running = false;
    });
    r
}

/// BaseEventLoop.run_until_complete.
fn run_until_complete(f: &Value) -> PyResult<Value> {
    let fut = ensure_future(f)?;
    let stop = nat("_run_until_complete_cb", |a, _| {
        let f = &a[0];
        if get(f, "_state").as_str() != Some("CANCELLED") {
            let e = get(f, "_exception");
            if !e.is_none() && (is_instance_of(&e, &exc_class("SystemExit").unwrap()) || is_instance_of(&e, &exc_class("KeyboardInterrupt").unwrap())) {
                return Ok(Value::None);
            }
        }
        with_loop(|l| l.stopping = true);
        Ok(Value::None)
    });
    fut_add_done_callback(&fut, stop.clone());
    let r = run_forever();
    fut_remove_done_callback(&fut, &stop);
    r?;
    if !fut_done(&fut) {
        return Err(crate::new_exc("RuntimeError", "Event loop stopped before Future completed."));
    }
    fut_result(&fut)
}

fn all_tasks() -> Vec<Value> {
    with_loop(|l| l.tasks.iter().filter(|t| !fut_done(t)).cloned().collect())
}

/// runners._cancel_all_tasks.
fn cancel_all_tasks() -> PyResult<()> {
    let to_cancel = all_tasks();
    if to_cancel.is_empty() {
        return Ok(());
    }
    for t in &to_cancel {
        task_cancel(t, Value::None)?;
    }
    let g = gather(to_cancel.clone(), true)?;
    run_until_complete(&g)?;
    for t in &to_cancel {
        if fut_cancelled(t) {
            continue;
        }
        let e = get(t, "_exception");
        if !e.is_none() {
            report("unhandled exception during asyncio.run() shutdown", &PyErr { val: e });
        }
    }
    Ok(())
}

fn close_loop() {
    with_loop(|l| {
        l.closed = true;
        l.ready.clear();
        l.timers.clear();
        l.tasks.clear();
    })
}

/// asyncio.run (Runner.run then Runner.close).
fn run(main: Value) -> PyResult<Value> {
    if running() {
        return Err(crate::new_exc("RuntimeError", "asyncio.run() cannot be called from a running event loop"));
    }
    new_loop();
    let r = if !is_coroutine(&main) {
        Err(value_error(format!("a coroutine was expected, got {}", repr(&main))))
    } else {
        match create_task(main, Value::None) {
            Ok(t) => run_until_complete(&t),
            Err(e) => Err(e),
        }
    };
    let c = runner_close();
    let v = r?;
    c?;
    Ok(v)
}

/// Runner.close: cancels what is left, then runs the loop's
/// shutdown_asyncgens() and shutdown_default_executor() to completion, each
/// a task of its own (they take Task numbers and loop rounds in CPython,
/// where callbacks still pending run).
fn runner_close() -> PyResult<()> {
    let r = (|| {
        cancel_all_tasks()?;
        for name in ["shutdown_asyncgens", "shutdown_default_executor"] {
            let c = make_coroutine(name, name, false, |_co: Co| async move { Ok(Value::None) });
            let t = create_task(c, Value::None)?;
            run_until_complete(&t)?;
        }
        Ok(())
    })();
    close_loop();
    r
}

// ------------------------------------------------------------ Future

fn fut_init(f: &Value) {
    set(f, "_state", Value::str("PENDING"));
    set(f, "_result", Value::None);
    set(f, "_exception", Value::None);
    set(f, "_callbacks", crate::list(vec![]));
    set(f, "_cancel_message", Value::None);
    set(f, "_cancelled_exc", Value::None);
    set(f, "_asyncio_future_blocking", Value::Bool(false));
}

fn create_future() -> Value {
    let f = new_instance(&cls().future);
    fut_init(&f);
    f
}

fn fut_done(f: &Value) -> bool {
    get(f, "_state").as_str() != Some("PENDING")
}

fn fut_cancelled(f: &Value) -> bool {
    get(f, "_state").as_str() == Some("CANCELLED")
}

fn fut_schedule_callbacks(f: &Value) {
    let cbs: Vec<Value> = std::mem::take(&mut *list_vec(&get(f, "_callbacks")).borrow_mut());
    for cb in cbs {
        call_soon(Job::Call(cb, vec![f.clone()]));
    }
}

fn state_err(f: &Value) -> PyErr {
    let st = get(f, "_state").as_str().unwrap_or("").to_string();
    invalid_state(&format!("{}: {}", st, repr(f)))
}

fn fut_set_result(f: &Value, v: Value) -> PyResult<()> {
    if fut_done(f) {
        return Err(state_err(f));
    }
    set(f, "_result", v);
    set(f, "_state", Value::str("FINISHED"));
    fut_schedule_callbacks(f);
    Ok(())
}

fn fut_set_exception(f: &Value, exc: Value) -> PyResult<()> {
    if fut_done(f) {
        return Err(state_err(f));
    }
    let exc = if as_class(&exc).is_some() { crate::call(&exc, vec![], vec![])? } else { exc };
    if is_instance_of(&exc, &exc_class("StopIteration").unwrap()) {
        return Err(type_error("StopIteration interacts badly with generators and cannot be raised into a Future".into()));
    }
    set(f, "_exception", exc);
    set(f, "_state", Value::str("FINISHED"));
    fut_schedule_callbacks(f);
    Ok(())
}

/// Future.cancel.
fn fut_cancel(f: &Value, msg: Value) -> bool {
    if fut_done(f) {
        return false;
    }
    set(f, "_state", Value::str("CANCELLED"));
    set(f, "_cancel_message", msg);
    fut_schedule_callbacks(f);
    true
}

/// `f.cancel(msg)` for any kind of future (Task and gather override it).
fn any_cancel(f: &Value, msg: Value) -> PyResult<bool> {
    if is_task(f) {
        task_cancel(f, msg)
    } else if is_instance_of(f, &cls().gathering) {
        gather_cancel(f, msg)
    } else if is_future(f) {
        Ok(fut_cancel(f, msg))
    } else {
        crate::truthy(&crate::call_method(f, "cancel", vec![msg], vec![])?)
    }
}

/// Future._make_cancelled_error.
fn make_cancelled_error(f: &Value) -> PyErr {
    let ce = get(f, "_cancelled_exc");
    if !ce.is_none() {
        set(f, "_cancelled_exc", Value::None);
        return PyErr { val: ce };
    }
    cancelled_error(&get(f, "_cancel_message"))
}

fn fut_result(f: &Value) -> PyResult<Value> {
    match get(f, "_state").as_str() {
        Some("CANCELLED") => Err(make_cancelled_error(f)),
        Some("FINISHED") => {
            let e = get(f, "_exception");
            if e.is_none() {
                Ok(get(f, "_result"))
            } else {
                Err(raise(e))
            }
        }
        _ => Err(invalid_state("Result is not set.")),
    }
}

fn fut_exception(f: &Value) -> PyResult<Value> {
    match get(f, "_state").as_str() {
        Some("CANCELLED") => Err(make_cancelled_error(f)),
        Some("FINISHED") => Ok(get(f, "_exception")),
        _ => Err(invalid_state("Exception is not set.")),
    }
}

fn fut_add_done_callback(f: &Value, cb: Value) {
    if fut_done(f) {
        call_soon(Job::Call(cb, vec![f.clone()]));
    } else {
        list_vec(&get(f, "_callbacks")).borrow_mut().push(cb);
    }
}

fn same(a: &Value, b: &Value) -> bool {
    ptr_eq(a, b) || (!matches!(a, Value::Obj(_)) && crate::ops::eq(a, b).ok().map(|v| crate::truthy(&v).unwrap_or(false)).unwrap_or(false))
}

fn fut_remove_done_callback(f: &Value, cb: &Value) -> usize {
    let l = list_vec(&get(f, "_callbacks"));
    let mut l = l.borrow_mut();
    let n = l.len();
    l.retain(|x| !same(x, cb));
    n - l.len()
}

fn fut_repr(f: &Value) -> String {
    let st = get(f, "_state").as_str().unwrap_or("").to_lowercase();
    let mut s = format!("<{} {}", class_of(&type_of(f)).name, st);
    if is_task(f) {
        s = format!("<Task {} name={}", st, repr(&get(f, "_name")));
        let c = get(f, "_coro");
        let qn = crate::gen::as_gen(&c).map(|g| g.qualname.clone()).unwrap_or_default();
        s.push_str(&format!(" coro=<{}() {}>", qn, if fut_done(f) { "done" } else { "running" }));
    }
    if st == "finished" {
        let e = get(f, "_exception");
        if e.is_none() {
            s.push_str(&format!(" result={}", repr(&get(f, "_result"))));
        } else {
            s.push_str(&format!(" exception={}", repr(&e)));
        }
    }
    s.push('>');
    s
}

/// Future.__await__: a generator that yields the future to the task
/// until it is done, then returns its result.
fn fut_await(f: &Value) -> Value {
    let f = f.clone();
    make_generator("__await__", "Future.__await__", move |co: Co| async move {
        if !fut_done(&f) {
            set(&f, "_asyncio_future_blocking", Value::Bool(true));
            co.yield_(f.clone()).await?;
        }
        if !fut_done(&f) {
            return Err(crate::new_exc("RuntimeError", "await wasn't used with future"));
        }
        fut_result(&f)
    })
}

// ------------------------------------------------------------ Task

fn create_task(coro: Value, name: Value) -> PyResult<Value> {
    let t = new_instance(&cls().task);
    task_init(&t, coro, name)?;
    Ok(t)
}

fn task_init(t: &Value, coro: Value, name: Value) -> PyResult<()> {
    if !is_coroutine(&coro) {
        return Err(type_error(format!("a coroutine was expected, got {}", repr(&coro))));
    }
    if with_loop(|l| l.obj.is_none() || l.closed) {
        return Err(crate::new_exc("RuntimeError", "no running event loop"));
    }
    fut_init(t);
    let name = if name.is_none() {
        let n = TASK_N.with(|c| {
            c.set(c.get() + 1);
            c.get()
        });
        Value::str(&format!("Task-{}", n))
    } else {
        Value::str(&crate::ops::to_str(&name)?)
    };
    set(t, "_name", name);
    set(t, "_coro", coro);
    set(t, "_fut_waiter", Value::None);
    set(t, "_must_cancel", Value::Bool(false));
    set(t, "_num_cancels_requested", Value::Int(0));
    call_soon(Job::Step(t.clone(), None));
    with_loop(|l| {
        if l.tasks.len() >= 64 && l.tasks.len() % 64 == 0 {
            l.tasks.retain(|x| !fut_done(x));
        }
        l.tasks.push(t.clone());
    });
    Ok(())
}

/// Task.cancel.
fn task_cancel(t: &Value, msg: Value) -> PyResult<bool> {
    if fut_done(t) {
        return Ok(false);
    }
    let n = get(t, "_num_cancels_requested").as_i64().unwrap_or(0);
    set(t, "_num_cancels_requested", Value::Int(n + 1));
    let w = get(t, "_fut_waiter");
    if !w.is_none() && any_cancel(&w, msg.clone())? {
        return Ok(true);
    }
    set(t, "_must_cancel", Value::Bool(true));
    set(t, "_cancel_message", msg);
    Ok(true)
}

fn wakeup_cb(t: &Value) -> Value {
    let t = t.clone();
    nat("task_wakeup", move |a, _| {
        let r = match fut_result(&a[0]) {
            Ok(_) => task_step(&t, None),
            Err(e) => task_step(&t, Some(e.val)),
        };
        r.map(|_| Value::None)
    })
}

/// Task.__step.
fn task_step(t: &Value, exc: Option<Value>) -> PyResult<()> {
    if fut_done(t) {
        return Err(invalid_state(&format!("_step(): already done: {}, {:?}", fut_repr(t), exc.map(|e| repr(&e)))));
    }
    let mut exc = exc;
    if flag(t, "_must_cancel") {
        if !exc.as_ref().map(|e| is_instance_of(e, &cls().cancelled)).unwrap_or(false) {
            exc = Some(make_cancelled_error(t).val);
        }
        set(t, "_must_cancel", Value::Bool(false));
    }
    let coro = get(t, "_coro");
    set(t, "_fut_waiter", Value::None);
    let prev = with_loop(|l| std::mem::replace(&mut l.current, t.clone()));
    let input = match exc {
        None => crate::gen::Input::Send(Value::None),
        Some(e) => crate::gen::Input::Throw(raise(e)),
    };
    let r = match crate::gen::as_gen(&coro) {
        Some(g) => crate::gen::resume(g, input),
        None => Err(type_error("a coroutine was expected".into())),
    };
    with_loop(|l| l.current = prev);
    match r {
        Ok(crate::gen::Step::Return(v)) => {
            if flag(t, "_must_cancel") {
                set(t, "_must_cancel", Value::Bool(false));
                let m = get(t, "_cancel_message");
                fut_cancel(t, m);
            } else {
                fut_set_result(t, v)?;
            }
        }
        Err(e) => {
            if is_cancelled_error(&e) {
                set(t, "_cancelled_exc", e.val.clone());
                fut_cancel(t, Value::None);
            } else if exc_is(&e, "KeyboardInterrupt") || exc_is(&e, "SystemExit") {
                fut_set_exception(t, e.val.clone())?;
                return Err(e);
            } else {
                fut_set_exception(t, e.val)?;
            }
        }
        Ok(crate::gen::Step::Yield(y)) => {
            if is_future(&y) && has(&y, "_asyncio_future_blocking") {
                if flag(&y, "_asyncio_future_blocking") {
                    if ptr_eq(&y, t) {
                        let e = crate::new_exc("RuntimeError", &format!("Task cannot await on itself: {}", fut_repr(t)));
                        call_soon(Job::Step(t.clone(), Some(e.val)));
                    } else {
                        set(&y, "_asyncio_future_blocking", Value::Bool(false));
                        fut_add_done_callback(&y, wakeup_cb(t));
                        set(t, "_fut_waiter", y.clone());
                        if flag(t, "_must_cancel") && any_cancel(&y, get(t, "_cancel_message"))? {
                            set(t, "_must_cancel", Value::Bool(false));
                        }
                    }
                } else {
                    let e = crate::new_exc(
                        "RuntimeError",
                        &format!("yield was used instead of yield from in task {} with {}", fut_repr(t), repr(&y)),
                    );
                    call_soon(Job::Step(t.clone(), Some(e.val)));
                }
            } else if y.is_none() {
                call_soon(Job::Step(t.clone(), None));
            } else {
                let e = crate::new_exc("RuntimeError", &format!("Task got bad yield: {}", repr(&y)));
                call_soon(Job::Step(t.clone(), Some(e.val)));
            }
        }
    }
    Ok(())
}

/// tasks.ensure_future.
fn ensure_future(v: &Value) -> PyResult<Value> {
    if is_future(v) {
        return Ok(v.clone());
    }
    if is_coroutine(v) {
        return create_task(v.clone(), Value::None);
    }
    if as_inst(v).is_some() && lookup_user(v, "__await__").is_some() {
        let a = v.clone();
        let c = make_coroutine("_wrap_awaitable", "_wrap_awaitable", false, move |co: Co| async move { await_(&co, a).await });
        return create_task(c, Value::None);
    }
    Err(type_error("An asyncio.Future, a coroutine or an awaitable is required".into()))
}

// ------------------------------------------------------------ gather & co

fn gather(args: Vec<Value>, return_exceptions: bool) -> PyResult<Value> {
    let c = cls();
    let outer = new_instance(&c.gathering);
    if args.is_empty() {
        current_loop();
        fut_init(&outer);
        set(&outer, "_children", crate::list(vec![]));
        set(&outer, "_cancel_requested", Value::Bool(false));
        fut_set_result(&outer, crate::list(vec![]))?;
        return Ok(outer);
    }
    let children: Rc<RefCell<Vec<Value>>> = Rc::new(RefCell::new(Vec::new()));
    let nfinished = Rc::new(Cell::new(0usize));
    let nfuts = Rc::new(Cell::new(0usize));
    let outer_slot: Rc<RefCell<Option<Value>>> = Rc::new(RefCell::new(None));
    let (ch, nf, nt, os) = (children.clone(), nfinished.clone(), nfuts.clone(), outer_slot.clone());
    let done_cb = nat("_done_callback", move |a, _| {
        let fut = &a[0];
        nf.set(nf.get() + 1);
        let outer = match os.borrow().clone() {
            Some(o) => o,
            None => {
                if !fut_cancelled(fut) {
                    let _ = fut_exception(fut);
                }
                return Ok(Value::None);
            }
        };
        if fut_done(&outer) {
            if !fut_cancelled(fut) {
                let _ = fut_exception(fut);
            }
            return Ok(Value::None);
        }
        if !return_exceptions {
            if fut_cancelled(fut) {
                let e = make_cancelled_error(fut);
                fut_set_exception(&outer, e.val)?;
                return Ok(Value::None);
            }
            let e = fut_exception(fut)?;
            if !e.is_none() {
                fut_set_exception(&outer, e)?;
                return Ok(Value::None);
            }
        }
        if nf.get() == nt.get() {
            let mut results = Vec::new();
            let kids = ch.borrow().clone();
            for f in &kids {
                let r = if fut_cancelled(f) {
                    let m = get(f, "_cancel_message");
                    cancelled_error(&if m.is_none() { Value::str("") } else { m }).val
                } else {
                    let e = fut_exception(f)?;
                    if e.is_none() {
                        fut_result(f)?
                    } else {
                        e
                    }
                };
                results.push(r);
            }
            if flag(&outer, "_cancel_requested") {
                let e = make_cancelled_error(fut);
                fut_set_exception(&outer, e.val)?;
            } else {
                fut_set_result(&outer, crate::list(results))?;
            }
        }
        Ok(Value::None)
    });
    let mut seen: Vec<(Value, Value)> = Vec::new();
    for a in args {
        let fut = match seen.iter().find(|(k, _)| ptr_eq(k, &a)) {
            Some((_, f)) => f.clone(),
            None => {
                let f = ensure_future(&a)?;
                nfuts.set(nfuts.get() + 1);
                seen.push((a.clone(), f.clone()));
                fut_add_done_callback(&f, done_cb.clone());
                f
            }
        };
        children.borrow_mut().push(fut);
    }
    fut_init(&outer);
    set(&outer, "_children", crate::list(children.borrow().clone()));
    set(&outer, "_cancel_requested", Value::Bool(false));
    *outer_slot.borrow_mut() = Some(outer.clone());
    Ok(outer)
}

/// _GatheringFuture.cancel.
fn gather_cancel(f: &Value, msg: Value) -> PyResult<bool> {
    if fut_done(f) {
        return Ok(false);
    }
    let kids = list_vec(&get(f, "_children")).borrow().clone();
    let mut ret = false;
    for k in &kids {
        if any_cancel(k, msg.clone())? {
            ret = true;
        }
    }
    if ret {
        set(f, "_cancel_requested", Value::Bool(true));
    }
    Ok(ret)
}

fn to_delay(v: &Value) -> PyResult<f64> {
    crate::builtins::to_float(v)
}

fn sleep(delay: Value, result: Value) -> PyResult<Value> {
    Ok(make_coroutine("sleep", "sleep", false, move |co: Co| async move {
        if crate::truthy(&crate::ops::le(&delay, &Value::Int(0))?)? {
            co.yield_(Value::None).await?;
            return Ok(result);
        }
        get_running_loop()?;
        let d = to_delay(&delay)?;
        let f = create_future();
        let h = call_later(d, Job::SetIfPending(f.clone(), result));
        let r = await_(&co, f).await;
        h.set(true);
        r
    }))
}

/// tasks._cancel_and_wait.
async fn cancel_and_wait(co: &Co, fut: &Value) -> PyResult<()> {
    let waiter = create_future();
    let w = waiter.clone();
    let cb = nat("_release_waiter", move |_, _| {
        if !fut_done(&w) {
            fut_set_result(&w, Value::None)?;
        }
        Ok(Value::None)
    });
    fut_add_done_callback(fut, cb.clone());
    let r = match any_cancel(fut, Value::None) {
        Ok(_) => await_(co, waiter).await.map(|_| ()),
        Err(e) => Err(e),
    };
    fut_remove_done_callback(fut, &cb);
    r
}

fn timeout_from(e: PyErr) -> PyErr {
    let t = crate::new_exc_args("TimeoutError", vec![]);
    exc_data(&t.val, |d| {
        d.cause = e.val.clone();
        d.suppress = true;
    });
    t
}

fn wait_for(fut: Value, timeout: Value) -> Value {
    make_coroutine("wait_for", "wait_for", false, move |co: Co| async move {
        get_running_loop()?;
        if timeout.is_none() {
            return await_(&co, fut).await;
        }
        let t = to_delay(&timeout)?;
        if t <= 0.0 {
            let f = ensure_future(&fut)?;
            if fut_done(&f) {
                return fut_result(&f);
            }
            cancel_and_wait(&co, &f).await?;
            return match fut_result(&f) {
                Err(e) if is_cancelled_error(&e) => Err(timeout_from(e)),
                r => r,
            };
        }
        let waiter = create_future();
        let th = call_later(t, Job::SetIfPending(waiter.clone(), Value::None));
        let w = waiter.clone();
        let cb = nat("_release_waiter", move |_, _| {
            if !fut_done(&w) {
                fut_set_result(&w, Value::None)?;
            }
            Ok(Value::None)
        });
        let r = async {
            let f = ensure_future(&fut)?;
            fut_add_done_callback(&f, cb.clone());
            match await_(&co, waiter).await {
                Err(e) if is_cancelled_error(&e) => {
                    if fut_done(&f) {
                        return fut_result(&f);
                    }
                    fut_remove_done_callback(&f, &cb);
                    cancel_and_wait(&co, &f).await?;
                    return Err(e);
                }
                Err(e) => return Err(e),
                Ok(_) => {}
            }
            if fut_done(&f) {
                return fut_result(&f);
            }
            fut_remove_done_callback(&f, &cb);
            cancel_and_wait(&co, &f).await?;
            match fut_result(&f) {
                Err(e) if is_cancelled_error(&e) => Err(timeout_from(e)),
                r => r,
            }
        }
        .await;
        th.set(true);
        r
    })
}

/// asyncio.wait(fs, timeout=None, return_when=ALL_COMPLETED): (done, pending).
fn wait(fs: Value, timeout: Value, return_when: String) -> PyResult<Value> {
    if is_future(&fs) || is_coroutine(&fs) {
        return Err(type_error(format!("expect a list of futures, not {}", type_name(&fs))));
    }
    let items = crate::iter::collect(&fs)?;
    if items.is_empty() {
        return Err(value_error("Set of Tasks/Futures is empty.".into()));
    }
    if !matches!(return_when.as_str(), "FIRST_COMPLETED" | "FIRST_EXCEPTION" | "ALL_COMPLETED") {
        return Err(value_error(format!("Invalid return_when value: {}", return_when)));
    }
    let mut fs: Vec<Value> = Vec::new();
    for f in items {
        if is_coroutine(&f) {
            return Err(type_error("Passing coroutines is forbidden, use tasks explicitly.".into()));
        }
        let f = ensure_future(&f)?;
        if !fs.iter().any(|x| ptr_eq(x, &f)) {
            fs.push(f);
        }
    }
    Ok(make_coroutine("wait", "wait", false, move |co: Co| async move {
        get_running_loop()?;
        let to = if timeout.is_none() { None } else { Some(to_delay(&timeout)?) };
        let waiter = create_future();
        let th = to.map(|t| call_later(t, Job::SetIfPending(waiter.clone(), Value::None)));
        let counter = Rc::new(Cell::new(fs.len()));
        let (w, c, rw) = (waiter.clone(), counter.clone(), return_when.clone());
        let cb = nat("_on_completion", move |a, _| {
            let f = &a[0];
            c.set(c.get() - 1);
            let exc_now = !fut_cancelled(f) && !get(f, "_exception").is_none();
            if c.get() == 0 || rw == "FIRST_COMPLETED" || (rw == "FIRST_EXCEPTION" && exc_now) {
                if !fut_done(&w) {
                    fut_set_result(&w, Value::None)?;
                }
            }
            Ok(Value::None)
        });
        for f in &fs {
            fut_add_done_callback(f, cb.clone());
        }
        let r = await_(&co, waiter).await;
        if let Some(h) = th {
            h.set(true);
        }
        for f in &fs {
            fut_remove_done_callback(f, &cb);
        }
        r?;
        let done: Vec<Value> = fs.iter().filter(|f| fut_done(f)).cloned().collect();
        let pending: Vec<Value> = fs.iter().filter(|f| !fut_done(f)).cloned().collect();
        Ok(crate::tuple(vec![crate::set(done)?, crate::set(pending)?]))
    }))
}

/// asyncio.as_completed: an iterator of coroutines, each returning the
/// result of the next future to finish.
fn as_completed(fs: Value, timeout: Value) -> PyResult<Value> {
    if is_future(&fs) || is_coroutine(&fs) {
        return Err(type_error(format!("expect an iterable of futures, not {}", type_name(&fs))));
    }
    let items = crate::iter::collect(&fs)?;
    let done = queue_new(0, 0);
    current_loop();
    let mut todo: Vec<Value> = Vec::new();
    for f in items {
        let f = ensure_future(&f)?;
        if !todo.iter().any(|x| ptr_eq(x, &f)) {
            todo.push(f);
        }
    }
    let n = todo.len();
    let todo = Rc::new(RefCell::new(todo));
    let th: Rc<RefCell<Option<Rc<Cell<bool>>>>> = Rc::new(RefCell::new(None));
    let (td, dq, thc) = (todo.clone(), done.clone(), th.clone());
    let on_completion = nat("_on_completion", move |a, _| {
        let f = &a[0];
        if td.borrow().is_empty() {
            return Ok(Value::None);
        }
        td.borrow_mut().retain(|x| !ptr_eq(x, f));
        queue_put_nowait(&dq, f.clone())?;
        if td.borrow().is_empty() {
            if let Some(h) = thc.borrow().as_ref() {
                h.set(true);
            }
        }
        Ok(Value::None)
    });
    for f in todo.borrow().iter() {
        fut_add_done_callback(f, on_completion.clone());
    }
    if n > 0 && !timeout.is_none() {
        let (td, dq, oc) = (todo.clone(), done.clone(), on_completion.clone());
        let on_timeout = nat("_on_timeout", move |_, _| {
            let fs: Vec<Value> = td.borrow().clone();
            for f in &fs {
                fut_remove_done_callback(f, &oc);
                queue_put_nowait(&dq, Value::None)?;
            }
            td.borrow_mut().clear();
            Ok(Value::None)
        });
        *th.borrow_mut() = Some(call_later(to_delay(&timeout)?, Job::Call(on_timeout, vec![])));
    }
    let mut coros = Vec::new();
    for _ in 0..n {
        let dq = done.clone();
        coros.push(make_coroutine("_wait_for_one", "as_completed.<locals>._wait_for_one", false, move |co: Co| async move {
            let f = await_(&co, queue_get(&dq)).await?;
            if f.is_none() {
                return Err(crate::new_exc_args("TimeoutError", vec![]));
            }
            fut_result(&f)
        }));
    }
    crate::call(&crate::builtin("iter"), vec![crate::list(coros)], vec![])
}

/// asyncio.shield.
fn shield(arg: Value) -> PyResult<Value> {
    let inner = ensure_future(&arg)?;
    if fut_done(&inner) {
        return Ok(inner);
    }
    let outer = create_future();
    let o = outer.clone();
    let cb = nat("_inner_done_callback", move |a, _| {
        let inner = &a[0];
        if fut_cancelled(&o) {
            if !fut_cancelled(inner) {
                let _ = fut_exception(inner);
            }
            return Ok(Value::None);
        }
        if fut_cancelled(inner) {
            fut_cancel(&o, Value::None);
        } else {
            let e = fut_exception(inner)?;
            if !e.is_none() {
                fut_set_exception(&o, e)?;
            } else {
                fut_set_result(&o, get(inner, "_result"))?;
            }
        }
        Ok(Value::None)
    });
    fut_add_done_callback(&inner, cb.clone());
    let inn = inner.clone();
    fut_add_done_callback(
        &outer,
        nat("_outer_done_callback", move |_, _| {
            if !fut_done(&inn) {
                fut_remove_done_callback(&inn, &cb);
            }
            Ok(Value::None)
        }),
    );
    Ok(outer)
}

// ------------------------------------------------------------ Queue

/// Items of a queue: a list whose first `_head` slots are consumed (FIFO
/// gets are amortised O(1)).
fn queue_new(maxsize: i64, kind: i64) -> Value {
    let q = new_instance(&cls_queue());
    queue_init(&q, maxsize, kind);
    q
}

thread_local! {
    static QCLS: RefCell<Option<(Value, Value, Value)>> = RefCell::new(None);
}

fn cls_queue() -> Value {
    cls();
    QCLS.with(|q| q.borrow().as_ref().unwrap().0.clone())
}

fn queue_init(q: &Value, maxsize: i64, kind: i64) {
    set(q, "_maxsize", Value::Int(maxsize));
    set(q, "_queue", crate::list(vec![]));
    set(q, "_head", Value::Int(0));
    set(q, "_kind", Value::Int(kind));
    set(q, "_getters", crate::list(vec![]));
    set(q, "_putters", crate::list(vec![]));
    set(q, "_unfinished_tasks", Value::Int(0));
    let ev = new_instance(&event_cls());
    event_init(&ev);
    set(&ev, "_value", Value::Bool(true));
    set(q, "_finished", ev);
}

fn qi(q: &Value, k: &str) -> i64 {
    get(q, k).as_i64().unwrap_or(0)
}

fn queue_qsize(q: &Value) -> usize {
    list_vec(&get(q, "_queue")).borrow().len() - qi(q, "_head") as usize
}

fn queue_full(q: &Value) -> bool {
    let m = qi(q, "_maxsize");
    m > 0 && queue_qsize(q) as i64 >= m
}

fn wakeup_next(waiters: &Value) -> PyResult<()> {
    let l = list_vec(waiters);
    loop {
        let w = {
            let mut v = l.borrow_mut();
            if v.is_empty() {
                return Ok(());
            }
            v.remove(0)
        };
        if !fut_done(&w) {
            fut_set_result(&w, Value::None)?;
            return Ok(());
        }
    }
}

fn heapq_fn(name: &str) -> PyResult<Value> {
    let h = crate::stdlib::import_std("heapq", crate::stdlib::modules::heapq)?;
    crate::getattr(&h, name)
}

fn queue_put_nowait(q: &Value, item: Value) -> PyResult<Value> {
    if queue_full(q) {
        return Err(err_of(&cls().queue_full, vec![]));
    }
    let items = get(q, "_queue");
    if qi(q, "_kind") == 2 {
        crate::call(&heapq_fn("heappush")?, vec![items, item], vec![])?;
    } else {
        list_vec(&items).borrow_mut().push(item);
    }
    set(q, "_unfinished_tasks", Value::Int(qi(q, "_unfinished_tasks") + 1));
    set(&get(q, "_finished"), "_value", Value::Bool(false));
    wakeup_next(&get(q, "_getters"))?;
    Ok(Value::None)
}

fn queue_get_nowait(q: &Value) -> PyResult<Value> {
    if queue_qsize(q) == 0 {
        return Err(err_of(&cls().queue_empty, vec![]));
    }
    let items = get(q, "_queue");
    let item = match qi(q, "_kind") {
        2 => crate::call(&heapq_fn("heappop")?, vec![items], vec![])?,
        1 => list_vec(&items).borrow_mut().pop().unwrap_or(Value::None),
        _ => {
            let l = list_vec(&items);
            let mut v = l.borrow_mut();
            let h = qi(q, "_head") as usize;
            let x = std::mem::replace(&mut v[h], Value::None);
            let h = h + 1;
            if h >= 32 && h * 2 >= v.len() {
                v.drain(..h);
                set(q, "_head", Value::Int(0));
            } else {
                set(q, "_head", Value::Int(h as i64));
            }
            x
        }
    };
    wakeup_next(&get(q, "_putters"))?;
    Ok(item)
}

/// Removes `w` from a waiters list (ValueError ignored, as Queue does).
fn list_remove(l: &Value, w: &Value) {
    let l = list_vec(l);
    let mut v = l.borrow_mut();
    if let Some(i) = v.iter().position(|x| ptr_eq(x, w)) {
        v.remove(i);
    }
}

fn queue_get(q: &Value) -> Value {
    let q = q.clone();
    make_coroutine("get", "Queue.get", false, move |co: Co| async move {
        while queue_qsize(&q) == 0 {
            let getter = create_future();
            list_vec(&get(&q, "_getters")).borrow_mut().push(getter.clone());
            if let Err(e) = await_(&co, getter.clone()).await {
                fut_cancel(&getter, Value::None);
                list_remove(&get(&q, "_getters"), &getter);
                if queue_qsize(&q) > 0 && !fut_cancelled(&getter) {
                    wakeup_next(&get(&q, "_getters"))?;
                }
                return Err(e);
            }
        }
        queue_get_nowait(&q)
    })
}

fn queue_put(q: &Value, item: Value) -> Value {
    let q = q.clone();
    make_coroutine("put", "Queue.put", false, move |co: Co| async move {
        while queue_full(&q) {
            let putter = create_future();
            list_vec(&get(&q, "_putters")).borrow_mut().push(putter.clone());
            if let Err(e) = await_(&co, putter.clone()).await {
                fut_cancel(&putter, Value::None);
                list_remove(&get(&q, "_putters"), &putter);
                if !queue_full(&q) && !fut_cancelled(&putter) {
                    wakeup_next(&get(&q, "_putters"))?;
                }
                return Err(e);
            }
        }
        queue_put_nowait(&q, item)
    })
}

// ------------------------------------------------------------ Event, Lock, Semaphore

thread_local! {
    static EVCLS: RefCell<Option<Value>> = RefCell::new(None);
}

fn event_cls() -> Value {
    cls();
    EVCLS.with(|e| e.borrow().clone().unwrap())
}

fn event_init(e: &Value) {
    set(e, "_waiters", crate::list(vec![]));
    set(e, "_value", Value::Bool(false));
}

fn event_set(e: &Value) -> PyResult<()> {
    if !flag(e, "_value") {
        set(e, "_value", Value::Bool(true));
        let ws = list_vec(&get(e, "_waiters")).borrow().clone();
        for f in ws {
            if !fut_done(&f) {
                fut_set_result(&f, Value::Bool(true))?;
            }
        }
    }
    Ok(())
}

fn event_wait(e: &Value) -> Value {
    let e = e.clone();
    make_coroutine("wait", "Event.wait", false, move |co: Co| async move {
        if flag(&e, "_value") {
            return Ok(Value::Bool(true));
        }
        let f = create_future();
        list_vec(&get(&e, "_waiters")).borrow_mut().push(f.clone());
        let r = await_(&co, f.clone()).await;
        list_remove(&get(&e, "_waiters"), &f);
        r.map(|_| Value::Bool(true))
    })
}

fn lock_acquire(lk: &Value) -> Value {
    let lk = lk.clone();
    make_coroutine("acquire", "Lock.acquire", false, move |co: Co| async move {
        let ws = get(&lk, "_waiters");
        if !flag(&lk, "_locked") && list_vec(&ws).borrow().iter().all(fut_cancelled) {
            set(&lk, "_locked", Value::Bool(true));
            return Ok(Value::Bool(true));
        }
        let f = create_future();
        list_vec(&ws).borrow_mut().push(f.clone());
        let r = await_(&co, f.clone()).await;
        list_remove(&ws, &f);
        if let Err(e) = r {
            if is_cancelled_error(&e) && !flag(&lk, "_locked") {
                lock_wake_first(&lk)?;
            }
            return Err(e);
        }
        set(&lk, "_locked", Value::Bool(true));
        Ok(Value::Bool(true))
    })
}

fn lock_wake_first(lk: &Value) -> PyResult<()> {
    let first = list_vec(&get(lk, "_waiters")).borrow().first().cloned();
    if let Some(f) = first {
        if !fut_done(&f) {
            fut_set_result(&f, Value::Bool(true))?;
        }
    }
    Ok(())
}

fn lock_release(lk: &Value) -> PyResult<Value> {
    if flag(lk, "_locked") {
        set(lk, "_locked", Value::Bool(false));
        lock_wake_first(lk)?;
        Ok(Value::None)
    } else {
        Err(crate::new_exc("RuntimeError", "Lock is not acquired."))
    }
}

fn sem_locked(s: &Value) -> bool {
    qi(s, "_value") == 0 || list_vec(&get(s, "_waiters")).borrow().iter().any(|w| !fut_cancelled(w))
}

fn sem_wake_next(s: &Value) -> PyResult<()> {
    let ws = list_vec(&get(s, "_waiters")).borrow().clone();
    for f in ws {
        if !fut_done(&f) {
            set(s, "_value", Value::Int(qi(s, "_value") - 1));
            fut_set_result(&f, Value::Bool(true))?;
            return Ok(());
        }
    }
    Ok(())
}

fn sem_acquire(s: &Value) -> Value {
    let s = s.clone();
    make_coroutine("acquire", "Semaphore.acquire", false, move |co: Co| async move {
        if !sem_locked(&s) {
            set(&s, "_value", Value::Int(qi(&s, "_value") - 1));
            return Ok(Value::Bool(true));
        }
        let ws = get(&s, "_waiters");
        let f = create_future();
        list_vec(&ws).borrow_mut().push(f.clone());
        let r = await_(&co, f.clone()).await;
        list_remove(&ws, &f);
        if let Err(e) = r {
            if is_cancelled_error(&e) && !fut_cancelled(&f) {
                set(&s, "_value", Value::Int(qi(&s, "_value") + 1));
                sem_wake_next(&s)?;
            }
            return Err(e);
        }
        if qi(&s, "_value") > 0 {
            sem_wake_next(&s)?;
        }
        Ok(Value::Bool(true))
    })
}

fn sem_release(s: &Value) -> PyResult<Value> {
    if flag(s, "_bounded") && qi(s, "_value") >= qi(s, "_bound_value") {
        return Err(value_error("BoundedSemaphore released too many times".into()));
    }
    set(s, "_value", Value::Int(qi(s, "_value") + 1));
    sem_wake_next(s)?;
    Ok(Value::None)
}

/// A coroutine that returns `v` at once (`__aexit__` of the locks).
fn ready_coro(v: PyResult<Value>) -> Value {
    make_coroutine("__aexit__", "__aexit__", false, move |_co: Co| async move { v })
}

// ------------------------------------------------------------ timeout()

fn timeout_cm(delay: Value) -> PyResult<Value> {
    let t = new_instance(&TOCLS.with(|c| c.borrow().clone().unwrap()));
    set(&t, "_delay", delay);
    set(&t, "_state", Value::str("CREATED"));
    Ok(t)
}

thread_local! {
    static TOCLS: RefCell<Option<Value>> = RefCell::new(None);
}

// ------------------------------------------------------------ TaskGroup

fn is_base_error(e: &Value) -> bool {
    is_instance_of(e, &exc_class("SystemExit").unwrap()) || is_instance_of(e, &exc_class("KeyboardInterrupt").unwrap())
}

fn tg_abort(g: &Value) -> PyResult<()> {
    set(g, "_aborting", Value::Bool(true));
    let ts = list_vec(&get(g, "_tasks")).borrow().clone();
    for t in ts {
        if !fut_done(&t) {
            task_cancel(&t, Value::None)?;
        }
    }
    Ok(())
}

/// TaskGroup._on_task_done, bound to its group.
fn tg_on_done(g: &Value) -> Value {
    let g = g.clone();
    nat("_on_task_done", move |a, _| {
        let task = &a[0];
        list_remove(&get(&g, "_tasks"), task);
        let ocf = get(&g, "_on_completed_fut");
        if !ocf.is_none() && list_vec(&get(&g, "_tasks")).borrow().is_empty() && !fut_done(&ocf) {
            fut_set_result(&ocf, Value::Bool(true))?;
        }
        if fut_cancelled(task) {
            return Ok(Value::None);
        }
        let exc = fut_exception(task)?;
        if exc.is_none() {
            return Ok(Value::None);
        }
        list_vec(&get(&g, "_errors")).borrow_mut().push(exc.clone());
        if is_base_error(&exc) && get(&g, "_base_error").is_none() {
            set(&g, "_base_error", exc.clone());
        }
        let parent = get(&g, "_parent_task");
        if fut_done(&parent) {
            report("Task has errored out but its parent task is already completed", &PyErr { val: exc });
            return Ok(Value::None);
        }
        if !flag(&g, "_aborting") && !flag(&g, "_parent_cancel_requested") {
            tg_abort(&g)?;
            set(&g, "_parent_cancel_requested", Value::Bool(true));
            task_cancel(&parent, Value::None)?;
        }
        Ok(Value::None)
    })
}

fn tg_create_task(g: &Value, coro: Value, name: Value) -> PyResult<Value> {
    let r = repr(g);
    if !flag(g, "_entered") {
        return Err(crate::new_exc("RuntimeError", &format!("TaskGroup {} has not been entered", r)));
    }
    if flag(g, "_exiting") && list_vec(&get(g, "_tasks")).borrow().is_empty() {
        return Err(crate::new_exc("RuntimeError", &format!("TaskGroup {} is finished", r)));
    }
    if flag(g, "_aborting") {
        return Err(crate::new_exc("RuntimeError", &format!("TaskGroup {} is shutting down", r)));
    }
    let t = create_task(coro, name)?;
    list_vec(&get(g, "_tasks")).borrow_mut().push(t.clone());
    fut_add_done_callback(&t, get(g, "_on_done"));
    Ok(t)
}

fn tg_aexit(g: Value, et: Value, exc: Value) -> Value {
    make_coroutine("__aexit__", "TaskGroup.__aexit__", false, move |co: Co| async move {
        set(&g, "_exiting", Value::Bool(true));
        if !exc.is_none() && is_base_error(&exc) && get(&g, "_base_error").is_none() {
            set(&g, "_base_error", exc.clone());
        }
        let c = cls();
        let et_cancelled = !et.is_none() && ptr_eq(&et, &c.cancelled);
        let mut propagate: Value = if et_cancelled { exc.clone() } else { Value::None };
        if flag(&g, "_parent_cancel_requested") {
            let parent = get(&g, "_parent_task");
            let n = qi(&parent, "_num_cancels_requested");
            let n = if n > 0 { n - 1 } else { 0 };
            set(&parent, "_num_cancels_requested", Value::Int(n));
            if n == 0 {
                propagate = Value::None;
            }
        }
        if !et.is_none() && !flag(&g, "_aborting") {
            tg_abort(&g)?;
        }
        while !list_vec(&get(&g, "_tasks")).borrow().is_empty() {
            if get(&g, "_on_completed_fut").is_none() {
                set(&g, "_on_completed_fut", create_future());
            }
            if let Err(e) = await_(&co, get(&g, "_on_completed_fut")).await {
                if !is_cancelled_error(&e) {
                    return Err(e);
                }
                if !flag(&g, "_aborting") {
                    propagate = e.val.clone();
                    tg_abort(&g)?;
                }
            }
            set(&g, "_on_completed_fut", Value::None);
        }
        let base = get(&g, "_base_error");
        if !base.is_none() {
            return Err(raise(base));
        }
        let errors = list_vec(&get(&g, "_errors"));
        if !propagate.is_none() && errors.borrow().is_empty() {
            return Err(raise(propagate));
        }
        if !et.is_none() && !et_cancelled {
            errors.borrow_mut().push(exc.clone());
        }
        let errs = errors.borrow().clone();
        if !errs.is_empty() {
            let all_exc = errs.iter().all(|e| is_instance_of(e, &exc_class("Exception").unwrap()));
            let gcls = exc_class(if all_exc { "ExceptionGroup" } else { "BaseExceptionGroup" }).unwrap();
            let me = crate::call(&gcls, vec![Value::str("unhandled errors in a TaskGroup"), crate::list(errs)], vec![])?;
            exc_data(&me, |d| d.suppress = true);
            return Err(raise(me));
        }
        Ok(Value::None)
    })
}

fn taskgroup_class() -> Value {
    crate::stdlib2::rt_class(
        "TaskGroup",
        "asyncio.taskgroups",
        vec![],
        vec![
            ("__init__", meth("__init__", |a, _| {
                let g = &a[0];
                for k in ["_entered", "_exiting", "_aborting", "_parent_cancel_requested"] {
                    set(g, k, Value::Bool(false));
                }
                set(g, "_parent_task", Value::None);
                set(g, "_tasks", crate::list(vec![]));
                set(g, "_errors", crate::list(vec![]));
                set(g, "_base_error", Value::None);
                set(g, "_on_completed_fut", Value::None);
                set(g, "_on_done", tg_on_done(g));
                Ok(Value::None)
            })),
            ("__repr__", meth("__repr__", |a, _| {
                let g = &a[0];
                let mut info = Vec::new();
                let n = list_vec(&get(g, "_tasks")).borrow().len();
                if n > 0 {
                    info.push(format!("tasks={}", n));
                }
                let ne = list_vec(&get(g, "_errors")).borrow().len();
                if ne > 0 {
                    info.push(format!("errors={}", ne));
                }
                if flag(g, "_aborting") {
                    info.push("cancelling".into());
                } else if flag(g, "_entered") {
                    info.push("entered".into());
                }
                Ok(Value::str(&format!("<TaskGroup{}>", if info.is_empty() { String::new() } else { format!(" {}", info.join(" ")) })))
            })),
            ("__aenter__", meth("__aenter__", |a, _| {
                let g = a[0].clone();
                if flag(&g, "_entered") {
                    return Err(crate::new_exc("RuntimeError", &format!("TaskGroup {} has been already entered", repr(&g))));
                }
                set(&g, "_entered", Value::Bool(true));
                get_running_loop()?;
                let parent = with_loop(|l| l.current.clone());
                if parent.is_none() {
                    return Err(crate::new_exc("RuntimeError", &format!("TaskGroup {} cannot determine the parent task", repr(&g))));
                }
                set(&g, "_parent_task", parent);
                Ok(ready_coro(Ok(g)))
            })),
            ("__aexit__", meth("__aexit__", |a, _| {
                Ok(tg_aexit(a[0].clone(), a.get(1).cloned().unwrap_or(Value::None), a.get(2).cloned().unwrap_or(Value::None)))
            })),
            ("create_task", meth("create_task", |a, kw| {
                let name = kw.iter().find(|(k, _)| k == "name").map(|(_, v)| v.clone()).unwrap_or(Value::None);
                tg_create_task(&a[0], a.get(1).cloned().unwrap_or(Value::None), name)
            })),
        ],
    )
}

// ------------------------------------------------------------ Condition

fn cond_lock_call(c: &Value, name: &str) -> PyResult<Value> {
    crate::call_method(&get(c, "_lock"), name, vec![], vec![])
}

fn cond_locked(c: &Value) -> PyResult<bool> {
    crate::truthy(&cond_lock_call(c, "locked")?)
}

fn cond_wait(c: &Value) -> Value {
    let c = c.clone();
    make_coroutine("wait", "Condition.wait", false, move |co: Co| async move {
        if !cond_locked(&c)? {
            return Err(crate::new_exc("RuntimeError", "cannot wait on un-acquired lock"));
        }
        cond_lock_call(&c, "release")?;
        let fut = create_future();
        list_vec(&get(&c, "_waiters")).borrow_mut().push(fut.clone());
        let r = await_(&co, fut.clone()).await;
        list_remove(&get(&c, "_waiters"), &fut);
        // the lock is taken back even when the wait was cancelled
        let mut cancelled = false;
        loop {
            match await_(&co, cond_lock_call(&c, "acquire")?).await {
                Ok(_) => break,
                Err(e) if is_cancelled_error(&e) => cancelled = true,
                Err(e) => return Err(e),
            }
        }
        r?;
        if cancelled {
            return Err(cancelled_error(&Value::None));
        }
        Ok(Value::Bool(true))
    })
}

fn cond_notify(c: &Value, n: usize) -> PyResult<Value> {
    if !cond_locked(c)? {
        return Err(crate::new_exc("RuntimeError", "cannot notify on un-acquired lock"));
    }
    let ws = list_vec(&get(c, "_waiters")).borrow().clone();
    let mut idx = 0;
    for f in ws {
        if idx >= n {
            break;
        }
        if !fut_done(&f) {
            idx += 1;
            fut_set_result(&f, Value::Bool(false))?;
        }
    }
    Ok(Value::None)
}

fn condition_class(lock_cls: Value) -> Value {
    crate::stdlib2::rt_class(
        "Condition",
        "asyncio.locks",
        vec![],
        vec![
            ("__init__", meth("__init__", move |a, kw| {
                let lock = match arg(&a, &kw, 1, "lock") {
                    Some(l) if !l.is_none() => l,
                    _ => crate::call(&lock_cls, vec![], vec![])?,
                };
                set(&a[0], "_lock", lock);
                set(&a[0], "_waiters", crate::list(vec![]));
                Ok(Value::None)
            })),
            ("locked", meth("locked", |a, _| cond_lock_call(&a[0], "locked"))),
            ("acquire", meth("acquire", |a, _| cond_lock_call(&a[0], "acquire"))),
            ("release", meth("release", |a, _| cond_lock_call(&a[0], "release"))),
            ("__aenter__", meth("__aenter__", |a, _| {
                let c = a[0].clone();
                Ok(make_coroutine("__aenter__", "Condition.__aenter__", false, move |co: Co| async move {
                    await_(&co, cond_lock_call(&c, "acquire")?).await?;
                    Ok(Value::None)
                }))
            })),
            ("__aexit__", meth("__aexit__", |a, _| Ok(ready_coro(cond_lock_call(&a[0], "release"))))),
            ("wait", meth("wait", |a, _| Ok(cond_wait(&a[0])))),
            ("wait_for", meth("wait_for", |a, _| {
                let c = a[0].clone();
                let pred = a.get(1).cloned().unwrap_or(Value::None);
                Ok(make_coroutine("wait_for", "Condition.wait_for", false, move |co: Co| async move {
                    let mut r = crate::call(&pred, vec![], vec![])?;
                    while !crate::truthy(&r)? {
                        await_(&co, cond_wait(&c)).await?;
                        r = crate::call(&pred, vec![], vec![])?;
                    }
                    Ok(r)
                }))
            })),
            ("notify", meth("notify", |a, kw| {
                let n = arg(&a, &kw, 1, "n").and_then(|v| v.as_i64()).unwrap_or(1);
                cond_notify(&a[0], n.max(0) as usize)
            })),
            ("notify_all", meth("notify_all", |a, _| {
                let n = list_vec(&get(&a[0], "_waiters")).borrow().len();
                cond_notify(&a[0], n)
            })),
        ],
    )
}

/// asyncio.to_thread(func, *args, **kwargs): there are no threads, so the
/// call runs when the coroutine is first awaited, holding up the loop
/// while it runs (CPython runs it beside the loop).
fn to_thread(a: Vec<Value>, kw: Kw) -> PyResult<Value> {
    if a.is_empty() {
        return Err(type_error("to_thread() missing 1 required positional argument: 'func'".into()));
    }
    Ok(make_coroutine("to_thread", "to_thread", false, move |co: Co| async move {
        get_running_loop()?;
        let r = crate::call(&a[0], a[1..].to_vec(), kw)?;
        co.yield_(Value::None).await?;
        Ok(r)
    }))
}

// ------------------------------------------------------------ the classes

fn make_classes() -> Classes {
    let rt = crate::stdlib2::rt_class;
    let base_exc = exc_class("BaseException").unwrap();
    let exc = exc_class("Exception").unwrap();
    let cancelled = rt("CancelledError", "asyncio.exceptions", vec![base_exc], vec![]);
    let invalid_state = rt("InvalidStateError", "asyncio.exceptions", vec![exc.clone()], vec![]);
    let queue_empty = rt("QueueEmpty", "asyncio.queues", vec![exc.clone()], vec![]);
    let queue_full_c = rt("QueueFull", "asyncio.queues", vec![exc], vec![]);
    let future = rt(
        "Future",
        "asyncio.futures",
        vec![],
        vec![
            ("_asyncio_future_blocking", Value::Bool(false)),
            ("__init__", meth("__init__", |a, _| {
                current_loop();
                fut_init(&a[0]);
                Ok(Value::None)
            })),
            ("result", meth("result", |a, _| fut_result(&a[0]))),
            ("exception", meth("exception", |a, _| fut_exception(&a[0]))),
            ("done", meth("done", |a, _| Ok(Value::Bool(fut_done(&a[0]))))),
            ("cancelled", meth("cancelled", |a, _| Ok(Value::Bool(fut_cancelled(&a[0]))))),
            ("cancel", meth("cancel", |a, kw| {
                let m = arg(&a, &kw, 1, "msg").unwrap_or(Value::None);
                Ok(Value::Bool(any_cancel(&a[0], m)?))
            })),
            ("set_result", meth("set_result", |a, _| {
                fut_set_result(&a[0], a.get(1).cloned().unwrap_or(Value::None))?;
                Ok(Value::None)
            })),
            ("set_exception", meth("set_exception", |a, _| {
                fut_set_exception(&a[0], a.get(1).cloned().unwrap_or(Value::None))?;
                Ok(Value::None)
            })),
            ("add_done_callback", meth("add_done_callback", |a, _| {
                fut_add_done_callback(&a[0], a.get(1).cloned().unwrap_or(Value::None));
                Ok(Value::None)
            })),
            ("remove_done_callback", meth("remove_done_callback", |a, _| {
                Ok(Value::Int(fut_remove_done_callback(&a[0], &a.get(1).cloned().unwrap_or(Value::None)) as i64))
            })),
            ("get_loop", meth("get_loop", |_, _| Ok(current_loop()))),
            ("__await__", meth("__await__", |a, _| Ok(fut_await(&a[0])))),
            ("__iter__", meth("__iter__", |a, _| Ok(fut_await(&a[0])))),
            ("__repr__", meth("__repr__", |a, _| Ok(Value::str(&fut_repr(&a[0]))))),
        ],
    );
    let task = rt(
        "Task",
        "asyncio.tasks",
        vec![future.clone()],
        vec![
            ("__init__", meth("__init__", |a, kw| {
                let coro = arg(&a, &kw, 1, "coro").unwrap_or(Value::None);
                let name = kw.iter().find(|(k, _)| k == "name").map(|(_, v)| v.clone()).unwrap_or(Value::None);
                task_init(&a[0], coro, name)?;
                Ok(Value::None)
            })),
            ("get_name", meth("get_name", |a, _| Ok(get(&a[0], "_name")))),
            ("set_name", meth("set_name", |a, _| {
                set(&a[0], "_name", Value::str(&crate::ops::to_str(&a.get(1).cloned().unwrap_or(Value::None))?));
                Ok(Value::None)
            })),
            ("get_coro", meth("get_coro", |a, _| Ok(get(&a[0], "_coro")))),
            ("cancelling", meth("cancelling", |a, _| Ok(get(&a[0], "_num_cancels_requested")))),
            ("uncancel", meth("uncancel", |a, _| {
                let n = qi(&a[0], "_num_cancels_requested");
                let n = if n > 0 { n - 1 } else { 0 };
                set(&a[0], "_num_cancels_requested", Value::Int(n));
                Ok(Value::Int(n))
            })),
        ],
    );
    let gathering = rt("_GatheringFuture", "asyncio.tasks", vec![future.clone()], vec![]);
    let handle = rt(
        "TimerHandle",
        "asyncio.events",
        vec![],
        vec![
            ("cancel", meth("cancel", |a, _| {
                crate::call(&get(&a[0], "_cancel"), vec![], vec![])?;
                set(&a[0], "_cancelled", Value::Bool(true));
                Ok(Value::None)
            })),
            ("cancelled", meth("cancelled", |a, _| Ok(Value::Bool(flag(&a[0], "_cancelled"))))),
            ("when", meth("when", |a, _| Ok(get(&a[0], "_when")))),
        ],
    );
    let loop_cls = rt(
        "_UnixSelectorEventLoop",
        "asyncio.unix_events",
        vec![],
        vec![
            ("time", meth("time", |_, _| Ok(Value::Float(now())))),
            ("create_future", meth("create_future", |_, _| Ok(create_future()))),
            ("create_task", meth("create_task", |a, kw| {
                let name = arg(&a, &kw, 2, "name").unwrap_or(Value::None);
                create_task(a.get(1).cloned().unwrap_or(Value::None), name)
            })),
            ("call_soon", meth("call_soon", |a, _| {
                let c = call_soon_handle(Job::Call(a.get(1).cloned().unwrap_or(Value::None), a.get(2..).map(|s| s.to_vec()).unwrap_or_default()));
                Ok(handle_obj(c, Value::None))
            })),
            ("call_later", meth("call_later", |a, _| {
                let d = to_delay(&a.get(1).cloned().unwrap_or(Value::None))?;
                let when = now() + d;
                let c = call_at(when, Job::Call(a.get(2).cloned().unwrap_or(Value::None), a.get(3..).map(|s| s.to_vec()).unwrap_or_default()));
                Ok(handle_obj(c, Value::Float(when)))
            })),
            ("call_at", meth("call_at", |a, _| {
                let when = to_delay(&a.get(1).cloned().unwrap_or(Value::None))?;
                let c = call_at(when, Job::Call(a.get(2).cloned().unwrap_or(Value::None), a.get(3..).map(|s| s.to_vec()).unwrap_or_default()));
                Ok(handle_obj(c, Value::Float(when)))
            })),
            ("run_until_complete", meth("run_until_complete", |a, _| run_until_complete(&a.get(1).cloned().unwrap_or(Value::None)))),
            ("run_forever", meth("run_forever", |_, _| run_forever().map(|_| Value::None))),
            ("stop", meth("stop", |_, _| {
                with_loop(|l| l.stopping = true);
                Ok(Value::None)
            })),
            ("is_running", meth("is_running", |_, _| Ok(Value::Bool(running())))),
            ("is_closed", meth("is_closed", |_, _| Ok(Value::Bool(with_loop(|l| l.closed))))),
            ("close", meth("close", |_, _| {
                if running() {
                    return Err(crate::new_exc("RuntimeError", "Cannot close a running event loop"));
                }
                close_loop();
                Ok(Value::None)
            })),
            ("shutdown_asyncgens", meth("shutdown_asyncgens", |_, _| Ok(ready_coro(Ok(Value::None))))),
        ],
    );
    // Queue and friends
    let queue = rt(
        "Queue",
        "asyncio.queues",
        vec![],
        vec![
            ("_kind_n", Value::Int(0)),
            ("__init__", meth("__init__", |a, kw| {
                let m = arg(&a, &kw, 1, "maxsize").unwrap_or(Value::Int(0));
                let m = m.as_i64().ok_or_else(|| type_error(format!("'<=' not supported between instances of '{}' and 'int'", type_name(&m))))?;
                let k = crate::getattr(&a[0], "_kind_n")?.as_i64().unwrap_or(0);
                queue_init(&a[0], m, k);
                Ok(Value::None)
            })),
            ("qsize", meth("qsize", |a, _| Ok(Value::Int(queue_qsize(&a[0]) as i64)))),
            ("empty", meth("empty", |a, _| Ok(Value::Bool(queue_qsize(&a[0]) == 0)))),
            ("full", meth("full", |a, _| Ok(Value::Bool(queue_full(&a[0]))))),
            ("maxsize", Value::obj(Obj::Property(meth("maxsize", |a, _| Ok(get(&a[0], "_maxsize"))), Value::None, Value::None, Value::None))),
            ("put_nowait", meth("put_nowait", |a, _| queue_put_nowait(&a[0], a.get(1).cloned().unwrap_or(Value::None)))),
            ("get_nowait", meth("get_nowait", |a, _| queue_get_nowait(&a[0]))),
            ("put", meth("put", |a, _| Ok(queue_put(&a[0], a.get(1).cloned().unwrap_or(Value::None))))),
            ("get", meth("get", |a, _| Ok(queue_get(&a[0])))),
            ("task_done", meth("task_done", |a, _| {
                let n = qi(&a[0], "_unfinished_tasks");
                if n <= 0 {
                    return Err(value_error("task_done() called too many times".into()));
                }
                set(&a[0], "_unfinished_tasks", Value::Int(n - 1));
                if n - 1 == 0 {
                    event_set(&get(&a[0], "_finished"))?;
                }
                Ok(Value::None)
            })),
            ("join", meth("join", |a, _| {
                let q = a[0].clone();
                Ok(make_coroutine("join", "Queue.join", false, move |co: Co| async move {
                    if qi(&q, "_unfinished_tasks") > 0 {
                        await_(&co, event_wait(&get(&q, "_finished"))).await?;
                    }
                    Ok(Value::None)
                }))
            })),
            ("__repr__", meth("__repr__", |a, _| {
                let q = &a[0];
                let mut s = format!("<{} at {:#x} maxsize={}", class_of(&type_of(q)).name, crate::ops::id_of(q), qi(q, "_maxsize"));
                let items = list_vec(&get(q, "_queue")).borrow()[qi(q, "_head") as usize..].to_vec();
                if !items.is_empty() {
                    s.push_str(&format!(" _queue={}", repr(&crate::list(items))));
                }
                let ng = list_vec(&get(q, "_getters")).borrow().len();
                if ng > 0 {
                    s.push_str(&format!(" _getters[{}]", ng));
                }
                let np = list_vec(&get(q, "_putters")).borrow().len();
                if np > 0 {
                    s.push_str(&format!(" _putters[{}]", np));
                }
                let nu = qi(q, "_unfinished_tasks");
                if nu > 0 {
                    s.push_str(&format!(" tasks={}", nu));
                }
                s.push('>');
                Ok(Value::str(&s))
            })),
        ],
    );
    let lifo = rt("LifoQueue", "asyncio.queues", vec![queue.clone()], vec![("_kind_n", Value::Int(1))]);
    let prio = rt("PriorityQueue", "asyncio.queues", vec![queue.clone()], vec![("_kind_n", Value::Int(2))]);
    QCLS.with(|q| *q.borrow_mut() = Some((queue, lifo, prio)));
    let event = rt(
        "Event",
        "asyncio.locks",
        vec![],
        vec![
            ("__init__", meth("__init__", |a, _| {
                event_init(&a[0]);
                Ok(Value::None)
            })),
            ("is_set", meth("is_set", |a, _| Ok(Value::Bool(flag(&a[0], "_value"))))),
            ("set", meth("set", |a, _| event_set(&a[0]).map(|_| Value::None))),
            ("clear", meth("clear", |a, _| {
                set(&a[0], "_value", Value::Bool(false));
                Ok(Value::None)
            })),
            ("wait", meth("wait", |a, _| Ok(event_wait(&a[0])))),
        ],
    );
    EVCLS.with(|e| *e.borrow_mut() = Some(event));
    let to = rt(
        "Timeout",
        "asyncio.timeouts",
        vec![],
        vec![
            ("__aenter__", meth("__aenter__", |a, _| {
                let t = a[0].clone();
                let task = with_loop(|l| l.current.clone());
                if task.is_none() {
                    return Err(crate::new_exc("RuntimeError", "Timeout should be used inside a task"));
                }
                set(&t, "_task", task.clone());
                set(&t, "_state", Value::str("ENTERED"));
                let d = get(&t, "_delay");
                if !d.is_none() {
                    let tk = task.clone();
                    let tt = t.clone();
                    let cb = nat("_on_timeout", move |_, _| {
                        task_cancel(&tk, Value::None)?;
                        set(&tt, "_state", Value::str("EXPIRING"));
                        Ok(Value::None)
                    });
                    let h = call_later(to_delay(&d)?, Job::Call(cb, vec![]));
                    set(&t, "_handle", handle_obj(h, Value::None));
                }
                Ok(ready_coro(Ok(t)))
            })),
            ("__aexit__", meth("__aexit__", |a, _| {
                let t = &a[0];
                let h = get(t, "_handle");
                if !h.is_none() {
                    crate::call_method(&h, "cancel", vec![], vec![])?;
                }
                let et = a.get(1).cloned().unwrap_or(Value::None);
                let expiring = get(t, "_state").as_str() == Some("EXPIRING");
                if expiring {
                    set(t, "_state", Value::str("EXPIRED"));
                    let task = get(t, "_task");
                    let n = qi(&task, "_num_cancels_requested");
                    let n = if n > 0 { n - 1 } else { 0 };
                    set(&task, "_num_cancels_requested", Value::Int(n));
                    if n == 0 && !et.is_none() && is_subclass(&et, &cls().cancelled) {
                        let ev = a.get(2).cloned().unwrap_or(Value::None);
                        return Ok(ready_coro(Err(timeout_from(PyErr { val: ev }))));
                    }
                } else {
                    set(t, "_state", Value::str("EXITED"));
                }
                Ok(ready_coro(Ok(Value::None)))
            })),
        ],
    );
    TOCLS.with(|c| *c.borrow_mut() = Some(to));
    Classes { future, task, gathering, cancelled, invalid_state, queue_empty, queue_full: queue_full_c, handle, loop_cls }
}

fn handle_obj(c: Rc<Cell<bool>>, when: Value) -> Value {
    let h = new_instance(&cls().handle);
    set(&h, "_cancel", nat("cancel", move |_, _| {
        c.set(true);
        Ok(Value::None)
    }));
    set(&h, "_cancelled", Value::Bool(false));
    set(&h, "_when", when);
    h
}

fn lock_class(name: &str, sem: bool, bounded: bool, base: Vec<Value>) -> Value {
    let rt = crate::stdlib2::rt_class;
    let mut ms: Vec<(&str, Value)> = Vec::new();
    if sem {
        ms.push(("__init__", meth("__init__", move |a, kw| {
            let v = arg(&a, &kw, 1, "value").unwrap_or(Value::Int(1));
            let n = v.as_i64().ok_or_else(|| type_error(format!("'<' not supported between instances of '{}' and 'int'", type_name(&v))))?;
            if n < 0 {
                return Err(value_error("Semaphore initial value must be >= 0".into()));
            }
            set(&a[0], "_value", Value::Int(n));
            set(&a[0], "_waiters", crate::list(vec![]));
            if bounded {
                set(&a[0], "_bounded", Value::Bool(true));
                set(&a[0], "_bound_value", Value::Int(n));
            }
            Ok(Value::None)
        })));
        ms.push(("locked", meth("locked", |a, _| Ok(Value::Bool(sem_locked(&a[0]))))));
        ms.push(("acquire", meth("acquire", |a, _| Ok(sem_acquire(&a[0])))));
        ms.push(("release", meth("release", |a, _| sem_release(&a[0]))));
        ms.push(("__aenter__", meth("__aenter__", |a, _| {
            let s = a[0].clone();
            Ok(make_coroutine("__aenter__", "Semaphore.__aenter__", false, move |co: Co| async move {
                await_(&co, sem_acquire(&s)).await?;
                Ok(Value::None)
            }))
        })));
        ms.push(("__aexit__", meth("__aexit__", |a, _| Ok(ready_coro(sem_release(&a[0]))))));
    } else {
        ms.push(("__init__", meth("__init__", |a, _| {
            set(&a[0], "_waiters", crate::list(vec![]));
            set(&a[0], "_locked", Value::Bool(false));
            Ok(Value::None)
        })));
        ms.push(("locked", meth("locked", |a, _| Ok(Value::Bool(flag(&a[0], "_locked"))))));
        ms.push(("acquire", meth("acquire", |a, _| Ok(lock_acquire(&a[0])))));
        ms.push(("release", meth("release", |a, _| lock_release(&a[0]))));
        ms.push(("__aenter__", meth("__aenter__", |a, _| {
            let s = a[0].clone();
            Ok(make_coroutine("__aenter__", "Lock.__aenter__", false, move |co: Co| async move {
                await_(&co, lock_acquire(&s)).await?;
                Ok(Value::None)
            }))
        })));
        ms.push(("__aexit__", meth("__aexit__", |a, _| Ok(ready_coro(lock_release(&a[0]))))));
    }
    rt(name, "asyncio.locks", base, ms)
}

// ------------------------------------------------------------ the module

pub fn module() -> Value {
    let c = cls();
    let md = crate::rtsys::new_module("asyncio", "");
    let s = |n: &str, v: Value| crate::rtsys::mod_set(&md, n, v);
    s("CancelledError", c.cancelled.clone());
    s("InvalidStateError", c.invalid_state.clone());
    s("QueueEmpty", c.queue_empty.clone());
    s("QueueFull", c.queue_full.clone());
    s("TimeoutError", exc_class("TimeoutError").unwrap());
    s("Future", c.future.clone());
    s("Task", c.task.clone());
    s("TimerHandle", c.handle.clone());
    s("AbstractEventLoop", c.loop_cls.clone());
    QCLS.with(|q| {
        let q = q.borrow();
        let (a, b, d) = q.as_ref().unwrap();
        s("Queue", a.clone());
        s("LifoQueue", b.clone());
        s("PriorityQueue", d.clone());
    });
    s("Event", event_cls());
    s("TaskGroup", taskgroup_class());
    let lock = lock_class("Lock", false, false, vec![]);
    let sem = lock_class("Semaphore", true, false, vec![]);
    let bsem = lock_class("BoundedSemaphore", true, true, vec![sem.clone()]);
    s("Condition", condition_class(lock.clone()));
    s("Lock", lock);
    s("Semaphore", sem);
    s("BoundedSemaphore", bsem);
    s("FIRST_COMPLETED", Value::str("FIRST_COMPLETED"));
    s("FIRST_EXCEPTION", Value::str("FIRST_EXCEPTION"));
    s("ALL_COMPLETED", Value::str("ALL_COMPLETED"));
    s("run", nat("run", |a, kw| run(arg(&a, &kw, 0, "main").unwrap_or(Value::None))));
    s("sleep", nat("sleep", |a, kw| {
        sleep(arg(&a, &kw, 0, "delay").unwrap_or(Value::None), arg(&a, &kw, 1, "result").unwrap_or(Value::None))
    }));
    s("gather", nat("gather", |a, kw| {
        let re = kw.iter().find(|(k, _)| k == "return_exceptions").map(|(_, v)| crate::truthy(v)).transpose()?.unwrap_or(false);
        if !running() && !a.is_empty() {
            current_loop();
        }
        gather(a, re)
    }));
    s("create_task", nat("create_task", |a, kw| {
        get_running_loop()?;
        let name = kw.iter().find(|(k, _)| k == "name").map(|(_, v)| v.clone()).unwrap_or(Value::None);
        create_task(arg(&a, &kw, 0, "coro").unwrap_or(Value::None), name)
    }));
    s("ensure_future", nat("ensure_future", |a, kw| {
        current_loop();
        ensure_future(&arg(&a, &kw, 0, "coro_or_future").unwrap_or(Value::None))
    }));
    s("wait_for", nat("wait_for", |a, kw| {
        Ok(wait_for(arg(&a, &kw, 0, "fut").unwrap_or(Value::None), arg(&a, &kw, 1, "timeout").unwrap_or(Value::None)))
    }));
    s("wait", nat("wait", |a, kw| {
        let rw = kw.iter().find(|(k, _)| k == "return_when").map(|(_, v)| crate::ops::to_str(v)).transpose()?.unwrap_or_else(|| "ALL_COMPLETED".into());
        wait(arg(&a, &kw, 0, "fs").unwrap_or(Value::None), arg(&a, &kw, 1, "timeout").unwrap_or(Value::None), rw)
    }));
    s("as_completed", nat("as_completed", |a, kw| as_completed(arg(&a, &kw, 0, "fs").unwrap_or(Value::None), arg(&a, &kw, 1, "timeout").unwrap_or(Value::None))));
    s("to_thread", nat("to_thread", to_thread));
    s("shield", nat("shield", |a, kw| shield(arg(&a, &kw, 0, "arg").unwrap_or(Value::None))));
    s("timeout", nat("timeout", |a, kw| timeout_cm(arg(&a, &kw, 0, "delay").unwrap_or(Value::None))));
    s("current_task", nat("current_task", |_, _| {
        get_running_loop()?;
        Ok(with_loop(|l| l.current.clone()))
    }));
    s("all_tasks", nat("all_tasks", |_, _| {
        get_running_loop()?;
        crate::set(all_tasks())
    }));
    s("get_running_loop", nat("get_running_loop", |_, _| get_running_loop()));
    s("get_event_loop", nat("get_event_loop", |_, _| Ok(current_loop())));
    s("new_event_loop", nat("new_event_loop", |_, _| Ok(new_loop())));
    s("set_event_loop", nat("set_event_loop", |_, _| Ok(Value::None)));
    s("iscoroutine", nat("iscoroutine", |a, _| Ok(Value::Bool(a.get(0).map(is_coroutine).unwrap_or(false)))));
    s("isfuture", nat("isfuture", |a, _| Ok(Value::Bool(a.get(0).map(is_future).unwrap_or(false)))));
    md
}
