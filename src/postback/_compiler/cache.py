"""The cache of compiled templates: least recently used, bounded in count and in characters.

``compile`` returns the cached template for a source, format and options it compiled
before: a key is ``(source, format name, options key)``.
"""

from __future__ import annotations

import _thread
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

__all__ = ["MAX_CHARS", "MAX_COUNT", "cached", "forget_format", "templates"]

T = TypeVar("T")

#: The cached templates, least recently used first.
templates: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_lock = _thread.allocate_lock()
MAX_COUNT = 512
# A template keeps its source and generated code alive (about ten bytes per source
# character), so the cache also holds at most this many source characters in all:
# many large templates cannot pin gigabytes.
MAX_CHARS = 8 * 1024 * 1024


def cached(key: tuple[Hashable, ...], build: Callable[[], T]) -> T:
    """Return the value cached under ``key``, or ``build()`` it and keep it.

    A key that cannot be hashed (an option holding an unhashable value) is built
    every time.
    """
    try:
        hash(key)
    except TypeError:
        return build()
    with _lock:
        hit = templates.get(key)
        if hit is not None:
            templates.move_to_end(key)
            return hit  # type: ignore[no-any-return]
    value = build()
    with _lock:
        templates[key] = value
        # Summing at most MAX_COUNT lengths costs microseconds, once per new template.
        chars = sum(len(k[0]) for k in templates)
        while templates and (len(templates) > MAX_COUNT or chars > MAX_CHARS):
            old_key, _old = templates.popitem(last=False)
            chars -= len(old_key[0])
    return value


def forget_format(name: str) -> None:
    """Drop the templates of the format ``name`` (which is being unregistered)."""
    with _lock:
        for key in [key for key in templates if key[1] == name]:
            del templates[key]
