//! Host unit tests of the runtime.  Every expected string below was
//! produced by CPython 3.11 on the same expression.

use crate as rt;
use crate::value::Value;

fn i(x: i64) -> Value {
    Value::int(x)
}
fn f(x: f64) -> Value {
    Value::float(x)
}
fn s(x: &str) -> Value {
    Value::str(x)
}
fn r(v: &Value) -> String {
    rt::repr(v).unwrap()
}
fn call(name: &str, args: Vec<Value>) -> Value {
    rt::call(&rt::builtin(name), args, vec![]).unwrap()
}
fn m(obj: &Value, name: &str, args: Vec<Value>) -> Value {
    rt::call_method(obj, name, args, vec![]).unwrap()
}
fn err(e: rt::PyErr) -> String {
    format!("{}: {}", rt::type_name(&e.value()), rt::to_str(&e.value()).unwrap())
}

#[test]
fn int_promotion_and_demotion() {
    let two = i(2);
    assert_eq!(r(&rt::pow(&two, &i(64)).unwrap()), "18446744073709551616");
    assert_eq!(r(&rt::floordiv(&i(i64::MIN), &i(-1)).unwrap()), "9223372036854775808");
    assert_eq!(r(&rt::add(&i(i64::MAX), &i(1)).unwrap()), "9223372036854775808");
    assert_eq!(r(&rt::mul(&i(3037000500), &i(3037000500)).unwrap()), "9223372037000250000");
    assert_eq!(r(&rt::pow(&i(-2), &i(63)).unwrap()), "-9223372036854775808");
    // demotion: a big result that fits again is an inline int
    let big = rt::pow(&two, &i(64)).unwrap();
    let back = rt::sub(&big, &rt::sub(&big, &i(5)).unwrap()).unwrap();
    assert!(matches!(back, Value::Int(5)));
    assert!(matches!(rt::neg(&rt::add(&i(i64::MAX), &i(1)).unwrap()).unwrap(), Value::Int(i64::MIN)));
    assert_eq!(r(&rt::pow(&i(3), &i(-2)).unwrap()), "0.1111111111111111");
    assert_eq!(r(&rt::pow(&two, &f(0.5)).unwrap()), "1.4142135623730951");
    assert_eq!(r(&rt::int_from_str("-98765432109876543210987654321")), "-98765432109876543210987654321");
    assert_eq!(r(&call("hex", vec![rt::sub(&rt::pow(&two, &i(89)).unwrap(), &i(1)).unwrap()])), "'0x1ffffffffffffffffffffff'");
    assert_eq!(r(&rt::truediv(&rt::pow(&i(10), &i(20)).unwrap(), &i(3)).unwrap()), "3.333333333333333e+19");
    assert_eq!(r(&rt::truediv(&rt::pow(&two, &i(80)).unwrap(), &rt::pow(&two, &i(10)).unwrap()).unwrap()), "1.1805916207174113e+21");
    assert_eq!(r(&rt::invert(&rt::int_from_str("12345678901234567890123456789")).unwrap()), "-12345678901234567890123456790");
    assert_eq!(r(&rt::pow3(&i(3), &i(-1), &i(7)).unwrap()), "5");
}

#[test]
fn division_semantics() {
    let cases: &[(Value, Value, &str, &str)] = &[(i(7), i(-2), "-4", "-1"), (i(-7), i(2), "-4", "1"), (i(7), i(-3), "-3", "-2"), (i(-7), i(3), "-3", "2")];
    for (a, b, q, m) in cases {
        assert_eq!(r(&rt::floordiv(a, b).unwrap()), *q);
        assert_eq!(r(&rt::modulo(a, b).unwrap()), *m);
    }
    assert_eq!(r(&rt::floordiv(&f(7.5), &i(2)).unwrap()), "3.0");
    assert_eq!(r(&rt::modulo(&f(-7.5), &i(2)).unwrap()), "0.5");
    assert_eq!(r(&rt::divmod(&i(-7), &i(2)).unwrap()), "(-4, 1)");
    assert_eq!(r(&rt::divmod(&f(7.5), &i(-2)).unwrap()), "(-4.0, -0.5)");
    assert_eq!(err(rt::floordiv(&i(1), &i(0)).unwrap_err()), "ZeroDivisionError: integer division or modulo by zero");
    assert_eq!(err(rt::modulo(&i(1), &i(0)).unwrap_err()), "ZeroDivisionError: integer modulo by zero");
    assert_eq!(err(rt::truediv(&i(1), &i(0)).unwrap_err()), "ZeroDivisionError: division by zero");
    assert_eq!(err(rt::truediv(&f(1.0), &i(0)).unwrap_err()), "ZeroDivisionError: float division by zero");
    assert_eq!(r(&rt::mul(&f(1e300), &f(1e10)).unwrap()), "inf");
}

