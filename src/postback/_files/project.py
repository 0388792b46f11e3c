"""Project settings: the ``[tool.postback]`` table of ``pyproject.toml``, or ``postback.toml``.

Found the way Python tools find theirs: from a directory (a checked file's, or the
current one) up through its parents, the first ``postback.toml`` (all of it) or
``pyproject.toml`` with a ``[tool.postback]`` table applies; the search stops at the
root of a repository (a directory holding ``.git`` or ``.hg``).  The settings hold
the compile options, format overrides per file pattern, and the template and
golden-case directories; paths in them are relative to the settings file.
Command-line flags override them; ``--config FILE`` names the file and
``--no-config`` reads none.  See docs/ci.md.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, NamedTuple

from .._errors import ConfigError
from .._formats import Format, folder_suffixes
from .._messages import describe_value, suggest
from .._options import OPTION_DEFAULTS, CompileOptions
from .._sending.config import KEYS as NOTIFICATION_KEYS
from .text import read_text
from .toml import located, parse_toml

__all__ = [
    "NOTIFICATION_SUFFIX",
    "OPTION_KEYS",
    "SETTINGS_NAMES",
    "Project",
    "ProjectSettings",
    "directory_suffixes",
    "find_settings_file",
    "read_settings",
    "shown_path",
]

#: A notification file: its url, headers and body are templates.
NOTIFICATION_SUFFIX: Final = ".toml"


def directory_suffixes() -> tuple[str, ...]:
    """Return what ``check`` and ``test`` look for when they walk a directory.

    The template files of the formats that are found in folders (text templates,
    ``.txt``, are only used when named explicitly, so that a README.txt in a template
    folder is not mistaken for a template), and notification files.
    """
    return (*folder_suffixes(), NOTIFICATION_SUFFIX)


_SETTINGS_FILE: Final = "postback.toml"
_PYPROJECT: Final = "pyproject.toml"
#: The settings files, never taken for notifications.
SETTINGS_NAMES: Final = frozenset({_SETTINGS_FILE, _PYPROJECT})
_REPOSITORY_MARKERS: Final = (".git", ".hg")

#: The compile options the settings may hold (checked as a notification file checks them).
OPTION_KEYS: Final = (
    "extra_fields",
    "missing",
    "timezone",
    "date_format",
    "unknown_keys",
    "day_first",
)


def _is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _is_str_table(value: object) -> bool:
    return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())


def _is_bool(value: object) -> bool:
    return isinstance(value, bool)


_KEYS: Final[Mapping[str, tuple[str, Callable[[object], bool]]]] = {
    **{key: NOTIFICATION_KEYS[key] for key in OPTION_KEYS},
    "formats": ("a table of file patterns to format names", _is_str_table),
    "templates": ("a list of paths (files or directories)", _is_str_list),
    "cases": ("a list of directories", _is_str_list),
    "mask": ("true or false", _is_bool),
}


def shown_path(path: Path | str) -> str:
    """Return how messages name ``path``: relative to the current directory."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


class ProjectSettings(NamedTuple):
    """The settings read from one file (or none: every value its default).

    ``options`` holds the compile options the file gives (validated);
    ``formats`` the ``(pattern, format)`` overrides in file order; ``templates``
    and ``cases`` absolute paths; ``mask`` whether the values of secret headers are
    masked in golden cases (None: the file does not say).  ``label`` names the file
    in messages.
    """

    file: Path | None = None
    label: str = "default"
    options: Mapping[str, object] = MappingProxyType({})
    formats: tuple[tuple[str, Format], ...] = ()
    templates: tuple[Path, ...] = ()
    cases: tuple[Path, ...] = ()
    mask: bool | None = None

    @property
    def root(self) -> Path:
        """The directory that relative paths and patterns start from."""
        return self.file.parent if self.file is not None else Path.cwd()

    def pattern_format(self, path: Path) -> tuple[Format, str] | None:
        """Return the format a pattern gives ``path`` and the pattern, or None."""
        try:
            relative = path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return None
        for pattern, fmt in self.formats:
            subject = relative if "/" in pattern else path.name
            if fnmatch.fnmatchcase(subject, pattern):
                return fmt, pattern
        return None


