import math

print(math.pi, math.e, math.tau, math.inf, -math.inf, math.isnan(math.nan))
print(math.sqrt(2), math.isqrt(99), math.pow(2, 0.5), math.exp(1), math.log(100, 10), math.log2(1024), math.log10(0.001))
print(math.floor(-2.5), math.ceil(-2.5), math.trunc(-2.7), round(2.5), round(3.5), round(2.675, 2))
print(math.gcd(48, 18), math.lcm(4, 6), math.factorial(25), math.comb(10, 3), math.perm(5, 2))
print(math.sin(math.pi / 6), math.cos(0), math.tan(math.pi / 4), math.atan2(1, -1), math.degrees(math.pi), math.radians(180))
print(math.hypot(3, 4), math.dist((0, 0), (3, 4)), math.fabs(-3), math.copysign(1, -0.0))
print(math.fsum([0.1] * 10), sum([0.1] * 10), math.prod([1, 2, 3, 4]))
print(math.isclose(0.1 + 0.2, 0.3), math.isfinite(1e308), math.isinf(1e308 * 10))
print(math.modf(3.75), math.frexp(8.0), math.ldexp(0.5, 4), math.fmod(-7, 3), -7 % 3)
print(math.asin(1), math.acos(0), math.sinh(1), math.cosh(1), math.tanh(0.5))
print(math.erf(0.5), math.gamma(5), math.lgamma(10))
try:
    math.sqrt(-1)
except ValueError as e:
    print("ValueError:", e)
print(divmod(17, 5), divmod(-17, 5), 2 ** 100, 7 // -2, abs(-3.5))
