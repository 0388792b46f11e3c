"""TOML files with positions: notification files and the project settings.

``load_toml`` reads a document as ``tomllib`` does, after ``tomlspans.beyond_bounds``
has refused what ``tomllib`` cannot be given (deep nesting, numbers of more than
1,000 digits), and places every error at its line and column (``TomlError``);
``parse_toml`` words it as a ``ConfigError``, ``FILE:LINE:COLUMN: ...``.  Nothing else
in postback calls ``tomllib`` or reads the position out of its messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

from .._errors import ConfigError
from .tomlspans import beyond_bounds

__all__ = ["TomlError", "load_toml", "located", "parse_toml"]

_TOML_POSITION_RE: Final = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_AT_END: Final = " (at end of document)"


class TomlError(Exception):
    """TOML text that ``load_toml`` does not read.

    ``message`` says why (``invalid TOML: ...``, or the bound it goes beyond), ``line``
    and ``column`` (1-based, in characters) where; ``reason`` is the message without
    ``invalid TOML: ``, and ``worded`` the message with the place as ``tomllib`` words
    it, ``(at line 2, column 10)``.
    """

    def __init__(
        self, message: str, line: int, column: int, worded: str, reason: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.worded = worded
        self.reason = message if reason is None else reason


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def load_toml(text: str) -> dict[str, Any]:
    """Return the table of the TOML document ``text``, as ``tomllib.loads`` reads it.

    Raises ``TomlError`` for invalid TOML, and before ``tomllib`` runs for arrays and
    inline tables nested more than 100 levels deep (``tomllib`` would raise
    ``RecursionError``) and for a number of more than 1,000 digits (``int()`` would
    take time quadratic in its length, and raise ``ValueError`` past 4,300 digits).
    """
    problem = beyond_bounds(text)
    if problem is not None:
        offset, reason = problem
        line, column = _position(text, offset)
        raise TomlError(reason, line, column, f"{reason} (at line {line}, column {column})")
    # tomllib loads only when a TOML document is read: a project without settings,
    # and postback --help, read none.
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        worded = f"invalid TOML: {exc}"
        reason = str(exc)
        match = _TOML_POSITION_RE.search(reason)
        if match:
            line, column = int(match.group(1)), int(match.group(2))
            reason = reason[: match.start()]
        else:  # tomllib words it "(at end of document)"
            line, column = _position(text, len(text))
            reason = reason.removesuffix(_TOML_AT_END) + " at the end of the file"
        raise TomlError(f"invalid TOML: {reason}", line, column, worded, reason) from None


def parse_toml(text: str, where: str, *, locate: bool = True) -> dict[str, Any]:
    """Parse ``text`` as TOML; an error is a ``ConfigError`` that starts with ``where``.

    With ``locate`` the error is located as ``where:LINE:COLUMN:``; without it,
    tomllib's own ``(at line L, column C)`` stays in the message (the command line
    reports standard input that way).  ``load_toml`` says what is refused.
    """
    try:
        return load_toml(text)
    except TomlError as exc:
        if not locate:
            raise ConfigError(f"{where}: {exc.worded}") from None
        raise ConfigError(f"{where}:{exc.line}:{exc.column}: {exc.message}") from None


@contextmanager
def located(where: str) -> Iterator[None]:
    """Prefix the message of a ``ConfigError`` raised inside with ``where: ``."""
    try:
        yield
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc.message}", setting=exc.setting) from None
