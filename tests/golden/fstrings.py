x = f"a{b!r:>{w}} {c=} {{d}}" "z" f'{e:{f}.2f}'
y = f"{a}{b}" f"" "plain"
z = f"{x:>{width}.{prec}f}|{y!s}|{z!a:^10}"
w = f"{'nested'}" + f"{d['k']}" + f"{a + b = }" + f"{x = :>5}"
v = rf"\n{a}" + fr'{b}\t'
u = f"""multi
{line}
"""
t = f"{3.14:.1f}%" f"{{}}" f"{n:,}" f"{n:_x}" f"{obj.attr[0]!r}"
