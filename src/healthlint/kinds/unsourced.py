"""`kind: unsourced`: flag a statistic that no nearby citation backs ("70% of patients respond").

Keys:
  claims          regular expressions, any case, for statistic-like claims: percentages, ranges ("50-70%"),
                  "7 in 10", "twice as likely"; each match is one claim (overlapping matches count once)
  citations       regular expressions, any case, for what counts as a source: "according to the National
                  Institute of Mental Health", "(Smith et al., 2020)", a DOI, a PMID, a link to doi.org.
                  They are searched in the source text, so link targets that prose hides count too
  exclude         regular expressions, any case, for numbers that are not claims ("100% confidential",
                  "0.5 mg/kg", prices); searched in the claim's sentence, a match that overlaps the
                  claim skips it (default: none)
  window          how many sentences before and after the claim's sentence may hold the citation,
                  within its own block or the block just before or after it (default 1; 0 = its sentence);
                  the sentences are searched as one stretch of text
  case_sensitive  true: match the case as written (default false)

A claim is sourced when a citation matches in its sentence or within `window` sentences of it, or when
its sentence carries a footnote marker ([1], [^1], ¹, <sup>1</sup>) whose entry the document defines: a
`[^1]:` line, a line starting with ¹, or a `[1]`, `1.` or `1)` line (or an HTML list item) after a
References, Sources or Notes heading. Sentences here are split on punctuation alone (kinds are not given
the lexicon's abbreviations), so "Dr." may end one; a window of 1 absorbs that.

Why a kind: "unsourced" is about what surrounds a match, not the match itself, which a single regular
expression could only approximate with fragile look-arounds.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import regex

from healthlint import deadline, language
from healthlint.kinds.matcher import Matcher
from healthlint.model import Document, Span

# Footnote markers and where their entries live: document structure, not wording, so they stay here.
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_FROM_SUPERSCRIPT = str.maketrans(_SUPERSCRIPTS, "0123456789")
_MARKER = language.lazy_regex(
    r"\[\^?(?P<label>\w{1,20})\](?!:)"  # [1] [^1] [^note]
    r"|<sup\b[^>]*>\s*(?:<a\b[^>]*>\s*)?\[?(?P<sup>\d{1,4})\]?\s*(?:</a>\s*)?</sup>"  # <sup>1</sup>
    r"|(?P<superscript>[⁰¹²³⁴⁵⁶⁷⁸⁹]+)"  # ¹²
)
_FOOTNOTE_ENTRY = language.lazy_regex(r"^[ \t>]*\[\^?(\w{1,20})\]:", regex.MULTILINE)  # [^1]: ...  [1]: ...
_SUPERSCRIPT_ENTRY = language.lazy_regex(r"^[ \t>]*([⁰¹²³⁴⁵⁶⁷⁸⁹]+)", regex.MULTILINE)  # ¹ Smith J ...
_NOTES_HEADING = language.lazy_regex(
    r"^[ \t]*(?:#{1,6}[ \t]*|<h[1-6]\b[^>]*>[ \t]*|\*\*|__)?"
    r"(?:references|sources|notes|footnotes|endnotes|citations|bibliography|works cited)\b[^\n]{0,40}$",
    regex.MULTILINE | regex.IGNORECASE,
)
_NOTES_LINE = language.lazy_regex(
    r"^[ \t]*(?:[-*+][ \t]+)?(?:\[(\d{1,4})\]|(\d{1,4})[.)](?=\s)|([⁰¹²³⁴⁵⁶⁷⁸⁹]+))", regex.MULTILINE
)
_LIST_ITEM = language.lazy_regex(r"<li\b", regex.IGNORECASE)


class Unsourced:
    document = False

    def __init__(
        self,
        claims: Sequence[str],
        citations: Sequence[str],
        exclude: Sequence[str] = (),
        window: int = 1,
        case_sensitive: bool = False,
    ) -> None:
        case_sensitive = language.flag("case_sensitive", case_sensitive)
        compiled = language.compile_regexes("claims", claims, case_sensitive=case_sensitive)
        self.matchers = tuple(Matcher(p) for p in compiled)
        self._citations = language.compile_regexes("citations", citations, case_sensitive=case_sensitive)
        self._exclude = language.compile_regexes(
            "exclude", exclude, case_sensitive=case_sensitive, allow_empty=True
        )
        if isinstance(window, bool) or not isinstance(window, int) or window < 0:
            raise ValueError(f"window: expected a whole number of sentences, 0 or more, got {window!r}")
        self._window = window
        # sentences split on punctuation alone (kinds are not given the lexicon); compiled now, so the
        # rules cache carries the patterns instead of every run compiling them for its first claim
        self._sentences = language.EMPTY_LEXICON.compile()

    def find(self, doc: Document) -> Iterator[Span]:
        timeout = deadline.timeout(doc.prose)  # None under the engine's watch
        claims = self._claim_spans(doc)
        if not claims:
            return
        index = language.sentence_index(doc, self._sentences)
        sourced: dict[Span, bool] = {}  # region -> holds a citation; each region searched once
        footnotes: set[str] | None = None
        for claim in claims:
            at = index.at(claim.start)
            sentence = claim if at is None else index.span(at)
            if self._is_excluded(doc.prose, claim, sentence, timeout):
                continue
            if at is None:  # outside every block: only the claim's own line can source it
                line = Span(doc.prose.rfind("\n", 0, claim.start) + 1, _line_end(doc.prose, claim.end))
                if not self._has_citation(doc.source, line, timeout):
                    yield claim
                continue
            region = self._region(index, at)
            if region not in sourced:
                sourced[region] = self._has_citation(doc.source, region, timeout)
            if sourced[region]:
                continue
            markers = _markers(doc.source, index.extent(at), timeout)
            if markers:
                if footnotes is None:
                    footnotes = _footnote_entries(doc.source, timeout)
                if any(_resolves(marker, footnotes) for marker in markers):
                    continue
            yield claim

    def _claim_spans(self, doc: Document) -> list[Span]:
        """Every claim match, sorted; of overlapping matches ("50-70%" and "70%") the first, longest one."""
        found = sorted(
            (m.start(), -m.end())
            for matcher in self.matchers
            for m in matcher.finditer(doc)
            if m.end() > m.start()
        )
        spans: list[Span] = []
        for start, neg_end in found:
            if not spans or start >= spans[-1].end:
                spans.append(Span(start, -neg_end))
        return spans

    def _is_excluded(self, prose: str, claim: Span, sentence: Span, timeout: float | None) -> bool:
        for pattern in self._exclude:
            for m in pattern.finditer(prose, sentence.start, sentence.end, timeout=timeout):
                if m.start() == m.end():  # a bare look-around marks a point: inside the claim or not
                    if claim.start <= m.start() < claim.end:
                        return True
                elif m.start() < claim.end and claim.start < m.end():
                    return True
        return False

    def _region(self, index: language.SentenceIndex, sentence: language.Sentence) -> Span:
        """The sentence and up to `window` sentences either side in its block or an adjacent one, as
        one stretch of source, so a citation that a period splits ("Zarate et al. (2006)") still matches."""
        first = last = sentence
        for _ in range(self._window):
            step = index.before(first)
            if step is None or sentence[0] - step[0] > 1:
                break
            first = step
        for _ in range(self._window):
            step = index.after(last)
            if step is None or step[0] - sentence[0] > 1:
                break
            last = step
        return Span(index.extent(first).start, index.extent(last).end)

    def _has_citation(self, source: str, region: Span, timeout: float | None) -> bool:
        return any(c.search(source, region.start, region.end, timeout=timeout) for c in self._citations)


def _line_end(text: str, offset: int) -> int:
    end = text.find("\n", offset)
    return len(text) if end < 0 else end


def _markers(source: str, extent: Span, timeout: float | None) -> list[str]:
    """The footnote labels in a sentence's source: "1", "note"; superscripts as digits ("12")."""
    labels = []
    for m in _MARKER.finditer(source, extent.start, extent.end, timeout=timeout):
        label = m.group("label") or m.group("sup") or m.group("superscript").translate(_FROM_SUPERSCRIPT)
        labels.append(label.casefold())
    return labels


def _footnote_entries(source: str, timeout: float | None) -> set[str]:
    """The footnote labels the document defines (see the module docstring)."""
    labels = {m.group(1).casefold() for m in _FOOTNOTE_ENTRY.finditer(source, timeout=timeout)}
    labels.update(
        m.group(1).translate(_FROM_SUPERSCRIPT) for m in _SUPERSCRIPT_ENTRY.finditer(source, timeout=timeout)
    )
    heading = _NOTES_HEADING.search(source, timeout=timeout)
    if heading is not None:
        for m in _NOTES_LINE.finditer(source, heading.end(), timeout=timeout):
            labels.add(m.group(1) or m.group(2) or m.group(3).translate(_FROM_SUPERSCRIPT))
        items = len(_LIST_ITEM.findall(source, heading.end(), timeout=timeout))
        labels.update(str(n) for n in range(1, items + 1))
    return labels


def _resolves(marker: str, footnotes: set[str]) -> bool:
    """A defined label; "12" from ¹² also resolves when 1 and 2 are both defined."""
    return marker in footnotes or (marker.isdigit() and all(d in footnotes for d in marker))