#[test]
fn rounding() {
    assert_eq!(r(&call("round", vec![f(2.675), i(2)])), "2.67");
    assert_eq!(r(&call("round", vec![f(0.5)])), "0");
    assert_eq!(r(&call("round", vec![f(1.5)])), "2");
    assert_eq!(r(&call("round", vec![f(2.5)])), "2");
    assert_eq!(r(&call("round", vec![f(-2.5)])), "-2");
    assert_eq!(r(&call("round", vec![f(1234.5678), i(-2)])), "1200.0");
    assert_eq!(r(&call("round", vec![i(1250), i(-2)])), "1200");
    assert_eq!(r(&call("round", vec![i(1350), i(-2)])), "1400");
}

#[test]
fn parsing() {
    assert_eq!(r(&call("int", vec![s("0x1F"), i(16)])), "31");
    assert_eq!(r(&call("int", vec![s("0b101"), i(0)])), "5");
    assert_eq!(r(&call("int", vec![s(" 42 ")])), "42");
    assert_eq!(r(&call("int", vec![s("1_000")])), "1000");
    assert_eq!(r(&call("float", vec![s(" 1e3 ")])), "1000.0");
    assert_eq!(r(&call("float", vec![s("-inf")])), "-inf");
    assert_eq!(r(&call("float", vec![s("1_0.5")])), "10.5");
    let e = rt::call(&rt::builtin("int"), vec![s("abc")], vec![]).unwrap_err();
    assert_eq!(err(e), "ValueError: invalid literal for int() with base 10: 'abc'");
    let e = rt::call(&rt::builtin("float"), vec![s("x")], vec![]).unwrap_err();
    assert_eq!(err(e), "ValueError: could not convert string to float: 'x'");
}

#[test]
fn sets_iterate_like_cpython() {
    // a literal of constants is a frozenset constant merged into a new set
    let st = rt::set_const(vec![i(5), i(3), i(1000), i(8), i(16), i(-1), i(33)]).unwrap();
    assert_eq!(r(&st), "{16, 33, 3, 5, 1000, 8, -1}");
    let big = rt::set_const((1..12).map(i).collect()).unwrap();
    assert_eq!(r(&rt::sub(&big, &rt::set(vec![i(1)]).unwrap()).unwrap()), "{2, 3, 4, 5, 6, 7, 8, 9, 10, 11}");
    let a = rt::set_const(vec![i(1), i(2), i(3)]).unwrap();
    assert_eq!(r(&rt::bitxor(&a, &rt::set_const(vec![i(3), i(4), i(5)]).unwrap()).unwrap()), "{1, 2, 4, 5}");
    let st = rt::set((0..30).map(|k| i(k * 7 % 100)).collect()).unwrap();
    assert_eq!(r(&st), "{0, 3, 5, 7, 12, 14, 19, 21, 26, 28, 33, 35, 40, 42, 47, 49, 54, 56, 61, 63, 68, 70, 75, 77, 82, 84, 89, 91, 96, 98}");
    let st = rt::set(vec![i(1), i(2), i(3)]).unwrap();
    m(&st, "remove", vec![i(2)]);
    m(&st, "add", vec![i(10)]);
    m(&st, "add", vec![i(18)]);
    assert_eq!(r(&st), "{18, 1, 10, 3}");
    let a = rt::set_from_iterable(&call("range", vec![i(20)])).unwrap();
    assert_eq!(r(&rt::sub(&a, &rt::set(vec![i(3), i(4)]).unwrap()).unwrap()), "{0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19}");
    let x = rt::set(vec![i(1), i(2), i(3)]).unwrap();
    assert_eq!(r(&rt::bitor(&x, &rt::set(vec![i(100), i(9)]).unwrap()).unwrap()), "{1, 2, 3, 100, 9}");
    let y = rt::set(vec![i(1), i(2), i(3), i(4)]).unwrap();
    assert_eq!(r(&rt::bitand(&y, &rt::set(vec![i(4), i(3), i(9)]).unwrap()).unwrap()), "{3, 4}");
    assert_eq!(r(&rt::bitxor(&rt::set(vec![i(1), i(2)]).unwrap(), &rt::set(vec![i(2), i(40)]).unwrap()).unwrap()), "{40, 1}");
    assert_eq!(r(&rt::frozenset(vec![i(3), i(1), i(2)]).unwrap()), "frozenset({1, 2, 3})");
}

