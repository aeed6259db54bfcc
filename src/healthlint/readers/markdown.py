"""Markdown reader: headings, paragraphs, list items, quotes, table cells, link text and alt text.

marko (2.2.4+) gives every inline element a source span, so the prose is exactly the `RawText`
marko found; markers, code, URLs, raw HTML tags and entities stay masked. HTML blocks go through
the HTML reader's `mask`, and YAML front matter keeps only the string values of `title` and
`description`.

The trap: marko's offsets point into text whose line endings it normalised, and '\\r\\n' -> '\\n'
shortens it. The text is normalised here first (a lone '\\r' keeps its length, so only '\\r\\n'
moves anything), marko parses that, and `_SourceMap` shifts every offset back by the number of
'\\r\\n' pairs before it: exact by construction, with no whitespace trick marko could misread.
"""

from __future__ import annotations

import bisect
import re
from functools import cache
from html.entities import html5
from typing import Any

from healthlint.model import Document, Span
from healthlint.readers import html, text
from healthlint.readers.html import Piece, RawBlock

_FRONT_MATTER = re.compile(r"---[ \t]*\n(?:(.*?)\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
# CommonMark entity and numeric character references; named ones must be real HTML5 names.
_ENTITY = re.compile(r"&(?:#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{0,31});")
_FIELDS = ("title", "description")
# The `>` markers that start each later line of an HTML block inside a block quote.
_QUOTE_MARKERS = re.compile(r"^[ \t]*(?:>[ \t]?)+", re.M)
# A line opening more than 64 nested quotes or lists: no real document, but marko chokes on it.
_TOO_DEEP = re.compile(r"^[ \t]*(?:(?:>|[-+*][ \t]|[0-9]{1,9}[.)][ \t])[ \t]*){64}", re.M)
_STR_TAG = "tag:yaml.org,2002:str"

# marko element names (by class name, so marko is imported only when a file is read).
_CONTAINERS = {"Quote": "quote", "Alert": "quote", "ListItem": "item"}
_PASS_THROUGH = frozenset({"Document", "List", "Table", "TableRow"})
_LEAVES = {"Heading": "heading", "SetextHeading": "heading", "TableCell": "cell"}
_NOT_PROSE = frozenset({"CodeSpan", "AutoLink", "Url", "LineBreak"})


def read(path: str, source: str) -> Document:
    """Read a Markdown document."""
    norm = source.replace("\r\n", "\n").replace("\r", "\n") if "\r" in source else source
    # What marko's own preprocessing does to the rest (same lengths), so `buffer` is exactly the
    # text marko's offsets point into.
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
    if _TOO_DEEP.search(body):
        return _as_text(path, source, meta)
    try:
        _Walker(buffer, found).block(_parser().parse(body), "paragraph")
    except RecursionError:
        return _as_text(path, source, meta)
    shift = _SourceMap(source)
    return html.build_document(
        path,
        source,
        "markdown",
        [(shift(s), shift(e), t) for s, e, t in found.pieces],
        [(shift(s), shift(e), role) for s, e, role in found.blocks],
        [Span(shift(c.start), shift(c.end)) for c in found.comments],
        meta,
    )


def _as_text(path: str, source: str, meta: dict[str, Any]) -> Document:
    """Read as plain text: marko recurses once per nesting level and nested quotes cost it
    quadratic time (300 `>` take 0.3 s; 400 `- ` overflow the stack)."""
    plain = text.read(path, source)
    return Document(path, source, plain.prose, "markdown", plain.blocks, plain.comments, meta)


@cache
def _parser() -> Any:
    import marko  # deferred: most runs never read Markdown, and marko costs ~20 ms to import

    return marko.Markdown(extensions=["gfm"])


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


# Front matter is a page's metadata, never a place for YAML anchors or deep flow nesting: both are
# refused (the block stays masked) before the parser sees them.
_ANCHOR = re.compile(r"(?:^|[\s\[{,:-])&[^\s\[\]{},]")
MAX_FLOW_BRACKETS = 200


def _front_matter(fm: re.Match[str]) -> tuple[dict[str, Any], list[tuple[int, int]]]:
    """The front matter's mapping, and the spans of the string values of title and description.

    Anything but a YAML mapping gives ({}, []): the block stays masked and the file is still read.
    """
    import yaml  # deferred with marko: only files with front matter need it

    content = fm.group(1) or ""
    base = fm.start(1) if fm.group(1) is not None else fm.end()
    if _ANCHOR.search(content) or content.count("[") + content.count("{") > MAX_FLOW_BRACKETS:
        return {}, []  # untrusted: no alias expansion ("billion laughs"), no nesting libyaml recurses into
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(content)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError):
        return {}, []  # not YAML; a date like 2024-13-45 raises ValueError
    finally:
        loader.dispose()
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        return {}, []
    fields = []
    for key, value in node.value:
        if not (isinstance(key, yaml.ScalarNode) and key.value in _FIELDS):
            continue
        if not (isinstance(value, yaml.ScalarNode) and value.tag == _STR_TAG):
            continue
        span = _value_span(content, value)
        if span is not None:
            fields.append((base + span[0], base + span[1]))
    return data, fields


