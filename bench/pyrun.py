"""pyrun.py - run a Python program under CPython and time it in-process.

    python3 bench/pyrun.py prog.py [args...]

Runs prog.py as __main__ (runpy.run_path, sys.argv and sys.path[0] as
`python3 prog.py args` would set them), and writes one line to stderr:

    portalis-timing start_ms=S run_ms=R run_cpu_ms=C

S: milliseconds from this process's start to just before the program runs
   (interpreter start-up; read from /proc/self/stat where available);
R: wall-clock milliseconds of the program itself, stdout flush included;
C: CPU milliseconds (user + system) over the same span.
The exit status is the program's (SystemExit honoured, 1 on an uncaught
exception, traceback on stderr). bench/speed.py reads the timing line.
"""
import os
import runpy
import sys
import time
import traceback


def since_start_ms():
    try:
        with open("/proc/self/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return (uptime - int(fields[19]) / ticks) * 1000.0
    except (OSError, ValueError, IndexError):
        return -1.0


def main():
    if len(sys.argv) < 2:
        sys.stderr.write("usage: pyrun.py prog.py [args...]\n")
        return 2
    path = sys.argv[1]
    sys.argv = sys.argv[1:]
    sys.path[0] = os.path.dirname(os.path.abspath(path))
    start = since_start_ms()
    rc = 0
    c0 = time.process_time()
    t0 = time.perf_counter()
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit as e:
        if e.code is None:
            rc = 0
        elif isinstance(e.code, int):
            rc = e.code
        else:
            sys.stderr.write(str(e.code) + "\n")
            rc = 1
    except BaseException:
        traceback.print_exc()
        rc = 1
    try:
        sys.stdout.flush()
    except OSError:
        pass
    t1 = time.perf_counter()
    c1 = time.process_time()
    sys.stderr.write("portalis-timing start_ms=%.3f run_ms=%.3f run_cpu_ms=%.3f\n"
                     % (start, (t1 - t0) * 1000.0, (c1 - c0) * 1000.0))
    return rc


if __name__ == "__main__":
    sys.exit(main())
