"""Loading a template or notification file in production exactly as CI checked it.

``postback.load(path)`` and ``Template.from_file(path)`` read a template file the way
``postback check``, ``postback test``, ``postback render`` and the pytest plugin read
it: the project settings found from the file's folder (``[tool.postback]`` of the
nearest ``pyproject.toml``, or ``postback.toml``, up to the repository's root), its
format from the settings' ``formats`` patterns, else from its extension, and its
compile options from the settings under any option given here.  A notification file
(``.toml``) is ``Notification.from_file``: its own keys are its options, for the
command line as here.  See docs/ci.md, "Loading in production".
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from .._errors import ConfigError
from .._formats import Format, FormatName, format_for, format_names, suffixes
from .._messages import byte_order_mark, describe_value, not_utf8
from .._options import MissingPolicy, UnknownKeys
from .._template import Template, _compile
from .project import NOTIFICATION_SUFFIX, SETTINGS_NAMES, Project

if TYPE_CHECKING:
    from .._sending.notification import Notification

__all__ = ["load", "load_template"]

#: What ``project=`` may be: find the settings, use none, or use this settings file.
ProjectChoice = bool | str | os.PathLike[str]


def _path(path: object) -> str:
    if isinstance(path, str | os.PathLike):
        name = os.fspath(path)
        if isinstance(name, str) and name:
            return name
    raise ConfigError(
        f"path must be a file path (str or os.PathLike), not {describe_value(path)}",
        setting="path",
    )


def _choice(project: object) -> bool | str:
    """Check ``project=``: True (find the settings), False (none) or a settings file."""
    if project is True or project is False:
        return project
    if isinstance(project, str | os.PathLike):
        path = os.fspath(project)
        if isinstance(path, str) and path:
            return path
    raise ConfigError(
        "project must be True (find the settings), False (use none) or the path of a "
        f"settings file, not {describe_value(project)}",
        setting="project",
    )


def _project(project: object, overrides: dict[str, object]) -> Project:
    """Return the settings ``project=`` selects, with ``overrides`` on top, as the CLI's flags."""
    choice = _choice(project)
    if isinstance(choice, bool):
        return Project(use_config=choice, overrides=overrides)
    return Project(config=choice, overrides=overrides)


def _overrides(**given: object) -> dict[str, object]:
    return {key: value for key, value in given.items() if value is not None}


def _read(name: str) -> str:
    """Read the template file ``name`` as UTF-8 text (a byte order mark is not text)."""
    try:
        data = Path(name).read_bytes()
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise ConfigError(f"cannot read template {name}: {reason}", setting="path") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if byte_order_mark(data) is not None:  # UTF-16 or UTF-32: say so, and what to do
            reason = not_utf8(data, exc.start)
        else:
            before = data[: exc.start].decode("utf-8-sig", "replace").split("\n")
            reason = (
                f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}, "
                f"line {len(before)}, column {len(before[-1]) + 1})"
            )
        raise ConfigError(f"cannot read template {name}: {reason}", setting="path") from None


def _format(project: Project, name: str, format: Format | str | None) -> Format:
    """Return the format of the template file ``name``, decided as the command line does:
    ``format``, else the first matching pattern of the settings, else the extension."""
    explicit = None if format is None else Format.parse(format)
    fmt = project.chosen_format(name, explicit)[0] or format_for(name)
    if fmt is not None:
        return fmt
    if Path(name).suffix.lower() == NOTIFICATION_SUFFIX:
        hint = "it is a notification file: load it with postback.load or Notification.from_file"
    else:
        hint = (
            f"pass format= ({', '.join(format_names())}), add a pattern to the project "
            f"settings' formats, or use one of {', '.join(suffixes())}"
        )
    raise ConfigError(
        f"cannot tell the format of {name} from its extension: {hint}", setting="format"
    )


def load_template(
    path: str | os.PathLike[str],
    *,
    project: ProjectChoice = True,
    format: Format | FormatName | None = None,
    missing: MissingPolicy | None = None,
    timezone: str | tzinfo | None = None,
    date_format: str | None = None,
    extra_fields: Iterable[str] | None = None,
    unknown_keys: UnknownKeys | None = None,
    day_first: bool | None = None,
) -> Template:
    """Compile the template file ``path`` as ``postback check`` and ``postback test`` do."""
    name = _path(path)
    settings = _project(
        project,
        _overrides(
            missing=missing,
            timezone=timezone,
            date_format=date_format,
            extra_fields=extra_fields,
            unknown_keys=unknown_keys,
            day_first=day_first,
        ),
    )
    fmt = _format(settings, name, format)
    options = settings.compile_options(name, name)
    return _compile(_read(name), fmt, options)


def load(
    path: str | os.PathLike[str],
    *,
    project: ProjectChoice = True,
    format: Format | FormatName | None = None,
    missing: MissingPolicy | None = None,
    timezone: str | tzinfo | None = None,
    date_format: str | None = None,
    extra_fields: Iterable[str] | None = None,
    unknown_keys: UnknownKeys | None = None,
    day_first: bool | None = None,
) -> Template | Notification:
    """Load the template or notification file ``path`` exactly as CI checks and tests it.

    A notification file (``.toml``) is ``Notification.from_file(path)``: its own
    ``timezone``, ``missing``, ``extra_fields``, ``date_format``, ``unknown_keys`` and
    ``day_first`` keys are its options, and giving ``format`` or an option here is a
    ``ConfigError``.  Any other file is a template, compiled as
    ``Template.from_file`` compiles it: with the project settings (``project=True``:
    found from the file's folder as the command line finds them; ``False``: none; a
    path: that settings file), its format from ``format``, else the settings'
    ``formats`` patterns, else its extension, and each option given (not None) over
    the settings' value, as the command line's flags are.

    Raises ``ConfigError`` for an unreadable file, a format that cannot be told,
    malformed settings or an invalid option, and ``TemplateError`` for a template
    that does not compile.  See [Loading in production][loading-in-production].
    """
    name = _path(path)
    if not name.lower().endswith(NOTIFICATION_SUFFIX):
        return load_template(
            name,
            project=project,
            format=format,
            missing=missing,
            timezone=timezone,
            date_format=date_format,
            extra_fields=extra_fields,
            unknown_keys=unknown_keys,
            day_first=day_first,
        )
    _choice(project)  # checked; a notification's options are its own
    if Path(name).name.lower() in SETTINGS_NAMES:
        raise ConfigError(f"{name} is a settings file, not a notification file", setting="path")
    given = _overrides(
        format=format,
        missing=missing,
        timezone=timezone,
        date_format=date_format,
        extra_fields=extra_fields,
        unknown_keys=unknown_keys,
        day_first=day_first,
    )
    if given:
        key = next(iter(given))
        if key == "format":
            why = "the formats of its templates are fixed (url, header values, body_format)"
        else:
            why = f"its templates use its own {key} key, as the command line does"
        raise ConfigError(
            f"{name} is a notification file: {why}; leave {key} out of load()", setting=key
        )
    from .._sending.notification import Notification

    return Notification.from_file(name)
