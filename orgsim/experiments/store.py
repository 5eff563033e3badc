"""The crash-safe results store: one SQLite file, one transaction per finished run.

Each run is one row keyed by its :func:`~orgsim.experiments.plan.run_key`; its
per-step metrics are one float64 blob (exact, so exports are byte-identical). SQLite
in WAL mode commits a row entirely or not at all, so a batch killed at any moment
(even ``SIGKILL``) leaves a consistent store, and the next ``orgsim run`` computes
only the runs it does not hold. A failed run is stored with its error and retried on
the next run; a finished run is never replaced.

Opening a store checks it first (SQLite's ``quick_check``, the tables and columns
orgsim writes, every finished row's size): a damaged file (truncated, garbage, a
bad row, a folder in its place) raises :class:`StoreError` naming the file, before
anything else is touched, and is never deleted. :func:`set_aside` renames it to
``runs.sqlite.bad-<UTC time>`` (what ``orgsim run --fresh`` does with a damaged
store). A full disk (or any failed write) while creating or committing is a
:class:`StoreError` too, not marked damaged; the runs committed before it are kept.

Core objects
------------
Store
    ``Store(path)``; ``put``, ``get``, ``done_keys``, ``status_counts``.
StoreError
    The store cannot be opened, checked or written (``path``, ``problem``, ``damaged``).
set_aside
    Rename a store (and its ``-wal``/``-shm`` files) out of the way, keeping it.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from orgsim import MODEL_VERSION
from orgsim.errors import OrgsimError

if TYPE_CHECKING:
    from orgsim.experiments.plan import RunSpec
    from orgsim.experiments.worker import RunResult

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    key           TEXT PRIMARY KEY,
    status        TEXT NOT NULL CHECK (status IN ('done', 'failed')),
    structure     TEXT NOT NULL,
    seed          TEXT NOT NULL,
    steps         INTEGER NOT NULL,
    params        TEXT NOT NULL,
    metrics       TEXT,
    rows          INTEGER,
    data          BLOB,
    error         TEXT,
    elapsed       REAL,
    finished      TEXT NOT NULL,
    model_version TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_COLUMNS = {
    "runs": [
        *("key", "status", "structure", "seed", "steps", "params", "metrics", "rows", "data"),
        *("error", "elapsed", "finished", "model_version"),
    ],
    "meta": ["name", "value"],
}
# finished rows whose blob does not hold rows x metrics float64 values (or no JSON list)
_BAD_ROWS = """
SELECT key FROM runs WHERE status = 'done' AND (
    data IS NULL OR rows IS NULL OR json_type(metrics) IS NOT 'array'
    OR length(data) != rows * json_array_length(metrics) * 8)
LIMIT 1
"""
SIDE_FILES = ("", "-wal", "-shm", "-journal")


class StoreError(OrgsimError):
    """The run store at ``path`` cannot be used: damaged, or it cannot be written.

    Attributes
    ----------
    path : Path
    problem : str
        What is wrong, one line.
    damaged : bool
        True if the file itself is damaged (``set_aside`` and recompute), False if it
        could not be written (e.g. the disk is full: free space and run again).
    """

    def __init__(self, path: Path, problem: str, damaged: bool) -> None:
        self.path, self.problem, self.damaged = path, problem, damaged
        super().__init__(f"{path}: {problem}")


def _problem(exc: BaseException) -> str:
    return str(exc).strip() or type(exc).__name__


def _damaged(exc: BaseException) -> bool:
    """Whether ``exc`` says the file itself is bad (not: full, unwritable, busy)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return False
    # primary result codes: SQLITE_CORRUPT, SQLITE_NOTADB; SQLITE_ERROR while checking
    # is a schema that is not orgsim's ("no such table", "malformed JSON", ...)
    return code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_ERROR)


def set_aside(path: str | Path) -> Path | None:
    """Rename the store at ``path`` (and its side files) to ``<name>.bad-<UTC time>``.

    Nothing is deleted. Returns the new path of the main file (``None`` if there was
    no store).
    """
    path = Path(path)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    target = path.with_name(f"{path.name}.bad-{stamp}")
    n = 1
    while any(target.with_name(target.name + s).exists() for s in SIDE_FILES):
        n += 1
        target = path.with_name(f"{path.name}.bad-{stamp}-{n}")
    moved = None
    for suffix in SIDE_FILES:
        source = path.with_name(path.name + suffix)
        if source.exists() or source.is_symlink():
            source.rename(target.with_name(target.name + suffix))
            moved = moved or target
    return target if moved else None


