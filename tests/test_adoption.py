"""Adopting healthlint on an existing site: baselines, findings about suppressions, inherited configs."""

from __future__ import annotations

import json

from conftest import run_cli, write

CURE = "Our infusions cure depression."
HYPE = "A miracle, some say."


def findings(result) -> list[tuple[str, str, int]]:
    return [(f["path"], f["rule"], f["line"]) for f in json.loads(result.stdout)["findings"]]


# --- baseline -------------------------------------------------------------------------------------

def test_baseline_reports_only_new_findings_and_survives_edits_above(tmp_path):
    page = write(tmp_path, "post.md", f"# Post\n\n{CURE}\n")
    wrote = run_cli("check", "post.md", "--select", "HL101", "--write-baseline", "base.json", cwd=tmp_path)
    assert wrote.exit_code == 0, wrote.stderr
    recorded = json.loads((tmp_path / "base.json").read_text(encoding="utf-8"))
    assert recorded["findings"] == [{"path": "post.md", "rule": "HL101", "text": "cure", "count": 1}]

    page.write_text(f"# Post\n\nA new opening paragraph.\n\n{CURE}\n", encoding="utf-8")  # the line moves
    same = run_cli("check", "post.md", "--select", "HL101", "--baseline", "base.json", "--format", "json",
                   cwd=tmp_path)
    assert same.exit_code == 0 and findings(same) == []

    page.write_text(f"# Post\n\n{CURE}\nAnd it cured my anxiety.\n", encoding="utf-8")
    new = run_cli("check", "post.md", "--select", "HL101", "--baseline", "base.json", "--format", "json",
                  cwd=tmp_path)
    assert new.exit_code == 1 and findings(new) == [("post.md", "HL101", 4)]


def test_baseline_says_how_many_entries_no_longer_occur(tmp_path):
    page = write(tmp_path, "post.md", f"{CURE} {HYPE}\n")
    run_cli("check", "post.md", "--select", "HL101,HL103", "--write-baseline", "base.json", cwd=tmp_path)
    page.write_text(f"{CURE}\n", encoding="utf-8")
    result = run_cli("check", "post.md", "--select", "HL101,HL103", "--baseline", "base.json", cwd=tmp_path)
    assert result.exit_code == 0
    assert "1 baseline entries no longer occur" in result.stderr


def test_a_malformed_baseline_is_an_error_naming_it(tmp_path):
    write(tmp_path, "post.md", f"{CURE}\n")
    write(tmp_path, "base.json", "{not json")
    result = run_cli("check", "post.md", "--baseline", "base.json", cwd=tmp_path)
    assert result.exit_code == 2 and "base.json: not a healthlint baseline file" in result.stderr


# --- findings about suppressions -------------------------------------------------------------------

def test_unused_and_unknown_suppressions_are_reported(tmp_path):
    write(tmp_path, "post.md", (
        "<!-- healthlint-disable-next-line HL101 -- quoted -->\n"
        "Ketamine may ease symptoms for some people.\n\n"
        "<!-- healthlint-disable-next-line HL999 -->\n"
        f"{CURE}\n"
    ))
    result = run_cli("check", "post.md", "--select", "HL0,HL101", "--format", "json", cwd=tmp_path)
    assert findings(result) == [("post.md", "HL001", 1), ("post.md", "HL002", 4), ("post.md", "HL101", 5)]


def test_a_suppression_of_a_deselected_rule_is_not_called_unused(tmp_path):
    write(tmp_path, "post.md", "<!-- healthlint-disable-next-line HL103 -- ok -->\nA miracle.\n")
    result = run_cli("check", "post.md", "--select", "HL0,HL101", "--format", "json", cwd=tmp_path)
    assert findings(result) == []


def test_require_reason_enables_the_missing_reason_rule(tmp_path):
    text = f"<!-- healthlint-disable-next-line HL101 -->\n{CURE}\n"
    write(tmp_path, "post.md", text)
    plain = run_cli("check", "post.md", "--select", "HL0,HL101", "--format", "json", cwd=tmp_path)
    assert findings(plain) == []
    write(tmp_path, ".healthlint.yaml", "require-reason: true\nselect: [HL0, HL101]\n")
    strict = run_cli("check", "post.md", "--format", "json", cwd=tmp_path)
    assert findings(strict) == [("post.md", "HL003", 1)] and strict.exit_code == 1


# --- config: nearest file, extend, per-file-ignores -----------------------------------------------

def test_nearest_config_applies_to_each_file_and_extend_inherits(tmp_path):
    write(tmp_path, ".healthlint.yaml", "select: [HL101, HL103]\nseverity: {HL103: error}\n")
    write(tmp_path, "blog/.healthlint.yaml", "extend: ../.healthlint.yaml\nignore: [HL101]\n")
    write(tmp_path, "top.md", f"{CURE} {HYPE}\n")
    write(tmp_path, "blog/post.md", f"{CURE} {HYPE}\n")
    result = run_cli("check", ".", "--format", "json", cwd=tmp_path)
    got = [(f["path"], f["rule"], f["severity"]) for f in json.loads(result.stdout)["findings"]]
    assert got == [("blog/post.md", "HL103", "error"), ("top.md", "HL101", "error"), ("top.md", "HL103", "error")]


def test_circular_extend_is_an_error(tmp_path):
    write(tmp_path, ".healthlint.yaml", "extend: other.yaml\n")
    write(tmp_path, "other.yaml", "extend: .healthlint.yaml\n")
    write(tmp_path, "post.md", f"{CURE}\n")
    result = run_cli("check", "post.md", cwd=tmp_path)
    assert result.exit_code == 2 and "extend: circular" in result.stderr


def test_per_file_ignores_by_glob_and_negation(tmp_path):
    write(tmp_path, ".healthlint.yaml", (
        "select: [HL101, HL103]\n"
        "per-file-ignores:\n  'archive/**': [HL1]\n  '!blog/**': [HL103]\n"
    ))
    for name in ("archive/old.md", "blog/new.md", "pages/about.md"):
        write(tmp_path, name, f"{CURE} {HYPE}\n")
    result = run_cli("check", ".", "--format", "json", cwd=tmp_path)
    got = [(f["path"], f["rule"]) for f in json.loads(result.stdout)["findings"]]
    assert got == [("blog/new.md", "HL101"), ("blog/new.md", "HL103"), ("pages/about.md", "HL101")]


def test_context_from_config_changes_what_applies(tmp_path):
    write(tmp_path, "post.md", "This supplement supports a positive mood.\n")
    write(tmp_path, ".healthlint.yaml", "context: {product: suplement}\n")
    bad = run_cli("check", "post.md", cwd=tmp_path)
    assert bad.exit_code == 2 and "context" in bad.stderr
