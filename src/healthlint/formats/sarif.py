"""SARIF 2.1.0, as GitHub code scanning accepts it (`github/codeql-action/upload-sarif`).

One run; `tool.driver.rules` holds every rule that has a result, sorted by id, so `ruleIndex` is
stable. Rule metadata (rationale, suggestion, references) is not in a `Finding`: the CLI passes
`rules=` (rule id -> `Rule`, as configured) because the registry marks this format `takes_rules`;
without it, or for a rule missing from it, the descriptor is built from the finding alone.

Positions: 1-based lines, columns in code points (`columnKind: unicodeCodePoints`, which SARIF
3.14.27 requires when there are results), `endColumn` exclusive (3.30.8). A whole-document finding
(empty span) points at line 1, column 1. URIs are the repo-relative POSIX path, percent-encoded,
against `%SRCROOT%`; an absolute path becomes a `file://` URI. `partialFingerprints` hold the
line-free fingerprint of `formats.fingerprinted`, also as `primaryLocationLineHash` so GitHub tracks
an alert by it instead of hashing the line (which changes whenever the line is edited).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote

from healthlint import __version__
from healthlint.model import Document, FileResult, Finding, Rule, Severity

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/ORG/healthlint"  # the project's home page (README's pre-commit repo)
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
MAX_DESCRIPTION = 1024  # GitHub's limit for shortDescription and fullDescription


def render(results: Iterable[FileResult], color: bool = False, *,
           rules: Mapping[str, Rule] | None = None) -> Iterator[str]:
    from healthlint.formats import fingerprinted

    located = list(fingerprinted(results))
    first: dict[str, Finding] = {}
    for _doc, f, _fp in located:
        first.setdefault(f.rule_id, f)
    ids = sorted(first)
    index = {rule_id: i for i, rule_id in enumerate(ids)}
    descriptors = [_descriptor(first[i], (rules or {}).get(i)) for i in ids]
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "healthlint", "version": __version__, "semanticVersion": __version__,
                            "informationUri": INFORMATION_URI, "rules": descriptors}},
        "columnKind": "unicodeCodePoints",
        "results": [_result(doc, f, fp, index[f.rule_id]) for doc, f, fp in located],
    }
    log = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    yield json.dumps(log, ensure_ascii=False, indent=2) + "\n"


def _descriptor(f: Finding, rule: Rule | None) -> dict[str, Any]:
    if rule is None:
        text = f.suggestion or f.name
        return {
            "id": f.rule_id,
            "name": f.name,
            "shortDescription": {"text": _clip(f.name)},
            "fullDescription": {"text": _clip(f.name)},
            "help": {"text": text, "markdown": _md_escape(text)},
            "defaultConfiguration": {"level": LEVEL[f.severity]},
        }
    rationale = " ".join(rule.rationale.split()) or rule.name
    text = [rationale]
    markdown = [f"**Why:** {_md_escape(rationale)}"]
    if rule.suggestion:
        suggestion = " ".join(rule.suggestion.split())
        text.append(f"What to write instead: {suggestion}")
        markdown.append(f"**What to write instead:** {_md_escape(suggestion)}")
    if rule.references:
        text.append("References:\n" + "\n".join(f"- {ref}" for ref in rule.references))
        markdown.append("**References:**\n\n" + "\n".join(f"- <{ref}>" for ref in rule.references))
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": _clip(_first_sentence(rationale))},
        "fullDescription": {"text": _clip(rationale)},
        "help": {"text": "\n\n".join(text), "markdown": "\n\n".join(markdown)},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
    }


def _result(doc: Document, f: Finding, fingerprint: str, rule_index: int) -> dict[str, Any]:
    if f.document and f.span.start == f.span.end:
        region = {"startLine": 1, "startColumn": 1}
    else:
        line, col = doc.position(f.span.start)
        end_line, end_col = doc.position(f.span.end)
        region = {"startLine": line, "startColumn": col, "endLine": end_line, "endColumn": end_col}
    return {
        "ruleId": f.rule_id,
        "ruleIndex": rule_index,
        "level": LEVEL[f.severity],
        "message": {"text": f.message},
        "locations": [{"physicalLocation": {"artifactLocation": _artifact(doc.path), "region": region}}],
        "partialFingerprints": {"primaryLocationLineHash": fingerprint, "healthlint/v1": fingerprint},
    }


def _artifact(path: str) -> dict[str, str]:
    """The path as a URI reference: relative against %SRCROOT%, or an absolute file:// URI."""
    if path.startswith("/") or re.match(r"[A-Za-z]:/", path):
        return {"uri": "file://" + ("" if path.startswith("/") else "/") + quote(path, safe="/:")}
    return {"uri": quote(path, safe="/"), "uriBaseId": "%SRCROOT%"}


def _first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])\s+(?=[A-Z\"'(])", text)
    return match.group(1) if match else text


def _clip(text: str) -> str:
    return text if len(text) <= MAX_DESCRIPTION else text[: MAX_DESCRIPTION - 1] + "…"


def _md_escape(text: str) -> str:
    """Plain text shown as Markdown: characters that would start markup or HTML are backslash-escaped."""
    return re.sub(r"([\\`*_{}\[\]<>#|!~])", r"\\\1", text)
