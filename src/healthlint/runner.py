"""The run behind `healthlint check`: which files, under which settings, each linted once.

Each file gets the settings of its nearest config file (ruff's rule: no implicit merging, `extend`
to inherit), compiled once per config: its rules, selection, severity overrides, per-file ignores
and context. `--config` makes one file apply to everything. Nothing here prints: problems with a
file become error lines in the returned `Run`, and the other files are still linted.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, NamedTuple

from healthlint import cache, discovery, engine, readers, resultcache, rulefile
from healthlint.config import Config, find_config, load_config
from healthlint.errors import BinaryFileError, ConfigError, HealthlintError, InputError
from healthlint.model import Document, FileResult, Notice, Rule, Severity


@dataclass(frozen=True)
class Options:
    """What the command line says; it wins over every config file."""

    config_path: Path | None = None  # one config for every file instead of the nearest one
    rule_paths: tuple[Path, ...] = ()  # extra rule files or folders
    select: tuple[str, ...] = ()  # replaces the config's selection when given
    ignore: tuple[str, ...] = ()  # added to the config's
    force_exclude: bool = False  # config excludes apply to files named explicitly too
    stdin_filename: str | None = None  # name (and so type) of the text read from '-'


@dataclass(frozen=True)
class Settings:
    """One config file, compiled: the rules that run under it and how."""

    config: Config
    rules: tuple[Rule, ...]  # those that run: selected, with severity overrides
    lexicon: rulefile.Lexicon
    all_rules: tuple[Rule, ...]  # every rule that exists under this config
    fingerprint: str = ""  # what the findings depend on besides the file ("": results are not cached)

    @functools.cached_property
    def known_ids(self) -> frozenset[str]:
        return frozenset(rule.id for rule in self.all_rules)

    def rules_for(self, path: Path) -> list[Rule]:
        """The rules minus the config's per-file ignores that match `path`."""
        ignored = [codes for pattern, codes in self.config.per_file_ignores if discovery.matches([pattern], path)]
        if not ignored:
            return list(self.rules)
        return [r for r in self.rules if not any(r.id.startswith(c) for codes in ignored for c in codes)]


class Linted(NamedTuple):
    """What linting one file gave."""

    result: FileResult | None
    error: str | None
    notices: tuple[Notice, ...]
    key: str | None = None  # the results-cache key of the bytes linted, when the run caches results


@dataclass
class Run:
    results: list[FileResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)


