"""Sentences, clauses, negation and questions: the bits of English every kind and the engine share.

Word lists are not here: negators, intensifiers, clause breaks and abbreviations come from a `Lexicon`
loaded from `rules/lexicon.yaml`. This module keeps only structure: where sentences and clauses end, how
far a negation reaches, how a phrase becomes a pattern, and the checks that turn rule keys into patterns.

Sentences are split once per document and lexicon and cached. `Document` holds a dict (`meta`), so it is
not hashable, and a bare `id(doc)` may be reused once the document is freed. The cache is keyed by
`id(doc)` but keeps a weak reference to the document: an entry counts only while that reference still
points at the very same object, and the entry is dropped when the document is collected. Callers just
pass `doc`; nothing has to carry an index around.
"""

from __future__ import annotations

import bisect
import functools
import weakref
from collections.abc import Callable, Mapping, Sequence

import regex

from healthlint import lazy
from healthlint.model import Block, Document, Frozen, Span

# A regex call may run this long: max(MIN_REGEX_TIMEOUT, len(text) * REGEX_TIMEOUT_PER_CHAR) seconds.
# Module constants so tests can shrink them; a catastrophic pattern then fails fast.
MIN_REGEX_TIMEOUT = 0.25
REGEX_TIMEOUT_PER_CHAR = 1e-6

NEGATION_WINDOW = 8  # at most this many words between a negator and the match it negates
_LOOKBACK_CHARS = 400  # bounds the negation look-back however long the clause is

_HYPHENS = "-‐‑"  # hyphen-minus, hyphen, non-breaking hyphen
_APOSTROPHES = "'’ʼ"


def lazy_regex(source: str, flags: int = 0) -> lazy.Pattern:
    """A `regex` pattern compiled on first use (`regex.compile` parses in Python, about a millisecond
    each): module constants then cost nothing at start-up."""
    return lazy.Pattern(source, flags, regex.compile)


_TOKEN = lazy_regex(r"\s+|[-‐‑'’ʼ]|[^\s\-‐‑'’ʼ]+")
_WORD_CHAR = lazy_regex(r"\w")
_WORD = lazy_regex(r"\w+(?:['’ʼ]\w+)*")
_LAST_WORD = lazy_regex(r"(\w+)$")
_NUMBERED_ABBREVIATION = lazy_regex(r"(.+\.)\s+\d+")
# What may follow a sentence's final punctuation and still belong to it: closing quotes and brackets,
# Markdown emphasis, footnote markers ("respond.[1]", "respond.¹").
_CLOSERS = r"""(?:["'”’»)\]*_⁰¹²³⁴-⁹]|\[\^?\w{1,12}\])*"""
_QUESTION_TAIL = "\"'”’»)]*_⁰¹²³⁴⁵⁶⁷⁸⁹!. \t\r\n\u00a0"
_NEVER = "(?!)"


def regex_timeout(text: str) -> float:
    """Seconds one regex call over `text` may take: at least MIN_REGEX_TIMEOUT, more for long texts."""
    return max(MIN_REGEX_TIMEOUT, len(text) * REGEX_TIMEOUT_PER_CHAR)


# --- Lexicon ------------------------------------------------------------------------------------------


