"""--jobs: the same findings, in the same order, whatever the number of processes."""

from __future__ import annotations

import json

from click.testing import CliRunner

from healthlint.cli import cli
from healthlint.runner import MIN_PARALLEL_FILES

PAGES = [
    "# Results\n\nOur infusions cure depression in {n} days.\n",
    "# Care\n\nKetamine is not a cure. Talk to your doctor; this page is not medical advice.\n",
    "<p>A miracle, {n} times over.</p>\n",
]


def test_parallel_run_matches_serial(tmp_path, monkeypatch):
    for n in range(MIN_PARALLEL_FILES + 10):
        suffix = ".html" if n % 3 == 2 else ".md"
        (tmp_path / f"page-{n:03}{suffix}").write_text(PAGES[n % 3].format(n=n) * 40, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    serial = runner.invoke(cli, ["check", ".", "--format", "json", "--jobs", "1"])
    parallel = runner.invoke(cli, ["check", ".", "--format", "json", "--jobs", "2"])
    assert serial.exit_code == parallel.exit_code == 1
    assert serial.stdout == parallel.stdout
    data = json.loads(parallel.stdout)
    assert data["summary"]["files"] == MIN_PARALLEL_FILES + 10
    assert [f["path"] for f in data["findings"]] == sorted(f["path"] for f in data["findings"])
