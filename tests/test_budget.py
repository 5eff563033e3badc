"""The budget as a process (ODD 7.14, issue 11 item 2): allocation, approvals in the
owners' time, carry-over caps and lapses, and a resource flow that comes from behaviour.

Off by default: every parameter at its off value runs today's rule (ODD 7.7) bit for bit
(tests/test_golden.py); here the process is switched on, with time (ODD 7.13) where the
owners' hours matter.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from isolated import OrgModel
from test_submodels import _compare_rule

from orgsim.statistics import t_interval
from orgsim.structures import STRUCTURES
from orgsim.submodels import (
    SUBMODELS,
    ParamBlock,
    Submodel,
    Week,
    register_submodel,
    unregister_submodel,
)
from orgsim.submodels.resources import grants_that_fit, process_on

SMALL = {"employees": 120, "units": 3}
MONEY = ("spent_on_posts", "coordination", "lost", "lapsed", "stuck", "departed_budget")


def _held(model: OrgModel) -> float:
    pool = model.state.pool
    return float(model.state.budget.sum()) + (0.0 if pool is None else float(pool[0]))


def _met_half(w: Week) -> None:
    met = np.zeros(w.top.n_coordination, dtype=bool)
    met[::2] = True
    w.carry["met"] = met


@pytest.fixture
def half_meet() -> Iterator[None]:
    """A stand-in meetings rule: every other coordination tie meets."""
    sub = Submodel(
        "test_meetings",
        "test: half the ties meet",
        ParamBlock,
        (),
        _met_half,
        _met_half,
        odd="test",
    )
    register_submodel(sub, before="resources")
    yield
    unregister_submodel("test_meetings")


def _run(structure: str, weeks: int, seed: int = 1, **params: Any) -> Iterator[OrgModel]:
    model = OrgModel(structure, rng=seed, agents=False, **{**SMALL, **params})
    for _ in range(weeks):
        model.step()
        yield model


# -- off: today's rule ----------------------------------------------------------------------


def test_defaults_are_off_and_the_general_path_reduces_to_todays_rule() -> None:
    """The defaults run today's rule; the budget process with every part at its off
    value (switched on only by an approval time nobody is short of) gives today's results."""
    assert not process_on(OrgModel("tower", rng=1, agents=False).dynamics)
    for structure in sorted(STRUCTURES):
        today = [dict(m.metric_values) for m in _run(structure, 15)]
        general = [dict(m.metric_values) for m in _run(structure, 15, approval_hours=1.0)]
        for a, b in zip(today, general, strict=True):
            for name, value in a.items():
                np.testing.assert_allclose(b[name], value, rtol=1e-9, atol=1e-12, err_msg=name)


# -- the accounts ---------------------------------------------------------------------------


@pytest.mark.parametrize("structure", sorted(STRUCTURES))
@pytest.mark.parametrize(
    "process",
    [
        {},
        {"allocation": "performance", "poster_cap": 1.5},
        {"allocation": "request", "request_posts": 2.0, "carry_over": 0.5},
    ],
)
def test_the_accounts_balance(structure: str, process: dict[str, Any]) -> None:
    """in = posts + coordination + lost + lapsed + stuck + departed + change in held money,
    and the shares of the week's outflow add up to 1."""
    model = OrgModel(structure, rng=2, agents=False, turnover=0.02, **SMALL, **process)
    start = _held(model)
    money_in = 0.0
    out = dict.fromkeys(MONEY, 0.0)
    for _ in range(40):
        model.step()
        rec, v = model.record, model.metric_values
        money_in += rec.budget_in
        for key in MONEY:
            out[key] += getattr(rec, key)
        split = ("resource_flow", "coordination_cost", "stuck_share", "lost_share", "lapsed_share")
        assert sum(v[name] for name in split) == pytest.approx(1.0)
        for name in split:
            assert -1e-12 <= v[name] <= 1.0 + 1e-12, name
    assert money_in == pytest.approx(sum(out.values()) + _held(model) - start, abs=1e-9)


# -- allocation -----------------------------------------------------------------------------


class Ledger:
    """Stand-in rules around resources and posting: per poster, what the allocation sent
    (before the hops' losses) and what the poster spent on posts, summed over weeks."""

    def __init__(self) -> None:
        self.sent: np.ndarray | None = None
        self.spent: np.ndarray | None = None
        self.record = False

    def before(self, w: Week) -> None:
        w.carry["ledger"] = w.state.budget[w.top.posters].copy()

    def after_resources(self, w: Week) -> None:
        top, dyn = w.top, w.dyn
        arrived = w.state.budget[top.posters] - w.carry["ledger"] - dyn.slack
        w.carry["ledger"] = w.state.budget[top.posters].copy()
        if self.record:
            assert self.sent is not None
            self.sent += arrived / dyn.alpha**top.poster_hops  # no caps here

    def after_posting(self, w: Week) -> None:
        if self.record:
            assert self.spent is not None
            self.spent += w.carry["ledger"] - w.state.budget[w.top.posters]


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    book = Ledger()
    rules = [
        ("test_before", book.before, {"before": "resources"}),
        ("test_after_resources", book.after_resources, {"after": "resources"}),
        ("test_after_posting", book.after_posting, {"after": "posting"}),
    ]
    for name, kernel, where in rules:
        register_submodel(
            Submodel(name, "test: the ledger", ParamBlock, (), kernel, kernel, odd="test"), **where
        )
    yield book
    for name, _, _ in rules:
        unregister_submodel(name)


