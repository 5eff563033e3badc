"""Agent-by-agent reference implementation of the weekly step.

The same rules as :func:`orgsim.dynamics.step`, written the plain way: each
submodel's reference kernel (``Submodel.reference``) is a loop over employees,
dimensions and ties, one decision at a time. It consumes the same
:class:`~orgsim.submodels.base.Draws`, so for the same seed it must produce the
*same* state, bit for bit (tests/test_equivalence.py, rule by rule and week by
week). It is slow by design and exists to make the vectorised kernels checkable and
the rules readable.

Core objects
------------
step
    Apply one week to ``state`` in place, like :func:`orgsim.dynamics.step`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from orgsim.submodels import SUBMODELS
from orgsim.submodels.base import Draws, StepRecord, Week

if TYPE_CHECKING:
    from orgsim.dynamics import State, Topology
    from orgsim.params import DynamicsParams


def step(top: Topology, state: State, dyn: DynamicsParams, d: Draws) -> StepRecord:
    """One week, agent by agent: each submodel's reference kernel, in order."""
    week = Week(top, state, dyn, d)
    for sub in SUBMODELS.values():
        sub.reference(week)
    return week.rec
