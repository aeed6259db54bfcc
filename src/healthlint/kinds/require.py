"""`kind: require`: flag a document that lacks a required text anywhere in its prose.

Keys:
  patterns        regular expressions, any case; the document passes if any of them matches anywhere in
                  its prose
  case_sensitive  true: match the case as written (default false)

The finding is on the whole document (an empty span at its start), reported once.

Why a kind: some text must be present, not absent (a medical-advice disclaimer, a risk statement), and
it counts wherever it is, so it cannot be a match of its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from healthlint import language
from healthlint.kinds.matcher import Matcher
from healthlint.model import Document, Span


class Require:
    document = True

    def __init__(self, patterns: Sequence[str], case_sensitive: bool = False) -> None:
        self.matchers = tuple(Matcher(p) for p in language.compile_regexes(
            "patterns", patterns, case_sensitive=language.flag("case_sensitive", case_sensitive)
        ))

    def find(self, doc: Document) -> Iterator[Span]:
        if not any(m.search(doc) for m in self.matchers):
            yield Span(0, 0)
