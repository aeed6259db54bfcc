"""Output formats, by the name `--format` takes: the one registry the CLI choices come from.

Every format has `render(results, color) -> Iterator[str]` and yields chunks the CLI writes as they
come; `results` is an iterable read once, in path order, so line formats stream and the others
collect what they need. Human formats get the summary line appended by the CLI; machine formats
hold nothing else. A format with `takes_rules=True` also accepts `rules=`, a mapping of rule id to
`Rule`, for rule metadata (rationale, suggestion, references) that findings do not carry; the CLI
passes the rules it ran, after config severity overrides.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from healthlint.model import Document, FileResult, Finding, Severity


class Format(NamedTuple):
    module: str  # healthlint.formats.<module>, imported when used: a run needs only one format
    human: bool  # prints a summary line and may use colour
    takes_rules: bool = False  # render accepts rules: Mapping[str, Rule] | None

    @property
    def render(self) -> Callable[..., Iterator[str]]:
        """(results, color, **{"rules": ...} if takes_rules) -> chunks of the report."""
        return importlib.import_module(f"healthlint.formats.{self.module}").render  # type: ignore[no-any-return]


FORMATS: dict[str, Format] = {
    "concise": Format("concise", human=True),
    "full": Format("full", human=True),
    "json": Format("json", human=False),
    "json-lines": Format("json_lines", human=False),
    "sarif": Format("sarif", human=False, takes_rules=True),
    "github": Format("github", human=False),
    "gitlab": Format("gitlab", human=False),
    "junit": Format("junit", human=False),
}


class Tally:
    """Findings per severity name, plus files and findings, counted as results stream past."""

    def __init__(self) -> None:
        self.counts = {"files": 0, "findings": 0, "error": 0, "warning": 0, "info": 0}
        self.worst: Severity | None = None  # the highest severity seen

    def watch(self, results: Iterable[FileResult]) -> Iterator[FileResult]:
        """The same results, counted as each passes."""
        counts = self.counts
        for result in results:
            counts["files"] += 1
            for finding in result.findings:
                counts["findings"] += 1
                counts[str(finding.severity)] += 1
                if self.worst is None or finding.severity > self.worst:
                    self.worst = finding.severity
            yield result


def counts(results: Iterable[FileResult]) -> dict[str, int]:
    """Findings per severity name, plus the number of files and findings."""
    tally = Tally()
    for _ in tally.watch(results):
        pass
    return tally.counts


def summary(tally: dict[str, int]) -> str:
    """'Found 3 findings (1 error, 2 warnings) in 2 files.' or 'No findings in 4 files.', from `counts`."""
    files = _plural(tally["files"], "file")
    if not tally["findings"]:
        return f"No findings in {files}.\n"
    parts = [_plural(tally[str(s)], str(s)) for s in sorted(Severity, reverse=True) if tally[str(s)]]
    return f"Found {_plural(tally['findings'], 'finding')} ({', '.join(parts)}) in {files}.\n"


def fingerprinted(results: Iterable[FileResult]) -> Iterator[tuple[Document, Finding, str]]:
    """Each finding with a fingerprint that survives edits elsewhere in the file, unique in the report.

    The hash covers the rule id, the path, the matched text (whitespace runs collapsed, so a CRLF/LF
    conversion does not change it) and how many earlier findings in the report had those same three:
    never a line or column, so text added above a finding leaves its fingerprint alone. A salt is
    added in the (theoretical) case of a collision, as ruff's GitLab format does.
    """
    occurrences: Counter[tuple[str, str, str]] = Counter()
    used: set[str] = set()
    for result in results:
        doc = result.document
        for f in result.findings:
            text = " ".join(doc.text(f.span).split())
            key = (f.rule_id, doc.path, text)
            occurrence = occurrences[key]
            occurrences[key] += 1
            salt = 0
            while (fp := _hash(*key, str(occurrence), str(salt))) in used:
                salt += 1
            used.add(fp)
            yield doc, f, fp


def _hash(*parts: str) -> str:
    import hashlib  # only reports with fingerprints need it; it loads OpenSSL

    data = "\x00".join(parts).encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()[:32]


def statistics(results: Iterable[FileResult]) -> Iterator[str]:
    """`count<TAB>code<TAB>name` per rule, most frequent first (ruff's --statistics)."""
    tally: dict[tuple[str, str], int] = {}
    for result in results:
        for f in result.findings:
            tally[(f.rule_id, f.name)] = tally.get((f.rule_id, f.name), 0) + 1
    for (code, name), count in sorted(tally.items(), key=lambda item: (-item[1], item[0])):
        yield f"{count}\t{code}\t{name}\n"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 or word == "info" else f"{n:,} {word}s"
