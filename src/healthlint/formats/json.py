"""One JSON object: `{"findings": [...], "summary": {...}}` — a contract other tools rely on.

Each finding: path, line, column, end_line, end_column (1-based, columns in characters, end
exclusive), rule, name, severity, message, suggestion, document (true for a finding about the whole
document, such as a missing disclaimer). `finding_dict()` builds it; `json-lines` uses it too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from healthlint.model import Document, FileResult, Finding


def finding_dict(doc: Document, f: Finding) -> dict[str, Any]:
    """The contract's object for one finding (the same keys in `json` and `json-lines`)."""
    line, col = doc.position(f.span.start)
    end_line, end_col = doc.position(f.span.end)
    return {
        "path": doc.path,
        "line": line,
        "column": col,
        "end_line": end_line,
        "end_column": end_col,
        "rule": f.rule_id,
        "name": f.name,
        "severity": str(f.severity),
        "message": f.message,
        "suggestion": f.suggestion,
        "document": f.document,
    }


def render(results: Iterable[FileResult], color: bool = False) -> Iterator[str]:
    from healthlint.formats import Tally

    tally = Tally()
    yield '{"findings": ['
    first = True
    for result in tally.watch(results):
        for f in result.findings:
            item = finding_dict(result.document, f)
            yield ("\n  " if first else ",\n  ") + json.dumps(item, ensure_ascii=False)
            first = False
    yield ("\n" if not first else "") + '], "summary": ' + json.dumps(tally.counts) + "}\n"
