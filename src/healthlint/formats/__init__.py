"""Output formats, by the name `--format` takes: the one registry the CLI choices come from.

Every format has `render(results, color) -> Iterator[str]` and yields chunks the CLI writes as they
come. Human formats get the summary line appended by the CLI; machine formats hold nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from healthlint.formats import concise, full, json
from healthlint.model import FileResult, Severity


@dataclass(frozen=True)
class Format:
    render: Callable[[Sequence[FileResult], bool], Iterator[str]]
    human: bool  # prints a summary line and may use colour


FORMATS: dict[str, Format] = {
    "concise": Format(concise.render, human=True),
    "full": Format(full.render, human=True),
    "json": Format(json.render, human=False),
}


def counts(results: Iterable[FileResult]) -> dict[str, int]:
    """Findings per severity name, plus the number of files and findings."""
    tally = {"files": 0, "findings": 0, "error": 0, "warning": 0, "info": 0}
    for result in results:
        tally["files"] += 1
        for finding in result.findings:
            tally["findings"] += 1
            tally[str(finding.severity)] += 1
    return tally


def summary(results: Sequence[FileResult]) -> str:
    """'Found 3 findings (1 error, 2 warnings) in 2 files.' or 'All checked: 4 files, no findings.'"""
    tally = counts(results)
    files = _plural(tally["files"], "file")
    if not tally["findings"]:
        return f"No findings in {files}.\n"
    parts = [_plural(tally[str(s)], str(s)) for s in sorted(Severity, reverse=True) if tally[str(s)]]
    return f"Found {_plural(tally['findings'], 'finding')} ({', '.join(parts)}) in {files}.\n"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n:,} {word}s"
