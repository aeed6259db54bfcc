"""healthlint.lazy: module-constant patterns compile on first use, once, and then act as compiled."""

from __future__ import annotations

import re
import subprocess
import sys

import regex

from conftest import SRC
from healthlint import language, lazy


def test_a_lazy_pattern_answers_as_the_compiled_one():
    source, flags = r"(?P<word>cu(re)s?)\b", re.IGNORECASE
    compiled, pending = re.compile(source, flags), lazy.compile(source, flags)
    text = "Cures, cure and CURE; curettage is not one."
    assert pending.search(text).span() == compiled.search(text).span()
    assert [m.span() for m in pending.finditer(text)] == [m.span() for m in compiled.finditer(text)]
    assert pending.findall(text) == compiled.findall(text)
    assert pending.sub("-", text) == compiled.sub("-", text)
    assert pending.split(text) == compiled.split(text)
    assert pending.match(text, 7).group() == compiled.match(text, 7).group()
    assert (pending.pattern, pending.flags, pending.groups, pending.groupindex) == (
        compiled.pattern, compiled.flags, compiled.groups, compiled.groupindex)
    assert [m.group() for m in iter(pending.scanner(text).search, None)] == ["Cures", "cure", "CURE"]


def test_it_compiles_once_and_only_when_used():
    calls = []

    def compiler(source: str, flags: int) -> re.Pattern[str]:
        calls.append(source)
        return re.compile(source, flags)

    pending = lazy.Pattern("cure", 0, compiler)
    assert calls == []
    for _ in range(3):
        assert pending.search("a cure")
        assert pending.scanner("cure").match()
    assert calls == ["cure"]


def test_regex_patterns_keep_their_keywords():
    pending = language.lazy_regex(r"\w+")
    assert [m.group() for m in pending.finditer("no cure", timeout=1.0, overlapped=True)] == [
        m.group() for m in regex.compile(r"\w+").finditer("no cure", overlapped=True)]


def test_importing_healthlint_compiles_none_of_its_pattern_constants():
    """What start-up costs: a pattern a page never needs is never compiled (the check runs in a fresh
    interpreter, where nothing has been used yet)."""
    probe = ("import sys\n"
             "import healthlint.command, healthlint.runner\n"
             "from healthlint import lazy\n"
             "found = [(n, k, '_compiled' in v.__dict__) for n, m in list(sys.modules.items())\n"
             "         if n.startswith('healthlint') for k, v in vars(m).items() if isinstance(v, lazy.Pattern)]\n"
             "print(len(found), sum(c for *_, c in found))\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                            env={"PYTHONPATH": str(SRC)})
    total, compiled = map(int, result.stdout.split())
    assert total >= 60
    assert compiled == 0
