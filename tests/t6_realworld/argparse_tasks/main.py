"""A to-do manager CLI in the shape most published Python tools have: an
argparse parser with sub-commands (each with its own options, defaults,
choices, types and mutually exclusive groups), set_defaults(func=...)
dispatch, a custom type function with a clear error, and a main(argv)
that the tests drive with fixed argument lists. argparse's own usage
and error messages go to stderr, with exit status 2."""
import argparse
import sys

TASKS = [
    {"id": 1, "title": "write report", "prio": "high", "done": False, "tags": ["work"]},
    {"id": 2, "title": "buy milk", "prio": "low", "done": True, "tags": ["home"]},
    {"id": 3, "title": "fix bike", "prio": "medium", "done": False, "tags": ["home", "weekend"]},
]


def positive(text):
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer")
    if n <= 0:
        raise argparse.ArgumentTypeError(f"{n} is not positive")
    return n


def cmd_list(args):
    rows = [t for t in TASKS if args.all or not t["done"]]
    if args.tag:
        rows = [t for t in rows if args.tag in t["tags"]]
    order = {"high": 0, "medium": 1, "low": 2}
    rows.sort(key=(lambda t: order[t["prio"]]) if args.sort == "prio" else (lambda t: t[args.sort]),
              reverse=args.reverse)
    for t in rows[:args.limit]:
        mark = "x" if t["done"] else " "
        print(f"[{mark}] {t['id']:>2} {t['title']:<14} {t['prio']:<6} {','.join(t['tags'])}")
    return 0


def cmd_add(args):
    new = {"id": max(t["id"] for t in TASKS) + 1, "title": " ".join(args.title), "prio": args.priority,
           "done": False, "tags": args.tag or []}
    TASKS.append(new)
    if args.verbose:
        print(f"added #{new['id']}: {new}")
    else:
        print(f"added #{new['id']}")
    return 0


def cmd_done(args):
    missing = [i for i in args.ids if i not in {t["id"] for t in TASKS}]
    for t in TASKS:
        if t["id"] in args.ids:
            t["done"] = not args.undo
    print(f"marked {len(args.ids) - len(missing)} task(s) {'open' if args.undo else 'done'}"
          + (f"; unknown: {missing}" if missing else ""))
    return 1 if missing else 0


def build_parser():
    p = argparse.ArgumentParser(prog="todo", description="Keep track of tasks.",
                                epilog="Run 'todo COMMAND -h' for a command's options.")
    p.add_argument("--version", action="version", version="%(prog)s 1.4")
    p.add_argument("-v", "--verbose", action="count", default=0, help="say more (repeatable)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    ls = sub.add_parser("list", aliases=["ls"], help="show tasks")
    ls.add_argument("-a", "--all", action="store_true", help="include finished tasks")
    ls.add_argument("--tag")
    ls.add_argument("--sort", choices=["id", "title", "prio"], default="id")
    ls.add_argument("-r", "--reverse", action="store_true")
    ls.add_argument("-n", "--limit", type=positive, default=10, metavar="N")
    ls.set_defaults(func=cmd_list)

    add = sub.add_parser("add", help="add a task")
    add.add_argument("title", nargs="+")
    group = add.add_mutually_exclusive_group()
    group.add_argument("--high", dest="priority", action="store_const", const="high")
    group.add_argument("--low", dest="priority", action="store_const", const="low")
    add.add_argument("-t", "--tag", action="append")
    add.set_defaults(func=cmd_add, priority="medium")

    done = sub.add_parser("done", help="finish tasks")
    done.add_argument("ids", nargs="+", type=int, metavar="ID")
    done.add_argument("--undo", action="store_true")
    done.set_defaults(func=cmd_done)
    return p


def main(argv):
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return e.code
    if args.verbose > 1:
        print("args:", sorted((k, v) for k, v in vars(args).items() if k != "func"))
    return args.func(args)


RUNS = [
    ["list"],
    ["ls", "--all", "--sort", "prio", "-r"],
    ["list", "--tag", "home", "-a", "-n", "1"],
    ["-vv", "add", "water", "the", "plants", "--low", "-t", "home", "-t", "daily"],
    ["-v", "add", "call", "mom"],
    ["done", "1", "4", "9"],
    ["done", "--undo", "2"],
    ["list"],
    ["list", "-n", "0"],
    ["list", "--sort", "date"],
    ["add", "x", "--high", "--low"],
    ["remove", "3"],
    [],
    ["--version"],
]

for argv in RUNS:
    print(f"$ todo {' '.join(argv)}")
    sys.stdout.flush()
    rc = main(argv)
    sys.stderr.flush()
    print(f"(exit {rc})")
build_parser().print_help()
