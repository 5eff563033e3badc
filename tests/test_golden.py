"""Results guard themselves: every registered structure's golden digest, per MODEL_VERSION.

A change of results without a ``MODEL_VERSION`` bump fails here, and says so; a bump
with stale digests, or a structure new to the registry, says how to regenerate
(``python tests/golden.py --update``, see ``tests/golden.py``).
"""

from __future__ import annotations

import mesa
import numpy as np
import pytest
from golden import NEW_IN_8, REGIMES, SEED, UPDATE, VERSION_7, digest, load

from orgsim import MODEL_VERSION
from orgsim.model import OrgModel
from orgsim.structures import STRUCTURES

STORED = load()


def check(structure: str, stored: dict, version: str = MODEL_VERSION) -> str | None:
    """Why ``structure``'s results fail the guard (None: they pass)."""
    if stored.get("model_version") != version:
        return (
            f"MODEL_VERSION is {version} but tests/golden.json holds the digests of version "
            f"{stored.get('model_version')}: regenerate them with {UPDATE}"
        )
    if structure not in stored.get("digests", {}):
        return (
            f"structure {structure!r} has no golden digest in tests/golden.json: "
            f"add it with {UPDATE}"
        )
    if stored["digests"][structure] != digest(structure):
        return (
            f"results of {structure!r} changed but MODEL_VERSION is still {version}: "
            f"if the change is intended, bump MODEL_VERSION in orgsim/__init__.py and "
            f"regenerate with {UPDATE}; if not, find what changed the results"
        )
    return None


@pytest.mark.parametrize("structure", sorted(STRUCTURES))
def test_results_match_the_golden_digest(structure: str) -> None:
    problem = check(structure, STORED)
    assert problem is None, problem


def test_the_golden_file_holds_exactly_the_registered_structures() -> None:
    stale = sorted(set(STORED.get("digests", {})) - set(STRUCTURES))
    assert not stale, f"tests/golden.json has digests of unregistered {stale}: run {UPDATE}"


def test_the_guard_fails_on_changed_results_stale_versions_and_new_structures(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    good = {"model_version": MODEL_VERSION, "digests": {"band": digest("band")}}
    assert check("band", good) is None
    monkeypatch.setitem(REGIMES, "defaults", {"delta": 0.25})  # a change of results
    msg = check("band", good)
    assert msg and f"changed but MODEL_VERSION is still {MODEL_VERSION}" in msg
    assert UPDATE in msg
    msg = check("band", good, version=MODEL_VERSION + "1")
    assert msg and "regenerate them with" in msg
    msg = check("tower", good)
    assert msg and "'tower' has no golden digest" in msg and UPDATE in msg


def test_every_structure_has_its_own_digest() -> None:
    digests = STORED.get("digests", {})
    assert len(set(digests.values())) == len(digests)


def test_results_do_not_depend_on_how_mesa_seeds_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    """Mesa has its own spawned stream: a Mesa release that draws differently changes nothing."""

    def run() -> list[float]:
        model = OrgModel("tower", rng=SEED, employees=60, units=3)
        for _ in range(3):
            model.step()
        return [model.metric_values[k] for k in sorted(model.metric_values)]

    before = run()
    original = mesa.Model.__init__

    def greedy(self, *args, **kwargs):  # a Mesa that takes more from the stream it is given
        rng = kwargs.get("rng")
        if isinstance(rng, np.random.Generator):
            rng.random(7)
        original(self, *args, **kwargs)
        self.rng.random(7)

    monkeypatch.setattr(mesa.Model, "__init__", greedy)
    assert run() == pytest.approx(before, nan_ok=True)


def test_mesa_stream_is_spawned_from_the_root_seed() -> None:
    a, b = OrgModel("band", rng=5, **_small()), OrgModel("band", rng=5, **_small())
    assert a.random.random() == b.random.random()
    c = OrgModel("band", rng=6, **_small())
    assert a.random.random() != c.random.random()


def _small() -> dict[str, int]:
    return {"employees": 30, "units": 2}


def test_the_odd_states_the_model_version() -> None:
    from pathlib import Path

    odd = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"
    line = next(x for x in odd.read_text(encoding="utf-8").splitlines() if "Model version:" in x)
    assert f'`orgsim.MODEL_VERSION = "{MODEL_VERSION}"`' in line, (
        f"docs/ODD.md says {line!r} but MODEL_VERSION is {MODEL_VERSION}: update that line "
        "(and say which figures of section 9 were measured with which version)"
    )


def test_update_refuses_changed_digests_without_a_bump(tmp_path, monkeypatch) -> None:
    import json

    import golden

    path = tmp_path / "golden.json"
    monkeypatch.setattr(golden, "GOLDEN", path)
    monkeypatch.setattr(golden, "digest", lambda name: f"new-{name}")
    path.write_text(json.dumps({"model_version": MODEL_VERSION, "digests": {"band": "old"}}))
    with pytest.raises(SystemExit, match=f"band but MODEL_VERSION is still {MODEL_VERSION}"):
        golden.update()
    assert json.loads(path.read_text())["digests"] == {"band": "old"}  # untouched
    golden.update(force=True)
    assert json.loads(path.read_text())["digests"]["band"] == "new-band"
    path.write_text(json.dumps({"model_version": "0", "digests": {"band": "old"}}))
    golden.update()  # a bumped version is regenerated without complaint
    stored = json.loads(path.read_text())
    assert stored["model_version"] == MODEL_VERSION
    assert stored["digests"] == {name: f"new-{name}" for name in sorted(STRUCTURES)}


@pytest.mark.parametrize("structure", sorted(VERSION_7))
def test_model2_off_gives_version_7s_results(structure: str) -> None:
    """Time, the budget process and the report queue switched off (orgsim.MODEL2_OFF):
    the week is version 7's, bit for bit."""
    from orgsim.submodels import MODEL2_OFF

    assert digest(structure, overrides=MODEL2_OFF, skip=NEW_IN_8) == VERSION_7[structure]
