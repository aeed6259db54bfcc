"""Each finding with its source line, carets under the match, and what to write instead (ruff's `full`)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator

from healthlint.formats.style import SEVERITY_COLOR, paint
from healthlint.model import Document, FileResult, Finding

MAX_SNIPPET = 160  # characters of a long line shown around the match


def render(results: Iterable[FileResult], color: bool = False) -> Iterator[str]:
    for result in results:
        for finding in result.findings:
            yield _render_one(result.document, finding, color)


def _render_one(doc: Document, f: Finding, color: bool) -> str:
    line, col = doc.position(f.span.start)
    sev = SEVERITY_COLOR[f.severity]
    head = f"{paint(f.rule_id, f'bold {sev}', color)} {paint(str(f.severity), sev, color)}: {f.message}"
    out = [head, f"  {paint('-->', 'blue', color)} {doc.path}:{line}:{col}"]
    if f.document and f.span.start == f.span.end:
        out.append(f"  {paint('=', 'blue', color)} applies to the whole document")
    else:
        out.extend(_snippet(doc, f, line, col, color))
    if f.suggestion:
        out.append(f"  {paint('help:', 'bold', color)} {f.suggestion}")
    return "\n".join(out) + "\n\n"


def _width(text: str) -> int:
    """Terminal columns: wide East Asian characters and most emoji take two, combining marks none."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
               for ch in text)


def _snippet(doc: Document, f: Finding, line: int, col: int, color: bool) -> list[str]:
    text = doc.line_text(line).replace("\t", " ")
    end_line, end_col = doc.position(f.span.end)
    start = col - 1
    end = end_col - 1 if end_line == line else len(text)
    end = max(end, start + 1)
    left = max(0, min(start - 40, end - MAX_SNIPPET))
    right = min(len(text), max(end + 40, left + MAX_SNIPPET))
    shown = ("…" if left else "") + text[left:right] + ("…" if right < len(text) else "")
    prefix = ("…" if left else "") + text[left:start]
    gutter = " " * len(str(line))
    carets = " " * _width(prefix) + "^" * max(1, _width(text[start:min(end, right)]))
    bar = paint("|", "blue", color)
    return [
        f"{gutter} {bar}",
        f"{paint(str(line), 'blue', color)} {bar} {shown}",
        f"{gutter} {bar} {paint(carets, SEVERITY_COLOR[f.severity], color)}",
    ]
