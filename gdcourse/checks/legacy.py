"""What the course's test cells call: comparisons whose failures teach.

Every failure raises `WrongAnswer` with a message in three parts: the call that was made, what
came back against what was expected, and a hint naming the idea to revisit. When the answer
matches a known mistake (a value the test cell lists), the hint is that mistake's own.

This module holds no solutions: expected values and known mistakes are written in the test cells.
"""
import math
import numbers


class WrongAnswer(AssertionError):
    """An answer is not right yet. The message says what was expected, what came back, and why."""

    def _render_traceback_(self):
        # IPython shows this in place of a traceback. The message is the whole story; the frames
        # would be this module's (IPython never hides the innermost frame, __tracebackhide__ or
        # not), with the path of the course's installation in them.
        return [f"\x1b[0;31m{type(self).__name__}\x1b[0m: {self}"]


HIDDEN = "[hidden test]"
DETAILS = "[for the instructor]"
_in_hidden_tests = False


def enter_hidden_tests():
    """Called where a test cell's hidden tests begin (autograde inserts the call). Failures from
    here on keep their inputs and expected values on a line the student's feedback leaves out."""
    global _in_hidden_tests
    _in_hidden_tests = True


def leave_hidden_tests():
    """Called before each test cell (gdcourse.grading_kernel.restore)."""
    global _in_hidden_tests
    _in_hidden_tests = False


def wrong_answer(message):
    """The exception for a failure. Messages are "what happened\nwhy, and what to revisit"; in
    hidden tests the first line, which holds the inputs and expected values, moves after the hint
    onto a line the student's feedback leaves out."""
    if _in_hidden_tests:
        what, _, hint = message.partition("\n")
        return WrongAnswer(f"{HIDDEN} {hint or 'A hidden test, with other inputs, failed.'}\n"
                           f"{DETAILS} {what}")
    return WrongAnswer(message)


def fail(message):
    """Fail the current test with a message written for the student."""
    __tracebackhide__ = True
    raise wrong_answer(message)


def expect(condition, message):
    """Fail with `message` unless `condition` holds."""
    __tracebackhide__ = True
    if not condition:
        fail(message)


def show(value):
    """A short, readable rendering of a value for a failure message."""
    if isinstance(value, float):
        return f"{value:.6g}"
    if _is_tensor(value):
        body = _rounded(value.detach().tolist() if value.dim() else value.item())
        if len(body) > 80:
            body = body[:77] + "..."
        return f"tensor({body}, shape={tuple(value.shape)}, dtype={value.dtype})"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _rounded(value):
    """Nested lists of numbers as text, 6 significant digits (float32 noise hidden)."""
    if isinstance(value, list):
        return "[" + ", ".join(_rounded(v) for v in value) + "]"
    return f"{value:.6g}" if isinstance(value, float) else repr(value)


def _is_tensor(value):
    try:
        import torch
    except ImportError:  # the float chapters do not need torch
        return False
    return isinstance(value, torch.Tensor)


def _returned_nothing(call):
    return (
        f"{call} returned None: nothing came back.\nA function hands its result to the caller "
        f"with `return`; `print` only shows it on the screen."
    )


def _message(call, got, expected, hint):
    text = f"{call} returned {show(got)}, expected {show(expected)}."
    return f"{text}\n{hint}" if hint else text


def close(a, b, rel=1e-6, abs_tol=1e-9):
    """Whether two floats agree to a relative and an absolute tolerance (inf equals inf)."""
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_tol)


def check_number(got, expected, *, call, mistakes=None, hint="", rel=1e-6, abs_tol=1e-9):
    """Check that `call` returned a real number close to `expected`.

    `mistakes` maps the value a known mistake would give to the hint for that mistake; `hint` is
    shown when the answer is wrong in some other way.
    """
    __tracebackhide__ = True
    if got is None:
        fail(_returned_nothing(call))
    if isinstance(got, bool) or not isinstance(got, numbers.Real):
        fail(f"{call} returned {show(got)}, of type {type(got).__name__}: expected a number "
             f"(a float), close to {show(expected)}.\nReturn a number: a float, not "
             f"{type(got).__name__}.")
    got = float(got)
    if close(got, expected, rel, abs_tol):
        return
    for wrong, mistake_hint in (mistakes or {}).items():
        if close(got, wrong, rel, abs_tol):
            fail(_message(call, got, expected, mistake_hint))
    fail(_message(call, got, expected, hint))


