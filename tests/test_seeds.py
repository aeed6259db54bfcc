"""The real articles in ../shared/seeds: the findings a compliance reviewer expects, and no others named.

The seeds are read-only input that lives beside the repo, never inside it; the test is skipped where
they are absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from healthlint import engine, readers, rulefile

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside this checkout")
RULESET = rulefile.load_rules()


def _findings(prefix: str):
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    doc = readers.load(path.name, path.read_bytes())
    result = engine.lint_document(doc, RULESET.rules, RULESET.lexicon)
    return doc, [(f.rule_id, doc.text(f.span), doc.position(f.span.start)) for f in result.findings]


def test_solves_in_the_title_of_002_is_a_claim():
    _, found = _findings("002")
    assert any(rule == "HL102" and text == "Solves" and pos[0] == 1 for rule, text, pos in found)


def test_unsourced_statistics_in_001():
    _, found = _findings("001")
    unsourced = {text for rule, text, _ in found if rule == "HL201"}
    assert "30%" in unsourced and "50-70%" in unsourced


@pytest.mark.parametrize(("prefix", "expected"), [("000", True), ("001", True), ("004", True),
                                                  ("002", False), ("003", False)])
def test_crisis_resource_findings(prefix, expected):
    _, found = _findings(prefix)
    assert any(rule == "HL501" for rule, _, _ in found) == expected


@pytest.mark.parametrize(("prefix", "sentence"), [
    ("003", "not a one-time cure"),
    ("004", "Can it cure depression permanently?"),
    ("004", "No reliable evidence suggests permanent cure"),
])
def test_careful_sentences_are_not_reported(prefix, sentence):
    doc, found = _findings(prefix)
    start = doc.source.index(sentence)
    end = start + len(sentence)
    inside = [(rule, text) for rule, text, (line, col) in found
              if start <= doc.line_starts[line - 1] + col - 1 < end]
    assert inside == []
