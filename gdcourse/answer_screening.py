"""Screening an answer cell's code before autograde runs it.

Tests run in the same Python process as the student's code, so code that reached for the grading
machinery could make a wrong answer pass: patching the check functions or builtins, rewriting
later cells through IPython's hooks, leaving the process, defining objects that compare equal to
anything. None of that is needed to answer an exercise of this course, so autograde grades each
answer cell *without* it:

- an answer cell keeps only definitions: imports of the modules a course answer may use,
  function definitions, and assignments to plain names; other top-level statements (calls,
  loops, prints) are the student's experiments and are left out of grading;
- a statement anywhere that uses a tampering tool is removed, and the submission is flagged
  with the statement and the reason, for the instructor to review.

What remains is the answer without the trick, graded as any other.
"""
import ast
import builtins
from dataclasses import dataclass, field

ALLOWED_MODULES = {
    "math", "cmath", "random", "statistics", "functools", "itertools", "collections", "numbers",
    "typing", "numpy", "torch", "torch.nn", "torch.nn.functional", "torch.optim",
    "matplotlib", "matplotlib.pyplot", "matplotlib.animation",
}

FORBIDDEN_NAMES = {
    "eval": "runs code built at run time",
    "exec": "runs code built at run time",
    "compile": "builds code at run time",
    "__import__": "imports modules by name at run time",
    "globals": "reaches the notebook's namespace, where the tests run",
    "locals": "reaches namespaces by name",
    "vars": "reaches namespaces by name",
    "getattr": "reads attributes by name at run time",
    "setattr": "changes attributes by name at run time",
    "delattr": "deletes attributes by name at run time",
    "open": "reads or writes files",
    "input": "waits for input that grading cannot give",
    "breakpoint": "stops in the debugger",
    "exit": "ends the kernel",
    "quit": "ends the kernel",
    "get_ipython": "reaches the notebook machinery that runs the tests",
    "memoryview": "reaches raw memory",
    "super": "reaches a class's machinery",
    "object": "builds objects with their own comparison rules",
}

# Attributes of allowed modules that load or run other code, or change global behaviour.
FORBIDDEN_MODULE_ATTRIBUTES = {
    "utils", "ops", "hub", "load", "save", "jit", "compile", "library", "package", "backends",
    "multiprocessing", "distributed", "cuda", "testing", "overrides", "fx", "export",
    "use_deterministic_algorithms", "rcParams", "rc", "use", "switch_backend", "install_repl_displayhook",
    "ctypeslib", "lib", "distutils", "f2py", "classes", "cpp",
}

# Special attributes an answer may read (chapter 3 names a graph's nodes by their type's name).
# Assigning to them is still caught: they are not among the assignable attributes below.
READABLE_SPECIAL_ATTRIBUTES = {"__name__", "__qualname__", "__doc__"}

# The only attributes an answer assigns: a tensor's gradient, values and tracking flag.
ASSIGNABLE_ATTRIBUTES = {"grad", "data", "requires_grad"}

BUILTIN_NAMES = set(dir(builtins))


@dataclass
class Screened:
    """The code autograde runs for one answer cell, and what was taken out of it."""
    code: str
    removed: list = field(default_factory=list)     # (line, statement, reason): tampering
    left_out: list = field(default_factory=list)    # (line, statement): experiments, not graded

    @property
    def flagged(self):
        return bool(self.removed)


def _problem(node, module_names):
    """Why `node` (one statement, without its nested statements) is forbidden, or None."""
    for sub in _walk_statement(node):
        if isinstance(sub, (ast.Import, ast.ImportFrom)):
            modules = ([a.name for a in sub.names] if isinstance(sub, ast.Import)
                       else [sub.module or ""])
            for module in modules:
                if sub.__class__ is ast.ImportFrom and sub.level:
                    return "relative import"
                if module not in ALLOWED_MODULES:
                    return f"imports {module!r}, which an answer of this course does not need"
                if isinstance(sub, ast.ImportFrom):
                    for alias in sub.names:
                        if alias.name.startswith("_") or alias.name in FORBIDDEN_MODULE_ATTRIBUTES:
                            return f"imports {module}.{alias.name}"
        elif isinstance(sub, ast.Name) and sub.id in FORBIDDEN_NAMES:
            return f"uses {sub.id}(): it {FORBIDDEN_NAMES[sub.id]}"
        elif isinstance(sub, ast.Name) and sub.id.startswith("__"):
            return f"uses the special name {sub.id}"
        elif isinstance(sub, ast.Attribute) and sub.attr.startswith("_") \
                and sub.attr not in READABLE_SPECIAL_ATTRIBUTES:
            return f"reaches the private attribute .{sub.attr}"
        elif isinstance(sub, ast.Attribute) and sub.attr in FORBIDDEN_MODULE_ATTRIBUTES \
                and _root_name(sub) in module_names:
            return f"uses {_root_name(sub)}….{sub.attr}, which loads code or changes global behaviour"
        elif isinstance(sub, ast.Attribute) and sub.attr.startswith("set_") \
                and _root_name(sub) in module_names:
            return f"changes global settings with .{sub.attr}()"
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and "__" in sub.value:
            return "a string names a special attribute (__…__)"
        elif isinstance(sub, (ast.Global, ast.Nonlocal)):
            return "declares a global or nonlocal name, reaching outside the function"
        elif isinstance(sub, ast.ClassDef):
            return "defines a class: answers are functions, and a class can redefine comparisons"
        elif isinstance(sub, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = sub.targets if isinstance(sub, (ast.Assign, ast.Delete)) else [sub.target]
            for target in targets:
                for element in _flatten(target):
                    if isinstance(element, ast.Attribute) and element.attr not in ASSIGNABLE_ATTRIBUTES:
                        return (f"changes the attribute {ast.unparse(element)}: answers only set "
                                f"{', '.join(sorted(ASSIGNABLE_ATTRIBUTES))} of their tensors")
                    if isinstance(element, ast.Subscript) and _root_name(element) in module_names:
                        return f"changes {ast.unparse(element)}, inside a module the tests use"
        elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) \
                and getattr(sub, "name", "").startswith("__"):
            return f"defines the special method {sub.name}"
        elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id == "type" \
                and len(sub.args) == 3:
            return "builds a class with type(): it can redefine comparisons"
    return None


