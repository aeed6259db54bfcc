"""The engine's context policy: negation, questions, and the document context rules apply in."""

from __future__ import annotations

from pathlib import Path

import pytest

from healthlint import engine, readers, rulefile
from healthlint.errors import RuleFileError
from healthlint.model import Context, Severity

LEXICON = rulefile.load_lexicon()


def rules_from(tmp_path: Path, text: str):
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    return rulefile.load_rules([path], LEXICON).rules


def lint(rules, text: str, context: Context = engine.DEFAULT_CONTEXT):
    doc = readers.READERS["markdown"]("t.md", text)
    return engine.lint_document(doc, rules, LEXICON, context).findings


BASE = """
- id: HL901
  name: treat-claim
  kind: phrase
  severity: warning
  phrases: [treat depression, treats depression]
  message: '"{match}" is a disease claim.'
  rationale: Supplements may not make disease claims.
"""


def test_negation_excuses_by_default_and_not_when_ignored(tmp_path):
    rules = rules_from(tmp_path, BASE)
    assert lint(rules, "It treats depression.")
    assert not lint(rules, "It never treats depression.")
    ignored = rules_from(tmp_path, BASE + "  negation: ignored\n")
    assert lint(ignored, "It never treats depression.")


@pytest.mark.parametrize(("policy", "expected"), [("skip", None), ("downgrade", Severity.INFO),
                                                   ("flag", Severity.WARNING)])
def test_question_policy(tmp_path, policy, expected):
    rules = rules_from(tmp_path, BASE + f"  questions: {policy}\n")
    found = lint(rules, "Does it treat depression? Maybe it treats depression?")
    assert (found[0].severity if found else None) == expected


CONTEXTUAL = BASE + """  applies: {locale: [US, UK]}
  overrides:
    - when: {product: [supplement, cbd]}
      severity: error
      message: 'A supplement cannot claim to treat a disease: "{match}".'
"""


def test_applies_and_overrides_follow_the_context(tmp_path):
    rules = rules_from(tmp_path, CONTEXTUAL)
    text = "This tea treats depression."
    assert lint(rules, text)[0].severity == Severity.WARNING
    found = lint(rules, text, Context(product="supplement"))
    assert found[0].severity == Severity.ERROR and found[0].message.startswith("A supplement")
    assert lint(rules, text, Context(locale="AU")) == ()


def test_front_matter_declares_the_context(tmp_path):
    rules = rules_from(tmp_path, CONTEXTUAL)
    page = "---\nhealthlint:\n  product: cbd\n---\n\nThis oil treats depression.\n"
    assert lint(rules, page)[0].severity == Severity.ERROR
    unknown = "---\nhealthlint:\n  product: snake-oil\n---\n\nThis oil treats depression.\n"
    doc = readers.READERS["markdown"]("t.md", unknown)
    result = engine.lint_document(doc, rules, LEXICON)
    assert result.findings[0].severity == Severity.WARNING
    assert "healthlint.product" in result.notices[0].message


@pytest.mark.parametrize(("extra", "problem"), [
    ("  applies: {product: [suplement]}\n", "did you mean 'supplement'"),
    ("  applies: {planet: [earth]}\n", "unknown context 'planet'"),
    ("  overrides: [{severity: error}]\n", "needs a 'when'"),
    ("  overrides: [{when: {locale: UK}, severity: fatal}]\n", "unknown severity"),
])
def test_bad_context_keys_are_located_errors(tmp_path, extra, problem):
    with pytest.raises(RuleFileError, match=problem) as info:
        rules_from(tmp_path, BASE + extra)
    assert str(info.value).startswith(f"{tmp_path / 'r.yaml'}:")


@pytest.mark.parametrize(("text", "expected"), [
    ("# Does it treat depression?\n\nNo. Nothing here treats depression.", False),
    ("Does it treat depression? Not yet: trials are under way.", False),
    ("# Does it treat depression?\n\nYes, for most of our patients.", True),
    ("# Does it treat depression?\n\nMany patients say so.", True),
])
def test_unless_denied_questions(tmp_path, text, expected):
    rules = rules_from(tmp_path, BASE + "  questions: unless-denied\n")
    assert bool([f for f in lint(rules, text) if f.span.start < text.index("?")]) is expected


def test_a_repeated_claim_shares_one_message(tmp_path):
    """A page that repeats a claim thousands of times holds one message string per matched text."""
    rules = rules_from(tmp_path, BASE)
    found = lint(rules, "It treats depression.\n\nIt TREATS depression.\n\n" * 3)
    assert [f.message for f in found] == ['"treats depression" is a disease claim.',
                                          '"TREATS depression" is a disease claim.'] * 3
    assert len({id(f.message) for f in found}) == 2
