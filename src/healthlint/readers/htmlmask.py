"""The html.parser subclass behind `html.mask`: prose pieces, blocks and comments of an HTML slice.

Kept apart from html.py so that html.parser, and the entity table the html package loads, are
imported only when a page has HTML to mask (a few milliseconds of every pre-commit run otherwise).
"""

from __future__ import annotations

from html.parser import HTMLParser

from healthlint import lazy
from healthlint.model import Span
from healthlint.readers.html import BOUNDARIES, ROLES, SKIPPED, VOID, Masked, entity_text

_LINE_END = lazy.compile(r"\n")
_COMMENT_CLOSE = lazy.compile(r"--!?\s*>")
# html.parser's (_markupbase) ends of marked sections, and its name scan
_SECTION_CLOSE = lazy.compile(r"]\s*]\s*>")
_MS_SECTION_CLOSE = lazy.compile(r"]\s*>")
_SECTION_CLOSERS = dict.fromkeys(("temp", "cdata", "ignore", "include", "rcdata"), _SECTION_CLOSE) | dict.fromkeys(
    ("if", "else", "endif"), _MS_SECTION_CLOSE)
_SECTION_NAME = lazy.compile(r"([a-zA-Z][-_.a-zA-Z0-9]*)\s*")
# html.parser (3.11) gives up on an `&#` that is not a complete character reference and reports the
# rest of the file as text, tags included; such an '&' is fed to it as a space (same length).
_BROKEN_CHARREF = lazy.compile(r"&(?=#(?![0-9]+[^0-9a-fA-F]|[xX][0-9a-fA-F]+[^0-9a-fA-F]))")
_ENTITY = lazy.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;?)")
# html.parser's own tolerant patterns, used again on the start tag text to find attribute values.
_TAG_NAME = lazy.compile(r"<[a-zA-Z][^\t\n\r\f />\x00]*(?:\s|/(?!>))*")
_ATTRIBUTE = lazy.compile(
    r"((?<=['\"\s/])[^\s/>][^\s/=>]*)(\s*=+\s*('[^']*'|\"[^\"]*\"|(?!['\"])[^>\s]*))?(?:\s|/(?!>))*"
)


class Masker(HTMLParser):
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
        self._close_cache: dict[lazy.Pattern, tuple[str | None, int, int]] = {}

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

    def _closes_after(self, closer: lazy.Pattern, pos: int) -> bool:
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
