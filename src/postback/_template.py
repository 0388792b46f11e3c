"""The public compile/check entry points and the immutable ``Template`` they return."""

from __future__ import annotations

import _thread
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from datetime import tzinfo
from enum import StrEnum
from typing import Any, Literal

from ._contexts import FormatIssue, get_format
from ._errors import (
    ConfigError,
    Diagnostic,
    RecordError,
    TemplateFormatError,
    TemplateSyntaxError,
    UnknownFieldError,
)
from ._parser import LineIndex, Problem, parse
from ._record import Action
from ._values import Values, resolve_timezone

__all__ = ["DEFAULT_MAX_TEMPLATE_SIZE", "Format", "Template", "check", "compile"]

DEFAULT_MAX_TEMPLATE_SIZE = 1024 * 1024


class Format(StrEnum):
    """The output formats a template can be compiled for."""

    JSON = "json"
    XML = "xml"
    QUERY = "query"
    URL = "url"
    HEADER = "header"
    TEXT = "text"

    def __str__(self) -> str:
        return self.value

    @property
    def content_type(self) -> str | None:
        """The MIME type of a body in this format (None for url and header)."""
        return get_format(self.value).content_type

    @classmethod
    def parse(cls, value: Format | str) -> Format:
        """Return the member for a member or a case-insensitive name or alias."""
        if isinstance(value, Format):
            return value
        if isinstance(value, str):
            key = value.strip().lower().replace("-", "_")
            key = _ALIASES.get(key, key)
            for member in cls:
                if member.value == key:
                    return member
        valid = ", ".join(repr(m.value) for m in cls)
        raise ConfigError(
            f"unknown format {value!r}: use one of {valid} "
            "('querystring', 'query_string' and 'form' mean 'query')",
            setting="format",
        )


_ALIASES = {"querystring": "query", "query_string": "query", "form": "query", "qs": "query"}

MissingPolicy = Literal["empty", "error"]


class _Options:
    """Validated compile options; ``key`` identifies them for caching and equality."""

    __slots__ = ("date_format", "extra_fields", "key", "max_size", "missing", "name", "tz")

    def __init__(
        self,
        missing: str,
        timezone: str | tzinfo | None,
        date_format: str,
        extra_fields: Iterable[str],
        name: str,
        max_template_size: int,
    ) -> None:
        if missing not in ("empty", "error"):
            raise ConfigError(
                f"missing must be 'empty' or 'error', not {missing!r}", setting="missing"
            )
        if not isinstance(date_format, str) or not date_format:
            raise ConfigError(
                "date_format must be 'iso' or a strftime pattern", setting="date_format"
            )
        if isinstance(extra_fields, str):
            extra_fields = (extra_fields,)
        extras = frozenset(extra_fields)
        from ._catalog import COLLECTION, FIELDS_BY_NAME

        for field in extras:
            if not isinstance(field, str) or not field.isidentifier() or not field.isascii():
                raise ConfigError(
                    f"extra field names must be identifiers, not {field!r}", setting="extra_fields"
                )
            if field in FIELDS_BY_NAME or field == COLLECTION:
                raise ConfigError(
                    f"extra field {field!r} is already a field of the catalog",
                    setting="extra_fields",
                )
        if not isinstance(max_template_size, int) or max_template_size <= 0:
            raise ConfigError(
                "max_template_size must be a positive number of characters",
                setting="max_template_size",
            )
        self.missing = missing
        self.tz = resolve_timezone(timezone)
        self.date_format = date_format
        self.extra_fields = extras
        self.name = name
        self.max_size = max_template_size
        tz_key: object = timezone if isinstance(timezone, str) else self.tz
        self.key = (missing, tz_key, date_format, tuple(sorted(extras)), name, max_template_size)


def _diagnostic(problem: Problem, lines: LineIndex) -> Diagnostic:
    line, col = lines.position(problem.start)
    end_line, end_col = lines.position(max(problem.end, problem.start))
    return Diagnostic(
        "error", problem.code, problem.message, line, col, end_line, end_col, problem.suggestion
    )


