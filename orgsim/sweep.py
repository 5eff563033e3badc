"""The ``[sweep]`` table of a scenario file and its expansion into parameter points.

A sweep varies any organisation or model parameter (the flat names of
:data:`orgsim.params.ALL_PARAMETERS`, e.g. ``p1``, ``delta``, ``employees``). Its parts
combine as a Cartesian product, in this fixed order:

``grid``
    Full factorial: every combination of the listed values. A value list is a TOML
    list (``p1 = [0.1, 0.5, 0.9]``) or an inclusive range
    (``delta = {start = 0.0, stop = 0.4, step = 0.1}``, as NetLogo's BehaviorSpace
    ``[0 0.1 0.4]``).
``zip``
    Explicit combinations: the i-th values of every listed parameter go together
    (lists of equal length).
``points``
    An explicit list of combinations: ``points = [{p1 = 0.1, p2 = 0.9}, ...]``.
``design`` with ``ranges`` and ``samples``
    A sampling design over ``ranges = {p1 = [0.0, 1.0], ...}``: ``"lhs"`` (Latin
    hypercube, ``samples`` points), ``"sobol"`` (Saltelli's scheme for Sobol indices,
    ``samples * (D + 2)`` points, ``samples`` a power of two) or ``"morris"``
    (``samples`` trajectories of ``D + 1`` points on ``levels`` levels).
    Whole-number parameters are rounded.

``replications`` (optional) sets the replications per point; otherwise the
scenario's top-level ``replications`` applies.

Limits: a sweep has at least one point and at most :data:`MAX_POINTS` (100,000);
points are counted by arithmetic before any is built, so a range with a step of
1e-12 or ten parameters of ten values each is refused at once. Values are finite
numbers (no booleans, text, ``inf`` or NaN).

This module imports only :mod:`orgsim.params` (and scipy / SALib lazily for designs).

Core objects
------------
Sweep
    The validated ``[sweep]`` table.
expand
    The list of points (dicts of parameter overrides) of a sweep, in order.
design_problem
    The SALib "problem" (names and bounds) of a sweep's sampling design.

Examples
--------
>>> sweep = Sweep.model_validate({"grid": {"p1": [0.1, 0.9], "delta": {"start": 0, "stop": 0.2,
...     "step": 0.1}}})
>>> sweep.varied
['p1', 'delta']
>>> [tuple(p.values()) for p in expand(sweep, seed=0)]
[(0.1, 0.0), (0.1, 0.1), (0.1, 0.2), (0.9, 0.0), (0.9, 0.1), (0.9, 0.2)]
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from orgsim.errors import did_you_mean
from orgsim.params import ALL_PARAMETERS

Scalar = float | int  # every parameter is a number; strict mode refuses booleans and text
DESIGNS = ("lhs", "sobol", "morris")
MAX_POINTS = 100_000  # sweep points of one scenario (counted before any is built)

_CONFIG = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Range(BaseModel):
    """An inclusive arithmetic range ``{start, stop, step}`` (``stop`` included)."""

    model_config = _CONFIG

    start: float | int
    stop: float | int
    step: float | int = Field(gt=0)

    @model_validator(mode="after")
    def _countable(self) -> Range:
        if self.stop < self.start:
            raise ValueError(
                f"expected start <= stop, got start = {self.start}, stop = {self.stop}"
            )
        if self.count() > MAX_POINTS:
            raise ValueError(
                f"expected at most {MAX_POINTS:,} values, got {self.count():,} "
                f"(step {self.step} from {self.start} to {self.stop}): use a larger step"
            )
        return self

    def count(self) -> int:
        """Number of values, by arithmetic (nothing is built).

        >>> Range(start=0.0, stop=0.3, step=0.1).count()
        4
        """
        return math.floor((self.stop - self.start) / self.step + 1e-9) + 1

    def values(self) -> list[float | int]:
        """The values ``start, start + step, ..., stop`` (stop included when on the grid).

        >>> Range(start=1, stop=7, step=3).values()
        [1, 4, 7]
        >>> Range(start=0.0, stop=0.3, step=0.1).values()
        [0.0, 0.1, 0.2, 0.3]
        """
        count = self.count()
        if all(isinstance(v, int) for v in (self.start, self.stop, self.step)):
            return [int(self.start + k * self.step) for k in range(count)]
        # rounding keeps 0.1 * 3 from printing as 0.30000000000000004 in results
        return [round(self.start + k * self.step, 12) for k in range(count)]


ValueList = Annotated[list[Scalar], Field(min_length=1)] | Range


def _parameter_name(name: str) -> str:
    if name not in ALL_PARAMETERS:
        raise ValueError(
            "expected an organisation or model parameter"
            f"{did_you_mean(name, ALL_PARAMETERS)}, got {name!r}"
        )
    return name


ParameterName = Annotated[str, AfterValidator(_parameter_name)]


def _is_int_parameter(name: str) -> bool:
    return ALL_PARAMETERS[name].annotation is int


class Sweep(BaseModel):
    """The ``[sweep]`` table: which parameters vary, and how (see the module docstring)."""

    model_config = _CONFIG

    grid: dict[ParameterName, ValueList] = Field(
        default_factory=dict, description="full-factorial values per parameter"
    )
    zip: dict[ParameterName, ValueList] = Field(
        default_factory=dict, description="values that go together (equal-length lists)"
    )
    points: list[dict[ParameterName, Scalar]] = Field(
        default_factory=list, description="explicit combinations of parameter values"
    )
    design: Literal["lhs", "sobol", "morris"] | None = Field(
        None, description="sampling design over `ranges`: lhs, sobol or morris"
    )
    ranges: dict[ParameterName, list[float | int]] = Field(
        default_factory=dict, description="[low, high] per parameter for `design`"
    )
    samples: int | None = Field(
        None, ge=1, le=1_000_000, description="design size (see the module docstring)"
    )
    levels: int = Field(4, ge=2, le=100, description="Morris grid levels")
    replications: int | None = Field(
        None, ge=1, le=1_000_000, description="replications per point (default: top level)"
    )

    @field_validator("points")
    @classmethod
    def _same_keys(cls, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if value and any(set(p) != set(value[0]) for p in value):
            raise ValueError("expected every point to set the same parameters")
        return value

    @field_validator("ranges")
    @classmethod
    def _bounds(cls, value: dict[str, list[float]]) -> dict[str, list[float]]:
        for name, bounds in value.items():
            if len(bounds) != 2 or not bounds[0] < bounds[1]:
                raise ValueError(f"expected [low, high] with low < high for {name!r}, got {bounds}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Sweep:
        lengths = {name: _count(v) for name, v in self.zip.items()}
        if len(set(lengths.values())) > 1:
            raise ValueError(f"expected zip lists of equal length, got lengths {lengths}")
        seen: set[str] = set()
        for part in (self.grid, self.zip, self.points[0] if self.points else {}, self.ranges):
            twice = seen & set(part)
            if twice:
                raise ValueError(f"expected each parameter in one part, got {sorted(twice)} twice")
            seen |= set(part)
        if not self.varied:  # e.g. `zip = {}`: a sweep of one point labelled as a sweep
            raise ValueError(
                "expected a parameter to vary (grid, zip, points or design with ranges), "
                "got none; remove [sweep] or set the top-level replications instead"
            )
        if self.design and not self.ranges:
            raise ValueError(f"expected `ranges` for design {self.design!r}, got none")
        if self.ranges and not self.design:
            raise ValueError("expected `design` (lhs, sobol or morris) to sample `ranges`")
        if self.design and self.samples is None:
            raise ValueError(f"expected `samples` for design {self.design!r}, got none")
        if self.design == "sobol" and self.samples and self.samples & (self.samples - 1):
            up = 1 << (self.samples - 1).bit_length()
            raise ValueError(
                f"expected `samples` a power of two for sobol (e.g. {up}), got {self.samples}"
            )
        if self.point_count() > MAX_POINTS:
            raise ValueError(
                f"expected at most {MAX_POINTS:,} sweep points, got {self.point_count():,}: "
                "vary fewer parameters or fewer values (or sample them with a design)"
            )
        return self

    @property
    def varied(self) -> list[str]:
        """Names of the varied parameters, in column order."""
        first = list(self.points[0]) if self.points else []
        return [*self.grid, *self.zip, *first, *self.ranges]

    def point_count(self) -> int:
        """Number of points :func:`expand` yields (without sampling).

        >>> Sweep.model_validate({"grid": {"p1": [0.1, 0.2]}, "design": "morris",
        ...     "ranges": {"p2": [0, 1], "delta": [0, 1]}, "samples": 5}).point_count()
        30
        """
        count = math.prod(_count(v) for v in self.grid.values())
        if self.zip:
            count *= _count(next(iter(self.zip.values())))
        if self.points:
            count *= len(self.points)
        if self.design:
            assert self.samples is not None
            d = len(self.ranges)
            per = {"lhs": 1, "sobol": d + 2, "morris": d + 1}[self.design]
            count *= self.samples * per
        return count


def _count(spec: ValueList) -> int:
    return spec.count() if isinstance(spec, Range) else len(spec)


def _values(spec: ValueList) -> list[Any]:
    return spec.values() if isinstance(spec, Range) else list(spec)


def design_problem(sweep: Sweep) -> dict[str, Any]:
    """SALib problem dict (``num_vars``, ``names``, ``bounds``) of the sweep's ``ranges``."""
    names = list(sweep.ranges)
    return {
        "num_vars": len(names),
        "names": names,
        "bounds": [[float(lo), float(hi)] for lo, hi in sweep.ranges.values()],
    }


