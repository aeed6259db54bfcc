"""Inline pass of the Markdown reader: which characters of a paragraph's text are prose.

A port of marko 2.2.4's inline parser with the GFM extension (`inline_parser.py`, `inline.py`,
`ext/gfm/elements.py`), so the fast reader masks exactly what the marko-based reader masked. What
changed is only how fast it gets there:

- the delimiter scan jumps between the characters that can matter (`\\ ` [ ] ! * _`) instead of
  visiting every character;
- an element pattern runs only when its first character occurs in the text at all;
- only `\\`-newline line breaks become tokens: a line break of spaces masks nothing but spaces and,
  having the lowest priority, never changes which other tokens survive;
- a text with none of those characters is one run of prose, with no tokens at all;
- marko's quadratic paths are indexes here (`_LinkScan`, `_Delimiters`, `_Destinations`,
  `_code_spans`, `_html_tokens`): linear time on any paragraph, checked against marko's own
  patterns in tests/readers/test_markdown_linear.py.

`parse` gives the resolved token tree; `Walker` turns it into kept ranges, image-alt blocks and
comment spans, as the old reader's tree walker did.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from functools import lru_cache
from operator import itemgetter

from healthlint import lazy
from healthlint.model import Span
from healthlint.readers.html import Masked

# --- patterns (marko's, verbatim unless noted) --------------------------------------------------

_TAG_NAME = r"[A-Za-z][A-Za-z0-9\-]*"
_ATTRIBUTE = r"\s+[A-Za-z:_][A-Za-z0-9\-_\.:]*" r'(?:\s*=\s*(?:[^\s"\'`=<>]+|\'[^\']*\'|"[^"]*"))?'
_URI = r"[A-Za-z][A-Za-z\-.+]{1,31}:[^\s<>]*?"
_EMAIL = (
    r"[a-zA-Z0-9.!#$%&\'*+/=?^_`{|}~-]+@[a-zA-Z0-9]"
    r"(?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9]"
    r"(?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*"
)
_AUTOLINK = lazy.compile(rf"<({_URI}|{_EMAIL})>")
# marko's code span, `(?<!`)(`+)(?!`)([\s\S]+?)(?<!`)\1(?!`)`, is found by _code_spans.
# marko's InlineHTML pattern is an open or closing tag, `<!--(?:>|->|[\s\S]*?-->)`, `<\?[\s\S]*?\?>`,
# `<![A-Z]+ +[\s\S]*?>` or `<!\[CDATA\[[\s\S]*?\]\]>`; _html_tokens matches the last four itself.
_HTML_TAG = lazy.compile(rf"<{_TAG_NAME}(?:{_ATTRIBUTE})* */?>|</{_TAG_NAME} *>")
_HTML_DECLARATION = lazy.compile(r"<![A-Z]+ +")
# Only the backslash form of marko's `( *|\\)\n(?!\Z)`: see the module docstring.
_BACKSLASH_BREAK = lazy.compile(r"\\\n(?!\Z)")
_LITERAL = lazy.compile(r'\\([!"#\$%&\'()*+,\-./:;<=>?@\[\\\]^_`{|}~])')
_STRIKE = lazy.compile(r"(?<!~)(~|~~)([^~]+)\1(?!~)")
_WWW = lazy.compile(r"(?:^|(?<=[\s*_~(\uff00-\uffef]))(www\.([\w.\-]*?\.[\w.\-]+)[^<\s]*)")
_GFM_EMAIL = r"[\w.\-+]+@[\w.\-]*?\.[\w.\-]*[a-zA-Z0-9]"
_BARE = lazy.compile(
    r"(?:^|(?<=[\s*_~(\uff00-\uffef]))((?:https?|ftp)://([\w.\-]*?\.[\w.\-]+)"
    rf"[^<\s]*|{_GFM_EMAIL}(?=[\s.<]|\Z))"
)
_URL_ENTITY_END = lazy.compile(r"&[a-zA-Z]+;$")
# The two URL patterns without their look-behind, which `_candidates` checks instead.
_URL_BOUNDARY = lazy.compile(r"[\s*_~(\uff00-\uffef]")
_WWW_AT = lazy.compile(r"(www\.([\w.\-]*?\.[\w.\-]+)[^<\s]*)")
_BARE_AT = lazy.compile(r"((?:https?|ftp)://([\w.\-]*?\.[\w.\-]+)[^<\s]*)")
_DELIMITER = lazy.compile(r"!?\[|\*+|_+")
# Where the delimiter scan must stop; everything else only advances it by one.
# Anything that could make a text more than one run of prose.
SPECIAL = lazy.compile(r"[\\`\[\]*_~<&@]|://|www\.")
_SPECIAL_CHARS = lazy.compile(r"[\\`\[\]*_~<&@]")  # SPECIAL's characters: sre scans a lone class far quicker
_SPECIAL_STRINGS = ("\\", "`", "[", "]", "*", "_", "~", "<", "&", "@", "://", "www.")


class Unsupported(Exception):
    """Input the reader does not parse: marko loops forever on it (a block that consumes nothing is
    parsed again and again), or it is no prose at all (MAX_MARKS). The caller reads it as plain
    text, as it does for nesting too deep to parse."""


# More marks than this in one paragraph is no prose but a generated or hostile file: their
# bookkeeping (about 300 bytes a mark) would reach gigabytes, and marko never finished such a text.
MAX_MARKS = 250_000


def special_positions(text: str) -> list[int]:
    """Sorted offsets of everything SPECIAL matches (str.find is far quicker than sre here)."""
    found: list[int] = []
    for literal in _SPECIAL_STRINGS:
        i = text.find(literal)
        while i >= 0:
            found.append(i)
            i = text.find(literal, i + 1)
    found.sort()
    return found
_WHITESPACE = lazy.compile(r"\s")
_SPACES = lazy.compile(r"\s+")
_TASK = lazy.compile(r"(\[[\sxX]\])\s+\S")
_LINK_WHITESPACE = " \n\t"
# What ends or changes marko's walk along a link destination: escapes, whitespace, controls, parens.
_DEST_STOP = lazy.compile(r"[\\\x00-\x20\x7f()]")

# Token kinds; marko's priority of each and whether it has children (LinkOrEmph, Strikethrough).
LINK, IMAGE, EMPH, AUTOLINK, CODE, HTML, BREAK, LITERAL, STRIKE, URL = range(10)
_PRIORITY = (5, 5, 5, 7, 7, 7, 2, 7, 5, 5)
_PARENT = (True, True, True, False, False, False, False, False, True, False)

# A token is a tuple (start, end, kind, inner start, inner end, children): [start, end) in the
# text, children (filled by `resolve`) inside [inner start, inner end).
Token = tuple[int, int, int, int, int, list]
_FIRST = itemgetter(0)


def resolve(tokens: list[Token]) -> list[Token]:
    """marko's _resolve_overlap on tokens sorted by start: the top-level ones; a token inside a
    parent's text becomes its child, one shaded by a parent or overlapping a token of equal or
    higher priority is dropped."""
    if len(tokens) < 2:
        return tokens
    result = []
    it = iter(tokens)
    prev = next(it)
    for cur in it:
        start = cur[0]
        if prev[1] <= start:  # precede
            result.append(prev)
            prev = cur
            continue
        if prev[1] >= cur[1] and _PARENT[prev[2]]:
            if start >= prev[3] and cur[1] <= prev[4]:  # contain
                prev[5].append(cur)
                continue
            if prev[4] <= start:  # shade
                continue
        if _PRIORITY[prev[2]] < _PRIORITY[cur[2]]:  # intersect
            prev = cur
    result.append(prev)
    return result


def parse(text: str, refs: dict[str, tuple[str, str]], positions: list[int] | None = None) -> list[Token]:
    """The top-level tokens of one inline text (a parent's children are resolved by the walker).

    positions: the sorted offsets in text of what SPECIAL matches (special_positions(text)).
    """
    if positions is None:
        positions = special_positions(text)
    present = {text[p] for p in positions}
    code = _code_spans(text, positions) if "`" in present else {}
    tokens: list[Token] = []
    if "[" in present or "*" in present or "_" in present:
        tokens.extend(_LinkScan(text, refs, positions, code).run())
    if "<" in present:
        tokens.extend([(m.start(), m.end(), AUTOLINK, 0, 0, []) for m in _AUTOLINK.finditer(text)])
    if code:
        tokens.extend(_code_tokens(code))
    if "<" in present:
        tokens.extend(_html_tokens(text, positions))
    if "\\" in present:
        tokens.extend([(m.start(), m.end(), BREAK, 0, 0, []) for m in _BACKSLASH_BREAK.finditer(text)])
        tokens.extend([(m.start(), m.end(), LITERAL, 0, 0, []) for m in _LITERAL.finditer(text)])
    if "~" in present:
        strikes = _finditer_at(_STRIKE, text, positions, "~")
        tokens.extend([(m.start(), m.end(), STRIKE, m.start(2), m.end(2), []) for m in strikes])
    if "w" in present or ":" in present or "@" in present:
        tokens.extend(_urls(text))
    if len(tokens) > 1:
        tokens.sort(key=_FIRST)
        return resolve(tokens)
    return tokens


def _code_tokens(code: dict[int, int]) -> list[Token]:
    """What _CODE.finditer finds, from _code_spans: a span never starts inside the one before."""
    tokens: list[Token] = []
    last = 0
    for start in sorted(code):
        if start >= last:
            last = code[start]
            tokens.append((start, last, CODE, 0, 0, []))
    return tokens


def _html_tokens(text: str, positions: list[int]) -> list[Token]:
    """What _HTML.finditer (marko's InlineHTML) finds, tried at each '<'.

    A comment, processing instruction, declaration or CDATA section ends at the first `-->`, `?>`,
    `>` or `]]>` after it; sre looks for that to the end of the text from every '<' that opens
    one, quadratic when none closes (`<!--` repeated). `_Following` finds each once.
    """
    tokens: list[Token] = []
    last = 0
    following = _Following(text)
    for p in positions:
        if p < last or text[p] != "<":
            continue
        end = _html_end(text, p, following)
        if end > 0:
            tokens.append((p, end, HTML, 0, 0, []))
            last = end
    return tokens


def _html_end(text: str, p: int, following: _Following) -> int:
    """Where marko's InlineHTML pattern matches from the '<' at p to, or -1."""
    m = _HTML_TAG.match(text, p)
    if m:
        return m.end()
    if text.startswith("<!--", p):
        if text.startswith(">", p + 4):
            return p + 5
        if text.startswith("->", p + 4):
            return p + 6
        close, size = following("-->", p + 4), 3
    elif text.startswith("<?", p):
        close, size = following("?>", p + 2), 2
    elif text.startswith("<![CDATA[", p):
        close, size = following("]]>", p + 9), 3
    else:
        m = _HTML_DECLARATION.match(text, p)
        if m is None:
            return -1
        close, size = following(">", m.end()), 1
    return close + size if close >= 0 else -1


class _Following:
    """text.find(literal, start) for starts that only grow: each stretch of the text is searched once."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._last: dict[str, tuple[int, int]] = {}  # literal -> (searched from, found at or -1)

    def __call__(self, literal: str, start: int) -> int:
        last = self._last.get(literal)
        if last is not None and last[0] <= start and (last[1] < 0 or last[1] >= start):
            return last[1]
        found = self._text.find(literal, start)
        self._last[literal] = (start, found)
        return found


def _finditer_at(pattern: re.Pattern[str], text: str, positions: list[int], first: str) -> list[re.Match[str]]:
    """pattern.finditer(text) for a pattern that can only match at a `first` character.

    The strikethrough pattern opens with a look-behind, which stops sre from skipping ahead to a
    possible start: it tries every character (~17 ns each). Trying only the positions of `first`
    in order, from the end of the last match on, finds the same matches.
    """
    out = []
    last = 0
    for p in positions:
        if p >= last and text[p] == first:
            m = pattern.match(text, p)
            if m:
                out.append(m)
                last = m.end()
    return out


# --- GFM bare URLs (marko.ext.gfm.elements.Url.find) ----------------------------------------------


def _urls(text: str) -> list[Token]:
    found = []
    matches: list[re.Match[str]] = []
    if "www." in text:
        matches.extend(_candidates(text, "www.", 0, _WWW_AT))
    if "@" in text:
        matches.extend(_BARE.finditer(text))
    elif "://" in text:
        matches.extend(_candidates(text, "://", -1, _BARE_AT))
    for m in matches:
        domain = m.group(2)
        if domain:
            parts = domain.split(".")
            if len(parts) < 2 or "_" in parts[-1] or "_" in parts[-2]:
                continue
        link_text = m.group()
        shift = 0
        if link_text[-1] in ("?", "!", ".", ",", ":", "*", "_", "~"):
            shift = -1
        elif link_text[-1] == ")" and link_text.count(")") > link_text.count("("):
            shift = -(link_text.count(")") - link_text.count("("))
        else:
            e = _URL_ENTITY_END.search(link_text)
            if e:
                shift = -len(e.group())
        found.append((m.start(), m.end() + shift, URL, 0, 0, []))
    return found


def _candidates(text: str, literal: str, scheme: int, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    """What `finditer` of marko's pattern finds, tried only where `literal` occurs.

    Every match starts at `literal` ("www.") or at the scheme before it ("://"), after the start
    of the text or one of marko's boundary characters; matches do not overlap.
    """
    out = []
    last = 0
    q = text.find(literal)
    while q >= 0:
        if scheme:
            if text.startswith("https", q - 5) and q >= 5:
                start = q - 5
            elif text.startswith("http", q - 4) and q >= 4:
                start = q - 4
            elif text.startswith("ftp", q - 3) and q >= 3:
                start = q - 3
            else:
                start = -1
        else:
            start = q
        if start >= last and (start == 0 or (start > 0 and _URL_BOUNDARY.match(text, start - 1))):
            m = pattern.match(text, start)
            if m:
                out.append(m)
                last = m.end()
        q = text.find(literal, q + 1)
    return out


# --- links, images and emphasis (marko.inline_parser.find_links_or_emphs) -------------------------
#
# marko's algorithm, step for step, without its quadratic paths: for every ']' it looked back
# through all delimiters for the last bracket, counted the brackets between again, walked the link
# destination to the end of the text and marked every earlier bracket inactive; and it removed
# matched delimiters from the middle of a Python list. On one long paragraph that is quadratic
# (a 1.6 MB line of `*a* ` took 35 s, 325 KB of `**a** [b](c) ` 12 s).


class _Delimiter:
    """marko's Delimiter: a run of `*` or `_` (with CommonMark's flanking rules), or `[` / `![`."""

    __slots__ = ("can_close", "can_open", "content", "end", "start")

    def __init__(self, start: int, end: int, text: str) -> None:
        self.start = start
        self.end = end
        content = self.content = text[start:end]
        first = content[0]
        if first != "*" and first != "_":
            self.can_open = self.can_close = False
            return
        before = text[start - 1] if start > 0 else ""
        after = text[end] if end < len(text) else ""
        self.can_open, self.can_close = _flanking(first, before, after)

    def closed_by(self, other: _Delimiter) -> bool:
        """marko's Delimiter.closed_by: the same character, and CommonMark's rule of three."""
        if self.content[0] != other.content[0]:
            return False
        mine, theirs = len(self.content), len(other.content)
        either_both = (self.can_open and self.can_close) or (other.can_open and other.can_close)
        return not (either_both and (mine + theirs) % 3 == 0 and not (mine % 3 == 0 and theirs % 3 == 0))

    def remove(self, n: int, left: bool = False) -> bool:
        """Use up n characters (from the left for a closer); True when none are left."""
        if len(self.content) <= n:
            return True
        if left:
            self.start += n
        else:
            self.end -= n
        self.content = self.content[n:]
        return False


@lru_cache(maxsize=4096)
def _flanking(first: str, before: str, after: str) -> tuple[bool, bool]:
    """(can open, can close) for a run of `first` between two characters ('' for none): marko's
    is_left_flanking / is_right_flanking and their `_` rules. A few pairs of characters recur."""
    before_space = before.isspace()
    after_space = after.isspace()
    before_punct = before != "" and _is_punctuation(before)
    after_punct = after != "" and _is_punctuation(after)
    left = after != "" and not after_space and (not after_punct or before == "" or before_punct or before_space)
    right = before != "" and not before_space and (not before_punct or after == "" or after_punct or after_space)
    if first == "*":
        return left, right
    return left and (not right or before_punct), right and (not left or after_punct)


_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")  # string.punctuation, without importing string


def _is_punctuation(ch: str) -> bool:
    """marko's patterns.is_punctuation: ASCII punctuation, or Unicode category P* or S*."""
    if ch in _ASCII_PUNCTUATION:
        return True
    return ch > "\x7f" and _is_unicode_punctuation(ch)


@lru_cache(maxsize=1024)
def _is_unicode_punctuation(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category.startswith("P") or category.startswith("S")


class _Delimiters:
    """marko's list of delimiters, which it indexes, and removes from, anywhere: here in O(log n).

    Items keep the slot they were appended at; `prev`/`next` link the ones still in the list (-1:
    none), and a Fenwick tree over them gives an item's index in marko's list (its rank). The rank
    matters: marko's emphasis bottoms are list indexes, which a later removal below them shifts.
    Most texts never ask for a rank, so the tree is built at the first question.
    """

    def __init__(self) -> None:
        self.items: list[_Delimiter] = []
        self.alive: list[bool] = []
        self.prev: list[int] = []
        self.next: list[int] = []
        self.head = -1
        self.tail = -1
        self._tree: list[int] | None = None  # 1-based; [i] counts the alive slots in (i - lowbit(i), i]

    def append(self, d: _Delimiter) -> int:
        slot = len(self.items)
        self.items.append(d)
        self.alive.append(True)
        self.prev.append(self.tail)
        self.next.append(-1)
        if self.tail >= 0:
            self.next[self.tail] = slot
        else:
            self.head = slot
        self.tail = slot
        tree = self._tree
        if tree is not None:
            i = slot + 1
            low = i - (i & -i)
            total = 1
            j = i - 1
            while j > low:
                total += tree[j]
                j -= j & -j
            tree.append(total)
        return slot

    def rank(self, slot: int) -> int:
        """The index marko's list would have the item in `slot` at: the alive items before it."""
        tree = self._tree
        if tree is None:
            tree = self._tree = self._build()
        rank = 0
        while slot > 0:
            rank += tree[slot]
            slot -= slot & -slot
        return rank

    def _build(self) -> list[int]:
        size = len(self.alive)
        tree = [0, *map(int, self.alive)]
        for i in range(1, size + 1):
            parent = i + (i & -i)
            if parent <= size:
                tree[parent] += tree[i]
        return tree

    def remove(self, slot: int) -> None:
        self.alive[slot] = False
        before, after = self.prev[slot], self.next[slot]
        if before >= 0:
            self.next[before] = after
        else:
            self.head = after
        if after >= 0:
            self.prev[after] = before
        else:
            self.tail = before
        tree = self._tree
        if tree is not None:
            size = len(tree)
            i = slot + 1
            while i < size:
                tree[i] -= 1
                i += i & -i

    def remove_from(self, slot: int) -> None:
        """Remove the item in `slot` and every one after it."""
        while True:
            last = self.tail
            self.remove(last)
            if last == slot:
                return


class _LinkScan:
    """marko's find_links_or_emphs over one text: its links, images and emphasis, as tokens.

    marko visits every character but acts only on `\\ ` ] ! [ * _`; this visits `positions`
    (special_positions of the text), and '!' only as the character before a '['. Where marko
    searched, it looks up: the brackets still in the list are a stack; which '[' each ']' closes,
    counting escapes as helpers.is_paired does, is worked out once (`_pairs`); an earlier link
    deactivates the '[' before it through one offset (`_inactive_before`); destination walks are
    indexed once they have covered the text (`_Destinations`).
    """

    def __init__(
        self, text: str, refs: dict[str, tuple[str, str]], positions: list[int], code: dict[int, int]
    ) -> None:
        self.text = text
        self.refs = refs
        self.positions = positions
        self.code = code  # code span start -> end (_code_spans)
        self.matches: list[Token] = []
        self._delimiters = _Delimiters()
        self._brackets: list[int] = []  # slots of the '[' and '![' delimiters, some removed since
        self._inactive_before = -1  # a '[' delimiter starting before this is inactive
        self._pairs: dict[int, int] | None = None
        self._spaces: dict[int, int] | None = None
        self._walked = 0  # characters walked along destinations so far
        self._destinations: _Destinations | None = None

    def run(self) -> list[Token]:
        text = self.text
        delimiters = self._delimiters
        pos = 0
        for p in self.positions:
            if p < pos:
                continue
            ch = text[p]
            if ch == "\\":
                pos = p + 2
            elif ch == "`":
                pos = self.code.get(p, p + 1)
            elif ch == "]":
                token = self._look_for_link(p)
                if token:
                    pos = token[1]
                    self.matches.append(token)
                else:
                    pos = p + 1
            elif ch == "[" or ch == "*" or ch == "_":
                start = p - 1 if ch == "[" and p > pos and text[p - 1] == "!" else p
                d = _DELIMITER.match(text, start)
                slot = delimiters.append(_Delimiter(start, d.end(), text))  # type: ignore[union-attr]
                if ch == "[":
                    self._brackets.append(slot)
                pos = d.end()  # type: ignore[union-attr]
        self._process_emphasis(-1)
        return self.matches

    def _look_for_link(self, close: int) -> Token | None:
        """marko's look_for_image_or_link for the ']' at `close`."""
        delimiters = self._delimiters
        brackets = self._brackets
        while brackets and not delimiters.alive[brackets[-1]]:
            brackets.pop()
        if not brackets:
            return None  # no bracket in the list: nothing is removed
        slot = brackets.pop()
        d = delimiters.items[slot]
        token = None
        if not (d.content == "[" and d.start < self._inactive_before) and self._is_paired(d.end, close):
            end = _inline_link(self.text, close + 1, self._walk)
            if end is None and self.refs:  # with no definitions, no reference link can resolve
                end = self._reference_link(close + 1, d.end, close)
            if end is not None:
                kind = IMAGE if d.content == "![" else LINK
                token = (d.start, end, kind, d.end, close, [])
                self._process_emphasis(slot)
                if kind == LINK:  # marko marks every '[' still before it inactive
                    self._inactive_before = d.start
        delimiters.remove(slot)
        return token

    def _reference_link(self, start: int, text_start: int, close: int) -> int | None:
        """The end of a reference link's `[label]`, `[]` or nothing at start, or None when undefined."""
        text = self.text
        label_span = link_label(text, start)
        if label_span is not None:
            label = text[label_span[0] + 1 : label_span[1] - 1]
            end = label_span[1]
        else:  # the link text is the label
            end = start + 2 if text.startswith("[]", start) else start
            if not self._may_be_label(text_start, close):
                return None
            label = text[text_start:close]
        return end if normalize_label(label) in self.refs else None

    def _may_be_label(self, start: int, close: int) -> bool:
        """Whether text[start:close] is short enough to normalise to a defined label: slicing and
        normalising every link text is quadratic on nested brackets."""
        if close - start <= _LONGEST_KEY:
            return True
        if self._spaces is None:
            self._spaces = _whitespace_before(self.text, self.positions)
        # normalize_label leaves at least one character for each that is not whitespace
        return (close - start) - (self._spaces[close] - self._spaces[start]) <= _LONGEST_KEY

    def _is_paired(self, start: int, close: int) -> bool:
        """helpers.is_paired(text[start:close], "[", "]"): balanced there, so the '[' before start
        is the one `close` closes."""
        if self._pairs is None:
            self._pairs = _bracket_pairs(self.text, self.positions)
        return self._pairs.get(close) == start - 1

    def _walk(self, text: str, start: int) -> tuple[int, int]:
        """walk_destination, from an index once the walks have covered the text (each may run to
        its end: `[a](` repeated)."""
        if self._destinations is None:
            if self._walked <= len(text):
                stop, why = walk_destination(text, start)
                self._walked += stop - start + 1
                return stop, why
            self._destinations = _Destinations(text)
        return self._destinations.walk(start)

    def _process_emphasis(self, bottom_slot: int) -> None:
        """marko's process_emphasis on the delimiters after `bottom_slot` (-1: all), which are then
        removed. marko's list indexes are ranks here: its bottoms stay indexes, its `cur` a slot."""
        delimiters = self._delimiters
        items = delimiters.items
        stack_bottom = delimiters.rank(bottom_slot) if bottom_slot >= 0 else None
        star_bottom = underscore_bottom = stack_bottom
        cur = self._next_closer(delimiters.next[bottom_slot] if bottom_slot >= 0 else delimiters.head)
        while cur >= 0:
            closer = items[cur]
            star = closer.content[0] == "*"
            opener_slot, rank = self._nearest_opener(cur, star_bottom if star else underscore_bottom)
            if opener_slot >= 0:
                opener = items[opener_slot]
                n = 2 if len(opener.content) >= 2 and len(closer.content) >= 2 else 1
                self.matches.append((opener.end - n, closer.start + n, EMPH, opener.end, closer.start, []))
                between = delimiters.next[opener_slot]
                while between != cur:
                    following = delimiters.next[between]
                    delimiters.remove(between)
                    between = following
                if opener.remove(n):
                    delimiters.remove(opener_slot)
                resume = cur  # marko looks at the closer again, or at what took its index
                if closer.remove(n, True):
                    resume = delimiters.next[cur]
                    delimiters.remove(cur)
                cur = self._next_closer(resume)
            else:
                bottom = rank - 1 if rank > 1 else None  # sic: marko's `cur - 1 if cur > 1 else None`
                if star:
                    star_bottom = bottom
                else:
                    underscore_bottom = bottom
                following = delimiters.next[cur]
                if not closer.can_open:
                    delimiters.remove(cur)
                cur = self._next_closer(following)
        if bottom_slot >= 0 and delimiters.next[bottom_slot] >= 0:
            delimiters.remove_from(delimiters.next[bottom_slot])

    def _next_closer(self, slot: int) -> int:
        """The first delimiter from `slot` on that can close, or -1."""
        items = self._delimiters.items
        following = self._delimiters.next
        while slot >= 0 and not items[slot].can_close:
            slot = following[slot]
        return slot

    def _nearest_opener(self, closer_slot: int, bottom: int | None) -> tuple[int, int]:
        """(slot of the nearest delimiter the closer can close, ranked above `bottom`, or -1; the
        closer's rank, which only a miss needs)."""
        delimiters = self._delimiters
        items = delimiters.items
        before = delimiters.prev
        closer = items[closer_slot]
        slot = before[closer_slot]
        if bottom is None:  # no rank to stop at: look back to the first (the common case)
            while slot >= 0:
                d = items[slot]
                if d.can_open and d.closed_by(closer):
                    return slot, -1
                slot = before[slot]
            return -1, delimiters.rank(closer_slot)
        rank = delimiters.rank(closer_slot)
        i = rank - 1
        while i > bottom:
            d = items[slot]
            if d.can_open and d.closed_by(closer):
                return slot, rank
            slot = before[slot]
            i -= 1
        return -1, rank


def _bracket_pairs(text: str, positions: list[int]) -> dict[int, int]:
    """Each ']' -> the '[' it closes, with backslash escapes as helpers.is_paired counts them (from the
    start of the text: an is_paired count starts right after a '[', never inside an escape)."""
    pairs = {}
    opened = []
    skip = 0
    for p in positions:
        if p < skip:
            continue
        ch = text[p]
        if ch == "\\":
            skip = p + 2
        elif ch == "[":
            opened.append(p)
        elif ch == "]" and opened:
            pairs[p] = opened.pop()
    return pairs


# The longest key a definition can have: link_label allows 999 characters, casefold triples at most.
_LONGEST_KEY = 3 * 999


def _whitespace_before(text: str, positions: list[int]) -> dict[int, int]:
    """How many whitespace characters come before each ']' and after each '[' (where link texts end)."""
    counts = {}
    total = 0
    last = 0
    for p in positions:
        ch = text[p]
        if ch == "]":
            point = p
        elif ch == "[":
            point = p + 1
        else:
            continue
        total += len(_WHITESPACE.findall(text, last, point))
        counts[point] = total
        last = point
    return counts


def _code_spans(text: str, positions: list[int]) -> dict[int, int]:
    """Start -> end of the code span _CODE matches at each run of backticks that opens one.

    The span closes at the next run of exactly as many backticks; sre finds it by scanning, to the
    end of the text when there is none, for every run (quadratic on runs of distinct lengths).
    """
    runs = []
    run_start = run_end = -1
    for p in positions:
        if text[p] != "`":
            continue
        if p == run_end:
            run_end += 1
        else:
            if run_start >= 0:
                runs.append((run_start, run_end))
            run_start, run_end = p, p + 1
    if run_start >= 0:
        runs.append((run_start, run_end))
    spans = {}
    next_end: dict[int, int] = {}  # run length -> end of the nearest later run of that length
    for start, end in reversed(runs):
        close = next_end.get(end - start)
        if close is not None:
            spans[start] = close
        next_end[end - start] = end
    return spans


# --- link destinations, labels and titles (marko.inline_parser) -----------------------------------

# Why a destination walk stopped.
_AT_SPACE, _AT_CLOSE, _AT_CONTROL, _AT_END = range(4)
_OPEN = 4  # (an index event, never a result)


def walk_destination(text: str, start: int) -> tuple[int, int]:
    """marko's walk along a link destination from start: (where it stopped, why): at whitespace, at a
    ')' that closes no '(', at another control character, or at the end of the text."""
    pairs = 0
    i = start
    n = len(text)
    search = _DEST_STOP.search
    while True:
        m = search(text, i)
        if m is None:
            return n, _AT_END
        i = m.start()
        c = text[i]
        if c == "\\":
            if i + 1 >= n:  # a backslash at the very end escapes nothing; the walk ends there
                return n, _AT_END
            i += 2
            continue
        if c in _LINK_WHITESPACE:
            return i, _AT_SPACE
        if c == "(":
            pairs += 1
        elif c == ")":
            if pairs == 0:
                return i, _AT_CLOSE
            pairs -= 1
        else:
            return i, _AT_CONTROL
        i += 1


class _Destinations:
    """walk_destination from every start at once, for a text with many links to try.

    Events are the unescaped parentheses, whitespace and control characters (escapes counted from
    the start of the text, which agrees with a walk: a destination starts after '(' or whitespace,
    never inside a run of backslashes). `stop[j]` is the event a walk starting just before event j
    stops at: a '(' sends it on past the ')' that closes it, which stop[j + 1] finds.
    """

    def __init__(self, text: str) -> None:
        n = len(text)
        self._n = n
        positions: list[int] = []
        kinds: list[int] = []
        skip = 0
        for m in _DEST_STOP.finditer(text):
            p = m.start()
            if p < skip:
                continue
            c = text[p]
            if c == "\\":
                skip = p + 2
                if p + 1 < n:
                    continue
                kind = _AT_END
            elif c in _LINK_WHITESPACE:
                kind = _AT_SPACE
            elif c == "(":
                kind = _OPEN
            elif c == ")":
                kind = _AT_CLOSE
            else:
                kind = _AT_CONTROL
            positions.append(p)
            kinds.append(kind)
        positions.append(n)
        kinds.append(_AT_END)
        stop = list(range(len(kinds)))
        for j in range(len(kinds) - 2, -1, -1):
            if kinds[j] == _OPEN:
                k = stop[j + 1]
                stop[j] = stop[k + 1] if kinds[k] == _AT_CLOSE else k
        self._positions = positions
        self._kinds = kinds
        self._stop = stop

    def walk(self, start: int) -> tuple[int, int]:
        """walk_destination(text, start)."""
        k = self._stop[bisect_left(self._positions, start)]
        kind = self._kinds[k]
        return (self._n, kind) if kind == _AT_END else (self._positions[k], kind)


@lru_cache(maxsize=64)
def _next_pattern(target: str, disallowed: str) -> re.Pattern[str]:
    stop = re.escape(target + disallowed + "\\")
    return re.compile(rf"[^{stop}]*+(?:\\[\s\S][^{stop}]*+)*+")


def find_next(text: str, target: str, start: int = 0, disallowed: str = "") -> int:
    """helpers.find_next: the first unescaped `target` character from start; -2 on a disallowed one."""
    i = _next_pattern(target, disallowed).match(text, start).end()  # type: ignore[union-attr]
    if i >= len(text):
        return -1
    c = text[i]
    if c in target:
        return i
    if c in disallowed:
        return -2
    return -1  # a backslash as the last character


def normalize_label(label: str) -> str:
    """helpers.normalize_label: whitespace runs as one space, stripped, casefolded."""
    return _SPACES.sub(" ", label).strip().casefold()


class ParseError(ValueError):
    """Not a link destination and title (marko's inline_parser.ParseError)."""


def link_separator(text: str, start: int) -> int:
    """inline_parser._parse_link_separator: skip spaces, tabs and at most one line break."""
    i = start
    has_newline = False
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            if has_newline:
                break
            has_newline = True
        elif c not in _LINK_WHITESPACE:
            break
        i += 1
    return i


def link_label(text: str, start: int) -> tuple[int, int] | None:
    """inline_parser._parse_link_label: the span of `[label]` at start."""
    if text[start : start + 1] != "[":
        return None
    i = find_next(text, "]", start + 1, disallowed="[")
    if i < 0:
        return None
    label = text[start + 1 : i]
    if not label.strip() or len(label) > 999:
        return None
    return start, i + 1


Walk = Callable[[str, int], tuple[int, int]]


def link_dest_title(
    text: str, start: int = 0, is_inline: bool = False, walk: Walk = walk_destination
) -> tuple[int, int, int, int]:
    """inline_parser._parse_link_dest_title: (dest start, dest end, title start, title end), -1 for none."""
    if start >= len(text):
        raise ParseError()
    if text[start] == "<":
        right = find_next(text, ">", start + 1, disallowed="<\n")
        if right < 0:
            raise ParseError()
        i = right + 1
        dest = (start, i)
    else:
        i, why = walk(text, start)
        if why == _AT_CLOSE:
            if is_inline:
                return start, i, -1, -1
            raise ParseError()
        if why == _AT_CONTROL or (why == _AT_END and is_inline):
            raise ParseError()
        dest = (start, i)
        if i == start:
            raise ParseError()
    prev = i
    i = link_separator(text, i)
    if i >= len(text) or text[i] == "\n" or (text[i] == ")" and is_inline):
        return dest[0], dest[1], -1, -1
    if text[i] == '"':
        end = find_next(text, '"', i + 1)
    elif text[i] == "'":
        end = find_next(text, "'", i + 1)
    elif text[i] == "(":
        end = find_next(text, ")", i + 1, disallowed="(")
    elif "\n" in text[prev:i]:
        return dest[0], dest[1], -1, -1
    else:
        raise ParseError()
    if 0 < i < len(text) and text[i - 1] not in _LINK_WHITESPACE:
        raise ParseError()
    if end < 0:
        raise ParseError()
    if "\n\n" in text[i:end]:
        raise ParseError()
    return dest[0], dest[1], i, end + 1


def _inline_link(text: str, start: int, walk: Walk) -> int | None:
    """The end of `(dest "title")` at start, or None."""
    if start >= len(text) - 1 or text[start] != "(":
        return None
    i = link_separator(text, start + 1)
    try:
        _, dest_end, _, title_end = link_dest_title(text, i, is_inline=True, walk=walk)
    except ParseError:
        return None
    end = link_separator(text, max(dest_end, title_end))
    if end >= len(text) or text[end] != ")":
        return None
    return end + 1


# --- the walk: tokens -> kept ranges, alt blocks, comments ------------------------------------------

# CommonMark entity and numeric character references; named ones must be real HTML5 names.
_ENTITY = lazy.compile(r"&(?:#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{0,31});")


class Walker:
    """What the old reader's marko tree walker did, over this module's tokens.

    Prose is the raw text between tokens and the escaped character of a backslash escape; links,
    emphasis and strikethrough pass their text through; an image's text is a block of role "alt";
    code spans, autolinks, bare URLs, raw HTML and line breaks are masked; comments are recorded.
    Offsets go from the inline text to the source through its runs; nearly every text is one run.
    """

    def __init__(
        self, source: str, found: Masked, refs: dict[str, tuple[str, str]], formfeeds: list[int] | None = None
    ) -> None:
        self._source = source
        # Line breaks that were form feeds: marko masks each one inside a text as a line break (unless
        # an escaped backslash before it swallowed that token), where a '\n' would look the same.
        self._formfeeds = formfeeds or []
        self._pieces = found.pieces
        self._blocks = found.blocks
        self._comments = found.comments
        self._refs = refs
        self._segment: list[int] | None = None
        self._text = ""
        self._runs: list[tuple[int, int]] = []
        self._run_starts: list[int] = []
        self._base = -1  # source offset of the text when it is one run, else -1

    def leaves(self, leaves: list[tuple[str, str, list[tuple[int, int]]]], specials: list[int] | None = None) -> None:
        """Every paragraph, heading or cell: (role, inline text, where each run of it sits in source).

        specials: special_positions(source), when the caller has it already.
        """
        if specials is None:
            specials = special_positions(self._source)
        pieces = self._pieces
        blocks = self._blocks
        for role, text, runs in leaves:
            if not text or not runs:
                continue
            if len(runs) == 1:
                start = runs[0][1]
                end = start + len(text)
                i = bisect_left(specials, start)
                j = bisect_left(specials, end, i)
                if i == j and not self._formfeeds:  # one run of prose
                    pieces.append((start, end, None))
                    blocks.append((start, end, role))
                    continue
                if j - i > MAX_MARKS:
                    raise Unsupported(f"{j - i} marks in one paragraph")
                self.leaf(role, text, runs, [p - start for p in specials[i:j]])
                continue
            self.leaf(role, text, runs)

    def leaf(self, role: str, text: str, runs: list[tuple[int, int]], positions: list[int] | None = None) -> None:
        """One paragraph, heading or cell; positions: special_positions(text), if known."""
        if not text or not runs:
            return
        self._text = text
        self._runs = runs
        if len(runs) == 1:
            self._base = runs[0][1]
        else:
            self._base = -1
            self._run_starts = [r[0] for r in runs]
        if not self._formfeeds and _SPECIAL_CHARS.search(text) is None and "://" not in text and "www." not in text:
            ranges = self._split(0, len(text))
            self._pieces.extend([(lo, hi, None) for lo, hi in ranges])
            self._blocks.append((ranges[0][0], ranges[-1][1], role))
            return
        if positions is None:
            positions = special_positions(text)
            if len(positions) > MAX_MARKS:
                raise Unsupported(f"{len(positions)} marks in one paragraph")
        self._segment = None
        self._emit(parse(text, self._refs, positions), 0, len(text), role)
        self._flush(role)

    def _src(self, i: int) -> int:
        if self._base >= 0:
            return self._base + i
        body, src = self._runs[bisect_right(self._run_starts, i) - 1]
        return src + i - body

    def _split(self, start: int, end: int) -> list[tuple[int, int]]:
        """The source ranges of text[start:end], one per run it touches.

        marko split raw text at every line break and its walker realigned what still spanned a
        container prefix; the runs give the same characters directly.
        """
        if self._base >= 0:
            return [(self._base + start, self._base + end)]
        runs = self._runs
        out = []
        i = max(bisect_right(self._run_starts, start) - 1, 0)
        last = len(runs) - 1
        while i <= last and runs[i][0] < end:
            body, src = runs[i]
            body_end = runs[i + 1][0] if i < last else len(self._text)
            lo = max(start, body)
            hi = min(end, body_end)
            if lo < hi:
                out.append((src + lo - body, src + hi - body))
            i += 1
        return out

    def _emit(self, tokens: list[Token], start: int, end: int, role: str) -> None:
        text = self._text
        prev = start
        for t in tokens:
            if prev < t[0]:
                self._raw(prev, t[0])
            kind = t[2]
            if kind == LITERAL:
                a = self._src(t[0])
                if self._source[a] == "\\":
                    self._keep([(a + 1, self._src(t[1] - 1) + 1)])
            elif kind == HTML:
                if text.startswith("<!--", t[0]):
                    self._comments.append(Span(self._src(t[0]), self._src(t[1] - 1) + 1))
            elif kind == IMAGE:
                self._flush(role)
                self._emit(resolve(t[5]), t[3], t[4] or len(text), "alt")
                self._flush("alt")
            elif _PARENT[kind]:
                self._emit(resolve(t[5]), t[3], t[4] or len(text), role)
            prev = t[1]
        if prev < end:
            self._raw(prev, end)

    def _raw(self, start: int, end: int) -> None:
        """Raw text: prose, but for its entity references."""
        base = self._base
        if base >= 0 and self._text.find("&", start, end) < 0 and not self._formfeeds:
            lo, hi = base + start, base + end
            self._pieces.append((lo, hi, None))
            if self._segment is None:
                self._segment = [lo, hi]
            else:
                self._segment[1] = hi
            return
        ranges = self._split(start, end)
        if self._text.find("&", start, end) >= 0:
            ranges = [r for lo, hi in ranges for r in without_entities(self._source, lo, hi)]
        if self._formfeeds:
            ranges = [r for lo, hi in ranges for r in self._without_formfeeds(lo, hi)]
        self._keep(ranges)

    def _without_formfeeds(self, start: int, end: int) -> list[tuple[int, int]]:
        ranges = []
        pos = start
        feeds = self._formfeeds
        for k in range(bisect_left(feeds, start), bisect_left(feeds, end)):
            f = feeds[k]
            if self._source[f - 1 : f] == "\\":
                continue
            if f > pos:
                ranges.append((pos, f))
            pos = f + 1
        if end > pos:
            ranges.append((pos, end))
        return ranges

    def _keep(self, ranges: list[tuple[int, int]]) -> None:
        if not ranges:
            return
        self._pieces.extend([(lo, hi, None) for lo, hi in ranges])
        if self._segment is None:
            self._segment = [ranges[0][0], ranges[-1][1]]
        else:
            self._segment[1] = ranges[-1][1]

    def _flush(self, role: str) -> None:
        if self._segment is not None:
            self._blocks.append((self._segment[0], self._segment[1], role))
            self._segment = None


def without_entities(source: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a kept range around entity references, which are masked."""
    ranges = []
    pos = start
    for m in _ENTITY.finditer(source, start, end):
        ref = m.group()
        if ref[1] != "#":
            from html.entities import html5  # the entity table: only pages with an entity-like `&name`

            if ref[1:] not in html5:
                continue
        if m.start() > pos:
            ranges.append((pos, m.start()))
        pos = m.end()
    if end > pos:
        ranges.append((pos, end))
    return ranges
