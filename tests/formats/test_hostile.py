"""Hostile copy through every registered format: the output must still parse, and nothing in a linted
file may break out of its field (a new GitHub workflow command, an XML element, a JSON Lines record).

The copy holds line breaks inside a match (CRLF, lone CR, LF, and the Unicode breaks), `%` and what
look like GitHub escapes, `::` and a whole workflow command, `,` and `:`, quotes, `<script>`, `]]>`,
`&`, and control characters (NUL, ESC, vertical tab, form feed); the path has spaces, `,`, `:` and `%`.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import jsonschema
import pytest

from healthlint.formats import FORMATS
from healthlint.model import Document, Examples, FileResult, Finding, Rule, Severity, Span

SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
PATH = "docs/hostile dir/a, b:c %0A 100%.md"
MATCH = 'cure"\r\n::error file=x.md,line=1::pwned %0A %25\n::set-output name=a::b\rx'
SOURCE = (
    "# Landing\n\n"
    f"Our infusions {MATCH} forever.\n"
    "Odd text: 100% <script>alert('x')</script> ]]> & \"quoted\" 'single' a,b:c "
    "\x00\x01\x1b[31mred\x1b[0m\x0b\x0c \u2028 \u2029 \x85 end :: ok\n"
)
ODD = SOURCE[SOURCE.index("100%"):SOURCE.index(" end")]


def hostile() -> list[FileResult]:
    doc = Document(path=PATH, source=SOURCE, prose=SOURCE, format="markdown")
    start = SOURCE.index(MATCH)
    odd = SOURCE.index(ODD)
    findings = (
        Finding("HL601", "missing-medical-disclaimer", Severity.WARNING, f"Whole page: {ODD}", Span(0, 0),
                suggestion=ODD, document=True),
        Finding("HL101", "cure-claim", Severity.ERROR, f'"{MATCH}" promises a cure.',
                Span(start, start + len(MATCH)), suggestion=f"Do not write {MATCH}"),
        Finding("HL900", "odd,name:with::colons", Severity.INFO, f"{ODD}\r\n::warning::injected",
                Span(odd, odd + len(ODD))),
    )
    return [FileResult(doc, findings)]


RESULTS = hostile()
FINDINGS = RESULTS[0].findings
MESSAGES = [f.message for f in FINDINGS]


def output(name: str) -> str:
    out = "".join(FORMATS[name].render(RESULTS, False))
    assert isinstance(out, str)
    return out


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_renders_hostile_copy(name):
    out = output(name)
    assert out.endswith("\n")
    if FORMATS[name].human:
        return  # human text is for a terminal; the machine formats are checked one by one below
    assert name in CHECKS, f"add a hostile-copy check for the new format {name!r}"
    CHECKS[name](out)


def check_json(out: str) -> None:
    data = json.loads(out)
    assert [f["message"] for f in data["findings"]] == MESSAGES
    assert {f["path"] for f in data["findings"]} == {PATH}


def check_json_lines(out: str) -> None:
    assert out.count("\n") == len(FINDINGS)
    assert len(out.splitlines()) == len(FINDINGS)  # even Unicode line breaks are escaped
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["message"] for r in records] == MESSAGES
    assert [r["suggestion"] for r in records] == [f.suggestion for f in FINDINGS]
    assert {r["path"] for r in records} == {PATH}


def check_sarif(out: str) -> None:
    log = json.loads(out)
    validator = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = list(validator.iter_errors(log))
    assert not errors, [e.message for e in errors]
    results = log["runs"][0]["results"]
    assert [r["message"]["text"] for r in results] == MESSAGES
    for r in results:
        uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert re.fullmatch(r"[A-Za-z0-9/._~%-]+", uri), uri  # nothing a URI parser could misread
        assert unquote(uri) == PATH


def check_gitlab(out: str) -> None:
    issues = json.loads(out)
    assert [i["description"] for i in issues] == [f"{f.rule_id}: {f.message}" for f in FINDINGS]
    assert {i["location"]["path"] for i in issues} == {PATH}
    assert len({i["fingerprint"] for i in issues}) == len(issues)


COMMAND = re.compile(r"::(error|warning|notice) (?P<props>[^:]*)::(?P<data>.*)", re.DOTALL)
UNESCAPE = {"%25": "%", "%0D": "\r", "%0A": "\n", "%3A": ":", "%2C": ","}


def unescape(text: str) -> str:
    """What the runner does with an escaped value (one pass, so `%250A` stays `%0A`)."""
    return re.sub(r"%(25|0D|0A|3A|2C)", lambda m: UNESCAPE[m.group(0)], text)


def check_github(out: str) -> None:
    assert "\r" not in out  # the runner splits lines at CR as well as LF
    lines = out.split("\n")
    assert lines.pop() == ""
    assert len(lines) == len(FINDINGS)  # exactly one command per finding: nothing started a new one
    for line, finding in zip(lines, FINDINGS, strict=True):
        assert line.startswith("::")
        match = COMMAND.fullmatch(line)
        assert match, line  # properties hold no ':' at all, so no '::' before the real separator
        props = dict(item.split("=", 1) for item in match["props"].split(","))
        assert set(props) <= {"file", "line", "col", "endLine", "endColumn", "title"}
        assert unescape(props["file"]) == PATH
        assert unescape(props["title"]) == f"{finding.rule_id} {finding.name}"
        assert all(props[key].isdigit() for key in props if key not in ("file", "title"))
        assert unescape(match["data"]) == finding.message
    multi_line = lines[1]
    assert "col=" not in multi_line and "endColumn=" not in multi_line  # the match runs over lines


def check_junit(out: str) -> None:
    root = ET.fromstring(out.encode("utf-8"))
    cases = list(root.iter("testcase"))
    assert len(cases) == len(FINDINGS)
    assert len(list(root.iter("failure"))) == len(FINDINGS)
    assert root.find("testsuite").get("name") == PATH
    for case, finding in zip(cases, FINDINGS, strict=True):
        message = case.find("failure").get("message")
        # Attributes round-trip exactly, except the characters XML 1.0 cannot hold at all.
        expected = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "\ufffd", finding.message)
        assert message == expected
    odd = cases[0].find("failure").get("message")
    for piece in ("<script>alert('x')</script>", "]]>", "&", '"quoted"', "100%"):
        assert piece in odd


CHECKS = {
    "json": check_json,
    "json-lines": check_json_lines,
    "sarif": check_sarif,
    "gitlab": check_gitlab,
    "github": check_github,
    "junit": check_junit,
}


def test_sarif_with_hostile_rule_metadata_validates():
    rule = Rule(id="HL101", name="cure-claim", kind_name="phrase", kind=None, severity=Severity.ERROR,  # type: ignore[arg-type]
                message="{match}", rationale=f"Why: {ODD}", references=("https://example.org/a b?c=<d>",),
                examples=Examples((), ()), origin="rules/x.yaml:1", suggestion=MATCH)
    out = "".join(FORMATS["sarif"].render(RESULTS, False, rules={"HL101": rule}))
    check_sarif(out)
    driver = json.loads(out)["runs"][0]["tool"]["driver"]
    assert driver["rules"][0]["fullDescription"]["text"].startswith("Why: 100% <script>")
    assert "\\<script\\>" in driver["rules"][0]["help"]["markdown"]
