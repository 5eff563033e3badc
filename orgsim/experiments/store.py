"""The crash-safe results store: one SQLite file, one transaction per finished run.

Each run is one row keyed by its :func:`~orgsim.experiments.plan.run_key`; its
per-step metrics are one float64 blob (exact, so exports are byte-identical). SQLite
in WAL mode commits a row entirely or not at all, so a batch killed at any moment
(even ``SIGKILL``) leaves a consistent store, and the next ``orgsim run`` computes
only the runs it does not hold. A failed run is stored with its error and retried on
the next run; a finished run is never replaced.

Core objects
------------
Store
    ``Store(path)``; ``put``, ``get``, ``done_keys``, ``status_counts``.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from orgsim import MODEL_VERSION

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
        # isolation_level=None: we open and commit transactions explicitly
        self._db = sqlite3.connect(self.path, isolation_level=None, timeout=60.0)
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode: a commit survives the process being killed (SIGKILL); only
        # a power cut may lose the last commits, never consistency
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._db.execute(
            "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
        )

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
        with self._transaction():
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
        row = self._db.execute(
            "SELECT metrics, rows, data FROM runs WHERE key = ? AND status = 'done'", (key,)
        ).fetchone()
        if row is None:
            return None
        names = json.loads(row[0])
        values = np.frombuffer(row[2], dtype="<f8").reshape(row[1], len(names))
        return names, values

    def error(self, key: str) -> str | None:
        """The error of a failed run, or ``None``."""
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
            done.update(k for (k,) in self._db.execute(query, part))
        return done

    def status_counts(self) -> dict[str, int]:
        """Runs in the whole store by status."""
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
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")
