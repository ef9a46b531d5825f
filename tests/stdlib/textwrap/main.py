import textwrap

text = ("The Zen of Python, by Tim Peters. Beautiful is better than ugly. Explicit is better than implicit. "
        "Simple is better than complex.")
print(textwrap.fill(text, width=30))
print(textwrap.wrap(text, 40))
print(textwrap.shorten(text, width=40))
print(textwrap.shorten("Hello  world!", width=12, placeholder="..."))
print(textwrap.indent("a\nb\n\nc", "> "))
print(textwrap.dedent("""
    def f():
        return 1
    """))
print(textwrap.fill("a b c d e f g", width=5, initial_indent="* ", subsequent_indent="  "))
w = textwrap.TextWrapper(width=20, break_long_words=True)
print(w.wrap("supercalifragilisticexpialidocious word"))
