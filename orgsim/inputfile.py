"""Reading a user's input file in bounded time and memory, whatever the path names.

A scenario file or an org chart is named by the user: it may be a FIFO (opening it
blocks forever), ``/dev/zero`` (endless), a folder, a gigabyte export or a path with
a NUL byte. :func:`read_limited` refuses all of these with one sentence before
reading anything: it checks the path with ``os.stat``, opens it without blocking
(``O_NONBLOCK``), checks the opened file again (it may have been swapped in between)
and reads at most ``limit`` bytes.

Core objects
------------
read_limited
    The bytes of a regular file of at most ``limit`` bytes, or :class:`UnreadableFileError`.
UnreadableFileError
    Why a path cannot be read, as a sentence without the path (callers add it).
SCENARIO_LIMIT, CHART_LIMIT
    The documented size limits of scenario files and org charts.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from orgsim.errors import OrgsimError

SCENARIO_LIMIT = 1 << 20  # 1 MiB: a scenario is a page of TOML
CHART_LIMIT = 256 << 20  # 256 MiB: a CSV chart of a few million employees


class UnreadableFileError(OrgsimError):
    """A path that is not a readable regular file within the size limit."""


def _size(n: int) -> str:
    return f"{n / (1 << 20):.0f} MB" if n >= 1 << 20 else f"{n} bytes"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _check(mode: int, size: int, limit: int, what: str) -> None:
    if not stat.S_ISREG(mode):
        raise UnreadableFileError(f"is {_kind(mode)}, expected {what}")
    if size > limit:
        raise UnreadableFileError(
            f"is {_size(size)}, larger than the {_size(limit)} limit for {what}"
        )


def read_limited(path: str | Path, limit: int, what: str = "a file") -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    Raises
    ------
    UnreadableFileError
        If ``path`` is missing, a folder, a FIFO, a device, a socket, larger than
        ``limit`` bytes, unreadable, or contains a NUL byte. ``what`` names what was
        expected (e.g. ``"a .toml scenario file"``).

    Examples
    --------
    >>> read_limited("/dev/zero", 10, "a scenario")
    Traceback (most recent call last):
    ...
    orgsim.inputfile.UnreadableFileError: is a device, expected a scenario
    """
    name = os.fspath(path)
    if "\x00" in name:
        raise UnreadableFileError("the path contains a NUL byte")
    try:
        info = os.stat(name)
    except FileNotFoundError:
        raise UnreadableFileError("no such file") from None
    except (OSError, ValueError) as exc:
        raise UnreadableFileError(f"cannot read it ({_reason(exc)})") from None
    _check(info.st_mode, info.st_size, limit, what)
    try:
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise UnreadableFileError(f"cannot read it ({_reason(exc)})") from None
    try:
        info = os.fstat(fd)  # the path may have been replaced since the stat
        _check(info.st_mode, info.st_size, limit, what)
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # grew while being read
                raise UnreadableFileError(f"is larger than the {_size(limit)} limit for {what}")
    except OSError as exc:
        raise UnreadableFileError(f"cannot read it ({_reason(exc)})") from None
    finally:
        os.close(fd)
    return b"".join(chunks)


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc)
