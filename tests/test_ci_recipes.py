"""The CI recipes, run for real: the composite action's command lines and the pre-commit hook with args.

The action's steps are read from action.yml and run with bash in a temporary repo, with its inputs
passed the way GitHub passes them (as environment variables); the install step is skipped because
the test environment already has healthlint installed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("healthlint") is None, reason="needs the healthlint command installed")

CLAIM = "# Results\n\nOur infusions cure depression in a week.\n"
HYPE = "# Results\n\nA breakthrough, some say. This page is information, not medical advice; ask your doctor.\n"
CLEAN = "# Options\n\nKetamine is not a cure. This page is information, not medical advice; ask your doctor.\n"


def load_action(**inputs: str) -> tuple[dict, dict[str, str]]:
    """action.yml, and its inputs' values: the defaults, then `inputs`."""
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    return action, {name: spec.get("default", "") for name, spec in action["inputs"].items()} | inputs


def run_action(repo: Path, temp: Path, **inputs: str) -> list[subprocess.CompletedProcess]:
    """Run the action's bash steps as GitHub would, inputs and `runner.temp` (`temp`) filled in; `uses:`
    steps (actions/cache) are GitHub's to run and are left out."""
    action, values = load_action(**inputs)
    runs = []
    for step in action["runs"]["steps"]:
        if step["name"] == "Install healthlint" or "uses" in step or not is_on(step, values):
            continue
        env = dict(os.environ)
        for key, template in step.get("env", {}).items():
            env[key] = expand(template, values, temp)
        runs.append(subprocess.run(["bash", "-c", step["run"]], cwd=repo, env=env, capture_output=True, text=True))
    return runs


def expand(template: str, values: dict[str, str], temp: Path) -> str:
    """A value with its `${{ inputs.NAME }}` and `${{ runner.temp }}` filled in, as GitHub does."""
    return re.sub(r"\$\{\{ (inputs\.[\w-]+|runner\.temp) \}\}",
                  lambda m: str(temp) if m[1] == "runner.temp" else values[m[1].removeprefix("inputs.")], template)


def is_on(step: dict, values: dict[str, str]) -> bool:
    """A step's `if:`, for the two forms the action uses: `inputs.X != ''` and `inputs.X == 'true'`."""
    condition = step.get("if")
    if condition is None:
        return True
    m = re.fullmatch(r"inputs\.([\w-]+) (==|!=) '([^']*)'", condition)
    assert m is not None, f"a condition this test cannot read: {condition}"
    return (values[m[1]] == m[3]) == (m[2] == "==")


@pytest.fixture(scope="module")
def runner_temp(tmp_path_factory):
    """One runner.temp for the module, so the rule packs compile once, as actions/cache would keep them."""
    return tmp_path_factory.mktemp("runner-temp")


@pytest.fixture
def site(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "claim.md").write_text(CLAIM, encoding="utf-8")
    (tmp_path / "content" / "clean.md").write_text(CLEAN, encoding="utf-8")
    return tmp_path


def test_action_annotates_and_fails_on_findings(site, runner_temp):
    (site / "out").mkdir()
    sarif, lint = run_action(site, runner_temp, paths="content/", sarif="out/healthlint.sarif")
    assert sarif.returncode == 0, sarif.stderr
    report = json.loads((site / "out" / "healthlint.sarif").read_text(encoding="utf-8"))
    assert report["version"] == "2.1.0"
    assert {r["ruleId"] for r in report["runs"][0]["results"]} >= {"HL101"}
    assert lint.returncode == 1
    assert "::error file=content/claim.md,line=3,col=15," in lint.stdout


def test_action_args_reach_the_linter(site, runner_temp):
    (site / "content" / "claim.md").write_text(HYPE, encoding="utf-8")
    (lint,) = run_action(site, runner_temp, paths="content/")
    assert lint.returncode == 1 and "::warning " in lint.stdout
    (lint,) = run_action(site, runner_temp, paths="content/", args="--fail-on error")
    assert lint.returncode == 0 and "::warning " in lint.stdout


def test_action_passes_on_clean_copy(site, runner_temp):
    (site / "content" / "claim.md").unlink()
    (lint,) = run_action(site, runner_temp, paths="content/")
    assert lint.returncode == 0 and lint.stdout == ""


def test_action_caches_the_folder_its_lint_steps_use(site, tmp_path):
    """actions/cache saves and restores the very folder healthlint keeps its rule packs and results in."""
    action, values = load_action(sarif="x.sarif")
    temp = tmp_path / "runner-temp"  # empty: the first run fills it
    (cached,) = [step for step in action["runs"]["steps"] if step.get("uses", "").startswith("actions/cache@")]
    folder = Path(expand(cached["with"]["path"], values, temp))
    lint_steps = [step for step in action["runs"]["steps"] if "healthlint check" in step.get("run", "")]
    assert lint_steps and all(expand(step["env"]["HEALTHLINT_CACHE_DIR"], values, temp) == str(folder)
                              for step in lint_steps)
    assert is_on(cached, values) and not is_on(cached, values | {"cache": "false"})

    first = run_action(site, temp, paths="content/", sarif="x.sarif")
    assert list(folder.glob("results/*.pickle")) and list(folder.glob("rules-*.pickle"))
    again = run_action(site, temp, paths="content/", sarif="x.sarif")  # a later run, the folder restored
    assert [r.stdout for r in again] == [r.stdout for r in first] and first[-1].returncode == 1


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pre-commit") is None or not (ROOT / ".git").exists(), reason="needs pre-commit")
def test_precommit_hook_with_args(tmp_path):
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "home"), "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    env.pop("PYTHONPATH", None)
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True, env=env)
    (repo / "hype.md").write_text(HYPE, encoding="utf-8")
    config = {"repos": [{"repo": str(ROOT), "rev": rev,
                         "hooks": [{"id": "healthlint", "args": ["--fail-on", "error", "--format", "concise"]}]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    subprocess.run(["git", "add", "."], cwd=repo, check=True, env=env)
    run = subprocess.run(["pre-commit", "run", "--all-files", "--verbose"], cwd=repo, env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr  # a warning does not fail with --fail-on error
    assert "hype.md:3:3: HL103" in run.stdout
    (repo / "claim.md").write_text(CLAIM, encoding="utf-8")
    subprocess.run(["git", "add", "."], cwd=repo, check=True, env=env)
    run = subprocess.run(["pre-commit", "run", "--all-files"], cwd=repo, env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 1 and "claim.md:3:15: HL101" in run.stdout
