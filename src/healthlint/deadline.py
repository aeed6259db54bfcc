"""A CPU-time limit on each rule's run over a document, so regex calls need no timeout of their own.

A rule pattern from a user's rule file can backtrack for ever (`(x|xx)+y`), so every regex call
must be bounded. The `regex` module's `timeout=` bounds one call, but reads a clock at every call
it is given to: two system calls, ~1.7 us on the benchmark's machine, more than most of the
matches tried at candidate starts take, and a page makes hundreds. Instead the engine runs each
rule under a `Watch`: a SIGVTALRM timer over the process's CPU time whose handler raises
`TimeoutError` wherever the rule is, inside a regex call too (`regex` checks for signals while it
matches). Calls made while a watch runs pass no timeout (`timeout()` is None).

Signals are handled only in the main thread, and Unix alone has the timer: anywhere else a watch
does nothing and `timeout()` gives each call its own budget, as the kinds do when called directly.
The handler raises only while a rule is running, so the timer firing between two rules is ignored,
and the previous handler is put back when the document is done. The garbage collector waits while
a document's rules run: a collection started by a rule's allocations would count against the rule,
and in a long-lived process with a big heap can take longer than a rule may.
"""

from __future__ import annotations

import contextlib
import gc
import signal
import threading
from collections.abc import Iterator

from healthlint import language

# A rule may spend max(MIN_RULE_SECONDS, characters * RULE_SECONDS_PER_CHAR) of CPU on a document:
# the built-in rules take ~0.1 us per character, so a slow machine has tens of times that, and the
# minimum leaves room for what a rule's first run in a process may build (patterns compiled on first use).
MIN_RULE_SECONDS = 1.0
RULE_SECONDS_PER_CHAR = 2e-6

_owner: int | None = None  # the thread whose rules are watched (the main thread, during a watch)
_running = False  # a rule is running: the timer's signal raises


def rule_seconds(text: str) -> float:
    """The CPU time one rule may take over `text`."""
    return max(MIN_RULE_SECONDS, len(text) * RULE_SECONDS_PER_CHAR)


def timeout(text: str) -> float | None:
    """The `timeout=` for a regex call over `text`: None while a watch covers the caller."""
    if _running and _owner == threading.get_ident():
        return None
    return language.regex_timeout(text)


class Watch:
    """Starts and stops the limit around each rule (see `watch`)."""

    def __init__(self, active: bool) -> None:
        self.active = active

    def start(self, seconds: float) -> None:
        """Arm the limit for one rule: `TimeoutError` after `seconds` of CPU time, until `stop`."""
        global _running
        if self.active:
            signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
            _running = True

    def stop(self) -> None:
        """The rule is done: a signal from here on is ignored (the next `start` re-arms the timer)."""
        global _running
        _running = False


@contextlib.contextmanager
def watch() -> Iterator[Watch]:
    """A `Watch` for one document's rules: active in the main thread where the platform has the timer."""
    global _owner, _running
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or _owner is not None:  # no timer here, or a watch already runs (re-entered)
        yield Watch(False)
        return
    try:
        previous = signal.signal(signal.SIGVTALRM, _expired)
    except (ValueError, OSError):  # signals refused (an embedding that does not allow them)
        yield Watch(False)
        return
    if previous is None:  # a handler set outside Python: the default is the nearest we can restore
        previous = signal.SIG_DFL
    _owner = threading.get_ident()
    collecting = gc.isenabled()
    gc.disable()  # a collection of a big heap (an application's, a test run's) is no rule's time
    try:
        yield Watch(True)
    finally:
        _running = False
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)
        _owner = None
        if collecting:
            gc.enable()


def _expired(signum: int, frame: object) -> None:
    if _running:
        raise TimeoutError("rule ran out of time")
