#!/usr/bin/env python3
"""Score healthlint's rules against the evaluation corpus: precision and recall per rule family.

    python eval/score.py                      # tables, then every false positive and false negative
    python eval/score.py --family HL1         # one family (repeatable)
    python eval/score.py --json               # machine output
    python eval/score.py --min-precision 0.9  # exit 1 when a total falls below a threshold
    python eval/score.py --corpus eval/holdout  # another corpus folder (sentences.yaml, documents/)

The corpus:
  eval/sentences.yaml   single sentences, each linted on its own as a Markdown document; only span
                        findings count (whole-document findings such as a missing disclaimer are ignored)
  eval/documents/       short pages; .md carry `expect: [HL5, HL6]` in front matter, .html and .txt a
                        first-line comment `<!-- expect: HL5 HL6 -->` that is blanked before linting; all
                        findings count

Counting, per item and family (HL1 .. HL8): predicted = the families of the item's findings; a family
both expected and predicted is a true positive, predicted only a false positive, expected only a false
negative. Totals add the per-family counts (micro average). Exit codes: 0 ok, 1 below a threshold,
2 a malformed corpus or rule file.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
try:
    import healthlint  # noqa: F401  (installed, or already on the path)
except ImportError:
    sys.path.insert(0, str(ROOT / "src"))

from healthlint import engine, readers, rulefile  # noqa: E402
from healthlint.errors import HealthlintError  # noqa: E402
from healthlint.model import CONTEXT_VALUES, Context, Finding, Severity  # noqa: E402

SENTENCES = ROOT / "eval" / "sentences.yaml"
DOCUMENTS = ROOT / "eval" / "documents"
FAMILIES: dict[str, str] = {
    "HL1": "claims",
    "HL2": "evidence",
    "HL3": "regulatory",
    "HL4": "testimonials",
    "HL5": "safe messaging",
    "HL6": "disclaimers",
    "HL7": "audience",
    "HL8": "pricing",
}
SENTENCE_KEYS = ("text", "expect", "context", "note")
DOCUMENT_SUFFIXES = (".md", ".html", ".txt")
_FRONT_MATTER = re.compile(r"---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_EXPECT_COMMENT = re.compile(r"<!--\s*expect:(?P<labels>[^\n]*?)-->")
_RULE_ID = re.compile(r"HL\d{3}\Z")


class CorpusError(Exception):
    """The corpus is malformed; the message lists every problem as `file:line: problem`."""


@dataclass(frozen=True)
class Item:
    """One thing to lint: a sentence or a document, with the families it must (and only may) fire."""

    kind: str  # "sentence" | "document"
    where: str  # "eval/sentences.yaml:12" or "eval/documents/d01.md"
    name: str  # the file name the reader sees (decides the format)
    text: str
    expected: frozenset[str]
    context: Context = field(default_factory=Context)
    note: str = ""


@dataclass(frozen=True)
class Outcome:
    """An item's findings that count (after the sentence/document and severity filters)."""

    item: Item
    findings: tuple[Finding, ...]
    matches: tuple[str, ...]  # the text each finding covers, in the same order

    @property
    def predicted(self) -> frozenset[str]:
        return frozenset(family_of(f.rule_id) for f in self.findings) & FAMILIES.keys()


def family_of(rule_id: str) -> str:
    """'HL104' -> 'HL1'."""
    return rule_id[:3]


# --- loading the corpus ------------------------------------------------------------------------------


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def parse_labels(raw: object, where: str, problems: list[str]) -> frozenset[str]:
    """A list of family prefixes (YAML list, or a whitespace/comma separated string); problems appended."""
    if raw is None:
        raw = []
    if isinstance(raw, str):
        raw = [token for token in re.split(r"[\s,\[\]]+", raw) if token]
    if not isinstance(raw, list):
        problems.append(f"{where}: expect must be a list of families such as [HL1, HL2], not {raw!r}")
        return frozenset()
    labels = set()
    for label in raw:
        if label not in FAMILIES:
            problems.append(f"{where}: unknown family {label!r}; expected one of {', '.join(FAMILIES)}")
        elif label in labels:
            problems.append(f"{where}: family {label} listed twice")
        labels.add(label)
    return frozenset(label for label in labels if label in FAMILIES)


