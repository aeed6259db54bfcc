"""YAML rule packs -> compiled `Rule`s; every error names the file, the line and the rule.

A rule file is a YAML list of rules. The keys every rule shares are checked here; the rest go to the
kind's constructor, whose signature is the schema, so a misspelt key fails loudly with a "did you
mean" instead of being ignored.

Compiled rule sets are cached (`cache`): a run whose rule files, lexicon, healthlint code and
interpreter match a cached set unpickles it instead of parsing YAML (yaml is then never imported) and
compiling patterns.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import regex

from healthlint import __version__, cache
from healthlint.errors import RuleFileError
from healthlint.kinds import KINDS, matcher
from healthlint.language import Lexicon
from healthlint.model import CONTEXT_VALUES, Context, Example, Examples, Override, Rule, Severity

if TYPE_CHECKING:
    from healthlint.yamlload import LocatedDict

LEXICON_FILE = "lexicon.yaml"
RULE_ID = re.compile(r"HL\d{3}\Z")
RULE_NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*\Z")
REQUIRED = ("id", "name", "kind", "severity", "message", "rationale")
OPTIONAL = ("references", "suggestion", "examples", "negation", "questions", "applies", "overrides", "enabled")
CHOICES = {"negation": ("excuses", "ignored"), "questions": ("skip", "downgrade", "flag", "unless-denied")}


class RuleSet(NamedTuple):
    """The rules of a run, in load order, and the lexicon their context checks use."""

    rules: tuple[Rule, ...]
    lexicon: Lexicon
    key: str = ""  # a hash of everything the set was compiled from ("" when the cache is off)

    def by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}


def builtin_rules_dir() -> Path:
    """The built-in packs: inside the installed package, or the repo's top-level `rules/`."""
    packaged = Path(__file__).resolve().parent / "rules"  # the wheel ships them in the package
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules"  # a source checkout or editable install


def rule_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders to their `*.yaml`/`*.yml` files (sorted); the lexicon is not a rule file."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
            files.extend(p for p in found if p.name != LEXICON_FILE)
        elif path.is_file():
            files.append(path)
        else:
            raise RuleFileError(f"{path}: no such rule file or folder")
    return files


def load_lexicon(path: Path | None = None) -> Lexicon:
    """The lexicon behind negation and sentence splitting (`rules/lexicon.yaml` by default)."""
    from healthlint.yamlload import load_yaml

    path = path or builtin_rules_dir() / LEXICON_FILE
    data = load_yaml(path, RuleFileError)
    if not isinstance(data, Mapping):
        raise RuleFileError(f"{path}:1: the lexicon must be a mapping of word lists")
    try:
        return Lexicon.from_mapping(data)
    except ValueError as exc:
        raise RuleFileError(f"{path}: {exc}") from None


def load_rules(paths: Sequence[Path] | None = None, lexicon: Lexicon | None = None) -> RuleSet:
    """Load and compile rule files or folders (the built-in packs when `paths` is None), or take the
    compiled set from the cache."""
    files = rule_files([builtin_rules_dir()] if paths is None else paths)
    name = _cache_key(files, lexicon)
    cached = cache.load(name) if name is not None else None
    if isinstance(cached, RuleSet):
        return cached
    ruleset = _compile_rules(files, lexicon)
    if name is not None:
        ruleset = ruleset._replace(key=name)
        cache.store(name, ruleset)
    return ruleset


def _cache_key(files: Sequence[Path], lexicon: Lexicon | None) -> str | None:
    """What a compiled rule set depends on: the rule files (paths too: rules quote them as origins),
    the lexicon, the code whose objects it pickles, the interpreter and regex versions, and the PyYAML
    that read the files; None when the cache is off or a file cannot be read (loading then reports it)."""
    if cache.directory() is None:
        return None
    parts: list[bytes | str] = [__version__, sys.version, regex.__version__, _CODE, cache.libraries("yaml")]
    try:
        for path in files:
            parts += [str(path), path.read_bytes()]
        if lexicon is None:
            lexicon_path = builtin_rules_dir() / LEXICON_FILE
            parts += [str(lexicon_path), lexicon_path.read_bytes()]
        else:
            parts += ["lexicon", repr(lexicon)]
    except OSError:
        return None
    return cache.key(parts)


_CODE = cache.code_fingerprint()  # now: see its docstring


def _compile_rules(files: Sequence[Path], lexicon: Lexicon | None) -> RuleSet:
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path in files:
        for rule in load_rule_file(path):
            if rule.id in seen:
                raise RuleFileError(f"{rule.origin}: {rule.id}: duplicate id; already defined at {seen[rule.id]}")
            seen[rule.id] = rule.origin
            rules.append(rule)
    matcher.share(m for rule in rules for m in getattr(rule.kind, "matchers", ()))
    return RuleSet(tuple(rules), (lexicon or load_lexicon()).compile())


