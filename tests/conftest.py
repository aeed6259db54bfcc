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
