"""`kind: directive`: problems with healthlint's own suppression comments, reported as findings.

Keys:
  problem   which problem the rule reports: unused (a directive that waived nothing), unknown-code
            (a directive naming a rule id or prefix that does not exist), missing-reason (a directive
            without `-- reason`, reported only when the config sets `require-reason: true`)

The engine finds these after suppression, so `find` itself yields nothing: the kind only carries the
rule's id, message and severity, which keeps their wording in YAML like every other rule's.

Why a kind: an unused or misspelt suppression hides nothing today and hides a real finding tomorrow
(ruff's RUF100, ESLint's --report-unused-disable-directives).
"""

from __future__ import annotations

from collections.abc import Iterator

from healthlint.model import Document, Span

PROBLEMS = ("unused", "unknown-code", "missing-reason")


class Directive:
    document = False

    def __init__(self, problem: str) -> None:
        if problem not in PROBLEMS:
            raise ValueError(f"problem: {problem!r} is not one of {', '.join(PROBLEMS)}")
        self.problem = problem

    def find(self, doc: Document) -> Iterator[Span]:
        return iter(())