#[test]
fn dicts_keep_order() {
    let d = rt::dict(vec![(s("a"), i(1)), (s("b"), i(2)), (s("c"), i(3))]).unwrap();
    rt::delitem(&d, &s("b")).unwrap();
    rt::setitem(&d, &s("b"), i(4)).unwrap();
    rt::setitem(&d, &s("a"), i(9)).unwrap();
    assert_eq!(r(&d), "{'a': 9, 'c': 3, 'b': 4}");
    let e = rt::getitem(&d, &s("zz")).unwrap_err();
    assert_eq!(err(e), "KeyError: 'zz'");
    // many keys force resizes
    let d = rt::dict(vec![]).unwrap();
    for k in 0..1000 {
        rt::setitem(&d, &i(k), i(k * k)).unwrap();
    }
    for k in (0..1000).step_by(2) {
        rt::delitem(&d, &i(k)).unwrap();
    }
    assert_eq!(rt::len(&d).unwrap(), 500);
    assert_eq!(r(&rt::getitem(&d, &i(999)).unwrap()), "998001");
    assert!(matches!(rt::getitem(&d, &f(3.0)).unwrap(), Value::Int(9)));
}

#[test]
fn str_methods() {
    assert_eq!(r(&m(&s("  Hello World  "), "split", vec![])), "['Hello', 'World']");
    assert_eq!(r(&m(&s("a,b,,c"), "split", vec![s(","), i(1)])), "['a', 'b,,c']");
    assert_eq!(r(&m(&s("a b  c"), "rsplit", vec![Value::none(), i(1)])), "['a b', 'c']");
    assert_eq!(r(&m(&s("x"), "center", vec![i(6), s("*")])), "'**x***'");
    assert_eq!(r(&m(&s("ab"), "center", vec![i(5)])), "'  ab '");
    assert_eq!(r(&m(&s("they're bill's"), "title", vec![])), "\"They'Re Bill'S\"");
    assert_eq!(r(&m(&s("1,2"), "partition", vec![s(",")])), "('1', ',', '2')");
    assert_eq!(r(&m(&s("-42"), "zfill", vec![i(6)])), "'-00042'");
    assert_eq!(r(&m(&s("a\tb\tc"), "expandtabs", vec![i(4)])), "'a   b   c'");
    assert_eq!(r(&m(&s("line1\nline2\r\nline3"), "splitlines", vec![])), "['line1', 'line2', 'line3']");
    assert_eq!(r(&m(&s("Hello"), "swapcase", vec![])), "'hELLO'");
    assert_eq!(r(&m(&s("naïve café"), "find", vec![s("café")])), "6");
    assert_eq!(r(&rt::getitem(&s("naïve"), &rt::slice(Value::none(), Value::none(), i(-1))).unwrap()), "'evïan'");
    assert_eq!(r(&s("it's")), "\"it's\"");
    assert_eq!(r(&s("both ' and \"")), "'both \\' and \"'");
    assert_eq!(r(&s("a\nb\x00\x7f\u{e9}")), "'a\\nb\\x00\\x7fé'");
}

