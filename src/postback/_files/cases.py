"""Which files in a folder are templates, notifications, records and expected outputs.

``postback check``, ``postback test``, golden cases (``postback.testing``) and the
pytest plugin find their files here: templates by extension (or by a pattern of the
project settings), a case's ``CASE.record.json`` and ``CASE.NAME.record.json`` records
and its ``.expected`` outputs, and the ``body_file`` of a notification, which the
notification covers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Final

from .._errors import CaseError
from .project import NOTIFICATION_SUFFIX, SETTINGS_NAMES, Project, directory_suffixes
from .text import STDIN, UnreadableFileError, read_text
from .toml import TomlError, load_toml

__all__ = [
    "EXPECTED_SUFFIX",
    "RECORD_SUFFIX",
    "body_root",
    "case_templates",
    "drop_body_files",
    "is_directory_template",
    "is_notification",
    "notification_folder",
    "record_files",
    "walk_templates",
]

RECORD_SUFFIX: Final = ".record.json"
EXPECTED_SUFFIX: Final = ".expected"


def is_directory_template(name: str) -> bool:
    """Tell whether a file ``name`` found in a directory is a template to use.

    Records, expected outputs and the settings files (``pyproject.toml``,
    ``postback.toml``) are not; notification files (``.toml``) are.
    """
    lower = name.lower()
    if lower.endswith(RECORD_SUFFIX) or lower.endswith(EXPECTED_SUFFIX):
        return False
    return lower.endswith(directory_suffixes()) and lower not in SETTINGS_NAMES


def walk_templates(directory: str, project: Project | None = None) -> Iterator[str]:
    """Yield the templates under ``directory``, sorted, skipping hidden entries.

    With ``project``, files its settings give a format by pattern are templates too.
    """
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = os.path.join(root, name)
            if is_directory_template(name) or (
                project is not None
                and not name.lower().endswith((RECORD_SUFFIX, EXPECTED_SUFFIX))
                and project.chosen_format(path, None)[0] is not None
            ):
                yield path


def record_files(template: str, listings: dict[str, list[str]]) -> list[tuple[str | None, str]]:
    """Return ``(NAME or None, record file)`` for each record of the case ``template``.

    ``listings`` keeps the names in each folder, read once for all its templates.
    """
    directory, base = os.path.split(template)
    stem = base.rsplit(".", 1)[0] if "." in base else base
    names = listings.get(directory)
    if names is None:
        try:
            names = sorted(os.listdir(directory or "."))
        except OSError:
            names = []
        listings[directory] = names
    # A record that is another template's CASE.record.json is that template's.
    stems = {n.rsplit(".", 1)[0] for n in names if is_directory_template(n)}
    found: list[tuple[str | None, str]] = []
    for entry in names:
        if not entry.startswith(stem + ".") or not entry.endswith(RECORD_SUFFIX):
            continue
        middle = entry[len(stem) + 1 : -len(RECORD_SUFFIX)]
        if middle == "":
            found.append((None, os.path.join(directory, entry)))
        elif "." not in middle and f"{stem}.{middle}" not in stems:
            found.append((middle, os.path.join(directory, entry)))
    return found


def is_notification(path: str) -> bool:
    """Tell whether the file ``path`` is a notification file (by its extension)."""
    return path != STDIN and path.lower().endswith(NOTIFICATION_SUFFIX)


def notification_folder(path: str) -> Path:
    """The folder a notification's ``body_file`` is relative to (the current one for ``-``)."""
    return Path.cwd() if path == STDIN else Path(path).parent


def body_root(path: str, project: Project) -> Path | None:
    """Return the folder the ``body_file`` of notification ``path`` must be in.

    The project's root (the folder of its settings file) when the notification is
    inside it; otherwise None, the notification's own folder.
    """
    settings = project.settings_for(None if path == STDIN else path)
    if settings.file is None:
        return None
    root = settings.root.resolve()
    folder = notification_folder(path).resolve()
    return root if folder == root or root in folder.parents else None


def _body_file(path: str) -> str | None:
    try:
        table = load_toml(read_text(path, path))
    except (UnreadableFileError, TomlError):
        return None  # checking the notification says why
    body_file = table.get("body_file")
    if not isinstance(body_file, str):
        return None
    return os.path.normpath(os.path.abspath(notification_folder(path) / body_file))


def drop_body_files(files: list[str], candidates: set[str]) -> list[str]:
    """Leave out of ``files`` those of ``candidates`` that are the ``body_file`` of a
    notification among ``files``: the notification covers them, with its own body
    format and options.  ``test`` passes the files it found in directories; ``check``
    every file but the notifications, named or found."""
    bodies = {_body_file(f) for f in files if is_notification(f)} - {None}
    if not bodies:
        return files
    return [
        f
        for f in files
        if f not in candidates or os.path.normpath(os.path.abspath(f)) not in bodies
    ]


def case_templates(paths: Sequence[str], project: Project) -> list[str]:
    """Return the templates of the golden cases under ``paths`` (folders or templates),
    each once, in order, but the body files of notifications among those found.

    Raises ``CaseError`` for a path that does not exist or is not a template.
    """
    found: list[str] = []
    walked: set[str] = set()
    for path in paths:
        if os.path.isdir(path):
            inside = list(walk_templates(path, project))
            walked.update(inside)
        elif os.path.isfile(path):
            if not is_directory_template(os.path.basename(path)):
                raise CaseError(
                    f"{path} is not a test case: name a directory, or a template ending in "
                    + ", ".join(directory_suffixes())
                )
            inside = [path]
        else:
            raise CaseError(f"cannot read test directory {path}: No such file or directory")
        found.extend(t for t in inside if t not in found)
    return drop_body_files(found, walked)
