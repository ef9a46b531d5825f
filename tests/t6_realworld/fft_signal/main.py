"""Signal analysis with a hand-written FFT, in the style of published
algorithm collections: complex literals, complex(), cmath, mixed int/float
arithmetic, repr/str/format of complex numbers, hashing and equality."""
import cmath
import math


def fft(x):
    """Recursive radix-2 Cooley-Tukey FFT.

    >>> [round(abs(v), 6) for v in fft([1, 0, 0, 0])]
    [1.0, 1.0, 1.0, 1.0]
    """
    n = len(x)
    if n <= 1:
        return [complex(v) for v in x]
    even = fft(x[0::2])
    odd = fft(x[1::2])
    out = [0j] * n
    for k in range(n // 2):
        t = cmath.exp(-2j * cmath.pi * k / n) * odd[k]
        out[k] = even[k] + t
        out[k + n // 2] = even[k] - t
    return out


def ifft(X):
    n = len(X)
    conj = fft([v.conjugate() for v in X])
    return [v.conjugate() / n for v in conj]


def dft(x):
    n = len(x)
    return [sum(x[t] * cmath.exp(-2j * cmath.pi * t * k / n) for t in range(n)) for k in range(n)]


def quadratic_roots(a, b, c):
    disc = cmath.sqrt(b * b - 4 * a * c)
    return (-b + disc) / (2 * a), (-b - disc) / (2 * a)


def mandelbrot_row(y, width=40, max_iter=30):
    row = []
    for i in range(width):
        c = complex(-2.0 + 2.6 * i / width, y)
        z = 0j
        n = 0
        while abs(z) <= 2 and n < max_iter:
            z = z * z + c
            n += 1
        row.append(" .:-=+*#%@"[n % 10] if n < max_iter else " ")
    return "".join(row)


def main():
    signal = [math.sin(2 * math.pi * 3 * t / 16) + 0.5 * math.cos(2 * math.pi * 5 * t / 16) for t in range(16)]
    spectrum = fft(signal)
    for k, v in enumerate(spectrum[:9]):
        mag, ph = cmath.polar(v)
        print(f"bin {k:2d}: {v.real:9.4f} {v.imag:+9.4f}j  |X|={mag:8.4f} phase={ph:+.3f}")
    back = ifft(spectrum)
    err = max(abs(a - b) for a, b in zip(back, signal))
    print("round trip error small:", err < 1e-12)
    slow = dft([1, 2, 3, 4])
    print("dft:", [complex(round(v.real, 9), round(v.imag, 9)) for v in slow])

    for coeffs in [(1, -3, 2), (1, 2, 5), (2, 0, 8), (1, 0, -1)]:
        r1, r2 = quadratic_roots(*coeffs)
        print("roots of %dx^2%+dx%+d:" % coeffs, r1, r2)

    z = 3 + 4j
    print(z, repr(z), abs(z), z.real, z.imag, z.conjugate())
    print(z * 2, 2 * z, z / 2, 1 / z, z - 1, 1 - z, z + 0.5, -z, +z)
    print(z ** 2, z ** -1, z ** 0.5, 2 ** z, (1j) ** 2, 1j * 1j)
    print(complex(1, 2), complex(2.5), complex("1+2j"), complex(" -3.5J "), complex("(1-1e3j)"), complex())
    print(0j, -0j, 1j, -1j, complex(0, -0.0), complex(-0.0, 0), 2.5J, 1e20j, 1e-7j)
    print(complex(float("nan"), float("inf")), complex(1, float("-inf")))
    print(z == 3 + 4j, z != 5, complex(2, 0) == 2, complex(2, 0) == 2.0, 1j == 1)
    print(hash(complex(3, 0)) == hash(3), hash(z), hash(-1j), hash(complex(1.5, -2.25)))
    d = {1: "one", 2.0: "two", z: "z"}
    print(d[complex(1, 0)], d[complex(2)], d[3 + 4j])
    print(format(z, ".2f"), f"{z:>20}", f"{1.5 - 2j:.3e}", "{:g}".format(1j), f"{z:^16.1f}|")
    print(bool(0j), bool(1e-300j), isinstance(z, complex), type(z).__name__, type(z) is complex)
    print(cmath.phase(-1), cmath.phase(complex(-1, -0.0)), cmath.sqrt(-4), cmath.sqrt(2j), cmath.exp(1j * math.pi))
    print(cmath.log(1j), cmath.log(8, 2), cmath.log10(100), cmath.rect(2, math.pi / 2), cmath.polar(-2))
    print(cmath.isclose(cmath.exp(1j * math.pi), -1), cmath.isclose(1 + 1j, 1 + 1.0000001j, rel_tol=1e-6))
    print(cmath.pi, cmath.e, cmath.isnan(complex(0, float("nan"))), cmath.isinf(cmath.infj), cmath.isfinite(z))
    print((-8) ** (1 / 3), (-1.0) ** 0.5, pow(1 + 1j, 3), sum([1j, 2, 3.5]))
    try:
        z < 1
    except TypeError as e:
        print("TypeError:", e)
    try:
        1 / (0j)
    except ZeroDivisionError as e:
        print("ZeroDivisionError:", e)
    try:
        complex("1+2x")
    except ValueError as e:
        print("ValueError:", e)
    try:
        float(z)
    except TypeError as e:
        print("TypeError:", e)
    try:
        z // 2
    except TypeError as e:
        print("TypeError:", e)
    for y in (1.0, 0.5, 0.0, -0.5, -1.0):
        print(mandelbrot_row(y))


if __name__ == "__main__":
    main()
