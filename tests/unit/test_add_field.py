"""docs/architecture.md's recipe for adding a field, followed in a copy of the package.

The test copies ``src/postback`` to a temporary folder, makes there the source edits
the recipe lists (and only in the files it names), runs its command that regenerates
docs/fields.md, and then, in subprocesses that import the copy: renders the new
fields, reads them from a mapping and from JSON, and runs the tests that guard the
catalog and the records (the attributes and their order, the ``__init__`` declared for
type checkers, the sample, every field in every format).  A step the recipe leaves
out, or a file it does not name, fails here.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RECIPE_PAGE = ROOT / "docs" / "architecture.md"

# The fields the test adds: (placeholder name, attribute, type, its input alias for type
# checkers, description, the sample's value as Python source).
ADDED_FIELDS = [
    (
        "ReturnReason",
        "return_reason",
        "str",
        "TextInput",
        "Why the customer returned the order.",
        "'Wrong size \"M\" & <colour>'",
    ),
    (
        "RefundAmount",
        "refund_amount",
        "Decimal",
        "MoneyInput",
        "Amount refunded to the customer.",
        'Decimal("12.50")',
    ),
]


def recipe() -> str:
    """The text of the section "## Adding a field" of docs/architecture.md."""
    text = RECIPE_PAGE.read_text(encoding="utf-8")
    return text.split("\n## Adding a field\n", 1)[1].split("\n## ", 1)[0]


def recipe_source_files() -> set[str]:
    return set(re.findall(r"`(src/postback/[\w/]+\.py)`", recipe()))


def regenerate_command() -> str:
    (command,) = re.findall(
        r"`(PYTHONPATH=src python -m postback[^`]*> docs/fields\.md)`", recipe()
    )
    return command


# -- the edits, each found by its place in the syntax tree --------------------------------


def _insert_after(path: Path, line: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(line, text)
    path.write_text("".join(lines), encoding="utf-8")


def _indent(path: Path, line: int) -> str:
    text = path.read_text(encoding="utf-8").splitlines()[line - 1]
    return text[: len(text) - len(text.lstrip())]


def _find(package: Path, match: Callable[[ast.AST], bool]) -> tuple[Path, ast.AST]:
    """The one node of the package's modules that ``match`` accepts, and its file."""
    found = [
        (path, node)
        for path in sorted(package.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if match(node)
    ]
    assert len(found) == 1, [str(path) for path, _ in found]
    return found[0]


def _is_fields_tuple(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and node.target.id == "FIELDS"
    )


def add_catalog_entries(package: Path) -> Path:
    path, node = _find(package, _is_fields_tuple)
    assert isinstance(node, ast.AnnAssign) and isinstance(node.value, ast.Tuple)
    last = node.value.elts[-1]
    assert last.end_lineno is not None
    indent = _indent(path, last.lineno)
    entries = "".join(
        f"{indent}_f({name!r}, {typ}, {description!r}),\n"
        for name, _attr, typ, _alias, description, _sample in ADDED_FIELDS
    )
    _insert_after(path, last.end_lineno, entries)
    return path


def _action_class(node: ast.AST) -> bool:
    return isinstance(node, ast.ClassDef) and node.name == "Action"


def add_action_attributes(package: Path) -> Path:
    path, node = _find(package, _action_class)
    assert isinstance(node, ast.ClassDef)
    attributes = [n for n in node.body if isinstance(n, ast.AnnAssign)]
    names = [ast.unparse(n.target) for n in attributes]
    last = attributes[names.index("items") - 1]
    assert last.end_lineno is not None
    indent = _indent(path, last.lineno)
    text = "".join(
        f"{indent}{attr}: {typ} | None = None\n" for _name, attr, typ, *_ in ADDED_FIELDS
    )
    _insert_after(path, last.end_lineno, text)
    return path


def add_checked_init_keywords(package: Path) -> Path:
    path, node = _find(package, _action_class)
    assert isinstance(node, ast.ClassDef)
    (checked,) = [
        n for n in node.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"
    ]
    (init,) = checked.body
    assert isinstance(init, ast.FunctionDef) and init.name == "__init__"
    keywords = [arg.arg for arg in init.args.kwonlyargs]
    last = init.args.kwonlyargs[keywords.index("items") - 1]
    default = init.args.kw_defaults[keywords.index("items") - 1]
    assert default is not None and default.end_lineno is not None
    indent = _indent(path, last.lineno)
    text = "".join(f"{indent}{attr}: {alias} = None,\n" for _n, attr, _t, alias, *_ in ADDED_FIELDS)
    _insert_after(path, default.end_lineno, text)
    return path


def _sample_table(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and node.target.id == "SAMPLE_FIELDS"
    )


def add_sample_values(package: Path) -> Path:
    path, node = _find(package, _sample_table)
    (table,) = [n for n in ast.walk(node) if isinstance(n, ast.Dict)]
    last = table.values[-1]
    assert last.end_lineno is not None
    indent = _indent(path, table.keys[-1].lineno)  # type: ignore[union-attr]
    text = "".join(f"{indent}{attr!r}: {sample},\n" for _n, attr, *_, sample in ADDED_FIELDS)
    _insert_after(path, last.end_lineno, text)
    return path


# -- the copy, and what runs in it -------------------------------------------------------


@pytest.fixture(scope="module")
def copied(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the package beside an empty docs folder; returns the copy's root."""
    root = tmp_path_factory.mktemp("added-field")
    shutil.copytree(
        ROOT / "src" / "postback",
        root / "src" / "postback",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (root / "docs").mkdir()
    return root


@pytest.fixture(scope="module")
def edited(copied: Path) -> set[str]:
    """Make the recipe's source edits; return the files they were made in."""
    package = copied / "src" / "postback"
    steps = [
        add_catalog_entries,
        add_action_attributes,
        add_checked_init_keywords,
        add_sample_values,
    ]
    paths = {step(package) for step in steps}
    return {path.relative_to(copied).as_posix() for path in paths}


def environment(root: Path) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(root / "src"), HYPOTHESIS_PROFILE="quick")
    env.pop("PYTHONSAFEPATH", None)
    return env


def python(root: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, *args],
        cwd=root,
        env=environment(root),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


PROBE = r"""
import json, pickle

import postback
from postback import Action

template = postback.compile('{"reason": "{ReturnReason}", "refund": {RefundAmount}}')
record = {"ReturnReason": 'too "big"', "RefundAmount": "12.50"}
from_json = Action.from_json('{"return_reason": "too \\"big\\"", "RefundAmount": 12.50}')
sample = postback.sample_action()
(typo,) = postback.check('{"r": "{ReturnReasons}"}')
print(json.dumps({
    "module": postback.__file__,
    "names": [f.name for f in postback.FIELDS],
    "fields": sorted(template.fields),
    "from_action": template.render(Action(return_reason='too "big"', refund_amount="12.50")),
    "from_mapping": template.render(record),
    "from_json": template.render(from_json),
    "json_refund": repr(from_json.refund_amount),
    "dict_refund": repr(Action.from_dict(record).refund_amount),
    "to_dict": Action.from_dict(record).to_dict(),
    "pickled": pickle.loads(pickle.dumps(sample)) == sample,
    "sample": [sample.return_reason, repr(sample.refund_amount)],
    "sample_rendered": template.render(sample),
    "suggestion": typo.suggestion,
}))
"""


def test_the_recipe_names_the_files_its_source_edits_are_in(edited: set[str]) -> None:
    assert edited == recipe_source_files()
    assert regenerate_command() == (
        "PYTHONPATH=src python -m postback._records.fieldsdoc > docs/fields.md"
    )


def test_the_added_fields_render_and_are_read_from_a_mapping_and_json(
    copied: Path, edited: set[str]
) -> None:
    seen = json.loads(python(copied, "-c", PROBE))
    assert Path(seen["module"]).is_relative_to(copied)
    names = [name for name, *_ in ADDED_FIELDS]
    assert seen["names"][-2:] == names
    assert seen["fields"] == sorted(names)
    body = '{"reason": "too \\"big\\"", "refund": 12.50}'
    assert seen["from_action"] == seen["from_mapping"] == seen["from_json"] == body
    assert seen["json_refund"] == seen["dict_refund"] == "Decimal('12.50')"
    assert seen["to_dict"] == {"ReturnReason": 'too "big"', "RefundAmount": "12.50"}
    assert seen["pickled"] is True
    assert seen["sample"] == ['Wrong size "M" & <colour>', "Decimal('12.50')"]
    assert json.loads(seen["sample_rendered"]) == {
        "reason": 'Wrong size "M" & <colour>',
        "refund": 12.5,
    }
    assert seen["suggestion"] == "{ReturnReason}"


def test_the_regenerated_reference_and_the_command_line_list_them(
    copied: Path, edited: set[str]
) -> None:
    result = subprocess.run(
        regenerate_command(),
        shell=True,
        cwd=copied,
        # The command's ``python`` is the one running the tests.
        env={
            **{k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    page = (copied / "docs" / "fields.md").read_text(encoding="utf-8")
    for name, attr, typ, _alias, description, _sample in ADDED_FIELDS:
        assert f"| `{{{name}}}` | `{attr}` | `{typ}` | {description} |" in page
    assert "to `{RefundAmount}`" in page
    listed = json.loads(python(copied, "-m", "postback", "fields", "--json"))
    assert [f["name"] for f in listed["fields"]][-2:] == ["ReturnReason", "RefundAmount"]
    table = python(copied, "-m", "postback", "fields")
    assert table.startswith(f"Fields ({len(listed['fields'])})\n")
    assert re.search(r"^\{RefundAmount\}\s+refund_amount\s+Decimal\s+Amount refunded", table, re.M)


def test_the_tests_that_guard_the_catalog_pass_in_the_copy(copied: Path, edited: set[str]) -> None:
    guards = [
        "tests/unit/test_record.py::test_action_attributes_are_the_catalog_fields_in_order",
        "tests/unit/test_record.py::test_action_attribute_types_are_the_catalog_types",
        "tests/unit/test_record.py::test_defaults_are_empty",
        "tests/unit/test_record.py::test_sample_sets_every_field_and_three_full_items",
        "tests/unit/test_record.py::test_from_dict_covers_every_field_by_both_names",
        "tests/unit/test_record_types.py::test_action_init_for_type_checkers_follows_the_catalog",
        "tests/unit/test_record_types.py::test_the_runtime_init_takes_the_same_keywords",
        "tests/unit/test_catalog_fields.py",
    ]
    pytest = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"]
    result = subprocess.run(
        [*pytest, "-v", *guards],
        cwd=ROOT,
        env=environment(copied),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    # The copy is what they tested: the catalog tests rendered the added fields too.
    for name in ("ReturnReason", "RefundAmount"):
        assert f"test_each_field_renders_in_json[{name}] PASSED" in result.stdout
