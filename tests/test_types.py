"""Types where the package's parts meet: every public function of gdcourse says what it takes and
gives, and the type checker (mypy, configured in pyproject.toml) agrees with every annotation."""
import ast
import subprocess
import sys

from course import ROOT


def public_functions(tree, prefix=""):
    """(qualified name, node) of the functions and methods a module offers (not _private)."""
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            yield from public_functions(node, f"{prefix}{node.name}.")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                and not node.name.startswith("_"):
            yield f"{prefix}{node.name}", node


def unannotated(node, is_method):
    arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
    if is_method and arguments and arguments[0].arg in ("self", "cls"):
        arguments = arguments[1:]
    arguments += [a for a in (node.args.vararg, node.args.kwarg) if a is not None]
    missing = [a.arg for a in arguments if a.annotation is None]
    return missing + (["return"] if node.returns is None else [])


def test_every_public_function_is_annotated():
    missing = []
    for path in sorted((ROOT / "gdcourse").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for name, node in public_functions(tree):
            gaps = unannotated(node, "." in name)
            if gaps:
                missing.append(f"{path.relative_to(ROOT)}: {name} ({', '.join(gaps)})")
    assert not missing, "public functions without annotations:\n" + "\n".join(missing)


def test_the_type_checker_agrees():
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
