"""Golden tests of postback templates: find the cases, render them, compare, update.

A golden case is a template file and one record, and the exact bytes the template
must render for that record.  Beside a template ``CASE.EXT`` (``.json``, ``.xml``,
``.qs``, ``.query``, ``.url``, ``.header``, or a notification file ``.toml``):

- ``CASE.NAME.record.json`` is rendered and compared with ``CASE.NAME.expected``,
  for as many names as there are records (a NAME has no dots);
- ``CASE.record.json`` with ``CASE.expected``;
- with no record file at all, the built-in sample (``postback.sample_action()``)
  with ``CASE.expected``.

A notification case compares the whole prepared request as HTTP/1.1 text
(``PreparedRequest.to_http()``).  ``postback test``, the pytest plugin and a team's
own tests all run cases through this module; see docs/ci.md.

A case's files are read only when they are regular files inside their own folder,
symbolic links resolved, and expected files are written through a new file and
``os.replace``, never through a symbolic link (``_files``): a case folder cannot make
a test print a file from elsewhere, or an update write one.

This module is not imported by ``import postback``: import it explicitly.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._cli.io import (
    EXPECTED_SUFFIX,
    RECORD_SUFFIX,
    CliError,
    is_directory_template,
    load_record,
    printable,
    read_template,
    template_format,
    walk_templates,
)
from ._cli.notify import body_root, drop_body_files, is_notification
from ._errors import ConfigError, PostbackError
from ._files.confined import Refused, read_inside, write_replacing
from ._files.project import Project, directory_suffixes, shown_path
from ._formats import Format
from ._options import UnknownKeys
from ._records.action import Action, sample_action
from ._sending.secrets import masked_http
from ._template import compile

if TYPE_CHECKING:
    from ._sending.request import PreparedRequest

__all__ = ["Case", "CaseError", "Comparison", "Snapshot", "discover", "unified_diff"]


class CaseError(PostbackError):
    """A case's input cannot be used: an unreadable file, a record that is not valid."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------
