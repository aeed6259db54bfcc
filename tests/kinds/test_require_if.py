"""kind: require-if."""

from __future__ import annotations

import pytest

from healthlint import language
from healthlint.kinds import KINDS
from healthlint.kinds.require_if import RequireIf
from healthlint.model import Block, Document, Span


def doc_from(text: str) -> Document:
    block = Block(Span(0, len(text)), "paragraph")
    return Document(path="t.md", source=text, prose=text, format="text", blocks=(block,))


CRISIS = {
    "triggers": [
        r"suicid\w*",
        r"self-harm",
        r"end(?:ing)? (?:his|her|my|their|your) (?:own )?life",
        r"kill(?:ing)? (?:myself|yourself|themselves)",
    ],
    "patterns": [r"\b988\b", r"crisis text line", r"\b741741\b", r"116 ?123", r"\bcall 911\b"],
}

CASES = (
    (CRISIS, "Ketamine may ease suicidal thoughts.", ["suicidal"]),
    (CRISIS, "Ketamine may ease suicidal thoughts. If you are in crisis, call or text 988.", []),
    (CRISIS, "Suicide is preventable. Text HOME to 741741.", []),
    (CRISIS, "Suicide is preventable. Samaritans: 116 123.", []),
    (CRISIS, "Suicide is preventable. Reach the Crisis Text Line any time.", []),
    (CRISIS, "Thoughts of suicide? Call 911.", []),
    (CRISIS, "A Lifeline in the Darkness\nShe thought of ending her own life.", ["ending her own life"]),
    (CRISIS, "Self-harm and suicide are linked.", ["Self-harm"]),  # the first in the document
    (CRISIS, "Suicide, suicidal ideation, self-harm.", ["Suicide"]),  # once
    (CRISIS, "Ketamine may ease depression.", []),
    (CRISIS, "Call 9880 about suicide.", ["suicide"]),
    ({**CRISIS, "case_sensitive": True}, "Suicide rates rose.", []),
)


@pytest.mark.parametrize(("keys", "text", "expected"), CASES)
def test_require_if(keys, text, expected):
    doc = doc_from(text)
    assert [doc.text(s) for s in RequireIf(**keys).find(doc)] == expected


def test_require_if_reads_prose_only():
    source = "Suicide is preventable. [Help](tel:988)"
    prose = source.replace("[", " ").replace("](tel:988)", " " * 10)
    doc = Document(path="t.md", source=source, prose=prose)
    assert [doc.text(s) for s in RequireIf(**CRISIS).find(doc)] == ["Suicide"]


def test_require_if_is_a_registered_document_kind():
    assert KINDS["require-if"] is RequireIf
    assert RequireIf.document is True


BAD = (
    ({"triggers": [], "patterns": ["988"]}, "triggers: list at least one pattern"),
    ({"triggers": ["suicide"], "patterns": []}, "patterns: list at least one pattern"),
    ({"triggers": "suicide", "patterns": ["988"]}, "triggers: expected a list of patterns, got a string"),
    ({"triggers": ["suicid(e"], "patterns": ["988"]},
     "triggers[0]: invalid regular expression: missing ) at position 8"),
    ({"triggers": ["suicide"], "patterns": ["988|"]},
     "patterns[0]: '988|' matches the empty string, so it matches anywhere"),
    ({"triggers": ["suicide"], "patterns": ["988"], "case_sensitive": None},
     "case_sensitive: expected true or false, got nothing (null)"),
)


@pytest.mark.parametrize(("keys", "message"), BAD)
def test_require_if_rejects_bad_keys(keys, message):
    with pytest.raises(ValueError) as info:
        RequireIf(**keys)
    assert str(info.value) == message


def test_catastrophic_trigger_times_out(monkeypatch):
    monkeypatch.setattr(language, "MIN_REGEX_TIMEOUT", 0.05)
    with pytest.raises(TimeoutError):
        list(RequireIf(triggers=["(x|xx)+y"], patterns=["988"]).find(doc_from("x" * 5000)))
