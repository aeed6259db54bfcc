#!/usr/bin/env python3
"""Time each rule of the built-in packs on pre-read documents, to find the slow ones and see why.

`run.py` times whole `healthlint check` processes; this times the rule engine alone, rule by rule, with
reading, start-up and rule loading left out, so a slow rule stands out of the noise. For each rule it
prints the CPU time of linting every document with that rule alone (`lint`: matching, then judging
negation and questions), the part of it spent matching (`find`: `rule.kind.find`), its findings, and
how each of its patterns is matched (`kinds/matcher.py`):

  anchored  tried only at candidate starts that the one shared literal scan found; `est` is the
            anchors' estimated density (candidate starts per character, `literals.density`) and `seen`
            the candidate starts measured per 1,000 characters of these documents
  needs     skipped in a document without one of its needed spellings, else run plainly
  PLAIN     regex `finditer` over the whole document: a regex attempt at every offset

The shared scan is timed on its own line (it is paid once per document, not per rule), and what rules
share (sentence and line indexes) is built before the rules are timed, so each rule's time is its own
work; `all rules` is `engine.lint_document` with every rule on fresh copies of the documents: what a
real run pays after reading. Each measurement is repeated and the smallest CPU time kept, as the
machine may be shared.

`where the time goes` splits a run after start-up into reading (bytes to documents: decoding, the
Markdown and HTML readers) and the rules, and measures how much of the rules' time is spent inside the
regular-expression engines themselves (the shared scan's trie, and every rule pattern's match, search
and finditer; wrapped with a clock for that one pass). The rest is Python: the readers, the loops over
scan hits and candidate starts, judging negation and questions, building findings. `with matching
free` is the speed that reading and that Python work allow were the regex engines to take no time: a
bound on what a faster regex engine alone could give (start-up, walking folders and printing excluded).

    PYTHONPATH=src python bench/rules.py --corpus bench/out/corpus-quick     # .md .html .txt under DIR
    PYTHONPATH=src python bench/rules.py --corpus bench/out/corpus-quick --glob '*.html' --top 15
    PYTHONPATH=src python bench/rules.py bench/out/corpus/long-line.txt --max-bytes 1000000
    PYTHONPATH=src python bench/rules.py --corpus DIR --select HL2,HL701 --json

`PYTHONPATH=src` times this working tree rather than whatever healthlint is installed. bench/out/ is
gitignored, so its files are found here by walking the folder, not by healthlint's own discovery.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
try:
    import healthlint  # noqa: F401  (installed, or already on the path)
except ImportError:
    sys.path.insert(0, str(ROOT / "src"))

from healthlint import engine, readers, rulefile  # noqa: E402
from healthlint.kinds import literals  # noqa: E402
from healthlint.model import Document, Rule  # noqa: E402

SUFFIXES = (".md", ".markdown", ".html", ".htm", ".txt")


@dataclass
class RuleTime:
    rule: Rule
    lint: float = float("inf")  # CPU seconds over all documents, this rule alone, best repeat
    find: float = float("inf")  # the part of it in rule.kind.find, best repeat
    findings: int = 0
    matchers: list[dict] = field(default_factory=list)  # how each pattern is matched, with measured candidates


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("paths", nargs="*", type=Path, help="files to lint (besides any --corpus)")
    parser.add_argument("--corpus", type=Path, action="append", default=[],
                        help="a folder: every .md, .html and .txt file under it (repeatable)")
    parser.add_argument("--glob", default="*", help="only corpus files whose name matches, e.g. '*.html'")
    parser.add_argument("--max-bytes", type=int, default=0, help="cut each file to this many bytes (0: whole)")
    parser.add_argument("--repeat", type=int, default=3, help="repeats; the best CPU time is kept (default 3)")
    parser.add_argument("--top", type=int, default=0, help="print only the slowest N rules (0: all)")
    parser.add_argument("--select", default="", help="only rules with these ids or prefixes (comma-separated)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)

    paths = list(args.paths)
    for folder in args.corpus:
        if not folder.is_dir():
            parser.error(f"--corpus {folder}: not a folder")
        paths += sorted(p for p in folder.rglob(args.glob) if p.is_file() and p.suffix.lower() in SUFFIXES)
    if not paths:
        parser.error("name files or a --corpus folder that holds .md, .html or .txt files")
    blobs = [(str(path), _read(path, args.max_bytes)) for path in paths]

    ruleset = rulefile.load_rules()
    stages = _stages(blobs, ruleset, max(1, args.repeat))  # first, while no documents are held
    prefixes = tuple(p.strip() for p in args.select.split(",") if p.strip())
    rules = [r for r in ruleset.rules if r.id.startswith(prefixes or ("",))]
    times = {rule.id: RuleTime(rule) for rule in rules}
    scan = whole = float("inf")
    for _ in range(max(1, args.repeat)):
        docs = [readers.load(path, data) for path, data in blobs]
        lint = dict.fromkeys(times, 0.0)
        find = dict.fromkeys(times, 0.0)
        scanned = 0.0
        for doc in docs:  # document by document: a document's scan is cached until the next one is scanned
            scanned += _scan(doc, ruleset.rules)
            # what rules share (sentence and line indexes) is made here, so each rule is timed for its own work
            engine.lint_document(doc, ruleset.rules, ruleset.lexicon)
            for rule in rules:
                began = time.process_time()
                for _span in rule.kind.find(doc):
                    pass
                middle = time.process_time()
                result = engine.lint_document(doc, [rule], ruleset.lexicon)
                find[rule.id] += middle - began
                lint[rule.id] += time.process_time() - middle
                times[rule.id].findings += len(result.findings)
        for rule_id, slot in times.items():
            slot.lint, slot.find = min(slot.lint, lint[rule_id]), min(slot.find, find[rule_id])
        scan = min(scan, scanned)
        fresh = [readers.load(path, data) for path, data in blobs]  # nothing cached: no scan, no lower-casing
        began = time.process_time()
        for doc in fresh:
            engine.lint_document(doc, ruleset.rules, ruleset.lexicon)
        whole = min(whole, time.process_time() - began)
    chars = sum(len(d.prose) for d in docs)
    described = _matchers(rules, docs, chars)
    for slot in times.values():
        slot.findings //= max(1, args.repeat)
        slot.matchers = described[slot.rule.id]

    ranked = sorted(times.values(), key=lambda t: -t.lint)[: args.top or None]
    size = sum(len(data) for _, data in blobs)
    if args.json:
        print(json.dumps({**_as_json(ranked, len(blobs), size, scan, whole), "stages": stages}, indent=1))
    else:
        print(_table(ranked, times.values(), len(blobs), size, scan, whole, args.repeat))
        print(_stage_lines(stages, size))
    return 0


class _Clocked:
    """A compiled pattern whose matching calls add their wall time to `clock[0]`."""

    def __init__(self, pattern: Any, clock: list[float]) -> None:
        self._pattern, self._clock = pattern, clock

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pattern, name)

    def _timed(self, method: str, *args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            found = getattr(self._pattern, method)(*args, **kwargs)
            return list(found) if method == "finditer" else found  # the iteration is the matching
        finally:
            self._clock[0] += time.perf_counter() - began

    def match(self, *args: Any, **kwargs: Any) -> Any:
        return self._timed("match", *args, **kwargs)

    def search(self, *args: Any, **kwargs: Any) -> Any:
        return self._timed("search", *args, **kwargs)

    def finditer(self, *args: Any, **kwargs: Any) -> Any:
        return iter(self._timed("finditer", *args, **kwargs))


def _stages(blobs: Sequence[tuple[str, bytes]], ruleset: rulefile.RuleSet, repeat: int) -> dict[str, float]:
    """CPU seconds of reading and of the rules (best of `repeat`), and the seconds the rules spent
    inside the regex engines: in the shared scan, and in the rules' own patterns."""
    read = rules = float("inf")
    for _ in range(repeat):  # document by document, as a run streams them: nothing piles up for the collector
        reading = linting = 0.0
        for path, data in blobs:
            began = time.process_time()
            doc = readers.load(path, data)
            middle = time.process_time()
            engine.lint_document(doc, ruleset.rules, ruleset.lexicon)
            reading, linting = reading + middle - began, linting + time.process_time() - middle
        read, rules = min(read, reading), min(rules, linting)
    matchers = [m for rule in ruleset.rules for m in getattr(rule.kind, "matchers", ())]
    scanners = {id(m._scanner): m._scanner for m in matchers if m.is_scanned and m._scanner is not None}
    scan_clock, pattern_clock = [0.0], [0.0]
    patterns = [(m, m.pattern) for m in matchers]
    tries = [(p, p.pattern()) for scanner in scanners.values() for p in scanner._passes]
    try:
        for m, pattern in patterns:
            m._pattern = _Clocked(pattern, pattern_clock)
        for p, trie in tries:
            p.compiled = _Clocked(trie, scan_clock)
        for path, data in blobs:
            engine.lint_document(readers.load(path, data), ruleset.rules, ruleset.lexicon)
    finally:
        for m, pattern in patterns:
            m._pattern = pattern
        for p, trie in tries:
            p.compiled = trie
    return {"read_cpu_seconds": read, "rules_cpu_seconds": rules, "scan_engine_seconds": scan_clock[0],
            "pattern_engine_seconds": pattern_clock[0]}


