"""The package's shape, as README's layout paragraph and ../shared/STYLE.md promise it: no module
past 400 lines, imports pointing one way (no cycle, not even one made only for the type
checker or inside a function), and the client and the demo API free of the UI."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "tui"
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def imports_of(name: str, path: Path) -> set[str]:
    """Every module of the package that `name` imports, wherever the import stands."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            candidates = [module] + [f"{module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        found.update(candidate for candidate in candidates if candidate in MODULES and candidate != name)
    return found


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in edges[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while (member := stack.pop()) != node:
                group.append(member)
            if group:
                found.append(sorted([node, *group]))

    for node in edges:
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle() -> None:
    edges = {name: imports_of(name, path) for name, path in MODULES.items()}
    assert cycles(edges) == []


@pytest.mark.parametrize("layer", ["tui.api", "tui.demo"])
def test_the_client_and_the_demo_import_no_ui_and_no_command(layer: str) -> None:
    ui = ("tui.app", "tui.screens", "tui.widgets", "tui.commands", "tui.cli")
    wrong = {
        name: sorted(other for other in imports_of(name, path) if other.startswith(ui))
        for name, path in MODULES.items()
        if name == layer or name.startswith(layer + ".")
    }
    assert {name: others for name, others in wrong.items() if others} == {}


def test_the_demo_shares_no_code_with_the_client() -> None:
    shared = {
        name: sorted(other for other in imports_of(name, path) if other.startswith("tui.api"))
        for name, path in MODULES.items()
        if name.startswith("tui.demo")
    }
    assert {name: others for name, others in shared.items() if others} == {}


def test_no_module_past_400_lines() -> None:
    long = {name: n for name, path in MODULES.items() if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
