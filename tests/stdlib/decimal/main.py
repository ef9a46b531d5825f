from decimal import Decimal, getcontext, ROUND_HALF_UP, ROUND_DOWN, InvalidOperation

print(Decimal("0.1") + Decimal("0.2"), Decimal("1.10") * 3, Decimal(1) / Decimal(7))
print(Decimal("19.995").quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), Decimal("2.675").quantize(Decimal("0.01")))
print(Decimal("7.9").quantize(Decimal("1"), rounding=ROUND_DOWN), Decimal(0.1), repr(Decimal("3.50")))
getcontext().prec = 6
print(Decimal(2).sqrt(), Decimal(1) / Decimal(3))
getcontext().prec = 28
print(Decimal("1e3"), Decimal("-0.000"), Decimal("123.4500").normalize(), Decimal("10") ** 20)
print(sum([Decimal("0.10")] * 3), Decimal("3.14") > 3, Decimal("2.50") == Decimal("2.5"), int(Decimal("9.99")), float(Decimal("1.5")))
print(Decimal("12.345").as_tuple(), Decimal("-5").copy_abs(), Decimal("1.23E+5").to_eng_string())
try:
    Decimal("abc")
except InvalidOperation:
    print("InvalidOperation")
print("{:.2f} {:,}".format(Decimal("1234.5"), Decimal("1234567.891")))