class Lexicon(Frozen):
    """The word lists behind sentences, clauses and negation (`rules/lexicon.yaml`).

    negators       negate what follows in the clause; an entry starting with "-" is a word ending ("-n't")
    intensifiers   negations that strengthen ("not just"); a negator inside one does not count
    clause_breaks  words that start a new clause ("but", "however")
    abbreviations  words ending in "." that end no sentence ("Dr."); "No. 1" counts only before a number
    comma_breaks   words that start a new clause only right after a comma (", and", ", because")
    denials        how an answer that denies a question opens ("No", "Not yet", "Unfortunately, no")
    """

    __slots__ = ("_patterns", "abbreviations", "clause_breaks", "comma_breaks", "denials", "intensifiers",
                 "negators")
    _FIELDS = ("negators", "intensifiers", "clause_breaks", "abbreviations", "comma_breaks", "denials")

    negators: tuple[str, ...]
    intensifiers: tuple[str, ...]
    clause_breaks: tuple[str, ...]
    abbreviations: tuple[str, ...]
    comma_breaks: tuple[str, ...]
    denials: tuple[str, ...]

    def __init__(self, negators: tuple[str, ...], intensifiers: tuple[str, ...], clause_breaks: tuple[str, ...],
                 abbreviations: tuple[str, ...], comma_breaks: tuple[str, ...] = (),
                 denials: tuple[str, ...] = ()) -> None:
        self._set(negators=negators, intensifiers=intensifiers, clause_breaks=clause_breaks,
                  abbreviations=abbreviations, comma_breaks=comma_breaks, denials=denials,
                  _patterns={})  # name -> compiled pattern, filled on first use

    def __reduce__(self) -> tuple:  # the patterns compiled so far travel too (the rules cache)
        return Lexicon, self._values(), dict(self._patterns)

    def __setstate__(self, patterns: dict[str, regex.Pattern]) -> None:
        self._patterns.update(patterns)

    def _replace(self, **changes: tuple[str, ...]) -> Lexicon:
        """A copy with some word lists changed (its patterns compiled anew)."""
        return Lexicon(**{**dict(zip(self._FIELDS, self._values(), strict=True)), **changes})

    def _pattern(self, name: str, build: Callable[[], regex.Pattern]) -> regex.Pattern:
        found = self._patterns.get(name)
        if found is None:
            found = self._patterns[name] = build()
        return found

    @classmethod
    def from_mapping(cls, data: Mapping) -> Lexicon:
        """Build from the parsed YAML; ValueError names a missing, unknown or ill-typed key."""
        if not isinstance(data, Mapping):
            raise ValueError(f"lexicon: expected a mapping of word lists, got {describe(data)}")
        keys = ("negators", "intensifiers", "clause_breaks", "abbreviations")
        optional = ("comma_breaks", "denials")
        unknown = sorted(str(k) for k in data if k not in keys + optional)
        if unknown:
            raise ValueError(f"lexicon: unknown key {unknown[0]!r}; expected {', '.join(keys + optional)}")
        lists = {}
        for key in keys + optional:
            if key not in data:
                if key in optional:
                    continue
                raise ValueError(f"lexicon: missing key {key!r}")
            lists[key] = texts(f"lexicon: {key}", data[key], what="string", allow_empty=True)
        for i, entry in enumerate(lists["abbreviations"]):
            if not entry.endswith(".") and not _NUMBERED_ABBREVIATION.fullmatch(entry):
                raise ValueError(f"lexicon: abbreviations[{i}]: {entry!r} must end with '.'")
        return cls(**lists)

    def compile(self) -> Lexicon:
        """Compile every pattern now, so a pickled lexicon (the rules cache) carries them compiled."""
        for pattern in (self.negator_re, self.denial_re, self.intensifier_re, self.clause_break_re,
                        self.sentence_end_re):
            pattern.pattern  # noqa: B018 - touching it compiles and keeps it
        return self

    @property
    def negator_re(self) -> regex.Pattern:
        return self._pattern("negator", lambda: _compile_lexicon(self.negators))

    @property
    def denial_re(self) -> regex.Pattern:
        return self._pattern("denial", lambda: _compile_lexicon(self.denials))

    @property
    def intensifier_re(self) -> regex.Pattern:
        return self._pattern("intensifier", lambda: _compile_lexicon(self.intensifiers))

    @property
    def clause_break_re(self) -> regex.Pattern:
        """Where a clause ends: ; : — – " - ", "-But", a clause-break word (group `word`; not in "not
        yet"), and a comma (group `comma`), which ends a clause only after a word ("Although ..., ")."""
        return self._pattern("clause_break", self._clause_break)

    @property
    def sentence_end_re(self) -> regex.Pattern:
        """A sentence's end (group `end`, cut after it) or a blank line (group `gap`, cut before it)."""
        return self._pattern("sentence_end", self._sentence_end)

    def _clause_break(self) -> regex.Pattern:
        # Look-behinds come after a literal: `regex` then tries them only where the literal matched.
        alternatives = [r":(?<!\d:)(?!\d)", ";", "[—―]", r"–(?<!\d–)|–(?!\d)", r"\s-{1,2}\s"]
        if self.comma_breaks:  # ", and our infusions cure": a new clause, whatever came before
            alternatives.append(rf",(?=\s+{_lexicon_source(self.comma_breaks)})")
        alternatives.append("(?P<comma>,)")
        if self.clause_breaks:
            words = _lexicon_source(self.clause_breaks)
            alternatives.append(rf"[-‐]{{1,2}}(?=\s*{words})")  # "Not a Magic Cure-But It's a Catalyst"
            not_after_negator = rf"(?<!{_lexicon_source(self.negators)}\s+{words})" if self.negators else ""
            alternatives.append(rf"(?P<word>{words}{not_after_negator})")
        else:
            alternatives.append(rf"(?P<word>{_NEVER})")
        return regex.compile("|".join(alternatives), regex.IGNORECASE)

    def _sentence_end(self) -> regex.Pattern:
        plain = [a for a in self.abbreviations if not _NUMBERED_ABBREVIATION.fullmatch(a)]
        numbered = [m.group(1) for a in self.abbreviations if (m := _NUMBERED_ABBREVIATION.fullmatch(a))]
        not_after = r"(?<!(?<!\w)\p{Lu})"  # an initial: "J. Smith", "U.S. law"
        if plain:
            not_after += rf"(?<!(?<![\w.]){_abbreviation_source(plain)})"
        if numbered:
            not_after += rf"(?!(?<=(?<![\w.]){_abbreviation_source(numbered)})\.\s+\d)"
        # a period before a lower-case word ends no sentence ("approx. two", "etc. and")
        period = rf"{not_after}(?<![.…])\.(?!\.)(?!{_CLOSERS}\s+\p{{Ll}})[!?]*"
        # an ellipsis ends a sentence only before a capital: "Wait... what?" stays one
        ellipsis = rf"(?:\.{{2,}}|…)[.!?…]*(?={_CLOSERS}\s+[\p{{Lu}}\p{{N}}\"“'‘(\[])"
        end = rf"(?P<end>(?:[!?‽][!?‽.]*|{ellipsis}|{period}){_CLOSERS})(?=\s)"
        return regex.compile(rf"{end}|(?P<gap>(?:\r\n?|\n)[^\S\r\n]*(?:\r\n?|\n))")


