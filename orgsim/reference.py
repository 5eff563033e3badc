"""Agent-by-agent reference implementation of the weekly step.

The same rules as :func:`orgsim.dynamics.step`, written the plain way: a loop over
employees, dimensions and ties, one decision at a time. It consumes the same
:class:`~orgsim.dynamics.Draws`, so for the same seed it must produce the *same*
state, bit for bit (tests/test_equivalence.py). It is slow by design and exists to
make the vectorised kernels checkable and the rules readable.

Core objects
------------
step
    Apply one week to ``state`` in place, like :func:`orgsim.dynamics.step`.
"""

from __future__ import annotations

import numpy as np

from orgsim.dynamics import Draws, State, StepRecord, Topology, chance, distortion_thresholds
from orgsim.params import DynamicsParams


def _sign(x: int) -> int:
    return (x > 0) - (x < 0)


def step(top: Topology, state: State, dyn: DynamicsParams, d: Draws) -> StepRecord:
    """One week, agent by agent; same rules and draws as the vectorised step."""
    rec = StepRecord()
    m = top.m
    for j in range(m):
        if d.turbulence[j] < dyn.p4:
            state.reality[j] = -state.reality[j]
    real = state.realities
    beliefs, codes = state.beliefs, state.codes

    # 1. frontline learning
    for i, who in enumerate(top.frontline):
        for j in range(m):
            if d.frontline[i, j]:  # learns this dimension (chance e, drawn)
                beliefs[who, j] = real[top.unit_idx[who], j]

    # 2. reports, hop by hop in closed form
    rec.reports = int(top.reporters.size)
    rec.capacity = int(sum(h.size for h in top.holders) * dyn.capacity)
    old_codes = codes.copy()
    votes = np.zeros((top.n_codes, m), dtype=np.int64)
    for row, pos in enumerate(d.picked):  # the reports the holders get to (drawn)
        who, c, h = top.reporters[pos], top.report_code[pos], top.report_hops[pos]
        p_zero, p_flip = (float(x) for x in distortion_thresholds(h, dyn.omission, dyn.distortion))
        action = []
        for j in range(m):
            u = float(d.report[row, j])  # compared in float64, as the vectorised step does
            value = 0 if u < p_zero else (-beliefs[who, j] if u < p_flip else beliefs[who, j])
            if value == 0:
                value = -1 if d.action[row, j] < 0.5 else 1
            action.append(int(value))
        judge = real[top.unit_idx[who]]
        score = sum(action[j] * int(judge[j]) for j in range(m))
        code_score = sum(int(old_codes[c, j]) * int(judge[j]) for j in range(m))
        if score > code_score:  # the superior group votes
            for j in range(m):
                votes[c, j] += action[j]
        u_who = int(top.unit[who])
        if u_who >= 0:
            for holder in top.holders[c]:
                state.know[holder, u_who] = True

    # child codes report to their parent code, like one more report
    for x, (child, parent) in enumerate(top.parent_links.tolist()):
        p_zero, p_flip = float(top.parent_p_zero[x]), float(top.parent_p_flip[x])
        action = []
        for j in range(m):
            u = float(d.parent_report[x, j])
            sent = int(old_codes[child, j])
            value = 0 if u < p_zero else (-sent if u < p_flip else sent)
            if value == 0:
                value = -1 if d.parent_action[x, j] < 0.5 else 1
            action.append(value)
        judge = real[top.code_unit_idx[parent]]
        score = sum(action[j] * int(judge[j]) for j in range(m))
        code_score = sum(int(old_codes[parent, j]) * int(judge[j]) for j in range(m))
        if score > code_score:
            for j in range(m):
                votes[parent, j] += action[j]

    # 3. code learning
    for c in range(top.n_codes):
        for j in range(m):
            majority, k = _sign(int(votes[c, j])), abs(int(votes[c, j]))
            differs = majority != 0 and majority != old_codes[c, j]
            if differs and d.code[c, j] < chance(dyn.p2, k):
                codes[c, j] = majority
    for x, (child, parent) in enumerate(top.parent_links.tolist()):  # toward the parent
        for j in range(m):
            target = int(old_codes[parent, j])
            if target != 0 and codes[child, j] != target and d.parent_social[x, j]:
                codes[child, j] += _sign(target - int(codes[child, j]))

    # 4. socialisation toward the start-of-step code
    for i, who in enumerate(top.reporters):
        code = old_codes[top.report_code[i]]
        for j in range(m):
            if code[j] != 0 and beliefs[who, j] != code[j] and d.social[i, j]:
                beliefs[who, j] += _sign(int(code[j]) - int(beliefs[who, j]))
    holders_know = [
        [any(state.know[h, u] for h in top.holders[c]) for u in range(top.units)]
        for c in range(top.n_codes)
    ]
    for i, who in enumerate(top.reporters):
        for u in range(top.units):
            if holders_know[top.report_code[i]][u] and d.news[i, u]:
                state.know[who, u] = True

    # 5. resources
    rec.coordination = min(dyn.budget, dyn.kappa * top.n_coordination)
    available = dyn.budget - rec.coordination
    funded = [i for i in range(top.posters.size) if top.poster_funded[i]]
    if top.n_owners and funded:
        share = available / len(funded)
        kept_total = 0.0
        for i in funded:
            kept = share * dyn.alpha ** top.poster_hops[i]
            state.budget[top.posters[i]] += kept
            kept_total += kept
        rec.lost = len(funded) * share - kept_total
        rec.landed = kept_total
    else:
        rec.stuck = available
    for who in top.posters:
        state.budget[who] += dyn.slack
        rec.landed += dyn.slack
    rec.budget_in = dyn.budget + dyn.slack * top.posters.size

    # 6. posting
    for i, who in enumerate(top.posters):
        if state.budget[who] < dyn.post_cost:
            continue
        spend = float(state.budget[who])
        state.budget[who] = 0.0
        unit = int(top.poster_unit[i]) if top.poster_unit[i] >= 0 else int(d.target[i])
        content = codes[top.poster_code[i]] if top.poster_code[i] >= 0 else beliefs[who]
        fidelity = sum(1 for j in range(m) if content[j] == real[unit, j]) / m
        auth = fidelity * dyn.voice ** top.voice_hops[i, unit]
        rec.posts += 1
        rec.authenticity_sum += auth
        rec.reach += spend / dyn.post_cost
        rec.engagement += spend / dyn.post_cost * auth
        rec.spent_on_posts += spend

    # 7. awareness
    for u in range(top.units):
        if d.renew[u] < dyn.initiative_rate:
            state.initiative[u] += 1
            for who in range(top.n):
                state.know[who, u] = top.unit[who] == u
    before = state.know.copy()
    ind, ptr = top.a_spread.indices, top.a_spread.indptr
    for who in range(top.n):
        for u in range(top.units):
            if before[who, u]:
                continue
            count = sum(1 for nb in ind[ptr[who] : ptr[who + 1]] if before[nb, u])
            if count and d.cascade[who, u] < np.float32(chance(dyn.beta, count)):
                state.know[who, u] = True
    cind, cptr = top.a_coord.indices, top.a_coord.indptr
    for x, who in enumerate(top.coordinators):
        known = [u for u in range(top.units) if before[who, u]]
        if len(known) > dyn.capacity:
            known = sorted(known, key=lambda u: d.forward_keys[x, u])[: dyn.capacity]
        for nb in cind[cptr[who] : cptr[who + 1]]:
            for u in known:
                state.know[nb, u] = True
    return rec
