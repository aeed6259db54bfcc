"""Matcher: trying a pattern only at its anchors' candidate starts finds exactly what finditer finds."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from healthlint import language, readers, rulefile
from healthlint.kinds import literals, matcher
from healthlint.kinds.matcher import Matcher
from healthlint.model import Block, Document, Span

RULES = rulefile.load_rules()
MATCHERS = [(f"{rule.id}-{i}", m) for rule in RULES.rules for i, m in enumerate(getattr(rule.kind, "matchers", ()))]
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def doc_from(text: str) -> Document:
    return Document(path="t.txt", source=text, prose=text, blocks=(Block(Span(0, len(text)), "paragraph"),))


def plain(m: Matcher, doc: Document) -> list[tuple[int, int]]:
    return [x.span() for x in m.pattern.finditer(doc.prose, timeout=60)]


def anchored(m: Matcher, doc: Document) -> list[tuple[int, int]]:
    return [x.span() for x in m.finditer(doc)]


def _examples() -> list[str]:
    return [e.text for rule in RULES.rules for e in (*rule.examples.flag, *rule.examples.passes)]


def test_most_rule_patterns_are_anchored():
    # the optimisation must not silently switch itself off: a built-in pattern without anchors runs a
    # regex attempt at every offset of every document
    anchored_count = sum(m.is_anchored for _, m in MATCHERS)
    assert anchored_count >= 0.8 * len(MATCHERS)


def test_every_rule_finds_the_same_in_every_example():
    docs = [readers.load("example.md", text.encode()) for text in _examples()]
    for name, m in MATCHERS:
        for doc in docs:
            assert anchored(m, doc) == plain(m, doc), (name, doc.source)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside this checkout")
@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else [], ids=lambda p: p.name[:3])
def test_every_rule_finds_the_same_in_the_seeds(path):
    doc = readers.load(path.name, path.read_bytes())
    for name, m in MATCHERS:
        assert anchored(m, doc) == plain(m, doc), name


def _spellings() -> list[str]:
    """Words the anchors are made of, so generated text is full of near-misses and real matches."""
    words = set()
    for _, m in MATCHERS:
        for spellings, *_ in m._anchors or ():
            for s in spellings:
                words.update(w.replace(literals.DIGIT, "7") for w in s.split() if w)
    return sorted(words)


WORDS = _spellings()
SEPARATORS = [" ", "  ", "\n", "\r\n", "\t", "\u00a0", "\n\n", ", ", ". ", "-", "'", "’", "", "\n" + " " * 40]
ODD = ["ſ", "İ", "ı", "K", "Σ", "ß", "ﬁ", "é", "1", "%", "(", ")", "[1]", "¹"]


@st.composite
def texts(draw):
    parts = []
    for _ in range(draw(st.integers(1, 30))):
        kind = draw(st.integers(0, 9))
        if kind <= 6:
            word = draw(st.sampled_from(WORDS))
            case = draw(st.sampled_from((str.lower, str.upper, str.title, str.swapcase)))
            parts.append(case(word))
        elif kind == 7:
            parts.append(draw(st.sampled_from(ODD)))
        else:
            parts.append(draw(st.text(max_size=4)))
        parts.append(draw(st.sampled_from(SEPARATORS)))
    return "".join(parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts(), index=st.integers(0, len(MATCHERS) - 1))
def test_anchored_matching_equals_finditer_on_any_text(text, index):
    name, m = MATCHERS[index]
    doc = doc_from(text)
    assert anchored(m, doc) == plain(m, doc), name


# Patterns whose anchors take some care, each with texts that probe the care.
CASES = (
    (r"(?:the\s+)?evidence\s+shows", ["The\n  evidence shows", "evidence SHOWS", "theevidence shows"]),
    (r"\bcure[-\s]?alls?\b", ["a cure-all", "CURE ALL", "cureall", "cure\n\tall", "secure all"]),
    (r"(?<!no\s)\bsure\b", ["ſure", "SURE", "no sure", "not ſure"]),  # 'ſ' matches s under IGNORECASE
    (r"\bİstanbul\b", ["İstanbul", "istanbul", "ISTANBUL"]),  # 'İ' lower-cases to two characters
    (r"straße", ["STRASSE", "strasse", "Straße", "STRAẞE"]),
    (r"(?f)strasse", ["Straße", "STRASSE"]),  # full case folding: no literal anchors
    (r"(?m:^)[ \t>*-]*cure", ["x\n  - cure", "cure", "a cure", "\n\ncure", "x\r\ncure"]),
    (r"\Acure", ["cure", " cure", "x\ncure"]),
    (r"(?P<w>cure|heal)\s+(?P=w)", ["cure cure", "heal HEAL", "cure heal"]),
    (r"\b(?&verb)\s+depression(?(DEFINE)(?P<verb>cures?|heals?))", ["cures depression", "heal  depression"]),
    (r"(?:a|b)(?P<x>ab)|bab", ["ababab", "bab", "aab"]),  # overlapping spellings
    (r"(?-i:[A-Z])[a-z]+'s\s+pain\s+(?:eased|lifted)", ["Ann's pain eased", "ann's pain eased", "ANN'S PAIN LIFTED"]),
    (r"x*", ["axxbx", ""]),
    (r"(?<=\d)\s?%", ["70 %", "70%", "%"]),
    (r"\bto\s+die\b", ["to\ndie", "to die", "todie", "want to   die"]),
    (r"σοφία", ["ΣΟΦΊΑ", "σοφία", "ΣΟΦΙΑΣ"]),
    (r"cure(?=[\s\S]{0,20}?free)", ["cure is free", "cure is not at all for free of charge"]),
    (r"k", ["K", "k", "\u212a"]),  # Kelvin sign
    (r"(?m:^)a??", ["a\na", "b\na"]),  # after an empty match, finditer tries the same offset again
    (r"\Acure\K\w*", ["cures", "cure"]),
    # starts found by walking back over non-whitespace from "patient", whitespace runs of any length
    (r"(?:(?:own|internal)\s*)?\w?patient", ["own patient", "OWN \n\t  patient", "ownxpatient", "the patient",
                                            "internal" + " " * 300 + "apatient", "patient", "own\u00a0\u2003patient"]),
    # a match may begin with whitespace here, so no walk: it could start in the middle of a run
    (r"(?:(?:own|internal)\s*)?\s?\w?patient", ["   patient", "own  patient", " xpatient", "\n\npatient"]),
    (r"\b(?:(?:our|an?|the)\s+)?(?:internal|company|own|in-house)\s+(?:data|surveys?)(?=\s+(?:found|shows?))",
     ["the internal data found", "An   in-house survey shows", "our\nown data shows", "ourinternal data found"]),
    (r"(?:treat|ease|\w?help)\s+anxiety", ["treatment anxiety", "treat  anxiety", "xhelp anxiety", "help anxiety"]),
    # \d spelled as DIGIT ([0-9] in the scan); other scripts' digits make the document run plainly
    (r"\b\d{1,3}(?:\.\d+)?\s?(?:%|percent)", ["12%", "1.5 %", "1234%", "٣٤%", "１２%", "95 percent", "3.14159%"]),
    (r"\b(?:\d{1,3}|one|two)\s+in\s+(?:\d{1,3}|ten)\b", ["7 in 10", "one in 5", "7 in ten", "٧ in ١٠", "1 in 1000"]),
    (r"[0-9]x\s+faster", ["2x faster", "٢x faster", "10x  faster"]),
    # opening with \b or (?<![\w$]): a digit spelling is not looked for right after a word character
    (r"\b\d{1,3}(?:\.\d+)?%", ["a1%", "_5%", "x 5%", "ǅ5%", "\u212a5%", "1-800-273 5%", "12345%", "٣5%"]),
    (r"(?<![\w$])\d{1,2}\s?%\s+off", ["$5% off", "a5% off", " 5% off", "-5 % off", "é5% off"]),
)


@pytest.mark.parametrize(("source", "texts_"), CASES)
@pytest.mark.parametrize("flags", [regex.IGNORECASE, 0])
def test_tricky_patterns_match_as_finditer(source, texts_, flags):
    m = Matcher(regex.compile(source, flags))
    for text in texts_:
        doc = doc_from(f"{text} / {text}")
        assert anchored(m, doc) == plain(m, doc), text


@pytest.mark.parametrize(("source", "expected"), [
    (r"\b(?:the\s+)?evidence\s+shows\b", {"the evidence s", "evidence shows"}),  # cut to 14 characters
    (r"\bcur(?:e|es|ed)\b", {"cure", "cures", "cured"}),
    (r"(?<!not\s)\bmiracle\s+cure-all", {"miracle cure-a"}),  # cut to a prefix: shorter trie, same rarity
    # each alternative followed into the rest: "treat anxiety", not "treat", which "treatment" holds too
    (r"(?:treat|ease|\w?help)\s+anxiety", {"treat anxiety", "ease anxiety", "help anxiety"}),
])
def test_anchor_spellings(source, expected):
    found = literals.extract(regex.compile(source, regex.IGNORECASE))
    assert found is not None and found.anchors is not None
    assert set().union(*(spellings for spellings, *_ in found.anchors)) == expected


def test_an_unbounded_whitespace_prefix_still_anchors_by_a_walk():
    found = literals.extract(regex.compile(r"(?:(?:own|internal)\s*)?\w?patient", regex.IGNORECASE))
    assert found is not None and found.anchors is not None
    walks = [anchor for anchor in found.anchors if literals.is_walk(anchor)]
    assert walks == [(frozenset({"patient"}), 3, walks[0][2], 4)]  # after "own" or "internal" and a \w


def test_no_walk_when_a_match_may_begin_with_whitespace():
    found = literals.extract(regex.compile(r"(?:(?:own|internal)\s*)?\s?\w?patient", regex.IGNORECASE))
    assert found is not None and found.anchors is not None
    assert not any(literals.is_walk(anchor) for anchor in found.anchors)


def test_walk_back_skips_whitespace_runs_and_keeps_the_offset_range():
    text = "ab  c" + " " * 1000 + "de"
    backwards = text[::-1]
    at = text.index("d")
    assert matcher._walk_back(backwards, at, 0, 10**9, 3) == [at, 4, 1, 0]  # "d", then "c", "b", "a"
    assert matcher._walk_back(backwards, at, 1, 1001, 3) == [4]  # only 1 to 1001 characters back


def test_spaces_are_what_str_isspace_accepts():
    assert {c for c in range(sys.maxunicode + 1) if chr(c).isspace()} == literals._SPACES


@pytest.mark.parametrize("source", [r"x*", r"\w+ly", r"\Gcure", r"(?r)cure", r"(\w+)\s+\1", r"(?:cure){e<=1}",
                                    r"(?m:^)(?:cure)??", r"cure\K"])
def test_patterns_without_certain_anchors_run_plainly(source):
    assert not Matcher(regex.compile(source, regex.IGNORECASE)).is_anchored


def test_a_document_without_a_need_gets_no_regex_attempt():
    # the look-ahead's text must be somewhere in the document, or the pattern cannot match anywhere
    m = Matcher(regex.compile(r"\bcures?\b(?=[\s\S]{0,5000}?not\s+intended\s+to\s+diagnose)", regex.I))
    assert m._needs is not None
    without = doc_from("It cures. " * 50)
    with_it = doc_from("It cures. " * 50 + "This is NOT intended\nto diagnose.")
    assert m.starts(without) == []
    assert anchored(m, without) == plain(m, without) == []
    assert anchored(m, with_it) == plain(m, with_it) and len(plain(m, with_it)) == 50


def test_one_scan_serves_every_shared_matcher():
    a, b = Matcher(regex.compile("cure", regex.I)), Matcher(regex.compile("heal", regex.I))
    matcher.share([a, b])
    doc = doc_from("heal, then cure")
    assert a._scanner is b._scanner
    assert anchored(a, doc) == [(11, 15)] and anchored(b, doc) == [(0, 4)]


def test_a_digit_and_digit_in_one_trie_still_find_everything():
    # "call 988" and "call " + DIGIT would share a trie node: the literal one is widened to DIGITs
    literal = Matcher(regex.compile(r"\bcall\s+988\b", regex.I))
    digits = Matcher(regex.compile(r"call\s+\d{3}", regex.I))
    matcher.share([literal, digits])
    assert literal.is_anchored and digits.is_anchored
    for text in ["call 988", "Call 911 or call 988.", "call 9881", "CALL  988 now", "call ٩٨٨"]:
        doc = doc_from(text)
        assert anchored(literal, doc) == plain(literal, doc), text
        assert anchored(digits, doc) == plain(digits, doc), text


def test_a_document_dense_with_candidates_runs_plainly():
    # a page of phone numbers: a candidate at every other character costs more than plain finditer
    m = Matcher(regex.compile(r"\b\d{1,3}-\d+\s?%"))
    doc = doc_from("1-800-273-8255 " * 200 + "5-10%")
    assert m.starts(doc) is None
    assert anchored(m, doc) == plain(m, doc) == [(3000, 3005)]
    sparse = doc_from("Call 1-800-273-8255. " + "Words between the numbers. " * 50 + "5-10%")
    assert m.starts(sparse) is not None and anchored(m, sparse) == plain(m, sparse)


def test_timeout_covers_the_whole_iteration(monkeypatch):
    monkeypatch.setattr(language, "MIN_REGEX_TIMEOUT", 0.05)
    m = Matcher(regex.compile(r"cure(?:x|xx)+y"))
    assert m.is_anchored
    with pytest.raises(TimeoutError):
        list(m.finditer(doc_from("cure" + "x" * 60)))


def test_a_pickled_matcher_matches_the_same():
    m = Matcher(regex.compile(r"(?:the\s+)?evidence", regex.I))
    copy = pickle.loads(pickle.dumps(m))
    doc = doc_from("The evidence, and evidence.")
    assert anchored(copy, doc) == anchored(m, doc) == [(0, 12), (18, 26)]


def test_a_pickled_matcher_builds_its_pattern_only_when_used():
    """The rules cache holds each pattern's compiled code; a run rebuilds only the patterns its pages
    reach (about half on a typical page), and the rebuilt pattern is the same."""
    m = Matcher(regex.compile(r"(?:the\s+)?evidence", regex.I))
    copy = pickle.loads(pickle.dumps(m))
    assert copy._pattern is None
    assert copy.pattern.pattern == m.pattern.pattern and copy.pattern.flags == m.pattern.flags
    assert copy.pattern is copy.pattern  # built once
    assert anchored(copy, doc_from("The evidence.")) == [(0, 12)]
