"""Measure `healthlint check` against its speed and memory targets, with proselint and grep -F beside it.

Every number is a whole-process run of a real command (Python start-up included), timed with
perf_counter around the child; its peak RSS and CPU time come from the rusage that wait4 returns for
that child alone (with `--jobs 2`, RSS is the largest single process). The corpus lives under
bench/out/, which .gitignore excludes, so healthlint would skip it as a folder: files are always
named explicitly. A run is killed at the timeout and reported as a bound, so a slow engine cannot
make the benchmark itself slow.

    python bench/generate.py && python bench/run.py     # full, ~10 minutes at most
    python bench/run.py --quick                          # small corpus, ~2 minutes
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import yaml
from table import render  # bench/table.py: results.json -> Markdown, also runnable on its own

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"
PROSELINT_VENV = OUT / "venv-proselint"
PROSELINT_SAMPLE_MB = 1.0
# LC_ALL=C: grep -i -w in a UTF-8 locale is ~30x slower (perf-notes.md, section 7).
GREP_ENV = {**os.environ, "LC_ALL": "C"}
# healthlint's own cache folder for the benchmark: the compiled rules stay warm (as on any machine after
# its first run) while the results cache is emptied before every timed run unless a row says otherwise
CACHE = OUT / "cache"
HEALTHLINT_ENV = {**{k: v for k, v in os.environ.items() if k != "HEALTHLINT_NO_CACHE"},
                  "HEALTHLINT_CACHE_DIR": str(CACHE)}
REPEAT_BELOW = 5.0  # seconds: only runs shorter than this are repeated


@dataclasses.dataclass(frozen=True)
class Run:
    seconds: float      # wall time, median over the repeats
    cpu_seconds: float  # user + system time of the child (and reaped workers), median over the repeats
    rss_mb: float       # peak resident set of the child, MB (10^6 bytes), max over the repeats
    lines: int          # lines printed: findings for the linters, matching lines for grep
    returncode: int
    timed_out: bool     # killed at the timeout: seconds and rss_mb are lower bounds
    error: str = ""     # the end of stderr when the command failed (exit 2 or more, not killed)


@dataclasses.dataclass(frozen=True)
class Mode:
    corpus: Path
    generate_args: tuple[str, ...]
    cold_runs: int  # one-file cold runs (median taken)
    repeats: int    # repeats of a run shorter than REPEAT_BELOW
    timeout: float  # seconds before a run is killed


MODES = {
    "full": Mode(OUT / "corpus", (), cold_runs=15, repeats=3, timeout=60),
    "quick": Mode(OUT / "corpus-quick", ("--mb", "2", "--files", "400", "--line-mb", "1"),
                  cold_runs=7, repeats=1, timeout=15),
}


@dataclasses.dataclass(frozen=True)
class Setup:
    mode: Mode
    healthlint: list[str]  # the command as pre-commit runs it
    one_core: list[str]    # the same with --jobs 1, when the option exists
    has_jobs: bool
    pages: list[Path]      # the corpus files
    typical: Path          # the ~5 KB Markdown page for the cold runs
    big: Path
    line: Path


def run_once(cmd: list[str], timeout: float, env: dict[str, str] | None = None, fresh: bool = False,
             cwd: Path = ROOT) -> Run:
    """One run of `cmd`; `fresh` empties healthlint's results cache first, so every file is linted."""
    if fresh:
        shutil.rmtree(CACHE / "results", ignore_errors=True)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=cwd, env=env, start_new_session=True)
        killer = threading.Timer(timeout, os.killpg, (proc.pid, signal.SIGKILL))  # the group: workers too
        started = time.perf_counter()
        killer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        killer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
        out.seek(0)
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: out.read(1 << 20), b""))
        timed_out = seconds >= timeout
        err.seek(0)
        error = err.read()[-300:].decode(errors="replace").strip() if proc.returncode >= 2 and not timed_out else ""
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024 / 1e6, lines, proc.returncode,
               timed_out, error)


def measure(cmd: list[str], mode: Mode, env: dict[str, str] | None = None, fresh: bool = False) -> dict:
    """Run `cmd`, repeated `mode.repeats` times if it is quick; the median run as a dict."""
    runs = [run_once(cmd, mode.timeout, env, fresh)]
    while len(runs) < mode.repeats and runs[0].seconds < REPEAT_BELOW:
        runs.append(run_once(cmd, mode.timeout, env, fresh))
    first = runs[0]
    return dataclasses.asdict(Run(
        statistics.median(r.seconds for r in runs), statistics.median(r.cpu_seconds for r in runs),
        max(r.rss_mb for r in runs), first.lines, first.returncode, any(r.timed_out for r in runs), first.error))


def size_mb(paths: list[Path]) -> float:
    return sum(p.stat().st_size for p in paths) / 1e6


def rel(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(ROOT)) for p in paths]


