"""A tiny expression language, the way hobby interpreters are written:
a regex tokenizer, a recursive-descent parser building AST node classes,
and a tree-walking evaluator with closures and lexical scopes. Reads a
program from stdin, prints each `print` and reports errors with positions."""
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

TOKEN = re.compile(r"""
    (?P<ws>[ \t]+)|(?P<nl>\n)|(?P<comment>\#[^\n]*)
  | (?P<num>\d+(?:\.\d+)?)|(?P<str>"(?:[^"\\]|\\.)*")
  | (?P<name>[A-Za-z_]\w*)|(?P<op>==|!=|<=|>=|=>|[-+*/%<>=(){},;])
""", re.VERBOSE)
KEYWORDS = {"let", "fn", "if", "else", "while", "print", "return", "true", "false"}


class LangError(Exception):
    def __init__(self, msg, line, col):
        super().__init__(f"{line}:{col}: {msg}")
        self.line, self.col = line, col


@dataclass
class Tok:
    kind: str
    text: str
    line: int
    col: int


def tokenize(src):
    toks, line, start, pos = [], 1, 0, 0
    while pos < len(src):
        m = TOKEN.match(src, pos)
        if not m:
            raise LangError(f"unexpected character {src[pos]!r}", line, pos - start + 1)
        kind = m.lastgroup
        if kind == "nl":
            line, start = line + 1, m.end()
        elif kind not in ("ws", "comment"):
            text = m.group()
            if kind == "name" and text in KEYWORDS:
                kind = text
            toks.append(Tok(kind, text, line, m.start() - start + 1))
        pos = m.end()
    toks.append(Tok("eof", "", line, pos - start + 1))
    return toks


@dataclass
class Node:
    line: int


@dataclass
class Num(Node):
    value: Any


@dataclass
class Str(Node):
    value: str


@dataclass
class Var(Node):
    name: str


@dataclass
class BinOp(Node):
    op: str
    left: Node
    right: Node


@dataclass
class Call(Node):
    fn: Node
    args: List[Node]


@dataclass
class Lambda(Node):
    params: List[str]
    body: List[Node]


@dataclass
class Let(Node):
    name: str
    value: Node


@dataclass
class Assign(Node):
    name: str
    value: Node


@dataclass
class If(Node):
    cond: Node
    then: List[Node]
    other: Optional[List[Node]] = None


@dataclass
class While(Node):
    cond: Node
    body: List[Node]


@dataclass
class Print(Node):
    args: List[Node]


@dataclass
class Return(Node):
    value: Node


PREC = {"==": 1, "!=": 1, "<": 2, ">": 2, "<=": 2, ">=": 2, "+": 3, "-": 3, "*": 4, "/": 4, "%": 4}


class Parser:
    def __init__(self, toks):
        self.toks, self.i = toks, 0

    def peek(self):
        return self.toks[self.i]

    def next(self):
        t = self.toks[self.i]
        self.i += 1
        return t

    def expect(self, text):
        t = self.next()
        if t.text != text and t.kind != text:
            raise LangError(f"expected {text!r}, found {t.text or 'end of input'!r}", t.line, t.col)
        return t

    def program(self):
        out = []
        while self.peek().kind != "eof":
            out.append(self.statement())
        return out

    def block(self):
        self.expect("{")
        out = []
        while self.peek().text != "}":
            if self.peek().kind == "eof":
                t = self.peek()
                raise LangError("unclosed block", t.line, t.col)
            out.append(self.statement())
        self.expect("}")
        return out

    def statement(self):
        t = self.peek()
        if t.kind == "let":
            self.next()
            name = self.expect("name").text
            self.expect("=")
            node = Let(t.line, name, self.expr())
        elif t.kind == "if":
            self.next()
            cond = self.expr()
            then = self.block()
            other = None
            if self.peek().kind == "else":
                self.next()
                other = [self.statement()] if self.peek().kind == "if" else self.block()
            return If(t.line, cond, then, other)
        elif t.kind == "while":
            self.next()
            cond = self.expr()
            return While(t.line, cond, self.block())
        elif t.kind == "print":
            self.next()
            self.expect("(")
            args = self.arglist()
            node = Print(t.line, args)
        elif t.kind == "return":
            self.next()
            node = Return(t.line, self.expr())
        elif t.kind == "name" and self.toks[self.i + 1].text == "=":
            self.next()
            self.next()
            node = Assign(t.line, t.text, self.expr())
        else:
            node = self.expr()
        self.expect(";")
        return node

    def arglist(self):
        args = []
        while self.peek().text != ")":
            args.append(self.expr())
            if self.peek().text == ",":
                self.next()
        self.expect(")")
        return args

    def expr(self, min_prec=1):
        left = self.unary()
        while self.peek().text in PREC and PREC[self.peek().text] >= min_prec:
            op = self.next()
            right = self.expr(PREC[op.text] + 1)
            left = BinOp(op.line, op.text, left, right)
        return left

    def unary(self):
        t = self.peek()
        if t.text == "-":
            self.next()
            return BinOp(t.line, "-", Num(t.line, 0), self.unary())
        node = self.primary()
        while self.peek().text == "(":
            self.next()
            node = Call(t.line, node, self.arglist())
        return node

    def primary(self):
        t = self.next()
        if t.kind == "num":
            return Num(t.line, float(t.text) if "." in t.text else int(t.text))
        if t.kind == "str":
            return Str(t.line, t.text[1:-1].replace('\\"', '"').replace("\\n", "\n"))
        if t.kind in ("true", "false"):
            return Num(t.line, t.kind == "true")
        if t.kind == "name":
            return Var(t.line, t.text)
        if t.kind == "fn":
            self.expect("(")
            params = []
            while self.peek().text != ")":
                params.append(self.expect("name").text)
                if self.peek().text == ",":
                    self.next()
            self.expect(")")
            return Lambda(t.line, params, self.block())
        if t.text == "(":
            e = self.expr()
            self.expect(")")
            return e
        raise LangError(f"unexpected {t.text or 'end of input'!r}", t.line, t.col)


