import cmath

z = 3 + 4j
print(abs(z), cmath.phase(z), cmath.polar(z), cmath.rect(2, cmath.pi / 2))
print(cmath.sqrt(-1), cmath.sqrt(z), cmath.exp(1j * cmath.pi), cmath.log(-1), cmath.log10(100))
print(cmath.isclose(cmath.exp(1j * cmath.pi), -1), cmath.isnan(complex("nan+1j")), cmath.isinf(complex(1e308 * 10, 0)))
print(cmath.sin(z), cmath.cos(1j), cmath.tanh(0.5 + 0.5j))
print(z.real, z.imag, z.conjugate(), z * (1 - 2j), z / 2, complex("1-2j"), 1j ** 2)
print(cmath.e, cmath.tau, cmath.inf, cmath.infj)


def roots(a, b, c):
    d = cmath.sqrt(b * b - 4 * a * c)
    return (-b + d) / (2 * a), (-b - d) / (2 * a)


print(roots(1, 2, 5), roots(1, -3, 2))
