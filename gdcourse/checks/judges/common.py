"""What every assignment's judges share: reading an outcome, comparing numbers, tensors and lists,
and writing the messages (the call, what came back, what was expected, the hint).

A known mistake is given as (the value it would give, its hint); a judge computes those values
from the case's inputs and the expected value, never from the student's answer.
"""
import math
from collections.abc import Callable, Sequence
from typing import Any

from ..plain import Value
from .observation import Observation
from .verdict import Failure

# A known mistake: the value it gives (None when it gives none here) and its hint.
Mistake = tuple[Any, str]

MEMORY = ("The code asked for more memory than there is: when grading, that is the memory limit "
          "of the grading sandbox. Does it make a very large list or tensor?")
BROADCAST_ONE = ("A 0-d input came back with shape (1,): a constant of shape (1,), such as "
                 "torch.tensor([2.0]), broadcasts the result up to its own shape. Use a plain "
                 "number, 2 * tensor, or a 0-d tensor such as torch.tensor(2.0), which keep the "
                 "input's shape.")
FLOAT32_INSIDE = ("The result is float64 but only as precise as float32: somewhere inside, the "
                  "computation went through float32 (a .float(), or a tensor made with "
                  "torch.tensor(...) of Python numbers) and lost digits. Compute on the input "
                  "tensor itself, which keeps float64 all the way.")
STUB = ("The answer cell still holds its stub: replace `raise NotImplementedError()` with your "
        "code.")


# --- rendering values for messages -------------------------------------------------------------
def _g(x: float) -> str:
    return f"{x:.6g}"


def _nested(values: Sequence[float], shape: Sequence[int]) -> str:
    """Flat numbers as nested lists of the tensor's shape, 6 significant digits."""
    if not shape:
        return _g(values[0]) if values else "[]"
    if len(shape) == 1:
        return "[" + ", ".join(_g(v) for v in values) + "]"
    step = math.prod(shape[1:]) if shape[1:] else 1
    return "[" + ", ".join(_nested(values[i * step:(i + 1) * step], shape[1:])
                           for i in range(shape[0])) + "]"


def show(value: Value | None) -> str:
    """A short rendering of a plain-data value (gdcourse.checks.plain.Value)."""
    if value is None:
        return "None"
    if value.kind == "float":
        return _g(value.python)
    if value.kind == "tensor":
        body = _nested(value.values, value.shape)
        if len(body) > 80:
            body = body[:77] + "..."
        return f"tensor({body}, shape={value.shape}, dtype={value.dtype})"
    if value.kind == "object":
        text = value.repr
    elif value.kind == "too_big":
        text = value.description
    else:
        text = repr(_rounded(value.python))
    return text if len(text) <= 80 else text[:77] + "..."


class _Short(float):
    def __repr__(self) -> str:
        return _g(self)


def _rounded(python: Any) -> Any:
    if isinstance(python, float):
        return _Short(python)
    if isinstance(python, list):
        return [_rounded(v) for v in python]
    if isinstance(python, dict):
        return {k: _rounded(v) for k, v in python.items()}
    return python


def show_number(x: object) -> str:
    return _g(float(x)) if isinstance(x, float) else repr(x)


def with_minus_sign(x: float) -> str:
    """A number as a hint writes it: 6 significant digits, and a real minus sign (−)."""
    return f"{x:g}".replace("-", "−")


