# bench: numeric
# The n-body planet simulation kept in parallel lists of floats (x, y, z,
# velocities, masses); prints the energy before and after.
import math


def energy(xs, ys, zs, vxs, vys, vzs, ms):
    e = 0.0
    n = len(xs)
    for i in range(n):
        e += 0.5 * ms[i] * (vxs[i] * vxs[i] + vys[i] * vys[i] + vzs[i] * vzs[i])
        for j in range(i + 1, n):
            dx = xs[i] - xs[j]
            dy = ys[i] - ys[j]
            dz = zs[i] - zs[j]
            e -= ms[i] * ms[j] / math.sqrt(dx * dx + dy * dy + dz * dz)
    return e


def advance(xs, ys, zs, vxs, vys, vzs, ms, dt, steps):
    n = len(xs)
    for _ in range(steps):
        for i in range(n):
            for j in range(i + 1, n):
                dx = xs[i] - xs[j]
                dy = ys[i] - ys[j]
                dz = zs[i] - zs[j]
                d2 = dx * dx + dy * dy + dz * dz
                mag = dt / (d2 * math.sqrt(d2))
                vxs[i] -= dx * ms[j] * mag
                vys[i] -= dy * ms[j] * mag
                vzs[i] -= dz * ms[j] * mag
                vxs[j] += dx * ms[i] * mag
                vys[j] += dy * ms[i] * mag
                vzs[j] += dz * ms[i] * mag
        for i in range(n):
            xs[i] += dt * vxs[i]
            ys[i] += dt * vys[i]
            zs[i] += dt * vzs[i]


PI = 3.141592653589793
SOLAR_MASS = 4 * PI * PI
DAYS = 365.24
xs = [0.0, 4.84143144246472090e+00, 8.34336671824457987e+00, 1.28943695621391310e+01, 1.53796971148509165e+01]
ys = [0.0, -1.16032004402742839e+00, 4.12479856412430479e+00, -1.51111514016986312e+01, -2.59193146099879641e+01]
zs = [0.0, -1.03622044471123109e-01, -4.03523417114321381e-01, -2.23307578892655734e-01, 1.79258772950371181e-01]
vxs = [0.0, 1.66007664274403694e-03 * DAYS, -2.76742510726862411e-03 * DAYS, 2.96460137564761618e-03 * DAYS, 2.68067772490389322e-03 * DAYS]
vys = [0.0, 7.69901118419740425e-03 * DAYS, 4.99852801234917238e-03 * DAYS, 2.37847173959480950e-03 * DAYS, 1.62824170038242295e-03 * DAYS]
vzs = [0.0, -6.90460016972063023e-05 * DAYS, 2.30417297573763929e-05 * DAYS, -2.96589568540237556e-05 * DAYS, -9.51592254519715870e-05 * DAYS]
ms = [SOLAR_MASS, 9.54791938424326609e-04 * SOLAR_MASS, 2.85885980666130812e-04 * SOLAR_MASS, 4.36624404335156298e-05 * SOLAR_MASS, 5.15138902046611451e-05 * SOLAR_MASS]
px = 0.0
py = 0.0
pz = 0.0
for i in range(5):
    px += vxs[i] * ms[i]
    py += vys[i] * ms[i]
    pz += vzs[i] * ms[i]
vxs[0] = -px / SOLAR_MASS
vys[0] = -py / SOLAR_MASS
vzs[0] = -pz / SOLAR_MASS
print("%.9f" % energy(xs, ys, zs, vxs, vys, vzs, ms))
advance(xs, ys, zs, vxs, vys, vzs, ms, 0.01, 250000)
print("%.9f" % energy(xs, ys, zs, vxs, vys, vzs, ms))
