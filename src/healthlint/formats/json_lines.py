"""JSON Lines: one finding per line, the `json` format's finding object and nothing else.

No array, no summary, so outputs concatenate: pre-commit runs the hook once per partition of the
file list, and `cat` of those outputs is still valid JSON Lines. Every character that any common
line splitter treats as a line break is escaped: `json.dumps` escapes the C0 controls, and the three
non-ASCII breaks (NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR) are escaped here, so one line is always
exactly one finding even for `str.splitlines()`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from healthlint.formats.json import finding_dict
from healthlint.model import FileResult

_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def render(results: Iterable[FileResult], color: bool = False) -> Iterator[str]:
    for result in results:
        for f in result.findings:
            line = json.dumps(finding_dict(result.document, f), ensure_ascii=False)
            yield line.translate(_BREAKS) + "\n"
