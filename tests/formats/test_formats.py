"""Golden files for the machine formats, built from model types directly (no rules, no engine).

The sample: a Markdown page with CRLF line endings and an emoji before a match, the same rule matching
the same word twice, a finding that runs across a line break, an info finding; a page with a
whole-document finding (and a space in its path); a clean page.

Regenerate the goldens after an intended change with `HEALTHLINT_REGEN=1 python -m pytest tests/formats`,
then review the diff.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

import healthlint
from healthlint.formats import FORMATS
from healthlint.model import Document, Examples, FileResult, Finding, Rule, Severity, Span

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
SCHEMA = json.loads((HERE / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
REGEN = os.environ.get("HEALTHLINT_REGEN") == "1"
GOLDEN_FILES = {
    "json": "sample.json",
    "json-lines": "sample.jsonl",
    "sarif": "sample.sarif",
    "github": "sample.github.txt",
    "gitlab": "sample.gitlab.json",
    "junit": "sample.junit.xml",
}

LANDING = (
    "# Results\r\n"
    "\r\n"
    "🙂 Our infusions cure depression.\r\n"
    "Their cure is quick and brings permanent\n"
    "relief to everyone.\n"
)


def make_rule(rule_id: str, name: str, severity: Severity, rationale: str, suggestion: str = "",
              references: tuple[str, ...] = ()) -> Rule:
    return Rule(id=rule_id, name=name, kind_name="phrase", kind=None, severity=severity,  # type: ignore[arg-type]
                message='"{match}" is a claim.', rationale=rationale, references=references,
                examples=Examples((), ()), origin=f"rules/test.yaml:{rule_id}", suggestion=suggestion)


RULES = {
    rule.id: rule
    for rule in (
        make_rule("HL101", "cure-claim", Severity.ERROR,
                  "A cure is the strongest claim an ad can make. It needs trial evidence.",
                  "Describe what the evidence supports.",
                  ("https://www.ftc.gov/business-guidance/resources/health-products-compliance-guidance",)),
        make_rule("HL102", "permanence-claim", Severity.WARNING, "Nothing lasts for everyone. Say how long it lasted."),
        make_rule("HL300", "speed-claim", Severity.INFO, "Speed claims need a source [like this](x) <b>."),
        make_rule("HL601", "missing-medical-disclaimer", Severity.WARNING,
                  "Pages with health information must say they are not medical advice.",
                  "Add: This article is not medical advice."),
    )
}


def finding_at(source: str, text: str, rule_id: str, name: str, severity: Severity, nth: int = 0) -> Finding:
    start = -1
    for _ in range(nth + 1):
        start = source.index(text, start + 1)
    return Finding(rule_id=rule_id, name=name, severity=severity, message=f'"{text}" is a claim ({name}).',
                   span=Span(start, start + len(text)), suggestion=RULES[rule_id].suggestion)


def landing(source: str = LANDING, path: str = "docs/landing.md") -> FileResult:
    doc = Document(path=path, source=source, prose=source, format="markdown")
    findings = (
        finding_at(source, "cure", "HL101", "cure-claim", Severity.ERROR),
        finding_at(source, "cure", "HL101", "cure-claim", Severity.ERROR, nth=1),
        finding_at(source, "quick", "HL300", "speed-claim", Severity.INFO),
        finding_at(source, "permanent\nrelief", "HL102", "permanence-claim", Severity.WARNING),
    )
    return FileResult(doc, findings)


def sample() -> list[FileResult]:
    about_src = "# About us\n\nWe help people feel better.\n"
    about = Document(path="docs/about us.md", source=about_src, prose=about_src, format="markdown")
    missing = Finding("HL601", "missing-medical-disclaimer", Severity.WARNING,
                      "This page gives health information but never says it is not medical advice.",
                      Span(0, 0), RULES["HL601"].suggestion, document=True)
    clean_src = "This article is not medical advice.\n"
    clean = Document(path="docs/clean.md", source=clean_src, prose=clean_src, format="markdown")
    return [landing(), FileResult(about, (missing,)), FileResult(clean, ())]


def render(name: str, results: list[FileResult], rules=RULES) -> str:
    fmt = FORMATS[name]
    extra = {"rules": rules} if fmt.takes_rules else {}
    return "".join(fmt.render(results, False, **extra))


def sarif_validator() -> jsonschema.Draft4Validator:
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    return jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


# --- goldens -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(GOLDEN_FILES))
def test_golden(name):
    path = GOLDEN / GOLDEN_FILES[name]
    out = render(name, sample())
    if name == "sarif":  # the golden does not change with every release
        version = re.escape(healthlint.__version__)
        out = re.sub(rf'(?m)^( {{10}}"(?:version|semanticVersion)": )"{version}"', r'\1"<version>"', out)
    if REGEN:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(out.encode("utf-8"))
    assert path.exists(), f"missing {path}; run with HEALTHLINT_REGEN=1 to create it"
    assert out == path.read_bytes().decode("utf-8"), f"{name} differs from {path.name}"


def test_every_new_format_is_registered_as_machine_output():
    for name in ("json-lines", "sarif", "github", "gitlab", "junit"):
        assert name in FORMATS and FORMATS[name].human is False
    assert [n for n, f in FORMATS.items() if f.takes_rules] == ["sarif"]


# --- positions ----------------------------------------------------------------------------------------

def sarif_results(results=None, rules=RULES) -> dict:
    return json.loads(render("sarif", sample() if results is None else results, rules))


def test_sarif_positions_count_code_points_and_crlf_once():
    log = sarif_results()
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in run["results"]]
    # "🙂 Our infusions cure": the emoji is one column, CRLF ends line 2 and line 3 alike.
    assert regions[0] == {"startLine": 3, "startColumn": 17, "endLine": 3, "endColumn": 21}
    assert regions[1] == {"startLine": 4, "startColumn": 7, "endLine": 4, "endColumn": 11}
    assert regions[3] == {"startLine": 4, "startColumn": 32, "endLine": 5, "endColumn": 7}  # across LF
    assert regions[4] == {"startLine": 1, "startColumn": 1}  # the whole document


def test_sarif_rules_sorted_with_metadata_and_levels():
    run = sarif_results()["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["HL101", "HL102", "HL300", "HL601"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    levels = {r["id"]: r["defaultConfiguration"]["level"] for r in rules}
    assert levels == {"HL101": "error", "HL102": "warning", "HL300": "note", "HL601": "warning"}
    assert {r["ruleId"]: r["level"] for r in run["results"]}["HL300"] == "note"
    cure = rules[0]
    assert cure["shortDescription"]["text"] == "A cure is the strongest claim an ad can make."
    assert cure["fullDescription"]["text"] == RULES["HL101"].rationale
    assert "Describe what the evidence supports." in cure["help"]["text"]
    assert "<https://www.ftc.gov/" in cure["help"]["markdown"]
    assert r"\[like this\](x) \<b\>" in rules[2]["help"]["markdown"]  # plain text stays plain
    assert run["tool"]["driver"]["version"] == healthlint.__version__


def test_sarif_uri_is_relative_and_percent_encoded():
    run = sarif_results()["runs"][0]
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
    assert locations[0] == {"uri": "docs/landing.md", "uriBaseId": "%SRCROOT%"}
    assert locations[4] == {"uri": "docs/about%20us.md", "uriBaseId": "%SRCROOT%"}
    absolute = landing(path="/srv/site/a b.md")
    uri = sarif_results([absolute])["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri == {"uri": "file:///srv/site/a%20b.md"}


def test_github_sends_columns_only_on_one_line():
    lines = render("github", sample()).splitlines()
    assert lines[0].startswith("::error file=docs/landing.md,line=3,col=17,endLine=3,endColumn=21,title=HL101 ")
    assert lines[2].startswith("::notice file=docs/landing.md,line=4,col=")
    assert lines[3].startswith("::warning file=docs/landing.md,line=4,endLine=5,title=HL102 permanence-claim::")
    assert lines[4].startswith("::warning file=docs/about us.md,line=1,title=HL601 ")


def test_gitlab_fields():
    issues = json.loads(render("gitlab", sample()))
    assert [i["severity"] for i in issues] == ["major", "major", "info", "minor", "minor"]
    first = issues[0]
    assert first["description"].startswith("HL101: ")
    assert first["check_name"] == "HL101"
    assert first["location"] == {"path": "docs/landing.md",
                                 "positions": {"begin": {"line": 3, "column": 17}, "end": {"line": 3, "column": 21}}}
    assert issues[4]["location"]["positions"]["begin"] == {"line": 1, "column": 1}


def test_junit_one_suite_per_file_and_a_passing_case_for_a_clean_one():
    root = ET.fromstring(render("junit", sample()))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["docs/landing.md", "docs/about us.md", "docs/clean.md"]
    assert [len(s.findall("testcase")) for s in suites] == [4, 1, 1]
    assert root.get("tests") == "6" and root.get("failures") == "5"
    clean = suites[2].find("testcase")
    assert clean.get("name") == "No errors found" and clean.find("failure") is None
    case = suites[0].find("testcase")
    assert (case.get("name"), case.get("classname"), case.get("line"), case.get("column")) == (
        "org.healthlint.HL101", "docs/landing", "3", "17")
    assert case.find("failure").get("type") == "error"


def test_json_lines_objects_are_the_json_findings():
    listed = json.loads(render("json", sample()))["findings"]
    lines = render("json-lines", sample()).splitlines()
    assert [json.loads(line) for line in lines] == listed


# --- fingerprints ---------------------------------------------------------------------------------

def fingerprints(results) -> tuple[list[str], list[str]]:
    sarif = [r["partialFingerprints"]["healthlint/v1"] for r in sarif_results(results)["runs"][0]["results"]]
    gitlab = [i["fingerprint"] for i in json.loads(render("gitlab", results))]
    return sarif, gitlab


def test_fingerprints_survive_edits_above_the_finding():
    before = fingerprints([landing()])
    after = fingerprints([landing("A new intro paragraph.\r\n\r\n" + LANDING)])
    assert before == after
    lf = fingerprints([landing(LANDING.replace("\r\n", "\n"))])
    assert lf == before  # the matched text is compared with whitespace collapsed


def test_fingerprints_are_unique_and_depend_on_rule_path_text_and_occurrence():
    sarif, gitlab = fingerprints(sample())
    assert sarif == gitlab
    assert len(set(gitlab)) == len(gitlab)  # the two identical "cure" findings differ by occurrence
    moved = fingerprints([landing(path="docs/other.md")])[1]
    assert not set(moved) & set(gitlab)
    twice = fingerprints([landing(), landing()])[1]  # the same file listed twice: still unique
    assert len(set(twice)) == 8
    primary = [r["partialFingerprints"]["primaryLocationLineHash"] for r in sarif_results()["runs"][0]["results"]]
    assert primary == sarif


# --- SARIF schema -----------------------------------------------------------------------------------

@pytest.mark.parametrize("case", ["sample", "without-rules", "empty"])
def test_sarif_validates_against_the_official_schema(case):
    results, rules = {"sample": (sample(), RULES), "without-rules": (sample(), None), "empty": ([], None)}[case]
    log = sarif_results(results, rules)
    errors = sorted(sarif_validator().iter_errors(log), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    assert log["version"] == "2.1.0" and log["$schema"]
    assert len(log["runs"]) == 1 and log["runs"][0]["tool"]["driver"]["name"] == "healthlint"


def test_sarif_without_rules_builds_descriptors_from_findings():
    rules = sarif_results(sample(), None)["runs"][0]["tool"]["driver"]["rules"]
    assert [(r["id"], r["name"]) for r in rules] == [("HL101", "cure-claim"), ("HL102", "permanence-claim"),
                                                     ("HL300", "speed-claim"), ("HL601", "missing-medical-disclaimer")]
    assert all(r["shortDescription"]["text"] and r["help"]["text"] for r in rules)


# --- empty runs -----------------------------------------------------------------------------------

def test_empty_run_in_every_machine_format():
    assert render("json-lines", []) == ""
    assert render("github", []) == ""
    assert json.loads(render("gitlab", [])) == []
    assert json.loads(render("json", []))["findings"] == []
    assert sarif_results([], None)["runs"][0]["results"] == []
    root = ET.fromstring(render("junit", []))
    assert [c.get("name") for c in root.iter("testcase")] == ["No errors found"]
    assert root.get("tests") == "1" and root.get("failures") == "0"
