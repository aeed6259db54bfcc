"""Bad input never crashes the run: one line on stderr naming the file (and line), the right exit code,
and the other files of the run still linted.

Each row creates its files in a fresh folder next to `good.md`, whose HL101 finding must still be
reported (for rule and config errors the run stops before linting, so that file is not checked there).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import run_cli, run_process, write

GOOD = "Our infusions cure depression.\n"
GOOD_FINDING = 'good.md:1:15: HL101 "cure" promises a cure'

RULE = """\
- id: {id}
  name: {name}
  kind: phrase
  severity: warning
  phrases: [wellness journey]
  message: '"{{match}}" is vague.'
  rationale: Vague copy hides what is on offer.
"""


@dataclass(frozen=True)
class Row:
    """Files to create, extra arguments, and what must come out."""

    id: str
    files: dict[str, str | bytes | Callable[[Path], object]]
    code: int
    stderr: tuple[str, ...] = ()  # substrings of the one stderr line; () means stderr stays empty
    paths: tuple[str, ...] = ()  # linted besides good.md; default: every created file with a text extension
    args: tuple[str, ...] = ()
    lints_others: bool = True
    real: bool = False  # run as a real process, to see the exit code the shell sees
    marks: tuple = ()


def symlink(target: str) -> Callable[[Path], object]:
    return lambda path: path.symlink_to(target)


def unreadable(path: Path) -> None:
    path.write_text("Our infusions heal anxiety.\n", encoding="utf-8")
    path.chmod(0)


VAGUE = RULE.format(id="HL901", name="vague")



ROWS = (
    Row("missing-path", {}, 2, ("healthlint: error: nowhere.md: no such file or folder",), paths=("nowhere.md",),
        real=True),
    Row("missing-folder", {}, 2, ("healthlint: error: drafts: no such file or folder",), paths=("drafts",)),
    Row("unreadable", {"secret.md": unreadable}, 2, ("healthlint: error: secret.md: cannot read: Permission denied",)),
    Row("binary-nul", {"logo.md": b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"}, 1,
        ("healthlint: notice: logo.md: binary file, skipped",)),
    Row("png-header", {"shot.html": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10"}, 1,
        ("healthlint: notice: shot.html: binary file, skipped",)),
    Row("invalid-utf8", {"menu.txt": b"Line one.\nOur caf\xe9 cures.\n"}, 2,
        ("healthlint: error: menu.txt: not valid UTF-8", "line 2, column 8"), real=True),
    Row("invalid-utf8-late", {"long.md": b"Fine.\n" * 2000 + b"Bad \xff byte.\n"}, 2,
        ("long.md: not valid UTF-8 (byte 0xff at line 2001, column 5)",)),
    Row("utf16-le-bom", {"u16.md": b"\xff\xfe" + "Intro.\r\n\r\nOur infusions cure anxiety.\r\n".encode("utf-16-le")},
        1),
    Row("utf16-be-bom", {"u16.txt": "\ufeffIntro.\n\n😀 Our infusions cure anxiety.\n".encode("utf-16-be")}, 1),
    Row("empty-file", {"empty.md": b""}, 1),
    Row("blank-file", {"blank.html": b"\r\n  \n"}, 1),
    Row("folder-with-symlink-loop", {"site/good.md": GOOD, "site/sub/up": symlink(".."), "site/sub/x.md": GOOD}, 1,
        paths=("site",)),
    Row("file-symlink-loop", {"site/good.md": GOOD, "site/x.md": symlink("x.md")}, 2,
        ("healthlint: error: site/x.md: cannot read",), paths=("site",)),
    Row("file-symlink-cycle", {"site/good.md": GOOD, "site/x.md": symlink("y.dat"), "site/y.dat": symlink("x.md")}, 2,
        ("healthlint: error: site/x.md: cannot read",), paths=("site",)),
    Row("dangling-symlink", {"site/good.md": GOOD, "site/gone.md": symlink("nowhere.md")}, 2,
        ("healthlint: error: site/gone.md: cannot read",), paths=("site",)),
    Row("rules-broken-yaml", {"extra.yaml": "- id: HL901\n  name: x\n   kind: phrase\n"}, 2,
        ("healthlint: error: extra.yaml:3: invalid YAML",), args=("--rules", "extra.yaml"), lints_others=False),
    Row("rules-unknown-key", {"extra.yaml": VAGUE.replace("phrases:", "phrase:")}, 2,
        ("healthlint: error: extra.yaml:5: HL901: unknown key 'phrase'; did you mean 'phrases'?",),
        args=("--rules", "extra.yaml"), lints_others=False),
    Row("rules-unknown-kind", {"extra.yaml": VAGUE.replace("kind: phrase", "kind: phrse")},
        2, ("extra.yaml:3: HL901: unknown kind 'phrse'; did you mean 'phrase'?",), args=("--rules", "extra.yaml"),
        lints_others=False),
    Row("rules-kind-is-a-list", {"extra.yaml": VAGUE.replace("phrase\n", "[phrase]\n", 1)},
        2, ("extra.yaml:3: HL901:", "kind"), args=("--rules", "extra.yaml"), lints_others=False),
    Row("rules-bad-regex", {"extra.yaml": VAGUE.replace(
        "phrase\n", "pattern\n", 1).replace("phrases: [wellness journey]", "pattern: '(wellness'")}, 2,
        ("healthlint: error: extra.yaml:5: HL901: pattern: invalid regular expression",),
        args=("--rules", "extra.yaml"), lints_others=False),
    Row("rules-duplicate-id", {"extra.yaml": RULE.format(id="HL901", name="one") + RULE.format(id="HL901", name="two")},
        2, ("healthlint: error: extra.yaml:8: HL901: duplicate id; already defined at extra.yaml:1",),
        args=("--rules", "extra.yaml"), lints_others=False),
    Row("rules-duplicate-builtin-id", {"extra.yaml": RULE.format(id="HL101", name="my-cure")}, 2,
        ("healthlint: error: extra.yaml:1: HL101: duplicate id; a built-in rule already uses it",),
        args=("--rules", "extra.yaml"), lints_others=False),
    Row("rules-missing-file", {}, 2, ("healthlint: error: gone.yaml: no such rule file or folder",),
        args=("--rules", "gone.yaml"), lints_others=False),
    Row("config-unknown-key", {".healthlint.yaml": "select: [HL1]\nignor: [HL6]\n"}, 2,
        (".healthlint.yaml:2: ignor: unknown setting; did you mean 'ignore'?",), lints_others=False, real=True),
    Row("config-bad-severity", {".healthlint.yaml": "select: [HL1]\nseverity:\n  HL103: critical\n"}, 2,
        (".healthlint.yaml:2: severity: HL103: unknown severity 'critical'",), lints_others=False),
    Row("config-invalid-yaml", {".healthlint.yaml": "select: [HL1]\nignore: [HL6\nfail-on: error\n"}, 2,
        (".healthlint.yaml:3: invalid YAML",), lints_others=False, real=True),
    Row("config-bad-fail-on", {".healthlint.yaml": "fail-on: never\n"}, 2,
        (".healthlint.yaml:1: fail-on: unknown severity 'never'",), lints_others=False),
    Row("config-duplicate-key", {".healthlint.yaml": "select: [HL1]\nselect: [HL2]\n"}, 2,
        (".healthlint.yaml:2: duplicate key 'select' (first at line 1)",), lints_others=False),
    Row("config-pyproject-unknown-key", {"pyproject.toml": '[tool.healthlint]\nselect = ["HL1"]\nbogus = 1\n'}, 2,
        ("pyproject.toml: bogus: unknown setting",), lints_others=False),
    Row("config-bad-exclude", {".healthlint.yaml": "exclude: ['[z-a].md']\n", "site/good.md": GOOD}, 2,
        (".healthlint.yaml:1: exclude:",), paths=("site",), lints_others=False),
    Row("config-invalid-pyproject", {"pyproject.toml": '[tool.healthlint\nselect = ["HL1"]\n'}, 2,
        ("pyproject.toml", "invalid TOML"), lints_others=False),
)

TEXT_SUFFIXES = (".md", ".html", ".txt")


@pytest.mark.parametrize("row", [pytest.param(r, id=r.id, marks=r.marks) for r in ROWS])
def test_bad_input(tmp_path, row):
    (tmp_path / ".git").mkdir()  # the repository root: no .gitignore above it is read
    for name, content in row.files.items():
        if callable(content):
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            content(tmp_path / name)
        else:
            write(tmp_path, name, content)
    if row.id == "unreadable" and os.access(tmp_path / "secret.md", os.R_OK):
        pytest.skip("running as root: chmod 000 does not make the file unreadable")
    paths = row.paths or tuple(n for n in row.files if n.endswith(TEXT_SUFFIXES))
    if not any(p.startswith("site") for p in paths):
        write(tmp_path, "good.md", GOOD)
        paths = (*paths, "good.md")
    args = ("check", "--format", "concise", "--select", "HL101", *row.args, *paths)
    if row.real:
        proc = run_process(*args, cwd=tmp_path)
        code, out, err = proc.returncode, proc.stdout, proc.stderr
    else:
        result = run_cli(*args, cwd=tmp_path)
        code, out, err = result.exit_code, result.stdout, result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)

    assert "Traceback" not in out + err
    assert "internal error" not in err
    err_lines = err.splitlines()
    if row.stderr:
        assert len(err_lines) == 1, err
        assert all(part in err_lines[0] for part in row.stderr), err
    else:
        assert err == ""
    reported = [line for line in out.splitlines() if GOOD_FINDING in line]
    if row.lints_others:
        assert len(reported) == 1, out  # once, even when a folder loops back on itself
    assert code == row.code, out + err


def test_unreadable_file_even_as_root(tmp_path, monkeypatch):
    """The read error path, forced with a patched read so it also runs where chmod 000 cannot stop root."""
    write(tmp_path, "secret.md", "Our infusions heal anxiety.\n")
    write(tmp_path, "good.md", GOOD)
    real_read = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "secret.md":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = run_cli("check", "--format", "concise", "--select", "HL101", "secret.md", "good.md", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stdout.startswith(GOOD_FINDING)
    assert result.stderr == "healthlint: error: secret.md: cannot read: Permission denied\n"


def test_binary_file_next_to_a_clean_file_exits_0(tmp_path):
    write(tmp_path, "logo.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    write(tmp_path, "page.md", "Ketamine is not a cure. This is not medical advice.\n")
    result = run_cli("check", "--select", "HL1,HL6", "logo.md", "page.md", cwd=tmp_path)
    assert result.exit_code == 0
    assert result.stdout == "No findings in 1 file.\n"
    assert result.stderr == "healthlint: notice: logo.md: binary file, skipped\n"


def test_binary_file_found_in_a_folder_is_skipped(tmp_path):
    write(tmp_path, "site/logo.html", b"\x00\x01\x02\x03")
    write(tmp_path, "site/page.md", GOOD)
    result = run_cli("check", "--format", "concise", "--select", "HL101", "site", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.stdout.startswith('site/page.md:1:15: HL101 "cure"')
    assert result.stderr == "healthlint: notice: site/logo.html: binary file, skipped\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-16-le"])
def test_utf16_positions(tmp_path, encoding):
    text = "Intro.\r\n\r\nCafé 😀 Our infusions cure anxiety.\r\n"
    data = text.encode(encoding) if encoding == "utf-16" else ("\ufeff" + text).encode(encoding)
    write(tmp_path, "u16.md", data)
    result = run_cli("check", "--format", "concise", "-q", "--select", "HL101", "u16.md", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.stdout.startswith('u16.md:3:22: HL101 "cure"')


def test_errors_and_findings_from_one_run(tmp_path):
    """Several bad files at once: one line each, every good file still reported, exit 2."""
    write(tmp_path, "a.md", GOOD)
    write(tmp_path, "bad.txt", b"caf\xe9\n")
    write(tmp_path, "c.html", f"<p>{GOOD}</p>")
    result = run_cli("check", "--format", "concise", "--select", "HL101", "a.md", "missing.md", "bad.txt", "c.html",
                     cwd=tmp_path)
    assert result.exit_code == 2
    assert [line.split(" HL101")[0] for line in result.stdout.splitlines()[:-1]] == ["a.md:1:15:", "c.html:1:18:"]
    assert result.stderr.splitlines() == [
        "healthlint: error: missing.md: no such file or folder",
        "healthlint: error: bad.txt: not valid UTF-8 (byte 0xe9 at line 1, column 4)",
    ]
