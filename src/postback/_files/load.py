"""Loading a template or notification file in production exactly as CI checked it.

``postback.load(path)`` reads a template file the way ``postback check``, ``postback
test``, ``postback render`` and the pytest plugin read it, as ``Template.from_file``
does (``inputs.template_inputs``): the project settings found from the file's folder
(``[tool.postback]`` of the nearest ``pyproject.toml``, or ``postback.toml``, up to the
repository's root), its format from the settings' ``formats`` patterns, else from its
extension, and its compile options from the settings under any option given here.  A
notification file (``.toml``) is ``Notification.from_file``: its own keys are its
options, for the command line as here.  See docs/ci.md, "Loading in production".
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import tzinfo
from pathlib import Path

from .._errors import ConfigError
from .._formats import Format, FormatName
from .._options import MissingPolicy, UnknownKeys
from .._sending.notification import Notification
from .._template import Template
from .inputs import ProjectChoice, check_path, check_project, given_options
from .project import NOTIFICATION_SUFFIX, SETTINGS_NAMES

__all__ = ["load"]


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
    name = check_path(path)
    if not name.lower().endswith(NOTIFICATION_SUFFIX):
        return Template.from_file(
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
    check_project(project)  # checked; a notification's options are its own
    if Path(name).name.lower() in SETTINGS_NAMES:
        raise ConfigError(f"{name} is a settings file, not a notification file", setting="path")
    _refuse_options(
        name,
        given_options(
            format=format,
            missing=missing,
            timezone=timezone,
            date_format=date_format,
            extra_fields=extra_fields,
            unknown_keys=unknown_keys,
            day_first=day_first,
        ),
    )
    return Notification.from_file(name)


def _refuse_options(name: str, given: dict[str, object]) -> None:
    """Refuse the first of the options ``given`` for the notification file ``name``."""
    if not given:
        return
    key = next(iter(given))
    if key == "format":
        why = "the formats of its templates are fixed (url, header values, body_format)"
    else:
        why = f"its templates use its own {key} key, as the command line does"
    raise ConfigError(
        f"{name} is a notification file: {why}; leave {key} out of load()", setting=key
    )
