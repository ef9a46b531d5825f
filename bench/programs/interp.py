# bench: object
# A tree-walking interpreter for a tiny language: a tokenizer built on str
# methods, a recursive-descent parser producing AST node classes, and an
# evaluate() method per node class (polymorphic dispatch on every step) over
# environments kept in dicts. Runs a few programs (loops, recursion, while)
# written in that language and prints their results.


class Node:
    def evaluate(self, env):
        raise NotImplementedError(type(self).__name__)


class Num(Node):
    def __init__(self, value):
        self.value = value

    def evaluate(self, env):
        return self.value


class Var(Node):
    def __init__(self, name):
        self.name = name

    def evaluate(self, env):
        return env.lookup(self.name)


class BinOp(Node):
    def __init__(self, op, left, right):
        self.op = op
        self.left = left
        self.right = right

    def evaluate(self, env):
        a = self.left.evaluate(env)
        b = self.right.evaluate(env)
        op = self.op
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            return a // b
        if op == "%":
            return a % b
        if op == "<":
            return int(a < b)
        if op == "==":
            return int(a == b)
        raise ValueError("bad operator " + op)


class Call(Node):
    def __init__(self, name, args):
        self.name = name
        self.args = args

    def evaluate(self, env):
        fn = env.lookup(self.name)
        return fn.call([a.evaluate(env) for a in self.args])


class If(Node):
    def __init__(self, cond, then, other):
        self.cond = cond
        self.then = then
        self.other = other

    def evaluate(self, env):
        if self.cond.evaluate(env):
            return self.then.evaluate(env)
        return self.other.evaluate(env)


class Assign(Node):
    def __init__(self, name, expr):
        self.name = name
        self.expr = expr

    def evaluate(self, env):
        value = self.expr.evaluate(env)
        env.assign(self.name, value)
        return value


class While(Node):
    def __init__(self, cond, body):
        self.cond = cond
        self.body = body

    def evaluate(self, env):
        result = 0
        while self.cond.evaluate(env):
            result = self.body.evaluate(env)
        return result


class Block(Node):
    def __init__(self, items):
        self.items = items

    def evaluate(self, env):
        result = 0
        for item in self.items:
            result = item.evaluate(env)
        return result


class Function:
    def __init__(self, name, params, body, closure):
        self.name = name
        self.params = params
        self.body = body
        self.closure = closure

    def call(self, args):
        env = Env(dict(zip(self.params, args)), self.closure)
        return self.body.evaluate(env)

    def __repr__(self):
        return "<fn %s/%d>" % (self.name, len(self.params))


class Def(Node):
    def __init__(self, name, params, body):
        self.name = name
        self.params = params
        self.body = body

    def evaluate(self, env):
        fn = Function(self.name, self.params, self.body, env)
        env.define(self.name, fn)
        return fn


class Env:
    def __init__(self, names, parent):
        self.names = names
        self.parent = parent

    def lookup(self, name):
        env = self
        while env is not None:
            if name in env.names:
                return env.names[name]
            env = env.parent
        raise NameError("undefined: " + name)

    def define(self, name, value):
        self.names[name] = value

    def assign(self, name, value):
        env = self
        while env is not None:
            if name in env.names:
                env.names[name] = value
                return
            env = env.parent
        self.names[name] = value


def tokenize(src):
    tokens = []
    for raw in src.replace("(", " ( ").replace(")", " ) ").replace(",", " , ").replace(";", " ; ").split():
        if raw.isdigit():
            tokens.append(("num", int(raw)))
        elif raw.isidentifier():
            tokens.append(("kw" if raw in KEYWORDS else "name", raw))
        else:
            tokens.append(("op", raw))
    return tokens


KEYWORDS = {"def", "if", "then", "else", "end", "while", "do", "let"}
PRECEDENCE = {"==": 1, "<": 2, "+": 3, "-": 3, "*": 4, "/": 4, "%": 4}


class ParseError(Exception):
    pass


class Parser:
    def __init__(self, tokens):
        self.tokens = tokens
        self.i = 0

    def peek(self):
        if self.i < len(self.tokens):
            return self.tokens[self.i]
        return ("eof", None)

    def take(self, value=None):
        tok = self.peek()
        if value is not None and tok[1] != value:
            raise ParseError("expected %r, got %r" % (value, tok[1]))
        self.i += 1
        return tok

    def program(self):
        items = [self.statement()]
        while self.peek()[1] == ";":
            self.take(";")
            if self.peek()[0] == "eof" or self.peek()[1] in ("end", "else"):
                break
            items.append(self.statement())
        return Block(items)

    def statement(self):
        kind, value = self.peek()
        if value == "def":
            self.take()
            name = self.take()[1]
            self.take("(")
            params = []
            while self.peek()[1] != ")":
                params.append(self.take()[1])
                if self.peek()[1] == ",":
                    self.take()
            self.take(")")
            body = self.program()
            self.take("end")
            return Def(name, params, body)
        if value == "let":
            self.take()
            name = self.take()[1]
            self.take("=")
            return Assign(name, self.expression(0))
        if value == "while":
            self.take()
            cond = self.expression(0)
            self.take("do")
            body = self.program()
            self.take("end")
            return While(cond, body)
        return self.expression(0)

    def expression(self, min_prec):
        left = self.atom()
        while True:
            kind, op = self.peek()
            prec = PRECEDENCE.get(op) if kind == "op" else None
            if prec is None or prec <= min_prec:
                return left
            self.take()
            left = BinOp(op, left, self.expression(prec))

    def atom(self):
        kind, value = self.take()
        if kind == "num":
            return Num(value)
        if value == "(":
            e = self.expression(0)
            self.take(")")
            return e
        if value == "if":
            cond = self.expression(0)
            self.take("then")
            then = self.program()
            self.take("else")
            other = self.program()
            self.take("end")
            return If(cond, then, other)
        if kind == "name":
            if self.peek()[1] == "(":
                self.take()
                args = []
                while self.peek()[1] != ")":
                    args.append(self.expression(0))
                    if self.peek()[1] == ",":
                        self.take()
                self.take(")")
                return Call(value, args)
            return Var(value)
        raise ParseError("unexpected %r" % (value,))


PROGRAMS = [
    ("fib", "def fib(n) if n < 2 then n else fib(n - 1) + fib(n - 2) end end; fib(21)"),
    ("loop", "let i = 0; let s = 0; while i < 90000 do let s = s + i * i % 7; let i = i + 1 end; s"),
    ("gcd", "def gcd(a, b) if b == 0 then a else gcd(b, a % b) end end;"
            "let k = 1; let t = 0; while k < 12000 do let t = t + gcd(k * 7919, 104729 % k + k); let k = k + 1 end; t"),
    ("collatz", "def steps(n) let c = 0; while 1 < n do let n = if n % 2 == 0 then n / 2 else 3 * n + 1 end;"
                " let c = c + 1 end; c end; let m = 0; let j = 1;"
                " while j < 3000 do let m = m + steps(j); let j = j + 1 end; m"),
]

for name, src in PROGRAMS:
    tree = Parser(tokenize(src)).program()
    env = Env({}, None)
    result = tree.evaluate(env)
    fns = sorted(repr(v) for v in env.names.values() if isinstance(v, Function))
    print("%-8s tokens %4d result %d defs %s" % (name, len(tokenize(src)), result, fns))
try:
    Parser(tokenize("let x = (1 + ;")).program()
except ParseError as e:
    print("ParseError:", e)
try:
    Parser(tokenize("y + 1")).program().evaluate(Env({}, None))
except NameError as e:
    print("NameError:", e)
