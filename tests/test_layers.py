"""Holds the import table of house-style section 4: data flows one way, only the command line (cli, and
command and __main__, which run `check` without click) prints or exits."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "healthlint"

# module (or package prefix) -> healthlint modules it may import
ALLOWED = {
    "model": set(),
    "errors": set(),
    "lazy": set(),
    "yamlload": {"errors"},
    "language": {"model", "lazy"},
    "deadline": {"language"},
    "kinds": {"model", "language", "deadline", "kinds", "lazy"},
    "readers": {"model", "errors", "readers", "lazy"},
    "suppressions": {"model", "lazy"},
    "engine": {"model", "language", "deadline", "suppressions"},
    "formats": {"model", "formats"},
    "rulefile": {"model", "errors", "kinds", "language", "yamlload", "cache"},
    "cache": set(),
    "config": {"model", "errors", "yamlload", "cache"},
    "discovery": {"readers", "config"},
    "resultcache": {"model", "cache"},
    "runner": {"model", "errors", "config", "discovery", "readers", "engine", "rulefile", "language", "cache",
               "resultcache"},
    "baseline": {"model", "errors"},
    "ruledocs": {"model", "kinds"},
    "ruletests": {"model", "engine", "readers", "language"},
}
PRINTERS = {"print", "exit"}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        yield (parts[0] if parts else "__init__"), path


def _imports(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "healthlint":
            yield from (alias.name for alias in node.names)  # from healthlint import language
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("healthlint."):
            yield node.module.split(".")[1]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("healthlint."):
                    yield alias.name.split(".")[1]


@pytest.mark.parametrize(("top", "path"), list(_modules()), ids=lambda v: str(v))
def test_imports_follow_the_layers(top, path):
    if top not in ALLOWED:
        pytest.skip(f"{top} may import anything")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {name for name in _imports(tree) if name != "__version__"}
    assert imported <= ALLOWED[top] | {top}, f"{path.name} imports {sorted(imported - ALLOWED[top] - {top})}"


@pytest.mark.parametrize(("top", "path"), list(_modules()), ids=lambda v: str(v))
def test_only_cli_prints_or_exits(top, path):
    if top in ("cli", "command", "__main__"):
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    attrs = {f"{n.value.id}.{n.attr}" for n in ast.walk(tree) if isinstance(n, ast.Attribute)
             and isinstance(n.value, ast.Name)}
    assert not calls & PRINTERS, f"{path.name} calls {calls & PRINTERS}"
    assert not attrs & {"sys.exit", "sys.stdout", "sys.stderr"}
    assert "import click" not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("module", ["command", "__main__"])
def test_the_plain_check_path_never_imports_click(module):
    """`healthlint check FILE` runs without click (see healthlint.command): importing it would be a
    fifth of a pre-commit run."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    top_level = {alias.name for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))
                 for alias in node.names} | {node.module for node in tree.body if isinstance(node, ast.ImportFrom)}
    assert "click" not in top_level and "healthlint.cli" not in top_level and "cli" not in top_level
