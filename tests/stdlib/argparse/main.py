import argparse

p = argparse.ArgumentParser(prog="tool", description="Process some files.")
p.add_argument("files", nargs="+", help="input files")
p.add_argument("-n", "--count", type=int, default=1, help="how many")
p.add_argument("-v", "--verbose", action="store_true")
p.add_argument("--mode", choices=["fast", "slow"], default="fast")
p.add_argument("--tag", action="append", default=[])
args = p.parse_args(["a.txt", "b.txt", "-n", "3", "--verbose", "--tag", "x", "--tag", "y"])
print(args)
print(args.files, args.count, args.verbose, args.mode, args.tag)
print(vars(p.parse_args(["only.txt", "--mode", "slow"])))
p.print_help()
sub = argparse.ArgumentParser(prog="git")
sp = sub.add_subparsers(dest="cmd")
c = sp.add_parser("commit")
c.add_argument("-m", required=True)
print(sub.parse_args(["commit", "-m", "msg"]))
try:
    p.parse_args(["x", "--count", "notint"])
except SystemExit as e:
    print("SystemExit", e.code)
