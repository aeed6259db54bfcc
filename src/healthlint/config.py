"""Find, load and validate the configuration: `.healthlint.yaml` or `[tool.healthlint]` in pyproject.toml.

The nearest file to each linted file wins (`.healthlint.yaml` > `healthlint.yaml` > `pyproject.toml`
with a `[tool.healthlint]` table, in one folder), as in ruff: no implicit merging, but `extend:
../base.yaml` inherits another file's settings, which the extending file then overrides key by key.
Relative paths and patterns resolve from the folder of the file that wrote them. Every error names
the file and, for YAML, the line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from healthlint import cache
from healthlint.errors import ConfigError
from healthlint.model import CONTEXT_VALUES, Context, Severity

CONFIG_NAMES = (".healthlint.yaml", "healthlint.yaml", "pyproject.toml")
KEYS = ("extend", "select", "ignore", "severity", "rules", "exclude", "per-file-ignores", "fail-on", "context",
        "require-reason")


class Pattern(NamedTuple):
    """A gitignore-style pattern and the folder it is relative to; `!pattern` negates (per-file-ignores).

    `regex` is pathspec's regular expression for the pattern without its "!", taken when the config is
    read, so that matching (`discovery.matches`) needs no pathspec import (15-20 ms of every pre-commit
    run of a configured repository) while the config comes from the cache; None: ask pathspec.
    """

    root: Path
    pattern: str
    regex: str | None = None


class Config(NamedTuple):
    """Settings for a run. `path` is the file they came from (None: defaults). The mappings are read,
    never changed."""

    path: Path | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = {}  # rule id or prefix -> severity
    rules: tuple[Path, ...] = ()  # extra rule files or folders, absolute
    exclude: tuple[Pattern, ...] = ()
    per_file_ignores: tuple[tuple[Pattern, tuple[str, ...]], ...] = ()  # pattern -> codes ignored there
    fail_on: Severity | None = None
    context: Context = Context()  # what the copy promotes, where, how
    require_reason: bool = False  # every suppression must give `-- reason` (enables HL003)
    origins: Mapping[str, str] = {}  # key -> "file:line" that set it

    def where(self, key: str) -> str:
        """'file:line: key' for messages about a setting."""
        return f"{self.origins.get(key, self.path)}: {key}"


def find_config(start: Path, memo: dict[Path, Path | None] | None = None) -> Path | None:
    """The nearest config file from `start` upward, or None.

    `memo` (folder -> answer) lets a run over thousands of files look at each folder once.
    """
    memo = {} if memo is None else memo
    walked = []
    found = None
    for folder in (start, *start.parents):
        if folder in memo:
            found = memo[folder]
            break
        walked.append(folder)
        found = next((candidate for name in CONFIG_NAMES if (candidate := folder / name).is_file()
                      and (name != "pyproject.toml" or _has_tool_table(candidate))), None)
        if found is not None:
            break
    for folder in walked:
        memo[folder] = found
    return found


def load_config(path: Path | None, _seen: tuple[Path, ...] = ()) -> Config:
    """Read and validate a config file and what it extends (defaults when `path` is None)."""
    if path is None:
        return Config()
    if not path.is_file():
        where = f"{_seen[-1]}: extend: " if _seen else ""
        raise ConfigError(f"{where}{path}: no such config file")
    if path.resolve() in _seen:
        raise ConfigError(f"{path}: extend: circular ({' -> '.join(str(p) for p in (*_seen, path))})")
    settings, extends = _read_settings(path)
    if extends is None:
        return Config(path=path)._replace(**settings)
    base = load_config(extends, (*_seen, path.resolve()))
    settings["origins"] = {**base.origins, **settings["origins"]}
    return base._replace(path=path, **settings)


def _read_settings(path: Path) -> tuple[dict[str, Any], Path | None]:
    """The Config fields one file sets (only those it sets), and the file it extends: from the cache
    while the file's bytes are unchanged, else read and kept there."""
    settings, extends = _cached("settings", path, lambda: _parse_settings(path), tuple)
    if "rules" in settings:  # resolved now, not when cached: a symbolic link may point elsewhere today
        settings = {**settings, "rules": tuple(p.resolve() for p in settings["rules"])}
    return settings, extends


def _cached(what: str, path: Path, compute: Callable[[], Any], kind: type, data: bytes | None = None) -> Any:
    """What `compute` says about the file at `path`: from the cache if an entry of type `kind` is kept
    for these bytes, else computed and kept. Errors are raised, never kept."""
    name = _cache_name(what, path, data)
    found = cache.load(name, "config") if name is not None else None
    if isinstance(found, kind):
        return found
    value = compute()
    if name is not None:
        cache.store(name, value, "config")
    return value


def _cache_name(what: str, path: Path, data: bytes | None = None) -> str | None:
    """The cache entry for `what` is known about the file at `path` with these bytes (read if not
    given; None: no cache, or unreadable, which the parser then reports). Keyed by content, not
    modification time, which the kernel keeps only to a few milliseconds."""
    if cache.directory() is None:
        return None
    if data is None:
        try:
            data = path.read_bytes()
        except OSError:
            return None
    where = os.fspath(path) if path.is_absolute() else os.path.join(os.getcwd(), path)
    return cache.key([what, cache.code_fingerprint(), cache.libraries("yaml", "pathspec"), where, data])


