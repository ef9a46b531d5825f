// "As if generated" from generators.py:
//   def inner(n):
//       for i in range(n):
//           got = yield i
//           if got is not None:
//               print("inner got", got)
//       return n * 10
//   def outer():
//       try:
//           r = yield from inner(3)
//           print("inner returned", r)
//           yield "done"
//       finally:
//           print("outer cleanup")
//   g = outer()
//   print(next(g), g.send("hello"), next(g), next(g))
//   g.close()
//   print(list(x * x for x in range(5)), sum(inner(4)))
//   def counter():
//       n = 0
//       while True:
//           n += 1
//           yield n
//   c = counter()
//   print([next(c) for _ in range(3)], next(iter([]), "empty"))
//   try:
//       next(g)
//   except StopIteration as e:
//       print("stopped", e.value)
use portalis_rt::prelude::*;

static P_INNER: Params = Params { name: "inner", qualname: "inner", args: &["n"], posonly: 0, npos: 1, star: false, kwonly: 0, dstar: false };
static P_OUTER: Params = Params { name: "outer", qualname: "outer", args: &[], posonly: 0, npos: 0, star: false, kwonly: 0, dstar: false };
static P_COUNTER: Params = Params { name: "counter", qualname: "counter", args: &[], posonly: 0, npos: 0, star: false, kwonly: 0, dstar: false };

fn body(m: &Value) -> PyResult<()> {
    let print = rt::builtin("print");
    let inner = rt::make_function(&P_INNER, vec![], vec![], |a| {
        let n = a[0].clone();
        Ok(rt::make_generator("inner", "inner", move |co: Co| async move {
            let it = rt::iter(&rt::call(&rt::builtin("range"), vec![n.clone()], vec![])?)?;
            while let Some(i) = rt::next(&it)? {
                let got = co.yield_(i).await?;
                if !rt::is(&got, &Value::none()) {
                    rt::call(&rt::builtin("print"), vec![Value::str("inner got"), got], vec![])?;
                }
            }
            rt::mul(&n, &Value::int(10))
        }))
    });
    rt::mod_set(m, "inner", inner.clone());
    let g2 = m.clone();
    let outer = rt::make_function(&P_OUTER, vec![], vec![], move |_a| {
        let g = g2.clone();
        Ok(rt::make_generator("outer", "outer", move |co: Co| async move {
            let res: PyResult<()> = async {
                let sub = rt::call(&rt::mod_get(&g, "inner")?, vec![Value::int(3)], vec![])?;
                let r = rt::yield_from(&co, &sub).await?;
                rt::call(&rt::builtin("print"), vec![Value::str("inner returned"), r], vec![])?;
                co.yield_(Value::str("done")).await?;
                Ok(())
            }
            .await;
            // finally
            rt::call(&rt::builtin("print"), vec![Value::str("outer cleanup")], vec![])?;
            res?;
            Ok(Value::none())
        }))
    });
    rt::mod_set(m, "outer", outer.clone());
    let g = rt::call(&outer, vec![], vec![])?;
    let next = rt::builtin("next");
    let a = rt::call(&next, vec![g.clone()], vec![])?;
    let b = rt::call_method(&g, "send", vec![Value::str("hello")], vec![])?;
    let c = rt::call(&next, vec![g.clone()], vec![])?;
    let d = rt::call(&next, vec![g.clone()], vec![])?;
    rt::call(&print, vec![a, b, c, d], vec![])?;
    rt::call_method(&g, "close", vec![], vec![])?;
    let genexp = rt::make_generator("<genexpr>", "<genexpr>", move |co: Co| async move {
        let it = rt::iter(&rt::call(&rt::builtin("range"), vec![Value::int(5)], vec![])?)?;
        while let Some(x) = rt::next(&it)? {
            co.yield_(rt::mul(&x, &x)?).await?;
        }
        Ok(Value::none())
    });
    let l = rt::call(&rt::builtin("list"), vec![genexp], vec![])?;
    let s = rt::call(&rt::builtin("sum"), vec![rt::call(&inner, vec![Value::int(4)], vec![])?], vec![])?;
    rt::call(&print, vec![l, s], vec![])?;
    let counter = rt::make_function(&P_COUNTER, vec![], vec![], |_a| {
        Ok(rt::make_generator("counter", "counter", |co: Co| async move {
            let mut n = Value::int(0);
            loop {
                n = rt::iadd(&n, &Value::int(1))?;
                co.yield_(n.clone()).await?;
            }
        }))
    });
    let cg = rt::call(&counter, vec![], vec![])?;
    let mut firsts = Vec::new();
    for _ in 0..3 {
        firsts.push(rt::call(&next, vec![cg.clone()], vec![])?);
    }
    let e = rt::call(&next, vec![rt::iter(&rt::list(vec![]))?, Value::str("empty")], vec![])?;
    rt::call(&print, vec![rt::list(firsts), e], vec![])?;
    match rt::call(&next, vec![g.clone()], vec![]) {
        Ok(_) => {}
        Err(err) => {
            if rt::exc_matches(&err, &rt::builtin("StopIteration"))? {
                rt::call(&print, vec![Value::str("stopped"), rt::getattr(&err.value(), "value")?], vec![])?;
            } else {
                return Err(err);
            }
        }
    }
    Ok(())
}

fn main() {
    rt::run_main("main.py", body)
}
