"""The public compile/check entry points and the immutable ``Template`` they return."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from ._compiler.cache import cached
from ._compiler.check_api import check
from ._compiler.checking import (
    check_reading,
    check_with,
    validated_inputs,
    validated_reading,
)
from ._compiler.mapping_path import mapping_path, record_reader
from ._compiler.nodes import Node
from ._compiler.pipeline import (
    body_renderer,
    front_end,
    render_function,
    used_names,
    without_surrogates,
)
from ._compiler.values import Values
from ._errors import RenderError
from ._formats import Format, FormatName
from ._options import DEFAULT_MAX_TEMPLATE_SIZE, CompileOptions, MissingPolicy
from ._pickling import restore, state
from ._problems import has_errors, raise_for
from ._records.action import Action, not_a_record
from ._records.convert import UnknownKeys
from ._records.reader import Reader

if TYPE_CHECKING:
    from ._bulk import Rendered
    from ._reading import ExtraPolicy

__all__ = [
    "DEFAULT_MAX_TEMPLATE_SIZE",
    "Format",
    "FormatName",
    "Template",
    "check",
    "check_with",
    "compile",
    "compile_template",
]


class Template:
    """A compiled template: immutable, hashable, thread-safe and picklable.

    Create one with ``postback.compile``.  ``render(action)`` returns the body text;
    ``render_bytes(action)`` the UTF-8 bytes.
    """

    __slots__ = (
        "_extra",
        "_fn",
        "_item_attrs",
        "_key",
        "_mapping",
        "_nodes",
        "_opts",
        "_plan",
        "_reader",
        "_reader_code",
        "code",
        "fields",
        "format",
        "source",
    )

    format: Format
    source: str
    fields: frozenset[str]
    code: str
    """The Python source of the render function, exactly as it was compiled and run.

    Every name in it is chosen by the compiler and says what it is: the record is
    ``a``, and the escapers and formatters are bound under their own names
    (``json_quote``, ``format_decimal``).  For reading only; ``reader_code`` shows
    the code that reads a mapping record.
    """
    _fn: Any
    _opts: CompileOptions
    _extra: tuple[str, ...]
    _key: tuple[Any, ...]
    _item_attrs: tuple[str, ...]
    # Made on first use: the readers of mappings, the nodes of a failed render.
    _reader: Reader | None
    _reader_code: str | None
    _mapping: tuple[Reader, Any] | None  # the reader and render function of dicts
    _nodes: tuple[Node, ...] | None
    _plan: Any  # the reading plan of ``parse``, made on its first call

    def __init__(self, *args: object, **kwargs: object) -> None:
        raise TypeError("use postback.compile(source, format=...) to make a Template")

    @classmethod
    def _build(cls, source: str, fmt: Format, opts: CompileOptions) -> Template:
        front = front_end(source, fmt, opts)
        source = front.source
        if has_errors(front.problems):
            raise_for(front.problems, source, front.lines, opts.name)
        fn, code = render_function(front, fmt, opts)
        self = object.__new__(cls)
        fields, item_attrs = used_names(front.nodes)
        for attr, value in (
            ("format", fmt),
            ("source", source),
            ("fields", fields),
            ("_item_attrs", item_attrs),
            ("_reader", None),
            ("_reader_code", None),
            ("_mapping", None),
            ("_nodes", None),
            ("_plan", None),
            ("code", code),
            ("_fn", fn),
            ("_opts", opts),
            ("_extra", tuple(sorted(opts.extra_fields))),
            ("_key", (source, fmt.value, opts.key)),
        ):
            object.__setattr__(self, attr, value)
        return self

    @classmethod
    def from_file(
        cls,
        path: str | os.PathLike[str],
        *,
        project: bool | str | os.PathLike[str] = True,
        format: Format | FormatName | None = None,
        missing: MissingPolicy | None = None,
        timezone: str | tzinfo | None = None,
        date_format: str | None = None,
        extra_fields: Iterable[str] | None = None,
        unknown_keys: UnknownKeys | None = None,
        day_first: bool | None = None,
    ) -> Template:
        """Compile the template file ``path`` exactly as ``postback check`` and
        ``postback test`` compile it.

        The project settings apply as the command line finds them (``project=True``:
        the ``[tool.postback]`` table of the nearest ``pyproject.toml``, or a
        ``postback.toml``, from the file's folder up to the repository's root;
        ``False``: none; a path: that settings file).  The format is ``format``, else
        that of the settings' first matching ``formats`` pattern, else the extension's
        (``.json``, ``.xml``, ``.qs``, ``.query``, ``.url``, ``.header``, ``.txt``).
        Each option given (not None) replaces the settings' value, as the command
        line's flags do.  The file is read as UTF-8 (a byte order mark is not text),
        and its final newline as ``compile`` reads it.

        Raises ``ConfigError`` for an unreadable file, a format that cannot be told,
        malformed settings or an invalid option, and ``TemplateError`` for a template
        that does not compile.  See [Loading in production][loading-in-production].
        """
        # The project settings and TOML load on first use: import postback needs neither.
        from ._files.inputs import template_inputs

        source, fmt, options = template_inputs(
            path,
            project=project,
            format=format,
            missing=missing,
            timezone=timezone,
            date_format=date_format,
            extra_fields=extra_fields,
            unknown_keys=unknown_keys,
            day_first=day_first,
        )
        return compile_template(source, fmt, options)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Template objects are immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Template objects are immutable")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Template):
            return NotImplemented
        return bool(self._key == other._key)

    def __hash__(self) -> int:
        return hash(self._key)

    def __repr__(self) -> str:
        source = self.source
        # The masking rules load only for a header template's repr, not with every compile.
        from ._sending.secrets import is_secret_setting, mask_template

        if self.format is Format.HEADER and is_secret_setting(self._opts.name):
            source = mask_template(source)  # a secret header's literal text: the credential
        head = source[:40] + ("..." if len(source) > 40 else "")
        return f"<postback.Template format={self.format.value!r} source={head!r}>"

    def __reduce__(self) -> tuple[Any, ...]:
        # A template pickles as its source and options, by name and with the version
        # (``_pickling``), and is compiled again (from the cache, usually) where it is
        # unpickled: generated code does not pickle.
        pickled = state(source=self.source, format=self.format.value, options=self._opts.given())
        return (_unpickle, (pickled,))

    @property
    def missing(self) -> str:
        """The missing-value policy: ``"empty"`` or ``"error"``."""
        return self._opts.missing

    @property
    def extra_fields(self) -> frozenset[str]:
        """The extra top-level fields this template was compiled to accept."""
        return self._opts.extra_fields

    @property
    def unknown_keys(self) -> UnknownKeys:
        """What ``render(mapping)`` does with unknown keys: ``"error"``, ``"ignore"`` or ``"extra"``."""
        return self._opts.unknown_keys

    @property
    def day_first(self) -> bool | None:
        """How ``render(mapping)`` reads a date such as ``04.03.2026``: day first (True),
        month first (False) or not at all (None: refused)."""
        return self._opts.day_first

    @property
    def reader_code(self) -> str:
        """The Python source of the function that reads a mapping record for this template:
        its keys checked, the values of the template's fields (no others) converted into
        the ``Action`` that ``code`` renders; made on first use.  A ``dict`` is read and
        rendered by variants of both (docs/architecture.md, "The generated code")."""
        if self._reader_code is None:
            self._make_reader()
        return self._reader_code  # type: ignore[return-value]

    def render(self, action: Action | Mapping[str, object]) -> str:
        """Render the body for ``action`` (a ``postback.Action`` or a mapping).

        A mapping is read as ``Action.from_dict`` reads it, keys and all, but only the
        values of the fields this template uses are converted and checked.
        """
        record: Any = action
        fn = self._fn
        if type(record) is not Action:
            record, fn = self._record(record)
        try:
            return fn(record)  # type: ignore[no-any-return]
        except RenderError as exc:
            if exc.field is None:
                # A formatter words the error without knowing its placeholder: name it.
                self._name_field(exc, action)
            raise

    def parse(self, text: str | bytes, *, extra: ExtraPolicy = "error") -> Action:
        """Read a body this template renders (str, or UTF-8 bytes) back into an ``Action``.

        Raises ``ParseError`` for anything else, and for text that reads two ways; see
        [Receiving postbacks][receiving-postbacks].  Keys the template does not have are
        an error (``extra="error"``) or kept in ``Action.extra`` (``extra="keep"``; any
        other value is a ``ConfigError``).
        """
        plan = self._plan
        if plan is None:
            # The reading side loads on the first parse: rendering never needs it.
            from ._reading import make_plan

            plan = make_plan(self.source, self.format, self._opts)
            object.__setattr__(self, "_plan", plan)
        return plan.read(text, extra)  # type: ignore[no-any-return]

    def render_bytes(self, action: Action | Mapping[str, object]) -> bytes:
        """Render the body as UTF-8 bytes (never raises ``UnicodeEncodeError``)."""
        text = self.render(action)
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:
            # Only the text format keeps lone surrogates; like every other format's
            # output they become U+FFFD (the "replace" handler would write "?").
            return without_surrogates(text).encode("utf-8")

    def render_many(self, records: Iterable[Any], *, start: int = 0) -> Iterator[Rendered]:
        """Render every record of ``records``, yielding one ``Rendered`` per record, in order.

        A record is a ``postback.Action``, a mapping (read as ``render`` reads it), or
        one line of JSON text (``str`` or ``bytes``, read as ``Action.from_json`` reads
        it with this template's extra fields, unknown-key policy and ``day_first``):
        iterate over a JSON Lines file opened in binary mode and pass the lines.  A
        blank line yields nothing but is counted.  A record that cannot be
        read or rendered yields a result with ``error`` set (code ``invalid-json``,
        ``not-an-object``, ``record-error`` or ``render-error``) and the loop goes on.
        ``index`` counts from ``start``.  Results are made one at a time, as the
        caller asks for them, and nothing is kept between records.  See
        [Rendering in bulk][rendering-in-bulk].
        """
        # The bulk loop loads on first use: import postback stays cheap for one record.
        from ._bulk import Reading, render_many

        opts = self._opts
        reading = Reading(opts.extra_fields, opts.unknown_keys, opts.day_first)
        return render_many(body_renderer(self.render, self.format), records, reading, start)

    def _record(self, record: object) -> tuple[Any, Any]:
        """Return a record and the render function that reads it: an Action, a dict read
        for the render function of dicts (``_compiler/mapping_path.py``), or another
        mapping read into an Action."""
        if isinstance(record, Action):
            return record, self._fn
        if type(record) is dict:
            read, fn = self._mapping or self._make_mapping()
            return read(record), fn
        if isinstance(record, Mapping):
            return (self._reader or self._make_reader())(record), self._fn
        raise not_a_record(record, "render")

    def _make_mapping(self) -> tuple[Reader, Any]:
        pair = mapping_path(self.source, self.format, self._opts, self.fields, self._item_attrs)
        object.__setattr__(self, "_mapping", pair)
        return pair

    def _make_reader(self) -> Reader:
        """Make and keep the reader of mapping records, and its source."""
        reader, code = record_reader(self.fields, self._item_attrs, self._opts)
        # The source first: a thread that finds the reader set finds its source too.
        object.__setattr__(self, "_reader_code", code)
        object.__setattr__(self, "_reader", reader)
        return reader

    def _name_field(self, exc: RenderError, record: Any) -> None:
        if not isinstance(record, Action):  # a mapping, read as an Action the usual way
            record = (self._reader or self._make_reader())(record)
        nodes = self._nodes
        if nodes is None:
            nodes = front_end(self.source, self.format, self._opts).nodes
            object.__setattr__(self, "_nodes", nodes)
        # The slow path of a failed render, loaded when one fails.
        from ._compiler.locate import name_failing_field

        name_failing_field(exc, nodes, record, Values(self._opts.tz, self._opts.date_format))


def _unpickle(pickled: object) -> Template:
    values = restore("Template", pickled)
    return compile_template(
        values["source"], Format.parse(values["format"]), CompileOptions(**values["options"])
    )


def compile_template(source: str, fmt: Format, opts: CompileOptions) -> Template:
    """Return the template for validated inputs, from the cache when it holds it."""
    return cached((source, fmt.value, opts.key), lambda: Template._build(source, fmt, opts))


def compile(
    source: str,
    format: Format | FormatName = Format.JSON,
    *,
    missing: MissingPolicy = "empty",
    timezone: str | tzinfo | None = None,
    date_format: str = "iso",
    extra_fields: Iterable[str] = (),
    unknown_keys: UnknownKeys = "error",
    day_first: bool | None = None,
    name: str = "<template>",
    max_template_size: int = DEFAULT_MAX_TEMPLATE_SIZE,
    reading: bool = False,
) -> Template:
    """Compile ``source`` for ``format`` into a ``Template``.

    In the one-line formats (``url``, ``header``, ``query``) one final line ending
    (``\\n`` or ``\\r\\n``) is not part of the template, so the text of a file that
    ends with one compiles as the command line compiles the file; ``json``, ``xml``
    and ``text`` keep every character.  Raises ``TemplateError`` (``TemplateSyntaxError``, ``UnknownFieldError`` or
    ``TemplateFormatError``) for a defective template and ``ConfigError`` for an
    invalid option.  Compiling the same source with the same options again returns
    the cached template.  ``unknown_keys`` and ``day_first`` say how ``render``
    reads a mapping: what its unknown keys become, and whether a date such as
    ``04.03.2026`` is read day first (True), month first (False) or refused (None).
    ``reading=True`` raises ``TemplateFormatError`` where ``check(reading=True)`` finds an error.
    """
    fmt, opts = validated_inputs(
        source,
        format,
        missing=missing,
        timezone=timezone,
        date_format=date_format,
        extra_fields=extra_fields,
        unknown_keys=unknown_keys,
        day_first=day_first,
        name=name,
        max_template_size=max_template_size,
    )
    validated_reading(reading)
    template = compile_template(source, fmt, opts)
    if reading:  # where parse could read a body two ways
        check_reading(source, fmt, opts)
    return template
