"""``unknown_keys`` as a notification setting, a notification file key, a project
setting and a command-line flag: each passes the choice on to record conversion."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

import postback
from postback._cli.main import main

RECORD = {"SubId1": "a", "Foo": "b"}


def test_a_notification_refuses_unknown_keys_by_default() -> None:
    n = postback.Notification("https://e.com/p?x={SubId1}")
    assert n.unknown_keys == "error"
    with pytest.raises(postback.RecordError) as info:
        n.prepare(RECORD)
    assert info.value.field == "Foo"
    assert "unknown_keys='ignore'" in info.value.message


@pytest.mark.parametrize("choice", ["ignore", "extra"])
def test_a_notification_passes_its_choice_to_prepare(choice: str) -> None:
    n = postback.Notification("https://e.com/p?x={SubId1}", unknown_keys=choice)  # type: ignore[arg-type]
    assert n.prepare(RECORD).url == "https://e.com/p?x=a"
    assert pickle.loads(pickle.dumps(n)) == n
    assert n != postback.Notification("https://e.com/p?x={SubId1}")


def test_extra_keeps_unknown_keys_for_the_templates_that_declare_them() -> None:
    n = postback.Notification(
        "https://e.com/p?x={SubId1}&f={Foo}", unknown_keys="extra", extra_fields=["Foo"]
    )
    assert n.prepare(RECORD).url == "https://e.com/p?x=a&f=b"


def test_a_bad_choice_is_a_config_error_naming_the_setting() -> None:
    with pytest.raises(postback.ConfigError) as info:
        postback.Notification("https://e.com/", unknown_keys="drop")  # type: ignore[arg-type]
    assert info.value.setting == "unknown_keys"


def test_a_notification_file_takes_the_key(tmp_path: Path) -> None:
    path = tmp_path / "n.toml"
    path.write_text('url = "https://e.com/p?x={SubId1}"\nunknown_keys = "ignore"\n', "utf-8")
    n = postback.Notification.from_file(path)
    assert n == postback.Notification("https://e.com/p?x={SubId1}", unknown_keys="ignore")


def _render(tmp_path: Path, *flags: str) -> int:
    (tmp_path / "t.url").write_text("https://e.com/p?x={SubId1}\n", "utf-8")
    (tmp_path / "r.json").write_text(json.dumps(RECORD), "utf-8")
    return main(["render", str(tmp_path / "t.url"), "--record", str(tmp_path / "r.json"), *flags])


def test_the_flag_and_the_project_setting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()  # the settings search stops at the repository's root
    assert _render(tmp_path, "--no-config") == 2
    assert "unknown field 'Foo'" in capsys.readouterr().err
    assert _render(tmp_path, "--no-config", "--unknown-keys", "ignore") == 0
    assert capsys.readouterr().out == "https://e.com/p?x=a"
    (tmp_path / "postback.toml").write_text('unknown_keys = "ignore"\n', "utf-8")
    assert _render(tmp_path) == 0
    assert capsys.readouterr().out == "https://e.com/p?x=a"
    assert _render(tmp_path, "--unknown-keys", "error") == 2
    capsys.readouterr()
    (tmp_path / "postback.toml").write_text('unknown_keys = "drop"\n', "utf-8")
    assert _render(tmp_path) == 2
    assert "unknown_keys" in capsys.readouterr().err
