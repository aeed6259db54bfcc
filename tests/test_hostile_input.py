"""Hostile files to lint: huge, deeply nested, vanishing, oddly encoded, binary or pathological input
must never crash the run or eat the machine. Each row is input -> exit code + one stderr line, and in
every row `good.md` ("Our infusions cure depression.") is linted too and its finding must still be
reported; nothing may print a traceback.

Rows that run for more than a few seconds are `slow` (CI still runs them). The big inputs run as a real
process so their peak memory can be measured (`os.wait4` gives the rusage of that one child, unlike
`RUSAGE_CHILDREN`, which is the maximum over every child the test process ever had).
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import SRC, run_cli, write
from healthlint import discovery, engine, language, readers, rulefile

GOOD = "Our infusions cure depression.\n"
GOOD_FINDING = 'good.md:1:15: HL101 "cure" promises a cure'
CLAIM = "Our infusions cure depression."
MB = 1_000_000
MEMORY_LIMIT_KB = 1_000_000  # ru_maxrss is in KiB on Linux

PARAGRAPH = (
    "## Ketamine care at our clinic\n\n"
    "Our team reviews every referral within two business days. Ketamine is not a cure, and it does not "
    "help everyone; talk to your doctor about whether it fits. Sessions last about an hour, and a nurse "
    "stays with you throughout.\n\n- Free parking on site\n- Evening appointments\n\n"
)


def sized(text: str, size: int) -> str:
    """`text` repeated to exactly `size` characters."""
    return (text * (size // len(text) + 1))[:size]


def newlines(text: str, size: int) -> int:
    """How many line breaks `sized(text, size)` holds, without building it."""
    repeats, rest = divmod(size, len(text))
    return repeats * text.count("\n") + text[:rest].count("\n")


def png() -> bytes:
    """A real 16x16 PNG: signature, IHDR, IDAT, IEND."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes([x * 16, 255 - x * 16, 128]) * 16 for x in range(16))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def front_matter_bomb(levels: int) -> str:
    """Billion laughs in a page's front matter, its top level under `healthlint: product:`."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "---\n" + "\n".join(lines) + f"\nhealthlint:\n  product: *l{levels - 1}\n---\n\n{CLAIM}\n"


def symlink(target: str) -> Callable[[Path], object]:
    return lambda path: path.symlink_to(target, target_is_directory=True)


@dataclass(frozen=True)
class Row:
    """Files to create (content, or a function that makes the path), the paths to lint besides good.md,
    and what must come out: the exit code, one stderr line holding `message` (None: stderr stays
    empty), and substrings the report must hold besides good.md's finding."""

    id: str
    files: dict[str, str | bytes | Callable[[Path], object]]
    code: int
    message: str | None = None
    paths: tuple[str, ...] = ()  # default: every created file
    reported: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    real: bool = False  # a real process, its peak memory measured
    memory_kb: int = MEMORY_LIMIT_KB
    marks: tuple = ()