# --- outcomes --------------------------------------------------------------------------------------
# Errors a beginner meets in these exercises, in the course's words: a piece of the error's text,
# and what it means here. A judge's own `errors` come first; these are for every other call.
PLAIN_ERRORS = {
    "Boolean value of Tensor with more than one value is ambiguous": (
        "A tensor of several numbers was used where Python wants one True or False: in an if, "
        "an and/or, or as an option of a class. torch.nn.MSELoss(y_hat, y) is such a case: the "
        "class takes options, not data. Make the loss function first, then call it: "
        "torch.nn.MSELoss()(y_hat, y), or write the mean squared error yourself."),
    "bitwise_xor": (
        "^ is exclusive-or in Python, not a power: write a square as x ** 2."),
    "unsupported operand type(s) for ^": (
        "^ is exclusive-or in Python, not a power: write a square as x ** 2."),
    "does not require grad and does not have a grad_fn": (
        "backward() found no graph to go back through: nothing the loss was computed from "
        "requires grad. Either the parameter itself does not (a copy made with .clone() or "
        "torch.tensor(...) starts without it: .clone().requires_grad_() or nn.Parameter(...) "
        "make one that does), or the loss was computed from numbers cut off from it (.item(), "
        "float(), .detach()) or under torch.no_grad()."),
    "a leaf Variable that requires grad is being used in an in-place operation": (
        "A parameter can only be changed in place inside with torch.no_grad():, where autograd "
        "records nothing."),
    "Trying to backward through the graph a second time": (
        "A graph is used once: backward() frees it. Compute the loss again before each "
        "backward()."),
    "mat1 and mat2 shapes cannot be multiplied": (
        "x @ a needs as many columns in x as entries in a: check the shapes of both."),
    "must match the size of tensor": (
        "Element-wise operations need tensors of the same shape (or shapes that broadcast): "
        "check the shapes of the tensors the line combines."),
    "only one element tensors can be converted to Python scalars": (
        ".item() and float() turn a one-number tensor into a Python number; this tensor holds "
        "several. Keep it a tensor, or take one entry first."),
    "Can't call numpy() on Tensor that requires grad": (
        "numpy and matplotlib cannot take a tensor that requires grad: hand them "
        "tensor.detach()."),
    "changed its input": (
        "A function must leave the tensors it is given as they were: an in-place operation "
        "(x *= …, x -= …, x.add_(…), x[0] = …) writes into the caller's tensor, and the caller "
        "still needs it; so does one on a slice x[:] or a view, which share the caller's "
        "memory. Compute a new tensor instead, such as x * w or y_hat - y, or work on "
        "x.clone()."),
    "where it is not associated with a value": (
        "A variable was used before anything was assigned to it. One that is set only inside a "
        "loop or an if does not exist when the loop never ran (0 steps, an empty list) or the "
        "if was false: give it its starting value before the loop."),
    "inconsistent tensor size": (
        "@ (like torch.dot) pairs the entries of two vectors one by one and needs them to have "
        "the same length. To multiply every entry by the same number, write x * w."),
    "both arguments to matmul need to be at least 1D": (
        "@ is matrix multiplication, between vectors and matrices, not with a single number: "
        "to multiply every entry by the same number, write x * w."),
    "the number of sizes provided": (
        "A tensor was written into a place of another shape: an entry such as t[i] holds one "
        "number, and a tensor assigned to it must have the shape of that place. Build the result "
        "from whole tensors (2 * theta) rather than entry by entry."),
    "'numpy.": (
        "A numpy value is not a tensor: numpy's functions (np.mean, np.sum, …) and .numpy() "
        "leave autograd's graph, so what they give has no backward() and no gradient. Compute "
        "with torch's operations (torch.mean, tensor.mean(), ** 2) to keep the graph."),
    "invalid index of a 0-dim tensor": (
        "A tensor of shape () holds one number and has no entries to index: t[0] fails on it. "
        "Use the tensor itself (x * w works whether w has shape () or (1,)), or t.item() for "
        "the number."),
    "'NoneType'": (
        "Something was None where a value was expected: a function of yours that ends without "
        "a return, or .grad read before backward() filled it."),
}


def plain_error_hint(text: str) -> str | None:
    """The course's explanation of an error, or None."""
    return next((why for piece, why in PLAIN_ERRORS.items() if piece in text), None)


