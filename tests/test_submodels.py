"""The week as a list of submodels: each rule's kernels agree, the registry, the
organisation that changes during a run.

Rule by rule: from the same state, carry and draws (the week stepped with the
vectorised kernels up to the rule), the rule's vectorised and reference kernels give
the same state, record and carry. Parametrised over ``SUBMODELS``, so a newly
registered rule is covered without editing this file.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest
from test_equivalence import BUSY  # one busy regime for both equivalence tests

from orgsim import params as params_module
from orgsim import rows
from orgsim.dynamics import Topology, draw
from orgsim.errors import ParameterError
from orgsim.metrics import RunView
from orgsim.model import OrgModel
from orgsim.organisation import Organisation
from orgsim.structures import STRUCTURES
from orgsim.submodels import (
    SUBMODELS,
    ParamBlock,
    Submodel,
    Week,
    base,
    register_submodel,
    unregister_submodel,
)
from orgsim.submodels.awareness import informed_ties
from orgsim.submodels.base import StepRecord

REGIMES: dict[str, dict[str, Any]] = {
    "busy": {},
    "march": {
        "frontline_learning": 0.0,
        "omission": 0.0,
        "distortion": 0.0,
        "capacity": 10_000,
    },
    "extreme": {
        "omission": 0.5,
        "distortion": 0.5,
        "capacity": 1,
        "p1": 1.0,
        "p2": 1.0,
        "beta": 1.0,
        "frontline_learning": 1.0,
        "initiative_rate": 1.0,
        "units": 5,
    },
    "odd_chances": {"p1": 0.3000001, "frontline_learning": 0.0117, "beta": 0.7, "units": 4},
    "model2": {
        "turnover": 0.05,
        "fast_learners": 0.3,
        "p1_fast": 0.8,
        "observation_error": 0.1,
        "peer_learning": 0.4,
        "informal_out": 1.5,
    },
    # the budget process (ODD 7.14): the caps bind, requests and performance shares vary
    "budget_performance": {
        "allocation": "performance",
        "performance_floor": 0.3,
        "performance_memory": 0.5,
        "poster_cap": 1.5,
        "turnover": 0.05,
    },
    "budget_request": {"allocation": "request", "request_posts": 2.5, "carry_over": 0.3},
    # time modelled, and scarce: meetings, training and posts do not all fit
    "time": {
        "time_limits": True,
        "turnover": 0.05,
        "hours_staff": 0.6,
        "hours_poster": 1.0,
        "hours_coordinator": 1.5,
        "hours_core": 2.0,
        "hours_variation": 1.0,
        "meeting_hours": 0.75,
        "training_hours": 0.3,
        "post_hours": 0.8,
        "reply_hours": 0.5,
        "spend_cap": 1.5,
        "report_shelf_life": 2,  # the queue with hours: senders' and holders' time
        "report_rate": 0.7,
    },
    "queue": {"report_shelf_life": 2, "report_rate": 0.7, "capacity": 2, "p4": 0.1},
}
# the budget process with scarce time: approvals wait for the owners' hours
REGIMES["budget_time"] = {
    **REGIMES["time"],
    "allocation": "request",
    "request_posts": 2.0,
    "approval_hours": 0.4,
    "carry_over": 0.5,
    "poster_cap": 2.5,
}
STATE_ARRAYS = (
    "beliefs",
    "codes",
    "reality",
    "unit_sign",
    "know",
    "initiative",
    "budget",
    "pool",
    "waiting",
    "performance",
    "hours",
    "replies",
    "queue_sender",
    "queue_code",
    "queue_hops",
    "queue_age",
    "queue_content",
    "queue_waiting",
)


def _same(a: Any, b: Any, what: str) -> None:
    if a is None or b is None:
        assert a is None and b is None, what
    elif isinstance(a, np.ndarray) and a.dtype.kind == "f":
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12, err_msg=what)
    elif isinstance(a, np.ndarray):
        assert np.array_equal(a, b), what
    elif isinstance(a, float):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12, err_msg=what)
    else:
        assert a == b, what


def _fork(week: Week) -> Week:
    """An independent copy of a week in progress (same topology, parameters, draws)."""
    return Week(
        week.top,
        week.state.copy(),
        week.dyn,
        week.draws,
        copy.deepcopy(week.rec),
        week.codes_before.copy(),
        copy.deepcopy(week.carry),
    )


def _weeks(
    structure: str, regime: str, seed: int, weeks: int, extra: dict[str, Any]
) -> Iterator[tuple[int, Week]]:
    """For each week and each rule position i: the week stepped up to rule i."""
    params = {**BUSY, **REGIMES[regime], **extra}
    model = OrgModel(structure=structure, rng=seed, agents=False, **params)
    top, dyn = model.topology, model.dynamics
    for _ in range(weeks):
        week = Week(top, model.state, dyn, draw(top, dyn, model.rng))
        for i, sub in enumerate(SUBMODELS.values()):
            yield i, week
            sub.step(week)


def _compare_rule(
    name: str, structure: str, regime: str, seed: int = 3, weeks: int = 4, **extra: Any
) -> int:
    """Compare rule ``name``'s two kernels on every week; how many times it changed something."""
    position = list(SUBMODELS).index(name)
    sub = SUBMODELS[name]
    changed = 0
    for i, week in _weeks(structure, regime, seed, weeks, extra):
        if i != position:
            continue
        fast, slow = _fork(week), _fork(week)
        kept = {k: v.copy() for k, v in vars(week.draws).items()}
        sub.step(fast)
        sub.reference(slow)
        for k, v in vars(week.draws).items():  # kernels never change the draws
            assert np.array_equal(v, kept[k]), (name, k)
        for field in STATE_ARRAYS:
            _same(getattr(fast.state, field), getattr(slow.state, field), f"{name}: {field}")
        assert fast.rec.as_dict().keys() == slow.rec.as_dict().keys()
        for key, value in fast.rec.as_dict().items():
            _same(value, slow.rec.as_dict()[key], f"{name}: record {key}")
        assert fast.carry.keys() == slow.carry.keys(), name
        for key, value in fast.carry.items():
            _same(value, slow.carry[key], f"{name}: carry {key}")
        before = _fork(week)
        changed += (
            any(not _equal(getattr(before.state, f), getattr(fast.state, f)) for f in STATE_ARRAYS)
            or (before.rec.as_dict() != fast.rec.as_dict())
            or bool(fast.carry.keys() - before.carry.keys())
        )
    return changed


