"""The Template object and the compile/check API."""

from __future__ import annotations

import ast
import contextlib
import json
import pickle
import re
import threading
import types
import typing
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

import postback
from pickles import from_other_version
from postback import Action, Item

SOURCE = '{"id": "{ActionId}", "p": {Payout}, "items": [{join(items, i, "\\"{i.sku}\\"")}]}'


def _render_in_worker(blob: bytes) -> str:
    template = pickle.loads(blob)
    return template.render(postback.sample_action())  # type: ignore[no-any-return]


def test_pickled_template_renders_identically_in_another_process() -> None:
    template = postback.compile(SOURCE, timezone="America/New_York")
    blob = pickle.dumps(template)
    with ProcessPoolExecutor(max_workers=1) as pool:
        remote = pool.submit(_render_in_worker, blob).result(timeout=60)
    assert remote == template.render(postback.sample_action())
    assert pickle.loads(blob) == template


def test_a_template_pickled_by_another_version_is_refused_naming_both_versions() -> None:
    """A template pickled its options by position, with no version: a process on a
    postback version whose options were in another order (a Spark executor, say) took
    one option for another, and rendered dates as the text "empty" (the missing
    policy read as the date format).  Now the pickle carries the version, and another
    version's pickle is a ConfigError naming both."""
    template = postback.compile(SOURCE, timezone="America/New_York")
    blob, other = from_other_version(pickle.dumps(template))
    with pytest.raises(postback.ConfigError) as info:
        pickle.loads(blob)
    message = info.value.message
    assert message.startswith(f"cannot unpickle this Template: it was pickled by postback {other}")
    assert f"this is postback {postback.__version__};" in message
    assert "same postback version" in message
    assert SOURCE not in message


def test_a_template_pickle_is_refused_by_a_process_on_another_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    blob = pickle.dumps(postback.compile(SOURCE))
    monkeypatch.setattr(postback._version, "__version__", "9.9.9")
    with pytest.raises(postback.ConfigError) as info:
        pickle.loads(blob)
    assert f"pickled by postback {postback.__version__}, and this is postback 9.9.9" in str(
        info.value
    )


def test_a_pickled_template_restores_its_options_by_name() -> None:
    template = postback.compile(
        "{EventDate} {CampaignName}", "text", missing="error", date_format="%Y-%m-%d"
    )
    blob = pickle.dumps(template)
    assert b"CompileOptions" not in blob  # the options travel as names and values
    rebuild, (state,) = template.__reduce__()
    # In any order, each value goes back to its own name.
    state["options"] = dict(reversed(state["options"].items()))
    again = rebuild(state)
    assert again == template == pickle.loads(blob)
    assert again.render(postback.sample_action()).startswith("2026-01-02 ")
    with pytest.raises(postback.RenderError):
        again.render(Action(event_date=datetime(2026, 1, 2, tzinfo=UTC)))


