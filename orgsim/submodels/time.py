"""Time (ODD 7.13): every employee's hours for social-business work this week.

With ``time_limits`` on, each week sets :attr:`orgsim.dynamics.State.hours` afresh
(hours do not carry over): each employee's role hours, read from the organisation's
role arrays (never a structure's name) and added up -- everyone ``hours_staff``
(reports, training), posters ``hours_poster`` more, employees with coordination ties
``hours_coordinator`` more, code holders and budget owners ``hours_core`` more (the
central team's or hub's job) -- times a factor uniform on
[1 - ``hours_variation``, 1 + ``hours_variation``], drawn per employee and week:
what the day job leaves varies. Later rules spend hours with
:meth:`~orgsim.submodels.base.Week.take_hours`, in the week's order: reports
(queue lane), training (socialisation), coordination meetings
(:mod:`orgsim.submodels.meetings`), budget approvals, replies and posts (posting).
Work that does not fit is not done that week.

The parameters of the other time-consuming rules (``training_hours``,
``meeting_hours``, ``post_hours``, ``reply_hours``, ``spend_cap``) are declared
here too, so the whole time budget reads in one block.

With ``time_limits`` off (the default) ``hours`` stays ``None``, nothing is drawn
and the week is as without time (bit for bit).
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from orgsim.submodels.base import (
    MAX_HOURS,
    MAX_MONEY,
    ParamBlock,
    Submodel,
    Week,
    parameter,
    uniform,
)

if TYPE_CHECKING:
    from orgsim.dynamics import Topology


class TimeParams(ParamBlock):
    """Who has how many hours a week, and what the work costs in hours."""

    time_limits: bool = parameter(
        True,
        meaning="model time: weekly hours by role; posts, replies, meetings and "
        "training cost hours (off: model version 7's rules, no time limits)",
        source="issue 11 item 1 (Model 2); on by default since model version 8",
    )
    hours_staff: float = parameter(
        1.0,
        ge=0.0,
        le=MAX_HOURS,
        meaning="hours a week every employee gives to social-business work (reports, training)",
        source="judgement; ATD 2019 State of the Industry: 34.7 h of formal learning "
        "per employee a year, about 0.7 h a week",
    )
    hours_poster: float = parameter(
        1.5,
        ge=0.0,
        le=MAX_HOURS,
        meaning="extra hours a week of an employee who may post",
        source="judgement: an employee advocate's slice of the week (about 4 %)",
    )
    hours_coordinator: float = parameter(
        2.0,
        ge=0.0,
        le=MAX_HOURS,
        meaning="extra hours a week of an employee with coordination ties",
        source="judgement: a liaison's two hours a week (a weekly sync with the hub "
        "and its preparation), so a busy week can crowd a meeting out",
    )
    hours_core: float = parameter(
        10.0,
        ge=0.0,
        le=MAX_HOURS,
        meaning="extra hours a week of a code holder or budget owner (the central "
        "team's or hub's job)",
        source="judgement: a quarter of a dedicated team member's week; the rest goes "
        "to production, monitoring and reporting the model does not represent (Owyang "
        "2010: the central team / hub is a dedicated social-business team)",
    )
    hours_variation: float = parameter(
        0.5,
        ge=0.0,
        le=1.0,
        meaning="weekly hours are the role hours times a factor uniform on "
        "[1 - v, 1 + v], per employee and week",
        source="judgement: what the day job leaves varies week to week",
    )
    training_hours: float = parameter(
        0.5,
        ge=0.0,
        le=MAX_HOURS,
        meaning="hours a member of a code's domain spends in a week it learns from "
        "the code (socialisation); no time: no learning that week",
        source="ATD 2019 State of the Industry: 34.7 h of training a year, about 0.7 h a week",
    )
    meeting_hours: float = parameter(
        1.0,
        ge=0.0,
        le=MAX_HOURS,
        meaning="hours a coordination meeting costs each end, per tie and week",
        source="judgement: a weekly one-hour sync per coordination tie",
    )
    post_hours: float = parameter(
        2.0,
        ge=0.0,
        le=MAX_HOURS,
        meaning="hours one post takes its author (writing, approval)",
        source="judgement: about half of a blog post's 4 h (Orbit Media blogger survey 2022)",
    )
    reply_hours: float = parameter(
        0.25,
        ge=0.0,
        le=MAX_HOURS,
        meaning="hours of replies per unit of last week's post's engagement "
        "(reach x authenticity), owed the next week",
        source="judgement: a quarter of an hour of replies per unit of engagement",
    )
    spend_cap: float = parameter(
        3.0,
        ge=0.0,
        le=MAX_MONEY,
        meaning="with time on, most a post spends, in post costs (paid reach "
        "saturates; the rest stays with the poster)",
        source="judgement: paid reach up to 3 x organic (a small team's boosted post)",
    )


def _on(d: object) -> bool:
    return bool(getattr(d, "time_limits", False))


def role_hours(top: Topology, d: TimeParams) -> np.ndarray:
    """Each employee's role hours (before the week's variation), float64 (n,)."""
    base = np.full(top.n, float(d.hours_staff))
    base[top.posters] += d.hours_poster
    base[top.coordinators] += d.hours_coordinator
    core = np.zeros(top.n, dtype=bool)
    core[top.owners] = True
    for h in top.holders:
        core[h] = True
    base[core] += d.hours_core
    return base


_ROLE: dict[str, Any] = {}  # the last organisation's role hours: the same every week


def _role_hours(w: Week) -> np.ndarray:
    """:func:`role_hours` of this week's organisation, computed once per topology and
    role-hour parameters (a topology is never changed, only replaced)."""
    key = tuple(float(getattr(w.dyn, name)) for name in _ROLE_PARAMS)
    top = _ROLE.get("top")
    if top is None or top() is not w.top or _ROLE["key"] != key:
        _ROLE.update(top=weakref.ref(w.top), key=key, hours=role_hours(w.top, w.params(TimeParams)))
    hours: np.ndarray = _ROLE["hours"]
    return hours


_ROLE_PARAMS = ("hours_staff", "hours_poster", "hours_coordinator", "hours_core")


def step(w: Week) -> None:
    """Role hours times the week's factors, all employees at once."""
    if not _on(w.dyn):
        return
    v = float(w.dyn.hours_variation)
    # role x (1 - v + 2v x factor), in place: one temporary, not four (the product
    # casts the float32 factors to float64 as it goes, as astype would)
    hours = np.multiply(w.draws.hours_factor, 2.0 * v, dtype=np.float64)
    hours += 1.0 - v
    hours *= _role_hours(w)
    w.state.hours = hours
    w.rec.hours_available = float(hours.sum())


