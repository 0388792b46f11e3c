"""The files named on ``postback serve``'s command line, and the page's first state.

Each PATH is a notification file (``.toml``), a body template (``.json``, ``.xml``,
``.qs``, ``.query``), a URL template (``.url``), a record (``.record.json``) or a
folder of golden cases.  A template or notification is a golden case with the records
beside it, as ``postback test`` finds them (``CASE.record.json``,
``CASE.NAME.record.json``); those records, and the ``body_file`` a notification names
inside its folder, are the only other files the server reads.  The page imports a
file by its name in ``Workspace.entries``; any other name is refused.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from .. import ConfigError, Format, sample_action
from .._cli.init import TEMPLATE, content
from .._files.cases import RECORD_SUFFIX
from .._files.confined import Refused, read_inside
from .._files.project import Project
from .._files.text import read_input
from ..testing import CaseError, find_cases
from .state import OPTION_KEYS

__all__ = ["Entry", "Workspace", "first_state", "sample_record"]

#: What the settings screen holds before any file is imported: the example
#: notification of the documentation, with impact.com's example JSON body, fixed.
DEFAULT_SETTINGS: Final[Mapping[str, object]] = {
    "url": "https://postbacks.example.com/impact/actions/{CampaignId}"
    "?action_id={ActionId}&status={Status}",
    "method": "POST",
    "body_format": "json",
    "headers": "X-Action-Id: {ActionId}",
    "min_delay": "30",
    "max_requests": "10",
    "success_response": "OK",
    "error_response": "ERROR",
}

#: The largest file the server reads (the default ``max_template_size``).
MAX_FILE_BYTES: Final = 1024 * 1024

_SETTING_KEYS: Final = (
    ("url", "method", "body_format", "success_response", "error_response")
)  # fmt: skip


def sample_record() -> str:
    """The built-in sample action as the JSON text of a record."""
    return json.dumps(sample_action().to_dict(), indent=2, ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Entry:
    """A file, or golden case, the page may import: its ``name`` (the path as named,
    which the page sends back), what it is, and the files it reads."""

    name: str
    kind: str  # "notification", "template", "url", "record" or "case"
    template: str | None = None
    record: str | None = None
    format: str | None = None
    body_root: str | None = None
    options: Mapping[str, object] | None = None

    def to_json(self) -> dict[str, object]:
        """The entry as the page lists it."""
        return {"name": self.name, "kind": self.kind}


def _read(path: str, what: str) -> str:
    """Read a file named on the command line, only if it is a regular file inside its folder."""
    return read_input(path, what, confined=True)


def _options(options: Mapping[str, Any]) -> dict[str, object]:
    found: dict[str, object] = {}
    for key in OPTION_KEYS:
        value = options.get(key)
        if value is not None and value != ():
            found[key] = list(value) if isinstance(value, tuple | frozenset | set) else value
    return found


def _case_entries(path: str) -> list[Entry]:
    try:
        cases = find_cases([path], Project())
    except (CaseError, ConfigError) as exc:
        raise ConfigError(str(exc), setting=path) from None
    entries = []
    for case in cases:
        fmt = None if case.format is None else case.format.value
        kind = "notification" if case.is_notification else "template"
        if fmt == Format.URL.value:
            kind = "url"
        elif fmt is not None and fmt not in ("json", "xml", "query"):
            if os.path.isdir(path):
                continue  # a header or text template of a folder: not for the page
            raise ConfigError(
                f"{case.template}: postback serve takes body templates (.json, .xml, .qs, "
                ".query), URL templates (.url), notification files (.toml) and records "
                f"(*{RECORD_SUFFIX})",
                setting=case.template,
            )
        name = case.template if case.record is None else f"{case.template} + {case.record}"
        entries.append(
            Entry(
                name, kind if case.record is None else "case", case.template, case.record,
                fmt, case.body_root, _options(case.compile_options),
            )
        )  # fmt: skip
    return entries


class Workspace:
    """The files named on the command line, as the page may import them."""

    def __init__(self, paths: Sequence[str]) -> None:
        entries: list[Entry] = []
        for path in paths:
            if not os.path.exists(path):
                raise ConfigError(f"cannot read {path}: No such file or directory", setting=path)
            if path.endswith(RECORD_SUFFIX) and not os.path.isdir(path):
                entries.append(Entry(path, "record", record=path))
            else:
                entries.extend(_case_entries(path))
        unique: dict[str, Entry] = {}
        for entry in entries:
            unique.setdefault(entry.name, entry)
        self.entries: tuple[Entry, ...] = tuple(unique.values())
        for entry in self.entries:
            self.load(entry.name)  # every file is readable, or the command stops here

    def load(self, name: str) -> dict[str, Any]:
        """The fields that the entry ``name`` sets: ``settings`` and ``record``.

        Raises ``PermissionError`` for a name that is not an entry, and ``ConfigError``
        for a file that cannot be read.
        """
        entry = next((e for e in self.entries if e.name == name), None)
        if entry is None:
            raise PermissionError(f"{name!r} was not named on the command line")
        loaded: dict[str, Any] = {"settings": {}}
        if (
            entry.template is not None
            and entry.kind in ("notification", "case")
            and (entry.format is None)
        ):
            loaded["settings"] = notification_settings(entry.template, entry.body_root)
        elif entry.template is not None:
            text = _read(entry.template, "template")
            key = "url" if entry.format == Format.URL.value else "body"
            loaded["settings"] = {key: text, "options": dict(entry.options or {})}
            if key == "body":
                loaded["settings"]["body_format"] = entry.format
                loaded["settings"]["method"] = "POST"
        if entry.record is not None:
            loaded["record"] = _read(entry.record, "record")
        return loaded


def _toml(path: str) -> dict[str, Any]:
    text = _read(path, "notification")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}", setting=path) from None
    except (RecursionError, ValueError) as exc:  # nesting, or a number of many digits
        raise ConfigError(f"{path}: the TOML cannot be read: {exc}", setting=path) from None


def _body_file(path: str, body_file: str, root: str | None) -> str:
    folder = Path(path).parent
    target = folder / body_file
    try:
        data = read_inside(target, root or folder, limit=MAX_FILE_BYTES)
        text = data.decode("utf-8-sig")
    except Refused as exc:
        raise ConfigError(f"{path}: body_file {body_file!r} {exc.reason}", setting=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read body_file {body_file!r}: {exc}") from None
    # One final line ending belongs to the file, not to the body.
    return text[:-2] if text.endswith("\r\n") else text.removesuffix("\n")


def _headers(value: object, path: str) -> str:
    if isinstance(value, Mapping):
        value = [f"{name}: {text}" for name, text in value.items()]
    if isinstance(value, list) and all(isinstance(line, str) for line in value):
        return "\n".join(value)
    raise ConfigError(f"{path}: headers must be a table or an array of strings", setting=path)


def _text_of(key: str, value: object, path: str) -> str:
    if key in ("min_delay", "max_requests"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{path}: {key} must be a number", setting=path)
    elif not isinstance(value, str):
        raise ConfigError(f"{path}: {key} must be a string", setting=path)
    return str(value)


def notification_settings(path: str, root: str | None = None) -> dict[str, Any]:
    """The settings of the notification file ``path``, as the page's fields hold them;
    its ``body_file`` is read from inside ``root`` (default: the file's folder)."""
    table = _toml(path)
    settings: dict[str, Any] = dict.fromkeys(_SETTING_KEYS, "")
    settings.update(method="GET", body="", headers="", min_delay="", max_requests="")
    settings.update(body_format="json", options={})
    for key, value in table.items():
        if key in _SETTING_KEYS or key in ("body", "min_delay", "max_requests"):
            settings[key] = _text_of(key, value, path)
        elif key == "body_file":
            settings["body"] = _body_file(path, _text_of(key, value, path), root)
        elif key == "headers":
            settings["headers"] = _headers(value, path)
        elif key in OPTION_KEYS:
            settings["options"][key] = value
    return settings


def first_state(workspace: Workspace) -> dict[str, Any]:
    """The page's first state: the example settings and the sample record, with every
    named file imported over them in order."""
    starter = content(TEMPLATE).removesuffix("\n")
    settings: dict[str, Any] = {**DEFAULT_SETTINGS, "body": starter, "options": {}}
    record = sample_record()
    for entry in workspace.entries:
        loaded = workspace.load(entry.name)
        settings.update(loaded["settings"])
        record = loaded.get("record", record)
    return {"settings": settings, "record": record}
