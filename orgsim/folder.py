"""An output folder orgsim owns: one batch at a time, only its own files ever touched.

Rules (the README's "Output folders"):

- **One writer.** :class:`FolderLock` takes an exclusive ``flock`` on ``DIR/.orgsim.lock``
  for the whole command; a second ``orgsim run`` on the folder stops with
  :class:`FolderBusyError`, naming the process that holds it and since when, or waits
  (``wait=True``). The kernel releases the lock when its holder dies, even by SIGKILL,
  so a stale lock file never blocks anyone.
- **Never delete a file orgsim did not write.** The files orgsim writes have fixed
  names (:data:`OWN_FILES`) and ``plots/`` holds an index of its own files
  (:data:`PLOTS_INDEX`); :func:`foreign_outputs` lists what orgsim would have to
  replace but did not write, and callers refuse to go on while there is any.
- **Swap, do not overwrite.** :func:`staged_folder` builds a folder (the plots) under a
  temporary name and renames it into place when complete: an interruption leaves the
  previous folder as it was and no temporary folder behind.
- **Re-running is idempotent.** :func:`compare` says whether a complete folder already
  holds this scenario's results (``up to date``) or another version's (and what changed).

Core objects
------------
FolderLock, FolderBusyError
    The lock of an output folder and the error naming its holder.
staged_folder
    Context manager: a temporary folder that replaces ``final`` on success.
foreign_outputs
    Paths orgsim would replace in a folder but did not write.
compare, Comparison
    A scenario against what a complete output folder holds.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orgsim.errors import OrgsimError

LOCK = ".orgsim.lock"
MANIFEST = "manifest.json"
PLOTS = "plots"
PLOTS_INDEX = ".orgsim-files.json"
# top-level names orgsim writes (and so may replace) in an output folder
OWN_FILES = ("manifest.json", "results.csv", "summary.csv", "results.parquet", "indices.csv")


class FolderBusyError(OrgsimError):
    """Another orgsim process holds the output folder's lock."""

    def __init__(self, folder: Path, holder: Mapping[str, Any]) -> None:
        self.folder, self.holder = folder, dict(holder)
        who = f"pid {holder['pid']}" if "pid" in holder else "another process"
        since = f", since {holder['since']}" if "since" in holder else ""
        super().__init__(
            f"{folder} is in use by another orgsim command ({who}{since}); "
            "wait for it to finish, add --wait to queue behind it, or use --out DIR"
        )


def _holder(path: Path) -> dict[str, Any]:
    with contextlib.suppress(OSError, ValueError):
        data = json.loads(path.read_text(encoding="utf-8")[:4096])
        if isinstance(data, dict):
            return data
    return {}


class FolderLock:
    """Exclusive lock of an output folder (``flock`` on ``folder/.orgsim.lock``).

    Parameters
    ----------
    folder : Path
        Created if missing.
    wait : bool
        Block until the holder finishes instead of raising :class:`FolderBusyError`.
    on_wait : callable, optional
        Called with the :class:`FolderBusyError` error before blocking (to tell the user).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with FolderLock(pathlib.Path(tmp)):
    ...         try:
    ...             FolderLock(pathlib.Path(tmp)).acquire()
    ...         except FolderBusyError as busy:
    ...             busy.holder["pid"] == os.getpid()
    True
    """

    def __init__(
        self,
        folder: Path,
        wait: bool = False,
        on_wait: Callable[[FolderBusyError], None] | None = None,
    ) -> None:
        self.folder, self.wait, self.on_wait = Path(folder), wait, on_wait
        self.path = self.folder / LOCK
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock (see the class); raises :class:`FolderBusyError` or ``OSError``."""
        self.folder.mkdir(parents=True, exist_ok=True)
        # O_CLOEXEC: worker processes must not inherit (and so keep) the lock
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                busy = FolderBusyError(self.folder, _holder(self.path))
                if not self.wait:
                    raise busy from None
                if self.on_wait is not None:
                    self.on_wait(busy)
                fcntl.flock(fd, fcntl.LOCK_EX)
            since = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
            text = json.dumps({"pid": os.getpid(), "since": since, "command": sys.argv[:8]})
            os.ftruncate(fd, 0)
            os.pwrite(fd, text.encode() + b"\n", 0)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def release(self) -> None:
        """Let go of the lock (the file stays: a waiting process may hold it open)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None

    def __enter__(self) -> FolderLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


# -- what orgsim wrote ----------------------------------------------------------------


def is_ours(folder: Path) -> bool:
    """Whether ``folder`` looks like an orgsim output folder (lock, manifest or store)."""
    return any((folder / name).exists() for name in (LOCK, MANIFEST, "runs.sqlite"))