def _analyze(source: str, fmt: Format, opts: _Options) -> tuple[list[Problem], Any, Any, LineIndex]:
    """Parse and check ``source``; return (problems, nodes, contexts, line index)."""
    lines = LineIndex(source)
    if len(source) > opts.max_size:
        return (
            [
                Problem(
                    "syntax",
                    "template-too-large",
                    f"the template has {len(source)} characters, more than max_template_size="
                    f"{opts.max_size}; raise the limit if this is intended",
                    0,
                    0,
                    blocking=True,
                )
            ],
            (),
            {},
            lines,
        )
    result = parse(source, extra_fields=opts.extra_fields)
    problems = list(result.problems)
    contexts: Any = {}
    if not any(p.blocking for p in problems):
        module = get_format(fmt.value)
        try:
            from ._compiler import analyze

            contexts = analyze(result.nodes, module, len(source), lines)
        except FormatIssue as issue:
            problems.append(Problem("format", issue.code, issue.message, issue.offset, issue.end))
        problems.sort(key=lambda p: (p.start, p.end))
    return problems, result.nodes, contexts, lines


def _raise(problems: list[Problem], source: str, lines: LineIndex, name: str) -> None:
    diagnostics = tuple(_diagnostic(p, lines) for p in problems)
    first = problems[0]
    diag = diagnostics[0]
    common: dict[str, Any] = {
        "line": diag.line,
        "column": diag.column,
        "end_line": diag.end_line,
        "end_column": diag.end_column,
        "source": source,
        "name": name,
        "code": first.code,
        "diagnostics": diagnostics,
    }
    if first.kind == "field":
        raise UnknownFieldError(
            first.message, field=first.field or "", suggestion=first.suggestion, **common
        )
    if first.kind == "format":
        raise TemplateFormatError(first.message, **common)
    raise TemplateSyntaxError(first.message, **common)


class Template:
    """A compiled template: immutable, hashable, thread-safe and picklable.

    Create one with ``postback.compile``.  ``render(action)`` returns the body text;
    ``render_bytes(action)`` the UTF-8 bytes.
    """

    __slots__ = ("_extra", "_fn", "_key", "_opts", "code", "fields", "format", "source")

    format: Format
    source: str
    fields: frozenset[str]
    code: str
    _fn: Any
    _opts: _Options
    _extra: tuple[str, ...]
    _key: tuple[Any, ...]

    def __init__(self, *args: object, **kwargs: object) -> None:
        raise TypeError("use postback.compile(source, format=...) to make a Template")

    @classmethod
    def _build(cls, source: str, fmt: Format, opts: _Options) -> Template:
        problems, nodes, contexts, lines = _analyze(source, fmt, opts)
        if problems:
            _raise(problems, source, lines, opts.name)
        from ._compiler import generate

        fn, code = generate(
            nodes,
            get_format(fmt.value),
            contexts,
            Values(opts.tz, opts.date_format),
            missing=opts.missing,
            extra_fields=opts.extra_fields,
        )
        self = object.__new__(cls)
        fields = _used_fields(nodes)
        for attr, value in (
            ("format", fmt),
            ("source", source),
            ("fields", fields),
            ("code", code),
            ("_fn", fn),
            ("_opts", opts),
            ("_extra", tuple(sorted(opts.extra_fields))),
            ("_key", (source, fmt.value, opts.key)),
        ):
            object.__setattr__(self, attr, value)
        return self

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
        head = self.source[:40] + ("..." if len(self.source) > 40 else "")
        return f"<postback.Template format={self.format.value!r} source={head!r}>"

    def __reduce__(self) -> tuple[Any, ...]:
        o = self._opts
        tz = o.key[1]
        return (
            _unpickle,
            (
                self.source,
                self.format.value,
                o.missing,
                tz,
                o.date_format,
                self._extra,
                o.name,
                o.max_size,
            ),
        )

    @property
    def missing(self) -> str:
        """The missing-value policy: ``"empty"`` or ``"error"``."""
        return self._opts.missing

    @property
    def extra_fields(self) -> frozenset[str]:
        """The extra top-level fields this template was compiled to accept."""
        return self._opts.extra_fields

    def render(self, action: Any) -> str:
        """Render the body for ``action`` (a ``postback.Action`` or a mapping)."""
        if type(action) is not Action:
            action = _coerce(action, self._extra)
        return self._fn(action)  # type: ignore[no-any-return]

    def render_bytes(self, action: Any) -> bytes:
        """Render the body as UTF-8 bytes (never raises ``UnicodeEncodeError``)."""
        text = self.render(action)
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:
            # Only the text format keeps lone surrogates; like every other format's
            # output they become U+FFFD (the "replace" handler would write "?").
            import re

            return re.sub("[\ud800-\udfff]", "\ufffd", text).encode("utf-8")


