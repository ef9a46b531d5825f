// "As if generated" from fib.py:
//   def fib(n):
//       if n < 2:
//           return n
//       return fib(n - 1) + fib(n - 2)
//   print(fib(30))
//   print(fib(90) if False else [fib(k) for k in range(10)], 2 ** 100, 7 // -2, -7 % 3, 1 / 3)
use portalis_rt::prelude::*;

static P_FIB: Params = Params { name: "fib", qualname: "fib", args: &["n"], posonly: 0, npos: 1, star: false, kwonly: 0, dstar: false };

fn fib(g: &Value, a: &[Value]) -> PyResult<Value> {
    let _fr = rt::Frame::enter("fib", "main.py", 1);
    let n = a[0].clone();
    _fr.line(2);
    if rt::truthy(&rt::lt(&n, &Value::int(2))?)? {
        return Ok(n);
    }
    _fr.line(4);
    let f = rt::mod_get(g, "fib")?;
    let x = rt::call(&f, vec![rt::sub(&n, &Value::int(1))?], vec![])?;
    let y = rt::call(&f, vec![rt::sub(&n, &Value::int(2))?], vec![])?;
    rt::add(&x, &y)
}

fn body(m: &Value) -> PyResult<()> {
    let g = m.clone();
    rt::mod_set(m, "fib", rt::make_function(&P_FIB, vec![], vec![], move |a| fib(&g, a)));
    let print = rt::builtin("print");
    let f = rt::mod_get(m, "fib")?;
    let r = rt::call(&f, vec![Value::int(30)], vec![])?;
    rt::call(&print, vec![r], vec![])?;
    let mut items = Vec::new();
    let it = rt::iter(&rt::call(&rt::builtin("range"), vec![Value::int(10)], vec![])?)?;
    while let Some(k) = rt::next(&it)? {
        items.push(rt::call(&f, vec![k], vec![])?);
    }
    rt::call(
        &print,
        vec![
            rt::list(items),
            rt::pow(&Value::int(2), &Value::int(100))?,
            rt::floordiv(&Value::int(7), &Value::int(-2))?,
            rt::modulo(&Value::int(-7), &Value::int(3))?,
            rt::truediv(&Value::int(1), &Value::int(3))?,
        ],
        vec![],
    )?;
    Ok(())
}

fn main() {
    rt::run_main("main.py", body)
}
