"""What every Dask worker of a batch sets up once (imports ``distributed``: needs ``orgsim[dask]``).

Core objects
------------
WorkerSetup
    A Dask ``WorkerPlugin`` registered by :func:`orgsim.experiments.executors.dask_backend`.
"""

from __future__ import annotations

import os
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from orgsim.allocator import tune_malloc


class WorkerSetup(WorkerPlugin):
    """Tune the allocator of each worker process (:mod:`orgsim.allocator`).

    Skipped for workers that share the client's process (``LocalCluster(processes=False)``):
    that process is the user's, and orgsim leaves its allocator alone.
    """

    name = "orgsim-worker-setup"
    idempotent = True

    def __init__(self) -> None:
        self.client_pid = os.getpid()

    def setup(self, worker: Any) -> None:
        if os.getpid() != self.client_pid:
            tune_malloc()