def _concentration(book: Ledger, allocation: str, seed: int) -> tuple[float, float]:
    """Over weeks 20-60 of a honeycomb (everyone posts, at different voice distances):
    the funded quarter of posters who got the most money, and the posters closest to
    their unit's frontline (the more authentic), each as a multiple of their head
    count's share of the money sent."""
    model = OrgModel("honeycomb", rng=seed, agents=False, allocation=allocation, **SMALL)
    top = model.topology
    n = top.posters.size
    book.sent, book.spent, book.record = np.zeros(n), np.zeros(n), False
    for week in range(60):
        book.record = week >= 20
        model.step()
    assert book.sent is not None
    funded = np.flatnonzero(top.poster_funded)
    sent = book.sent[funded] / book.sent[funded].mean()
    most = np.sort(sent)[-funded.size // 4 :]
    own = top.voice_hops[funded, np.maximum(top.poster_unit[funded], 0)]
    near = own <= np.median(own)
    return float(most.mean()), float(sent[near].mean())


def test_performance_allocation_concentrates_money_on_engaging_posters(ledger: Ledger) -> None:
    """With 'performance', the quarter of posters who get the most get more than their
    head count's share, and the posters nearest the frontline (more authentic posts,
    more engagement per unit of money) get more per head than the others; with 'equal'
    every funded poster is sent the same (12 replications, 95 % intervals)."""
    perf = np.array([_concentration(ledger, "performance", s) for s in range(12)])
    equal = np.array([_concentration(ledger, "equal", s) for s in range(12)])
    np.testing.assert_allclose(equal, 1.0)  # equal shares: money follows the head count
    _, low, _, _ = t_interval(perf[:, 0])
    assert low > 1.1
    _, low, _, _ = t_interval(perf[:, 1])
    assert low > 1.0


@pytest.mark.parametrize("time_limits", [False, True])
def test_the_review_records_the_engagement_posting_reports(time_limits: bool) -> None:
    """The owners' record is built from the posting rule's own terms: each week the
    engagement reviewed equals the week's engagement (ODD 7.7; with time, 7.13)."""
    for structure in sorted(STRUCTURES):
        seen = 0.0
        for model in _run(
            structure, 25, allocation="performance", turnover=0.05, time_limits=time_limits
        ):
            rec = model.record
            assert rec.reviewed_engagement == pytest.approx(rec.engagement, abs=1e-9)
            seen += rec.engagement
        assert seen > 0.0, structure


def test_requests_ask_only_for_what_tops_posters_up() -> None:
    """With 'request', the tower's three posters ask for one post's worth each: the rest
    of the budget stays with the owners up to the carry-over cap and then lapses."""
    lapsed = 0.0
    for model in _run("tower", 20, allocation="request", request_posts=1.0, carry_over=1.0):
        rec = model.record
        assert rec.granted <= 3 * model.dynamics.post_cost + 1e-12
        assert rec.held <= 1.0 * model.dynamics.budget + 1e-12
        lapsed += rec.lapsed
    assert lapsed > 0.0
    assert model.metric_values["resource_flow"] < 0.5


# -- approvals in the owners' time ----------------------------------------------------------


@pytest.mark.parametrize("need", [0.1, 0.25, 0.3, 0.7, 1.0, 1 / 3])
def test_grants_that_fit_never_overspend(need: float) -> None:
    hours = np.random.default_rng(3).random(200) * 5
    k = grants_that_fit(hours, need, np.full(200, 1000))
    assert (k * need <= hours).all()
    assert ((k + 1) * need > hours - 1e-12).all()
    assert (grants_that_fit(hours, need, np.full(200, 2)) <= 2).all()


def test_owners_approve_waiting_grants_first() -> None:
    """Each owner approves as many grants as its hours allow, waiting ones first (in
    poster order), spending approval_hours on each; the rest wait, the money stays."""
    model = OrgModel("hub_and_spokes", rng=4, agents=False, approval_hours=0.5, **SMALL)
    top, st = model.topology, model.state
    week = Week(top, st, model.dynamics, dynamics_draw(model))
    st.hours = np.zeros(top.n)
    owners = np.unique(top.poster_owner[top.poster_funded])
    st.hours[owners] = 1.2  # two grants each (0.2 h left over)
    st.waiting = np.zeros(top.n, dtype=bool)
    last = [top.posters[top.poster_owner == o][-2:] for o in owners]  # they waited
    st.waiting[np.concatenate(last)] = True
    before = st.budget[top.posters].copy()
    SUBMODELS["resources"].step(week)
    got = st.budget[top.posters] - before - model.dynamics.slack > 1e-12
    assert set(top.posters[got]) == set(np.concatenate(last).tolist())
    np.testing.assert_allclose(st.hours[owners], 0.2)
    assert week.rec.waiting > 0.0
    assert st.waiting[top.posters[top.poster_funded & ~got]].all()
    assert week.rec.held == pytest.approx(week.rec.waiting)  # the money waits with the owners


def dynamics_draw(model: OrgModel) -> Any:
    from orgsim.dynamics import draw

    return draw(model.topology, model.dynamics, model.rng)


SHORT = {  # time modelled; owners without core hours, approvals compete with posting
    "time_limits": True,
    "hours_core": 0.0,
    "hours_variation": 1.0,
    "process_hours": 0.0,  # (a tower's owners hold the code: reports would take it all)
    "approval_hours": 2.0,
}


@pytest.mark.parametrize("regime", ["budget_performance", "budget_request"])
@pytest.mark.parametrize("structure", sorted(STRUCTURES))
def test_kernels_agree_when_approvals_bind(structure: str, regime: str) -> None:
    """The equivalence regimes of tests/test_submodels.py, with owners short of time."""
    for name in ("resources", "review"):
        _compare_rule(name, structure, regime, weeks=5, **SHORT)


def _tower_flow(seed: int) -> tuple[float, float, float]:
    values, lapsed = [], 0.0
    for model in _run("tower", 40, seed, carry_over=0.5, **SHORT):
        values.append(model.metric_values["resource_flow"])
        lapsed += model.record.lapsed
    flow = np.array(values[10:])
    return float(flow.mean()), float(flow.std()), lapsed


def test_a_tower_short_of_approval_time_lapses_money_and_its_flow_varies() -> None:
    """The tower's owners are its posters. When their week (time modelled, no core
    hours) leaves no time to approve their own grants, the money waits with them;
    beyond the carry-over cap (half a week's budget) it lapses. Resource flow,
    identically 1 in today's model, falls below 1 and varies from week to week and
    between replications (20, 95 %)."""
    runs = np.array([_tower_flow(seed) for seed in range(20)])
    _, _, high, _ = t_interval(runs[:, 0])
    assert high < 0.95
    assert (runs[:, 1] > 0.01).all()  # week to week
    assert runs[:, 0].std() > 0.0  # between replications
    assert (runs[:, 2] > 0.0).all()


def test_a_poster_cap_lapses_what_a_tower_cannot_hold() -> None:
    """With performance shares, a tower poster with the better record is sent more than
    its cap (two posts' worth) allows it to hold: the excess lapses, the flow drops."""
    flows, lapsed = [], 0.0
    for model in _run("tower", 30, allocation="performance", poster_cap=2.0):
        flows.append(model.metric_values["resource_flow"])
        lapsed += model.record.lapsed_posters
        assert model.state.budget[model.topology.posters].max() <= 2.0 + 1e-12
    assert lapsed > 0.0
    assert max(flows[5:]) < 1.0


def test_coordination_is_charged_per_meeting_held(half_meet: None) -> None:
    """kappa per coordination tie that met (w.carry["met"]), in both rules."""
    for params in ({}, {"allocation": "request"}):
        for model in _run("hub_and_spokes", 3, **params):
            met = (model.topology.n_coordination + 1) // 2
            assert model.record.coordination == pytest.approx(model.dynamics.kappa * met)


def test_the_towers_budget_outruns_its_teams_time() -> None:
    """Time and budget together (requests for what one post can spend, 5 post costs; a
    central team with 8 core hours): at B = 40 the tower's three posters can use at most
    15 a week, so most of the budget waits and then lapses, and the flow varies from
    week to week with the team's hours (10 replications, weeks 21-60, 95 %)."""
    on = {
        "time_limits": True,
        "slack": 0.0,
        "allocation": "request",
        "request_posts": 5.0,
        "approval_hours": 0.25,
        "carry_over": 4.0,
        "hours_core": 8.0,
        "budget": 40.0,
    }
    lapsed, spread = [], []
    for seed in range(6):
        flows, lapse, out = [], 0.0, 0.0
        for week, model in enumerate(_run("tower", 40, seed, **on)):
            if week >= 15:
                flows.append(model.metric_values["resource_flow"])
                lapse += model.record.lapsed
                out += model.record.outflow
        lapsed.append(lapse / out)
        spread.append(float(np.std(flows)))
    _, low, _, _ = t_interval(np.array(lapsed))
    assert low > 0.5
    assert min(spread) > 0.0
