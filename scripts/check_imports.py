"""Two rules of the import graph that import-linter's contracts do not state (``make lint``).

1. A first-party import (``exercises``, ``grader``, ``config``) inside a function or a class
   says why it is not at the top of its module, on its line or in the comment right above it:
   ``# cycle: <reason>`` for an import that cannot run when the module loads (Django's app
   registry is not ready while ``apps.py`` loads), or ``# lazy: <reason>`` for a load boundary
   (a worker-only module, such as the sandbox, that a web process must never import). An
   import hidden in a function without either is how cycles were hidden before.
2. No first-party import cycle: the graph of every import, function-level ones included
   (grimp's, the graph import-linter checks), has no strongly connected part larger than one
   module.

Run: ``python scripts/check_imports.py``; exit status 1 and one line per finding otherwise.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("exercises", "grader", "config")
REASON = re.compile(r"#\s*(cycle|lazy):\s*\S")


def _first_party(node: ast.Import | ast.ImportFrom) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] in PACKAGES
    return any(alias.name.split(".")[0] in PACKAGES for alias in node.names)


def _nested_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """Imports inside a function or a class body (module-level ``if``/``try`` blocks are
    still module level)."""

    def walk(node: ast.AST, nested: bool) -> Iterator[ast.Import | ast.ImportFrom]:
        for child in ast.iter_child_nodes(node):
            inside = nested or isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda
            )
            if isinstance(child, ast.Import | ast.ImportFrom) and nested:
                yield child
            yield from walk(child, inside)

    yield from walk(tree, False)


def unexplained_imports(source: str, name: str = "<source>") -> list[str]:
    """Each first-party import of ``source`` inside a function or class without a
    ``# cycle:`` or ``# lazy:`` reason on its line or in the comment lines right above it (a
    reason above a group of imports covers the group)."""
    lines = source.splitlines()
    found = []
    for node in _nested_imports(ast.parse(source)):
        if not _first_party(node):
            continue
        own = lines[node.lineno - 1 : node.end_lineno]
        above = []
        index = node.lineno - 2
        while index >= 0 and lines[index].strip().startswith(("#", "from ", "import ")):
            above.append(lines[index])
            index -= 1
        if not any(REASON.search(line) for line in own + above):
            found.append(f"{name}:{node.lineno}: function-level import without a reason")
    return found


def cycles(graph) -> list[list[str]]:
    """The strongly connected parts (Tarjan's algorithm, iterative) of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph.modules):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for succ in successors:
                if succ not in index:
                    index[succ] = low[succ] = counter
                    counter += 1
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(sorted(graph.find_modules_directly_imported_by(succ)))))
                    advanced = True
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                part = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    part.append(member)
                    if member == node:
                        break
                if len(part) > 1:
                    found.append(sorted(part))
    return found


def main() -> int:
    problems = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            name = str(path.relative_to(ROOT))
            problems += unexplained_imports(path.read_text(encoding="utf-8"), name)
    import grimp  # the tool's own dependency: only `make lint` needs it

    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    problems += [f"import cycle: {' -> '.join(part)}" for part in cycles(graph)]
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
