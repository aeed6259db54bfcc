"""The run behind `healthlint check`: which files, under which settings, each linted once.

Each file gets the settings of its nearest config file (ruff's rule: no implicit merging, `extend`
to inherit), compiled once per config: its rules, selection, severity overrides, per-file ignores
and context. `--config` makes one file apply to everything. Nothing here prints: problems with a
file become error lines in the returned `Run`, and the other files are still linted.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO, NamedTuple

from healthlint import cache, discovery, engine, readers, resultcache, rulefile
from healthlint.config import Config, find_config, load_config
from healthlint.errors import BinaryFileError, ConfigError, HealthlintError, InputError
from healthlint.model import Document, FileResult, Notice, Rule, Severity


class Options(NamedTuple):
    """What the command line says; it wins over every config file."""

    config_path: Path | None = None  # one config for every file instead of the nearest one
    rule_paths: tuple[Path, ...] = ()  # extra rule files or folders
    select: tuple[str, ...] = ()  # replaces the config's selection when given
    ignore: tuple[str, ...] = ()  # added to the config's
    force_exclude: bool = False  # config excludes apply to files named explicitly too
    stdin_filename: str | None = None  # name (and so type) of the text read from '-'


class Settings:
    """One config file, compiled: the rules that run under it and how. Read, never changed."""

    __slots__ = ("_rule_ids", "all_rules", "config", "fingerprint", "known_ids", "lexicon", "rules")

    def __init__(self, config: Config, rules: tuple[Rule, ...], lexicon: rulefile.Lexicon,
                 all_rules: tuple[Rule, ...], fingerprint: str = "") -> None:
        self.config = config
        self.rules = rules  # those that run: selected, with severity overrides
        self.lexicon = lexicon
        self.all_rules = all_rules  # every rule that exists under this config
        self.fingerprint = fingerprint  # what the findings depend on besides the file ("": results are not cached)
        self.known_ids = frozenset(rule.id for rule in all_rules)
        self._rule_ids = tuple(rule.id for rule in rules)

    def rule_ids(self, path: Path) -> tuple[str, ...]:
        """The ids of `rules_for(path)`, in order."""
        if not self.config.per_file_ignores:
            return self._rule_ids
        return tuple(rule.id for rule in self.rules_for(path))

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


class Run:
    """A run's outcome: `results` is consumed once, and errors and notices are complete after it."""

    __slots__ = ("errors", "notices", "results")

    def __init__(self) -> None:
        self.results: Generator[FileResult, None, None] = (r for r in ())
        self.errors: list[str] = []
        self.notices: list[Notice] = []


