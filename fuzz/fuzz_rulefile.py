#!/usr/bin/env python3
"""Fuzz the rule loader: arbitrary YAML-ish bytes through `healthlint.rulefile.load_rule_file`.

    python fuzz/fuzz_rulefile.py --seconds 300           # atheris when installed, else hypothesis
    python fuzz/fuzz_rulefile.py --seconds 60 --lint     # also run the rules that load on a short page
    python fuzz/fuzz_rulefile.py --reproduce CRASH...    # rerun saved failures and print their tracebacks

Each input is written to one temporary `rules.yaml` and loaded. A rule file is untrusted input, so the
only exception allowed out is `RuleFileError` (which the CLI prints as `file:line: rule: problem`);
anything else is a failure: an internal error for the user, or worse. Rules that do load must be
well-formed (an id, a message, an origin in that file) and, with --lint, must lint a short page without
raising. Seeds are the built-in packs, one rule per seed, and a libFuzzer dictionary of YAML and rule
syntax. Failures are recorded, not raised (one run finds every distinct bug), saved to --crashes and
summarised when the time is up; the exit code is 1 if anything failed. See fuzz/README.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzz_readers import ROOT, describe, escape, summary

MAX_LEN = 4096
PAGE = ("---\ntitle: Ketamine care\n---\n\n# Our clinic\n\nOur infusions cure depression. No side effects.\n"
        "70% of patients respond within a week. If you are thinking about suicide, call 988.\n"
        "<!-- healthlint-disable-next-line HL101 -->\nIt is not a cure. Talk to your doctor.\n")
TOKENS = (
    "- id: HL901\n", "  name: x\n", "  kind: phrase\n", "  kind: pattern\n", "  kind: unsourced\n",
    "  kind: require\n", "  kind: require-if\n", "  kind: directive\n", "  severity: error\n", "  severity: info\n",
    "  message: '\"{match}\" x.'\n", "  rationale: r\n", "  phrases: [", "  pattern: '", "  unless: [",
    "  examples:\n    flag: [", "    pass: [", "  applies: {product: [cbd]}\n", "  overrides:\n", "  - when: ",
    "{product: supplement}", "  negation: ignored\n", "  questions: unless-denied\n", "  enabled: false\n",
    "  case_sensitive: true\n", "  suggestion: s\n", "  references: [", "  ", "\n", ": ", "- ", "[", "]", "{", "}",
    ",", "'", '"', "|", "|-\n", ">-\n", "&a ", "*a", "<<: ", "? ", "!!str ", "!!binary ", "!!python/object/apply:",
    "!!python/name:", "!<tag:yaml.org,2002:", "%YAML 1.1\n", "%TAG ! tag:", "---\n", "...\n", "~", "null",
    "true", "0x1F", ".nan", "2024-01-01", "(?P<match>", "(?<!", "(?=", ")", "\\b", "\\s+", "{1000}", "(?R)",
    "(?i)", "[^", "\\p{L}", "*", "+", "?", "\t", "#", "\ufeff", "\u2028",
)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to fuzz (default 60)")
    parser.add_argument("--engine", choices=("auto", "atheris", "hypothesis"), default="auto")
    parser.add_argument("--lint", action="store_true", help="also lint a short page with each loaded rule file")
    parser.add_argument("--crashes", type=Path, default=None, help="where failing inputs are saved")
    parser.add_argument("--corpus", type=Path, default=None, help="atheris corpus folder (default: a temp folder)")
    parser.add_argument("--slow", type=float, default=10.0, help="seconds after which one input counts as a failure")
    parser.add_argument("--memory-gb", type=int, default=2, help="address-space limit; 0: none")
    parser.add_argument("--instrument", choices=("healthlint", "all"), default="all",
                        help="atheris coverage: healthlint's modules only (faster) or every module imported")
    parser.add_argument("--reproduce", type=Path, nargs="+", help="rerun saved inputs instead of fuzzing")
    return parser.parse_args(argv)


class Harness:
    """Loads one input as a rule file; records failures (deduplicated); stops at the deadline."""

    def __init__(self, args: argparse.Namespace) -> None:
        import hashlib
        import time

        from healthlint import engine, readers, rulefile
        from healthlint.errors import RuleFileError

        self.rulefile, self.engine, self.error, self.hashlib, self.time = rulefile, engine, RuleFileError, hashlib, time
        self.lexicon = rulefile.load_lexicon()
        self.page = readers.load("page.md", PAGE.encode()) if args.lint else None
        self.args = args
        self.folder = Path(tempfile.mkdtemp(prefix="healthlint-fuzz-rulefile-"))
        self.path = self.folder / "rules.yaml"
        self.crashes = args.crashes or self.folder / "crashes"
        self.crashes.mkdir(parents=True, exist_ok=True)
        self.failures: dict[str, tuple[Path, str]] = {}
        self.executions = 0
        self.started = time.monotonic()
        self.deadline = self.started + args.seconds

    def run(self, data: bytes) -> None:
        self.executions += 1
        began = self.time.monotonic()
        try:
            self.check(data)
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            self.record(data, exc)
        took = self.time.monotonic() - began
        if took > self.args.slow:
            self.record(data, TimeoutError(f"one input took {took:.1f} s"), signature="slow input")
        if began > self.deadline:
            print(summary("fuzz_rulefile", self), flush=True)
            sys.stderr.flush()
            os._exit(1 if self.failures else 0)

    def check(self, data: bytes) -> None:
        self.path.write_bytes(data)
        try:
            rules = self.rulefile.load_rule_file(self.path)
        except self.error as exc:
            assert str(exc).startswith(str(self.path)), f"error does not name the file: {exc}"
            assert "\n" not in str(exc).rstrip("\n"), "error is more than one line"
            return
        for rule in rules:
            assert isinstance(rule.id, str) and rule.id and isinstance(rule.message, str), "ill-formed rule"
            assert rule.origin.startswith(f"{self.path}:"), f"origin outside the file: {rule.origin}"
        if self.page is not None and rules:
            result = self.engine.lint_document(self.page, rules, self.lexicon)
            for f in result.findings:
                assert 0 <= f.span.start <= f.span.end <= len(PAGE), f"finding outside the page: {f}"

    def record(self, data: bytes, exc: BaseException, signature: str | None = None) -> None:
        import traceback

        signature = signature or describe(exc)
        if signature in self.failures:
            return
        path = self.crashes / f"rulefile-{self.hashlib.sha1(data).hexdigest()[:12]}.yaml"
        path.write_bytes(data)
        text = "".join(traceback.format_exception(exc)) if signature != "slow input" else str(exc)
        self.failures[signature] = (path, text)
        print(f"\n[fuzz_rulefile] NEW FAILURE #{len(self.failures)} ({len(data)} bytes): {signature}\n"
              f"  saved to {path}\n  input: {data[:300]!r}{'...' if len(data) > 300 else ''}", file=sys.stderr,
              flush=True)


def seeds() -> list[bytes]:
    """Every built-in rule on its own, each whole pack cut to MAX_LEN, and the lexicon."""
    found = []
    for path in sorted((ROOT / "rules").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        found.append(text.encode()[:MAX_LEN])
        for chunk in text.split("\n- ")[1:]:
            found.append(("- " + chunk.rstrip() + "\n").encode()[:MAX_LEN])
    return found


def fuzz_with_atheris(args: argparse.Namespace) -> None:
    import atheris

    with atheris.instrument_imports(include=["healthlint"] if args.instrument == "healthlint" else None):
        harness = Harness(args)
    corpus = args.corpus or harness.folder / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for i, seed in enumerate(seeds()):
        (corpus / f"seed-{i:04}").write_bytes(seed)
    dictionary = harness.folder / "yaml.dict"
    dictionary.write_text("".join(f'"{escape(t)}"\n' for t in TOKENS), encoding="utf-8")
    print(f"[fuzz_rulefile] atheris, {args.seconds:.0f} s, corpus {corpus}, failures to {harness.crashes}",
          flush=True)
    atheris.Setup([sys.argv[0], f"-max_len={MAX_LEN}", f"-dict={dictionary}", "-rss_limit_mb=0",
                   f"-timeout={max(60, int(args.slow) * 3)}", "-print_final_stats=1", str(corpus)], harness.run)
    atheris.Fuzz()


def fuzz_with_hypothesis(args: argparse.Namespace) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    harness = Harness(args)
    text = st.lists(st.sampled_from(TOKENS) | st.text(max_size=6), max_size=50).map("".join)
    spliced = st.tuples(st.sampled_from(seeds()), st.integers(0, MAX_LEN), text).map(
        lambda t: t[0][: t[1]] + t[2].encode("utf-8", "surrogatepass") + t[0][t[1]:])
    inputs = st.one_of(text.map(lambda s: s.encode("utf-8", "surrogatepass")), spliced, st.binary(max_size=256))
    print(f"[fuzz_rulefile] hypothesis, {args.seconds:.0f} s, failures to {harness.crashes}", flush=True)

    @settings(max_examples=500, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(inputs)
    def batch(data: bytes) -> None:
        harness.run(data)

    while True:  # harness.run exits at the deadline
        batch()


def reproduce(args: argparse.Namespace) -> int:
    import traceback

    harness = Harness(args)
    status = 0
    for path in args.reproduce:
        try:
            harness.check(path.read_bytes())
        except Exception:
            status = 1
            print(f"=== {path}: FAILS\n{traceback.format_exc()}")
        else:
            print(f"=== {path}: passes")
    return status


def main(argv: list[str]) -> int:
    args = parse_args(argv)
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
