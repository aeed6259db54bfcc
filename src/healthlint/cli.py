"""The command line: `check`, `rules`, `explain`, `test-rules`. The only module that prints or exits.

Exit codes: 0 clean, 1 findings at or above `--fail-on`, 2 usage, config or I/O error (never a
traceback; `--verbose` shows one for an internal error).
"""

from __future__ import annotations

import functools
import itertools
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from healthlint import __version__
from healthlint.errors import HealthlintError, InputError
from healthlint.model import Severity

if TYPE_CHECKING:
    from healthlint.model import FileResult
    from healthlint.runner import Run

# kept equal to formats.FORMATS by a test; avoids an import
FORMAT_NAMES = ("concise", "full", "json", "json-lines", "sarif", "github", "gitlab", "junit")


def _guarded(command: Callable[..., int]) -> Callable[..., None]:
    """Turn a command's return value into the exit code, and any error into one line and exit 2."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        ctx = click.get_current_context()
        try:
            code = command(*args, **kwargs)
        except HealthlintError as exc:
            click.echo(f"healthlint: error: {exc}", err=True)
            code = 2
        except (KeyboardInterrupt, BrokenPipeError):
            code = 2
        except Exception as exc:  # the one broad catch: never a traceback for a user
            click.echo(f"healthlint: internal error: {type(exc).__name__}: {exc} (please report this;"
                       " --verbose shows the traceback)", err=True)
            if ctx.find_root().params.get("verbose"):
                import traceback  # only here: it costs milliseconds at every start

                traceback.print_exc()
            code = 2
        ctx.exit(code)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="healthlint")
@click.option("--verbose", is_flag=True, help="Show a traceback for internal errors.")
def cli(verbose: bool) -> None:
    """healthlint: a compliance linter for health marketing copy (Markdown, HTML, plain text)."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, allow_dash=True))
@click.option("--format", "output_format", type=click.Choice(FORMAT_NAMES), default="full", show_default=True,
              envvar="HEALTHLINT_FORMAT", help="How findings are printed.")
@click.option("-o", "--output-file", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the report to this file instead of standard output.")
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead of the findings.")
@click.option("--select", multiple=True, metavar="CODES", help="Only these rules (ids or prefixes, comma-separated).")
@click.option("--ignore", multiple=True, metavar="CODES", help="Skip these rules (ids or prefixes).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info"]), default=None,
              help="Lowest severity that fails the run (default: warning; info never fails).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings (errors still exit 2).")
@click.option("--baseline", "baseline_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Report only findings not recorded in this baseline file.")
@click.option("--write-baseline", "write_baseline", type=click.Path(path_type=Path, dir_okay=False),
              help="Record today's findings in this file (then exit 0) for adoption on an existing site.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Use this config file for every file instead of the nearest one.")
@click.option("--rules", "rule_paths", multiple=True, type=click.Path(path_type=Path),
              help="Extra rule files or folders (on top of the built-in packs).")
@click.option("--stdin-filename", default=None, help="Name (and so type) of the text read from '-'.")
@click.option("--force-exclude", is_flag=True, help="Apply config excludes to files named on the command line too.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=None,
              help="Processes to lint with (0: one per CPU). Default: one per CPU for big batches, 1 under pre-commit.")