def load_rule_file(path: Path) -> list[Rule]:
    """Compile every rule of one YAML file."""
    from healthlint.yamlload import LocatedDict, load_yaml

    data = load_yaml(path, RuleFileError)
    if data is None:
        return []
    if not isinstance(data, list):
        raise RuleFileError(f"{path}:1: a rule file must be a YAML list of rules, not a {_type(data)}")
    rules = []
    for index, item in enumerate(data):
        if not isinstance(item, LocatedDict):
            raise RuleFileError(f"{path}: rule #{index + 1}: each rule must be a mapping of keys, not a {_type(item)}")
        rules.append(compile_rule(item, path))
    return rules


_RULE = object()  # what a rule error is about when no one key is at fault: the line of the rule itself


def compile_rule(data: LocatedDict, path: Path) -> Rule:
    """Validate one rule mapping and build its kind."""
    rule_id = data.get("id")
    label = rule_id if isinstance(rule_id, str) else f"rule at line {data.line}"

    def fail(key: object, problem: str) -> RuleFileError:
        """The error at the line of `key` (any YAML key, None and False included), or of the rule (_RULE)."""
        line = data.line if key is _RULE else data.line_of(key)
        return RuleFileError(f"{path}:{line}: {label}: {problem}")

    for key in REQUIRED:
        if key not in data:
            return_error = fail(_RULE, f"missing key '{key}'")
            raise return_error
    kind_name = data["kind"]
    if not isinstance(kind_name, str):
        raise fail("kind", f"kind must be one of {', '.join(KINDS)}, not a {_type(kind_name)}")
    if kind_name not in KINDS:
        raise fail("kind", f"unknown kind {kind_name!r}{_did_you_mean(kind_name, KINDS)}")
    kind_class = KINDS[kind_name]
    kind_keys = [p for p in _signature(kind_class).parameters if p != "self"]
    known = (*REQUIRED, *OPTIONAL, *kind_keys)
    for key in data:
        if key not in known:
            raise fail(key, f"unknown key {key!r}{_did_you_mean(key, known)}")

    text = {key: _string(data, key, fail) for key in ("id", "name", "message", "rationale")}
    if not RULE_ID.match(text["id"]):
        raise fail("id", f"id {text['id']!r} must be HL followed by three digits, e.g. HL101")
    if not RULE_NAME.match(text["name"]):
        raise fail("name", f"name {text['name']!r} must be kebab-case, e.g. cure-claim")
    try:
        severity = Severity.parse(data["severity"]) if isinstance(data["severity"], str) else None
    except ValueError:
        severity = None
    if severity is None:
        raise fail("severity", f"severity must be error, warning or info, not {data['severity']!r}")
    for key, choices in CHOICES.items():
        if key in data and data[key] not in choices:
            raise fail(key, f"{key} must be one of {', '.join(choices)}, not {data[key]!r}")

    kind_args = {key: data[key] for key in kind_keys if key in data}
    try:
        kind = kind_class(**kind_args)
    except TypeError as exc:
        missing = [p for p in kind_keys if p not in data and _is_required(kind_class, p)]
        if missing:
            raise fail(_RULE, f"kind {kind_name} needs key '{missing[0]}'") from None
        raise fail(_RULE, str(exc)) from None
    except ValueError as exc:
        key = str(exc).partition(":")[0].partition("[")[0]  # "phrases[0]: ..." is about 'phrases'
        raise fail(key if key in data else _RULE, str(exc)) from None

    return Rule(
        id=text["id"],
        name=text["name"],
        kind_name=kind_name,
        kind=kind,
        severity=severity,
        message=text["message"],
        rationale=text["rationale"],
        references=_strings(data, "references", fail),
        suggestion=_string(data, "suggestion", fail) if "suggestion" in data else "",
        examples=_examples(data, fail),
        origin=f"{path}:{data.line}",
        negation=data.get("negation", "excuses"),
        questions=data.get("questions", "skip"),
        applies=parse_condition(data.get("applies", {}), "applies", fail),
        overrides=_overrides(data, fail),
        enabled=_flag(data, "enabled", fail),
    )


def _flag(data: LocatedDict, key: str, fail: Any) -> bool:
    value = data.get(key, True)
    if not isinstance(value, bool):
        raise fail(key, f"{key} must be true or false")
    return value


