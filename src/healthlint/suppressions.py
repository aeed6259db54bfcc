"""`<!-- healthlint-disable... -->` directives: which findings the author has reviewed and waived.

Directives come from the comments a reader recorded (HTML comments in Markdown and HTML, whole-line
directives in plain text), so a directive quoted inside a code block never counts.

  healthlint-disable-next-line HL101 -- reason   the next line
  healthlint-disable-line HL101                   the directive's own line
  healthlint-disable HL101 / healthlint-enable    a block (to the end of the file if never enabled)
  healthlint-disable-file HL101                   the whole document

Codes are rule ids or prefixes (`HL1`); with no code a directive covers every rule. Text after `--`
is the reason, kept for review.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

from healthlint import lazy
from healthlint.model import Document, Finding, Span

DIRECTIVE = lazy.compile(
    r"healthlint-(?P<verb>disable-next-line|disable-line|disable-file|disable|enable)(?![\w-])(?P<rest>.*)\Z", re.S
)
CODE = lazy.compile(r"HL\d{0,3}\Z")


class Directive(NamedTuple):
    """One parsed directive: its verb, the codes it names (empty: all), where it sits, and why."""

    verb: str
    codes: tuple[str, ...]
    span: Span
    reason: str

    def covers(self, rule_id: str) -> bool:
        return not self.codes or any(rule_id.startswith(code) for code in self.codes)


class _Region(NamedTuple):
    """Offsets [start, end) of the document where `directive` waives its rules."""

    start: int
    end: int
    directive: Directive


def parse(doc: Document) -> list[Directive]:
    """Every well-formed directive in the document's comments, in order."""
    directives = []
    for span in doc.comments:
        body = doc.text(span).strip().removeprefix("<!--").removesuffix("-->").strip().lstrip("#").strip()
        match = DIRECTIVE.match(body)
        if not match:
            continue
        codes_text, _, reason = match["rest"].partition("--")
        codes = tuple(c.upper() for c in re.split(r"[\s,]+", codes_text) if c)
        if not all(CODE.match(code) for code in codes):
            continue  # not ours to interpret: prose that happens to start with the word
        directives.append(Directive(match["verb"], codes, span, reason.strip()))
    return directives


def regions(doc: Document, directives: Sequence[Directive]) -> list[_Region]:
    """Turn directives into the offset ranges they cover."""
    found: list[_Region] = []
    open_blocks: list[tuple[int, Directive]] = []
    size = len(doc.source)
    for d in directives:
        line = doc.position(d.span.start)[0]
        end_line = doc.position(d.span.end)[0]
        if d.verb == "disable-file":
            found.append(_Region(0, size, d))
        elif d.verb == "disable-line":
            found.append(_Region(_line_start(doc, line), _line_start(doc, end_line + 1), d))
        elif d.verb == "disable-next-line":
            found.append(_Region(_line_start(doc, end_line + 1), _line_start(doc, end_line + 2), d))
        elif d.verb == "disable":
            open_blocks.append((d.span.end, d))
        else:  # enable closes the blocks whose codes it names (all of them when it names none)
            still_open = []
            for start, block in open_blocks:
                if not d.codes or set(block.codes) <= set(d.codes):
                    found.append(_Region(start, d.span.start, block))
                else:
                    still_open.append((start, block))
            open_blocks = still_open
    found.extend(_Region(start, size, block) for start, block in open_blocks)
    return found


class Outcome(NamedTuple):
    """What suppression did to one document's findings."""

    kept: tuple[Finding, ...]
    directives: tuple[Directive, ...]
    used: frozenset[int]  # indexes into `directives` of those that waived at least one finding


def apply(doc: Document, findings: Sequence[Finding]) -> Outcome:
    """The findings that no directive waives, and which directives were used."""
    if not doc.comments:
        return Outcome(tuple(findings), (), frozenset())
    directives = parse(doc)
    covered = regions(doc, directives)
    if not covered:
        return Outcome(tuple(findings), tuple(directives), frozenset())
    index = {id(d): i for i, d in enumerate(directives)}
    waived = [False] * len(findings)
    used: set[int] = set()
    # One sweep in offset order: a region joins when the sweep reaches its start and leaves once the
    # sweep is past its end, so each finding is checked against the regions open at its offset only
    # (not every directive: a page with a thousand findings and directives stays linear).
    regions_by_start = sorted(covered, key=lambda r: r.start)
    next_region = 0
    open_regions: list[_Region] = []
    for i in sorted(range(len(findings)), key=lambda i: findings[i].span.start):
        at = findings[i].span.start
        while next_region < len(regions_by_start) and regions_by_start[next_region].start <= at:
            open_regions.append(regions_by_start[next_region])
            next_region += 1
        open_regions = [r for r in open_regions if r.end > at or r.start == r.end == at]
        for region in open_regions:
            if region.directive.covers(findings[i].rule_id):
                waived[i] = True
                used.add(index[id(region.directive)])
    kept = tuple(f for f, is_waived in zip(findings, waived, strict=True) if not is_waived)
    return Outcome(kept, tuple(directives), frozenset(used))


def problems(outcome: Outcome, active_ids: Iterable[str], known_ids: Iterable[str],
             require_reason: bool = False) -> Iterator[tuple[str, Directive]]:
    """(problem, directive) for directives that name unknown rules, waive nothing, or lack a reason.

    A directive is only called unused when a rule it names is running: with that rule deselected it
    may well be needed on another run.
    """
    active, known = tuple(active_ids), tuple(known_ids)
    for i, d in enumerate(outcome.directives):
        if d.verb == "enable":
            continue
        if any(not any(rule.startswith(code) for rule in known) for code in d.codes):
            yield "unknown-code", d
            continue
        if require_reason and not d.reason:
            yield "missing-reason", d
        names_active = not d.codes or any(rule.startswith(code) for code in d.codes for rule in active)
        if i not in outcome.used and names_active:
            yield "unused", d


def _line_start(doc: Document, line: int) -> int:
    starts = doc.line_starts
    return starts[line - 1] if line <= len(starts) else len(doc.source)
