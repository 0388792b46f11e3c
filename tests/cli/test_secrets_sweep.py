"""No credential of a header setting reaches what postback prints, raises or writes.

One token is put into every malformed headers setting and every secret header this
module can think of, and each path that can see a header setting is run: the Python
API (``ConfigError``, ``TemplateError`` and ``RenderError`` as ``str``, ``repr`` and
attributes, pickled and not; ``repr`` of notifications, their templates and prepared
requests), ``postback check`` in text, JSON and GitHub output, ``prepare`` and
``render`` with ``--records``, ``postback test --mask``, and the pytest plugin with the
expected files it writes; then ``check``, ``test``, ``test --update`` and the plugin
without a flag, under the project setting ``mask = true``.  The token must appear in
none of them, except where the user asked for the values (``to_http()``, ``prepare``
without ``--mask``, ``--no-mask``, ``--postback-show-secrets``, ``mask = false``),
which shows that the sweep would see a leak.
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Iterator
from pathlib import Path

import lark  # noqa: F401  (for pytester: see tests/cli/test_pytest_plugin.py)
import pytest

import postback
from postback import Notification, PostbackError, TemplateError
from postback._cli.main import main

pytest_plugins = ["pytester"]

TOKEN = "swp9f3Q7zXq"  # a word: #TOKEN# is a macro check warns about
URL = "https://e.com/pb"

# Headers settings as written, each holding the token: malformed ones (a ConfigError),
# secret headers whose template is defective (a TemplateError), and valid ones.
SETTINGS: dict[str, object] = {
    "one-string": f"Authorization: Bearer {TOKEN}",
    "lines-in-a-string": f"X-Id: 1\nAuthorization: Bearer {TOKEN}",
    "toml-pairs": [["Authorization", f"Bearer {TOKEN}"]],
    "mixed-list": [f"Authorization: Bearer {TOKEN}", ["X-Api-Key", TOKEN], 5],
    "long-entry": [["X-Id", "1"], ["Authorization", f"Bearer {TOKEN}", "x"]],
    "equals-for-colon": [f"X-Api-Key={TOKEN}"],
    "no-colon": [f"Authorization Bearer {TOKEN}"],
    "value-in-the-name": [f"X-Api-Key {TOKEN}: x"],
    "space-in-the-name": {f"X-Api-Key {TOKEN}": "x"},
    "space-in-a-secret-name": [f"X Api Key: {TOKEN}"],
    "table-in-a-list": [{"Authorization": f"Bearer {TOKEN}"}],
    "one-item-list": [[f"Authorization: Bearer {TOKEN}"]],
    "nested-table": {"X-Foo": {"Cookie": TOKEN}},
    "list-value": {"X-Api-Key": [TOKEN]},
    "number-name": [[5, f"Bearer {TOKEN}"]],
    "list-name": [[["Authorization", f"Bearer {TOKEN}"], "x"]],
    "twice": {"Authorization": f"Bearer {TOKEN}", "authorization": "x"},
    "content-type-without-body": {"Authorization": f"Bearer {TOKEN}", "Content-Type": "a/b"},
    "framing": {"X-Token": TOKEN, "Host": "e.com"},
    "unknown-field": {"Authorization": f"Bearer {TOKEN} {{Tokn}}"},
    "line-break": {"Authorization": f"Bearer {TOKEN}\n{{SubId1}}"},
    "control": {"X-Secret": f"{TOKEN}\x01"},
    "trailing-space": {"Cookie": f"s={TOKEN} "},
    "broken-join": {"Authorization": f'Bearer {TOKEN}{{join(items, i, "{{i.sku}}"}}'},
    "text-after-a-broken-call": {"Authorization": f"Bearer x {{join({TOKEN} more"},
    "token-in-a-broken-call": {"Authorization": f"Bearer {{join({TOKEN}"},
    "join-strings-error": {"X-Token": f'{{join(items, i, "{TOKEN}{{i.sku}}", "{TOKEN}")}} '},
    "a-string": TOKEN,
    "line-without-a-name": ["Authorization: Bearer ", TOKEN],
    "valid": {"Authorization": f"Bearer {TOKEN}", "X-Id": "{ActionId}"},
    "valid-with-placeholder": {"X-Api-Key": f"{TOKEN}-{{SubId1}}"},
    "valid-with-macro": {"Authorization": f"Bearer #{TOKEN}# {{SubId1}}"},
    "valid-join": {"Authorization": f'Bearer x{{join(items, i, "{TOKEN}{{i.sku}}", "{TOKEN}")}}'},
}
# Only Python can give these.
PYTHON_ONLY: dict[str, object] = {
    "bytes": f"Authorization: Bearer {TOKEN}".encode(),
    "bytes-alone": TOKEN.encode(),
    "bytes-value": {"Authorization": f"Bearer {TOKEN}".encode()},
    "bytes-line": [f"Cookie: {TOKEN}".encode()],
    "bytes-name": [[b"Authorization", f"Bearer {TOKEN}"]],
    "none-name": [(None, TOKEN)],
    "tuple-pairs": (("X-Id", "1"), ("X-Token", TOKEN), ("Bad Name", "1")),
    "set": {f"Authorization: Bearer {TOKEN}"},
}
VALID = ("valid", "valid-with-placeholder", "valid-with-macro", "valid-join")


def _toml(value: object) -> str:
    """TOML for a value of SETTINGS (JSON strings are TOML basic strings)."""
    if isinstance(value, str | int):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + "}"


def _notification_text(headers: object) -> str:
    return f'url = "{URL}?a={{ActionId}}"\nheaders = {_toml(headers)}\n'


def _clean(*texts: object) -> None:
    """Fail if the token is in any of ``texts`` (str, bytes, or anything's repr)."""
    for text in texts:
        shown = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        if not isinstance(shown, str):
            shown = repr(shown)
        assert TOKEN not in shown, shown


def _error_views(error: PostbackError) -> Iterator[object]:
    """Everything a host may log of an error."""
    for err in (error, pickle.loads(pickle.dumps(error))):
        yield str(err)
        yield repr(err)
        yield err.args
        yield getattr(err, "setting", None)
        yield getattr(err, "field", None)
        if isinstance(err, TemplateError):
            yield err.message
            yield err.source
            yield err.name
            yield err.diagnostics


def _notification_views(notification: Notification) -> Iterator[object]:
    yield repr(notification)
    yield str(notification)
    yield repr(notification.header_templates)
    yield repr(pickle.loads(pickle.dumps(notification)))
    request = notification.prepare(postback.sample_action())
    yield repr(request)
    yield str(request)
    yield request.to_http(mask=True)
    for result in notification.prepare_many([b'{"SubId1": "a\\r\\nb"}', b"{", b"{}"]):
        yield result.to_json(mask=True)
        yield repr(result)


# ---------------------------------------------------------------------------
# The Python API
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*SETTINGS, *PYTHON_ONLY])
def test_the_python_api(name: str) -> None:
    headers = {**SETTINGS, **PYTHON_ONLY}[name]
    builders = [lambda: Notification(URL, headers=headers)]  # type: ignore[arg-type]
    builders.append(lambda: Notification.from_dict({"url": URL, "headers": headers}))
    for build in builders:
        try:
            notification = build()
        except PostbackError as exc:
            assert name not in VALID, exc
            _clean(*_error_views(exc))
        else:  # Python also takes pairs and lists that mix them with lines
            _clean(*_notification_views(notification))
            # The data itself is intact: the request carries the token.
            assert TOKEN.encode() in notification.prepare(postback.sample_action()).to_http()