ROWS = (
    Row("50mb-file", {"big.txt": lambda p: p.write_text(sized(PARAGRAPH, 50 * MB) + "\n\n" + CLAIM)}, 1,
        reported=(f"big.txt:{newlines(PARAGRAPH, 50 * MB) + 3}:15: HL101",), real=True, memory_kb=2_000_000,
        marks=(pytest.mark.slow,)),
    Row("5mb-single-line", {"line.md": lambda p: p.write_text(
        sized("Our infusions are gentle and calm. ", 5 * MB) + CLAIM)}, 1,
        reported=(f"line.md:1:{5 * MB + 15}: HL101",), real=True, marks=(pytest.mark.slow,)),
    Row("nested-lists-10000", {"deep.md": "- " * 10_000 + CLAIM + "\n"}, 1, reported=("deep.md:1:20015: HL101",)),
    Row("nested-ordered-lists-10000", {"deep.md": "1. " * 10_000 + CLAIM + "\n"}, 1,
        reported=("deep.md:1:30015: HL101",)),
    Row("nested-quotes-10000", {"deep.md": "> " * 10_000 + CLAIM + "\n"}, 1, reported=("deep.md:1:20015: HL101",)),
    Row("nested-quotes-no-space-10000", {"deep.md": ">" * 10_000 + CLAIM + "\n"}, 1,
        reported=("deep.md:1:10015: HL101",)),
    Row("nested-mixed-10000", {"deep.md": "> - 1. " * 3_334 + CLAIM + "\n"}, 1,
        reported=("deep.md:1:23353: HL101",)),
    Row("nested-per-line-quotes", {"deep.md": "".join(">" * i + " text\n" for i in range(1, 2_001)) + CLAIM}, 1,
        reported=("deep.md:2001:15: HL101",)),
    Row("nested-emphasis-and-links", {"deep.md": "*" * 10_000 + "[" * 10_000 + CLAIM + "](x)" * 10_000 + "\n"}, 1,
        reported=("deep.md:1:20015: HL101",)),
    Row("html-10000-unclosed-tags", {"tags.html": "<div>" * 10_000 + CLAIM}, 1,
        reported=("tags.html:1:50015: HL101",)),
    Row("html-10000-unclosed-mixed", {"tags.html": "<li><blockquote><b><span>" * 2_500 + CLAIM}, 1,
        reported=("tags.html:1:62515: HL101",)),
    Row("html-10000-unclosed-comments-attrs", {"tags.html": "<p title='x" * 10_000 + "'>" + CLAIM}, 1),
    Row("markdown-10000-unclosed-html", {"tags.md": "<div>\n" * 10_000 + "\n" + CLAIM + "\n"}, 1,
        reported=("tags.md:10002:15: HL101",)),
    Row("front-matter-python-tag", {"fm.md": '---\ntitle: !!python/object/apply:os.system ["touch pwned"]\n---\n\n'
                                             + GOOD}, 1, reported=("fm.md:5:15: HL101",)),
    Row("front-matter-nested-3000", {"fm.md": "---\ntitle: " + "[" * 3_000 + "]" * 3_000 + "\n---\n\n" + GOOD}, 1,
        reported=("fm.md:5:15: HL101",)),
    Row("front-matter-nested-100000", {"fm.md": "---\ntitle: " + "[" * 100_000 + "]" * 100_000 + "\n---\n\n" + GOOD},
        1, reported=("fm.md:5:15: HL101",), real=True),
    # front matter with anchors is refused (left masked, no context read), so nothing is expanded
    Row("front-matter-alias-bomb", {"bomb.md": front_matter_bomb(7)}, 1, reported=("bomb.md:13:15: HL101",),
        real=True),
    Row("utf16-le-bom", {"u16.md": b"\xff\xfe" + f"# Intro 😀\r\n\r\n{CLAIM}\r\n".encode("utf-16-le")}, 1,
        reported=("u16.md:3:15: HL101",)),
    Row("utf16-be-bom", {"u16.txt": b"\xfe\xff" + f"Intro 😀\n\n\t😀 {CLAIM}\n".encode("utf-16-be")}, 1,
        reported=("u16.txt:3:18: HL101",)),
    Row("utf16-le-bom-html", {"u16.html": b"\xff\xfe" + f"<p>{CLAIM}</p>".encode("utf-16-le")}, 1,
        reported=("u16.html:1:18: HL101",)),
    Row("utf16-odd-length", {"u16.md": b"\xff\xfe" + CLAIM.encode("utf-16-le") + b"\x00"}, 2,
        "u16.md: not valid UTF-16"),
    Row("utf16-lone-surrogate", {"u16.md": b"\xff\xfe" + CLAIM.encode("utf-16-le") + b"\x00\xd8"}, 2,
        "u16.md: not valid UTF-16"),
    Row("png-image-found-in-folder", {"site/logo.md": png()}, 1, "healthlint: notice: site/logo.md: binary file, "
        "skipped", paths=("site",)),
    Row("png-image-named", {"logo.png": png()}, 1, "healthlint: notice: logo.png: binary file, skipped"),
    Row("nul-bytes-early", {"nul.md": b"Hello\x00world. " + GOOD.encode()}, 1,
        "healthlint: notice: nul.md: binary file, skipped"),
    Row("nul-bytes-after-sniff", {"nul.txt": b"Fine words.\n" * 1_000 + b"x\x00y " + GOOD.encode()}, 1,
        reported=("nul.txt:1001:19: HL101",)),
    Row("nul-bytes-after-sniff-md", {"nul.md": b"Fine words.\n\n" * 1_000 + b"x\x00y " + GOOD.encode()}, 1,
        reported=("nul.md:2001:19: HL101",)),
    Row("nul-bytes-after-sniff-html", {"nul.html": b"<p>Fine.</p>\n" * 1_000 + b"<p>x\x00y " + GOOD.encode()}, 1,
        reported=("nul.html:1001:22: HL101",)),
    Row("directory-symlink-loop", {"site/a/x.md": GOOD, "site/a/to_b": symlink("../b"), "site/b/to_a": symlink("../a"),
                                   "site/self": symlink("."), "site/up": symlink("..")}, 1,
        paths=("site",), reported=("site/a/x.md:1:15: HL101",)),
    Row("directory-symlink-loop-named", {"site/a/x.md": GOOD, "site/a/up": symlink("..")}, 1,
        paths=("site/a/up/a/up/a",), reported=("site/a/up/a/up/a/x.md:1:15: HL101",)),
    Row("self-symlink-named", {"loop": symlink("loop")}, 2, "healthlint: error: loop: no such file or folder",
        paths=("loop",)),
)


