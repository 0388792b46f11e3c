"""Percent-decoding of the text of a leaf: a query's keys and values, a URL's parts.

A value's escaper (``_escape/url.py``) writes every character but ``A-Z a-z 0-9 - .
_ ~`` as the ``%XX`` of its UTF-8 bytes (and a space as ``+`` in a form), so a raw
character outside those can only be literal text of the template, or a sender that
does not escape: the mask (``pattern.Units``) marks it ``r``, and a decoded escape
``e``.  A ``%`` not followed by two hex digits is read as itself, raw; a run of
escapes that is not UTF-8 is an error.
"""

from __future__ import annotations

import re
from typing import Final

from .errors import Where, quote
from .pattern import Lit, Units

__all__ = ["decode_form", "literal"]

_ESCAPES: Final = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_SPECIAL: Final = re.compile(r"[%+]")


def decode_form(text: str, start: int, where: Where | None, plus: bool = True) -> Units:
    """Decode form-encoded ``text`` (at ``start`` in the received text) into ``Units``.

    ``%XX`` runs are UTF-8 (a run that is not is an error); ``+`` is a space when
    ``plus``; a ``%`` not followed by two hex digits is itself, raw.  The mask marks
    raw characters other than the unreserved ones ``r`` (a value's escaper never
    writes them) and escaped ones ``e``.
    """
    if not _SPECIAL.search(text):
        return Units(text, start, _raw_mask(text))
    out: list[str] = []
    masks: list[str] = []
    runs: list[tuple[int, int, bool]] = []
    k = 0  # decoded length so far
    i = 0
    while i < len(text):
        match = _ESCAPES.match(text, i)
        if match is not None:
            decoded = _utf8(match.group(), start + i, where)
            runs.append((k, start + i, False))
            out.append(decoded)
            masks.append(_UNRESERVED_RUN.sub("-", _NOT_DASH.sub("e", decoded)))
            k += len(decoded)
            i = match.end()
            continue
        j = i + 1
        while j < len(text) and not (text[j] == "%" and _ESCAPES.match(text, j)):
            j += 1
        raw = text[i:j]
        runs.append((k, start + i, True))
        mask = _raw_mask(raw)
        if plus and "+" in raw:
            mask = "".join("e" if ch == "+" else m for ch, m in zip(raw, mask, strict=True))
            raw = raw.replace("+", " ")
        out.append(raw)
        masks.append(mask)
        k += len(raw)
        i = j
    return Units("".join(out), start, "".join(masks), runs)


_UNRESERVED_RUN: Final = re.compile(r"[A-Za-z0-9._~\-]")
_NOT_DASH: Final = re.compile(r"[^-]")


def _raw_mask(text: str) -> str:
    return _NOT_DASH.sub("r", _UNRESERVED_RUN.sub("-", text))


def _utf8(escapes: str, at: int, where: Where | None) -> str:
    """Return the text a run of ``%XX`` escapes (at ``at``) writes as UTF-8."""
    data = bytes(int(escapes[j + 1 : j + 3], 16) for j in range(0, len(escapes), 3))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if where is None:
            return data.decode("utf-8", "replace")
        raise where.error(
            expected="percent-escapes of UTF-8 text",
            found=quote(escapes[3 * exc.start : 3 * exc.start + 3]),
            offset=at + 3 * exc.start,
            template=None,
        ) from None


def literal(text: str, offset: int, plus: bool = True) -> Lit:
    """Return the literal text of a template, decoded, with its mask."""
    units = decode_form(text, 0, None, plus)
    return Lit(units.text, offset, units.mask)
