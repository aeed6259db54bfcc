"""A run reports each file as soon as it is linted, so its memory does not grow with the number of files."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import SRC, log_linting, run_cli, write
from healthlint import engine, resultcache, runner

CLAIM = "Our infusions cure depression.\n"


def test_results_come_one_file_at_a_time_in_path_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("c.md", "a.md", "b.txt", "d/e.md"):
        write(tmp_path, name, CLAIM)
    linted: list[str] = []
    real = engine.lint_document

    def counting(doc, *args, **kwargs):
        linted.append(doc.path)
        return real(doc, *args, **kwargs)

    monkeypatch.setattr(engine, "lint_document", counting)
    run = runner.Runner(runner.Options()).run([Path("d"), Path("c.md"), Path("b.txt"), Path("a.md")], jobs=1)
    assert linted == []  # nothing is linted until the report asks for it
    first = next(run.results)
    assert first.document.path == "a.md"
    assert linted == ["a.md"]
    rest = [result.document.path for result in run.results]
    assert rest == ["b.txt", "c.md", "d/e.md"]
    assert linted == ["a.md", "b.txt", "c.md", "d/e.md"]


def test_errors_are_complete_once_the_results_are(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "a.md", CLAIM)
    (tmp_path / "bad.md").write_bytes(b"caf\xe9 cures\n")
    run = runner.Runner(runner.Options()).run([Path("a.md"), Path("bad.md"), Path("gone.md")], jobs=1)
    assert run.errors == ["gone.md: no such file or folder"]  # known before any file is linted
    assert [r.document.path for r in run.results] == ["a.md"]
    assert len(run.errors) == 2 and run.errors[1].startswith("bad.md: not valid UTF-8")


def test_the_cli_reports_errors_after_the_findings_and_exits_2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "a.md", CLAIM)
    (tmp_path / "bad.md").write_bytes(b"caf\xe9 cures\n")
    result = run_cli("check", "--format", "concise", "a.md", "bad.md")
    assert result.exit_code == 2
    assert result.stdout.startswith("a.md:1:")
    assert "healthlint: error: bad.md: not valid UTF-8" in result.stderr


def test_the_results_cache_is_written_as_the_run_goes(cache_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for i in range(7):
        write(tmp_path, f"p{i}.md", CLAIM + f"Page {i}.\n")
    monkeypatch.setattr(runner, "FLUSH_EVERY", 3)
    calls: list[tuple[str, int]] = []
    for method in ("flush", "save"):
        real = getattr(resultcache.Store, method)
        monkeypatch.setattr(resultcache.Store, method,
                            lambda self, real=real, method=method: calls.append((method, self.pending)) or real(self))
    first = run_cli("check", "--format", "concise", ".")
    assert first.exit_code == 1
    assert calls == [("flush", 3), ("flush", 3), ("save", 1)]  # every 3 entries, then the rest at the end
    assert not list((cache_dir / "results").glob("*.segment"))  # merged into the shards by the save

    def no_linting(*args, **kwargs):
        raise AssertionError("a cached file was linted again")

    monkeypatch.setattr(engine, "lint_document", no_linting)
    again = run_cli("check", "--format", "concise", ".")
    assert again.stdout == first.stdout


def test_a_report_file_cut_short_by_an_error_is_neither_written_nor_left_half_done(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "a.md", CLAIM)
    write(tmp_path, "b.md", CLAIM)
    real = engine.lint_document

    def failing_on_b(doc, *args, **kwargs):
        if doc.path == "b.md":
            raise RuntimeError("boom")
        return real(doc, *args, **kwargs)

    monkeypatch.setattr(engine, "lint_document", failing_on_b)
    result = run_cli("check", "--format", "concise", "-o", "report.txt", "a.md", "b.md")
    assert result.exit_code == 2
    assert "internal error: RuntimeError: boom" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md", "b.md"]  # no report, no temp file


def test_a_report_stopped_early_does_not_wait_for_every_file(tmp_path, monkeypatch):
    """With --jobs, closing the results after the first file cancels the chunks not yet started."""
    monkeypatch.chdir(tmp_path)
    pages = runner.MIN_PARALLEL_FILES * 8
    for i in range(pages):
        write(tmp_path, f"pages/p{i:03}.md", CLAIM * 200)
    log = tmp_path / "linted.log"
    log_linting(monkeypatch, log)
    run = runner.Runner(runner.Options()).run([Path("pages")], jobs=2)
    assert next(run.results).document.path == "pages/p000.md"
    run.results.close()  # what happens when the CLI fails half-way through a report
    linted = len(log.read_text(encoding="utf-8").splitlines())
    assert 0 < linted < pages / 2, linted


def test_a_file_named_twice_is_reported_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "a.md", CLAIM)
    result = run_cli("check", "--format", "concise", "a.md", "./a.md", ".")
    assert result.exit_code == 1
    assert result.stdout.count("a.md:1:15: HL101") == 1


class Stream:
    def __init__(self, tty: bool) -> None:
        self.tty, self.writes = tty, []

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> None:
        self.writes.append(text)

    def flush(self) -> None:
        pass


def test_a_terminal_gets_each_finding_as_it_comes_and_a_pipe_gets_big_pieces(monkeypatch):
    from healthlint import command

    lines = [f"page.md:{n}:1: HL101 cure\n" for n in range(1, 2001)]
    for tty, expected in ((True, 2000), (False, 1)):
        stream = Stream(tty)
        monkeypatch.setattr("sys.stdout", stream)
        command.write_out(iter(lines))
        monkeypatch.undo()
        assert "".join(stream.writes) == "".join(lines)
        assert len([w for w in stream.writes if w]) == expected


def test_a_closed_pipe_stops_the_run_without_linting_every_file(tmp_path):
    """`healthlint check --jobs 2 ... | head -1`: once the reader is gone, the chunks not yet started
    are cancelled rather than linted while the process waits to exit."""
    import subprocess
    import sys

    pages = runner.MIN_PARALLEL_FILES * 8
    for i in range(pages):
        write(tmp_path, f"pages/p{i:03}.md", CLAIM * 200)
    log = tmp_path / "linted.log"
    driver = (
        "import sys\n"
        "from healthlint import runner\n"
        "real = runner.Runner.lint_file\n"
        "def logging_lint(self, path, *args):\n"
        f"    with open({str(log)!r}, 'a', encoding='utf-8') as out:\n"
        "        out.write(f'{path}\\n')\n"
        "    return real(self, path, *args)\n"
        "runner.Runner.lint_file = logging_lint\n"
        "from healthlint.cli import main\n"
        "sys.argv = ['healthlint', 'check', '--format', 'concise', '--jobs', '2', 'pages']\n"
        "main()\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", driver], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(SRC)})
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith(b"pages/p000.md:1:")
    proc.stdout.close()  # what `head -1` does
    assert proc.wait(timeout=120) == 2
    linted = len(log.read_text(encoding="utf-8").splitlines())
    assert linted < pages / 2, linted