def _equal(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    return bool(np.array_equal(a, b))


@pytest.fixture(params=["gather", "slices"])
def layout(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Rows gathered, or sliced in runs with tiny tiles (both layouts of orgsim.rows);
    with them, small groups stepped by numpy or one by one (base.SMALL_GROUP)."""
    if request.param == "gather":
        monkeypatch.setattr(rows, "RUN_MIN_ROWS", 10**9)
        monkeypatch.setattr(base, "RUN_HOURS", 10**9)
        monkeypatch.setattr(base, "SMALL_GROUP", 0)
    else:
        monkeypatch.setattr(rows, "RUN_MIN_ROWS", 1)
        monkeypatch.setattr(rows, "RUN_MIN_TOTAL", 0)
        monkeypatch.setattr(rows, "TILE_ROWS", 3)
        monkeypatch.setattr(base, "RUN_HOURS", 1)
        monkeypatch.setattr(base, "SMALL_GROUP", 10**9)
    return str(request.param)


@pytest.mark.parametrize("structure", sorted(STRUCTURES))
@pytest.mark.parametrize("name", list(SUBMODELS))
def test_each_rule_vectorised_equals_reference(name: str, structure: str, layout: str) -> None:
    for regime in REGIMES:
        _compare_rule(name, structure, regime)


@pytest.mark.parametrize("name", list(SUBMODELS))
def test_each_rule_changes_something(name: str) -> None:
    """The comparison above is not vacuous: every rule acts in some structure."""
    changed = sum(_compare_rule(name, s, "busy", weeks=3) for s in sorted(STRUCTURES))
    changed += sum(_compare_rule(name, s, "model2", weeks=3) for s in sorted(STRUCTURES))
    changed += sum(
        _compare_rule(name, s, "budget_performance", weeks=3) for s in sorted(STRUCTURES)
    )
    changed += sum(_compare_rule(name, s, "time", weeks=3) for s in sorted(STRUCTURES))
    assert changed > 0


def test_week_order_and_declarations() -> None:
    assert list(SUBMODELS)[:5] == ["turnover", "time", "turbulence", "frontline", "reports"]
    draws = [d.name for s in SUBMODELS.values() for d in s.draws]
    assert len(draws) == len(set(draws))
    for sub in SUBMODELS.values():
        assert sub.meaning and sub.odd and sub.module.startswith("orgsim.submodels.")
        for name, info in sub.params.model_fields.items():
            assert info.description, (sub.name, name)
            extra = info.json_schema_extra
            assert isinstance(extra, dict) and extra.get("source"), (sub.name, name)
    rec = StepRecord()
    declared = {f for s in SUBMODELS.values() for f in s.records}
    assert set(rec.as_dict()) == declared


def test_draw_shapes_are_as_declared() -> None:
    model = OrgModel(structure="dandelion", rng=1, agents=False, **BUSY)
    top, dyn = model.topology, model.dynamics
    d = draw(top, dyn, model.rng)
    for sub in SUBMODELS.values():
        for spec in sub.draws:
            x = getattr(d, spec.name)
            if spec.sparse:  # sorted distinct flat positions within the declared shape
                trials = int(np.prod(spec.shape(top, dyn)))
                assert x.ndim == 1 and x.dtype == np.int64, spec.name
                assert np.all(np.diff(x) > 0) and (x.size == 0 or 0 <= x[0] <= x[-1] < trials)
            else:
                assert x.shape == spec.shape(top, dyn), spec.name


def test_flat_parameter_names_compose_the_blocks() -> None:
    """Each block's parameters are DynamicsParams fields, with the block's definition."""
    dyn_fields = params_module.DynamicsParams.model_fields
    for sub in SUBMODELS.values():
        for name, info in sub.params.model_fields.items():
            assert dyn_fields[name].default == info.default
            assert dyn_fields[name].metadata == info.metadata
    with pytest.raises(ParameterError, match="omission \\+ distortion"):
        OrgModel(structure="band", omission=0.7, distortion=0.5)


# --- registering a rule ----------------------------------------------------------------


@contextmanager
def restored_week() -> Iterator[None]:
    saved = list(SUBMODELS)
    try:
        yield
    finally:
        for name in list(SUBMODELS):
            if name not in saved:
                unregister_submodel(name)
        assert list(SUBMODELS) == saved


class ForgetParams(ParamBlock):
    forget: float = 0.0


def _forget(w: Week) -> None:
    w.rec.forgotten = int(np.count_nonzero(w.state.beliefs))


def _noop(w: Week) -> None:
    w.rec.forgotten = int(np.count_nonzero(w.state.beliefs))


def test_register_submodel_positions_and_refuses_clashes() -> None:
    sub = Submodel(
        "forget", "count beliefs", ForgetParams, (), _forget, _noop, {"forgotten": (0, "")}
    )
    with restored_week():
        register_submodel(sub, after="socialisation")
        names = list(SUBMODELS)
        assert names[names.index("socialisation") + 1] == "forget"
        assert "forget" in params_module.DynamicsParams.model_fields
        model = OrgModel(structure="tower", rng=0, agents=False, forget=0.5, employees=40)
        model.step()
        assert model.record.forgotten > 0
        # a registered rule's parameters are scenario keys, and reach the model
        from orgsim.scenario import parse_scenario

        text = 'name = "x"\nstructures = ["band"]\n[model]\nforget = 0.25\n'
        assert parse_scenario(text).model_params("band")["forget"] == 0.25
        with pytest.raises(ParameterError):
            register_submodel(sub)  # the name is taken
    with restored_week():
        with pytest.raises(ParameterError):
            register_submodel(sub, after="no_such_rule")
        clash = Submodel("clash", "x", ParamBlock, (), _forget, _noop, {"posts": (0, "")})
        with pytest.raises(ParameterError, match="posts"):
            register_submodel(clash)
    assert "forget" not in params_module.DynamicsParams.model_fields
    from orgsim.scenario import ScenarioError, parse_scenario

    with pytest.raises(ScenarioError, match="forget"):
        parse_scenario('name = "x"\nstructures = ["band"]\n[model]\nforget = 0.25\n')


# --- an organisation that changes during a run ----------------------------------------


def _assert_same_topology(a: Topology, b: Topology) -> None:
    for name, value in vars(a).items():
        if name in ("draw_plans", "kernel_plans", "reality_rows"):  # caches
            continue
        other = getattr(b, name)
        if isinstance(value, np.ndarray):
            assert np.array_equal(value, other), name
        elif hasattr(value, "toarray"):
            assert (value != other).nnz == 0, name
        elif isinstance(value, list):
            assert len(value) == len(other) and all(
                np.array_equal(x, y) for x, y in zip(value, other, strict=True)
            ), name
        elif isinstance(value, rows.RowGroup):
            assert np.array_equal(value.idx, other.idx) and value.runs == other.runs, name
        else:
            assert value == other, name


@pytest.mark.parametrize("structure", sorted(STRUCTURES))
def test_topology_update_equals_a_fresh_derivation(structure: str) -> None:
    model = OrgModel(structure=structure, rng=2, agents=False, **BUSY)
    org, dyn = model.organisation, model.dynamics
    assert model.topology.update(org, dyn, "people") is model.topology
    # the structure changes: informal ties are dropped, one more employee may post
    changed = copy.copy(org)
    changed.informal = org.informal[: len(org.informal) // 2].copy()
    changed.may_post = org.may_post.copy()
    changed.may_post[-1] = True
    updated = model.topology.update(changed, dyn, "structure")
    _assert_same_topology(updated, Topology.from_organisation(changed, dyn))
    with pytest.raises(ValueError, match="changed"):
        model.topology.update(org, dyn, "everything")


def _without_informal_ties(org: Organisation) -> Organisation:
    changed = copy.copy(org)
    changed.__dict__.pop("graph", None)  # a cached graph of the old ties
    changed.informal = np.empty((0, 2), dtype=np.int64)
    return changed


def test_replace_organisation_continues_the_run() -> None:
    model = OrgModel(structure="hub_and_spokes", rng=4, agents=True, **BUSY)
    for _ in range(3):
        model.step()
    ties_before = model.topology.a_spread.nnz
    model.replace_organisation(_without_informal_ties(model.organisation))
    assert model.topology.a_spread.nnz < ties_before
    assert model.space is not None
    assert all(a.cell is model.space[a.index] for a in model.employees)
    assert (
        model.graph.number_of_edges()
        < OrgModel(structure="hub_and_spokes", rng=4, agents=False, **BUSY).graph.number_of_edges()
    )
    for _ in range(2):
        model.step()
        # metrics read the new organisation and topology (their read-only views are kept
        # only while the objects last)
        view = RunView.of(model)
        assert view.topology.a_spread.nnz == model.topology.a_spread.nnz
        assert len(view.organisation.informal) == len(model.organisation.informal) == 0
        # the informed-tie counts follow the new ties, not the old ones
        counts = informed_ties(model.topology, model.state.know)
        full = model.topology.a_spread.astype(np.int64) @ model.state.know.astype(np.int64)
        assert np.array_equal(counts, full)
    more_units = copy.copy(model.organisation)
    more_units.units += 1
    with pytest.raises(ParameterError, match="units"):
        model.replace_organisation(more_units)


def test_how_to_add_a_rule_example_runs_and_is_covered() -> None:
    """The complete example of docs/ODD.md section 7.10 registers, runs, and its two
    kernels agree like every built-in rule's."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "ODD.md").read_text(encoding="utf-8")
    section = text[text.index("### 7.10 How to add a rule") :]
    code = section[section.index("```python\n") + 10 : section.index("```\n", 10)]
    with restored_week():
        namespace: dict[str, Any] = {}
        exec(compile(code, "ODD.md 7.10", "exec"), namespace)
        model = namespace["model"]
        assert "forgetting" in SUBMODELS and model.record.forgotten > 0
        assert list(SUBMODELS).index("forgetting") == list(SUBMODELS).index("socialisation") + 1
        for structure in ("tower", "band"):
            assert _compare_rule("forgetting", structure, "busy", weeks=2, forget=0.1) > 0
            _compare_rule("forgetting", structure, "extreme", weeks=2, forget=0.9)


def test_cli_lists_the_week_in_order() -> None:
    from typer.testing import CliRunner

    from orgsim.cli import app

    result = CliRunner().invoke(app, ["list", "submodels"])
    assert result.exit_code == 0, result.output
    heads = [line for line in result.output.splitlines() if not line.startswith(" ")]
    assert [h.split(":")[0] for h in heads] == [f"{i}. {n}" for i, n in enumerate(SUBMODELS, 1)]
    for sub in SUBMODELS.values():
        assert sub.meaning in result.output
        for name in sub.params.model_fields:
            assert f"     {name} " in result.output
    bad = CliRunner().invoke(app, ["list", "rules"])
    assert bad.exit_code == 2


@pytest.mark.parametrize("structure", ["tower", "hub_and_spokes", "dandelion"])
def test_code_news_moves_one_tie_a_week(structure: str) -> None:
    """With every tie talking, an item the holders know reaches exactly the members
    h report hops away after h weeks; an item a member knows reaches its holder after
    its report hops, not before."""
    from orgsim.submodels.base import Draws

    model = OrgModel(structure=structure, rng=0, agents=False, employees=300)
    top, st, rule = model.topology, model.state, SUBMODELS["code_news"]
    ones = np.ones(top.channel_child.size, dtype=bool)
    st.know[:] = False
    holders = np.flatnonzero(model.organisation.code >= 0)
    st.know[holders, 0] = True
    deepest = int(np.argmax(top.report_hops))
    st.know[top.reporters[deepest], 1] = True
    depth = int(top.report_hops[deepest])
    assert depth >= 3
    for week in range(1, depth + 1):
        rule.step(Week(top, st, model.dynamics, Draws(news=ones)))
        reached = set(top.reporters[top.report_hops <= week].tolist())
        assert set(np.flatnonzero(st.know[:, 0]).tolist()) == reached | set(holders.tolist())
        own_holders = np.flatnonzero(model.organisation.code == top.report_code[deepest])
        assert st.know[own_holders, 1].any() == (week >= depth), week


def test_a_rule_without_an_odd_section_is_listed_without_one() -> None:
    from orgsim.submodels.base import describe

    def nothing(w: Week) -> None:
        return None

    rule = Submodel("quiet", "does nothing", ParamBlock, (), nothing, nothing)
    register_submodel(rule)
    try:
        line = next(x for x in describe() if ". quiet:" in x)
        assert line.endswith("quiet: does nothing"), line
    finally:
        unregister_submodel("quiet")


def test_rows_changed_equals_any_of_the_row_differences() -> None:
    from orgsim.submodels.socialisation import rows_changed

    rng = np.random.default_rng(5)
    for m in range(40):
        a = rng.integers(-1, 2, (30, m)).astype(np.int8)
        b = a.copy()
        b[rng.random((30, m)) < 0.03] = 2
        assert rows_changed(a, b).tolist() == (a != b).any(axis=1).tolist(), m
