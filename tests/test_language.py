"""Sentences, clauses, negation, questions and phrase patterns (healthlint.language)."""

from __future__ import annotations

import gc
import itertools
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from healthlint import language
from healthlint.language import (
    Lexicon,
    clause_bounds,
    inflections,
    is_negated,
    is_question,
    sentence_at,
    sentences,
    word_pattern,
)
from healthlint.model import Block, Document, Span

LEXICON_FILE = Path(__file__).resolve().parents[1] / "rules" / "lexicon.yaml"
LEX = Lexicon.from_mapping(yaml.safe_load(LEXICON_FILE.read_text(encoding="utf-8")))


def doc_from(text: str, *, lines: bool = False) -> Document:
    """A plain-text document: one block, or (lines=True) one block per non-blank line."""
    if not lines:
        blocks = (Block(Span(0, len(text)), "paragraph"),)
    else:
        spans, start = [], 0
        for line in text.split("\n"):
            if line.strip():
                spans.append(Block(Span(start, start + len(line)), "paragraph"))
            start += len(line) + 1
        blocks = tuple(spans)
    return Document(path="t.md", source=text, prose=text, format="text", blocks=blocks)


def span_of(text: str, target: str) -> Span:
    start = text.index(target)
    return Span(start, start + len(target))


# --- Lexicon ------------------------------------------------------------------------------------------

GOOD = {"negators": ["not", "-n't"], "intensifiers": ["not just"], "clause_breaks": ["but"],
        "abbreviations": ["Dr.", "No. 1"]}


def test_lexicon_file_loads_every_list():
    assert "not" in LEX.negators and "-n't" in LEX.negators
    assert "not just" in LEX.intensifiers
    assert "but" in LEX.clause_breaks
    assert "e.g." in LEX.abbreviations
    again = Lexicon.from_mapping(yaml.safe_load(LEXICON_FILE.read_text(encoding="utf-8")))
    assert again == LEX


def test_lexicon_entries_become_tuples():
    lex = Lexicon.from_mapping(GOOD)
    assert lex.negators == ("not", "-n't")
    assert hash(lex) == hash(Lexicon.from_mapping(GOOD))


BAD_LEXICONS = (
    (["not"], "expected a mapping"),
    ({k: v for k, v in GOOD.items() if k != "negators"}, "missing key 'negators'"),
    ({**GOOD, "hedges": ["may"]}, "unknown key 'hedges'"),
    ({**GOOD, "negators": "not"}, "negators: expected a list of strings, got a string"),
    ({**GOOD, "negators": ["not", False]}, "negators[1]: expected a string, got true/false"),
    ({**GOOD, "intensifiers": None}, "intensifiers: expected a list"),
    ({**GOOD, "clause_breaks": ["but", "  "]}, "clause_breaks[1]: empty string"),
    ({**GOOD, "abbreviations": ["Dr"]}, "abbreviations[0]: 'Dr' must end with '.'"),
)


@pytest.mark.parametrize(("data", "message"), BAD_LEXICONS)
def test_lexicon_rejects_bad_mapping(data, message):
    with pytest.raises(ValueError) as info:
        Lexicon.from_mapping(data)
    assert str(info.value).startswith("lexicon: ")
    assert message in str(info.value)


# --- Sentences ----------------------------------------------------------------------------------------

