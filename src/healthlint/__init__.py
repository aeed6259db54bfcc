"""healthlint: a content-compliance linter for health marketing copy.

`lint_text()` lints a string with no file I/O; the CLI (`healthlint check`) is built on the same calls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from healthlint.model import FileResult
    from healthlint.rulefile import RuleSet


def lint_text(text: str, path: str = "<text>.md", ruleset: RuleSet | None = None) -> FileResult:
    """Lint `text` as if it were the file `path` (its extension picks the reader)."""
    from healthlint import engine, readers, rulefile

    ruleset = ruleset or rulefile.load_rules()
    fmt = readers.format_for(path) or "text"
    doc = readers.READERS[fmt](path, text)
    return engine.lint_document(doc, ruleset.rules, ruleset.lexicon)


__all__ = ["__version__", "lint_text"]