def _stage_lines(stages: dict[str, float], size: int) -> str:
    mb = size / 1e6
    read, rules = stages["read_cpu_seconds"], stages["rules_cpu_seconds"]
    inside = stages["scan_engine_seconds"] + stages["pattern_engine_seconds"]
    rest = max(read + rules - inside, 1e-9)
    return "\n".join([
        "",
        "where the time goes (after start-up; CPU time, best of the repeats):",
        f"  reading (decode, Markdown/HTML readers): {read * 1000:.0f} ms, {mb / read:.1f} MB/s",
        f"  rules: {rules * 1000:.0f} ms, of which {inside * 1000:.0f} ms inside the regex engines "
        f"(shared scan {stages['scan_engine_seconds'] * 1000:.0f} ms, rule patterns "
        f"{stages['pattern_engine_seconds'] * 1000:.0f} ms)",
        f"  reading + rules: {mb / (read + rules):.2f} MB/s; with matching free: {mb / rest:.2f} MB/s",
    ])


def _read(path: Path, limit: int) -> bytes:
    data = path.read_bytes()
    if limit and len(data) > limit:
        data = data[:limit].decode("utf-8", errors="ignore").encode()  # whole characters only
    return data


def _scan(doc: Document, rules: Iterable[Rule]) -> float:
    """CPU seconds of the literal scan that all scanned matchers share (cached per document)."""
    for rule in rules:
        for m in getattr(rule.kind, "matchers", ()):
            if m.is_scanned:
                began = time.process_time()
                _starts(m, doc)
                return time.process_time() - began
    return 0.0