def _abbreviation_source(entries: Sequence[str]) -> str:
    """Abbreviations without their final '.', as written and with a capital first letter."""
    variants = set()
    for entry in entries:
        stem = entry.strip()[:-1]
        variants.update({stem, stem[:1].upper() + stem[1:]})
    return "(?:" + "|".join(_literal(v) for v in sorted(variants, key=lambda v: (-len(v), v))) + ")"


def _lexicon_source(entries: Sequence[str]) -> str:
    """One alternation of lexicon entries on word boundaries; '-n't' matches the end of a word."""
    if not entries:
        return _NEVER
    sources = []
    for entry in sorted({e.strip() for e in entries}, key=lambda e: (-len(e), e)):
        if entry.startswith("-") and len(entry) > 1:
            sources.append(_bounded(entry[1:], start=False))
        else:
            sources.append(_bounded(entry))
    return "(?:" + "|".join(sources) + ")"


def _compile_lexicon(entries: Sequence[str]) -> regex.Pattern:
    return regex.compile(_lexicon_source(entries), regex.IGNORECASE)


EMPTY_LEXICON = Lexicon((), (), (), ())
"""No word lists: sentences split on punctuation alone. For kinds, which are not given the lexicon."""


# --- Sentences ----------------------------------------------------------------------------------------


Sentence = tuple[int, int]  # (block number, index of the sentence within its block)


