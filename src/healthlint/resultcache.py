"""The findings of files linted before, so a re-run over unchanged files costs little more than reading them.

As in ruff, an entry is keyed by everything the findings depend on: the file's bytes and the name it
is shown under (which picks the reader), the rules that ran on it with their severities and the
content of every rule file (`Settings.fingerprint`), and the healthlint code itself. Any change is a
miss, never a stale hit. An entry holds only the findings and the reader's format: the runner has
the bytes already and decodes them again for the report.

Entries are kept in SHARDS files, `<cache folder>/results/<two hex digits>.pickle` (the folder of
`healthlint.cache`; off with the rest of the cache), chosen by the key's first two digits: a run loads
only the shards its files need and writes each shard it added to once, at the end, instead of creating
a file per linted file (file creation costs up to a millisecond on a busy disk, more than linting a
page). 256 of them, so that a pre-commit run in a repository whose 4,000 pages are cached reads and
rewrites ~60 KB rather than ~900 KB (10 ms). A shard is written by merging with what is on disk under
an exclusive lock, to a temporary file renamed into place, so processes writing at once (pre-commit
runs several) lose nothing and never see half a shard; a shard that cannot be read is empty. Entries
not written for PRUNE_AFTER_DAYS are dropped when their shard is next written, so the folder does not
grow without end.

A long run sets its entries aside every FLUSH_EVERY files (runner.py) so that its memory stays flat:
into segment files of its own, `<first hex digit>.<pid>.<n>.segment`, which its final `save` merges
into the shards, a first hex digit at a time. Merging at each flush instead would rewrite the whole
cache every 1,000 files, quadratic in the size of the run. Segments left by a run that died before
saving are merged by the next run that saves.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import time
from collections.abc import Sequence
from pathlib import Path

from healthlint import cache
from healthlint.model import Finding, Severity, Span

PRUNE_AFTER_DAYS = 30
SHARDS = 256  # one per first two hex digits of a key
_DIGITS = 2
# what writing an entry can raise: a read-only or full disk, an entry that does not pickle
_UNWRITABLE = (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError)
_SEGMENT = ".segment"  # <first hex digit>.<pid>.<n>.segment: a run's flushed entries, until it saves
_OLD_SHARDS = [f"{digit}.pickle" for digit in "0123456789abcdef"]  # before 0.1's 256 shards: removed
_FOLDER = "results"

# An entry: (day written, reader format, findings as plain tuples: pickling them is several times faster)
Entry = tuple[int, str, tuple[tuple, ...]]


def key(data: bytes, shown: str, fingerprint: str, rule_ids: Sequence[str]) -> str:
    """The entry name for one file linted under one set of rules."""
    return cache.key([cache.code_fingerprint(), fingerprint, shown, "\x00".join(rule_ids), data])


class Store:
    """The results cache as one run sees it: shards loaded on first use, additions written by `save`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._shards: dict[str, dict[str, Entry]] = {}
        self._added: dict[str, dict[str, Entry]] = {}
        self._flushes = 0

    @classmethod
    def open(cls) -> Store | None:
        """The store in the cache folder, or None when the cache is off."""
        folder = cache.directory()
        return None if folder is None else cls(folder / _FOLDER)

    @property
    def pending(self) -> int:
        """Entries added since the last `flush` or `save`."""
        return sum(len(added) for added in self._added.values())

    def preload(self) -> None:
        """Read every shard now (before a fork, so that worker processes share them)."""
        with contextlib.suppress(OSError), os.scandir(self.folder) as entries:
            for entry in entries:
                digits = entry.name.removesuffix(".pickle")
                if len(digits) == _DIGITS and digits != entry.name and digits not in self._shards:
                    self._shards[digits] = _read(Path(entry.path))

    def get(self, name: str) -> tuple[str, tuple[Finding, ...]] | None:
        """(reader format, findings) stored under `name`, or None."""
        digit = name[:_DIGITS]
        shard = self._shards.get(digit)
        if shard is None:
            shard = self._shards[digit] = _read(self._path(digit))
        entry = shard.get(name)
        if entry is None:
            return None
        try:
            return entry[1], tuple(_finding(item) for item in entry[2])
        except (TypeError, ValueError):  # an entry of another shape: a miss
            return None

    def put(self, name: str, format: str, findings: Sequence[Finding]) -> None:
        """Remember one file's findings, to be written by `save`."""
        self._added.setdefault(name[:_DIGITS], {})[name] = (_today(), format, tuple(_plain(f) for f in findings))

    def flush(self) -> None:
        """Set the entries added so far aside, in this process's own segment files (one per first hex
        digit), so the run's memory does not grow with its files; `save` merges them into the shards.
        Writing the shards themselves here would rewrite the whole cache at every flush: quadratic in
        the number of files."""
        groups: dict[str, dict[str, dict[str, Entry]]] = {}
        for digit, added in self._added.items():
            groups.setdefault(digit[0], {})[digit] = added
        self._flushes += 1
        for group, added in groups.items():
            path = self.folder / f"{group}.{os.getpid()}.{self._flushes}{_SEGMENT}"
            with contextlib.suppress(*_UNWRITABLE):
                self.folder.mkdir(parents=True, exist_ok=True)
                _replace(path, pickle.dumps(added, protocol=pickle.HIGHEST_PROTOCOL))
        self._added.clear()

    def save(self) -> None:
        """Write every shard that got entries (now or in a flush), merged with what other processes
        wrote meanwhile, a first hex digit at a time."""
        segments = self._segments()
        digits = {digit[0] for digit in self._added} | set(segments)
        for group in sorted(digits):
            added: dict[str, dict[str, Entry]] = {}
            for path in segments.get(group, ()):
                for digit, entries in _read_segment(path).items():
                    added.setdefault(digit, {}).update(entries)
            for digit, entries in self._added.items():
                if digit[0] == group:
                    added.setdefault(digit, {}).update(entries)
            merged = True
            for digit, entries in added.items():
                try:
                    self._write(digit, entries)
                except _UNWRITABLE:
                    merged = False  # the segments stay, for the next save to try again
            for path in segments.get(group, ()) if merged else ():
                with contextlib.suppress(OSError):
                    path.unlink()
        if digits:  # a cache written before: its entries never hit again
            for old in _OLD_SHARDS:
                with contextlib.suppress(OSError):
                    (self.folder / old).unlink()
        self._added.clear()

    def _segments(self) -> dict[str, list[Path]]:
        """This process's segment files, and those of processes that ended without saving, by group."""
        found: dict[str, list[Path]] = {}
        with contextlib.suppress(OSError), os.scandir(self.folder) as entries:
            for entry in entries:
                parts = entry.name.split(".")
                if len(parts) != 4 or "." + parts[3] != _SEGMENT or not parts[1].isdigit():
                    continue
                if int(parts[1]) == os.getpid() or not _alive(int(parts[1])):
                    found.setdefault(parts[0], []).append(Path(entry.path))
        return found

    def _write(self, digit: str, added: dict[str, Entry]) -> None:
        path = self._path(digit)
        self.folder.mkdir(parents=True, exist_ok=True)
        with _locked(self.folder / f".{digit}.lock"):
            oldest = _today() - PRUNE_AFTER_DAYS
            merged = {name: entry for name, entry in _read(path).items() if entry[0] >= oldest}
            merged.update(added)
            _replace(path, pickle.dumps(merged, protocol=pickle.HIGHEST_PROTOCOL))

    def _path(self, digit: str) -> Path:
        return self.folder / f"{digit}.pickle"


