"""A template file and a record file, read as the command line, CI and production read them.

``template_inputs`` is what ``Template.from_file`` (and so ``postback.load``) compiles:
the file's text, its format (``format=``, else the project settings' ``formats``
patterns, else its extension) and its compile options (the project settings under any
option given, as the command line's flags are).  ``read_template`` and ``load_record``
read the files of ``postback render``, ``postback check``, ``postback test`` and golden
cases.  See docs/ci.md, "Loading in production".
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from .._errors import ConfigError, RecordError
from .._formats import Format, FormatName, format_for, format_names, suffixes
from .._messages import describe_value
from .._options import CompileOptions, MissingPolicy, UnknownKeys
from .project import NOTIFICATION_SUFFIX, Project
from .text import display, read_input, read_text

if TYPE_CHECKING:
    from .._records.action import Action

__all__ = [
    "ProjectChoice",
    "check_path",
    "check_project",
    "given_options",
    "load_record",
    "read_template",
    "template_format",
    "template_inputs",
]

#: What ``project=`` may be: find the settings, use none, or use this settings file.
ProjectChoice = bool | str | os.PathLike[str]


def read_template(path: str, *, confined: bool = False) -> str:
    """Read a template file (or standard input for ``-``) as it is: its final newline
    is for the compiler to judge (``template_text``).

    With ``confined`` (the files of a golden case, or found by walking a directory) the
    file must be a regular file whose real path is inside its own folder.  Raises
    ``UnreadableFileError``.
    """
    return read_input(path, "template", confined=confined)


def load_record(
    path: str,
    extra: Iterable[str] = (),
    unknown_keys: UnknownKeys = "error",
    day_first: bool | None = None,
    *,
    confined: bool = False,
) -> Action:
    """Read a JSON record (``Action.from_json``) from a file or standard input (``-``).

    ``extra`` names the extra fields the record may hold (those of the template),
    ``unknown_keys`` what becomes of its other keys and ``day_first`` how its dates
    read a numeric day and month; ``confined`` is ``read_template``'s.  Raises
    ``UnreadableFileError``, or ``RecordError`` whose message starts with the file
    (and the line and column of invalid JSON).
    """
    # The records load with the first record read: ``postback check`` reads none.
    from .._records.action import Action

    name = display(path)
    text = read_input(path, "record", confined=confined)
    try:
        return Action.from_json(text, extra=extra, unknown_keys=unknown_keys, day_first=day_first)
    except RecordError as exc:
        if exc.line is not None:
            message = f"{name}:{exc.line}:{exc.column}: {exc.message}"
        elif exc.field is None:  # the JSON as a whole: not an object, nested too deeply
            message = f"{name}: {exc.message}"
        else:
            message = f"{name}: invalid record: {exc}"
        raise RecordError(message, field=exc.field) from None


def check_path(path: object) -> str:
    """Return the file path ``path`` names, or raise ``ConfigError`` (``setting="path"``)."""
    if isinstance(path, str | os.PathLike):
        name = os.fspath(path)
        if isinstance(name, str) and name:
            return name
    raise ConfigError(
        f"path must be a file path (str or os.PathLike), not {describe_value(path)}",
        setting="path",
    )


def check_project(project: object) -> bool | str:
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


def given_options(**given: object) -> dict[str, object]:
    """Return the options given, those that are not None."""
    return {key: value for key, value in given.items() if value is not None}


def template_format(project: Project, name: str, format: Format | str | None) -> Format:
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


def template_inputs(
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
) -> tuple[str, Format, CompileOptions]:
    """Return what ``Template.from_file`` compiles: the text, format and options of the
    template file ``path``, as ``postback check`` and ``postback test`` decide them."""
    name = check_path(path)
    overrides = given_options(
        missing=missing,
        timezone=timezone,
        date_format=date_format,
        extra_fields=extra_fields,
        unknown_keys=unknown_keys,
        day_first=day_first,
    )
    choice = check_project(project)
    if isinstance(choice, bool):
        settings = Project(use_config=choice, overrides=overrides)
    else:
        settings = Project(config=choice, overrides=overrides)
    fmt = template_format(settings, name, format)
    options = settings.compile_options(name, name)
    return read_text(name, f"template {name}", setting="path"), fmt, options
