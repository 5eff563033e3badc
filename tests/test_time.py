"""Time (ODD 7.13): weekly hours by role; posts, replies, meetings and training cost hours.

Behaviour, over replications with confidence intervals where it is a claim: the
20-week posting sawtooth of the slack rule is gone with time on; posts per week
vary; a team whose hours run out posts less; money buys reach, not posts. The
off switch gives today's rule (the golden test guards the bits; here: the time
parameters do nothing while it is off).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from isolated import OrgModel

from orgsim.errors import ParameterError
from orgsim.statistics import t_interval
from orgsim.structures import STRUCTURES
from orgsim.submodels.meetings import slots
from orgsim.submodels.time import TimeParams, role_hours

ON = {"time_limits": True}


def _posts(structure: str, seed: int, weeks: int, **params: Any) -> np.ndarray:
    model = OrgModel(structure=structure, rng=seed, agents=False, **params)
    out = []
    for _ in range(weeks):
        model.step()
        out.append(model.record.posts)
    return np.array(out, dtype=float)


def _autocorrelation(x: np.ndarray, lag: int) -> float:
    x = x - x.mean()
    return float((x[:-lag] * x[lag:]).sum() / (x * x).sum())


def test_off_the_time_parameters_change_nothing() -> None:
    """While time_limits is off, hours are not modelled and the other time parameters
    are inert: the same seed gives the same states and records."""
    scarce = {
        "hours_staff": 0.0,
        "hours_poster": 0.0,
        "hours_core": 0.0,
        "meeting_hours": 50.0,
        "training_hours": 50.0,
        "post_hours": 50.0,
        "spend_cap": 0.0,
    }
    for structure in ("tower", "dandelion", "honeycomb"):
        a = OrgModel(structure=structure, rng=5, agents=False)
        b = OrgModel(structure=structure, rng=5, agents=False, **scarce)
        for _ in range(6):
            a.step()
            b.step()
            assert a.state.hours is None and a.state.replies is None
            assert a.record.as_dict() == b.record.as_dict()
        for name in ("beliefs", "codes", "budget", "know"):
            assert np.array_equal(getattr(a.state, name), getattr(b.state, name)), name
        assert a.record.meetings_held == 0 and a.record.hours_available == 0.0


def test_the_switch_takes_true_or_false_only() -> None:
    with pytest.raises(ParameterError, match="true or false"):
        OrgModel(structure="band", time_limits=1)
    with pytest.raises(ParameterError, match="time_limits"):
        OrgModel(structure="band", time_limits="yes")
    from orgsim.scenario import ScenarioError, parse_scenario

    text = 'name = "x"\nstructures = ["band"]\n[model]\ntime_limits = {}\n'
    assert parse_scenario(text.format("true")).model_params("band")["time_limits"] is True
    with pytest.raises(ScenarioError, match="time_limits"):
        parse_scenario(text.format("1"))


@pytest.mark.parametrize("structure", sorted(STRUCTURES))
def test_hours_follow_roles_and_vary_and_are_never_overdrawn(structure: str) -> None:
    model = OrgModel(structure=structure, rng=2, agents=False, **ON)
    top, dyn = model.topology, model.dynamics
    base = role_hours(top, TimeParams.model_construct(**dyn.model_dump()))
    # roles from the organisation's arrays: posters, coordinators, holders and owners
    assert np.all(base >= dyn.hours_staff)
    core = (model.organisation.code >= 0) | model.organisation.budget_owner
    assert np.all(base[core] >= dyn.hours_staff + dyn.hours_core)
    assert np.all(base[top.posters] >= dyn.hours_staff + dyn.hours_poster)
    totals = []
    for _ in range(5):
        model.step()
        hours = model.state.hours
        assert hours is not None and np.all(hours >= 0.0)  # take_hours never overdraws
        totals.append(model.record.hours_available)
        v = dyn.hours_variation
        assert (1 - v) * base.sum() <= totals[-1] <= (1 + v) * base.sum()
    assert np.std(totals) > 0  # what the day job leaves varies week to week


def test_the_20_week_sawtooth_is_gone_with_time_on() -> None:
    """Band posters funded by slack alone post every 20 weeks exactly (ODD 7.7); with
    time, posting follows each week's hours: no period, lag-20 autocorrelation ~ 0."""
    weeks, reps = 100, 8
    still = {"turnover": 0.0}  # a leaver's budget resets: turnover alone blurs the period
    off = [_posts("band", seed, weeks, **still) for seed in range(reps)]
    on = [_posts("band", seed, weeks, **still, **ON) for seed in range(reps)]
    for p in off:  # the artefact, exactly
        assert np.array_equal(p[:-20], p[20:])
    assert not any(np.array_equal(p[:-20], p[20:]) for p in on)
    ac_off = t_interval(np.array([_autocorrelation(p, 20) for p in off]))
    ac_on = t_interval(np.array([_autocorrelation(p, 20) for p in on]))
    assert ac_off[1] > 0.6  # lower bound: strongly periodic
    assert ac_on[1] < 0.0 < ac_on[2] or abs(ac_on[0]) < 0.1  # no periodicity left
    assert ac_on[2] < 0.25


