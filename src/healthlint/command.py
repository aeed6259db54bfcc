"""The `check` command itself, free of click: its options, the command, and a reader for the plain
command lines that pre-commit and CI write.

pre-commit starts `healthlint check FILE...` once per few files, and importing click (with `inspect`,
which it needs) is a fifth of such a run. So `healthlint.__main__` reads a plain `check` command line
with `parse` and calls `check` directly; anything else (help, `--version`, another command, a value
click would reject or convert differently) goes to click in `healthlint.cli`, which declares the same
options from `OPTIONS`. A test checks the two readings agree on generated command lines.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TextIO

from healthlint.errors import HealthlintError, InputError
from healthlint.model import Severity

if TYPE_CHECKING:
    from healthlint.model import FileResult
    from healthlint.runner import Run

# kept equal to formats.FORMATS by a test; avoids an import
FORMAT_NAMES = ("concise", "full", "json", "json-lines", "sarif", "github", "gitlab", "junit")


class Option(NamedTuple):
    """One option of `check`.

    kind   'flag' (no value), 'value' (the last one given wins) or 'many' (every one, in order)
    type   'text'; 'path'; 'file' (a path that must not be a folder); 'count' (a whole number, 0 or
           more); 'choice' (one of `choices`)
    """

    flags: tuple[str, ...]
    dest: str
    kind: str = "value"
    type: str = "text"
    choices: tuple[str, ...] = ()
    default: Any = None
    envvar: str | None = None
    help: str = ""
    metavar: str | None = None
    show_default: bool = False

    @property
    def unset(self) -> Any:
        """The value when the option is not given: (), False, or `default`."""
        return () if self.kind == "many" else False if self.kind == "flag" else self.default


OPTIONS = (
    Option(("--format",), "output_format", type="choice", choices=FORMAT_NAMES, default="full",
           envvar="HEALTHLINT_FORMAT", show_default=True, help="How findings are printed."),
    Option(("-o", "--output-file"), "output_file", type="file",
           help="Write the report to this file instead of standard output."),
    Option(("--statistics",), "statistics", "flag",
           help="Print the number of findings per rule instead of the findings."),
    Option(("--select",), "select", "many", metavar="CODES",
           help="Only these rules (ids or prefixes, comma-separated)."),
    Option(("--ignore",), "ignore", "many", metavar="CODES", help="Skip these rules (ids or prefixes)."),
    Option(("--fail-on",), "fail_on", type="choice", choices=("error", "warning", "info"),
           help="Lowest severity that fails the run (default: warning; info never fails)."),
    Option(("--exit-zero",), "exit_zero", "flag",
           help="Exit 0 even when there are findings (errors still exit 2)."),
    Option(("--baseline",), "baseline_path", type="file",
           help="Report only findings not recorded in this baseline file."),
    Option(("--write-baseline",), "write_baseline", type="file",
           help="Record today's findings in this file (then exit 0) for adoption on an existing site."),
    Option(("--config",), "config_path", type="file",
           help="Use this config file for every file instead of the nearest one."),
    Option(("--rules",), "rule_paths", "many", type="path",
           help="Extra rule files or folders (on top of the built-in packs)."),
    Option(("--stdin-filename",), "stdin_filename", help="Name (and so type) of the text read from '-'."),
    Option(("--force-exclude",), "force_exclude", "flag",
           help="Apply config excludes to files named on the command line too."),
    Option(("-j", "--jobs"), "jobs", type="count",
           help="Processes to lint with (0: one per CPU). Default: one per CPU for big batches, 1 under pre-commit."),
    Option(("--no-cache",), "no_cache", "flag",
           help="Compile the rule packs instead of using the cached compilation."),
    Option(("-q", "--quiet"), "quiet", "flag", help="Print findings only: no summary, no notices."),
    Option(("--color",), "color", type="choice", choices=("auto", "always", "never"), default="auto",
           show_default=True),
)


def parse(argv: Sequence[str]) -> dict[str, Any] | None:
    """The parameters of `[--verbose] check [OPTION | PATH]...` as click would read them (`paths`,
    `verbose` and every option's `dest`), or None when the line is anything else or anything click
    might read differently or reject: click then handles it, with its messages."""
    args = list(argv)
    verbose = args[:1] == ["--verbose"]
    if verbose:
        del args[0]
    if args[:1] != ["check"]:
        return None
    by_flag = {flag: option for option in OPTIONS for flag in option.flags}
    values: dict[str, Any] = {}
    paths: list[Path] = []
    rest = iter(args[1:])
    for arg in rest:
        if arg == "--":  # only paths follow
            tail = list(rest)
            if "" in tail:
                return None
            paths.extend(map(Path, tail))
            break
        if not arg:
            return None  # click reads "" as the current folder: leave such lines to it
        if arg == "-" or not arg.startswith("-"):
            paths.append(Path(arg))
            continue
        if arg.startswith("--"):
            name, equals, attached = arg.partition("=")
        else:  # -q, -o FILE, -oFILE, -j2
            name, attached = arg[:2], arg[2:]
            equals = "=" if attached else ""
        option = by_flag.get(name)
        if option is None:
            return None
        if option.kind == "flag":
            if equals:
                return None  # "--quiet=yes", "-qj2": click's to judge
            values[option.dest] = True
            continue
        raw = attached if equals else next(rest, None)
        value = None if raw is None or raw.startswith("-") else _convert(option, raw)
        if value is None:
            return None
        if option.kind == "many":
            values.setdefault(option.dest, []).append(value)
        else:
            values[option.dest] = value
    params: dict[str, Any] = {"paths": tuple(paths), "verbose": verbose}
    for option in OPTIONS:
        if option.dest in values:
            given = values[option.dest]
            params[option.dest] = tuple(given) if option.kind == "many" else given
            continue
        if option.envvar and os.environ.get(option.envvar):
            value = _convert(option, os.environ[option.envvar])
            if value is None:
                return None
            params[option.dest] = value
            continue
        params[option.dest] = option.unset
    return params


def _convert(option: Option, raw: str) -> Any:
    """The value click would make of `raw`, or None where it might differ or refuse."""
    if not raw:
        return None
    if option.type == "choice":
        return raw if raw in option.choices else None
    if option.type == "count":
        return int(raw) if raw.isascii() and raw.isdigit() else None
    if option.type == "path":
        return Path(raw)
    if option.type == "file":
        return None if os.path.isdir(raw) else Path(raw)
    return raw


def guarded(action: Callable[[], int], verbose: bool, passing: tuple[type[Exception], ...] = ()) -> int:
    """Run a command and turn any error into one line on standard error and exit code 2; `passing`
    errors are raised on (click's own, which click reports)."""
    try:
        return action()
    except passing:
        raise
    except HealthlintError as exc:
        echo_error(f"healthlint: error: {exc}")
    except (KeyboardInterrupt, BrokenPipeError):
        pass
    except Exception as exc:  # the one broad catch: never a traceback for a user
        echo_error(f"healthlint: internal error: {type(exc).__name__}: {exc} (please report this;"
                   " --verbose shows the traceback)")
        if verbose:
            import traceback  # only here: it costs milliseconds at every start

            traceback.print_exc()
    return 2


def echo_error(message: str) -> None:
    if sys.stderr is not None:  # None: started with standard error closed (`2>&-`)
        sys.stderr.write(message + "\n")
        sys.stderr.flush()


def check(paths: tuple[Path, ...], output_format: str, output_file: Path | None, statistics: bool,
          select: tuple[str, ...], ignore: tuple[str, ...], fail_on: str | None, exit_zero: bool,
          baseline_path: Path | None, write_baseline: Path | None, config_path: Path | None,
          rule_paths: tuple[Path, ...], stdin_filename: str | None, force_exclude: bool, jobs: int | None,
          no_cache: bool, quiet: bool, color: str) -> int:
    """Lint files and folders (default: the current folder)."""
    from healthlint import cache, formats, lazy, runner

    if no_cache:
        os.environ["HEALTHLINT_NO_CACHE"] = "1"  # read by the rule loader (healthlint.cache)
    patterns = cache.key(["patterns", cache.code_fingerprint(), sys.version])  # sre's code for lazy patterns
    lazy.learn(cache.load(patterns, "patterns"))
    options = runner.Options(config_path=config_path, rule_paths=rule_paths, select=_split(select),
                             ignore=_split(ignore), force_exclude=force_exclude, stdin_filename=stdin_filename)
    lint = runner.Runner(options, stdin=getattr(sys.stdin, "buffer", None))  # None: no stdin (a closed one)
    threshold = Severity.parse(fail_on) if fail_on else lint.fail_on()
    _started()
    if jobs is None:  # pre-commit already runs one process per CPU, each on a few files
        jobs = 1 if os.environ.get("PRE_COMMIT") else 0
    run = lint.run(paths or (Path("."),), jobs)
    try:
        results: Iterable[FileResult] = run.results  # streamed: each file is reported as soon as it is linted

        if write_baseline is not None or baseline_path is not None:
            from healthlint import baseline

            results = list(results)  # a baseline is about the whole run
        if write_baseline is not None:
            write_atomically(write_baseline, baseline.dump(results))
            found = sum(len(r.findings) for r in results)
            _echo_problems(run, quiet=True)
            echo_error(f"healthlint: wrote {found} findings to {write_baseline}")
            return 2 if run.errors else 0
        if baseline_path is not None:
            try:
                recorded = baseline.load(baseline_path.read_text(encoding="utf-8"), str(baseline_path))
            except OSError as exc:
                raise InputError(f"{baseline_path}: cannot read: {exc.strerror or exc}") from None
            filtered = baseline.apply(results, recorded)
            results = filtered.results
            if not quiet and filtered.stale:
                echo_error(f"healthlint: {filtered.stale} baseline entries no longer occur; "
                           f"rewrite it with --write-baseline {baseline_path}")

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
            write_atomically(output_file, chunks)
        else:
            write_out(chunks)
        for _ in results:  # a format that stopped early (none does) must not leave files unlinted
            pass
        _echo_problems(run, quiet)
        learned = lazy.known()
        if learned:
            cache.store(patterns, learned, "patterns")
        if run.errors:
            return 2
        failing = tally.worst is not None and tally.worst >= threshold
        return 1 if failing and not exit_zero else 0
    finally:  # a report that stops half-way (a closed pipe, an error) must not wait for every file
        run.results.close()


def _started() -> None:
    """The rules are loaded. If `__main__` paused the garbage collector for the start-up, resume it,
    first moving what the start-up built (modules, the rule set, which live to the end) out of its
    reach for good, so later collections (and a fork pool's workers) never scan them again."""
    import gc

    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def write_out(chunks: Iterable[str], batch: int = 1 << 16) -> None:
    """Write the report to standard output in pieces of about `batch` characters: a write per finding
    is a system call each where output is unbuffered (PYTHONUNBUFFERED, common in containers). A
    terminal gets each finding as it comes."""
    out = sys.stdout
    if out is None:  # started with standard output closed (`>&-`): the exit code still tells
        for _ in chunks:
            pass
        return
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
        echo_error(f"healthlint: error: {error}")
    if not quiet:
        for notice in run.notices:
            echo_error(f"healthlint: notice: {notice.path}: {notice.message}")


def resolve_color(choice: str, stream: TextIO | None) -> bool:
    """--color always|never, then FORCE_COLOR, then NO_COLOR, then whether stdout is a terminal."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("NO_COLOR"):
        return False
    return stream is not None and stream.isatty()


def write_atomically(path: Path, text: str | Iterable[str]) -> None:
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
