#!/usr/bin/env python3
"""infer_trace.py - runtime check of the Analysis agent's static types.

Used by tests/test_analysis.c (t_infer_trace). Input: a list file whose
lines are `CASE<TAB>TYPES_FILE`, CASE a corpus case folder (its main.py
runs) or a .py file; a types file has one line per Name load of that
program that the analysis typed statically:

    LINE:COL NAME TYPE          (COL 1-based, in characters)

NAME is `.attr` for an attribute load (`p.attr`, COL where p starts).

Each case runs like the corpus runs it (`python3 main.py ARGS < stdin` in
the case folder), in a forked child, with every listed load wrapped
so that the value it produces is checked against its static type. Every
value a load produces on the run must conform; a mismatch is printed as

    MISMATCH CASE LINE:COL NAME static=TYPE runtime=DESCRIPTION

and each case ends with `CHECKED CASE N` (N = static loads that ran). The
exit status is 0 when nothing mismatched.
"""
import ast
import os
import sys


def parse_type(s):
    """'list[dict[str, int]]' -> ('list', [('dict', [...])])"""
    s = s.strip()
    if '[' not in s:
        return (s, [])
    head, rest = s.split('[', 1)
    rest = rest[:-1]
    args, depth, cur = [], 0, ''
    for ch in rest:
        if ch == '[':
            depth += 1
        elif ch == ']':
            depth -= 1
        if ch == ',' and depth == 0:
            args.append(cur)
            cur = ''
        else:
            cur += ch
    if cur.strip():
        args.append(cur)
    return (head, [parse_type(a) for a in args if a.strip() != '()'])


def sample(seq):
    seq = list(seq)
    return seq if len(seq) <= 200 else seq[:100] + seq[-100:]


def conforms(v, t):
    head, args = t
    if head == 'dynamic':
        return True
    if head == 'int':
        return type(v) is int
    if head == 'float':
        return type(v) is float
    if head == 'str':
        return type(v) is str
    if head == 'bool':
        return type(v) is bool
    if head == 'bytes':
        return type(v) is bytes
    if head == 'None':
        return v is None
    if head == 'list':
        return type(v) is list and all(conforms(x, args[0]) for x in sample(v))
    if head == 'set':
        return type(v) is set and all(conforms(x, args[0]) for x in sample(v))
    if head == 'dict':
        return type(v) is dict and all(conforms(k, args[0]) and conforms(x, args[1]) for k, x in sample(v.items()))
    if head == 'tuple':
        return type(v) is tuple and len(v) == len(args) and all(conforms(x, a) for x, a in zip(v, args))
    if head.startswith('function '):
        return callable(v) and getattr(v, '__qualname__', None) == head[len('function '):]
    if head.startswith('class '):
        return isinstance(v, type) and v.__qualname__ == head[len('class '):]
    if head.startswith('module '):
        return type(v).__name__ == 'module'
    # an instance of a user class, by qualname
    return type(v).__qualname__ == head


def describe(v):
    t = type(v).__qualname__
    if isinstance(v, (list, set, tuple)):
        return '%s[%s]' % (t, ', '.join(sorted({type(x).__qualname__ for x in sample(v)})))
    if isinstance(v, dict):
        return 'dict[%s: %s]' % (', '.join(sorted({type(k).__qualname__ for k in sample(v)})),
                                 ', '.join(sorted({type(x).__qualname__ for x in sample(v.values())})))
    return t


