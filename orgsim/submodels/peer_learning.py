"""Learning from colleagues (ODD 7.12; Miller, Zhao & Calantone 2006; Fang, Lee &
Schilling 2010): employees adopt what better-performing informal ties do.

Each week each employee, with chance ``peer_learning``, looks at their informal ties
(peer ties; not the reporting line). Everyone acts on their beliefs, a belief of 0
as a coin flip (as in March 1991), and a colleague's performance is how many
dimensions their actions get right minus wrong against the colleague's own unit's
reality: what the employee can see of the colleague's results. The colleagues who
outperform the employee (on the employee's own unit's reality) form the superior
group; on each dimension where the group's majority action differs from the
employee's belief, the employee adopts it (Fang, Lee & Schilling 2010 adopt the
superior majority). Everyone compares with everyone's actions at the start of the
rule (synchronously). Cross-unit ties (``informal_out``) link units, which are
otherwise semi-isolated subgroups: Fang et al. found moderate linking best for
long-run knowledge (scenarios/fang2010.toml).

With ``peer_learning = 0`` nothing is drawn and the week is as in model version 3.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from orgsim.submodels.base import ParamBlock, Submodel, Week, chances, parameter


class PeerLearningParams(ParamBlock):
    """How often people learn from their colleagues."""

    peer_learning: float = parameter(
        0.0,
        ge=0.0,
        le=1.0,
        meaning="chance an employee learns from better-performing informal ties in a week",
        source="Miller, Zhao & Calantone 2006; Fang, Lee & Schilling 2010 (their p_learn)",
    )


def _on(d: object) -> bool:
    return getattr(d, "peer_learning", 0.0) > 0.0


def _actions(w: Week) -> tuple[np.ndarray, np.ndarray]:
    """Everyone's actions (int8) and performance against their own unit's reality."""
    b = w.state.beliefs
    act = np.where(b != 0, b, np.where(w.draws.peer_coins, 1, -1).astype(np.int8))
    real = w.state.realities[w.top.unit_idx]
    perf = np.einsum("ij,ij->i", act, real, dtype=np.int64)
    return act, perf


def step(w: Week) -> None:
    """The learners' rows of the informal adjacency, weighted by superiority, times actions."""
    if not w.draws.peer.size:
        return
    learners = np.flatnonzero(w.draws.peer)
    if not learners.size:
        return
    act, _ = _actions(w)
    real = w.state.realities
    adj = w.top.a_informal
    sub = sp.csr_array(adj[learners])
    cols = sub.indices.astype(np.int64)
    # a colleague's results on their own unit against the learner's on the learner's
    mine = np.einsum("ij,ij->i", act[learners], real[w.top.unit_idx[learners]], dtype=np.int64)
    theirs = np.einsum("ij,ij->i", act[cols], real[w.top.unit_idx[cols]], dtype=np.int64)
    better = theirs > np.repeat(mine, np.diff(sub.indptr))
    weights = sp.csr_array((better.astype(np.int32), sub.indices, sub.indptr), shape=sub.shape)
    votes = weights @ act.astype(np.int32)
    majority = np.sign(votes).astype(np.int8)
    beliefs = w.state.beliefs[learners]
    change = (majority != 0) & (majority != beliefs)
    w.rec.peer_adoptions = int(change.sum())
    w.state.beliefs[learners] = np.where(change, majority, beliefs)


def reference(w: Week) -> None:
    """Learner by learner, colleague by colleague, dimension by dimension."""
    if not w.draws.peer.size:
        return
    top, beliefs, m = w.top, w.state.beliefs, w.top.m
    real = w.state.realities
    start = beliefs.copy()
    coins = w.draws.peer_coins

    def action(i: int, j: int) -> int:
        return int(start[i, j]) if start[i, j] != 0 else (1 if coins[i, j] else -1)

    def score(i: int, unit_row: int) -> int:
        return sum(action(i, j) * int(real[unit_row, j]) for j in range(m))

    adj = top.a_informal
    adopted = 0
    for i in range(top.n):
        if not w.draws.peer[i]:
            continue
        mine = score(i, int(top.unit_idx[i]))
        votes = [0] * m
        for k in range(adj.indptr[i], adj.indptr[i + 1]):
            c = int(adj.indices[k])
            if score(c, int(top.unit_idx[c])) > mine:
                for j in range(m):
                    votes[j] += action(c, j)
        for j in range(m):
            majority = (votes[j] > 0) - (votes[j] < 0)
            if majority != 0 and majority != start[i, j]:
                beliefs[i, j] = majority
                adopted += 1
    w.rec.peer_adoptions = adopted


SUBMODEL = Submodel(
    name="peer_learning",
    meaning="with chance peer_learning, adopt the majority action of better-performing peers",
    params=PeerLearningParams,
    draws=(
        chances(
            "peer",
            lambda t, d: (t.n if _on(d) else 0,),
            lambda d: d.peer_learning,
            "peer_learning",
            stream="main",
        ),
        chances(
            "peer_coins",
            lambda t, d: (t.n if _on(d) else 0, t.m),
            lambda d: 0.5,
            "1/2: the coin a belief of 0 acts on",
        ),
    ),
    step=step,
    reference=reference,
    records={"peer_adoptions": (0, "belief dimensions adopted from colleagues this week")},
    odd="7.12",
)
