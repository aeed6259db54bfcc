"""The command line: `check`, `rules`, `explain`, `test-rules`. With `command` (the click-free `check`
that `__main__` runs for plain command lines), the only module that prints or exits.

Exit codes: 0 clean, 1 findings at or above `--fail-on`, 2 usage, config or I/O error (never a
traceback; `--verbose` shows one for an internal error).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click

from healthlint import __version__, command
from healthlint.command import FORMAT_NAMES
from healthlint.errors import HealthlintError

__all__ = ["FORMAT_NAMES", "cli", "main"]


def _guarded(action: Callable[..., int]) -> Callable[..., None]:
    """Turn a command's return value into the exit code, and any error into one line and exit 2
    (`command.guarded`); click's own usage errors still reach click."""

    @functools.wraps(action)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        ctx = click.get_current_context()
        verbose = bool(ctx.find_root().params.get("verbose"))
        ctx.exit(command.guarded(lambda: action(*args, **kwargs), verbose, passing=(click.ClickException,)))

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="healthlint")
@click.option("--verbose", is_flag=True, help="Show a traceback for internal errors.")
def cli(verbose: bool) -> None:
    """healthlint: a compliance linter for health marketing copy (Markdown, HTML, plain text)."""


def _declare(options: Iterable[command.Option]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Click options for `command.OPTIONS`, in their order (the fast path in `command.parse` reads the
    same table)."""
    types = {"text": None, "path": click.Path(path_type=Path), "file": click.Path(path_type=Path, dir_okay=False),
             "count": click.IntRange(min=0)}

    def apply(function: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(tuple(options)):
            kind = click.Choice(option.choices) if option.type == "choice" else types[option.type]
            function = click.option(*option.flags, option.dest, is_flag=option.kind == "flag",
                                    multiple=option.kind == "many", type=None if option.kind == "flag" else kind,
                                    default=option.unset, envvar=option.envvar, help=option.help or None,
                                    metavar=option.metavar, show_default=option.show_default)(function)
        return function

    return apply


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, allow_dash=True))
@_declare(command.OPTIONS)
@_guarded
def check(**params: Any) -> int:
    """Lint files and folders (default: the current folder)."""
    return command.check(**params)


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


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="healthlint")
