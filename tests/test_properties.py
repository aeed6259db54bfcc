"""Properties that must hold for any input: the reader invariants, a pipeline that never raises, spans
that quote what the messages quote, positions that agree across formats, and a deterministic CLI.

Inputs are arbitrary Unicode and Markdown-ish or HTML-ish text built from fragments that real pages hold
(headings, lists, quotes, fences, inline code, links, images, tags, comments, entities, CRLF, lone CR,
BOM, emoji, tabs) mixed with claim sentences, so that findings actually occur.
"""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import run_cli
from healthlint import engine, language, readers, rulefile
from healthlint.errors import BinaryFileError
from healthlint.formats import github, gitlab, json_lines, sarif
from healthlint.formats import json as json_format
from healthlint.model import Context, Document, FileResult
from healthlint.readers import READERS
from healthlint.runner import MIN_PARALLEL_BYTES, MIN_PARALLEL_FILES, _worker_count

RULES = rulefile.load_rules()  # once: compiling the packs costs about a second
RULE_BY_ID = RULES.by_id()

CLAIMS = (
    "Our infusions cure depression.",
    "No side effects.",
    "70% of patients respond",
    "70% of patients respond within a week.",
    "If you are thinking about suicide, call us.",
    "suicide",
    "Ketamine is not a cure.",
    "Can ketamine cure depression?",
    "It is a miracle, guaranteed results!",
    "Permanent relief from anxiety.",
    "Book a free consultation today.",
    "This is not medical advice.",
    "Talk to your doctor.",
    "Three infusions later, it cured my anxiety.",
    "Safe and effective for everyone.",
    "FDA approved treatment.",
    "Dr. Smith says 9 in 10 patients improve.",
    "Eliminates PTSD in days.",
    "<!-- healthlint-disable-next-line HL101 -->",
    "<!-- healthlint-disable HL101 -- quoted from a study -->",
    "healthlint-enable",
)
MARKDOWN_BITS = (
    "# ", "## ", "### Heading ", "Title\n=====", "---", "- ", "* ", "+ ", "1. ", "2) ", "> ", "> > ",
    "    indented code", "```", "```python", "~~~", "`code`", "``cure``", "[link](https://example.com)",
    "[cure](http://x.y \"title\")", "![alt cure text](img.png)", "![](x.png \"cure\")", "[ref]: https://r.org",
    "[^1]", "[^1]: A footnote.", "<https://auto.link>", "**bold**", "*em*", "_under_", "~~strike~~",
    "| a | b |\n|---|---|\n| cure | depression |", "---\ntitle: Our infusions cure depression\n---",
    "\\*", "\\", "&amp;", "&nbsp;", "&#x1F600;", "&#0;", "&bogus;", "<br>", "<div>", "</div>", "<p>",
)
HTML_BITS = (
    "<p>", "</p>", "<div class=\"x\">", "</div>", "<h1>", "</h1>", "<li>", "<ul>", "</ul>", "<blockquote>",
    "<script>var cure = 1;</script>", "<style>p { color: red }</style>", "<!-- a comment -->", "<!--",
    "-->", "<![CDATA[ cure ]]>", "<!DOCTYPE html>", "<img alt=\"Our infusions cure depression.\" src=x>",
    "<a href=\"cure.html\" title=\"No side effects.\">", "</a>", "&amp;", "&lt;", "&#169;", "&#x2014;",
    "&notanentity;", "<br/>", "<table><tr><td>", "</td></tr></table>", "<template>", "<textarea>", "<",
    ">", "</", "<p title='unclosed>", "<?php echo 1; ?>", "<pre>", "</pre>", "<code>", "</code>",
)
ODD_BITS = ("\ufeff", "😀", "👩‍⚕️", "\t", " ", "  ", "\u00a0", "é", "e\u0301", "İ", "ſ", "\u2028", "\x85",
            "\x0c", "\x0b", "\u200b", "\ud7ff", "中文", "עברית")
BREAKS = ("\n", "\r\n", "\r", "\n\n", "\r\n\r\n", " ", "", "\t")

