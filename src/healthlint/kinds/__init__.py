"""The rule kinds, by the name a rule's `kind:` key gives: the one place a YAML name meets its class.

Each kind's constructor signature is its schema and its module docstring its reference (`docs/kinds.md`).
"""

from __future__ import annotations

from healthlint.kinds.directive import Directive
from healthlint.kinds.pattern import Pattern
from healthlint.kinds.phrase import Phrase
from healthlint.kinds.require import Require
from healthlint.kinds.require_if import RequireIf
from healthlint.kinds.unsourced import Unsourced

KINDS: dict[str, type] = {
    "phrase": Phrase,
    "pattern": Pattern,
    "unsourced": Unsourced,
    "require": Require,
    "require-if": RequireIf,
    "directive": Directive,
}

__all__ = ["KINDS", "Directive", "Pattern", "Phrase", "Require", "RequireIf", "Unsourced"]
