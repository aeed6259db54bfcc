"""Run each rule's own examples: every `flag` text must fire the rule, every `pass` text must not.

Used by `healthlint test-rules` and by the test suite, so a rule that stops doing what its examples
promise fails CI. A rule without both kinds of example fails too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from healthlint import engine, readers
from healthlint.language import Lexicon
from healthlint.model import Example, Rule


@dataclass(frozen=True)
class Failure:
    rule: Rule
    problem: str


def check_rule(rule: Rule, lexicon: Lexicon) -> Iterator[Failure]:
    """The ways one rule's behaviour differs from its examples."""
    if not rule.examples.flag or not rule.examples.passes:
        yield Failure(rule, "needs at least one 'flag' and one 'pass' example")
    for example in rule.examples.flag:
        if not fires(rule, example, lexicon):
            yield Failure(rule, f"should flag, but did not: {_describe(example)}")
    for example in rule.examples.passes:
        if fires(rule, example, lexicon):
            yield Failure(rule, f"should pass, but flagged: {_describe(example)}")


def fires(rule: Rule, example: Example, lexicon: Lexicon) -> bool:
    """Whether the rule reports anything on the example, read as Markdown in its context."""
    doc = readers.READERS["markdown"]("example.md", example.text)
    return bool(engine.lint_document(doc, [rule], lexicon, example.context).findings)


def _describe(example: Example) -> str:
    context = engine.DEFAULT_CONTEXT
    changed = {k: getattr(example.context, k) for k in ("product", "locale", "channel")
               if getattr(example.context, k) != getattr(context, k)}
    return f"{example.text!r}" + (f" (context {changed})" if changed else "")


def check_rules(rules: Iterable[Rule], lexicon: Lexicon) -> list[Failure]:
    return [failure for rule in rules for failure in check_rule(rule, lexicon)]
