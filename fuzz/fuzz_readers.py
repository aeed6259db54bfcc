#!/usr/bin/env python3
"""Fuzz the readers: arbitrary bytes through `healthlint.readers.load`, for a chosen number of seconds.

    python fuzz/fuzz_readers.py --seconds 300            # atheris when installed, else hypothesis
    python fuzz/fuzz_readers.py --seconds 60 --lint      # also run every built-in rule on each document
    python fuzz/fuzz_readers.py --reproduce CRASH...     # rerun saved failures and print their tracebacks

The first byte of an input picks the reader (markdown, html, text), the rest is the file. An input fails
when anything but a `HealthlintError` escapes, or when the document breaks the reader contract of
`model.Document`: prose as long as the source, every '\\r' and '\\n' in place and no new ones, blocks and
comments inside the text, blocks sorted and not overlapping (with --lint also: every finding inside the
file, findings sorted, notices short). Failures are recorded, not raised, so one run finds every distinct
bug: each new one (by exception type and innermost healthlint frame, or by broken invariant) is saved to
--crashes and printed; the run goes on until the time is up, then prints a summary and exits 1 if
anything failed.

Not part of the default test run (tests/ holds the bounded hypothesis properties); see fuzz/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ("markdown", "html", "text")
SUFFIX = {"markdown": ".md", "html": ".html", "text": ".txt"}
SEED_DIRS = ("tests/fixtures", "examples", "eval/documents")
MAX_LEN = 8192
TOKENS = (  # a libFuzzer dictionary: the syntax the readers branch on
    "\n", "\r\n", "\r", "\t", "    ", "# ", "## ", "===", "---", "***", "- ", "* ", "+ ", "1. ", "1) ", "> ", "```",
    "~~~", "`", "``", "[", "]", "(", ")", "![", "](", "[^1]", "[^1]: ", "<", ">", "</", "/>", "<!--", "-->",
    "<![CDATA[", "]]>", "<?", "?>", "<!DOCTYPE html>", "<p>", "</p>", "<div>", "</div>", "<script>", "</script>",
    "<style>", "</style>", "<pre>", "<code>", "<img alt=\"", "<a href=\"", " title=\"", "&amp;", "&#x", "&#",
    ";", "&nbsp;", "|", "|---|", "\\", "*", "_", "~~", "\ufeff", "\u2028", "\x85", "\xa0", "healthlint-disable",
    "healthlint-enable", "healthlint-disable-next-line HL101", " -- reason", "title: ", "description: ",
    "healthlint:\n  product: ", "&a ", "*a", "!!python/", "cure", "Our infusions cure depression.",
    "No side effects.", "70% of patients respond", "suicide", "not a cure", "?",
)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to fuzz (default 60)")
    parser.add_argument("--engine", choices=("auto", "atheris", "hypothesis"), default="auto")
    parser.add_argument("--lint", action="store_true", help="also lint each document with the built-in rules")
    parser.add_argument("--crashes", type=Path, default=None, help="where failing inputs are saved")
    parser.add_argument("--corpus", type=Path, default=None, help="atheris corpus folder (default: a temp folder)")
    parser.add_argument("--slow", type=float, default=10.0, help="seconds after which one input counts as a failure")
    parser.add_argument("--memory-gb", type=int, default=4, help="address-space limit; 0: none")
    parser.add_argument("--instrument", choices=("healthlint", "all"), default="all",
                        help="atheris coverage: healthlint's modules only (faster) or every module imported")
    parser.add_argument("--reproduce", type=Path, nargs="+", help="rerun saved inputs instead of fuzzing")
    return parser.parse_args(argv)


class Harness:
    """Runs one input, records failures (deduplicated), counts executions, stops at the deadline."""

    def __init__(self, args: argparse.Namespace) -> None:
        from healthlint import engine, readers, rulefile
        from healthlint.errors import HealthlintError

        self.readers, self.engine, self.error = readers, engine, HealthlintError
        self.rules = rulefile.load_rules() if args.lint else None
        self.args = args
        self.crashes = args.crashes or Path(tempfile.mkdtemp(prefix="healthlint-fuzz-readers-"))
        self.crashes.mkdir(parents=True, exist_ok=True)
        self.failures: dict[str, tuple[Path, str]] = {}
        self.executions = 0
        self.started = time.monotonic()
        self.deadline = self.started + args.seconds

    # -- one input ------------------------------------------------------------------------------------

    def run(self, data: bytes) -> None:
        """Check one input (for the fuzzers: never raises)."""
        self.executions += 1
        began = time.monotonic()
        try:
            self.check(data)
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            self.record(data, exc)
        took = time.monotonic() - began
        if took > self.args.slow:
            self.record(data, TimeoutError(f"one input took {took:.1f} s"), signature="slow input")
        if began > self.deadline:
            self.finish()

    def check(self, data: bytes) -> None:
        fmt = FORMATS[data[0] % len(FORMATS)] if data else "text"
        body = data[1:]
        try:
            doc = self.readers.load(f"fuzz{SUFFIX[fmt]}", body, fmt)
        except self.error:
            return
        check_document(doc)
        if self.rules is not None:
            result = self.engine.lint_document(doc, self.rules.rules, self.rules.lexicon)
            keys = []
            for f in result.findings:
                assert 0 <= f.span.start <= f.span.end <= len(doc.source), f"finding outside the file: {f}"
                keys.append((f.span.start, f.span.end, f.rule_id))
            assert keys == sorted(keys), "findings not sorted"
            for notice in result.notices:
                assert len(notice.message) < 2_000, f"notice of {len(notice.message):,} characters"

    # -- bookkeeping ----------------------------------------------------------------------------------

    def record(self, data: bytes, exc: BaseException, signature: str | None = None) -> None:
        signature = signature or describe(exc)
        if signature in self.failures:
            return
        digest = hashlib.sha1(data).hexdigest()[:12]
        path = self.crashes / f"readers-{digest}.bin"
        path.write_bytes(data)
        text = "".join(traceback.format_exception(exc)) if signature != "slow input" else str(exc)
        self.failures[signature] = (path, text)
        fmt = FORMATS[data[0] % len(FORMATS)] if data else "text"
        print(f"\n[fuzz_readers] NEW FAILURE #{len(self.failures)} ({fmt}, {len(data)} bytes): {signature}\n"
              f"  saved to {path}\n  input: {data[:200]!r}{'...' if len(data) > 200 else ''}", file=sys.stderr,
              flush=True)

    def finish(self) -> None:
        print(summary("fuzz_readers", self), flush=True)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(1 if self.failures else 0)  # libFuzzer's loop never returns: leave from here


def check_document(doc) -> None:
    """The reader contract of `model.Document`."""
    source, prose = doc.source, doc.prose
    assert len(prose) == len(source), f"prose has {len(prose)} characters, source {len(source)}"
    for i, ch in enumerate(source):
        if ch in "\r\n":
            assert prose[i] == ch, f"line break at {i} not kept in prose"
        else:
            assert prose[i] not in "\r\n", f"prose has a line break at {i} that the source has not"
    end = 0
    for block in doc.blocks:
        assert 0 <= block.span.start <= block.span.end <= len(source), f"block outside the text: {block}"
        assert block.span.start >= end, f"blocks overlap or are unsorted: {block}"
        end = block.span.end
    for comment in doc.comments:
        assert 0 <= comment.start <= comment.end <= len(source), f"comment outside the text: {comment}"


def describe(exc: BaseException) -> str:
    """What makes two failures the same bug: an invariant's message, or the type and innermost frame."""
    if isinstance(exc, AssertionError):
        return "invariant: " + str(exc).split(":")[0].split(" at ")[0]
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "healthlint" in f.filename]
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
    return f"{type(exc).__name__} at {where}"


