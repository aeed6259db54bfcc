"""One JSON object: `{"findings": [...], "summary": {...}}` — a contract other tools rely on.

Each finding: path, line, column, end_line, end_column (1-based, columns in characters, end
exclusive), rule, name, severity, message, suggestion, document (true for a finding about the whole
document, such as a missing disclaimer).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

from healthlint.model import FileResult


def render(results: Sequence[FileResult], color: bool = False) -> Iterator[str]:
    from healthlint.formats import counts

    yield '{"findings": ['
    first = True
    for result in results:
        doc = result.document
        for f in result.findings:
            line, col = doc.position(f.span.start)
            end_line, end_col = doc.position(f.span.end)
            item = {
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
            yield ("\n  " if first else ",\n  ") + json.dumps(item, ensure_ascii=False)
            first = False
    yield ("\n" if not first else "") + '], "summary": ' + json.dumps(counts(results)) + "}\n"
