"""Typed domain code with the typing names published code imports: IO
types in signatures, Protocols, TypeVars, overloads, TYPE_CHECKING."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import (IO, TYPE_CHECKING, Any, AnyStr, BinaryIO, Callable, ClassVar, Dict, Generic, Iterable,
                    Iterator, List, Optional, Protocol, Sequence, Text, TextIO, Tuple, TypeVar, Union, cast,
                    overload)

if TYPE_CHECKING:
    from typing import NoReturn

T = TypeVar("T")


class Shape(Protocol):
    def area(self) -> float: ...


@dataclass
class Rect:
    w: float
    h: float
    kind: ClassVar[str] = "rect"

    def area(self) -> float:
        return self.w * self.h


@dataclass
class Stack(Generic[T]):
    items: List[T] = field(default_factory=list)

    def push(self, x: T) -> None:
        self.items.append(x)

    def pop(self) -> Optional[T]:
        return self.items.pop() if self.items else None


def total_area(shapes: Iterable[Shape]) -> float:
    return sum(s.area() for s in shapes)


def write_report(out: TextIO, rows: Sequence[Tuple[str, float]]) -> int:
    n = 0
    for name, v in rows:
        n += out.write(f"{name}: {v:.2f}\n")
    return n


def first(xs: Sequence[AnyStr]) -> AnyStr:
    return xs[0]


def apply(f: Callable[[int], int], xs: Iterator[int]) -> Dict[int, int]:
    return {x: f(x) for x in xs}


def describe(x: Union[int, str, None]) -> Text:
    return cast(str, repr(x))


buf = io.StringIO()
shapes = [Rect(2, 3), Rect(1.5, 4)]
print(total_area(shapes), Rect.kind)
print(write_report(buf, [("a", 1), ("b", 2.5)]))
print(buf.getvalue(), end="")
s: Stack[int] = Stack()
s.push(1)
s.push(2)
print(s.pop(), s.pop(), s.pop())
print(first(["x", "y"]), first([b"q"]), apply(lambda v: v * v, iter(range(4))), describe(None))
print(Text is str, BinaryIO is not None, IO is not None)
