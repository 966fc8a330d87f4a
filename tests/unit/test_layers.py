"""The package's import graph: every import, at module level or inside a function, read from the
source. No module reaches back into one that imports it, and the layers point one way:
course → grading → checks (the kernels' side knows nothing of grading)."""
import ast
from pathlib import Path

import gdcourse

PACKAGE = Path(gdcourse.__file__).parent


def module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path, modules):
    """The modules of gdcourse that the module at `path` imports."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[:len(package.split(".")) - node.level + 1] if node.level \
                else []
            target = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                found.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in modules
                          else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {module for module in found if module in modules and module != name}


def import_graph():
    paths = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: imports_of(path, paths) for name, path in paths.items()}


def cycles(graph):
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in graph[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in graph:
        if module not in index:
            visit(module)
    return found


def test_no_import_circle():
    assert cycles(import_graph()) == []


def test_the_layers_point_one_way():
    below = {"gdcourse.checks": ("gdcourse.grading", "gdcourse.course"),
             "gdcourse.lecture": ("gdcourse.grading", "gdcourse.course"),
             "gdcourse.grading": ("gdcourse.course",)}
    wrong = [f"{module} imports {target}"
             for module, targets in import_graph().items()
             for layer, forbidden in below.items() if module.startswith(layer)
             for target in targets if target.startswith(forbidden)]
    assert wrong == []


def test_the_graph_sees_imports_inside_functions():
    graph = import_graph()
    assert "gdcourse.checks.judges.cell" in graph["gdcourse.checks.runtime"]  # a lazy import