class Store:
    """A SQLite results store at ``path`` (created if missing).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from orgsim.experiments.plan import RunSpec
    >>> from orgsim.experiments.worker import execute
    >>> spec = RunSpec(0, "band", 0, 0, {}, {"employees": 30, "units": 2}, 7, 3)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with Store(pathlib.Path(tmp) / "runs.sqlite") as store:
    ...         store.put(spec, execute(spec))
    ...         names, values = store.get(spec.key)
    ...         store.done_keys([spec.key, "other"]) == {spec.key}, values.shape[0]
    (True, 3)
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.exists() and not self.path.is_file():
            raise StoreError(self.path, "not a regular file (a folder or a device?)", True)
        new = not self.path.exists() or self.path.stat().st_size == 0
        try:
            # isolation_level=None: we open and commit transactions explicitly
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=60.0)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(self.path, f"cannot open ({_problem(exc)})", False) from None
        try:
            with self._errors("open"):
                if not new:
                    self._check()
                self._db.execute("PRAGMA journal_mode=WAL")
                # NORMAL in WAL mode: a commit survives the process being killed
                # (SIGKILL); only a power cut may lose the last commits, never consistency
                self._db.execute("PRAGMA synchronous=NORMAL")
                if new:
                    self._db.executescript(_SCHEMA)
                    self._db.execute(
                        "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)",
                        (str(SCHEMA_VERSION),),
                    )
        except BaseException:
            self._db.close()
            raise

    @contextlib.contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """sqlite3 and OS errors as :class:`StoreError`: "cannot write" or "damaged"."""
        try:
            yield
        except StoreError:
            raise
        except (sqlite3.Error, OSError) as exc:
            if _damaged(exc):
                raise StoreError(self.path, f"damaged run store ({_problem(exc)})", True) from None
            raise StoreError(
                self.path, f"cannot {doing} the run store ({_problem(exc)})", False
            ) from None

    def _check(self) -> None:
        """Raise :class:`StoreError` unless the file is an intact orgsim store."""
        verdict = self._db.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            raise StoreError(self.path, f"damaged run store ({verdict})", True)
        for table, expected in _COLUMNS.items():
            found = [r[1] for r in self._db.execute(f"PRAGMA table_info({table})")]
            if found != expected:
                what = "no table" if not found else "unexpected columns in table"
                raise StoreError(self.path, f"not an orgsim run store ({what} {table!r})", True)
        bad = self._db.execute(_BAD_ROWS).fetchone()
        if bad is not None:
            raise StoreError(self.path, f"damaged run store (run {bad[0]}: bad data)", True)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (the file stays consistent either way)."""
        self._db.close()

    def put(self, spec: RunSpec, result: RunResult) -> None:
        """Commit one run (finished or failed) in one transaction.

        A finished run is never overwritten; a failed one is replaced by a later result.
        """
        ok = result.values is not None
        data = np.ascontiguousarray(result.values, dtype="<f8").tobytes() if ok else None
        row = (
            spec.key,
            "done" if ok else "failed",
            spec.structure,
            spec.seed,
            spec.steps,
            json.dumps(spec.params, sort_keys=True, default=str),
            json.dumps(list(result.metrics)),
            result.values.shape[0] if result.values is not None else None,
            data,
            result.error,
            result.elapsed,
            time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            MODEL_VERSION,
        )
        with self._errors("write"), self._transaction():
            self._db.execute(
                "INSERT INTO runs VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT(key) DO UPDATE SET status=excluded.status, "
                "metrics=excluded.metrics, rows=excluded.rows, data=excluded.data, "
                "error=excluded.error, elapsed=excluded.elapsed, finished=excluded.finished "
                "WHERE runs.status != 'done'",
                row,
            )

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    def get(self, key: str) -> tuple[list[str], np.ndarray] | None:
        """Metric names and per-step values of a finished run, or ``None``."""
        with self._errors("read"):
            row = self._db.execute(
                "SELECT metrics, rows, data FROM runs WHERE key = ? AND status = 'done'", (key,)
            ).fetchone()
        if row is None:
            return None
        try:
            names = json.loads(row[0])
            values = np.frombuffer(row[2], dtype="<f8").reshape(row[1], len(names))
        except (TypeError, ValueError) as exc:  # changed since the store was opened
            raise StoreError(self.path, f"damaged run store (run {key}: {exc})", True) from None
        return names, values

    def error(self, key: str) -> str | None:
        """The error of a failed run, or ``None``."""
        with self._errors("read"):
            row = self._db.execute(
                "SELECT error FROM runs WHERE key = ? AND status = 'failed'", (key,)
            ).fetchone()
        return None if row is None else str(row[0])

    def done_keys(self, keys: Iterable[str], chunk: int = 500) -> set[str]:
        """The subset of ``keys`` whose runs are finished."""
        keys = list(keys)
        done: set[str] = set()
        for start in range(0, len(keys), chunk):
            part = keys[start : start + chunk]
            marks = ",".join("?" * len(part))
            query = f"SELECT key FROM runs WHERE status = 'done' AND key IN ({marks})"
            with self._errors("read"):
                done.update(k for (k,) in self._db.execute(query, part))
        return done

    def status_counts(self) -> dict[str, int]:
        """Runs in the whole store by status."""
        with self._errors("read"):
            return dict(self._db.execute("SELECT status, COUNT(*) FROM runs GROUP BY status"))

    def integrity_ok(self) -> bool:
        """SQLite's own integrity check."""
        return self._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            try:
                self.db.execute("COMMIT")
                return
            except BaseException:  # e.g. the disk filled up: leave no open transaction
                self._rollback()
                raise
        self._rollback()

    def _rollback(self) -> None:
        if self.db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")
