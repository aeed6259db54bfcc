"""The results cache: a re-run over unchanged files reuses their findings; any change to a file, its
name, the config or a rule file is a miss; a broken or shared cache never changes what is reported."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SRC, log_linting, run_cli, write
from healthlint import readers, resultcache, runner

CLAIMS = "# Ketamine\n\nOur infusions cure depression. 70% of patients respond.\n"
RULE = """\
- id: HL901
  name: house-word
  kind: phrase
  severity: warning
  phrases: [{word}]
  message: '"{{match}}" is a house word.'
  rationale: Testing.
"""


@pytest.fixture
def site(tmp_path, monkeypatch):
    root = tmp_path / "site"
    (root / ".git").mkdir(parents=True)
    write(root, "post.md", CLAIMS)
    write(root, "notes.txt", "Nothing to see here.\n")
    monkeypatch.chdir(root)
    return root


def entries(cache_dir: Path) -> dict[str, tuple]:
    """Every stored entry, by key."""
    found: dict[str, tuple] = {}
    for shard in sorted((cache_dir / "results").glob("*.pickle")):
        found.update(pickle.loads(shard.read_bytes()))
    return found


def findings(*args: str) -> list[tuple[str, str, int, int, str]]:
    result = run_cli("check", "--format", "json", *args)
    assert result.exit_code in (0, 1), result.stderr
    return [(f["path"], f["rule"], f["line"], f["column"], f["message"]) for f in json.loads(result.stdout)["findings"]]


def test_a_rerun_reuses_findings_without_reading_the_file_again(cache_dir, site, monkeypatch):
    first = findings()
    assert first and len(entries(cache_dir)) == 2

    def no_reader(*args, **kwargs):
        raise AssertionError("the reader ran on a cached file")

    monkeypatch.setattr(readers, "load", no_reader)
    assert findings() == first
    concise = run_cli("check", "--format", "concise")
    assert concise.exit_code == 1 and "post.md:3:15: HL101" in concise.stdout  # positions from the file


def test_an_edited_file_is_linted_again(cache_dir, site):
    before = findings()
    write(site, "post.md", CLAIMS.replace("cure", "treat"))
    after = findings()
    assert any(f[1] == "HL101" for f in before) and not any(f[1] == "HL101" for f in after)


def test_the_same_bytes_under_another_name_are_not_taken_from_the_cache(cache_dir, site):
    write(site, "post.txt", "`Our infusions cure depression.`\n")
    write(site, "post.md", "`Our infusions cure depression.`\n")
    found = {f[0] for f in findings("--select", "HL101") if f[1] == "HL101"}
    assert found == {"post.txt"}  # code in Markdown is not prose; in text it is


def test_a_config_change_is_a_miss(cache_dir, site):
    assert {f[1] for f in findings()} >= {"HL101", "HL201"}
    write(site, ".healthlint.yaml", "select: [HL201]\n")
    assert {f[1] for f in findings()} == {"HL201"}
    write(site, ".healthlint.yaml", "select: [HL201]\nseverity:\n  HL201: info\n")
    result = json.loads(run_cli("check", "--format", "json").stdout)
    assert {f["severity"] for f in result["findings"]} == {"info"}


def test_an_edited_rule_file_is_a_miss_even_when_its_ids_stay(cache_dir, site):
    write(site, "house.yaml", RULE.format(word="infusions"))
    assert [f[4] for f in findings("--rules", "house.yaml", "--select", "HL901")] == ['"infusions" is a house word.']
    write(site, "house.yaml", RULE.format(word="patients"))
    assert [f[4] for f in findings("--rules", "house.yaml", "--select", "HL901")] == ['"patients" is a house word.']


def test_suppression_comments_are_part_of_the_file(cache_dir, site):
    assert "HL101" in {f[1] for f in findings()}
    write(site, "post.md", "<!-- healthlint-disable-file HL101 -- quoted from a warning letter -->\n" + CLAIMS)
    assert "HL101" not in {f[1] for f in findings()}


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05N.", pickle.dumps({"x": "y"}), pickle.dumps([1])])
def test_a_damaged_shard_is_a_miss_and_is_rewritten(cache_dir, site, damage):
    first = findings()
    shards = sorted((cache_dir / "results").glob("*.pickle"))
    for shard in shards:
        shard.write_bytes(damage)
    assert findings() == first
    assert len(entries(cache_dir)) == 2


def test_a_damaged_entry_is_a_miss(cache_dir, site):
    first = findings()
    for shard in (cache_dir / "results").glob("*.pickle"):
        stored = pickle.loads(shard.read_bytes())
        shard.write_bytes(pickle.dumps({name: (entry[0], entry[1], [("HL1",)]) for name, entry in stored.items()}))
    assert findings() == first


def test_no_cache_writes_no_entries(cache_dir, site):
    run_cli("check", "--no-cache")
    assert not entries(cache_dir)


def test_stdin_is_not_cached(cache_dir, site):
    result = run_cli("check", "-", "--stdin-filename", "post.md", input=CLAIMS)
    assert result.exit_code == 1 and not entries(cache_dir)


def test_parallel_processes_share_one_cache(tmp_path):
    """Several real processes lint the same files into an empty cache at once (pre-commit runs hooks in
    parallel): every one reports the same, and no temporary file is left behind."""
    root = tmp_path / "site"
    (root / ".git").mkdir(parents=True)
    for i in range(30):
        write(root, f"page{i}.md", CLAIMS + f"\nPage {i}: 5{i}% of readers agree.\n")
    env = {**os.environ, "HEALTHLINT_CACHE_DIR": str(tmp_path / "cache"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))}
    env.pop("HEALTHLINT_NO_CACHE", None)
    command = [sys.executable, "-m", "healthlint", "check", "--format", "json", "--jobs", "1"]
    processes = [subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for _ in range(4)]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert [p.returncode for p in processes] == [1] * 4, [err for _, err in outputs]
    assert len({out for out, _ in outputs}) == 1
    assert len(json.loads(outputs[0][0])["findings"]) >= 60
    rerun = subprocess.run(command, cwd=root, env=env, capture_output=True, timeout=120, check=False)
    assert rerun.stdout == outputs[0][0]
    assert not list((tmp_path / "cache").rglob("*.tmp"))
    assert len(entries(tmp_path / "cache")) == 30  # every process's entries survive the merges


@pytest.mark.parametrize(("days_later", "kept"), [(resultcache.PRUNE_AFTER_DAYS, {"aa1", "aa2", "aa3"}),
                                                  (resultcache.PRUNE_AFTER_DAYS + 1, {"aa3"})])
def test_entries_not_written_for_a_month_are_dropped_when_their_shard_is_written(tmp_path, monkeypatch,
                                                                                  days_later, kept):
    store = resultcache.Store(tmp_path / "results")
    store.put("aa1", "text", ())  # one shard: keys that share their first two digits
    store.put("aa2", "markdown", ())
    store.save()
    today = resultcache._today()
    monkeypatch.setattr(resultcache, "_today", lambda: today + days_later)
    store = resultcache.Store(tmp_path / "results")
    store.put("aa3", "text", ())
    store.save()
    assert set(entries(tmp_path)) == kept


def test_a_rerun_with_jobs_lints_only_what_changed(cache_dir, site, monkeypatch):
    for i in range(80):  # enough files and bytes for --jobs to start processes
        write(site, f"pages/p{i}.md", CLAIMS + "More copy about our clinic and its caring staff. " * 80 + "\n")
    first = findings("--jobs", "2")
    write(site, "pages/p7.md", "Our infusions cure anxiety.\n")
    log = site.parent / "linted.log"
    log_linting(monkeypatch, log)
    second = findings("--jobs", "2")
    assert log.read_text(encoding="utf-8").splitlines() == ["pages/p7.md"]
    assert [f for f in second if f[0] != "pages/p7.md"] == [f for f in first if f[0] != "pages/p7.md"]
    assert any(f[0] == "pages/p7.md" and f[1] == "HL101" for f in second)


def test_findings_are_stored_under_the_bytes_that_were_linted(cache_dir, site, monkeypatch):
    """A file edited while it is being linted must not leave its new findings filed under its old
    bytes, nor the old findings under the new: a later run would report the wrong findings."""
    real = runner.Runner.lint_file

    def edit_then_lint(self, path, *args):
        write(site, "post.md", "Our clinic is open on Saturdays.\n")
        return real(self, path, *args)

    monkeypatch.setattr(runner.Runner, "lint_file", edit_then_lint)
    findings()
    monkeypatch.setattr(runner.Runner, "lint_file", real)
    write(site, "post.md", CLAIMS)
    assert any(f[1] == "HL101" for f in findings())


def test_shards_from_the_16_shard_layout_are_removed_on_the_next_write(cache_dir, site):
    old = cache_dir / "results" / "a.pickle"
    old.parent.mkdir(parents=True, exist_ok=True)
    old.write_bytes(pickle.dumps({"a" * 40: (0, "markdown", ())}))
    first = findings()
    assert not old.exists()
    assert all(len(shard.stem) == 2 for shard in (cache_dir / "results").glob("*.pickle"))
    assert findings() == first


def test_a_lookup_reads_one_small_shard_of_a_big_cache(cache_dir, site, monkeypatch):
    """3,000 other pages in the cache: re-linting the site reads the shards of its two files only,
    each holding about a 256th of the entries."""
    from healthlint import cache
    from healthlint.model import Finding, Severity, Span

    first = findings()
    store = resultcache.Store.open()
    assert store is not None
    for n in range(3000):
        store.put(cache.key([str(n)]), "markdown", (Finding(f"HL{n}", "x", Severity.WARNING, "m" * 100, Span(0, 1)),))
    store.save()
    read: list[str] = []
    real = resultcache._read
    monkeypatch.setattr(resultcache, "_read", lambda path: read.append(path.name) or real(path))
    write(site, "post.md", (site / "post.md").read_text(encoding="utf-8") + "\nOne more line.\n")
    assert findings()[0] == first[0]
    sizes = {path.name: path.stat().st_size for path in (cache_dir / "results").glob("*.pickle")}
    assert len(sizes) == resultcache.SHARDS
    assert 1 <= len(set(read)) <= 3  # the two files' shards (one miss is read again to merge it)
    assert all(sizes[name] < sum(sizes.values()) / 50 for name in read)  # 16 shards: ~1/16 each


def test_a_long_run_writes_each_shard_once(cache_dir, tmp_path, monkeypatch):
    """Flushes during a run go to segment files; the shards are written once, at the end, so a run
    over N files does not rewrite the cache N/FLUSH_EVERY times."""
    monkeypatch.chdir(tmp_path)
    for i in range(40):
        write(tmp_path, f"pages/p{i:02}.md", f"{CLAIMS}\nPage {i}.\n")
    monkeypatch.setattr(runner, "FLUSH_EVERY", 4)
    written: list[str] = []
    real = resultcache.Store._write
    monkeypatch.setattr(resultcache.Store, "_write", lambda self, digit, added: written.append(digit)
                        or real(self, digit, added))
    first = findings("pages")
    assert len(written) == len(set(written)) and written
    assert len(entries(cache_dir)) == 40
    assert not list((cache_dir / "results").glob("*.segment"))
    assert findings("pages") == first


def test_segments_left_by_a_run_that_died_are_merged_by_the_next(cache_dir, site):
    """A run killed between a flush and its save leaves segment files; the next save of their shards
    takes their entries, and removes them."""
    first = findings()
    assert first
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True).stdout.strip()  # a process id that has ended
    folder = cache_dir / "results"
    orphan = folder / f"a.{dead}.1.segment"
    orphan.write_bytes(pickle.dumps({"ab": {"ab" + "0" * 38: (resultcache._today(), "markdown", ())}}))
    live = folder / f"b.{os.getppid()}.1.segment"  # a live process's: not this run's to merge
    live.write_bytes(orphan.read_bytes())
    write(site, "post.md", (site / "post.md").read_text(encoding="utf-8") + "\nOne more line.\n")
    findings()
    assert "ab" + "0" * 38 in entries(cache_dir)
    assert not orphan.exists() and live.exists()


def test_a_shard_that_cannot_be_written_keeps_its_segments_for_the_next_save(tmp_path, monkeypatch):
    store = resultcache.Store(tmp_path / "results")
    store.put("ab" + "1" * 38, "markdown", ())
    store.flush()
    real = resultcache.Store._write

    def full_disk(self, digit, added):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(resultcache.Store, "_write", full_disk)
    store.save()
    assert list((tmp_path / "results").glob("a.*.segment"))  # kept: its entries are in no shard yet
    monkeypatch.setattr(resultcache.Store, "_write", real)
    resultcache.Store(tmp_path / "results").save()  # the next save (here the same process's) merges them
    assert "ab" + "1" * 38 in entries(tmp_path)
    assert not list((tmp_path / "results").glob("*.segment"))
    assert not list((tmp_path / "results").glob(".*.tmp"))
