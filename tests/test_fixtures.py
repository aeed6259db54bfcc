"""Realistic pages with inline expectations: each fixture's findings equal its markers, no more, no fewer.

A marker sits in a comment on the line it speaks for (`<!-- expect: HL101 HL103 -->`), or anywhere
for findings about the whole document (`<!-- expect-file: HL601 -->`). The harness blanks every
marker with spaces before linting, so columns stay true and the markers are never linted.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from healthlint import engine, readers, rulefile

FIXTURES = Path(__file__).parent / "fixtures"
MARKER = re.compile(r"<!--\s*expect(?P<file>-file)?:(?P<codes>[^>]*?)-->")
RULESET = rulefile.load_rules()


def expectations(text: str) -> tuple[str, dict[int, list[str]], list[str]]:
    """The text with markers blanked, per-line expected codes, and whole-document codes."""
    per_line: dict[int, list[str]] = {}
    whole: list[str] = []
    for m in MARKER.finditer(text):
        codes = m["codes"].split()
        if m["file"]:
            whole.extend(codes)
        else:
            per_line.setdefault(text.count("\n", 0, m.start()) + 1, []).extend(codes)
    blanked = MARKER.sub(lambda m: " " * len(m.group(0)), text)
    return blanked, per_line, whole


@pytest.mark.parametrize("path", sorted(p for p in FIXTURES.rglob("*") if p.is_file()),
                         ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture(path):
    text, per_line, whole = expectations(path.read_text(encoding="utf-8"))
    doc = readers.load(path.name, text.encode("utf-8"))
    result = engine.lint_document(doc, RULESET.rules, RULESET.lexicon)
    got_lines: dict[int, list[str]] = {}
    got_whole: list[str] = []
    for f in result.findings:
        if f.document:
            got_whole.append(f.rule_id)
        else:
            got_lines.setdefault(doc.position(f.span.start)[0], []).append(f.rule_id)
    assert sorted(got_whole) == sorted(whole), "whole-document findings differ"
    expected = {line: sorted(codes) for line, codes in per_line.items()}
    got = {line: sorted(codes) for line, codes in got_lines.items()}
    missing = {line: codes for line, codes in expected.items() if got.get(line) != codes}
    extra = {line: codes for line, codes in got.items() if expected.get(line) != codes}
    assert not missing and not extra, f"expected (line: codes) {missing}; got {extra}"
