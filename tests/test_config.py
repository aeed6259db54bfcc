"""Configuration through the CLI: found upward from the working folder, `.healthlint.yaml` or pyproject's
`[tool.healthlint]`, select/ignore, severity overrides, fail-on, excludes, .gitignore, extra rule folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import run_cli, run_fresh, write

DISCLAIMER = "This article is for general information and is not medical advice."
CURE = "Our infusions cure depression."  # HL101 error
HYPE = "Discover the miracle of ketamine."  # HL103 warning
WATCHED = {"HL101", "HL103", "HL601"}  # other rules may fire on the same copy as the packs grow
ONLY = "select: [HL101, HL103, HL601]\n"
EXTRA_RULE = """\
- id: HL901
  name: vague-wellness
  kind: phrase
  severity: warning
  phrases: [wellness journey]
  message: '"{match}" says little about what the treatment does.'
  rationale: Vague copy hides what is on offer.
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository root: .git stops the upward .gitignore search; no config above it."""
    (tmp_path / ".git").mkdir()
    return tmp_path


def findings(*args: str, cwd: Path | None = None) -> tuple[int, list[tuple[str, str, str]]]:
    """(exit code, [(path, rule, severity)]) of a JSON run."""
    result = run_cli("check", "--format", "json", *args, cwd=cwd)
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    return result.exit_code, [(f["path"], f["rule"], f["severity"]) for f in data["findings"]]


# --- discovery ---------------------------------------------------------------------------------------

def test_config_found_upward_from_a_nested_folder(repo, monkeypatch):
    write(repo, ".healthlint.yaml", "select: [HL103]\n")
    write(repo, "site/blog/post.md", f"{HYPE} {CURE}\n")
    monkeypatch.chdir(repo / "site" / "blog")
    assert findings("post.md") == (1, [("post.md", "HL103", "warning")])
    assert findings() == (1, [("post.md", "HL103", "warning")])  # no path: the working folder


def test_nearest_config_wins(repo, monkeypatch):
    write(repo, ".healthlint.yaml", "select: [HL103]\n")
    write(repo, "site/.healthlint.yaml", "select: [HL101]\n")
    write(repo, "site/post.md", f"{HYPE} {CURE}\n")
    monkeypatch.chdir(repo / "site")
    assert findings("post.md") == (1, [("post.md", "HL101", "error")])


def test_healthlint_yaml_beats_pyproject_in_one_folder(repo, monkeypatch):
    write(repo, "pyproject.toml", '[tool.healthlint]\nselect = ["HL103"]\n')
    write(repo, ".healthlint.yaml", "select: [HL101]\n")
    write(repo, "post.md", f"{HYPE} {CURE}\n")
    monkeypatch.chdir(repo)
    assert findings("post.md") == (1, [("post.md", "HL101", "error")])


def test_pyproject_tool_table(repo, monkeypatch):
    write(repo, "pyproject.toml", '[project]\nname = "site"\n\n[tool.healthlint]\nselect = ["HL101", "HL103", "HL6"]\n'
          'ignore = ["HL6"]\nfail-on = "error"\n')
    write(repo, "docs/post.md", f"{HYPE}\n")
    monkeypatch.chdir(repo / "docs")
    assert findings("post.md") == (0, [("post.md", "HL103", "warning")])  # HL601 ignored; warnings pass


def test_pyproject_without_the_table_is_passed_over(repo, monkeypatch):
    write(repo, ".healthlint.yaml", "select: [HL103]\n")
    write(repo, "docs/pyproject.toml", '[project]\nname = "docs"\n\n[tool.ruff]\nline-length = 100\n')
    write(repo, "docs/post.md", f"{HYPE} {CURE}\n")
    monkeypatch.chdir(repo / "docs")
    assert findings("post.md") == (1, [("post.md", "HL103", "warning")])


def test_pyproject_that_never_names_healthlint_is_not_parsed(repo, monkeypatch):
    # another tool's broken pyproject is that tool's problem, not a reason to stop linting
    write(repo, ".healthlint.yaml", "select: [HL103]\n")
    write(repo, "docs/pyproject.toml", '[tool.ruff\nline-length = 100\n')
    write(repo, "docs/post.md", f"{HYPE} {CURE}\n")
    monkeypatch.chdir(repo / "docs")
    assert findings("post.md") == (1, [("post.md", "HL103", "warning")])


def test_each_file_gets_its_nearest_config_in_one_run(repo, monkeypatch):
    # folders are looked up once per run and remembered: siblings and nested folders must not mix up
    write(repo, ".healthlint.yaml", "select: [HL103]\n")
    write(repo, "a/.healthlint.yaml", "select: [HL101]\n")
    for name in ("a/one.md", "a/deep/two.md", "b/three.md", "b/deep/four.md", "five.md"):
        write(repo, name, f"{HYPE} {CURE}\n")
    monkeypatch.chdir(repo)
    assert sorted(findings()[1]) == [("a/deep/two.md", "HL101", "error"), ("a/one.md", "HL101", "error"),
                                     ("b/deep/four.md", "HL103", "warning"), ("b/three.md", "HL103", "warning"),
                                     ("five.md", "HL103", "warning")]


def test_explicit_config_option(repo, monkeypatch):
    write(repo, ".healthlint.yaml", "select: [HL103]\n")
    write(repo, "strict.yaml", "select: [HL101]\n")
    write(repo, "post.md", f"{HYPE} {CURE}\n")
    monkeypatch.chdir(repo)
    assert findings("--config", "strict.yaml", "post.md") == (1, [("post.md", "HL101", "error")])


# --- select / ignore ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("config", "args", "rules"), [
    ("select: [HL1]\n", (), ["HL103", "HL101"]),
    ("select: HL103\n", (), ["HL103"]),
    ("select: [HL101, HL103, HL601]\nignore: [HL101, HL6]\n", (), ["HL103"]),
    ("select: [HL1]\n", ("--select", "HL601"), ["HL601"]),  # the command line's select replaces the config's
    ("select: [HL101, HL103, HL601]\nignore: [HL6]\n", ("--ignore", "HL103"), ["HL101"]),  # ignores add up
])
def test_select_and_ignore_from_config(repo, monkeypatch, config, args, rules):
    write(repo, ".healthlint.yaml", config)
    write(repo, "post.md", f"{HYPE} {CURE}\n")
    monkeypatch.chdir(repo)
    assert [rule for _, rule, _ in findings(*args, "post.md")[1] if rule in WATCHED] == rules


@pytest.mark.parametrize("key", ["select", "ignore", "severity"])
def test_unknown_code_in_config_is_an_error(repo, monkeypatch, key):
    value = "{HL1O3: error}" if key == "severity" else "[HL1O3]"
    write(repo, ".healthlint.yaml", f"fail-on: error\n{key}: {value}\n")
    write(repo, "post.md", f"{CURE}\n")
    monkeypatch.chdir(repo)
    result = run_cli("check", "post.md")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.endswith("unknown rule or prefix 'HL1O3'; did you mean 'HL103'?\n")


@pytest.mark.parametrize("key", ["select", "ignore", "severity"])
def test_unknown_code_in_config_names_the_file_and_line(repo, monkeypatch, key):
    value = "{HL1O3: error}" if key == "severity" else "[HL1O3]"
    write(repo, ".healthlint.yaml", f"fail-on: error\n{key}: {value}\n")
    write(repo, "post.md", f"{CURE}\n")
    monkeypatch.chdir(repo)
    result = run_cli("check", "post.md")
    assert f".healthlint.yaml:2: {key}: unknown rule or prefix 'HL1O3'" in result.stderr


# --- severity and fail-on ----------------------------------------------------------------------------

def test_severity_overrides_by_id_and_prefix(repo, monkeypatch):
    write(repo, ".healthlint.yaml", ONLY + "severity: {HL103: error, HL6: info}\n")
    write(repo, "post.md", f"{HYPE}\n")
    monkeypatch.chdir(repo)
    code, found = findings("post.md")
    assert code == 1 and sorted(found) == [("post.md", "HL103", "error"), ("post.md", "HL601", "info")]
    assert findings("--fail-on", "error", "post.md")[0] == 1  # HL103 is an error now


def test_severity_override_to_info_stops_a_failure(repo, monkeypatch):
    write(repo, ".healthlint.yaml", ONLY + "severity: {HL1: info, HL601: info}\n")
    write(repo, "post.md", f"{HYPE} {CURE}\n")
    monkeypatch.chdir(repo)
    code, found = findings("post.md")
    assert {severity for _, _, severity in found} == {"info"}
    assert code == 0
    assert findings("--fail-on", "info", "post.md")[0] == 1


def test_longest_prefix_wins(repo, monkeypatch):
    write(repo, ".healthlint.yaml", ONLY + "severity:\n  HL1: info\n  HL101: warning\n  HL: error\n")
    write(repo, "post.md", f"{HYPE} {CURE}\n")
    monkeypatch.chdir(repo)
    assert sorted(findings("post.md")[1]) == [("post.md", "HL101", "warning"), ("post.md", "HL103", "info"),
                                               ("post.md", "HL601", "error")]


def test_severity_override_shows_in_rules_listing(repo, monkeypatch):
    write(repo, ".healthlint.yaml", "severity: {HL103: error}\n")
    monkeypatch.chdir(repo)
    lines = run_cli("rules").stdout.splitlines()
    assert next(line for line in lines if line.startswith("HL103")).split()[1] == "error"


@pytest.mark.parametrize(("config", "args", "code"), [
    ("fail-on: error\n", (), 0),  # only a warning on the page
    ("fail-on: error\n", ("--fail-on", "warning"), 1),  # the command line wins
    ("fail-on: info\n", (), 1),
    ("fail-on: info\n", ("--fail-on", "error"), 0),
    ("fail-on: warning\n", ("--exit-zero",), 0),
    ("", (), 1),  # default: warning
])
def test_fail_on(repo, monkeypatch, config, args, code):
    write(repo, ".healthlint.yaml", ONLY + config)
    write(repo, "post.md", f"{HYPE}\n\n{DISCLAIMER}\n")
    monkeypatch.chdir(repo)
    assert findings(*args, "post.md") == (code, [("post.md", "HL103", "warning")])


# --- exclude and .gitignore --------------------------------------------------------------------------

@pytest.fixture
def site(repo: Path) -> Path:
    write(repo, ".healthlint.yaml", "select: [HL101]\nexclude: ['legal/', '*.draft.md']\n")
    for name in ("docs/post.md", "docs/post.draft.md", "legal/terms.md", "legal/old/terms.html", "index.html"):
        write(repo, name, f"<p>{CURE}</p>\n" if name.endswith(".html") else f"{CURE}\n")
    return repo


def paths(*args: str, cwd: Path) -> list[str]:
    return sorted({path for path, _, _ in findings(*args, cwd=cwd)[1]})


def test_exclude_skips_folders_and_globs_when_walking(site):
    assert paths(".", cwd=site) == ["docs/post.md", "index.html"]
    assert paths("legal", cwd=site) == []


def test_exclude_does_not_apply_to_explicit_files(site):
    assert paths("legal/terms.md", "docs/post.draft.md", cwd=site) == ["docs/post.draft.md", "legal/terms.md"]


def test_force_exclude_applies_to_explicit_files(site):
    result = run_cli("check", "--force-exclude", "legal/terms.md", "docs/post.draft.md", "docs/post.md", cwd=site)
    assert result.exit_code == 1
    assert "docs/post.md:1:15" in result.stdout
    assert "terms.md" not in result.stdout and "draft" not in result.stdout


def test_exclude_is_relative_to_the_config_file(site):
    cwd = site / "docs"
    assert paths("..", cwd=cwd) == ["../docs/post.md", "../index.html"]
    assert paths("--force-exclude", "../legal/terms.md", "post.md", cwd=cwd) == ["post.md"]


def test_gitignore_respected_when_walking(repo):
    write(repo, ".gitignore", "*.draft.md\n!keep.draft.md\n")
    write(repo, "site/.gitignore", "out/\n")
    for name in ("site/post.md", "site/post.draft.md", "site/keep.draft.md", "site/out/gen.html", "site/notes.TXT"):
        write(repo, name, f"{CURE}\n")
    expected = ["site/keep.draft.md", "site/notes.TXT", "site/post.md"]
    assert paths("--select", "HL101", ".", cwd=repo) == expected
    assert paths("--select", "HL101", ".", cwd=repo / "site") == [p.removeprefix("site/") for p in expected]
    # a file named on the command line is linted even when git ignores it
    assert paths("--select", "HL101", "site/post.draft.md", cwd=repo) == ["site/post.draft.md"]


def test_walk_lints_only_known_extensions(repo):
    for name in ("a.md", "b.markdown", "c.html", "d.htm", "e.txt", "f.rst", "g.py", "h.yaml", ".hidden/i.md",
                 "node_modules/j.md"):
        write(repo, name, f"{CURE}\n")
    assert paths("--select", "HL101", ".", cwd=repo) == ["a.md", "b.markdown", "c.html", "d.htm", "e.txt"]
    assert paths("--select", "HL101", "f.rst", cwd=repo) == ["f.rst"]  # named explicitly: read as text


# --- extra rules -------------------------------------------------------------------------------------

def test_rules_folder_relative_to_the_config_file(repo, monkeypatch):
    write(repo, ".healthlint.yaml", "rules: [house-rules]\nselect: [HL9]\n")
    write(repo, "house-rules/vague.yaml", EXTRA_RULE)
    write(repo, "site/blog/post.md", "Start your wellness journey today.\n")
    monkeypatch.chdir(repo / "site" / "blog")
    assert findings("post.md") == (1, [("post.md", "HL901", "warning")])
    assert any(line.startswith("HL901 ") for line in run_cli("rules").stdout.splitlines())


def test_rules_from_config_and_command_line_add_up(repo, monkeypatch):
    write(repo, ".healthlint.yaml", "rules: [house-rules/vague.yaml]\nselect: [HL9]\n")
    write(repo, "house-rules/vague.yaml", EXTRA_RULE)
    write(repo, "more.yaml", EXTRA_RULE.replace("HL901", "HL902").replace("vague-wellness", "vague-healing")
          .replace("wellness journey", "healing path"))
    write(repo, "post.md", "Start your wellness journey on a healing path.\n")
    monkeypatch.chdir(repo)
    assert [rule for _, rule, _ in findings("--rules", "more.yaml", "post.md")[1]] == ["HL901", "HL902"]


# --- the config cache: read once, parsed again only when the bytes change -----------------------------

def test_an_unchanged_config_is_not_parsed_again(repo, cache_dir):
    """A configured repository pays for PyYAML (and tomllib) once, not on every commit."""
    write(repo, ".healthlint.yaml", "select: [HL101]\nseverity: {HL101: warning}\n")
    write(repo, "pyproject.toml", "[project]\nname = 'site'\n[tool.healthlint]\nselect = ['HL101']\n")
    write(repo, "docs/page.md", f"{CURE}\n")
    modules = "'yaml' in sys.modules, 'tomllib' in sys.modules"
    runs = [run_fresh(["check", "--format", "concise", "page.md"], modules, repo / "docs") for _ in range(2)]
    assert all(any(line.startswith("page.md:1:15: HL101 ") for line in lines) for lines in runs)
    assert runs[0][-1] == "True False"  # the YAML config, parsed (the pyproject is never looked at)
    assert runs[1][-1] == "False False"  # then from the cache
    assert runs[0][:-1] == runs[1][:-1]


def test_a_changed_config_counts_at_once_even_at_the_same_size(repo, cache_dir):
    write(repo, "page.md", f"{CURE}\n\n{HYPE}\n")
    for select, expected in (("HL101", "HL101"), ("HL103", "HL103"), ("HL101", "HL101")):
        write(repo, ".healthlint.yaml", f"select: [{select}]\n")  # same size, written within milliseconds
        _, found = findings("page.md", cwd=repo)
        assert [rule for _, rule, _ in found] == [expected]


def test_a_bad_config_is_reported_every_time(repo, cache_dir):
    write(repo, ".healthlint.yaml", "select: [HL101]\nfail-on: sometimes\n")
    write(repo, "page.md", f"{CURE}\n")
    for _ in range(2):
        result = run_cli("check", "page.md", cwd=repo)
        assert result.exit_code == 2
        assert ".healthlint.yaml:2: fail-on: unknown severity 'sometimes'" in result.stderr


# --- excludes matched with pathspec's own expressions, without importing pathspec --------------------

_GLOB = st.lists(st.sampled_from(["*", "**", "/", "?", "[a-c]", "[!b]", "a", "b", "c.md", ".", "\\", "!", "#", " ",
                                  "drafts", "-"]), min_size=1, max_size=6).map("".join)
_PATH = st.lists(st.sampled_from(["a", "b", "c.md", "drafts", ".hidden", "x y", "a.b", "[a]"]), min_size=1,
                 max_size=4).map("/".join)


@settings(max_examples=400, deadline=None)
@given(glob=_GLOB, relative=_PATH)
def test_kept_expressions_match_as_pathspec_does(glob, relative):
    import re as stdlib_re

    from healthlint import config, discovery

    root = Path("/site")
    try:
        (kept,) = config._patterns(root, {"exclude": [glob]}, "exclude", lambda key, problem: ValueError(problem))
    except (ValueError, stdlib_re.error):
        return  # a pattern the config refuses
    asked = kept._replace(regex=None)  # the same pattern, matched by pathspec itself
    path = root / relative
    assert discovery.matches([kept], path) == discovery.matches([asked], path), (glob, relative, kept.regex)


def test_a_cached_config_with_excludes_never_imports_pathspec(repo, cache_dir):
    """The pre-commit hook passes --force-exclude: matching the config's excludes must not bring back
    the import the config cache saves."""
    write(repo, ".healthlint.yaml", "exclude: [drafts/, '*.tmp.md']\nselect: [HL101]\n")
    write(repo, "docs/page.md", f"{CURE}\n")
    write(repo, "drafts/page.md", f"{CURE}\n")
    args = ["check", "--force-exclude", "--format", "concise", "docs/page.md", "drafts/page.md"]
    runs = [run_fresh(args, "'pathspec' in sys.modules, 'yaml' in sys.modules", repo) for _ in range(2)]
    for lines in runs:
        assert [line.split(":")[0] for line in lines[:-1] if ":" in line] == ["docs/page.md"]
    assert runs[0][-1] == "True True"
    assert runs[1][-1] == "False False"
