"""The mutation check of the escapers: without any one of its rules, an escaper fails a test.

Every escaper is built from a table of named rules (``postback._escape``).  For each
rule, this module builds the escaper without it, installs that mutant wherever
templates bind the escaper (the contexts of the formats, the per-placeholder factories
of header values and whole URL path segments), and runs the property tests of the
formats that use it, in this process: at least one must fail.  A mutant that every
test lets through is a rule no test checks.

The property tests run with the profile they were imported with; a mutant is usually
killed by its first examples; the survivors' search makes the whole check take about
four minutes, so it runs when ``POSTBACK_MUTATION=1`` (docs/security.md).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

import postback._contexts as contexts_package
from postback import _escape
from postback._compiler import cache
from postback._contexts import Context, _segments, header
from postback._escape import ESCAPERS, HEADER_RULES, Escaper, make_header_value, percent_encode
from postback._formats import formats

needs_opt_in = pytest.mark.skipif(
    os.environ.get("POSTBACK_MUTATION") != "1",
    reason="the mutation check runs every format's property tests per rule; "
    "set POSTBACK_MUTATION=1 to run it",
)

# The test modules that judge each escaper: every test in them that needs no fixture
# runs, with each of its parameter sets, until one fails.  Tests that import an
# escaper directly keep the original function and pass; those that render through
# compiled templates see the mutant.
_JSON = ["test_escaper_rules", "test_json_context", "test_receivers"]
_XML = ["test_escaper_rules", "test_xml_context"]
_URL = ["test_escaper_rules", "test_query_context", "test_url_context", "test_receivers"]
KILLERS: dict[str, list[str]] = {
    "json_string_body": _JSON,
    "json_quote": _JSON,
    "xml_content": _XML,
    "xml_attribute": _XML,
    "xml_cdata": _XML,
    "form_encode": _URL,
    "percent_encode": _URL,
    "path_segment_encode": _URL,
    "header_value": ["test_escaper_rules", "test_header_context", "test_receivers"],
    "path_segment_value": _URL,
}

# Every format's module is loaded before a mutant is installed, so that each context
# that binds an escaper exists and is patched.
for _format in formats():
    _format.machine()

# The killers' modules, importable by name as pytest imports them.
TESTS = Path(__file__).resolve().parents[1]
for folder in ("formats", "property"):
    if str(TESTS / folder) not in sys.path:
        sys.path.insert(0, str(TESTS / folder))

MUTANTS: list[tuple[str, str]] = [
    *((escaper.name, rule) for escaper in ESCAPERS for rule in escaper.rules),
    *(("header_value", rule) for rule in HEADER_RULES),
    ("path_segment_value", "dot-values"),
]


def _calls(module_name: str) -> Iterator[tuple[str, Callable[[], Any]]]:
    """Yield ``(test id, call)`` for every test of the module that needs no fixture."""
    module = importlib.import_module(module_name)
    for name, test in vars(module).items():
        if not name.startswith("test_") or not callable(test):
            continue
        sets: list[dict[str, Any]] = [{}]
        for mark in getattr(test, "pytestmark", []):
            if mark.name != "parametrize":
                continue
            names = mark.args[0]
            names = [n.strip() for n in names.split(",")] if isinstance(names, str) else names
            rows = [getattr(r, "values", r) for r in mark.args[1]]
            rows = [r if len(names) > 1 else (r,) for r in rows]
            sets = [{**done, **dict(zip(names, row, strict=True))} for done in sets for row in rows]
        wanted = set(inspect.signature(test).parameters)
        if any(wanted != set(kwargs) for kwargs in sets):
            continue  # it needs a fixture
        for kwargs in sets:
            yield f"{module_name}.{name}", functools.partial(test, **kwargs)


@contextmanager
def _installed(original: Callable[..., str], mutant: Callable[..., str]) -> Iterator[None]:
    """Put ``mutant`` wherever a context or a module holds ``original``; undo it after."""
    undo: list[Callable[[], None]] = []
    for name, module in list(sys.modules.items()):
        if not name.startswith(contexts_package.__name__) and not name.startswith(_escape.__name__):
            continue
        for attr, value in list(vars(module).items()):
            if isinstance(value, Context) and value.escape is original:
                object.__setattr__(value, "escape", mutant)
                undo.append(lambda v=value: object.__setattr__(v, "escape", original))
            elif value is original:
                setattr(module, attr, mutant)
                undo.append(lambda m=module, a=attr: setattr(m, a, original))
    cache.templates.clear()
    try:
        yield
    finally:
        for step in reversed(undo):
            step()
        cache.templates.clear()


@contextmanager
def _factory_installed(module: Any, name: str, factory: Callable[[str], Any]) -> Iterator[None]:
    """Replace a per-placeholder escaper factory and empty the context caches built on it."""
    original = getattr(module, name)
    setattr(module, name, lru_cache(maxsize=1024)(factory))
    for cached in (header.header_context, _segments.whole_segment):
        cached.cache_clear()
    cache.templates.clear()
    try:
        yield
    finally:
        setattr(module, name, original)
        for cached in (header.header_context, _segments.whole_segment):
            cached.cache_clear()
        cache.templates.clear()


def _mutant(escaper_name: str, rule: str) -> Any:
    """Return a context manager that installs the escaper without ``rule``."""
    if escaper_name == "header_value":
        factory = make_header_value(frozenset(HEADER_RULES) - {rule})
        return _factory_installed(header, "header_value", factory)
    if escaper_name == "path_segment_value":
        # Without the rule, a whole segment's value "." or ".." is written %2E,
        # as in a segment with other literal text.
        segment = _escape.PATH_SEGMENT.complete()
        return _factory_installed(_segments, "path_segment_value", lambda label: segment)
    escaper: Escaper = next(e for e in ESCAPERS if e.name == escaper_name)
    return _installed(getattr(_escape, escaper.name), escaper.without(rule))


@needs_opt_in
@pytest.mark.parametrize(("escaper", "rule"), MUTANTS, ids=[f"{e}-{r}" for e, r in MUTANTS])
def test_no_escaping_rule_can_be_removed_unnoticed(escaper: str, rule: str) -> None:
    killed_by = None
    with _mutant(escaper, rule):
        for module in KILLERS[escaper]:
            for test_id, call in _calls(module):
                try:
                    call()
                except (Exception, pytest.fail.Exception):  # pytest.raises fails with the latter
                    killed_by = test_id
                    break
            if killed_by:
                break
    assert killed_by is not None, f"no test notices {escaper} without its rule {rule!r}"


def test_every_escaper_has_killers_and_every_mutant_changes_some_output() -> None:
    assert {name for name, _ in MUTANTS} == set(KILLERS)
    samples = ["\\", "a&b<c>\"'\t\n\r]]>%=+#?/ .é\ud800\x00\x01\x7f", "]", "]a", ">a", "..", "..."]
    for escaper in ESCAPERS:
        complete = getattr(_escape, escaper.name)
        assert [escaper.complete()(s) for s in samples] == [complete(s) for s in samples]
        for rule in escaper.rules:
            mutant = escaper.without(rule)
            assert [mutant(s) for s in samples] != [complete(s) for s in samples], rule
    assert percent_encode(None) == ""
