"""Plain-text reader: directives masked, blocks split the way pasted articles need."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from healthlint.model import Document
from healthlint.readers import load, text


def read(source: str) -> Document:
    doc = text.read("copy.txt", source)
    check(doc)
    return doc


def check(doc: Document) -> None:
    """The reader's promises: same length, line breaks in place, sane blocks and comments."""
    src, prose = doc.source, doc.prose
    assert len(prose) == len(src)
    assert [m.start() for m in re.finditer(r"[\r\n]", prose)] == [
        m.start() for m in re.finditer(r"[\r\n]", src)
    ]
    last = 0
    for block in doc.blocks:
        start, end = block.span.start, block.span.end
        assert last <= start < end <= len(src)
        assert not prose[start].isspace() and not prose[end - 1].isspace()
        last = end
    for comment in doc.comments:
        assert 0 <= comment.start < comment.end <= len(src)
        assert "healthlint-" in doc.text(comment)


def blocks(doc: Document) -> list[tuple[str, str]]:
    return [(b.role, doc.text(b.span)) for b in doc.blocks]


def test_prose_is_the_source():
    source = "Ketamine cures depression.\r\nTabs\tand “quotes” 😀\rlone CR.\n"
    assert read(source).prose == source


def test_heading_lines_split_from_the_next_line():
    doc = read(
        "How Ketamine Solves Depression\nA New Path for Relief\nIt works in hours. Patients\nfeel better.\n"
    )
    assert blocks(doc) == [
        ("heading", "How Ketamine Solves Depression"),
        ("heading", "A New Path for Relief"),
        ("paragraph", "It works in hours. Patients\nfeel better."),
    ]


def test_blank_lines_end_paragraphs():
    doc = read("First paragraph,\nwrapped here.\n\n  \nSecond one.\n\n\nThird: yes.\n")
    assert blocks(doc) == [
        ("paragraph", "First paragraph,\nwrapped here."),
        ("paragraph", "Second one."),
        ("paragraph", "Third: yes."),
    ]


def test_heading_role_rules():
    long_line = "A line without punctuation " * 5
    doc = read(
        f"Short Title\n\nEnds with a period.\n\nIs it a question?\n\n{long_line}\n\n“Quoted ending.”\n"
    )
    assert [role for role, _ in blocks(doc)] == [
        "heading",
        "paragraph",
        "paragraph",
        "paragraph",
        "paragraph",
    ]


def test_bullets_are_items():
    doc = read(
        "What to expect\n- Fast relief for\n  many patients\n* Second\n• Third\n1. Numbered\n2) Other\n"
    )
    assert blocks(doc) == [
        ("heading", "What to expect"),
        ("item", "Fast relief for\n  many patients"),
        ("item", "Second"),
        ("item", "Third"),
        ("item", "Numbered"),
        ("item", "Other"),
    ]


def test_numbers_and_dashes_that_are_not_bullets():
    doc = read("3.5 million people improved.\n-5 degrees outside.\n")
    assert [role for role, _ in blocks(doc)] == ["paragraph", "paragraph"]


def test_directive_lines_masked_and_recorded():
    source = (
        "Intro.\n"
        "healthlint-disable HL101\n"
        "  # healthlint-enable HL101  \n"
        "<!-- healthlint-disable-next-line HL102 -- reason -->\r\n"
        "Claim.\n"
        "Not a directive: healthlint-disable HL1.\n"
    )
    doc = read(source)
    assert [doc.text(c) for c in doc.comments] == [
        "healthlint-disable HL101",
        "healthlint-enable HL101",
        "<!-- healthlint-disable-next-line HL102 -- reason -->",
    ]
    assert doc.prose.count("healthlint") == 1
    assert blocks(doc) == [
        ("paragraph", "Intro."),
        ("paragraph", "Claim."),
        ("paragraph", "Not a directive: healthlint-disable HL1."),
    ]


def test_crlf_and_lone_cr():
    lf = read("Title Line\nBody text,\ncontinued.\n\n- item\n")
    for ending in ("\r\n", "\r"):
        doc = read(lf.source.replace("\n", ending))
        assert [(r, re.sub(r"\r\n?", "\n", t)) for r, t in blocks(doc)] == blocks(lf)


def test_emoji_curly_quotes_and_long_line():
    line = "word " * 1000 + "end."
    doc = read(f"“Fast” relief 😀\n\n{line}\n")
    assert blocks(doc)[0] == ("heading", "“Fast” relief 😀")
    assert blocks(doc)[1] == ("paragraph", line)


def test_load_unknown_extension_reads_text():
    doc = load("notes.rst", b"Hello there.\n")
    assert doc.format == "text"
    assert blocks(doc) == [("paragraph", "Hello there.")]


TEXT_TOKENS = st.sampled_from(
    [
        *"aZ .!?:\n\r\t-*•1",
        "😀",
        "“",
        "\r\n",
        "healthlint-disable HL1",
        "# ",
        "<!-- ",
        " -->",
        "healthlint-enable",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_property_any_text(source):
    check(text.read("p.txt", source))


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXT_TOKENS, max_size=60).map("".join))
def test_property_textish(source):
    check(text.read("p.txt", source))