class Runner:
    """Lints paths under the settings that apply to each; settings are compiled once per config."""

    def __init__(self, options: Options, stdin: BinaryIO | None = None) -> None:
        self.options = options
        self.stdin = stdin
        self._settings: dict[Path | None, Settings] = {}
        self._builtin: rulefile.RuleSet | None = None
        self._config_paths: dict[Path, Path | None] = {}  # folder -> its nearest config
        self._by_folder: dict[str, Settings] = {}  # a file's folder as named -> its settings
        self._display: dict[Path, str] = {}
        self._keyed = False  # whether lint_file keys its results for the results cache (during `run`)

    def rule_index(self) -> dict[str, Rule]:
        """Every rule of every config used so far, by id: the metadata reports such as SARIF need."""
        return {rule.id: rule for settings in self._settings.values() for rule in settings.rules}

    def fail_on(self) -> Severity:
        """The threshold of the config that applies to the working folder (default warning)."""
        return self.settings_for(Path.cwd() / "-").config.fail_on or Severity.WARNING

    def run(self, paths: Sequence[Path], jobs: int = 1) -> Run:
        """Lint every file under `paths` ('-' is standard input); `jobs` > 1 uses that many processes
        when the batch is big enough to gain (0: one per CPU).

        The results stream: `Run.results` yields each file's result in path order as it is ready, so
        a report is written while later files are linted and memory does not grow with their number.
        `Run.errors` and `Run.notices` are complete once the results are exhausted. Files whose
        findings are in the results cache are not linted again.
        """
        run = Run()
        shown = {path: self._shown(path) for path in self._targets(paths, run)}
        targets = sorted(shown, key=shown.__getitem__)  # the report's order, whatever the arguments'
        run.results = self._stream(targets, jobs, run)
        return run

    def _stream(self, targets: list[Path], jobs: int, run: Run) -> Generator[FileResult, None, None]:
        store = resultcache.Store.open()
        self._keyed = store is not None
        for path in targets:
            self.settings_for(path)  # compiled before any fork, so workers inherit them
        for linted in self._lint_all(targets, jobs, store):
            result, error, notices, key = linted
            # a result with a notice is not kept: the notice may say a rule timed out on a busy machine
            if store is not None and key is not None and result is not None and not notices:
                store.put(key, result.document.format, result.findings)
                if store.pending >= FLUSH_EVERY:
                    store.flush()  # set aside as the run goes: its memory does not grow with the files
            if error:
                run.errors.append(error)
            run.notices.extend(notices)
            if result is not None:
                yield result
        if store is not None:
            store.save()

    def _lint_all(self, targets: list[Path], jobs: int, store: resultcache.Store | None) -> Iterator[Linted]:
        """Each target's outcome, in order: from the results cache, or linted here or in a worker."""
        workers = _worker_count(jobs, targets)
        if workers <= 1:
            for path in targets:
                yield self.lint_cached(path, store)
            return
        import concurrent.futures
        import multiprocessing

        global _WORKER  # the fork pool's workers inherit the compiled settings and loaded shards through it
        if store is not None:
            store.preload()  # read once here and shared, rather than once in every worker
        _WORKER = (self, store)
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
            chunk = max(1, min(32, len(targets) // (workers * 4)))  # small enough to balance the load
            # closed early (a report that fails half-way), map cancels the chunks not yet started
            yield from pool.map(_lint_in_worker, targets, chunksize=chunk)

    def lint_cached(self, path: Path, store: resultcache.Store | None) -> Linted:
        """The file's outcome from the results cache, else from linting it."""
        if store is None or str(path) == "-":
            return self.lint_file(path)
        try:
            data = path.read_bytes()
        except OSError:
            return self.lint_file(path)  # which reports the error
        key = self._key(path, data)
        hit = store.get(key) if key else None
        if hit is None:
            return self.lint_file(path, data, key)
        shown = self._shown(path)
        format, findings = hit
        return Linted(FileResult(Document(shown, readers.decode(data, shown), "", format), findings), None, ())

    def _key(self, path: Path, data: bytes) -> str | None:
        """The results-cache key of a file's bytes under the settings that apply to it (None: not cached)."""
        settings = self.settings_for(path)
        if not settings.fingerprint:
            return None
        return resultcache.key(data, self._shown(path), settings.fingerprint, settings.rule_ids(path))

    def lint_file(self, path: Path, data: bytes | None = None, key: str | None = None) -> Linted:
        """The result, error or notices for one file; '-' reads standard input. `data` are the file's
        bytes if already read, and `key` their results-cache key."""
        is_stdin = str(path) == "-"
        shown = (self.options.stdin_filename or "-") if is_stdin else self._shown(path)
        if data is None:
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
        if key is None and self._keyed and not is_stdin:
            key = self._key(path, data)  # of the very bytes linted
        return Linted(FileResult(doc.for_report(), result.findings, result.notices), None, result.notices, key)

    def settings_for(self, path: Path) -> Settings:
        """The compiled settings of the config nearest to `path` (or of `--config`)."""
        folder = os.path.dirname(path)  # the working folder does not change during a run
        settings = self._by_folder.get(folder)
        if settings is None:
            settings = self._by_folder[folder] = self._settings_in(path)
        return settings

    def _settings_in(self, path: Path) -> Settings:
        config_path = self.options.config_path
        if config_path is None:
            folder = Path(os.path.abspath(path)).parent
            config_path = find_config(folder, self._config_paths)
        if config_path not in self._settings:
            self._settings[config_path] = self._compile(load_config(config_path))
        return self._settings[config_path]

    def _shown(self, path: Path) -> str:
        shown = self._display.get(path)
        if shown is None:
            shown = self._display[path] = display(path)
        return shown

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


_WORKER: tuple[Runner, resultcache.Store | None] | None = None
FLUSH_EVERY = 1000  # results-cache entries held before they are written
MIN_PARALLEL_FILES = 64  # below this a pool costs more than it gains (perf-notes: ~2 ms fork, 20 files 0.9x)
MIN_PARALLEL_BYTES = 256_000


def _lint_in_worker(path: Path) -> Linted:
    assert _WORKER is not None
    runner, store = _WORKER
    return runner.lint_cached(path, store)


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
    return rule._replace(severity=overrides[max(codes, key=len)])


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
