"""Shared helpers for the CLI-level tests: run the CLI in-process or as a real process, write files."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from healthlint.cli import cli

SRC = Path(__file__).resolve().parents[1] / "src"
# The compiled-ruleset cache goes to a folder of this test session's, never the user's ~/.cache.
os.environ.setdefault("HEALTHLINT_CACHE_DIR", tempfile.mkdtemp(prefix="healthlint-test-cache-"))
COLOR_VARS = ("NO_COLOR", "FORCE_COLOR")  # cleared so the caller's terminal settings never leak into a test


def run_cli(*args: str, input: str | bytes | None = None, cwd: Path | None = None,
            env: dict[str, str | None] | None = None) -> Result:
    """Invoke `healthlint ARGS` in-process; result has exit_code, stdout and stderr (kept apart)."""
    environment: dict[str, str | None] = dict.fromkeys(COLOR_VARS)
    environment.update(env or {})
    with contextlib.chdir(cwd) if cwd is not None else contextlib.nullcontext():
        return CliRunner().invoke(cli, list(args), input=input, env=environment, catch_exceptions=True)


def run_process(*args: str, cwd: Path, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m healthlint ARGS` as a real process: the exit code the shell sees."""
    environment = {k: v for k, v in os.environ.items() if k not in COLOR_VARS}
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", "healthlint", *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, encoding="utf-8", timeout=60, check=False,
                          **({"input": input} if input is not None else {"stdin": subprocess.DEVNULL}))


def run_python(code: str, cwd: Path | None = None) -> str:
    """The output of `python -c CODE` in a fresh interpreter that imports this checkout's healthlint:
    for what start-up does (what is imported, what is compiled). A non-zero exit fails the test."""
    environment = {k: v for k, v in os.environ.items() if k not in COLOR_VARS}
    environment["PYTHONPATH"] = str(SRC)
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=environment, capture_output=True, text=True,
                          encoding="utf-8", timeout=120, check=True).stdout


def run_fresh(args: list[str], then: str, cwd: Path, before: str = "") -> list[str]:
    """`healthlint ARGS` through `healthlint.__main__.main` in a fresh interpreter (after the Python
    statements `before`), followed by the value of the Python expression `then`, evaluated there: the
    output's lines, `then`'s last."""
    code = ("import sys\n"
            f"{before}\n"
            "from healthlint.__main__ import main\n"
            f"sys.argv = ['healthlint', *{args!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            f"print({then})\n")
    return run_python(code, cwd).splitlines()


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    """Create tmp_path/name (folders too); str is written as UTF-8 with line endings untouched."""
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder of this test's own, with the cache switched on."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("HEALTHLINT_CACHE_DIR", str(folder))
    monkeypatch.delenv("HEALTHLINT_NO_CACHE", raising=False)
    return folder


# A user rule whose pattern backtracks for ever on a run of x ("catastrophic backtracking").
CATASTROPHIC_RULE = """\
- id: HL901
  name: x-run
  kind: pattern
  severity: warning
  pattern: '(x|xx)+y'
  message: '"{match}" is an x run.'
  rationale: A pattern with catastrophic backtracking on a long run of x.
"""


def log_linting(monkeypatch: pytest.MonkeyPatch, log: Path) -> None:
    """Make every file that is linted (not read from the results cache) append its path to `log`: the
    --jobs workers are other processes, and a file is how they can tell the test."""
    from healthlint import runner

    real = runner.Runner.lint_file

    def logging_lint(self: runner.Runner, path: Path, *args: object) -> runner.Linted:
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"{path}\n")
        return real(self, path, *args)

    monkeypatch.setattr(runner.Runner, "lint_file", logging_lint)
