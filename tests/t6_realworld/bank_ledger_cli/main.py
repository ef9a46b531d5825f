"""A command-line ledger tool in the shape of a small published CLI: a
hand-rolled sub-command dispatcher over sys.argv, a dataclass domain model
with enums and custom exception hierarchy, commands read from stdin, errors
on stderr and a non-zero exit status when any command failed."""
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from decimal_free_money import Money  # a local module: money without floats
from enum import Enum


class Kind(Enum):
    DEPOSIT = "deposit"
    WITHDRAW = "withdraw"
    TRANSFER = "transfer"
    FEE = "fee"


class LedgerError(Exception):
    code = 1


class UnknownAccount(LedgerError):
    code = 3

    def __init__(self, name):
        super().__init__(f"unknown account {name!r}")


class InsufficientFunds(LedgerError):
    code = 4

    def __init__(self, name, have, want):
        super().__init__(f"{name}: balance {have} is less than {want}")


@dataclass(order=True)
class Entry:
    seq: int
    kind: Kind = field(compare=False)
    account: str = field(compare=False)
    amount: Money = field(compare=False)
    memo: str = field(default="", compare=False)


@dataclass
class Account:
    name: str
    overdraft: Money = field(default_factory=Money.zero)
    balance: Money = field(default_factory=Money.zero)
    history: list = field(default_factory=list, repr=False)


class Ledger:
    def __init__(self, fee_rate_bp):
        self.accounts = {}
        self.seq = 0
        self.fee_rate_bp = fee_rate_bp
        self.totals = defaultdict(Money.zero)

    def open(self, name, overdraft="0"):
        if name in self.accounts:
            raise LedgerError(f"account {name!r} exists")
        self.accounts[name] = Account(name, Money.parse(overdraft))
        return self.accounts[name]

    def get(self, name):
        try:
            return self.accounts[name]
        except KeyError:
            raise UnknownAccount(name) from None

    def _post(self, kind, acct, amount, memo=""):
        self.seq += 1
        e = Entry(self.seq, kind, acct.name, amount, memo)
        acct.history.append(e)
        if kind is Kind.DEPOSIT or (kind is Kind.TRANSFER and memo.startswith("from")):
            acct.balance = acct.balance + amount
        else:
            acct.balance = acct.balance - amount
        self.totals[kind] = self.totals[kind] + amount
        return e

    def _check(self, acct, amount):
        if acct.balance + acct.overdraft < amount:
            raise InsufficientFunds(acct.name, acct.balance, amount)

    def deposit(self, name, amount):
        return self._post(Kind.DEPOSIT, self.get(name), Money.parse(amount))

    def withdraw(self, name, amount):
        acct, amt = self.get(name), Money.parse(amount)
        fee = amt.scale_bp(self.fee_rate_bp)
        self._check(acct, amt + fee)
        self._post(Kind.WITHDRAW, acct, amt)
        if fee:
            self._post(Kind.FEE, acct, fee, "withdrawal fee")

    def transfer(self, src, dst, amount):
        a, b, amt = self.get(src), self.get(dst), Money.parse(amount)
        self._check(a, amt)
        self._post(Kind.TRANSFER, a, amt, f"to {b.name}")
        self._post(Kind.TRANSFER, b, amt, f"from {a.name}")


def cmd_report(ledger, out):
    width = max(len(n) for n in ledger.accounts) if ledger.accounts else 4
    out.append(f"{'account':<{width}}  {'balance':>10}  entries")
    for name in sorted(ledger.accounts):
        a = ledger.accounts[name]
        out.append(f"{name:<{width}}  {str(a.balance):>10}  {len(a.history)}")
    for kind in Kind:
        if kind in ledger.totals:
            out.append(f"total {kind.value}: {ledger.totals[kind]}")


def cmd_history(ledger, out, name):
    for e in sorted(ledger.get(name).history, reverse=True)[:3]:
        out.append(f"#{e.seq} {e.kind.name.lower():8} {str(e.amount):>9} {e.memo}".rstrip())


USAGE = "usage: ledger [--fee BP] [--quiet] run|check"


def parse_args(argv):
    opts = {"fee": 0, "quiet": False, "command": None}
    it = iter(argv)
    for a in it:
        if a == "--fee":
            try:
                opts["fee"] = int(next(it))
            except (StopIteration, ValueError):
                raise SystemExit(f"{USAGE}\nledger: --fee needs an integer")
        elif a.startswith("--fee="):
            opts["fee"] = int(a.split("=", 1)[1])
        elif a == "--quiet":
            opts["quiet"] = True
        elif a.startswith("-"):
            raise SystemExit(f"{USAGE}\nledger: unknown option {a}")
        elif opts["command"] is None:
            opts["command"] = a
        else:
            raise SystemExit(f"{USAGE}\nledger: extra argument {a!r}")
    if opts["command"] not in ("run", "check"):
        raise SystemExit(USAGE)
    return opts


def main(argv):
    opts = parse_args(argv)
    ledger = Ledger(opts["fee"])
    out, failures = [], 0
    handlers = {
        "open": lambda *a: ledger.open(*a),
        "deposit": ledger.deposit,
        "withdraw": ledger.withdraw,
        "transfer": ledger.transfer,
        "report": lambda: cmd_report(ledger, out),
        "history": lambda name: cmd_history(ledger, out, name),
    }
    for lineno, line in enumerate(sys.stdin, 1):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        cmd, *args = words
        try:
            handler = handlers[cmd]
        except KeyError:
            print(f"line {lineno}: unknown command {cmd!r}", file=sys.stderr)
            failures += 1
            continue
        try:
            handler(*args)
        except LedgerError as e:
            failures += 1
            print(f"line {lineno}: {type(e).__name__} (code {e.code}): {e}", file=sys.stderr)
        except (TypeError, ValueError) as e:
            failures += 1
            print(f"line {lineno}: bad arguments to {cmd}: {e}", file=sys.stderr)
    if opts["command"] == "run" and not opts["quiet"]:
        print("\n".join(out))
    print(f"{failures} failed command(s), fee {opts['fee']}bp")
    return 2 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
