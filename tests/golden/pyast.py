#!/usr/bin/env python3
"""Dumps a Python file with CPython's own ast module in the S-expression
format of py_ast_dump_nopos (agents/ast.c), so the golden files of
tests/test_ingest.c can be checked against CPython rather than against our
own output:  python3 tests/golden/pyast.py tests/golden/X.py > tests/golden/X.pyast

With --pos it prints instead, in the same order, one line per node that
the dump names: "Kind LINE COL" (CPython's lineno and col_offset + 1) or
"Kind - -" where CPython records no position or, for the parts of an
f-string, a useless one (3.11 gives every part the string's position):
    python3 tests/golden/pyast.py --pos X.py > X.pypos
"""
import ast
import sys

OPS = {ast.Add: "Add", ast.Sub: "Sub", ast.Mult: "Mult", ast.MatMult: "MatMult", ast.Div: "Div",
       ast.Mod: "Mod", ast.Pow: "Pow", ast.LShift: "LShift", ast.RShift: "RShift", ast.BitOr: "BitOr",
       ast.BitXor: "BitXor", ast.BitAnd: "BitAnd", ast.FloorDiv: "FloorDiv", ast.Invert: "Invert",
       ast.Not: "Not", ast.UAdd: "UAdd", ast.USub: "USub", ast.And: "And", ast.Or: "Or", ast.Eq: "Eq",
       ast.NotEq: "NotEq", ast.Lt: "Lt", ast.LtE: "LtE", ast.Gt: "Gt", ast.GtE: "GtE", ast.Is: "Is",
       ast.IsNot: "IsNot", ast.In: "In", ast.NotIn: "NotIn"}


def q(b):
    out = ['"']
    for c in b:
        ch = chr(c)
        if ch == '"': out.append('\\"')
        elif ch == '\\': out.append('\\\\')
        elif ch == '\n': out.append('\\n')
        elif ch == '\t': out.append('\\t')
        elif ch == '\r': out.append('\\r')
        elif c < 0x20 or c == 0x7f: out.append('\\x%02x' % c)
        else: out.append(None); out[-1] = bytes([c])
    # join bytes/str pieces back into UTF-8 text
    res = b''.join(x if isinstance(x, bytes) else x.encode() for x in out)
    return res.decode('utf-8', 'surrogateescape') + '"'


def ctx(n):
    c = getattr(n, 'ctx', None)
    return ' store' if isinstance(c, ast.Store) else ' del' if isinstance(c, ast.Del) else ''


def docstring(body):
    return bool(body) and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
        and isinstance(body[0].value.value, str)


def fields(name, lst):
    return '' if not lst else ' (%s %s)' % (name, ' '.join(d(x) for x in lst))


def field(name, x):
    return '' if x is None else ' (%s %s)' % (name, d(x))


def args(a):
    out = []
    npos = len(a.posonlyargs) + len(a.args)
    defaults = [None] * (npos - len(a.defaults)) + list(a.defaults)
    for i, x in enumerate(a.posonlyargs):
        out.append(arg(x, 'posonly', defaults[i]))
    for i, x in enumerate(a.args):
        out.append(arg(x, '', defaults[len(a.posonlyargs) + i]))
    if a.vararg: out.append(arg(a.vararg, 'vararg', None))
    for x, dflt in zip(a.kwonlyargs, a.kw_defaults):
        out.append(arg(x, 'kwonly', dflt))
    if a.kwarg: out.append(arg(a.kwarg, 'kwarg', None))
    return '' if not out else ' (args %s)' % ' '.join(out)


def arg(x, kind, dflt):
    return '(arg %s%s%s%s)' % (x.arg, ' ' + kind if kind else '', field('annotation', x.annotation), field('default', dflt))


def const(v):
    val = v.value
    if val is None: return '(None)'
    if val is Ellipsis: return '(Ellipsis)'
    if isinstance(val, bool): return '(Bool %s)' % val
    if isinstance(val, int): return '(Int %s)' % src_of(v)
    if isinstance(val, float): return '(Float %s)' % src_of(v)
    if isinstance(val, complex): return '(Imag %s)' % src_of(v)[:-1]
    if isinstance(val, str): return '(Str %s)' % q(val.encode('utf-8', 'surrogatepass'))
    if isinstance(val, bytes): return '(Bytes %s)' % q(val)
    raise ValueError(val)


SRC = []


def src_of(n):
    line = SRC[n.lineno - 1].encode()
    t = line[n.col_offset:n.end_col_offset].decode().replace('_', '').lower() if n.lineno == n.end_lineno else '?'
    return t


