"""Decoding and dispatch: BOMs, binary files, bad UTF-8 with its location, formats by extension."""

from __future__ import annotations

import pytest

from healthlint.errors import BinaryFileError, InputError
from healthlint.readers import EXTENSIONS, READERS, decode, format_for, load


def test_utf8_plain_and_line_endings_untouched():
    assert decode("a\r\nb\rc\nd — é 😀".encode(), "f.md") == "a\r\nb\rc\nd — é 😀"


def test_utf8_bom_dropped():
    assert decode(b"\xef\xbb\xbfHello", "f.md") == "Hello"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom_decoded(encoding):
    text = "Título\r\n😀 ok"
    data = text.encode(encoding)
    if encoding != "utf-16":  # the explicit-endian codecs write no BOM
        data = ("\ufeff" + text).encode(encoding)
    assert decode(data, "f.txt") == text


def test_utf16_truncated_is_an_input_error():
    with pytest.raises(InputError, match=r"^f.txt: not valid UTF-16"):
        decode("ab".encode("utf-16") + b"\x00", "f.txt")


def test_nul_byte_means_binary():
    with pytest.raises(BinaryFileError, match=r"^img.png: binary file, skipped$"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00", "img.png")
    assert issubclass(BinaryFileError, InputError)


def test_nul_after_the_first_8_kib_is_not_binary_sniffed():
    assert decode(b"a" * 9000 + b"\x00", "f.txt").endswith("\x00")


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b"\xff", "byte 0xff at line 1, column 1"),
        (b"ab\ncd\r\nxy\xffz", "byte 0xff at line 3, column 3"),
        ("é😀\n€ab".encode() + b"\xfe", "byte 0xfe at line 2, column 4"),
        (b"one\rtwo\r\x80", "byte 0x80 at line 3, column 1"),
        ("ok é".encode()[:-1], "byte 0xc3 at line 1, column 4"),
        (b"\xef\xbb\xbfab\xff", "byte 0xff at line 1, column 3"),
    ],
)
def test_invalid_utf8_names_byte_line_and_column(data, where):
    with pytest.raises(InputError) as info:
        decode(data, "post.md")
    assert str(info.value) == f"post.md: not valid UTF-8 ({where})"
    assert not isinstance(info.value, BinaryFileError)


def test_format_for_extensions():
    assert format_for("a/b/post.MD") == "markdown"
    assert format_for("x.markdown") == "markdown"
    assert format_for("page.HTML") == "html"
    assert format_for("page.htm") == "html"
    assert format_for("notes.txt") == "text"
    assert format_for("notes.rst") is None
    assert format_for("Makefile") is None
    assert set(EXTENSIONS.values()) == set(READERS)


def test_load_dispatches_and_format_overrides_extension():
    assert load("a.md", b"# T\n").format == "markdown"
    assert load("a.html", b"<p>T</p>").format == "html"
    assert load("a", b"T").format == "text"
    doc = load("a.txt", b"# T\n", format="markdown")
    assert doc.format == "markdown"
    assert doc.prose == "  T\n"
    with pytest.raises(InputError, match="unknown format 'pdf'"):
        load("a.txt", b"x", format="pdf")


def test_load_raises_decode_errors():
    with pytest.raises(BinaryFileError):
        load("a.md", b"\x00\x01")
    with pytest.raises(InputError, match="line 1, column 2"):
        load("a.md", b"a\xff")
