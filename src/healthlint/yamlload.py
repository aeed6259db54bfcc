"""Safe YAML loading that remembers where every mapping and key came from.

Rule packs and config files are untrusted: only the safe constructors run, a key repeated in one
mapping is an error rather than a silent overwrite, and every mapping carries its line numbers so
errors can say `rules/claims.yaml:12: HL101: ...` (the location comes from the parser's marks,
never from re-parsing error text).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from healthlint.errors import HealthlintError

_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is ~8x faster when present

# Aliases let a small file describe a huge structure ("billion laughs"): each node's expanded
# size is tracked while it is built, and a file that would expand past this is refused.
MAX_EXPANDED_VALUES = 200_000
MAX_BYTES = 5_000_000


class LocatedDict(dict):
    """A mapping from YAML that knows its own line and the line of each of its keys (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class _Loader(_BASE):  # type: ignore[misc, valid-type]
    """SafeLoader whose mappings are LocatedDict and which refuses duplicate keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.sizes: dict[int, int] = {}

    def construct_children(self, parent: yaml.Node, children: list[yaml.Node]) -> list[Any]:
        """Construct child nodes, refusing a parent whose expanded size passes the limit.

        libyaml composes in C, so sizes are counted here, where construction happens in Python;
        an alias is the same node met again, and counts its whole size again.
        """
        values = [self.construct_object(child, deep=True) for child in children]
        size = 1 + sum(self.sizes.get(id(child), 1) for child in children)
        if size > MAX_EXPANDED_VALUES:
            raise yaml.YAMLError(
                f"line {parent.start_mark.line + 1}: aliases expand to more than "
                f"{MAX_EXPANDED_VALUES:,} values; refusing to expand"
            )
        self.sizes[id(parent)] = size
        return values


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LocatedDict:
    loader.flatten_mapping(node)
    data = LocatedDict()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    pairs = node.value
    values = loader.construct_children(node, [n for pair in pairs for n in pair])
    for index, (key_node, _) in enumerate(pairs):
        key, value = values[2 * index], values[2 * index + 1]
        line = key_node.start_mark.line + 1
        if not isinstance(key, str | int | float | bool) and key is not None:
            raise yaml.YAMLError(f"line {line}: a key must be a plain value")
        if key in data:
            raise yaml.YAMLError(f"line {line}: duplicate key {key!r} (first at line {data.key_lines[key]})")
        data[key] = value
        data.key_lines[key] = line
    return data


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> list[Any]:
    return loader.construct_children(node, node.value)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def load_yaml(path: Path, error: type[HealthlintError]) -> Any:
    """Parse one YAML file safely; any problem becomes `error('path:line: what')`."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise error(f"{path}: {len(data):,} bytes is larger than the {MAX_BYTES:,}-byte limit for YAML files")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None
    return parse_yaml(text, str(path), error)


MAX_DEPTH = 200  # nesting deeper than this is no rule file; libyaml recurses per level (and can crash)
_OPENERS = re.compile(r"[\[{]")


def _too_deep(text: str) -> int | None:
    """The 1-based line where flow nesting ('[' and '{') passes MAX_DEPTH, or None.

    Counted roughly (brackets inside quotes count too), which only errs towards refusing absurd input.
    """
    if len(_OPENERS.findall(text)) <= MAX_DEPTH:
        return None
    depth = 0
    for m in re.finditer(r"[\[{\]}]", text):
        depth += 1 if m.group() in "[{" else -1
        if depth > MAX_DEPTH:
            return text.count("\n", 0, m.start()) + 1
    return None


def parse_yaml(text: str, name: str, error: type[HealthlintError]) -> Any:
    """Parse YAML text safely; `name` is used in error messages."""
    deep = _too_deep(text)
    if deep is not None:
        raise error(f"{name}:{deep}: nested more than {MAX_DEPTH} levels deep; refusing to parse")
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    except RecursionError:
        raise error(f"{name}: nested too deeply to parse") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        raise error(f"{name}:{line}: invalid YAML: control character U+{ord(char):04X} is not allowed") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise error(f"{name}{line}: invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        text = str(exc)
        if text.startswith("line "):
            line, _, rest = text[5:].partition(": ")
            raise error(f"{name}:{line}: {rest}") from None
        raise error(f"{name}: invalid YAML: {text}") from None
    finally:
        loader.dispose()