TEXTS = st.text(max_size=300)
MARKDOWNISH = st.lists(st.sampled_from(CLAIMS + MARKDOWN_BITS + ODD_BITS + BREAKS), max_size=40).map("".join)
HTMLISH = st.lists(st.sampled_from(CLAIMS + HTML_BITS + ODD_BITS + BREAKS), max_size=40).map("".join)
ANY_TEXT = st.one_of(TEXTS, MARKDOWNISH, HTMLISH)
CONTEXTS = st.sampled_from([Context(), Context(product="clinic_service"), Context(product="supplement"),
                            Context(product="telehealth", locale="UK", channel="paid_ad")])
SUFFIXES = st.sampled_from([".md", ".html", ".txt"])
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])


def check_document(doc: Document) -> None:
    """The reader contract of `model.Document`."""
    source, prose = doc.source, doc.prose
    assert len(prose) == len(source)
    for i, ch in enumerate(source):
        if ch in "\r\n":
            assert prose[i] == ch, (i, source, prose)
        else:  # prose is the source with markup blanked (an entity decoded): never a new line break
            assert prose[i] not in "\r\n", (i, source, prose)
    previous_end = 0
    for block in doc.blocks:
        assert 0 <= block.span.start <= block.span.end <= len(source), block
        assert block.span.start >= previous_end, (block, doc.blocks)  # sorted and not overlapping
        previous_end = block.span.end
    for comment in doc.comments:
        assert 0 <= comment.start <= comment.end <= len(source), comment


# --- (a) every reader ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(READERS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=ANY_TEXT)
def test_reader_invariants(name, text):
    doc = READERS[name](f"page.{name}", text)
    assert doc.source == text
    check_document(doc)


# --- (b) the whole pipeline ---------------------------------------------------------------------------


def lint(text: str, suffix: str, encoding: str, context: Context) -> FileResult | None:
    data = text.encode(encoding, "surrogatepass")
    try:
        doc = readers.load(f"page{suffix}", data)
    except BinaryFileError:
        assert b"\x00" in data[: readers.BINARY_SNIFF] and encoding != "utf-16"
        return None
    check_document(doc)
    return engine.lint_document(doc, RULES.rules, RULES.lexicon, context)


@settings(max_examples=150, deadline=None)
@given(text=ANY_TEXT, suffix=SUFFIXES, encoding=ENCODINGS, context=CONTEXTS)
def test_pipeline_never_raises_and_spans_quote_the_match(text, suffix, encoding, context):
    result = lint(text, suffix, encoding, context)
    if result is None:
        return
    doc = result.document
    assert doc.source == text.removeprefix("\ufeff") or doc.source == text
    for f in result.findings:
        assert 0 <= f.span.start <= f.span.end <= len(doc.source), f
        rule = RULE_BY_ID[f.rule_id].in_context(context) or RULE_BY_ID[f.rule_id]
        if "{match}" in rule.message:
            quoted = " ".join(doc.text(f.span).split())
            assert quoted in f.message, (f, doc.text(f.span))
    keys = [(f.span.start, f.span.end, f.rule_id) for f in result.findings]
    assert keys == sorted(keys)


# --- (c) positions agree across formats ---------------------------------------------------------------


def github_positions(line: str) -> dict[str, int]:
    props = line.split(" ", 1)[1].split("::", 1)[0]
    return {k: int(v) for k, v in (p.split("=", 1) for p in props.split(",")) if k in
            ("line", "col", "endLine", "endColumn")}


