"""The function every executor runs: one :class:`RunSpec` in, one :class:`RunResult` out.

A worker first loads the plugins the spec carries (:func:`orgsim.plugins.ensure`: a
file plugin's text comes with the spec, so the worker runs exactly the code the run
was planned with, whatever its working folder), and checks that it measures the
spec's metrics. Workers build ``OrgModel(..., agents=False)``: the Mesa agents are views onto the
state arrays and the metrics never read them, so leaving them out changes no number
and saves time. A run that raises is returned as a failed result (its error text),
never raised, so that one bad run does not stop a batch.

Core objects
------------
execute
    Run one spec to its end; per-step metric rows as a float64 array.
RunResult
    What comes back to the batch loop (small and picklable).
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass

import numpy as np

from orgsim.errors import OrgsimError
from orgsim.experiments.plan import RunSpec
from orgsim.metrics import METRICS
from orgsim.model import OrgModel
from orgsim.plugins import ensure


@dataclass(frozen=True)
class RunResult:
    """One finished (or failed) run.

    Attributes
    ----------
    key : str
        The spec's key.
    metrics : tuple of str
        Column names of ``values`` (:data:`orgsim.metrics.METRICS` order).
    values : numpy.ndarray or None
        Shape (steps run, metrics), float64; ``None`` if the run failed.
    error : str or None
        The exception, one line, with the innermost orgsim frame, if it failed.
    elapsed : float
        Seconds of computing.
    """

    key: str
    metrics: tuple[str, ...]
    values: np.ndarray | None
    error: str | None
    elapsed: float


def _describe(exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "orgsim" in f.filename]
    where = f" (at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"


def execute(spec: RunSpec) -> RunResult:
    """Run ``spec`` for its steps (fewer if the model stops itself) and measure each step.

    Examples
    --------
    >>> from orgsim.experiments.plan import RunSpec
    >>> spec = RunSpec(0, "band", 0, 0, {}, {"employees": 30, "units": 2}, 7, 3)
    >>> result = execute(spec)
    >>> result.values.shape == (3, len(result.metrics)), result.error
    (True, None)
    """
    metrics = spec.metrics
    start = time.perf_counter()
    try:
        ensure(spec.plugins)
        if tuple(METRICS) != metrics:
            missing = [m for m in metrics if m not in METRICS]
            extra = [m for m in METRICS if m not in metrics]
            raise OrgsimError(
                "this worker measures other metrics than the run was planned with "
                f"(missing: {', '.join(missing) or '-'}; extra: {', '.join(extra) or '-'})"
            )
        model = OrgModel(spec.structure, rng=spec.seed_sequence(), agents=False, **spec.params)
        rows = []
        for _ in range(spec.steps):
            model.step()
            values = model.metric_values
            rows.append([values[name] for name in metrics])
            if not model.running:
                break
        data = np.asarray(rows, dtype=np.float64).reshape(len(rows), len(metrics))
    except Exception as exc:  # recorded as a failed run; the batch goes on
        return RunResult(spec.key, metrics, None, _describe(exc), time.perf_counter() - start)
    return RunResult(spec.key, metrics, data, None, time.perf_counter() - start)
