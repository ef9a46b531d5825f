# bench: numeric
# Spectral norm of the infinite matrix A(i, j) = 1 / ((i+j)(i+j+1)/2 + i + 1),
# approximated by the power method on its N x N corner: u <- At(A(u)) ten
# times, then sqrt(u.v / v.v). Plain functions over lists of floats.
import math


def entry(i, j):
    ij = i + j
    return 1.0 / (ij * (ij + 1) // 2 + i + 1)


def times(u):
    n = len(u)
    out = []
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += entry(i, j) * u[j]
        out.append(s)
    return out


def times_transposed(u):
    n = len(u)
    out = []
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += entry(j, i) * u[j]
        out.append(s)
    return out


def times_ata(u):
    return times_transposed(times(u))


def spectral_norm(n):
    u = [1.0] * n
    v = u
    for _ in range(10):
        v = times_ata(u)
        u = times_ata(v)
    vbv = 0.0
    vv = 0.0
    for i in range(n):
        vbv += u[i] * v[i]
        vv += v[i] * v[i]
    return math.sqrt(vbv / vv)


for n in (10, 100, 400):
    print(n, "%.9f" % spectral_norm(n))
