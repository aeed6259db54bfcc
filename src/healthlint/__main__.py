"""The `healthlint` program (and `python -m healthlint`).

A plain `healthlint check ...` line, as pre-commit and CI write it, runs without importing click
(`command.parse`); every other line goes to the click interface in `healthlint.cli`. The program
then ends without tearing the interpreter down (`run`).
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run the command line in `sys.argv`; ends with SystemExit and the exit code, as click does."""
    from healthlint import command

    params = command.parse(sys.argv[1:])
    if params is None:
        from healthlint import cli

        cli.main()
        return
    verbose = params.pop("verbose")
    sys.exit(command.guarded(lambda: command.check(**params), verbose))


def run() -> None:
    """The console script: `main`, then exit once the output is flushed, skipping the interpreter's
    teardown. Freeing the compiled rule set object by object takes longer than linting a page (about
    15 ms of a 95 ms pre-commit run). The garbage collector is paused while the modules and the rule
    set load (about 4 ms of collections that would find nothing to free).

    The teardown is skipped only when it has nothing to do: no exit handlers registered (a worker
    pool, a library's cleanup) and no other thread running; otherwise the ordinary exit.
    """
    import contextlib
    import gc
    import os

    gc.disable()  # start-up builds ~100,000 objects that live to the end: `command.check` resumes it after
    try:
        main()
        code: int = 0
    except SystemExit as exc:
        if isinstance(exc.code, str):  # sys.exit("message"), as Python prints it
            sys.stderr.write(exc.code + "\n")
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # None: started with that descriptor closed (`>&-`)
                stream.flush()
    except (BrokenPipeError, ValueError):  # the reader went away (`| head`), or a stream was closed
        code = code or 2
        # what Python's documentation advises, so the final flush does not complain again
        with contextlib.suppress(OSError, ValueError, AttributeError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    import atexit
    import threading

    if atexit._ncallbacks() == 0 and threading.active_count() == 1:
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
