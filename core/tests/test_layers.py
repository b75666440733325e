"""A lint, run as a test: ``core`` is the bottom of the stack (docs/architecture.md, "Layers").
No module of ``core`` imports another project app – the apps import ``core``, never the reverse –
so ``core`` can be read, tested and changed without the domain. Imports only for type checking
(under ``if TYPE_CHECKING:``) are allowed: they do not run. ``core/tests`` are exempt: tests such
as the URL walk exercise the whole project on purpose."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: What ``core`` may import of the project: itself and the settings/URL package.
ALLOWED = {"core", "config"}


def project_apps() -> set[str]:
    """Every top-level package of the project (a folder with ``__init__.py``)."""
    return {path.parent.name for path in ROOT.glob("*/__init__.py") if not path.parent.name.startswith(".")}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def runtime_imports(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, top-level module) for every import that runs, skipping ``if TYPE_CHECKING:`` bodies."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name.split(".")[0]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def offending_imports(root: Path, apps: set[str]) -> list[str]:
    forbidden = apps - ALLOWED
    offences = []
    for path in sorted((root / "core").rglob("*.py")):
        relative = path.relative_to(root)
        if relative.parts[:2] == ("core", "tests"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        offences += [
            f"{relative}:{line} imports {module}" for line, module in runtime_imports(tree) if module in forbidden
        ]
    return offences


def test_core_imports_no_other_project_app():
    assert offending_imports(ROOT, project_apps()) == []


def test_the_lint_sees_an_import_and_skips_type_checking_ones(tmp_path):
    # The lint must be able to fail: a runtime import is found, a TYPE_CHECKING one is not.
    package = tmp_path / "core"
    package.mkdir()
    (package / "bad.py").write_text(
        "from typing import TYPE_CHECKING\nimport people.models\nif TYPE_CHECKING:\n    from accounts.models import User\n"
        "def f():\n    from referrals import services\n",
        encoding="utf-8",
    )
    (package / "tests").mkdir()
    (package / "tests" / "test_x.py").write_text("import people\n", encoding="utf-8")
    offences = offending_imports(tmp_path, {"core", "people", "accounts", "referrals"})
    assert offences == ["core/bad.py:2 imports people", "core/bad.py:6 imports referrals"]
