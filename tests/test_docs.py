"""docs/rules.md and docs/kinds.md are generated; this fails, with the command to run, when they are stale."""

from __future__ import annotations

from pathlib import Path

import pytest

from healthlint import ruledocs, rulefile

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize(("name", "render", "command"), [
    ("rules.md", lambda: ruledocs.render_all(rulefile.load_rules().rules), "healthlint explain --all > docs/rules.md"),
    ("kinds.md", ruledocs.render_kinds, "healthlint explain --kinds > docs/kinds.md"),
])
def test_generated_docs_are_current(name, render, command):
    path = DOCS / name
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    assert current == render(), f"docs/{name} is stale: run `{command}`"


def test_explain_matches_the_docs():
    rules = rulefile.load_rules().rules
    page = (DOCS / "rules.md").read_text(encoding="utf-8")
    for rule in rules:
        assert ruledocs.render(rule) in page
