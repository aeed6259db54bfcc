"""Inline pass of the Markdown reader: which characters of a paragraph's text are prose.

A port of marko 2.2.4's inline parser with the GFM extension (`inline_parser.py`, `inline.py`,
`ext/gfm/elements.py`), so the fast reader masks exactly what the marko-based reader masked. What
changed is only how fast it gets there:

- the delimiter scan jumps between the characters that can matter (`\\ ` [ ] ! * _`) instead of
  visiting every character, and the backslash/bracket scans use regexes instead of loops;
- an element pattern runs only when its first character occurs in the text at all;
- only `\\`-newline line breaks become tokens: a line break of spaces masks nothing but spaces and,
  having the lowest priority, never changes which other tokens survive;
- a text with none of those characters is one run of prose, with no tokens at all.

`parse` gives the resolved token tree; `Inline.walk` turns it into kept ranges, image-alt blocks and
comment spans, as the old reader's tree walker did.
"""

from __future__ import annotations

import re
import string
import unicodedata
from bisect import bisect_left, bisect_right
from functools import lru_cache
from html.entities import html5
from operator import itemgetter

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
_AUTOLINK = re.compile(rf"<({_URI}|{_EMAIL})>")
_CODE = re.compile(r"(?<!`)(`+)(?!`)([\s\S]+?)(?<!`)\1(?!`)")
_HTML = re.compile(
    rf"(<{_TAG_NAME}(?:{_ATTRIBUTE})* */?>"
    rf"|</{_TAG_NAME} *>"
    r"|<!--(?:>|->|[\s\S]*?-->)"
    r"|<\?[\s\S]*?\?>"
    r"|<![A-Z]+ +[\s\S]*?>"
    r"|<!\[CDATA\[[\s\S]*?\]\]>)"
)
# Only the backslash form of marko's `( *|\\)\n(?!\Z)`: see the module docstring.
_BACKSLASH_BREAK = re.compile(r"\\\n(?!\Z)")
_LITERAL = re.compile(r'\\([!"#\$%&\'()*+,\-./:;<=>?@\[\\\]^_`{|}~])')
_STRIKE = re.compile(r"(?<!~)(~|~~)([^~]+)\1(?!~)")
_WWW = re.compile(r"(?:^|(?<=[\s*_~(\uff00-\uffef]))(www\.([\w.\-]*?\.[\w.\-]+)[^<\s]*)")
_GFM_EMAIL = r"[\w.\-+]+@[\w.\-]*?\.[\w.\-]*[a-zA-Z0-9]"
_BARE = re.compile(
    r"(?:^|(?<=[\s*_~(\uff00-\uffef]))((?:https?|ftp)://([\w.\-]*?\.[\w.\-]+)"
    rf"[^<\s]*|{_GFM_EMAIL}(?=[\s.<]|\Z))"
)
_URL_ENTITY_END = re.compile(r"&[a-zA-Z]+;$")
# The two URL patterns without their look-behind, which `_candidates` checks instead.
_URL_BOUNDARY = re.compile(r"[\s*_~(\uff00-\uffef]")
_WWW_AT = re.compile(r"(www\.([\w.\-]*?\.[\w.\-]+)[^<\s]*)")
_BARE_AT = re.compile(r"((?:https?|ftp)://([\w.\-]*?\.[\w.\-]+)[^<\s]*)")
_DELIMITER = re.compile(r"!?\[|\*+|_+")
# Where the delimiter scan must stop; everything else only advances it by one.
# Anything that could make a text more than one run of prose.
SPECIAL = re.compile(r"[\\`\[\]*_~<&@]|://|www\.")
_SPECIAL_CHARS = re.compile(r"[\\`\[\]*_~<&@]")  # SPECIAL's characters: sre scans a lone class far quicker
_SPECIAL_STRINGS = ("\\", "`", "[", "]", "*", "_", "~", "<", "&", "@", "://", "www.")


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
_WHITESPACE = re.compile(r"\s")
_SPACES = re.compile(r"\s+")
_TASK = re.compile(r"(\[[\sxX]\])\s+\S")
_LINK_WHITESPACE = " \n\t"
# What ends or changes marko's walk along a link destination: escapes, whitespace, controls, parens.
_DEST_STOP = re.compile(r"[\\\x00-\x20\x7f()]")
_ASCII_CONTROL = frozenset(chr(i) for i in range(32)) | {chr(127)}

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
    tokens: list[Token] = []
    if "[" in present or "*" in present or "_" in present:
        tokens.extend(_links_or_emphasis(text, refs, positions))
    if "<" in present:
        tokens.extend([(m.start(), m.end(), AUTOLINK, 0, 0, []) for m in _AUTOLINK.finditer(text)])
    if "`" in present:
        tokens.extend([(m.start(), m.end(), CODE, 0, 0, []) for m in _finditer_at(_CODE, text, positions, "`")])
    if "<" in present:
        tokens.extend([(m.start(), m.end(), HTML, 0, 0, []) for m in _HTML.finditer(text)])
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


