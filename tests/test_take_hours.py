"""Week.take_hours: the one way a rule spends an employee's time (the Model 2 contract)."""

import numpy as np
import pytest

from orgsim.model import OrgModel
from orgsim.submodels.base import Week


def _week(hours):
    model = OrgModel("band", rng=1, agents=False, employees=20, units=2)
    model.state.hours = hours
    return Week(model.topology, model.state, model.dynamics, draws=None)  # type: ignore[arg-type]


def test_without_time_everyone_has_it_and_nothing_is_spent():
    w = _week(None)
    assert w.take_hours(np.array([0, 3, 5]), 100.0).all()
    assert w.state.hours is None


def test_spends_only_what_fits_and_refuses_the_rest():
    hours = np.full(20, 2.0)
    w = _week(hours)
    ok = w.take_hours(np.array([0, 1, 2]), np.array([1.5, 2.0, 2.5]))
    assert ok.tolist() == [True, True, False]
    assert hours[:3].tolist() == pytest.approx([0.5, 0.0, 2.0])
    # an earlier rule has first call: what is left is what a later rule gets
    assert w.take_hours(np.array([0, 1]), 1.0).tolist() == [False, False]
    assert hours[3:].tolist() == [2.0] * 17


def test_one_need_for_all_whether_or_not_everyone_has_it():
    hours = np.array([3.0, 1.0, 2.0, 0.5])
    w = _week(np.concatenate([hours, np.zeros(16)]))
    assert w.take_hours(np.array([0, 2]), 1.0).tolist() == [True, True]  # all fit
    assert w.take_hours(np.array([0, 1, 3]), 1.0).tolist() == [True, True, False]
    assert w.state.hours[:4].tolist() == [1.0, 0.0, 1.0, 0.5]


def test_by_mask_equals_by_indices():
    rng = np.random.default_rng(3)
    hours = rng.random(20) * 2.0
    hours[0] = -0.0
    wants = rng.random(20) < 0.6
    wants[0] = True
    a, b = _week(hours.copy()), _week(hours.copy())
    ok = a.take_hours_where(wants, 0.75)
    assert ok.tolist() == (wants & (hours >= 0.75)).tolist()
    assert b.take_hours(np.flatnonzero(wants), 0.75).tolist() == ok[wants].tolist()
    assert np.array_equal(a.state.hours, b.state.hours)
    assert np.signbit(a.state.hours[0])  # minus 0.0 leaves -0.0 as it was
    assert _week(None).take_hours_where(wants, 9.0).tolist() == wants.tolist()


def test_a_need_each_when_everyone_has_it():
    w = _week(np.concatenate([np.array([3.0, 1.0, 2.0]), np.zeros(17)]))
    assert w.take_hours(np.array([0, 1, 2]), np.array([1.5, 1.0, 0.25])).all()
    assert w.state.hours[:3].tolist() == [1.5, 0.0, 1.75]
