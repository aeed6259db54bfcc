"""kind: phrase."""

from __future__ import annotations

import pytest

from healthlint.kinds import KINDS
from healthlint.kinds.phrase import Phrase
from healthlint.model import Block, Document, Span


def doc_from(text: str) -> Document:
    block = Block(Span(0, len(text)), "paragraph")
    return Document(path="t.md", source=text, prose=text, format="text", blocks=(block,))


CASES = (
    ({"phrases": ["cure"]}, "It can cure you.", ["cure"]),
    ({"phrases": ["cure"]}, "It cures, it cured, it is curing.", ["cures", "cured", "curing"]),
    ({"phrases": ["cure"]}, "Secure, manicure, curated, procure.", []),
    ({"phrases": ["cure"]}, "CURE Cure cure", ["CURE", "Cure", "cure"]),
    ({"phrases": ["cure"]}, "Ketamine is not a cure.", ["cure"]),  # negation is the engine's job
    ({"phrases": ["cure"], "inflect": False}, "It cures. A cure.", ["cure"]),
    ({"phrases": ["FDA"], "case_sensitive": True}, "FDA, fda", ["FDA"]),
    ({"phrases": ["miracle cure"]}, "A miracle\ncure and miracle cures.", ["miracle\ncure", "miracle cures"]),
    ({"phrases": ["miracle", "miracle cure"]}, "A miracle cure. A miracle.", ["miracle cure", "miracle"]),
    ({"phrases": ["cure-all"]}, "A cure-all, a cure all.", ["cure-all", "cure all"]),
    ({"phrases": ["can't fail"]}, "It can’t fail.", ["can’t fail"]),
    ({"phrases": ["stop"]}, "It stopped the pain.", ["stopped"]),
    ({"phrases": ["naïve"]}, "Naïve to treatment.", ["Naïve"]),
    ({"phrases": ["100% safe", "#1"]}, "The #1 clinic, 100% safe.", ["#1", "100% safe"]),
    ({"phrases": ["heal", "solve", "fix"]}, "Heals, solved, fixing.", ["Heals", "solved", "fixing"]),
)


@pytest.mark.parametrize(("keys", "text", "expected"), CASES)
def test_phrase(keys, text, expected):
    doc = doc_from(text)
    assert [doc.text(s) for s in Phrase(**keys).find(doc)] == expected


def test_phrase_matches_prose_only():
    source = "Call `cure()` to cure."
    prose = source.replace("`cure()`", " " * 8)
    doc = Document(path="t.md", source=source, prose=prose)
    assert [s.start for s in Phrase(phrases=["cure"]).find(doc)] == [source.rindex("cure")]


def test_phrase_is_a_registered_span_kind():
    assert KINDS["phrase"] is Phrase
    assert Phrase.document is False


BAD = (
    ({"phrases": []}, "phrases: list at least one phrase"),
    ({"phrases": "cure"}, "phrases: expected a list of phrases, got a string"),
    ({"phrases": None}, "phrases: expected a list of phrases, got nothing (null)"),
    ({"phrases": ["cure", 3]}, "phrases[1]: expected a string, got a number"),
    ({"phrases": ["cure", "  "]}, "phrases[1]: empty phrase"),
    ({"phrases": ["cure"], "case_sensitive": "yes"}, "case_sensitive: expected true or false, got a string"),
    ({"phrases": ["cure"], "inflect": 1}, "inflect: expected true or false, got a number"),
)


@pytest.mark.parametrize(("keys", "message"), BAD)
def test_phrase_rejects_bad_keys(keys, message):
    with pytest.raises(ValueError) as info:
        Phrase(**keys)
    assert str(info.value) == message
