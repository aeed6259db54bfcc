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
characters that `\\s` matches), so `a\\s+substitute` yields "a substitute" and line wraps still match.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

import regex
from regex import _regex, _regex_core

Anchor = tuple[frozenset[str], int, int]  # spellings, least and greatest offset from the match start

WHITESPACE = " "  # in a spelling: a run of whitespace
LINE_START = "\n"  # the spelling (?m:^) is anchored to, at offset -1; offset 0 is always tried anyway

_UNBOUNDED = 1 << 30  # a width or offset with no upper bound
_MAX_SPELLINGS = 48  # most spellings a node's exact set may hold before it is given up
_MAX_LENGTH = 10  # longest spelling kept; longer ones are cut: a prefix is as required, and the
# scanner's trie (compiled per process) stays small
_MAX_RANGE = 8  # widest offset range an anchor may have: each hit then costs that many regex attempts
_MAX_SET = 12  # largest character class expanded into single-character spellings
_MAX_NEEDS = 200  # most spellings a need may have
_IGNORECASE = int(regex.IGNORECASE)  # plain ints: flag arithmetic on the enum is slow
_FULLCASE = int(regex.FULLCASE)

# Rough share of text positions where a character occurs (English letter frequencies), to rank anchors
# by how many candidate starts they yield; a whitespace run follows about every fifth character.
_FREQUENCY = dict(zip("etaoinshrdlcumwfgypbvkjxqz", (
    .10, .075, .065, .06, .06, .057, .05, .05, .048, .035, .033, .022, .022, .02, .019, .018, .016, .016,
    .015, .012, .008, .006, .001, .0012, .0008, .0006), strict=True))
_FREQUENCY.update({WHITESPACE: .2, LINE_START: .015, ".": .01, ",": .01})
_RARE = .002  # digits, other punctuation, other scripts
_FOLLOW = 3.0  # letters are not independent: "the" is far commoner than t * h * e


class Literals(NamedTuple):
    """What `extract` found in a pattern.

    anchors  every match holds, for at least one anchor (spellings, lo, hi), one of the spellings at an
             offset from the match start between lo and hi (offset -1: the character before it)
    needs    spellings one of which the text holds somewhere whenever the pattern matches anywhere
    odd      characters that IGNORECASE matches against a spelling's character but that lower-case to
             something else ('ſ' for "s", 'İ'): a text holding one cannot rely on the spellings
    """

    anchors: tuple[Anchor, ...] | None
    needs: frozenset[str] | None
    odd: frozenset[str]
    min_width: int  # the fewest characters a match consumes


def extract(pattern: regex.Pattern) -> Literals | None:
    """The anchors and needs of a compiled pattern, or None when it has neither."""
    if pattern.flags & int(regex.REVERSE | regex.POSIX):
        return None
    try:
        tree, info = _parse(pattern)
        walker = _Walker(info, tree)
        result = walker.info(tree)
    except (_Unsafe, RecursionError):
        return None
    except Exception:  # `regex` internals changed: plain matching is slower but still correct
        return None
    if not result.anchors and not result.needs:
        return None
    sets = [spellings for spellings, _, _ in result.anchors or ()] + [result.needs or frozenset()]
    chars = {ch for spellings in sets for s in spellings for ch in s}
    sigma = frozenset("Σ") if chars & {"σ", "ς"} else frozenset()  # str.lower's one context rule
    return Literals(result.anchors, result.needs, frozenset(walker.odd) | sigma, result.min)


@functools.lru_cache(maxsize=8192)
def density(found: tuple[Anchor, ...]) -> float:
    """Roughly the candidate starts per character of text that anchors yield."""
    return sum((hi - lo + 1) * sum(_frequency(s) for s in spellings) for spellings, lo, hi in found)


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


def _startable(spellings: frozenset[str]) -> bool:
    """Whether the spellings can anchor: none empty, none opening with whitespace (a run's start is
    not where the pattern's whitespace began)."""
    return all(s and s[0] != WHITESPACE for s in spellings)


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
    """What a node consumes: width bounds, its exact spellings if few, the best anchors found in it, and
    the rarest spellings a text must hold somewhere for the node to match (needs)."""

    __slots__ = ("anchors", "exact", "max", "min", "needs")

    def __init__(self, lo: int, hi: int, exact: frozenset[str] | None = None,
                 found: tuple[Anchor, ...] | None = None, needs: frozenset[str] | None = None) -> None:
        self.min, self.max = lo, min(hi, _UNBOUNDED)
        self.exact = exact
        if exact and found is None and _startable(exact):
            found = ((exact, 0, 0),)
        self.anchors = found
        self.needs = _rarer(needs, _needable(exact)) if exact else needs


_ZERO = _Info(0, 0, frozenset({""}))  # a look-around, a boundary: consumes nothing
_ANY = _Info(0, _UNBOUNDED)  # anything at all: a back-reference, fuzzy matching, a node not known here
_ONE = _Info(1, 1)  # one character of a large class: \w, [^.], \p{L}