def _read_table(path: Path) -> dict[str, Any]:
    shown = shown_path(path)
    return parse_toml(read_text(path, f"settings file {shown}"), shown)


def _postback_table(path: Path, table: dict[str, Any], required: bool) -> object:
    if path.name != _PYPROJECT:
        return table
    tool = table.get("tool")
    if isinstance(tool, dict) and "postback" in tool:
        return tool["postback"]
    if required:
        raise ConfigError(f"{shown_path(path)} has no [tool.postback] table")
    return None


def read_settings(path: Path, *, required: bool = True) -> ProjectSettings | None:
    """Read the settings in ``path``; a ``pyproject.toml`` without the table gives None.

    With ``required`` a ``pyproject.toml`` without a ``[tool.postback]`` table is an
    error.  A malformed table raises ``ConfigError`` naming the file and the key.
    """
    table = _postback_table(path, _read_table(path), required)
    if table is None:
        return None
    label = shown_path(path) + (" [tool.postback]" if path.name == _PYPROJECT else "")
    with located(label):
        return _settings(path, label, table)


def _checked(table: object) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise ConfigError(f"the settings must be a table, not {describe_value(table)}")
    for key, value in table.items():
        spec = _KEYS.get(key)
        if spec is None:
            close = suggest(key, _KEYS, cutoff=0.6)
            hint = f"did you mean {close!r}?" if close else f"the keys are {', '.join(_KEYS)}"
            raise ConfigError(f"unknown key {key!r}: {hint}", setting=key)
        expected, check = spec
        if not check(value):
            raise ConfigError(f"{key} must be {expected}, not {describe_value(value)}", setting=key)
    return table


def _settings(path: Path, label: str, table: object) -> ProjectSettings:
    values = _checked(table)
    options: dict[str, object] = {key: values[key] for key in OPTION_KEYS if key in values}
    CompileOptions(**options)  # type: ignore[arg-type]  # validated there, in one place
    formats: list[tuple[str, Format]] = []
    for pattern, name in values.get("formats", {}).items():
        try:
            formats.append((pattern, Format.parse(name)))
        except ConfigError as exc:
            raise ConfigError(f"formats[{pattern!r}]: {exc.message}", setting="formats") from None
    root = path.parent
    return ProjectSettings(
        file=path,
        label=label,
        options=options,
        formats=tuple(formats),
        templates=tuple(root / p for p in values.get("templates", ())),
        cases=tuple(root / p for p in values.get("cases", ())),
        mask=values.get("mask"),
    )


# The ways TOML can write the key path tool.postback (a header, a dotted key, ``[tool]``
# and a ``postback`` key, an inline ``tool`` table); a key spelled with escapes
# (``"\u0074ool"``) is taken as one too.  Text that matches may still hold no table
# (the parser then decides); text that matches none of them cannot hold it.
_TOOL_DOT_POSTBACK: Final = re.compile(rb"""tool["']?[ \t]*\.[ \t]*["']?postback""")
_TOOL_TABLE: Final = re.compile(
    rb"""^[ \t]*\[[ \t]*["']?tool["']?[ \t]*\]|tool["']?[ \t]*=[ \t]*\{""", re.M
)
_POSTBACK_KEY: Final = re.compile(
    rb"""^[ \t]*["']?postback["']?[ \t]*[.=]|[{,][ \t]*["']?postback""", re.M
)


def may_hold_settings(text: bytes) -> bool:
    """Tell whether a ``pyproject.toml`` of this text can hold a ``[tool.postback]`` table.

    Most do not, and then no TOML parser loads: a project's own ``pyproject.toml`` names
    the package, its dependencies name postback, but neither makes a table.
    """
    if any(escape in text for escape in (b"\\u", b"\\U", b"\\x")):
        return True  # a key may spell postback with escapes (\x: TOML 1.1, Python 3.15)
    if text.startswith(b"\xef\xbb\xbf"):
        return True  # a byte order mark moves the first line's start
    if b"postback" not in text:
        return False
    if _TOOL_DOT_POSTBACK.search(text):
        return True
    return bool(_TOOL_TABLE.search(text) and _POSTBACK_KEY.search(text))


