class AppError(Exception):
    def __init__(self, code, msg):
        super().__init__(msg)
        self.code = code
def risky(x):
    try:
        return 10 // x
    except ZeroDivisionError as e:
        raise AppError(7, "bad input") from e
    finally:
        print("finally", x)
for v in (5, 0):
    try:
        print("ok", risky(v))
    except AppError as e:
        print("caught", e, e.code, type(e.__cause__).__name__, e.__cause__)
try:
    try:
        {}["k"]
    except KeyError:
        int("x1")
except ValueError as e:
    print(repr(e), "| context:", repr(e.__context__))
try:
    [1, 2][5]
except (IndexError, KeyError) as e:
    print(type(e).__name__, e.args)
print([1, 2, 3].index(2), "a,b".split(","))
raise SystemExit(3)
