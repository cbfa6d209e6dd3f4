"""Every sentence a person reads is marked for translation: a lint over the package.

It looks where text reaches people (notifications, labels, buttons, titles, key
descriptions, argparse help, shell messages, exceptions) and fails on an English
literal that is not wrapped in `_()`, `N_()` or `ngettext()`. It also fails on a
function that both calls `_()` and uses `_` as a throwaway name, which would make
`_` a local variable there and the call a crash.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "tui"
# The embedded demo API is a server: what it says is data, in the platform's words.
SKIPPED = ("demo",)
WORDS = re.compile(r"[A-Za-z]{2,}")
MARKERS = {"_", "N_", "ngettext"}
# Calls whose first argument is text for people.
FIRST_ARGUMENT = {"notify", "Static", "Label", "Button", "say", "warn", "note", "set_loading", "_status",
                  "TextDialog", "ConfirmDialog", "ScnetError", "ConfigError", "TokenRefused", "NetworkError",
                  "TlsError", "ApiError", "MalformedResponse", "ArgumentTypeError", "update", "Text",
                  "add_column", "SystemCommand"}
# Keyword arguments that are text for people, whatever the call.
TEXT_KEYWORDS = {"title", "help", "description", "epilog", "placeholder", "prompt", "tooltip", "hint", "confirm",
                 "message"}
# Calls whose keywords are for developers (a worker's description shows in Textual's devtools).
DEVELOPER_CALLS = {"work", "run_worker", "call_after_refresh"}
# Attributes that are text for people when assigned.
TEXT_ATTRIBUTES = {"border_title", "border_subtitle", "placeholder", "label", "description"}
# Literals that are not words to translate (names, code, units).
ALLOWED = {"scnet-images", "JSON", "HH:MM:SS", "SSH", "scnet-images · {name}"}


def _files() -> list[Path]:
    return [path for path in sorted(PACKAGE.rglob("*.py")) if path.relative_to(PACKAGE).parts[0] not in SKIPPED]


def _is_text(node: ast.AST) -> bool:
    """An English literal, or an f-string with English words in it."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(WORDS.search(node.value)) and node.value not in ALLOWED
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(part, ast.Constant) and WORDS.search(str(part.value)) for part in node.values)
    if isinstance(node, ast.BinOp):
        return _is_text(node.left) or _is_text(node.right)
    if isinstance(node, ast.IfExp):
        return _is_text(node.body) or _is_text(node.orelse)
    return False


def _name(call: ast.Call) -> str:
    function = call.func
    return function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")


def unmarked(source: str) -> list[tuple[int, str]]:
    """(line, text) of each English literal that reaches people unmarked."""
    found = []
    for node in ast.walk(ast.parse(source)):
        candidates: list[ast.AST] = []
        if isinstance(node, ast.Call) and _name(node) in MARKERS and node.args and isinstance(
                node.args[0], (ast.JoinedStr, ast.BinOp)):
            # `_(f"...")`, `_("a" + b)`: not extracted, so never translated
            found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Call) and _name(node) not in MARKERS:
            name = _name(node)
            if name in FIRST_ARGUMENT and node.args:
                candidates.append(node.args[0])
            if name == "Binding" and len(node.args) >= 3:
                candidates.append(node.args[2])
            if name not in DEVELOPER_CALLS:
                candidates += [keyword.value for keyword in node.keywords if keyword.arg in TEXT_KEYWORDS]
        elif isinstance(node, ast.Assign):
            if any(isinstance(target, ast.Attribute) and target.attr in TEXT_ATTRIBUTES for target in node.targets):
                candidates.append(node.value)
        found += [(candidate.lineno, ast.unparse(candidate)) for candidate in candidates if _is_text(candidate)]
    return found


def shadowed(source: str) -> list[tuple[int, str]]:
    """Functions that call `_()` and also bind `_` (a throwaway name): there `_` is local."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        inner = [child for child in ast.walk(node) if child is not node]
        # A comprehension's own variables are its own: they do not make `_` local to the function
        # (a comprehension that binds `_` and calls `_()` is caught below, on its own).
        own = {id(name) for child in inner if isinstance(child, ast.comprehension) for name in ast.walk(child.target)}
        binds = any(isinstance(child, ast.Name) and child.id == "_" and isinstance(child.ctx, ast.Store)
                    and id(child) not in own for child in inner)
        binds = binds or any(isinstance(child, ast.ExceptHandler) and child.name == "_" for child in inner)
        calls = any(isinstance(child, ast.Call) and isinstance(child.func, ast.Name) and child.func.id == "_"
                    for child in inner)
        if binds and calls:
            found.append((node.lineno, node.name))
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            targets = {name.id for generator in node.generators for name in ast.walk(generator.target)
                       if isinstance(name, ast.Name)}
            if "_" in targets and any(isinstance(child, ast.Call) and isinstance(child.func, ast.Name)
                                      and child.func.id == "_" for child in ast.walk(node)):
                found.append((node.lineno, "<comprehension>"))
    return found


@pytest.mark.parametrize("path", _files(), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_what_people_read_is_marked_for_translation(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert unmarked(source) == []
    assert shadowed(source) == []


def test_the_lint_finds_what_it_looks_for() -> None:
    assert unmarked('self.notify("Copied", title="Copy")') == [(1, "'Copied'"), (1, "'Copy'")]
    assert unmarked('say(f"no image {name}")') == [(1, "f'no image {name}'")]
    assert unmarked('Binding("q", "quit", "Quit")') == [(1, "'Quit'")]
    assert unmarked('box.border_title = "Keys"') == [(1, "'Keys'")]
    assert unmarked('self.notify(_("Copied"), title=_("Copy"))') == []
    assert unmarked('Binding("q", "quit", N_("Quit"))') == []
    assert shadowed('def f():\n    for _, b in x:\n        _("a")') == [(1, "f")]
    assert shadowed('def f():\n    return [b for _, b in x] + [_("a")]') == []
    assert shadowed('def f():\n    try:\n        g()\n    except E as _:\n        pass\n    _("a")') == [(1, "f")]
    assert shadowed('x = [_("a") for _ in y]') == [(1, "<comprehension>")]
    assert unmarked('_(f"no image {name}")') == [(1, "_(f'no image {name}')")]
    assert unmarked('_(CONSTANT)') == []
    assert unmarked('table.add_column("Name")') == [(1, "'Name'")]
    assert unmarked('self.notify(message="Copied")') == [(1, "'Copied'")]
