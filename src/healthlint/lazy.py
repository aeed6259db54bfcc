"""Regular expressions compiled on first use, for module constants.

pre-commit starts healthlint once per few files, so what a module does when it is imported is paid
on every commit: compiling a pattern takes 0.1-0.7 ms (`re` and `regex` both parse in Python), and
the readers hold about seventy, most of which a typical page never needs (HTML blocks, autolinks,
tables). After the first use the compiled pattern's methods are plain attributes of the object, so
a hot loop pays nothing for the laziness.

A stdlib pattern is built from sre's compiled code (`sre_parts`, the steps of `re._compiler.compile`),
which the command keeps in the cache folder (`known`, `learn`), so the patterns a typical page needs
(~27, ~2.5 ms to parse) are rebuilt in microseconds on the next run. Should `re`'s internals differ
in some Python, `re.compile` is used instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_METHODS = ("match", "fullmatch", "search", "finditer", "findall", "sub", "subn", "split")


class Pattern:
    """A pattern that compiles itself with `compiler` (re.compile, regex.compile) on first use and
    then behaves as the compiled one for `_METHODS`, `pattern`, `flags`, `groups` and `groupindex`."""

    def __init__(self, source: str, flags: int = 0, compiler: Callable[[str, int], Any] = re.compile) -> None:
        self._source, self._flags, self._compiler = source, flags, compiler

    def __getattr__(self, name: str) -> Any:  # the common names: only until the first use fills them in
        if name.startswith("__"):  # copy, pickle and the like probing for hooks
            raise AttributeError(name)
        compiled = self.__dict__.get("_compiled")
        if compiled is None:
            compiled = self._compiled = self.__dict__["_compiler"](self.__dict__["_source"], self.__dict__["_flags"])
            for method in _METHODS:
                setattr(self, method, getattr(compiled, method))
            self.pattern, self.flags = compiled.pattern, compiled.flags
            self.groups, self.groupindex = compiled.groups, compiled.groupindex
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy.Pattern({self._source!r}, {self._flags!r})"


def compile(source: str, flags: int = 0) -> Pattern:
    """A stdlib `re` pattern, compiled on first use (from sre's code, if known)."""
    return Pattern(source, flags, _from_code)


def sre_parts(source: str, flags: int = 0) -> tuple:
    """The arguments `_sre.compile` builds `re.compile(source, flags)` from after the pattern: flags,
    code, groups, group index, index group (what `re._compiler.compile` computes, in Python)."""
    from re import _compiler, _parser

    parsed = _parser.parse(source, flags)
    code = [int(op) for op in _compiler._code(parsed, flags)]
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in parsed.state.groupdict.items():
        indexgroup[index] = name
    return flags | parsed.state.flags, code, parsed.state.groups - 1, dict(parsed.state.groupdict), tuple(indexgroup)


def from_parts(source: str, parts: tuple) -> re.Pattern[str]:
    """The pattern `sre_parts(source, ...)` describes, without parsing it again."""
    import _sre

    return _sre.compile(source, *parts)


_KNOWN: dict[tuple[str, int], tuple] = {}  # (source, flags) -> sre_parts, from the cache or this run
_LEARNED: list[tuple[str, int]] = []  # those this run computed


def _from_code(source: str, flags: int) -> re.Pattern[str]:
    parts = _KNOWN.get((source, flags))
    try:
        if parts is None:
            parts = _KNOWN[source, flags] = sre_parts(source, flags)
            _LEARNED.append((source, flags))
        return from_parts(source, parts)
    except Exception:  # re's internals differ in this Python (an invalid pattern raises again below)
        _KNOWN.pop((source, flags), None)
        return re.compile(source, flags)


def learn(known: object) -> None:
    """Take sre's code for patterns from a cache entry written by `known` (anything else is ignored)."""
    if isinstance(known, dict):
        _KNOWN.update((key, parts) for key, parts in known.items() if key not in _KNOWN)


def known() -> dict[tuple[str, int], tuple] | None:
    """sre's code for every pattern compiled so far, if any was compiled since `known` last answered
    (a process that checks many times, as the tests do, keeps it once)."""
    if not _LEARNED:
        return None
    _LEARNED.clear()
    return dict(_KNOWN)
