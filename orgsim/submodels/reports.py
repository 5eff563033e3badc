"""Reports (ODD 7.4): beliefs travel up to the nearest code holder, serially reproduced.

Each member of a code's domain sends its beliefs; every hop may omit (omega) or flip
(phi) a dimension, in closed form (:func:`distortion_thresholds`). A code processes at
most K x holders reports a step, a uniformly random subset (:func:`pick_reports`).
(News of initiatives travels along the same paths, one tie a week:
:mod:`orgsim.submodels.code_news`.)

Hands on ``carry["votes"]`` (int64, codes x m): per code, the sum of the actions of
the superior processed reports (a report's action is its content with each 0 a coin
flip; it is superior when it scores higher than the start-of-week code against the
reporter's unit reality). Code learning (:mod:`orgsim.submodels.code_learning`)
turns these votes into code changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from orgsim.submodels.base import Draw, ParamBlock, Submodel, Week, parameter, uniform

if TYPE_CHECKING:
    from orgsim.dynamics import Topology

CAPACITY: Any = parameter(
    25,
    ge=1,
    le=100_000_000,
    symbol="K",
    meaning="reports a code holder processes (and items it forwards) per step",
    source="judgement; limited-capacity processors (Radner 1993)",
)


class ReportParams(ParamBlock):
    """Loss on the way up, and the holders' capacity."""

    omission: float = parameter(
        0.05,
        ge=0.0,
        le=1.0,
        symbol="omega",
        meaning="chance a report hop omits a dimension",
        source="judgement; serial reproduction (Bartlett 1932), Schilling & Fang 2014",
    )
    distortion: float = parameter(
        0.02,
        ge=0.0,
        le=1.0,
        symbol="phi",
        meaning="chance a report hop flips a dimension",
        source="judgement; as omission",
    )
    capacity: int = CAPACITY

    def model_post_init(self, __context: Any) -> None:
        if self.omission + self.distortion > 1.0:
            raise ValueError("omission + distortion must be <= 1")


def _distortion(h: float, omission: float, flip: float) -> tuple[float, float]:
    keep = (1.0 - omission) ** h
    q = flip / (1.0 - omission) if omission < 1.0 else 0.0
    odd = (1.0 - (1.0 - 2.0 * q) ** h) / 2.0
    p_zero = 1.0 - keep
    return p_zero, p_zero + keep * odd


