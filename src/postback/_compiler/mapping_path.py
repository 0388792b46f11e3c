"""The render path of a ``dict`` record: ``Template.render(dict)`` and ``render_many``.

A mapping is read and rendered by a pair of functions made for it on its first use:
the template's record reader and render function, generated once more with
``decimal_text``.  The reader checks and converts exactly as the reader of
``Action``s does, with one difference: a decimal string in canonical form
(``convert.CANONICAL_DECIMAL``: ``12.50``, ``-1.25``, ``0``) stays the text it is,
since ``format(Decimal(text), "f")``, what the render function writes of a decimal,
is that text; and the record stays the plain twin of ``Action`` it was filled in.
The render function writes such text as it is, and every other value as the render
function of ``Action``s writes it.  So no ``Decimal`` is made and formatted back for
the amounts a record holds as text, the common case of a record decoded from JSON,
and the output is the same, byte for byte (a property test compares the two paths on
hostile records, errors included).  Nothing outside these two functions sees the
twin: a render that fails is named on an ``Action`` read the usual way.
"""

from __future__ import annotations

from .._formats import Format
from .._options import CompileOptions
from .._records.action import Action
from .._records.reader import Reader, generate_reader
from .codegen import RenderFunction
from .pipeline import front_end, render_function

__all__ = ["mapping_path", "record_reader"]


def mapping_path(
    source: str,
    fmt: Format,
    opts: CompileOptions,
    fields: frozenset[str],
    item_attrs: tuple[str, ...],
) -> tuple[Reader, RenderFunction]:
    """Return the reader and the render function of ``dict`` records for a template."""
    front = front_end(source, fmt, opts)
    render, _ = render_function(front, fmt, opts, decimal_text=True)
    read, _ = generate_reader(
        Action,
        fields,
        item_attrs,
        opts.extra_fields,
        opts.unknown_keys,
        opts.day_first,
        decimal_text=True,
    )
    return read, render


def record_reader(
    fields: frozenset[str], item_attrs: tuple[str, ...], opts: CompileOptions
) -> tuple[Reader, str]:
    """Return the reader of other mappings into an ``Action`` for a template, and its source."""
    return generate_reader(
        Action, fields, item_attrs, opts.extra_fields, opts.unknown_keys, opts.day_first
    )
