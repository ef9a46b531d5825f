import traceback
import sys


def inner():
    raise KeyError("k")


try:
    inner()
except KeyError as e:
    print(traceback.format_exception_only(type(e), e))
    lines = traceback.format_exc().splitlines()
    print(lines[0], lines[-1])
    tb = traceback.extract_tb(e.__traceback__)
    print([(f.name, f.lineno) for f in tb])
try:
    int("x")
except ValueError:
    traceback.print_exc(file=sys.stdout, limit=0)
print("".join(traceback.format_exception(ValueError("v"))).strip())
