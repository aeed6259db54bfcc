"""kind: unsourced."""

from __future__ import annotations

import pytest
import regex

from healthlint import language
from healthlint.kinds import KINDS
from healthlint.kinds.unsourced import Unsourced
from healthlint.model import Block, Document, Span

# What a reader does to prose, enough for these tests: link targets, tags and bare URLs become spaces.
_NON_PROSE = regex.compile(r"\]\([^)]*\)|\[(?=[^\]]*\]\()|<[^>]+>|https?://\S+")


def doc_from(text: str) -> Document:
    """One block per non-blank line; prose is the text with link targets, tags and URLs blanked."""
    prose = _NON_PROSE.sub(lambda m: " " * len(m.group()), text)
    blocks, start = [], 0
    for line in text.split("\n"):
        if line.strip():
            blocks.append(Block(Span(start, start + len(line)), "paragraph"))
        start += len(line) + 1
    return Document(path="t.md", source=text, prose=prose, format="markdown", blocks=tuple(blocks))


NUMBER = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)"
CLAIMS = [
    r"\b\d+(?:\.\d+)?\s?(?:-|–|to)\s?\d+(?:\.\d+)?\s?(?:%|percent\b)",  # 50-70%
    r"\b\d+(?:\.\d+)?\s?(?:%|percent\b)",  # 30%, 8.3 percent
    rf"\b{NUMBER}\s+(?:in|out\s+of)\s+{NUMBER}\b",  # 7 in 10, 3 out of 4
    r"\b(?:twice|(?:two|three|four|five|\d+(?:\.\d+)?)\s?(?:x|times))\s+(?:as|more|less|higher|faster)\b"
    r"(?:\s+(?:likely|effective|often))?",  # twice as likely, 3 times faster
]
CITATIONS = [
    r"\baccording to (?:the )?(?-i:[A-Z])",  # according to the National Institute of Mental Health
    # (Smith et al., 2020), (CDC, 2023)
    r"\(\s*[\w'’-]+(?:\s+et\s+al\.?|\s+(?:and|&)\s+[\w'’-]+)?,?\s+(?:19|20)\d{2}[a-z]?\s*\)",
    r"\b[\w'’-]+\s+et\s+al\.?,?\s*\(?(?:19|20)\d{2}\)?",  # Zarate et al. (2006)
    # a 2018 study in CNS Drugs
    r"\b(?:19|20)\d{2}\s+(?:study|trial|meta-analysis|review)\s+(?:in|published in)\s+(?-i:[A-Z])",
    r"\b10\.\d{4,9}/[^\s\"<>]+",  # doi:10.1007/..., https://doi.org/10.1001/...
    r"\bPMID:?\s?\d{6,9}\b",
    r"\bPMC\d{5,9}\b",
    r"\bNCT\d{8}\b",
    r"https?://(?:[\w-]+\.)*(?:gov|nhs\.uk|who\.int|doi\.org)\b",  # a link to a public-health or DOI page
]
EXCLUDE = [
    r"\b100\s?%\s+(?:confidential|private|secure|online|natural)",
    r"\d+\s?%\s+off\b",
    r"\d+(?:\.\d+)?\s?mg(?:/kg)?\b",
]
KEYS = {"claims": CLAIMS, "citations": CITATIONS, "exclude": EXCLUDE}