@pytest.mark.parametrize("structure", sorted(STRUCTURES))
def test_posts_per_week_vary_with_time_on(structure: str) -> None:
    posts = _posts(structure, 4, 40, **ON)
    assert posts.sum() > 0
    if structure != "tower":  # 3 posters with a core team's hours post every week
        assert np.std(posts[5:]) > 0


def _mean_posts(structure: str, reps: int = 6, weeks: int = 30, **params: Any) -> np.ndarray:
    return np.array([_posts(structure, s, weeks, **ON, **params)[10:].mean() for s in range(reps)])


def test_a_team_whose_hours_run_out_posts_less() -> None:
    """Posters with less time post less; so do posters whose time goes to meetings
    (honeycomb: the hub and liaisons post and coordinate) or to training."""
    ample = t_interval(_mean_posts("hub_and_spokes"))
    short = t_interval(_mean_posts("hub_and_spokes", hours_poster=0.8))
    assert short[2] < ample[1], (short, ample)  # intervals apart
    free = t_interval(_mean_posts("honeycomb", meeting_hours=0.0, training_hours=0.0))
    busy = t_interval(_mean_posts("honeycomb", meeting_hours=3.0, training_hours=1.5))
    assert busy[2] < free[1], (busy, free)


def test_money_buys_reach_not_posts() -> None:
    """An unfunded post has reach 1; funded posts reach further, up to the cap; money
    a poster cannot spend stays (a tower with a large budget: money outruns time)."""
    band = OrgModel(structure="band", rng=1, agents=False, slack=0.0, **ON)
    band.state.budget[:] = 0.0  # no money at all (not even the random start, ODD 5)
    for _ in range(10):
        band.step()
        assert band.record.reach == band.record.posts and band.record.spent_on_posts == 0.0
    tower = OrgModel(structure="tower", rng=1, agents=False, budget=100.0, spend_cap=2.0, **ON)
    held = []
    for _ in range(10):
        tower.step()
        rec = tower.record
        assert rec.spent_on_posts <= 2.0 * tower.dynamics.post_cost * rec.posts + 1e-9
        assert rec.reach <= 3.0 * rec.posts + 1e-9
        held.append(tower.state.budget[tower.topology.posters].sum())
    assert held[-1] > held[0] > 0  # the budget piles up where time is short


def test_more_money_means_more_replies_and_fewer_posts() -> None:
    """Reach costs time: funded posts draw engagement, replies take next week's hours."""
    low = _mean_posts("hub_and_spokes", reps=8, budget=0.0, reply_hours=0.5)
    high = _mean_posts("hub_and_spokes", reps=8, budget=200.0, reply_hours=0.5)
    mean, lower, _, _ = t_interval(low - high)  # paired: same seeds
    assert lower > 0.0, (mean, lower)


def test_meetings_need_both_ends_hours() -> None:
    never = OrgModel(structure="dandelion", rng=0, agents=False, meeting_hours=168.0, **ON)
    always = OrgModel(structure="dandelion", rng=0, agents=False, meeting_hours=0.0, **ON)
    ties = never.topology.coordination_ties.shape[0]
    assert ties > 0
    for _ in range(3):
        never.step()
        always.step()
        assert never.record.meetings_held == 0 and never.record.meetings_dropped == ties
        assert always.record.meetings_held == ties
    # some weeks some meetings are dropped at the defaults' scarcer cousin
    tight = OrgModel(structure="dandelion", rng=0, agents=False, hours_coordinator=0.5, **ON)
    dropped = 0
    for _ in range(5):
        tight.step()
        dropped += tight.record.meetings_dropped
        assert 0 < tight.record.meetings_held + tight.record.meetings_dropped == ties
    assert dropped > 0


def test_slots_never_exceed_the_hours() -> None:
    rng = np.random.default_rng(0)
    hours = rng.random(10_000) * 10
    for mh in (0.1, 0.3, 0.7, 1.0, 2.5):
        k = slots(hours, mh)
        assert np.all(k * mh <= hours) and np.all((k + 1) * mh > hours - 1e-9)


