"""Every shipped rule: its `flag` examples fire it, its `pass` examples stay quiet (ids HL101-flag-0)."""

from __future__ import annotations

import pytest

from healthlint import rulefile, ruletests

RULESET = rulefile.load_rules()


def pytest_generate_tests(metafunc):
    if "example" in metafunc.fixturenames:
        cases, ids = [], []
        for rule in RULESET.rules:
            for expected, texts in (("flag", rule.examples.flag), ("pass", rule.examples.passes)):
                for index, example in enumerate(texts):
                    cases.append((rule, expected, example))
                    ids.append(f"{rule.id}-{expected}-{index}")
        metafunc.parametrize(("rule", "expected", "example"), cases, ids=ids)


def test_example(rule, expected, example):
    fired = ruletests.fires(rule, example, RULESET.lexicon, RULESET.rules)
    assert fired == (expected == "flag"), f"{rule.origin}: {rule.id} {expected} example: {example}"


@pytest.mark.parametrize("rule", RULESET.rules, ids=lambda r: r.id)
def test_rule_is_documented(rule):
    assert len(rule.examples.flag) >= 2 and len(rule.examples.passes) >= 2
    assert rule.rationale and rule.suggestion, "writers need the why and what to write instead"
    assert rule.references and all(ref.startswith("https://") for ref in rule.references)


def test_ids_are_grouped_by_family_and_unique():
    ids = [r.id for r in RULESET.rules]
    assert len(ids) == len(set(ids))
    names = [r.name for r in RULESET.rules]
    assert len(names) == len(set(names))
