"""Real pre-commit, as a content repo would use the hook: `pre-commit try-repo` in a temporary git repo.

try-repo installs this checkout into pre-commit's own virtualenv with a plain (not editable) pip
install, then runs the hook from another folder, so this also proves the wheel ships the rule packs.
Slow (one install, ~30 s): marked `slow`, and run in CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("pre-commit") is None or shutil.which("git") is None,
                       reason="needs pre-commit and git"),
]

NONCOMPLIANT = "# Results\n\nOur infusions cure depression in a week.\n"
COMPLIANT = (
    "# What to expect\n\nKetamine is not a cure, and it does not help everyone.\n\n"
    "This page is general information, not medical advice. Talk to your doctor about your care.\n"
)


@pytest.fixture(scope="module")
def content_repo(tmp_path_factory):
    repo = tmp_path_factory.mktemp("content")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home")),
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    env.pop("PYTHONPATH", None)  # the hook must run from its own install, not this checkout
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True, env=env)
    (repo / "bad.md").write_text(NONCOMPLIANT, encoding="utf-8")
    (repo / "good.md").write_text(COMPLIANT, encoding="utf-8")
    (repo / "notes.py").write_text("CURE = 'cure'  # not prose: the hook's types_or skips it\n")
    subprocess.run(["git", "add", "."], cwd=repo, check=True, env=env)
    return repo, env


def _try_repo(repo: Path, env: dict, *files: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["pre-commit", "try-repo", str(ROOT), "healthlint", "--verbose", "--files", *files],
        cwd=repo, env=env, capture_output=True, text=True, timeout=600,
    )


def test_hook_fails_on_noncompliant_copy(content_repo):
    repo, env = content_repo
    run = _try_repo(repo, env, "bad.md", "notes.py")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "bad.md:3:15" in run.stdout and "HL101" in run.stdout
    assert "notes.py" not in run.stdout.split("hook id: healthlint")[-1]


def test_hook_passes_on_compliant_copy(content_repo):
    repo, env = content_repo
    run = _try_repo(repo, env, "good.md")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Passed" in run.stdout


def test_manifest_is_valid():
    run = subprocess.run(["pre-commit", "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    run = subprocess.run(["pre-commit", "validate-config", str(ROOT / ".pre-commit-config.yaml")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
