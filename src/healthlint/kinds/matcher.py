"""Regex matching that tries a rule's pattern only where a match can start: one literal scan per document.

Not a kind: the kinds wrap their regular expressions in a `Matcher`. Looping rules over a document
with `finditer` costs a regex attempt at every offset, and a rule that opens with a look-behind
evaluates it at every offset (0.08 MB/s for the built-in packs). Instead:

1. At load, `literals.anchors()` derives from each pattern the spellings every match holds at a known
   distance from its start ("cure" at 0 in `(?<!no\\s)\\bcur(?:e|ed)`), or none (`x*`, `\\w+ly`).
2. Per document, a `Scanner` finds every spelling of every rule in the lower-cased prose with one
   stdlib `re` trie (sre scans a literal trie several times faster than `regex`, and lower-cased text
   needs no IGNORECASE) and turns each hit into candidate match starts: every offset of the anchor's
   range before the hit, or, where whitespace runs make that range unbounded
   (`(?:(?:our|the)\\s+)?survey`), the hit and the few non-whitespace characters before it.
3. The rule's own compiled pattern, flags unchanged, is tried with `match()` at those starts, in order,
   resuming after each match as `finditer` does: the same matches, since no match begins elsewhere.

A pattern that also needs a rare spelling somewhere (`literals` "needs": the text of a look-ahead
reaching 50,000 characters) is not tried at all in a document the scan saw no such spelling in.
Patterns without anchors, or whose anchors are so common that per-candidate calls would cost more
than a scan in C (a lone "a"), keep plain `finditer` (after their needs, if any); so does a document
holding a character that IGNORECASE and `str.lower` disagree on ('ſ', 'İ'), or a digit of another script
where a spelling stands for `\\d`, and a pattern in a document so dense with its candidates that trying
each would cost more (a page of phone numbers).
"""

from __future__ import annotations

import array
import bisect
import copyreg
import itertools
import re
import time
import weakref
from collections.abc import Iterable, Iterator, Sequence

import regex

from healthlint import deadline, lazy
from healthlint.kinds import literals
from healthlint.model import Document

# Candidate starts per character above which plain finditer wins: a match() call from Python costs
# about as much as `regex` scanning 20-50 offsets itself.
MAX_DENSITY = 0.02
# Needs are scanned for only when rare: a common one is in nearly every document and costs scan hits.
MAX_NEEDS_RARITY = 1e-4
# Candidate starts per character of a document above which a pattern runs as plain finditer there: a page
# of phone numbers holds a digit spelling at every other character, and ten match() calls from Python
# cost more than `regex` trying a hundred offsets itself.
DENSE = 0.1

_WHITESPACE_RUN = re.compile(r"\s+")
_LINE_FEED = re.compile(r"\n")
_NON_SPACE = re.compile(r"\S")
_ASCII_DIGITS = "0123456789"
_WORD_START = frozenset(f"abcdefghijklmnopqrstuvwxyz_{_ASCII_DIGITS}{literals.DIGIT}")  # ASCII \w, in any mode
# Where \b holds before a word character, the character before is no ASCII letter, digit or underscore
# (lower-cased: a letter that lower-cases to one is a word character too, 'K' the Kelvin sign included).
_AFTER_NON_WORD = "(?<![0-9a-z_])"
_TO_DIGIT = str.maketrans(dict.fromkeys(_ASCII_DIGITS, literals.DIGIT))
_SPECIAL = {literals.WHITESPACE: r"\s+", literals.DIGIT: "[0-9]"}  # how a spelling's placeholders are scanned
# A digit `regex`'s \d matches but the scanner's [0-9] does not (Arabic-Indic, Devanagari, fullwidth ...).
_OTHER_DIGIT = regex.compile(r"(?![0-9])\d")
_NEED = -(1 << 40)  # the offset of a need's entry in the scan table: no candidate start, just "seen"


def _same(pattern: regex.Pattern) -> regex.Pattern:
    return pattern


