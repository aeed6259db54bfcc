"""Plain-text reader: all of it is prose except whole-line healthlint directives.

Plain text has no comment syntax, so a line holding only a directive (`healthlint-disable HL101`,
optionally as `# ...` or `<!-- ... -->`) is masked and recorded as a comment.

Blocks: a blank line ends a paragraph, and so does a line break unless the next line starts in
lowercase. Articles pasted as text put headings on lines of their own without punctuation
("How X Solves Y" then "A New Path for Relief"), while a hard-wrapped sentence continues in
lowercase; without the second rule a heading would run into the sentence below it.
"""

from __future__ import annotations

from healthlint import lazy
from healthlint.model import Block, Document, Span

_LINE = lazy.compile(r"([^\r\n]*)(?:\r\n|\r|\n|$)")
_DIRECTIVE = lazy.compile(
    r"\s*(?:(<!--\s*healthlint-(?:disable|enable).*?-->)|#?\s*(healthlint-(?:disable|enable).*?))\s*"
)
_BULLET = lazy.compile(r"\s*(?:[-*•]|\d+[.)])\s+(?=\S)")
_CLOSERS = "\"'”’»)]"
_TERMINAL = ".!?:;…"
HEADING_MAX = 120


def read(path: str, source: str) -> Document:
    """Read a plain-text document."""
    prose, comments = _mask_directives(source)
    return Document(path, source, prose, "text", _blocks(prose), comments, {})


def _mask_directives(source: str) -> tuple[str, tuple[Span, ...]]:
    """Blank whole-line directives; return the prose and the directives' spans."""
    if "healthlint-" not in source:
        return source, ()
    out: list[str] = []
    comments: list[Span] = []
    pos = 0
    for line in _LINE.finditer(source):
        m = _DIRECTIVE.fullmatch(line.group(1))
        if m is None:
            continue
        group = 1 if m.group(1) is not None else 2
        start = line.start()
        comments.append(Span(start + m.start(group), start + m.end(group)))
        out.append(source[pos:start])
        out.append(" " * len(line.group(1)))
        pos = line.end(1)
    out.append(source[pos:])
    return "".join(out), tuple(comments)


def _blocks(prose: str) -> tuple[Block, ...]:
    """Paragraphs, headings and items, split as the module docstring says."""
    blocks: list[Block] = []
    current: list = []  # [start, end, lines, is_item] of the open block

    def close() -> None:
        if current:
            start, end, lines, is_item = current
            blocks.append(Block(Span(start, end), _role(prose[start:end], lines, is_item)))
            current.clear()

    for line in _LINE.finditer(prose):
        content = line.group(1)
        if not content or content.isspace():
            close()
            continue
        base = line.start()
        end = base + len(content.rstrip())
        bullet = _BULLET.match(content)
        first = content.lstrip()[0]
        if current and bullet is None and first.islower():
            current[1] = end
            current[2] += 1
            continue
        close()
        start = base + (bullet.end() if bullet else len(content) - len(content.lstrip()))
        current.extend((start, end, 1, bullet is not None))
    close()
    return tuple(blocks)


def _role(text: str, lines: int, is_item: bool) -> str:
    if is_item:
        return "item"
    if lines == 1 and len(text) < HEADING_MAX and text.rstrip(_CLOSERS)[-1:] not in _TERMINAL:
        return "heading"
    return "paragraph"
