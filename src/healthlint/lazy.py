"""Regular expressions compiled on first use, for module constants.

pre-commit starts healthlint once per few files, so what a module does when it is imported is paid
on every commit: compiling a pattern takes 0.1-0.7 ms (`re` and `regex` both parse in Python), and
the readers hold about seventy, most of which a typical page never needs (HTML blocks, autolinks,
tables). After the first use the compiled pattern's methods are plain attributes of the object, so
a hot loop pays nothing for the laziness.
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
    """A stdlib `re` pattern, compiled on first use."""
    return Pattern(source, flags)
