"""Adopting healthlint on an existing site: record today's findings, then report only new ones.

A baseline entry is keyed by file, rule and matched text, never by line, so edits elsewhere in the
file do not invalidate it; a count per key lets the same phrase occur twice and be waived twice.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from healthlint.errors import InputError
from healthlint.model import FileResult, Finding

VERSION = 1

Key = tuple[str, str, str]  # path, rule id, matched text (whitespace collapsed)


def key_of(result: FileResult, finding: Finding) -> Key:
    text = " ".join(result.document.text(finding.span).split()) or finding.message
    return result.document.path, finding.rule_id, text


def dump(results: Iterable[FileResult]) -> str:
    """The baseline file's text: entries sorted, so it diffs cleanly in review."""
    counts = Counter(key_of(r, f) for r in results for f in r.findings)
    entries = [{"path": p, "rule": rule, "text": text, "count": n} for (p, rule, text), n in sorted(counts.items())]
    return json.dumps({"version": VERSION, "findings": entries}, indent=2, ensure_ascii=False) + "\n"


def load(text: str, name: str) -> Counter[Key]:
    """Parse a baseline file; a malformed one is an InputError naming it."""
    try:
        data = json.loads(text)
        entries = data["findings"]
        return Counter({(e["path"], e["rule"], e["text"]): int(e["count"]) for e in entries})
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{name}: not a healthlint baseline file ({exc})") from None


@dataclass(frozen=True)
class Filtered:
    results: tuple[FileResult, ...]
    waived: int  # findings the baseline covered
    stale: int  # baseline entries that no longer occur


def apply(results: Sequence[FileResult], baseline: Counter[Key]) -> Filtered:
    """Drop findings the baseline records (up to each key's count) and count entries no longer seen."""
    remaining = Counter(baseline)
    kept_results = []
    waived = 0
    for result in results:
        kept = []
        for finding in result.findings:
            key = key_of(result, finding)
            if remaining[key] > 0:
                remaining[key] -= 1
                waived += 1
            else:
                kept.append(finding)
        kept_results.append(result._replace(findings=tuple(kept)))
    linted = {r.document.path for r in results}
    stale = sum(n for (path, _, _), n in remaining.items() if n > 0 and path in linted)
    return Filtered(tuple(kept_results), waived, stale)
