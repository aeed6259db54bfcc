"""Block pass of the Markdown reader: the leaf blocks (paragraphs, headings, cells) and HTML blocks.

A port of marko 2.2.4's block parser with the GFM extension (`block.py`, `source.py`,
`ext/gfm/elements.py`): the same elements tried in the same order, the same container prefixes
(matched against each line, tabs expanded to 4), the same lazy continuation lines and the same
quirks, so the fast reader splits a document exactly as the marko-based reader did. What changed
is only the cost per line:

- lines are indexed once; a position is a line number, and a container's prefix is matched once
  per line instead of once per element tried;
- a prefix is a tuple of pieces, not marko's regex: sre backtracks 2**depth on a line that does
  not fit a deep quote, `_match_pieces` finds sre's answer in linear time;
- each element is tried only when the line's first character can start it (a paragraph line
  starting with a letter is checked against nothing but "blank?"), and runs of plain paragraph
  lines and of one-line list items are read in bulk;
- the result is a flat list of leaves (role, inline text, offsets map) and HTML block spans, not a
  tree, and the inline pass runs over it afterwards (link reference definitions come first, as
  in marko); a leaf with nothing for the inline pass to do goes straight to the kept pieces.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from functools import lru_cache, partial
from itertools import accumulate

from healthlint import lazy
from healthlint.readers import mdinline

# marko's patterns, verbatim.
_THEMATIC = lazy.compile(r" {,3}([-_*][^\n\S]*){3,}$\n?", re.M)
_FENCE = lazy.compile(r"( {,3})(`{3,}|~{3,})[^\n\S]*(.*?)$", re.M)
_FENCE_CLOSE = lazy.compile(r" {,3}(~+|`+)[^\n\S]*$", re.M)
_ALERT = lazy.compile(r"(?im) {,3}>\s*\[\!(WARNING|NOTE|TIP|IMPORTANT|CAUTION)\]\s*$")
_HEADING = lazy.compile(r" {0,3}(#{1,6})((?=\s)[^\n]*?|[^\n\S]*)(?:(?<=\s)(?<!\\)#+)?[^\n\S]*$\n?", re.M)
_LIST = lazy.compile(r" {,3}(\d{1,9}[.)]|[*\-+])[ \t\n\r\f]")
_QUOTE = lazy.compile(r" {,3}>")
_SETEXT = lazy.compile(r" {,3}(=+|-+)[^\n\S]*$")
_LINK_DEF = lazy.compile(r" {,3}\[")
_ROW_START = lazy.compile(r" {,3}\S")
_CELL_SPLIT = lazy.compile(r"\s*(?<!\\)\|\s*")
_CELL_DELIMITER = lazy.compile(r":?-+:?")
_HTML_1 = lazy.compile(r"(?i) {,3}<(script|pre|style|textarea)[>\s]")
_HTML_2 = lazy.compile(r" {,3}<!--")
_HTML_3 = lazy.compile(r" {,3}<\?")
_HTML_4 = lazy.compile(r" {,3}<!")
_HTML_6 = lazy.compile(
    r"(?im) {,3}</?(?:address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd"
    r"|details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h1|h2|h3|h4|h5"
    r"|h6|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|meta|nav|noframes|ol|optgroup"
    r"|option|p|param|section|source|summary|table|tbody|td|tfoot|th|thead|title|tr|track|ul)(?: +|/?>|$)"
)
_TAG_NAME = r"[A-Za-z][A-Za-z0-9\-]*"
_ATTRIBUTE_NO_LF = (
    r"[^\n\S]+[A-Za-z:_][A-Za-z0-9\-_\.:]*"
    r'(?:[^\n\S]*=[^\n\S]*(?:[^\s"\'`=<>]+|\'[^\n\']*\'|"[^\n"]*"))?'
)
_HTML_7 = lazy.compile(
    rf"(?m) {{,3}}(<{_TAG_NAME}(?:{_ATTRIBUTE_NO_LF})*[^\n\S]*/?>|</{_TAG_NAME}[^\n\S]*>)[^\n\S]*$"
)
_HTML_END = {
    2: re.compile(r"-->"),
    3: re.compile(r"\?>"),
    4: re.compile(r">"),
}
_SPACES = lazy.compile(r" *")
# A line break before a line that could end a paragraph or underline it (setext); others continue it.
_CAREFUL_LINE = lazy.compile(r"\n(?=[\s`~>#\-+*_<=\d])")
_LEADING_WS = lazy.compile(r"\s*")
_PLUS_ONE = (1).__add__
_BLANK_LINE = lazy.compile(r" *\n?")
# A character no container prefix can consume: a line holding one cannot match a prefix through
# marko's retry with spaces in place of its line break.
_NOT_PREFIX = lazy.compile(r"[^\s>\-+*.)0-9]")
_SPECIAL_FIRST = frozenset("-_*`~>#+")
# First characters of a line that is certainly not a block marker or blank: letters and the like.
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\"'(/.,;:!?$%^{}@&\\")
# First characters after which a line may be anything but a paragraph ('' is the end of the text).
_NOT_PLAIN = frozenset(("", "-", "_", "*", "`", "~", ">", "#", "+", "<", "["))

DOC, QUOTE, ALERT, LIST, ITEM, TABLE = range(6)


# A container's prefix: the pieces of the regex marko matches it with, in order. A piece is a literal
# (a list item's indentation and marker, or the spaces that continue it) or _QUOTE_PIECE, marko's
# ` {,3}>[^\n\S]?`; _QUOTE_SPACE_PIECE, ` {,3}>[^\n\S]`, only comes before an indented code block.
_QUOTE_PIECE = 0
_QUOTE_SPACE_PIECE = 1
Prefix = tuple[str | int, ...]
_CODE_INDENT = "    "


class _State:
    __slots__ = ("bullet", "cum", "kind", "ordered", "prefix", "quoted", "role", "second")

    def __init__(self, kind: int, prefix: Prefix, role: str, quoted: bool) -> None:
        self.kind = kind
        self.prefix = prefix
        self.cum = prefix  # this state's prefix after its ancestors'
        self.second: Prefix | None = None
        self.role = role
        self.quoted = quoted
        self.bullet = ""
        self.ordered = False


# Up to this many quotes, sre's backtracking is at most 2**3 tries and the regex is the quicker.
_REGEX_QUOTES = 3
_PIECE_REGEX = {_QUOTE_PIECE: r" {,3}>[^\n\S]?", _QUOTE_SPACE_PIECE: r" {,3}>[^\n\S]"}


@lru_cache(maxsize=256)
def _pattern(prefix: Prefix) -> Callable[[str, int, int], int]:
    """(text, pos, endpos) -> where marko's regex for `prefix` matches text[pos:endpos] to, or -1."""
    quotes = sum(not isinstance(piece, str) for piece in prefix)
    if quotes == 0:
        literal = "".join(prefix)  # type: ignore[arg-type]
        size = len(literal)
        return lambda text, pos, end: pos + size if text.startswith(literal, pos, end) else -1
    if quotes <= _REGEX_QUOTES:
        rx = re.compile("".join(re.escape(p) if isinstance(p, str) else _PIECE_REGEX[p] for p in prefix))

        def match(text: str, pos: int, end: int) -> int:
            m = rx.match(text, pos, end)
            return m.end() if m else -1

        return match
    return partial(_match_pieces, prefix)


