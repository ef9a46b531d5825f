from typing import Any, Callable, Dict, Generic, Iterable, Iterator, List, NamedTuple, Optional, Protocol, Tuple, TypedDict, TypeVar, Union, cast, overload, TYPE_CHECKING, Literal, Final, ClassVar, Sequence, Mapping

T = TypeVar("T")


class Stack(Generic[T]):
    def __init__(self) -> None:
        self.items: List[T] = []

    def push(self, x: T) -> None:
        self.items.append(x)

    def pop(self) -> T:
        return self.items.pop()


class Employee(NamedTuple):
    name: str
    id: int = 3


class Movie(TypedDict):
    title: str
    year: int


class Greeter(Protocol):
    def greet(self) -> str: ...


def first(xs: Sequence[T]) -> Optional[T]:
    return xs[0] if xs else None


def apply(f: Callable[[int], int], xs: Iterable[int]) -> Iterator[int]:
    for x in xs:
        yield f(x)


def total(d: Mapping[str, Union[int, float]]) -> float:
    return sum(d.values())


s: Stack[int] = Stack()
s.push(1)
s.push(2)
print(s.pop(), first([7, 8]), first([]))
e = Employee("Guido")
print(e, e.name, e.id, Employee._fields)
m: Movie = {"title": "Blade Runner", "year": 1982}
print(m, type(m).__name__)
print(list(apply(lambda x: x * 2, [1, 2, 3])), total({"a": 1, "b": 2.5}))
print(cast(int, "not really"), TYPE_CHECKING)
MAX: Final = 10
mode: Literal["r", "w"] = "r"
print(MAX, mode)
x: Dict[str, Tuple[int, ...]] = {"a": (1, 2)}
print(x)
print(Optional[int] == Union[int, None], Any)
