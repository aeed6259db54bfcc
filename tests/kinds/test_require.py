"""kind: require."""

from __future__ import annotations

import pytest

from healthlint import language
from healthlint.kinds import KINDS
from healthlint.kinds.require import Require
from healthlint.model import Block, Document, Span


def doc_from(text: str) -> Document:
    block = Block(Span(0, len(text)), "paragraph")
    return Document(path="t.md", source=text, prose=text, format="text", blocks=(block,))


DISCLAIMER = {
    "patterns": [
        r"not (?:a substitute|intended) for (?:professional )?medical advice",
        r"talk to your (?:doctor|health ?care provider)",
    ]
}

CASES = (
    (DISCLAIMER, "Ketamine may help.\nThis page is not a substitute for medical advice.", []),
    (DISCLAIMER, "Ketamine may help. Talk to your doctor.", []),
    (DISCLAIMER, "Ketamine may help. TALK TO YOUR HEALTHCARE PROVIDER.", []),
    (DISCLAIMER, "Ketamine may help.", [Span(0, 0)]),
    (DISCLAIMER, "", [Span(0, 0)]),
    ({**DISCLAIMER, "case_sensitive": True}, "TALK TO YOUR DOCTOR.", [Span(0, 0)]),
    ({"patterns": [r"(?=.*\b988\b)"]}, "Call 988.", []),  # a look-ahead that matches counts
)


@pytest.mark.parametrize(("keys", "text", "expected"), CASES)
def test_require(keys, text, expected):
    assert list(Require(**keys).find(doc_from(text))) == expected


def test_require_reads_prose_only():
    source = "Ketamine may help. <!-- talk to your doctor -->"
    prose = source[: source.index("<")] + " " * (len(source) - source.index("<"))
    doc = Document(path="t.md", source=source, prose=prose)
    assert list(Require(**DISCLAIMER).find(doc)) == [Span(0, 0)]


def test_require_is_a_registered_document_kind():
    assert KINDS["require"] is Require
    assert Require.document is True


BAD = (
    ({"patterns": []}, "patterns: list at least one pattern"),
    ({"patterns": "988"}, "patterns: expected a list of patterns, got a string"),
    ({"patterns": ["988", ["x"]]}, "patterns[1]: expected a string, got a list"),
    ({"patterns": ["(988"]}, "patterns[0]: invalid regular expression: missing ) at position 4"),
    ({"patterns": ["x?"]}, "patterns[0]: 'x?' matches the empty string, so it matches anywhere"),
)


@pytest.mark.parametrize(("keys", "message"), BAD)
def test_require_rejects_bad_keys(keys, message):
    with pytest.raises(ValueError) as info:
        Require(**keys)
    assert str(info.value) == message


def test_catastrophic_pattern_times_out(monkeypatch):
    monkeypatch.setattr(language, "MIN_REGEX_TIMEOUT", 0.05)
    with pytest.raises(TimeoutError):
        list(Require(patterns=["(x|xx)+y"]).find(doc_from("x" * 5000)))
