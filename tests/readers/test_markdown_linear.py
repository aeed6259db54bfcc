"""The Markdown reader reads hostile input in linear time, and its linear-time parts find exactly what
marko's regexes and loops find.

marko, whose rules the reader follows, is quadratic or worse on some input: its container-prefix
regexes backtrack 2**depth on nested quotes; for every ']' it rescans the delimiters, the brackets
and the link destination to the end of the text; a comment, CDATA section or run of backticks
that never closes is searched for to the end of the text from every opener. The reader replaces
each of those with an index or a stack (mdblocks._match_pieces, mdinline._LinkScan,
_Destinations, _code_spans, _html_tokens).

Growth is checked by relative scaling, never by a time limit: the CPU time for four times the
input must stay under eight times the time for the input (linear is 4, quadratic 16), each the
best of a few runs. The equivalences are checked against marko's own patterns.
"""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from healthlint.readers import markdown, mdblocks, mdinline, text

marko = pytest.importorskip("marko")

# --- growth ---------------------------------------------------------------------------------------

CODE_RUNS = "".join("`" * k + "a" for k in range(1, 300))  # runs of distinct lengths: none closes


def unclosed_code_runs(n: int) -> str:
    return CODE_RUNS[: n * 5]


# (name, input of about 5n characters; 25n where quadratic C work, removing list items, needs size to show)
GROWTH = (
    ("nested-quotes", lambda n: "> " * n + "a cure\n"),
    ("nested-lists", lambda n: "- " * n + "a cure\n"),
    ("nested-quotes-then-lazy-lines", lambda n: "> " * 40 + "a\n" + "b\n" * n),
    ("deep-quotes-line-after-line", lambda n: ("> " * 16 + "a\n" + "> " * 15 + "b\n") * (n // 20)),
    ("single-long-line", lambda n: "Our infusions are gentle. " * (n // 5)),
    ("unclosed-brackets", lambda n: "[" * n + "a\n"),
    ("unclosed-images", lambda n: "![" * n + "a\n"),
    ("link-openers", lambda n: "[a](" * n + "\n"),
    ("links-after-emphasis", lambda n: "**a** [b](c) " * (n // 3)),
    ("nested-brackets", lambda n: "[" * n + "a" + "]" * n + "(/x)\n"),
    ("nested-brackets-with-definitions", lambda n: "[a]: /x\n\n" + "[" * n + "z" + "]" * n + "\n"),
    ("brackets-after-underscores", lambda n: "_.]" * n),
    ("links-deactivating-brackets", lambda n: "[a][" * n + "\n\n[a]: /x\n"),
    ("emphasis", lambda n: "*a* " * (n * 5)),
    ("emphasis-mixed", lambda n: "*_" * (n * 5) + "a\n"),
    ("unclosed-backticks", lambda n: "`a " * n + "\n"),
    ("unclosed-code-runs", unclosed_code_runs),
    ("unclosed-tags", lambda n: "<a " * n + "\n"),
    ("unclosed-comments", lambda n: "a<!--  " * n + "\n"),
    ("unclosed-instructions", lambda n: "a<?  " * n + "\n"),
    ("unclosed-cdata", lambda n: "a <![CDATA[ " * (n // 2) + "\n"),
    ("unclosed-declarations", lambda n: "a <!A  " * n + "\n"),
    ("lone-angles", lambda n: "<" * n + "\n"),
)


def cpu(source: str, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        markdown.read("p.md", source)
        best = min(best, time.process_time() - start)
    return best


@pytest.mark.parametrize("make", [g[1] for g in GROWTH], ids=[g[0] for g in GROWTH])
def test_read_time_grows_linearly(make):
    small, large = make(2_000), make(8_000)
    ratio = cpu(large) / max(cpu(small), 1e-4)
    if ratio >= 8:  # a busy machine: measure once more, longer, before failing
        ratio = cpu(large, 6) / max(cpu(small, 6), 1e-4)
    assert ratio < 8, f"4x the input took {ratio:.1f}x the time"


def test_quote_depth_costs_no_backtracking():
    """marko's regexes took 2**depth on a line one quote short of the one before (0.6 s at 24)."""

    def lines(depth: int) -> str:
        return ("> " * depth + "a\n" + "> " * (depth - 1) + "b\n") * 20

    ratio = cpu(lines(24)) / max(cpu(lines(12)), 1e-4)
    assert ratio < 16, f"twice the depth took {ratio:.1f}x the time"


def test_a_paragraph_of_nothing_but_marks_is_read_as_text(monkeypatch):
    """Past MAX_MARKS in one paragraph (5 MB of '[' took 1.3 GB of bookkeeping), the file is text."""
    monkeypatch.setattr(mdinline, "MAX_MARKS", 100)
    for source in ("# Title\n\n" + "[a](" * 60 + " cure\n", "> quote\n> " + "*_" * 60 + "\n"):
        doc = markdown.read("p.md", source)
        assert (doc.format, doc.prose) == ("markdown", text.read("p.md", source).prose)
    few = "[a](/x) " * 10
    assert markdown.read("p.md", few).prose != text.read("p.md", few).prose


# --- the linear-time parts find what marko's patterns find ------------------------------------------

PIECES = st.sampled_from([mdblocks._QUOTE_PIECE, " ", "  ", "   ", "- ", "1. ", "10) ", "* "])
LINE = st.lists(st.sampled_from([*" >-*1.)a\t\u00a0\x0b", "    ", "> ", ">  ", "- "]), max_size=12).map(
    lambda parts: "".join(parts) + "\n"
)


def marko_prefix(prefix: mdblocks.Prefix) -> str:
    """The regex marko builds for the same containers (Quote._prefix, ListItem's re.escape)."""
    quote = marko.block.Quote._prefix
    parts = {mdblocks._QUOTE_PIECE: quote, mdblocks._QUOTE_SPACE_PIECE: quote[:-1]}
    return "".join(parts[p] if isinstance(p, int) else re.escape(p) for p in prefix)


@settings(max_examples=500, deadline=None)
@given(st.lists(PIECES, max_size=8), st.booleans(), LINE)
def test_prefix_pieces_match_as_marko_regex(pieces, code, line):
    prefix = (*pieces, mdblocks._QUOTE_SPACE_PIECE, "    ") if code else tuple(pieces)
    expected = marko.source.Source.match_prefix(marko_prefix(prefix), line)
    assert mdblocks.match_prefix(prefix, line) == expected


INLINE = st.lists(
    st.sampled_from(
        [*"a ()\\`<>[]!-?\n\t\x01", "``", "```", "<!--", "-->", "<?", "?>", "<!A ", "<![CDATA[", "]]>", "<a b='c'>"]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(INLINE)
def test_code_spans_and_inline_html_as_marko_finds_them(text):
    positions = mdinline.special_positions(text)
    code = mdinline._code_tokens(mdinline._code_spans(text, positions))
    assert [t[:2] for t in code] == [m.span() for m in marko.inline.CodeSpan.pattern.finditer(text)]
    html = mdinline._html_tokens(text, positions)
    assert [t[:2] for t in html] == [m.span() for m in marko.inline.InlineHTML.pattern.finditer(text)]


@settings(max_examples=500, deadline=None)
@given(INLINE)
def test_destination_index_walks_as_marko_walks(text):
    index = mdinline._Destinations(text)
    for start in range(len(text) + 1):
        # a destination starts after '(' or whitespace, outside an escape
        escaped = (len(text[:start - 1]) - len(text[:start - 1].rstrip("\\"))) % 2 if start else 0
        if (start == 0 or text[start - 1] in "( \n\t") and not escaped:
            assert index.walk(start) == mdinline.walk_destination(text, start), start


LINKY = st.lists(st.sampled_from([*"ab *_[]()!\\`\n", "](", "![", "**", "__", "[a]", "(/x)"]), max_size=40).map(
    "".join
)
REFS = st.sampled_from([{}, {"a": ("/x", "")}, {"a b": ("/y", "t")}])


@settings(max_examples=1000, deadline=None)
@given(LINKY, REFS)
def test_links_and_emphasis_as_marko_finds_them(text, refs):
    positions = mdinline.special_positions(text)
    ours = mdinline._LinkScan(text, refs, positions, mdinline._code_spans(text, positions)).run()
    theirs = marko.inline_parser.find_links_or_emphs(text, refs)
    kinds = {mdinline.LINK: "Link", mdinline.IMAGE: "Image"}
    expected = sorted((m.start(), m.end(), m.etype) for m in theirs)
    found = sorted((t[0], t[1], kinds.get(t[2]) or ("StrongEmphasis" if t[3] - t[0] == 2 else "Emphasis"))
                   for t in ours)
    assert found == expected
