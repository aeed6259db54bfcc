"""JUnit XML in ruff's shape: one `testsuite` per file, one `testcase` per finding, each with a `failure`.

A file without findings gets one passing testcase, "No errors found"; so does an empty run (one
suite named "healthlint"). The XML is built with ElementTree, which escapes `&`, `<`, `>`, quotes and
line breaks in attributes; characters XML 1.0 cannot carry at all (most C0 controls, lone
surrogates, U+FFFE/U+FFFF) are replaced with U+FFFD so hostile copy still yields a parseable file.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator

from healthlint.model import FileResult

PACKAGE = "org.healthlint"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render(results: Iterable[FileResult], color: bool = False) -> Iterator[str]:
    from healthlint.formats import counts

    results = list(results)  # the root element holds the totals
    tally = counts(results)
    root = ET.Element("testsuites", name="healthlint", tests="0", failures=str(tally["findings"]), errors="0")
    total = 0
    for result in results:
        doc = result.document
        findings = result.findings
        suite = ET.SubElement(root, "testsuite", name=_xml(doc.path), tests=str(max(len(findings), 1)),
                              disabled="0", errors="0", failures=str(len(findings)), package=PACKAGE)
        classname = _xml(posixpath.splitext(doc.path)[0])
        if not findings:
            ET.SubElement(suite, "testcase", name="No errors found", classname=classname)
        for f in findings:
            line, col = (1, 1) if f.document and f.span.start == f.span.end else doc.position(f.span.start)
            case = ET.SubElement(suite, "testcase", name=f"{PACKAGE}.{_xml(f.rule_id)}", classname=classname,
                                 line=str(line), column=str(col))
            failure = ET.SubElement(case, "failure", message=_xml(f.message), type=str(f.severity))
            failure.text = _xml(f"line {line}, col {col}, {f.message}")
        total += max(len(findings), 1)
    if not results:
        suite = ET.SubElement(root, "testsuite", name="healthlint", tests="1", disabled="0", errors="0",
                              failures="0", package=PACKAGE)
        ET.SubElement(suite, "testcase", name="No errors found", classname="healthlint")
        total = 1
    root.set("tests", str(total))
    ET.indent(root, space="  ")
    yield '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