class Matcher:
    """A compiled pattern, tried only where its anchors say a match may start.

    `finditer` and `search` return what the pattern's own methods return over `doc.prose`.
    """

    __slots__ = ("_anchors", "_bounded", "_needs", "_odd", "_pattern", "_recipe", "_scanner", "_slot")

    def __init__(self, pattern: regex.Pattern) -> None:
        self._pattern: regex.Pattern | None = pattern
        self._recipe: tuple | None = None
        found = literals.extract(pattern)
        anchors = found.anchors if found is not None else None
        if anchors is not None and (literals.density(anchors) > MAX_DENSITY or found.min_width == 0):
            # after an empty match finditer tries the same offset again for a longer one, which
            # tries at candidates cannot mirror: patterns that may match empty text run plainly
            anchors = None
        needs = found.needs if found is not None else None
        if needs is not None and anchors is not None and literals.rarity(needs) > literals.density(anchors) / 10:
            needs = None  # the anchors already skip nearly as much
        if needs is not None and literals.rarity(needs) > MAX_NEEDS_RARITY:
            needs = None  # so common that nearly every document has one, and the scan pays for each
        self._anchors, self._needs = anchors, needs
        self._odd = found.odd if found is not None and (anchors or needs) else frozenset()
        self._bounded = found is not None and found.bounded  # every match opens at \b
        self._scanner: Scanner | None = None
        self._slot = 0

    def __getstate__(self) -> tuple:
        # the pattern as the recipe `regex` pickles it with (its compiled code and the function that
        # rebuilds it): rebuilt on first use, as a typical page needs about half of the patterns
        reduce = copyreg.dispatch_table.get(type(self.pattern))
        recipe = reduce(self.pattern) if reduce is not None else (_same, (self.pattern,))
        return recipe, self._anchors, self._needs, self._odd, self._bounded, self._scanner, self._slot

    def __setstate__(self, state: tuple) -> None:
        self._recipe, self._anchors, self._needs, self._odd, self._bounded, self._scanner, self._slot = state
        self._pattern = None

    @property
    def pattern(self) -> regex.Pattern:
        """The compiled pattern (rebuilt from the rules cache on first use)."""
        pattern = self._pattern
        if pattern is None:
            assert self._recipe is not None
            build, args = self._recipe[:2]
            pattern = self._pattern = build(*args)
        return pattern

    @property
    def is_anchored(self) -> bool:
        return self._anchors is not None

    @property
    def anchors(self) -> tuple[literals.Anchor, ...] | None:
        """The anchors the scan turns into candidate starts (None: the pattern runs plainly)."""
        return self._anchors

    @property
    def needs(self) -> frozenset[str] | None:
        """Spellings one of which a document must hold for the pattern to be tried at all."""
        return self._needs

    @property
    def is_scanned(self) -> bool:
        """Whether the document scan can say anything about this pattern (anchors or needs)."""
        return self._anchors is not None or self._needs is not None

    def finditer(self, doc: Document) -> Iterator[regex.Match]:
        """Every match in the prose, as `pattern.finditer(doc.prose)` yields them.

        The time spent matching is bounded by the engine's watch (`deadline`) or, without one, by
        `language.regex_timeout`; that bounds the matching, not the time the caller spends on each
        match between two (judging a thousand findings is no runaway pattern).
        """
        starts = self.starts(doc)
        if starts is None:  # regex's own timeout would count the caller's time too: match all first
            return iter(list(self.pattern.finditer(doc.prose, timeout=deadline.timeout(doc.prose))))
        return self._at(doc.prose, starts)

    def search(self, doc: Document) -> regex.Match | None:
        """The first match in the prose, as `pattern.search(doc.prose)` finds it."""
        starts = self.starts(doc)
        if starts is None:
            return self.pattern.search(doc.prose, timeout=deadline.timeout(doc.prose))
        return next(self._at(doc.prose, starts), None)

    def _at(self, prose: str, starts: list[int]) -> Iterator[regex.Match]:
        """The matches that begin at candidate starts, in order, resuming after each as finditer does."""
        match = self.pattern.match
        budget = deadline.timeout(prose)  # None: the watch bounds them; else spent only inside regex calls
        resume = 0
        i, count = 0, len(starts)
        while i < count:
            start = starts[i]
            if start < resume:
                i = bisect.bisect_left(starts, resume, i)
                continue
            i += 1
            if budget is None:
                m = match(prose, start)
            else:
                if budget <= 0:
                    raise TimeoutError("regex timed out")
                began = time.monotonic()
                m = match(prose, start, timeout=budget)
                budget -= time.monotonic() - began
            if m is not None:
                yield m
                resume = max(m.end(), start + 1)

    def starts(self, doc: Document) -> list[int] | None:
        """Sorted candidate starts ([] when the document lacks a need), or None to run plain finditer."""
        if not self.is_scanned:
            return None
        if self._scanner is None:
            share([self])
        return self._scanner.starts(doc, self._slot)  # type: ignore[union-attr]


