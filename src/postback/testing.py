"""Golden tests of postback templates: find the cases, render them, compare, update.

A golden case is a template file and one record, and the exact bytes the template
must render for that record.  Beside a template ``CASE.EXT`` (``.json``, ``.xml``,
``.qs``, ``.query``, ``.url``, ``.header``, or a notification file ``.toml``):

- ``CASE.NAME.record.json`` is rendered and compared with ``CASE.NAME.expected``,
  for as many names as there are records (a NAME has no dots);
- ``CASE.record.json`` with ``CASE.expected``;
- with no record file at all, the built-in sample (``postback.sample_action()``)
  with ``CASE.expected``.

A notification case compares its request as HTTP/1.1 text (``PreparedRequest.to_http()``).
``postback test``, the pytest plugin and a team's own tests run cases here (docs/ci.md).

Case files are read only as regular files inside their own folder, links resolved, and
written through a new file and ``os.replace`` (``_files``): a case folder cannot make a
test print a file from elsewhere, or an update write one.

Not imported by ``import postback``: import it explicitly.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._errors import CaseError, ConfigError, ParseError, RecordError
from ._files.cases import EXPECTED_SUFFIX, body_root, case_templates, is_notification, record_files
from ._files.expected import read_expected_file, unified_diff, write_expected_file
from ._files.inputs import load_record, read_template, template_format
from ._files.project import Project, shown_path
from ._files.shown import printable
from ._files.toml import located
from ._formats import Format
from ._options import UnknownKeys
from ._records.action import Action, sample_action
from ._sending.config import read_file
from ._sending.notification import Notification
from ._sending.request import PreparedRequest
from ._sending.secrets import masked_http
from ._template import check, compile

__all__ = ["Case", "CaseError", "Comparison", "Snapshot", "discover", "unified_diff"]


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
    uses its own).  ``body_root``: the folder a notification's ``body_file`` must be
    in (None: its own; ``discover`` gives the project's root).  Paths are as found.
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
        except (ConfigError, RecordError) as exc:
            raise CaseError(exc.message) from None

    def render(self, *, mask: bool = False) -> bytes:
        """Render the case: the template's bytes, or the notification's request as HTTP text.

        With ``mask``, secret header values (``Authorization``, tokens, keys) are written
        ``***``, so expected files hold no secret.  Raises ``CaseError`` for an unusable
        template or record file, ``TemplateError``, or ``RenderError``.
        """
        if self.format is None:
            return self._request().to_http(mask=mask)
        try:
            source = read_template(self.template, confined=True)
        except ConfigError as exc:
            raise CaseError(exc.message) from None
        extra = self.compile_options.get("extra_fields", ())
        action = self._action(
            extra,
            self.compile_options.get("unknown_keys", "error"),
            self.compile_options.get("day_first"),
        )
        options = {"name": self.template, **self.compile_options}
        return compile(source, format=self.format, **options).render_bytes(action)

    def read_back(self, expected: bytes) -> ParseError | None:
        """Return the ``ParseError`` of an expected output the template does not read back
        (``Template.parse``), or reads back as a record that renders other bytes; else
        None, also for a notification and a template ``check(..., reading=True)`` says
        may read a body two ways.  ``CaseError``: the template file cannot be read."""
        if self.format is None:
            return None
        try:
            source = read_template(self.template, confined=True)
        except ConfigError as exc:
            raise CaseError(exc.message) from None
        options = {"name": self.template, **self.compile_options}
        found = check(source, format=self.format, reading=True, **options)
        if any(d.severity == "error" for d in found):
            return None
        template = compile(source, format=self.format, **options)
        try:
            action = template.parse(expected)
        except ParseError as exc:
            return exc
        if template.render_bytes(action) != expected:
            return ParseError(
                f"the expected output reads back as a record that renders other bytes: {action!r}"
            )
        return None

    def _request(self) -> PreparedRequest:
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
        expected = read_expected_file(self.expected)
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
        write_expected_file(self.expected, rendered)
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


# ---------------------------------------------------------------------------
# Finding cases
# ---------------------------------------------------------------------------


def _cases_for(
    template: str,
    fmt: Format | None,
    options: Mapping[str, Any],
    root: str | None,
    cache: dict[str, list[str]],
) -> list[Case]:
    base = os.path.splitext(template)[0]
    records = record_files(template, cache)
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


def find_cases(
    paths: Sequence[str], project: Project, explicit: Format | None = None
) -> list[Case]:
    """Return the cases under ``paths`` with the settings ``project`` gives each template."""
    cache: dict[str, list[str]] = {}
    cases: list[Case] = []
    for template in case_templates(paths, project):
        fmt: Format | None = None
        options: dict[str, Any] = {}
        root: str | None = None
        if is_notification(template):
            found = body_root(template, project)
            root = None if found is None else str(found)
        else:
            # Malformed settings are a ConfigError, raised here, before the format is told.
            options = project.options(template)
            try:
                fmt = template_format(project, template, explicit)
            except ConfigError as exc:
                raise CaseError(exc.message) from None
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
        expected = read_expected_file(path)
        if expected is not None and self.mask and is_request:
            expected = masked_http(expected)
        if expected == data:
            return
        if self.update:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_expected_file(path, data)
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
