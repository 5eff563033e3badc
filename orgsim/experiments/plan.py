"""What a batch runs: one :class:`RunSpec` per run, in a fixed, documented order.

Order and seeds
---------------
Runs are numbered ``i = 0, 1, ...`` over structures (in the scenario's order), then
sweep points (in :func:`orgsim.sweep.expand` order), then replications::

    i = (structure_index * points + point_index) * replications + replication

Run ``i`` gets the random stream ``numpy.random.SeedSequence(root, spawn_key=(i,))``
(recorded as the string ``"root:i"``), so its numbers do not depend on which worker
runs it, when, or on what backend.

Run keys
--------
A run's key is a hash of everything that determines its result: the structure, the
full resolved parameters, the seed, the number of steps, :data:`orgsim.MODEL_VERSION`,
the metric set (names, in column order), each plugin's content hash, and the major
versions of numpy and scipy (:func:`environment`). The store keeps finished runs by
key, so a run is never computed twice, and changing anything that matters gives new
keys: a run stored by another model version, with other metrics or other plugins is
computed again, never reused with missing columns.

Core objects
------------
RunSpec
    One run: ids, structure, parameters, seed and key (picklable, small).
Plan
    The batch of a scenario: ``len(plan)``, ``iter(plan)`` (lazy), ``plan[i]``.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import numpy as np

from orgsim import MODEL_VERSION
from orgsim.metrics import METRICS
from orgsim.plugins import PluginRef
from orgsim.scenario import Scenario
from orgsim.sweep import expand


@dataclass(frozen=True)
class RunSpec:
    """One run of a batch.

    Attributes
    ----------
    run_id : int
        Global index ``i`` (see the module docstring).
    structure : str
    replication : int
        0-based replication within its structure and sweep point.
    point_index : int
        Index of the sweep point (0 without a sweep).
    point : dict
        The swept parameter values of this run (empty without a sweep).
    params : dict
        Full keyword arguments of ``OrgModel`` (parameters and options).
    root_seed : int
    steps : int
    plugins : tuple of PluginRef
        The plugins the run needs (their code travels with the run to its worker).
    metrics : tuple of str
        The metric columns it measures (default: the registered metrics now).
    """

    run_id: int
    structure: str
    replication: int
    point_index: int
    point: dict[str, Any]
    params: dict[str, Any]
    root_seed: int
    steps: int
    plugins: tuple[PluginRef, ...] = ()
    metrics: tuple[str, ...] = ()
    key: str = field(init=False)

    def __post_init__(self) -> None:
        if not self.metrics:
            object.__setattr__(self, "metrics", tuple(METRICS))
        object.__setattr__(self, "key", run_key(self))

    @property
    def seed(self) -> str:
        """The run's seed as recorded: ``"root:i"``."""
        return f"{self.root_seed}:{self.run_id}"

    def seed_sequence(self) -> np.random.SeedSequence:
        """``SeedSequence(root, spawn_key=(run_id,))``: this run's random stream."""
        return np.random.SeedSequence(self.root_seed, spawn_key=(self.run_id,))


def run_key(spec: RunSpec) -> str:
    """Hash of what determines a run's result (32 hex characters).

    >>> a = RunSpec(0, "band", 0, 0, {}, {"p1": 0.1}, 1, 10)
    >>> b = RunSpec(0, "band", 5, 3, {}, {"p1": 0.1}, 1, 10)  # ids that do not matter
    >>> a.key == b.key, a.key == RunSpec(0, "band", 0, 0, {}, {"p1": 0.2}, 1, 10).key
    (True, False)
    """
    identity = {
        "structure": spec.structure,
        "params": spec.params,
        "seed": [spec.root_seed, spec.run_id],
        "steps": spec.steps,
        **environment(spec.metrics, spec.plugins),
    }
    text = json.dumps(identity, sort_keys=True, default=_canonical, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@functools.cache
def _major(package: str) -> str:
    try:
        return metadata.version(package).split(".")[0]
    except metadata.PackageNotFoundError:
        return "none"


def environment(metrics: Sequence[str], plugins: Sequence[PluginRef] = ()) -> dict[str, Any]:
    """What a run key covers besides the run itself (also written to the manifest).

    >>> env = environment(("posts",))
    >>> sorted(env), env["metrics"]
    (['metrics', 'model_version', 'numpy', 'plugins', 'scipy'], ['posts'])
    """
    return {
        "model_version": MODEL_VERSION,
        "metrics": list(metrics),
        "plugins": [[p.kind, p.name, p.sha256] for p in plugins],
        "numpy": _major("numpy"),
        "scipy": _major("scipy"),
    }


def _canonical(value: Any) -> Any:
    """JSON stand-in for non-JSON parameters (an imported org chart, arrays): by content."""
    if isinstance(value, np.ndarray):
        digest = hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest()
        return {"array": [str(value.dtype), list(value.shape), digest]}
    if isinstance(value, np.generic):
        return value.item()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


class Plan:
    """The runs of a scenario, generated on demand (memory does not grow with runs).

    Examples
    --------
    >>> from orgsim.scenario import Scenario
    >>> s = Scenario.model_validate({"name": "x", "replications": 2,
    ...     "structures": ["band", "tower"], "sweep": {"grid": {"p1": [0.1, 0.9]}}})
    >>> plan = Plan(s)
    >>> len(plan), [(r.structure, r.point["p1"], r.replication, r.seed) for r in plan][:3]
    (8, [('band', 0.1, 0, '12345:0'), ('band', 0.1, 1, '12345:1'), ('band', 0.9, 0, '12345:2')])
    """

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.points = expand(scenario.sweep, scenario.seed)
        self.replications = scenario.sweep_replications
        self.structures = list(scenario.structures)
        self.varied = scenario.varied
        self.metrics = tuple(METRICS)  # with the scenario's plugins: they are loaded

    def __len__(self) -> int:
        return len(self.structures) * len(self.points) * self.replications

    def __getitem__(self, i: int) -> RunSpec:
        if not 0 <= i < len(self):
            raise IndexError(i)
        rest, replication = divmod(i, self.replications)
        s, p = divmod(rest, len(self.points))
        structure, point = self.structures[s], self.points[p]
        return RunSpec(
            run_id=i,
            structure=structure,
            replication=replication,
            point_index=p,
            point=point,
            params=self.scenario.model_params(structure, point),
            root_seed=self.scenario.seed,
            steps=self.scenario.steps,
            plugins=self.scenario.plugin_refs,
            metrics=self.metrics,
        )

    def __iter__(self) -> Iterator[RunSpec]:
        for i in range(len(self)):
            yield self[i]
