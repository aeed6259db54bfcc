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

    @classmethod
    def open(cls) -> Store | None:
        """The store in the cache folder, or None when the cache is off."""
        folder = cache.directory()
        return None if folder is None else cls(folder / _FOLDER)

    @property
    def pending(self) -> int:
        """Entries added since the last `save`."""
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

    def save(self) -> None:
        """Write every shard that got entries, merged with what other processes wrote meanwhile."""
        for digit, added in self._added.items():
            with contextlib.suppress(OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError):
                self._write(digit, added)
        if self._added:  # a cache written before: its entries never hit again
            for old in _OLD_SHARDS:
                with contextlib.suppress(OSError):
                    (self.folder / old).unlink()
        self._added.clear()

    def _write(self, digit: str, added: dict[str, Entry]) -> None:
        path = self._path(digit)
        self.folder.mkdir(parents=True, exist_ok=True)
        with _locked(self.folder / f".{digit}.lock"):
            oldest = _today() - PRUNE_AFTER_DAYS
            merged = {name: entry for name, entry in _read(path).items() if entry[0] >= oldest}
            merged.update(added)
            temp = path.with_name(f".{digit}.{os.getpid()}.tmp")  # one writer per process and shard
            try:
                temp.write_bytes(pickle.dumps(merged, protocol=pickle.HIGHEST_PROTOCOL))
                os.replace(temp, path)
            finally:
                with contextlib.suppress(OSError):
                    temp.unlink()

    def _path(self, digit: str) -> Path:
        return self.folder / f"{digit}.pickle"


def _read(path: Path) -> dict[str, Entry]:
    try:
        with open(path, "rb") as handle:
            shard = pickle.load(handle)
    except Exception:  # missing, truncated or foreign: empty, and rewritten by the next save
        return {}
    if not isinstance(shard, dict):
        return {}
    return {name: entry for name, entry in shard.items()  # drop what this code did not write
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