def parse_context(raw: object, where: str, problems: list[str]) -> Context:
    if raw is None:
        return Context()
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: context must be a mapping such as {{product: supplement}}")
        return Context()
    values = {}
    for key, value in raw.items():
        if key not in CONTEXT_VALUES:
            problems.append(f"{where}: unknown context key {key!r}; expected one of {', '.join(CONTEXT_VALUES)}")
        elif value not in CONTEXT_VALUES[key]:
            problems.append(f"{where}: context {key}: {value!r} is not one of {', '.join(CONTEXT_VALUES[key])}")
        else:
            values[key] = value
    return Context(**values)


def load_sentences(path: Path = SENTENCES) -> list[Item]:
    """The sentence items; raises CorpusError listing every malformed entry with its line."""
    source = path.read_text(encoding="utf-8")
    rel = _relative(path)
    try:
        data = yaml.safe_load(source)
        nodes = yaml.compose(source)
    except yaml.YAMLError as exc:
        raise CorpusError(f"{rel}: not valid YAML: {exc}") from None
    if not isinstance(data, list) or nodes is None:
        raise CorpusError(f"{rel}:1: the sentence file must be a YAML list of items")
    problems: list[str] = []
    items = []
    seen: dict[str, str] = {}
    for entry, node in zip(data, nodes.value, strict=True):
        where = f"{rel}:{node.start_mark.line + 1}"
        if not isinstance(entry, Mapping):
            problems.append(f"{where}: each item must be a mapping with text and expect")
            continue
        unknown = set(entry) - set(SENTENCE_KEYS)
        if unknown:
            problems.append(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
                            f"expected {', '.join(SENTENCE_KEYS)}")
        text = entry.get("text")
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{where}: text must be a non-empty string")
            continue
        if "expect" not in entry:
            problems.append(f"{where}: expect is missing (use [] for sentences that must not fire)")
        key = normalise(text)
        if key in seen:
            problems.append(f"{where}: duplicate of the sentence at {seen[key]}")
        seen.setdefault(key, where)
        items.append(Item(
            kind="sentence",
            where=where,
            name="sentence.md",
            text=text,
            expected=parse_labels(entry.get("expect"), where, problems),
            context=parse_context(entry.get("context"), where, problems),
            note=str(entry.get("note") or ""),
        ))
    if problems:
        raise CorpusError("\n".join(problems))
    return items