class Runner:
    """Lints paths under the settings that apply to each; settings are compiled once per config."""

    def __init__(self, options: Options, stdin: BinaryIO | None = None) -> None:
        self.options = options
        self.stdin = stdin
        self._settings: dict[Path | None, Settings] = {}
        self._builtin: rulefile.RuleSet | None = None
        self._config_paths: dict[Path, Path | None] = {}  # folder -> its nearest config
        self._keyed = False  # whether lint_file keys its results for the results cache (during `run`)

    def rule_index(self) -> dict[str, Rule]:
        """Every rule of every config used so far, by id: the metadata reports such as SARIF need."""
        return {rule.id: rule for settings in self._settings.values() for rule in settings.rules}

    def fail_on(self) -> Severity:
        """The threshold of the config that applies to the working folder (default warning)."""
        return self.settings_for(Path.cwd() / "-").config.fail_on or Severity.WARNING

    def run(self, paths: Sequence[Path], jobs: int = 1) -> Run:
        """Lint every file under `paths` ('-' is standard input); `jobs` > 1 uses that many processes
        when the batch is big enough to gain (0: one per CPU). Results are sorted by path.

        Files whose findings are in the results cache are not linted again; only the others are shared
        among processes, so a re-run over unchanged files starts none.
        """
        run = Run()
        store = resultcache.Store.open()
        targets = list(self._targets(paths, run))
        for path in targets:
            self.settings_for(path)  # compiled before any fork, so workers inherit them
        outcomes: list[Linted | None] = [None] * len(targets)
        if store is not None:
            outcomes = [self._cached(store, path) for path in targets]
        todo = [index for index, outcome in enumerate(outcomes) if outcome is None]
        self._keyed = store is not None
        for index, linted in zip(todo, self._lint_all([targets[i] for i in todo], jobs), strict=True):
            outcomes[index] = linted
            # a result with a notice is not kept: the notice may say a rule timed out on a busy machine
            if store is not None and linted.key is not None and linted.result is not None and not linted.notices:
                store.put(linted.key, linted.result.document.format, linted.result.findings)
        if store is not None:
            store.save()
        for result, error, notices, _ in outcomes:  # type: ignore[misc]  # every outcome is filled by now
            if error:
                run.errors.append(error)
            run.notices.extend(notices)
            if result is not None:
                run.results.append(result)
        run.results.sort(key=lambda r: r.document.path)  # deterministic whatever the order of arguments
        return run

    def _lint_all(self, targets: list[Path], jobs: int) -> list[Linted]:
        workers = _worker_count(jobs, targets)
        if workers <= 1:
            return [self.lint_file(path) for path in targets]
        import concurrent.futures
        import multiprocessing

        global _WORKER  # the fork pool's workers inherit the compiled settings through it
        _WORKER = self
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
            chunk = max(1, min(32, len(targets) // (workers * 4)))  # small enough to balance the load
            return list(pool.map(_lint_in_worker, targets, chunksize=chunk))

    def _cached(self, store: resultcache.Store, path: Path) -> Linted | None:
        """The file's outcome from the results cache, or None."""
        if str(path) == "-":
            return None
        try:
            data = path.read_bytes()
        except OSError:
            return None  # linting it reports the error
        key = self._key(path, data)
        hit = store.get(key) if key else None
        if hit is None:
            return None
        shown = display(path)
        format, findings = hit
        return Linted(FileResult(Document(shown, readers.decode(data, shown), "", format), findings), None, ())

    def _key(self, path: Path, data: bytes) -> str | None:
        """The results-cache key of a file's bytes under the settings that apply to it (None: not cached)."""
        settings = self.settings_for(path)
        if not settings.fingerprint:
            return None
        return resultcache.key(data, display(path), settings.fingerprint, [r.id for r in settings.rules_for(path)])

    def lint_file(self, path: Path) -> Linted:
        """The result, error or notices for one file; '-' reads standard input."""
        is_stdin = str(path) == "-"
        shown = (self.options.stdin_filename or "-") if is_stdin else display(path)
        try:
            data = (self.stdin.read() if self.stdin else b"") if is_stdin else path.read_bytes()
        except OSError as exc:
            return Linted(None, f"{shown}: cannot read: {exc.strerror or exc}", ())
        settings = self.settings_for(Path(shown) if is_stdin else path)
        try:
            doc = readers.load(shown, data, readers.format_for(shown) or "text" if is_stdin else None)
        except BinaryFileError as exc:
            return Linted(None, None, (Notice(shown, str(exc).removeprefix(f"{shown}: ")),))
        except InputError as exc:
            return Linted(None, str(exc), ())
        result = engine.lint_document(doc, settings.rules_for(path), settings.lexicon, settings.config.context,
                                      settings.known_ids)
        key = self._key(path, data) if self._keyed and not is_stdin else None  # of the very bytes linted
        return Linted(FileResult(doc.for_report(), result.findings, result.notices), None, result.notices, key)

    def settings_for(self, path: Path) -> Settings:
        """The compiled settings of the config nearest to `path` (or of `--config`)."""
        config_path = self.options.config_path
        if config_path is None:
            folder = Path(os.path.abspath(path)).parent
            config_path = find_config(folder, self._config_paths)
        if config_path not in self._settings:
            self._settings[config_path] = self._compile(load_config(config_path))
        return self._settings[config_path]

    def _compile(self, config: Config) -> Settings:
        builtin = self._builtin = self._builtin or rulefile.load_rules()
        extra = [*config.rules, *self.options.rule_paths]
        rules = list(builtin.rules)
        added_key = ""
        if extra:
            loaded = rulefile.load_rules(extra, builtin.lexicon)
            added, added_key = loaded.rules, loaded.key
            taken = {r.id for r in rules}
            for rule in added:
                if rule.id in taken:
                    raise HealthlintError(f"{rule.origin}: {rule.id}: duplicate id; a built-in rule already uses it")
            rules += added
        for key, codes in (("select", config.select), ("ignore", config.ignore), ("severity", config.severity)):
            try:
                select_rules(rules, codes, ())
            except ConfigError as exc:
                raise ConfigError(f"{config.where(key)}: {exc}") from None
        select = self.options.select or config.select
        enable = ("HL003",) if config.require_reason else ()  # suppression-without-reason
        chosen = select_rules(rules, select, (*config.ignore, *self.options.ignore), enable)
        chosen = [with_severity(rule, config.severity) for rule in chosen]
        fingerprint = ""
        if builtin.key and (not extra or added_key):
            fingerprint = cache.key([builtin.key, added_key, repr(config.context),
                                     *sorted(r.id for r in rules), *(f"{r.id}={r.severity}" for r in chosen)])
        return Settings(config, tuple(chosen), builtin.lexicon, tuple(rules), fingerprint)

    def _targets(self, paths: Iterable[Path], run: Run) -> Iterator[Path]:
        """The files to lint, in order; a missing path becomes an error in `run`."""
        for top in paths:
            if str(top) == "-":
                yield Path("-")
                continue
            excludes = discovery.Excludes(self.settings_for(top / "-" if top.is_dir() else top).config.exclude)
            try:
                files = list(discovery.discover([top], excludes, force_exclude=self.options.force_exclude))
            except FileNotFoundError:
                run.errors.append(f"{display(top)}: no such file or folder")
                continue
            for path in files:
                own = discovery.Excludes(self.settings_for(path).config.exclude)
                if own.patterns and own.matches(path) and (path != top or self.options.force_exclude):
                    continue  # excluded by its own nearest config
                yield path


_WORKER: Runner | None = None
MIN_PARALLEL_FILES = 64  # below this a pool costs more than it gains (perf-notes: ~2 ms fork, 20 files 0.9x)
MIN_PARALLEL_BYTES = 256_000


def _lint_in_worker(path: Path) -> Linted:
    assert _WORKER is not None
    return _WORKER.lint_file(path)


def _worker_count(jobs: int, targets: Sequence[Path]) -> int:
    """How many processes to use: 1 unless asked for more and the batch is big enough to gain."""
    if jobs == 1 or len(targets) < MIN_PARALLEL_FILES or any(str(t) == "-" for t in targets):
        return 1
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return 1  # workers would have to recompile every rule; not worth it
    try:
        size = sum(t.stat().st_size for t in targets)
    except OSError:
        size = MIN_PARALLEL_BYTES
    if size < MIN_PARALLEL_BYTES:
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cpus if jobs <= 0 else jobs, len(targets)))


