z = 0xFF_FF + 1_000 + 1.5e3 + 3j + 0o17 + 0b101 + 99999999999999999999 + 1e-5 + .5 + 5. + 1_0.0_1
b = b"\x00a\n\t\\" + B'x' + rb"\n" + Rb'\x'
u = u"\u00e9\N{BULLET}\U0001F600" + r"\n" + "tab\there" + 'q\'s' + "\101\x41"
t = """triple
quoted\
continued"""
e = "", '', b""
c = "\a\b\f\v\r" + "\z"
n = None, True, False, ...
