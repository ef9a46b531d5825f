// "As if generated" from classes.py (see the Python text in the comments).
use portalis_rt::prelude::*;

// class Shape:
//     count = 0
//     def __init__(self, name):
//         self.name = name
//         Shape.count += 1
//     def area(self):
//         raise NotImplementedError("area")
//     def __str__(self):
//         return f"{self.name} with area {self.area():.2f}"
//     def __lt__(self, other):
//         return self.area() < other.area()
static P_SHAPE_INIT: Params = Params { name: "__init__", qualname: "Shape.__init__", args: &["self", "name"], posonly: 0, npos: 2, star: false, kwonly: 0, dstar: false };
static P_SHAPE_AREA: Params = Params { name: "area", qualname: "Shape.area", args: &["self"], posonly: 0, npos: 1, star: false, kwonly: 0, dstar: false };
static P_SHAPE_STR: Params = Params { name: "__str__", qualname: "Shape.__str__", args: &["self"], posonly: 0, npos: 1, star: false, kwonly: 0, dstar: false };
static P_SHAPE_LT: Params = Params { name: "__lt__", qualname: "Shape.__lt__", args: &["self", "other"], posonly: 0, npos: 2, star: false, kwonly: 0, dstar: false };
// class Circle(Shape):
//     def __init__(self, r):
//         super().__init__("circle")
//         self.r = r
//     @property
//     def diameter(self):
//         return 2 * self.r
//     def area(self):
//         return 3.14159 * self.r ** 2
//     @classmethod
//     def unit(cls):
//         return cls(1)
static P_CIRCLE_INIT: Params = Params { name: "__init__", qualname: "Circle.__init__", args: &["self", "r"], posonly: 0, npos: 2, star: false, kwonly: 0, dstar: false };
static P_CIRCLE_DIAM: Params = Params { name: "diameter", qualname: "Circle.diameter", args: &["self"], posonly: 0, npos: 1, star: false, kwonly: 0, dstar: false };
static P_CIRCLE_AREA: Params = Params { name: "area", qualname: "Circle.area", args: &["self"], posonly: 0, npos: 1, star: false, kwonly: 0, dstar: false };
static P_CIRCLE_UNIT: Params = Params { name: "unit", qualname: "Circle.unit", args: &["cls"], posonly: 0, npos: 1, star: false, kwonly: 0, dstar: false };
// class Square(Shape):
//     __slots__ = ("side",)   (plus Shape has no slots, so instances keep a dict)
//     def __init__(self, side, *, label="square"):
//         super().__init__(label)
//         self.side = side
//     def area(self):
//         return self.side * self.side
static P_SQUARE_INIT: Params = Params { name: "__init__", qualname: "Square.__init__", args: &["self", "side", "label"], posonly: 0, npos: 2, star: false, kwonly: 1, dstar: false };
static P_SQUARE_AREA: Params = Params { name: "area", qualname: "Square.area", args: &["self"], posonly: 0, npos: 1, star: false, kwonly: 0, dstar: false };

fn s(x: &str) -> Value {
    Value::str(x)
}

