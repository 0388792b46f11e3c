"""The wording of ``ParseError``: where the received text stops matching, and what the
template expected there.

Every message names both places: ``expected the key "payout" (template 14:1), found
"pay_out" at 1:212; did you mean "payout"?``.  Lines and columns are 1-based and count
characters; the received text's line index is made only when an error is raised.
"""

from __future__ import annotations

from typing import Final

from .._errors import ParseError
from .._messages import option
from .._problems import LineIndex

__all__ = ["Where", "keep_hint", "quote", "snippet"]

# Received text quoted in a message is cut to this many characters: a body is data, and
# a megabyte of it must not make a megabyte of error.
_QUOTE_LIMIT: Final = 40


def quote(text: str) -> str:
    """Return ``text`` in double quotes for a message, escaped, cut to a readable length."""
    cut = len(text) > _QUOTE_LIMIT
    shown = text[:_QUOTE_LIMIT]
    out = []
    for ch in shown:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    return '"' + "".join(out) + ('..."' if cut else '"')


def keep_hint(what: str) -> str:
    """Say how the reader of the message keeps ``what`` (``"other keys"``) rather than
    refusing it: ``parse(..., extra='keep')`` in Python, ``--extra keep`` on the command
    line."""
    flag = option("extra", "keep")
    if flag.startswith("--"):
        return f" ({flag} keeps {what} in the record)"
    return f" (parse(..., {flag}) keeps {what} in Action.extra)"


def snippet(text: str, offset: int) -> str:
    """Describe what stands at ``offset`` of ``text``: the text there, or the end."""
    if offset >= len(text):
        return "the end of the text"
    return quote(text[offset : offset + 12])


class Where:
    """The received text and the template, for the positions a ``ParseError`` names."""

    __slots__ = ("_lines", "_template", "text")

    def __init__(self, text: str, template: LineIndex) -> None:
        self.text = text
        self._template = template
        self._lines: LineIndex | None = None

    def at(self, offset: int) -> tuple[int, int]:
        """Return the (line, column) of ``offset`` in the received text."""
        if self._lines is None:
            self._lines = LineIndex(self.text)
        return self._lines.position(max(0, min(offset, len(self.text))))

    def in_template(self, offset: int) -> str:
        """Return the place ``offset`` of the template as ``line:column``."""
        line, column = self._template.position(offset)
        return f"{line}:{column}"

    def error(
        self,
        *,
        expected: str,
        found: str,
        offset: int,
        template: int | None,
        field: str | None = None,
        hint: str = "",
    ) -> ParseError:
        """Return the error for ``found`` at ``offset`` where the template, at its offset
        ``template``, expected ``expected``."""
        line, column = self.at(offset)
        tline = tcolumn = None
        where = ""
        if template is not None:
            tline, tcolumn = self._template.position(template)
            where = f" (template {tline}:{tcolumn})"
        message = f"expected {expected}{where}, found {found} at {line}:{column}{hint}"
        return ParseError(
            message,
            line=line,
            column=column,
            template_line=tline,
            template_column=tcolumn,
            expected=expected,
            found=found,
            field=field,
        )

    def ambiguous(
        self, *, offset: int, template: int | None, first: str, second: str, what: str
    ) -> ParseError:
        """Return the error for text at ``offset`` that reads two ways, ``first`` and
        ``second``; ``what`` names the part of the template that allows both."""
        line, column = self.at(offset)
        tline = tcolumn = None
        where = ""
        if template is not None:
            tline, tcolumn = self._template.position(template)
            where = f" (template {tline}:{tcolumn})"
        message = (
            f"the text at {line}:{column} reads two ways as {what}{where}: {first}, or "
            f"{second}; postback does not guess: the template must keep its values apart "
            "with text they cannot hold"
        )
        return ParseError(
            message,
            line=line,
            column=column,
            template_line=tline,
            template_column=tcolumn,
            expected="one reading",
            found="two readings",
            readings=(first, second),
        )

    def plain(
        self, message: str, *, offset: int | None = None, field: str | None = None
    ) -> ParseError:
        """Return an error with ``message`` (prefixed by its position when given)."""
        if offset is None:
            return ParseError(message, field=field)
        line, column = self.at(offset)
        return ParseError(f"{message} at {line}:{column}", line=line, column=column, field=field)