#[test]
fn lists_and_slices() {
    let x = rt::list((0..10).map(i).collect());
    let sl = |a: Value, b: Value, c: Value| r(&rt::getitem(&x, &rt::slice(a, b, c)).unwrap());
    assert_eq!(sl(Value::none(), Value::none(), i(-2)), "[9, 7, 5, 3, 1]");
    assert_eq!(sl(i(-3), Value::none(), Value::none()), "[7, 8, 9]");
    assert_eq!(sl(i(8), i(2), i(-3)), "[8, 5]");
    assert_eq!(sl(i(100), Value::none(), Value::none()), "[]");
    rt::setitem(&x, &rt::slice(i(2), i(5), Value::none()), rt::list(vec![s("a")])).unwrap();
    assert_eq!(r(&x), "[0, 1, 'a', 5, 6, 7, 8, 9]");
    rt::delitem(&x, &rt::slice(Value::none(), Value::none(), i(2))).unwrap();
    assert_eq!(r(&x), "[1, 5, 7, 9]");
    assert_eq!(err(rt::getitem(&x, &i(10)).unwrap_err()), "IndexError: list index out of range");
    let l = rt::list(vec![
        rt::tuple(vec![i(1), s("b")]),
        rt::tuple(vec![i(0), s("a")]),
        rt::tuple(vec![i(1), s("a")]),
        rt::tuple(vec![i(0), s("b")]),
    ]);
    let key = rt::builtin("len"); // all length 2: stability check
    let sorted = rt::call(&rt::builtin("sorted"), vec![l.clone()], vec![("key".into(), key)]).unwrap();
    assert_eq!(r(&sorted), r(&l));
    let sorted = rt::call(&rt::builtin("sorted"), vec![l.clone()], vec![("reverse".into(), Value::bool(true))]).unwrap();
    assert_eq!(r(&sorted), "[(1, 'b'), (1, 'a'), (0, 'b'), (0, 'a')]");
    let e = rt::call(&rt::builtin("sorted"), vec![rt::list(vec![i(1), s("a")])], vec![]).unwrap_err();
    assert_eq!(err(e), "TypeError: '<' not supported between instances of 'str' and 'int'");
}

#[test]
fn hashes_match_cpython() {
    let h = |v: Value| rt::hash(&v).unwrap();
    assert_eq!(h(i(-1)), -2);
    assert_eq!(h(f(1.5)), 1152921504606846977);
    assert_eq!(h(rt::tuple(vec![i(1), i(2)])), -3550055125485641917);
    assert_eq!(h(rt::tuple(vec![])), 5740354900026072187);
    assert_eq!(h(rt::pow(&i(2), &i(61)).unwrap()), 1);
    assert_eq!(h(f(0.1)), 230584300921369408);
    assert_eq!(h(f(1e100)), 1822893315824342674);
}

#[test]
fn formatting_builtins() {
    let fmt = |v: Value, spec: &str| rt::format(&v, spec).unwrap();
    assert_eq!(fmt(i(1234567), ">12,"), "   1,234,567");
    assert_eq!(fmt(s("trunc"), ".3"), "tru");
    assert_eq!(fmt(s("pad"), "~^11"), "~~~~pad~~~~");
    assert_eq!(rt::str_format("{0}{1}{0}", &[s("+"), s("-")], &vec![]).unwrap(), "+-+");
    assert_eq!(
        rt::str_format("{:{fill}{align}{width}}", &[s("dyn")], &vec![("fill".into(), s("#")), ("align".into(), s("^")), ("width".into(), i(9))]).unwrap(),
        "###dyn###"
    );
    let acc = rt::dict(vec![(s("owner"), s("Grace")), (s("balance"), f(-75.5)), (s("number"), i(88))]).unwrap();
    assert_eq!(rt::percent_format("%(owner)s owes %(balance).1f at account #%(number)d", &acc).unwrap(), "Grace owes -75.5 at account #88");
    assert_eq!(err(rt::percent_format("%s %s", &rt::tuple(vec![i(1)])).unwrap_err()), "TypeError: not enough arguments for format string");
    assert_eq!(r(&rt::list(vec![i(1), f(2.0), s("3"), rt::tuple(vec![i(5)]), Value::none(), Value::bool(true), f(f64::INFINITY)])), "[1, 2.0, '3', (5,), None, True, inf]");
}

