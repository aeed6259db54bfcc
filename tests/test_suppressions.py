"""`healthlint-disable...` directives through the CLI, in Markdown, HTML and plain text.

Each case is a page and the findings (line, rule) that must remain; HL101, HL103, HL501 and HL601 run
(the directives still name prefixes such as HL1).
"""

from __future__ import annotations

import json

import pytest

from conftest import run_cli, write

OK = "This is not medical advice."
RULES = "HL101,HL103,HL501,HL601"

CASES = (
    # --- Markdown ---
    ("md-next-line", "<!-- healthlint-disable-next-line HL101 -- reviewed by legal -->\n"
     "Our infusions cure depression.\nOur infusions cure anxiety.\n\n" + OK + "\n", [(3, "HL101")]),
    ("md-next-line-prefix", "<!-- healthlint-disable-next-line HL1 -->\n"
     "A miracle: our infusions cure depression.\n\n" + OK + "\n", []),
    ("md-next-line-two-codes", "<!-- healthlint-disable-next-line HL103, HL101 -->\n"
     "A miracle: our infusions cure depression.\n\n" + OK + "\n", []),
    ("md-next-line-other-code", "<!-- healthlint-disable-next-line HL103 -->\n"
     "A miracle: our infusions cure depression.\n\n" + OK + "\n", [(2, "HL101")]),
    ("md-next-line-all-rules", "<!-- healthlint-disable-next-line -->\n"
     "A miracle: our infusions cure depression.\n\n" + OK + "\n", []),
    ("md-next-line-skips-one-line-only", "<!-- healthlint-disable-next-line HL101 -->\n\n"
     "Our infusions cure depression.\n\n" + OK + "\n", [(3, "HL101")]),
    ("md-next-line-after-text", "Our infusions cure pain. <!-- healthlint-disable-next-line HL101 -->\n"
     "It cured my anxiety.\n\n" + OK + "\n", [(1, "HL101")]),
    ("md-next-line-multiline-comment", "<!--\n  healthlint-disable-next-line HL101 -- quoted from a complaint\n-->\n"
     "Our infusions cure depression.\nOur infusions cure anxiety.\n\n" + OK + "\n", [(5, "HL101")]),
    ("md-next-line-crlf", "<!-- healthlint-disable-next-line HL101 -->\r\n"
     "Our infusions cure depression.\r\nOur infusions cure anxiety.\r\n\r\n" + OK + "\r\n", [(3, "HL101")]),
    ("md-front-matter-tight-comment", "---\ntitle: Ketamine care\n---\n<!--healthlint-disable-next-line HL101-->\n"
     "Our infusions cure depression.\n\n" + OK + "\n", []),
    ("md-list-item", "- <!-- healthlint-disable-next-line HL101 -->\n  Our infusions cure depression.\n"
     "- Our infusions cure anxiety.\n\n" + OK + "\n", [(3, "HL101")]),
    ("md-table-row", "| Note | Copy |\n|---|---|\n"
     "| <!-- healthlint-disable-line HL101 --> | Our infusions cure pain. |\n"
     "| | Our infusions cure anxiety. |\n\n" + OK + "\n", [(4, "HL101")]),
    ("md-line", "Our infusions cure depression. <!-- healthlint-disable-line HL101 -->\n"
     "Our infusions cure anxiety.\n\n" + OK + "\n", [(2, "HL101")]),
    ("md-block", "Our infusions cure pain.\n\n<!-- healthlint-disable HL101 -- testimonial quoted in a review -->\n"
     "Our infusions cure depression.\n\nIt cured my anxiety.\n<!-- healthlint-enable HL101 -->\n\n"
     "Our infusions cure insomnia.\n\n" + OK + "\n", [(1, "HL101"), (9, "HL101")]),
    ("md-block-prefix", "<!-- healthlint-disable HL1 -->\nA miracle cure.\n<!-- healthlint-enable HL1 -->\n\n"
     "A miracle cure.\n\n" + OK + "\n", [(5, "HL103"), (5, "HL101")]),
    ("md-block-bare-enable", "<!-- healthlint-disable HL101 -->\nOur infusions cure depression.\n"
     "<!-- healthlint-enable -->\n\nOur infusions cure anxiety.\n\n" + OK + "\n", [(5, "HL101")]),
    ("md-block-to-end", "Our infusions cure pain.\n\n<!-- healthlint-disable HL101 -->\n\n"
     "Our infusions cure depression.\n\nIt cured my anxiety.\n\n" + OK + "\n", [(1, "HL101")]),
    ("md-block-other-enable", "<!-- healthlint-disable HL101 -->\nOur infusions cure depression.\n"
     "<!-- healthlint-enable HL103 -->\n\nOur infusions cure anxiety.\n\n" + OK + "\n", []),
    ("md-block-not-other-rules", "<!-- healthlint-disable HL101 -->\nA miracle cure.\n"
     "<!-- healthlint-enable HL101 -->\n\n" + OK + "\n", [(2, "HL103")]),
    ("md-file-document-finding", "<!-- healthlint-disable-file HL601 -- legal page, disclaimer in the footer -->\n"
     "# Terms\n\nOur infusions cure depression.\n", [(4, "HL101")]),
    ("md-file-prefix-at-end", "# Terms\n\nOur terms of service.\n\n<!-- healthlint-disable-file HL6 -->\n", []),
    ("md-file-all", "<!-- healthlint-disable-file -->\nA miracle cure for suicidal thoughts.\n", []),
    ("md-crisis-trigger", "<!-- healthlint-disable-next-line HL501 -- a quote, the resource is in the sidebar -->\n"
     "He had suicidal thoughts.\n\n" + OK + "\n", []),
    ("md-crisis-elsewhere", "<!-- healthlint-disable-next-line HL501 -->\nHe is doing well.\n\n"
     "He had suicidal thoughts.\n\n" + OK + "\n", [(4, "HL501")]),
    # a directive shown as code is an example, not a directive
    ("md-fenced-code", "```\n<!-- healthlint-disable-next-line HL101 -->\n```\nOur infusions cure depression.\n\n"
     + OK + "\n", [(4, "HL101")]),
    ("md-fenced-code-file", "```html\n<!-- healthlint-disable-file -->\n```\n\nOur infusions cure depression.\n",
     [(5, "HL601"), (5, "HL101")]),  # HL601 points at its trigger, the first health topic
    ("md-tilde-fence", "~~~\n<!-- healthlint-disable-file HL101 -->\n~~~\n\nOur infusions cure depression.\n\n"
     + OK + "\n", [(5, "HL101")]),
    ("md-indented-code", "Write this:\n\n    <!-- healthlint-disable-file HL101 -->\n\n"
     "Our infusions cure depression.\n\n" + OK + "\n", [(5, "HL101")]),
    ("md-inline-code", "Write `<!-- healthlint-disable-file HL101 -->` to waive a page.\n\n"
     "Our infusions cure depression.\n\n" + OK + "\n", [(3, "HL101")]),
    ("md-not-a-directive", "<!-- healthlint-disable-next-line is how you waive a line -->\n"
     "Our infusions cure depression.\n\n" + OK + "\n", [(2, "HL101")]),
    # --- HTML ---
    ("html-next-line", "<p>Our infusions cure pain.</p>\n"
     "<!-- healthlint-disable-next-line HL101 -- quoted from a complaint -->\n"
     "<p>Our infusions cure depression.</p>\n<p>It cured my anxiety.</p>\n<p>" + OK + "</p>\n",
     [(1, "HL101"), (4, "HL101")]),
    ("html-line", "<p>Our infusions cure pain. <!-- healthlint-disable-line HL101 --></p>\n"
     "<p>Our infusions cure depression.</p>\n<p>" + OK + "</p>\n", [(2, "HL101")]),
    ("html-block", "<!-- healthlint-disable HL1 -->\n<p>A miracle cure.</p>\n<!-- healthlint-enable HL1 -->\n"
     "<p>Our infusions cure depression.</p>\n<p>" + OK + "</p>\n", [(4, "HL101")]),
    ("html-file", "<!-- healthlint-disable-file HL601 -->\n<p>Our infusions cure depression.</p>\n", [(2, "HL101")]),
    ("html-escaped-in-pre", "<pre>&lt;!-- healthlint-disable-file --&gt;</pre>\n"
     "<p>Our infusions cure depression.</p>\n", [(2, "HL601"), (2, "HL101")]),
    ("html-in-script", "<script>// <!-- healthlint-disable-file --></script>\n"
     "<p>Our infusions cure depression.</p>\n", [(2, "HL601"), (2, "HL101")]),
    # --- plain text: whole-line directives ---
    ("txt-next-line", "healthlint-disable-next-line HL101 -- reviewed\nOur infusions cure depression.\n"
     "Our infusions cure anxiety.\n" + OK + "\n", [(3, "HL101")]),
    ("txt-hash-block", "# healthlint-disable HL101\nOur infusions cure depression.\n# healthlint-enable HL101\n"
     "Our infusions cure anxiety.\n" + OK + "\n", [(4, "HL101")]),
    ("txt-comment-file", "<!-- healthlint-disable-file HL601 -->\nOur infusions cure depression.\n", [(2, "HL101")]),
    ("txt-indented-line", "Our infusions cure depression.\n  healthlint-disable-next-line HL1\n"
     "Our infusions cure anxiety.\n" + OK + "\n", [(1, "HL101")]),
    ("txt-crlf", "healthlint-disable-next-line HL101\r\nOur infusions cure depression.\r\n"
     "Our infusions cure anxiety.\r\n" + OK + "\r\n", [(3, "HL101")]),
    ("txt-trailing-is-prose", "Our infusions cure depression. healthlint-disable-line HL101\n" + OK + "\n",
     [(1, "HL101")]),
)

