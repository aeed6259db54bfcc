"""Run each rule's own examples: every `flag` text must fire the rule, every `pass` text must not.

Used by `healthlint test-rules` and by the test suite, so a rule that stops doing what its examples
promise fails CI. A rule without both kinds of example fails too.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from healthlint import engine, readers
from healthlint.language import Lexicon
from healthlint.model import Example, Rule


@dataclass(frozen=True)
class Failure:
    rule: Rule
    problem: str


def check_rule(rule: Rule, lexicon: Lexicon, rules: Sequence[Rule] = ()) -> Iterator[Failure]:
    """The ways one rule's behaviour differs from its examples."""
    if not rule.examples.flag or not rule.examples.passes:
        yield Failure(rule, "needs at least one 'flag' and one 'pass' example")
    for example in rule.examples.flag:
        if not fires(rule, example, lexicon, rules):
            yield Failure(rule, f"should flag, but did not: {_describe(example)}")
    for example in rule.examples.passes:
        if fires(rule, example, lexicon, rules):
            yield Failure(rule, f"should pass, but flagged: {_describe(example)}")


def fires(rule: Rule, example: Example, lexicon: Lexicon, rules: Sequence[Rule] = ()) -> bool:
    """Whether the rule reports anything on the example, read as Markdown in its context.

    A `directive` rule judges suppressions of other rules, so it runs alongside `rules` (the whole
    pack); every other rule runs alone.
    """
    doc = readers.READERS["markdown"]("example.md", example.text)
    company = [r for r in rules if r.id != rule.id] if rule.kind_name == "directive" else []
    result = engine.lint_document(doc, [rule, *company], lexicon, example.context)
    return any(f.rule_id == rule.id for f in result.findings)


def _describe(example: Example) -> str:
    context = engine.DEFAULT_CONTEXT
    changed = {k: getattr(example.context, k) for k in ("product", "locale", "channel")
               if getattr(example.context, k) != getattr(context, k)}
    return f"{example.text!r}" + (f" (context {changed})" if changed else "")


def check_rules(rules: Sequence[Rule], lexicon: Lexicon) -> list[Failure]:
    return [failure for rule in rules for failure in check_rule(rule, lexicon, rules)]