def _replace(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file of this process's, renamed into place."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temp.write_bytes(data)
        os.replace(temp, path)
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()


def _read_segment(path: Path) -> dict[str, dict[str, Entry]]:
    """A segment's entries by shard, or nothing if it cannot be read."""
    try:
        with open(path, "rb") as handle:
            segment = pickle.load(handle)
    except Exception:
        return {}
    if not isinstance(segment, dict):
        return {}
    return {digit: _valid(entries) for digit, entries in segment.items()
            if isinstance(digit, str) and len(digit) == _DIGITS and isinstance(entries, dict)}


def _alive(pid: int) -> bool:
    """Whether a process with this id runs (its segments are its own to merge)."""
    if os.name != "posix":  # os.kill(pid, 0) is no probe elsewhere: leave other processes' segments be
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def _read(path: Path) -> dict[str, Entry]:
    try:
        with open(path, "rb") as handle:
            shard = pickle.load(handle)
    except Exception:  # missing, truncated or foreign: empty, and rewritten by the next save
        return {}
    if not isinstance(shard, dict):
        return {}
    return _valid(shard)


def _valid(entries: dict) -> dict[str, Entry]:
    """The entries of the shape this code writes (anything else is dropped)."""
    return {name: entry for name, entry in entries.items()
            if isinstance(name, str) and isinstance(entry, tuple) and len(entry) == 3 and isinstance(entry[0], int)}


@contextlib.contextmanager
def _locked(path: Path):  # type: ignore[no-untyped-def]
    """An exclusive lock between processes where the platform has one (else writes may lose entries)."""
    try:
        import fcntl
    except ImportError:  # Windows: the rename still keeps every shard whole
        yield
        return
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _today() -> int:
    return int(time.time() // 86400)


def _plain(f: Finding) -> tuple:
    return (f.rule_id, f.name, int(f.severity), f.message, f.span.start, f.span.end, f.suggestion, f.document)


def _finding(item: tuple) -> Finding:
    rule_id, name, severity, message, start, end, suggestion, document = item
    return Finding(rule_id, name, Severity(severity), message, Span(start, end), suggestion, document)