@settings(max_examples=80, deadline=None)
@given(text=st.one_of(MARKDOWNISH, HTMLISH), suffix=SUFFIXES, context=CONTEXTS)
def test_positions_agree_across_formats(text, suffix, context):
    result = lint(text, suffix, "utf-8", context)
    if result is None or not result.findings:
        return
    doc, results = result.document, [result]
    expected = [(doc.position(f.span.start), doc.position(f.span.end)) for f in result.findings]

    from_json = json.loads("".join(json_format.render(results)))["findings"]
    from_lines = [json.loads(line) for line in "".join(json_lines.render(results)).splitlines()]
    from_sarif = json.loads("".join(sarif.render(results, rules=RULE_BY_ID)))["runs"][0]["results"]
    from_gitlab = json.loads("".join(gitlab.render(results)))
    from_github = "".join(github.render(results)).splitlines()
    for source in (from_json, from_lines, from_sarif, from_gitlab, from_github):
        assert len(source) == len(expected)

    for i, (start, end) in enumerate(expected):
        for item in (from_json[i], from_lines[i]):
            assert (item["line"], item["column"]) == start
            assert (item["end_line"], item["end_column"]) == end
        region = from_sarif[i]["locations"][0]["physicalLocation"]["region"]
        assert (region["startLine"], region["startColumn"]) == start
        if "endLine" in region:
            assert (region["endLine"], region["endColumn"]) == end
        else:
            assert start == end  # only an empty whole-document span has no end
        positions = from_gitlab[i]["location"]["positions"]
        assert (positions["begin"]["line"], positions["begin"]["column"]) == start
        assert (positions["end"]["line"], positions["end"]["column"]) == end
        props = github_positions(from_github[i])
        assert props["line"] == start[0]
        if "col" in props:
            assert props["col"] == start[1]
            assert (props["endLine"], props["endColumn"]) == end
        elif "endLine" in props:
            assert props["endLine"] == end[0] and end[0] != start[0]
        else:
            assert start == end


# --- (d) a deterministic CLI --------------------------------------------------------------------------

PAGES = (
    "# Results\n\nOur infusions cure depression in {n} days. 70% of patients respond within a week.\n\n",
    "<h1>Care</h1>\r\n<p>Ketamine is not a cure. No side effects, guaranteed results!</p>\r\n",
    "Permanent relief for page {n}.\rIf you are thinking about suicide, call us.\r\r",
    "- 😀 Three infusions later, it cured my anxiety.\n- Talk to your doctor.\n\n",
)
SUFFIX_OF = (".md", ".html", ".txt", ".md")
FILES = MIN_PARALLEL_FILES + 8


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    (root / ".git").mkdir()
    names = []
    for n in range(FILES):
        name = f"{'sub/' if n % 5 == 0 else ''}page-{(n * 37) % FILES:03}{SUFFIX_OF[n % 4]}"
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes((PAGES[n % 4].format(n=n) * 50).encode("utf-8"))
        names.append(name)
    total = sum((root / name).stat().st_size for name in names)
    assert total >= MIN_PARALLEL_BYTES  # or the runner would not start a pool
    assert _worker_count(2, [root / name for name in names]) == 2
    return root, names


@pytest.fixture(autouse=True)
def patient_regex(monkeypatch):
    """A generous regex timeout, so a loaded machine cannot drop findings (see test_hostile_input's
    timeout tests for that bug): these tests are about order and --jobs only."""
    monkeypatch.setattr(language, "MIN_REGEX_TIMEOUT", 60.0)


def json_run(root, *args: str) -> str:
    result = run_cli("check", "--format", "json", "--select", "HL1,HL2,HL4,HL5", *args, cwd=root)
    assert result.exit_code == 1, result.output
    assert result.stderr == ""
    return result.stdout


@pytest.fixture(scope="module")
def folder_output(site):
    """The reference: the whole folder, one process."""
    root, _ = site
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(language, "MIN_REGEX_TIMEOUT", 60.0)
        return json_run(root, "--jobs", "1", ".")


def test_jobs_do_not_change_the_output(site, folder_output):
    root, _ = site
    assert json_run(root, "--jobs", "2", ".") == folder_output
    data = json.loads(folder_output)
    assert data["summary"]["files"] == FILES
    paths = [f["path"] for f in data["findings"]]
    assert paths == sorted(paths)
    assert len(set(paths)) == FILES


@pytest.mark.parametrize(("order", "jobs"), [("shuffled", "2"), ("reversed", "1"), ("reversed", "2")])
def test_argument_order_does_not_change_the_output(site, folder_output, order, jobs):
    root, names = site
    named = list(reversed(sorted(names))) if order == "reversed" else random.Random(7).sample(names, len(names))
    assert json_run(root, "--jobs", jobs, *named) == folder_output
