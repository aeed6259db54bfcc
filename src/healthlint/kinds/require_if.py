"""`kind: require-if`: when a document mentions a trigger, require a text somewhere in its prose.

Keys:
  triggers        regular expressions, any case, for what makes the requirement apply (`suicid\\w*`,
                  `self-harm`)
  patterns        regular expressions, any case, for what satisfies it anywhere in the prose
                  (`\\b988\\b`, `crisis text line`); a heading such as "A Lifeline in the Darkness" only
                  counts if a pattern matches it
  case_sensitive  true: match the case as written (default false)

The finding is reported once, on the first trigger in the document.

Why a kind: a requirement that depends on content, such as a crisis resource wherever suicide or
self-harm is mentioned, is neither a match nor a plain `require`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from healthlint import language
from healthlint.kinds.matcher import Matcher
from healthlint.model import Document, Span


class RequireIf:
    document = True

    def __init__(
        self, triggers: Sequence[str], patterns: Sequence[str], case_sensitive: bool = False
    ) -> None:
        case_sensitive = language.flag("case_sensitive", case_sensitive)
        compiled = language.compile_regexes("triggers", triggers, case_sensitive=case_sensitive)
        self._triggers = tuple(Matcher(p) for p in compiled)
        compiled = language.compile_regexes("patterns", patterns, case_sensitive=case_sensitive)
        self._patterns = tuple(Matcher(p) for p in compiled)
        self.matchers = self._triggers + self._patterns

    def find(self, doc: Document) -> Iterator[Span]:
        first: Span | None = None
        for trigger in self._triggers:
            m = trigger.search(doc)
            if m is not None and (first is None or (m.start(), -m.end()) < (first.start, -first.end)):
                first = Span(m.start(), m.end())
        if first is None:
            return
        if not any(p.search(doc) for p in self._patterns):
            yield first
