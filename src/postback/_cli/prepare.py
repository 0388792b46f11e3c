"""``postback prepare``: a notification file and a record, the HTTP request on stdout."""

from __future__ import annotations

import argparse
import sys

from .._errors import TemplateError
from .._files.cases import body_root
from .._files.project import Project
from .._files.text import read_input
from .._files.toml import located, parse_toml
from .._messages import spelled
from .._sending.notification import Notification
from .bulk import check_bulk_flags, prepare_records
from .io import (
    EXIT_FAILED,
    EXIT_OK,
    STDIN,
    STDIN_NAME,
    CliError,
    action_from,
    display,
    emit,
    template_error_lines,
    write,
)

__all__ = ["cmd_prepare"]


def _notification_label(file: str, err: TemplateError) -> str:
    """Where a notification's template error is: ``file[url]``, ``file[headers.X]``,
    ``file[body]``, or the body file itself."""
    if err.name in ("url", "body") or err.name.startswith("headers."):
        return f"{file}[{err.name}]"
    if err.name in ("", "<template>"):
        return file
    return err.name


def _load_notification(path: str) -> Notification:
    """Load the notification settings in ``path``, or in standard input for ``-``.

    Its ``body_file`` must be inside its folder, or inside the project's root when
    project settings apply to it.
    """
    root = body_root(path, Project())
    if path != STDIN:
        # from_file reports an unreadable file, invalid TOML and invalid settings as
        # ConfigError with the path in the message.
        return Notification.from_file(path, body_root=root)
    text = read_input(path, "notification")
    table = parse_toml(text, STDIN_NAME, locate=False)
    with located(STDIN_NAME):
        return Notification.from_dict(table, body_root=root)


def cmd_prepare(args: argparse.Namespace) -> int:
    path: str = args.notification
    if path == STDIN and args.record == STDIN:
        raise CliError("the notification and the record cannot both be read from stdin (-)")
    check_bulk_flags(args, path)
    # The notification file holds the options (unknown_keys, body_format): hints name
    # its keys.
    with spelled("notification"):
        try:
            notification = _load_notification(path)
        except TemplateError as err:
            label = _notification_label(display(path), err)
            write(sys.stderr, "".join(line + "\n" for line in template_error_lines(label, err)))
            return EXIT_FAILED
        if args.records is not None:
            return prepare_records(args, notification)
        action = action_from(
            args, notification.extra_fields, notification.unknown_keys, notification.day_first
        )
        request = notification.prepare(action)
    emit(request.to_http(mask=args.mask))
    return EXIT_OK
