"""lint_document(doc, rules, lexicon) -> FileResult: find, judge context, build findings, suppress, sort.

Kinds only say where text matches; the rule's context policy is applied here, once, for every span
kind alike: a match inside a negation is skipped unless the rule says negation does not excuse it,
and a match inside a question is skipped, downgraded to info, or kept, as the rule says.
"""

from __future__ import annotations

from collections.abc import Iterable

from healthlint import language, suppressions
from healthlint.language import Lexicon
from healthlint.model import Document, FileResult, Finding, Notice, Rule, Severity, Span, sort_findings


def lint_document(doc: Document, rules: Iterable[Rule], lexicon: Lexicon) -> FileResult:
    """Run every rule over one document and return its sorted, unsuppressed findings."""
    findings: list[Finding] = []
    notices: list[Notice] = []
    for rule in rules:
        try:
            findings.extend(_findings(doc, rule, lexicon))
        except TimeoutError:
            notices.append(Notice(doc.path, f"{rule.id}: matching timed out; the rule was skipped for this file"))
    kept = suppressions.apply(doc, findings)
    return FileResult(doc, sort_findings(kept), tuple(notices))


def _findings(doc: Document, rule: Rule, lexicon: Lexicon) -> Iterable[Finding]:
    document = rule.is_document
    for span in rule.kind.find(doc):
        severity = _judge(doc, span, rule, lexicon) if not document else rule.severity
        if severity is None:
            continue
        yield Finding(
            rule_id=rule.id,
            name=rule.name,
            severity=severity,
            message=format_message(rule.message, doc.text(span)),
            span=span,
            suggestion=rule.suggestion,
            document=document,
        )


def _judge(doc: Document, span: Span, rule: Rule, lexicon: Lexicon) -> Severity | None:
    """The severity a span match deserves in its context, or None when the context excuses it."""
    if rule.negation == "excuses" and language.is_negated(doc, span, lexicon):
        return None
    if rule.questions != "flag" and language.is_question(doc, span, lexicon):
        return None if rule.questions == "skip" else Severity.INFO
    return rule.severity


def format_message(template: str, match: str) -> str:
    """Fill `{match}` with the matched text on one line (plain replace: braces in copy are safe)."""
    return template.replace("{match}", " ".join(match.split()))
