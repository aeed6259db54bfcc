"""Rule files and config files are untrusted input: they may come with a pull request.

Nothing in them may run code (`!!python/...` tags are refused, never constructed), reference other files
from a rule or run commands (there is no include or exec key: any such key is an unknown-key error), blow
up on expansion (alias bombs, oversized files), or take the run down (catastrophic regular expressions
are stopped by the timeout, named in a notice, and every other rule still reports). Every refusal is one
stderr line naming the file and the line (and the rule, for a rule file), exit code 2, no traceback.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import CATASTROPHIC_RULE, SRC, run_cli, write

GOOD = "Our infusions cure depression.\n"
GOOD_FINDING = 'good.md:1:15: HL101 "cure" promises a cure'
MARKER = "{marker}"  # replaced by a path in the test's folder: the file a successful exploit would create

RULE = """\
- id: HL901
  name: vague
  kind: phrase
  severity: warning
  phrases: [wellness journey]
  message: '"{{match}}" is vague.'
  rationale: Vague copy hides what is on offer.
"""
# line 5 is `phrases`, line 6 `message`, line 8 the first added key
VAGUE = RULE.format()


def rule(**replace: str) -> str:
    """VAGUE with lines replaced: rule(severity="severity: 3")."""
    lines = VAGUE.splitlines(keepends=True)
    for key, line in replace.items():
        index = next(i for i, text in enumerate(lines) if text.lstrip("- ").startswith(f"{key}:"))
        lines[index] = ("- " if index == 0 else "  ") + line + "\n"
    return "".join(lines)


def bomb(prefix: str = "", levels: int = 9) -> str:
    """Billion laughs: 9 levels of 9 aliases each, 9**9 strings once expanded, as mapping entries."""
    lines = [f'{prefix}l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"{prefix}l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


LIST_BOMB = "".join(f"- &l{i} [{', '.join([f'*l{i - 1}'] * 9) if i else 'lol, lol, lol, lol, lol, lol, lol, lol'}]\n"
                    for i in range(9))
OS_SYSTEM = f'!!python/object/apply:os.system ["touch {MARKER}"]'
UNKNOWN_TAG = "could not determine a constructor for the tag"


@dataclass(frozen=True)
class Row:
    """Files to create ({marker} is replaced), extra arguments, and what must come out: the exit code
    and the substrings of the one stderr line."""

    id: str
    files: dict[str, str]
    code: int
    stderr: tuple[str, ...]
    args: tuple[str, ...] = ("--rules", "extra.yaml")
    paths: tuple[str, ...] = ()  # linted besides good.md
    lints_others: bool = False  # good.md's HL101 finding must be reported
    real: bool = False  # a real process: for inputs that could hang, exhaust memory or crash the interpreter
    memory_gb: int | None = None  # address-space limit of the real process
    marks: tuple = ()


ROWS = (
    # --- python tags: refused with file:line, never constructed --------------------------------------
    Row("rule-python-apply", {"extra.yaml": rule(message=f"message: {OS_SYSTEM}")}, 2,
        ("healthlint: error: extra.yaml:6: invalid YAML:", UNKNOWN_TAG, "python/object/apply:os.system")),
    Row("rule-python-apply-tmp-pwned", {"extra.yaml": rule(message='message: !!python/object/apply:os.system '
                                                                   '["touch /tmp/pwned"]')}, 2,
        ("extra.yaml:6: invalid YAML:", UNKNOWN_TAG)),
    Row("rule-python-apply-whole-file", {"extra.yaml": OS_SYSTEM + "\n"}, 2,
        ("extra.yaml:1: invalid YAML:", UNKNOWN_TAG)),
    Row("rule-python-subprocess", {"extra.yaml": rule(
        phrases=f'phrases: !!python/object/apply:subprocess.check_call [["touch", "{MARKER}"]]')}, 2,
        ("extra.yaml:5: invalid YAML:", UNKNOWN_TAG, "subprocess.check_call")),
    Row("rule-python-new", {"extra.yaml": rule(message=f'message: !!python/object/new:os.system ["touch {MARKER}"]')},
        2, ("extra.yaml:6: invalid YAML:", UNKNOWN_TAG)),
    Row("rule-python-name", {"extra.yaml": rule(kind="kind: !!python/name:os.system")}, 2,
        ("extra.yaml:3: invalid YAML:", UNKNOWN_TAG)),
    Row("rule-python-module", {"extra.yaml": rule(kind="kind: !!python/module:os")}, 2,
        ("extra.yaml:3: invalid YAML:", UNKNOWN_TAG)),
    Row("rule-python-object", {"extra.yaml": rule(message="message: !!python/object:healthlint.model.Span "
                                                          "{start: 0, end: 1}")}, 2,
        ("extra.yaml:6: invalid YAML:", UNKNOWN_TAG)),
    Row("rule-python-tag-as-key", {"extra.yaml": VAGUE + f"  ? {OS_SYSTEM}\n  : x\n"}, 2,
        ("extra.yaml:8: invalid YAML:", UNKNOWN_TAG)),
    Row("rule-python-verbatim-tag", {"extra.yaml": rule(
        message=f'message: !<tag:yaml.org,2002:python/object/apply:os.system> ["touch {MARKER}"]')}, 2,
        ("extra.yaml:6: invalid YAML:", UNKNOWN_TAG)),
    Row("rule-python-tag-directive", {"extra.yaml": "%TAG !py! tag:yaml.org,2002:python/object/apply:\n---\n"
                                                    + rule(message=f'message: !py!os.system ["touch {MARKER}"]')}, 2,
        ("extra.yaml:8: invalid YAML:", UNKNOWN_TAG)),
    Row("rule-python-in-second-rule", {"extra.yaml": VAGUE + RULE.format().replace("HL901", "HL902").replace(
        "kind: phrase", f"kind: {OS_SYSTEM}")}, 2, ("extra.yaml:10: invalid YAML:", UNKNOWN_TAG)),
    Row("rule-include-tag", {"extra.yaml": rule(phrases="phrases: !include other.yaml"),
                             "other.yaml": "[wellness journey]\n"}, 2,
        ("extra.yaml:5: invalid YAML:", "constructor for the tag '!include'")),
    Row("config-python-apply", {".healthlint.yaml": f"select: {OS_SYSTEM}\n"}, 2,
        (".healthlint.yaml:1: invalid YAML:", UNKNOWN_TAG), args=()),
    Row("config-python-in-extended", {".healthlint.yaml": "extend: base.yaml\n",
                                      "base.yaml": f"select: [HL1]\nignore: {OS_SYSTEM}\n"}, 2,
        ("base.yaml:2: invalid YAML:", UNKNOWN_TAG), args=()),
    Row("config-rules-with-python", {".healthlint.yaml": "rules: [evil.yaml]\n",
                                     "evil.yaml": rule(message=f"message: {OS_SYSTEM}")}, 2,
        ("evil.yaml:6: invalid YAML:", UNKNOWN_TAG), args=()),
    # --- alias bombs and size: refused, not expanded ---------------------------------------------------
    Row("rule-alias-bomb", {"extra.yaml": LIST_BOMB}, 2,
        ("healthlint: error: extra.yaml:", "aliases expand to more than 200,000 values; refusing to expand"),
        real=True),
    Row("rule-alias-bomb-inside-a-rule", {"extra.yaml": VAGUE.replace("phrases: [wellness journey]", "phrases: *l8")
                                          .replace("- id: HL901\n", "- " + bomb("  ").lstrip() + "  id: HL901\n")}, 2,
        ("extra.yaml:", "aliases expand to more than 200,000 values"), real=True),
    Row("config-alias-bomb", {".healthlint.yaml": "select: [HL1]\nbombs:\n" + bomb("  ") + "ignore: *l8\n"}, 2,
        (".healthlint.yaml:", "aliases expand to more than 200,000 values"), args=(), real=True),
    Row("config-alias-bomb-in-extended", {".healthlint.yaml": "extend: base.yaml\n",
                                          "base.yaml": "x:\n" + bomb("  ") + "select: *l8\n"}, 2,
        ("base.yaml:", "aliases expand to more than 200,000 values"), args=(), real=True),
    Row("rule-recursive-alias", {"extra.yaml": VAGUE + "  unless: &loop [*loop]\n"}, 2,
        ("extra.yaml:8: invalid YAML:", "recursive")),
    Row("rule-oversized", {"extra.yaml": VAGUE + "# " + "x" * 5_000_000 + "\n"}, 2,
        ("healthlint: error: extra.yaml: 5,000,", "bytes is larger than the 5,000,000-byte limit for YAML files")),
    Row("config-oversized", {".healthlint.yaml": "select: [HL1]\n#" + "x" * 5_000_000 + "\n"}, 2,
        (".healthlint.yaml: 5,000,", "bytes is larger than the 5,000,000-byte limit"), args=()),
    # --- deep nesting: refused with file:line, never a crash -----------------------------------------
    Row("rule-nested-3000", {"extra.yaml": rule(phrases=f"phrases: {nested(3_000)}")}, 2, ("extra.yaml:5:",)),
    Row("rule-nested-100000", {"extra.yaml": rule(phrases=f"phrases: {nested(100_000)}")}, 2, ("extra.yaml:5:",),
        real=True),
    Row("config-nested-3000", {".healthlint.yaml": f"select: {nested(3_000)}\n"}, 2, (".healthlint.yaml:1:",),
        args=()),
    Row("config-nested-100000", {".healthlint.yaml": f"select: {nested(100_000)}\n"}, 2, (".healthlint.yaml:1:",),
        args=(), real=True),
    Row("pyproject-nested-5000", {"pyproject.toml": f'[tool.healthlint]\nselect = ["HL1"]\nx = {nested(5_000)}\n'},
        2, ("pyproject.toml",), args=()),
    # --- a regular expression that exhausts memory when compiled --------------------------------------
    Row("rule-pattern-nested-repeats", {"extra.yaml": rule(kind="kind: pattern",
                                                           phrases="pattern: '((x{1000}){1000}){1000}'")}, 2,
        ("extra.yaml:5: HL901: pattern:",), real=True, memory_gb=2, marks=(pytest.mark.slow,)),
    Row("rule-pattern-nested-groups", {"extra.yaml": rule(
        kind="kind: pattern", phrases="pattern: '" + "(?:" * 300 + "cure" + ")" * 300 + "'")}, 2,
        ("extra.yaml:5: HL901: pattern:",)),
    # --- control characters: one line with the line number --------------------------------------------
    Row("rule-control-character", {"extra.yaml": VAGUE.replace("name: vague", "name: vague\x07")}, 2,
        ("extra.yaml:2:", "control character U+0007 is not allowed")),
    Row("config-nul-character", {".healthlint.yaml": "select: [HL1]\nignore: [HL6]\x00\n"}, 2,
        (".healthlint.yaml:2:", "control character U+0000 is not allowed"), args=()),
    # --- no key of a rule references files or runs anything -------------------------------------------
    Row("rule-include-key", {"extra.yaml": VAGUE + "  include: other.yaml\n", "other.yaml": VAGUE}, 2,
        ("healthlint: error: extra.yaml:8: HL901: unknown key 'include'",)),
    Row("rule-command-key", {"extra.yaml": VAGUE + f"  command: touch {MARKER}\n"}, 2,
        ("healthlint: error: extra.yaml:8: HL901: unknown key 'command'",)),
    Row("rule-exec-key", {"extra.yaml": VAGUE + f"  exec: open('{MARKER}', 'w')\n"}, 2,
        ("extra.yaml:8: HL901: unknown key 'exec'",)),
    Row("rule-import-key", {"extra.yaml": VAGUE + "  import: os\n"}, 2, ("extra.yaml:8: HL901: unknown key 'import'",)),
    Row("rule-merge-key-smuggles-command", {"extra.yaml": VAGUE + f"  <<: {{command: touch {MARKER}}}\n"}, 2,
        ("extra.yaml:8: HL901: unknown key 'command'",)),
    Row("rule-kind-is-a-module", {"extra.yaml": rule(kind="kind: os.system")}, 2,
        ("extra.yaml:3: HL901: unknown kind 'os.system'",)),
    Row("rule-kind-is-a-dunder", {"extra.yaml": rule(kind="kind: __init__")}, 2,
        ("extra.yaml:3: HL901: unknown kind '__init__'",)),
    Row("config-include-key", {".healthlint.yaml": "select: [HL1]\ninclude: other.yaml\n"}, 2,
        (".healthlint.yaml:2: include: unknown setting",), args=()),
    Row("config-command-key", {".healthlint.yaml": f"select: [HL1]\ncommand: touch {MARKER}\n"}, 2,
        (".healthlint.yaml:2: command: unknown setting",), args=()),
    # --- unknown keys, wrong types, duplicates: file, line and rule -----------------------------------
    Row("rule-unknown-key-int", {"extra.yaml": VAGUE + "  1: x\n"}, 2, ("extra.yaml:8: HL901: unknown key 1",)),
    Row("rule-unknown-key-bool", {"extra.yaml": VAGUE + "  true: x\n"}, 2, ("extra.yaml:8: HL901: unknown key True",)),
    Row("rule-unknown-key-null", {"extra.yaml": VAGUE + "  null: x\n"}, 2, ("extra.yaml:8: HL901: unknown key None",)),
    Row("rule-unknown-key-false", {"extra.yaml": VAGUE + "  false: x\n"}, 2,
        ("extra.yaml:8: HL901: unknown key False",)),
    Row("rule-key-is-a-list", {"extra.yaml": VAGUE + "  ? [a]\n  : x\n"}, 2,
        ("extra.yaml:8:", "a key must be a plain value")),
    Row("rule-severity-int", {"extra.yaml": rule(severity="severity: 3")}, 2,
        ("extra.yaml:4: HL901: severity must be error, warning or info, not 3",)),
    Row("rule-severity-nan", {"extra.yaml": rule(severity="severity: .nan")}, 2, ("extra.yaml:4: HL901: severity",)),
    Row("rule-id-int", {"extra.yaml": rule(id="id: 901")}, 2, ("extra.yaml:1:", "id must be a non-empty string")),
    Row("rule-id-list", {"extra.yaml": rule(id="id: [HL901]")}, 2, ("extra.yaml:1:", "id must be a non-empty string")),
    Row("rule-name-null", {"extra.yaml": rule(name="name: null")}, 2, ("extra.yaml:2: HL901: name must be",)),
    Row("rule-kind-mapping", {"extra.yaml": rule(kind="kind: {a: 1}")}, 2,
        ("extra.yaml:3: HL901: kind must be one of",)),
    Row("rule-message-binary", {"extra.yaml": rule(message="message: !!binary aGVsbG8=")}, 2,
        ("extra.yaml:6: HL901: message must be a non-empty string",)),
    Row("rule-message-date", {"extra.yaml": rule(message="message: 2024-01-01")}, 2,
        ("extra.yaml:6: HL901: message must be a non-empty string",)),
    Row("rule-phrases-string", {"extra.yaml": rule(phrases="phrases: wellness journey")}, 2,
        ("extra.yaml:5: HL901: phrases:",)),
    Row("rule-phrases-ints", {"extra.yaml": rule(phrases="phrases: [1, 2]")}, 2, ("extra.yaml:5: HL901: phrases[0]:",)),
    Row("rule-pattern-int", {"extra.yaml": rule(kind="kind: pattern", phrases="pattern: 5")}, 2,
        ("extra.yaml:5: HL901: pattern: expected a regular expression",)),
    Row("rule-enabled-string", {"extra.yaml": VAGUE + '  enabled: "yes"\n'}, 2,
        ("extra.yaml:8: HL901: enabled must be true or false",)),
    Row("rule-case-sensitive-string", {"extra.yaml": VAGUE + '  case_sensitive: "yes"\n'}, 2,
        ("extra.yaml:8: HL901: case_sensitive",)),
    Row("rule-negation-list", {"extra.yaml": VAGUE + "  negation: [x]\n"}, 2, ("extra.yaml:8: HL901: negation must",)),
    Row("rule-applies-string", {"extra.yaml": VAGUE + "  applies: x\n"}, 2, ("extra.yaml:8: HL901: applies must",)),
    Row("rule-examples-list", {"extra.yaml": VAGUE + "  examples: [x]\n"}, 2, ("extra.yaml:8: HL901: examples must",)),
    Row("rule-overrides-message-int", {"extra.yaml": VAGUE + "  overrides: [{when: {product: cbd}, message: 5}]\n"}, 2,
        ("extra.yaml:8: HL901: overrides: message must be",)),
    Row("rule-overrides-when-string", {"extra.yaml": VAGUE + "  overrides: [{when: x}]\n"}, 2,
        ("extra.yaml:8: HL901: overrides: when must map",)),
    Row("rule-overrides-when-unknown-product", {"extra.yaml": VAGUE + "  overrides: [{when: {product: x}}]\n"}, 2,
        ("extra.yaml:8: HL901: overrides: when: unknown product 'x'",)),
    Row("rule-example-context-unknown", {"extra.yaml": VAGUE + "  examples:\n    flag: [{text: a, context: {x: y}}]\n"},
        2, ("extra.yaml:8: HL901: examples: flag: context: unknown context 'x'",)),
    Row("rule-references-ints", {"extra.yaml": VAGUE + "  references: [1]\n"}, 2,
        ("extra.yaml:8: HL901: references must be a list of strings",)),
    Row("rule-not-a-mapping", {"extra.yaml": "- 5\n"}, 2, ("extra.yaml", "rule #1: each rule must be a mapping",)),
    Row("rule-file-is-a-mapping", {"extra.yaml": "id: HL901\n"}, 2,
        ("extra.yaml:1: a rule file must be a YAML list of rules",)),
    Row("rule-duplicate-key", {"extra.yaml": rule(severity="severity: warning\n  severity: error")}, 2,
        ("extra.yaml:5: duplicate key 'severity' (first at line 4)",)),
    Row("rule-duplicate-id-in-one-file", {"extra.yaml": VAGUE + VAGUE.replace("name: vague", "name: vague-two")}, 2,
        ("extra.yaml:8: HL901: duplicate id; already defined at extra.yaml:1",)),
    Row("rule-duplicate-id-across-files", {"extra.yaml": VAGUE, "more.yaml": VAGUE.replace("vague", "v")}, 2,
        ("more.yaml:1: HL901: duplicate id; already defined at extra.yaml:1",),
        args=("--rules", "extra.yaml", "--rules", "more.yaml")),
    Row("config-select-mapping", {".healthlint.yaml": "select: {HL1: yes}\n"}, 2,
        (".healthlint.yaml:1: select: must be a list of strings",), args=()),
    Row("config-fail-on-list", {".healthlint.yaml": "select: [HL1]\nfail-on: [error]\n"}, 2,
        (".healthlint.yaml:2: fail-on: unknown severity",), args=()),
    Row("config-severity-int", {".healthlint.yaml": "severity:\n  HL1: 5\n"}, 2,
        (".healthlint.yaml:1: severity: HL1: unknown severity 5",), args=()),
    Row("config-context-list", {".healthlint.yaml": "context: [cbd]\n"}, 2, (".healthlint.yaml:1: context: must map",),
        args=()),
    Row("config-require-reason-string", {".healthlint.yaml": 'require-reason: "yes"\n'}, 2,
        (".healthlint.yaml:1: require-reason: must be true or false",), args=()),
    Row("config-extend-list", {".healthlint.yaml": "extend: [base.yaml]\n"}, 2,
        (".healthlint.yaml:1: extend: must be the path of another config file",), args=()),
    Row("config-is-a-list", {".healthlint.yaml": "- select\n"}, 2,
        (".healthlint.yaml: the configuration must be a mapping of settings",), args=()),
    Row("config-duplicate-key", {".healthlint.yaml": "select: [HL1]\nfail-on: error\nselect: [HL2]\n"}, 2,
        (".healthlint.yaml:3: duplicate key 'select' (first at line 1)",), args=()),
)


def run_real(args: tuple[str, ...], cwd: Path, memory_gb: int | None = None) -> tuple[int, str, str]:
    """`python -m healthlint ARGS` as a real process, optionally under an address-space limit."""
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))

    def limit() -> None:
        if memory_gb is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory_gb << 30, memory_gb << 30))

    proc = subprocess.run([sys.executable, "-m", "healthlint", *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=120,
                          check=False, stdin=subprocess.DEVNULL, preexec_fn=limit)
    return proc.returncode, proc.stdout, proc.stderr


def lint(tmp_path: Path, args: tuple[str, ...], real: bool = False,
         memory_gb: int | None = None) -> tuple[int, str, str]:
    if real:
        return run_real(args, tmp_path, memory_gb)
    result = run_cli(*args, cwd=tmp_path)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("row", [pytest.param(r, id=r.id, marks=r.marks) for r in ROWS])
def test_untrusted_rules_and_config(tmp_path, row):
    (tmp_path / ".git").mkdir()  # the repository root: no config above it is found
    marker = tmp_path / "pwned"
    tmp_pwned_before = Path("/tmp/pwned").exists()
    for name, content in row.files.items():
        write(tmp_path, name, content.replace(MARKER, str(marker)))
    write(tmp_path, "good.md", GOOD)
    code, out, err = lint(tmp_path, ("check", "--format", "concise", "--select", "HL101", *row.args, *row.paths,
                                     "good.md"), row.real, row.memory_gb)

    assert not marker.exists(), "a command from the rule or config file ran"
    assert Path("/tmp/pwned").exists() == tmp_pwned_before, "a command from the rule or config file ran"
    assert "Traceback" not in out + err
    assert "internal error" not in err, err
    assert code == row.code, (code, err)
    assert len(err.splitlines()) == 1, err[:2000]
    assert all(part in err for part in row.stderr), err[:2000]
    assert (GOOD_FINDING in out) == row.lints_others, out


# --- catastrophic user regular expressions -------------------------------------------------------------

X_RUN = "x" * 60


@pytest.mark.parametrize(("select", "fail_on", "code"), [
    ("HL101,HL901", "warning", 1),  # good.md and page.md still report HL101
    ("HL901", "warning", 0),  # a timeout is a notice, not a finding: nothing fails the run
])
def test_catastrophic_regex_is_stopped_and_named(tmp_path, select, fail_on, code):
    (tmp_path / ".git").mkdir()
    write(tmp_path, "evil.yaml", CATASTROPHIC_RULE)
    write(tmp_path, "page.md", f"# Intro\n\n{X_RUN}\n\n{GOOD}")
    write(tmp_path, "good.md", GOOD)
    code_, out, err = run_real(("check", "--format", "concise", "--rules", "evil.yaml", "--select", select,
                                "--fail-on", fail_on, "page.md", "good.md"), tmp_path)
    assert "Traceback" not in out + err
    assert err == "healthlint: notice: page.md: HL901: matching timed out; the rule was skipped for this file\n"
    if "HL101" in select:
        assert GOOD_FINDING in out
        assert 'page.md:5:15: HL101 "cure"' in out
    assert "HL901" not in out
    assert code_ == code, out + err


def test_catastrophic_regex_in_a_config_rule_file(tmp_path):
    """The same rule brought in by a config's `rules:`; the notice names it and the run goes on."""
    (tmp_path / ".git").mkdir()
    write(tmp_path, ".healthlint.yaml", "rules: [evil.yaml]\nselect: [HL101, HL901]\n")
    write(tmp_path, "evil.yaml", CATASTROPHIC_RULE)
    write(tmp_path, "page.txt", f"{X_RUN}\n")
    write(tmp_path, "good.md", GOOD)
    code, out, err = run_real(("check", "--format", "concise", "page.txt", "good.md"), tmp_path)
    assert err == "healthlint: notice: page.txt: HL901: matching timed out; the rule was skipped for this file\n"
    assert GOOD_FINDING in out
    assert code == 1


