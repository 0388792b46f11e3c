"""``postback serve``: the command line, the files it may import, and its first state."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from _playground import ROOT

import postback
from postback._cli.main import main
from postback._serve import command
from postback._serve.files import Workspace, first_state, notification_settings

PROJECT = ROOT / "tests" / "fixtures" / "project"


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_serve_prints_its_address_serves_the_page_and_stops_on_ctrl_c() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "postback", "serve", "examples/notification.toml"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # Ctrl-C as a terminal delivers it, even where this test runs in the background
        # of a script, whose commands inherit SIGINT ignored.
        preexec_fn=_default_sigint,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("postback playground: http://127.0.0.1:")
        assert line.endswith("/ (press Ctrl-C to stop)\n")
        url = line.split()[2]
        with urllib.request.urlopen(url, timeout=30) as page:
            assert b"postback playground" in page.read()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert out == "postback playground: stopped\n" and err == ""


class _Server:
    """A server that stops as soon as it starts, as after Ctrl-C."""

    def __init__(self, host: str, port: int, workspace: Workspace) -> None:
        self.url = f"http://{host}:{port or 8000}/"
        self.closed = False

    def serve_forever(self) -> None:
        raise KeyboardInterrupt

    def server_close(self) -> None:
        self.closed = True


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    opened: list[str] = []
    monkeypatch.setattr("postback._serve.server.PlaygroundServer", _Server)
    monkeypatch.setattr("webbrowser.open", opened.append)
    return opened


def test_another_address_is_announced_loudly(
    no_server: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--host", "192.0.2.7", "--port", "8080"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("postback playground: http://192.0.2.7:8080/")
    assert err.startswith("postback serve: WARNING: listening on 192.0.2.7, which other machines")
    assert main(["serve", "--host", "localhost", "--open"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and no_server == ["http://127.0.0.1:8000/"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--host", "0.0.0.0"], "--host 0.0.0.0 would listen on every address"),
        (["--host", "::"], "--host :: would listen on every address"),
        (["--host", "example.com"], "--host must be an IP address of this machine"),
        (["--port", "70000"], "expected a port number from 0 to 65535, not '70000'"),
        (["missing.json"], "cannot read missing.json: No such file or directory"),
        (["examples/action-clearing.url", "x.header"], "postback serve takes body templates"),
    ],
)
def test_usage_errors_are_one_line(
    args: list[str],
    message: str,
    no_server: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "action-clearing.url").write_text("https://e.com/", "utf-8")
    (tmp_path / "x.header").write_text("{ActionId}", "utf-8")
    assert main(["serve", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("postback: error: ") and message in err
    assert err.count("\n") == 1


def test_the_help_names_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--port N", "--host ADDRESS", "--open", "PATH"):
        assert option in out


def test_a_folder_of_golden_cases_lists_each_case_with_its_record(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(PROJECT)
    workspace = Workspace(["templates", "templates/notification.sale.record.json"])
    names = [(e.name, e.kind) for e in workspace.entries]
    assert (
        "templates/notification.toml + templates/notification.sale.record.json",
        "case",
    ) in names
    assert ("templates/notification.sale.record.json", "record") in names
    assert not any(name.endswith(".header") for name, _ in names)
    case = workspace.load("templates/notification.toml + templates/notification.refund.record.json")
    assert case["settings"]["body_format"] == "json"
    assert case["settings"]["options"] == {"extra_fields": ["Tier"], "timezone": "Europe/Berlin"}
    assert case["record"] == (PROJECT / "templates" / "notification.refund.record.json").read_text(
        "utf-8"
    )
    with pytest.raises(PermissionError, match=r"'templates/order\.json' was not named"):
        workspace.load("templates/order.json")


def test_a_template_brings_the_project_settings_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PROJECT)
    workspace = Workspace(["templates/partners"])
    (entry,) = workspace.entries
    loaded = workspace.load(entry.name)
    assert entry.kind == "case" and loaded["settings"]["body_format"] == "query"
    assert loaded["settings"]["options"] == {"extra_fields": ["Tier"], "timezone": "Europe/Berlin"}
    assert loaded["record"].startswith("{")


def test_the_first_state_is_the_example_and_the_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    state: dict[str, Any] = first_state(Workspace([]))
    settings = state["settings"]
    assert settings["method"] == "POST" and settings["success_response"] == "OK"
    assert settings["body"] == (ROOT / "examples" / "action-clearing.json").read_text(
        "utf-8"
    ).removesuffix("\n")
    assert postback.Action.from_json(state["record"]) == postback.sample_action()
    monkeypatch.chdir(ROOT)
    url_only = first_state(Workspace(["examples/action-clearing.url"]))["settings"]
    assert url_only["url"] == (ROOT / "examples" / "action-clearing.url").read_text("utf-8")
    assert url_only["body_format"] == "json"


def test_a_body_file_is_read_only_inside_the_notification_folder(tmp_path: Path) -> None:
    (tmp_path / "secret.json").write_text('{"a": 1}', "utf-8")
    folder = tmp_path / "partners"
    folder.mkdir()
    (folder / "body.json").write_text('{"id": "{ActionId}"}\n', "utf-8")
    good = folder / "good.toml"
    good.write_text('url = "https://e.com/"\nbody_file = "body.json"\nmin_delay = 5\n', "utf-8")
    settings = notification_settings(str(good))
    assert settings["body"] == '{"id": "{ActionId}"}'  # the file's final newline dropped
    assert settings["min_delay"] == "5" and settings["method"] == "GET"
    bad = folder / "bad.toml"
    bad.write_text('url = "https://e.com/"\nbody_file = "../secret.json"\n', "utf-8")
    with pytest.raises(postback.ConfigError, match=r"body_file '\.\./secret\.json' is outside"):
        notification_settings(str(bad))
    os.symlink(tmp_path / "secret.json", folder / "link.json")
    linked = folder / "linked.toml"
    linked.write_text('url = "https://e.com/"\nbody_file = "link.json"\n', "utf-8")
    with pytest.raises(postback.ConfigError, match="is a symbolic link"):
        notification_settings(str(linked))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('url = "https://e.com/', "invalid TOML: "),
        ("url = 5", "url must be a string"),
        ('min_delay = "5"', "min_delay must be a number"),
        ('url = "x"\nheaders = 3', "headers must be a table or an array of strings"),
    ],
)
def test_a_notification_file_that_cannot_be_read_is_a_config_error(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "n.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(postback.ConfigError, match=message):
        notification_settings(str(path))
    assert command.cmd_serve is not None
