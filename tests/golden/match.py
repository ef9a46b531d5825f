match p:
    case [1, *rest] | {"k": v, **kw} if v:
        pass
    case Point(x=0, y=-1) as q:
        pass
    case -1 | 1 + 2j | a.b | _ | "s" "t" | None | True:
        pass
    case (a, b):
        pass
    case x, y:
        pass
    case [*_]:
        pass
    case Cls(1, 2, k=3):
        pass
    case {1: _, "a": [x, *y]}:
        pass
    case _:
        pass
match a, b:
    case (1, 2) | [3, 4]:
        pass
