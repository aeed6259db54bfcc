"""Values that cross module boundaries: documents, spans, rules and findings.

Everything here is immutable. Values are named tuples, cheaper to define at start-up and to create
than frozen dataclasses (and `dataclasses` imports `inspect`, milliseconds of every pre-commit run);
Document, which caches its line starts and needs weak references, is a small class of its own.
Positions stay `str` offsets into `Document.source` until a format asks `Document.position()` for a
1-based line and column, so no module ever has to re-locate text after the fact.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Mapping, Sequence
from enum import IntEnum
from typing import Any, ClassVar, NamedTuple, Protocol

_LINE_END = re.compile(r"\r\n?|\n")


class Severity(IntEnum):
    """Ordered, so `--fail-on` is a comparison."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, value: str) -> Severity:
        """'error' -> Severity.ERROR; raises ValueError naming the choices."""
        try:
            return cls[value.upper()]
        except (KeyError, AttributeError):
            raise ValueError(f"unknown severity {value!r}; expected one of error, warning, info") from None

    def __str__(self) -> str:
        return self.name.lower()


class Span(NamedTuple):
    """A half-open range of `str` indices into `Document.source`: start inclusive, end exclusive."""

    start: int
    end: int


class Block(NamedTuple):
    """One unit of prose the reader found: sentences never run across two blocks.

    role is one of: heading, paragraph, item (list item), quote, cell (table cell),
    meta (a front-matter field), alt (an image alt text or title attribute).
    """

    span: Span
    role: str


class Frozen:
    """Base of the few immutable values that also cache work, which named tuples cannot: fields are
    set once in `__init__`, compared, hashed and shown like a frozen dataclass's, and caches are
    filled through `_cache`. Written by hand because `dataclasses` imports `inspect`, milliseconds of
    every pre-commit run."""

    __slots__ = ()
    _FIELDS: ClassVar[tuple[str, ...]] = ()

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot delete {name!r}")

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in self._FIELDS)

    def _set(self, **values: Any) -> None:
        """Set fields (in `__init__`) past the immutability guard."""
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def _cache(self, name: str, value: Any) -> Any:
        object.__setattr__(self, name, value)
        return value

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._FIELDS)
        return f"{type(self).__name__}({shown})"


class Document(Frozen):
    """A decoded file and its prose mask.

    source  the decoded text (BOM dropped, line endings untouched)
    prose   `source` with every non-prose character replaced by a space; same length, and every
            '\\r' and '\\n' kept in place, so an offset in `prose` is an offset in `source`
    format  the reader that produced it: markdown, html or text
    blocks  the prose units, in order, not overlapping
    comments  spans (in source) of comments that may hold healthlint directives
    meta    front-matter fields (Markdown) or {} — document context such as `product`

    Once linted, a document is kept only to report on (`for_report`): its source and path. Kinds
    cache work per document through weak references to it.
    """

    __slots__ = ("__weakref__", "_lowered", "_starts", "blocks", "comments", "format", "meta", "path",
                 "prose", "source")
    _FIELDS = ("path", "source", "prose", "format", "blocks", "comments", "meta")

    path: str
    source: str
    prose: str
    format: str
    blocks: tuple[Block, ...]
    comments: tuple[Span, ...]
    meta: Mapping[str, Any]

    def __init__(self, path: str, source: str, prose: str, format: str = "text",
                 blocks: tuple[Block, ...] = (), comments: tuple[Span, ...] = (),
                 meta: Mapping[str, Any] | None = None) -> None:
        self._set(path=path, source=source, prose=prose, format=format, blocks=blocks, comments=comments,
                  meta={} if meta is None else meta,
                  _starts=None, _lowered=False)  # _lowered False: not computed yet (None is a result)

    def __reduce__(self) -> tuple:  # workers send results back pickled; the caches are recomputed
        return Document, self._values()

    def for_report(self) -> Document:
        """This document without what only rules need (the prose mask, blocks, comments, front
        matter), so that a run over thousands of files holds little more than their text until it
        reports."""
        return Document(self.path, self.source, "", self.format)

    def text(self, span: Span) -> str:
        """The source text a span covers."""
        return self.source[span.start : span.end]

    @property
    def line_starts(self) -> tuple[int, ...]:
        """Offsets at which each line begins; '\\n', '\\r\\n' and a lone '\\r' end a line."""
        starts = self._starts
        if starts is None:
            starts = self._cache("_starts", (0, *(m.end() for m in _LINE_END.finditer(self.source))))
        return starts

    @property
    def lowered(self) -> str | None:
        """`prose` lower-cased, for literal prefilters; None where that changes its length ('İ')."""
        lowered = self._lowered
        if lowered is False:
            lowered = self.prose.lower()
            lowered = self._cache("_lowered", lowered if len(lowered) == len(self.prose) else None)
        return lowered

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of an offset, the column counted in characters (code points)."""
        starts = self.line_starts
        line = bisect.bisect_right(starts, offset) - 1
        return line + 1, offset - starts[line] + 1

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line ending."""
        starts = self.line_starts
        start = starts[line - 1]
        end = starts[line] if line < len(starts) else len(self.source)
        return self.source[start:end].rstrip("\r\n")


