"""An xUnit-style test module with its own little runner, as small projects
ship before they adopt a framework: TestCase classes discovered by name
with dir()/getattr, setUp/tearDown, assertion helpers, expected-failure and
skip decorators, a context manager for expected exceptions, and a summary
in unittest's format. The code under test is a tiny inventory module."""
import sys


# ---------------------------------------------------------- code under test
class OutOfStock(Exception):
    pass


class Inventory:
    def __init__(self):
        self.items = {}

    def add(self, sku, qty=1):
        if qty <= 0:
            raise ValueError(f"quantity must be positive, got {qty}")
        self.items[sku] = self.items.get(sku, 0) + qty

    def take(self, sku, qty=1):
        have = self.items.get(sku, 0)
        if have < qty:
            raise OutOfStock(f"{sku}: have {have}, want {qty}")
        self.items[sku] = have - qty
        if not self.items[sku]:
            del self.items[sku]

    def total(self):
        return sum(self.items.values())


# ---------------------------------------------------------------- framework
class SkipTest(Exception):
    pass


def skip(reason):
    def deco(fn):
        def wrapper(self):
            raise SkipTest(reason)
        wrapper.__name__ = fn.__name__
        return wrapper
    return deco


def expected_failure(fn):
    fn.expected_failure = True
    return fn


class _Raises:
    def __init__(self, exc):
        self.exc = exc
        self.exception = None

    def __enter__(self):
        return self

    def __exit__(self, typ, value, tb):
        if typ is None:
            raise AssertionError(f"{self.exc.__name__} not raised")
        if not issubclass(typ, self.exc):
            return False
        self.exception = value
        return True


class TestCase:
    def setUp(self):
        pass

    def tearDown(self):
        pass

    def assertEqual(self, a, b, msg=None):
        if a != b:
            raise AssertionError(msg or f"{a!r} != {b!r}")

    def assertTrue(self, x, msg=None):
        if not x:
            raise AssertionError(msg or f"{x!r} is not true")

    def assertIn(self, a, b):
        if a not in b:
            raise AssertionError(f"{a!r} not found in {b!r}")

    def assertRaises(self, exc):
        return _Raises(exc)


class Result:
    def __init__(self, stream, verbose):
        self.stream, self.verbose = stream, verbose
        self.run = 0
        self.failures, self.errors, self.skipped, self.xfail = [], [], [], []

    def report(self, name, status, detail=None):
        self.run += 1
        if self.verbose:
            self.stream.write(f"{name} ... {status}\n")
        else:
            self.stream.write({"ok": ".", "FAIL": "F", "ERROR": "E", "expected failure": "x"}.get(status, "s"))


def run_tests(classes, verbose=False, stream=sys.stdout):
    result = Result(stream, verbose)
    for cls in classes:
        for attr in sorted(dir(cls)):
            if not attr.startswith("test"):
                continue
            case = cls()
            method = getattr(case, attr)
            name = f"{attr} ({cls.__name__})"
            xfail = getattr(method, "expected_failure", False)
            try:
                case.setUp()
                try:
                    method()
                finally:
                    case.tearDown()
            except SkipTest as e:
                result.skipped.append((name, str(e)))
                result.report(name, f"skipped {str(e)!r}")
            except AssertionError as e:
                if xfail:
                    result.xfail.append(name)
                    result.report(name, "expected failure")
                else:
                    result.failures.append((name, f"AssertionError: {e}"))
                    result.report(name, "FAIL")
            except Exception as e:
                result.errors.append((name, f"{type(e).__name__}: {e}"))
                result.report(name, "ERROR")
            else:
                result.report(name, "ok")
    if not verbose:
        stream.write("\n")
    for kind, items in (("ERROR", result.errors), ("FAIL", result.failures)):
        for name, detail in items:
            stream.write("=" * 70 + f"\n{kind}: {name}\n" + "-" * 70 + f"\n{detail}\n\n")
    stream.write("-" * 70 + f"\nRan {result.run} tests\n\n")
    bits = []
    if result.failures:
        bits.append(f"failures={len(result.failures)}")
    if result.errors:
        bits.append(f"errors={len(result.errors)}")
    if result.skipped:
        bits.append(f"skipped={len(result.skipped)}")
    if result.xfail:
        bits.append(f"expected failures={len(result.xfail)}")
    ok = not result.failures and not result.errors
    stream.write(("OK" if ok else "FAILED") + (f" ({', '.join(bits)})" if bits else "") + "\n")
    return ok


# -------------------------------------------------------------------- tests
class InventoryTests(TestCase):
    def setUp(self):
        self.inv = Inventory()
        self.inv.add("apple", 3)
        self.inv.add("pear")

    def test_add_accumulates(self):
        self.inv.add("apple", 2)
        self.assertEqual(self.inv.items["apple"], 5)

    def test_total(self):
        self.assertEqual(self.inv.total(), 4)

    def test_take_removes_empty(self):
        self.inv.take("pear")
        self.assertTrue("pear" not in self.inv.items)

    def test_out_of_stock(self):
        with self.assertRaises(OutOfStock) as cm:
            self.inv.take("apple", 10)
        self.assertIn("have 3", str(cm.exception))

    def test_bad_quantity(self):
        with self.assertRaises(ValueError):
            self.inv.add("kiwi", 0)

    def test_wrong_total(self):
        self.assertEqual(self.inv.total(), 5, "total counts every unit")

    def test_missing_key(self):
        self.inv.items["plum"] += 1

    @expected_failure
    def test_known_bug(self):
        self.assertEqual(len(self.inv.items), 3)

    @skip("needs a warehouse database")
    def test_sync(self):
        pass


class EmptyInventoryTests(TestCase):
    def setUp(self):
        self.inv = Inventory()

    def test_empty_total(self):
        self.assertEqual(self.inv.total(), 0)

    def test_take_from_empty(self):
        with self.assertRaises(KeyError):
            self.inv.take("apple")

    def helper_not_a_test(self):
        raise RuntimeError("never run")


if __name__ == "__main__":
    verbose = "-v" in sys.argv[1:]
    ok1 = run_tests([InventoryTests, EmptyInventoryTests], verbose=verbose)
    print()
    ok2 = run_tests([EmptyInventoryTests], verbose=not verbose)
    sys.exit(0 if ok1 and ok2 else 1)