def _finditer_at(pattern: re.Pattern[str], text: str, positions: list[int], first: str) -> list[re.Match[str]]:
    """pattern.finditer(text) for a pattern that can only match at a `first` character.

    The code span and strikethrough patterns open with a look-behind, which stops sre from skipping
    ahead to a possible start: it tries every character (~17 ns each). Trying only the positions of
    `first` in order, from the end of the last match on, finds the same matches.
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


class _Delimiter:
    """marko's Delimiter: a run of `*` or `_` (with CommonMark's flanking rules), or `[` / `![`."""

    __slots__ = ("active", "can_close", "can_open", "content", "end", "start")

    def __init__(self, start: int, end: int, text: str) -> None:
        self.start = start
        self.end = end
        content = self.content = text[start:end]
        self.active = True
        first = content[0]
        if first != "*" and first != "_":
            self.can_open = self.can_close = False
            return
        # marko's is_left_flanking / is_right_flanking, with '' for "no character there"
        before = text[start - 1] if start > 0 else ""
        after = text[end] if end < len(text) else ""
        before_space = before.isspace()
        after_space = after.isspace()
        before_punct = before != "" and _is_punctuation(before)
        after_punct = after != "" and _is_punctuation(after)
        left = after != "" and not after_space and (not after_punct or before == "" or before_punct or before_space)
        right = before != "" and not before_space and (not before_punct or after == "" or after_punct or after_space)
        if first == "*":
            self.can_open = left
            self.can_close = right
        else:
            self.can_open = left and (not right or before_punct)
            self.can_close = right and (not left or after_punct)

    def closed_by(self, other: _Delimiter) -> bool:
        return not (
            self.content[0] != other.content[0]
            or (((self.can_open and self.can_close) or (other.can_open and other.can_close))
            and len(self.content + other.content) % 3 == 0
            and not all(len(d.content) % 3 == 0 for d in [self, other]))
        )

    def remove(self, n: int, left: bool = False) -> bool:
        if len(self.content) <= n:
            return True
        if left:
            self.start += n
        else:
            self.end -= n
        self.content = self.content[n:]
        return False


_ASCII_PUNCTUATION = frozenset(string.punctuation)


def _is_punctuation(ch: str) -> bool:
    """marko's patterns.is_punctuation: ASCII punctuation, or Unicode category P* or S*."""
    if ch in _ASCII_PUNCTUATION:
        return True
    return ch > "\x7f" and _is_unicode_punctuation(ch)


