"""Topology's hop counts equal networkx shortest paths, for every registered structure."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from orgsim.model import OrgModel
from orgsim.structures import STRUCTURES


def graph(org, *layers: str) -> nx.Graph:
    g = nx.Graph()
    g.add_nodes_from(range(org.n))
    for layer in layers:
        g.add_edges_from(map(tuple, org.edges(layer).tolist()))
    return g


def nearest(g: nx.Graph, sources) -> dict[int, float]:
    sources = [int(s) for s in sources]
    return nx.multi_source_dijkstra_path_length(g, sources) if sources else {}


@pytest.mark.parametrize("structure", sorted(STRUCTURES))
@pytest.mark.parametrize("size", [(60, 3), (150, 5)], ids=["60x3", "150x5"])
def test_hops_equal_networkx_shortest_paths(structure: str, size: tuple[int, int]) -> None:
    employees, units = size
    model = OrgModel(structure, rng=3, employees=employees, units=units, agents=False)
    org, top = model.organisation, model.topology
    fc, formal = graph(org, "formal", "coordination"), graph(org, "formal")

    to_holder = nearest(fc, org.code_holders)
    expected = [i for i in range(org.n) if i in to_holder and org.code[i] < 0]
    assert top.reporters.tolist() == expected
    assert top.report_hops.tolist() == [to_holder[i] for i in expected]

    to_owner = nearest(fc, org.budget_owners)
    posters = np.flatnonzero(org.may_post)
    assert top.posters.tolist() == posters.tolist()
    assert top.poster_funded.tolist() == [int(p) in to_owner for p in posters]
    assert top.poster_hops.tolist() == [to_owner.get(int(p), 0.0) for p in posters]

    for u in range(org.units):
        front = np.flatnonzero(org.frontline & (org.unit == u))
        to_front = nearest(formal, front)
        want = [to_front.get(int(p), math.inf) for p in posters]
        assert top.voice_hops[:, u].tolist() == want, (structure, u)
