"""Reports as a queue (ODD 7.15): what waits, ages, goes stale, and what it costs.

Behaviour, not definitions: the in-tray's accounting holds every week; a hub's load
grows with the number of units (confidence interval over replications); reports read
late carry the beliefs their senders held when they sent them; the load varies week
to week; senders and holders pay hours; the draws stay sized by what can be read.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

import numpy as np
import pytest
from isolated import OrgModel

from orgsim.dynamics import draw
from orgsim.statistics import t_interval
from orgsim.structures import STRUCTURES
from orgsim.submodels import (
    SUBMODELS,
    Submodel,
    Week,
    register_submodel,
    unregister_submodel,
)
from orgsim.submodels.base import ParamBlock, draw_order
from orgsim.submodels.reports import holder_reads

QUEUE = {"report_shelf_life": 3, "report_rate": 0.6, "capacity": 4}


def _weeks(model: OrgModel, weeks: int) -> Iterator[OrgModel]:
    for _ in range(weeks):
        model.step()
        yield model


def test_off_nothing_waits_and_the_load_is_model_version_6s() -> None:
    model = OrgModel("hub_and_spokes", rng=2, agents=False, employees=300)
    for m in _weeks(model, 3):
        rec = m.record
        assert m.state.queue_sender is None and m.state.queue_waiting is None
        assert rec.reports == m.topology.reporters.size == rec.reports_waiting
        assert rec.reports_read == int(m.topology.processed.sum())
        assert rec.reports_dropped == rec.reports - rec.reports_read and rec.report_age == 0.0
        assert m.metric_values["holder_load"] == rec.reports / rec.capacity


@pytest.mark.parametrize("structure", sorted(STRUCTURES))
def test_the_in_tray_accounts_for_every_report(structure: str) -> None:
    """Waiting when read = read + dropped + still waiting; nothing older than L waits;
    what the holders may still reach is part of what waits."""
    model = OrgModel(structure, rng=5, agents=False, employees=250, **QUEUE)
    shelf, before = QUEUE["report_shelf_life"], 0
    for m in _weeks(model, 8):
        rec, st = m.record, m.state
        assert st.queue_waiting is not None and st.queue_age is not None
        assert rec.reports_waiting == rec.reports + before
        assert (
            rec.reports_waiting == rec.reports_read + rec.reports_dropped + st.queue_waiting.sum()
        )
        assert rec.reports_read <= rec.capacity
        assert st.queue_age.size == 0 or (1 <= st.queue_age.min() and st.queue_age.max() <= shelf)
        reachable = np.zeros_like(st.queue_waiting)
        np.add.at(reachable, (st.queue_code, st.queue_age - 1), 1)
        assert (reachable <= st.queue_waiting).all()
        assert st.queue_content.shape == (st.queue_sender.size, m.topology.m)
        before = int(st.queue_waiting.sum())


def _load(units: int, seed: int) -> float:
    model = OrgModel(
        "hub_and_spokes",
        rng=seed,
        agents=False,
        units=units,
        employees=60 * units,
        report_shelf_life=4,
        report_rate=0.5,
    )
    loads = [m.metric_values["holder_load"] for m in _weeks(model, 12)]
    return float(np.mean(loads[-4:]))


def test_a_hubs_load_grows_with_the_number_of_units() -> None:
    """Units of 60 people, one central team: per replication, more units, more load;
    the paired differences' 95 % intervals exclude 0."""
    seeds = range(6)
    loads = {u: np.array([_load(u, s) for s in seeds]) for u in (2, 4, 8)}
    for small, large in ((2, 4), (4, 8)):
        _, low, _, n = t_interval(loads[large] - loads[small])
        assert n == 6 and low > 0, (small, large, loads)


def test_overloaded_holders_read_old_news_and_idle_ones_fresh_news() -> None:
    """First in, first out: under overload the holders read only reports L weeks old
    (the rest go stale unread); with room to spare they read this week's."""
    busy = OrgModel("hub_and_spokes", rng=1, agents=False, employees=400, report_shelf_life=3)
    ages = [m.metric_values["report_age"] for m in _weeks(busy, 6)]
    assert ages[:3] == [0.0, 1.0, 2.0] and ages[3:] == [3.0] * 3
    assert busy.record.reports_dropped > 0
    idle = OrgModel(
        "hub_and_spokes", rng=1, agents=False, employees=400, report_shelf_life=3, capacity=500
    )
    for m in _weeks(idle, 4):
        assert m.metric_values["report_age"] == 0.0 and m.record.reports_dropped == 0
        assert m.record.reports_read == m.record.reports


def _snapshots(seen: list[np.ndarray]) -> Submodel:
    def keep(w: Week) -> None:
        seen.append(w.state.beliefs.copy())

    return Submodel("snapshot", "test: beliefs as the reports left", ParamBlock, (), keep, keep)


def test_reports_read_late_carry_the_beliefs_they_were_sent_with() -> None:
    seen: list[np.ndarray] = []
    register_submodel(_snapshots(seen), after="reports")
    try:
        model = OrgModel("hub_and_spokes", rng=3, agents=False, employees=300, **QUEUE, p1=0.5)
        for m in _weeks(model, 5):
            st = m.state
            assert st.queue_age is not None and st.queue_age.size > 0
            week = len(seen) - 1
            for age in np.unique(st.queue_age):
                rows = st.queue_age == age
                then = seen[week - int(age) + 1]  # the week these were sent
                assert np.array_equal(st.queue_content[rows], then[st.queue_sender[rows]])
        older = st.queue_age > 1
        stale = st.queue_content[older] != st.beliefs[st.queue_sender[older]]
        assert stale.any()  # the senders have changed their minds since
    finally:
        unregister_submodel("snapshot")