def _match_pieces(prefix: Prefix, text: str, pos: int, end: int) -> int:
    """Where sre's match of the prefix regex would end, or -1, without its backtracking.

    The space after a quote's '>' can go to the quote's `[^\\n\\S]?` or to the next piece, so on a
    line the prefix does not fit, sre tries 2**quotes ways: a 40-deep quote followed by a 39-deep
    line never finished. All the ways that reach the same piece at the same offset have the same
    future, so walking the pieces with the offsets reached so far, each kept once in the order sre
    tries them, gives sre's first match in time linear in the pieces.
    """
    ends = [pos]
    for piece in prefix:
        reached: list[int] = []
        for p in ends:
            if isinstance(piece, str):
                if text.startswith(piece, p, end) and p + len(piece) not in reached:
                    reached.append(p + len(piece))
                continue
            q = p
            while q < end and q - p < 3 and text[q] == " ":  # ` {,3}` before the '>'
                q += 1
            if q >= end or text[q] != ">":
                continue
            q += 1
            if q < end and text[q] != "\n" and text[q].isspace() and q + 1 not in reached:
                reached.append(q + 1)  # `[^\n\S]` taken, as sre tries first
            if piece == _QUOTE_PIECE and q not in reached:
                reached.append(q)  # ... then left out
        if not reached:
            return -1
        ends = reached
    return ends[0]


def match_prefix(prefix: Prefix, line: str) -> int:
    """marko's Source.match_prefix: where `prefix` ends in `line`, or -1."""
    match = _pattern(prefix)
    expanded = line.expandtabs(4) if "\t" in line else line
    pos = match(expanded, 0, len(expanded))
    if pos < 0:
        if "\n" in expanded:
            retry = expanded.replace("\n", " " * 99 + "\n")
            if match(retry, 0, len(retry)) >= 0:
                return len(line) - 1
        return -1
    if pos == 0 or expanded is line:
        return pos
    for i in range(1, len(line) + 1):
        if len(line[:i].expandtabs(4)) >= pos:
            return i
    return -1


def _strip_prefix(line: str, prefix: Prefix) -> str:
    """marko's CodeBlock.strip_prefix (only its truthiness matters here)."""
    expanded = line.expandtabs(4)
    end = _pattern(prefix)(expanded, 0, len(expanded))
    if end < 0:
        return ""
    for i in range(len(line)):
        part = line[: i + 1].expandtabs(4)
        if len(part) < end:
            continue
        d = len(part) - end
        if d == 0:
            return line[i + 1 :]
        return part[-d:] + line[i + 1 :]
    return ""


# A list item line "<marker> <prose>": the marker, one space, a character that can start a paragraph
# but nothing else, and no '|' (a table) or tab (marko expands those) on the line.
_ITEM_BODY = r" (?![\s\d\-_*`~>#+<\[])([^\n|\t]*)\n"
_ITEM_LINE = lazy.compile(r"[ ]*(?:[-+*]|\d{1,9}[.)])" + _ITEM_BODY)


@lru_cache(maxsize=64)
def _item_run(depth: int, kind: str, ordered: bool) -> re.Pattern[str]:
    """Consecutive item lines of one list (same bullet, or same delimiter after the number)."""
    marker = r"\d{1,9}" + re.escape(kind) if ordered else re.escape(kind)
    return re.compile(r"(?:" + " " * depth + marker + _ITEM_BODY + ")+")


def _partition_by_spaces(text: str) -> tuple[str, str, str]:
    start = end = -1
    for i, c in enumerate(text):
        if c in " \t":
            if start >= 0:
                continue
            start = i
        elif start >= 0:
            end = i
            break
    if start < 0:
        return text, "", ""
    if end < 0:
        return text[:start], text[start:], ""
    return text[:start], text[start:end], text[end:]


def _parse_leading(line: str, prefix_pos: int) -> tuple[int, str, int, str]:
    """marko's ListItem.parse_leading: (indent, bullet, spaces after it, rest)."""
    stripped = line[prefix_pos:].expandtabs(4).lstrip()
    indent = len(line) - prefix_pos - len(stripped)
    bullet, spaces, tail = _partition_by_spaces(stripped)
    mid = len(spaces)
    if mid > 4:
        mid = 1
    return indent, bullet, mid, tail


