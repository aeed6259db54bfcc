"""Markdown reader: headings, paragraphs, list items, quotes, table cells, link text and alt text.

Prose is the text a CommonMark (GFM) parser would show; markers, code, URLs, raw HTML tags and
entities stay masked. HTML blocks go through the HTML reader's `mask`, and YAML front matter keeps
only the string values of `title` and `description`.

Why not a parser library: only marko (2.2.4+) gives inline elements a source span, and it reads
about 0.6 MB/s, is quadratic on long paragraphs and exponential on nested quotes. `mdblocks` and
`mdinline` port its block and inline parsers (same rules, same quirks) onto line indexes, regex
scans and linear-time indexes: about 14 MB/s on the benchmark's big.md, and linear time on any
input (HTML blocks are the HTML reader's). tests/readers/test_markdown_oracle.py holds the port
to marko, which stays the reference, but only for the tests.

The trap: the parsers work on text whose line endings are normalised, and '\\r\\n' -> '\\n'
shortens it. The text is normalised here first (a lone '\\r' keeps its length, so only '\\r\\n'
moves anything), the parsers read that, and `_SourceMap` shifts every offset back by the number of
'\\r\\n' pairs before it: exact by construction.
"""

from __future__ import annotations

import bisect
import re
from operator import itemgetter
from typing import Any

from healthlint import lazy
from healthlint.model import Block, Document, Span
from healthlint.readers import frontmatter, html, mdblocks, mdinline, text
from healthlint.readers.html import Piece, RawBlock