@lru_cache(maxsize=1024)
def _is_unicode_punctuation(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category.startswith("P") or category.startswith("S")


def _links_or_emphasis(text: str, refs: dict[str, tuple[str, str]], positions: list[int]) -> list[Token]:
    """marko's find_links_or_emphs: its scan visits every character but acts only on `\\ ` ] ! [ * _`;
    this one visits only those, from `positions` ('!' matters only before '[', so it is looked
    back at from there: when the scan walked over it, marko's would have matched "![" on it)."""
    delimiters: list[_Delimiter] = []
    matches: list[Token] = []
    pos = 0
    for p in positions:
        if p < pos:
            continue
        ch = text[p]
        if ch == "\\":
            pos = p + 2
        elif ch == "`":
            code = _CODE.match(text, p)
            pos = code.end() if code else p + 1
        elif ch == "]":
            node = _look_for_link(text, delimiters, p, refs, matches)
            if node:
                pos = node[1]
                matches.append(node)
            else:
                pos = p + 1
        elif ch == "[" or ch == "*" or ch == "_":
            start = p - 1 if ch == "[" and p > pos and text[p - 1] == "!" else p
            d = _DELIMITER.match(text, start)
            delimiters.append(_Delimiter(start, d.end(), text))  # type: ignore[union-attr]
            pos = d.end()  # type: ignore[union-attr]
    _process_emphasis(text, delimiters, None, matches)
    return matches


def _look_for_link(
    text: str, delimiters: list[_Delimiter], close: int, refs: dict[str, tuple[str, str]], matches: list[Token]
) -> Token | None:
    for i in range(len(delimiters) - 1, -1, -1):
        d = delimiters[i]
        if d.content not in ("[", "!["):
            continue
        if not d.active:
            break
        if not _is_paired(text, d.end, close):
            break
        kind = IMAGE if d.content == "![" else LINK
        end = _inline_link(text, close + 1)
        if end is None and refs:  # with no definitions, no reference link can resolve
            end = _reference_link(text, close + 1, text[d.end : close], refs)
        if end is None:
            break
        token = (d.start, end, kind, d.end, close, [])
        _process_emphasis(text, delimiters, i, matches)
        if kind == LINK:
            for other in delimiters[:i]:
                if other.content == "[":
                    other.active = False
        del delimiters[i]
        return token
    else:
        return None
    del delimiters[i]
    return None


_BRACKETS = re.compile(r"[\\\[\]]")


def _is_paired(text: str, start: int, end: int) -> bool:
    """helpers.is_paired(text[start:end], "[", "]")."""
    count = 0
    i = start
    search = _BRACKETS.search
    while True:
        m = search(text, i, end)
        if m is None:
            return count == 0
        i = m.start()
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            count += 1
        elif count == 0:
            return False
        else:
            count -= 1
        i += 1


@lru_cache(maxsize=64)
def _next_pattern(target: str, disallowed: str) -> re.Pattern[str]:
    stop = re.escape(target + disallowed + "\\")
    return re.compile(rf"[^{stop}]*+(?:\\[\s\S][^{stop}]*+)*+")


def find_next(text: str, target: str, start: int = 0, disallowed: str = "") -> int:
    """helpers.find_next: the first unescaped `target` character from start; -2 on a disallowed one."""
    i = _next_pattern(target, disallowed).match(text, start).end()
    if i >= len(text):
        return -1
    c = text[i]
    if c in target:
        return i
    if c in disallowed:
        return -2
    return -1  # a backslash as the last character


def normalize_label(label: str) -> str:
    return _SPACES.sub(" ", label).strip().casefold()


class ParseError(ValueError):
    pass


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


def link_dest_title(text: str, start: int = 0, is_inline: bool = False) -> tuple[int, int, int, int]:
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
        # marko walks the destination a character at a time; jump between the ones that matter
        pairs = 0
        i = start
        n = len(text)
        search = _DEST_STOP.search
        while True:
            m = search(text, i)
            if m is None:
                i = n
                break
            i = m.start()
            c = text[i]
            if c == "\\":
                if i + 1 >= n:  # a backslash at the very end escapes nothing; the walk ends there
                    i = n
                    break
                i += 2
                continue
            if c in _LINK_WHITESPACE:
                break
            if c == "(":
                pairs += 1
            elif c == ")":
                if pairs > 0:
                    pairs -= 1
                elif is_inline:
                    return start, i, -1, -1
                else:
                    raise ParseError()
            else:  # another ASCII control character
                raise ParseError()
            i += 1
        if i >= n and is_inline:
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


def _inline_link(text: str, start: int) -> int | None:
    """The end of `(dest "title")` at start, or None."""
    if start >= len(text) - 1 or text[start] != "(":
        return None
    i = link_separator(text, start + 1)
    try:
        _, dest_end, _, title_end = link_dest_title(text, i, is_inline=True)
    except ParseError:
        return None
    end = link_separator(text, max(dest_end, title_end))
    if end >= len(text) or text[end] != ")":
        return None
    return end + 1


def _reference_link(text: str, start: int, link_text: str, refs: dict[str, tuple[str, str]]) -> int | None:
    """The end of a reference link's `[label]`, `[]` or nothing at start, or None when undefined."""
    label_span = link_label(text, start)
    label = link_text
    end = start
    if label_span is not None:
        label = text[label_span[0] + 1 : label_span[1] - 1] or link_text
        end = label_span[1]
    elif text[start : start + 2] == "[]":
        end = start + 2
    if normalize_label(label) not in refs:
        return None
    return end


def _process_emphasis(
    text: str, delimiters: list[_Delimiter], stack_bottom: int | None, matches: list[Token]
) -> None:
    star_bottom = underscore_bottom = stack_bottom
    cur = _next_closer(delimiters, stack_bottom)
    while cur is not None:
        d_closer = delimiters[cur]
        bottom = star_bottom if d_closer.content[0] == "*" else underscore_bottom
        opener = _nearest_opener(delimiters, cur, bottom)
        if opener is not None:
            d_opener = delimiters[opener]
            n = 2 if len(d_opener.content) >= 2 and len(d_closer.content) >= 2 else 1
            matches.append((d_opener.end - n, d_closer.start + n, EMPH, d_opener.end, d_closer.start, []))
            del delimiters[opener + 1 : cur]
            cur -= cur - opener - 1
            if d_opener.remove(n):
                delimiters.remove(d_opener)
                cur -= 1
            if d_closer.remove(n, True):
                delimiters.remove(d_closer)
            cur = cur - 1 if cur > 0 else None
        else:
            bottom = cur - 1 if cur > 1 else None
            if d_closer.content[0] == "*":
                star_bottom = bottom
            else:
                underscore_bottom = bottom
            if not d_closer.can_open:
                delimiters.remove(d_closer)
                cur = cur - 1 if cur > 0 else None
        cur = _next_closer(delimiters, cur)
    lower = stack_bottom + 1 if stack_bottom is not None else 0
    del delimiters[lower:]


def _next_closer(delimiters: list[_Delimiter], bound: int | None) -> int | None:
    i = bound + 1 if bound is not None else 0
    while i < len(delimiters):
        if delimiters[i].can_close:
            return i
        i += 1
    return None


def _nearest_opener(delimiters: list[_Delimiter], higher: int, lower: int | None) -> int | None:
    i = higher - 1
    low = lower if lower is not None else -1
    closer = delimiters[higher]
    while i > low:
        d = delimiters[i]
        if d.can_open and d.closed_by(closer):
            return i
        i -= 1
    return None


# --- the walk: tokens -> kept ranges, alt blocks, comments ------------------------------------------

# CommonMark entity and numeric character references; named ones must be real HTML5 names.
_ENTITY = re.compile(r"&(?:#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{0,31});")


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
        if ref[1] != "#" and ref[1:] not in html5:
            continue
        if m.start() > pos:
            ranges.append((pos, m.start()))
        pos = m.end()
    if end > pos:
        ranges.append((pos, end))
    return ranges
