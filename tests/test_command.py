"""`healthlint check` without click (healthlint.command, healthlint.__main__): it must read every
command line exactly as click does, or hand it to click, and end the process with complete output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SRC, run_cli, write
from healthlint import cli, command

CURE = "Our infusions cure depression."  # HL101 on "cure", column 15

FLAGS = [flag for option in command.OPTIONS for flag in option.flags]
VALUES = ["concise", "json", "full", "bogus", "error", "info", "always", "HL101", "HL1,HL2", "0", "2", "-1", "02",
          "²", "x.md", "a folder", "-", "", "=", "--", "page.md"]
TOKENS = st.one_of(
    st.sampled_from(FLAGS),
    st.sampled_from(VALUES),
    st.builds(lambda flag, value: f"{flag}={value}", st.sampled_from(FLAGS), st.sampled_from(VALUES)),
    st.builds(lambda flag, value: flag + value, st.sampled_from(["-o", "-j", "-q"]), st.sampled_from(VALUES)),
    st.sampled_from(["--", "-h", "--help", "-V", "--verbose", "-qq", "--nope", "check", "pages/"]),
    # what a shell can pass: no NUL; undecodable bytes arrive as \udc80-\udcff (surrogateescape)
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00") | st.sampled_from("\udcff\udc80"),
            max_size=6),
)


def click_reading(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> dict | None:
    """The parameters click hands to `command.check` for `argv`, or None if click refuses or exits."""
    seen: dict = {}

    def record(**params: object) -> int:
        seen.update(params)
        return 0

    def guarded(action, verbose, passing=()):  # the shape of command.guarded
        seen["verbose"] = verbose
        return action()

    monkeypatch.setattr(command, "check", record)
    monkeypatch.setattr(command, "guarded", guarded)
    try:
        cli.cli.main(args=argv, prog_name="healthlint", standalone_mode=False)
    except Exception:  # click's usage errors, bad parameters
        return None
    finally:
        monkeypatch.undo()
    return seen or None


@pytest.fixture
def folder_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with a file and a folder among the sampled values ('a folder', 'pages/')."""
    (tmp_path / "a folder").mkdir()
    (tmp_path / "pages").mkdir()
    write(tmp_path, "x.md", "text\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rest=st.lists(TOKENS, max_size=6), env_format=st.sampled_from([None, "", "json", "bogus"]))
def test_the_fast_reading_is_clicks_or_none(rest, env_format, folder_cwd, monkeypatch):
    argv = ["check", *rest]
    monkeypatch.delenv("HEALTHLINT_FORMAT", raising=False)
    if env_format is not None:
        monkeypatch.setenv("HEALTHLINT_FORMAT", env_format)
    fast = command.parse(argv)
    if fast is None:
        return  # click's to read
    assert click_reading(argv, monkeypatch) == fast, argv


@pytest.mark.parametrize("argv", [
    ["check", "--force-exclude", "a.md", "docs/b.html"],  # the published hook
    ["check", "--force-exclude", "--fail-on", "error", "a.md"],
    ["--verbose", "check", "--format=concise", "--select", "HL1,HL2", "-q", "--", "-odd.md"],
    ["check", "--config", "x.md", "--rules", "pages", "-j", "2", "--color", "never", "-"],
    ["check", "-ox.json", "--format", "json", "--ignore", "HL3", "--ignore", "HL4", "--no-cache"],
])
def test_plain_lines_are_read_without_click_and_as_click_reads_them(argv, folder_cwd, monkeypatch):
    monkeypatch.delenv("HEALTHLINT_FORMAT", raising=False)
    fast = command.parse(argv)
    assert fast is not None
    assert fast == click_reading(argv, monkeypatch)


@pytest.mark.parametrize("argv", [
    [], ["--help"], ["-V"], ["rules"], ["explain", "HL101"], ["check", "--help"], ["check", "-qq"],
    ["check", "--quiet=yes"], ["check", "--format", "bogus"], ["check", "--jobs", "-1"], ["check", "--format"],
    ["check", "-o", "a folder"], ["check", ""], ["check", "--", ""], ["check", "--select", "-x"],
])
def test_anything_else_is_left_to_click(argv, folder_cwd):
    assert command.parse(argv) is None


def test_the_click_options_are_the_table(monkeypatch):
    """cli declares `check` from command.OPTIONS: same names, flags, kinds and defaults, same order."""
    declared = [p for p in cli.check.params if p.name != "paths"]
    assert [p.name for p in declared] == [o.dest for o in command.OPTIONS]
    for param, option in zip(declared, command.OPTIONS, strict=True):
        assert tuple(param.opts) == option.flags
        assert param.multiple == (option.kind == "many")
        assert param.is_flag == (option.kind == "flag")


# --- the process: complete output, exit codes, exit handlers ------------------------------------------

def python_m(*args: str, cwd: Path, code: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    env.pop("HEALTHLINT_FORMAT", None)
    command_line = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "healthlint", *args]
    return subprocess.run(command_line, cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8",
                          timeout=120, check=False, stdin=subprocess.DEVNULL)


def test_a_fast_exit_still_delivers_the_whole_report_and_its_code(tmp_path):
    """Several hundred KB of findings through a pipe, then notices on stderr: all there, in full."""
    for i in range(40):
        write(tmp_path, f"pages/p{i:02}.md", f"{CURE}\n\n" * 120)
    write(tmp_path, "pages/binary.md", b"\x00\x01\x02 binary")
    process = python_m("check", "--format", "concise", "--jobs", "1", "pages", cwd=tmp_path)
    in_process = run_cli("check", "--format", "concise", "--jobs", "1", "pages", cwd=tmp_path)
    assert process.returncode == in_process.exit_code == 1
    assert len(process.stdout) > 300_000
    assert process.stdout == in_process.stdout
    assert process.stderr == in_process.stderr
    assert "binary" in process.stderr


def test_exit_handlers_still_run(tmp_path):
    """A registered exit handler (a library's cleanup) means the ordinary exit, handlers and all."""
    write(tmp_path, "page.md", f"{CURE}\n")
    marker = tmp_path / "handler-ran"
    driver = ("import atexit, pathlib, sys\n"
              f"atexit.register(pathlib.Path({str(marker)!r}).write_text, 'yes')\n"
              "from healthlint.__main__ import run\n"
              "sys.argv = ['healthlint', 'check', '--format', 'concise', 'page.md']\n"
              "run()\n")
    process = python_m(cwd=tmp_path, code=driver)
    assert process.returncode == 1
    assert "page.md:1:15: HL101" in process.stdout
    assert marker.read_text() == "yes"


@pytest.mark.parametrize("args", [["check", "--format", "bogus", "page.md"], ["explain"], ["check", "--nope"]])
def test_lines_click_rejects_exit_2_with_its_usage_message(tmp_path, args):
    write(tmp_path, "page.md", f"{CURE}\n")
    process = python_m(*args, cwd=tmp_path)
    assert process.returncode == 2
    assert process.stderr.startswith("Usage: healthlint")
    assert "internal error" not in process.stderr


@pytest.mark.parametrize(("closed", "args", "code"), [
    (1, ["check", "page.md"], 1),  # `>&-`: nothing to print to; the exit code still says what was found
    (2, ["check", "missing.md"], 2),  # `2>&-`: the error cannot be printed; still exit 2
    (1, ["check", "--format", "json", "page.md"], 1),
])
def test_a_closed_standard_stream_is_no_crash(tmp_path, closed, args, code):
    write(tmp_path, "page.md", f"{CURE}\n")
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    process = subprocess.run([sys.executable, "-m", "healthlint", *args], cwd=tmp_path, env=env, text=True,
                             capture_output=False, stdin=subprocess.DEVNULL, timeout=120, check=False,
                             stdout=subprocess.PIPE if closed == 2 else None,
                             stderr=subprocess.PIPE if closed == 1 else None,
                             preexec_fn=lambda: os.close(closed))
    assert process.returncode == code
    if closed == 1:
        assert "Traceback" not in process.stderr and "internal error" not in process.stderr