CASES = (
    # unsourced
    (KEYS, "It is a condition affecting approximately 30% of depression patients.", ["30%"]),
    (KEYS, "Studies report response rates of 50-70%.", ["50-70%"]),
    (KEYS, "Studies report response rates of 50 to 70 percent.", ["50 to 70 percent"]),
    (KEYS, "7 in 10 patients feel better after one infusion.", ["7 in 10"]),
    (KEYS, "Seven in ten patients feel better.", ["Seven in ten"]),
    (KEYS, "3 out of 4 patients respond.", ["3 out of 4"]),
    (KEYS, "Patients are twice as likely to respond.", ["twice as likely"]),
    (KEYS, "Ketamine works 3 times faster than SSRIs.", ["3 times faster"]),
    (KEYS, "A study found 70% respond. Research shows it.", ["70%"]),  # unnamed study is no source
    (KEYS, "About 70% respond, according to our patients.", ["70%"]),
    # sourced in the same sentence
    (KEYS, "It affects up to 30% of people with major depressive disorder, according to the National "
           "Institute of Mental Health.", []),
    (KEYS, "Response rates reach 70% (Smith et al., 2020).", []),
    (KEYS, "About 8% of adults had an episode (CDC, 2023).", []),
    (KEYS, "Zarate et al. (2006) found a 71% response rate.", []),
    (KEYS, "A 2018 study in CNS Drugs found that 65% improved.", []),
    (KEYS, "Response was 60% (doi:10.1007/s40263-018-0519-3).", []),
    (KEYS, "41% of clinics omitted risks (https://doi.org/10.1001/jamanetworkopen.2023.42210).", []),
    (KEYS, "PMID: 29876543 reports 55% remission.", []),
    (KEYS, "Trial NCT01234567 showed a 45% response.", []),
    (KEYS, "About 8.3% of adults had an episode, says [NIMH](https://www.nimh.nih.gov/health).", []),
    (KEYS, '<a href="https://www.cdc.gov/mentalhealth">CDC data</a> show 1 in 5 adults live with it.', []),
    # excluded numbers
    (KEYS, "Our service is 100% confidential.", []),
    (KEYS, "Save 20% off your first session.", []),
    (KEYS, "Our service is 100% confidential and 80% of patients improve.", ["80%"]),
    # overlapping claims count once
    (KEYS, "Between 50-70% and 7 in 10 respond.", ["50-70%", "7 in 10"]),
    # window
    (KEYS, "In trials, 70% responded. (Smith et al., 2020)", []),
    ({**KEYS, "window": 0}, "In trials, 70% responded. (Smith et al., 2020)", ["70%"]),
    (KEYS, "In trials, 70% responded. Most felt better. (Smith et al., 2020)", ["70%"]),
    ({**KEYS, "window": 2}, "In trials, 70% responded. Most felt better. (Smith et al., 2020)", []),
    (KEYS, "70% of patients respond.\nSource: [NIMH](https://www.nimh.nih.gov/)", []),  # adjacent block
    (KEYS, "Source: [NIMH](https://www.nimh.nih.gov/)\n70% of patients respond.", []),
    ({**KEYS, "window": 2}, "70% respond.\nUnrelated text.\nSource: https://www.nimh.nih.gov/", ["70%"]),
    # footnotes
    (KEYS, "70% of patients respond.[^1]\n\nMore text.\nAnd more.\n\n[^1]: Smith J. Ketamine.", []),
    (KEYS, "70% of patients respond.[^2]\n\nMore text.\nAnd more.\n\n[^1]: Smith J. Ketamine.", ["70%"]),
    (KEYS, "70% of patients respond [1].\n\nMore.\nMore.\n\n## References\n\n[1] Murrough JW.", []),
    (KEYS, "70% of patients respond [1].\n\nMore.\nMore.\n\n## Sources\n\n1. Murrough JW. Am J Psych.", []),
    (KEYS, "70% of patients respond [3].\n\nMore.\nMore.\n\n## Sources\n\n1. Murrough JW.", ["70%"]),
    (KEYS, "70% of patients respond [1].\n\nMore.\nMore.\n\n1. A list item without a heading.", ["70%"]),
    (KEYS, "70% of patients respond.¹\n\nMore.\nMore.\n\n¹ Murrough JW. Am J Psych.", []),
    (KEYS, "70% respond<sup>1</sup>.\nMore.\nMore.\n<h2>Notes</h2>\n<ol><li>Murrough JW.</li></ol>", []),
    (KEYS, "70% respond<sup>2</sup>.\nMore.\nMore.\n<h2>Notes</h2>\n<ol><li>Murrough JW.</li></ol>", ["70%"]),
)


@pytest.mark.parametrize(("keys", "text", "expected"), CASES)
def test_unsourced(keys, text, expected):
    doc = doc_from(text)
    assert [doc.text(s) for s in Unsourced(**keys).find(doc)] == expected


def test_unsourced_claims_are_found_in_prose_only():
    doc = doc_from("Read https://example.com/70%-off now.")
    assert list(Unsourced(**KEYS).find(doc)) == []


def test_unsourced_is_a_registered_span_kind():
    assert KINDS["unsourced"] is Unsourced
    assert Unsourced.document is False


WINDOW = "window: expected a whole number of sentences, 0 or more, got"
BAD = (
    ({"claims": [], "citations": CITATIONS}, "claims: list at least one pattern"),
    ({"claims": r"\d+%", "citations": CITATIONS}, "claims: expected a list of patterns, got a string"),
    ({"claims": CLAIMS, "citations": [1]}, "citations[0]: expected a string, got a number"),
    ({"claims": ["(x"], "citations": CITATIONS},
     "claims[0]: invalid regular expression: missing ) at position 2"),
    ({"claims": CLAIMS, "citations": CITATIONS, "exclude": ["a*"]},
     "exclude[0]: 'a*' matches the empty string, so it matches anywhere"),
    ({**KEYS, "window": -1}, f"{WINDOW} -1"),
    ({**KEYS, "window": "1"}, f"{WINDOW} '1'"),
    ({**KEYS, "window": True}, f"{WINDOW} True"),
    ({**KEYS, "case_sensitive": "no"}, "case_sensitive: expected true or false, got a string"),
)


@pytest.mark.parametrize(("keys", "message"), BAD)
def test_unsourced_rejects_bad_keys(keys, message):
    with pytest.raises(ValueError) as info:
        Unsourced(**keys)
    assert str(info.value) == message


def test_unsourced_accepts_an_empty_exclude_list():
    doc = doc_from("Our service is 100% confidential.")
    kind = Unsourced(claims=CLAIMS, citations=CITATIONS, exclude=[])
    assert [doc.text(s) for s in kind.find(doc)] == ["100%"]


def test_catastrophic_claim_times_out(monkeypatch):
    monkeypatch.setattr(language, "MIN_REGEX_TIMEOUT", 0.05)
    with pytest.raises(TimeoutError):
        list(Unsourced(claims=["(x|xx)+y"], citations=CITATIONS).find(doc_from("x" * 5000)))
