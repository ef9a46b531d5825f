// "As if generated" from exceptions.py:
//   class AppError(Exception):
//       def __init__(self, code, msg):
//           super().__init__(msg)
//           self.code = code
//   def risky(x):
//       try:
//           return 10 // x
//       except ZeroDivisionError as e:
//           raise AppError(7, "bad input") from e
//       finally:
//           print("finally", x)
//   for v in (5, 0):
//       try:
//           print("ok", risky(v))
//       except AppError as e:
//           print("caught", e, e.code, type(e.__cause__).__name__, e.__cause__)
//   try:
//       try:
//           {}["k"]
//       except KeyError:
//           int("x1")
//   except ValueError as e:
//       print(repr(e), "| context:", repr(e.__context__))
//   try:
//       [1, 2][5]
//   except (IndexError, KeyError) as e:
//       print(type(e).__name__, e.args)
//   print([1, 2, 3].index(2), "a,b".split(","))
//   raise SystemExit(3)
use portalis_rt::prelude::*;

static P_INIT: Params = Params { name: "__init__", qualname: "AppError.__init__", args: &["self", "code", "msg"], posonly: 0, npos: 3, star: false, kwonly: 0, dstar: false };
static P_RISKY: Params = Params { name: "risky", qualname: "risky", args: &["x"], posonly: 0, npos: 1, star: false, kwonly: 0, dstar: false };

fn body(m: &Value) -> PyResult<()> {
    let _fr = rt::Frame::enter("<module>", "main.py", 1);
    let print = rt::builtin("print");
    let cell = rt::Cell::empty();
    let c2 = cell.clone();
    let app = rt::make_class(
        "AppError",
        "AppError",
        vec![rt::builtin("Exception")],
        vec![
            ("__module__".into(), Value::str("__main__")),
            ("__init__".into(), rt::make_function(&P_INIT, vec![], vec![], move |a| {
                rt::call_method(&rt::super_(&c2.get()?, &a[0])?, "__init__", vec![a[2].clone()], vec![])?;
                rt::setattr(&a[0], "code", a[1].clone())?;
                Ok(Value::none())
            })),
        ],
        vec![],
    )?;
    cell.set(app.clone());
    rt::mod_set(m, "AppError", app.clone());
    let g = m.clone();
    let risky = rt::make_function(&P_RISKY, vec![], vec![], move |a| {
        let _fr = rt::Frame::enter("risky", "main.py", 6);
        let x = a[0].clone();
        let r: PyResult<Value> = (|| {
            _fr.line(8);
            match rt::floordiv(&Value::int(10), &x) {
                Ok(v) => Ok(v),
                Err(e) => {
                    if rt::exc_matches(&e, &rt::builtin("ZeroDivisionError"))? {
                        rt::exc_enter(&e);
                        let r = (|| -> PyResult<Value> {
                            let ae = rt::call(&rt::mod_get(&g, "AppError")?, vec![Value::int(7), Value::str("bad input")], vec![])?;
                            Err(rt::raise_from(ae, e.value()))
                        })();
                        rt::exc_leave();
                        r
                    } else {
                        Err(e)
                    }
                }
            }
        })();
        rt::call(&rt::builtin("print"), vec![Value::str("finally"), x.clone()], vec![])?;
        r
    });
    for v in [Value::int(5), Value::int(0)] {
        match rt::call(&risky, vec![v], vec![]) {
            Ok(r) => {
                rt::call(&print, vec![Value::str("ok"), r], vec![])?;
            }
            Err(e) => {
                if rt::exc_matches(&e, &app)? {
                    rt::exc_enter(&e);
                    let ev = e.value();
                    let cause = rt::getattr(&ev, "__cause__")?;
                    rt::call(&print, vec![
                        Value::str("caught"),
                        ev.clone(),
                        rt::getattr(&ev, "code")?,
                        rt::getattr(&rt::type_of(&cause), "__name__")?,
                        cause,
                    ], vec![])?;
                    rt::exc_leave();
                } else {
                    return Err(e);
                }
            }
        }
    }
    let r = (|| -> PyResult<Value> {
        match rt::getitem(&rt::dict(vec![])?, &Value::str("k")) {
            Ok(v) => Ok(v),
            Err(e) => {
                if rt::exc_matches(&e, &rt::builtin("KeyError"))? {
                    rt::exc_enter(&e);
                    let r = rt::call(&rt::builtin("int"), vec![Value::str("x1")], vec![]);
                    rt::exc_leave();
                    r
                } else {
                    Err(e)
                }
            }
        }
    })();
    if let Err(e) = r {
        if rt::exc_matches(&e, &rt::builtin("ValueError"))? {
            let ctx = rt::getattr(&e.value(), "__context__")?;
            rt::call(&print, vec![Value::string(rt::repr(&e.value())?), Value::str("| context:"), Value::string(rt::repr(&ctx)?)], vec![])?;
        } else {
            return Err(e);
        }
    }
    if let Err(e) = rt::getitem(&rt::list(vec![Value::int(1), Value::int(2)]), &Value::int(5)) {
        let t = rt::tuple(vec![rt::builtin("IndexError"), rt::builtin("KeyError")]);
        if rt::exc_matches(&e, &t)? {
            rt::call(&print, vec![rt::getattr(&rt::type_of(&e.value()), "__name__")?, rt::getattr(&e.value(), "args")?], vec![])?;
        } else {
            return Err(e);
        }
    }
    let l = rt::list(vec![Value::int(1), Value::int(2), Value::int(3)]);
    rt::call(&print, vec![
        rt::call_method(&l, "index", vec![Value::int(2)], vec![])?,
        rt::call_method(&Value::str("a,b"), "split", vec![Value::str(",")], vec![])?,
    ], vec![])?;
    _fr.line(30);
    Err(rt::raise(rt::call(&rt::builtin("SystemExit"), vec![Value::int(3)], vec![])?))
}

fn main() {
    rt::run_main("main.py", body)
}