def check_tensor(got, expected, *, call, mistakes=None, hint="", rel=1e-5, abs_tol=1e-7):
    """Check that `call` returned a tensor of `expected`'s shape and dtype, with close values.

    `mistakes` is a list of (tensor a known mistake would give, hint) pairs; `hint` is shown when
    the values are wrong in some other way.
    """
    __tracebackhide__ = True
    import torch

    if got is None:
        fail(_returned_nothing(call))
    if not isinstance(got, torch.Tensor):
        if isinstance(got, numbers.Number):
            advice = (".item() and float() turn a one-entry tensor into a Python number: keep the "
                      "result a tensor from start to end.")
        elif isinstance(got, (list, tuple)):
            advice = ("Build the result with tensor operations on the whole input (2 * tensor), "
                      "not entry by entry into a list.")
        else:
            advice = "Build the result with tensor operations on the input."
        fail(f"{call} returned {show(got)}, of type {type(got).__name__}: expected a torch "
             f"tensor like {show(expected)}.\n{advice}")
    if got.shape != expected.shape:
        fail(f"{call} returned a tensor of shape {tuple(got.shape)}, expected shape "
             f"{tuple(expected.shape)}.\nElement-wise operations keep the input's shape; "
             f"indexing, .item() or sum() do not.")
    if got.dtype != expected.dtype:
        fail(f"{call} returned dtype {got.dtype}, expected {expected.dtype}, the input's dtype.\n"
             f"Arithmetic on the input tensor keeps its dtype; torch.tensor(...) of Python "
             f"numbers makes float32.")
    got = got.detach()
    if torch.allclose(got, expected, rtol=rel, atol=abs_tol, equal_nan=True):
        return
    for wrong, mistake_hint in mistakes or []:
        if wrong.shape == got.shape and torch.allclose(got, wrong.to(got.dtype), rtol=rel,
                                                       atol=abs_tol, equal_nan=True):
            fail(_message(call, got, expected, mistake_hint))
    fail(_message(call, got, expected, hint))


def check_bool(got, expected, *, call, hint=""):
    """Check that `call` returned the truth value `expected` (a bool, not a number or a string)."""
    __tracebackhide__ = True
    if got is None:
        fail(_returned_nothing(call))
    if type(got).__name__ not in ("bool", "bool_"):
        fail(f"{call} returned {show(got)}, of type {type(got).__name__}: expected True or False.\n"
             f"Return a bool: a comparison such as 0 < x < 1 is one.")
    if bool(got) != expected:
        fail(_message(call, bool(got), expected, hint))


def fix_first(name, compute, expected, rel=1e-6, abs_tol=1e-9):
    """A note for a hint when an exercise builds on `name` and `name` is still wrong.

    `compute` calls `name` on an input whose right answer is `expected`. Returns "" when that
    works, so the note only appears when the earlier exercise is the likely cause.
    """
    try:
        works = close(float(compute()), expected, rel, abs_tol)
    except Exception:
        works = False
    if works:
        return ""
    return f"\nNote: this builds on {name}, which fails its own test above: fix that first."


