"""The formats' scanners as the tests of ``tests/formats`` find them.

Import them as ``from scanners import FORMAT_MODULES, fast_paths_disabled``.

``FORMAT_MODULES`` holds the module of every format of the registry (``postback._formats``),
so a test that iterates it covers a new format without being told.  A scanner's fast
paths are its functions named ``..._fast``; each returns None where it does not apply,
so ``fast_paths_disabled`` makes the scanner read everything the plain way.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from types import ModuleType
from unittest import mock

import postback._contexts as contexts
from postback._formats import formats

__all__ = ["CONTEXT_MODULES", "FORMAT_MODULES", "fast_paths", "fast_paths_disabled"]

CONTEXT_MODULES: list[ModuleType] = [
    importlib.import_module(f"{contexts.__name__}.{info.name}")
    for info in pkgutil.iter_modules(contexts.__path__)
]
"""Every module of ``postback._contexts``."""

FORMAT_MODULES: dict[str, ModuleType] = {
    spec.name: importlib.import_module(spec.contexts) for spec in formats()
}
"""Every format's module (whose ``FORMAT`` is its state machine), by the format's name."""


def fast_paths(module: ModuleType) -> dict[str, Callable[..., object]]:
    """Return the fast paths defined in ``module``, by name."""
    return {
        name: value
        for name, value in vars(module).items()
        if name.endswith("_fast")
        and inspect.isfunction(value)
        and value.__module__ == module.__name__
    }


@contextmanager
def fast_paths_disabled(*modules: ModuleType) -> Iterator[None]:
    """Make every fast path of ``modules`` return None, as where it does not apply."""
    with ExitStack() as stack:
        for module in modules:
            for name in fast_paths(module):
                stack.enter_context(mock.patch.object(module, name, return_value=None))
        yield
