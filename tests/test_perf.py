"""Performance invariants that need no timing: what a large run must not pay for.

The timed figures live in ``benchmarks/run.py`` (``make bench``) and
``benchmarks/RESULTS.md``; here we check the properties that make them possible:
no networkx and no Mesa agents in a step unless asked, sparse layers built once,
draws whose shapes depend only on the organisation, and the helpers the kernels
slice with.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orgsim import dynamics, rows
from orgsim.model import OrgModel
from orgsim.structures import STRUCTURES
from orgsim.submodels import awareness
from orgsim.submodels.base import draw_order

SMALL = {"employees": 120, "units": 3}


@pytest.mark.parametrize("structure", sorted(STRUCTURES))
def test_steps_need_no_graph_and_no_agents(structure: str) -> None:
    model = OrgModel(structure=structure, rng=1, agents=False, **SMALL)
    model.organisation.adjacency = None  # type: ignore[method-assign]  # layers built once
    for _ in range(3):
        model.step()
    assert "graph" not in vars(model.organisation)  # networkx never built
    assert model.space is None


def test_agents_are_lazy_above_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    import orgsim.model

    monkeypatch.setattr(orgsim.model, "AGENTS_AUTO_LIMIT", 100)
    model = OrgModel(structure="tower", rng=1, **SMALL)
    assert model.space is None
    model.step()
    agents = model.employees  # created on first use
    assert len(agents) == SMALL["employees"] and model.space is not None
    assert agents[5].beliefs is not None and agents[5].index == 5
    small = OrgModel(structure="tower", rng=1, employees=60, units=3)
    assert small.space is not None  # below the limit they exist from the start


def test_model_graph_is_networkx_on_request() -> None:
    model = OrgModel(structure="hub_and_spokes", rng=2, agents=False, **SMALL)
    graph = model.graph
    assert graph.number_of_nodes() == SMALL["employees"]
    layers = {data["layer"] for _, _, data in graph.edges(data=True)}
    assert {"formal", "informal", "coordination"} <= layers


@pytest.mark.parametrize("structure", sorted(STRUCTURES))
def test_draw_shapes_depend_only_on_the_organisation(structure: str) -> None:
    model = OrgModel(structure=structure, rng=4, agents=False, **SMALL)
    top, dyn = model.topology, model.dynamics
    first = dynamics.draw(top, dyn, model.rng)
    for _ in range(3):
        model.step()
    later = dynamics.draw(top, dyn, model.rng)
    sparse = {spec.name for _, spec in draw_order() if spec.sparse}  # positions of events
    for name, value in vars(first).items():
        other = getattr(later, name)
        if name in sparse:
            assert value.ndim == other.ndim == 1 and value.dtype == other.dtype, name
        else:
            assert value.shape == other.shape and value.dtype == other.dtype, name


@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2)), min_size=0, max_size=60),
)
@settings(max_examples=200, deadline=None)
def test_runs_cover_the_index_exactly(steps: list[tuple[int, int]]) -> None:
    """Runs rebuild the index and key arrays, and are maximal."""
    idx = np.cumsum([1 + gap for gap, _ in steps]).astype(np.int64)
    key = np.array([k for _, k in steps], dtype=np.int64)
    runs = rows.Runs.of(idx, key)
    rebuilt_idx, rebuilt_key = [], []
    for off, start, stop, k in runs.items:
        assert np.array_equal(idx[off : off + stop - start], np.arange(start, stop))
        rebuilt_idx.extend(range(start, stop))
        rebuilt_key.extend([k] * (stop - start))
    assert rebuilt_idx == idx.tolist() and rebuilt_key == key.tolist()
    for (_, _, stop, k), (_, start, _, k2) in zip(runs.items, runs.items[1:], strict=False):
        assert stop != start or k != k2  # maximal: neighbours could not be merged


@given(
    runs=st.lists(
        st.tuples(st.integers(1, 150), st.integers(0, 3), st.integers(0, 2)), max_size=12
    ),
    tile=st.sampled_from([1, 4, 64]),
)
@settings(max_examples=150, deadline=None)
def test_blocks_update_every_member_once_with_its_key(
    runs: list[tuple[int, int, int]], tile: int
) -> None:
    """Visiting a group block by block (tiled slices, a slice or one gathered block of
    the runs' short ends) gives the row-by-row update: each member's row plus its key's
    row of a table plus its own row of a per-member draw; nobody else changes."""
    saved = rows.TILE_ROWS, rows.RUN_MIN_TOTAL, rows.RUN_MIN_ROWS
    rows.TILE_ROWS, rows.RUN_MIN_TOTAL, rows.RUN_MIN_ROWS = tile, 0, 1  # always slice
    try:
        _check_blocks(runs)
    finally:
        rows.TILE_ROWS, rows.RUN_MIN_TOTAL, rows.RUN_MIN_ROWS = saved


def _check_blocks(runs: list[tuple[int, int, int]]) -> None:
    idx_parts, key_parts, at = [], [], 0
    for length, gap, k in runs:  # runs of consecutive members, gaps of outsiders
        at += gap
        idx_parts.append(np.arange(at, at + length))
        key_parts.append(np.full(length, k))
        at += length
    idx = np.concatenate(idx_parts) if idx_parts else np.empty(0, np.int64)
    key = np.concatenate(key_parts) if key_parts else np.empty(0, np.int64)
    group = rows.RowGroup.of(idx, key)
    rng = np.random.default_rng(len(idx))
    state = rng.integers(-50, 50, size=(at + 3, 5)).astype(np.int16)
    table = rng.integers(-50, 50, size=(3, 5)).astype(np.int16)
    draw = rng.integers(-50, 50, size=(idx.size, 5)).astype(np.int16)
    expected = state.copy()
    expected[idx] += table[key] + draw
    for blk in group.blocks():
        b = blk.rows(state)
        b += blk.keyed(table) + blk.draws(draw)
        blk.put(state, b)
    assert np.array_equal(state, expected)


@given(st.integers(0, 1000), st.integers(1, 70))
def test_tiles_cover_rows_in_order(length: int, tile: int) -> None:
    old = rows.TILE_ROWS
    rows.TILE_ROWS = tile
    try:
        tiles = rows.tiles(length)
    finally:
        rows.TILE_ROWS = old
    covered = [i for first, stop, _ in tiles for i in range(first, stop)]
    assert covered == list(range(length))
    for first, stop, reps in tiles:
        assert (stop - first) % reps == 0 and reps in (1, tile)


def test_cli_import_stays_light() -> None:
    """``orgsim --help`` must stay fast: the CLI imports no numerical library up front."""
    code = (
        "import sys, orgsim.cli; "
        "heavy = [m for m in ('numpy', 'scipy', 'pandas', 'matplotlib', 'mesa', 'networkx')"
        " if m in sys.modules]; print(','.join(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


@pytest.mark.parametrize("structure", sorted(STRUCTURES))
def test_informed_ties_equal_the_sparse_product(structure: str) -> None:
    """The packed product counts exactly, whatever ``know`` holds (also after an edit
    from outside the step, e.g. through an agent's ``knows`` view)."""
    model = OrgModel(
        structure=structure, rng=9, agents=False, beta=0.3, initiative_rate=0.2, **SMALL
    )
    a = model.topology.a_spread.astype(np.int64)
    for i in range(8):
        model.step()
        if i == 4:
            model.state.know[::7, 0] ^= True
        counts = awareness.informed_ties(model.topology, model.state.know)
        assert np.array_equal(counts, a @ model.state.know.astype(np.int64))


@pytest.mark.parametrize("units", [1, 3, 4, 8, 9, 20])
@pytest.mark.parametrize("hub_ties", [5, 255, 256, 70_000])
def test_informed_ties_lanes_never_overflow(units: int, hub_ties: int) -> None:
    """A star whose hub has 255 ties fits byte lanes; 256 and 70,000 need wider ones;
    more than 4 units take several words. Every count is exact, the hub's included."""
    from types import SimpleNamespace

    import scipy.sparse as sp

    n = hub_ties + 1
    rows = np.concatenate([np.zeros(hub_ties, np.int64), np.arange(1, n)])
    cols = np.concatenate([np.arange(1, n), np.zeros(hub_ties, np.int64)])
    adj = sp.csr_array((np.ones(rows.size, np.uint32), (rows, cols)), shape=(n, n))
    know = np.random.default_rng(units).random((n, units)) < 0.9
    know[1:, 0] = True  # the hub hears from all its ties about unit 0
    top = SimpleNamespace(a_spread=adj, max_degree=hub_ties)
    counts = awareness.informed_ties(top, know)
    assert counts[0, 0] == hub_ties
    assert np.array_equal(counts, adj.astype(np.int64) @ know.astype(np.int64))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc allocator tuning")
def test_steps_do_not_refault_their_arrays() -> None:
    """Freed step arrays are reused, not unmapped and faulted in again (tune_malloc)."""
    import os
    import resource

    from orgsim.allocator import tune_malloc

    if os.environ.get("ORGSIM_MALLOC_TUNING") == "0":
        pytest.skip("allocator tuning switched off")
    model = OrgModel(structure="hub_and_spokes", rng=1, employees=30_000, agents=False)
    if not tune_malloc():  # what the CLI and the batch workers do at their entry points
        pytest.skip("not glibc")
    for _ in range(3):
        model.step()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(10):
        model.step()
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 10
    assert faults < 100  # untuned: about 900 a step at this size


def test_belief_matches_follow_the_realities() -> None:
    """The count behind ``belief_accuracy`` (beliefs against the kept reality rows)
    equals the plain comparison while turbulence changes the realities, for every
    structure; the rows are kept while the realities stay, and read-only."""
    for structure in sorted(STRUCTURES):
        model = OrgModel(structure=structure, rng=2, agents=False, p4=0.2, **SMALL)
        for _ in range(3):
            model.step()
            state, top = model.state, model.topology
            plain = int((state.beliefs == state.realities[top.unit_idx]).sum())
            assert dynamics.belief_matches(top, state) == plain
        kept = top.reality_rows(state.realities)
        assert top.reality_rows(state.realities.copy()) is kept and not kept.flags.writeable
    # two runs sharing one topology, with different realities: each gets its own rows
    run = OrgModel(structure="band", rng=3, agents=False, **SMALL)
    other = dynamics.init_state(run.topology, run.dynamics, np.random.default_rng(9))
    assert not np.array_equal(other.realities, run.state.realities)
    for state in (run.state, other, run.state):
        plain = int((state.beliefs == state.realities[run.topology.unit_idx]).sum())
        assert dynamics.belief_matches(run.topology, state) == plain
