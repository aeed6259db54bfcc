"""A pickle cache in the user's cache folder, for compiled rule sets and read config files.

pre-commit starts healthlint once per few files, and compiling the rule packs (YAML, hundreds of
regular expressions, their literal anchors) takes far longer than linting a file. A compiled `RuleSet`
pickles in full (`regex` patterns keep their compiled code), so a run whose rule files, lexicon,
healthlint code and interpreter are unchanged loads it in about a millisecond and never imports yaml.
A config file's validated settings are kept the same way (`config.py`), so a configured repository
does not import PyYAML, tomllib and pathspec (15-40 ms) on every commit either.

  folder   $HEALTHLINT_CACHE_DIR, else $XDG_CACHE_HOME/healthlint, else ~/.cache/healthlint
  off      HEALTHLINT_NO_CACHE=1 (or any value but 0)

Entries are named by a hash of everything they depend on, so a changed input is a miss, never a stale
hit. Writes go to a temporary file renamed into place, so parallel processes (pre-commit runs several)
never see half an entry; an entry that cannot be read or unpickled is ignored and rewritten. Unpickling
runs code: the folder is trusted as much as the user's own files, like any program's cache.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
import sys
from collections.abc import Iterable
from pathlib import Path

KEEP = 16  # entries kept per kind: rule sets (the built-in packs, configs with extra rules), config files
_SUFFIX = ".pickle"


def directory() -> Path | None:
    """Where entries live, or None when the cache is switched off."""
    if os.environ.get("HEALTHLINT_NO_CACHE", "0") not in ("", "0"):
        return None
    configured = os.environ.get("HEALTHLINT_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "healthlint"


def key(parts: Iterable[bytes | str]) -> str:
    """A name for an entry that depends on exactly these parts (order and boundaries count)."""
    try:
        from _blake2 import blake2b  # hashlib itself loads OpenSSL: milliseconds at every start
    except ImportError:
        from hashlib import blake2b
    digest = blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


_CODE: str | None = None


def code_fingerprint() -> str:
    """Names, sizes and modification times of healthlint's own modules, taken once per process: an
    edit or an upgrade is a miss for every entry that depends on the code.

    Stat, not content, and `os.scandir`, not `pathlib`: it runs at every start that uses a cache. Both
    caches ask for it as soon as they are imported, so it describes the code in memory rather than
    whatever is on disk by the time a long-running process (a test session whose files are being
    edited) looks for an entry.
    """
    global _CODE
    if _CODE is None:
        parts: list[str] = []
        folders = [os.path.dirname(os.path.abspath(__file__))]
        root = len(folders[0])
        while folders:
            with contextlib.suppress(OSError), os.scandir(folders.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                        folders.append(entry.path)
                    elif entry.name.endswith(".py"):
                        with contextlib.suppress(OSError):
                            info = entry.stat()
                            parts.append(f"{entry.path[root:]}:{info.st_size}:{info.st_mtime_ns}")
        from healthlint import __version__

        _CODE = key([__version__, *sorted(parts)])
    return _CODE


@functools.cache
def libraries(*names: str) -> str:
    """Where these top-level modules are installed, and when (size and modification time of their
    `__init__.py`): an upgrade is a miss for every entry keyed with it. Found on sys.path by hand, as
    importing them (PyYAML, pathspec) is what a cache hit saves."""
    stamps = []
    for name in names:
        for folder in sys.path:
            module = os.path.join(folder or os.curdir, name, "__init__.py")
            try:
                info = os.stat(module)
            except OSError:
                continue
            stamps.append(f"{module}:{info.st_size}:{info.st_mtime_ns}")
            break
    return "\n".join(stamps)


def load(name: str, kind: str = "rules") -> object | None:
    """The entry of `kind` ('rules': compiled rule sets, 'config': read config files) stored under
    `name`, or None if there is none or it cannot be read."""
    folder = directory()
    if folder is None:
        return None
    try:
        with open(folder / f"{kind}-{name}{_SUFFIX}", "rb") as handle:
            stored_name, value = pickle.load(handle)
    except FileNotFoundError:
        return None
    # A cache must never fail a run: whatever is wrong with an entry (truncated, written by other code,
    # unreadable), it is a miss and gets rewritten.
    except Exception:
        return None
    return value if stored_name == name else None


def store(name: str, value: object, kind: str = "rules") -> None:
    """Save `value` under `name`, atomically; a folder that cannot be written just means no cache."""
    folder = directory()
    if folder is None:
        return
    import tempfile  # only when writing: most runs just read

    temp = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=folder, prefix=f".{kind}-", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            pickle.dump((name, value), out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, folder / f"{kind}-{name}{_SUFFIX}")
        temp = None
        _prune(folder, kind)
    except (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError):
        pass  # read-only home, full disk, or an unpicklable rule: run without the cache
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)


def _prune(folder: Path, kind: str) -> None:
    """Delete all but the KEEP most recently written entries of a kind (stale versions pile up otherwise)."""
    entries = []
    for path in folder.glob(f"{kind}-*{_SUFFIX}"):
        with contextlib.suppress(OSError):
            entries.append((path.stat().st_mtime, path))
    entries.sort(reverse=True)
    for _, path in entries[KEEP:]:
        with contextlib.suppress(OSError):
            path.unlink()
