"""Every format's scanner follows one convention (docs/architecture.md, "Formats as state
machines"): a ``<Name>State`` named tuple whose ``mode`` is a ``<Name>Mode`` enum, and
the tables ``TEXT_TRANSITIONS`` and ``HOLE_TRANSITIONS`` keyed by mode, each with a
transition for every mode.  A fast path is a function ``<transition>_fast`` defined
beside the transition it shortcuts, and a test compares the two readings.

The formats are found in the registry (``postback._formats``), so a new format is checked
without being listed here.
"""

from __future__ import annotations

import ast
import enum
import inspect
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from scanners import CONTEXT_MODULES, FORMAT_MODULES, fast_paths

import postback
from postback._formats import format_spec

TABLES = ("TEXT_TRANSITIONS", "HOLE_TRANSITIONS")

# The test that reads templates with the fast paths of each module and without them
# (``scanners.fast_paths_disabled``), by the module's name.
EQUIVALENCE_TESTS = {
    "_json_scanner": ("test_json_context.py", "test_one_step_keys_read_as_step_by_step"),
    "_json_strings": ("test_json_context.py", "test_one_step_keys_read_as_step_by_step"),
    "_query_scanner": ("test_query_context.py", "test_pairs_read_in_one_step_read_as_step_by_step"),
}


def _names(name: str) -> tuple[str, str]:
    """Return the names of the state and the mode enum of the format ``name``."""
    return f"{name.capitalize()}State", f"{name.capitalize()}Mode"


def test_the_formats_found_are_the_formats_compile_takes() -> None:
    assert set(FORMAT_MODULES) >= {fmt.value for fmt in postback.Format}
    for name, module in FORMAT_MODULES.items():
        assert format_spec(name).machine() is module.FORMAT
    with_format = {m.__name__ for m in CONTEXT_MODULES if hasattr(m, "FORMAT")}
    assert with_format == {m.__name__ for m in FORMAT_MODULES.values()}


@pytest.mark.parametrize("name", sorted(FORMAT_MODULES))
def test_every_format_has_a_named_state_whose_mode_is_a_named_enum(name: str) -> None:
    module = FORMAT_MODULES[name]
    state_name, mode_name = _names(name)
    state, modes = getattr(module, state_name), getattr(module, mode_name)
    assert issubclass(modes, enum.Enum) and len(modes) >= 1
    assert issubclass(state, tuple) and state._fields[0] == "mode"
    initial = module.FORMAT.initial()
    assert type(initial) is state
    assert initial.mode in modes and type(initial.mode) is modes


@pytest.mark.parametrize(
    ("name", "table"), [(name, table) for name in sorted(FORMAT_MODULES) for table in TABLES]
)
def test_every_table_covers_every_mode(name: str, table: str) -> None:
    module = FORMAT_MODULES[name]
    modes: Any = getattr(module, _names(name)[1])
    transitions = getattr(module, table)
    assert isinstance(transitions, dict)
    assert list(transitions) == list(modes), f"{name}.{table} has not one entry a mode, in order"
    assert all(callable(transition) for transition in transitions.values())


def _functions_by_line(module: ModuleType) -> list[str]:
    """Return the names of the functions defined at the top of ``module``, in order."""
    tree = ast.parse(inspect.getsource(module))
    return [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]


@pytest.mark.parametrize(
    "module", [m for m in CONTEXT_MODULES if fast_paths(m)], ids=lambda m: m.__name__
)
def test_every_fast_path_sits_beside_the_transition_it_shortcuts(module: ModuleType) -> None:
    order = _functions_by_line(module)
    for name in fast_paths(module):
        plain = name.removesuffix("_fast")
        assert plain in order, f"{module.__name__}.{name} has no {plain} beside it"
        assert abs(order.index(name) - order.index(plain)) == 1, f"{name} is far from {plain}"
        # It is tried before its transition: returning None, it leaves the reading to it.
        calls = inspect.getsource(module).count(f"{name}(") - 1  # its own ``def``
        assert calls >= 1, f"{module.__name__}.{name} is never called"


def test_every_fast_path_has_its_equivalence_test() -> None:
    modules = {m.__name__.rsplit(".", 1)[1] for m in CONTEXT_MODULES if fast_paths(m)}
    assert modules == set(EQUIVALENCE_TESTS)
    here = Path(__file__).parent
    for module, (file, test) in EQUIVALENCE_TESTS.items():
        tree = ast.parse((here / file).read_text(encoding="utf-8"))
        found = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == test]
        assert found, f"{file} has no {test} (the equivalence test of {module})"
        source = ast.unparse(found[0])
        assert "fast_paths_disabled(" in source and module in source
