"""ANSI styling for the human formats; a no-op when colour is off."""

from __future__ import annotations

from healthlint.model import Severity

_CODES = {"bold": "1", "dim": "2", "red": "31", "yellow": "33", "cyan": "36", "blue": "34"}
SEVERITY_COLOR = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def paint(text: str, style: str, color: bool) -> str:
    """Wrap text in an ANSI style (e.g. 'bold red') when colour is on."""
    if not color or not text:
        return text
    codes = ";".join(_CODES[s] for s in style.split())
    return f"\x1b[{codes}m{text}\x1b[0m"
