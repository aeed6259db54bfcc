"""HTML reader: text nodes, `alt`/`title` values, `<title>` and the meta description are prose.

Why `html.parser` with `convert_charrefs=False`: each data chunk then maps one-to-one onto the
source and every entity arrives as an event of its own, so `getpos()` (1-based line, 0-based
column, lines ended by '\\n' only) gives exact offsets; no other parser keeps them (linter-ux.md §8).
Entities are decoded in place: the character goes at the entity's first offset, spaces fill the rest.

`mask()` works on a slice of a larger text, so the Markdown reader reuses it for HTML blocks;
`assemble()` and `build_document()` are the prose and block bookkeeping both readers share. The
parser itself is in `htmlmask.py`, imported when a page has HTML to mask: a Markdown page without
any does not pay for importing html.parser.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from healthlint import lazy
from healthlint.model import Block, Document, Span

# (start, end, text): the prose for source[start:end]; text None means "the source text itself".
Piece = tuple[int, int, str | None]
# (start, end, role) before trimming to the first and last prose character.
RawBlock = tuple[int, int, str]

ROLES = {
    "p": "paragraph",
    **{f"h{level}": "heading" for level in range(1, 7)},
    "li": "item",
    "td": "cell",
    "th": "cell",
    "blockquote": "quote",
    **dict.fromkeys(("div", "section", "article", "figcaption", "dt", "dd", "title"), "paragraph"),
}
# Content that is never prose, even though html.parser reports it as text.
SKIPPED = frozenset({"script", "style", "code", "pre", "noscript", "template"})
# Block-level elements: a sentence never runs across their start or end tags.
# fmt: off
BOUNDARIES = frozenset(ROLES) | frozenset((
    "address", "aside", "body", "caption", "details", "dialog", "dl", "fieldset", "figure", "footer",
    "form", "head", "header", "hgroup", "hr", "html", "legend", "main", "menu", "nav", "ol",
    "optgroup", "option", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
))
VOID = frozenset((
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
))
# fmt: on

_NOT_BREAK = lazy.compile(r"[^\r\n]+")
_NON_SPACE = lazy.compile(r"\S")


class Masked:
    """What `mask` found in a slice: prose pieces, block candidates and comment spans (offsets in text)."""

    __slots__ = ("blocks", "comments", "pieces")

    def __init__(self) -> None:
        self.pieces: list[Piece] = []
        self.blocks: list[RawBlock] = []
        self.comments: list[Span] = []


def read(path: str, source: str) -> Document:
    """Read an HTML document."""
    found = mask(source)
    return build_document(path, source, "html", found.pieces, found.blocks, found.comments)


def mask(text: str, start: int = 0, end: int | None = None, role: str = "paragraph") -> Masked:
    """Find the prose in text[start:end]; all offsets returned are offsets into `text`.

    `role` is the role of text outside any block element (the Markdown reader passes "item" for an
    HTML block inside a list item).
    """
    from healthlint.readers.htmlmask import Masker  # html.parser: only pages with HTML need it

    end = len(text) if end is None else end
    parser = Masker(text[start:end], start, role)
    parser.run()
    return parser.found


def decode_entity(raw: str) -> str | None:
    """The text an entity reference stands for, or None when it names no entity."""
    if raw.startswith("&#"):
        from html import unescape  # the html package loads the entity table: only pages with entities

        return unescape(raw)
    from html.entities import html5

    return html5.get(raw[1:])


def entity_text(raw: str) -> str:
    """The prose for an entity: its character at the first offset, then spaces (same length)."""
    decoded = decode_entity(raw)
    if decoded is None:
        return raw
    if decoded.isspace() or not decoded.isprintable():
        decoded = "".join(" " if not ch.isprintable() or ch.isspace() else ch for ch in decoded)
    return decoded[: len(raw)].ljust(len(raw))


def assemble(source: str, pieces: Iterable[Piece]) -> str:
    """Prose for `source`: the pieces' text, and spaces everywhere else except '\\r' and '\\n'."""
    out: list[str] = []
    pos = 0
    for start, end, text in sorted(pieces, key=lambda p: (p[0], p[1])):
        if start < pos:  # overlapping pieces: the earlier one wins
            if text is not None:
                text = text[pos - start :]
            start = pos
        if end <= start:
            continue
        if start > pos:
            out.append(blank(source[pos:start]))
        out.append(source[start:end] if text is None else text)
        pos = end
    out.append(blank(source[pos:]))
    return "".join(out)


def blank(text: str) -> str:
    """Every character but '\\r' and '\\n' replaced by a space."""
    if "\n" in text or "\r" in text:
        return _NOT_BREAK.sub(lambda m: " " * len(m.group()), text)
    return " " * len(text)


def trim_blocks(prose: str, blocks: Iterable[RawBlock]) -> tuple[Block, ...]:
    """Blocks from first to last prose character, sorted; empty ones dropped, overlaps cut."""
    out: list[Block] = []
    last = 0
    for start, end, role in sorted(blocks):
        m = _NON_SPACE.search(prose, max(start, last), end)
        if m is None:
            continue
        start = m.start()
        end = start + len(prose[start:end].rstrip())
        out.append(Block(Span(start, end), role))
        last = end
    return tuple(out)


def build_document(
    path: str,
    source: str,
    format: str,
    pieces: Iterable[Piece],
    blocks: Iterable[RawBlock],
    comments: Iterable[Span],
    meta: Mapping[str, Any] | None = None,
) -> Document:
    """A Document from the pieces a reader kept, with blocks trimmed against the final prose."""
    prose = assemble(source, pieces)
    return Document(
        path=path,
        source=source,
        prose=prose,
        format=format,
        blocks=trim_blocks(prose, blocks),
        comments=tuple(sorted(set(comments))),
        meta=dict(meta or {}),
    )
