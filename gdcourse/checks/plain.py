"""Values as plain data: what a check observed, in a form that can leave the kernel as JSON and be
judged anywhere (numbers, lists, strings, dicts; tensors as shape, dtype and numbers).

`plain(value)` runs in the kernel and reads the value; `Value` wraps the result on the judge's
side. Nothing here trusts what it reads: whatever a kernel sends is only data, checked by shape
before it is used, and a record that does not have the expected shape is unreadable, never a pass.
"""
import math
import numbers
from types import ModuleType
from typing import Any

Record = dict[str, Any]   # what a check observed, as plain data (JSON)
MAX_NUMBERS = 200_000   # numbers in one value; more is recorded as too large
MAX_TEXT = 2_000        # characters of a string or repr kept


def _number(x: Any) -> float | str:
    """A float as JSON can carry it: non-finite values as the strings 'nan', 'inf', '-inf'."""
    x = float(x)
    if math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def _tensor_module() -> ModuleType | None:
    import sys
    return sys.modules.get("torch")


def plain(value: object, _depth: int = 0) -> dict[str, Any]:
    """`value` as plain data, tagged with its kind: {"float": 0.6}, {"tensor": {...}}, ..."""
    torch = _tensor_module()
    if value is None:
        return {"none": True}
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return {"bool": bool(value)}
    if isinstance(value, numbers.Integral):
        return {"int": int(value)}
    if isinstance(value, numbers.Real):
        return {"float": _number(value)}
    if torch is not None and isinstance(value, torch.Tensor):
        data = value.detach()
        if data.numel() > MAX_NUMBERS:
            return {"too_big": f"a tensor of shape {tuple(data.shape)}"}
        flat = data.reshape(-1).tolist()
        return {"tensor": {
            "shape": list(data.shape), "dtype": str(data.dtype),
            "values": [_number(v) if not isinstance(v, bool) else float(v) for v in flat],
            "requires_grad": bool(value.requires_grad), "is_leaf": bool(value.is_leaf),
            "grad_fn": None if value.grad_fn is None else type(value.grad_fn).__name__,
            "parameter": isinstance(value, torch.nn.Parameter)}}
    if isinstance(value, (list, tuple)):
        if _depth > 6 or len(value) > MAX_NUMBERS:
            return {"too_big": f"a {type(value).__name__} of {len(value)} items"}
        return {type(value).__name__ if type(value) in (list, tuple) else "list":
                [plain(item, _depth + 1) for item in value]}
    if isinstance(value, str):
        return {"str": value[:MAX_TEXT]}
    if isinstance(value, dict) and _depth <= 4 and all(isinstance(k, str) for k in value):
        return {"dict": {k: plain(v, _depth + 1) for k, v in list(value.items())[:100]}}
    return {"object": {"type": type(value).__name__, "repr": _repr(value)}}


def _repr(value: object) -> str:
    try:
        text = repr(value)
    except Exception as error:  # a student's class may fail in __repr__
        text = f"<{type(value).__name__}: repr failed with {type(error).__name__}>"
    return text[:200]


def printable(text: object, limit: int) -> str:
    """A text a kernel sent, cut to `limit` characters, with control characters (a newline, a
    terminal's escape code) written out as escapes: it reads as one piece of text wherever it is
    shown."""
    text = str(text)[:limit]
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


class Unreadable(ValueError):
    """A record from a kernel does not have the shape of plain data."""


def _float(x: Any) -> float:
    if isinstance(x, bool):
        raise Unreadable("a bool where a number was expected")
    if isinstance(x, (int, float)):
        return float(x)
    if x in ("nan", "inf", "-inf"):
        return float(x)
    raise Unreadable(f"not a number: {x!r:.40}")


