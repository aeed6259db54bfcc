"""`kind: phrase`: flag listed words and phrases in prose.

Keys:
  phrases         words or phrases to flag; matched on word boundaries in any case, a space matching any
                  run of whitespace (a line break too), a hyphen matching a hyphen or a space, ' and ’
                  alike ("cure-all" finds "cure all"; "can't" finds "can’t")
  case_sensitive  true: match the case as written (default false)
  inflect         false: take the last word as written; by default it also matches its regular
                  inflections ("cure" finds cures, cured, curing; "stop" finds stopped)

Why a kind: every phrase rule then gets boundaries ("cure" is not in "secure"), inflections and line
breaks right the same way, and the engine applies negation and questions to all of them alike.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from healthlint import language
from healthlint.kinds.matcher import Matcher
from healthlint.model import Document, Span


class Phrase:
    document = False

    def __init__(self, phrases: Sequence[str], case_sensitive: bool = False, inflect: bool = True) -> None:
        items = language.texts("phrases", phrases, what="phrase")
        self.matchers = (Matcher(language.word_pattern(
            items,
            case_sensitive=language.flag("case_sensitive", case_sensitive),
            inflect=language.flag("inflect", inflect),
        )),)

    def find(self, doc: Document) -> Iterator[Span]:
        for m in self.matchers[0].finditer(doc):
            yield Span(m.start(), m.end())