class Wrap(ast.NodeTransformer):
    """Name loads at the listed positions become _portalis_rec(i, name)."""

    def __init__(self, where, lines):
        self.where = where
        self.lines = lines

    def wrap(self, node, key):
        line = self.lines[node.lineno - 1] if node.lineno - 1 < len(self.lines) else b''
        col = len(line[:node.col_offset].decode('utf-8', 'replace')) + 1
        i = self.where.get((node.lineno, col, key))
        if i is None:
            return node
        call = ast.Call(func=ast.Name(id='_portalis_rec', ctx=ast.Load()),
                        args=[ast.Constant(value=i), node], keywords=[])
        return ast.copy_location(call, node)

    def visit_Name(self, node):
        if not isinstance(node.ctx, ast.Load):
            return node
        return self.wrap(node, node.id)

    def visit_Attribute(self, node):
        self.generic_visit(node)
        if not isinstance(node.ctx, ast.Load):
            return node
        return self.wrap(node, '.' + node.attr)


def run_case(case, types_file, out):
    entries = []
    with open(types_file, encoding='utf-8') as f:
        for ln in f:
            pos, name, ty = ln.rstrip('\n').split(' ', 2)
            line, col = pos.split(':')
            entries.append((int(line), int(col), name, ty, parse_type(ty)))
    where = {(e[0], e[1], e[2]): i for i, e in enumerate(entries)}
    path = case if os.path.isfile(case) else os.path.join(case, 'main.py')
    if os.path.isfile(case):
        case = os.path.dirname(case)
    with open(path, 'rb') as f:
        src = f.read()
    tree = Wrap(where, src.split(b'\n')).visit(ast.parse(src, path))
    ast.fix_missing_locations(tree)
    code = compile(tree, path, 'exec')
    seen = set()
    bad = {}

    def rec(i, v):
        seen.add(i)
        if i not in bad and not conforms(v, entries[i][4]):
            bad[i] = describe(v)
        return v

    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rfd)
        try:
            os.chdir(case)
            stdin = os.path.join(case, 'stdin')
            fd = os.open(stdin if os.path.exists(stdin) else os.devnull, os.O_RDONLY)
            os.dup2(fd, 0)
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            sys.stdin = open(0, encoding='utf-8', closefd=False)
            sys.stdout = open(1, 'w', encoding='utf-8', closefd=False)
            sys.stderr = open(2, 'w', encoding='utf-8', closefd=False)
            args = []
            if os.path.exists(os.path.join(case, 'args')):
                with open(os.path.join(case, 'args'), encoding='utf-8') as f:
                    args = f.read().splitlines()
            sys.argv = ['main.py'] + args
            sys.path.insert(0, case)
            import signal
            signal.alarm(30)
            g = {'__name__': '__main__', '__file__': path, '__builtins__': __builtins__}
            import builtins
            builtins._portalis_rec = rec
            try:
                exec(code, g)
            except BaseException:
                pass
            try:
                sys.stdout.flush()
            except BaseException:
                pass
        finally:
            lines = ['S %d' % i for i in sorted(seen)] + ['B %d %s' % (i, d) for i, d in bad.items()]
            os.write(wfd, ('\n'.join(lines) + '\n').encode())
            os.close(wfd)
            os._exit(0)
    os.close(wfd)
    data = b''
    while True:
        chunk = os.read(rfd, 65536)
        if not chunk:
            break
        data += chunk
    os.close(rfd)
    os.waitpid(pid, 0)
    nseen, nbad = 0, 0
    for ln in data.decode().splitlines():
        if ln.startswith('S '):
            nseen += 1
        elif ln.startswith('B '):
            _, i, d = ln.split(' ', 2)
            e = entries[int(i)]
            out.write('MISMATCH %s %d:%d %s static=%s runtime=%s\n' % (case, e[0], e[1], e[2], e[3], d))
            nbad += 1
    out.write('CHECKED %s %d\n' % (case, nseen))
    return nbad


def main():
    if len(sys.argv) != 2:
        sys.stderr.write('usage: infer_trace.py LIST_FILE\n')
        return 2
    bad = 0
    with open(sys.argv[1], encoding='utf-8') as f:
        for ln in f:
            if not ln.strip():
                continue
            case, types_file = ln.rstrip('\n').split('\t')
            bad += run_case(case, types_file, sys.stdout)
            sys.stdout.flush()
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