@click.option("--no-cache", is_flag=True, help="Compile the rule packs instead of using the cached compilation.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only: no summary, no notices.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
@_guarded
def check(paths: tuple[Path, ...], output_format: str, output_file: Path | None, statistics: bool,
          select: tuple[str, ...], ignore: tuple[str, ...], fail_on: str | None, exit_zero: bool,
          baseline_path: Path | None, write_baseline: Path | None, config_path: Path | None,
          rule_paths: tuple[Path, ...], stdin_filename: str | None, force_exclude: bool, jobs: int | None,
          no_cache: bool, quiet: bool, color: str) -> int:
    """Lint files and folders (default: the current folder)."""
    from healthlint import formats, runner

    if no_cache:
        os.environ["HEALTHLINT_NO_CACHE"] = "1"  # read by the rule loader (healthlint.cache)
    options = runner.Options(config_path=config_path, rule_paths=rule_paths, select=_split(select),
                             ignore=_split(ignore), force_exclude=force_exclude, stdin_filename=stdin_filename)
    lint = runner.Runner(options, stdin=getattr(sys.stdin, "buffer", None))  # None: no stdin (a closed one)
    threshold = Severity.parse(fail_on) if fail_on else lint.fail_on()
    if jobs is None:  # pre-commit already runs one process per CPU, each on a few files
        jobs = 1 if os.environ.get("PRE_COMMIT") else 0
    run = lint.run(paths or (Path("."),), jobs)
    try:
        results: Iterable[FileResult] = run.results  # streamed: each file is reported as soon as it is linted

        if write_baseline is not None or baseline_path is not None:
            from healthlint import baseline

            results = list(results)  # a baseline is about the whole run
        if write_baseline is not None:
            _write_atomically(write_baseline, baseline.dump(results))
            found = sum(len(r.findings) for r in results)
            _echo_problems(run, quiet=True)
            click.echo(f"healthlint: wrote {found} findings to {write_baseline}", err=True)
            return 2 if run.errors else 0
        if baseline_path is not None:
            try:
                recorded = baseline.load(baseline_path.read_text(encoding="utf-8"), str(baseline_path))
            except OSError as exc:
                raise InputError(f"{baseline_path}: cannot read: {exc.strerror or exc}") from None
            filtered = baseline.apply(results, recorded)
            results = filtered.results
            if not quiet and filtered.stale:
                click.echo(f"healthlint: {filtered.stale} baseline entries no longer occur; "
                           f"rewrite it with --write-baseline {baseline_path}", err=True)

        chosen = formats.FORMATS[output_format]
        use_color = chosen.human and output_file is None and resolve_color(color, sys.stdout)
        extra = {"rules": lint.rule_index()} if chosen.takes_rules else {}
        tally = formats.Tally()
        results = tally.watch(results)
        chunks: Iterable[str] = (formats.statistics(results) if statistics
                                 else chosen.render(results, use_color, **extra))
        if (chosen.human or statistics) and not quiet:  # after the last file: the tally is complete by then
            chunks = itertools.chain(chunks, (formats.summary(tally.counts) for _ in (None,)))
        if output_file is not None:
            _write_atomically(output_file, chunks)
        else:
            _write_out(chunks)
        for _ in results:  # a format that stopped early (none does) must not leave files unlinted
            pass
        _echo_problems(run, quiet)
        if run.errors:
            return 2
        failing = tally.worst is not None and tally.worst >= threshold
        return 1 if failing and not exit_zero else 0
    finally:  # a report that stops half-way (a closed pipe, an error) must not wait for every file
        run.results.close()


def _write_out(chunks: Iterable[str], batch: int = 1 << 16) -> None:
    """Write the report to standard output in pieces of about `batch` characters: a write per finding
    is a system call each where output is unbuffered (PYTHONUNBUFFERED, common in containers). A
    terminal gets each finding as it comes."""
    out = sys.stdout
    if out.isatty():
        batch = 0
    pending: list[str] = []
    size = 0
    for chunk in chunks:
        pending.append(chunk)
        size += len(chunk)
        if size >= batch:
            out.write("".join(pending))
            pending.clear()
            size = 0
    out.write("".join(pending))
    out.flush()


def _echo_problems(run: Run, quiet: bool) -> None:
    """The run's errors, and its notices unless quiet, on standard error once every file is done."""
    for error in run.errors:
        click.echo(f"healthlint: error: {error}", err=True)
    if not quiet:
        for notice in run.notices:
            click.echo(f"healthlint: notice: {notice.path}: {notice.message}", err=True)


@cli.command("rules")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--rules", "rule_paths", multiple=True, type=click.Path(path_type=Path))
@_guarded
def list_rules(config_path: Path | None, rule_paths: tuple[Path, ...]) -> int:
    """List every rule: id, severity, kind, name and message."""
    from healthlint import runner

    lint = runner.Runner(runner.Options(config_path=config_path, rule_paths=rule_paths))
    settings = lint.settings_for(Path.cwd() / "-")
    active = {r.id: r for r in settings.rules}
    width = max((len(r.name) for r in settings.all_rules), default=4)
    click.echo(f"{'ID':<6} {'SEVERITY':<8} {'KIND':<10} {'NAME':<{width}} MESSAGE")
    for r in sorted(settings.all_rules, key=lambda r: r.id):
        severity = str(active[r.id].severity) if r.id in active else "off"
        message = " ".join(r.message.replace('"{match}"', "…").split())
        click.echo(f"{r.id:<6} {severity:<8} {r.kind_name:<10} {r.name:<{width}} {message}")
    return 0


@cli.command()
@click.argument("codes", nargs=-1)
@click.option("--all", "show_all", is_flag=True, help="Explain every rule (the text of docs/rules.md).")
@click.option("--kinds", "show_kinds", is_flag=True, help="Explain the rule kinds (the text of docs/kinds.md).")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--rules", "rule_paths", multiple=True, type=click.Path(path_type=Path))
@_guarded
def explain(codes: tuple[str, ...], show_all: bool, show_kinds: bool, config_path: Path | None,
            rule_paths: tuple[Path, ...]) -> int:
    """Explain rules by id or name: why they exist, what to write instead, references, examples."""
    from healthlint import ruledocs

    if show_kinds:
        click.echo(ruledocs.render_kinds(), nl=False)
        return 0
    from healthlint import runner

    lint = runner.Runner(runner.Options(config_path=config_path, rule_paths=rule_paths))
    settings = lint.settings_for(Path.cwd() / "-")
    rules = settings.all_rules
    if show_all:
        click.echo(ruledocs.render_all(rules), nl=False)
        return 0
    if not codes:
        raise click.UsageError("name a rule (e.g. healthlint explain HL101) or use --all")
    by_key = {r.id: r for r in rules} | {r.name: r for r in rules}
    pages = []
    for code in codes:
        rule = by_key.get(code.upper()) or by_key.get(code)
        if rule is None:
            raise HealthlintError(f"unknown rule {code!r}{_did_you_mean(code, by_key)}")
        pages.append(ruledocs.render(rule))
    click.echo("\n".join(pages), nl=False)
    return 0


@cli.command("test-rules")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_guarded
def test_rules(paths: tuple[Path, ...]) -> int:
    """Run every rule's examples (default: the built-in packs); exit 1 if any misbehaves."""
    from healthlint import rulefile, ruletests

    ruleset = rulefile.load_rules(list(paths) if paths else None)
    failures = ruletests.check_rules(ruleset.rules, ruleset.lexicon)
    for failure in failures:
        click.echo(f"{failure.rule.origin}: {failure.rule.id}: {failure.problem}")
    examples = sum(len(r.examples.flag) + len(r.examples.passes) for r in ruleset.rules)
    click.echo(f"{len(ruleset.rules)} rules, {examples} examples, {len(failures)} failures")
    return 1 if failures else 0


def resolve_color(choice: str, stream: TextIO) -> bool:
    """--color always|never, then FORCE_COLOR, then NO_COLOR, then whether stdout is a terminal."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("NO_COLOR"):
        return False
    return stream.isatty()


def _write_atomically(path: Path, text: str | Iterable[str]) -> None:
    """Write a report or baseline so a reader never sees half a file (temp file, then rename); an
    iterable of chunks is written as it comes."""
    import tempfile

    folder = path.resolve().parent
    try:
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    try:
        with open(fd, "w", encoding="utf-8") as handle:
            handle.writelines([text] if isinstance(text, str) else text)
        os.replace(temp, path)
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    finally:
        if os.path.exists(temp):  # not renamed: an error, or an interruption mid-report
            os.unlink(temp)


def _split(codes: Iterable[str]) -> tuple[str, ...]:
    return tuple(c.strip().upper() for item in codes for c in item.split(",") if c.strip())


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="healthlint")
