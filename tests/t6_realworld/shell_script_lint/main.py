"""Lints a small shell script: splits each command line like a POSIX shell
(shlex), flags risky commands, re-quotes arguments safely, wraps the
report (textwrap) and shows a unified diff of the fixed script (difflib)."""
import difflib
import shlex
import sys
import textwrap

RISKY = {"rm": "deletes files", "chmod": "changes permissions", "curl": "downloads code", "eval": "runs a string"}


def lint(lines):
    findings, fixed = [], []
    for no, line in enumerate(lines, 1):
        text = line.rstrip("\n")
        if not text.strip() or text.lstrip().startswith("#"):
            fixed.append(text)
            continue
        try:
            words = shlex.split(text, comments=True)
        except ValueError as e:
            findings.append((no, f"cannot parse: {e}"))
            fixed.append(text)
            continue
        if not words:
            fixed.append(text)
            continue
        cmd = words[0]
        if cmd in RISKY:
            findings.append((no, f"{cmd} {RISKY[cmd]}: {' '.join(words[1:]) or '(no arguments)'}"))
        if cmd == "rm" and "-rf" in words and any(w in ("/", "~", "*") for w in words):
            findings.append((no, "rm -rf on a dangerous path"))
        unquoted = [w for w in words[1:] if any(c in w for c in " $*;&|") and w not in text.split()]
        if unquoted:
            findings.append((no, "arguments needing quotes: " + ", ".join(shlex.quote(w) for w in unquoted)))
        fixed.append(shlex.join(words))
    return findings, fixed


lines = sys.stdin.readlines()
findings, fixed = lint(lines)
print(f"{len(lines)} lines, {len(findings)} finding(s)")
for no, msg in findings:
    print(textwrap.fill(msg, width=60, initial_indent=f"line {no:2d}: ", subsequent_indent=" " * 9))
print()
orig = [l.rstrip("\n") for l in lines]
for d in difflib.unified_diff(orig, fixed, "script.sh", "script.fixed.sh", lineterm="", n=1):
    print(d)
print()
lx = shlex.shlex("deploy --env=prod --tags 'a b' && notify", posix=True, punctuation_chars=True)
print(list(lx))
sm = difflib.SequenceMatcher(None, orig, fixed)
print("similarity", round(sm.ratio(), 4))
print(textwrap.indent(textwrap.dedent("""\
    Summary:
      risky commands are listed above;
      quoting was normalised with shlex.join.
"""), "> "))