def distortion_thresholds(
    hops: np.ndarray | float, omission: float, flip: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per report, the chance that a dimension arrives as 0, and as 0 or flipped, after ``hops``.

    Each hop omits a dimension with probability ``omission`` (0 stays 0) or flips it
    with probability ``flip``; over h hops this is, in closed form,
    P(0) = 1 - (1 - omission)^h and P(flipped) = (1 - P(0)) (1 - (1 - 2q)^h) / 2 with
    q = flip / (1 - omission). One uniform u per dimension then decides: 0 if
    u < P(0), flipped if u < P(0) + P(flipped). Computed per distinct hop count with
    scalar arithmetic, so a scalar call gives bit-identical values.

    >>> z, f = distortion_thresholds(np.array([0.0, 1.0, 1.0]), 0.1, 0.05)
    >>> z.tolist(), [round(x, 12) for x in f.tolist()]
    ([0.0, 0.09999999999999998, 0.09999999999999998], [0.0, 0.15, 0.15])
    """
    h = np.asarray(hops, dtype=np.float64)
    values, inverse = np.unique(h, return_inverse=True)
    table = np.array([_distortion(float(v), omission, flip) for v in values]).reshape(-1, 2)
    return table[inverse, 0].reshape(h.shape), table[inverse, 1].reshape(h.shape)


def pick_reports(top: Topology, rng: np.random.Generator) -> np.ndarray:
    """Positions in ``top.reporters`` of the reports processed this step, by code then index.

    A code whose holders receive more than K x holders reports processes a uniformly
    random K x holders of them; the rest are dropped (limited-capacity processors,
    Radner 1993).
    """
    chosen = []
    for c in range(top.n_codes):
        mine = top.code_reporters[c]
        k = int(top.processed[c])
        if k < mine.size:
            mine = mine[np.sort(rng.choice(mine.size, size=k, replace=False, shuffle=False))]
        chosen.append(mine)
    return np.concatenate(chosen) if chosen else np.empty(0, dtype=np.int64)


def _processed(t: Topology) -> int:
    return int(t.processed.sum())


def _record(w: Week) -> None:
    w.rec.reports = int(w.top.reporters.size)
    w.rec.capacity = int(sum(h.size for h in w.top.holders) * w.dyn.capacity)


def step(w: Week) -> None:
    """Reports of the picked reporters: content, actions, superior votes."""
    top, st, d = w.top, w.state, w.draws
    _record(w)
    sel = d.picked
    who = top.reporters[sel]
    code_of = top.report_code[sel]
    sent = st.beliefs[who]
    u = d.report
    p_zero, p_flip = top.report_p_zero[sel, None], top.report_p_flip[sel, None]
    content = np.where(u < p_zero, 0, np.where(u < p_flip, -sent, sent)).astype(np.int8)
    actions = np.where(content == 0, np.where(d.action < 0.5, -1, 1), content).astype(np.int64)
    votes = np.zeros((top.n_codes, top.m), dtype=np.int64)
    if top.n_codes:
        judge = st.realities[top.unit_idx[who]].astype(np.int64)
        score = np.einsum("ij,ij->i", actions, judge)
        code_score = np.einsum("ij,ij->i", w.codes_before[code_of].astype(np.int64), judge)
        superior = score > code_score
        np.add.at(votes, code_of[superior], actions[superior])
    w.carry["votes"] = votes


def reference(w: Week) -> None:
    """Report by report, hop by hop in closed form."""
    top, st, d, m = w.top, w.state, w.draws, w.top.m
    _record(w)
    real, beliefs = st.realities, st.beliefs
    votes = np.zeros((top.n_codes, m), dtype=np.int64)
    for row, pos in enumerate(d.picked):  # the reports the holders get to (drawn)
        who, c, h = top.reporters[pos], top.report_code[pos], top.report_hops[pos]
        p_zero, p_flip = (
            float(x) for x in distortion_thresholds(h, w.dyn.omission, w.dyn.distortion)
        )
        action = []
        for j in range(m):
            u = float(d.report[row, j])  # compared in float64, as the vectorised step does
            value = 0 if u < p_zero else (-beliefs[who, j] if u < p_flip else beliefs[who, j])
            if value == 0:
                value = -1 if d.action[row, j] < 0.5 else 1
            action.append(int(value))
        judge = real[top.unit_idx[who]]
        score = sum(action[j] * int(judge[j]) for j in range(m))
        code_score = sum(int(w.codes_before[c, j]) * int(judge[j]) for j in range(m))
        if score > code_score:  # the superior group votes
            for j in range(m):
                votes[c, j] += action[j]
    w.carry["votes"] = votes


SUBMODEL = Submodel(
    name="reports",
    meaning="reports go up to the nearest code holder, losing and flipping dimensions per hop",
    params=ReportParams,
    draws=(
        Draw(
            "picked",
            lambda t, d: (_processed(t),),
            "int: positions of the processed reports; per code a uniformly random "
            "K x holders of its domain, without replacement",
            lambda g, s, t, d: pick_reports(t, g),
        ),
        uniform("report", lambda t, d: (_processed(t), t.m), np.float32),
        uniform("action", lambda t, d: (_processed(t), t.m), np.float32),
    ),
    step=step,
    reference=reference,
    records={
        "reports": (0, "members of a code's domain (reports sent)"),
        "capacity": (0, "reports the holders can process (K x holders)"),
    },
    odd="7.4",
)
