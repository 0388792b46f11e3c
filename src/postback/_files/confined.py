"""The files postback reads and writes on a project's behalf, and the rules it keeps.

A notification's ``body_file`` and the files of a golden case (template, record,
expected output, snapshot) are named by the project's own files, which a partner or a
contributor may have written.  ``read_inside`` reads such a file only when it is a
regular file (no device, FIFO, socket or directory is ever opened) whose real path,
every symbolic link resolved, is inside a given folder, and at most ``limit`` bytes of
it.  ``write_replacing`` writes a file through a new file in the same folder and
``os.replace``, so it never writes through a symbolic link, and refuses to replace one.
A refusal is ``Refused``, whose reason names the file's target but never its content.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path
from typing import Final

__all__ = ["Refused", "inside", "read_inside", "write_replacing"]

_READ_FLAGS: Final = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)  # opening a FIFO must not wait for a writer
    | getattr(os, "O_BINARY", 0)
)
_CREATE_FLAGS: Final = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
)
_CHUNK: Final = 1 << 20


class Refused(Exception):
    """A file the rules refuse; ``reason`` follows the file's name: ``is not a regular file``.

    ``outside`` tells that the file is outside the folder it must be in.
    """

    def __init__(self, reason: str, *, outside: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.outside = outside


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a file"  # pragma: no cover - no other kind exists on the supported systems


def _is_within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def inside(path: str | os.PathLike[str], folder: str | os.PathLike[str]) -> str:
    """Return the real path of ``path``; raise ``Refused`` unless it is inside ``folder``.

    Both are resolved (every symbolic link followed, ``..`` removed).  The reason
    says whether the path itself leaves the folder or a symbolic link leads out.
    """
    try:
        real = os.path.realpath(path)
        root = os.path.realpath(folder)
        plain = os.path.normpath(os.path.abspath(path))
    except ValueError:  # a NUL character in the name
        raise Refused("is not a valid file name") from None
    if _is_within(real, root):
        return real
    if _is_within(plain, os.path.normpath(os.path.abspath(folder))):
        raise Refused(
            f"is a symbolic link to {real!r}, outside {os.fspath(folder)!r}", outside=True
        )
    raise Refused(f"is outside {os.fspath(folder)!r}", outside=True)


def read_inside(
    path: str | os.PathLike[str],
    folder: str | os.PathLike[str] | None = None,
    *,
    limit: int | None = None,
) -> bytes:
    """Read the regular file ``path`` if it resolves inside ``folder`` (default: its own).

    Raises ``Refused`` for a file outside the folder, one that is not a regular file,
    or one longer than ``limit`` bytes; ``OSError`` when it cannot be read.
    """
    if folder is None:
        folder = os.path.dirname(os.fspath(path)) or "."
    real = inside(path, folder)
    before = os.stat(real)  # not opened at all unless it is a regular file
    if not stat.S_ISREG(before.st_mode):
        raise Refused(f"is not a regular file ({_kind(before.st_mode)})")
    fd = os.open(real, _READ_FLAGS)
    try:
        opened = os.fstat(fd)
        if (opened.st_dev, opened.st_ino) != (before.st_dev, before.st_ino):
            raise Refused("changed while it was being opened")  # pragma: no cover - a race
        if limit is not None and opened.st_size > limit:
            raise Refused(f"is larger than {limit:,} bytes")
        chunks: list[bytes] = []
        size = 0
        while True:
            # Some files report no size (those of /proc): the bound holds while reading.
            want = _CHUNK if limit is None else min(_CHUNK, limit + 1 - size)
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if limit is not None and size > limit:
                raise Refused(f"is larger than {limit:,} bytes")
        return b"".join(chunks)
    finally:
        os.close(fd)


def write_replacing(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path``: to a new file in its folder, then ``os.replace``.

    A regular file at ``path`` keeps its permissions.  Raises ``Refused`` when
    ``path`` is a symbolic link (never written through, never replaced) or is not a
    regular file; ``OSError`` when the folder cannot be written.
    """
    target = Path(path)
    try:
        before: os.stat_result | None = os.lstat(target)
    except FileNotFoundError:
        before = None
    except ValueError:  # a NUL character in the name
        raise Refused("is not a valid file name") from None
    if before is not None:
        if stat.S_ISLNK(before.st_mode):
            raise Refused("is a symbolic link, and postback never writes through one")
        if not stat.S_ISREG(before.st_mode):
            raise Refused(f"is not a regular file ({_kind(before.st_mode)})")
    # secrets (hmac, hashlib) loads only to write a file: every command reads files here.
    import secrets

    while True:
        temporary = target.parent / f".postback-{secrets.token_hex(8)}.tmp"
        try:
            fd = os.open(temporary, _CREATE_FLAGS, 0o666)
        except FileExistsError:  # pragma: no cover - 64 random bits
            continue
        break
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        if before is not None:
            os.chmod(temporary, stat.S_IMODE(before.st_mode))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