class Env:
    def __init__(self, parent=None):
        self.vars: Dict[str, Any] = {}
        self.parent = parent

    def find(self, name):
        env = self
        while env is not None:
            if name in env.vars:
                return env
            env = env.parent
        return None


@dataclass
class Closure:
    params: List[str]
    body: List[Node]
    env: Env
    calls: int = field(default=0)

    def __repr__(self):
        return f"<fn/{len(self.params)}>"


class ReturnSignal(Exception):
    def __init__(self, value):
        self.value = value


OPS = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": lambda a, b: a / b if isinstance(a, float) or isinstance(b, float) or a % b else a // b,
    "%": lambda a, b: a % b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b,
}


def show(v):
    if v is True:
        return "true"
    if v is False:
        return "false"
    return str(v)


class Interp:
    def __init__(self, out):
        self.out = out
        self.globals = Env()
        self.globals.vars["len"] = len
        self.globals.vars["str"] = show
        self.steps = 0

    def run(self, stmts, env):
        for s in stmts:
            self.exec(s, env)

    def exec(self, s, env):
        self.steps += 1
        if isinstance(s, Let):
            env.vars[s.name] = self.eval(s.value, env)
        elif isinstance(s, Assign):
            target = env.find(s.name)
            if target is None:
                raise LangError(f"assignment to undeclared {s.name!r}", s.line, 1)
            target.vars[s.name] = self.eval(s.value, env)
        elif isinstance(s, If):
            if self.eval(s.cond, env):
                self.run(s.then, Env(env))
            elif s.other is not None:
                self.run(s.other, Env(env))
        elif isinstance(s, While):
            while self.eval(s.cond, env):
                self.run(s.body, Env(env))
        elif isinstance(s, Print):
            self.out.append(" ".join(show(self.eval(a, env)) for a in s.args))
        elif isinstance(s, Return):
            raise ReturnSignal(self.eval(s.value, env))
        else:
            self.eval(s, env)

    def eval(self, e, env):
        if isinstance(e, (Num, Str)):
            return e.value
        if isinstance(e, Var):
            where = env.find(e.name)
            if where is None:
                raise LangError(f"undefined name {e.name!r}", e.line, 1)
            return where.vars[e.name]
        if isinstance(e, BinOp):
            a, b = self.eval(e.left, env), self.eval(e.right, env)
            try:
                return OPS[e.op](a, b)
            except ZeroDivisionError:
                raise LangError("division by zero", e.line, 1) from None
            except TypeError:
                raise LangError(f"bad operands for {e.op}: {type(a).__name__}, {type(b).__name__}", e.line, 1) from None
        if isinstance(e, Lambda):
            return Closure(e.params, e.body, env)
        if isinstance(e, Call):
            fn = self.eval(e.fn, env)
            args = [self.eval(a, env) for a in e.args]
            if isinstance(fn, Closure):
                if len(args) != len(fn.params):
                    raise LangError(f"{fn!r} called with {len(args)} argument(s)", e.line, 1)
                fn.calls += 1
                local = Env(fn.env)
                local.vars.update(zip(fn.params, args))
                try:
                    self.run(fn.body, local)
                except ReturnSignal as r:
                    return r.value
                return None
            if callable(fn):
                return fn(*args)
            raise LangError(f"{show(fn)} is not a function", e.line, 1)
        raise LangError(f"cannot evaluate {type(e).__name__}", e.line, 1)


def main():
    source = sys.stdin.read()
    chunks = source.split("\n---\n")
    for n, chunk in enumerate(chunks, 1):
        out = []
        interp = Interp(out)
        try:
            prog = Parser(tokenize(chunk)).program()
            interp.run(prog, interp.globals)
            status = "ok"
        except LangError as err:
            status = f"error {err}"
        except RecursionError:
            status = "error: too deep"
        print(f"== program {n}: {status} ({interp.steps} steps)")
        for line in out:
            print("  " + line)
        fns = sorted((k, v.calls) for k, v in interp.globals.vars.items() if isinstance(v, Closure))
        if fns:
            print("  calls:", ", ".join(f"{k}={c}" for k, c in fns))


main()
