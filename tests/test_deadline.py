"""The engine's CPU-time limit per rule: a runaway pattern is stopped in the main thread and elsewhere."""

from __future__ import annotations

import gc
import signal
import threading
import time

import pytest

from conftest import CATASTROPHIC_RULE, write
from healthlint import deadline, engine, language, readers, rulefile

PAGE = "Our infusions cure depression.\n\n" + "x" * 60 + "\n"


@pytest.fixture
def rules(tmp_path):
    builtin = rulefile.load_rules()
    extra = rulefile.load_rules([write(tmp_path, "evil.yaml", CATASTROPHIC_RULE)], builtin.lexicon)
    chosen = [r for r in builtin.rules if r.id == "HL101"] + list(extra.rules)
    return chosen, builtin.lexicon


def lint(rules) -> tuple[list[str], list[str], float]:
    chosen, lexicon = rules
    began = time.process_time()
    result = engine.lint_document(readers.load("page.md", PAGE.encode()), chosen, lexicon)
    return ([f.rule_id for f in result.findings], [n.message for n in result.notices],
            time.process_time() - began)


def test_the_watch_stops_a_runaway_rule_in_the_main_thread(rules, monkeypatch):
    monkeypatch.setattr(language, "MIN_REGEX_TIMEOUT", 1000.0)  # no per-call timeout would save us
    monkeypatch.setattr(deadline, "MIN_RULE_SECONDS", 0.2)
    found, notices, seconds = lint(rules)
    assert found == ["HL101"]
    assert notices == ["HL901: matching timed out; the rule was skipped for this file"]
    assert seconds < 5


def test_a_rule_in_another_thread_falls_back_to_per_call_timeouts(rules, monkeypatch):
    monkeypatch.setattr(language, "MIN_REGEX_TIMEOUT", 0.2)
    monkeypatch.setattr(deadline, "MIN_RULE_SECONDS", 1000.0)  # a watch here would never fire in time
    outcome: list = []
    thread = threading.Thread(target=lambda: outcome.append(lint(rules)))
    thread.start()
    thread.join(timeout=60)
    found, notices, _ = outcome[0]
    assert found == ["HL101"]
    assert notices == ["HL901: matching timed out; the rule was skipped for this file"]


def test_the_previous_handler_is_put_back_and_the_timer_stopped(rules):
    def mine(signum, frame):
        raise AssertionError("the application's own handler ran")

    previous = signal.signal(signal.SIGVTALRM, mine)
    try:
        lint(rules)
        assert signal.getsignal(signal.SIGVTALRM) is mine
        assert signal.getitimer(signal.ITIMER_VIRTUAL) == (0.0, 0.0)
    finally:
        signal.signal(signal.SIGVTALRM, previous)


def test_the_timer_firing_between_rules_is_ignored():
    with deadline.watch() as watch:
        watch.start(0.01)
        watch.stop()
        end = time.process_time() + 0.2
        while time.process_time() < end:  # the timer expires here, outside any rule
            pass
        assert deadline.timeout("text") is not None  # no rule runs: calls are back on their own timeouts


def test_garbage_collection_waits_for_the_rules_and_is_switched_back_on(rules):
    seen: list[bool] = []
    chosen, lexicon = rules

    class Spy:
        def find(self, doc):
            seen.append(gc.isenabled())
            return iter(())

    spy = chosen[0]._replace(kind=Spy())
    assert gc.isenabled()
    engine.lint_document(readers.load("page.md", PAGE.encode()), [spy], lexicon)
    assert seen == [False]
    assert gc.isenabled()