def _walk_statement(node):
    """Every node of a statement, without descending into nested function bodies' statements
    (they are screened one by one) but including decorators, defaults and annotations."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        yield node  # for its name; its body's statements are screened one by one
        header = [*node.decorator_list, *node.args.defaults, *node.args.kw_defaults,
                  *(a.annotation for a in node.args.args if a.annotation)]
        if node.returns:
            header.append(node.returns)
        for part in header:
            if part is not None:
                yield from ast.walk(part)
        return
    if isinstance(node, (ast.For, ast.While, ast.If, ast.With, ast.Try, ast.AsyncFor, ast.AsyncWith)):
        for name, value in ast.iter_fields(node):
            if name in ("body", "orelse", "finalbody", "handlers"):
                continue
            for part in value if isinstance(value, list) else [value]:
                if isinstance(part, ast.AST):
                    yield from ast.walk(part)
        for handler in getattr(node, "handlers", []):
            if handler.type is not None:
                yield from ast.walk(handler.type)
        return
    yield from ast.walk(node)


def _flatten(target):
    if isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _flatten(element)
    elif isinstance(target, ast.Starred):
        yield from _flatten(target.value)
    else:
        yield target


def _root_name(node):
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.value if not isinstance(node, ast.Call) else node.func
    return node.id if isinstance(node, ast.Name) else None


def _module_names(tree):
    """Names bound to imported modules anywhere in the cell, plus the course's usual ones."""
    names = {"torch", "nn", "np", "plt", "math", "animation", "optim", "F", "matplotlib", "numpy"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.update(a.asname or a.name for a in node.names)
    return names


class _Screener:
    def __init__(self, module_names):
        self.module_names = module_names
        self.removed = []

    def statements(self, body):
        kept = []
        for node in body:
            reason = _problem(node, self.module_names)
            if reason:
                self.removed.append((node.lineno, ast.unparse(node).splitlines()[0], reason))
                continue
            for name in ("body", "orelse", "finalbody"):
                if isinstance(getattr(node, name, None), list):
                    setattr(node, name, self.statements(getattr(node, name)) or [ast.Pass()])
            for handler in getattr(node, "handlers", []):
                handler.body = self.statements(handler.body) or [ast.Pass()]
            kept.append(node)
        return kept


def _top_level_problem(node):
    """Why a top-level statement is not a definition autograde keeps, or None."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return None
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        if node.name in BUILTIN_NAMES:
            return f"redefines the built-in {node.name}(), which the tests use"
        return None
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = [t for target in targets for t in _flatten(target)]
        if all(isinstance(t, ast.Name) for t in names):
            shadowed = [t.id for t in names if t.id in BUILTIN_NAMES]
            return f"redefines the built-in {shadowed[0]}, which the tests use" if shadowed else None
        return ""  # an assignment into an object: an experiment, left out
    return ""      # a call, loop, print...: an experiment, left out


def screen_answer(source):
    """Screen one answer cell's code. Code that does not parse is returned unchanged: it fails
    when it runs, with Python's own message, which is the feedback the student needs."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return Screened(code=source)
    screener = _Screener(_module_names(tree))
    left_out, kept = [], []
    for node in tree.body:
        reason = _problem(node, screener.module_names) or _top_level_problem(node)
        if reason:
            screener.removed.append((node.lineno, ast.unparse(node).splitlines()[0], reason))
        elif reason == "":
            left_out.append((node.lineno, ast.unparse(node).splitlines()[0]))
        else:
            kept.append(node)
    tree.body = screener.statements(kept)
    code = ast.unparse(tree) if (screener.removed or left_out) else source
    return Screened(code=code, removed=screener.removed, left_out=left_out)
