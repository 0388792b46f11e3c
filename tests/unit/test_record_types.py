"""Tests that the types type checkers see tell the truth about records and render()."""

from __future__ import annotations

import ast
import inspect
import textwrap
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import postback
from postback._records.catalog import FIELDS, ITEM_FIELDS, FieldSpec

SRC = Path(postback.__file__).resolve().parent
INPUT_ALIASES = {int: "IdInput", str: "TextInput", Decimal: "MoneyInput", datetime: "DateInput"}


def checked_init(module: str, cls: str) -> ast.FunctionDef:
    """Return the ``__init__`` a class declares for type checkers only."""
    tree = ast.parse((SRC / module).read_text(encoding="utf-8"))
    body = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls).body
    for node in body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            (init,) = node.body
            assert isinstance(init, ast.FunctionDef) and init.name == "__init__"
            return init
    raise AssertionError(f"{cls} declares no __init__ under TYPE_CHECKING")


def parameters(init: ast.FunctionDef) -> list[tuple[str, str, str]]:
    assert not init.args.args[1:] and init.args.vararg is None and init.args.kwarg is None
    return [
        (arg.arg, ast.unparse(arg.annotation) if arg.annotation else "", ast.unparse(default))
        for arg, default in zip(init.args.kwonlyargs, init.args.kw_defaults, strict=True)
        if default is not None
    ]


def expected(specs: tuple[FieldSpec, ...]) -> list[tuple[str, str, str]]:
    return [(s.attribute, INPUT_ALIASES[s.type], "None") for s in specs]


def test_action_init_for_type_checkers_follows_the_catalog() -> None:
    params = parameters(checked_init("_records/action.py", "Action"))
    assert params == [
        *expected(FIELDS),
        ("items", "Iterable[Item | Mapping[str, object]] | None", "()"),
        ("extra", "Mapping[str, object]", "EMPTY_EXTRA"),
    ]


def test_item_init_for_type_checkers_follows_the_catalog() -> None:
    assert parameters(checked_init("_records/item.py", "Item")) == expected(ITEM_FIELDS)


def test_the_runtime_init_takes_the_same_keywords() -> None:
    runtime = list(inspect.signature(postback.Action).parameters)
    assert runtime == [p[0] for p in parameters(checked_init("_records/action.py", "Action"))]
    runtime = list(inspect.signature(postback.Item).parameters)
    assert runtime == [p[0] for p in parameters(checked_init("_records/item.py", "Item"))]


SNIPPET = """\
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

import postback

a = postback.Action(
    payout="12.50",
    amount=Decimal("1.5"),
    delta_amount=3,
    original_amount=2.5,
    campaign_id="5",
    ad_id=7,
    sub_id1=42,
    event_date=date(2026, 1, 2),
    cleared_date="2026-01-02T03:04:05Z",
    creation_date=datetime(2026, 1, 2),
    items=[{"sku": "x"}, postback.Item(amt="1.10", qty=2, sku=3)],
)
b = postback.Action(items=(postback.Item() for _ in range(2)), extra={"MyField": [1]})
payout: Decimal | None = a.payout
campaign: int | None = a.campaign_id
when: datetime | None = a.event_date
items: tuple[postback.Item, ...] = a.items
record: Mapping[str, object] = {"Payout": "1"}
template = postback.compile("{Payout}", "text")
body: str = template.render(a) + template.render(record)
data: bytes = template.render_bytes({"Payout": 1})
c = postback.Action.from_json(b'{"Payout": 1.50}', extra=["X"], unknown_keys="ignore")
d = postback.Action.from_dict({}, unknown_keys="extra")
e = postback.Action.from_json_file("r.json")
t2 = postback.compile("{X}", "text", extra_fields=["X"], unknown_keys="extra")
postback.Action(payout=object())  # E1
postback.Action(campaign_id=1.5)  # E2
postback.Action(event_date=1767322800)  # E3
postback.Item(amt=[1])  # E4
postback.Action(items="abc")  # E5
postback.Action(4636)  # E6
template.render(5)  # E7
postback.Action.from_dict({}, unknown_keys="skip")  # E8
postback.compile("x", unknown_keys="drop")  # E9
a.payout = Decimal(1)  # E10
"""


def test_mypy_accepts_what_records_take_and_rejects_the_rest(tmp_path: Path) -> None:
    """mypy is one of the test extras, so this runs wherever the tests do."""
    from mypy import api

    (tmp_path / "snippet.py").write_text(SNIPPET, encoding="utf-8")
    import os

    env_path = os.environ.get("MYPYPATH")
    os.environ["MYPYPATH"] = str(SRC.parent)
    try:
        out, err, status = api.run(
            [
                "--strict",
                "--no-error-summary",
                "--cache-dir",
                str(tmp_path / "cache"),
                str(tmp_path / "snippet.py"),
            ]
        )
    finally:
        if env_path is None:
            del os.environ["MYPYPATH"]
        else:
            os.environ["MYPYPATH"] = env_path
    errors = [line for line in out.splitlines() if ": error:" in line]
    lines = SNIPPET.splitlines()
    flagged = sorted({int(line.split(":")[1]) for line in errors})
    expected_lines = [k + 1 for k, text in enumerate(lines) if "  # E" in text]
    assert flagged == expected_lines, textwrap.indent(out + err, "  ")
    assert status == 1
