"""The lines of a record reader that convert one value in place (see ``reader.py``).

The common cases are decided inline, without a call; everything else goes through the
catalog's converter (``_c_int``, ``_c_str``, ``_c_Decimal``, ``_c_datetime``), which also
words the errors.  The names the lines use are bound by the reader (``_BOUND``).
"""

from __future__ import annotations

from decimal import Decimal

from .catalog import FieldSpec

__all__ = ["convert_lines"]


def convert_lines(
    spec: FieldSpec, value: str, label: str, *, decimal_text: bool = False
) -> list[str]:
    """Return the lines that convert the local ``value`` in place (None stays None).

    ``label`` is a Python expression for the error's field name.  The common cases
    are decided inline, without a call: a str, a small int, a decimal string that
    ``Decimal()`` takes whole (see ``convert.decimal_fast``), an ISO 8601 date
    string; everything else goes through the catalog converter, which also words the
    errors.  With ``decimal_text`` a decimal string in canonical form
    (``convert.CANONICAL_DECIMAL``) stays the text it is, for a render function that
    writes it as it is (``format(Decimal(text), "f")`` is that text).
    """
    convert = f"_c_{spec.type.__name__}({value}, {label})"
    # The common case, a value of the field's type, is decided by the first test.
    if spec.type is str:
        return [f"if type({value}) is not str and {value} is not None:", f"    {value} = {convert}"]
    if spec.type is int:
        test = f"type({value}) is not int or not -_INT_BOUND < {value} < _INT_BOUND"
        return [f"if ({test}) and {value} is not None:", f"    {value} = {convert}"]
    if spec.type is Decimal:
        lines = _decimal_lines(value, convert)
        if decimal_text:  # "if value is not None:" becomes the elif of the canonical test
            canonical = f"if type({value}) is str and _canonical({value}):"
            return [canonical, "    pass", "el" + lines[0], *lines[1:]]
        return lines
    fast = f"_iso({value})"
    # The converter runs after the ``except`` block, not in it: its RecordError must
    # not carry the fast path's ValueError as its context.
    return [
        f"if {value} is not None:",
        f"    if type({value}) is str:",
        "        try:",
        f"            {value} = {fast}",
        "        except ValueError:",
        "            pass",
        f"        if type({value}) is str:",
        f"            {value} = {convert}",
        "    else:",
        f"        {value} = {convert}",
    ]


def _decimal_lines(value: str, convert: str) -> list[str]:
    """Return the lines that convert the local ``value`` to a Decimal in place.

    ``convert.decimal_fast`` written out: a short ASCII decimal string goes to
    ``Decimal()`` whole, in C, and is kept if its exponent is in bounds; anything else
    goes to the catalog converter ``convert``, outside the ``except`` block.
    """
    short = f"len({value}) <= _DEC_BOUND and {value}.isascii() and '_' not in {value}"
    return [
        f"if {value} is not None:",
        f"    if type({value}) is str and {short}:",
        "        try:",
        f"            d = _Decimal({value})",
        "        except _DEC_ERRORS:",
        "            d = None",
        "        if d is not None and -_DEC_BOUND <= d.adjusted() <= _DEC_BOUND and not d.is_snan():",
        f"            {value} = d",
        "        else:",
        f"            {value} = {convert}",
        "    else:",
        f"        {value} = {convert}",
    ]
