"""HTML reader: text nodes, `alt`/`title` values, `<title>` and the meta description are prose.

Why `html.parser` with `convert_charrefs=False`: each data chunk then maps one-to-one onto the
source and every entity arrives as an event of its own, so `getpos()` (1-based line, 0-based
column, lines ended by '\\n' only) gives exact offsets; no other parser keeps them (linter-ux.md §8).
Entities are decoded in place: the character goes at the entity's first offset, spaces fill the rest.

`mask()` works on a slice of a larger text, so the Markdown reader reuses it for HTML blocks;
`assemble()` and `build_document()` are the prose and block bookkeeping both readers share.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import unescape
from html.entities import html5
from html.parser import HTMLParser
from typing import Any

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

_NOT_BREAK = re.compile(r"[^\r\n]+")
_NON_SPACE = re.compile(r"\S")
_LINE_END = re.compile(r"\n")
_COMMENT_CLOSE = re.compile(r"--!?\s*>")
# html.parser's (_markupbase) ends of marked sections, and its name scan
_SECTION_CLOSE = re.compile(r"]\s*]\s*>")
_MS_SECTION_CLOSE = re.compile(r"]\s*>")
_SECTION_CLOSERS = dict.fromkeys(("temp", "cdata", "ignore", "include", "rcdata"), _SECTION_CLOSE) | dict.fromkeys(
    ("if", "else", "endif"), _MS_SECTION_CLOSE)
_SECTION_NAME = re.compile(r"([a-zA-Z][-_.a-zA-Z0-9]*)\s*")
# html.parser (3.11) gives up on an `&#` that is not a complete character reference and reports the
# rest of the file as text, tags included; such an '&' is fed to it as a space (same length).
_BROKEN_CHARREF = re.compile(r"&(?=#(?![0-9]+[^0-9a-fA-F]|[xX][0-9a-fA-F]+[^0-9a-fA-F]))")
_ENTITY = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;?)")
# html.parser's own tolerant patterns, used again on the start tag text to find attribute values.
_TAG_NAME = re.compile(r"<[a-zA-Z][^\t\n\r\f />\x00]*(?:\s|/(?!>))*")
_ATTRIBUTE = re.compile(
    r"((?<=['\"\s/])[^\s/>][^\s/=>]*)(\s*=+\s*('[^']*'|\"[^\"]*\"|(?!['\"])[^>\s]*))?(?:\s|/(?!>))*"
)


@dataclass
class Masked:
    """What `mask` found in a slice: prose pieces, block candidates and comment spans (offsets in text)."""

    pieces: list[Piece] = field(default_factory=list)
    blocks: list[RawBlock] = field(default_factory=list)
    comments: list[Span] = field(default_factory=list)


def read(path: str, source: str) -> Document:
    """Read an HTML document."""
    found = mask(source)
    return build_document(path, source, "html", found.pieces, found.blocks, found.comments)


def mask(text: str, start: int = 0, end: int | None = None, role: str = "paragraph") -> Masked:
    """Find the prose in text[start:end]; all offsets returned are offsets into `text`.

    `role` is the role of text outside any block element (the Markdown reader passes "item" for an
    HTML block inside a list item).
    """
    end = len(text) if end is None else end
    parser = _Masker(text[start:end], start, role)
    parser.run()
    return parser.found


def decode_entity(raw: str) -> str | None:
    """The text an entity reference stands for, or None when it names no entity."""
    if raw.startswith("&#"):
        return unescape(raw)
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


class _Masker(HTMLParser):
    """Collects prose pieces while html.parser walks the text; never raises on malformed input.

    Only block-level and skipped elements go on the stack (inline ones cannot change the role or
    end a block); each entry carries its effective role and skip state, and `_open` counts names
    on the stack, so an end tag costs O(1) amortised even after 10,000 unclosed tags.
    """

    def __init__(self, text: str, base: int, role: str) -> None:
        super().__init__(convert_charrefs=False)
        self.found = Masked()
        self._default_role = role
        self._text = text
        self._base = base
        self._line_starts = [0, *(m.end() for m in _LINE_END.finditer(text))]
        self._stack: list[tuple[str, str, bool]] = []  # (tag, role, skipped)
        self._open: dict[str, int] = {}
        self._segment: list[int] | None = None  # [start, end] of the text since the last boundary
        self._gt_cache: tuple[str | None, int] = (None, -1)  # (rawdata, its last '>')
        # closer -> (rawdata, searched from, first match at or after it, or -1)
        self._close_cache: dict[re.Pattern[str], tuple[str | None, int, int]] = {}

    def run(self) -> None:
        """Parse the whole text, then close the last block."""
        try:
            self.feed(_BROKEN_CHARREF.sub(" ", self._text))
            self.close()
        except AssertionError:
            # html.parser asserts on a few malformed declarations; what follows stays masked.
            pass
        self._flush()

    # --- positions and bookkeeping -------------------------------------------------------------

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    @property
    def _role(self) -> str:
        return self._stack[-1][1] if self._stack else self._default_role

    @property
    def _skipped(self) -> bool:
        return bool(self._stack) and self._stack[-1][2]

    def _keep(self, start: int, end: int, text: str | None = None) -> None:
        base = self._base
        self.found.pieces.append((base + start, base + end, text))
        if self._segment is None:
            self._segment = [start, end]
        else:
            self._segment[1] = end

    def _flush(self) -> None:
        if self._segment is not None:
            start, end = self._segment
            self.found.blocks.append((self._base + start, self._base + end, self._role))
            self._segment = None

    def _keep_text(self, start: int, end: int) -> None:
        """Keep raw text that may hold entities (an attribute value), decoding them in place."""
        pos = start
        for m in _ENTITY.finditer(self._text, start, end):
            if m.start() > pos:
                self._keep(pos, m.start())
            self._keep(m.start(), m.end(), entity_text(m.group()))
            pos = m.end()
        if end > pos:
            self._keep(pos, end)

    # --- html.parser events --------------------------------------------------------------------

    def handle_data(self, data: str) -> None:
        if self._skipped or data.isspace():
            return
        if len(data) > 1 and data[0] == "<":
            return  # a tag html.parser could not parse, reported as text: not prose
        start = self._offset()
        self._keep(start, start + len(data))

    def handle_entityref(self, name: str) -> None:
        self._entity(1 + len(name))

    def handle_charref(self, name: str) -> None:
        self._entity(2 + len(name))

    def _entity(self, length: int) -> None:
        if self._skipped:
            return
        start = self._offset()
        if self._text.startswith(";", start + length):
            length += 1
        raw = self._text[start : start + length]
        prose = entity_text(raw)
        if not prose.isspace():
            self._keep(start, start + length, None if prose == raw else prose)

    def handle_comment(self, data: str) -> None:
        start = self._offset()
        if not self._text.startswith("<!--", start):
            return  # a bogus comment (`<!x>`, `</ x>`): masked, holds no directive
        close = start + 4 + len(data)
        m = _COMMENT_CLOSE.match(self._text, close)
        end = m.end() if m else close
        self.found.comments.append(Span(self._base + start, self._base + end))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BOUNDARIES:
            self._flush()
        if not self._skipped:
            self._attributes(tag)
        if tag in VOID or (tag not in BOUNDARIES and tag not in SKIPPED):
            return
        role = ROLES.get(tag) or self._role
        self._stack.append((tag, role, self._skipped or tag in SKIPPED))
        self._open[tag] = self._open.get(tag, 0) + 1

    def handle_endtag(self, tag: str) -> None:
        if tag in BOUNDARIES:
            self._flush()
        if not self._open.get(tag):
            return
        while self._stack:
            name = self._stack.pop()[0]
            self._open[name] -= 1
            if name == tag:
                break

    # --- guards around html.parser's scanners ----------------------------------------------------
    # When a construct is unterminated, html.parser (3.11) rescans to the end of the input from every
    # following '<': `<a <a <a …` took 8 s for 30 KB. Each guard answers "can it still end?" from a
    # cached scan and, when it cannot, recovers the way `goahead(end=True)` does, in O(1).

    def parse_starttag(self, i: int) -> int:
        return super().parse_starttag(i) if self._has_gt_after(i) else self._recover(i)

    def parse_endtag(self, i: int) -> int:
        return super().parse_endtag(i) if self._has_gt_after(i) else self._recover(i)

    def parse_pi(self, i: int) -> int:
        return super().parse_pi(i) if self._has_gt_after(i) else self._recover(i)

    def parse_html_declaration(self, i: int) -> int:
        return super().parse_html_declaration(i) if self._has_gt_after(i) else self._recover(i)

    def parse_comment(self, i: int, report: int = 1) -> int:
        if report and not self._closes_after(_COMMENT_CLOSE, i + 4):
            return self._recover(i)
        return super().parse_comment(i, report)

    def parse_marked_section(self, i: int, report: int = 1) -> int:
        # `<![CDATA[` and its kin end at `]]>`, `<![if` and its kin at `]>`, as html.parser looks for them
        name = _SECTION_NAME.match(self.rawdata, i + 3)
        closer = _SECTION_CLOSERS.get(name.group(1).lower()) if name else None
        if closer is not None and not self._closes_after(closer, i + 3):
            return self._recover(i)
        # html.parser raises AssertionError on `<![foo[`; read it as a bogus comment, as browsers do.
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            end = self.rawdata.find(">", i + 3)
            return -1 if end < 0 else end + 1

    def _has_gt_after(self, i: int) -> bool:
        rawdata = self.rawdata
        if self._gt_cache[0] is not rawdata:
            self._gt_cache = (rawdata, rawdata.rfind(">"))
        return self._gt_cache[1] > i

    def _closes_after(self, closer: re.Pattern[str], pos: int) -> bool:
        """Whether `closer` matches at or after `pos`: one search per closer, reused while it answers."""
        rawdata = self.rawdata
        cached, searched_from, close = self._close_cache.get(closer, (None, 0, -1))
        if cached is not rawdata or pos < searched_from or (close >= 0 and close < pos):
            m = closer.search(rawdata, pos)
            close = m.start() if m else -1
            self._close_cache[closer] = (rawdata, pos, close)
        return close >= 0

    def _recover(self, i: int) -> int:
        """What goahead(end=True) does with an unterminated construct: text up to the next '>' or '<'."""
        rawdata = self.rawdata
        end = rawdata.find(">", i + 1) + 1 if self._has_gt_after(i) else 0
        if end <= 0:
            end = rawdata.find("<", i + 1)
            if end < 0:
                end = len(rawdata)
        self.handle_data(rawdata[i:end])
        return end

    def _attributes(self, tag: str) -> None:
        """Keep alt and title values, and the content of <meta name="description">."""
        raw = self.get_starttag_text() or ""
        if "=" not in raw:
            return
        start = self._offset()
        values: dict[str, tuple[int, int]] = {}
        name_match = _TAG_NAME.match(raw)
        pos = name_match.end() if name_match else len(raw)
        while pos < len(raw):
            m = _ATTRIBUTE.match(raw, pos)
            if m is None or m.end() == pos:
                break
            name, value = m.group(1).lower(), m.group(3)
            if value is not None and name not in values:
                lo, hi = m.span(3)
                if value[:1] in "'\"" and len(value) >= 2 and value[-1] == value[0]:
                    lo, hi = lo + 1, hi - 1
                values[name] = (start + lo, start + hi)
            pos = m.end()
        wanted = [("alt", "alt"), ("title", "alt")]
        if tag == "meta" and "name" in values:
            lo, hi = values["name"]
            if self._text[lo:hi].strip().lower() == "description":
                wanted.append(("content", "meta"))
        for name, role in wanted:
            if name in values:
                self._flush()
                lo, hi = values[name]
                self._keep_text(lo, hi)
                self._segment = None
                self.found.blocks.append((self._base + lo, self._base + hi, role))