class Scanner:
    """Finds the anchor spellings of many matchers in one scan of a document's lower-cased prose.

    The spellings become a trie-shaped stdlib `re` pattern (a space in a spelling as `\\s+`, DIGIT as
    `[0-9]`). At a hit, every spelling that is a prefix of the one found also occurs there; the scan
    resumes at the first offset where another spelling could begin inside the hit, so overlapping ones
    are all seen. Spellings that open with DIGIT get a trie of their own, scanned in a second pass that
    sre's first-character check makes cheap: in one trie, "988" and DIGIT + "%" would share a first
    node, and a trie is only exact when every character of the text leads down one path.
    """

    def __init__(self, matchers: Sequence[Matcher]) -> None:
        owners: dict[str, list[tuple[int, int, int, int]]] = {}
        free: set[str] = set()  # spellings that may be found right after a letter, digit or underscore
        odd: set[str] = set()
        self._line_anchors: list[tuple[int, int, int]] = []  # (slot, lo, hi) of (?m:^) anchors
        self._at_start = [False] * len(matchers)  # slots whose anchors hold at the text's start (\A, (?m:^))
        for slot, matcher in enumerate(matchers):
            odd |= matcher._odd
            for anchor in matcher._anchors or ():
                spellings, lo, hi, reach = anchor
                if "" in spellings or literals.LINE_START in spellings:
                    self._at_start[slot] = True
                if not literals.is_walk(anchor):
                    reach = -1  # every offset from lo to hi is tried
                for spelling in spellings:
                    if spelling == literals.LINE_START:  # found by a newline search, not the trie
                        self._line_anchors.append((slot, lo, hi))
                    elif spelling:  # "" is \A: offset 0, tried in every document
                        owners.setdefault(spelling, []).append((slot, lo, hi, reach))
                        if not (matcher._bounded and lo == hi == 0 and spelling[0] in _WORD_START):
                            free.add(spelling)
            for spelling in matcher._needs or ():
                owners.setdefault(spelling, []).append((slot, _NEED, _NEED, -1))
                free.add(spelling)
        self._count = len(matchers)
        self._plain = [m._anchors is None for m in matchers]  # slots run by plain finditer once needed
        self._needy = [m._needs is not None for m in matchers]
        self._digits = literals.DIGIT in odd  # a spelled \d stands for [0-9] alone
        self._odd = "".join(sorted(odd - {literals.DIGIT}))
        # one trie for the spellings that open with DIGIT (all their digits as DIGIT: one path through the
        # trie), split again: those that a pattern opening with \b finds at offset 0 are only looked for
        # where no word character precedes them, so a page of phone numbers is not a hit at every digit;
        # and one trie for the rest (splitting that one too would scan the text twice, for less)
        groups: dict[tuple[bool, bool], dict[str, list[tuple[int, int, int, int]]]] = {}
        for spelling, entries in owners.items():
            number = spelling.startswith(literals.DIGIT)
            group = groups.setdefault((number, number and spelling not in free), {})
            group.setdefault(spelling.translate(_TO_DIGIT) if number else spelling, []).extend(entries)
        self._passes = [_Pass(_widen(group), bounded) for (_, bounded), group in sorted(groups.items())]
        for scan in self._passes:
            scan.pattern()  # compiled now (0.16 s for the built-in packs), not in the first rule's time limit
        self._odd_re: re.Pattern[str] | None = None
        self._last: tuple[weakref.ref, list[list[int]] | None] | None = None

    def __getstate__(self) -> dict:
        return {"_count": self._count, "_plain": self._plain, "_needy": self._needy, "_odd": self._odd,
                "_at_start": self._at_start,
                "_digits": self._digits, "_line_anchors": self._line_anchors, "_passes": self._passes}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._odd_re = self._last = None

    def starts(self, doc: Document, slot: int) -> list[int] | None:
        """Sorted candidate starts for matcher `slot`; [] if the document lacks its needs; None to run it
        plainly (no anchors, or a document that defeats them)."""
        last = self._last
        if last is None or last[0]() is not doc:  # scanned once per document, for every matcher
            self._last = last = (weakref.ref(doc), self._scan(doc))
        found = last[1]
        return None if found is None else found[slot]

    def _scan(self, doc: Document) -> list[list[int] | None] | None:
        lowered = doc.lowered
        if lowered is None or (self._odd and self._odd_pattern().search(doc.prose)):
            return None
        if self._digits and _OTHER_DIGIT.search(doc.prose):  # one character class: linear, no timeout needed
            return None
        buckets: list[list[int]] = [[0] if start else [] for start in self._at_start]
        found = [not needy for needy in self._needy]  # whether each slot's needs were seen
        if self._line_anchors:
            breaks = [m.start() for m in _LINE_FEED.finditer(lowered)]
            for slot, lo, hi in self._line_anchors:
                for offset in range(lo, hi + 1):
                    buckets[slot].extend([at - offset for at in breaks])
        backwards: str | None = None  # the lowered text reversed, for walks back from a hit
        for scan in self._passes:
            search = scan.pattern().search
            entry = scan.entry
            pos = 0
            while (m := search(lowered, pos)) is not None:
                at = m.start()
                resume, entries = entry(m.group())
                for slot, lo, hi, reach in entries:
                    if reach >= 0:
                        if backwards is None:
                            backwards = lowered[::-1]
                        buckets[slot].extend(_walk_back(backwards, at, lo, hi, reach))
                    elif lo == hi:
                        if lo == _NEED:
                            found[slot] = True
                        else:
                            buckets[slot].append(at - lo)
                    else:
                        buckets[slot].extend(range(at - hi, at - lo + 1))
                pos = at + resume
        most = max(100, len(lowered) * DENSE)
        result: list[list[int] | None] = []
        for slot, bucket in enumerate(buckets):
            if not found[slot]:
                result.append([])
            elif self._plain[slot]:
                result.append(None)
            else:
                starts = sorted({s for s in bucket if s >= 0}) if len(bucket) > 1 else [s for s in bucket if s >= 0]
                # trying that many would cost more than plain finditer
                result.append(None if len(starts) > most else starts)
        return result

    def _odd_pattern(self) -> re.Pattern[str]:
        if self._odd_re is None:
            self._odd_re = re.compile("[" + "".join(re.escape(ch) for ch in self._odd) + "]")
        return self._odd_re


