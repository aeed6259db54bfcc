"""`healthlint check --format NAME` for the CI formats: the exit codes do not depend on the format, and
stdout holds the format's output and nothing else (notices go to stderr)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from healthlint.cli import FORMAT_NAMES, cli
from healthlint.formats import FORMATS

SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
NEW_FORMATS = ("json-lines", "sarif", "github", "gitlab", "junit")
BAD = "# Results\r\n\r\n🙂 Our infusions cure depression.\r\n"  # HL101 on "cure": line 3, column 17
CLEAN = "This article is for general information and is not medical advice. Talk to your doctor.\n"


def check(tmp_path: Path, monkeypatch, fmt: str, *files: tuple[str, str], args: tuple[str, ...] = ()):
    for name, text in files:
        (tmp_path / name).write_bytes(text.encode("utf-8"))
    monkeypatch.chdir(tmp_path)
    env = {"NO_COLOR": None, "FORCE_COLOR": None}
    return CliRunner().invoke(cli, ["check", "--format", fmt, *args, *(n for n, _ in files)], env=env)


def test_format_names_match_the_registry():
    assert tuple(FORMATS) == FORMAT_NAMES


def parse(fmt: str, out: str) -> list[tuple[str, int, int]]:
    """(rule, line, column) of each finding in the output, read back the way each consumer would."""
    if fmt == "json-lines":
        return [(r["rule"], r["line"], r["column"]) for r in map(json.loads, out.splitlines())]
    if fmt == "sarif":
        log = json.loads(out)
        jsonschema.Draft4Validator(SCHEMA).validate(log)
        return [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"],
                 r["locations"][0]["physicalLocation"]["region"]["startColumn"]) for r in log["runs"][0]["results"]]
    if fmt == "gitlab":
        return [(i["check_name"], i["location"]["positions"]["begin"]["line"],
                 i["location"]["positions"]["begin"]["column"]) for i in json.loads(out)]
    if fmt == "github":
        found = []
        for line in out.splitlines():
            assert line.startswith("::")
            props = dict(p.split("=", 1) for p in line[2:].split("::", 1)[0].split(" ", 1)[1].split(","))
            found.append((props["title"].split(" ")[0], int(props["line"]), int(props.get("col", 1))))
        return found
    if fmt == "junit":
        root = ET.fromstring(out.encode("utf-8"))
        return [(c.get("name").rsplit(".", 1)[1], int(c.get("line")), int(c.get("column")))
                for c in root.iter("testcase") if c.find("failure") is not None]
    raise AssertionError(fmt)


@pytest.mark.parametrize("fmt", NEW_FORMATS)
def test_findings_exit_1_and_output_parses(tmp_path, monkeypatch, fmt):
    result = check(tmp_path, monkeypatch, fmt, ("page.md", BAD))
    assert result.exit_code == 1, result.output
    found = parse(fmt, result.stdout)
    assert ("HL101", 3, 17) in found
    assert "Found" not in result.stdout  # no summary line in a machine format


@pytest.mark.parametrize("fmt", NEW_FORMATS)
def test_clean_file_exits_0(tmp_path, monkeypatch, fmt):
    result = check(tmp_path, monkeypatch, fmt, ("page.md", CLEAN))
    assert result.exit_code == 0, result.output
    assert parse(fmt, result.stdout) == []
    if fmt in ("json-lines", "github"):
        assert result.stdout == ""


@pytest.mark.parametrize("fmt", NEW_FORMATS)
def test_exit_zero_is_honoured(tmp_path, monkeypatch, fmt):
    zero = check(tmp_path, monkeypatch, fmt, ("page.md", BAD), args=("--exit-zero",))
    assert zero.exit_code == 0 and ("HL101", 3, 17) in parse(fmt, zero.stdout)


@pytest.mark.parametrize("fmt", NEW_FORMATS)
def test_missing_file_exits_2(tmp_path, monkeypatch, fmt):
    result = check(tmp_path, monkeypatch, fmt, args=("nowhere.md",))
    assert result.exit_code == 2
    assert "nowhere.md" in result.stderr


def test_json_lines_from_two_runs_concatenate(tmp_path, monkeypatch):
    first = check(tmp_path, monkeypatch, "json-lines", ("a.md", BAD))
    second = check(tmp_path, monkeypatch, "json-lines", ("b.md", BAD))
    joined = first.stdout + second.stdout
    paths = {json.loads(line)["path"] for line in joined.splitlines()}
    assert paths == {"a.md", "b.md"}
