"""Errors that are the user's to fix: the CLI prints them as one line and exits 2.

Raise where the fact is known, with its location (`file:line: rule: what`); findings are values,
never exceptions.
"""

from __future__ import annotations


class HealthlintError(Exception):
    """Bad input from the user: one line on stderr, exit 2."""


class RuleFileError(HealthlintError):
    """A rule pack is malformed: `rules/claims.yaml:12: HL101: unknown key 'phrase'; did you mean 'phrases'?`."""


class ConfigError(HealthlintError):
    """A configuration file is malformed: `.healthlint.yaml:3: select: unknown rule 'HL999'`."""


class InputError(HealthlintError):
    """A file to lint cannot be read or decoded: `post.md: not valid UTF-8 (byte 0xff at line 3)`."""


class BinaryFileError(InputError):
    """A file to lint is binary: skipped with a notice, not an error."""
