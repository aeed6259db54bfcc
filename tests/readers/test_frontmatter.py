"""Front matter: the fast reader of simple `key: value` lines gives exactly what PyYAML gives, or defers."""

from __future__ import annotations

import datetime
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from healthlint.readers import frontmatter

KEYS = ["title", "description", "date", "tags", "healthlint", "product", "Title", "a_b", "key-1", "_x",
        "on", "yes", "No", "null", "NULL", "1key", "y", "k"]
VALUES = [
    "", "Ketamine for depression", "KAP in San José", "A plain line.", "cure: now", "a:b", "x # note", "x#y",
    "it's", "say \"no\"", "back\\slash", "non\u00a0breaking", "tab\there", "emoji 🙂", "- item", "? key",
    "yes", "Yes", "YES", "yEs", "no", "true", "False", "on", "OFF", "null", "Null", "~", "y", "n",
    "0", "7", "012", "1_000", "-3", "+4", "1.5", ".5", "1e3", "0x1f", "0o17", "1:30", ".inf", ".NaN",
    "2020-03-18", "2024-13-45", "2024-1-5", "2020-03-18T10:00:00", "2020-03-18 10:00",
    '"quoted title"', '"with \\"escape\\""', '"a # b"', '"unclosed', "'single'", "'it''s'", "'a\" b'",
    "[]", "[a, b]", "[ketamine, mental-health]", "[ a , b ]", "[a,b]", "[yes, no]", "[On]", "[1, 2]",
    '["x", y]', "[a, [b]]", "[a b, c.d]", "{a: b}", "|", ">", "&anchor x", "*alias", "!tag x", "%x", "@x",
    "`x`", "x ", "x  ", "  x",
]
INDENTED = ["  product: supplement", "  - item", "   continued text", "\tx: y"]
LINE = st.one_of(
    st.tuples(st.sampled_from(KEYS), st.sampled_from([": ", ":", " : ", ":  "]), st.sampled_from(VALUES))
    .map(lambda t: "".join(t)),
    st.sampled_from(["", "   ", "# a comment", " # indented comment", *INDENTED]),
)


def both(content: str):
    return frontmatter.parse(content), frontmatter.with_yaml(content)


@settings(max_examples=1500, deadline=None)
@given(st.lists(LINE, max_size=8))
def test_the_fast_reader_agrees_with_pyyaml(lines):
    content = "\n".join(lines)
    fast = frontmatter._simple(content)
    if fast is not None:
        assert fast == frontmatter.with_yaml(content), content
    ours, theirs = both(content)
    if not frontmatter._ANCHOR.search(content):
        assert ours == theirs, content


@pytest.mark.parametrize("content", [
    'title: "The NAD+ drip for treatment-resistant depression"\ndescription: "KAP for fibromyalgia in San José"\n'
    "date: 2020-03-18\ntags: [ketamine, mental-health]",
    "title: Ketamine therapy in Portland\ndescription: What a first infusion is like\nweight: 10\ndraft: false",
    "title: 'Our clinic'\n# notes\n\nauthor: Dr. Lee",
])
def test_common_front_matter_is_read_without_pyyaml(content):
    fast = frontmatter._simple(content)
    assert fast is not None  # the common shapes must not need the 12 ms import
    assert fast == frontmatter.with_yaml(content)


def test_values_keep_their_yaml_types():
    data, fields = frontmatter.parse("title: Hope\ndate: 2020-03-18\nweight: 10\ntags: [a, b]\nempty:\n")
    assert data == {"title": "Hope", "date": datetime.date(2020, 3, 18), "weight": 10, "tags": ["a", "b"],
                    "empty": None}
    assert fields == [(7, 11)]


def test_a_page_with_simple_front_matter_does_not_import_pyyaml(tmp_path):
    import subprocess

    page = tmp_path / "page.md"
    page.write_text('---\ntitle: "Ketamine cures depression"\ndate: 2020-03-18\n---\n\nBody.\n', encoding="utf-8")
    code = ("import sys; from healthlint import readers; "
            f"doc = readers.load('page.md', open({str(page)!r}, 'rb').read()); "
            "print('yaml' in sys.modules, doc.prose.split())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out == "False ['Ketamine', 'cures', 'depression', 'Body.']\n"


def test_a_date_does_not_import_the_datetime_module():
    """A date is PyYAML's datetime.date, built from the C module: `import datetime` unmarshals its
    pure-Python fallback, milliseconds of every pre-commit run."""
    from conftest import run_python

    probe = ("import sys\n"
             "from healthlint.readers import frontmatter\n"
             "data, _ = frontmatter.parse('title: Care\\ndate: 2020-03-18\\n')\n"
             "imported = 'datetime' in sys.modules\n"
             "import datetime\n"
             "print(type(data['date']) is datetime.date, data['date'].isoformat(), imported)\n")
    assert run_python(probe).split() == ["True", "2020-03-18", "False"]
