"""GitHub Actions workflow commands: one `::error|warning|notice ...::message` line per finding.

    ::error file=docs/a.md,line=3,col=15,endLine=3,endColumn=19,title=HL101 cure-claim::"cure" promises ...

Escaped as actions/toolkit `packages/core/src/command.ts` does (and the runner undoes): in the message
`%` -> `%25`, CR -> `%0D`, LF -> `%0A`; in property values also `:` -> `%3A` and `,` -> `%2C`; `%`
first. The runner splits its output into lines at CR and LF only, so with both escaped no text from a
linted file can end the line and start a command of its own, and with `:` escaped no property
value can contain the `::` that ends the properties. `col`/`endColumn` are sent only when the
finding starts and ends on the same line (the toolkit drops them otherwise). A whole-document finding
is annotated on line 1. Severity: error -> error, warning -> warning, info -> notice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from healthlint.model import Document, FileResult, Finding, Severity

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render(results: Iterable[FileResult], color: bool = False) -> Iterator[str]:
    for result in results:
        for f in result.findings:
            yield annotation(result.document, f)


def annotation(doc: Document, f: Finding) -> str:
    """One workflow command line, ending in '\\n'."""
    props = [("file", doc.path)]
    if f.document and f.span.start == f.span.end:
        props.append(("line", "1"))
    else:
        line, col = doc.position(f.span.start)
        end_line, end_col = doc.position(f.span.end)
        props.append(("line", str(line)))
        if end_line == line:
            props += [("col", str(col)), ("endLine", str(end_line)), ("endColumn", str(end_col))]
        else:
            props.append(("endLine", str(end_line)))
    props.append(("title", f"{f.rule_id} {f.name}"))
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{LEVEL[f.severity]} {joined}::{escape_data(f.message)}\n"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