class Opaque:
    """An object the judge cannot read (a grad_fn node, a figure), inside a value: shown as what it
    is, `<MulBackward0 object>`, and equal to nothing else."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"


class Value:
    """A plain-data value on the judge's side: its kind and, for numbers, tensors and sequences,
    the numbers inside, read with the shape checked."""

    kind: str
    data: Any
    python: Any
    items: list["Value"]
    fields: dict[str, "Value"]
    shape: tuple[int, ...]
    dtype: str
    values: list[float]
    requires_grad: bool
    is_leaf: bool
    grad_fn: str | None
    parameter: bool
    type_name: str
    repr: str
    description: str

    def __init__(self, data: object) -> None:
        if not isinstance(data, dict) or len(data) != 1:
            raise Unreadable("a value is a one-key mapping")
        (self.kind, self.data), = data.items()
        if self.kind not in KINDS:
            raise Unreadable(f"unknown kind {self.kind!r:.40}")
        KINDS[self.kind](self)

    # --- readers, one per kind: they check the shape and keep Python values ---------------------
    def _read_none(self) -> None:
        self.python = None

    def _read_bool(self) -> None:
        if not isinstance(self.data, bool):
            raise Unreadable("bool")
        self.python = self.data

    def _read_int(self) -> None:
        if not isinstance(self.data, int) or isinstance(self.data, bool):
            raise Unreadable("int")
        self.python = self.data

    def _read_float(self) -> None:
        self.python = _float(self.data)

    def _read_str(self) -> None:
        if not isinstance(self.data, str):
            raise Unreadable("str")
        self.python = self.data[:MAX_TEXT]

    def _read_sequence(self) -> None:
        if not isinstance(self.data, list):
            raise Unreadable("sequence")
        self.items = [Value(item) for item in self.data]
        self.python = [item.python for item in self.items]

    def _read_dict(self) -> None:
        if not isinstance(self.data, dict):
            raise Unreadable("dict")
        self.fields = {str(k): Value(v) for k, v in self.data.items()}
        self.python = {k: v.python for k, v in self.fields.items()}

    def _read_tensor(self) -> None:
        data = self.data
        if not isinstance(data, dict):
            raise Unreadable("tensor")
        shape = data.get("shape")
        if not isinstance(shape, list) or not all(isinstance(n, int) and n >= 0 for n in shape):
            raise Unreadable("tensor shape")
        values = data.get("values")
        if not isinstance(values, list) or len(values) != math.prod(shape):
            raise Unreadable("tensor values")
        self.shape = tuple(shape)
        self.dtype = printable(data.get("dtype", ""), 40)
        self.values = [_float(v) for v in values]
        self.requires_grad = data.get("requires_grad") is True
        self.is_leaf = data.get("is_leaf") is not False
        self.grad_fn = printable(data["grad_fn"], 80) if isinstance(data.get("grad_fn"), str) else None
        self.parameter = data.get("parameter") is True
        self.python = self.values

    def _read_object(self) -> None:
        data = self.data
        if not isinstance(data, dict):
            raise Unreadable("object")
        self.type_name = printable(data.get("type", "object"), 80)
        self.repr = printable(data.get("repr", ""), 200)
        self.python = Opaque(self.type_name)

    def _read_too_big(self) -> None:
        self.description = printable(self.data, 100)
        self.python = None

    # --- questions judges ask ---------------------------------------------------------------------
    @property
    def is_number(self) -> bool:
        return self.kind in ("int", "float")

    @property
    def is_sequence(self) -> bool:
        return self.kind in ("list", "tuple")

    @property
    def type_name_of(self) -> str:
        """The Python type the student's value had, as a student would say it."""
        names = {"none": "NoneType", "bool": "bool", "int": "int", "float": "float", "str": "str",
                 "list": "list", "tuple": "tuple", "dict": "dict", "tensor": "Tensor",
                 "too_big": "a large value"}
        return self.type_name if self.kind == "object" else names.get(self.kind, self.kind)

    @property
    def kind_word(self) -> str:
        """What kind of value it is, in the course's words only (never the kernel's text)."""
        return KIND_WORDS.get(self.kind, "a value of another kind")

    def numbers(self) -> list[float] | None:
        """The numbers of a number, a tensor, or a flat sequence of numbers; None otherwise."""
        if self.is_number:
            return [float(self.python)]
        if self.kind == "tensor":
            return list(self.values)
        if self.is_sequence:
            found = []
            for item in self.items:
                inner = item.numbers()
                if inner is None or (item.kind == "tensor" and len(inner) != 1):
                    return None
                found += inner
            return found
        return None


KIND_WORDS = {
    "none": "None", "bool": "a bool", "int": "an int", "float": "a float", "str": "a str",
    "list": "a list", "tuple": "a tuple", "dict": "a dict", "tensor": "a tensor",
    "object": "an object of another type", "too_big": "a very large value",
}

KINDS = {
    "none": Value._read_none, "bool": Value._read_bool, "int": Value._read_int,
    "float": Value._read_float, "str": Value._read_str, "list": Value._read_sequence,
    "tuple": Value._read_sequence, "dict": Value._read_dict, "tensor": Value._read_tensor,
    "object": Value._read_object, "too_big": Value._read_too_big,
}
