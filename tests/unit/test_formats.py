"""The format registry: one ``FormatSpec`` a format, and every list of formats derived from it."""

from __future__ import annotations

import re
import typing
from importlib import import_module
from pathlib import Path

import pytest

import postback
from postback._escape import ESCAPERS
from postback._files.project import directory_suffixes
from postback._formats import (
    Format,
    FormatName,
    FormatSpec,
    body_formats,
    folder_suffixes,
    format_for,
    format_names,
    format_spec,
    formats,
    register_format,
    suffixes,
    unregister_format,
)

ROOT = Path(__file__).resolve().parents[2]

# A template of each format whose placeholders land in every context it has.
SAMPLES = {
    "json": '{"a": "x{SubId1}", "b": {Payout}, "c": "{SubId2}"}',
    "xml": '<a b="{SubId1}">{SubId2}<![CDATA[{SubId3}]]></a>',
    "query": "a={SubId1}&{SubId2}=b",
    "url": "https://example.com/{SubId1}/p{SubId2}?q={SubId3}#{Status}",
    "header": "Bearer {SubId1}",
    "text": "{SubId1}",
}


def test_the_members_of_format_are_the_formats_postback_ships() -> None:
    assert [member.value for member in Format] == list(format_names())
    assert [spec.name for spec in formats()] == list(format_names())
    assert postback.Format is Format


def test_format_name_holds_every_name_and_documented_alias() -> None:
    """Type checkers read ``FormatName``, which cannot be computed: it must list what
    the registry says, in its order."""
    aliases = [alias for spec in formats() for alias in spec.aliases]
    assert typing.get_args(FormatName) == (*format_names(), *aliases)


def test_every_name_label_and_alias_parses_to_its_format() -> None:
    for spec in formats():
        for name in (spec.name, spec.label, *spec.aliases, *spec.short_names):
            assert Format.parse(name) is Format(spec.name), name
            assert Format.parse(name.upper()) is Format(spec.name), name


def test_the_unknown_format_message_lists_the_registry() -> None:
    with pytest.raises(postback.ConfigError) as info:
        Format.parse("yaml")
    assert info.value.message == (
        "unknown format 'yaml': use one of 'json', 'xml', 'query', 'url', 'header', 'text' "
        "('querystring', 'query_string' and 'form' mean 'query')"
    )
    assert info.value.setting == "format"


def test_the_content_type_is_the_registry_s() -> None:
    for spec in formats():
        assert Format(spec.name).content_type == spec.content_type
    assert [spec.name for spec in body_formats()] == ["json", "xml", "query"]
    assert all(spec.content_type for spec in body_formats())


def test_the_state_machines_agree_with_the_registry() -> None:
    """A machine's name is its entry's; the facts of the entry live there alone."""
    for spec in formats():
        machine = spec.machine()
        assert machine is spec.machine()  # loaded once
        facts = vars(type(machine))
        assert facts.get("name", spec.name) == spec.name
        assert "content_type" not in facts
        assert "trim" not in facts


def test_each_format_binds_only_its_own_escapers() -> None:
    assert set(SAMPLES) == set(format_names())
    every = {name for spec in formats() for name in spec.escapers}
    assert {escaper.name for escaper in ESCAPERS} <= every
    for spec in formats():
        module = import_module(spec.escape) if spec.escape else None
        assert all(callable(getattr(module, name)) for name in spec.escapers), spec.name
        code = postback.compile(SAMPLES[spec.name], format=Format(spec.name)).code
        params = re.search(r"def _factory\((.*)\):", code)
        assert params is not None
        bound = {re.sub(r"_\d+$", "", p.strip()) for p in params.group(1).split(",")}
        assert bound & every <= set(spec.escapers), spec.name
        assert bound & every or not spec.escapers, spec.name


def test_the_one_line_formats_drop_one_final_newline() -> None:
    for spec in formats():
        source = SAMPLES[spec.name]
        template = postback.compile(source + "\n", format=Format(spec.name))
        assert template.source == (source if spec.one_line else source + "\n"), spec.name


def test_extensions_imply_formats_in_any_case() -> None:
    assert format_for("a/b.JSON") is Format.JSON
    assert format_for(Path("t.qs")) is Format.QUERY
    assert format_for("t.query") is Format.QUERY
    assert format_for("notes.txt") is Format.TEXT
    assert format_for("n.toml") is None
    assert format_for("-") is None
    assert list(suffixes()) == [s for spec in formats() for s in spec.suffixes]
    assert ".txt" not in folder_suffixes()
    assert directory_suffixes() == (*folder_suffixes(), ".toml")


def test_the_pre_commit_hook_matches_the_files_check_finds_in_a_folder() -> None:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    patterns = re.findall(r"\\\.\(([a-z|]+)\)\$", text)
    assert len(patterns) == 2  # the pattern, and the example in the comment above it
    wanted = sorted(suffix.lstrip(".") for suffix in directory_suffixes())
    for pattern in patterns:
        assert sorted(pattern.split("|")) == wanted


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (FormatSpec("json", "Other", "x"), "'json': it is registered already"),
        (FormatSpec("Csv", "Csv", "x"), "'Csv': its name must be lower-case"),
        (FormatSpec("csv", "Query String", "x"), "the name 'querystring' means 'query'"),
        (FormatSpec("csv", "CSV", "x", aliases=("form",)), "the name 'form' means 'query'"),
        (FormatSpec("csv", "CSV", "x", suffixes=(".qs",)), "'.qs' means 'query' already"),
        (FormatSpec("csv", "CSV", "x", suffixes=("csv",)), "the extension 'csv' must be"),
        (FormatSpec("csv", "CSV", "x", suffixes=(".CSV",)), "the extension '.CSV' must be"),
        (
            FormatSpec("csv", "CSV", "x", body=True),
            "'csv': it is a body format but has no content type",
        ),
    ],
)
def test_a_format_that_clashes_or_is_malformed_is_refused(spec: FormatSpec, message: str) -> None:
    before = formats()
    with pytest.raises(postback.ConfigError, match=re.escape(message)) as info:
        register_format(spec)
    assert info.value.setting == "format"
    assert formats() == before


def test_only_a_format_registered_at_run_time_can_be_unregistered() -> None:
    with pytest.raises(postback.ConfigError, match="'json' was not registered at run time"):
        unregister_format("json")
    with pytest.raises(postback.ConfigError, match="'csv' was not registered at run time"):
        unregister_format("csv")
    with pytest.raises(postback.ConfigError, match="'csv' is not registered"):
        format_spec("csv")