def run_measured(args: tuple[str, ...], cwd: Path) -> tuple[int, str, str, int]:
    """Run `python -m healthlint ARGS`: (exit code, stdout, stderr, peak RSS of that process in KiB)."""
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))
    with open(cwd / ".out", "w+b") as out, open(cwd / ".err", "w+b") as err:
        proc = subprocess.Popen([sys.executable, "-m", "healthlint", *args], cwd=cwd, env=environment,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        deadline = time.monotonic() + 600
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"healthlint {' '.join(args)} still running after 600 s")
            time.sleep(0.05)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return (proc.returncode, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                usage.ru_maxrss)


def make(tmp_path: Path, files: dict) -> None:
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if callable(content):
            content(path)
        else:
            write(tmp_path, name, content)


def check(code: int, out: str, err: str, row: Row) -> None:
    assert code >= 0, f"killed by signal {-code}"
    assert "Traceback" not in out + err
    assert len(err) < 5_000, f"{len(err):,} characters on stderr: {err[:300]}"
    assert "internal error" not in err, err
    if row.message is None:
        assert err == "", err
    else:
        assert len(err.splitlines()) == 1, err
        assert row.message in err, err
    assert sum(GOOD_FINDING in line for line in out.splitlines()) == 1, out[-2000:]
    for part in row.reported:
        assert part in out, out[-2000:]
    assert code == row.code, out[-2000:] + err


@pytest.mark.parametrize("row", [pytest.param(r, id=r.id, marks=r.marks) for r in ROWS])
def test_hostile_input(tmp_path, row):
    (tmp_path / ".git").mkdir()  # the repository root: no .gitignore above it is read
    make(tmp_path, row.files)
    write(tmp_path, "good.md", GOOD)
    args = ("check", "--format", "concise", "--select", "HL101", *row.args, *(row.paths or row.files), "good.md")
    if row.real:
        code, out, err, peak_kb = run_measured(args, tmp_path)
        assert peak_kb < row.memory_kb, f"peak RSS {peak_kb:,} KiB"
    else:
        result = run_cli(*args, cwd=tmp_path)
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        code, out, err = result.exit_code, result.stdout, result.stderr
    assert not (tmp_path / "pwned").exists(), "front matter ran a command"
    check(code, out, err, row)