SENTENCES = (
    ("Ketamine is not a cure. It may help.", ["Ketamine is not a cure.", "It may help."]),
    ("Dr. Smith treats TRD. She is careful.", ["Dr. Smith treats TRD.", "She is careful."]),
    ("It is approved in the U.S. for TRD. Not here.", ["It is approved in the U.S. for TRD.", "Not here."]),
    ("Use a support, e.g. a friend. Then rest.", ["Use a support, e.g. a friend.", "Then rest."]),
    ("Use a support, i.e. a friend. Then rest.", ["Use a support, i.e. a friend.", "Then rest."]),
    ("Zarate et al. (2006) saw it. Others too.", ["Zarate et al. (2006) saw it.", "Others too."]),
    ("Ketamine vs. placebo differed. Yes.", ["Ketamine vs. placebo differed.", "Yes."]),
    ("Mr. Jones and Mrs. Jones agree. Fine.", ["Mr. Jones and Mrs. Jones agree.", "Fine."]),
    ("See No. 5 in the list. Then stop.", ["See No. 5 in the list.", "Then stop."]),
    ("Is it a cure? No. It is not.", ["Is it a cure?", "No.", "It is not."]),
    ("J. Smith wrote it. Then left.", ["J. Smith wrote it.", "Then left."]),
    ("Doses of 2.5 mg worked. Others 0.5.", ["Doses of 2.5 mg worked.", "Others 0.5."]),
    ("Response was 1.5 times higher. Really!", ["Response was 1.5 times higher.", "Really!"]),
    ('"It works!" she said. Fine.', ['"It works!"', "she said.", "Fine."]),
    ("He said “it cured me.” Then he left.", ["He said “it cured me.”", "Then he left."]),
    ("It helps (a lot.) Really.", ["It helps (a lot.)", "Really."]),
    ("It helped 30% of patients.[1] Others too.", ["It helped 30% of patients.[1]", "Others too."]),
    ("It helped 30% of patients.¹ Others too.", ["It helped 30% of patients.¹", "Others too."]),
    ("Really?! Yes.", ["Really?!", "Yes."]),
    ("Wait... what? And then... It worked.", ["Wait... what?", "And then...", "It worked."]),
    ("  Leading and trailing space.   ", ["Leading and trailing space."]),
    ("No final stop", ["No final stop"]),
    ("A line\nwrapped in a paragraph. Next.", ["A line\nwrapped in a paragraph.", "Next."]),
    ("One paragraph\n\nAnother one", ["One paragraph", "Another one"]),
    ("", []),
)


@pytest.mark.parametrize(("text", "expected"), SENTENCES)
def test_sentences(text, expected):
    doc = doc_from(text)
    assert [doc.text(s) for s in sentences(doc, LEX)] == expected


def test_sentences_never_cross_blocks():
    doc = doc_from("Can Ketamine Cure Depression\nIt is not a cure, but it may help", lines=True)
    assert [doc.text(s) for s in sentences(doc, LEX)] == [
        "Can Ketamine Cure Depression",
        "It is not a cure, but it may help",
    ]


def test_sentences_skip_text_outside_blocks():
    text = "Kept. ```code. block``` Also kept."
    blocks = (Block(Span(0, 5), "paragraph"), Block(Span(24, 34), "paragraph"))
    doc = Document("t.md", text, text, blocks=blocks)
    assert [doc.text(s) for s in sentences(doc, LEX)] == ["Kept.", "Also kept."]


def test_sentences_without_blocks_cover_the_whole_text():
    doc = Document("t.txt", "One. Two.", "One. Two.")
    assert [doc.text(s) for s in sentences(doc, LEX)] == ["One.", "Two."]


def test_sentences_of_masked_prose_are_positions_in_source():
    source = "See `a. b` now. Next."
    prose = source.replace("`a. b`", " " * 6)
    doc = Document("t.md", source, prose, blocks=(Block(Span(0, len(source)), "paragraph"),))
    assert [doc.text(s) for s in sentences(doc, LEX)] == ["See `a. b` now.", "Next."]


def test_sentences_without_abbreviations_split_at_every_period():
    doc = doc_from("Dr. Smith agrees, etc. and so on. Yes.")
    assert [doc.text(s) for s in sentences(doc, language.EMPTY_LEXICON)] == [
        "Dr.",
        "Smith agrees, etc. and so on.",  # a period before a lower-case word ends no sentence
        "Yes.",
    ]


def test_sentences_are_split_once_per_document():
    doc = doc_from("One. Two.")
    assert sentences(doc, LEX) is sentences(doc, LEX)
    other = doc_from("One. Two.")
    assert sentences(other, LEX) == sentences(doc, LEX)


def test_sentence_cache_never_serves_a_freed_document():
    for n in range(50):  # a freed document's id is often reused at once
        text = "One. " * n + "End."
        doc = doc_from(text)
        assert len(sentences(doc, LEX)) == n + 1
        del doc
    gc.collect()
    assert len(language._INDEXES) < 10


