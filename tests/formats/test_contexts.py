"""Every context of every format keeps the promise the code generator relies on: a value
made only of the context's ``inert`` characters is written as it is, between ``wrap``
(``_base.Context``), so the escaper can be skipped for it.

The contexts are each format's ``CONTEXTS``, found through its module (the registry,
``postback._formats``, names it), so a new context is checked as soon as its format
lists it; a context made per placeholder is listed by one of its kind.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scanners import CONTEXT_MODULES, FORMAT_MODULES

from postback._contexts import Context

CONTEXTS = [
    (name, context)
    for name, module in sorted(FORMAT_MODULES.items())
    for context in module.CONTEXTS
]


def test_every_format_lists_its_contexts() -> None:
    assert {name for name, _ in CONTEXTS} == set(FORMAT_MODULES)
    assert all(isinstance(context, Context) for _, context in CONTEXTS)


def test_every_context_a_module_defines_is_listed_by_a_format() -> None:
    listed = {id(context) for _, context in CONTEXTS}
    defined = {
        f"{module.__name__}.{attr}"
        for module in CONTEXT_MODULES
        for attr, value in vars(module).items()
        if isinstance(value, Context) and id(value) not in listed
    }
    assert defined == set()


@pytest.mark.parametrize(
    "context", [context for _, context in CONTEXTS], ids=[f"{n}: {c.name}" for n, c in CONTEXTS]
)
@given(data=st.data())
def test_inert_text_is_written_as_it_is_between_wrap(context: Context, data: st.DataObject) -> None:
    text = data.draw(
        st.text(st.sampled_from(sorted(context.inert))) if context.inert else st.just("")
    )
    written = text if context.escape is None else context.escape(text)
    assert written == context.wrap + text + context.wrap
