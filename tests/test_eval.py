"""The evaluation corpus in eval/ is well formed, original, balanced, and eval/score.py scores it.

No precision or recall threshold is asserted here: the lead sets those once the rule packs settle
(`python eval/score.py --min-precision P --min-recall R`).
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from healthlint.model import Finding, Severity, Span

ROOT = Path(__file__).resolve().parents[1]
SCORE_PATH = ROOT / "eval" / "score.py"
SEEDS = ROOT.parent / "shared" / "seeds"


def _load_score():
    spec = importlib.util.spec_from_file_location("healthlint_eval_score", SCORE_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


score = _load_score()
SENTENCES = score.load_sentences()
DOCUMENTS = score.load_documents()


def test_enough_sentences_and_documents():
    assert len(SENTENCES) >= 300
    assert len(DOCUMENTS) >= 20


def test_every_label_is_a_known_family():
    for item in [*SENTENCES, *DOCUMENTS]:
        assert item.expected <= set(score.FAMILIES), item.where


def test_no_duplicate_sentences():
    seen = {}
    for item in SENTENCES:
        key = score.normalise(item.text)
        assert key not in seen, f"{item.where} repeats {seen[key]}"
        seen[key] = item.where


def test_sentences_are_balanced_towards_careful_negatives():
    share = sum(1 for item in SENTENCES if item.expected) / len(SENTENCES)
    assert 0.35 <= share <= 0.55, f"{share:.0%} of sentences expect a finding; aim for about 45%"


@pytest.mark.parametrize("family", list(score.FAMILIES))
def test_every_family_has_positives(family):
    sentences = sum(1 for item in SENTENCES if family in item.expected)
    documents = sum(1 for item in DOCUMENTS if family in item.expected)
    assert sentences >= 15 or documents >= 3, f"{family}: {sentences} sentences, {documents} documents"


def test_documents_are_short_and_mixed():
    for item in DOCUMENTS:
        words = len(re.sub(r"<[^>]*>|^---\n.*?\n---\n", " ", item.text, flags=re.S).split())
        assert 100 <= words <= 400, f"{item.where}: {words} words"
    compliant = [item for item in DOCUMENTS if not item.expected]
    assert len(compliant) >= 5
    # whole-document requirements each have a page that misses them
    for family in ("HL3", "HL4", "HL5", "HL6"):
        assert any(family in item.expected for item in DOCUMENTS), family
    assert {Path(item.where).suffix for item in DOCUMENTS} == {".md", ".html", ".txt"}


def _shingles(text: str, size: int = 8) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside this checkout")
def test_corpus_is_not_copied_from_the_seeds():
    seeds = set().union(*(_shingles(path.read_text(encoding="utf-8")) for path in SEEDS.glob("*.txt")))
    copied = [item.where for item in [*SENTENCES, *DOCUMENTS] if _shingles(item.text) & seeds]
    assert copied == []


def test_loader_reports_bad_items_with_their_line(tmp_path):
    bad = tmp_path / "sentences.yaml"
    bad.write_text(
        '- {text: "Fine.", expect: []}\n'
        '- {text: "Wrong family.", expect: [HL9]}\n'
        '- {text: "fine", expect: [HL1], context: {product: vitamins}}\n',
        encoding="utf-8",
    )
    with pytest.raises(score.CorpusError) as caught:
        score.load_sentences(bad)
    message = str(caught.value)
    assert "sentences.yaml:2: unknown family 'HL9'" in message
    assert "sentences.yaml:3: duplicate of the sentence at" in message
    assert "'vitamins'" in message


def test_document_header_is_blanked_before_linting(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<!-- expect: HL5 HL6 -->\n<p>Hello.</p>\n", encoding="utf-8")
    (item,) = score.load_documents(tmp_path)
    assert item.expected == {"HL5", "HL6"}
    assert "expect" not in item.text and len(item.text) == len(page.read_text(encoding="utf-8"))


def _finding(rule_id: str, document: bool = False) -> Finding:
    return Finding(rule_id, "x", Severity.WARNING, "m", Span(0, 1), document=document)


def test_counting_per_item_and_family():
    def outcome(expected, *rule_ids):
        item = score.Item("sentence", "s", "s.md", "text", frozenset(expected))
        findings = tuple(_finding(rule_id) for rule_id in rule_ids)
        return score.Outcome(item, findings, tuple("t" for _ in findings))

    outcomes = [
        outcome({"HL1"}, "HL101", "HL103"),  # HL1 TP once, not twice
        outcome({"HL1", "HL2"}, "HL101"),  # HL2 FN
        outcome(set(), "HL202"),  # HL2 FP
        outcome(set()),  # true negative
    ]
    result = score.counts(outcomes, list(score.FAMILIES))
    assert result["families"]["HL1"] == {"name": "claims", "support": 2, "tp": 2, "fp": 0, "fn": 0,
                                          "precision": 1.0, "recall": 1.0}
    assert (result["families"]["HL2"]["fp"], result["families"]["HL2"]["fn"]) == (1, 1)
    assert result["families"]["HL3"]["precision"] is None
    assert result["total"] == {"support": 3, "tp": 2, "fp": 1, "fn": 1, "precision": 0.6667, "recall": 0.6667}
    listed = score.errors(outcomes, list(score.FAMILIES))
    assert [(e["false_positive"], e["false_negative"]) for e in listed] == [([], ["HL2"]), (["HL2"], [])]


def test_sentences_ignore_whole_document_findings():
    ruleset = score.rulefile.load_rules()
    item = score.Item("sentence", "s", "sentence.md", "Our office is on the second floor.", frozenset())
    (result,) = score.lint([item], ruleset)
    assert all(not f.document for f in result.findings)


def test_score_json_runs_as_a_script():
    run = subprocess.run([sys.executable, str(SCORE_PATH), "--json"], cwd=ROOT, capture_output=True,
                         text=True, encoding="utf-8", timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    for kind in ("sentences", "documents"):
        assert set(report[kind]["families"]) == set(score.FAMILIES)
        for row in [*report[kind]["families"].values(), report[kind]["total"]]:
            assert {"tp", "fp", "fn", "precision", "recall"} <= set(row)
            for key in ("precision", "recall"):
                assert row[key] is None or 0 <= row[key] <= 1
    assert report["sentences"]["items"] == len(SENTENCES)
    assert report["documents"]["items"] == len(DOCUMENTS)
    assert isinstance(report["errors"], list)


def test_family_filter_and_thresholds(tmp_path, capsys):
    # with no rules at all nothing fires, which makes the expected output exact
    empty = tmp_path / "none.yaml"
    empty.write_text("[]\n", encoding="utf-8")
    assert score.main(["--json", "--rules", str(empty), "--family", "HL5", "--min-precision", "0.9"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert list(report["sentences"]["families"]) == ["HL5"]
    hl5 = sum(1 for item in SENTENCES if "HL5" in item.expected)
    assert report["sentences"]["total"] == {"support": hl5, "tp": 0, "fp": 0, "fn": hl5, "precision": None,
                                            "recall": 0.0}
    assert {e["kind"] for e in report["errors"]} == {"sentence", "document"}
    assert all(e["false_negative"] == ["HL5"] and not e["false_positive"] for e in report["errors"])
    assert score.main(["--summary", "--rules", str(empty), "--min-recall", "0.1"]) == 1
    assert "sentences recall 0.0% is below --min-recall 10.0%" in capsys.readouterr().err
