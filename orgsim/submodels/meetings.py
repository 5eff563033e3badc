"""Meetings (ODD 7.13): which coordination ties meet this week, given the ends' hours.

With time modelled (``State.hours`` set by :mod:`orgsim.submodels.time`), a
coordination tie works through a weekly meeting that costs each end
``meeting_hours``. Each employee books as many of their coordination ties as their
hours left allow, k = floor(hours / meeting_hours), in a random order of priority
drawn per tie and week (ties with equal priority: the organisation's order); a tie
meets when both ends booked it, and each end then spends ``meeting_hours`` per
meeting held. (A booking the other end could not match is not held and costs
nothing: the time stays for later rules.)

Hands on ``carry["met"]``: bool mask over ``Topology.coordination_ties`` (the
organisation's ``coordination``), the ties that met. Later rules read it: resources
charges kappa only for the ties that met (budget lane); awareness forwards news only
over ties that met. Without time (``hours is None``) nothing is drawn, nothing is
carried, and every tie works as without time.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from orgsim.submodels import base
from orgsim.submodels.base import ParamBlock, Submodel, Week, plan, uniform

if TYPE_CHECKING:
    from orgsim.dynamics import Topology


def _on(d: object) -> bool:
    return bool(getattr(d, "time_limits", False))


def slots(hours: np.ndarray, meeting_hours: float) -> np.ndarray:
    """Meetings each employee has time for: floor(hours / meeting_hours), never more
    than the hours pay for (float rounding), int64.

    >>> slots(np.array([0.0, 0.99, 3.0, 2.9999999999999996]), 1.0).tolist()
    [0, 0, 3, 2]
    """
    k = np.floor(hours / meeting_hours).astype(np.int64)
    k -= k * meeting_hours > hours
    return k


class _Ends(NamedTuple):
    """The ties' ends, as every week needs them (:func:`_ends`)."""

    ends: np.ndarray  # first ends, then second ends
    tie: np.ndarray  # each end's tie
    place: np.ndarray  # sorted by end: each entry's place among its end's entries
    who: np.ndarray  # the distinct ends, sorted
    of: np.ndarray  # each end's place in ``who``
    few: list[tuple[int, list[int]]] | None  # few ties: each end and its ties, in order
    few_ties: list[tuple[int, int]]  # ... and the ties


def _ends(top: Topology) -> _Ends:
    def build() -> _Ends:
        ties = top.coordination_ties
        ends = np.concatenate([ties[:, 0], ties[:, 1]])
        who, of = np.unique(ends, return_inverse=True)
        first = np.searchsorted(ends[np.argsort(ends, kind="stable")], who)
        place = np.arange(ends.size) - np.repeat(first, np.bincount(of))
        few, few_ties = None, []
        if ties.shape[0] <= base.SMALL_GROUP and not (ties[:, 0] == ties[:, 1]).any():
            mine: dict[int, list[int]] = {}
            for t, (a, b) in enumerate(ties.tolist()):
                mine.setdefault(a, []).append(t)
                mine.setdefault(b, []).append(t)
            few = sorted(mine.items())
            few_ties = [(int(a), int(b)) for a, b in ties]
        return _Ends(ends, np.tile(np.arange(ties.shape[0]), 2), place, who, of, few, few_ties)

    return plan(top, ("meetings",), build)


def _few_meet(w: Week, p: _Ends, mh: float) -> np.ndarray | None:
    """:func:`step` for a few ties, end by end in Python floats (the same IEEE
    arithmetic as :func:`slots` and :meth:`Week.take_hours`): numpy's cost per call
    would dominate. ``None`` (left to numpy) for hours of 2^62 meetings or more."""
    hours, key = w.state.hours, w.draws.meeting_keys.tolist()
    assert hours is not None and p.few is not None
    booked = {}
    for who, own in p.few:
        h = float(hours[who])
        k = h / mh
        if not k < 2.0**62:
            return None
        k = math.floor(k)
        k -= k * mh > h
        booked[who] = set(sorted(own, key=lambda t: (key[t], t))[: max(k, 0)])
    met = [t in booked[a] and t in booked[b] for t, (a, b) in enumerate(p.few_ties)]
    count = dict.fromkeys(booked, 0)
    for held, (a, b) in zip(met, p.few_ties, strict=True):
        if held:
            count[a] += 1
            count[b] += 1
    for who, c in count.items():
        h = float(hours[who])
        if c and h >= c * mh:
            hours[who] = h - c * mh
    return np.array(met, dtype=bool)


def step(w: Week) -> None:
    """Rank each employee's ties by priority (one sort), book the first k, meet both."""
    hours = w.state.hours
    e = w.top.coordination_ties.shape[0]
    if hours is None or not e:
        return
    mh = float(w.dyn.meeting_hours)
    p = _ends(w.top)
    if mh <= 0.0:
        met = np.ones(e, dtype=bool)
    elif p.few is not None and (few := _few_meet(w, p, mh)) is not None:
        met = few
    else:
        key = np.concatenate([w.draws.meeting_keys, w.draws.meeting_keys])
        rank = np.empty(2 * e, dtype=np.int64)
        rank[np.lexsort((p.tie, key, p.ends))] = p.place
        booked = rank < slots(hours[p.ends], mh)
        met = booked[:e] & booked[e:]
        count = np.bincount(p.of[np.concatenate([met, met])], minlength=p.who.size)
        held = count > 0
        w.take_hours(p.who[held], count[held] * mh)
    w.carry["met"] = met
    held_n = int(np.count_nonzero(met))
    w.rec.meetings_held = held_n
    w.rec.meetings_dropped = e - held_n


def reference(w: Week) -> None:
    """Employee by employee: book the ties in order of priority; then tie by tie."""
    hours = w.state.hours
    ties = w.top.coordination_ties
    if hours is None or not ties.shape[0]:
        return
    mh = float(w.dyn.meeting_hours)
    e = ties.shape[0]
    met = np.ones(e, dtype=bool)
    if mh > 0.0:
        mine: dict[int, list[int]] = {}
        for t in range(e):
            for end in (int(ties[t, 0]), int(ties[t, 1])):
                mine.setdefault(end, []).append(t)
        booked: dict[int, set[int]] = {}
        for who, own in mine.items():
            k = int(slots(np.array([hours[who]]), mh)[0])
            own = sorted(own, key=lambda t: (w.draws.meeting_keys[t], t))
            booked[who] = set(own[:k])
        count: dict[int, int] = {}
        for t in range(e):
            a, b = int(ties[t, 0]), int(ties[t, 1])
            met[t] = t in booked[a] and t in booked[b]
            if met[t]:
                count[a] = count.get(a, 0) + 1
                count[b] = count.get(b, 0) + 1
        for who in sorted(count):
            w.take_hours(np.array([who]), count[who] * mh)
    w.carry["met"] = met
    w.rec.meetings_held = int(met.sum())
    w.rec.meetings_dropped = int(e - met.sum())


SUBMODEL = Submodel(
    name="meetings",
    meaning="with time_limits: a coordination tie meets when both ends have "
    "meeting_hours left for it (random priority)",
    params=ParamBlock,
    draws=(
        uniform(
            "meeting_keys",
            lambda t, d: (t.coordination_ties.shape[0] if _on(d) else 0,),
        ),
    ),
    step=step,
    reference=reference,
    records={
        "meetings_held": (0, "coordination ties that met this week (time on)"),
        "meetings_dropped": (0, "coordination ties whose meeting did not fit (time on)"),
    },
    odd="7.13",
)