def _parse_settings(path: Path) -> tuple[dict[str, Any], Path | None]:
    if path.name == "pyproject.toml" or path.suffix == ".toml":
        data: Any = _read_toml(path).get("tool", {}).get("healthlint", {})
        line_of = lambda key: None  # noqa: E731 - tomllib keeps no positions
    else:
        from healthlint.yamlload import LocatedDict, load_yaml  # only YAML configs need PyYAML

        data = load_yaml(path, ConfigError)
        if data is None:
            data = {}
        line_of = data.line_of if isinstance(data, LocatedDict) else (lambda key: None)
    if not isinstance(data, Mapping):
        raise ConfigError(f"{path}: the configuration must be a mapping of settings")

    def fail(key: str, problem: str) -> ConfigError:
        line = line_of(key)
        return ConfigError(f"{path}{f':{line}' if line else ''}: {key}: {problem}")

    for key in data:
        if key not in KEYS:
            import difflib

            close = difflib.get_close_matches(str(key), KEYS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise fail(str(key), f"unknown setting{hint}")
    root = path.parent
    severity = {}
    raw_severity = data.get("severity", {})
    if not isinstance(raw_severity, Mapping):
        raise fail("severity", "must map rule ids or prefixes to error, warning or info")
    for code, value in raw_severity.items():
        if not str(code).startswith("HL"):
            raise fail("severity", f"{code!r} is not a rule id or prefix (HL101, HL1, HL)")
        try:
            severity[str(code)] = Severity.parse(value)
        except ValueError as exc:
            raise fail("severity", f"{code}: {exc}") from None
    fail_on = None
    if "fail-on" in data:
        try:
            fail_on = Severity.parse(data["fail-on"])
        except ValueError as exc:
            raise fail("fail-on", str(exc)) from None
    context = data.get("context", {})
    if not isinstance(context, Mapping):
        raise fail("context", "must map product, locale and channel to one value each")
    for key, value in context.items():
        if key not in CONTEXT_VALUES:
            raise fail("context", f"unknown key {key!r}; expected {', '.join(CONTEXT_VALUES)}")
        if value not in CONTEXT_VALUES[key]:
            raise fail("context", f"{key}: {value!r} is not one of {', '.join(CONTEXT_VALUES[key])}")
    per_file_ignores = data.get("per-file-ignores", {})
    if not isinstance(per_file_ignores, Mapping):
        raise fail("per-file-ignores", "must map glob patterns to lists of rule ids or prefixes")
    globs = _patterns(root, {"per-file-ignores": [str(g) for g in per_file_ignores]}, "per-file-ignores", fail)
    ignores = tuple((pattern, _codes(per_file_ignores, glob, fail))
                    for pattern, glob in zip(globs, per_file_ignores, strict=True))
    require_reason = data.get("require-reason", False)
    if not isinstance(require_reason, bool):
        raise fail("require-reason", "must be true or false")
    extends = data.get("extend")
    if extends is not None and not isinstance(extends, str):
        raise fail("extend", "must be the path of another config file")
    values: dict[str, Any] = {
        "context": Context(**context),
        "select": _codes(data, "select", fail),
        "ignore": _codes(data, "ignore", fail),
        "severity": severity,
        "rules": tuple(root / p for p in _strings(data, "rules", fail)),  # resolved by _read_settings
        "exclude": _patterns(root, data, "exclude", fail),
        "per_file_ignores": ignores,
        "fail_on": fail_on,
        "require_reason": require_reason,
    }
    settings = {name: value for name, value in values.items() if name.replace("_", "-") in data}
    settings["origins"] = {key: f"{path}:{line_of(key)}" if line_of(key) else str(path) for key in data}
    return settings, (root / extends if extends else None)


def _patterns(root: Path, data: Mapping, key: str, fail: Any) -> tuple[Pattern, ...]:
    """gitignore-style patterns, each checked now so a bad one is a located error, not a crash later,
    with pathspec's regular expression for it."""
    import pathspec

    patterns = []
    for text in _strings(data, key, fail):
        try:
            spec = pathspec.GitIgnoreSpec.from_lines([text.removeprefix("!")])
            spec.match_file("x")
        except re.error as exc:
            raise fail(key, f"invalid pattern {text!r}: {exc}") from None
        patterns.append(Pattern(root, text, _regex_of(spec)))
    return tuple(patterns)


_NEVER = "(?!)"  # the regex of a pattern that matches nothing (a comment, a blank)


def _regex_of(spec: Any) -> str | None:
    """The regular expression pathspec matches a one-pattern spec with (`re.search` of the normalised
    path), or None where it works otherwise (then `discovery.matches` asks pathspec itself)."""
    try:
        (pattern,) = spec.patterns
        if pattern.include is None or pattern.regex is None:
            return _NEVER
        regex = pattern.regex
        if pattern.include is not True or not isinstance(regex, re.Pattern) or regex.flags != re.UNICODE:
            return None
        return regex.pattern
    except (AttributeError, TypeError, ValueError):
        return None


def _codes(data: Mapping, key: str, fail: Any) -> tuple[str, ...]:
    codes = _strings(data, key, fail)
    for code in codes:
        if not code.startswith("HL"):
            raise fail(key, f"{code!r} is not a rule id or prefix (HL101, HL1, HL)")
    return codes


def _strings(data: Mapping, key: str, fail: Any) -> tuple[str, ...]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise fail(key, "must be a list of strings")
    return tuple(value)


def _read_toml(path: Path) -> dict[str, Any]:
    import tomllib

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply to parse") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _has_tool_table(path: Path) -> bool:
    """Whether a pyproject.toml configures healthlint; an unreadable one is an error, as in ruff.

    A file that never says "healthlint" cannot configure it and is not parsed (nor judged); the answer
    for one that does is cached while the file is unchanged.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if b"healthlint" not in data:
        return False
    return _cached("tool table", path, lambda: "healthlint" in _read_toml(path).get("tool", {}), bool, data)