def test_threads_render_the_same_template_concurrently() -> None:
    template = postback.compile(SOURCE)
    errors: list[str] = []
    barrier = threading.Barrier(8)

    def worker(n: int) -> None:
        barrier.wait()
        for k in range(300):
            action = Action(action_id=f"t{n}-{k}", payout=Decimal(k), items=[Item(sku=f"{n}:{k}")])
            data = json.loads(template.render(action))
            if data != {"id": f"t{n}-{k}", "p": k, "items": [f"{n}:{k}"]}:
                errors.append(f"{n}/{k}: {data}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_compile_caches_equal_templates() -> None:
    a = postback.compile(SOURCE, format="JSON")
    b = postback.compile(SOURCE, format=postback.Format.JSON)
    assert a is b
    c = postback.compile(SOURCE, format="json", missing="error")
    assert c != a
    assert hash(a) == hash(b)


def test_the_template_cache_is_bounded_in_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache kept the last 512 templates whatever their size; 512 templates of 1 MiB
    pinned about 5 GB.  It also holds at most 8 Mi source characters."""
    from postback._compiler import cache

    assert cache.MAX_CHARS == 8 * 1024 * 1024
    monkeypatch.setattr(cache, "MAX_CHARS", 100_000)
    for k in range(10):
        postback.compile(f'"{k}' + "x" * 30_000 + '"')
        assert sum(len(key[0]) for key in cache.templates) <= 100_000
        assert any(key[0].startswith(f'"{k}') for key in cache.templates)
    big = postback.compile('"' + "y" * 200_000 + '"')  # larger than the budget: not kept
    assert all(t is not big for t in cache.templates.values())
    small = postback.compile('{"cached": true}')
    assert postback.compile('{"cached": true}') is small


def test_templates_are_immutable() -> None:
    t = postback.compile(SOURCE)
    with pytest.raises(AttributeError):
        t.source = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        postback.Template()


def test_template_attributes() -> None:
    t = postback.compile(SOURCE)
    assert t.format is postback.Format.JSON
    assert t.source == SOURCE
    assert t.fields == frozenset({"ActionId", "Payout", "items"})


@pytest.mark.parametrize(
    ("name", "member"),
    [
        ("json", "JSON"),
        ("XML", "XML"),
        ("query", "QUERY"),
        ("querystring", "QUERY"),
        ("Query_String", "QUERY"),
        ("Query String", "QUERY"),
        ("query string", "QUERY"),
        (" QueryString ", "QUERY"),
        ("Query-String", "QUERY"),
        ("qs", "QUERY"),
        ("JSON", "JSON"),
        ("form", "QUERY"),
        ("url", "URL"),
        ("header", "HEADER"),
        ("Text", "TEXT"),
    ],
)
def test_format_names_and_aliases(name: str, member: str) -> None:
    assert postback.Format.parse(name) is postback.Format[member]


def test_unknown_format_is_a_value_error_naming_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="'json', 'xml', 'query', 'url', 'header', 'text'"):
        postback.compile("x", format="yaml")  # type: ignore[arg-type]
    with pytest.raises(postback.PostbackError):
        postback.check("x", format="yaml")  # type: ignore[arg-type]


def test_the_format_names_for_type_checkers_are_those_documented() -> None:
    """``format=`` was typed ``Format | str``, so ``format="jsn"`` type-checked; it takes
    ``Format | FormatName``, whose names are every format's value and the documented
    aliases of query, each of which ``Format.parse`` reads."""
    names = typing.get_args(postback.FormatName)
    assert names == (
        "json",
        "xml",
        "query",
        "url",
        "header",
        "text",
        "querystring",
        "query_string",
        "form",
    )
    assert [postback.Format.parse(name).value for name in names[:6]] == list(names[:6])
    assert {postback.Format.parse(name) for name in names[6:]} == {postback.Format.QUERY}
    assert [m.value for m in postback.Format] == list(names[:6])
    for function in (postback.compile, postback.check):
        hint = typing.get_type_hints(function)["format"]
        assert typing.get_args(hint) == (postback.Format, postback.FormatName)


def test_bad_options_are_config_errors() -> None:
    with pytest.raises(postback.ConfigError, match="missing"):
        postback.compile("{}", missing="skip")  # type: ignore[arg-type]
    with pytest.raises(postback.ConfigError, match="timezone"):
        postback.compile("{}", timezone="Mars/Olympus")
    with pytest.raises(postback.ConfigError, match="extra"):
        postback.compile("{}", extra_fields=["Payout"])


def test_render_accepts_mappings_with_either_key_style() -> None:
    t = postback.compile('{"a": "{CampaignId}", "b": "{SubId1}"}', format="json")
    assert t.render({"CampaignId": "12", "sub_id1": "x"}) == '{"a": "12", "b": "x"}'


def test_render_refuses_other_objects() -> None:
    t = postback.compile("{CampaignId}", format="text")
    with pytest.raises(postback.RecordError):
        t.render(42)


def test_extra_fields_render_from_mapping_and_from_action_extra() -> None:
    t = postback.compile('{"c": {Channel}, "n": "{Memo}"}', extra_fields=["Channel", "Memo"])
    assert json.loads(t.render({"Channel": 3, "Memo": 'a"b'})) == {"c": 3, "n": 'a"b'}
    action = Action(extra={"Channel": "web", "Memo": None})
    assert json.loads(t.render(action)) == {"c": "web", "n": ""}
    assert json.loads(t.render({"Channel": True})) == {"c": True, "n": ""}


def test_an_extra_float_subclass_with_its_own_repr_renders() -> None:
    """Extra floats were formatted through repr(), so a float subclass with a decorated
    repr (numpy.float64 prints "np.float64(0.1)") raised decimal.InvalidOperation out
    of render."""

    class Float(float):
        def __repr__(self) -> str:
            return f"np.float64({float.__repr__(self)})"

    template = postback.compile('{"v": {X}}', extra_fields=["X"])
    assert template.render({"X": Float(0.1)}) == '{"v": 0.1}'


def test_timezone_and_date_format_options() -> None:
    when = datetime(2026, 1, 2, 11, 4, 5, tzinfo=UTC)
    t = postback.compile("{EventDate}", format="text", timezone="America/Los_Angeles")
    assert t.render(Action(event_date=when)) == "2026-01-02T03:04:05-08:00"
    naive = datetime(2026, 1, 2, 3, 4, 5)
    assert t.render(Action(event_date=naive)) == "2026-01-02T03:04:05-08:00"
    t2 = postback.compile("{EventDate}", format="text", date_format="%d/%m/%Y %H:%M")
    assert t2.render(Action(event_date=when)) == "02/01/2026 11:04"


def test_text_format_substitutes_without_escaping() -> None:
    t = postback.compile("a={CampaignName}&b={Payout}", format="text")
    assert t.render(Action(campaign_name='<"&>', payout=Decimal("1E+2"))) == 'a=<"&>&b=100'


def test_render_bytes_is_utf8() -> None:
    t = postback.compile('{"n": "{CampaignName}"}')
    assert t.render_bytes(Action(campaign_name="é\ud800")) == '{"n": "é\\ud800"}'.encode()


def test_text_format_render_bytes_replaces_lone_surrogates_with_u_fffd() -> None:
    """render_bytes encoded the text format's lone surrogates as "?", not U+FFFD (lone
    surrogates become U+FFFD in every format except json, which escapes them)."""
    template = postback.compile("{SubId1}", format="text")
    value = "a\ud800b\udc00c\udbff\udfffd\U0001f389"
    assert template.render(Action(sub_id1=value)) == value
    assert template.render_bytes(Action(sub_id1=value)) == (
        "a\ufffdb\ufffdc\ufffd\ufffdd\U0001f389".encode()
    )


def test_template_text_only_reaches_generated_code_as_string_constants() -> None:
    evil = "{\"a\": \"'''\\\"\\\"\\\" __import__('os').system('x') {CampaignName}\"}"
    t = postback.compile(evil)
    tree = ast.parse(t.code)
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    names |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.arguments) for a in n.args}
    names |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.arguments) for a in n.posonlyargs}
    assert names == {"a", "render", "_v", "json_string_body", "encode_basestring"}
    attrs = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    assert attrs <= {"campaign_name", "join", "items", "extra", "isascii"}
    assert json.loads(t.render(Action(campaign_name="v")))["a"].endswith(" v")


def _nested_function(code: types.CodeType, name: str) -> types.CodeType:
    """Return the code of the function ``name`` defined in ``code``, at any depth."""
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            if const.co_name == name:
                return const
            with contextlib.suppress(LookupError):
                return _nested_function(const, name)
    raise LookupError(name)


def test_the_code_shown_is_the_render_function_that_runs() -> None:
    t = postback.compile(SOURCE, missing="error", extra_fields=["Zone"])
    shown = compile(t.code, "<postback template>", "exec")
    assert _nested_function(shown, "render") == t._fn.__code__


def test_generated_bindings_are_named_after_what_they_are() -> None:
    """The render function's bound escapers, formatters and constants were called
    ``_b0``, ``_b1``...: the generated code did not say what it called.  Each is
    named after what it is, with a number only when the name is taken already."""
    t = postback.compile(
        '{"id": {CampaignId}, "n": "{CampaignName}", "p": "x{Payout}", "q": {Payout}, '
        '"d": "{EventDate}", "s": [{join(items, i, "\\"{i.sku}\\"")}]}'
    )
    factory = ast.parse(t.code).body[0]
    assert isinstance(factory, ast.FunctionDef)
    assert [arg.arg for arg in factory.args.args] == [
        "missing_text",
        "format_int",
        "json_quote",
        "encode_basestring",
        "write_decimal",
        "write_decimal_or_null",
        "write_date_iso",
    ]
    header = postback.compile(
        "{SubId1} {SubId2} {Payout} {Zone}",
        "header",
        missing="error",
        extra_fields=["Zone"],
        date_format="unix_ms",
    )
    assert "        extra_value = a.extra.get('Zone')\n" in header.code
    factory = ast.parse(header.code).body[0]
    assert isinstance(factory, ast.FunctionDef)
    assert [arg.arg for arg in factory.args.args] == [
        "raise_missing_sub_id1",
        "header_value",
        "raise_missing_sub_id2",
        "header_value_2",
        "raise_missing_payout",
        "format_decimal",
        "raise_missing_extra",
        "write_present_any",
        "str_strip",
    ]


EXAMPLES = Path(__file__).parents[2] / "examples"


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("action-clearing.*")), ids=lambda p: p.name)
@pytest.mark.parametrize("missing", ["empty", "error"])
@pytest.mark.parametrize("date_format", ["iso", "unix", "%Y-%m-%d"])
def test_every_generated_name_is_a_word_of_the_compiler_bound_once(
    path: Path, missing: typing.Any, date_format: str
) -> None:
    fmt = {".qs": "query"}.get(path.suffix, path.suffix[1:])
    t = postback.compile(
        path.read_text(encoding="utf-8"), fmt, missing=missing, date_format=date_format
    )
    tree = ast.parse(t.code)
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*|_v|_s|_it|_sep", n) for n in names), names
    factory = tree.body[0]
    assert isinstance(factory, ast.FunctionDef)
    bound = [arg.arg for arg in factory.args.args]
    assigned = {
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
    assert len(set(bound)) == len(bound) and not assigned & set(bound)


def test_max_template_size_refuses_larger_templates() -> None:
    with pytest.raises(postback.TemplateSyntaxError, match="max_template_size"):
        postback.compile('"' + "x" * 100 + '"', max_template_size=50)


ONE_LINE = [
    ("url", "https://example.com/pb/{ActionId}?s={Status}"),
    ("header", "Bearer {SubId1}"),
    ("query", "id={ActionId}&s={Status}"),
]


@pytest.mark.parametrize(("fmt", "source"), ONE_LINE)
@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_one_final_newline_of_a_one_line_template_is_not_part_of_it(
    fmt: str, source: str, ending: str
) -> None:
    """``postback check`` passed a .url, .header or .qs file ending in a newline and
    ``postback render`` dropped the newline, but ``postback.compile(Path(f).read_text(),
    format="url")``, the pattern the README shows, refused the same text.  compile and
    check read one final line ending of a one-line format as the command line does."""
    sample = postback.sample_action()
    plain = postback.compile(source, format=fmt)
    from_file = postback.compile(source + ending, format=fmt)
    assert from_file.source == source
    assert from_file == plain
    assert from_file.render(sample) == plain.render(sample)
    assert postback.check(source + ending, format=fmt) == []


@pytest.mark.parametrize(("fmt", "source"), ONE_LINE)
@pytest.mark.parametrize("ending", ["\n\n", "\r\n\r\n", "\n\r\n", " \n", "\r"])
def test_only_one_final_newline_is_dropped(fmt: str, source: str, ending: str) -> None:
    text = source + ending
    found = postback.check(text, format=fmt)
    assert found and {d.severity for d in found} == {"error"}
    # The first error is at what is left after the template, where compile puts it.
    assert (found[0].line, found[0].column) == (1, len(source) + 1)
    with pytest.raises(postback.TemplateFormatError) as info:
        postback.compile(text, format=fmt)
    assert (info.value.line, info.value.column) == (found[0].line, found[0].column)


@pytest.mark.parametrize(
    ("fmt", "source"),
    [
        ("json", '{"id": "{ActionId}"}\n'),
        ("xml", "<a>{ActionId}</a>\r\n"),
        ("text", "{ActionId}\n"),
    ],
)
def test_body_formats_keep_their_final_newline(fmt: str, source: str) -> None:
    template = postback.compile(source, format=fmt)
    assert template.source == source
    ending = "\r\n" if source.endswith("\r\n") else "\n"
    rendered = template.render(postback.sample_action())
    assert rendered.endswith(ending)
    assert not rendered.endswith("\n" + ending)


def test_a_template_read_from_a_file_pickles_as_the_template_it_compiled() -> None:
    template = postback.compile("id={ActionId}\n", format="query")
    restored = pickle.loads(pickle.dumps(template))
    assert restored == template
    assert restored.source == "id={ActionId}"


@pytest.mark.parametrize("day_first", [True, False, None])
def test_day_first_is_part_of_a_templates_identity_and_pickle(day_first: bool | None) -> None:
    """The template cache and equality must tell the settings apart (a template
    compiled month first is not the day-first one), and a pickle must keep it."""
    template = postback.compile("{EventDate}", "text", day_first=day_first)
    others = {postback.compile("{EventDate}", "text", day_first=d) for d in (True, False, None)}
    assert len(others) == 3
    again = pickle.loads(pickle.dumps(template))
    assert again.day_first is day_first
    assert again == template
    record = {"EventDate": "04.03.2026"}
    if day_first is None:
        with pytest.raises(postback.RecordError, match=r"^EventDate: .*month is certain"):
            again.render(record)
    else:
        expected = "2026-03-04" if day_first else "2026-04-03"
        assert again.render(record) == template.render(record) == expected + "T00:00:00+00:00"