def summary(name: str, harness) -> str:
    seconds = time.monotonic() - harness.started
    lines = [f"\n[{name}] {seconds:.0f} s, {harness.executions:,} executions "
             f"({harness.executions / max(seconds, 1e-9):,.0f}/s), {len(harness.failures)} distinct failures"]
    for signature, (path, text) in harness.failures.items():
        lines.append(f"--- {signature}\n    reproduce: python {sys.argv[0]} --reproduce {path}\n"
                     + "\n".join("    " + line for line in text.rstrip().splitlines()[-8:]))
    return "\n".join(lines)


def seeds() -> list[bytes]:
    """Real pages from the repository, each under every reader, cut to MAX_LEN."""
    found = []
    for folder in SEED_DIRS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in (".md", ".html", ".txt") and path.is_file():
                body = path.read_bytes()[: MAX_LEN - 1]
                found += [bytes([i]) + body for i in range(len(FORMATS))]
    return found


# -- engines ------------------------------------------------------------------------------------------


def fuzz_with_atheris(args: argparse.Namespace) -> None:
    import atheris

    with atheris.instrument_imports(include=["healthlint"] if args.instrument == "healthlint" else None):
        harness = Harness(args)
    corpus = args.corpus or Path(tempfile.mkdtemp(prefix="healthlint-fuzz-readers-corpus-"))
    corpus.mkdir(parents=True, exist_ok=True)
    for i, seed in enumerate(seeds()):
        (corpus / f"seed-{i:04}").write_bytes(seed)
    dictionary = corpus.parent / f"{corpus.name}.dict"
    dictionary.write_text("".join(f'"{escape(t)}"\n' for t in TOKENS), encoding="utf-8")
    print(f"[fuzz_readers] atheris, {args.seconds:.0f} s, corpus {corpus}, failures to {harness.crashes}",
          flush=True)
    libfuzzer = [sys.argv[0], f"-max_len={MAX_LEN}", f"-dict={dictionary}", "-rss_limit_mb=0",
                 f"-timeout={max(60, int(args.slow) * 3)}", "-print_final_stats=1", str(corpus)]
    atheris.Setup(libfuzzer, harness.run)
    atheris.Fuzz()


