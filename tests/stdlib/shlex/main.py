import shlex

print(shlex.split('ls -la "my file.txt" \'single q\' a\\ b'))
print(shlex.quote("simple"), shlex.quote("has space"), shlex.quote("it's"), shlex.quote(""))
print(shlex.join(["echo", "hello world", "x;y"]))
print(shlex.split("cmd # comment", comments=True))
lx = shlex.shlex("a=1 b='two words'", posix=True)
lx.whitespace_split = True
print(list(lx))
try:
    shlex.split('unterminated "quote')
except ValueError as e:
    print("ValueError:", e)
