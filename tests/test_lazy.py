"""healthlint.lazy: module-constant patterns compile on first use, once, and then act as compiled."""

from __future__ import annotations

import re

import regex

from conftest import run_fresh, run_python
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
    total, compiled = map(int, run_python(probe).split())
    assert total >= 60
    assert compiled == 0


def test_a_pattern_rebuilt_from_sre_code_is_the_compiled_one():
    for source, flags in ((r"(?P<word>cu(re)s?)\b", re.IGNORECASE), (r"(?<=\s)-{1,2}(?=\s)", 0),
                          (r"^ {0,3}(#{1,6})(?:[ \t]+|$)", re.MULTILINE), (r"[\u00e9\w]+", re.ASCII)):
        compiled, rebuilt = re.compile(source, flags), lazy.from_parts(source, lazy.sre_parts(source, flags))
        assert (rebuilt.flags, rebuilt.groups, rebuilt.groupindex) == (compiled.flags, compiled.groups,
                                                                          compiled.groupindex)
        text = "## Cures - café CURE\n#### --  éé cure"
        assert [m.span() for m in rebuilt.finditer(text)] == [m.span() for m in compiled.finditer(text)]


def test_the_next_run_builds_the_readers_patterns_from_cached_code(tmp_path, cache_dir):
    """The first `check` parses the reader patterns a page needs and keeps sre's code for them; the
    next one parses none, and finds the same."""
    (tmp_path / "page.md").write_text("---\ntitle: Care\ndate: 2020-03-18\n---\n\n# Care\n\nOur infusions "
                                      "cure depression. [Read more](https://example.org).\n", encoding="utf-8")
    count = ("from healthlint import lazy\n"
             "parses = []\n"
             "real = lazy.sre_parts\n"
             "lazy.sre_parts = lambda *args: parses.append(args) or real(*args)\n")
    runs = [run_fresh(["check", "--format", "concise", "page.md"], "'parsed', len(parses)", tmp_path, count)
            for _ in range(2)]
    assert int(runs[0][-1].split()[1]) >= 10
    assert runs[1][-1] == "parsed 0"
    assert runs[0][:-1] == runs[1][:-1] and any("HL101" in line for line in runs[1])


def test_this_python_takes_the_fast_path_not_the_fallback():
    """The fallbacks (re.compile) keep healthlint working on a Python whose sre internals differ; on
    the Pythons it supports the code path itself must work, or every start silently parses again."""
    from healthlint.kinds import matcher

    compiled, code = matcher._compile_trie("(?:cure[sd]?|heal)", None)
    assert code is not None and compiled.search("it cures").group() == "cures"
    parts = lazy.sre_parts(r"(?P<x>a)+b", re.I)
    assert lazy.from_parts(r"(?P<x>a)+b", parts).fullmatch("AaB").group("x") == "a"


def test_known_answers_once_per_batch_of_new_patterns():
    """check stores the code after a run that compiled something new, and not again after the next."""
    lazy.known()  # whatever this test process compiled before
    assert lazy.known() is None
    pending = lazy.compile(r"a fresh (pattern) for this test \d+")
    assert pending.search("a fresh pattern for this test 42")
    stored = lazy.known()
    assert stored is not None and (r"a fresh (pattern) for this test \d+", 0) in stored
    assert lazy.known() is None
