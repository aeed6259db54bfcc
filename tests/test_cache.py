"""The compiled-rules cache: hits skip compiling (and yaml), any change to the inputs is a miss, and a
broken, shared or unwritable cache never breaks a run."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from healthlint import cache, engine, readers, rulefile

SRC = Path(__file__).resolve().parents[1] / "src"
TEXT = "Our infusions cure depression. 70% of patients respond.\n\nCan it cure anxiety? No.\n"


@pytest.fixture
def rules_dir(tmp_path):
    """One built-in pack: compiling it uncached is quick, and it flags TEXT."""
    folder = tmp_path / "rules"
    folder.mkdir()
    shutil.copyfile(rulefile.builtin_rules_dir() / "claims.yaml", folder / "claims.yaml")
    return folder


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("rules-*.pickle")) if folder.is_dir() else []


def findings(ruleset: rulefile.RuleSet, text: str = TEXT) -> list[tuple]:
    doc = readers.load("page.md", text.encode())
    result = engine.lint_document(doc, ruleset.rules, ruleset.lexicon)
    return [(f.rule_id, f.span, f.severity, f.message) for f in result.findings]


def test_a_second_load_comes_from_the_cache(cache_dir, rules_dir, monkeypatch):
    first = rulefile.load_rules([rules_dir])
    assert len(entries(cache_dir)) == 1

    def no_compiling(*args):
        raise AssertionError("compiled although cached")

    monkeypatch.setattr(rulefile, "_compile_rules", no_compiling)
    second = rulefile.load_rules([rules_dir])
    assert [r.id for r in second.rules] == [r.id for r in first.rules]
    assert findings(second) == findings(first) and findings(first)


def test_a_cached_load_never_imports_yaml(cache_dir, rules_dir):
    code = ("import sys; from pathlib import Path; from healthlint import rulefile; "
            f"rulefile.load_rules([Path({str(rules_dir)!r})]); print('yaml' in sys.modules)")
    env = {**os.environ, "PYTHONPATH": str(SRC), "HEALTHLINT_CACHE_DIR": str(cache_dir)}
    env.pop("HEALTHLINT_NO_CACHE", None)
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
            for _ in range(2)]
    assert [r.stdout.strip() for r in runs] == ["True", "False"]


def test_changing_a_rule_file_is_a_miss(cache_dir, rules_dir):
    before = rulefile.load_rules([rules_dir])
    pack = rules_dir / "claims.yaml"
    pack.write_text(pack.read_text(encoding="utf-8").replace("promises a cure", "PROMISES A CURE", 1),
                    encoding="utf-8")
    after = rulefile.load_rules([rules_dir])
    assert len(entries(cache_dir)) == 2
    assert "PROMISES A CURE" not in before.by_id()["HL101"].message
    assert "PROMISES A CURE" in after.by_id()["HL101"].message


def test_the_lexicon_is_part_of_the_key(cache_dir, rules_dir):
    lexicon = rulefile.load_lexicon()
    plain = rulefile.load_rules([rules_dir], lexicon)
    fewer = rulefile.load_rules([rules_dir], lexicon._replace(negators=("not",)))
    assert len(entries(cache_dir)) == 2
    assert fewer.lexicon.negators == ("not",) and plain.lexicon.negators != ("not",)


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05garbage"])
def test_a_corrupt_entry_is_ignored_and_rewritten(cache_dir, rules_dir, damage):
    expected = findings(rulefile.load_rules([rules_dir]))
    (entry,) = entries(cache_dir)
    entry.write_bytes(damage)
    assert findings(rulefile.load_rules([rules_dir])) == expected
    assert entry.stat().st_size > 1000  # rewritten


def test_an_entry_under_another_name_is_not_used(cache_dir, rules_dir):
    shutil.copyfile(rulefile.builtin_rules_dir() / "directives.yaml", rules_dir / "directives.yaml")
    rulefile.load_rules([rules_dir])
    both = entries(cache_dir)[0]
    rulefile.load_rules([rules_dir / "claims.yaml"])
    claims_only = next(e for e in entries(cache_dir) if e != both)
    shutil.copyfile(both, claims_only)  # both packs' set, filed under the claims-only name
    assert {r.id for r in rulefile.load_rules([rules_dir / "claims.yaml"]).rules} == {
        r.id for r in rulefile.load_rule_file(rules_dir / "claims.yaml")}


def test_switched_off_it_writes_nothing(cache_dir, rules_dir, monkeypatch):
    monkeypatch.setenv("HEALTHLINT_NO_CACHE", "1")
    rulefile.load_rules([rules_dir])
    assert not cache_dir.exists()


def test_an_unwritable_folder_means_no_cache(tmp_path, rules_dir, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("HEALTHLINT_CACHE_DIR", str(blocker / "cache"))
    assert findings(rulefile.load_rules([rules_dir]))


def test_the_default_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("HEALTHLINT_CACHE_DIR", raising=False)
    monkeypatch.delenv("HEALTHLINT_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.directory() == tmp_path / "healthlint"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache.directory() == Path.home() / ".cache" / "healthlint"


def _load_and_lint(folders: tuple[str, str]) -> list[tuple]:
    os.environ["HEALTHLINT_CACHE_DIR"] = folders[0]
    return findings(rulefile.load_rules([Path(folders[1])]))


def test_concurrent_writers_leave_one_good_entry(cache_dir, rules_dir):
    # pre-commit runs several healthlint processes at once, all finding the cache empty
    context = multiprocessing.get_context("spawn")  # fresh interpreters, as pre-commit starts them
    with context.Pool(4) as pool:
        results = pool.map(_load_and_lint, [(str(cache_dir), str(rules_dir))] * 8)
    assert all(r == results[0] for r in results) and results[0]
    assert len(entries(cache_dir)) == 1
    assert not list(cache_dir.glob(".rules-*"))  # no temporary files left behind
    assert _load_and_lint((str(cache_dir), str(rules_dir))) == results[0]


def test_old_entries_are_pruned(cache_dir):
    for n in range(cache.KEEP + 5):
        cache.store(cache.key([str(n)]), n)
    assert len(entries(cache_dir)) == cache.KEEP
    assert cache.load(cache.key([str(cache.KEEP + 4)])) == cache.KEEP + 4


def test_another_pyyaml_is_a_miss(cache_dir, rules_dir, tmp_path, monkeypatch):
    """The rule files are read by PyYAML: a different or upgraded one may read them differently."""
    files = rulefile.rule_files([rules_dir])
    cache.libraries.cache_clear()
    installed = rulefile._cache_key(files, None)
    shadow = tmp_path / "site" / "yaml"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("# another PyYAML, found first\n", encoding="utf-8")
    monkeypatch.setattr(sys, "path", [str(shadow.parent), *sys.path])
    cache.libraries.cache_clear()
    try:
        other = rulefile._cache_key(files, None)
        (shadow / "__init__.py").write_text("# the same one, upgraded in place\n", encoding="utf-8")
        cache.libraries.cache_clear()
        upgraded = rulefile._cache_key(files, None)
    finally:
        cache.libraries.cache_clear()
    assert installed is not None and len({installed, other, upgraded}) == 3