def reference(w: Week) -> None:
    """Employee by employee: add up the roles, times the factor."""
    if not _on(w.dyn):
        return
    top, d = w.top, w.dyn
    posters = set(top.posters.tolist())
    coordinators = set(top.coordinators.tolist())
    core = set(top.owners.tolist()) | {int(i) for h in top.holders for i in h}
    v = float(d.hours_variation)
    hours = np.zeros(top.n)
    for i in range(top.n):
        base = float(d.hours_staff)
        if i in posters:
            base += d.hours_poster
        if i in coordinators:
            base += d.hours_coordinator
        if i in core:
            base += d.hours_core
        hours[i] = base * (1.0 - v + 2.0 * v * float(w.draws.hours_factor[i]))
    w.state.hours = hours
    w.rec.hours_available = float(hours.sum())


SUBMODEL = Submodel(
    name="time",
    meaning="with time_limits: each employee's hours this week, by role, times a "
    "random factor (what the day job leaves)",
    params=TimeParams,
    draws=(
        # before the week's first bulk draw: the run's generator (float32: 4 bytes)
        uniform("hours_factor", lambda t, d: (t.n if _on(d) else 0,), np.float32),
    ),
    step=step,
    reference=reference,
    records={"hours_available": (0.0, "hours employees had this week (time on)")},
    odd="7.13",
)