# A case
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Case:
    """One golden case: a template, a record (None: the built-in sample), an expected file.

    ``name`` is the NAME of ``CASE.NAME.record.json`` (None for ``CASE.record.json``
    and the sample).  ``format`` is the template's format (None for a notification
    file, whose settings say).  ``compile_options`` are the keyword arguments of
    ``postback.compile`` the project settings give the template (a notification
    uses its own).  ``body_root`` is the folder a notification's ``body_file`` must
    be in (None: the notification's folder; ``discover`` gives the project's root).
    Paths are as found: relative when the search started from a relative path.
    """

    template: str
    expected: str
    record: str | None = None
    name: str | None = None
    format: Format | None = None
    compile_options: Mapping[str, Any] = field(default_factory=dict)
    body_root: str | None = None

    @property
    def id(self) -> str:
        """How reports name the case: ``TEMPLATE`` or ``TEMPLATE[NAME]``."""
        return self.template if self.name is None else f"{self.template}[{self.name}]"

    @property
    def is_notification(self) -> bool:
        """Whether the template is a notification file (rendered as an HTTP request)."""
        return self.format is None

    def _action(
        self,
        extra: Iterable[str],
        unknown_keys: UnknownKeys = "error",
        day_first: bool | None = None,
    ) -> Action:
        if self.record is None:
            return sample_action()
        try:
            return load_record(self.record, extra, unknown_keys, day_first, confined=True)
        except CliError as exc:
            raise CaseError(exc.message) from None

    def render(self, *, mask: bool = False) -> bytes:
        """Render the case: the template's bytes, or the notification's request as HTTP text.

        With ``mask``, the values of secret headers (``Authorization``, tokens, keys)
        in a notification's request are written ``***``, so expected files hold no secret.

        Raises ``CaseError`` for input that cannot be used (template or record file),
        ``TemplateError`` for a defective template, ``RenderError`` when the record
        cannot be rendered.
        """
        if self.format is None:
            return self._request().to_http(mask=mask)
        try:
            source = read_template(self.template, confined=True)
        except CliError as exc:
            raise CaseError(exc.message) from None
        extra = self.compile_options.get("extra_fields", ())
        action = self._action(
            extra,
            self.compile_options.get("unknown_keys", "error"),
            self.compile_options.get("day_first"),
        )
        options = {"name": self.template, **self.compile_options}
        return compile(source, format=self.format, **options).render_bytes(action)

    def _request(self) -> PreparedRequest:
        from ._sending.config import located, read_file
        from ._sending.notification import Notification

        try:
            table, file = read_file(self.template, confined=True)
            with located(str(file)):
                notification = Notification.from_dict(
                    table, base_dir=file.parent, body_root=self.body_root
                )
        except ConfigError as exc:
            raise CaseError(str(exc)) from None
        action = self._action(
            notification.extra_fields, notification.unknown_keys, notification.day_first
        )
        return notification.prepare(action)

    def read_expected(self, *, mask: bool = False) -> bytes | None:
        """Return the expected bytes, or None when there is no expected file yet.

        With ``mask``, the values of a notification's secret headers are ``***``, as
        ``render(mask=True)`` writes them.  Raises ``CaseError`` for a file that cannot
        be read, that is not a regular file, or that is a symbolic link out of its folder.
        """
        expected = _read_expected(self.expected)
        if expected is not None and mask and self.is_notification:
            return masked_http(expected)
        return expected

    def compare(self, rendered: bytes | None = None, *, mask: bool = False) -> Comparison:
        """Render the case (unless ``rendered`` is given) and compare with the expected file.

        With ``mask``, the values of a notification's secret headers are neither shown
        nor compared: the rendering (``render(mask=True)``) and the expected file have
        them as ``***``, so an expected file that holds them masked or as the values
        matches.
        """
        if rendered is None:
            rendered = self.render(mask=mask)
        return Comparison(self, rendered, self.read_expected(mask=mask))

    def update(self, rendered: bytes | None = None, *, mask: bool = False) -> bool:
        """Write the expected file if it is missing or differs; return whether it was written.

        With ``mask``, as in ``compare``: the file is written with the values of
        secret headers masked, and only when something else differs.  An expected
        file that cannot be read is replaced: by a new file written beside it, then
        renamed, never through a symbolic link.  An expected file that is a symbolic
        link (unless it already holds the rendering) or not a regular file, or that
        cannot be written, raises ``CaseError``.
        """
        if rendered is None:
            rendered = self.render(mask=mask)
        try:
            if self.read_expected(mask=mask) == rendered:
                return False
        except CaseError:
            pass  # replaced, unless writing refuses it too
        _write_expected(self.expected, rendered)
        return True


@dataclass(frozen=True, slots=True)
class Comparison:
    """A rendering next to the expected bytes (None: there is no expected file).

    Both as compared: with ``mask``, secret header values are ``***`` in each.
    """

    case: Case
    rendered: bytes
    expected: bytes | None

    @property
    def ok(self) -> bool:
        """Whether the rendering is byte for byte the expected file."""
        return self.expected == self.rendered

    def diff(self) -> str:
        """Return the unified diff from the expected file to the rendering ("" when equal)."""
        if self.ok:
            return ""
        if self.expected is None:
            return f"no expected output {printable(self.case.expected)}\n"
        return unified_diff(
            self.expected, self.rendered, self.case.expected, f"{self.case.id} (rendered)"
        )


def _read_expected(path: str | os.PathLike[str]) -> bytes | None:
    try:
        return read_inside(path)
    except FileNotFoundError:
        return None
    except Refused as exc:
        raise CaseError(f"cannot read {os.fspath(path)}: it {exc.reason}") from None
    except OSError as exc:
        raise CaseError(f"cannot read {os.fspath(path)}: {exc.strerror or exc}") from None


def _write_expected(path: str | os.PathLike[str], data: bytes) -> None:
    try:
        write_replacing(path, data)
    except Refused as exc:
        raise CaseError(f"cannot write {os.fspath(path)}: it {exc.reason}") from None
    except OSError as exc:
        raise CaseError(f"cannot write {os.fspath(path)}: {exc.strerror or exc}") from None