def grep_phrases() -> tuple[Path, str]:
    """The literal phrases of the built-in packs (`phrases:` keys), else bench/claim-phrases.txt."""
    phrases = set()
    for pack in sorted((ROOT / "rules").glob("*.yaml")):
        for rule in yaml.safe_load(pack.read_text(encoding="utf-8")) or []:
            if isinstance(rule, dict):
                phrases.update(str(p).lower() for p in rule.get("phrases") or [])
    if len(phrases) < 20:
        return BENCH / "claim-phrases.txt", "bench/claim-phrases.txt, 107 claim words (no pack has `phrases:`)"
    path = OUT / "pack-phrases.txt"
    path.write_text("\n".join(sorted(phrases)) + "\n", encoding="utf-8")
    return path, f"{len(phrases)} phrases from the `phrases:` keys of rules/*.yaml"


def proselint_command() -> list[str]:
    """proselint with its cap of 1,000 findings per file lifted (0.16: `max_errors` in a --config JSON)."""
    exe = shutil.which("proselint")
    if exe is None:
        exe = str(PROSELINT_VENV / "bin" / "proselint")
        if not Path(exe).exists():
            subprocess.run([sys.executable, "-m", "venv", str(PROSELINT_VENV)], check=True)
            subprocess.run([str(PROSELINT_VENV / "bin" / "pip"), "install", "-q", "proselint"], check=True)
    config = OUT / "proselintrc.json"
    config.write_text(json.dumps({"max_errors": 10**9}), encoding="utf-8")
    return [exe, "--config", str(config), "--output-format", "compact", "check"]


def prefix_file(source: Path, mb: float, target: Path) -> Path:
    """The first `mb` MB of a one-line file, cut at a space."""
    with source.open("rb") as f:
        data = f.read(int(mb * 1e6))
    target.write_bytes(data.rsplit(b" ", 1)[0])
    return target


def copies_file(source: Path, n: int, target: Path) -> Path:
    data = source.read_bytes()
    target.write_bytes(b"\n\n".join([data] * n))
    return target


# A content repository as the published hook sees it: a config with context, excludes and severities.
SITE_CONFIG = """\
context: {product: clinic_service, channel: web}
exclude: [drafts/, "*.tmp.md"]
severity: {HL405: warning}
per-file-ignores: {"legal/*.md": [HL601]}
"""


def measure_cold(s: Setup, configured: bool = False) -> dict:
    """(d) one typical page, a fresh process each time: the pre-commit case. `configured`: in a
    repository with a `.healthlint.yaml`, run as the published hook runs it (`--force-exclude`)."""
    cmd, cwd = [*s.healthlint, *rel([s.typical])], ROOT
    if configured:
        cwd = OUT / "site"
        (cwd / ".git").mkdir(parents=True, exist_ok=True)  # the repository's root: no config above
        (cwd / ".healthlint.yaml").write_text(SITE_CONFIG, encoding="utf-8")
        (cwd / "docs").mkdir(exist_ok=True)
        shutil.copyfile(s.typical, cwd / "docs" / "page.md")
        cmd = [*s.healthlint, "--force-exclude", "docs/page.md"]
    run_once(cmd, s.mode.timeout, HEALTHLINT_ENV, fresh=True, cwd=cwd)  # warm the page cache, .pyc files and caches
    runs = [run_once(cmd, s.mode.timeout, HEALTHLINT_ENV, fresh=True, cwd=cwd) for _ in range(s.mode.cold_runs)]
    return {"median": 1000 * statistics.median(r.seconds for r in runs), "min": 1000 * min(r.seconds for r in runs),
            "cpu": 1000 * statistics.median(r.cpu_seconds for r in runs), "runs": len(runs),
            "file_bytes": s.typical.stat().st_size}


