"""Readers: file bytes -> `Document`, one module per format.

`load` decodes once (BOMs, binary files and bad UTF-8 handled here, so every reader gets clean
`str`) and dispatches on the format. `READERS` is the one registry: CLI choices and docs derive
from it.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable

from healthlint.errors import BinaryFileError, InputError
from healthlint.model import Document
from healthlint.readers import html, markdown, text

READERS: dict[str, Callable[[str, str], Document]] = {
    "markdown": markdown.read,
    "html": html.read,
    "text": text.read,
}
EXTENSIONS = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".txt": "text"}

# git's heuristic: a NUL byte in the first 8 KiB means binary.
BINARY_SNIFF = 8192


def format_for(path: str) -> str | None:
    """The reader for a file name's extension, or None when the extension is unknown."""
    return EXTENSIONS.get(os.path.splitext(path)[1].lower())


def load(path: str, data: bytes, format: str | None = None) -> Document:
    """Decode a file's bytes and read them with `format` (default: by extension, else text)."""
    name = format or format_for(path) or "text"
    reader = READERS.get(name)
    if reader is None:
        raise InputError(f"{path}: unknown format {name!r}; expected one of {', '.join(READERS)}")
    return reader(path, decode(data, path))


def decode(data: bytes, path: str) -> str:
    """UTF-8 (BOM dropped) or UTF-16 with a BOM; raise BinaryFileError or InputError otherwise."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")  # the codec reads and drops the BOM
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: not valid UTF-16 ({exc.reason} at byte {exc.start})") from None
    if b"\x00" in data[:BINARY_SNIFF]:
        raise BinaryFileError(f"{path}: binary file, skipped")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid UTF-8 ({_where(data, exc.start)})") from None


def _where(data: bytes, offset: int) -> str:
    """'byte 0xff at line 3, column 5': 1-based, the column in characters of the valid prefix."""
    prefix = data[:offset].decode("utf-8")
    line = prefix.count("\n") + prefix.count("\r") - prefix.count("\r\n") + 1
    line_start = max(prefix.rfind("\n"), prefix.rfind("\r")) + 1
    return f"byte 0x{data[offset]:02x} at line {line}, column {len(prefix) - line_start + 1}"