def d(n):
    k = type(n).__name__
    if isinstance(n, ast.Constant): return const(n)
    if isinstance(n, ast.Module):
        return '(Module%s%s)' % (' docstring' if docstring(n.body) else '', fields('body', n.body))
    if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return '(FunctionDef %s%s%s%s%s%s%s)' % (n.name, ' async' if isinstance(n, ast.AsyncFunctionDef) else '',
                                                ' docstring' if docstring(n.body) else '', fields('decorators', n.decorator_list),
                                                args(n.args), field('returns', n.returns), fields('body', n.body))
    if isinstance(n, ast.ClassDef):
        return '(ClassDef %s%s%s%s%s%s)' % (n.name, ' docstring' if docstring(n.body) else '', fields('decorators', n.decorator_list),
                                          fields('bases', n.bases), fields('keywords', n.keywords), fields('body', n.body))
    if isinstance(n, ast.Return): return '(Return%s)' % ('' if n.value is None else ' ' + d(n.value))
    if isinstance(n, ast.Delete): return '(Delete%s)' % fields('targets', n.targets)
    if isinstance(n, ast.Assign): return '(Assign%s%s)' % (fields('targets', n.targets), field('value', n.value))
    if isinstance(n, ast.AugAssign):
        return '(AugAssign %s%s%s)' % (OPS[type(n.op)], field('target', n.target), field('value', n.value))
    if isinstance(n, ast.AnnAssign):
        return '(AnnAssign%s%s%s%s)' % (' simple' if n.simple else '', field('target', n.target), field('annotation', n.annotation), field('value', n.value))
    if isinstance(n, (ast.For, ast.AsyncFor)):
        return '(For%s%s%s%s%s)' % (' async' if isinstance(n, ast.AsyncFor) else '', field('target', n.target), field('iter', n.iter),
                                    fields('body', n.body), fields('orelse', n.orelse))
    if isinstance(n, (ast.While, ast.If)):
        return '(%s%s%s%s)' % (k, field('test', n.test), fields('body', n.body), fields('orelse', n.orelse))
    if isinstance(n, (ast.With, ast.AsyncWith)):
        return '(With%s%s%s)' % (' async' if isinstance(n, ast.AsyncWith) else '', fields('items', n.items), fields('body', n.body))
    if isinstance(n, ast.withitem): return '(withitem %s%s)' % (d(n.context_expr), field('as', n.optional_vars))
    if isinstance(n, ast.Match): return '(Match%s%s)' % (field('subject', n.subject), fields('cases', n.cases))
    if isinstance(n, ast.Raise): return '(Raise%s%s)' % (field('exc', n.exc), field('cause', n.cause))
    if isinstance(n, (ast.Try, getattr(ast, 'TryStar', ast.Try))):
        return '(Try%s%s%s%s%s)' % (' star' if type(n).__name__ == 'TryStar' else '', fields('body', n.body), fields('handlers', n.handlers),
                                    fields('orelse', n.orelse), fields('finalbody', n.finalbody))
    if isinstance(n, ast.ExceptHandler):
        return '(ExceptHandler%s%s%s)' % (field('type', n.type), ' (name %s)' % n.name if n.name else '', fields('body', n.body))
    if isinstance(n, ast.Assert): return '(Assert%s%s)' % (field('test', n.test), field('msg', n.msg))
    if isinstance(n, ast.Import): return '(Import%s)' % fields('names', n.names)
    if isinstance(n, ast.ImportFrom):
        return '(ImportFrom %s%s%s)' % (n.module or '-', ' (level %d)' % n.level if n.level else '', fields('names', n.names))
    if isinstance(n, ast.alias): return '(alias %s%s)' % (n.name, ' as ' + n.asname if n.asname else '')
    if isinstance(n, (ast.Global, ast.Nonlocal)): return '(%s (names %s))' % (k, ' '.join(n.names))
    if isinstance(n, ast.Expr): return '(Expr %s)' % d(n.value)
    if isinstance(n, (ast.Pass, ast.Break, ast.Continue)): return '(%s)' % k
    if isinstance(n, ast.BoolOp): return '(BoolOp %s%s)' % (OPS[type(n.op)], fields('values', n.values))
    if isinstance(n, ast.NamedExpr): return '(NamedExpr%s%s)' % (field('target', n.target), field('value', n.value))
    if isinstance(n, ast.BinOp): return '(BinOp %s %s %s)' % (OPS[type(n.op)], d(n.left), d(n.right))
    if isinstance(n, ast.UnaryOp): return '(UnaryOp %s %s)' % (OPS[type(n.op)], d(n.operand))
    if isinstance(n, ast.Lambda): return '(Lambda%s%s)' % (args(n.args), field('body', n.body))
    if isinstance(n, ast.IfExp): return '(IfExp%s%s%s)' % (field('test', n.test), field('body', n.body), field('orelse', n.orelse))
    if isinstance(n, ast.Dict):
        return '(Dict%s)' % ''.join(' (%s %s)' % (d(a) if a is not None else '**', d(b)) for a, b in zip(n.keys, n.values))
    if isinstance(n, ast.Set): return '(Set%s)' % fields('elts', n.elts)
    if isinstance(n, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
        return '(%s%s%s)' % (k, field('elt', n.elt), fields('generators', n.generators))
    if isinstance(n, ast.DictComp):
        return '(DictComp%s%s%s)' % (field('key', n.key), field('value', n.value), fields('generators', n.generators))
    if isinstance(n, ast.comprehension):
        return '(comprehension%s%s%s%s)' % (' async' if n.is_async else '', field('target', n.target), field('iter', n.iter), fields('ifs', n.ifs))
    if isinstance(n, ast.Await): return '(Await %s)' % d(n.value)
    if isinstance(n, (ast.Yield, ast.YieldFrom)): return '(%s%s)' % (k, '' if n.value is None else ' ' + d(n.value))
    if isinstance(n, ast.Compare):
        return '(Compare %s%s)' % (d(n.left), ''.join(' %s %s' % (OPS[type(o)], d(c)) for o, c in zip(n.ops, n.comparators)))
    if isinstance(n, ast.Call):
        return '(Call%s%s%s)' % (field('func', n.func), fields('args', n.args), fields('keywords', n.keywords))
    if isinstance(n, ast.keyword): return '(keyword %s %s)' % (n.arg or '**', d(n.value))
    if isinstance(n, ast.FormattedValue):
        return '(FormattedValue %s%s%s)' % (d(n.value), ' !%c' % n.conversion if n.conversion >= 0 else '', field('spec', n.format_spec))
    if isinstance(n, ast.JoinedStr): return '(JoinedStr%s)' % fields('values', n.values)
    if isinstance(n, ast.Attribute): return '(Attribute %s %s%s)' % (d(n.value), n.attr, ctx(n))
    if isinstance(n, ast.Subscript): return '(Subscript %s %s%s)' % (d(n.value), d(n.slice), ctx(n))
    if isinstance(n, ast.Starred): return '(Starred %s%s)' % (d(n.value), ctx(n))
    if isinstance(n, ast.Name): return '(Name %s%s)' % (n.id, ctx(n))
    if isinstance(n, (ast.List, ast.Tuple)): return '(%s%s%s)' % (k, ctx(n), ''.join(' ' + d(e) for e in n.elts))
    if isinstance(n, ast.Slice): return '(Slice%s%s%s)' % (field('lower', n.lower), field('upper', n.upper), field('step', n.step))
    if isinstance(n, ast.match_case):
        return '(match_case%s%s%s)' % (field('pattern', n.pattern), field('guard', n.guard), fields('body', n.body))
    if isinstance(n, ast.MatchValue): return '(MatchValue %s)' % d(n.value)
    if isinstance(n, ast.MatchSingleton): return '(MatchSingleton %s)' % const(ast.Constant(n.value))
    if isinstance(n, ast.MatchSequence): return '(MatchSequence%s)' % fields('patterns', n.patterns)
    if isinstance(n, ast.MatchOr): return '(MatchOr%s)' % fields('patterns', n.patterns)
    if isinstance(n, ast.MatchMapping):
        return '(MatchMapping%s%s%s)' % (fields('keys', n.keys), fields('patterns', n.patterns), ' (rest %s)' % n.rest if n.rest else '')
    if isinstance(n, ast.MatchClass):
        return '(MatchClass%s%s%s%s)' % (field('cls', n.cls), fields('patterns', n.patterns),
                                         ' (kwd_attrs %s)' % ' '.join(n.kwd_attrs) if n.kwd_attrs else '', fields('kwd_patterns', n.kwd_patterns))
    if isinstance(n, ast.MatchStar): return '(MatchStar%s)' % (' (name %s)' % n.name if n.name else '')
    if isinstance(n, ast.MatchAs):
        return '(MatchAs%s%s)' % (field('pattern', n.pattern), ' (name %s)' % n.name if n.name else '')
    raise ValueError(k)


NODES = {'arg', 'keyword', 'alias', 'withitem', 'comprehension', 'match_case'}


def mark_fstring_parts(tree):
    for n in ast.walk(tree):
        if isinstance(n, ast.JoinedStr):
            for v in n.values:
                v._fpart = True
                if isinstance(v, ast.FormattedValue) and v.format_spec is not None:
                    v.format_spec._fpart = True


def with_pos(n):
    r = PLAIN(n)
    if hasattr(n, 'lineno') and not isinstance(n, ast.Module) and not getattr(n, '_fpart', False) and r.startswith('('):
        j = 1
        while j < len(r) and r[j] not in ' )':
            j += 1
        r = r[:j] + ' @%d:%d' % (n.lineno, n.col_offset + 1) + r[j:]
    return r


if __name__ == '__main__':
    import re
    pos = sys.argv[1] == '--pos'
    path = sys.argv[2] if pos else sys.argv[1]
    text = open(path, encoding='utf-8').read()
    SRC[:] = text.split('\n')
    if not pos:
        print(d(ast.parse(text)))
    else:
        PLAIN = d
        d = with_pos
        # the parts of an f-string carry CPython 3.11's collapsed positions
        tree = ast.parse(text)
        mark_fstring_parts(tree)
        for k, has, l, c in re.findall(r'\((\w+)( @(\d+):(\d+))?', d(tree)):
            if not (k[0].isupper() or k in NODES):
                continue
            print(k, l if has else '-', c if has else '-')
