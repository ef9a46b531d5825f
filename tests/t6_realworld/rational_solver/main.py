"""A command-line linear-system solver in exact arithmetic: reads augmented
matrices from stdin (blank-line separated, entries like 3, -1/2, 0.25),
solves each with Gauss-Jordan elimination over fractions.Fraction, and
reports the solution, the determinant, and a complex eigenvalue check for
the 2x2 systems; --verbose pretty-prints every elimination step."""
import cmath
import pprint
import sys
from fractions import Fraction


def parse_blocks(text):
    blocks, cur = [], []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            if cur:
                blocks.append(cur)
                cur = []
            continue
        cur.append([Fraction(tok) for tok in line.replace(",", " ").split()])
    if cur:
        blocks.append(cur)
    return blocks


def solve(m, verbose=False):
    n = len(m)
    m = [row[:] for row in m]
    det = Fraction(1)
    for col in range(n):
        pivot = next((r for r in range(col, n) if m[r][col] != 0), None)
        if pivot is None:
            return None, Fraction(0)
        if pivot != col:
            m[col], m[pivot] = m[pivot], m[col]
            det = -det
        p = m[col][col]
        det *= p
        m[col] = [x / p for x in m[col]]
        for r in range(n):
            if r != col and m[r][col] != 0:
                f = m[r][col]
                m[r] = [a - f * b for a, b in zip(m[r], m[col])]
        if verbose:
            pprint.pprint([[str(x) for x in row] for row in m], width=72)
    return [row[-1] for row in m], det


def eigen2(a, b, c, d):
    tr, det = float(a + d), float(a * d - b * c)
    disc = cmath.sqrt(tr * tr - 4 * det)
    return (tr + disc) / 2, (tr - disc) / 2


def main(argv):
    verbose = "--verbose" in argv
    for i, block in enumerate(parse_blocks(sys.stdin.read()), 1):
        print(f"system {i}: {len(block)} equations")
        sol, det = solve(block, verbose)
        if sol is None:
            print("  singular (det = 0)")
            continue
        print("  det =", det, "solution =", ", ".join(str(x) for x in sol))
        print("  as floats:", [round(float(x), 6) for x in sol])
        print("  approx:", [x.limit_denominator(10) for x in sol])
        check = all(sum(a * x for a, x in zip(row[:-1], sol)) == row[-1] for row in block)
        print("  verified:", check)
        if len(block) == 2:
            (a, b, _), (c, d, _) = block
            l1, l2 = eigen2(a, b, c, d)
            kind = "complex" if l1.imag else "real"
            print(f"  eigenvalues ({kind}): {l1:.4f}, {l2:.4f}", l1 == l2.conjugate() if l1.imag else abs(l1) >= abs(l2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