# A leaf: (role, inline text, runs), runs = [(offset in text, offset in source), ...] ascending.
Leaf = tuple[str, str, list[tuple[int, int]]]
# An HTML block: (start, end, role, quoted).
HtmlBlock = tuple[int, int, str, bool]


class Blocks:
    """Parse `text` (line endings normalised to '\\n') into leaves and HTML blocks, in order."""

    def __init__(
        self, text: str, specials: list[int] | None = None, found: tuple[list, list] | None = None
    ) -> None:
        """specials: sorted offsets of characters that need the inline pass (mdinline.special_positions);
        with them, a one-run leaf holding none goes straight into found = (pieces, raw blocks)."""
        self.text = text
        self._specials = specials if specials is not None and found is not None else []
        self._plain = specials is not None and found is not None
        self._pieces, self._raw_blocks = found if found is not None else ([], [])
        n = len(text)
        starts = [0]
        starts.extend(accumulate(map(_PLUS_ONE, map(len, text.split("\n")))))
        starts.pop()  # the end of the text, or one past it
        if starts[-1] == n:
            starts.pop()
        self.starts = starts
        self.ends = [*starts[1:], n]
        self.nlines = len(starts)
        # every line but possibly the last ends with '\n'
        self._last_open = self.nlines - 1 if n and text[-1] != "\n" else -1
        self._tabs = "\t" in text
        self.li = 0
        self.states = [_State(DOC, (), "paragraph", False)]
        self._pending = 0  # list items still on their first-line prefix
        self._plen_li = -1
        self._plen_prefix: Prefix = ()
        self._plen = 0
        self.refs: dict[str, tuple[str, str]] = {}
        self.leaves: list[Leaf] = []
        self.html: list[HtmlBlock] = []
        self._top()

    # --- the Source: positions, prefixes ------------------------------------------------------

    @property
    def prefix(self) -> Prefix:
        return self.states[-1].cum

    def push(self, state: _State) -> None:
        state.cum = self.states[-1].cum + state.prefix
        self.states.append(state)
        if state.second is not None and state.prefix != state.second:
            self._pending += 1

    def pop(self) -> None:
        state = self.states.pop()
        if state.second is not None and state.prefix != state.second:
            self._pending -= 1

    def _restore(self, states: list[_State]) -> None:
        """Put back the states a lazy continuation line popped."""
        self.states = states
        cum: Prefix = ()
        pending = 0
        for st in states:
            cum = st.cum = cum + st.prefix
            if st.second is not None and st.prefix != st.second:
                pending += 1
        self._pending = pending

    def plen(self, li: int) -> int:
        """Length of the containers' prefix on line li, or -1 when the line does not continue them."""
        prefix = self.states[-1].cum
        if not prefix:
            return 0
        if li != self._plen_li or prefix != self._plen_prefix:
            self._plen_li = li
            self._plen_prefix = prefix
            self._plen = self._match_prefix(prefix, li)
        return self._plen

    def _match_prefix(self, prefix: Prefix, li: int) -> int:
        """match_prefix(prefix, line li), without copying the line when it holds no tab."""
        start, end = self.starts[li], self.ends[li]
        text = self.text
        if self._tabs and text.find("\t", start, end) >= 0:
            return match_prefix(prefix, text[start:end])
        match = _pattern(prefix)
        pos = match(text, start, end)
        if pos >= 0:
            return pos - start
        if text[end - 1 : end] == "\n" and not _NOT_PREFIX.search(text, start, end - 1):
            retry = text[start : end - 1] + " " * 99 + "\n"
            if match(retry, 0, len(retry)) >= 0:
                return end - 1 - start
        return -1

    def consume(self) -> None:
        """Move past the current line; a list item's prefix becomes its continuation prefix."""
        li = self.li
        self.li = li + 1
        if self._pending and li != self._last_open:
            cum: Prefix = ()
            for st in self.states:
                if st.second is not None:
                    st.prefix = st.second
                cum = st.cum = cum + st.prefix
            self._pending = 0

    def content(self) -> tuple[int, int] | None:
        """(start, end) of the current line after the prefix (end after its '\\n'), or None."""
        li = self.li
        p = self.plen(li)
        if p < 0:
            return None
        return self.starts[li] + p, self.ends[li]

    def _lead(self, c: int) -> tuple[int, str]:
        """Spaces at c (not other whitespace), and the character after them ('' at the end)."""
        text = self.text
        if c < len(text) and text[c] == " ":
            e = _SPACES.match(text, c).end()
            return e - c, text[e : e + 1]
        return 0, text[c : c + 1]

    def _blank(self, c: int, e: int, ch: str) -> bool:
        return ch in ("\n", "") or (ch.isspace() and self.text[c:e].isspace())

    def _leaf(self, role: str, start: int, end: int) -> None:
        """A leaf whose text is text[start:end] (one run)."""
        specials = self._specials
        if self._plain:
            i = bisect.bisect_left(specials, start)
            if i == len(specials) or specials[i] >= end:
                self._pieces.append((start, end, None))
                self._raw_blocks.append((start, end, role))
                return
        self.leaves.append((role, self.text[start:end], [(0, start)]))

    # --- parse_source ---------------------------------------------------------------------------

    def _top(self) -> None:
        """parse_source for the document itself, with its commonest blocks handled in place."""
        text = self.text
        starts = self.starts
        ends = self.ends
        nlines = self.nlines
        leaves = self.leaves
        specials = self._specials
        nspecial = len(specials) if self._plain else -1  # -1: every leaf goes to the inline pass
        pieces = self._pieces
        raw_blocks = self._raw_blocks
        bisect_left = bisect.bisect_left
        li = 0
        while li < nlines:
            c = starts[li]
            ch = text[c]
            if ch == "\n":  # blank lines: nothing to do
                li += 1
                continue
            if ch in _PLAIN or (ch not in _NOT_PLAIN and not ch.isspace() and not ch.isdecimal()):
                if text.find("|", c, ends[li]) < 0:
                    m = _CAREFUL_LINE.search(text, c)
                    if m is not None and text[m.end()] == "\n":
                        # a paragraph ending at an empty line: none of its lines can end it sooner
                        end = m.start()
                        i = bisect_left(specials, c)
                        if nspecial >= 0 and (i == nspecial or specials[i] >= end):
                            pieces.append((c, end, None))
                            raw_blocks.append((c, end, "paragraph"))
                        else:
                            leaves.append(("paragraph", text[c:end], [(0, c)]))
                        li = bisect_left(starts, m.end(), li) + 1
                        continue
            elif ch == "#":
                e = ends[li]
                rest = text[c : e - 1 if text[e - 1] == "\n" else e]
                after = rest.lstrip("#")
                hashes = len(rest) - len(after)
                if hashes <= 6 and (not after or after[0].isspace()) and after.rstrip()[-1:] != "#":
                    # what _HEADING gives when no closing '#'s can follow: the rest, stripped
                    body = after.strip()
                    if body:
                        start = c + hashes + len(after) - len(after.lstrip())
                        self._leaf("heading", start, start + len(body))
                    li += 1
                    continue
                m = _HEADING.match(text, c)
                if m:
                    self._heading(m)
                    li += 1
                    continue
            self.li = li
            self.parse_source(True)
            li = self.li


    def parse_source(self, once: bool = False) -> tuple[int, int | None]:
        """Parse blocks under the current states; (children parsed, start line of a trailing blank run).

        once: stop after one block (the document loop handles the common blocks itself).
        """
        count = 0
        last_blank: int | None = None
        last_li = -1
        text = self.text
        starts = self.starts
        ends = self.ends
        nlines = self.nlines
        while self.li < nlines:
            li = self.li
            if count and li == last_li:
                # the last block consumed nothing: marko would parse the same line again, forever
                raise mdinline.Unsupported("a block that marko re-reads forever")
            last_li = li  # (li itself moves on in the blank-line case below)
            if self.states[-1].cum:
                p = self.plen(li)
                if p < 0:
                    break
                c = starts[li] + p
            else:
                c = starts[li]
            e = ends[li]
            ch = text[c : c + 1]
            k = 0
            if ch == " ":
                k, ch = self._lead(c)
            count += 1
            last_blank = None
            # the common cases first: a line of prose, a blank line
            if (
                k == 0
                and ch not in _NOT_PLAIN
                and not ch.isspace()
                and not ch.isdecimal()
                and text.find("|", c, e) < 0
                and (c == starts[li] or not self._tabs)
            ):
                if len(self.states) == 1:
                    # a paragraph outside containers that ends at an empty line: no need to look closer
                    m = _CAREFUL_LINE.search(text, c)
                    if m is not None and text[m.end()] == "\n":
                        self.li = bisect.bisect_left(starts, m.end(), li)
                        self._leaf("paragraph", c, m.start())
                        continue
                self._paragraph(c)
            elif ch == "\n" and not self.states[-1].cum:
                last_blank = li
                li += 1
                while li < nlines and (text[starts[li]] == "\n" or text[starts[li] : ends[li]].isspace()):
                    li += 1
                self.li = li
            elif k <= 3 and (ch in _SPECIAL_FIRST or ch.isdecimal()) and self._special(c, k, ch):
                pass
            elif self._blank(c, e, ch):
                last_blank = li
                self._blank_lines()
            elif ch == "<" and k <= 3 and self._html_match(c):
                self._html(c)
            elif (ch == "[" and k <= 3 and self._link_def(c)) or (text.find("|", c, e) >= 0 and self._table(c, e)):
                pass  # a link reference definition or a table: the call read it
            elif self._maybe_code(c, k, ch) and self._code_match():
                self._code()
            elif ch and ch != "\n":
                self._paragraph(c)
            else:
                count -= 1
                break
            if once:
                if self.li == last_li:
                    raise mdinline.Unsupported("a block that marko re-reads forever")
                break
        return count, last_blank

    def _special(self, c: int, k: int, ch: str) -> bool:
        """Elements of priority 6-8 (thematic break, fence, alert, heading, list, quote)."""
        text = self.text
        if ch == "#":  # nothing else starts with '#'
            m = _HEADING.match(text, c)
            if m:
                self._heading(m)
                self.consume()
                return True
            return False
        if ch in "-_*" and self._thematic(c):
            self.consume()
            return True
        if ch in "`~":
            fence = self._fence_match(c)
            if fence:
                self._fence(fence)
                return True
        if ch == ">" and _ALERT.match(text, c):
            self.consume()
            self._container(_State(ALERT, (_QUOTE_PIECE,), "quote", True))
            return True
        if ch == "#":
            m = _HEADING.match(text, c)
            if m:
                self._heading(m)
                self.consume()
                return True
        if ch in "-+*" or ch.isdecimal():
            m = _LIST.match(text, c)
            if m:
                self._list(m.group(1))
                return True
        if ch == ">":
            self._container(_State(QUOTE, (_QUOTE_PIECE,), "quote", True))
            return True
        return False

    def _maybe_code(self, c: int, k: int, ch: str) -> bool:
        """Whether an indented code block could start here (tabs and quote prefixes shift columns)."""
        if k >= 1 or (ch.isspace() and ch != "\n"):
            return True
        start = self.starts[self.li]
        return c > start and "\t" in self.text[start:c]

    def _container(self, state: _State) -> None:
        parent = self.states[-1]
        state.quoted = state.quoted or parent.quoted
        self.push(state)
        self.parse_source()
        self.pop()

    # --- leaves ---------------------------------------------------------------------------------

    def _thematic(self, c: int) -> bool:
        m = _THEMATIC.match(self.text, c)
        return bool(m) and len(set(re.sub(r"\s+", "", m.group()))) == 1

    def _heading(self, m: re.Match[str]) -> None:
        group = m.group(2)
        body = group.strip()
        if body:
            start = m.start(2) + len(group) - len(group.lstrip())
            self._leaf("heading", start, start + len(body))

    def _fence_match(self, c: int) -> tuple[str, str] | None:
        m = _FENCE.match(self.text, c)
        if not m:
            return None
        prefix, leading, info = m.groups()
        if leading[0] == "`" and "`" in info:
            return None
        return prefix, leading

    def _fence(self, fence: tuple[str, str]) -> None:
        leading = fence[1]
        self.consume()
        text = self.text
        while self.li < self.nlines:
            span = self.content()
            if span is None:
                break
            line = text[span[0] : span[1]]
            self.consume()
            m = _FENCE_CLOSE.match(line)
            if m and leading in m.group(1):
                break

    def _blank_lines(self) -> None:
        while self.li < self.nlines:
            span = self.content()
            if span is None or not self._is_blank(*span):
                break
            self.consume()

    def _is_blank(self, c: int, e: int) -> bool:
        return not self.text[c:e].strip()

    def _paragraph(self, c: int) -> None:
        role = self.states[-1].role
        lines = self._top_paragraph(c) if len(self.states) == 1 else self._nested_paragraph(c)
        if lines is None:
            return
        body, runs = self._join(lines)
        body = body.rstrip("\n")
        m = mdinline._TASK.match(body)
        if m:
            cut = m.end(1)
            body = body[cut:]
            runs = _shift(runs, cut)
        if len(runs) == 1:
            self._leaf(role, runs[0][1], runs[0][1] + len(body))
        else:
            self.leaves.append((role, body, runs))

    def _top_paragraph(self, c: int) -> list[tuple[int, int]] | None:
        """A paragraph outside any container: only lines starting with a "careful" character can end
        it or make it a setext heading, so the lines between them are taken in one regex search."""
        text = self.text
        starts = self.starts
        lines = []
        seg = c
        search_from = starts[self.li]
        while True:
            m = _CAREFUL_LINE.search(text, search_from)
            if m is None:
                lines.append((seg, len(text)))
                self.li = self.nlines
                return lines
            nxt = m.end()
            lines.append((seg, nxt))
            self.li = bisect.bisect_left(starts, nxt)
            if self._breaks(False):
                return lines
            e = self.ends[self.li]
            self.consume()
            if text[nxt : nxt + 1] in (" ", "=", "-") and _SETEXT.match(text, nxt, e):
                lines.append((nxt, e))
                self._setext(lines)
                return None
            seg = search_from = nxt

    def _nested_paragraph(self, c: int) -> list[tuple[int, int]] | None:
        li = self.li
        lines = [(c, self.ends[li])]
        self.consume()
        text = self.text
        while self.li < self.nlines:
            if self._breaks(False):
                break
            span = self.content()
            if span is not None and span[0] < span[1]:
                lines.append(span)
                self.consume()
                c0 = span[0]
                if text[c0 : c0 + 1] in (" ", "=", "-") and _SETEXT.match(text, c0, span[1]):
                    self._setext(lines)
                    return None
                continue
            # lazy continuation: the line may continue the paragraph under fewer containers
            states = self.states[:]
            end_parse = False
            while len(self.states) > 1:
                self.pop()
                span = self.content()
                if span is not None and span[0] < span[1]:
                    if self._breaks(True):
                        end_parse = True
                    else:
                        lines.append(span)
                        self.consume()
                    break
            self._restore(states)
            if end_parse:
                break
        return lines

    def _setext(self, lines: list[tuple[int, int]]) -> None:
        lines.pop()
        body, runs = self._join(lines)
        body = body.strip()
        if len(runs) == 1:
            self._leaf("heading", runs[0][1], runs[0][1] + len(body))
        else:
            self.leaves.append(("heading", body, runs))

    def _join(self, lines: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
        """The lines with leading whitespace stripped, joined, and their runs."""
        text = self.text
        runs: list[tuple[int, int]] = []
        parts = []
        length = 0
        last_end = -1
        for a, e in lines:
            if a < e and text[a].isspace():
                a = _LEADING_WS.match(text, a, e).end()
            if a >= e:
                continue
            if a != last_end:
                runs.append((length, a))
            parts.append((a, e))
            length += e - a
            last_end = e
        if len(runs) == 1:
            return text[parts[0][0] : parts[-1][1]], runs
        return "".join(text[a:e] for a, e in parts), runs

    def _breaks(self, lazy: bool) -> bool:
        """marko's Paragraph.break_paragraph on the current line."""
        span = self.content()
        if span is None:
            return False
        c, e = span
        k, ch = self._lead(c)
        if self._blank(c, e, ch):
            return True
        text = self.text
        state = self.states[-1]
        if k <= 3:
            if ch in "`~" and self._fence_match(c):
                return True
            if ch == ">":
                return True
            if ch == "#" and _HEADING.match(text, c):
                return True
        if lazy and state.kind == LIST and self._item_match():
            return True
        if k <= 3 and (ch in "-+*" or ch.isdecimal()) and _LIST.match(text, c):
            _, bullet, _, tail = _parse_leading(text[c:e].rstrip(), 0)
            if lazy or ((bullet[:-1] == "1" or bullet in "*-+") and tail):
                return True
        if k <= 3 and ch == "<":
            kind = self._html_match(c)
            if kind and kind[0] != 7:
                return True
        if k <= 3 and ch in "-_*" and self._thematic(c):
            return lazy or not _SETEXT.match(text, c, e)
        return False

    # --- lists -----------------------------------------------------------------------------------

    def _list(self, bullet: str) -> None:
        state = _State(LIST, (), self.states[-1].role, self.states[-1].quoted)
        state.bullet = bullet
        state.ordered = bullet[:-1].isdigit()
        self.push(state)
        anchor = self.li
        while self.li < self.nlines:
            info = self._item_match()
            if info:
                before = self.li
                self._item(info)
                if self.li == before:
                    raise mdinline.Unsupported("a list item that marko re-reads forever")
                anchor = self.li
            else:
                span = self.content()
                if span is not None and self._is_blank(*span):
                    self._blank_lines()
                else:
                    self.li = anchor
                    break
        self.pop()

    def _item_match(self) -> tuple[int, str, int] | None:
        """marko's ListItem.match (the current state is the list): (indent, bullet, spaces after it)."""
        span = self.content()
        if span is None:
            return None
        c, e = span
        text = self.text
        m = _LIST.match(text, c)
        if not m:
            return None
        start = self.starts[self.li]
        if self._tabs and text.find("\t", start, e) >= 0:
            if self._thematic(c):
                return None
            line = text[start:e].expandtabs(4)
            p = _pattern(self.prefix)(line, 0, len(line))
            indent, bullet, mid, _ = _parse_leading(line.rstrip(), max(p, 0))
            return self._compatible(indent, bullet, mid)
        # the prefix matched without marko's retry (a list marker is not blank): it ends at c
        return self._marker(m, start, c, e)

    def _marker(self, m: re.Match[str], start: int, c: int, e: int) -> tuple[int, str, int] | None:
        """ListItem.match on a line without tabs whose content (at c) matched the list pattern."""
        text = self.text
        bullet = m.group(1)
        indent = m.start(1) - c
        after = m.end(1)
        j = _SPACES.match(text, after, e).end()
        nxt = text[j : j + 1]
        # a thematic break repeats its first marker after the spaces ("- - -", "* * *")
        if (bullet == "-" or bullet == "*") and (nxt == bullet or nxt.isspace()) and self._thematic(c):
            return None
        if nxt == "\n" or nxt == "":
            mid = 0
        elif nxt.isspace():
            indent, bullet, mid, _ = _parse_leading(text[start:e].rstrip(), c - start)
        else:
            mid = j - after
            if mid > 4:
                mid = 1
        return self._compatible(indent, bullet, mid)

    def _compatible(self, indent: int, bullet: str, mid: int) -> tuple[int, str, int] | None:
        parent = self.states[-1]
        if (parent.ordered and not bullet[:-1].isdigit()) or bullet[-1] != parent.bullet[-1]:
            return None
        if not parent.ordered and bullet != parent.bullet:
            return None
        return indent, bullet, mid

    def _item(self, info: tuple[int, str, int]) -> None:
        if self._simple_items(info):
            return
        indent, bullet, mid = info
        parent = self.states[-1]
        state = _State(ITEM, (" " * indent + bullet + " " * mid,), "item", parent.quoted)
        state.second = (" " * (len(bullet) + indent + (mid or 1)),)
        self.push(state)
        try:
            c, e = self.content()  # type: ignore[misc]
            if not self.text[c:e].strip():
                self.consume()
                if self.li >= self.nlines:
                    return
                span = self.content()
                if span is None or not self.text[span[0] : span[1]].strip():
                    return
            count, last_blank = self.parse_source()
        finally:
            self.pop()
        if last_blank is not None and count > 1:
            self.li = last_blank

    def _simple_items(self, info: tuple[int, str, int]) -> bool:
        """List items that are one line of prose each, read without the container machinery.

        What marko's rules do with such an item: its paragraph ends at the next line when that line
        is blank (the blank lines then end the item unless the line after them is indented into
        it), or when it is not indented into the item and, seen from the list, starts a list item,
        a heading or a quote (a lazy continuation line would break there). A next line that is an
        item of this list is read the same way. The first item that is anything else, or has a
        tab, or a list whose prefix is not plain spaces, is left to the general way; returns
        whether any item was read.
        """
        cum = self.states[-1].cum
        if not all(isinstance(piece, str) for piece in cum):
            return False
        parent = "".join(cum)  # type: ignore[arg-type]
        if parent.strip(" "):
            return False
        depth = len(parent)
        text = self.text
        starts = self.starts
        ends = self.ends
        nlines = self.nlines
        tabs = self._tabs
        done = False
        while True:
            indent, bullet, mid = info
            li = self.li
            if indent == 0 and mid == 1:
                # a run of items "- text" (or "1. text") at this depth, each followed by the next: each
                # is one line of prose whose paragraph that next item ends (the run's last is read below)
                run = _item_run(depth, bullet[-1], self.states[-1].ordered).match(text, starts[li])
                if run is not None and run.end() > ends[li]:
                    last = bisect.bisect_left(starts, run.end(), li) - 1
                    for m in _ITEM_LINE.finditer(text, starts[li], starts[last]):
                        self._leaf("item", m.start(1), m.end(1))
                    self.li = li = last
                    done = True
                    m = _LIST.match(text, starts[li] + depth)
                    info = self._marker(m, starts[li], starts[li] + depth, ends[li])  # type: ignore[arg-type]
                    if info is None:
                        return True
                    indent, bullet, mid = info
            start, e = starts[li], ends[li]
            c = start + depth + indent + len(bullet) + mid
            ch = text[c : c + 1]
            if (
                ch in _NOT_PLAIN
                or ch.isspace()
                or ch.isdecimal()
                or text.find("|", c, e) >= 0
                or (tabs and text.find("\t", start, e) >= 0)
            ):
                return done
            full = depth + len(bullet) + indent + (mid or 1)  # the item's continuation prefix, in spaces
            nl = li + 1
            marker = None
            if nl < nlines:
                a, b = starts[nl], ends[nl]
                s = _SPACES.match(text, a, b).end() - a
                nxt = text[a + s : a + s + 1]
                if tabs and text.find("\t", a, b) >= 0:
                    return done
                if nxt == "\n" or nxt == "":
                    j = nl + 1
                    while j < nlines and _BLANK_LINE.fullmatch(text, starts[j], ends[j]):
                        j += 1
                    if j < nlines:
                        m = starts[j]
                        sm = _SPACES.match(text, m).end() - m
                        if text[m + sm].isspace():
                            return done
                        if sm >= full:  # the item goes on after the blank lines
                            return self._rest_of_item(li, c, e, bullet, indent, mid, check=False) or done
                elif s >= full:  # the next line is indented into the item
                    return self._rest_of_item(li, c, e, bullet, indent, mid, check=True) or done
                else:
                    k = s - depth
                    if k < 0 or k > 3:
                        return done
                    at = a + depth
                    if nxt == ">":
                        pass
                    elif nxt == "#":
                        if not _HEADING.match(text, at):
                            return done
                    elif nxt == "-" or nxt == "+" or nxt == "*" or nxt.isdecimal():
                        marker = _LIST.match(text, at)
                        if marker is None:
                            return done
                    else:
                        return done
            self._leaf("item", c, e - 1 if text[e - 1] == "\n" else e)
            self.li = nl
            done = True
            if marker is None:
                return True
            next_info = self._marker(marker, a, at, b)
            if next_info is None:
                return True
            info = next_info

    def _rest_of_item(self, li: int, c: int, e: int, bullet: str, indent: int, mid: int, check: bool) -> bool:
        """An item whose first line is a paragraph of its own and whose other blocks follow it.

        After marko reads that line the item's state is on the stack with its continuation prefix:
        put it there, and let the general parser read the rest. check: the line after must end the
        paragraph (else the item is left to the general way: returns False).
        """
        parent = self.states[-1]
        state = _State(ITEM, (" " * (len(bullet) + indent + (mid or 1)),), "item", parent.quoted)
        state.second = state.prefix
        self.push(state)
        self.li = li + 1
        if check and not self._breaks(False):
            self.pop()
            self.li = li
            return False
        self._leaf("item", c, e - 1 if self.text[e - 1] == "\n" else e)
        try:
            count, last_blank = self.parse_source()
        finally:
            self.pop()
        if last_blank is not None and count + 1 > 1:
            self.li = last_blank
        return True

    # --- HTML, link definitions, tables, indented code --------------------------------------------

    def _html_match(self, c: int) -> tuple[int, re.Pattern[str] | None] | None:
        text = self.text
        m = _HTML_1.match(text, c)
        if m:
            return 1, re.compile(rf"(?i)</{m.group(1)}>")
        if _HTML_2.match(text, c):
            return 2, _HTML_END[2]
        if _HTML_3.match(text, c):
            return 3, _HTML_END[3]
        if _HTML_4.match(text, c):
            return 4, _HTML_END[4]
        if _HTML_6.match(text, c):
            return 6, None
        if _HTML_7.match(text, c):
            return 7, None
        return None

    def _html(self, start: int) -> None:
        _, end_pattern = self._html_match(start)  # type: ignore[misc]
        text = self.text
        while self.li < self.nlines:
            span = self.content()
            if span is None:
                break
            line = text[span[0] : span[1]]
            if end_pattern is not None:
                if end_pattern.search(line):
                    self.consume()
                    break
            elif line.strip() == "":
                break
            self.consume()
        end = self.starts[self.li] if self.li < self.nlines else len(text)
        state = self.states[-1]
        self.html.append((start, end, state.role, state.quoted))

    def _link_def(self, c: int) -> bool:
        """marko's LinkRefDef.match and parse."""
        text = self.text
        m = _LINK_DEF.match(text, c)
        if not m:
            return False
        label = mdinline.link_label(text, m.end() - 1)
        if not label:
            return False
        if label[1] >= len(text) or text[label[1]] != ":":
            return False
        i = mdinline.link_separator(text, label[1] + 1)
        try:
            dest_start, dest_end, title_start, title_end = mdinline.link_dest_title(text, i)
        except mdinline.ParseError:
            return False
        i = max(dest_end, title_end)
        end = mdinline.find_next(text, "\n", i)
        end = end + 1 if end >= 0 else len(text)
        if text[i:end].strip():
            if title_start >= 0 and "\n" in text[dest_end:title_start]:
                title_start = title_end = -1
                end = mdinline.find_next(text, "\n", dest_end) + 1
            else:
                return False
        if end <= self.starts[self.li]:
            raise mdinline.Unsupported("link reference definition that marko would re-read forever")
        name = mdinline.normalize_label(text[label[0] + 1 : label[1] - 1])
        if name not in self.refs:
            self.refs[name] = (text[dest_start:dest_end], text[title_start:title_end])
        # marko sets the position directly: no consume, so a list item keeps its first-line prefix
        self.li = bisect.bisect_left(self.starts, end)
        return True

    def _row(self) -> tuple[list[str], list[int]] | None:
        """marko's TableRow.match on the current line: its cells (stripped) and where each starts."""
        span = self.content()
        if span is None:
            return None
        c, e = span
        line = self.text[c:e]
        if not line or not _ROW_START.match(line):
            return None
        cells, starts = _split_row(line, c) if "\\" in line else _split_plain_row(line, c)
        if cells and not cells[0]:
            cells.pop(0)
            starts.pop(0)
        if cells and not cells[-1]:
            cells.pop()
            starts.pop()
        return (cells, starts) if cells else None

    def _table(self, c: int, e: int) -> bool:
        head = self._row()
        if not head or _is_delimiter_row(head[0]):
            return False
        if _CELL_SPLIT.search(self.text[c:e]) is None:
            return False
        start_line = self.li
        self.li += 1  # marko moves on without consume(): no prefix update
        delimiter = self._row() if self.li < self.nlines else None
        if not delimiter or not _is_delimiter_row(delimiter[0]) or len(delimiter[0]) != len(head[0]):
            self.li = start_line
            return False
        self.consume()
        self.push(_State(TABLE, (), self.states[-1].role, self.states[-1].quoted))
        columns = len(head[0])
        self._cells(head[0], head[1])
        while self.li < self.nlines:
            if self._ends_table():
                break
            row = self._row()
            if not row:
                break
            self.consume()
            self._cells(row[0][:columns], row[1][:columns])
        self.pop()
        return True

    def _ends_table(self) -> bool:
        """Whether any block but a table or paragraph starts on the current line."""
        span = self.content()
        if span is None:
            return False
        c, e = span
        k, ch = self._lead(c)
        if ch == "|" and k == 0 and not self._tabs:
            return False  # the usual row: nothing else starts with '|' (no tab can make it code)
        text = self.text
        if k <= 3:
            if ch in "-_*" and self._thematic(c):
                return True
            if ch in "`~" and self._fence_match(c):
                return True
            if ch == ">":
                return True
            if ch == "#" and _HEADING.match(text, c):
                return True
            if (ch in "-+*" or ch.isdecimal()) and _LIST.match(text, c):
                return True
        if self._blank(c, e, ch):
            return True
        if k <= 3 and ch == "<" and self._html_match(c):
            return True
        if k <= 3 and ch == "[" and self._link_def_matches(c):
            return True
        return self._maybe_code(c, k, ch) and self._code_match()

    def _link_def_matches(self, c: int) -> bool:
        """LinkRefDef.match without its parse (a table's stop check)."""
        saved_li, size = self.li, len(self.refs)
        try:
            return self._link_def(c)
        finally:
            self.li = saved_li
            if len(self.refs) > size:  # _link_def only adds a label it had not seen
                del self.refs[next(reversed(self.refs))]

    def _cells(self, cells: list[str], starts: list[int]) -> None:
        for stripped, pos in zip(cells, starts, strict=True):
            if not stripped:
                continue
            if "\\|" not in stripped:
                self._leaf("cell", pos, pos + len(stripped))
                continue
            # marko's TableCell drops the backslash of each `\|`: one run per piece between them
            body = stripped.replace("\\|", "|")
            runs: list[tuple[int, int]] = [(0, pos)]
            length = 0
            last = 0
            i = stripped.find("\\|")
            while i >= 0:
                length += i - last
                last = i + 1
                runs.append((length, pos + last))
                i = stripped.find("\\|", last)
            runs = [r for j, r in enumerate(runs) if j + 1 == len(runs) or runs[j + 1][0] != r[0]]
            self.leaves.append(("cell", body, runs))

    def _code_match(self) -> bool:
        li = self.li
        line = self.text[self.starts[li] : self.ends[li]]
        state = self.states[-1]
        if state.kind in (QUOTE, ALERT):  # marko drops the `?` of its quote's `[^\n\S]?`
            prefix = (*self.prefix[:-1], _QUOTE_SPACE_PIECE, _CODE_INDENT)
        else:
            prefix = (*self.prefix, _CODE_INDENT)
        return bool(_strip_prefix(line, prefix))

    def _code(self) -> None:
        self.consume()
        anchor = self.li
        while self.li < self.nlines:
            span = self.content()
            if span is not None and self._is_blank(*span):
                self.consume()
            elif self._code_match():
                self.consume()
                anchor = self.li
            else:
                self.li = anchor
                break


def _split_row(line: str, offset: int) -> tuple[list[str], list[int]]:
    """marko's split of a row at `\\s*(?<!\\\\)\\|\\s*`: the cells, and where each starts (line is at offset)."""
    stripped = line.strip()
    base = offset + len(line) - len(line.lstrip())
    cells = []
    starts = []
    last = 0
    for m in _CELL_SPLIT.finditer(stripped):
        cells.append(stripped[last : m.start()])
        starts.append(base + last)
        last = m.end()
    cells.append(stripped[last:])
    starts.append(base + last)
    return cells, starts


def _split_plain_row(line: str, offset: int) -> tuple[list[str], list[int]]:
    """_split_row for a line without a backslash: every '|' splits, and the separator's whitespace
    is each piece's own, stripped."""
    cells = []
    starts = []
    pos = offset
    for piece in line.split("|"):
        cell = piece.strip()
        cells.append(cell)
        starts.append(pos + len(piece) - len(piece.lstrip()))
        pos += len(piece) + 1
    return cells, starts


def _is_delimiter_row(cells: list[str]) -> bool:
    return all(_CELL_DELIMITER.match(cell) for cell in cells)


def _shift(runs: list[tuple[int, int]], cut: int) -> list[tuple[int, int]]:
    """runs for text[cut:]."""
    out = []
    for i, (body, src) in enumerate(runs):
        nxt = runs[i + 1][0] if i + 1 < len(runs) else None
        if nxt is not None and nxt <= cut:
            continue
        if body < cut:
            out.append((0, src + cut - body))
        else:
            out.append((body - cut, src))
    return out