def measure_corpus(s: Setup) -> dict:
    """(a) throughput in one process, (b) with --jobs 2, (c) memory, also on a quarter of the files."""
    quarter = s.pages[: len(s.pages) // 4]
    results = {"corpus_jobs1": measure([*s.one_core, *rel(s.pages)], s.mode, HEALTHLINT_ENV, fresh=True),
               "quarter_jobs1": {"mb": size_mb(quarter), "files": len(quarter),
                                 **measure([*s.one_core, *rel(quarter)], s.mode, HEALTHLINT_ENV, fresh=True)}}
    if s.has_jobs:
        results["corpus_jobs2"] = measure([*s.healthlint, "--jobs", "2", *rel(s.pages)], s.mode, HEALTHLINT_ENV,
                                          fresh=True)
    run_once([*s.one_core, *rel(s.pages)], s.mode.timeout, HEALTHLINT_ENV)  # fills the results cache
    results["corpus_rerun"] = measure([*s.one_core, *rel(s.pages)], s.mode, HEALTHLINT_ENV)
    return results


def proselint_sample(pages: list[Path]) -> list[Path]:
    """Every n-th page, about PROSELINT_SAMPLE_MB in all: proselint (~0.4 MB/s) cannot finish the whole
    corpus within the timeout, and a killed run leaves only a bound."""
    step = max(1, round(size_mb(pages) / PROSELINT_SAMPLE_MB))
    return pages[::step]


def measure_peers(s: Setup) -> dict:
    """(e) proselint on a sample of the pages, healthlint on the same sample, and grep -F -i -w over all."""
    phrases, source = grep_phrases()
    proselint = proselint_command()
    grep = ["grep", "-F", "-i", "-w", "-n", "-f", str(phrases), "--"]
    sample = proselint_sample(s.pages)
    return {"grep_phrases": source,
            "sample_mb": size_mb(sample), "sample_files": len(sample),
            "proselint": measure([*proselint, *rel(sample)], s.mode),
            "healthlint_sample": measure([*s.one_core, *rel(sample)], s.mode, HEALTHLINT_ENV, fresh=True),
            "proselint_cold_ms": 1000 * statistics.median(
                run_once([*proselint, *rel([s.typical])], s.mode.timeout).seconds for _ in range(5)),
            "grep": measure([*grep, *rel(s.pages)], s.mode, GREP_ENV)}


def measure_series(s: Setup, inputs: list[tuple[str, float, Callable[[], Path]]]) -> list[dict]:
    """(f) time healthlint on growing inputs (label, MB, make the file); skip sizes predicted to time out."""
    rows: list[dict] = []
    last: dict | None = None
    for label, mb, make in inputs:
        if last and (last["timed_out"] or last["seconds"] * mb / last["mb"] > s.mode.timeout):
            rows.append({"input": label, "mb": mb, "skipped": "the previous size predicts a timeout"})
            continue
        path = make()
        last = {"input": label, "mb": size_mb([path]),
                **measure([*s.one_core, *rel([path])], s.mode, HEALTHLINT_ENV, fresh=True)}
        rows.append(last)
    return rows


def measure_linear(s: Setup) -> dict:
    linear = OUT / "linear"
    linear.mkdir(parents=True, exist_ok=True)
    big_mb, line_mb = size_mb([s.big]), size_mb([s.line])

    def copies(n: int) -> Callable[[], Path]:
        return lambda: s.big if n == 1 else copies_file(s.big, n, linear / f"big-x{n}.md")

    def prefix(f: float) -> Callable[[], Path]:
        return lambda: s.line if f == 1 else prefix_file(s.line, f * line_mb, linear / f"line-{f}.txt")

    return {"linear_big": measure_series(s, [(f"big.md x{n}", n * big_mb, copies(n)) for n in (1, 2, 4)]),
            "linear_line": measure_series(
                s, [(f"long line {f * line_mb:.1f} MB", f * line_mb, prefix(f)) for f in (0.2, 0.4, 1)])}


def environment() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    grep = subprocess.run(["grep", "--version"], capture_output=True, text=True)
    return {"date": datetime.datetime.now().isoformat(timespec="seconds"), "nproc": os.cpu_count(), "cpu": cpu,
            "python": platform.python_version(), "load_before": os.getloadavg()[0],
            "healthlint_head": head.stdout.strip(), "grep": grep.stdout.splitlines()[0],
            "healthlint_path": shutil.which("healthlint") or "healthlint"}


def setup(mode: Mode, corpus: Path) -> Setup:
    healthlint = [shutil.which("healthlint") or "healthlint", "check", "--format", "concise", "--quiet"]
    has_jobs = "--jobs" in subprocess.run([*healthlint[:2], "--help"], capture_output=True, text=True).stdout
    pages = sorted((corpus / "pages").rglob("*.*"))
    typical = min((p for p in pages if p.suffix == ".md"), key=lambda p: abs(p.stat().st_size - 5000))
    return Setup(mode, healthlint, healthlint + (["--jobs", "1"] if has_jobs else []), has_jobs, pages, typical,
                 corpus / "big.md", corpus / "long-line.txt")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small corpus, fewer repeats (~2 minutes)")
    parser.add_argument("--corpus", type=Path, help="a folder written by generate.py")
    parser.add_argument("--timeout", type=float, help="kill a run after this many seconds (default 60, quick 15)")
    args = parser.parse_args()
    name = "quick" if args.quick else "full"
    mode = MODES[name]
    if args.timeout:
        mode = dataclasses.replace(mode, timeout=args.timeout)
    corpus = (args.corpus or mode.corpus).resolve()
    if not (corpus / "big.md").exists():
        subprocess.run([sys.executable, str(BENCH / "generate.py"), "--out", str(corpus), *mode.generate_args],
                       check=True)

    started = time.perf_counter()
    s = setup(mode, corpus)
    r: dict = {"environment": environment(), "mode": name, "corpus_mb": size_mb(s.pages),
               "corpus_files": len(s.pages), "has_jobs": s.has_jobs, "timeout_s": mode.timeout}
    steps = [("cold, one file", lambda: {"cold_ms": measure_cold(s),
                                         "cold_configured_ms": measure_cold(s, configured=True)}),
             ("corpus", lambda: measure_corpus(s)),
             ("peers", lambda: measure_peers(s)),
             ("linear time", lambda: measure_linear(s))]
    for label, step in steps:
        print(f"{time.perf_counter() - started:6.1f} s  {label}", file=sys.stderr, flush=True)
        r.update(step())
    r["elapsed_s"] = time.perf_counter() - started
    r["load_after"] = os.getloadavg()[0]
    (OUT / "results.json").write_text(json.dumps(r, indent=2), encoding="utf-8")
    print(render(r))


if __name__ == "__main__":
    main()