class _Pass:
    """One trie of spellings, its table, and the way back from a hit's text to the spelling found.

    `bounded`: the spellings are only looked for where no letter, digit or underscore precedes them, as
    every pattern that owns them opens with \\b right before them.
    """

    def __init__(self, owners: dict[str, list[tuple[int, int, int, int]]], bounded: bool = False) -> None:
        self.table = _table(owners)
        self.general: dict[str, list[str]] = {}  # spelling with every digit as DIGIT -> spellings
        for spelling in self.table:
            if literals.DIGIT in spelling:
                self.general.setdefault(spelling.translate(_TO_DIGIT), []).append(spelling)
        self.source = (_AFTER_NON_WORD if bounded else "") + _trie(self.table)  # the stdlib pattern of every spelling
        self.code: list[int] | None = None  # sre's compiled trie, kept for the pickle
        self.compiled: re.Pattern[str] | None = None

    def __getstate__(self) -> dict:
        self.pattern()  # compile now, so the pickle carries the code
        code = None if self.code is None else array.array("I", self.code)  # one block of bytes, not 150,000 ints
        return {"table": self.table, "general": self.general, "source": self.source, "code": code}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if self.code is not None:
            self.code = self.code.tolist()
        self.compiled = None

    def pattern(self) -> re.Pattern[str]:
        if self.compiled is None:
            self.compiled, self.code = _compile_trie(self.source, self.code)
        return self.compiled

    def entry(self, text: str) -> tuple[int, tuple[tuple[int, int, int, int], ...]]:
        """(resume, entries) of the spelling a hit's text matched: the text itself, or with whitespace
        runs as one space, or with digits where the spelling has DIGIT."""
        found = self.table.get(text)
        if found is None:
            text = _WHITESPACE_RUN.sub(" ", text)
            found = self.table.get(text)
            if found is None:
                spellings = self.general[text.translate(_TO_DIGIT)]
                found = self.table[spellings[0] if len(spellings) == 1 else
                                   next(s for s in spellings if _fits(s, text))]
        return found


def _fits(spelling: str, text: str) -> bool:
    """Whether a spelling with DIGITs spells this text (whitespace runs as one space)."""
    return all(a == b or (a == literals.DIGIT and b in _ASCII_DIGITS) for a, b in zip(spelling, text, strict=True))