def normalise(text: str) -> str:
    """Case, spacing and punctuation folded, for duplicate checks."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def document_labels(path: Path, text: str, problems: list[str]) -> tuple[frozenset[str], str]:
    """The expected families of a document and the text to lint (an expect comment blanked)."""
    where = _relative(path)
    if path.suffix == ".md":
        match = _FRONT_MATTER.match(text)
        meta = None
        if match:
            try:
                meta = yaml.safe_load(match.group(1))
            except yaml.YAMLError as exc:
                problems.append(f"{where}: front matter is not valid YAML: {exc}")
                return frozenset(), text
        if not isinstance(meta, Mapping) or "expect" not in meta:
            problems.append(f"{where}: front matter needs an `expect:` list of families ([] for none)")
            return frozenset(), text
        return parse_labels(meta["expect"], where, problems), text
    first_line = text.split("\n", 1)[0]
    match = _EXPECT_COMMENT.search(first_line)
    if not match:
        problems.append(f"{where}:1: the first line must be a comment such as <!-- expect: HL5 HL6 -->")
        return frozenset(), text
    labels = parse_labels(match.group("labels"), where, problems)
    blanked = text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]
    return labels, blanked


def load_documents(folder: Path = DOCUMENTS) -> list[Item]:
    """The document items, in name order; raises CorpusError listing every malformed header."""
    problems: list[str] = []
    items = []
    for path in sorted(folder.iterdir()):
        if path.suffix not in DOCUMENT_SUFFIXES or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        expected, lintable = document_labels(path, text, problems)
        items.append(Item(kind="document", where=_relative(path), name=path.name, text=lintable,
                          expected=expected))
    if problems:
        raise CorpusError("\n".join(problems))
    return items


# --- linting and counting ----------------------------------------------------------------------------


def lint(items: Iterable[Item], ruleset: rulefile.RuleSet, min_severity: Severity = Severity.INFO) -> list[Outcome]:
    """Lint every item in-process; sentences keep span findings only, documents keep all findings."""
    outcomes = []
    for item in items:
        doc = readers.load(item.name, item.text.encode("utf-8"))
        result = engine.lint_document(doc, ruleset.rules, ruleset.lexicon, item.context)
        kept = tuple(f for f in result.findings
                     if f.severity >= min_severity and _RULE_ID.match(f.rule_id)
                     and not (item.kind == "sentence" and f.document))
        outcomes.append(Outcome(item, kept, tuple(doc.text(f.span) for f in kept)))
    return outcomes


def ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def counts(outcomes: Sequence[Outcome], families: Sequence[str]) -> dict[str, Any]:
    """TP/FP/FN, support (items expecting the family), precision and recall, per family and in total."""
    table: dict[str, dict[str, Any]] = {}
    for family in families:
        tp = sum(1 for o in outcomes if family in o.item.expected and family in o.predicted)
        fp = sum(1 for o in outcomes if family not in o.item.expected and family in o.predicted)
        fn = sum(1 for o in outcomes if family in o.item.expected and family not in o.predicted)
        table[family] = {"name": FAMILIES[family], "support": tp + fn, "tp": tp, "fp": fp, "fn": fn,
                         "precision": ratio(tp, tp + fp), "recall": ratio(tp, tp + fn)}
    tp, fp, fn = (sum(row[k] for row in table.values()) for k in ("tp", "fp", "fn"))
    total = {"support": tp + fn, "tp": tp, "fp": fp, "fn": fn,
             "precision": ratio(tp, tp + fp), "recall": ratio(tp, tp + fn)}
    expecting = sum(1 for o in outcomes if o.item.expected & set(families))
    return {"items": len(outcomes), "items_expecting": expecting, "families": table, "total": total}


def errors(outcomes: Sequence[Outcome], families: Sequence[str]) -> list[dict[str, Any]]:
    """Every item with a false positive or a false negative in `families`, in corpus order."""
    wanted = set(families)
    found = []
    for o in outcomes:
        fp = sorted((o.predicted - o.item.expected) & wanted)
        fn = sorted((o.item.expected - o.predicted) & wanted)
        if not fp and not fn:
            continue
        found.append({
            "kind": o.item.kind,
            "where": o.item.where,
            "text": o.item.text if o.item.kind == "sentence" else "",
            "context": {k: v for k, v in o.item.context._asdict().items() if v != getattr(Context(), k)},
            "note": o.item.note,
            "expected": sorted(o.item.expected),
            "got": [{"rule": f.rule_id, "name": f.name, "severity": str(f.severity), "match": m,
                     "document": f.document} for f, m in zip(o.findings, o.matches, strict=True)],
            "false_positive": fp,
            "false_negative": fn,
        })
    return found


# --- output ------------------------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "   -" if value is None else f"{value:5.1%}"


def table_lines(title: str, result: Mapping[str, Any]) -> list[str]:
    lines = [f"{title}: {result['items']} items, {result['items_expecting']} expect a finding",
             f"  {'family':<22}{'support':>8}{'TP':>6}{'FP':>6}{'FN':>6}{'precision':>11}{'recall':>9}"]
    rows = [(f"{fam} {row['name']}", row) for fam, row in result["families"].items()]
    rows.append(("total", result["total"]))
    for label, row in rows:
        lines.append(f"  {label:<22}{row['support']:>8}{row['tp']:>6}{row['fp']:>6}{row['fn']:>6}"
                     f"{_pct(row['precision']):>11}{_pct(row['recall']):>9}")
    return lines


def error_lines(found: Sequence[Mapping[str, Any]]) -> list[str]:
    lines = []
    for kind, verdict in (("sentence", "false_positive"), ("sentence", "false_negative"),
                          ("document", "false_positive"), ("document", "false_negative")):
        chosen = [e for e in found if e["kind"] == kind and e[verdict]]
        label = verdict.replace("_", " ") + "s"
        lines.append("")
        lines.append(f"{kind.capitalize()} {label} ({len(chosen)}):")
        for e in chosen:
            got = ", ".join(f"{g['rule']} {json.dumps(' '.join(g['match'].split())[:60])}"
                            + (" (document)" if g["document"] else "") for g in e["got"]) or "nothing"
            context = " ".join(f"{k}={v}" for k, v in e["context"].items())
            lines.append(f"  {e['where']}: {label[:-1]} {', '.join(e[verdict])}"
                         f"  expected [{', '.join(e['expected'])}]  got {got}" + (f"  [{context}]" if context else ""))
            if e["text"]:
                lines.append(f"      {e['text']}")
            if e["note"]:
                lines.append(f"      note: {e['note']}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--family", action="append", metavar="HLn", choices=list(FAMILIES),
                        help="score only this family (repeatable)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--min-precision", type=float, metavar="P",
                        help="exit 1 if the sentence or document total precision is below P (0..1)")
    parser.add_argument("--min-recall", type=float, metavar="R",
                        help="exit 1 if the sentence or document total recall is below R (0..1)")
    parser.add_argument("--min-severity", choices=["info", "warning", "error"], default="info",
                        help="count only findings at or above this severity (default: info, i.e. all)")
    parser.add_argument("--rules", action="append", type=Path, metavar="PATH",
                        help="rule files or folders to use instead of the built-in packs (repeatable)")
    parser.add_argument("--summary", action="store_true", help="tables only, without the error listing")
    parser.add_argument("--corpus", type=Path, default=SENTENCES.parent, metavar="DIR",
                        help="corpus folder holding sentences.yaml and documents/ (default: eval/)")
    args = parser.parse_args(argv)
    for name in ("min_precision", "min_recall"):
        value = getattr(args, name)
        if value is not None and not 0 <= value <= 1:
            parser.error(f"--{name.replace('_', '-')} must be between 0 and 1")

    families = args.family or list(FAMILIES)
    try:
        sentences = load_sentences(args.corpus / "sentences.yaml")
        documents = load_documents(args.corpus / "documents")
        ruleset = rulefile.load_rules(args.rules) if args.rules else rulefile.load_rules()
    except (CorpusError, HealthlintError) as exc:
        print(f"score.py: {exc}", file=sys.stderr)
        return 2
    severity = Severity.parse(args.min_severity)
    results = {kind: lint(items, ruleset, severity) for kind, items in
               (("sentences", sentences), ("documents", documents))}
    report: dict[str, Any] = {
        "rules": len(ruleset.rules),
        "families": families,
        "min_severity": args.min_severity,
        "sentences": counts(results["sentences"], families),
        "documents": counts(results["documents"], families),
        "errors": errors(results["sentences"], families) + errors(results["documents"], families),
    }

    failures = []
    for kind in ("sentences", "documents"):
        total = report[kind]["total"]
        for name, key in (("min_precision", "precision"), ("min_recall", "recall")):
            threshold, value = getattr(args, name), total[key]
            if threshold is not None and value is not None and value < threshold:
                failures.append(f"{kind} {key} {value:.1%} is below --{name.replace('_', '-')} {threshold:.1%}")
    report["threshold_failures"] = failures

    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"healthlint eval: {report['rules']} rules, findings at {args.min_severity} or above\n")
        print("\n".join(table_lines("Sentences (span findings only)", report["sentences"])))
        print()
        print("\n".join(table_lines("Documents (all findings)", report["documents"])))
        if not args.summary:
            print("\n".join(error_lines(report["errors"])))
        for failure in failures:
            print(f"score.py: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