def returned(obs: Observation, *, errors: dict[str, str] | None = None, hint: str = "") -> Value:
    """The value the student's call returned, or a failure saying what happened instead.

    `errors` maps a piece of an error's (or of a warning before it) text to the hint for it;
    an error none of them names gets PLAIN_ERRORS' explanation, or `hint`."""
    got = obs.got
    if got.kind == "missing":
        raise Failure(f"{obs.call}: {got.missing} is not defined.",
                      "A function the test calls is not defined: run the cell that defines it (and "
                      "the cells before it), or check its name: the tests call it by the name the "
                      "exercise gives.")
    if got.kind == "raised":
        # The stub raises NotImplementedError() with no message; torch raises it, with one,
        # for an operation a dtype does not have ("bitwise_xor_cpu" not implemented for 'Float').
        if got.error_type == "NotImplementedError" and not got.message.strip():
            raise Failure(f"{obs.call} raised NotImplementedError.", STUB)
        if got.error_type == "MemoryError":
            raise Failure(f"{obs.call} raised MemoryError.", MEMORY)
        text = f"{got.error_type}: {got.message}"
        found = next((h for piece, h in (errors or {}).items()
                      if piece in text or any(piece in w for w in got.warnings)), None)
        found = found or plain_error_hint(text) or hint
        before = "".join(f"\nBefore that, a warning said: {w}" for w in got.warnings)
        raise Failure(f"{obs.call} raised {text}{before}".rstrip(), found)
    assert got.value is not None   # an outcome that neither raised nor missed returned a value
    return got.value


def expected_value(obs: Observation) -> Value:
    """The expected value (the solution's, or the visible test's literal)."""
    if obs.expected.kind != "returned":
        raise Failure(f"{obs.call}: the reference solution itself did not return "
                      f"({obs.expected.kind} {obs.expected.error_type} {obs.expected.message})"
                      f": the instructor must fix this test.")
    assert obs.expected.value is not None   # it returned
    return obs.expected.value


def aux_value(obs: Observation, name: str) -> Value | None:
    """An auxiliary value of the trusted run, or None (a student's own run has none)."""
    found = obs.aux.get(name)
    return found.value if found is not None and found.kind == "returned" else None


NON_LEAF_GRAD = (".grad was read from a tensor that is not a leaf (torch warned: it is not a leaf "
                 "Tensor): autograd fills .grad only for the tensors you made and that require "
                 "grad, such as the Parameter θ, never for a result such as the loss. Read "
                 "theta.grad, after loss.backward().")


def nothing_returned(obs: Observation) -> Failure:
    if any("is not a leaf Tensor" in w for w in obs.got.warned):
        return Failure(f"{obs.call} returned None.", NON_LEAF_GRAD)
    return Failure(f"{obs.call} returned None.",
                   "Nothing came back (None). A function hands its result to the caller with "
                   "`return`. It gives None when it "
                   "ends without reaching one: no return at all, a return inside an if or a loop "
                   "that did not run, or print(...) where return ... was meant (print only shows "
                   "a value).")