def _unpickle(
    source: str,
    fmt: str,
    missing: str,
    tz: Any,
    date_format: str,
    extra: tuple[str, ...],
    name: str,
    max_size: int,
) -> Template:
    return compile(
        source,
        format=fmt,
        missing=missing,  # type: ignore[arg-type]
        timezone=tz,
        date_format=date_format,
        extra_fields=extra,
        name=name,
        max_template_size=max_size,
    )


def _coerce(action: Any, extra: tuple[str, ...]) -> Any:
    if isinstance(action, Action):
        return action
    if isinstance(action, Mapping):
        return Action.from_dict(action, extra=extra)
    raise RecordError(f"render takes a postback.Action or a mapping, not {type(action).__name__}")


def _used_fields(nodes: Any) -> frozenset[str]:
    from ._nodes import Field, Join

    out: set[str] = set()
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, Field) and node.name:
            out.add(node.name)
        elif isinstance(node, Join):
            out.add(node.collection)
            stack.extend(node.body)
    return frozenset(out)


_cache: OrderedDict[tuple[Any, ...], Template] = OrderedDict()
_cache_lock = _thread.allocate_lock()
_CACHE_SIZE = 512
# A template keeps its source and generated code alive (about ten bytes per source
# character), so the cache also holds at most this many source characters in all:
# many large templates cannot pin gigabytes.
_CACHE_CHARS = 8 * 1024 * 1024


def _inputs(
    source: object,
    format: Format | str,
    missing: str,
    timezone: str | tzinfo | None,
    date_format: str,
    extra_fields: Iterable[str],
    name: str,
    max_template_size: int,
) -> tuple[Format, _Options]:
    """Validate the arguments shared by ``compile`` and ``check``."""
    if not isinstance(source, str):
        raise ConfigError(
            f"a template source must be str, not {type(source).__name__}", setting="source"
        )
    fmt = Format.parse(format)
    return fmt, _Options(missing, timezone, date_format, extra_fields, name, max_template_size)


def compile(
    source: str,
    format: Format | str = Format.JSON,
    *,
    missing: MissingPolicy = "empty",
    timezone: str | tzinfo | None = None,
    date_format: str = "iso",
    extra_fields: Iterable[str] = (),
    name: str = "<template>",
    max_template_size: int = DEFAULT_MAX_TEMPLATE_SIZE,
) -> Template:
    """Compile ``source`` for ``format`` into a ``Template``.

    Raises ``TemplateError`` (``TemplateSyntaxError``, ``UnknownFieldError`` or
    ``TemplateFormatError``) for a defective template and ``ConfigError`` for an
    invalid option.  Compiling the same source with the same options again returns
    the cached template.
    """
    fmt, opts = _inputs(
        source, format, missing, timezone, date_format, extra_fields, name, max_template_size
    )
    key = (source, fmt.value, opts.key)
    try:
        hash(key)
    except TypeError:
        return Template._build(source, fmt, opts)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    template = Template._build(source, fmt, opts)
    with _cache_lock:
        _cache[key] = template
        # Summing at most _CACHE_SIZE lengths costs microseconds, once per new template.
        chars = sum(len(k[0]) for k in _cache)
        while _cache and (len(_cache) > _CACHE_SIZE or chars > _CACHE_CHARS):
            old_key, _old = _cache.popitem(last=False)
            chars -= len(old_key[0])
    return template


def check(
    source: str,
    format: Format | str = Format.JSON,
    *,
    missing: MissingPolicy = "empty",
    timezone: str | tzinfo | None = None,
    date_format: str = "iso",
    extra_fields: Iterable[str] = (),
    name: str = "<template>",
    max_template_size: int = DEFAULT_MAX_TEMPLATE_SIZE,
) -> list[Diagnostic]:
    """Return every defect of ``source`` as ``Diagnostic`` records (empty: it compiles).

    Never raises for a template defect; an invalid option is a ``ConfigError``.
    """
    fmt, opts = _inputs(
        source, format, missing, timezone, date_format, extra_fields, name, max_template_size
    )
    problems, _nodes, _contexts, lines = _analyze(source, fmt, opts)
    return [_diagnostic(p, lines) for p in problems]
