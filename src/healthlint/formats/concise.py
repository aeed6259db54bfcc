"""`path:line:col: HL101 message`, one finding a line: what editors, problem matchers and grep read."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from healthlint.formats.style import SEVERITY_COLOR, paint
from healthlint.model import FileResult


def render(results: Iterable[FileResult], color: bool = False) -> Iterator[str]:
    for result in results:
        doc = result.document
        for f in result.findings:
            line, col = doc.position(f.span.start)
            where = paint(f"{doc.path}:{line}:{col}:", "bold", color)
            code = paint(f.rule_id, f"bold {SEVERITY_COLOR[f.severity]}", color)
            yield f"{where} {code} {f.message}\n"