class SentenceIndex:
    """The sentences of one document, split block by block on first use: a document is split only
    around the matches that need it, not up front (a 5 MB file has ~100,000 sentences)."""

    __slots__ = ("_all", "_breaks", "_by_block", "_lex", "_prose", "_starts", "blocks")

    def __init__(self, prose: str, blocks: Sequence[Block], lex: Lexicon) -> None:
        self._prose = prose
        self._lex = lex
        self.blocks: tuple[Block, ...] = tuple(blocks) or (Block(Span(0, len(prose)), "paragraph"),)
        self._starts = [block.span.start for block in self.blocks]
        self._by_block: dict[int, tuple[Span, ...]] = {}
        self._breaks: dict[Sentence, tuple[Span, ...]] = {}
        self._all: tuple[Span, ...] | None = None

    @property
    def spans(self) -> tuple[Span, ...]:
        """Every sentence, in order (this splits every block)."""
        if self._all is None:
            self._all = tuple(s for number in range(len(self.blocks)) for s in self.in_block(number))
        return self._all

    def in_block(self, number: int) -> tuple[Span, ...]:
        """The sentences of block `number`, trimmed, in order."""
        found = self._by_block.get(number)
        if found is None:
            found = self._by_block[number] = self._split(self.blocks[number].span)
        return found

    def _split(self, block: Span) -> tuple[Span, ...]:
        prose = self._prose
        start = block.start
        cuts = [m.end() if m.group("end") is not None else m.start()
                for m in self._lex.sentence_end_re.finditer(prose, block.start, block.end)]
        cuts.append(block.end)
        spans = []
        for cut in cuts:
            piece = prose[start:cut]
            stripped = piece.strip()
            if stripped:
                left = start + len(piece) - len(piece.lstrip())
                spans.append(Span(left, left + len(stripped)))
            start = cut
        return tuple(spans)

    def at(self, offset: int) -> Sentence | None:
        """The sentence holding `offset`, or None between sentences and outside blocks."""
        number = bisect.bisect_right(self._starts, offset) - 1
        if number < 0 or offset >= self.blocks[number].span.end:
            return None
        spans = self.in_block(number)
        i = bisect.bisect_right(spans, offset, key=_start) - 1
        if i >= 0 and offset < spans[i].end:
            return number, i
        return None

    def span(self, sentence: Sentence) -> Span:
        return self.in_block(sentence[0])[sentence[1]]

    def after(self, sentence: Sentence) -> Sentence | None:
        """The next sentence if it is in the same block or the next one (further ones count as none)."""
        number, i = sentence
        if i + 1 < len(self.in_block(number)):
            return number, i + 1
        if number + 1 < len(self.blocks) and self.in_block(number + 1):
            return number + 1, 0
        return None

    def before(self, sentence: Sentence) -> Sentence | None:
        """The previous sentence if it is in the same block or the one before (further ones: none)."""
        number, i = sentence
        if i > 0:
            return number, i - 1
        if number > 0 and self.in_block(number - 1):
            return number - 1, len(self.in_block(number - 1)) - 1
        return None

    def clause_breaks(self, sentence: Sentence) -> tuple[Span, ...]:
        """Where clauses end inside a sentence, found on first use: the lexicon's `clause_break_re`,
        keeping a comma only right after a clause-break word ("Although it is not approved, it cures")."""
        if sentence not in self._breaks:
            breaks = []
            after_word = False
            span = self.span(sentence)
            for m in self._lex.clause_break_re.finditer(self._prose, span.start, span.end):
                if m.group("comma") is not None:
                    if not after_word:
                        continue
                    after_word = False
                else:
                    after_word = m.group("word") is not None
                breaks.append(Span(m.start(), m.end()))
            self._breaks[sentence] = tuple(breaks)
        return self._breaks[sentence]

    def extent(self, sentence: Sentence) -> Span:
        """The sentence with the gap up to the next one (or the block's edges): where masked link
        targets and footnote markers next to the sentence sit in the source."""
        number, i = sentence
        spans = self.in_block(number)
        block = self.blocks[number].span
        start = block.start if i == 0 else spans[i].start
        end = block.end if i + 1 == len(spans) else spans[i + 1].start
        return Span(min(start, spans[i].start), max(end, spans[i].end))


def _start(span: Span) -> int:
    return span.start


_INDEXES: dict[int, tuple[weakref.ref, list[tuple[Lexicon, SentenceIndex]]]] = {}


def _forget(key: int, ref: weakref.ref) -> None:
    entry = _INDEXES.get(key)
    if entry is not None and entry[0] is ref:
        _INDEXES.pop(key, None)