def _value_span(content: str, node: Any) -> tuple[int, int] | None:
    """The text of a scalar's value (inside quotes, below a block indicator), or None if unsure."""
    start, end, style = node.start_mark.index, node.end_mark.index, node.style or ""
    raw = content[start:end]
    if style in ("'", '"'):
        ok = len(raw) >= 2 and raw[0] == raw[-1] == style
        return (start + 1, end - 1) if ok else None
    if style in ("|", ">"):
        newline = raw.find("\n")
        return (start + newline + 1, end) if raw[:1] == style and newline >= 0 else None
    return (start, end) if raw.split() == node.value.split() else None


class _Walker:
    """Walks marko's tree, adding pieces, block candidates and comments to `found`."""

    def __init__(self, buffer: str, found: html.Masked) -> None:
        self._buffer = buffer
        self._found = found
        self._segment: list[int] | None = None

    def block(self, element: Any, role: str, quoted: bool = False) -> None:
        name = type(element).__name__
        if name == "Paragraph" or name in _LEAVES:
            self._segment = None
            self.inline(element, _LEAVES.get(name, role))
            self._flush(_LEAVES.get(name, role))
        elif name == "HTMLBlock":
            if element.source_span:
                self._html(*element.source_span, role, quoted)
        elif name in _CONTAINERS or name in _PASS_THROUGH:
            inner = _CONTAINERS.get(name, role)
            quoted = quoted or inner == "quote"
            for child in element.children:
                self.block(child, inner, quoted)
        # code blocks, thematic breaks, blank lines and link definitions are not prose

    def _html(self, start: int, end: int, role: str, quoted: bool) -> None:
        """An HTML block, read by the HTML reader; inside a quote its lines' `>` markers are cut."""
        masked = html.mask(self._buffer, start, end, role)
        pieces = masked.pieces
        if quoted:
            holes = [
                m.span() for m in _QUOTE_MARKERS.finditer(self._buffer, start, end) if m.end() > m.start()
            ]
            pieces = _cut(pieces, holes)
        self._found.pieces.extend(pieces)
        self._found.blocks.extend(masked.blocks)
        self._found.comments.extend(masked.comments)

    def inline(self, element: Any, role: str) -> None:
        children = element.children
        if not isinstance(children, list):
            return
        for child in children:
            name = type(child).__name__
            if name == "RawText":
                self._raw(child)
            elif name == "Literal":
                span = child.source_span
                if span and self._buffer[span[0]] == "\\":
                    self._keep([(span[0] + 1, span[1])])
            elif name == "InlineHTML":
                span = child.source_span
                if span and child.children.startswith("<!--"):
                    self._found.comments.append(Span(*span))
            elif name == "Image":
                self._flush(role)
                self.inline(child, "alt")
                self._flush("alt")
            elif name not in _NOT_PROSE:  # links, emphasis, strikethrough: their text is prose
                self.inline(child, role)

    def _raw(self, element: Any) -> None:
        span = element.source_span
        if not span:
            return
        start, end = span
        content = element.children
        ranges = [(start, end)] if self._buffer[start:end] == content else _align(self._buffer, start, end, content)
        if "&" in content:
            ranges = [r for lo, hi in ranges for r in _without_entities(self._buffer, lo, hi)]
        self._keep(ranges)

    def _keep(self, ranges: list[tuple[int, int]]) -> None:
        if not ranges:
            return
        pieces: list[Piece] = self._found.pieces
        pieces.extend((lo, hi, None) for lo, hi in ranges)
        if self._segment is None:
            self._segment = [ranges[0][0], ranges[-1][1]]
        else:
            self._segment[1] = ranges[-1][1]

    def _flush(self, role: str) -> None:
        if self._segment is not None:
            block: RawBlock = (self._segment[0], self._segment[1], role)
            self._found.blocks.append(block)
            self._segment = None


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


def _align(buffer: str, start: int, end: int, content: str) -> list[tuple[int, int]]:
    """Ranges of buffer[start:end] that spell `content` with extra characters skipped.

    marko reports one span per text run, but a run may have lost characters on the way (the
    backslash of `\\|` in a table cell). Rare, so a character loop is fine; [] if it cannot match.
    """
    ranges: list[tuple[int, int]] = []
    run = -1
    j = start
    for ch in content:
        while j < end and buffer[j] != ch:
            if run >= 0:
                ranges.append((run, j))
                run = -1
            j += 1
        if j >= end:
            return []
        if run < 0:
            run = j
        j += 1
    if run >= 0:
        ranges.append((run, j))
    return ranges


def _without_entities(buffer: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a kept range around entity references, which are masked."""
    ranges = []
    pos = start
    for m in _ENTITY.finditer(buffer, start, end):
        ref = m.group()
        if ref[1] != "#" and ref[1:] not in html5:
            continue
        if m.start() > pos:
            ranges.append((pos, m.start()))
        pos = m.end()
    if end > pos:
        ranges.append((pos, end))
    return ranges