# ---------------------------------------------------------------------------
# Diffs
# ---------------------------------------------------------------------------


def _split_lines(text: str) -> list[str]:
    """Split on LF only (keeping it), so CR and other separators stay visible in diffs."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _diff_line(line: str) -> str:
    """A line of the diff as printed: its text escaped, so that it stays one line.

    A CR before the line's end is its CRLF line ending, written as it is.
    """
    text, newline = (line[:-1], "\n") if line.endswith("\n") else (line, "")
    ending = "\r" if text.endswith("\r") else ""
    text = text[: len(text) - len(ending)]
    if text.startswith(("---", "+++", "@@")):
        shown = printable(text, keep_tabs=True)
    else:  # the content after the one-character prefix
        shown = text[:1] + printable(text[1:], keep_tabs=True)
    return shown + ending + (newline or "\n\\ No newline at end of file\n")


def unified_diff(expected: bytes, actual: bytes, expected_name: str, actual_name: str) -> str:
    """Return a unified diff from ``expected`` to ``actual`` (UTF-8 bytes) that shows
    every difference: a missing final newline is marked, and a difference only in
    line endings or in bytes that are not UTF-8 is said in words.  Control characters
    (a carriage return, an escape) are shown escaped (``\\r``, ``\\x1b``), in the
    names too, so every line of the diff is one line of the files."""
    out: list[str] = []
    for line in difflib.unified_diff(
        _split_lines(expected.decode("utf-8", "replace")),
        _split_lines(actual.decode("utf-8", "replace")),
        fromfile=expected_name,
        tofile=actual_name,
    ):
        out.append(_diff_line(line))
    if expected == actual:
        return ""
    if expected.replace(b"\r\n", b"\n") == actual.replace(b"\r\n", b"\n"):
        out.append("(the files differ only in line endings, CRLF against LF)\n")
    elif not out or all(len(line) < 4 for line in out):
        out.append("(the difference is in bytes that are not valid UTF-8)\n")
    return "".join(out)


# ---------------------------------------------------------------------------
# Finding cases
# ---------------------------------------------------------------------------


def _listing(directory: str, cache: dict[str, list[str]]) -> list[str]:
    hit = cache.get(directory)
    if hit is None:
        try:
            hit = sorted(os.listdir(directory or "."))
        except OSError:
            hit = []
        cache[directory] = hit
    return hit


def _records(template: str, cache: dict[str, list[str]]) -> list[tuple[str | None, str]]:
    """Return ``(NAME or None, record file)`` for each record of ``template``."""
    directory, base = os.path.split(template)
    stem = base.rsplit(".", 1)[0] if "." in base else base
    names = _listing(directory, cache)
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


def _cases_for(
    template: str,
    fmt: Format | None,
    options: Mapping[str, Any],
    root: str | None,
    cache: dict[str, list[str]],
) -> list[Case]:
    base = os.path.splitext(template)[0]
    records = _records(template, cache)
    if not records:
        return [Case(template, base + EXPECTED_SUFFIX, None, None, fmt, options, root)]
    return [
        Case(
            template,
            f"{base}.{name}{EXPECTED_SUFFIX}" if name else base + EXPECTED_SUFFIX,
            record,
            name,
            fmt,
            options,
            root,
        )
        for name, record in records
    ]


def _templates(paths: Sequence[str], project: Project) -> list[str]:
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


def find_cases(
    paths: Sequence[str], project: Project, explicit: Format | None = None
) -> list[Case]:
    """Return the cases under ``paths`` with the settings ``project`` gives each template."""
    cache: dict[str, list[str]] = {}
    cases: list[Case] = []
    for template in _templates(paths, project):
        fmt: Format | None = None
        options: dict[str, Any] = {}
        root: str | None = None
        if is_notification(template):
            found = body_root(template, project)
            root = None if found is None else str(found)
        else:
            try:
                fmt = template_format(project, template, explicit)
            except CliError as exc:
                raise CaseError(exc.message) from None
            options = project.options(template)
        cases.extend(_cases_for(template, fmt, options, root, cache))
    return cases


def configured_cases(project: Project) -> list[str]:
    """Return the case directories the settings of the current directory name."""
    return [shown_path(p) for p in project.settings_for(None).cases]


def discover(
    *paths: str | os.PathLike[str], config: str | os.PathLike[str] | bool | None = None
) -> list[Case]:
    """Return the golden cases under ``paths`` (directories or template files).

    They come in the order ``postback test`` runs them: in each folder its files by
    name, then its subfolders; a template's records by name.

    Without ``paths``, the ``cases`` directories of the project settings found from
    the current directory.  ``config`` is None to find the settings that apply to
    each template (``pyproject.toml``'s ``[tool.postback]`` or ``postback.toml``),
    a settings file to use instead, or False to use none.  Raises ``CaseError`` for
    a path that does not exist or is not a template, ``ConfigError`` for malformed
    settings.
    """
    if config is False or config is True:
        project = Project(use_config=bool(config))
    else:
        project = Project(config=None if config is None else os.fspath(config))
    names = [os.fspath(p) for p in paths] or configured_cases(project)
    return find_cases(names, project)


# ---------------------------------------------------------------------------
# Snapshots in a team's own tests
# ---------------------------------------------------------------------------


class Snapshot:
    """Compare renderings with expected files kept beside a test, or update them.

    ``assert_match(actual, name)`` compares ``actual`` (``str``, ``bytes`` or a
    ``PreparedRequest``, compared as its HTTP/1.1 text) with the file ``name`` in
    ``directory``; without ``name``, ``DEFAULT.expected`` (then ``DEFAULT.2.expected``
    and so on for further calls).  With ``update`` a missing or different file is
    written instead of failing.  With ``mask`` a ``PreparedRequest`` is compared and
    written with the values of its secret headers as ``***`` (see ``Case.compare``).
    Messages name the files relative to ``root`` (None: as they are in ``directory``).
    As for golden cases, a file is read only if it is a regular file inside its folder
    and written only by replacing it, never through a symbolic link.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        default: str,
        update: bool,
        *,
        mask: bool = False,
        root: str | os.PathLike[str] | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.default = default
        self.update = update
        self.mask = mask
        self.root = None if root is None else Path(root)
        self.calls = 0
        self.written: list[Path] = []

    def assert_match(self, actual: str | bytes | PreparedRequest, name: str | None = None) -> None:
        """Fail with a unified diff unless ``actual`` is the expected file's content."""
        __tracebackhide__ = True  # pytest shows the test's line, not this one
        data, is_request = _snapshot_bytes(actual, self.mask)
        if name is None:
            self.calls += 1
            suffix = "" if self.calls == 1 else f".{self.calls}"
            name = f"{self.default}{suffix}{EXPECTED_SUFFIX}"
        path = self.directory / name
        expected = _read_expected(path)
        if expected is not None and self.mask and is_request:
            expected = masked_http(expected)
        if expected == data:
            return
        if self.update:
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_expected(path, data)
            self.written.append(path)
            return
        shown = printable(self._shown(path))
        if expected is None:
            raise AssertionError(
                f"no expected output {shown}; run pytest with --postback-update to create it"
            )
        raise AssertionError(
            f"the rendering differs from {shown} (run pytest with --postback-update to "
            f"accept it):\n" + unified_diff(expected, data, self._shown(path), "rendered")
        )

    def _shown(self, path: Path) -> str:
        """Name ``path`` in messages: relative to ``root`` when there is one."""
        if self.root is None:
            return str(path)
        try:
            return os.path.relpath(path, self.root)
        except ValueError:  # another drive on Windows
            return str(path)


def _snapshot_bytes(actual: object, mask: bool) -> tuple[bytes, bool]:
    """Return the bytes of a snapshot, and whether they are a request's HTTP text."""
    if isinstance(actual, bytes):
        return actual, False
    if isinstance(actual, str):
        return actual.encode("utf-8"), False
    to_http = getattr(actual, "to_http", None)
    if callable(to_http):
        data = to_http(mask=True) if mask else to_http()
        if isinstance(data, bytes):
            return data, True
    raise TypeError(f"a snapshot is str, bytes or a PreparedRequest, not {type(actual).__name__}")