def check_numbers(got, expected, *, call, what="values", mistakes=None, hint="", rel=1e-5,
                  abs_tol=1e-7):
    """Check that `call` returned a sequence of numbers (list, tuple or 1-D tensor) close to
    `expected`, element by element. `mistakes` is a list of (sequence a known mistake would give,
    hint) pairs. `what` names the sequence in messages ("losses", "frames", ...)."""
    __tracebackhide__ = True
    if got is None:
        fail(_returned_nothing(call))
    try:
        values = [float(v) for v in got]
    except (TypeError, ValueError):
        fail(f"{call} gave {show(got)} as its {what}: expected a list of {len(expected)} numbers.\n"
             f"Collect one number per step in a list.")
    if len(values) != len(expected):
        fail(f"{call} gave {len(values)} {what}, expected {len(expected)}: one per step/epoch.\n"
             f"{hint}".rstrip())

    def matches(candidate):
        return len(candidate) == len(values) and all(
            close(a, float(b), rel, abs_tol) for a, b in zip(values, candidate))

    if matches(expected):
        return
    first = next(i for i, (a, b) in enumerate(zip(values, expected))
                 if not close(a, float(b), rel, abs_tol))
    detail = (f"{call}: {what}[{first}] is {show(values[first])}, expected "
              f"{show(float(expected[first]))}.")
    for wrong, mistake_hint in mistakes or []:
        if matches(wrong):
            fail(f"{detail}\n{mistake_hint}")
    fail(f"{detail}\n{hint}".rstrip())


def call_or_fail(compute, *, call, errors=None, hint=""):
    """Run `compute()`, a call of the student's function, and return what it returns.

    When it raises, fail with the call, the error, the warnings it gave before the error (they
    often explain it) and a hint: the hint of the first `errors` key found in the error's or the
    warnings' text ({fragment: hint}), else `hint`. NotImplementedError, the unanswered stub,
    passes through unchanged. Warnings of a call that returns are shown as usual.
    """
    __tracebackhide__ = True
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = compute()
        except NotImplementedError:
            raise
        except Exception as error:
            said = [_first_sentence(str(w.message)) for w in caught]
            text = f"{type(error).__name__}: {error}"
            found = next((h for fragment, h in (errors or {}).items()
                          if fragment in text or any(fragment in s for s in said)), hint)
            before = "".join(f"\nBefore that, a warning said: {s}" for s in dict.fromkeys(said))
            raise wrong_answer(f"{call} raised {text}{before}\n{found}".rstrip()) from error
    for w in caught:
        warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    return result


def _first_sentence(text):
    """The first sentence of a (torch) warning, which says what happened; the rest is advice."""
    first = text.split("\n")[0]
    end = first.find(". ")
    return first if end < 0 else first[:end + 1]


def _show_items(items, limit=200):
    text = repr(items)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def check_list(got, expected, *, call, what="items", mistakes=None, hint=""):
    """Check that `call` returned a list (or tuple) equal to `expected`, item by item.

    `mistakes` is a list of (list a known mistake would give, hint) pairs; `what` names the
    items in messages ("names", ...).
    """
    __tracebackhide__ = True
    if got is None:
        fail(_returned_nothing(call))
    expected = list(expected)
    if not isinstance(got, (list, tuple)):
        fail(f"{call} returned {show(got)}, of type {type(got).__name__}: expected a list of "
             f"{what}, {_show_items(expected)}.")
    got = list(got)
    if got == expected:
        return
    if len(got) != len(expected):
        detail = f"the list has length {len(got)}, not {len(expected)}"
    else:
        first = next(i for i, (a, b) in enumerate(zip(got, expected)) if a != b)
        detail = f"{what}[{first}] is {got[first]!r}, expected {expected[first]!r}"
    text = f"{call} returned {_show_items(got)}, expected {_show_items(expected)}: {detail}."
    for wrong, mistake_hint in mistakes or []:
        if got == list(wrong):
            fail(f"{text}\n{mistake_hint}")
    fail(f"{text}\n{hint}".rstrip())


def fix_first_tensor(name, compute, expected, rel=1e-5, abs_tol=1e-7):
    """Like `fix_first`, for an earlier exercise that returns a tensor.

    `compute` calls `name` on an input whose right answer is the tensor `expected`. Returns ""
    when it gives a tensor of that shape and dtype with close values, the note otherwise.
    """
    import torch

    try:
        got = compute()
        works = (isinstance(got, torch.Tensor) and got.shape == expected.shape
                 and got.dtype == expected.dtype
                 and torch.allclose(got.detach(), expected, rtol=rel, atol=abs_tol))
    except Exception:
        works = False
    if works:
        return ""
    return f"\nNote: this builds on {name}, which fails its own test above: fix that first."