def _parse(pattern: regex.Pattern) -> tuple[Any, Any]:
    """The parse tree of a compiled pattern, made as `regex._main._compile` makes it."""
    flags = pattern.flags
    while True:
        source = _regex_core.Source(pattern.pattern)
        info = _regex_core.Info(flags, source.char_type, {})
        info.guess_encoding = _regex_core.UNICODE
        source.ignore_space = bool(info.flags & int(regex.VERBOSE))
        try:
            return _regex_core._parse_pattern(source, info), info
        except _regex_core._UnscopedFlagSet:
            flags = info.global_flags


def _shift(found: tuple[Anchor, ...], lo: int, hi: int) -> tuple[Anchor, ...] | None:
    if hi >= _UNBOUNDED:
        return None
    if lo == hi == 0:
        return found
    shifted = tuple((spellings, a + lo, b + hi) for spellings, a, b in found)
    return shifted if all(b - a <= _MAX_RANGE for _, a, b in shifted) else None


def _better(a: tuple[Anchor, ...] | None, b: tuple[Anchor, ...] | None) -> tuple[Anchor, ...] | None:
    if a is None or b is None:
        return a or b
    return a if density(a) <= density(b) else b


def _union(sets: Iterable[tuple[Anchor, ...]]) -> tuple[Anchor, ...]:
    """Anchors that hold when any one of `sets` does: spellings merged per offset range."""
    merged: dict[tuple[int, int], frozenset[str]] = {}
    for found in sets:
        for spellings, a, b in found:
            merged[a, b] = merged.get((a, b), frozenset()) | spellings
    return tuple((spellings, a, b) for (a, b), spellings in merged.items())


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


