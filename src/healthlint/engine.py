"""lint_document(doc, rules, lexicon) -> FileResult: find, judge context, build findings, suppress, sort.

Kinds only say where text matches; the rule's context policy is applied here, once, for every span
kind alike: a match inside a negation is skipped unless the rule says negation does not excuse it,
and a match inside a question is skipped, downgraded to info, kept, or kept unless the next sentence
answers "no" (`unless-denied`: "Can ketamine cure depression?" as a heading invites a yes), as the
rule says.
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterable, Iterator, Mapping, Sequence

from healthlint import deadline, language, suppressions
from healthlint.language import Lexicon
from healthlint.model import (
    CONTEXT_VALUES,
    Context,
    Document,
    FileResult,
    Finding,
    Notice,
    Rule,
    Severity,
    Span,
    sort_findings,
)

DEFAULT_CONTEXT = Context()


def lint_document(doc: Document, rules: Sequence[Rule], lexicon: Lexicon,
                  context: Context = DEFAULT_CONTEXT, known_ids: Iterable[str] | None = None) -> FileResult:
    """Run every rule that applies in the document's context and return its sorted, unsuppressed findings.

    `context` is the run's default (from config); the document's front matter may refine it.
    `known_ids` are all rule ids that exist (default: those of `rules`), so a suppression naming a
    deselected rule is not mistaken for a misspelt one.
    """
    findings: list[Finding] = []
    context, notices = document_context(doc, context)
    blank = not doc.prose.strip()  # an empty page needs no disclaimer or crisis line
    seconds = deadline.rule_seconds(doc.prose)
    with deadline.watch() as watch:
        for base in rules:
            rule = _in_context(base, context)
            if rule is None or (blank and rule.is_document):
                continue
            try:
                watch.start(seconds)
                found = list(_findings(doc, rule, lexicon))  # all or nothing: a timed-out rule reports nothing
                watch.stop()
            except TimeoutError:
                watch.stop()
                notices.append(Notice(doc.path, f"{rule.id}: matching timed out; the rule was skipped for this file"))
                continue
            findings.extend(found)
    outcome = suppressions.apply(doc, findings)
    kept = list(outcome.kept)
    if outcome.directives:
        kept.extend(_directive_findings(doc, outcome, rules, known_ids))
    return FileResult(doc, sort_findings(kept), tuple(notices))


# (id of a rule, context) -> (that rule, the rule as it applies there): nearly every file has the same
# context, and resolving overrides for each rule of each file is a tenth of the cost of a small file
_RESOLVED: dict[tuple[int, Context], tuple[Rule, Rule | None]] = {}


def _in_context(rule: Rule, context: Context) -> Rule | None:
    known = _RESOLVED.get((id(rule), context))
    if known is not None and known[0] is rule:  # the rule is kept alive by the entry, so its id is its own
        return known[1]
    if len(_RESOLVED) > 100_000:  # a long-lived process that loads rule after rule
        _RESOLVED.clear()
    resolved = rule.in_context(context)
    _RESOLVED[(id(rule), context)] = (rule, resolved)
    return resolved


def _directive_findings(doc: Document, outcome: suppressions.Outcome, rules: Sequence[Rule],
                        known_ids: Iterable[str] | None) -> Iterator[Finding]:
    """Findings of `kind: directive` rules about the suppression comments themselves."""
    reporters = {rule.kind.problem: rule for rule in rules if rule.kind_name == "directive"}  # type: ignore[attr-defined]
    if not reporters:
        return
    active = [rule.id for rule in rules]
    problems = suppressions.problems(outcome, active, known_ids if known_ids is not None else active,
                                     require_reason="missing-reason" in reporters)
    for problem, directive in problems:
        rule = reporters.get(problem)
        if rule is not None:
            yield Finding(rule.id, rule.name, rule.severity, format_message(rule.message, doc.text(directive.span)),
                          directive.span, rule.suggestion)


def document_context(doc: Document, default: Context) -> tuple[Context, list[Notice]]:
    """The context declared in front matter (`healthlint: {product: supplement}`) over `default`."""
    declared = doc.meta.get("healthlint") if isinstance(doc.meta, Mapping) else None
    if not isinstance(declared, Mapping):
        return default, []
    values: dict[str, str] = {}
    notices = []
    for key, value in declared.items():
        if key in CONTEXT_VALUES and value in CONTEXT_VALUES[key]:
            values[key] = value
        else:
            allowed = ", ".join(f"{k}: {'|'.join(v)}" for k, v in CONTEXT_VALUES.items())
            shown = reprlib.repr(value)  # front matter is untrusted: never echo a huge value
            notices.append(Notice(doc.path, f"front matter healthlint.{key}: {shown} ignored; expected {allowed}"))
    return default._replace(**values), notices


def _findings(doc: Document, rule: Rule, lexicon: Lexicon) -> Iterable[Finding]:
    document = rule.is_document
    messages: dict[str, str] = {}  # matched text -> message: a page that repeats a claim shares one string
    for span in rule.kind.find(doc):
        severity = _judge(doc, span, rule, lexicon) if not document else rule.severity
        if severity is None:
            continue
        matched = doc.text(span)
        message = messages.get(matched)
        if message is None:
            message = messages[matched] = format_message(rule.message, matched)
        yield Finding(
            rule_id=rule.id,
            name=rule.name,
            severity=severity,
            message=message,
            span=span,
            suggestion=rule.suggestion,
            document=document,
        )


def _judge(doc: Document, span: Span, rule: Rule, lexicon: Lexicon) -> Severity | None:
    """The severity a span match deserves in its context, or None when the context excuses it."""
    if rule.negation == "excuses" and language.is_negated(doc, span, lexicon):
        return None
    if rule.questions != "flag" and language.is_question(doc, span, lexicon):
        if rule.questions == "skip":
            return None
        if rule.questions == "downgrade":
            return Severity.INFO
        if language.is_denied(doc, span, lexicon):  # unless-denied
            return None
    return rule.severity


def format_message(template: str, match: str) -> str:
    """Fill `{match}` with the matched text on one line (plain replace: braces in copy are safe)."""
    return template.replace("{match}", " ".join(match.split()))