def sentence_index(doc: Document, lex: Lexicon) -> SentenceIndex:
    """The document's sentences, split on first use and cached while the document lives."""
    key = id(doc)
    entry = _INDEXES.get(key)
    if entry is None or entry[0]() is not doc:
        entry = (weakref.ref(doc, functools.partial(_forget, key)), [])
        _INDEXES[key] = entry
    for known, index in entry[1]:
        if known is lex or known == lex:
            return index
    index = SentenceIndex(doc.prose, doc.blocks, lex)
    entry[1].append((lex, index))
    return index


def sentences(doc: Document, lex: Lexicon) -> tuple[Span, ...]:
    """Every sentence, in order, trimmed; none crosses a block boundary."""
    return sentence_index(doc, lex).spans


def sentence_at(doc: Document, span: Span, lex: Lexicon) -> Span | None:
    """The sentence holding the start of `span`, or None if it starts outside every sentence."""
    index = sentence_index(doc, lex)
    sentence = index.at(span.start)
    return None if sentence is None else index.span(sentence)


# --- Clauses, negation, questions ---------------------------------------------------------------------


def clause_bounds(doc: Document, span: Span, lex: Lexicon) -> Span:
    """The clause holding `span`: its sentence cut at ; : dashes and clause-break words, trimmed."""
    index = sentence_index(doc, lex)
    sentence = index.at(span.start)
    if sentence is None:
        return span
    whole = index.span(sentence)
    start, end = whole.start, whole.end
    for cut in index.clause_breaks(sentence):
        if cut.end <= span.start:
            start = cut.end
        elif cut.start >= span.end:
            end = cut.start
            break
    piece = doc.prose[start:end]
    left = start + len(piece) - len(piece.lstrip())
    return Span(left, max(left, start + len(piece.rstrip())))


def is_negated(doc: Document, span: Span, lex: Lexicon) -> bool:
    """True if a negator (not an intensifier) precedes `span` in its clause, at most NEGATION_WINDOW words
    before it: "not a cure", "doesn't cure"; but not "not just a cure" or "no doubt: it cures"."""
    clause = clause_bounds(doc, span, lex)
    start = max(clause.start, span.start - _LOOKBACK_CHARS)
    if start >= span.start:
        return False
    prose = doc.prose
    negators = list(lex.negator_re.finditer(prose, start, span.start))
    if not negators:
        return False
    intensifiers = [m.span() for m in lex.intensifier_re.finditer(prose, start, span.end)]
    for m in reversed(negators):
        if any(a <= m.start() and m.end() <= b for a, b in intensifiers):
            continue
        return len(_WORD.findall(prose, m.end(), span.start)) <= NEGATION_WINDOW
    return False


def is_denied(doc: Document, span: Span, lex: Lexicon) -> bool:
    """True if the sentence after the question holding `span` opens with a denial ("No.", "Not yet",
    "No reliable evidence ..."), in the same block or the next one: a question answered "no" is no claim."""
    index = sentence_index(doc, lex)
    sentence = index.at(span.start)
    following = index.after(sentence) if sentence is not None else None
    if following is None:
        return False
    answer = index.span(following)
    return lex.denial_re.match(doc.prose, answer.start, answer.end) is not None


def is_question(doc: Document, span: Span, lex: Lexicon) -> bool:
    """True if the sentence holding `span` ends with a question mark (before closing quotes)."""
    sentence = sentence_at(doc, span, lex)
    if sentence is None:
        return False
    return doc.prose[sentence.start : sentence.end].rstrip(_QUESTION_TAIL).endswith(("?", "？", "‽"))


# --- Phrases ------------------------------------------------------------------------------------------


def word_pattern(
    phrases: Sequence[str], *, case_sensitive: bool = False, inflect: bool = True
) -> regex.Pattern:
    """One compiled pattern for all phrases, on Unicode word boundaries, longest spelling first.

    A space matches any whitespace run (a line break too), a hyphen a hyphen or whitespace, ' and ’ alike
    (`_atoms`); with `inflect`, the last word also matches its regular inflections (`inflections`).
    """
    items = texts("phrases", phrases, what="phrase")
    return _compile_words(tuple(p.strip() for p in items), bool(case_sensitive), bool(inflect))