fn body(m: &Value) -> PyResult<()> {
    let print = rt::builtin("print");
    // class Shape
    let shape_cell = rt::Cell::empty();
    let ns = vec![
        ("__module__".to_string(), s("__main__")),
        ("count".to_string(), Value::int(0)),
        ("__init__".to_string(), {
            let shape_cell = shape_cell.clone();
            rt::make_function(&P_SHAPE_INIT, vec![], vec![], move |a| {
                rt::setattr(&a[0], "name", a[1].clone())?;
                let cls = shape_cell.get()?;
                let c = rt::getattr(&cls, "count")?;
                rt::setattr(&cls, "count", rt::iadd(&c, &Value::int(1))?)?;
                Ok(Value::none())
            })
        }),
        ("area".to_string(), rt::make_function(&P_SHAPE_AREA, vec![], vec![], |_a| {
            Err(rt::raise(rt::call(&rt::builtin("NotImplementedError"), vec![s("area")], vec![])?))
        })),
        ("__str__".to_string(), rt::make_function(&P_SHAPE_STR, vec![], vec![], |a| {
            let mut out = String::new();
            out.push_str(&rt::format(&rt::getattr(&a[0], "name")?, "")?);
            out.push_str(" with area ");
            out.push_str(&rt::format(&rt::call_method(&a[0], "area", vec![], vec![])?, ".2f")?);
            Ok(Value::string(out))
        })),
        ("__lt__".to_string(), rt::make_function(&P_SHAPE_LT, vec![], vec![], |a| {
            let x = rt::call_method(&a[0], "area", vec![], vec![])?;
            let y = rt::call_method(&a[1], "area", vec![], vec![])?;
            rt::lt(&x, &y)
        })),
    ];
    let shape = rt::make_class("Shape", "Shape", vec![], ns, vec![])?;
    shape_cell.set(shape.clone());
    rt::mod_set(m, "Shape", shape.clone());

    // class Circle(Shape)
    let circle_cell = rt::Cell::empty();
    let ns = vec![
        ("__module__".to_string(), s("__main__")),
        ("__init__".to_string(), {
            let cc = circle_cell.clone();
            rt::make_function(&P_CIRCLE_INIT, vec![], vec![], move |a| {
                let sup = rt::super_(&cc.get()?, &a[0])?;
                rt::call_method(&sup, "__init__", vec![s("circle")], vec![])?;
                rt::setattr(&a[0], "r", a[1].clone())?;
                Ok(Value::none())
            })
        }),
        ("diameter".to_string(), rt::call(
            &rt::builtin("property"),
            vec![rt::make_function(&P_CIRCLE_DIAM, vec![], vec![], |a| rt::mul(&Value::int(2), &rt::getattr(&a[0], "r")?))],
            vec![],
        )?),
        ("area".to_string(), rt::make_function(&P_CIRCLE_AREA, vec![], vec![], |a| {
            rt::mul(&Value::float(3.14159), &rt::pow(&rt::getattr(&a[0], "r")?, &Value::int(2))?)
        })),
        ("unit".to_string(), rt::call(
            &rt::builtin("classmethod"),
            vec![rt::make_function(&P_CIRCLE_UNIT, vec![], vec![], |a| rt::call(&a[0], vec![Value::int(1)], vec![]))],
            vec![],
        )?),
    ];
    let circle = rt::make_class("Circle", "Circle", vec![shape.clone()], ns, vec![])?;
    circle_cell.set(circle.clone());
    rt::mod_set(m, "Circle", circle.clone());

    // class Square(Shape)
    let sq_cell = rt::Cell::empty();
    let ns = vec![
        ("__module__".to_string(), s("__main__")),
        ("__init__".to_string(), {
            let cc = sq_cell.clone();
            rt::make_function(&P_SQUARE_INIT, vec![], vec![("label", s("square"))], move |a| {
                let sup = rt::super_(&cc.get()?, &a[0])?;
                rt::call_method(&sup, "__init__", vec![a[2].clone()], vec![])?;
                rt::setattr(&a[0], "side", a[1].clone())?;
                Ok(Value::none())
            })
        }),
        ("area".to_string(), rt::make_function(&P_SQUARE_AREA, vec![], vec![], |a| {
            let side = rt::getattr(&a[0], "side")?;
            rt::mul(&side, &side)
        })),
    ];
    let square = rt::make_class("Square", "Square", vec![shape.clone()], ns, vec![])?;
    sq_cell.set(square.clone());

    // shapes = [Circle(2), Square(3), Circle.unit(), Square(1.5, label="tile")]
    let shapes = rt::list(vec![
        rt::call(&circle, vec![Value::int(2)], vec![])?,
        rt::call(&square, vec![Value::int(3)], vec![])?,
        rt::call_method(&circle, "unit", vec![], vec![])?,
        rt::call(&square, vec![Value::float(1.5)], vec![("label".to_string(), s("tile"))])?,
    ]);
    // for sh in sorted(shapes): print(sh)
    let it = rt::iter(&rt::call(&rt::builtin("sorted"), vec![shapes.clone()], vec![])?)?;
    while let Some(sh) = rt::next(&it)? {
        rt::call(&print, vec![sh], vec![])?;
    }
    // print(Shape.count, Circle(5).diameter, max(shapes).name, [type(x).__name__ for x in shapes])
    let names: Vec<Value> = rt::collect(&shapes)?.iter().map(|x| rt::getattr(&rt::type_of(x), "__name__")).collect::<PyResult<_>>()?;
    rt::call(&print, vec![
        rt::getattr(&shape, "count")?,
        rt::getattr(&rt::call(&circle, vec![Value::int(5)], vec![])?, "diameter")?,
        rt::getattr(&rt::call(&rt::builtin("max"), vec![shapes.clone()], vec![])?, "name")?,
        rt::list(names),
    ], vec![])?;
    // print(isinstance(shapes[0], Shape), issubclass(Square, Circle), [c.__name__ for c in Circle.__mro__])
    let mro: Vec<Value> = rt::collect(&rt::getattr(&circle, "__mro__")?)?.iter().map(|c| rt::getattr(c, "__name__")).collect::<PyResult<_>>()?;
    rt::call(&print, vec![
        rt::call(&rt::builtin("isinstance"), vec![rt::getitem(&shapes, &Value::int(0))?, shape.clone()], vec![])?,
        rt::call(&rt::builtin("issubclass"), vec![square.clone(), circle.clone()], vec![])?,
        rt::list(mro),
    ], vec![])?;
    // try: Shape("blob").area()  except NotImplementedError as e: print("abstract:", repr(e))
    let r = (|| -> PyResult<Value> {
        let b = rt::call(&shape, vec![s("blob")], vec![])?;
        rt::call_method(&b, "area", vec![], vec![])
    })();
    if let Err(e) = r {
        if rt::exc_matches(&e, &rt::builtin("NotImplementedError"))? {
            rt::exc_enter(&e);
            rt::call(&print, vec![s("abstract:"), Value::string(rt::repr(&e.value())?)], vec![])?;
            rt::exc_leave();
        } else {
            return Err(e);
        }
    }
    // try: Square()  except TypeError as e: print(e)
    for (args, kw) in [
        (vec![], vec![]),
        (vec![Value::int(1), Value::int(2)], vec![]),
        (vec![Value::int(1)], vec![("colour".to_string(), s("red"))]),
    ] {
        match rt::call(&square, args, kw) {
            Ok(_) => {}
            Err(e) => {
                if rt::exc_matches(&e, &rt::builtin("TypeError"))? {
                    rt::call(&print, vec![e.value()], vec![])?;
                } else {
                    return Err(e);
                }
            }
        }
    }
    // c = Circle(1); c.diameter = 3  -> AttributeError
    let c = rt::call(&circle, vec![Value::int(1)], vec![])?;
    if let Err(e) = rt::setattr(&c, "diameter", Value::int(3)) {
        rt::call(&print, vec![s("AttributeError:"), e.value()], vec![])?;
    }
    // print(c)  (no __repr__: default object repr is address-dependent, so print vars)
    rt::call(&print, vec![rt::call(&rt::builtin("vars"), vec![c], vec![])?], vec![])?;
    Ok(())
}

fn main() {
    rt::run_main("main.py", body)
}