def select_rules(rules: Sequence[Rule], select: Sequence[str], ignore: Sequence[str],
                 enable: Sequence[str] = ()) -> list[Rule]:
    """Rules matching any `select` code (all when empty) and no `ignore` code; codes are ids or prefixes.

    A rule that is off by default runs only when selected by its full id or named in `enable`.
    """
    for code in (*select, *ignore):
        if not any(rule.id.startswith(code) for rule in rules):
            import difflib

            close = difflib.get_close_matches(code, [r.id for r in rules], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ConfigError(f"unknown rule or prefix {code!r}{hint}")
    chosen = []
    for rule in rules:
        wanted = any(rule.id.startswith(c) for c in select) if select else True
        if not rule.enabled:
            wanted = rule.id in select or rule.id in enable
        if wanted and not any(rule.id.startswith(c) for c in ignore):
            chosen.append(rule)
    return chosen


def with_severity(rule: Rule, overrides: Mapping[str, Severity]) -> Rule:
    """The rule with the override whose code is its longest matching prefix."""
    codes = [code for code in overrides if rule.id.startswith(code)]
    if not codes:
        return rule
    return dataclasses.replace(rule, severity=overrides[max(codes, key=len)])


def display(path: Path) -> str:
    """The path as findings show it: relative to the working folder when inside it, with '/'."""
    if str(path) == "-":
        return "-"
    text = os.path.normpath(path)
    if os.path.isabs(text):
        relative = os.path.relpath(text)
        if not relative.startswith(".."):
            text = relative
    return Path(text).as_posix()
