"""The command line: `check`, `rules`, `explain`, `test-rules`. The only module that prints or exits.

Exit codes: 0 clean, 1 findings at or above `--fail-on`, 2 usage, config or I/O error (never a
traceback; `--verbose` shows one for an internal error).
"""

from __future__ import annotations

import dataclasses
import functools
import os
import sys
import traceback
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

import click

from healthlint import __version__
from healthlint.config import Config, find_config, load_config
from healthlint.errors import BinaryFileError, ConfigError, HealthlintError, InputError
from healthlint.model import FileResult, Notice, Rule, Severity

FORMAT_NAMES = ("concise", "full", "json")  # kept equal to formats.FORMATS by a test; avoids an import


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
              help="How findings are printed.")
@click.option("--select", multiple=True, metavar="CODES", help="Only these rules (ids or prefixes, comma-separated).")
@click.option("--ignore", multiple=True, metavar="CODES", help="Skip these rules (ids or prefixes).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info"]), default=None,
              help="Lowest severity that fails the run (default: warning; info never fails).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings (errors still exit 2).")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Use this config file instead of searching for one.")
@click.option("--rules", "rule_paths", multiple=True, type=click.Path(path_type=Path),
              help="Extra rule files or folders (on top of the built-in packs).")
@click.option("--stdin-filename", default=None, help="Name (and so type) of the text read from '-'.")
@click.option("--force-exclude", is_flag=True, help="Apply config excludes to files named on the command line too.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only: no summary, no notices.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
@_guarded
def check(paths: tuple[Path, ...], output_format: str, select: tuple[str, ...], ignore: tuple[str, ...],
          fail_on: str | None, exit_zero: bool, config_path: Path | None, rule_paths: tuple[Path, ...],
          stdin_filename: str | None, force_exclude: bool, quiet: bool, color: str) -> int:
    """Lint files and folders (default: the current folder)."""
    from healthlint import discovery, engine, formats, readers

    config = _config(config_path)
    ruleset = _ruleset(config, rule_paths)
    rules = select_rules(ruleset.rules, _split(select) or config.select, _split(ignore) + config.ignore)
    rules = [_with_severity(rule, config.severity) for rule in rules]
    threshold = Severity.parse(fail_on) if fail_on else (config.fail_on or Severity.WARNING)
    excludes = discovery.Excludes(config.root, config.exclude)

    results: list[FileResult] = []
    notices: list[Notice] = []
    errors = 0
    for path, data in _inputs(paths or (Path("."),), excludes, force_exclude, stdin_filename):
        if isinstance(data, Exception):
            click.echo(f"healthlint: error: {data}", err=True)
            errors += 1
            continue
        shown = _display(path)
        try:
            fmt = readers.format_for(stdin_filename or shown) if path == Path("-") else None
            doc = readers.load(shown, data, fmt)
        except BinaryFileError as exc:
            notices.append(Notice(shown, str(exc).removeprefix(f"{shown}: ")))
            continue
        except InputError as exc:
            click.echo(f"healthlint: error: {exc}", err=True)
            errors += 1
            continue
        result = engine.lint_document(doc, rules, ruleset.lexicon, config.context)
        notices.extend(result.notices)
        results.append(result)

    use_color = resolve_color(color, sys.stdout)
    chosen = formats.FORMATS[output_format]
    out = click.get_text_stream("stdout")
    for chunk in chosen.render(results, use_color and chosen.human):
        out.write(chunk)
    if chosen.human and not quiet:
        out.write(formats.summary(results))
    out.flush()
    if not quiet:
        for notice in notices:
            click.echo(f"healthlint: notice: {notice.path}: {notice.message}", err=True)
    if errors:
        return 2
    failing = any(f.severity >= threshold for r in results for f in r.findings)
    return 1 if failing and not exit_zero else 0


@cli.command("rules")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--rules", "rule_paths", multiple=True, type=click.Path(path_type=Path))
@_guarded
def list_rules(config_path: Path | None, rule_paths: tuple[Path, ...]) -> int:
    """List every rule: id, severity, kind, name and message."""
    config = _config(config_path)
    rules = [_with_severity(r, config.severity) for r in _ruleset(config, rule_paths).rules]
    width = max((len(r.name) for r in rules), default=4)
    click.echo(f"{'ID':<6} {'SEVERITY':<8} {'KIND':<10} {'NAME':<{width}} MESSAGE")
    for r in sorted(rules, key=lambda r: r.id):
        message = " ".join(r.message.split())
        click.echo(f"{r.id:<6} {r.severity!s:<8} {r.kind_name:<10} {r.name:<{width}} {message}")
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
    rules = _ruleset(_config(config_path), rule_paths).rules
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


def select_rules(rules: Sequence[Rule], select: Sequence[str], ignore: Sequence[str]) -> list[Rule]:
    """Rules matching any `select` code (all when empty) and no `ignore` code; codes are ids or prefixes."""
    for code in (*select, *ignore):
        if not any(rule.id.startswith(code) for rule in rules):
            ids = [r.id for r in rules]
            raise ConfigError(f"unknown rule or prefix {code!r}{_did_you_mean(code, ids)}")
    return [r for r in rules
            if (not select or any(r.id.startswith(c) for c in select))
            and not any(r.id.startswith(c) for c in ignore)]


def resolve_color(choice: str, stream: TextIO) -> bool:
    """--color always|never, then FORCE_COLOR, then NO_COLOR, then whether stdout is a terminal."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("NO_COLOR"):
        return False
    return stream.isatty()


def _with_severity(rule: Rule, overrides: dict[str, Severity] | Any) -> Rule:
    """The rule with the config's severity override whose code is its longest matching prefix."""
    codes = [code for code in overrides if rule.id.startswith(code)]
    if not codes:
        return rule
    return dataclasses.replace(rule, severity=overrides[max(codes, key=len)])


def _config(path: Path | None) -> Config:
    return load_config(path if path is not None else find_config(Path.cwd()))


def _ruleset(config: Config, extra: Iterable[Path]) -> Any:
    from healthlint import rulefile

    builtin = rulefile.load_rules()
    more = [*config.rules, *extra]
    if not more:
        return builtin
    added = rulefile.load_rules(more, builtin.lexicon)
    clash = {r.id for r in builtin.rules} & {r.id for r in added.rules}
    if clash:
        rule = next(r for r in added.rules if r.id in clash)
        raise HealthlintError(f"{rule.origin}: {rule.id}: duplicate id; a built-in rule already uses it")
    return dataclasses.replace(builtin, rules=builtin.rules + added.rules)


def _inputs(paths: Iterable[Path], excludes: Any, force_exclude: bool,
            stdin_filename: str | None) -> Iterable[tuple[Path, bytes | Exception]]:
    """(path, bytes) for each file to lint, or (path, error) for one that cannot be read."""
    from healthlint import discovery

    for top in paths:
        if str(top) == "-":
            yield Path("-"), sys.stdin.buffer.read()
            continue
        try:
            files = list(discovery.discover([top], excludes, force_exclude=force_exclude))
        except FileNotFoundError:
            yield top, InputError(f"{_display(top)}: no such file or folder")
            continue
        for path in files:
            try:
                yield path, path.read_bytes()
            except OSError as exc:
                yield path, InputError(f"{_display(path)}: cannot read: {exc.strerror or exc}")


def _display(path: Path) -> str:
    """The path as findings show it: relative to the working folder when inside it, with '/'."""
    if str(path) == "-":
        return "-"
    text = os.path.normpath(path)
    if os.path.isabs(text):
        relative = os.path.relpath(text)
        if not relative.startswith(".."):
            text = relative
    return Path(text).as_posix()


def _split(codes: Iterable[str]) -> tuple[str, ...]:
    return tuple(c.strip().upper() for item in codes for c in item.split(",") if c.strip())


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="healthlint")
