"""The week: the rules of docs/model.md §3 (ODD section 7), one module each, in order.

>>> list(SUBMODELS)  # doctest: +NORMALIZE_WHITESPACE
['turnover', 'time', 'turbulence', 'frontline', 'reports', 'code_learning',
 'socialisation', 'peer_learning', 'code_news', 'meetings', 'resources', 'posting',
 'review', 'awareness']

Each module declares one :class:`~orgsim.submodels.base.Submodel` (``SUBMODEL``):
its parameter block, draws, vectorised and reference kernels, record fields and ODD
section. :mod:`orgsim.dynamics` draws and steps the week as loops over
:data:`SUBMODELS`; :mod:`orgsim.reference` steps it with the reference kernels. Add a
rule with :func:`register_submodel` (``orgsim.register_submodel``); see "How to add a
rule" in docs/ODD.md.

Core objects
------------
SUBMODELS, register_submodel
    The week in order; add a rule (``after=`` / ``before=`` a named one).
Submodel, ParamBlock, parameter, Draw, uniform, chances, integers
    What a rule declares.
Week, Draws, StepRecord
    What its kernels see and write.
"""

from __future__ import annotations

from orgsim.submodels import (
    awareness,
    code_learning,
    code_news,
    frontline,
    meetings,
    peer_learning,
    posting,
    reports,
    resources,
    review,
    socialisation,
    time,
    turbulence,
    turnover,
)
from orgsim.submodels.base import (
    SUBMODELS,
    Draw,
    Draws,
    ParamBlock,
    StepRecord,
    Submodel,
    Week,
    chances,
    integers,
    parameter,
    register_submodel,
    uniform,
    unregister_submodel,
)

__all__ = [
    "MODEL2_OFF",
    "SUBMODELS",
    "Draw",
    "Draws",
    "ParamBlock",
    "StepRecord",
    "Submodel",
    "Week",
    "chances",
    "integers",
    "parameter",
    "register_submodel",
    "uniform",
    "unregister_submodel",
]

# the built-in week, in order (a new built-in rule: its module, and its place here)
for _module in (
    turnover,
    time,
    turbulence,
    frontline,
    reports,
    code_learning,
    socialisation,
    peer_learning,
    code_news,
    meetings,
    resources,
    posting,
    review,
    awareness,
):
    register_submodel(_module.SUBMODEL)

MODEL2_OFF: dict[str, object] = {
    "time_limits": False,
    "slack": 0.05,
    "allocation": "equal",
    "approval_hours": 0.0,
    "carry_over": resources.NO_CAP,
    "poster_cap": resources.NO_CAP,
    "report_shelf_life": 0,
    "report_rate": 1.0,
}
"""Parameter values that switch Model 2's time, budget process and report queue off:
with them the week is model version 7's, bit for bit (tests/test_golden.py). Add
``p4 = 0, observation_error = 0, turnover = 0`` for the model before Model 2, whose
resource flow and coordination cost are closed forms (tests/test_closed_forms.py)."""
