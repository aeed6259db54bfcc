"""Which files a run lints: folders walked recursively, `.gitignore` and config excludes respected.

A file named on the command line is always linted (whatever its extension), unless
`force_exclude` is set and an exclude pattern matches it: pre-commit always passes explicit paths,
so its hook needs `--force-exclude` for config excludes to apply (ruff's semantics).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from healthlint.config import Pattern

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec
from healthlint.readers import EXTENSIONS

ALWAYS_SKIPPED = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox",
                  "build", "dist", "site-packages", ".mypy_cache", ".pytest_cache", ".ruff_cache"}


def matches(patterns: Sequence[Pattern], path: Path) -> bool:
    """Whether any gitignore-style pattern matches the path (or a folder above it), each pattern
    relative to its own root; `!pattern` matches every path the pattern does not."""
    absolute = Path(os.path.abspath(path))
    for item in patterns:
        negated = item.pattern.startswith("!")
        if item.regex is not None:  # pathspec's own expression, kept in the config (see config.Pattern)
            match = _search(item.regex)
        else:
            match = _spec(item.pattern[1:] if negated else item.pattern).match_file
        try:
            relative = absolute.relative_to(os.path.abspath(item.root))
        except ValueError:
            hit = False
        else:
            hit = bool(match(relative.as_posix())) or any(
                match(parent.as_posix() + "/") for parent in relative.parents if str(parent) != "."
            )
        if hit != negated:
            return True
    return False


@functools.lru_cache(maxsize=256)
def _search(regex: str) -> Callable[[str], re.Match[str] | None]:
    return re.compile(regex).search


@functools.lru_cache(maxsize=256)
def _spec(pattern: str) -> GitIgnoreSpec:
    from pathspec import GitIgnoreSpec  # imported on first use: ~50 ms that a run without patterns never pays

    return GitIgnoreSpec.from_lines([pattern])


class Excludes(NamedTuple):
    """Config exclude patterns; `matches` says whether a path falls under one."""

    patterns: tuple[Pattern, ...] = ()

    def matches(self, path: Path) -> bool:
        return matches(self.patterns, path)


def discover(paths: Sequence[Path], excludes: Excludes, *, force_exclude: bool = False,
             respect_gitignore: bool = True) -> Iterator[Path]:
    """Yield the files to lint, each once, folders in sorted order; a missing path raises FileNotFoundError."""
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            candidates: Iterator[Path] = _walk(path, excludes, respect_gitignore)
        elif path.exists():
            if force_exclude and excludes.matches(path):
                continue
            candidates = iter([path])
        else:
            raise FileNotFoundError(path)
        for candidate in candidates:
            key = Path(os.path.realpath(candidate))  # never raises, even inside a symlink loop
            if key not in seen:
                seen.add(key)
                yield candidate


def _walk(top: Path, excludes: Excludes, respect_gitignore: bool) -> Iterator[Path]:
    ignores: list[tuple[Path, GitIgnoreSpec]] = _parent_gitignores(top) if respect_gitignore else []

    def ignored(path: Path, is_dir: bool) -> bool:
        absolute = Path(os.path.abspath(path))
        for base, spec in ignores:
            try:
                rel = absolute.relative_to(base).as_posix()
            except ValueError:
                continue
            if spec.match_file(rel + ("/" if is_dir else "")):
                return True
        return excludes.matches(path)

    # os.walk does not follow symlinked folders, so a symlink loop cannot trap the walk.
    for folder, dirs, files in os.walk(top):
        here = Path(folder)
        if respect_gitignore and ".gitignore" in files:
            ignores.append((Path(os.path.abspath(here)), _read_gitignore(here / ".gitignore")))
        dirs[:] = sorted(d for d in dirs if d not in ALWAYS_SKIPPED and not d.startswith(".")
                         and not ignored(here / d, True))
        for name in sorted(files):
            path = here / name
            if path.suffix.lower() in EXTENSIONS and not ignored(path, False):
                yield path


def _parent_gitignores(top: Path) -> list[tuple[Path, GitIgnoreSpec]]:
    """`.gitignore` files of the folders above `top`, up to the repository root."""
    found = []
    for folder in Path(os.path.abspath(top)).parents:
        if (folder / ".gitignore").is_file():
            found.append((folder, _read_gitignore(folder / ".gitignore")))
        if (folder / ".git").exists():
            break
    return found[::-1]


def _read_gitignore(path: Path) -> GitIgnoreSpec:
    from pathspec import GitIgnoreSpec

    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    valid = []
    for line in lines:  # git skips a pattern it cannot read; so do we
        try:
            GitIgnoreSpec.from_lines([line]).match_file("x")
        except re.error:
            continue
        valid.append(line)
    return GitIgnoreSpec.from_lines(valid)