@pytest.mark.parametrize("structure", sorted(STRUCTURES))
def test_the_load_varies_week_to_week(structure: str) -> None:
    model = OrgModel(structure, rng=7, agents=False, employees=300, **QUEUE)
    loads, peaks = [], []
    for m in _weeks(model, 10):
        loads.append(m.metric_values["holder_load"])
        peaks.append(m.metric_values["holder_load_max"])
    if not model.topology.reporters.size:  # nobody reports (e.g. no code): no load
        assert loads == peaks == [0.0] * 10
        return
    assert np.std(loads[4:]) > 0
    assert all(p >= x - 1e-12 for p, x in zip(peaks, loads, strict=True))  # max >= mean


def _timed_week(hours_for: str) -> tuple[Week, Week, OrgModel]:
    model = OrgModel("hub_and_spokes", rng=4, agents=False, employees=200, **QUEUE)
    for _ in range(3):
        model.step()
    top, dyn = model.topology, model.dynamics
    hours = np.full(top.n, 10.0)
    if hours_for == "some":
        hours[top.reporters[::3]] = 0.2  # less than report_hours: these cannot send
        for h in top.holders:
            hours[h] = np.linspace(0.0, 1.0, h.size)  # 0 to 4 reports' worth each
    model.state.hours = hours
    d = draw(top, dyn, model.rng)
    week = Week(top, model.state, dyn, d)
    for sub in SUBMODELS.values():  # the week up to the reports
        if sub.name == "reports":
            break
        sub.step(week)
    fork = Week(
        top,
        week.state.copy(),
        dyn,
        d,
        copy.deepcopy(week.rec),
        week.codes_before.copy(),
        copy.deepcopy(week.carry),
    )
    return week, fork, model


@pytest.mark.parametrize("hours_for", ["all", "some"])
def test_senders_and_holders_pay_hours_and_the_kernels_agree(hours_for: str) -> None:
    fast, slow, model = _timed_week(hours_for)
    top, dyn = model.topology, model.dynamics
    before = fast.state.hours.copy()
    reports = SUBMODELS["reports"]
    reports.step(fast)
    reports.reference(slow)
    for name in ("hours", "queue_sender", "queue_code", "queue_age", "queue_content"):
        assert np.array_equal(getattr(fast.state, name), getattr(slow.state, name)), name
    assert fast.rec.as_dict() == slow.rec.as_dict()
    assert np.array_equal(fast.carry["votes"], slow.carry["votes"])
    spent = before - fast.state.hours
    senders = top.reporters[spent[top.reporters] > 0]
    assert np.allclose(spent[senders], dyn.report_hours) and senders.size == fast.rec.reports
    assert (before[senders] >= dyn.report_hours).all()
    holders = np.concatenate(top.holders)
    reads = np.rint(spent[holders] / dyn.process_hours).astype(int)
    assert reads.sum() == fast.rec.reports_read
    assert (reads <= holder_reads(before[holders], dyn.capacity, dyn.process_hours)).all()
    if hours_for == "some":
        assert fast.rec.reports_read < fast.rec.capacity  # time, not K, limited reading


def test_holder_reads_never_overspend() -> None:
    hours = np.array([0.0, 0.3, 1.0, 0.7, 100.0, 0.29999999999999993])
    k = holder_reads(hours, 25, 0.1)
    assert (k * 0.1 <= hours).all() and k[-2] == 25
    assert k.tolist()[:4] == [0, 2, 10, 6]  # 0.3 / 0.1 rounds below 3: whole reports only
    assert (holder_reads(hours, 25, 0.0) == 25).all()


def test_draws_are_sized_by_what_can_be_read_not_by_head_count() -> None:
    shapes = {}
    for n in (2_000, 20_000):
        model = OrgModel("hub_and_spokes", rng=1, agents=False, employees=n, report_shelf_life=4)
        top, dyn = model.topology, model.dynamics
        shapes[n] = {s.name: s.shape(top, dyn) for sub, s in draw_order() if sub.name == "reports"}
        cap = dyn.capacity * sum(h.size for h in top.holders)
    assert shapes[2_000] == shapes[20_000]
    assert shapes[20_000]["picked"] == (5 * cap,) and shapes[20_000]["report"][0] == cap
    assert shapes[20_000]["report_sent"] == (0,)


def _accuracy(shelf: int, seed: int) -> float:
    model = OrgModel(
        "hub_and_spokes",
        rng=seed,
        agents=False,
        employees=400,
        report_shelf_life=shelf,
        p4=0.05,
        frontline_learning=0.5,
    )
    acc = [m.metric_values["code_accuracy"] for m in _weeks(model, 40)]
    return float(np.mean(acc[15:]))


def test_old_news_costs_an_overloaded_code_its_accuracy_under_turbulence() -> None:
    """The same holders read as many reports a week either way; reading them four weeks
    late (first in, first out under overload) leaves the code further from a moving
    reality: the paired difference's 95 % interval is above 0."""
    gaps = np.array([_accuracy(0, s) - _accuracy(4, s) for s in range(6)])
    _, low, _, n = t_interval(gaps)
    assert n == 6 and low > 0, gaps