def _widen(owners: dict[str, list[tuple[int, int, int, int]]]) -> dict[str, list[tuple[int, int, int, int]]]:
    """The spellings with a literal digit where another spelling with the same beginning has DIGIT turned
    to DIGIT there too (a wider spelling is still exact: more candidate starts), so that no trie node has
    both a DIGIT and a digit below it."""
    while True:
        branches = {s[:i] for s in owners for i, ch in enumerate(s) if ch == literals.DIGIT}
        clash = next(((s, i) for s in owners for i, ch in enumerate(s) if ch in _ASCII_DIGITS and s[:i] in branches),
                     None)
        if clash is None:
            return owners
        spelling, i = clash
        owners.setdefault(spelling[:i] + literals.DIGIT + spelling[i + 1:], []).extend(owners.pop(spelling))


def share(matchers: Iterable[Matcher]) -> None:
    """Give these matchers one scanner, so a document is scanned once for all of them."""
    scanned = [m for m in matchers if m.is_scanned]
    scanner = Scanner(scanned)
    for slot, matcher in enumerate(scanned):
        matcher._scanner, matcher._slot = scanner, slot


def _walk_back(backwards: str, at: int, lo: int, hi: int, reach: int) -> list[int]:
    """The starts a walk anchor's hit at `at` allows: the hit itself and the `reach` non-whitespace
    characters before it, those lo to hi characters before the hit. `backwards` is the text reversed,
    so `re` skips whitespace runs (long ones where markup was blanked) in C."""
    starts = [at] if lo <= 0 else []
    end = len(backwards)
    for m in itertools.islice(_NON_SPACE.finditer(backwards, end - at), reach):
        start = end - 1 - m.start()
        if at - start > hi:
            break
        if at - start >= lo:
            starts.append(start)
    return starts


def _table(owners: dict[str, list[tuple[int, int, int, int]]]
           ) -> dict[str, tuple[int, tuple[tuple[int, int, int, int], ...]]]:
    """spelling -> (where to resume scanning after a hit, relative to it; every (slot, lo, hi, reach) it
    anchors, those of the spellings that are its prefixes included; reach -1 unless the entry walks)."""
    # compared with every digit as DIGIT, so that "5" in a hit may begin a spelling that opens with DIGIT
    general = {s.translate(_TO_DIGIT) for s in owners}
    prefixes = {s[:k] for s in general for k in range(1, len(s) + 1)}
    table = {}
    shared: dict[tuple, tuple] = {}  # equal values as one object: the pickled rule cache holds each once
    for spelling in owners:
        entries = [e for k in range(1, len(spelling) + 1) for e in owners.get(spelling[:k], ())]
        entries = [shared.setdefault(e, e) for e in entries]
        # the first offset inside the hit where another spelling could begin; offsets past a
        # whitespace run are unknown in the text, so never resume beyond the first one
        wide = spelling.translate(_TO_DIGIT)
        resume = next((i for i in range(1, len(wide)) if wide[i:] in prefixes
                       or any(wide[i:j] in general for j in range(i + 1, len(wide)))), len(wide))
        if literals.WHITESPACE in spelling:
            resume = min(resume, spelling.index(literals.WHITESPACE))
        value = (resume, tuple(entries))
        table[spelling] = shared.setdefault(value, value)
    return table


def _compile_trie(source: str, code: list[int] | None) -> tuple[re.Pattern[str], list[int] | None]:
    """The trie compiled by sre, and sre's code for it.

    A stdlib pattern pickles as its source and is compiled again in each process: 30-50 ms for the
    built-in packs' trie, most of a pre-commit run. Its code, kept in the cached rule set (whose key
    holds the Python version), rebuilds it in well under a millisecond (`lazy.from_parts`). The code
    comes from `re`'s internals, so any surprise there falls back to `re.compile`.
    """
    try:
        if code is None:
            flags, code, groups, *_ = lazy.sre_parts(source)
            if groups != 0 or flags != re.UNICODE:
                raise ValueError("the trie has no groups and no flags")
        return lazy.from_parts(source, (int(re.UNICODE), code, 0, {}, (None,))), code
    except Exception:  # the internals differ in this Python: compile the plain way
        return re.compile(source), None


def _trie(spellings: Iterable[str]) -> str:
    """A stdlib `re` source matching any spelling, the longest one where several start at one offset."""
    root: dict = {}
    for spelling in spellings:
        node = root
        for ch in spelling:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _emit(root)


def _emit(node: dict) -> str:
    branches = [(_SPECIAL.get(ch) or re.escape(ch)) + _emit(child) for ch, child in sorted(node.items()) if ch]
    if "" in node:
        branches.append("")  # last: longer spellings are tried first
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
