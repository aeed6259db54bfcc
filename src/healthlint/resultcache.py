"""The findings of files linted before, so a re-run over unchanged files costs little more than reading them.

As in ruff, an entry is keyed by everything the findings depend on: the file's bytes and the name it
is shown under (which picks the reader), the rules that ran on it with their severities and the
content of every rule file (`Settings.fingerprint`), and the healthlint code itself. Any change is a
miss, never a stale hit. An entry holds only the findings and the reader's format: the runner has
the bytes already and decodes them again for the report.

Entries live in `<cache folder>/results/<2 hex>/<key>.pickle` (the folder of `healthlint.cache`; off
with the rest of the cache), each written to a temporary file and renamed into place, so processes
writing at once (pre-commit runs several) never see half an entry; an unreadable entry is a miss.
Entries not rewritten for PRUNE_AFTER_DAYS are deleted by an occasional sweep (one store in
SWEEP_EVERY) so the folder does not grow without end.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import random
import time
from collections.abc import Sequence
from pathlib import Path

from healthlint import cache
from healthlint.model import Finding

PRUNE_AFTER_DAYS = 30
SWEEP_EVERY = 512
_FOLDER = "results"
_SUFFIX = ".pickle"


def key(data: bytes, shown: str, fingerprint: str, rule_ids: Sequence[str]) -> str | None:
    """The entry name for one file linted under one set of rules, or None when the cache is off."""
    if cache.directory() is None:
        return None
    return cache.key([_code_fingerprint(), fingerprint, shown, "\x00".join(rule_ids), data])


def load(name: str) -> tuple[str, tuple[Finding, ...]] | None:
    """(reader format, findings) stored under `name`, or None."""
    path = _path(name)
    if path is None:
        return None
    try:
        with open(path, "rb") as handle:
            stored, format, findings = pickle.load(handle)
    except Exception:  # missing, truncated or foreign: a miss, and the entry is written again
        return None
    return (format, findings) if stored == name else None


def store(name: str, format: str, findings: tuple[Finding, ...]) -> None:
    """Save one file's findings; a folder that cannot be written just means no entry."""
    path = _path(name)
    if path is None:
        return
    import tempfile

    temp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            pickle.dump((name, format, findings), out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, path)
        temp = None
    except (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError):
        pass
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)
    if random.randrange(SWEEP_EVERY) == 0:
        sweep(path.parent.parent)


def sweep(folder: Path, now: float | None = None) -> int:
    """Delete entries (and stray temporary files) older than PRUNE_AFTER_DAYS; returns how many."""
    cutoff = (time.time() if now is None else now) - PRUNE_AFTER_DAYS * 86400
    removed = 0
    with contextlib.suppress(OSError):
        for shard in os.scandir(folder):
            if not shard.is_dir(follow_symlinks=False):
                continue
            with contextlib.suppress(OSError):
                for entry in os.scandir(shard.path):
                    with contextlib.suppress(OSError):
                        if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                            os.unlink(entry.path)
                            removed += 1
    return removed


def _path(name: str) -> Path | None:
    folder = cache.directory()
    return None if folder is None else folder / _FOLDER / name[:2] / f"{name}{_SUFFIX}"


_CODE: str | None = None


def _code_fingerprint() -> str:
    """Names, sizes and modification times of healthlint's own modules: an edit or upgrade is a miss.

    Stat, not content: it runs at every start of a run that uses the cache, and reading the package's
    sources would cost more than the stats do.
    """
    global _CODE
    if _CODE is None:
        package = Path(__file__).resolve().parent
        parts: list[str] = []
        for path in sorted(package.rglob("*.py")):
            with contextlib.suppress(OSError):
                info = path.stat()
                parts.append(f"{path.relative_to(package)}:{info.st_size}:{info.st_mtime_ns}")
        from healthlint import __version__

        _CODE = cache.key([__version__, *parts])
    return _CODE