EXTENSIONS = {"md": ".md", "html": ".html", "txt": ".txt"}


def remaining(tmp_path, name: str, text: str) -> list[tuple[int, str]]:
    write(tmp_path, name, text)
    result = run_cli("check", "--format", "json", "--select", RULES, name, cwd=tmp_path)
    assert result.exit_code in (0, 1), result.output
    return [(f["line"], f["rule"]) for f in json.loads(result.stdout)["findings"]]


@pytest.mark.parametrize(("case", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_directive(tmp_path, case, text, expected):
    name = "page" + EXTENSIONS[case.split("-")[0]]
    assert remaining(tmp_path, name, text) == expected


@pytest.mark.parametrize("ext", [".md", ".html", ".txt"])
def test_without_directive_every_finding_stays(tmp_path, ext):
    """The control: the same copy with the directive removed is flagged on each line."""
    lines = ["Our infusions cure depression.", "Our infusions cure anxiety."]
    text = "\n".join(f"<p>{line}</p>" if ext == ".html" else line for line in lines) + "\n"
    assert remaining(tmp_path, "page" + ext, text) == [(1, "HL601"), (1, "HL101"), (2, "HL101")]


def test_suppressed_findings_change_the_exit_code(tmp_path):
    write(tmp_path, "page.md", "<!-- healthlint-disable-next-line HL101 -- reviewed -->\n"
          "Our infusions cure depression.\n\n" + OK + "\n")
    result = run_cli("check", "--select", RULES, "page.md", cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (0, "No findings in 1 file.\n")


def test_directive_through_stdin_follows_its_type(tmp_path):
    text = "<!-- healthlint-disable-next-line HL101 -->\nOur infusions cure depression.\n\n" + OK + "\n"
    as_md = run_cli("check", "--format", "json", "--select", RULES, "--stdin-filename", "post.md", "-",
                    input=text.encode(), cwd=tmp_path)
    assert json.loads(as_md.stdout)["findings"] == []
    as_html = run_cli("check", "--format", "json", "--select", RULES, "--stdin-filename", "post.htm", "-",
                      input=text.encode(), cwd=tmp_path)
    assert json.loads(as_html.stdout)["findings"] == []