#[test]
fn exceptions_and_classes() {
    let exc = rt::builtin("ValueError");
    let e = rt::raise(rt::call(&exc, vec![s("bad"), i(2)], vec![]).unwrap());
    assert_eq!(rt::repr(&e.value()).unwrap(), "ValueError('bad', 2)");
    assert_eq!(rt::to_str(&e.value()).unwrap(), "('bad', 2)");
    assert!(rt::exc_matches(&e, &rt::builtin("Exception")).unwrap());
    assert!(!rt::exc_matches(&e, &rt::builtin("LookupError")).unwrap());
    let a = rt::make_class("A", "A", vec![], vec![], vec![]).unwrap();
    let b = rt::make_class("B", "B", vec![a.clone()], vec![], vec![]).unwrap();
    let c = rt::make_class("C", "C", vec![a.clone()], vec![], vec![]).unwrap();
    let d = rt::make_class("D", "D", vec![b, c], vec![], vec![]).unwrap();
    let names: Vec<String> = rt::collect(&rt::getattr(&d, "__mro__").unwrap()).unwrap().iter().map(|k| rt::to_str(&rt::getattr(k, "__name__").unwrap()).unwrap()).collect();
    assert_eq!(names.join(","), "D,B,C,A,object");
    let inst = rt::call(&d, vec![], vec![]).unwrap();
    assert_eq!(err(rt::getattr(&inst, "nope").unwrap_err()), "AttributeError: 'D' object has no attribute 'nope'");
    assert_eq!(err(rt::call(&d, vec![i(1)], vec![]).unwrap_err()), "TypeError: D() takes no arguments");
    assert_eq!(err(rt::add(&i(1), &s("a")).unwrap_err()), "TypeError: unsupported operand type(s) for +: 'int' and 'str'");
    assert_eq!(err(rt::add(&s("a"), &i(1)).unwrap_err()), "TypeError: can only concatenate str (not \"int\") to str");
}

#[test]
fn generators_roundtrip() {
    let g = rt::make_generator("g", "g", |co: rt::Co| async move {
        let x = co.yield_(i(1)).await?;
        co.yield_(rt::add(&x, &i(10))?).await?;
        Ok(s("ret"))
    });
    assert_eq!(r(&rt::next(&g).unwrap().unwrap()), "1");
    assert_eq!(r(&rt::call_method(&g, "send", vec![i(5)], vec![]).unwrap()), "15");
    let e = rt::call_method(&g, "send", vec![Value::none()], vec![]).unwrap_err();
    assert_eq!(rt::repr(&e.value()).unwrap(), "StopIteration('ret')");
    assert!(rt::next(&g).unwrap().is_none());
}

/// agents/an_missing_names.inc lists, per runtime module, the public names
/// of CPython 3.11's module that the runtime does not provide, so that
/// Analysis reports `from typing import X` of one at its line. Each listed
/// name must still be missing here: a name the runtime gained must leave
/// the table (regenerate it with contrib/gen-missing-names.sh).
#[test]
fn missing_names_table_is_current() {
    let table = include_str!("../../an_missing_names.inc");
    let mut rows = 0;
    for line in table.lines() {
        let line = line.trim();
        if !line.starts_with("{\"") {
            continue;
        }
        let parts: Vec<&str> = line.split('"').collect();
        let (module, names) = (parts[1], parts[3]);
        let m = crate::stdlib::import(module).unwrap_or_else(|_| panic!("runtime module {} missing", module));
        for n in names.split_whitespace() {
            assert!(crate::attr::getattr(&m, n).is_err(), "{}.{} exists now: regenerate agents/an_missing_names.inc", module, n);
        }
        rows += 1;
    }
    assert!(rows > 0);
}

/// The generator's half (contrib/gen-missing-names.sh): with
/// PORTALIS_CPYTHON_NAMES naming a file of "module name name ..." lines,
/// prints the table rows of the names the runtime lacks.
#[test]
fn missing_names_dump() {
    let path = match std::env::var("PORTALIS_CPYTHON_NAMES") {
        Ok(p) => p,
        Err(_) => return,
    };
    let text = std::fs::read_to_string(path).unwrap();
    for line in text.lines() {
        let mut it = line.split_whitespace();
        let module = match it.next() {
            Some(m) => m,
            None => continue,
        };
        let m = match crate::stdlib::import(module) {
            Ok(m) => m,
            Err(_) => continue,
        };
        let missing: Vec<&str> = it.filter(|n| crate::attr::getattr(&m, n).is_err()).collect();
        println!("ROW {} {}", module, missing.join(" "));
    }
}
