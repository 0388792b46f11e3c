"""What postback's objects pickle as: their state by name, and the version that wrote it.

A pickle is read only by the postback version that wrote it.  Between versions a
class may gain, lose, rename or reorder what it holds, and a state restored by
position would put one value in another's place (a template's ``missing`` policy
in its ``date_format``).  So every picklable object (``Template``, ``Notification``,
``Pacer``, ``Action``, ``Item``) pickles a ``state`` dict keyed by names, made by
``state``, and restores it only after ``restore`` has checked the version; a pickle
from another version raises ``ConfigError`` naming both versions.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, Final

from . import _version
from ._errors import ConfigError

__all__ = ["init_values", "restore", "state"]

# The key of the version in every pickled state.
_VERSION: Final = "postback"


def state(**values: object) -> dict[str, object]:
    """Return the pickled state of an object: ``values`` by name, with this version."""
    return {_VERSION: _version.__version__, **values}


def restore(kind: str, pickled: object) -> dict[str, Any]:
    """Return the values of a pickled ``kind`` (``"Template"``, ...) written by this version.

    Raises ``ConfigError`` for a state written by another version, or in another form.
    """
    current = _version.__version__
    written = pickled.get(_VERSION) if isinstance(pickled, dict) else None
    if isinstance(written, str) and written == current:
        return pickled  # type: ignore[return-value]
    if isinstance(written, str):
        by = f"postback {written[:40]}"
    else:
        by = "a postback version that did not record its version"
    raise ConfigError(
        f"cannot unpickle this {kind}: it was pickled by {by}, and this is postback "
        f"{current}; a pickle is read only by the version that wrote it. Install the "
        "same postback version wherever it is unpickled, or send the template source "
        "and options (or the notification's settings) and build it there"
    )


def init_values(obj: Any) -> dict[str, Any]:
    """Return the constructor arguments of the dataclass instance ``obj``, by name."""
    return {f.name: getattr(obj, f.name) for f in fields(obj) if f.init}