@pytest.mark.parametrize("name", list(SETTINGS))
def test_notification_files(name: str, tmp_path: Path) -> None:
    path = tmp_path / "n.toml"
    path.write_text(_notification_text(SETTINGS[name]), "utf-8")
    try:
        notification = Notification.from_file(path)
    except PostbackError as exc:
        assert name not in VALID, exc
        _clean(*_error_views(exc))
    else:
        assert name in VALID
        _clean(*_notification_views(notification))


def test_a_render_error_in_a_secret_header() -> None:
    notification = Notification(URL, headers={"Authorization": f"Bearer {TOKEN} {{SubId1}}"})
    with pytest.raises(postback.RenderError) as info:
        notification.prepare({"SubId1": "a\nb"})
    _clean(*_error_views(info.value))


# ---------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A notification file per setting, in the current directory."""
    monkeypatch.chdir(tmp_path)
    names = []
    for name, headers in SETTINGS.items():
        Path(f"{name}.toml").write_text(_notification_text(headers), "utf-8")
        names.append(f"{name}.toml")
    return names


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out + captured.err


@pytest.mark.parametrize("output", ["text", "json", "github"])
def test_check(files: list[str], capsys: pytest.CaptureFixture[str], output: str) -> None:
    status, printed = _run(capsys, "check", "--output-format", output, *files)
    assert status == 1
    _clean(printed)
    for name in SETTINGS:
        if name not in ("valid", "valid-with-placeholder", "valid-join"):
            assert f"{name}.toml" in printed  # each is reported
    assert "foreign-macro" in printed


