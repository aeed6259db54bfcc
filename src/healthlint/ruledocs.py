"""Rule -> Markdown: what `healthlint explain` prints and what docs/rules.md and docs/kinds.md are made of."""

from __future__ import annotations

import inspect
from collections.abc import Iterable

from healthlint.model import Context, Example, Rule


def render(rule: Rule) -> str:
    """One rule's page: title, severity, message, why, what to write instead, references, examples."""
    out = [f"## {rule.id} {rule.name}", ""]
    out.append(f"Severity: {rule.severity}. Kind: `{rule.kind_name}`." + _context(rule))
    out += ["", f"Message: {rule.message}", "", "### Why", "", rule.rationale]
    if rule.suggestion:
        out += ["", "### What to write instead", "", rule.suggestion]
    if rule.references:
        out += ["", "### References", ""] + [f"- {ref}" for ref in rule.references]
    if rule.examples.flag or rule.examples.passes:
        out += ["", "### Examples", ""]
        out += [f"- flagged: {_example(e)}" for e in rule.examples.flag]
        out += [f"- not flagged: {_example(e)}" for e in rule.examples.passes]
    return "\n".join(out) + "\n"


def render_kinds() -> str:
    """docs/kinds.md: each kind's module docstring, the reference for rule authors."""
    from healthlint.kinds import KINDS

    out = ["# healthlint rule kinds", "", "Generated from `src/healthlint/kinds/*.py` by `healthlint explain --kinds`;"
           " do not edit.", ""]
    for name, kind in KINDS.items():
        doc = inspect.getdoc(inspect.getmodule(kind)) or ""
        out += [f"## {name}", "", _fence_indented(doc.strip()), ""]
    return "\n".join(out)


def _fence_indented(text: str) -> str:
    """Docstring -> Markdown: runs of indented lines (the key tables) become fenced text blocks."""
    out: list[str] = []
    fenced = False
    for line in text.splitlines():
        indented = line.startswith("  ")
        if indented != fenced:
            if fenced and out and not out[-1].strip():
                out.pop()
            out.append("```text" if indented else "```")
            fenced = indented
        out.append(line)
    if fenced:
        out.append("```")
    return "\n".join(out)


def render_all(rules: Iterable[Rule]) -> str:
    """docs/rules.md: a table of contents, then every rule's page."""
    rules = sorted(rules, key=lambda r: r.id)
    head = ["# healthlint rules", "", "Generated from `rules/*.yaml` by `healthlint explain --all`; do not edit.", ""]
    head += [f"- [{r.id} {r.name}](#{r.id.lower()}-{r.name}) ({r.severity})" for r in rules]
    return "\n".join(head) + "\n\n" + "\n".join(render(r) for r in rules)


def _example(example: Example) -> str:
    declared = [f"{k}: {v}" for k, v in example.context._asdict().items() if v != getattr(Context(), k)]
    return " ".join(example.text.split()) + (f" _({', '.join(declared)})_" if declared else "")


def _context(rule: Rule) -> str:
    notes = []
    if rule.applies:
        notes.append("only for " + "; ".join(f"{k} {', '.join(v)}" for k, v in rule.applies.items()))
    for o in rule.overrides:
        when = "; ".join(f"{k} is {'/'.join(v)}" for k, v in o.when.items())
        notes.append(f"{f'severity {o.severity}' if o.severity else 'other wording'} when {when}")
    if rule.is_document:
        notes.append("applies to the whole document")
        return f" Context: {'; '.join(notes)}."
    if rule.negation == "ignored":
        notes.append("a negation does not excuse it")
    if rule.questions == "downgrade":
        notes.append("in a question it is reported as info")
    elif rule.questions == "flag":
        notes.append("questions are flagged too")
    return f" Context: {'; '.join(notes)}." if notes else ""