def test_timed_out_rule_reports_nothing_for_that_file(tmp_path):
    """Matches before the catastrophic spot: either all of the rule's findings or none, never a silent part."""
    (tmp_path / ".git").mkdir()
    write(tmp_path, "evil.yaml", CATASTROPHIC_RULE)
    write(tmp_path, "page.md", f"Short runs: xy and xxy here.\n\n{X_RUN}\n")
    write(tmp_path, "good.md", GOOD)
    code, out, err = run_real(("check", "--format", "concise", "--rules", "evil.yaml", "--select", "HL101,HL901",
                               "page.md", "good.md"), tmp_path)
    assert "page.md: HL901: matching timed out; the rule was skipped for this file" in err
    assert "page.md:1:13: HL901" not in out  # reported although the notice says the rule was skipped
    assert code == 1


def test_a_crash_inside_the_regex_library_is_a_located_error(tmp_path, monkeypatch):
    # Some `regex` releases raise AttributeError on '[^[\\s\\S]]' with IGNORECASE; newer ones compile it.
    from healthlint import language

    def broken(*args, **kwargs):
        raise AttributeError("'AnyAll' object has no attribute 'rebuild'")

    monkeypatch.setattr(language.regex, "compile", broken)
    with pytest.raises(ValueError, match=r"pattern: the regular expression cannot be compiled \(AttributeError\)"):
        language.compile_regex("pattern", "[^[\\s\\S]]")
