//! Standard modules: heapq, bisect, itertools, functools.
//!
//! heapq follows CPython's sift algorithms step for step, so the order of
//! elements inside a heap list (which programs print) is identical.
//! itertools are native iterators.  Callable objects with attributes
//! (partial, lru_cache wrappers, singledispatch functions) are instances of
//! small runtime classes whose methods are natives.

use crate::call::call;
use crate::iter::{collect, iter, make_iter, next};
use crate::methods::getargs;
use crate::object::*;
use crate::ops;
use crate::value::*;
use std::cell::RefCell;
use std::rc::Rc;

fn nat(name: &'static str, f: impl Fn(Vec<Value>, Kw) -> PyResult<Value> + 'static) -> Value {
    native(name, false, f)
}

fn meth(name: &'static str, f: impl Fn(Vec<Value>, Kw) -> PyResult<Value> + 'static) -> Value {
    native(name, true, f)
}

pub fn rt_class(name: &str, module: &str, bases: Vec<Value>, methods: Vec<(&str, Value)>) -> Value {
    let mut ns: Vec<(String, Value)> = vec![("__module__".into(), Value::str(module))];
    for (k, v) in methods {
        ns.push((k.to_string(), v));
    }
    make_class(name, name, bases, ns, vec![]).expect("portalis_rt: runtime class")
}

fn list_rc(v: &Value) -> PyResult<Rc<RefCell<Vec<Value>>>> {
    match v {
        Value::List(l) => Ok(l.clone()),
        _ => Err(type_error(format!("heap argument must be a list, not {}", type_name(v)))),
    }
}

fn siftdown(heap: &Rc<RefCell<Vec<Value>>>, startpos: usize, mut pos: usize) -> PyResult<()> {
    let newitem = heap.borrow()[pos].clone();
    while pos > startpos {
        let parentpos = (pos - 1) >> 1;
        let parent = heap.borrow()[parentpos].clone();
        if ops::lt_bool(&newitem, &parent)? {
            heap.borrow_mut()[pos] = parent;
            pos = parentpos;
            continue;
        }
        break;
    }
    heap.borrow_mut()[pos] = newitem;
    Ok(())
}

fn siftup(heap: &Rc<RefCell<Vec<Value>>>, mut pos: usize) -> PyResult<()> {
    let endpos = heap.borrow().len();
    let startpos = pos;
    let newitem = heap.borrow()[pos].clone();
    let mut childpos = 2 * pos + 1;
    while childpos < endpos {
        let rightpos = childpos + 1;
        if rightpos < endpos {
            let (c, r) = (heap.borrow()[childpos].clone(), heap.borrow()[rightpos].clone());
            if !ops::lt_bool(&c, &r)? {
                childpos = rightpos;
            }
        }
        let c = heap.borrow()[childpos].clone();
        heap.borrow_mut()[pos] = c;
        pos = childpos;
        childpos = 2 * pos + 1;
    }
    heap.borrow_mut()[pos] = newitem;
    siftdown(heap, startpos, pos)
}

fn sorted_with(items: Vec<Value>, key: Option<Value>, reverse: bool) -> PyResult<Vec<Value>> {
    let mut items = items;
    crate::methods::sort_values(&mut items, key.as_ref(), reverse)?;
    Ok(items)
}

fn opt_key(kw: &Kw) -> Option<Value> {
    kw.iter().find(|(k, _)| k == "key").map(|(_, v)| v.clone()).filter(|v| !v.is_none())
}

pub fn heapq_module() -> Value {
    let m = crate::rtsys::new_module("heapq", "");
    let set = |n: &str, v: Value| crate::rtsys::mod_set(&m, n, v);
    set("heappush", nat("heappush", |a, _| {
        let h = list_rc(&a[0])?;
        h.borrow_mut().push(a[1].clone());
        let n = h.borrow().len();
        siftdown(&h, 0, n - 1)?;
        Ok(Value::None)
    }));
    set("heappop", nat("heappop", |a, _| {
        let h = list_rc(&a[0])?;
        let last = h.borrow_mut().pop().ok_or_else(|| new_exc("IndexError", "index out of range"))?;
        if h.borrow().is_empty() {
            return Ok(last);
        }
        let ret = std::mem::replace(&mut h.borrow_mut()[0], last);
        siftup(&h, 0)?;
        Ok(ret)
    }));
    set("heapreplace", nat("heapreplace", |a, _| {
        let h = list_rc(&a[0])?;
        if h.borrow().is_empty() {
            return Err(new_exc("IndexError", "index out of range"));
        }
        let ret = std::mem::replace(&mut h.borrow_mut()[0], a[1].clone());
        siftup(&h, 0)?;
        Ok(ret)
    }));
    set("heappushpop", nat("heappushpop", |a, _| {
        let h = list_rc(&a[0])?;
        let top = h.borrow().get(0).cloned();
        if let Some(t) = top {
            if ops::lt_bool(&t, &a[1])? {
                h.borrow_mut()[0] = a[1].clone();
                siftup(&h, 0)?;
                return Ok(t);
            }
        }
        Ok(a[1].clone())
    }));
    set("heapify", nat("heapify", |a, _| {
        let h = list_rc(&a[0])?;
        let n = h.borrow().len();
        for i in (0..n / 2).rev() {
            siftup(&h, i)?;
        }
        Ok(Value::None)
    }));
    set("nsmallest", nat("nsmallest", |a, kw| {
        let n = a[0].as_i64().unwrap_or(0).max(0) as usize;
        let mut r = sorted_with(collect(&a[1])?, opt_key(&kw), false)?;
        r.truncate(n);
        Ok(crate::list(r))
    }));
    set("nlargest", nat("nlargest", |a, kw| {
        let n = a[0].as_i64().unwrap_or(0).max(0) as usize;
        let mut r = sorted_with(collect(&a[1])?, opt_key(&kw), true)?;
        r.truncate(n);
        Ok(crate::list(r))
    }));
    set("merge", nat("merge", |a, kw| {
        let reverse = kw.iter().any(|(k, v)| k == "reverse" && ops::truthy(v).unwrap_or(false));
        let mut all = Vec::new();
        for it in a.iter() {
            all.extend(collect(it)?);
        }
        let r = sorted_with(all, opt_key(&kw), reverse)?;
        Ok(crate::iter::iter(&crate::list(r))?)
    }));
    m
}

