"""Imported into every kernel that nbgrader starts to validate or autograde (see nbgrader_config.py).

1. Warnings never fail a test. nbgrader scores a test cell 0 when it writes anything to stderr,
   even if every assertion passed; torch and matplotlib report harmless warnings on stderr. Here
   Python warnings are shown on stdout instead: still visible in the feedback, never a failure.

2. Tests run against the kernel as it started. This module is imported before any student code,
   and snapshots what tests rely on: builtins, the course's check modules, the namespaces of
   torch, math and matplotlib's animation, and IPython's hooks for running cells. Autograde calls
   `restore()` silently before each test cell (gdcourse.safe_execute), so a patch that escaped
   answer screening (gdcourse.answer_screening) is undone before the test runs.
"""
import builtins
import importlib
import math
import os
import sys
import warnings


def _show_warning_on_stdout(message, category, filename, lineno, file=None, line=None):
    sys.stdout.write(warnings.formatwarning(message, category, filename, lineno, line))


warnings.showwarning = _show_warning_on_stdout

_CHECK_MODULES = ["gdcourse.checks", "gdcourse.animation_checks", "gdcourse.grading_kernel"]
_NAMESPACE_MODULES = ["torch", "torch.nn", "torch.nn.functional", "torch.optim",
                      "matplotlib.animation", "numpy"]


def _namespaces():
    """The objects whose attributes tests rely on, by name."""
    found = {"builtins": builtins, "math": math}
    for name in _CHECK_MODULES + _NAMESPACE_MODULES:
        try:
            found[name] = importlib.import_module(name)
        except ImportError:
            continue
    if "torch" in found:
        found["torch.Tensor"] = found["torch"].Tensor
        found["torch.nn.Parameter"] = found["torch"].nn.Parameter
    return found


def _snapshot():
    return {name: (obj, dict(vars(obj))) for name, obj in _namespaces().items()}


def _shell_hooks(shell):
    return {
        "input_transformers_cleanup": list(shell.input_transformers_cleanup),
        "input_transformers_post": list(shell.input_transformers_post),
        "ast_transformers": list(shell.ast_transformers),
        "events": {name: list(callbacks) for name, callbacks in shell.events.callbacks.items()},
    }


def _hooks_differ(now, saved):
    if now["events"].keys() != saved["events"].keys():
        return True
    pairs = [(now[k], saved[k]) for k in ("input_transformers_cleanup", "input_transformers_post",
                                          "ast_transformers")]
    pairs += [(now["events"][k], saved["events"][k]) for k in saved["events"]]
    return any(len(a) != len(b) or any(x is not y for x, y in zip(a, b)) for a, b in pairs)


def _restore_namespace(obj, saved):
    """Put back every name the snapshot holds. Names added since stay: torch adds submodules
    lazily, and a new name cannot change what the tests import or call."""
    current = vars(obj)
    for key, value in saved.items():
        if current.get(key, _MISSING) is not value:
            try:
                setattr(obj, key, value)
            except (AttributeError, TypeError):
                pass


_MISSING = object()


def _differs(current, saved):
    """By identity: module namespaces hold arrays, whose == compares element by element."""
    return any(current.get(k, _MISSING) is not v for k, v in saved.items())
_SAVED = None
_SAVED_HOOKS = None
_SAVED_SYS = None
last_changes = []  # what the last restore() undid, read by the grader after it


def start():
    """Take the snapshot (once, when the kernel starts, before any student code)."""
    global _SAVED, _SAVED_HOOKS, _SAVED_SYS
    if _SAVED is not None:
        return
    _SAVED = _snapshot()
    _SAVED_SYS = {"excepthook": sys.excepthook, "displayhook": sys.displayhook,
                  "modules": {name: sys.modules.get(name) for name in _SAVED}}
    shell = _shell()
    _SAVED_HOOKS = _shell_hooks(shell) if shell is not None else None


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def restore():
    """Put back what the snapshot holds; returns (and keeps in last_changes) what had changed."""
    global last_changes
    checks = sys.modules.get("gdcourse.checks")
    if checks is not None:
        checks.leave_hidden_tests()
    if _SAVED is None:
        return []
    changed = []
    for name, (obj, saved) in _SAVED.items():
        if _differs(vars(obj), saved):
            changed.append(name)
            _restore_namespace(obj, saved)
        if name in _SAVED_SYS["modules"] and sys.modules.get(name) is not _SAVED_SYS["modules"][name]:
            changed.append(f"sys.modules[{name!r}]")
            sys.modules[name] = _SAVED_SYS["modules"][name]
    for hook in ("excepthook", "displayhook"):
        if getattr(sys, hook) is not _SAVED_SYS[hook]:
            changed.append(f"sys.{hook}")
            setattr(sys, hook, _SAVED_SYS[hook])
    if sys.gettrace() is not None or sys.getprofile() is not None:
        changed.append("sys.settrace/setprofile")
        sys.settrace(None)
        sys.setprofile(None)
    shell = _shell()
    if shell is not None and _SAVED_HOOKS is not None:
        if _hooks_differ(_shell_hooks(shell), _SAVED_HOOKS):
            changed.append("IPython's cell hooks")
            shell.input_transformers_cleanup[:] = _SAVED_HOOKS["input_transformers_cleanup"]
            shell.input_transformers_post[:] = _SAVED_HOOKS["input_transformers_post"]
            shell.ast_transformers[:] = _SAVED_HOOKS["ast_transformers"]
            for event, callbacks in _SAVED_HOOKS["events"].items():
                shell.events.callbacks[event][:] = callbacks
        if getattr(shell, "custom_exceptions", ()):
            changed.append("IPython's custom exception handler")
            shell.set_custom_exc((), None)
    warnings.showwarning = _show_warning_on_stdout
    last_changes = changed
    return changed


# Only autograde grades code that may be hostile; `nbgrader validate` on a student's own
# machine skips the snapshot and its cost (importing torch).
if os.environ.get("NBGRADER_EXECUTION") == "autograde":
    start()
