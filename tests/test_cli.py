"""The command line, end to end: exit codes, the three formats and their positions, rule selection,
stdin, colour, and the `rules`, `explain`, `test-rules` and `--version` commands."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

import healthlint
from conftest import run_cli, run_process, write

ROOT = Path(__file__).resolve().parents[1]
ANSI = re.compile(r"\x1b\[[0-9;]*m")
DISCLAIMER = "This article is for general information and is not medical advice."
CURE = "Our infusions cure depression."  # HL101 on "cure", column 15
WATCHED = {"HL101", "HL103", "HL601"}  # the rules the copy below is written for; new rules may fire too
CONTRACT_KEYS = {"path", "line", "column", "end_line", "end_column", "rule", "name", "severity", "message",
                 "suggestion", "document"}

INFO_RULE = """\
- id: HL901
  name: vague-wellness
  kind: phrase
  severity: info
  phrases: [wellness journey]
  message: '"{match}" says little about what the treatment does.'
  rationale: Vague copy hides what is on offer.
  examples:
    flag: ['Start your wellness journey with us.']
    pass: ['Start your first infusion with us.']
"""


def concise(tmp_path: Path, name: str, content: str | bytes, *extra: str) -> list[str]:
    write(tmp_path, name, content)
    result = run_cli("check", "--format", "concise", "--quiet", *extra, name, cwd=tmp_path)
    assert result.exit_code in (0, 1), result.output
    return result.stdout.splitlines()


def json_findings(tmp_path: Path, *args: str) -> dict:
    result = run_cli("check", "--format", "json", *args, cwd=tmp_path)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


# --- exit codes ------------------------------------------------------------------------------------

EXIT_CASES = (
    # (file text, extra args, exit code)
    (f"Ketamine is not a cure, and it does not help everyone.\n\n{DISCLAIMER}\n", (), 0),
    (f"Discover the miracle of ketamine.\n\n{DISCLAIMER}\n", (), 1),  # HL103 warning, default fail-on warning
    (f"Discover the miracle of ketamine.\n\n{DISCLAIMER}\n", ("--fail-on", "error"), 0),
    (f"Discover the miracle of ketamine.\n\n{DISCLAIMER}\n", ("--fail-on", "info"), 1),
    (f"{CURE}\n\n{DISCLAIMER}\n", ("--fail-on", "error"), 1),
    (f"{CURE}\n\n{DISCLAIMER}\n", ("--exit-zero",), 0),
    (f"Start your wellness journey today.\n\n{DISCLAIMER}\n", ("--rules", "info.yaml"), 0),  # info never fails
    (f"Start your wellness journey today.\n\n{DISCLAIMER}\n", ("--rules", "info.yaml", "--fail-on", "info"), 1),
)


@pytest.mark.parametrize(("text", "args", "code"), EXIT_CASES)
def test_exit_code(tmp_path, text, args, code):
    write(tmp_path, "info.yaml", INFO_RULE)
    write(tmp_path, "page.md", text)
    rules = ("--select", "HL101,HL103,HL601,HL901") if "info.yaml" in args else ("--select", "HL101,HL103,HL601")
    result = run_cli("check", *rules, *args, "page.md", cwd=tmp_path)
    assert result.exit_code == code, result.output
    assert result.stderr == ""


def test_clean_file_says_so(tmp_path):
    write(tmp_path, "page.md", f"Ketamine is not a cure.\n\n{DISCLAIMER}\n")
    result = run_cli("check", "--select", "HL1,HL6", "page.md", cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (0, "No findings in 1 file.\n")


def test_exit_zero_still_exits_2_on_an_error(tmp_path):
    write(tmp_path, "page.md", f"{CURE}\n")
    result = run_cli("check", "--exit-zero", "page.md", "missing.md", cwd=tmp_path)
    assert result.exit_code == 2
    assert "page.md:1:15" in result.stdout  # the readable file is still reported
    assert "missing.md: no such file or folder" in result.stderr


def test_real_process_exit_codes(tmp_path):
    write(tmp_path, "bad.md", f"{CURE}\n\n{DISCLAIMER}\n")
    write(tmp_path, "good.md", f"Ketamine is not a cure.\n\n{DISCLAIMER}\n")
    bad = run_process("check", "--format", "concise", "--select", "HL101,HL601", "bad.md", cwd=tmp_path)
    assert bad.returncode == 1
    assert bad.stdout.startswith('bad.md:1:15: HL101 "cure" promises a cure')
    assert run_process("check", "--select", "HL101,HL601", "good.md", cwd=tmp_path).returncode == 0
    assert run_process("check", "--exit-zero", "bad.md", cwd=tmp_path).returncode == 0


# --- concise: exact positions -----------------------------------------------------------------------

POSITIONS = (
    # (file name, content, line, column) of HL101's "cure"
    ("plain.md", f"{CURE}\n", 1, 15),
    ("inline.md", "Our **infusions** [cure](https://example.org) depression.\n", 1, 20),
    ("second.md", f"# Ketamine care\n\n{CURE}\n", 3, 15),
    ("page.html", "<p>Intro.</p>\n<p>Our   <b>infusions</b> cure depression.</p>\n", 2, 27),
    ("entity.html", "<p>Caf&eacute; &mdash; our infusions cure depression.</p>\n", 1, 38),
    ("notes.txt", f"Intro line.\n\n{CURE}\n", 3, 15),
    ("crlf.md", f"Hello.\r\n\r\n{CURE}\r\n", 3, 15),
    ("crlf.html", f"<p>Hello.</p>\r\n<p>{CURE}</p>\r\n", 2, 18),
    ("crlf.txt", f"Hello.\r\n\r\n{CURE}\r\n", 3, 15),
    ("bom.md", b"\xef\xbb\xbf" + CURE.encode() + b"\n", 1, 15),
    ("bom.html", "\ufeff<p>😀 Our infusions cure depression.</p>\r\n", 1, 20),
    ("bom.txt", "\ufeffIntro.\r\n\r\nCafé — “our” infusions cure depression.\r\n", 3, 24),
    ("emoji.md", f"😀😀 {CURE}\n", 1, 18),
    ("zwj.txt", f"👩‍⚕️ {CURE}\n", 1, 20),  # four code points before the space
    ("tab.txt", f"Word\t{CURE}\n", 1, 20),
    ("accents.txt", "Café déjà vu — our infusions cure depression.\n", 1, 30),
)


@pytest.mark.parametrize(("name", "content", "line", "col"), POSITIONS, ids=[p[0] for p in POSITIONS])
def test_concise_position(tmp_path, name, content, line, col):
    out = concise(tmp_path, name, content, "--select", "HL101")
    assert out == [f'{name}:{line}:{col}: HL101 "cure" promises a cure, the strongest claim a health ad can make,'
                   " and it needs trial evidence that this treatment cures this condition."]


def test_concise_lists_document_finding_at_its_trigger(tmp_path):
    # HL601 is a require-if rule: the finding points at the first health topic that needs the disclaimer
    out = concise(tmp_path, "page.md", f"{CURE}\n", "--select", "HL101,HL601")
    assert [line.split(" ", 2)[:2] for line in out] == [["page.md:1:5:", "HL601"], ["page.md:1:15:", "HL101"]]


def test_concise_lists_a_whole_document_finding_at_1_1(tmp_path):
    write(tmp_path, "require.yaml", (
        "- id: HL901\n  name: missing-byline\n  kind: require\n  severity: warning\n"
        "  patterns: ['reviewed by']\n  message: No reviewer is named.\n  rationale: Readers trust reviewed copy.\n"
    ))
    out = concise(tmp_path, "page.md", f"{CURE}\n", "--select", "HL101,HL901", "--rules", "require.yaml")
    assert [line.split(" ", 2)[:2] for line in out] == [["page.md:1:1:", "HL901"], ["page.md:1:15:", "HL101"]]


# --- full: the source line, carets and help ---------------------------------------------------------

FULL_CASES = (
    # (file name, content, matched text, line)
    ("short.md", f"{CURE}\n", "cure", 1),
    ("phrase.md", "Finally, permanent relief from the fog of depression.\n", "permanent relief", 1),
    ("tab.txt", f"Word\t{CURE}\n", "cure", 1),
    ("html.html", f"<p>Hi.</p>\n<p>{CURE}</p>\n", "cure", 2),
    ("long.md", "Ketamine care " * 20 + f"{CURE} " + "More words here. " * 15 + "\n", "cure", 1),
    ("wrapped.md", "Finally, permanent\nrelief from the fog.\n", "permanent", 1),  # a match over two lines
)


@pytest.mark.parametrize(("name", "content", "match", "line"), FULL_CASES, ids=[c[0] for c in FULL_CASES])
def test_full_carets_under_the_match(tmp_path, name, content, match, line):
    write(tmp_path, name, content)
    result = run_cli("check", "--format", "full", "--select", "HL101", name, cwd=tmp_path)
    lines = result.stdout.splitlines()
    source_prefix = f"{line} | "
    source = next(i for i, text in enumerate(lines) if text.startswith(source_prefix))
    shown = lines[source][len(source_prefix):]
    carets = lines[source + 1]
    assert carets.startswith(" " * len(str(line)) + " | ")
    marks = carets[len(source_prefix):]
    start = len(marks) - len(marks.lstrip(" "))
    assert set(marks[start:]) == {"^"}
    assert len(marks) - start == len(match)
    assert shown[start : start + len(match)] == match
    assert lines[0].startswith("HL101 error: ")
    assert lines[1].startswith(f"  --> {name}:{line}:")
    assert any(text.startswith("  help: Describe what the evidence supports") for text in lines)
    assert lines[-1] == "Found 1 finding (1 error) in 1 file."


def test_full_document_finding_has_no_carets(tmp_path):
    write(tmp_path, "require.yaml", (
        "- id: HL901\n  name: missing-byline\n  kind: require\n  severity: warning\n"
        "  patterns: ['reviewed by']\n  message: No reviewer is named.\n  rationale: Readers trust reviewed copy.\n"
    ))
    write(tmp_path, "page.md", "Book your consultation today.\n")
    result = run_cli("check", "--format", "full", "--select", "HL901", "--rules", "require.yaml", "page.md",
                     cwd=tmp_path)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:3] == [
        "HL901 warning: No reviewer is named.",
        "  --> page.md:1:1",
        "  = applies to the whole document",
    ]
    assert "^" not in result.stdout
    assert result.stdout.endswith("Found 1 finding (1 warning) in 1 file.\n")


def test_full_summary_counts_files_and_severities(tmp_path):
    write(tmp_path, "a.md", f"{CURE}\n")
    write(tmp_path, "b.md", f"Discover the miracle of ketamine.\n\n{DISCLAIMER}\n")
    result = run_cli("check", "--select", "HL101,HL103,HL601", "a.md", "b.md", cwd=tmp_path)
    assert result.stdout.splitlines()[-1] == "Found 3 findings (1 error, 2 warnings) in 2 files."


# --- json: the contract ----------------------------------------------------------------------------

def test_json_contract(tmp_path):
    write(tmp_path, "page.md", f"{CURE}\n\nBy last winter I had suicidal thoughts.\n")
    data = json_findings(tmp_path, "--select", "HL101,HL501,HL601", "page.md")
    assert set(data) == {"findings", "summary"}
    assert data["summary"] == {"files": 1, "findings": 3, "error": 2, "warning": 1, "info": 0}
    for finding in data["findings"]:
        assert set(finding) == CONTRACT_KEYS
        assert finding["path"] == "page.md"
        assert finding["severity"] in ("error", "warning", "info")
        assert all(isinstance(finding[k], int) for k in ("line", "column", "end_line", "end_column"))
        assert isinstance(finding["document"], bool)
    by_rule = {f["rule"]: f for f in data["findings"]}
    assert set(by_rule) == {"HL101", "HL501", "HL601"}
    cure, crisis, disclaimer = by_rule["HL101"], by_rule["HL501"], by_rule["HL601"]
    assert (cure["line"], cure["column"], cure["end_line"], cure["end_column"]) == (1, 15, 1, 19)
    assert (cure["name"], cure["document"]) == ("cure-claim", False)
    assert cure["message"].startswith('"cure" promises a cure')
    assert cure["suggestion"].startswith("Describe what the evidence supports")
    assert crisis["document"] is True and crisis["severity"] == "error"
    assert (crisis["line"], crisis["column"], crisis["end_column"]) == (3, 22, 30)  # the trigger "suicidal"
    assert disclaimer["document"] is True and disclaimer["name"] == "missing-medical-disclaimer"
    # at its trigger, the first health topic on the page ("infusions")
    assert (disclaimer["line"], disclaimer["column"], disclaimer["end_line"], disclaimer["end_column"]) == (1, 5, 1, 14)


@pytest.mark.parametrize(("content", "match"), [
    (f"😀 Café — {CURE}\r\n", "cure"),
    ("\ufeffFinally, permanent relief from the fog.\n", "permanent relief"),
    ("Think of it as a cure-all for a restless mind.\n", "cure-all"),
])
def test_json_end_column_is_exclusive(tmp_path, content, match):
    write(tmp_path, "page.md", content)
    [finding] = json_findings(tmp_path, "--select", "HL101", "page.md")["findings"]
    assert finding["end_line"] == finding["line"]
    assert finding["end_column"] - finding["column"] == len(match)
    assert content.lstrip("\ufeff").splitlines()[0][finding["column"] - 1 : finding["end_column"] - 1] == match


def test_json_match_over_a_line_break(tmp_path):
    write(tmp_path, "page.md", "Finally, permanent\r\nrelief from the fog.\r\n")
    [finding] = json_findings(tmp_path, "--select", "HL101", "page.md")["findings"]
    assert (finding["line"], finding["column"], finding["end_line"], finding["end_column"]) == (1, 10, 2, 7)


def test_json_with_no_findings_and_several_files(tmp_path):
    write(tmp_path, "a.md", f"Ketamine is not a cure.\n\n{DISCLAIMER}\n")
    write(tmp_path, "b.html", f"<p>Ketamine is not a cure.</p><p>{DISCLAIMER}</p>\n")
    result = run_cli("check", "--format", "json", "--select", "HL1,HL6", "a.md", "b.html", cwd=tmp_path)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"findings": [],
                                         "summary": {"files": 2, "findings": 0, "error": 0, "warning": 0, "info": 0}}


def test_json_holds_nothing_else(tmp_path):
    write(tmp_path, "page.md", f"{CURE}\n")
    write(tmp_path, "logo.md", b"GIF89a\x00\x00")
    result = run_cli("check", "--format", "json", "--color", "always", "page.md", "logo.md", cwd=tmp_path)
    json.loads(result.stdout)  # the notice about logo.md goes to stderr, no summary line, no colour
    assert "Found" not in result.stdout and not ANSI.search(result.stdout)
    assert "logo.md: binary file, skipped" in result.stderr


# --- select and ignore -----------------------------------------------------------------------------

SELECT_CASES = (
    (("--select", "HL101"), {"HL101"}),
    (("--select", "HL1"), {"HL101", "HL103"}),
    (("--select", "HL101,HL6"), {"HL101", "HL601"}),
    (("--select", " HL103 , HL601 "), {"HL103", "HL601"}),
    (("--select", "hl103"), {"HL103"}),
    (("--select", "HL101", "--select", "HL103"), {"HL101", "HL103"}),
    (("--ignore", "HL6"), {"HL101", "HL103"}),
    (("--ignore", "HL101,HL601"), {"HL103"}),
    (("--select", "HL1", "--ignore", "HL103"), {"HL101"}),
    (("--ignore", "HL1", "--ignore", "HL601"), set()),
    (("--select", "HL"), {"HL101", "HL103", "HL601"}),
)


@pytest.mark.parametrize(("args", "rules"), SELECT_CASES)
def test_select_and_ignore(tmp_path, args, rules):
    write(tmp_path, "page.md", "A miracle: our infusions cure depression.\n")
    data = json_findings(tmp_path, *args, "page.md")
    assert {f["rule"] for f in data["findings"]} & WATCHED == rules


@pytest.mark.parametrize(("option", "code"), [
    ("--select", "HL1O1"),
    ("--ignore", "HL6O1"),
    ("--select", "HL101,HL61"),
    ("--ignore", "XY101"),
])
def test_unknown_code_is_a_usage_error(tmp_path, option, code):
    write(tmp_path, "page.md", f"{CURE}\n")
    result = run_cli("check", option, code, "page.md", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stdout == ""
    bad = code.split(",")[-1]
    # the nearest id depends on which rules exist, so only its shape is checked
    assert re.fullmatch(rf"healthlint: error: unknown rule or prefix '{bad}'(; did you mean 'HL\d{{3}}'\?)?\n",
                        result.stderr), result.stderr
    if bad.startswith("HL"):
        assert "; did you mean 'HL" in result.stderr


# --- quiet -----------------------------------------------------------------------------------------

def test_quiet_prints_findings_only(tmp_path):
    write(tmp_path, "page.md", f"{CURE}\n")
    write(tmp_path, "logo.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    loud = run_cli("check", "--format", "concise", "--select", "HL101,HL601", "page.md", "logo.md", cwd=tmp_path)
    quiet = run_cli("check", "--format", "concise", "--select", "HL101,HL601", "-q", "page.md", "logo.md", cwd=tmp_path)
    assert loud.stdout.endswith("Found 2 findings (1 error, 1 warning) in 1 file.\n")
    assert "notice: logo.md" in loud.stderr
    assert quiet.stdout.splitlines() == loud.stdout.splitlines()[:-1]
    assert (quiet.exit_code, quiet.stderr) == (1, "")


def test_quiet_clean_run_prints_nothing(tmp_path):
    write(tmp_path, "page.md", f"Ketamine is not a cure.\n\n{DISCLAIMER}\n")
    result = run_cli("check", "--quiet", "--select", "HL1,HL6", "page.md", cwd=tmp_path)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


# --- stdin -----------------------------------------------------------------------------------------

STDIN_CASES = (
    # (stdin text, --stdin-filename, expected "line:col" of HL101, or None)
    ("    Our infusions cure depression.\n", "post.md", None),  # an indented code block in Markdown
    ("    Our infusions cure depression.\n", "post.html", "1:19"),  # plain text in HTML
    ("<!-- Our infusions cure depression. -->\n", "post.html", None),  # a comment in HTML
    ("<!-- Our infusions cure depression. -->\n", "post.txt", "1:20"),  # prose in text
    ("<!-- Our infusions cure depression. -->\n", None, "1:20"),  # no name: plain text
    ("```\nOur infusions cure depression.\n```\n", "POST.MD", None),
    ("```\nOur infusions cure depression.\n```\n", "post.txt", "2:15"),
)


@pytest.mark.parametrize(("text", "filename", "where"), STDIN_CASES)
def test_stdin_type_follows_stdin_filename(tmp_path, text, filename, where):
    named = ("--stdin-filename", filename) if filename else ()
    result = run_cli("check", "--format", "concise", "-q", "--select", "HL101", *named, "-",
                     input=text.encode(), cwd=tmp_path)
    assert result.exit_code == (1 if where else 0), result.output
    expected = [f'{filename or "-"}:{where}: HL101 "cure"'] if where else []  # ruff reports the given name
    assert [line.partition(" promises")[0] for line in result.stdout.splitlines()] == expected


def test_stdin_through_a_real_pipe(tmp_path):
    proc = run_process("check", "--format", "concise", "--select", "HL101", "--stdin-filename", "x.html", "-",
                       cwd=tmp_path, input="<p>Intro.</p>\n<p>Our infusions cure depression.</p>\n")
    assert proc.returncode == 1
    assert proc.stdout.startswith('x.html:2:18: HL101 "cure"')


# --- colour ----------------------------------------------------------------------------------------

COLOR_CASES = (
    # (extra args, environment, ANSI expected)
    ((), {}, False),  # CliRunner's stdout is not a terminal
    (("--color", "always"), {}, True),
    (("--color", "never"), {"FORCE_COLOR": "1"}, False),
    ((), {"FORCE_COLOR": "1"}, True),
    ((), {"NO_COLOR": "1"}, False),
    (("--color", "always"), {"NO_COLOR": "1"}, True),
    (("--color", "auto"), {"NO_COLOR": "1"}, False),
)


@pytest.mark.parametrize("fmt", ["concise", "full"])
@pytest.mark.parametrize(("args", "env", "colored"), COLOR_CASES)
def test_colour(tmp_path, fmt, args, env, colored):
    write(tmp_path, "page.md", f"{CURE}\n")
    result = run_cli("check", "--format", fmt, *args, "page.md", cwd=tmp_path, env=env)
    assert result.exit_code == 1
    assert bool(ANSI.search(result.stdout)) is colored
    assert "page.md:1:15" in ANSI.sub("", result.stdout)


def test_no_colour_in_a_pipe(tmp_path):
    write(tmp_path, "page.md", f"{CURE}\n")
    proc = run_process("check", "page.md", cwd=tmp_path)
    assert proc.returncode == 1 and "\x1b[" not in proc.stdout


# --- rules, explain, test-rules, version -------------------------------------------------------------

def builtin_ids() -> list[str]:
    ids = []
    for path in sorted((ROOT / "rules").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, list):
            ids += [rule["id"] for rule in data]
    return ids


def test_rules_lists_every_rule():
    ids = builtin_ids()
    assert len(ids) >= 12 and "HL101" in ids and "HL601" in ids
    result = run_cli("rules")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "SEVERITY", "KIND", "NAME", "MESSAGE"]
    assert [line.split()[0] for line in lines[1:]] == sorted(ids)
    assert any(line.split()[:4] == ["HL101", "error", "pattern", "cure-claim"] for line in lines)


def test_rules_includes_extra_rule_files(tmp_path):
    write(tmp_path, "info.yaml", INFO_RULE)
    result = run_cli("rules", "--rules", "info.yaml", cwd=tmp_path)
    assert result.exit_code == 0
    assert any(line.split()[:4] == ["HL901", "info", "phrase", "vague-wellness"] for line in result.stdout.splitlines())


@pytest.mark.parametrize("code", ["HL101", "hl101", "cure-claim"])
def test_explain_shows_rationale_references_examples(code):
    result = run_cli("explain", code)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("## HL101 cure-claim\n")
    assert "Severity: error." in out
    for heading in ("### Why", "### What to write instead", "### References", "### Examples"):
        assert f"\n{heading}\n" in out
    assert "A cure is the strongest health claim" in out
    assert "- https://www.ftc.gov/business-guidance/resources/health-products-compliance-guidance" in out
    assert "- flagged: Our ketamine infusions cure treatment-resistant depression" in out
    assert "- not flagged: Ketamine is not a cure for depression" in out


def test_explain_several_rules():
    result = run_cli("explain", "HL101", "HL601")
    assert result.exit_code == 0
    assert "## HL101 cure-claim" in result.stdout and "## HL601 missing-medical-disclaimer" in result.stdout


@pytest.mark.parametrize(("code", "hint"), [("cure-claims", "'cure-claim'"), ("HL1O1", None)])
def test_explain_unknown_rule(code, hint):
    result = run_cli("explain", code)
    assert result.exit_code == 2
    assert result.stdout == ""
    hint = hint or r"'HL\d{3}'"  # the nearest id depends on which rules exist
    assert re.fullmatch(rf"healthlint: error: unknown rule '{code}'; did you mean {hint}\?\n", result.stderr)


def test_explain_needs_a_code():
    result = run_cli("explain")
    assert result.exit_code == 2
    assert "name a rule" in result.stderr


def test_test_rules_passes_on_builtin_packs():
    result = run_cli("test-rules")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines()[-1].startswith(f"{len(builtin_ids())} rules, ")
    assert result.stdout.endswith(" examples, 0 failures\n")


def test_test_rules_fails_on_a_flag_example_that_does_not_fire(tmp_path):
    broken = INFO_RULE.replace("'Start your wellness journey with us.'", "'Begin your healing path with us.'")
    write(tmp_path, "mine.yaml", broken)
    result = run_cli("test-rules", "mine.yaml", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "mine.yaml:1: HL901: should flag, but did not: 'Begin your healing path with us.'",
        "1 rules, 2 examples, 1 failures",
    ]


def test_test_rules_fails_on_a_pass_example_that_fires(tmp_path):
    write(tmp_path, "mine.yaml", INFO_RULE.replace("'Start your first infusion with us.'",
                                                   "'Your wellness journey starts here.'"))
    result = run_cli("test-rules", "mine.yaml", cwd=tmp_path)
    assert result.exit_code == 1
    assert "HL901: should pass, but flagged: 'Your wellness journey starts here.'" in result.stdout


def test_test_rules_passes_on_a_good_rule_file(tmp_path):
    write(tmp_path, "mine.yaml", INFO_RULE)
    result = run_cli("test-rules", "mine.yaml", cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (0, "1 rules, 2 examples, 0 failures\n")


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(flag):
    result = run_cli(flag)
    assert result.exit_code == 0
    assert result.stdout == f"healthlint, version {healthlint.__version__}\n"


def test_version_real_process(tmp_path):
    proc = run_process("--version", cwd=tmp_path)
    assert (proc.returncode, proc.stdout.strip()) == (0, f"healthlint, version {healthlint.__version__}")