def parse_condition(raw: object, key: str, fail: Any) -> dict[str, tuple[str, ...]]:
    """{"product": ["supplement", "cbd"]} checked against the context vocabulary."""
    if not isinstance(raw, Mapping):
        raise fail(key, f"{key} must map product/locale/channel to a list of values")
    condition = {}
    for name, values in raw.items():
        if name not in CONTEXT_VALUES:
            raise fail(key, f"{key}: unknown context {name!r}{_did_you_mean(name, CONTEXT_VALUES)}")
        values = [values] if isinstance(values, str) else values
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            raise fail(key, f"{key}: {name} must be a value or a list of values")
        for value in values:
            if value not in CONTEXT_VALUES[name]:
                choices = ", ".join(CONTEXT_VALUES[name])
                raise fail(key, f"{key}: unknown {name} {value!r}{_did_you_mean(value, CONTEXT_VALUES[name])}"
                                f" (one of {choices})")
        condition[name] = tuple(values)
    return condition


def _overrides(data: LocatedDict, fail: Any) -> tuple[Override, ...]:
    raw = data.get("overrides", [])
    if not isinstance(raw, list):
        raise fail("overrides", "overrides must be a list of {when, severity, message, suggestion}")
    overrides = []
    for item in raw:
        if not isinstance(item, Mapping) or "when" not in item:
            raise fail("overrides", "each override needs a 'when' condition")
        for key in item:
            if key not in ("when", "severity", "message", "suggestion"):
                choices = ("when", "severity", "message", "suggestion")
                raise fail("overrides", f"overrides: unknown key {key!r}{_did_you_mean(key, choices)}")
        try:
            severity = Severity.parse(item["severity"]) if "severity" in item else None
        except ValueError as exc:
            raise fail("overrides", f"overrides: {exc}") from None
        for key in ("message", "suggestion"):
            if key in item and (not isinstance(item[key], str) or not item[key].strip()):
                raise fail("overrides", f"overrides: {key} must be a non-empty string")
        overrides.append(Override(
            when=parse_condition(item["when"], "overrides: when", lambda _, problem: fail("overrides", problem)),
            severity=severity,
            message=item.get("message", "").strip() or None,
            suggestion=item.get("suggestion", "").strip() or None,
        ))
    return tuple(overrides)


def _examples(data: LocatedDict, fail: Any) -> Examples:
    raw = data.get("examples", {})
    if not isinstance(raw, Mapping):
        raise fail("examples", "examples must be a mapping with 'flag' and 'pass' lists")
    for key in raw:
        if key not in ("flag", "pass"):
            raise fail("examples", f"examples: unknown key {key!r}{_did_you_mean(key, ('flag', 'pass'))}")
    lists = []
    for key in ("flag", "pass"):
        items = raw.get(key, [])
        if not isinstance(items, list):
            raise fail("examples", f"examples: {key} must be a list")
        lists.append(tuple(_example(item, key, fail) for item in items))
    return Examples(flag=lists[0], passes=lists[1])


def _example(item: object, key: str, fail: Any) -> Example:
    """A plain string, or {text: ..., context: {product: supplement}} for a context-bound rule."""
    if isinstance(item, str):
        return Example(item)
    if isinstance(item, Mapping) and isinstance(item.get("text"), str) and set(item) <= {"text", "context"}:
        condition = parse_condition(item.get("context", {}), f"examples: {key}: context",
                                    lambda _, problem: fail("examples", problem))
        if any(len(values) != 1 for values in condition.values()):
            raise fail("examples", f"examples: {key}: context takes one value per key")
        return Example(item["text"], Context(**{k: v[0] for k, v in condition.items()}))
    raise fail("examples", f"examples: {key}: each example is a string or {{text, context}}")


def _string(data: LocatedDict, key: str, fail: Any) -> str:
    value = data[key]
    if not isinstance(value, str) or not value.strip():
        raise fail(key, f"{key} must be a non-empty string, not {_type(value)}")
    return value.strip()


def _strings(data: LocatedDict, key: str, fail: Any) -> tuple[str, ...]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise fail(key, f"{key} must be a list of strings")
    return tuple(value)


def _signature(kind_class: type) -> Any:
    import inspect  # only when compiling: a cached run never needs it

    return inspect.signature(kind_class)


def _is_required(kind_class: type, name: str) -> bool:
    parameter = _signature(kind_class).parameters[name]
    return parameter.default is parameter.empty


def _did_you_mean(word: object, choices: Iterable[str]) -> str:
    import difflib

    matches = difflib.get_close_matches(str(word), list(choices), n=1)
    return f"; did you mean {matches[0]!r}?" if matches else ""


def _type(value: object) -> str:
    if isinstance(value, dict):  # LocatedDict too
        return "mapping"
    return {list: "list", str: "string"}.get(type(value), type(value).__name__)