def test_sentence_at():
    text = "Is it a cure? It is not."
    doc = doc_from(text)
    assert doc.text(sentence_at(doc, span_of(text, "cure"), LEX)) == "Is it a cure?"
    assert doc.text(sentence_at(doc, span_of(text, "not"), LEX)) == "It is not."
    assert sentence_at(doc, Span(13, 13), LEX) is None  # the space between the two


# --- Clauses ------------------------------------------------------------------------------------------

CLAUSES = (
    ("It is not just a treatment — it's a cure.", "cure", "it's a cure."),
    ("It is not a cure; it is a start.", "cure", "It is not a cure"),
    ("There's no doubt: it cures depression.", "cures", "it cures depression."),
    ("It's Not a Magic Cure-But It's a Powerful Catalyst", "Cure", "It's Not a Magic Cure"),
    ("It's Not a Magic Cure-But It's a Powerful Catalyst", "Catalyst", "It's a Powerful Catalyst"),
    ("Not a cure - a catalyst.", "catalyst", "a catalyst."),
    ("Not a cure – a catalyst.", "catalyst", "a catalyst."),
    ("It helps 50–70% of patients.", "70%", "It helps 50–70% of patients."),
    ("Sessions at 10:30 are calm.", "calm", "Sessions at 10:30 are calm."),
    ("It is not magic, but it cures.", "cures", "it cures."),
    ("Although it is not approved, it cures.", "cures", "it cures."),
    ("Although it is not approved, it cures.", "approved", "it is not approved"),
    ("However, it is not a cure.", "cure", "it is not a cure."),
    ("It is not approved, however it cures.", "cures", "it cures."),
    ("It is not yet approved for depression.", "approved", "It is not yet approved for depression."),
    ("First sentence. No cure here.", "cure", "No cure here."),
)


@pytest.mark.parametrize(("text", "target", "expected"), CLAUSES)
def test_clause_bounds(text, target, expected):
    doc = doc_from(text)
    assert doc.text(clause_bounds(doc, span_of(text, target), LEX)) == expected


# --- Negation -----------------------------------------------------------------------------------------

NEGATION = (
    ("Ketamine is not a cure.", "cure", True),
    ("It's Not a Magic Cure-But It's a Powerful Catalyst", "Cure", True),
    ('It doesn\'t "cure" depression.', "cure", True),
    ("It doesn’t cure depression.", "cure", True),
    ("There is no cure for depression.", "cure", True),
    ("KAP isn't magic, and it's not a one-time cure and not suitable for everyone.", "cure", True),
    ("No reliable evidence suggests permanent cure.", "permanent cure", True),
    ("We can't promise results.", "promise", True),
    ("We can’t promise results.", "promise", True),
    ("We cannot promise results.", "promise", True),
    ("Ketamine won't cure you.", "cure", True),
    ("Ketamine is unlikely to cure depression.", "cure", True),
    ("Ketamine is not yet approved for depression.", "approved", True),
    ("No treatment works for everyone.", "works for everyone", True),
    ("It's not just a treatment — it's a cure.", "cure", False),
    ("Ketamine didn't just save his life.", "save his life", False),
    ("Ketamine didn’t just save his life.", "save his life", False),
    ("Not only does it relieve symptoms, it cures them.", "cures", False),
    ("No waiting list — cure your anxiety today.", "cure", False),
    ("There's no doubt: it cures depression.", "cures", False),
    ("Don't wait: ketamine cures depression.", "cures", False),
    ("It's Not a Magic Cure-But It's a Powerful Catalyst", "Catalyst", False),
    ("It is not magic, but it cures depression.", "cures", False),
    ("Although it is not FDA-approved, ketamine cures depression.", "cures", False),
    ("Although it is effective, it is not a cure.", "cure", True),
    ("It is nothing short of a miracle cure.", "miracle cure", False),
    ("Ketamine cures depression.", "cures", False),
    ("It is not. Ketamine cures depression.", "cures", False),
    ("Not one of the many, many other clinics in the whole wide region can cure you.", "cure", False),
    ("Notable results: it cures.", "cures", False),
)


