"""Fang, Lee & Schilling (2010) with the generic model: learning from colleagues in
semi-isolated units (orgsim/scenarios/fang2010.toml, peer_learning, docs/ODD.md 7.12).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from orgsim.model import OrgModel
from orgsim.scenario import load_scenario

SCENARIO = Path(__file__).resolve().parent.parent / "orgsim" / "scenarios" / "fang2010.toml"


def _knowledge(params: dict, weeks: int, runs: int, seed: int) -> np.ndarray:
    out = []
    for i in range(runs):
        model = OrgModel(rng=np.random.SeedSequence(seed, spawn_key=(i,)), agents=False, **params)
        for _ in range(weeks):
            model.step()
        out.append(model.metric_values["belief_accuracy"])
    return np.array(out)


def _ci(x: np.ndarray) -> tuple[float, float]:
    half = 1.96 * float(x.std(ddof=1)) / math.sqrt(x.size)
    return float(x.mean()) - half, float(x.mean()) + half


def test_scenario_is_a_band_learning_only_from_colleagues() -> None:
    scenario = load_scenario(SCENARIO)
    assert scenario.varied == ["informal_out"]
    params = scenario.model_params("band")
    assert params["peer_learning"] > 0
    assert params["frontline_learning"] == 0 and params["delta"] == 0


def test_colleagues_spread_knowledge_only_where_ties_reach() -> None:
    small = {
        "structure": "band",
        "employees": 120,
        "units": 12,
        "informal_in": 4.0,
        "dimensions": 30,
        "delta": 0.0,
        "frontline_learning": 0.0,
        "peer_learning": 1.0,
        "beta": 0.0,
        "initiative_rate": 0.0,
    }
    linked = _knowledge({**small, "informal_out": 2.0}, 40, 6, 2)
    alone = _knowledge({**small, "informal_in": 0.0, "informal_out": 0.0}, 40, 6, 3)
    assert _ci(linked)[0] > 0.6
    # without informal ties nobody learns anything: beliefs stay uniform in {-1, 0, +1}
    assert np.all(np.abs(alone - 1 / 3) < 0.05)


@pytest.mark.slow
def test_moderate_linking_is_best_for_long_run_knowledge() -> None:
    """Fang et al.'s inverted U: the middle of the sweep beats both ends (95 % CIs)."""
    scenario = load_scenario(SCENARIO)
    runs = 40
    low, mid, high = (
        _knowledge(scenario.model_params("band", {"informal_out": x}), scenario.steps, runs, k)
        for k, x in enumerate((0.5, 4.0, 32.0))
    )
    assert _ci(mid)[0] > _ci(low)[1]
    assert _ci(mid)[0] > _ci(high)[1]