class _Walker:
    """Computes `_Info` bottom-up, expanding group calls ((?&name)); collects `odd` characters."""

    def __init__(self, info: Any, tree: Any) -> None:
        self._group_index = info.group_index
        self._tree = tree
        self._groups: dict[int, list[Any]] | None = None  # group number -> bodies, for (?&name)
        self._calling: tuple[int, ...] = ()
        self._memo: dict[tuple, _Info] = {}  # the tree outlives the walk, so ids are stable keys
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
            return self._sequence(node.items, 0)
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
            return _Info(0, 0, frozenset({""}), needs=needs)
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
            return _ZERO if node.zerowidth else _Info(1, 1, frozenset(WHITESPACE))
        if isinstance(node, core.Range | core.SetBase | core.Property | core.Any):
            return _ZERO if getattr(node, "zerowidth", False) else _ONE
        if isinstance(node, core.Grapheme):
            return _Info(1, _UNBOUNDED)
        if isinstance(node, core.SearchAnchor | core.Skip | core.Prune | core.Keep):
            raise _Unsafe
        if isinstance(node, core.StartOfString):  # only offset 0, which is always tried
            return _Info(0, 0, frozenset({""}), ((frozenset({""}), 0, 0),))
        if isinstance(node, core.StartOfLine):  # (?m:^): offset 0, or right after a line feed
            if isinstance(node, core.StartOfLineU):  # other line breaks count too
                return _ZERO
            return _Info(0, 0, frozenset({""}), ((frozenset(LINE_START), -1, -1),))
        if isinstance(node, core.ZeroWidthBase):  # boundaries, end anchors, (*FAIL)
            return _ZERO
        return _ANY  # a back-reference, fuzzy matching, or a node this code does not know

    def _sequence(self, items: Sequence[Any], first: int, head: Any = None) -> _Info:
        """Info for `head` (if given) then `items[first:]`; `items` is a node's own list and `head` a node,
        so their ids are stable memo keys while optional items make the walk revisit suffixes."""
        key = (id(items), first, id(head), self._calling)
        if key not in self._memo:
            self._memo[key] = self._walk_sequence(items, first, head)
        return self._memo[key]

    def _walk_sequence(self, items: Sequence[Any], first: int, head: Any) -> _Info:
        steps = [(head, first)] if head is not None else []  # (item, where the rest of the sequence starts)
        steps += [(item, index + 1) for index, item in enumerate(items[first:], first)]
        lo = hi = 0  # offset range where the current item starts
        best: tuple[Anchor, ...] | None = None
        needs: frozenset[str] | None = None
        run = frozenset({""})  # spellings of the exact items since the run began, at run_lo..run_hi
        run_lo = run_hi = 0
        whole = True  # the run covers every item so far

        def close() -> tuple[Anchor, ...] | None:
            return _shift(((run, 0, 0),), run_lo, run_hi) if _startable(run) else None

        for item, rest in steps:
            info = self.info(item)
            needs = _rarer(needs, info.needs)
            if info.anchors:
                best = _better(best, _shift(info.anchors, lo, hi))
            elif (isinstance(item, _regex_core.GreedyRepeat) and item.min_count == 0
                  and item.max_count == 1 and hi < _UNBOUNDED):
                # (?:the\s+)?evidence: a match holds "the evidence" here, or "evidence" here
                present = self._sequence(items, rest, item.subpattern).anchors
                absent = self._sequence(items, rest).anchors
                if present and absent:
                    best = _better(best, _shift(_union([present, absent]), lo, hi))
            if info.exact is not None:
                joined = _product(run, info.exact)
                if joined is None:
                    best = _better(best, close())
                    needs = _rarer(needs, _needable(run))
                    run, run_lo, run_hi, whole = info.exact, lo, hi, False
                else:
                    run = joined
            else:
                best = _better(best, close())
                needs = _rarer(needs, _needable(run))
                run, whole = frozenset({""}), False
                run_lo, run_hi = lo + info.min, min(hi + info.max, _UNBOUNDED)
            lo, hi = lo + info.min, min(hi + info.max, _UNBOUNDED)
        best = _better(best, close())
        needs = _rarer(needs, _needable(run))
        return _Info(lo, hi, run if whole else None, best, needs)

    def _branch(self, infos: Sequence[_Info]) -> _Info:
        exact: frozenset[str] | None = None
        if all(i.exact is not None for i in infos):
            union = frozenset().union(*(i.exact for i in infos))  # type: ignore[misc]
            exact = union if len(union) <= _MAX_SPELLINGS else None
        found = _union(i.anchors for i in infos) if all(i.anchors for i in infos) else None  # type: ignore[misc]
        if exact is not None and _startable(exact):
            found = _better(found, ((exact, 0, 0),))
        needs = None
        if infos and all(i.needs for i in infos):
            union = frozenset().union(*(i.needs for i in infos))  # type: ignore[misc]
            needs = union if len(union) <= _MAX_NEEDS else None
        lo = min((i.min for i in infos), default=0)
        hi = max((i.max for i in infos), default=0)
        return _Info(lo, hi, exact, found, needs)

    def _repeat(self, info: _Info, least: int, most: int | None) -> _Info:
        hi = _UNBOUNDED if most is None else info.max * most
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
        if exact is not None and _startable(exact):
            found = _better(found, ((exact, 0, 0),))
        return _Info(info.min * least, hi, exact, found, info.needs if least >= 1 else None)

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
        if case_flags & _FULLCASE and case_flags & _IGNORECASE:
            return _ANY  # full case folding: "ss" matches 'ß'
        spellings = set()
        for value in values:
            spelling = _spelling(value)
            if spelling is None:
                return _ONE
            spellings.add(spelling)
            if case_flags & _IGNORECASE:
                self.odd.update(_odd_cases(value))
        return _Info(1, 1, frozenset(spellings))

    def _string(self, characters: Sequence[int], case_flags: int) -> _Info:
        case_flags = int(case_flags)
        spellings = [self._characters([value], True, case_flags, False).exact for value in characters]
        if any(s is None for s in spellings):
            return _Info(len(characters), len(characters))  # conservative: no spelling from a part
        joined = frozenset({""})
        for spelling in spellings:
            joined = _product(joined, spelling) or joined  # type: ignore[arg-type]
        return _Info(len(characters), len(characters), joined)

    def _set(self, node: Any) -> _Info:
        if node.zerowidth:
            return _ZERO
        case_flags = int(node.case_flags)
        if not node.positive or (case_flags & _FULLCASE and case_flags & _IGNORECASE):
            return _ONE
        values: list[int] = []
        whitespace = False
        for item in node.items:
            if isinstance(item, _regex_core.Character) and item.positive and not item.zerowidth:
                values.append(item.value)
            elif isinstance(item, _regex_core.Range) and item.positive and item.upper - item.lower < _MAX_SET:
                values.extend(range(item.lower, item.upper + 1))
            elif isinstance(item, _regex_core.Property) and _is_whitespace_class(item) and not item.zerowidth:
                whitespace = True
            else:
                return _ONE
        if len(values) > _MAX_SET:
            return _ONE
        info = self._characters(values, True, case_flags, False)
        if info.exact is None:
            return info
        return _Info(1, 1, info.exact | ({WHITESPACE} if whitespace else set()))


def _spelling(value: int) -> str | None:
    """How a pattern character is spelled in an anchor: lower-cased, whitespace as WHITESPACE; None if
    lower-casing changes its length or IGNORECASE would match something its lower case does not."""
    ch = chr(value)
    if ch.isspace():  # `regex`'s \s is a subset of str.isspace(), which the scanner's \s matches
        return WHITESPACE
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
def _whitespace_key() -> Any:
    source = _regex_core.Source(r"\s")
    info = _regex_core.Info(int(regex.UNICODE), source.char_type, {})
    item = _regex_core._parse_pattern(source, info).items[0]
    return item.value, item.positive


def _is_whitespace_class(node: Any) -> bool:
    """Whether a Property node is `\\s` itself (not \\S, not [[:space:]] under other flags)."""
    return (node.value, node.positive) == _whitespace_key()


def _children(node: Any) -> Iterator[Any]:
    for name in ("items", "branches", "subpattern", "yes_item", "no_item"):
        value = getattr(node, name, None)
        if isinstance(value, list | tuple):
            yield from (v for v in value if isinstance(v, _regex_core.RegexBase))
        elif isinstance(value, _regex_core.RegexBase):
            yield value