@functools.lru_cache(maxsize=512)
def _compile_words(phrases: tuple[str, ...], case_sensitive: bool, inflect: bool) -> regex.Pattern:
    # A trie of the spellings, not a flat alternation: `regex` runs it several times faster.
    # Phrases that start with a word character and those that do not never compete for a position, so
    # each set gets its own trie and only the first needs a boundary. `\b` next to a word character is
    # (?<!\w) or (?!\w), and `regex` runs it faster.
    word_start: dict = {}
    other_start: dict = {}
    for phrase in phrases:
        last = _LAST_WORD.search(phrase) if inflect else None
        if last is None:
            variants: Sequence[str] = (phrase,)
        else:
            variants = [phrase[: last.start()] + form for form in inflections(last.group(1))]
        for variant in variants:
            node = word_start if _WORD_CHAR.match(variant[0]) else other_start
            for atom in _atoms(variant):
                node = node.setdefault(atom, {})
            node[_END] = r"\b" if _WORD_CHAR.match(variant[-1]) else ""
    parts = []
    if word_start:
        parts.append(r"\b" + _emit(word_start))
    if other_start:
        parts.append(_emit(other_start))
    return regex.compile("|".join(parts), 0 if case_sensitive else regex.IGNORECASE)


_END = ""  # the trie key that marks the end of a spelling; no atom is empty


def _depth(node: dict) -> int:
    return max((1 + _depth(child) for key, child in node.items() if key != _END), default=0)


def _emit(node: dict) -> str:
    """Regex source for a trie node: longer continuations first, ending here (with its boundary) last."""
    children = sorted(((k, v) for k, v in node.items() if k != _END), key=lambda kv: -_depth(kv[1]))
    branches = [key + _emit(child) for key, child in children]
    if _END in node:
        branches.append(node[_END])
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def inflections(word: str) -> tuple[str, ...]:
    """The word and its regular English inflections: cure -> cures, cured, curing; stop -> stopped.

    Only alphabetic words of three letters or more that are not all capitals (acronyms) are inflected.
    A doubled final consonant is added as well as the plain form ("visiting", "resetting"): a spelling
    that does not exist costs nothing to match.
    """
    if len(word) < 3 or not word.isalpha() or word.isupper():
        return (word,)
    low = word.lower()
    vowels = "aeiou"
    forms = [word]
    if low.endswith(("s", "x", "z", "ch", "sh")):
        forms.append(word + "es")
    elif low.endswith("y") and low[-2] not in vowels:
        forms.append(word[:-1] + "ies")
    else:
        forms.append(word + "s")
    if low.endswith("e"):
        forms.append(word + "d")
        if low.endswith("ie"):
            forms.append(word[:-2] + "ying")
        elif low.endswith(("ee", "ye", "oe")):
            forms.append(word + "ing")
        else:
            forms.append(word[:-1] + "ing")
    elif low.endswith("y") and low[-2] not in vowels:
        forms += [word[:-1] + "ied", word + "ing"]
    else:
        forms += [word + "ed", word + "ing"]
        if low[-1] not in vowels + "wxy" and low[-2] in vowels and low[-3] not in vowels:
            forms += [word + word[-1] + "ed", word + word[-1] + "ing"]
    return tuple(dict.fromkeys(forms))


def _atoms(text: str) -> list[str]:
    """Regex source for literal text, one atom per character: whitespace = any whitespace run (line
    breaks too), a hyphen = a hyphen or whitespace, straight and curly apostrophes alike.

    An apostrophe may be followed by spaces: an HTML reader decodes `isn&rsquo;t` to "isn’" plus
    padding, so the word stays findable at its true offsets."""
    out = []
    for token in _TOKEN.findall(text):
        if token.isspace():
            out.append(r"\s+")
        elif token in _HYPHENS:
            out.append(r"(?:[-‐‑]|\s+)")
        elif token in _APOSTROPHES:
            out.append("['’ʼ] *")
        else:
            out.extend(regex.escape(ch) for ch in token)
    return out


def _literal(text: str) -> str:
    """`_atoms` as one string."""
    return "".join(_atoms(text))


