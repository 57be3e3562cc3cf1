"""The package's proportions: each module names its one job in its first line, stays under 800 lines, and the
imports between modules flow one way (no cycle)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kg"
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "_resources" not in p.parts)
MAX_LINES = 800


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_module_opens_with_a_one_line_docstring(path: Path) -> None:
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")), clean=False)
    assert docstring, f"{_name(path)} has no docstring naming its job"
    first = docstring.strip().splitlines()[0]
    assert first.endswith((".", ":")), f"{_name(path)}: its first line is not a whole sentence: {first!r}"


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_module_is_at_most_800_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{_name(path)} has {lines} lines: split it along a seam"


def _module_imports(path: Path, known: set[str]) -> set[str]:
    """The project modules ``path`` imports when it is loaded (not under TYPE_CHECKING, not inside functions)."""
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        found |= {t for t in targets if t in known}
    return found


def test_imports_between_modules_have_no_cycle() -> None:
    names = {_name(p): p for p in MODULES}
    edges = {name: _module_imports(path, set(names)) - {name} for name, path in names.items()}
    # a package's __init__ is not a layer of its own: ignore edges into packages
    packages = {_name(p) for p in MODULES if p.name == "__init__.py"}
    edges = {name: targets - packages for name, targets in edges.items()}
    state: dict[str, int] = {}
    trail: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        trail.append(name)
        for target in sorted(edges[name]):
            if state.get(target) == 1:
                cycle = [*trail[trail.index(target) :], target]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        trail.pop()
        state[name] = 2

    for name in sorted(edges):
        if name not in state:
            visit(name)


def test_the_package_never_reads_the_tests() -> None:
    for path in MODULES:
        text = path.read_text(encoding="utf-8")
        assert '"tests"' not in text and "'tests'" not in text, f"{_name(path)} reaches into tests/"
