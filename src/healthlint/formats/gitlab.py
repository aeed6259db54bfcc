"""GitLab Code Quality report: a JSON array (`[]` when clean), one object per finding.

Required keys per GitLab's "Implement a custom tool" (doc/ci/testing/code_quality.md): `description`
(prefixed with the rule id, since the merge-request widget does not show `check_name`), `check_name`,
`fingerprint`, `severity` and `location.path` with `location.positions.begin.line`. The fingerprint
comes from `formats.fingerprinted`: rule id, path, matched text and an occurrence counter, never a
line number, so a finding keeps its identity when text is added above it, and it is unique within
the report (GitLab collapses identical fingerprints into one entry). Columns are code points, end
exclusive; a whole-document finding is placed at line 1, column 1.
Severity: error -> major, warning -> minor, info -> info.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from healthlint.model import Document, FileResult, Finding, Severity

SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def render(results: Iterable[FileResult], color: bool = False) -> Iterator[str]:
    from healthlint.formats import fingerprinted

    issues = [_issue(doc, f, fp) for doc, f, fp in fingerprinted(results)]
    yield json.dumps(issues, ensure_ascii=False, indent=2) + "\n"


def _issue(doc: Document, f: Finding, fingerprint: str) -> dict[str, Any]:
    if f.document and f.span.start == f.span.end:
        begin = end = (1, 1)
    else:
        begin, end = doc.position(f.span.start), doc.position(f.span.end)
    return {
        "description": f"{f.rule_id}: {f.message}",
        "check_name": f.rule_id,
        "fingerprint": fingerprint,
        "severity": SEVERITY[f.severity],
        "location": {
            "path": doc.path,
            "positions": {
                "begin": {"line": begin[0], "column": begin[1]},
                "end": {"line": end[0], "column": end[1]},
            },
        },
    }