def test_prepare(files: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    records = tmp_path / "records.jsonl"
    records.write_text('{"SubId1": "ok"}\n{"SubId1": "a\\r\\nb"}\n{\n[1]\n{"Nope": 1}\n', "utf-8")
    for file in files:
        name = file.removesuffix(".toml")
        status, printed = _run(capsys, "prepare", file, "--sample", "--mask")
        assert (status == 0) == (name in VALID), printed
        _clean(printed)
        status, printed = _run(capsys, "prepare", file, "--records", str(records), "--mask")
        assert status != 0
        _clean(printed)
        if name not in VALID:
            # Without --mask the requests are printed as they are sent; errors never.
            status, printed = _run(capsys, "prepare", file, "--records", str(records))
            _clean(printed)
    # The request itself is what prepare prints without --mask: the sweep sees the token.
    status, printed = _run(capsys, "prepare", "valid.toml", "--sample")
    assert status == 0 and TOKEN in printed


def test_render_records_error_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("auth.header").write_text(f"Bearer {TOKEN} {{SubId1}}", "utf-8")
    Path("records.jsonl").write_text('{"SubId1": "a\\r\\nb"}\n{\n[1]\n{"Nope": 1}\n', "utf-8")
    status, printed = _run(capsys, "render", "auth.header", "--records", "records.jsonl")
    assert status == 1
    assert printed.count('"error"') == 4
    _clean(printed)


def _case_folder(root: Path) -> Path:
    """A folder of golden cases: a valid notification with two records, and the others."""
    cases = root / "cases"
    cases.mkdir()
    for name, headers in SETTINGS.items():
        (cases / f"{name}.toml").write_text(_notification_text(headers), "utf-8")
    (cases / "valid.a.record.json").write_text('{"ActionId": "1"}', "utf-8")
    (cases / "valid.b.record.json").write_text('{"ActionId": "2"}', "utf-8")
    return cases


def test_postback_test(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    cases = _case_folder(tmp_path)
    # Missing expected files, then written masked.
    for args in (("--mask",), ("--mask", "--update"), ("--mask",)):
        status, printed = _run(capsys, "test", "cases", *args)
        assert status != 0  # the malformed notifications fail
        _clean(printed)
    for expected in cases.glob("*.expected"):
        _clean(expected.read_bytes())
    # Written without --mask (the token is in the files), then stale: --mask shows none.
    status, printed = _run(capsys, "test", "cases", "--update")
    assert TOKEN.encode() in (cases / "valid.a.expected").read_bytes()
    _clean(printed)  # without --mask too, the errors and the update lines hold no token
    stale = cases / "valid.a.expected"
    stale.write_bytes(stale.read_bytes().replace(b"a=1", b"a=9"))
    status, printed = _run(capsys, "test", "cases", "--mask")
    assert "-GET /pb?a=9 HTTP/1.1" in printed
    _clean(printed)


# ---------------------------------------------------------------------------
# The pytest plugin
# ---------------------------------------------------------------------------


def test_the_pytest_plugin(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml('[tool.postback]\ncases = ["cases"]\n')
    cases = _case_folder(pytester.path)
    pytester.makepyfile(
        test_snap=f"""
import postback

def test_request(postback_snapshot):
    token = {TOKEN[:6]!r} + {TOKEN[6:]!r}  # pytest shows this source: not the token itself
    notification = postback.Notification("{URL}", headers={{"Authorization": "Bearer " + token}})
    postback_snapshot.assert_match(notification.prepare(postback.sample_action()))
"""
    )
    outputs = [pytester.runpytest("-rA")]
    outputs.append(pytester.runpytest("-rA", "--postback-update"))
    written = [*cases.glob("*.expected"), *pytester.path.glob("snapshots/*/*.expected")]
    assert len(written) == len(VALID) + 2  # valid.toml has two records; the snapshot
    for expected in written:
        _clean(expected.read_bytes())
    stale = cases / "valid.b.expected"
    stale.write_bytes(stale.read_bytes().replace(b"a=2", b"a=9"))
    outputs.append(pytester.runpytest("-rA"))
    for result in outputs:
        assert result.ret == pytest.ExitCode.TESTS_FAILED  # the malformed notifications
        _clean(result.stdout.str(), result.stderr.str())
    outputs[-1].stdout.fnmatch_lines(["*-GET /pb?a=9 HTTP/1.1*"])
    # Asked for in so many words, the values are shown and written.
    shown = pytester.runpytest("--postback-show-secrets", "--postback-update")
    assert TOKEN.encode() in (cases / "valid.a.expected").read_bytes()
    assert shown.ret == pytest.ExitCode.TESTS_FAILED


# ---------------------------------------------------------------------------
# The mask setting: every path masks without a flag
# ---------------------------------------------------------------------------


def _settings(root: Path, mask: str) -> None:
    (root / "pyproject.toml").write_text(
        f'[tool.postback]\ncases = ["cases"]\nmask = {mask}\n', "utf-8"
    )


def test_the_mask_setting_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With ``mask = true`` in the settings, a plain ``postback check``, ``postback test``
    and ``postback test --update`` show and write no token."""
    monkeypatch.chdir(tmp_path)
    cases = _case_folder(tmp_path)
    _settings(tmp_path, "true")
    printed = []
    for args, expected_status in (
        (("check",), 1),
        (("check", "--output-format", "json"), 1),
        (("check", "--show-settings", "cases/valid.toml"), 0),
        (("test",), 2),  # the malformed notifications are unreadable input
        (("test", "--update"), 2),
        (("test",), 2),
    ):
        status, out = _run(capsys, *args)
        assert status == expected_status, (args, out)
        printed.append(out)
    assert "mask = true  # pyproject.toml [tool.postback]" in printed[2]
    _clean(*printed)
    written = sorted(cases.glob("*.expected"))
    assert [p.name for p in written] == [
        "valid-join.expected",
        "valid-with-macro.expected",
        "valid-with-placeholder.expected",
        "valid.a.expected",
        "valid.b.expected",
    ]
    for expected in written:
        _clean(expected.read_bytes())
    stale = cases / "valid.a.expected"
    stale.write_bytes(stale.read_bytes().replace(b"a=1", b"a=9"))
    printed = [_run(capsys, "test")[1]]
    assert "-GET /pb?a=9 HTTP/1.1" in printed[0]
    assert "\n Authorization: ***\r\n" in printed[0]

    # The flag overrides the setting; the sweep sees the token where it is shown.
    assert f"+Authorization: Bearer {TOKEN}\r\n" in _run(capsys, "test", "--no-mask")[1]
    # mask = false shows the values, as no setting does; --mask overrides it.
    _settings(tmp_path, "false")
    _run(capsys, "test", "--update")
    assert TOKEN.encode() in stale.read_bytes()
    stale.write_bytes(stale.read_bytes().replace(b"a=1", b"a=9"))
    printed.append(_run(capsys, "test", "--mask")[1])
    assert "-GET /pb?a=9 HTTP/1.1" in printed[-1]
    # postback check masks whatever the setting says.
    for output in ("text", "json", "github"):
        printed.append(_run(capsys, "check", "--output-format", output)[1])
    _clean(*printed)


SNAPSHOT_TEST = f"""
import postback

def test_request(postback_snapshot):
    token = {TOKEN[:6]!r} + {TOKEN[6:]!r}  # pytest shows this source: not the token itself
    notification = postback.Notification("{URL}", headers={{"Authorization": "Bearer " + token}})
    postback_snapshot.assert_match(notification.prepare(postback.sample_action()))
"""


def test_the_mask_setting_in_the_pytest_plugin(pytester: pytest.Pytester) -> None:
    _settings(pytester.path, "true")
    cases = _case_folder(pytester.path)
    pytester.makepyfile(test_snap=SNAPSHOT_TEST)
    snapshot = pytester.path / "snapshots" / "test_snap" / "test_request.expected"
    outputs = [pytester.runpytest("-rA"), pytester.runpytest("-rA", "--postback-update")]
    stale = cases / "valid.b.expected"
    stale.write_bytes(stale.read_bytes().replace(b"a=2", b"a=9"))
    outputs.append(pytester.runpytest("-rA"))
    for result in outputs:
        assert result.ret == pytest.ExitCode.TESTS_FAILED  # the malformed notifications
        _clean(result.stdout.str(), result.stderr.str())
    outputs[-1].stdout.fnmatch_lines(["*-GET /pb?a=9 HTTP/1.1*"])
    for expected in (*cases.glob("*.expected"), snapshot):
        _clean(expected.read_bytes())

    # The option asks for the values over the setting.
    shown = pytester.runpytest("--postback-show-secrets")
    assert TOKEN in shown.stdout.str()
    # mask = false asks for them in so many words: shown and written, snapshots too.
    _settings(pytester.path, "false")
    pytester.runpytest("--postback-update")
    assert TOKEN.encode() in (cases / "valid.a.expected").read_bytes()
    assert TOKEN.encode() in snapshot.read_bytes()