# --- a million findings ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_million_findings_finish_in_bounded_memory(tmp_path):
    """'cure ' a million times: the run ends, with every finding or a notice naming the file and rule,
    and the process stays under 1 GB."""
    write(tmp_path, "million.txt", "cure " * 1_000_000)
    write(tmp_path, "good.md", GOOD)
    code, out, err, peak_kb = run_measured(
        ("check", "--format", "concise", "--select", "HL101", "million.txt", "good.md"), tmp_path)
    assert "Traceback" not in out + err and "internal error" not in err
    assert code == 1
    assert sum(GOOD_FINDING in line for line in out.splitlines()) == 1
    found = sum(line.startswith("million.txt:1:") for line in out.splitlines())
    notice = "healthlint: notice: million.txt: HL101:" in err
    assert notice or found == 1_000_000, (found, err)
    assert peak_kb < MEMORY_LIMIT_KB, f"peak RSS {peak_kb:,} KiB"


# --- a file removed while the run goes on -------------------------------------------------------------


def test_file_removed_before_reading(tmp_path, monkeypatch):
    """Discovery saw it, then it is gone when read: one error line, the rest still linted."""
    write(tmp_path, "gone.md", "Our infusions heal anxiety.\n")
    write(tmp_path, "good.md", GOOD)
    real_read = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "gone.md":
            raise FileNotFoundError(2, "No such file or directory", str(self))
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = run_cli("check", "--format", "concise", "--select", "HL101", "gone.md", "good.md", cwd=tmp_path)
    assert result.stderr == "healthlint: error: gone.md: cannot read: No such file or directory\n"
    assert result.stdout.startswith(GOOD_FINDING)
    assert result.exit_code == 2


@pytest.mark.parametrize("files", [3, 80], ids=["serial", "pool"])
def test_file_deleted_between_discovery_and_reading(tmp_path, monkeypatch, files):
    """A real deletion after the folder walk; with 80 files the pool runs (its size estimate stats a
    missing file too)."""
    (tmp_path / ".git").mkdir()
    for n in range(files):
        write(tmp_path, f"site/page-{n:02}.md", "Ketamine is not a cure. " * 200 + "\n")
    write(tmp_path, "site/gone.md", "Our infusions heal anxiety.\n")
    write(tmp_path, "site/good.md", GOOD)
    real_discover = discovery.discover

    def discover(*args, **kwargs):
        found = list(real_discover(*args, **kwargs))
        (tmp_path / "site" / "gone.md").unlink()
        yield from found

    monkeypatch.setattr(discovery, "discover", discover)
    result = run_cli("check", "--format", "concise", "--select", "HL101", "--jobs", "2", "site", cwd=tmp_path)
    assert "Traceback" not in result.output
    assert result.stderr == "healthlint: error: site/gone.md: cannot read: No such file or directory\n"
    assert result.stdout.startswith('site/good.md:1:15: HL101 "cure"')
    assert result.exit_code == 2


# --- the regex time budget --------------------------------------------------------------------------------


def test_judging_matches_does_not_count_against_the_regex_timeout(monkeypatch):
    """A benign pattern whose matches take long to judge (a loaded machine, a big page) must not time out.

    Made deterministic by slowing the negation check: 400 matches at 1 ms each of judging, while the
    regex itself needs a few milliseconds against a 0.25 s budget.
    """
    rules = rulefile.load_rules()
    cure = rules.by_id()["HL101"]
    doc = readers.load("page.md", ("Our infusions cure depression.\n\n" * 400).encode())
    real = language.is_negated

    def slow_is_negated(*args, **kwargs):
        time.sleep(0.001)
        return real(*args, **kwargs)

    monkeypatch.setattr(language, "is_negated", slow_is_negated)
    result = engine.lint_document(doc, [cure], rules.lexicon)
    assert result.notices == ()
    assert len(result.findings) == 400