def _bounded(text: str, *, start: bool = True) -> str:
    """`_literal` on word boundaries, where the text begins or ends with a word character."""
    before = r"\b" if start and _WORD_CHAR.match(text[0]) else ""
    after = r"\b" if _WORD_CHAR.match(text[-1]) else ""
    return f"{before}{_literal(text)}{after}"


# --- Rule keys ----------------------------------------------------------------------------------------
# Shared by the kinds, whose constructors validate their keys: a ValueError becomes a located error.


def describe(value: object) -> str:
    """How a YAML value reads in an error message: 'a string', 'a number', 'nothing (null)'."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, Sequence):
        return "a list"
    return type(value).__name__


def texts(key: str, value: object, *, what: str = "pattern", allow_empty: bool = False) -> tuple[str, ...]:
    """A list of non-blank strings from a rule key, or ValueError naming the key."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise ValueError(f"{key}: expected a list of {what}s, got {describe(value)}")
    if not value and not allow_empty:
        raise ValueError(f"{key}: list at least one {what}")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise ValueError(f"{key}[{i}]: expected a string, got {describe(item)}")
        if not item.strip():
            raise ValueError(f"{key}[{i}]: empty {what}")
    return tuple(value)


def flag(key: str, value: object) -> bool:
    """A true/false rule key, or ValueError."""
    if not isinstance(value, bool):
        raise ValueError(f"{key}: expected true or false, got {describe(value)}")
    return value


MAX_REPEAT_PRODUCT = 1_000_000
_COUNTED_REPEAT = regex.compile(r"\{(\d{0,9}),?(\d{0,9})\}")


def _nested_repeats(source: str) -> int:
    """The largest product of counted repeats nested inside one another (`((x{10}){10}){10}`: 1,000).

    A rough scan (escapes and character classes skipped), enough to refuse patterns that `regex` would
    expand into gigabytes at compile time; sequential repeats (`.{0,40} .{0,40}`) do not multiply."""
    levels = [1]  # the largest product seen so far inside each open group
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            i = source.find("]", i + 2) + 1 or n
            continue
        if ch == "(":
            levels.append(1)
            i += 1
            continue
        inner = 1
        if ch == ")" and len(levels) > 1:
            inner = levels.pop()
        i += 1
        m = _COUNTED_REPEAT.match(source, i)
        count = max(int(m[1] or 0), int(m[2] or 0), 1) if m else 1
        if m:
            i = m.end()
        levels[-1] = max(levels[-1], inner * count)
    return max(levels)


def compile_regex(key: str, source: object, *, case_sensitive: bool = False) -> regex.Pattern:
    """A user's regular expression, case-insensitive unless asked; ValueError says what is wrong."""
    if not isinstance(source, str):
        raise ValueError(f"{key}: expected a regular expression (a string), got {describe(source)}")
    if not source.strip():
        raise ValueError(f"{key}: empty regular expression")
    if _nested_repeats(source) > MAX_REPEAT_PRODUCT:  # `regex` expands counted repeats when compiling
        raise ValueError(f"{key}: counted repeats multiply to more than {MAX_REPEAT_PRODUCT:,}; simplify the pattern")
    try:
        return regex.compile(source, 0 if case_sensitive else regex.IGNORECASE)
    except regex.error as e:
        raise ValueError(f"{key}: invalid regular expression: {e}") from None
    except (RecursionError, OverflowError, AttributeError, IndexError, TypeError) as e:
        # the `regex` module itself fails on some malformed input ('[^[\s\S]]' with IGNORECASE)
        raise ValueError(f"{key}: the regular expression cannot be compiled ({type(e).__name__})") from None


def compile_regexes(key: str, sources: object, *, case_sensitive: bool = False,
                    allow_empty: bool = False) -> tuple[regex.Pattern, ...]:
    """A list of regular expressions; each must not match the empty string (it would match anywhere)."""
    patterns = []
    for i, source in enumerate(texts(key, sources, allow_empty=allow_empty)):
        pattern = compile_regex(f"{key}[{i}]", source, case_sensitive=case_sensitive)
        if pattern.match("") is not None:
            raise ValueError(f"{key}[{i}]: {source!r} matches the empty string, so it matches anywhere")
        patterns.append(pattern)
    return tuple(patterns)