def design_matrix(sweep: Sweep, seed: int) -> np.ndarray:
    """The sampled design (rows: samples, columns: ``ranges`` order), seeded by ``seed``.

    Whole-number parameters are rounded. Same sweep and seed: same matrix.
    """
    if sweep.design is None:
        return np.empty((1, 0))
    problem = design_problem(sweep)
    assert sweep.samples is not None
    design_seed = int(np.random.SeedSequence([seed, 0x5EE9]).generate_state(1)[0])
    if sweep.design == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=problem["num_vars"], rng=design_seed).random(sweep.samples)
        bounds = np.asarray(problem["bounds"])
        x = bounds[:, 0] + unit * (bounds[:, 1] - bounds[:, 0])
    elif sweep.design == "sobol":
        from SALib.sample import sobol

        x = sobol.sample(problem, sweep.samples, calc_second_order=False, seed=design_seed)
    else:
        from SALib.sample import morris

        x = morris.sample(problem, sweep.samples, num_levels=sweep.levels, seed=design_seed)
    for j, name in enumerate(problem["names"]):
        if _is_int_parameter(name):
            x[:, j] = np.round(x[:, j])
    return x


def _design_points(sweep: Sweep, seed: int) -> list[dict[str, Any]]:
    if sweep.design is None:
        return [{}]
    names = list(sweep.ranges)
    x = design_matrix(sweep, seed)
    return [
        {n: int(v) if _is_int_parameter(n) else float(v) for n, v in zip(names, row, strict=True)}
        for row in x
    ]


def iter_points(sweep: Sweep | None, seed: int) -> Iterator[dict[str, Any]]:
    """Yield the sweep's points in order (``[{}]`` without a sweep)."""
    if sweep is None:
        yield {}
        return
    grid = [
        dict(zip(sweep.grid, combo, strict=True))
        for combo in itertools.product(*(_values(v) for v in sweep.grid.values()))
    ]
    zipped = [
        dict(zip(sweep.zip, combo, strict=True))
        for combo in zip(*(_values(v) for v in sweep.zip.values()), strict=True)
    ] or [{}]
    explicit = [dict(p) for p in sweep.points] or [{}]
    for a, b, c, d in itertools.product(grid, zipped, explicit, _design_points(sweep, seed)):
        yield {**a, **b, **c, **d}


def expand(sweep: Sweep | None, seed: int) -> list[dict[str, Any]]:
    """All points of ``sweep`` (parameter name -> value), in the documented order."""
    return list(iter_points(sweep, seed))
