"""Find, load and validate the configuration: `.healthlint.yaml` or `[tool.healthlint]` in pyproject.toml.

The nearest file from the working directory upward wins (`.healthlint.yaml` > `healthlint.yaml` >
`pyproject.toml` with a `[tool.healthlint]` table, in one folder); its relative paths resolve from
its own folder. Every error names the file and, for YAML, the line.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from healthlint.errors import ConfigError
from healthlint.model import CONTEXT_VALUES, Context, Severity
from healthlint.yamlload import LocatedDict, load_yaml

CONFIG_NAMES = (".healthlint.yaml", "healthlint.yaml", "pyproject.toml")
KEYS = ("select", "ignore", "severity", "rules", "exclude", "fail-on", "context")


@dataclass(frozen=True)
class Config:
    """Settings for a run. `path` is the file they came from (None: defaults)."""

    path: Path | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)  # rule id or prefix -> severity
    rules: tuple[Path, ...] = ()  # extra rule files or folders, absolute
    exclude: tuple[str, ...] = ()  # gitignore-style patterns, relative to `root`
    fail_on: Severity | None = None
    context: Context = field(default_factory=Context)  # what the copy promotes, where, how

    @property
    def root(self) -> Path:
        """The folder that relative paths and exclude patterns are resolved from."""
        return self.path.parent if self.path else Path.cwd()


def find_config(start: Path) -> Path | None:
    """The nearest config file from `start` upward, or None."""
    for folder in (start, *start.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file() and (name != "pyproject.toml" or _has_tool_table(candidate)):
                return candidate
    return None


def load_config(path: Path | None) -> Config:
    """Read and validate a config file (defaults when `path` is None)."""
    if path is None:
        return Config()
    if not path.is_file():
        raise ConfigError(f"{path}: no such config file")
    if path.name == "pyproject.toml" or path.suffix == ".toml":
        data: Any = _read_toml(path).get("tool", {}).get("healthlint", {})
        line_of = lambda key: None  # noqa: E731 - tomllib keeps no positions
    else:
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
            close = difflib.get_close_matches(str(key), KEYS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise fail(str(key), f"unknown setting{hint}")
    root = path.parent
    severity = {}
    raw_severity = data.get("severity", {})
    if not isinstance(raw_severity, Mapping):
        raise fail("severity", "must map rule ids or prefixes to error, warning or info")
    for code, value in raw_severity.items():
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
    return Config(
        path=path,
        context=Context(**context),
        select=_codes(data, "select", fail),
        ignore=_codes(data, "ignore", fail),
        severity=severity,
        rules=tuple((root / p).resolve() for p in _strings(data, "rules", fail)),
        exclude=_strings(data, "exclude", fail),
        fail_on=fail_on,
    )


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
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _has_tool_table(path: Path) -> bool:
    try:
        return "healthlint" in _read_toml(path).get("tool", {})
    except ConfigError:
        return False