def _plot_files(folder: Path) -> set[str] | None:
    """Names orgsim recorded as its own in ``folder/plots`` (``None``: no record)."""
    try:
        data = json.loads((folder / PLOTS / PLOTS_INDEX).read_text(encoding="utf-8"))
        return {str(name) for name in data["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:  # folders written before the index: the manifest's list
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        prefix = f"{PLOTS}/"
        return {f[len(prefix) :] for f in data["files"] if str(f).startswith(prefix)}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def foreign_outputs(folder: Path, names: Sequence[str] = OWN_FILES) -> list[Path]:
    """Paths orgsim would replace in ``folder`` but did not write (empty: safe to go on).

    In a folder that is not orgsim's (:func:`is_ours`), files named like orgsim's
    outputs are the user's; in ``plots/``, every entry missing from orgsim's record.
    """
    if not folder.is_dir():
        return []
    found: list[Path] = []
    if not is_ours(folder):
        found += [folder / n for n in names if (folder / n).exists()]
    plots = folder / PLOTS
    if plots.is_symlink() or (plots.exists() and not plots.is_dir()):
        found.append(plots)
    elif plots.is_dir():
        known = _plot_files(folder) or set()
        found += sorted(
            p
            for p in plots.iterdir()
            if p.name != PLOTS_INDEX and (p.name not in known or not p.is_file())
        )
    return found


def clean_stale(folder: Path) -> None:
    """Remove orgsim's temporary files and folders left by a killed process.

    Call with the folder locked: no live orgsim process owns them then. Only names
    orgsim makes (``.NAME.PID.tmp``, ``.plots.PID.tmp/``, ``.plots.PID.old/``) are
    touched; a ``plots`` lost between the two renames of a swap is put back.
    """
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        name = path.name
        if not (name.startswith(".") and name.endswith((".tmp", ".old"))):
            continue
        base = name[1:].split(".", 1)[0]
        if name.endswith(".old") and base == PLOTS and path.is_dir():
            if not (folder / PLOTS).exists():
                path.rename(folder / PLOTS)
            else:
                shutil.rmtree(path)
        elif path.is_dir() and base == PLOTS:
            shutil.rmtree(path)
        elif path.is_file() and any(name.startswith(f".{n}.") for n in OWN_FILES):
            path.unlink()


@contextlib.contextmanager
def staged_folder(final: Path) -> Iterator[Path]:
    """Yield an empty temporary folder; on success it replaces ``final`` (swapped in).

    On any exception (Ctrl-C included) the temporary folder is removed and ``final``
    is left as it was. The files of the new folder are recorded in
    ``final/.orgsim-files.json``, so that a later swap knows they are orgsim's.
    """
    tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    old = final.with_name(f".{final.name}.{os.getpid()}.old")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    try:
        yield tmp
        names = sorted(p.name for p in tmp.iterdir())
        (tmp / PLOTS_INDEX).write_text(json.dumps({"files": names}) + "\n", encoding="utf-8")
        if final.exists():
            final.rename(old)
        tmp.rename(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not final.exists():
            old.rename(final)
        raise
    if old.exists():
        shutil.rmtree(old)


# -- re-running ------------------------------------------------------------------------


@dataclass
class Comparison:
    """A scenario against a complete folder's manifest.

    ``same``: identical scenario and run keys. ``changes``: one readable line per
    differing key (``steps: 10 -> 20``). ``missing``: files the manifest lists but the
    folder lacks.
    """

    same: bool
    changes: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _flat(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(_flat(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: data}


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """``key: old -> new`` for every key whose value differs (nested keys dotted).

    >>> differences({"steps": 10, "model": {"p1": 0.1}}, {"steps": 20, "model": {"p1": 0.1}})
    ['steps: 10 -> 20']
    """
    a, b = _flat(dict(old)), _flat(dict(new))
    out = []
    for key in sorted(a.keys() | b.keys()):
        if key not in b:
            out.append(f"{key}: {_short(a[key])} -> (unset)")
        elif key not in a:
            out.append(f"{key}: (unset) -> {_short(b[key])}")
        elif a[key] != b[key]:
            out.append(f"{key}: {_short(a[key])} -> {_short(b[key])}")
    return out


def compare(folder: Path, scenario: Mapping[str, Any], keys: Sequence[str]) -> Comparison:
    """Compare a scenario (``model_dump(mode="json")``) and its run keys with ``folder``.

    Keys differ with the same scenario when the model (or a plugin) changed since.
    """
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        old_scenario = data["scenario"]
        old_keys = [r["key"] for r in data["runs"]]
        files = [str(f) for f in data.get("files", [])]
    except (OSError, ValueError, KeyError, TypeError):
        return Comparison(False, ["manifest.json: unreadable"])
    changes = differences(old_scenario, scenario)
    if not changes and list(old_keys) != list(keys):
        from orgsim import MODEL_VERSION

        was = data.get("model_version")
        changes.append(
            f"model_version: {_short(was)} -> {_short(MODEL_VERSION)}"
            if was != MODEL_VERSION
            else "the model or its plugins changed (different run keys)"
        )
    missing = [f for f in files if not (folder / f).exists()]
    return Comparison(not changes, changes, missing)