def _mentions_postback(path: Path) -> bool:
    """Tell cheaply whether a ``pyproject.toml`` can hold the table (most do not)."""
    try:
        return may_hold_settings(path.read_bytes())
    except OSError:
        return False


def _candidates(start: Path) -> Iterator[Path]:
    for directory in (start, *start.parents):
        yield directory / _SETTINGS_FILE
        yield directory / _PYPROJECT
        if any((directory / marker).exists() for marker in _REPOSITORY_MARKERS):
            return


def find_settings_file(start: Path) -> Path | None:
    """Return the settings file that applies in directory ``start``, or None."""
    for candidate in _candidates(start.resolve()):
        if not candidate.is_file():
            continue
        if candidate.name == _SETTINGS_FILE or (
            _mentions_postback(candidate) and read_settings(candidate, required=False)
        ):
            return candidate
    return None


_DEFAULTS: Final = {key: OPTION_DEFAULTS[key] for key in OPTION_KEYS}


class Project:
    """The settings that apply to each file, with the command line's flags on top.

    ``config`` names the one settings file to use (instead of discovering one per
    directory); ``use_config=False`` reads none.  ``overrides`` maps compile option
    names to the values of flags, ``flags`` those names to how the flags are spelled.
    """

    def __init__(
        self,
        *,
        config: str | None = None,
        use_config: bool = True,
        overrides: Mapping[str, object] | None = None,
        flags: Mapping[str, str] | None = None,
    ) -> None:
        self.use_config = use_config
        self.overrides = dict(overrides or {})
        self.flags = dict(flags or {})
        self._fixed: ProjectSettings | None = None
        if not use_config:
            self._fixed = ProjectSettings()
        elif config is not None:
            self._fixed = read_settings(Path(config)) or ProjectSettings()
        self._by_dir: dict[Path, ProjectSettings] = {}
        self._options: dict[tuple[int, str], CompileOptions] = {}

    def settings_for(self, path: str | Path | None) -> ProjectSettings:
        """Return the settings of the file ``path`` (None or ``-``: the current directory)."""
        if self._fixed is not None:
            return self._fixed
        directory = Path.cwd() if path in (None, "-") else Path(str(path)).absolute().parent
        hit = self._by_dir.get(directory)
        if hit is None:
            file = find_settings_file(directory)
            hit = (read_settings(file) if file is not None else None) or ProjectSettings()
            self._by_dir[directory] = hit
        return hit

    def options(self, path: str | Path | None) -> dict[str, object]:
        """Return the compile options for ``path``: flags over settings over defaults."""
        return {**self.settings_for(path).options, **self.overrides}

    def compile_options(self, path: str | Path | None, name: str) -> CompileOptions:
        """Return the validated ``CompileOptions`` for ``path``, named ``name``."""
        settings = self.settings_for(path)
        key = (id(settings), name)
        hit = self._options.get(key)
        if hit is None:
            hit = CompileOptions(**self.options(path), name=name)  # type: ignore[arg-type]
            self._options[key] = hit
        return hit

    def chosen_format(self, path: str, explicit: Format | None) -> tuple[Format | None, str]:
        """Return the format the flag or a settings pattern chooses for ``path``, and why;
        else ``(None, "")``: the extension decides (``_formats.format_for``)."""
        if explicit is not None:
            return explicit, "--format"
        if path == "-":
            return None, ""
        match = self.settings_for(path).pattern_format(Path(path))
        if match is not None:
            fmt, pattern = match
            return fmt, f"formats[{pattern!r}] in {self.settings_for(path).label}"
        return None, ""

    def sources(self, path: str | Path | None) -> Iterator[tuple[str, object, str]]:
        """Yield ``(option, value, where it came from)`` for each compile option."""
        settings = self.settings_for(path)
        for key in OPTION_KEYS:
            if key in self.overrides:
                yield key, self.overrides[key], self.flags.get(key, "a flag")
            elif key in settings.options:
                yield key, settings.options[key], settings.label
            else:
                yield key, _DEFAULTS[key], "default"
