"""kind: pattern."""

from __future__ import annotations

import pytest

from healthlint import language
from healthlint.kinds import KINDS
from healthlint.kinds.pattern import Pattern
from healthlint.model import Block, Document, Span


def doc_from(text: str) -> Document:
    block = Block(Span(0, len(text)), "paragraph")
    return Document(path="t.md", source=text, prose=text, format="text", blocks=(block,))


CASES = (
    ({"pattern": r"#1\b"}, "The #1 clinic, not #12.", ["#1"]),
    ({"pattern": r"\bcure\b"}, "A CURE, a Cure.", ["CURE", "Cure"]),
    ({"pattern": r"\bcure\b", "case_sensitive": True}, "A CURE, a cure.", ["cure"]),
    ({"pattern": r"proven to (?P<match>cure|work)"}, "It is proven to work.", ["work"]),
    ({"pattern": r"(?:(?P<match>miracle)\s+)?cure"}, "A miracle cure, a cure.", ["miracle"]),
    ({"pattern": r"x*"}, "axxbx", ["xx", "x"]),
    ({"pattern": r"\b"}, "no empty matches", []),
    ({"pattern": r"(?P<match>)cure"}, "cure", []),
    ({"pattern": r"miracle\s+cure"}, "a miracle\ncure", ["miracle\ncure"]),
    ({"pattern": r"\d+\s?%"}, "Up to 70 % respond.", ["70 %"]),
)


@pytest.mark.parametrize(("keys", "text", "expected"), CASES)
def test_pattern(keys, text, expected):
    doc = doc_from(text)
    assert [doc.text(s) for s in Pattern(**keys).find(doc)] == expected


def test_pattern_matches_prose_only():
    source = "See <b>70%</b> of https://example.com/70%"
    prose = "See    70%     of                       "
    doc = Document(path="t.html", source=source, prose=prose, format="html")
    assert [doc.text(s) for s in Pattern(pattern=r"\d+%").find(doc)] == ["70%"]


def test_pattern_is_a_registered_span_kind():
    assert KINDS["pattern"] is Pattern
    assert Pattern.document is False


BAD = (
    ({"pattern": "(foo|bar"}, "pattern: invalid regular expression: missing ) at position 8"),
    ({"pattern": "a{2,1}"}, "pattern: invalid regular expression: "),
    ({"pattern": ""}, "pattern: empty regular expression"),
    ({"pattern": ["cure"]}, "pattern: expected a regular expression (a string), got a list"),
    ({"pattern": "cure", "case_sensitive": "no"}, "case_sensitive: expected true or false, got a string"),
)


@pytest.mark.parametrize(("keys", "message"), BAD)
def test_pattern_rejects_bad_keys(keys, message):
    with pytest.raises(ValueError) as info:
        Pattern(**keys)
    assert str(info.value).startswith(message)


def test_catastrophic_pattern_times_out(monkeypatch):
    monkeypatch.setattr(language, "MIN_REGEX_TIMEOUT", 0.05)
    kind = Pattern(pattern="(x|xx)+y")
    with pytest.raises(TimeoutError):
        list(kind.find(doc_from("x" * 5000)))