_FRONT_MATTER = lazy.compile(r"---[ \t]*\n(?:(.*?)\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
# The `>` markers that start each later line of an HTML block inside a block quote.
_QUOTE_MARKERS = lazy.compile(r"^[ \t]*(?:>[ \t]?)+", re.M)
# A line opening 64 nested quotes or lists: no real document, and the parser (like marko, whose
# rules it follows) recurses per level; read as plain text, as when it runs out of stack.
_TOO_DEEP = lazy.compile(r"[ \t]*(?:(?:>|[-+*][ \t]|[0-9]{1,9}[.)][ \t])[ \t]*){64}")
# The same after a line break: `^` with re.M makes sre try every position, '\n' lets it skip.
_TOO_DEEP_LATER = lazy.compile(r"\n[ \t]*(?:(?:>|[-+*][ \t]|[0-9]{1,9}[.)][ \t])[ \t]*){64}")
_FORM_FEED = lazy.compile("\f")
_SPAN_KEY = itemgetter(0, 1)
_NON_SPACE = lazy.compile(r"\S")


def read(path: str, source: str) -> Document:
    """Read a Markdown document."""
    norm = source.replace("\r\n", "\n").replace("\r", "\n") if "\r" in source else source
    # What marko's preprocessing did to the rest (same lengths); the parsers read this.
    buffer = norm.replace("\f", "\n").replace("\x00", "\ufffd")
    found = html.Masked()
    meta: dict[str, Any] = {}
    body = buffer
    fm = _FRONT_MATTER.match(buffer)
    if fm:
        meta, fields = _front_matter(fm)
        found.pieces.extend((start, end, None) for start, end in fields)
        found.blocks.extend((start, end, "meta") for start, end in fields)
        body = html.blank(buffer[: fm.end()]) + buffer[fm.end() :]
    if _TOO_DEEP.match(body) or _TOO_DEEP_LATER.search(body):
        return _as_text(path, source, meta)
    try:
        feeds = [m.start() for m in _FORM_FEED.finditer(norm)] if "\f" in norm else None
        # leaves of plain prose go straight to `found`, unless form feeds need the walker's care
        specials = None if feeds else mdinline.special_positions(body)
        blocks = mdblocks.Blocks(body, specials, (found.pieces, found.blocks))
        mdinline.Walker(body, found, blocks.refs, feeds).leaves(blocks.leaves, specials)
        for start, end, role, quoted in blocks.html:
            _html(body, found, start, end, role, quoted)
    except (RecursionError, mdinline.Unsupported):
        return _as_text(path, source, meta)
    if "\r\n" in source:
        shift = _SourceMap(source)
        pieces = shift.ranges(found.pieces)
        raw_blocks = shift.ranges(found.blocks)
        comments = [Span(shift(c.start), shift(c.end)) for c in found.comments]
    else:
        pieces, raw_blocks, comments = found.pieces, found.blocks, found.comments
    prose = _assemble(source, pieces)
    return Document(
        path=path,
        source=source,
        prose=prose,
        format="markdown",
        blocks=_trim_blocks(prose, raw_blocks),
        comments=tuple(sorted(set(comments))),
        meta=meta,
    )


def _as_text(path: str, source: str, meta: dict[str, Any]) -> Document:
    """Read as plain text: nesting too deep to parse, or input the parser does not take (Unsupported)."""
    plain = text.read(path, source)
    return Document(path, source, plain.prose, "markdown", plain.blocks, plain.comments, meta)


class _SourceMap:
    """Offsets in the '\\r\\n'-normalised text -> offsets in the source.

    The k-th '\\r\\n' in the source (at index c) is the '\\n' at c - k in the normalised text, so an
    offset n maps to n + (pairs whose '\\n' lies before n): a start on that '\\n' lands on the '\\r',
    an end just after it lands after the '\\n'.
    """

    def __init__(self, source: str) -> None:
        self._pairs = [m.start() - k for k, m in enumerate(re.finditer("\r\n", source))]

    def __call__(self, offset: int) -> int:
        if not self._pairs:
            return offset
        return offset + bisect.bisect_left(self._pairs, offset)

    def ranges(self, items: list[tuple[int, int, Any]]) -> list[tuple[int, int, Any]]:
        """(start, end, x) items with both offsets mapped (one call for the many pieces and blocks)."""
        pairs = self._pairs
        at = bisect.bisect_left
        return [(start + at(pairs, start), end + at(pairs, end), x) for start, end, x in items]


def _front_matter(fm: re.Match[str]) -> tuple[dict[str, Any], list[tuple[int, int]]]:
    """The front matter's mapping, and the spans of the string values of title and description.

    Anything but a YAML mapping gives ({}, []): the block stays masked and the file is still read.
    """
    content = fm.group(1) or ""
    base = fm.start(1) if fm.group(1) is not None else fm.end()
    data, fields = frontmatter.parse(content)
    return data, [(base + start, base + end) for start, end in fields]


def _trim_blocks(prose: str, blocks: list[RawBlock]) -> tuple[Block, ...]:
    """html.trim_blocks (same result) with its loop's lookups hoisted."""
    out = []
    last = 0
    search = _NON_SPACE.search
    size = len(prose)
    for start, end, role in sorted(blocks):
        if start < last:
            start = last
        if end > size:  # html.mask can report a range past the end (slicing clamps it there)
            end = size
        if start >= end:
            continue
        if prose[start].isspace():
            m = search(prose, start, end)
            if m is None:
                continue
            start = m.start()
        if prose[end - 1].isspace():
            end = start + len(prose[start:end].rstrip())
        out.append(Block(Span(start, end), role))
        last = end
    return tuple(out)


def _assemble(source: str, pieces: list[Piece]) -> str:
    """html.assemble (same result), quicker on the tens of thousands of pieces a long document has.

    The sort key is C code; the gaps between pieces are few distinct strings ("\\n- ", " | ",
    "](") and each is blanked once; kept text separated only by line breaks (paragraph, blank line,
    paragraph) is copied as one slice, since the line breaks stay as they are. A piece past the end
    (html.mask can report one) is cut by the slicing.
    """
    pieces.sort(key=_SPAN_KEY)
    out: list[str] = []
    append = out.append
    blanks: dict[str, str] = {}
    run = 0  # source[run:pos] is prose still to be copied
    pos = 0
    for start, end, replacement in pieces:
        if start < pos:  # overlapping pieces: the earlier one wins
            if replacement is not None:
                replacement = replacement[pos - start :]
            start = pos
        if end <= start:
            continue
        if start > pos:
            gap = source[pos:start]
            blank = blanks.get(gap)
            if blank is None:
                blank = blanks[gap] = html.blank(gap)
            if blank != gap or replacement is not None:  # else only line breaks: the run goes on
                if pos > run:
                    append(source[run:pos])
                append(blank)
                run = start
        elif replacement is not None and pos > run:
            append(source[run:pos])
            run = pos
        if replacement is not None:
            append(replacement)
            run = end
        pos = end
    if pos > run:
        append(source[run:pos])
    append(html.blank(source[pos:]))
    return "".join(out)


def _html(buffer: str, found: html.Masked, start: int, end: int, role: str, quoted: bool) -> None:
    """An HTML block, read by the HTML reader; inside a quote its lines' `>` markers are cut."""
    masked = html.mask(buffer, start, end, role)
    pieces = masked.pieces
    if quoted:
        holes = [m.span() for m in _QUOTE_MARKERS.finditer(buffer, start, end) if m.end() > m.start()]
        pieces = _cut(pieces, holes)
    found.pieces.extend(pieces)
    found.blocks.extend(masked.blocks)
    found.comments.extend(masked.comments)


def _cut(pieces: list[Piece], holes: list[tuple[int, int]]) -> list[Piece]:
    """Pieces with the (sorted, disjoint) holes taken out; entity pieces never hold a hole."""
    if not holes:
        return pieces
    starts = [lo for lo, _ in holes]
    out: list[Piece] = []
    for start, end, replacement in pieces:
        if replacement is not None:
            out.append((start, end, replacement))
            continue
        i = max(bisect.bisect_right(starts, start) - 1, 0)
        while i < len(holes) and holes[i][0] < end:
            lo, hi = holes[i]
            if hi > start:
                if lo > start:
                    out.append((start, lo, None))
                start = max(start, hi)
            i += 1
        if start < end:
            out.append((start, end, None))
    return out