def _matchers(rules: Sequence[Rule], docs: Sequence[Document], chars: int) -> dict[str, list[dict]]:
    """How each rule's patterns are matched, and the candidate starts they got in these documents."""
    found: dict[str, list[dict]] = {}
    for rule in rules:
        found[rule.id] = []
        for m in getattr(rule.kind, "matchers", ()):
            item: dict = {"how": "anchored" if m.is_anchored else "needs" if m.is_scanned else "PLAIN"}
            anchors, needs = getattr(m, "anchors", m._anchors), getattr(m, "needs", m._needs)
            if anchors is not None:
                item["density"] = literals.density(anchors)
                item["anchors"] = sorted({s for spellings, *_ in anchors for s in spellings})
            if needs is not None:
                item["needs"] = sorted(needs)
            found[rule.id].append(item)
    counts: dict[tuple[str, int], list[int]] = {}  # (rule, matcher) -> [candidate starts, documents run plainly]
    for doc in docs:  # document by document, so each is scanned once
        for rule in rules:
            for i, m in enumerate(getattr(rule.kind, "matchers", ())):
                if m.is_scanned:
                    starts = _starts(m, doc)
                    count = counts.setdefault((rule.id, i), [0, 0])
                    count[0] += len(starts) if starts is not None else 0
                    count[1] += starts is None
    for (rule_id, i), (candidates, plain) in counts.items():
        found[rule_id][i]["candidates_per_1000"] = 1000 * candidates / max(1, chars)
        found[rule_id][i]["plain_documents"] = plain
    return found


def _starts(m: object, doc: Document) -> list[int] | None:
    """A matcher's candidate starts (`_starts` before it was public, so older checkouts can be timed)."""
    return getattr(m, "starts", None)(doc) if hasattr(m, "starts") else m._starts(doc)  # type: ignore[attr-defined]


def _describe(item: dict) -> str:
    how = item["how"]
    if how == "PLAIN":
        return "PLAIN"
    text = how
    if "density" in item:
        text += f" est {1000 * item['density']:.2g}"
    if "candidates_per_1000" in item:
        text += f" seen {item['candidates_per_1000']:.2g}"
    if item.get("plain_documents"):
        text += f" ({item['plain_documents']} docs plain)"
    return text


def _table(ranked: Sequence[RuleTime], every: Iterable[RuleTime], files: int, size: int, scan: float,
           whole: float, repeat: int) -> str:
    every = list(every)
    total = sum(t.lint for t in every)
    mb = size / 1e6
    lines = [
        f"{files} files, {mb:.2f} MB; CPU time, best of {repeat}",
        f"all rules (engine.lint_document, fresh documents): {whole * 1000:.0f} ms, {mb / whole:.2f} MB/s",
        f"shared literal scan: {scan * 1000:.0f} ms; rules one by one: {total * 1000:.0f} ms in all",
        "(candidates: est = estimated and seen = measured candidate starts per 1,000 characters)",
        "",
        f"{'rule':<7} {'kind':<10} {'lint ms':>8} {'find ms':>8} {'share':>6} {'findings':>8}  matchers",
    ]
    for t in ranked:
        how = "; ".join(_describe(item) for item in t.matchers) or "-"
        lines.append(f"{t.rule.id:<7} {t.rule.kind_name:<10} {t.lint * 1000:>8.1f} {t.find * 1000:>8.1f} "
                     f"{t.lint / total if total else 0:>6.1%} {t.findings:>8}  {how}")
    return "\n".join(lines)


def _as_json(ranked: Sequence[RuleTime], files: int, size: int, scan: float, whole: float) -> dict:
    return {
        "files": files,
        "bytes": size,
        "all_rules_cpu_seconds": whole,
        "scan_cpu_seconds": scan,
        "rules": [{"id": t.rule.id, "kind": t.rule.kind_name, "lint_cpu_seconds": t.lint,
                   "find_cpu_seconds": t.find, "findings": t.findings, "matchers": t.matchers} for t in ranked],
    }


if __name__ == "__main__":
    sys.exit(main())