fn bisect_impl(a: &[Value], kw: Kw, right: bool) -> PyResult<usize> {
    let o = getargs(if right { "bisect_right" } else { "bisect_left" }, a.to_vec(), kw, &["a", "x", "lo", "hi", "key"], 2)?;
    let seq = o[0].clone().unwrap();
    let x = o[1].clone().unwrap();
    let mut lo = match &o[2] {
        Some(v) => v.as_i64().unwrap_or(0),
        None => 0,
    };
    if lo < 0 {
        return Err(value_error("lo must be non-negative".into()));
    }
    let mut hi = match &o[3] {
        Some(v) if !v.is_none() => v.as_i64().unwrap_or(0),
        _ => crate::builtins::len(&seq)? as i64,
    };
    let key = o[4].clone().filter(|k| !k.is_none());
    while lo < hi {
        let mid = (lo + hi) / 2;
        let mut item = crate::attr::getitem(&seq, &Value::Int(mid))?;
        if let Some(k) = &key {
            item = call(k, vec![item], vec![])?;
        }
        let go_left = if right { ops::lt_bool(&x, &item)? } else { !ops::lt_bool(&item, &x)? };
        if go_left {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Ok(lo as usize)
}

pub fn bisect_module() -> Value {
    let m = crate::rtsys::new_module("bisect", "");
    let set = |n: &str, v: Value| crate::rtsys::mod_set(&m, n, v);
    let left = nat("bisect_left", |a, kw| Ok(Value::Int(bisect_impl(&a, kw, false)? as i64)));
    let right = nat("bisect_right", |a, kw| Ok(Value::Int(bisect_impl(&a, kw, true)? as i64)));
    set("bisect_left", left);
    set("bisect_right", right.clone());
    set("bisect", right);
    for (name, rightp) in [("insort_left", false), ("insort_right", true), ("insort", true)] {
        set(name, nat(if rightp { "insort_right" } else { "insort_left" }, move |a, kw| {
            let key = opt_key(&kw);
            let mut args = a.clone();
            if let Some(k) = &key {
                args[1] = call(k, vec![a[1].clone()], vec![])?;
            }
            let i = bisect_impl(&args, kw, rightp)?;
            crate::call::call_method(&a[0], "insert", vec![Value::Int(i as i64), a[1].clone()], vec![])?;
            Ok(Value::None)
        }));
    }
    m
}

// ---------------------------------------------------------------- itertools

/// The index sequences of combinations, combinations_with_replacement and
/// permutations, one step at a time (CPython's algorithms from the
/// itertools documentation), so that the iterators are lazy as in CPython:
/// `next(permutations(range(20)))` takes one step, not 20! tuples.
enum Step {
    Comb,
    CombRepl,
    Perm(Vec<usize>),
}

struct IndexWalk {
    step: Step,
    n: usize,
    r: usize,
    idx: Vec<usize>,
    started: bool,
    done: bool,
}

impl IndexWalk {
    fn new(step: Step, n: usize, r: usize) -> IndexWalk {
        let (idx, done) = match step {
            Step::Comb => ((0..r).collect(), r > n),
            Step::CombRepl => (vec![0; r], n == 0 && r > 0),
            Step::Perm(_) => ((0..n).collect(), r > n),
        };
        let step = match step {
            Step::Perm(_) => Step::Perm((0..r).map(|i| n - i).collect()),
            s => s,
        };
        IndexWalk { step, n, r, idx, started: false, done }
    }

    /// The next index tuple (the first `r` entries of `idx`), or None.
    fn next(&mut self) -> Option<&[usize]> {
        if self.done {
            return None;
        }
        if !self.started {
            self.started = true;
            return Some(&self.idx[..self.r]);
        }
        let (n, r) = (self.n, self.r);
        let moved = match &mut self.step {
            Step::Comb => match (0..r).rev().find(|&i| self.idx[i] != i + n - r) {
                Some(i) => {
                    self.idx[i] += 1;
                    for j in i + 1..r {
                        self.idx[j] = self.idx[j - 1] + 1;
                    }
                    true
                }
                None => false,
            },
            Step::CombRepl => match (0..r).rev().find(|&i| self.idx[i] != n - 1) {
                Some(i) => {
                    let v = self.idx[i] + 1;
                    for j in i..r {
                        self.idx[j] = v;
                    }
                    true
                }
                None => false,
            },
            Step::Perm(cycles) => {
                let mut moved = false;
                let mut i = r;
                while i > 0 {
                    i -= 1;
                    cycles[i] -= 1;
                    if cycles[i] == 0 {
                        let x = self.idx.remove(i);
                        self.idx.push(x);
                        cycles[i] = n - i;
                    } else {
                        let j = cycles[i];
                        self.idx.swap(i, n - j);
                        moved = true;
                        break;
                    }
                }
                moved
            }
        };
        if !moved {
            self.done = true;
            return None;
        }
        Some(&self.idx[..r])
    }
}

/// A lazy iterator of tuples of `pool` picked by the index walk.
fn index_iter(pool: Vec<Value>, mut walk: IndexWalk) -> Value {
    make_iter(move || Ok(walk.next().map(|ix| crate::tuple(ix.iter().map(|&i| pool[i].clone()).collect()))))
}

/// The `r` argument of combinations and permutations, with CPython's
/// messages (permutations takes None for "all" and words its error its own way).
fn r_of(name: &str, v: &Option<Value>, n: usize) -> PyResult<usize> {
    let perm = name == "permutations";
    let r = match v {
        None => return Ok(n),
        Some(Value::None) if perm => return Ok(n),
        Some(Value::Int(i)) => *i,
        Some(Value::Bool(b)) => *b as i64,
        Some(_) if perm => return Err(type_error("Expected int as r".into())),
        Some(v) => return Err(type_error(format!("'{}' object cannot be interpreted as an integer", type_name(v)))),
    };
    if r < 0 {
        return Err(value_error("r must be non-negative".into()));
    }
    Ok(r as usize)
}

fn from_values(v: Vec<Value>) -> Value {
    Value::obj(Obj::Iter(RefCell::new(Iter::Values(v, 0))))
}

pub fn itertools_module() -> Value {
    let m = crate::rtsys::new_module("itertools", "");
    let set = |n: &str, v: Value| crate::rtsys::mod_set(&m, n, v);
    set("count", nat("count", |a, kw| {
        let o = getargs("count", a, kw, &["start", "step"], 0)?;
        let mut cur = o[0].clone().unwrap_or(Value::Int(0));
        let step = o[1].clone().unwrap_or(Value::Int(1));
        Ok(make_iter(move || {
            let r = cur.clone();
            cur = ops::add(&cur, &step)?;
            Ok(Some(r))
        }))
    }));
    set("cycle", nat("cycle", |a, _| {
        let it = iter(&a[0])?;
        let mut saved: Vec<Value> = Vec::new();
        let mut exhausted = false;
        let mut i = 0;
        Ok(make_iter(move || {
            if !exhausted {
                if let Some(x) = next(&it)? {
                    saved.push(x.clone());
                    return Ok(Some(x));
                }
                exhausted = true;
            }
            if saved.is_empty() {
                return Ok(None);
            }
            let x = saved[i % saved.len()].clone();
            i += 1;
            Ok(Some(x))
        }))
    }));
    set("repeat", nat("repeat", |a, kw| {
        let o = getargs("repeat", a, kw, &["object", "times"], 1)?;
        let x = o[0].clone().unwrap();
        let mut n: Option<i64> = o[1].as_ref().and_then(|t| t.as_i64());
        Ok(make_iter(move || {
            if let Some(k) = n.as_mut() {
                if *k <= 0 {
                    return Ok(None);
                }
                *k -= 1;
            }
            Ok(Some(x.clone()))
        }))
    }));
    set("accumulate", nat("accumulate", |a, kw| {
        let o = getargs("accumulate", a, kw, &["iterable", "func", "initial"], 1)?;
        let it = iter(o[0].as_ref().unwrap())?;
        let f = o[1].clone().filter(|f| !f.is_none());
        let mut acc: Option<Value> = None;
        let mut initial = o[2].clone().filter(|v| !v.is_none());
        Ok(make_iter(move || {
            if let Some(i) = initial.take() {
                acc = Some(i.clone());
                return Ok(Some(i));
            }
            match next(&it)? {
                Some(x) => {
                    let nv = match &acc {
                        None => x,
                        Some(cur) => match &f {
                            Some(f) => call(f, vec![cur.clone(), x], vec![])?,
                            None => ops::add(cur, &x)?,
                        },
                    };
                    acc = Some(nv.clone());
                    Ok(Some(nv))
                }
                None => Ok(None),
            }
        }))
    }));
    let chain_of = |its: Value| -> PyResult<Value> {
        let outer = iter(&its)?;
        let mut cur: Option<Value> = None;
        Ok(make_iter(move || loop {
            if let Some(c) = &cur {
                if let Some(x) = next(c)? {
                    return Ok(Some(x));
                }
                cur = None;
            }
            match next(&outer)? {
                Some(n) => cur = Some(iter(&n)?),
                None => return Ok(None),
            }
        }))
    };
    set("chain", nat("chain", move |a, _| chain_of(crate::tuple(a))));
    crate::attr::set_native_attr("chain", "from_iterable", nat("from_iterable", move |a, _| chain_of(a[0].clone())));
    set("compress", nat("compress", |a, _| {
        let d = iter(&a[0])?;
        let s = iter(&a[1])?;
        Ok(make_iter(move || loop {
            match (next(&d)?, next(&s)?) {
                (Some(x), Some(k)) => {
                    if ops::truthy(&k)? {
                        return Ok(Some(x));
                    }
                }
                _ => return Ok(None),
            }
        }))
    }));
    set("dropwhile", nat("dropwhile", |a, _| {
        let f = a[0].clone();
        let it = iter(&a[1])?;
        let mut dropping = true;
        Ok(make_iter(move || loop {
            match next(&it)? {
                Some(x) => {
                    if dropping && ops::truthy(&call(&f, vec![x.clone()], vec![])?)? {
                        continue;
                    }
                    dropping = false;
                    return Ok(Some(x));
                }
                None => return Ok(None),
            }
        }))
    }));
    set("takewhile", nat("takewhile", |a, _| {
        let f = a[0].clone();
        let it = iter(&a[1])?;
        let mut done = false;
        Ok(make_iter(move || {
            if done {
                return Ok(None);
            }
            match next(&it)? {
                Some(x) => {
                    if ops::truthy(&call(&f, vec![x.clone()], vec![])?)? {
                        Ok(Some(x))
                    } else {
                        done = true;
                        Ok(None)
                    }
                }
                None => Ok(None),
            }
        }))
    }));
    set("filterfalse", nat("filterfalse", |a, _| {
        let f = a[0].clone();
        let it = iter(&a[1])?;
        Ok(make_iter(move || loop {
            match next(&it)? {
                Some(x) => {
                    let t = if f.is_none() { ops::truthy(&x)? } else { ops::truthy(&call(&f, vec![x.clone()], vec![])?)? };
                    if !t {
                        return Ok(Some(x));
                    }
                }
                None => return Ok(None),
            }
        }))
    }));
    set("groupby", nat("groupby", |a, kw| {
        let o = getargs("groupby", a, kw, &["iterable", "key"], 1)?;
        let it = iter(o[0].as_ref().unwrap())?;
        let key = o[1].clone().filter(|k| !k.is_none());
        let mut pending: Option<(Value, Value)> = None;
        let mut started = false;
        Ok(make_iter(move || {
            let keyf = |x: &Value| -> PyResult<Value> {
                match &key {
                    Some(k) => call(k, vec![x.clone()], vec![]),
                    None => Ok(x.clone()),
                }
            };
            if !started {
                started = true;
                if let Some(x) = next(&it)? {
                    pending = Some((keyf(&x)?, x));
                }
            }
            let (k, first) = match pending.take() {
                Some(p) => p,
                None => return Ok(None),
            };
            let mut group = vec![first];
            loop {
                match next(&it)? {
                    Some(x) => {
                        let kx = keyf(&x)?;
                        if ops::eq_bool(&kx, &k)? {
                            group.push(x);
                        } else {
                            pending = Some((kx, x));
                            break;
                        }
                    }
                    None => break,
                }
            }
            Ok(Some(crate::tuple(vec![k, from_values(group)])))
        }))
    }));
    set("islice", nat("islice", |a, _| {
        let it = iter(&a[0])?;
        let geti = |v: &Value| -> PyResult<Option<i64>> {
            if v.is_none() {
                return Ok(None);
            }
            match v.as_i64() {
                Some(i) if i >= 0 => Ok(Some(i)),
                _ => Err(value_error("Stop argument for islice() must be None or an integer: 0 <= x <= sys.maxsize.".into())),
            }
        };
        let (start, stop, step) = match a.len() {
            2 => (0, geti(&a[1])?, 1),
            3 => (geti(&a[1])?.unwrap_or(0), geti(&a[2])?, 1),
            _ => (geti(&a[1])?.unwrap_or(0), geti(&a[2])?, geti(&a[3])?.unwrap_or(1)),
        };
        let mut pos: i64 = 0;
        let mut nexti = start;
        Ok(make_iter(move || {
            loop {
                if let Some(s) = stop {
                    if nexti >= s {
                        // consume nothing more
                        return Ok(None);
                    }
                }
                let x = match next(&it)? {
                    Some(x) => x,
                    None => return Ok(None),
                };
                let here = pos;
                pos += 1;
                if here == nexti {
                    nexti += step;
                    return Ok(Some(x));
                }
            }
        }))
    }));
    set("pairwise", nat("pairwise", |a, _| {
        let it = iter(&a[0])?;
        let mut prev: Option<Value> = None;
        Ok(make_iter(move || {
            if prev.is_none() {
                prev = next(&it)?;
                if prev.is_none() {
                    return Ok(None);
                }
            }
            match next(&it)? {
                Some(x) => {
                    let p = prev.replace(x.clone()).unwrap();
                    Ok(Some(crate::tuple(vec![p, x])))
                }
                None => Ok(None),
            }
        }))
    }));
    set("starmap", nat("starmap", |a, _| {
        let f = a[0].clone();
        let it = iter(&a[1])?;
        Ok(make_iter(move || match next(&it)? {
            Some(x) => Ok(Some(call(&f, collect(&x)?, vec![])?)),
            None => Ok(None),
        }))
    }));
    set("tee", nat("tee", |a, _| {
        let n = a.get(1).and_then(|v| v.as_i64()).unwrap_or(2).max(0) as usize;
        let it = iter(&a[0])?;
        let buf: Rc<RefCell<Vec<Value>>> = Rc::new(RefCell::new(Vec::new()));
        let mut outs = Vec::new();
        for _ in 0..n {
            let (it, buf) = (it.clone(), buf.clone());
            let mut i = 0;
            outs.push(make_iter(move || {
                if i < buf.borrow().len() {
                    i += 1;
                    return Ok(Some(buf.borrow()[i - 1].clone()));
                }
                match next(&it)? {
                    Some(x) => {
                        buf.borrow_mut().push(x.clone());
                        i += 1;
                        Ok(Some(x))
                    }
                    None => Ok(None),
                }
            }));
        }
        Ok(crate::tuple(outs))
    }));
    set("zip_longest", nat("zip_longest", |a, kw| {
        let fill = kw.iter().find(|(k, _)| k == "fillvalue").map(|(_, v)| v.clone()).unwrap_or(Value::None);
        let its: Vec<Value> = a.iter().map(iter).collect::<PyResult<_>>()?;
        let mut alive = vec![true; its.len()];
        Ok(make_iter(move || {
            let mut out = Vec::new();
            let mut any = false;
            for (i, it) in its.iter().enumerate() {
                if alive[i] {
                    match next(it)? {
                        Some(x) => {
                            any = true;
                            out.push(x);
                        }
                        None => {
                            alive[i] = false;
                            out.push(fill.clone());
                        }
                    }
                } else {
                    out.push(fill.clone());
                }
            }
            if !any {
                return Ok(None);
            }
            Ok(Some(crate::tuple(out)))
        }))
    }));
    set("product", nat("product", |a, kw| {
        let repeat = kw.iter().find(|(k, _)| k == "repeat").and_then(|(_, v)| v.as_i64()).unwrap_or(1).max(0) as usize;
        let base: Vec<Vec<Value>> = a.iter().map(collect).collect::<PyResult<_>>()?;
        let mut pools: Vec<Vec<Value>> = Vec::new();
        for _ in 0..repeat {
            pools.extend(base.iter().cloned());
        }
        // An odometer over the pools, the rightmost wheel turning fastest;
        // lazy as in CPython (the pools are read first, the tuples made one
        // at a time).
        let mut idx = vec![0usize; pools.len()];
        let mut state = if pools.iter().any(|p| p.is_empty()) { 2 } else { 0 };
        Ok(make_iter(move || {
            match state {
                0 => state = 1,
                1 => {
                    let mut i = pools.len();
                    loop {
                        if i == 0 {
                            state = 2;
                            return Ok(None);
                        }
                        i -= 1;
                        idx[i] += 1;
                        if idx[i] < pools[i].len() {
                            break;
                        }
                        idx[i] = 0;
                    }
                }
                _ => return Ok(None),
            }
            Ok(Some(crate::tuple(idx.iter().zip(pools.iter()).map(|(&i, p)| p[i].clone()).collect())))
        }))
    }));
    set("permutations", nat("permutations", |a, kw| {
        let o = getargs("permutations", a, kw, &["iterable", "r"], 1)?;
        let pool = collect(o[0].as_ref().unwrap())?;
        let n = pool.len();
        let r = r_of("permutations", &o[1], n)?;
        Ok(index_iter(pool, IndexWalk::new(Step::Perm(Vec::new()), n, r)))
    }));
    set("combinations", nat("combinations", |a, kw| {
        let o = getargs("combinations", a, kw, &["iterable", "r"], 2)?;
        let pool = collect(o[0].as_ref().unwrap())?;
        let n = pool.len();
        let r = r_of("combinations", &o[1], n)?;
        Ok(index_iter(pool, IndexWalk::new(Step::Comb, n, r)))
    }));
    set("combinations_with_replacement", nat("combinations_with_replacement", |a, kw| {
        let o = getargs("combinations_with_replacement", a, kw, &["iterable", "r"], 2)?;
        let pool = collect(o[0].as_ref().unwrap())?;
        let n = pool.len();
        let r = r_of("combinations_with_replacement", &o[1], n)?;
        Ok(index_iter(pool, IndexWalk::new(Step::CombRepl, n, r)))
    }));
    m
}

// ---------------------------------------------------------------- functools

thread_local! {
    static FT_CLASSES: RefCell<Option<Vec<Value>>> = RefCell::new(None);
}

fn dget(o: &Value, k: &str) -> Value {
    as_inst(o).and_then(|i| i.dict.borrow().get(k)).unwrap_or(Value::None)
}

fn dset(o: &Value, k: &str, v: Value) {
    if let Some(i) = as_inst(o) {
        i.dict.borrow_mut().set(k, v);
    }
}

fn copy_wrapper_attrs(wrapper: &Value, wrapped: &Value) -> PyResult<()> {
    for a in ["__module__", "__name__", "__qualname__", "__doc__"] {
        if let Ok(v) = crate::attr::getattr(wrapped, a) {
            match wrapper {
                Value::Obj(o) if matches!(&**o, Obj::Inst(_)) => dset(wrapper, a, v),
                _ => {
                    let _ = crate::attr::setattr(wrapper, a, v);
                }
            }
        }
    }
    if let Value::Obj(o) = wrapped {
        if let Obj::Func(f) = &**o {
            let entries = f.dict.borrow().entries.clone();
            for (k, v) in entries {
                let _ = crate::attr::setattr(wrapper, &k, v);
            }
        }
    }
    match wrapper {
        Value::Obj(o) if matches!(&**o, Obj::Inst(_)) => dset(wrapper, "__wrapped__", wrapped.clone()),
        _ => {
            let _ = crate::attr::setattr(wrapper, "__wrapped__", wrapped.clone());
        }
    }
    Ok(())
}

fn make_lru(f: Value, maxsize: Value, cls: &Value) -> PyResult<Value> {
    let w = new_instance(cls);
    dset(&w, "__wrapped__", f.clone());
    dset(&w, "_cache", crate::dict(vec![])?);
    dset(&w, "_hits", Value::Int(0));
    dset(&w, "_misses", Value::Int(0));
    dset(&w, "_maxsize", maxsize);
    copy_wrapper_attrs(&w, &f)?;
    Ok(w)
}

pub fn functools_module() -> Value {
    let m = crate::rtsys::new_module("functools", "");
    let set = |n: &str, v: Value| crate::rtsys::mod_set(&m, n, v);
    let cacheinfo = crate::stdlib::collections_string_random::namedtuple_class("CacheInfo", &["hits", "misses", "maxsize", "currsize"], "functools");
    let partial_cls = rt_class("partial", "functools", vec![], vec![
        ("__call__", meth("__call__", |a, kw| {
            let p = &a[0];
            let f = dget(p, "func");
            let mut args = collect(&dget(p, "args"))?;
            args.extend(a[1..].iter().cloned());
            let mut kws: Kw = Vec::new();
            if let Value::Dict(d) = dget(p, "keywords") {
                for (k, v) in d.borrow().items() {
                    kws.push((ops::to_str(&k)?, v));
                }
            }
            for (k, v) in kw {
                if let Some(slot) = kws.iter_mut().find(|(n, _)| *n == k) {
                    slot.1 = v;
                } else {
                    kws.push((k, v));
                }
            }
            call(&f, args, kws)
        })),
        ("__repr__", meth("__repr__", |a, _| {
            let p = &a[0];
            let mut parts = vec![ops::repr(&dget(p, "func"))?];
            for x in collect(&dget(p, "args"))? {
                parts.push(ops::repr(&x)?);
            }
            if let Value::Dict(d) = dget(p, "keywords") {
                for (k, v) in d.borrow().items() {
                    parts.push(format!("{}={}", ops::to_str(&k)?, ops::repr(&v)?));
                }
            }
            Ok(Value::string(format!("functools.partial({})", parts.join(", "))))
        })),
    ]);
    let pc = partial_cls.clone();
    set("partial", nat("partial", move |a, kw| {
        if a.is_empty() {
            return Err(type_error("type 'partial' takes at least one argument".into()));
        }
        let p = new_instance(&pc);
        dset(&p, "func", a[0].clone());
        dset(&p, "args", crate::tuple(a[1..].to_vec()));
        let d = crate::dict(kw.into_iter().map(|(k, v)| (Value::string(k), v)).collect())?;
        dset(&p, "keywords", d);
        Ok(p)
    }));
    // cached_property: a non-data descriptor that stores the value in the
    // instance dict under the attribute's name, where the next read finds it
    set("cached_property", rt_class("cached_property", "functools", vec![], vec![
        ("__init__", meth("__init__", |a, _| {
            let f = a.get(1).cloned().ok_or_else(|| type_error("cached_property() missing required argument 'func'".into()))?;
            crate::setattr(&a[0], "func", f.clone())?;
            crate::setattr(&a[0], "attrname", Value::None)?;
            crate::setattr(&a[0], "__doc__", crate::getattr(&f, "__doc__").unwrap_or(Value::None))?;
            Ok(Value::None)
        })),
        ("__set_name__", meth("__set_name__", |a, _| {
            let name = a.get(2).cloned().unwrap_or(Value::None);
            let cur = crate::getattr(&a[0], "attrname")?;
            if !cur.is_none() && !ops::eq_bool(&cur, &name)? {
                return Err(type_error(format!(
                    "Cannot assign the same cached_property to two different names ({} and {}).",
                    ops::repr(&cur)?,
                    ops::repr(&name)?
                )));
            }
            crate::setattr(&a[0], "attrname", name)?;
            Ok(Value::None)
        })),
        ("__get__", meth("__get__", |a, _| {
            let inst = a.get(1).cloned().unwrap_or(Value::None);
            if inst.is_none() {
                return Ok(a[0].clone());
            }
            let f = crate::getattr(&a[0], "func")?;
            let name = match crate::getattr(&a[0], "attrname")? {
                Value::None => crate::getattr(&f, "__name__")?,
                n => n,
            };
            let name = ops::to_str(&name)?;
            let v = call(&f, vec![inst.clone()], vec![])?;
            match as_inst(&inst) {
                Some(i) => i.dict.borrow_mut().set(&name, v.clone()),
                None => {
                    return Err(type_error(format!(
                        "No '__dict__' attribute on {} instance to cache {} property.",
                        ops::repr(&Value::string(type_name(&inst)))?,
                        ops::repr(&Value::string(name))?
                    )))
                }
            }
            Ok(v)
        })),
    ]));
    set("reduce", nat("reduce", |a, _| {
        if a.len() < 2 {
            return Err(type_error(format!("reduce expected at least 2 arguments, got {}", a.len())));
        }
        let it = iter(&a[1])?;
        let mut acc = match a.get(2) {
            Some(v) => v.clone(),
            None => match next(&it)? {
                Some(v) => v,
                None => return Err(type_error("reduce() of empty iterable with no initial value".into())),
            },
        };
        while let Some(x) = next(&it)? {
            acc = call(&a[0], vec![acc, x], vec![])?;
        }
        Ok(acc)
    }));
    set("wraps", nat("wraps", |a, _| {
        let wrapped = a[0].clone();
        Ok(nat("update_wrapper", move |b, _| {
            copy_wrapper_attrs(&b[0], &wrapped)?;
            Ok(b[0].clone())
        }))
    }));
    set("update_wrapper", nat("update_wrapper", |a, _| {
        copy_wrapper_attrs(&a[0], &a[1])?;
        Ok(a[0].clone())
    }));
    let ci = cacheinfo.clone();
    let lru_cls = rt_class("_lru_cache_wrapper", "functools", vec![], vec![
        ("__call__", meth("__call__", |a, kw| {
            let w = &a[0];
            let mut key: Vec<Value> = a[1..].to_vec();
            if !kw.is_empty() {
                key.push(Value::str("\u{0}kwd-mark"));
                for (k, v) in kw.iter() {
                    key.push(Value::string(k.clone()));
                    key.push(v.clone());
                }
            }
            let key = crate::tuple(key);
            let cache = dget(w, "_cache");
            let maxsize = dget(w, "_maxsize");
            if let Some(v) = crate::methods::dict_get(&cache, &key)? {
                dset(w, "_hits", ops::add(&dget(w, "_hits"), &Value::Int(1))?);
                if !maxsize.is_none() {
                    crate::methods::dict_pop(&cache, &key)?;
                    crate::methods::dict_set(&cache, key, v.clone())?;
                }
                return Ok(v);
            }
            dset(w, "_misses", ops::add(&dget(w, "_misses"), &Value::Int(1))?);
            let r = call(&dget(w, "__wrapped__"), a[1..].to_vec(), kw)?;
            if let Some(ms) = maxsize.as_i64() {
                if ms <= 0 {
                    return Ok(r);
                }
                if crate::builtins::len(&cache)? as i64 >= ms {
                    if let Value::Dict(d) = &cache {
                        let first = d.borrow().entries.iter().position(|e| e.is_some());
                        if let Some(i) = first {
                            d.borrow_mut().remove_at(i);
                        }
                    }
                }
            }
            crate::methods::dict_set(&cache, key, r.clone())?;
            Ok(r)
        })),
        ("cache_info", meth("cache_info", move |a, _| {
            let w = &a[0];
            let n = crate::builtins::len(&dget(w, "_cache"))? as i64;
            call(&ci, vec![dget(w, "_hits"), dget(w, "_misses"), dget(w, "_maxsize"), Value::Int(n)], vec![])
        })),
        ("cache_clear", meth("cache_clear", |a, _| {
            let w = &a[0];
            dset(w, "_cache", crate::dict(vec![])?);
            dset(w, "_hits", Value::Int(0));
            dset(w, "_misses", Value::Int(0));
            Ok(Value::None)
        })),
        ("__get__", meth("__get__", |a, _| {
            if a.len() > 1 && !a[1].is_none() {
                return Ok(Value::obj(Obj::Method(a[1].clone(), a[0].clone())));
            }
            Ok(a[0].clone())
        })),
    ]);
    let lc = lru_cls.clone();
    set("lru_cache", nat("lru_cache", move |a, kw| {
        let lc = lc.clone();
        let first = a.get(0).cloned();
        if let Some(f) = &first {
            if crate::attr::hasattr(f, "__call__").unwrap_or(false) || matches!(f, Value::Obj(o) if matches!(&**o, Obj::Func(_))) {
                return make_lru(f.clone(), Value::Int(128), &lc);
            }
        }
        let maxsize = first.or_else(|| kw.iter().find(|(k, _)| k == "maxsize").map(|(_, v)| v.clone())).unwrap_or(Value::Int(128));
        Ok(nat("decorating_function", move |b, _| make_lru(b[0].clone(), maxsize.clone(), &lc)))
    }));
    let lc2 = lru_cls.clone();
    set("cache", nat("cache", move |a, _| make_lru(a[0].clone(), Value::None, &lc2)));
    set("total_ordering", nat("total_ordering", |a, _| {
        let cls = a[0].clone();
        let has = |n: &str| as_class(&cls).map(|c| c.dict.borrow().contains(n)).unwrap_or(false);
        let not = |v: Value| -> PyResult<Value> { Ok(Value::Bool(!ops::truthy(&v)?)) };
        let _ = not;
        if has("__lt__") {
            if !has("__gt__") {
                class_set(&cls, "__gt__", meth("__gt__", |a, _| {
                    let lt = ops::truthy(&ops::call_dunder(&a[0], "__lt__", vec![a[1].clone()])?.unwrap())?;
                    let eq = ops::eq_bool(&a[0], &a[1])?;
                    Ok(Value::Bool(!lt && !eq))
                }));
            }
            if !has("__le__") {
                class_set(&cls, "__le__", meth("__le__", |a, _| {
                    let lt = ops::truthy(&ops::call_dunder(&a[0], "__lt__", vec![a[1].clone()])?.unwrap())?;
                    Ok(Value::Bool(lt || ops::eq_bool(&a[0], &a[1])?))
                }));
            }
            if !has("__ge__") {
                class_set(&cls, "__ge__", meth("__ge__", |a, _| {
                    let lt = ops::truthy(&ops::call_dunder(&a[0], "__lt__", vec![a[1].clone()])?.unwrap())?;
                    Ok(Value::Bool(!lt))
                }));
            }
        } else if has("__gt__") {
            if !has("__lt__") {
                class_set(&cls, "__lt__", meth("__lt__", |a, _| {
                    let gt = ops::truthy(&ops::call_dunder(&a[0], "__gt__", vec![a[1].clone()])?.unwrap())?;
                    Ok(Value::Bool(!gt && !ops::eq_bool(&a[0], &a[1])?))
                }));
            }
            if !has("__ge__") {
                class_set(&cls, "__ge__", meth("__ge__", |a, _| {
                    let gt = ops::truthy(&ops::call_dunder(&a[0], "__gt__", vec![a[1].clone()])?.unwrap())?;
                    Ok(Value::Bool(gt || ops::eq_bool(&a[0], &a[1])?))
                }));
            }
            if !has("__le__") {
                class_set(&cls, "__le__", meth("__le__", |a, _| {
                    let gt = ops::truthy(&ops::call_dunder(&a[0], "__gt__", vec![a[1].clone()])?.unwrap())?;
                    Ok(Value::Bool(!gt))
                }));
            }
        } else if has("__le__") {
            if !has("__lt__") {
                class_set(&cls, "__lt__", meth("__lt__", |a, _| {
                    let le = ops::truthy(&ops::call_dunder(&a[0], "__le__", vec![a[1].clone()])?.unwrap())?;
                    Ok(Value::Bool(le && !ops::eq_bool(&a[0], &a[1])?))
                }));
            }
            if !has("__gt__") {
                class_set(&cls, "__gt__", meth("__gt__", |a, _| {
                    let le = ops::truthy(&ops::call_dunder(&a[0], "__le__", vec![a[1].clone()])?.unwrap())?;
                    Ok(Value::Bool(!le))
                }));
            }
            if !has("__ge__") {
                class_set(&cls, "__ge__", meth("__ge__", |a, _| {
                    let le = ops::truthy(&ops::call_dunder(&a[0], "__le__", vec![a[1].clone()])?.unwrap())?;
                    Ok(Value::Bool(!le || ops::eq_bool(&a[0], &a[1])?))
                }));
            }
        }
        Ok(cls)
    }));
    let key_cls = {
        let mk = |name: &'static str, test: fn(i64) -> bool| {
            meth(name, move |a, _| {
                let f = dget(&a[0], "_cmp");
                let r = call(&f, vec![dget(&a[0], "obj"), dget(&a[1], "obj")], vec![])?;
                let c = match ops::compare(&r, &Value::Int(0), ops::Cmp::Lt)? {
                    Value::Bool(true) => -1,
                    _ => {
                        if ops::truthy(&ops::compare(&r, &Value::Int(0), ops::Cmp::Gt)?)? {
                            1
                        } else {
                            0
                        }
                    }
                };
                Ok(Value::Bool(test(c)))
            })
        };
        rt_class("K", "functools", vec![], vec![
            ("__lt__", mk("__lt__", |c| c < 0)),
            ("__gt__", mk("__gt__", |c| c > 0)),
            ("__le__", mk("__le__", |c| c <= 0)),
            ("__ge__", mk("__ge__", |c| c >= 0)),
            ("__eq__", mk("__eq__", |c| c == 0)),
        ])
    };
    set("cmp_to_key", nat("cmp_to_key", move |a, _| {
        let f = a[0].clone();
        let kc = key_cls.clone();
        Ok(nat("K", move |b, _| {
            let k = new_instance(&kc);
            dset(&k, "obj", b[0].clone());
            dset(&k, "_cmp", f.clone());
            Ok(k)
        }))
    }));
    let sd_cls = rt_class("singledispatch", "functools", vec![], vec![
        ("__call__", meth("__call__", |a, kw| {
            let w = &a[0];
            if a.len() < 2 {
                return Err(type_error("singledispatch function requires at least 1 positional argument".into()));
            }
            let t = type_of(&a[1]);
            let reg = dget(w, "registry");
            let mut f = dget(w, "__wrapped__");
            for c in class_of(&t).mro.borrow().iter() {
                if let Some(g) = crate::methods::dict_get(&reg, c)? {
                    f = g;
                    break;
                }
            }
            call(&f, a[1..].to_vec(), kw)
        })),
        ("register", meth("register", |a, _| {
            let w = a[0].clone();
            let reg = dget(&w, "registry");
            if a.len() >= 3 {
                crate::methods::dict_set(&reg, a[1].clone(), a[2].clone())?;
                return Ok(a[2].clone());
            }
            let arg = a[1].clone();
            if as_class(&arg).is_some() {
                let cls = arg;
                return Ok(nat("register", move |b, _| {
                    crate::methods::dict_set(&reg, cls.clone(), b[0].clone())?;
                    Ok(b[0].clone())
                }));
            }
            // register(func) with an annotated first parameter
            let ann = crate::attr::getattr(&arg, "__annotations__").map_err(|_| {
                type_error("Invalid first argument to `register()`. Use either `@register(some_class)` or plain `@register` on an annotated function.".into())
            })?;
            let vals: Vec<Value> = match &ann {
                Value::Dict(d) => d.borrow().iter().filter(|(k, _)| k.as_str() != Some("return")).map(|(_, v)| v.clone()).collect(),
                _ => vec![],
            };
            let cls = vals.into_iter().next().ok_or_else(|| type_error("Invalid first argument to `register()`".into()))?;
            crate::methods::dict_set(&reg, cls, arg.clone())?;
            Ok(arg)
        })),
    ]);
    set("singledispatch", nat("singledispatch", move |a, _| {
        let w = new_instance(&sd_cls);
        dset(&w, "__wrapped__", a[0].clone());
        dset(&w, "registry", crate::dict(vec![(type_for(BType::Object), a[0].clone())])?);
        copy_wrapper_attrs(&w, &a[0])?;
        Ok(w)
    }));
    m
}
