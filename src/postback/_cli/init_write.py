"""Writing the files ``postback init`` planned, following no symbolic link, all or none.

Files are created with ``O_EXCL`` (and ``O_NOFOLLOW`` where the system has it); a file
is appended to only if it is still the regular file of the size it had when it was
read; folders are made one by one.  When a write fails, what was written is removed
again (created files and folders) or cut back to its size (appended files).
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from .io import CliError

__all__ = ["Write", "apply_writes"]

_CREATE_FLAGS: Final = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
)
_APPEND_FLAGS: Final = (
    os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
)


@dataclass(frozen=True, slots=True)
class Write:
    """One file to create, or (``size`` not None) to append to, at its size when read."""

    path: str
    data: bytes
    size: int | None = None
    report: str = ""


class _Undo:
    """What has been written, to remove it again when a later write fails."""

    def __init__(self) -> None:
        self.folders: list[Path] = []
        self.files: list[tuple[Path, int | None]] = []

    def mkdir(self, path: Path) -> None:
        try:
            os.mkdir(path)
        except FileExistsError:
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                raise OSError(0, f"{path.name} became a file or a symbolic link") from None
            return
        self.folders.append(path)

    def rollback(self) -> None:
        for path, size in reversed(self.files):
            with contextlib.suppress(OSError):
                if size is None:
                    os.unlink(path)
                else:
                    os.truncate(path, size)
        for folder in reversed(self.folders):
            with contextlib.suppress(OSError):
                os.rmdir(folder)


def _write(root: Path, write: Write, undo: _Undo) -> None:
    path = root / write.path
    for parent in reversed(Path(write.path).parents[:-1]):
        undo.mkdir(root / parent)
    if write.size is None:
        fd = os.open(path, _CREATE_FLAGS, 0o666)
        undo.files.append((path, None))
    else:
        now = os.lstat(path)
        if not stat.S_ISREG(now.st_mode) or now.st_size != write.size:
            raise OSError(0, "it changed while postback init was running")
        fd = os.open(path, _APPEND_FLAGS)
        undo.files.append((path, write.size))
    with os.fdopen(fd, "wb") as stream:
        stream.write(write.data)


def _make_root(root: Path, undo: _Undo) -> None:
    missing: list[Path] = []
    for folder in (root, *root.parents):
        if os.path.isdir(folder):
            break
        missing.append(folder)
    for folder in reversed(missing):
        undo.mkdir(folder)


def apply_writes(root: Path, writes: Sequence[Write], shown: Callable[[str], str]) -> None:
    """Make ``root`` and its missing parents, then do ``writes`` in order; if one fails,
    undo what was done and raise ``CliError`` naming the path (as ``shown``)."""
    undo = _Undo()
    current = ""
    try:
        _make_root(root, undo)
        for write in writes:
            current = shown(write.path)
            _write(root, write, undo)
    except OSError as exc:
        undo.rollback()
        where = current or str(exc.filename or root)
        raise CliError(
            f"cannot write {where}: {exc.strerror or exc}; nothing was written"
        ) from None