def fuzz_with_hypothesis(args: argparse.Namespace) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    harness = Harness(args)
    pieces = st.sampled_from([t.encode("utf-8") for t in TOKENS]) | st.binary(max_size=8)
    text = st.lists(st.sampled_from(TOKENS) | st.text(max_size=8), max_size=60).map("".join)
    encoded = st.tuples(text, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "latin-1"])).map(
        lambda pair: pair[0].encode(pair[1], "surrogatepass") if pair[1] != "latin-1"
        else pair[0].encode("latin-1", "replace"))
    body = st.one_of(st.binary(max_size=512), encoded, st.lists(pieces, max_size=80).map(b"".join),
                     st.sampled_from(seeds() or [b""]).map(lambda s: s[1:]))
    inputs = st.tuples(st.integers(0, len(FORMATS) - 1), body).map(lambda p: bytes([p[0]]) + p[1])
    print(f"[fuzz_readers] hypothesis, {args.seconds:.0f} s, failures to {harness.crashes}", flush=True)

    @settings(max_examples=500, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(inputs)
    def batch(data: bytes) -> None:
        harness.run(data)

    while True:  # each batch draws fresh random inputs; harness.run exits at the deadline
        batch()


def reproduce(args: argparse.Namespace) -> int:
    harness = Harness(args)
    status = 0
    for path in args.reproduce:
        data = path.read_bytes()
        try:
            harness.check(data)
        except Exception:
            status = 1
            print(f"=== {path}: FAILS\n{traceback.format_exc()}")
        else:
            print(f"=== {path}: passes")
    return status


def escape(token: str) -> str:
    return "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "".join(f"\\x{b:02x}" for b in ch.encode())
                   for ch in token)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    if args.memory_gb:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (args.memory_gb << 30, args.memory_gb << 30))
    if args.reproduce:
        return reproduce(args)
    engine = args.engine
    if engine == "auto":
        try:
            import atheris  # noqa: F401
            engine = "atheris"
        except ImportError:
            engine = "hypothesis"
    (fuzz_with_atheris if engine == "atheris" else fuzz_with_hypothesis)(args)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
