"""`kind: pattern`: flag matches of a regular expression in prose.

Keys:
  pattern         a regular expression (Python `regex` syntax), any case; if it has a group named
                  `match`, `(?P<match>...)`, only that group is flagged, the rest is context
  case_sensitive  true: match the case as written (default false)

A match of no length is never flagged. Prefer `phrase` for words and phrases: it gets boundaries,
inflections and line breaks right without a regular expression.

Why a kind: shapes that are not a list of phrases, such as "#1", a percentage, or a word followed by a
condition, need a pattern; the named group keeps the flagged span to the words that matter.
"""

from __future__ import annotations

from collections.abc import Iterator

from healthlint import language
from healthlint.kinds.matcher import Matcher
from healthlint.model import Document, Span


class Pattern:
    document = False

    def __init__(self, pattern: str, case_sensitive: bool = False) -> None:
        compiled = language.compile_regex(
            "pattern", pattern, case_sensitive=language.flag("case_sensitive", case_sensitive)
        )
        self._group: int | str = "match" if "match" in compiled.groupindex else 0
        self.matchers = (Matcher(compiled),)

    def find(self, doc: Document) -> Iterator[Span]:
        for m in self.matchers[0].finditer(doc):
            start, end = m.span(self._group)
            if start < end:  # a group that did not take part spans (-1, -1)
                yield Span(start, end)