def test_meetings_not_held_pass_no_news() -> None:
    """Coordinators forward news only over ties that met: with no meeting held, the
    hub's awareness falls."""

    def awareness(**params: Any) -> float:
        vals = []
        for seed in range(4):
            model = OrgModel(structure="hub_and_spokes", rng=seed, agents=False, **ON, **params)
            for _ in range(30):
                model.step()
            vals.append(model.metric_values["awareness"])
        return float(np.mean(vals))

    assert awareness(meeting_hours=168.0) < awareness(meeting_hours=0.0)


def test_no_time_no_training() -> None:
    """Members who would learn from the code but have no hours learn nothing."""
    quiet = {"frontline_learning": 0.0, "turnover": 0.0, "p1": 1.0, "p2": 1.0}
    model = OrgModel(structure="tower", rng=3, agents=False, training_hours=168.0, **ON, **quiet)
    members = model.topology.reporters
    start = model.state.beliefs[members].copy()
    waiting = 0
    for _ in range(4):
        model.step()
        waiting += model.record.training_waiting
    assert waiting > 0
    assert np.array_equal(model.state.beliefs[members], start)
    learns = OrgModel(structure="tower", rng=3, agents=False, training_hours=0.0, **ON, **quiet)
    for _ in range(4):
        learns.step()
    assert not np.array_equal(learns.state.beliefs[members], start)


def test_the_cli_lists_the_switch_and_refuses_a_number_for_it(tmp_path: Any) -> None:
    from typer.testing import CliRunner

    from orgsim.cli import app

    listed = CliRunner().invoke(app, ["list", "submodels"])
    assert listed.exit_code == 0
    line = next(x for x in listed.output.splitlines() if x.strip().startswith("time_limits"))
    assert "{True, False}" in line and "-inf" not in line
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\nstructures = ["band"]\n[model]\ntime_limits = 1\n')
    result = CliRunner().invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert "time_limits" in result.output and "true or false" in result.output
    assert "Traceback" not in result.output


def test_meetings_hand_later_rules_the_ties_that_met() -> None:
    """carry["met"]: a bool mask over the organisation's coordination ties (the budget
    lane charges kappa for these); both ends of each tie that met spent the hours."""
    from orgsim.dynamics import draw
    from orgsim.submodels import SUBMODELS
    from orgsim.submodels.base import Week

    model = OrgModel(structure="dandelion", rng=3, agents=False, hours_coordinator=0.5, **ON)
    top, dyn = model.topology, model.dynamics
    week = Week(top, model.state, dyn, draw(top, dyn, model.rng))
    for name, sub in SUBMODELS.items():
        if name == "meetings":
            before = None if week.state.hours is None else week.state.hours.copy()
        sub.step(week)
        if name == "meetings":
            break
    met = week.carry["met"]
    assert met.dtype == bool and met.shape == (len(model.organisation.coordination),)
    assert before is not None and week.state.hours is not None
    ends, count = np.unique(top.coordination_ties[met], return_counts=True)
    spent = before - week.state.hours
    assert np.allclose(spent[ends], count * dyn.meeting_hours)
    assert np.allclose(np.delete(spent, ends), 0.0)
    assert week.rec.meetings_held == met.sum() and not met.all()


def test_an_employee_agent_shows_its_hours_left() -> None:
    off = OrgModel(structure="tower", rng=0, agents=True, employees=40)
    off.step()
    assert off.employees[1].hours is None
    on = OrgModel(structure="tower", rng=0, agents=True, employees=40, **ON)
    on.step()
    assert on.state.hours is not None
    assert [a.hours for a in on.employees] == on.state.hours.tolist()


def test_role_hours_kept_between_weeks_follow_the_organisation_and_the_parameters():
    """The time rule keeps the last organisation's role hours: alternating two models
    (other organisation, other role hours) still gives the reference's hours."""
    from orgsim import dynamics
    from orgsim.model import OrgModel as DefaultModel  # Model 2 on: time modelled
    from orgsim.submodels import time as time_rule
    from orgsim.submodels.base import Week

    models = [
        DefaultModel("hub_and_spokes", rng=1, agents=False, employees=300),
        DefaultModel("band", rng=2, agents=False, employees=120, units=2, hours_staff=3.0),
        DefaultModel("hub_and_spokes", rng=1, agents=False, employees=300, hours_core=1.0),
    ]
    for _ in range(2):
        for m in models:
            d = dynamics.draw(m.topology, m.dynamics, m.rng)
            fast = Week(m.topology, m.state, m.dynamics, d)
            time_rule.step(fast)
            got = m.state.hours.copy()
            time_rule.reference(Week(m.topology, m.state, m.dynamics, d))
            assert np.array_equal(got, m.state.hours)
