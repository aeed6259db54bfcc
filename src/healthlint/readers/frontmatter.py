"""YAML front matter: its mapping, and where the string values of `title` and `description` are.

Importing PyYAML costs ~12 ms, a tenth of a one-file run under pre-commit, and most front matter
is a few `key: value` lines. `_simple` reads that shape itself, giving exactly what PyYAML gives
(plain words, quoted strings without escapes, whole numbers, dates, booleans, null, flat lists of
words), and returns None for anything else, which PyYAML then reads: nesting, block scalars, escapes,
tabs, comments after values, keys or list items YAML 1.1 reads as booleans or null. tests/readers/test_frontmatter.py
compares the two on generated front matter.

Front matter is a page's metadata, never a place for YAML anchors or deep flow nesting: both are
refused (the block stays masked) before any parser sees them.
"""

from __future__ import annotations

from typing import Any

from healthlint import lazy

FIELDS = ("title", "description")
MAX_FLOW_BRACKETS = 200
_ANCHOR = lazy.compile(r"(?:^|[\s\[{,:-])&[^\s\[\]{},]")
_STR_TAG = "tag:yaml.org,2002:str"

_ENTRY = lazy.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*?))? *")  # one `key: value` line
_PLAIN = lazy.compile(r"[A-Za-z][^#:\[\]{},&*!|>'\"%@`\\]*")  # a word-led plain scalar: a string unless _NOT_STR
_DOUBLE = lazy.compile(r'"([^"\\]*)"')
_SINGLE = lazy.compile(r"'([^']*)'")
_LIST = lazy.compile(r"\[( *[A-Za-z][A-Za-z0-9 _.-]*(?:, *[A-Za-z][A-Za-z0-9 _.-]*)*)?\]")
_INT = lazy.compile(r"0|[1-9][0-9]*")
_DATE = lazy.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# YAML 1.1 reads these plain scalars as booleans or null (PyYAML's implicit resolvers)
_WORDS = {spelling: value for word, value in (("yes", True), ("true", True), ("on", True), ("no", False),
                                              ("false", False), ("off", False), ("null", None))
          for spelling in (word, word.title(), word.upper())} | {"~": None}
_NOT_STR = frozenset(_WORDS)


def parse(content: str) -> tuple[dict[str, Any], list[tuple[int, int]]]:
    """The front matter's mapping, and the (start, end) in `content` of each string value of a title or
    description. Anything but a YAML mapping gives ({}, [])."""
    if _ANCHOR.search(content) or content.count("[") + content.count("{") > MAX_FLOW_BRACKETS:
        return {}, []  # untrusted: no alias expansion ("billion laughs"), no nesting libyaml recurses into
    simple = _simple(content)
    return simple if simple is not None else with_yaml(content)


def _date() -> type:
    """datetime.date, from the C module behind `datetime`: importing `datetime` itself unmarshals its
    2,600-line pure-Python fallback (~3 ms of a pre-commit run, for the `date:` most pages have)."""
    try:
        from _datetime import date
    except ImportError:  # an interpreter without the accelerator
        from datetime import date
    return date


def _simple(content: str) -> tuple[dict[str, Any], list[tuple[int, int]]] | None:
    data: dict[str, Any] = {}
    fields = []
    offset = 0
    for line in content.split("\n"):
        start, offset = offset, offset + len(line) + 1
        if not line.isprintable():  # tabs, control characters, non-ASCII spaces: PyYAML's call
            return None
        if not line.strip() or line.startswith("#"):
            continue
        entry = _ENTRY.fullmatch(line)
        if entry is None or entry.group(1) in _NOT_STR:
            return None
        key, raw = entry.group(1), entry.group(2)
        value: Any
        if not raw:
            value = None
        elif quoted := (_DOUBLE.fullmatch(raw) or _SINGLE.fullmatch(raw)):
            value = quoted.group(1)
            if key in FIELDS:
                fields.append((start + entry.start(2) + 1, start + entry.end(2) - 1))
        elif listed := _LIST.fullmatch(raw):
            items = [item.strip() for item in listed.group(1).split(",")] if listed.group(1) else []
            if any(item in _NOT_STR for item in items):
                return None
            value = items
        elif raw in _WORDS:
            value = _WORDS[raw]
        elif _INT.fullmatch(raw):
            value = int(raw)
        elif date := _DATE.fullmatch(raw):
            try:
                value = _date()(int(date.group(1)), int(date.group(2)), int(date.group(3)))
            except ValueError:
                return None
        elif _PLAIN.fullmatch(raw) and raw not in _NOT_STR:
            value = raw
            if key in FIELDS:
                fields.append((start + entry.start(2), start + entry.end(2)))
        else:
            return None
        data[key] = value
    return data, fields


def with_yaml(content: str) -> tuple[dict[str, Any], list[tuple[int, int]]]:
    """`parse` by PyYAML alone (libyaml's loader where installed)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(content)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError):
        return {}, []  # not YAML; a date like 2024-13-45 raises ValueError
    finally:
        loader.dispose()
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        return {}, []
    fields = []
    for key, value in node.value:
        if not (isinstance(key, yaml.ScalarNode) and key.value in FIELDS):
            continue
        if not (isinstance(value, yaml.ScalarNode) and value.tag == _STR_TAG):
            continue
        span = _value_span(content, value)
        if span is not None:
            fields.append(span)
    return data, fields


def _value_span(content: str, node: Any) -> tuple[int, int] | None:
    """The text of a scalar's value (inside quotes, below a block indicator), or None if unsure."""
    start, end, style = node.start_mark.index, node.end_mark.index, node.style or ""
    raw = content[start:end]
    if style in ("'", '"'):
        ok = len(raw) >= 2 and raw[0] == raw[-1] == style
        return (start + 1, end - 1) if ok else None
    if style in ("|", ">"):
        newline = raw.find("\n")
        return (start + newline + 1, end) if raw[:1] == style and newline >= 0 else None
    return (start, end) if raw.split() == node.value.split() else None