@pytest.mark.parametrize(("text", "target", "expected"), NEGATION)
def test_is_negated(text, target, expected):
    doc = doc_from(text)
    assert is_negated(doc, span_of(text, target), LEX) is expected


def test_negation_does_not_reach_across_blocks():
    doc = doc_from("Not a magic pill\nKetamine cures depression.", lines=True)
    assert not is_negated(doc, span_of(doc.source, "cures"), LEX)


# --- Questions ----------------------------------------------------------------------------------------

QUESTIONS = (
    ("Can it cure depression permanently?", "cure", True),
    ('She asked, "can it cure depression?"', "cure", True),
    ("Can it cure depression?!", "cure", True),
    ("Can it cure depression? No.", "cure", True),
    ("Is it a cure? No, it cures nothing.", "cures", False),
    ("It can cure depression.", "cure", False),
    ("Why? Because it cures depression.", "cures", False),
)


@pytest.mark.parametrize(("text", "target", "expected"), QUESTIONS)
def test_is_question(text, target, expected):
    doc = doc_from(text)
    assert is_question(doc, span_of(text, target), LEX) is expected


def test_question_in_a_heading_block():
    doc = doc_from("Can Ketamine Cure Depression?\nIt may help some people.", lines=True)
    assert is_question(doc, span_of(doc.source, "Cure"), LEX)
    assert not is_question(doc, span_of(doc.source, "help"), LEX)


# --- Phrases ------------------------------------------------------------------------------------------

INFLECTIONS = (
    ("cure", {"cure", "cures", "cured", "curing"}),
    ("solve", {"solve", "solves", "solved", "solving"}),
    ("heal", {"heal", "heals", "healed", "healing"}),
    ("fix", {"fix", "fixes", "fixed", "fixing"}),
    ("cry", {"cry", "cries", "cried", "crying"}),
    ("stay", {"stay", "stays", "stayed", "staying"}),
    ("die", {"die", "dies", "died", "dying"}),
    ("free", {"free", "frees", "freed", "freeing"}),
    ("reach", {"reach", "reaches", "reached", "reaching"}),
    ("FDA", {"FDA"}),
    ("up", {"up"}),
)


@pytest.mark.parametrize(("word", "expected"), INFLECTIONS)
def test_inflections(word, expected):
    assert set(inflections(word)) == expected


def test_inflections_double_a_final_consonant():
    assert {"stopped", "stopping", "stops"} <= set(inflections("stop"))


WORDS = (
    (["cure"], "cure cures cured curing Cure CURES", ["cure", "cures", "cured", "curing", "Cure", "CURES"]),
    (["cure"], "secure manicure curated procure curer", []),
    (["cure"], "écure cureé a cure’s", ["cure"]),
    (["cure"], "A cure-all, a cure_all.", ["cure"]),
    (["stop"], "It stopped. Stopping.", ["stopped", "Stopping"]),
    (["cry"], "She cries and cried.", ["cries", "cried"]),
    (["fix"], "It fixes and fixed.", ["fixes", "fixed"]),
    (["miracle cure"], "a miracle\ncure, a miracle   cures", ["miracle\ncure", "miracle   cures"]),
    (["cure-all"], "a cure-all, a cure all, a cure\u2011all", ["cure-all", "cure all", "cure\u2011all"]),
    (["can't fail"], "It can’t fail. It can't fail.", ["can’t fail", "can't fail"]),
    (["can’t fail"], "It can't fail.", ["can't fail"]),
    (["miracle", "miracle cure"], "a miracle cure, a miracle", ["miracle cure", "miracle"]),
    (["cure", "cure all"], "cure all", ["cure all"]),
    (["100%"], "100% safe, 100%s, 1100%", ["100%", "100%"]),
    (["#1"], "the #1 clinic", ["#1"]),
    (["naïve"], "Naïve patients, naïves", ["Naïve", "naïves"]),
    (["über"], "Über good", ["Über"]),
    (["(c) 2024"], "copyright (c) 2024.", ["(c) 2024"]),
    (["heal your brain"], "heals your brain, heal your brains", ["heal your brains"]),
)