CONTEXT_VALUES: Mapping[str, tuple[str, ...]] = {
    "product": ("supplement", "cbd", "rx_drug", "compounded", "clinic_service", "therapy_practice",
                "telehealth", "info"),
    "locale": ("US", "UK", "EU", "AU"),
    "channel": ("web", "paid_ad", "social", "email"),
}


class Context(NamedTuple):
    """What a document promotes, where, and through which channel; rules apply and set severity from it.

    product  None when undeclared: rules limited to particular products then stay off
    """

    product: str | None = None
    locale: str = "US"
    channel: str = "web"

    def matches(self, condition: Mapping[str, tuple[str, ...]]) -> bool:
        """Whether every key of a condition ({"product": ("supplement",)}) holds for this context."""
        return all(getattr(self, key) in values for key, values in condition.items())


class Override(NamedTuple):
    """Severity, message or suggestion that replace a rule's own when `when` matches the context."""

    when: Mapping[str, tuple[str, ...]]
    severity: Severity | None = None
    message: str | None = None
    suggestion: str | None = None


class Example(NamedTuple):
    """One example text, read as Markdown, in the context it is linted in."""

    text: str
    context: Context = Context()


class Examples(NamedTuple):
    """Text a rule must flag and text it must pass; run by `healthlint test-rules` and the tests."""

    flag: tuple[Example, ...]
    passes: tuple[Example, ...]


class Kind(Protocol):
    """A rule kind: built once from a rule's keys, then asked for spans in each document.

    Span kinds (phrase, pattern, unsourced) yield the spans of their matches; the engine then applies
    the rule's context policy (negation, questions). Document kinds (require, require-if) set
    `document = True` and yield one span per missing requirement: the trigger's span, or an empty
    span at offset 0.
    """

    document: bool

    def find(self, doc: Document) -> Iterator[Span]: ...


class Rule(NamedTuple):
    """One rule from a YAML pack, compiled.

    negation   'excuses': a match inside a negation is skipped ("not a cure");
               'ignored': negation does not excuse it ("no side effects")
    questions  'skip': a match in a question is skipped; 'downgrade': reported as info; 'flag': as is;
               'unless-denied': reported unless the next sentence answers "no"
    origin     where it was defined, 'rules/claims.yaml:12', for error messages
    applies    the contexts the rule runs in ({"product": ("supplement", "cbd")}); empty: all
    enabled    False: off unless selected by its full id (or switched on by a config setting)
    overrides  per-context severity/message/suggestion, the first whose `when` matches wins
    """

    id: str
    name: str
    kind_name: str
    kind: Kind
    severity: Severity
    message: str
    rationale: str
    references: tuple[str, ...]
    examples: Examples
    origin: str
    suggestion: str = ""
    negation: str = "excuses"
    questions: str = "skip"
    applies: Mapping[str, tuple[str, ...]] = {}  # read, never changed (a read-only proxy would not pickle)
    overrides: tuple[Override, ...] = ()
    enabled: bool = True

    @property
    def is_document(self) -> bool:
        return bool(getattr(self.kind, "document", False))

    def in_context(self, context: Context) -> Rule | None:
        """This rule as it applies in `context` (overrides resolved), or None where it does not apply."""
        if not context.matches(self.applies):
            return None
        for override in self.overrides:
            if context.matches(override.when):
                return self._replace(
                    severity=override.severity or self.severity,
                    message=override.message or self.message,
                    suggestion=override.suggestion or self.suggestion,
                    overrides=(),
                )
        return self


class Finding(NamedTuple):
    """A rule's verdict on one span of a document (or on the whole document)."""

    rule_id: str
    name: str
    severity: Severity
    message: str
    span: Span
    suggestion: str = ""
    document: bool = False


class Notice(NamedTuple):
    """Something the user should know that is not a finding: a skipped binary file, a regex timeout."""

    path: str
    message: str


class FileResult(NamedTuple):
    """The findings for one document, sorted by position then rule id."""

    document: Document
    findings: tuple[Finding, ...]
    notices: tuple[Notice, ...] = ()


def sort_findings(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """Sort by position, then rule id, so output is deterministic."""
    return tuple(sorted(findings, key=lambda f: (f.span.start, f.span.end, f.rule_id, f.message)))
