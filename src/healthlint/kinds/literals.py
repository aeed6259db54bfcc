"""Literals of a compiled pattern: text every match holds at a known distance from its start (anchors),
and text a document must hold somewhere for the pattern to match at all (needs).

Not a kind: `matcher` uses them to try a rule's pattern only where a match can begin. Every match of
`(?<!no\\s)\\bcur(?:e|ed)\\s+all` holds "cure all" or "cured all" at offset 0, so only offsets where one
of them occurs in the lower-cased text need a regex attempt. And every match of
`\\bcures?\\b(?=[\\s\\S]{0,50000}?not\\s+intended)` needs "not intended" somewhere in the text (a need): a
document without it needs no attempt at all, however often "cure" occurs.

The pattern is read from the `regex` module's own parse tree (re-parsed from the compiled pattern's
source and flags), so every syntax a rule may use is understood: scoped flags, (?&name) calls,
variable-length look-behinds, duplicate group names. Anything this module does not know, and every
`regex` internal that may change, falls back to "no anchor": plain matching, never a missed match.

Spellings are lower-cased. A space in a spelling stands for a run of whitespace (one or more
characters that `\\s` matches), so `a\\s+substitute` yields "a substitute" and line wraps still match;
DIGIT stands for one of 0-9, so `\\d\\d?\\s?%` yields DIGIT + "%" and the like.

An anchor's offset may be unbounded when only whitespace makes it so: in `(?:(?:our|the)\\s+)?survey`
"survey" is 0 to 3 non-whitespace characters (and any whitespace) after the start. Its `reach` (3) then
bounds the walk back from a hit to the starts worth trying, provided no match can begin with whitespace.
Where a branch or an optional item sits in a sequence, each alternative is also followed into the rest
of the sequence, so `(?:treat|ease)\\s+(?:your\\s+)?anxiety` yields "treat " and "ease " rather than
"treat" alone, which "treatment" holds too.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

import regex
from regex import _regex, _regex_core

# spellings; the least and greatest offset of one of them from the match start (greatest may be unbounded);
# reach: the most non-whitespace characters a match holds before it (may be unbounded)
Anchor = tuple[frozenset[str], int, int, int]

WHITESPACE = " "  # in a spelling: a run of whitespace
# In a spelling: one ASCII digit, any of them (`\d`; `regex` also matches other scripts' digits, so a text
# holding one of those cannot rely on the spellings, see `odd`). A literal digit is spelled as itself.
DIGIT = "\U0010fffd"
LINE_START = "\n"  # the spelling (?m:^) is anchored to, at offset -1; offset 0 is tried for it too

_UNBOUNDED = 1 << 30  # a width or offset with no upper bound
_MAX_SPELLINGS = 48  # most spellings a node's exact set may hold before it is given up
_MAX_LENGTH = 14  # longest spelling kept; longer ones are cut: a prefix is as required, and the scanner's
# trie stays small. 10 cut "depression relief" to "depression", which health copy is full of
_MAX_RANGE = 8  # widest offset range an anchor may have: each hit then costs that many regex attempts
_MAX_REACH = 8  # most non-whitespace characters a walk back from a hit may pass, when the range is wider
_MAX_ALTERNATIVES = 64  # branches with more alternatives are not followed into the rest of their sequence
_MAX_WALKS = 3000  # sequence walks one pattern's analysis may take: then alternatives are no longer followed
_GOOD_ENOUGH = 1e-6  # anchors this rare need no better: a walk that has them follows no more alternatives
_WEAK = 1e-4  # a run of spellings at least this common is followed into alternatives, to find longer ones
_MAX_SET = 12  # largest character class expanded into single-character spellings
_MAX_NEEDS = 200  # most spellings a need may have
_IGNORECASE = int(regex.IGNORECASE)  # plain ints: flag arithmetic on the enum is slow
_FULLCASE = int(regex.FULLCASE)

# Rough share of text positions where a character occurs (English letter frequencies), to rank anchors
# by how many candidate starts they yield; a whitespace run follows about every fifth character.
_FREQUENCY = dict(zip("etaoinshrdlcumwfgypbvkjxqz", (
    .10, .075, .065, .06, .06, .057, .05, .05, .048, .035, .033, .022, .022, .02, .019, .018, .016, .016,
    .015, .012, .008, .006, .001, .0012, .0008, .0006), strict=True))
_FREQUENCY.update({WHITESPACE: .2, LINE_START: .015, ".": .01, ",": .01, DIGIT: .015})
_RARE = .002  # digits, other punctuation, other scripts
# Every character str.isspace() accepts (Unicode 15; a test checks this list against the running Python);
# `regex`'s \s matches a subset of them.
_SPACES = frozenset((*range(0x9, 0xE), *range(0x1C, 0x21), 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028,
                     0x2029, 0x202F, 0x205F, 0x3000))
_ASCII_DIGITS = frozenset(range(ord("0"), ord("9") + 1))
_FOLLOW = 3.0  # letters are not independent: "the" is far commoner than t * h * e
# A walk's candidates are taken to cost this much more than a range's, and its spellings to be at least
# this common: besides the walk itself, it tends to anchor on a noun deep in the pattern ("ketamine" in
# `\d\d?%\s+off\s+(?:our\s+)?ketamine`), which the letter model rates far rarer than it is in health copy.
_WALK_COST = 10.0
_WALK_FLOOR = 1e-6


class Literals(NamedTuple):
    """What `extract` found in a pattern.

    anchors  every match holds, for at least one anchor (spellings, lo, hi, reach), one of the spellings
             at an offset from the match start between lo and hi (offset -1: the character before it),
             with at most `reach` non-whitespace characters before it; when hi - lo is too wide for
             `is_walk`, the match cannot begin with whitespace, so its start is one of the `reach`
             non-whitespace characters before the spelling, or the spelling itself
    needs    spellings one of which the text holds somewhere whenever the pattern matches anywhere
    odd      characters that IGNORECASE matches against a spelling's character but that lower-case to
             something else ('ſ' for "s", 'İ'): a text holding one cannot rely on the spellings; DIGIT
             here stands for every digit but 0-9 that `\\d` matches
    """

    anchors: tuple[Anchor, ...] | None
    needs: frozenset[str] | None
    odd: frozenset[str]
    min_width: int  # the fewest characters a match consumes
    bounded: bool = False  # every match opens where `\b` holds or no word character precedes: a spelling of a
    # word character at offset 0 is then never found right after a letter, digit or underscore


def extract(pattern: regex.Pattern) -> Literals | None:
    """The anchors and needs of a compiled pattern, or None when it has neither."""
    return _extract(pattern.pattern, pattern.flags)


@functools.lru_cache(maxsize=1024)  # rule sets are compiled again with other config; patterns repeat
def _extract(source: str, flags: int) -> Literals | None:
    if flags & int(regex.REVERSE | regex.POSIX):
        return None
    try:
        tree, info = _parse(source, flags)
        walker = _Walker(info, tree, walks=True)
        result = walker.info(tree)
        if result.blank_first and any(is_walk(anchor) for anchor in result.anchors or ()):
            # a match may begin with whitespace, which a walk back over non-whitespace would miss
            walker = _Walker(info, tree, walks=False)
            result = walker.info(tree)
    except (_Unsafe, RecursionError):
        return None
    except Exception:  # `regex` internals changed: plain matching is slower but still correct
        return None
    if not result.anchors and not result.needs:
        return None
    sets = [spellings for spellings, *_ in result.anchors or ()] + [result.needs or frozenset()]
    chars = {ch for spellings in sets for s in spellings for ch in s}
    sigma = frozenset("Σ") if chars & {"σ", "ς"} else frozenset()  # str.lower's one context rule
    return Literals(result.anchors, result.needs, frozenset(walker.odd) | sigma, result.min, _opens_at_boundary(tree))


def _opens_at_boundary(node: Any) -> bool:
    """Whether every match of the node begins where `\\b` holds, or where no word character precedes
    (the pattern, or each alternative, opens with `\\b`, `(?<!\\w)` or `(?<![\\w$])`)."""
    core = _regex_core
    if type(node) is core.Boundary:  # not DefaultBoundary: (?w) boundaries are drawn differently
        return bool(node.positive)
    if isinstance(node, core.LookAround) and node.behind and not node.positive:
        body = node.subpattern.items if isinstance(node.subpattern, core.Sequence) else [node.subpattern]
        if len(body) != 1:  # one character looked at, or it says nothing about the one before the start
            return False
        members = body[0].items if isinstance(body[0], core.SetUnion) and body[0].positive else body
        return any(isinstance(item, core.Property) and (item.value, item.positive) == _class_key(r"\w")
                   for item in members)
    if isinstance(node, core.Sequence):
        return bool(node.items) and _opens_at_boundary(node.items[0])
    if isinstance(node, core.Branch):
        return all(_opens_at_boundary(branch) for branch in node.branches)
    if isinstance(node, core.Group | core.Atomic):
        return _opens_at_boundary(node.subpattern)
    return False


def is_walk(anchor: Anchor) -> bool:
    """Whether an anchor's starts are found by walking back over `reach` non-whitespace characters, its
    offset range being too wide to try every offset in it."""
    _, lo, hi, _ = anchor
    return hi - lo > _MAX_RANGE


@functools.lru_cache(maxsize=8192)
def density(found: tuple[Anchor, ...]) -> float:
    """Roughly the candidate starts per character of text that anchors yield."""
    total = 0.0
    for anchor in found:
        spellings, lo, hi, reach = anchor
        if is_walk(anchor):
            total += (reach + 1) * _WALK_COST * sum(_frequency(s) + _WALK_FLOOR for s in spellings)
        else:
            total += (hi - lo + 1) * sum(_frequency(s) for s in spellings)
    return total


def rarity(needs: frozenset[str]) -> float:
    """Roughly how often one of the spellings occurs per character of text."""
    return sum(_frequency(s) for s in needs)


@functools.lru_cache(maxsize=8192)
def _frequency(spelling: str) -> float:
    if not spelling:
        return 0.0  # \A: offset 0 only
    share = 1.0
    for ch in spelling:
        share *= _FREQUENCY.get(ch, _RARE)
    return min(1.0, share * _FOLLOW ** (len(spelling) - 1))


class _Unsafe(Exception):
    """The pattern uses a verb under which a match tried at one offset differs from finditer's (\\G,
    (*SKIP)), or \\K, which can make a match that consumed text report an empty one."""


def _anchored(spellings: frozenset[str]) -> tuple[Anchor, ...] | None:
    """Spellings found at offset 0 as anchors, or None: one is empty, or opens with whitespace (a run's
    start is not where the pattern's whitespace began)."""
    if all(s and s[0] != WHITESPACE for s in spellings):
        return ((spellings, 0, 0, 0),)
    return None


def _needable(spellings: frozenset[str] | None) -> frozenset[str] | None:
    """Spellings as needs: a leading whitespace run dropped (the rest is there all the same); None if
    one is then empty, for an empty spelling occurs everywhere."""
    if spellings is None:
        return None
    needs = frozenset(s.lstrip(WHITESPACE) for s in spellings)
    return needs if all(needs) else None


def _rarer(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    if a is None or b is None:
        return a or b
    return a if rarity(a) <= rarity(b) else b


class _Info:
    """What a node consumes: width bounds, its exact spellings if few, the best anchors found in it, the
    rarest spellings a text must hold somewhere for the node to match (needs), the most non-whitespace
    characters it consumes (solid), and whether the first character it consumes may be whitespace."""

    __slots__ = ("anchors", "blank_first", "exact", "max", "min", "needs", "solid")

    def __init__(self, lo: int, hi: int, exact: frozenset[str] | None = None,
                 found: tuple[Anchor, ...] | None = None, needs: frozenset[str] | None = None, *,
                 solid: int | None = None, blank_first: bool = True) -> None:
        self.min, self.max = lo, min(hi, _UNBOUNDED)
        self.solid = self.max if solid is None else min(solid, _UNBOUNDED)
        self.blank_first = blank_first
        self.exact = exact
        if exact and found is None:
            found = _anchored(exact)
        self.anchors = found
        self.needs = _rarer(needs, _needable(exact)) if exact else needs


_EMPTY_RUN = frozenset({""})
_ZERO = _Info(0, 0, _EMPTY_RUN, blank_first=False)  # a look-around, a boundary: consumes nothing
_ANY = _Info(0, _UNBOUNDED)  # anything at all: a back-reference, fuzzy matching, a node not known here
_ONE = _Info(1, 1)  # one character of a large class that holds whitespace: [^.], \p{Z}, .
_SOLID = _Info(1, 1, blank_first=False)  # one character of a class without whitespace: \w, \d, \S


def _parse(pattern: str, flags: int) -> tuple[Any, Any]:
    """The parse tree of a compiled pattern's source and flags, made as `regex._main._compile` makes it."""
    while True:
        source = _regex_core.Source(pattern)
        info = _regex_core.Info(flags, source.char_type, {})
        info.guess_encoding = _regex_core.UNICODE
        source.ignore_space = bool(info.flags & int(regex.VERBOSE))
        try:
            return _regex_core._parse_pattern(source, info), info
        except _regex_core._UnscopedFlagSet:
            flags = info.global_flags


def _shift(found: tuple[Anchor, ...], lo: int, hi: int, solid: int, walks: bool) -> tuple[Anchor, ...] | None:
    """Anchors found in an item, moved to where the item starts (lo..hi, after `solid` non-whitespace
    characters at most), or None if one of them then leaves too many starts to try."""
    if lo == hi == solid == 0:
        return found
    shifted = tuple((spellings, a + lo, min(b + hi, _UNBOUNDED), min(r + solid, _UNBOUNDED))
                    for spellings, a, b, r in found)
    return shifted if all(_usable(anchor, walks) for anchor in shifted) else None


def _usable(anchor: Anchor, walks: bool) -> bool:
    return _reachable(anchor[1], anchor[2], anchor[3], walks)


def _reachable(lo: int, hi: int, reach: int, walks: bool) -> bool:
    """Whether a spelling lo..hi characters from the match start, `reach` non-whitespace ones, can anchor."""
    return hi - lo <= _MAX_RANGE or (walks and reach <= _MAX_REACH)


def _better(a: tuple[Anchor, ...] | None, b: tuple[Anchor, ...] | None) -> tuple[Anchor, ...] | None:
    if a is None or b is None:
        return a or b
    return a if density(a) <= density(b) else b


def _union(sets: Iterable[tuple[Anchor, ...]]) -> tuple[Anchor, ...]:
    """Anchors that hold when any one of `sets` does: spellings merged per offset range."""
    merged: dict[tuple[int, int, int], frozenset[str]] = {}
    for found in sets:
        for spellings, *offsets in found:
            key = tuple(offsets)
            merged[key] = merged.get(key, frozenset()) | spellings  # type: ignore[index]
    return tuple((spellings, *key) for key, spellings in merged.items())  # type: ignore[misc]


def _product(left: frozenset[str], right: frozenset[str]) -> frozenset[str] | None:
    if len(left) * len(right) > _MAX_SPELLINGS:
        return None
    return frozenset(_join(a, b) for a in left for b in right)


def _join(a: str, b: str) -> str:
    if len(a) >= _MAX_LENGTH:
        return a  # already cut: nothing may follow a prefix
    if a.endswith(WHITESPACE) and b.startswith(WHITESPACE):
        b = b[1:]  # \s+\s*: one run
    return (a + b)[:_MAX_LENGTH]


Segment = tuple[Sequence[Any], int]  # a node list, and the index in it where a sequence's rest begins


class _Walker:
    """Computes `_Info` bottom-up, expanding group calls ((?&name)); collects `odd` characters.

    `walks`: whether anchors may rely on a walk back over non-whitespace (see `is_walk`), which only holds
    for a pattern whose matches cannot begin with whitespace.
    """

    def __init__(self, info: Any, tree: Any, walks: bool = True) -> None:
        self._group_index = info.group_index
        self._tree = tree
        self._walks = walks
        self._groups: dict[int, list[Any]] | None = None  # group number -> bodies, for (?&name)
        self._calling: tuple[int, ...] = ()
        self._memo: dict[tuple, _Info] = {}  # the tree outlives the walk, so ids are stable keys
        self._lists: dict[int, tuple[Any, list[Any]]] = {}  # id(node) -> (node, the node as a list of items)
        self._walked = 0  # sequence walks so far
        self.odd: set[str] = set()

    def _collect(self, node: Any, into: dict[int, list[Any]]) -> dict[int, list[Any]]:
        if isinstance(node, _regex_core.Group):
            into.setdefault(node.group, []).append(node.subpattern)
        for child in _children(node):
            self._collect(child, into)
        return into

    def info(self, node: Any) -> _Info:
        key = (id(node), self._calling)
        if key not in self._memo:
            self._memo[key] = self._info(node)
        return self._memo[key]

    def _info(self, node: Any) -> _Info:
        core = _regex_core
        if isinstance(node, core.Sequence):
            return self._sequence(((node.items, 0),), anchors_only=False)
        if isinstance(node, core.StringSet):  # a named list, \L<name>
            return _ANY
        if isinstance(node, core.Branch):
            return self._branch([self.info(b) for b in node.branches])
        if isinstance(node, core.Group | core.Atomic):
            return self.info(node.subpattern)
        if isinstance(node, core.GreedyRepeat):  # lazy and possessive repeats too
            return self._repeat(self.info(node.subpattern), node.min_count, node.max_count)
        if isinstance(node, core.LookAround):  # a positive one's text is somewhere in the document
            needs = self.info(node.subpattern).needs if node.positive else None
            return _Info(0, 0, frozenset({""}), needs=needs, blank_first=False)
        if isinstance(node, core.LookAroundConditional):
            return self._branch([self.info(node.yes_item), self.info(node.no_item)])
        if isinstance(node, core.Conditional):
            if node.group == "DEFINE":  # definitions for (?&name), never matched in place
                return self.info(node.no_item)
            return self._branch([self.info(node.yes_item), self.info(node.no_item)])
        if isinstance(node, core.CallGroup):
            return self._call(node.group)
        if isinstance(node, core.Character):
            return self._characters([node.value], node.positive, node.case_flags, node.zerowidth)
        if isinstance(node, core.String):  # Literal too
            return self._string(node.characters, node.case_flags)
        if isinstance(node, core.SetUnion):
            return self._set(node)
        if isinstance(node, core.Property) and _is_whitespace_class(node):
            return _ZERO if node.zerowidth else _Info(1, 1, frozenset(WHITESPACE), solid=0)
        if isinstance(node, core.Property) and _is_digit_class(node):
            if node.zerowidth:
                return _ZERO
            self.odd.add(DIGIT)  # \d matches other scripts' digits too
            return _Info(1, 1, frozenset(DIGIT), blank_first=False)
        if isinstance(node, core.Range | core.SetBase | core.Property | core.Any):
            if getattr(node, "zerowidth", False):
                return _ZERO
            return _ONE if _may_be_blank(node) else _SOLID
        if isinstance(node, core.Grapheme):
            return _Info(1, _UNBOUNDED)
        if isinstance(node, core.SearchAnchor | core.Skip | core.Prune | core.Keep):
            raise _Unsafe
        if isinstance(node, core.StartOfString):  # only offset 0, which is always tried
            return _Info(0, 0, frozenset({""}), ((frozenset({""}), 0, 0, 0),), blank_first=False)
        if isinstance(node, core.StartOfLine):  # (?m:^): offset 0, or right after a line feed
            if isinstance(node, core.StartOfLineU):  # other line breaks count too
                return _ZERO
            return _Info(0, 0, frozenset({""}), ((frozenset(LINE_START), -1, -1, 0),), blank_first=False)
        if isinstance(node, core.ZeroWidthBase):  # boundaries, end anchors, (*FAIL)
            return _ZERO
        return _ANY  # a back-reference, fuzzy matching, or a node this code does not know

    def _sequence(self, rest: tuple[Segment, ...], anchors_only: bool,
                  seed: tuple[frozenset[str], int, int, int] | None = None) -> _Info:
        """Info for the items of each segment in turn: a sequence node's own items, or an alternative of
        one of its items followed by what follows that item. The lists are nodes' own (or kept in
        `_lists`), so their ids are stable memo keys while alternatives make the walk revisit suffixes.
        `anchors_only`: only the anchors count, so the walk stops where no further item can add one.
        `seed`: a run of spellings that began before the first item, and its widths; offsets are then
        from where it began."""
        key = (tuple((id(items), first) for items, first in rest), anchors_only, seed, self._calling)
        if key not in self._memo:
            self._memo[key] = self._walk_sequence(rest, anchors_only, seed)
        return self._memo[key]

    def _walk_sequence(self, segments: tuple[Segment, ...], anchors_only: bool,
                       seed: tuple[frozenset[str], int, int, int] | None) -> _Info:
        self._walked += 1
        lo = hi = solid = 0  # where the current item starts: offset range, most non-whitespace before it
        best: tuple[Anchor, ...] | None = None
        needs: frozenset[str] | None = None
        run = _EMPTY_RUN  # spellings of the exact items since the run began, at run_lo..run_hi
        run_lo = run_hi = run_solid = 0
        run_width = (0, 0, 0)  # the least, greatest and most non-whitespace characters the run spans
        if seed is not None:  # the walk continues a run that began before the first item
            run, *widths = seed
            lo, hi, solid = run_width = tuple(widths)  # type: ignore[assignment]
        whole = True  # the run covers every item so far
        opening, blank_first = True, False  # no item consumed anything yet; whether the first may be blank

        def close() -> tuple[Anchor, ...] | None:
            found = _anchored(run)
            return None if found is None else _shift(found, run_lo, run_hi, run_solid, self._walks)

        steps = ((number, items, index) for number, (items, first) in enumerate(segments)
                 for index in range(first, len(items)))
        for number, items, index in steps:
            if anchors_only and not _reachable(run_lo, run_hi, run_solid, self._walks):
                break  # the run, and every item from here on, starts too far from the match start
            item = items[index]
            info = self.info(item)
            if not anchors_only:
                needs = _rarer(needs, info.needs)
            if info.anchors:
                best = _better(best, _shift(info.anchors, lo, hi, solid, self._walks))
            alternatives = self._alternatives(item) if self._walked < _MAX_WALKS else None
            if best is not None and density(best) < _GOOD_ENOUGH:
                alternatives = None  # rare enough already
            if (alternatives and _reachable(lo, hi, solid, self._walks)
                    and (info.min == 0 or self._joins(segments, number, index))):
                # (?:the\s+)?evidence, (?:treat|ease)\s+anxiety: a match holds what one alternative and
                # the rest of the sequence after it hold, so follow each alternative into the rest, from
                # where the current run began (\d\d?(?:\.\d+)?%: "5%" or "5.")
                after = ((items, index + 1), *segments[number + 1:])
                seed, at = None, (lo, hi, solid)
                if ("" not in run and _reachable(run_lo, run_hi, run_solid, self._walks)
                        and density(_anchored(run) or ((run, 0, 0, 0),)) > _WEAK):  # a rare run needs no more
                    seed, at = (run, *run_width), (run_lo, run_hi, run_solid)
                found = [self._sequence(((alternative, 0), *after), anchors_only=True, seed=seed).anchors
                         for alternative in alternatives]
                if all(found):
                    best = _better(best, _shift(_union(found), *at, self._walks))  # type: ignore[arg-type]
            if info.exact is not None:
                joined = _product(run, info.exact)
                if joined is None:
                    best = _better(best, close())
                    if not anchors_only:
                        needs = _rarer(needs, _needable(run))
                    run, run_lo, run_hi, run_solid, whole = info.exact, lo, hi, solid, False
                    run_width = (info.min, info.max, info.solid)
                else:
                    run = joined
                    run_width = (run_width[0] + info.min, min(run_width[1] + info.max, _UNBOUNDED),
                                 min(run_width[2] + info.solid, _UNBOUNDED))
            else:
                best = _better(best, close())
                if not anchors_only:
                    needs = _rarer(needs, _needable(run))
                run, whole, run_width = _EMPTY_RUN, False, (0, 0, 0)
                run_lo, run_hi = lo + info.min, min(hi + info.max, _UNBOUNDED)
                run_solid = min(solid + info.solid, _UNBOUNDED)
            if opening:
                blank_first = blank_first or info.blank_first
                opening = info.min == 0
            lo, hi, solid = lo + info.min, min(hi + info.max, _UNBOUNDED), min(solid + info.solid, _UNBOUNDED)
        best = _better(best, close())
        needs = _rarer(needs, _needable(run))
        return _Info(lo, hi, run if whole else None, best, needs, solid=solid, blank_first=blank_first)

    def _joins(self, segments: tuple[Segment, ...], number: int, index: int) -> bool:
        """Whether the item after this one has exact spellings that an alternative's could join: if not,
        following the alternatives into the rest finds little that the item's own anchors do not."""
        items, _ = segments[number]
        if index + 1 < len(items):
            return self.info(items[index + 1]).exact is not None
        for later, first in segments[number + 1:]:
            if first < len(later):
                return self.info(later[first]).exact is not None
        return False

    def _alternatives(self, item: Any) -> list[list[Any]] | None:
        """The ways an item can match, each as a list of items (an optional item: itself, or nothing);
        None for an item that has no alternatives or too many to follow."""
        core = _regex_core
        while isinstance(item, core.Group | core.Atomic):
            item = item.subpattern
        if isinstance(item, core.Branch) and len(item.branches) <= _MAX_ALTERNATIVES:
            return [self._as_list(branch) for branch in item.branches]
        if isinstance(item, core.GreedyRepeat) and item.min_count == 0 and item.max_count == 1:
            return [self._as_list(item.subpattern), self._as_list(None)]
        return None

    def _as_list(self, node: Any) -> list[Any]:
        if isinstance(node, _regex_core.Sequence):
            return node.items
        if id(node) not in self._lists:  # kept with its node, so neither id is reused during the walk
            self._lists[id(node)] = (node, [] if node is None else [node])
        return self._lists[id(node)][1]

    def _branch(self, infos: Sequence[_Info]) -> _Info:
        exact: frozenset[str] | None = None
        if all(i.exact is not None for i in infos):
            union = frozenset().union(*(i.exact for i in infos))  # type: ignore[misc]
            exact = union if len(union) <= _MAX_SPELLINGS else None
        found = _union(i.anchors for i in infos) if all(i.anchors for i in infos) else None  # type: ignore[misc]
        if exact is not None:
            found = _better(found, _anchored(exact))
        needs = None
        if infos and all(i.needs for i in infos):
            union = frozenset().union(*(i.needs for i in infos))  # type: ignore[misc]
            needs = union if len(union) <= _MAX_NEEDS else None
        lo = min((i.min for i in infos), default=0)
        hi = max((i.max for i in infos), default=0)
        solid = max((i.solid for i in infos), default=0)
        return _Info(lo, hi, exact, found, needs, solid=solid, blank_first=any(i.blank_first for i in infos))

    def _repeat(self, info: _Info, least: int, most: int | None) -> _Info:
        hi = _UNBOUNDED if most is None else info.max * most
        solid = 0 if info.solid == 0 else _UNBOUNDED if most is None else info.solid * most
        exact = None
        if info.exact == frozenset(WHITESPACE):  # \s+ is one run; \s* is one run or none
            exact = frozenset(WHITESPACE) if least else frozenset({"", WHITESPACE})
        elif info.exact is not None and most is not None and most <= 3:
            options: set[str] = {""} if least == 0 else set()
            product: frozenset[str] | None = frozenset({""})
            for count in range(1, most + 1):
                product = _product(product, info.exact) if product is not None else None
                if product is not None and count >= least:
                    options |= product
            if product is not None and len(options) <= _MAX_SPELLINGS:
                exact = frozenset(options)
        found = info.anchors if least >= 1 else None
        if exact is not None:
            found = _better(found, _anchored(exact))
        return _Info(info.min * least, hi, exact, found, info.needs if least >= 1 else None, solid=solid,
                     blank_first=info.blank_first)

    def _call(self, group: Any) -> _Info:
        number = int(group) if str(group).isdigit() else self._group_index.get(group)
        if self._groups is None:
            self._groups = self._collect(self._tree, {})
        bodies = self._groups.get(number) if number else None
        nested = any(key < 0 for key in self._groups)  # a name reused inside itself: which body is unclear
        if not bodies or nested or number in self._calling:  # unknown, the whole pattern, or recursive
            return _ANY
        outer = self._calling
        self._calling = (*outer, number)
        try:
            return self._branch([self.info(body) for body in bodies])
        finally:
            self._calling = outer

    def _characters(self, values: Iterable[int], positive: bool, case_flags: int, zerowidth: bool) -> _Info:
        case_flags = int(case_flags)
        if zerowidth:
            return _ZERO
        if not positive:
            return _ONE
        values = list(values)
        blank = [value in _SPACES for value in values]  # whitespace has no other case
        solid, blank_first = (0 if all(blank) else 1), any(blank)
        if case_flags & _FULLCASE and case_flags & _IGNORECASE:
            return _ANY  # full case folding: "ss" matches 'ß'
        spellings = set()
        for value in values:
            spelling = _spelling(value)
            if spelling is None:
                return _Info(1, 1, solid=solid, blank_first=blank_first)
            spellings.add(spelling)
            if case_flags & _IGNORECASE:
                self.odd.update(_odd_cases(value))
        return _Info(1, 1, frozenset(spellings), solid=solid, blank_first=blank_first)

    def _string(self, characters: Sequence[int], case_flags: int) -> _Info:
        case_flags = int(case_flags)
        solid = sum(value not in _SPACES for value in characters)
        blank_first = bool(characters) and characters[0] in _SPACES
        spellings = [self._characters([value], True, case_flags, False).exact for value in characters]
        if any(s is None for s in spellings):  # conservative: no spelling from a part
            return _Info(len(characters), len(characters), solid=solid, blank_first=blank_first)
        joined = frozenset({""})
        for spelling in spellings:
            joined = _product(joined, spelling) or joined  # type: ignore[arg-type]
        return _Info(len(characters), len(characters), joined, solid=solid, blank_first=blank_first)

    def _set(self, node: Any) -> _Info:
        if node.zerowidth:
            return _ZERO
        case_flags = int(node.case_flags)
        if not node.positive:
            return _ONE
        values: list[int] = []
        whitespace = digits = False  # \s, \d is a member
        listed = True  # every member is \s or listed in `values`
        blank = False  # some member may match whitespace
        for item in node.items:
            if isinstance(item, _regex_core.Character) and item.positive and not item.zerowidth:
                values.append(item.value)
            elif isinstance(item, _regex_core.Range) and item.positive and item.upper - item.lower < _MAX_SET:
                values.extend(range(item.lower, item.upper + 1))
            elif isinstance(item, _regex_core.Property) and _is_whitespace_class(item) and not item.zerowidth:
                whitespace = True
            elif isinstance(item, _regex_core.Property) and _is_digit_class(item) and not item.zerowidth:
                digits = True
            else:
                listed = False
                blank = blank or _may_be_blank(item)
        spaces = [value in _SPACES for value in values]
        blank = blank or whitespace or any(spaces)
        solid = 0 if listed and not digits and all(spaces) else 1
        extra = {WHITESPACE} if whitespace else set()
        if digits:
            extra.add(DIGIT)
            self.odd.add(DIGIT)
        if set(values) >= _ASCII_DIGITS:  # [0-9]: DIGIT, one spelling rather than ten
            values = [value for value in values if value not in _ASCII_DIGITS]
            extra.add(DIGIT)
        if not listed or len(values) > _MAX_SET or (case_flags & _FULLCASE and case_flags & _IGNORECASE):
            return _Info(1, 1, solid=solid, blank_first=blank)
        exact = frozenset(extra)
        if values:
            info = self._characters(values, True, case_flags, False)
            if info.exact is None:
                return _Info(1, 1, solid=solid, blank_first=blank)
            exact |= info.exact
        return _Info(1, 1, exact, solid=solid, blank_first=blank)


def _spelling(value: int) -> str | None:
    """How a pattern character is spelled in an anchor: lower-cased, whitespace as WHITESPACE; None if
    lower-casing changes its length or IGNORECASE would match something its lower case does not."""
    ch = chr(value)
    if ch.isspace():  # `regex`'s \s is a subset of str.isspace(), which the scanner's \s matches
        return WHITESPACE
    if ch == DIGIT:
        return None
    low = ch.lower()
    if len(low) != 1:
        return None
    return low


@functools.lru_cache(maxsize=4096)
def _odd_cases(value: int) -> tuple[str, ...]:
    """The characters IGNORECASE matches against this one that lower-case to something else."""
    low = chr(value).lower()
    cases = _regex.get_all_cases(int(regex.UNICODE | regex.IGNORECASE), value)
    return tuple(chr(c) for c in cases if chr(c).lower() != low)


@functools.cache
def _class_key(source: str) -> Any:
    """How `regex` parses a class escape (`\\s`, `\\w`): the Property node's value and sign."""
    parsed = _regex_core.Source(source)
    info = _regex_core.Info(int(regex.UNICODE), parsed.char_type, {})
    item = _regex_core._parse_pattern(parsed, info).items[0]
    return item.value, item.positive


def _is_whitespace_class(node: Any) -> bool:
    """Whether a Property node is `\\s` itself (not \\S, not [[:space:]] under other flags)."""
    return (node.value, node.positive) == _class_key(r"\s")


def _is_digit_class(node: Any) -> bool:
    """Whether a Property node is `\\d` itself, Unicode's decimal digits."""
    return (node.value, node.positive) == _class_key(r"\d")


def _may_be_blank(node: Any) -> bool:
    """Whether a one-character node (a property, a range, `.`) may match whitespace; True when unsure."""
    if isinstance(node, _regex_core.Property):
        return (node.value, node.positive) not in {_class_key(r"\w"), _class_key(r"\d"), _class_key(r"\S")}
    if isinstance(node, _regex_core.Range) and node.positive:
        return any(node.lower <= space <= node.upper for space in _SPACES)
    return True


def _children(node: Any) -> Iterator[Any]:
    for name in ("items", "branches", "subpattern", "yes_item", "no_item"):
        value = getattr(node, name, None)
        if isinstance(value, list | tuple):
            yield from (v for v in value if isinstance(v, _regex_core.RegexBase))
        elif isinstance(value, _regex_core.RegexBase):
            yield value