@pytest.mark.parametrize(("phrases", "text", "expected"), WORDS)
def test_word_pattern(phrases, text, expected):
    assert [m.group() for m in word_pattern(phrases).finditer(text)] == expected


def test_word_pattern_case_sensitive():
    pattern = word_pattern(["FDA approved"], case_sensitive=True)
    assert pattern.findall("FDA approved, fda approved, FDA  approved") == ["FDA approved", "FDA  approved"]


def test_word_pattern_hyphen_matches_hyphen_or_space_but_space_not_hyphen():
    found = word_pattern(["FDA-approved"]).findall("FDA approved, FDA-approved")
    assert found == ["FDA approved", "FDA-approved"]
    assert word_pattern(["FDA approved"]).findall("FDA-approved") == []


def test_word_pattern_without_inflection():
    assert [m.group() for m in word_pattern(["cure"], inflect=False).finditer("cure cures")] == ["cure"]


def test_word_pattern_inflects_only_the_last_word():
    assert word_pattern(["cure depression"]).findall("cures depression, cure depressions") == [
        "cure depressions"
    ]


def test_word_pattern_compiles_once():
    assert word_pattern(["cure", "heal"]) is word_pattern(("cure", "heal"))


@pytest.mark.parametrize(
    ("phrases", "message"),
    (([], "list at least one phrase"), ("cure", "expected a list of phrases"), (["cure", 3], "phrases[1]"),
     ([" "], "phrases[0]: empty phrase")),
)
def test_word_pattern_rejects_bad_phrases(phrases, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        word_pattern(phrases)


def test_regex_timeout_scales_with_length():
    assert language.regex_timeout("short") == language.MIN_REGEX_TIMEOUT
    assert language.regex_timeout("x" * 2_000_000) == pytest.approx(2.0)


# --- Properties ---------------------------------------------------------------------------------------

PIECES = st.sampled_from([*"ab .!?\n\"'’()[]-—:;,¹1A", "Dr", "e.g", "No", " not ", " but ", "\n\n"])


@given(st.lists(PIECES, max_size=40).map("".join), st.booleans())
def test_sentences_are_trimmed_ordered_and_inside_blocks(text, lines):
    doc = doc_from(text, lines=lines)
    found = sentences(doc, LEX)
    blocks = [b.span for b in doc.blocks]
    for before, after in itertools.pairwise(found):
        assert before.end <= after.start
    for s in found:
        assert s.start < s.end
        assert doc.text(s) == doc.text(s).strip()
        assert any(b.start <= s.start and s.end <= b.end for b in blocks)
        clause = clause_bounds(doc, Span(s.start, s.start + 1), LEX)
        assert s.start <= clause.start <= clause.end <= s.end
        is_negated(doc, Span(s.end - 1, s.end), LEX)
        is_question(doc, Span(s.start, s.start), LEX)


@given(st.text(min_size=1, max_size=30).filter(str.strip), st.booleans(), st.booleans())
def test_word_pattern_matches_its_own_phrase(phrase, case_sensitive, inflect):
    pattern = word_pattern([phrase], case_sensitive=case_sensitive, inflect=inflect)
    assert pattern.fullmatch(phrase.strip()) is not None


def test_negation_survives_an_html_entity_apostrophe():
    # The HTML reader decodes `isn&rsquo;t` to "isn’" followed by padding, keeping offsets.
    from healthlint.readers import html

    doc = html.read("t.html", "<p>Ketamine isn&rsquo;t a cure.</p>")
    start = doc.source.index("cure")
    assert language.is_negated(doc, Span(start, start + 4), LEX)


@pytest.mark.parametrize(("text", "target"), [
    ("We don't take insurance, and our infusions cure depression.", "cure"),
    ("Never again will you need pills, because ketamine cures depression.", "cures"),
    ("It is not an exaggeration to call ketamine a miracle.", "miracle"),
])
def test_negation_stops_at_a_comma_clause_and_affirming_negations(text, target):
    doc = doc_from(text)
    assert not is_negated(doc, span_of(text, target), LEX)