def close(a: float, b: float, rel: float = 1e-6, abs_tol: float = 1e-9) -> bool:
    """Whether two floats agree to a relative and an absolute tolerance (inf equals inf, nan nan)."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_tol)


def all_close(a: Sequence[float], b: Sequence[float], rel: float, abs_tol: float) -> bool:
    return len(a) == len(b) and all(close(x, y, rel, abs_tol) for x, y in zip(a, b))


def _message(call: str, got_text: str, expected_text: str, hint: str) -> Failure:
    return Failure(f"{call} returned {got_text}, expected {expected_text}.", hint)


def _named(what: str, mistakes: Sequence[Mistake], matches: Callable[[Any], bool],
           hint: str) -> Failure:
    """The failure of an answer (`what` happened), naming the known mistake that alone explains
    it, or with the generic hint when none does, or when several mistakes give this same value
    here (this test point cannot tell them apart, so naming one could name the wrong one)."""
    found = tuple(dict.fromkeys(h for wrong, h in mistakes if wrong is not None and matches(wrong)))
    if len(found) == 1:
        return Failure(what, found[0], mistake=True, generic=hint)
    return Failure(what, hint, candidates=found)


# --- comparisons -----------------------------------------------------------------------------------
def number(obs: Observation, got: Value, expected: float, *, mistakes: Sequence[Mistake] = (),
           hint: str = "", rel: float = 1e-6, abs_tol: float = 1e-9) -> None:
    """`got` (a Value) is a real number close to `expected` (a float)."""
    if got.kind == "none":
        raise nothing_returned(obs)
    if not got.is_number:
        raise Failure(f"{obs.call} returned {show(got)}, of type {got.type_name_of}: expected a "
                      f"number (a float), close to {show_number(expected)}.",
                      f"Return a number: a float, not {got.kind_word}.")
    value = float(got.python)
    if close(value, expected, rel, abs_tol):
        return
    raise _named(f"{obs.call} returned {show_number(value)}, expected {show_number(expected)}.",
                 mistakes, lambda wrong: close(value, float(wrong), rel, abs_tol), hint)


def truth(obs: Observation, got: Value, expected: bool, *, hint: str = "") -> None:
    """`got` is the bool `expected`."""
    if got.kind == "none":
        raise nothing_returned(obs)
    if got.kind != "bool":
        raise Failure(f"{obs.call} returned {show(got)}, of type {got.type_name_of}: expected True "
                      f"or False.", "Return a bool: a comparison such as 0 < x < 1 is one.")
    if got.python != expected:
        raise _message(obs.call, repr(got.python), repr(expected), hint)


def tensor(obs: Observation, got: Value, expected: Value, *, mistakes: Sequence[Mistake] = (),
           hint: str = "", rel: float = 1e-5, abs_tol: float = 1e-7) -> None:
    """`got` is a tensor of `expected`'s shape and dtype with close values. `mistakes`: (list of
    numbers a known mistake gives, in the expected shape, hint) pairs."""
    if got.kind == "none":
        raise nothing_returned(obs)
    if got.kind != "tensor":
        if got.is_number:
            advice = (".item(), float() and numpy's functions (np.mean, …) give a plain number, "
                      "not a tensor: keep the result a tensor from start to end, with torch's "
                      "operations.")
        elif got.is_sequence:
            advice = ("A list came back where a tensor is expected: return the tensor itself (the "
                      "one your code computed, or one built with tensor operations on the whole "
                      "input, like 2 * tensor), not a list of its entries.")
        else:
            advice = "Build the result with tensor operations on the input."
        raise Failure(f"{obs.call} returned {show(got)}, of type {got.type_name_of}: expected a "
                      f"torch tensor like {show(expected)}.", advice)
    if got.shape != expected.shape:
        if expected.shape == () and got.shape == (1,):
            advice = BROADCAST_ONE
        else:
            advice = ("Element-wise operations keep the input's shape; indexing, .item() or sum() "
                      "do not.")
        raise Failure(f"{obs.call} returned a tensor of shape {got.shape}, expected shape "
                      f"{expected.shape}.", advice)
    if got.dtype != expected.dtype:
        raise Failure(f"{obs.call} returned dtype {got.dtype}, expected {expected.dtype}, the "
                      f"input's dtype.", "Arithmetic on the input tensor keeps its dtype; "
                      ".float(), dtype=torch.float32 and torch.tensor(...) of Python numbers "
                      "make float32.")
    if all_close(got.values, expected.values, rel, abs_tol):
        return
    if expected.dtype == "torch.float64" and all_close(got.values, expected.values, 1e-5, 1e-7):
        raise Failure(f"{obs.call} returned {show(got)}, expected {show(expected)}: they agree "
                      f"only to float32's 7 digits.", FLOAT32_INSIDE)
    raise _named(f"{obs.call} returned {show(got)}, expected {show(expected)}.", mistakes,
                 lambda wrong: all_close(got.values, [float(v) for v in wrong], rel, abs_tol), hint)


def sequence_of_numbers(obs: Observation, got: Value, expected: Sequence[float], *,
                        what: str = "values", mistakes: Sequence[Mistake] = (), hint: str = "",
                        rel: float = 1e-5, abs_tol: float = 1e-7) -> None:
    """`got` is a sequence (list, tuple, 1-D tensor) of numbers close to `expected` (floats)."""
    if got.kind == "none":
        raise nothing_returned(obs)
    values = got.numbers() if (got.is_sequence or got.kind == "tensor") else None
    if values is None:
        raise Failure(f"{obs.call} gave {show(got)} as its {what}: expected a list of "
                      f"{len(expected)} numbers.", "Collect one number per step in a list.")
    if len(values) != len(expected):
        raise Failure(f"{obs.call} gave {len(values)} {what}, expected {len(expected)}: one per "
                      f"step/epoch.", hint)
    if all_close(values, expected, rel, abs_tol):
        return
    first = next(i for i, (a, b) in enumerate(zip(values, expected)) if not close(a, b, rel, abs_tol))
    what_happened = (f"{obs.call}: {what}[{first}] is {_g(values[first])}, expected "
                     f"{_g(expected[first])}.")
    raise _named(what_happened, mistakes,
                 lambda wrong: all_close(values, [float(v) for v in wrong], rel, abs_tol), hint)


def _items(items: object, limit: int = 200) -> str:
    text = repr(items)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def items(obs: Observation, got: Value, expected: list[Any], *, what: str = "items",
          mistakes: Sequence[Mistake] = (), hint: str = "") -> None:
    """`got` is a list (or tuple) equal to `expected` (a list of plain Python values)."""
    if got.kind == "none":
        raise nothing_returned(obs)
    if not got.is_sequence:
        raise Failure(f"{obs.call} returned {show(got)}, of type {got.type_name_of}: expected a "
                      f"list of {what}, {_items(expected)}.")
    values = got.python
    if values == expected:
        return
    if len(values) != len(expected):
        detail = f"the list has length {len(values)}, not {len(expected)}"
    else:
        first = next(i for i, (a, b) in enumerate(zip(values, expected)) if a != b)
        detail = f"{what}[{first}] is {values[first]!r}, expected {expected[first]!r}"
    what_happened = (f"{obs.call} returned {_items(values)}, expected {_items(expected)}: "
                     f"{detail}.")
    raise _named(what_happened, mistakes, lambda wrong: values == list(wrong), hint)


# --- the judge every assignment uses for its upstream probes ---------------------------------------
def upstream(obs: Observation) -> None:
    """A function the test builds on gives the solution's value on a probe input. When it does not,
    the verdicts of the cell's failures name it first (gdcourse.checks.judges.verdict)."""
    got = returned(obs)
    expected = expected_value(obs)
    if expected.kind == "tensor":
        tensor(obs, got, expected, rel=1e-5, abs_tol=1e-7)
    elif expected.is_number:
        number(obs, got, float(expected.python), rel=1e-5, abs_tol=1e-7)
    elif expected.is_sequence and (numbers := expected.numbers()) is not None:
        sequence_of_numbers(obs, got, numbers, rel=1e-5, abs_tol=1e-7)
    elif got.python != expected.python:
        raise Failure(f"{obs.call} returned {show(got)}, expected {show(expected)}.")


JUDGES = {"upstream": upstream}


def solution_numbers(expected: Value) -> list[float]:
    """The numbers of a value the solution gave where the test expects numbers (a number, a
    tensor, a flat sequence of them); anything else fails the check as unreadable."""
    numbers = expected.numbers()
    if numbers is None:
        raise Failure("the expected value is not numbers.")
    return numbers
