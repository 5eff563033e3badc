"""Code learning (ODD 7.5, March 1991 as recreated), with nested codes.

Each code dimension jumps to the majority of the superior reports' votes
(``carry["votes"]`` from :mod:`orgsim.submodels.reports`) with chance
1 - (1 - p2)^k, k = |votes|. A child code (``Organisation.code_parent``) reports to
its parent code like one more report, over the hops between their holders, and is
then socialised toward the parent's start-of-week code like an employee (chance p1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from orgsim.rng import chance, chance_table
from orgsim.submodels.base import ParamBlock, Submodel, Week, chances, parameter, uniform
from orgsim.submodels.socialisation import P1

if TYPE_CHECKING:
    from orgsim.dynamics import Topology


class CodeLearningParams(ParamBlock):
    """How fast codes learn (and, for nested codes, are socialised)."""

    p2: float = parameter(
        0.5,
        ge=0.0,
        le=1.0,
        symbol="p2",
        meaning="code learning rate",
        source="March 1991: middle of his range",
    )
    p1: float = P1


def step(w: Week) -> None:
    """Majority votes, 1 - (1 - p2)^k; then child codes move toward their parent."""
    top, st, d = w.top, w.state, w.draws
    if not top.n_codes:
        return
    old = w.codes_before
    votes = w.carry["votes"].copy()
    if len(top.parent_links):  # child codes report to their parent code
        child, parent = top.parent_links[:, 0], top.parent_links[:, 1]
        sent = old[child]
        u = d.parent_report
        z, f = top.parent_p_zero[:, None], top.parent_p_flip[:, None]
        content = np.where(u < z, 0, np.where(u < f, -sent, sent))
        act = np.where(content == 0, np.where(d.parent_action < 0.5, -1, 1), content)
        act = act.astype(np.int64)
        judge = st.realities[top.code_unit_idx[parent]].astype(np.int64)
        better = (act * judge).sum(axis=1) > (old[parent].astype(np.int64) * judge).sum(axis=1)
        np.add.at(votes, parent[better], act[better])
    majority = np.sign(votes)
    k = np.abs(votes)
    learn = d.code < chance_table(w.dyn.p2, int(k.max(initial=0)))[k]
    change = (majority != 0) & (majority != old) & learn
    st.codes[change] = majority[change]
    if len(top.parent_links):  # then child codes move toward their parent's old code
        child, parent = top.parent_links[:, 0], top.parent_links[:, 1]
        target, cur = old[parent], st.codes[child]
        move = (target != 0) & (cur != target) & d.parent_social
        st.codes[child] = (cur + move * np.sign(target - cur)).astype(np.int8)


def _sign(x: int) -> int:
    return (x > 0) - (x < 0)


def reference(w: Week) -> None:
    """Child code by child code, then code by code, dimension by dimension."""
    top, st, d, m = w.top, w.state, w.draws, w.top.m
    old, codes, real = w.codes_before, st.codes, st.realities
    votes = w.carry["votes"].copy()
    for x, (child, parent) in enumerate(top.parent_links.tolist()):  # like one more report
        p_zero, p_flip = float(top.parent_p_zero[x]), float(top.parent_p_flip[x])
        action = []
        for j in range(m):
            u = float(d.parent_report[x, j])
            sent = int(old[child, j])
            value = 0 if u < p_zero else (-sent if u < p_flip else sent)
            if value == 0:
                value = -1 if d.parent_action[x, j] < 0.5 else 1
            action.append(value)
        judge = real[top.code_unit_idx[parent]]
        score = sum(action[j] * int(judge[j]) for j in range(m))
        code_score = sum(int(old[parent, j]) * int(judge[j]) for j in range(m))
        if score > code_score:
            for j in range(m):
                votes[parent, j] += action[j]
    for c in range(top.n_codes):
        for j in range(m):
            majority, k = _sign(int(votes[c, j])), abs(int(votes[c, j]))
            differs = majority != 0 and majority != old[c, j]
            if differs and d.code[c, j] < chance(w.dyn.p2, k):
                codes[c, j] = majority
    for x, (child, parent) in enumerate(top.parent_links.tolist()):  # toward the parent
        for j in range(m):
            target = int(old[parent, j])
            if target != 0 and codes[child, j] != target and d.parent_social[x, j]:
                codes[child, j] += _sign(target - int(codes[child, j]))


def _link_rows(t: Topology, d: object) -> tuple[int, int]:
    return (len(t.parent_links), t.m)


SUBMODEL = Submodel(
    name="code_learning",
    meaning="codes jump to the superior reports' majority with chance 1 - (1 - p2)^k; "
    "child codes report to, and are socialised toward, their parent code",
    params=CodeLearningParams,
    draws=(
        uniform("code", lambda t, d: (t.n_codes, t.m)),
        # nested codes (empty, and so no draws at all, without code_parent)
        uniform("parent_report", _link_rows, np.float32),
        uniform("parent_action", _link_rows, np.float32),
        chances("parent_social", _link_rows, lambda d: d.p1, "p1", stream="main"),
    ),
    step=step,
    reference=reference,
    odd="7.5",
)
