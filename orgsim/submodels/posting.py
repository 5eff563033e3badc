"""Posting (ODD 7.7, 7.13): posters publish; money buys reach.

Without time (``State.hours is None``): a poster holding at least the post cost
posts and spends all it holds; reach = spend / post cost.

With time (ODD 7.13): a poster first answers the comments on last week's post
(``State.replies`` hours owed, as much as its hours allow; the rest go unanswered),
then posts if ``post_hours`` still fit -- at most one post a week. A post needs no
money: an unfunded post has reach 1 (organic); money held buys reach,
reach = 1 + spend / post cost, with spend = min(money held, ``spend_cap`` post
costs) -- what is not spent stays with the poster. A poster without the time does
not post: the post waits (money stays; ``posts_waiting`` counts those holding at
least a post cost). A post owes ``reply_hours`` x its engagement (reach x
authenticity) of replies next week. Posting frequency then follows each poster's
hours, not the accumulation of slack (no 20-week sawtooth).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from orgsim.submodels.base import (
    MAX_MONEY,
    ParamBlock,
    Submodel,
    Week,
    integers,
    parameter,
    plan,
)

if TYPE_CHECKING:
    from orgsim.dynamics import Topology


class PostingParams(ParamBlock):
    """What a post costs and how much voice survives the distance to the frontline."""

    post_cost: float = parameter(
        1.0,
        ge=1e-6,
        le=MAX_MONEY,
        meaning="cost of one post; spend beyond it buys reach",
        source="unit of budget",
    )
    voice: float = parameter(
        0.8,
        ge=0.0,
        le=1.0,
        symbol="v",
        meaning="voice kept per formal hop from the frontline",
        source="judgement",
    )


def true_per_row(mask: np.ndarray) -> np.ndarray:
    """How many entries of each row of a bool array are true (int64), as one float32
    product with a ones vector (exact up to 2^24 columns): ``mask.sum(axis=1)`` with
    short rows is a slow reduction (a post's fidelity).

    >>> true_per_row(np.array([[True] * 9 + [False], [False] * 10])).tolist()
    [9, 0]
    """
    ones = np.ones(mask.shape[1], dtype=np.float32)
    return (mask.astype(np.float32) @ ones).astype(np.int64)


def _fidelity(mask: np.ndarray, ones: np.ndarray) -> np.ndarray:
    """The share of true entries per row (float64): :func:`true_per_row` / row length,
    the counts exact in float32 products (half the memory of float64)."""
    return np.divide(mask.astype(np.float32) @ ones, mask.shape[1], dtype=np.float64)


class _Posters(NamedTuple):
    """The posters, as every week needs them (:func:`_posters`)."""

    voice: np.ndarray  # voice ** voice_hops, posters x units, flat
    fixed_unit: bool  # every poster addresses its own unit (no random target)
    any_code: bool  # some poster speaks for a code
    ones: np.ndarray  # m ones, float32 (fidelity counts)


def _posters(top: Topology, voice: float) -> _Posters:
    def build() -> _Posters:
        return _Posters(
            (voice**top.voice_hops).ravel(),
            bool((top.poster_unit >= 0).all()),
            bool((top.poster_code >= 0).any()),
            np.ones(top.m, dtype=np.float32),
        )

    return plan(top, ("posting", voice), build)


def _posted(w: Week) -> None:
    """Start the week's ``State.posted`` (who published this week) with nobody."""
    if w.state.posted is None:
        w.state.posted = np.zeros(w.top.n, dtype=bool)
    w.state.posted[:] = False


def _authors(w: Week) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Time on: replies first, then a post if ``post_hours`` still fit; the posters'
    hours gathered once and written back once. Returns the authors (positions in
    ``posters``), their spend, and the posters' replies owed (to be completed)."""
    top, st, dyn, rec = w.top, w.state, w.dyn, w.rec
    posters = top.posters
    assert st.hours is not None
    _posted(w)
    if st.replies is None:
        st.replies = np.zeros(top.n)
    left = st.hours[posters]
    owed = st.replies[posters]
    due = np.flatnonzero(owed > 0.0)
    if due.size:  # answer last week's comments as the hours allow
        give = np.minimum(left, owed)  # 0 where nothing is owed (owed >= 0)
        left -= give
        give = give[due]
        rec.hours_replying = float(give.sum())
        rec.replies_unanswered = float((owed[due] - give).sum())
        owed[due] = 0.0
    has_time = left >= dyn.post_hours
    left -= np.multiply(has_time, dyn.post_hours)  # minus post_hours or minus 0.0 (exact)
    st.hours[posters] = left
    held = st.budget[posters]
    rec.posts_waiting = int(np.count_nonzero((held >= dyn.post_cost) > has_time))  # and not
    idx = np.flatnonzero(has_time)
    held = held[idx]
    spend = np.minimum(held, dyn.spend_cap * dyn.post_cost)
    st.budget[posters[idx]] = held - spend
    return idx, spend, owed


def step(w: Week) -> None:
    """Authors, addressed units, fidelity x voice, reach = spend / post cost
    (time on: replies first, then the posters whose hours fit a post)."""
    top, st, dyn, rec = w.top, w.state, w.dyn, w.rec
    timed = st.hours is not None
    owed = None
    if timed:
        idx, spend, owed = _authors(w)
        authors = top.posters[idx]
    else:
        idx = np.flatnonzero(st.budget[top.posters] >= dyn.post_cost)
        authors = top.posters[idx]
        spend = st.budget[authors]
        st.budget[authors] = 0.0
    if idx.size:
        p = _posters(top, dyn.voice)
        unit = top.poster_unit[idx]
        if not p.fixed_unit:
            unit = np.where(unit >= 0, unit, w.draws.target[idx])
        content = np.take(st.beliefs, authors, axis=0)  # rows: 3x faster than beliefs[authors]
        if p.any_code:
            pcode = top.poster_code[idx]
            speaks_code = pcode >= 0
            content[speaks_code] = st.codes[pcode[speaks_code]]
        real = np.multiply(st.unit_sign, st.reality)  # State.realities, without its copy
        fidelity = _fidelity(content == np.take(real, unit, axis=0), p.ones)
        at = idx * top.units
        at += unit
        auth = fidelity * p.voice.take(at)  # voice ** hops[idx, unit]: a flat take is 3x faster
        reach = spend / dyn.post_cost + (1.0 if timed else 0.0)
    if owed is not None:
        assert st.replies is not None and st.posted is not None
        if idx.size:
            owed[idx] = dyn.reply_hours * reach * auth
            st.posted[authors] = True
        st.replies[top.posters] = owed
    if not idx.size:
        return
    rec.posts = int(idx.size)
    rec.authenticity_sum = float(auth.sum())
    rec.reach = float(reach.sum())
    rec.engagement = float((reach * auth).sum())
    rec.spent_on_posts = float(spend.sum())


def reference(w: Week) -> None:
    """Poster by poster."""
    top, st, dyn, rec, m = w.top, w.state, w.dyn, w.rec, w.top.m
    real = st.realities
    timed = st.hours is not None
    if timed and st.replies is None:
        st.replies = np.zeros(top.n)
    if timed:
        _posted(w)
    for i, who in enumerate(top.posters):
        if timed:
            assert st.hours is not None and st.replies is not None
            owed = float(st.replies[who])
            if owed > 0.0:
                give = min(float(st.hours[who]), owed)
                w.take_hours(np.array([who]), give)
                rec.hours_replying += give
                rec.replies_unanswered += owed - give
                st.replies[who] = 0.0
            if not w.take_hours(np.array([who]), dyn.post_hours)[0]:
                rec.posts_waiting += int(st.budget[who] >= dyn.post_cost)
                continue
            spend = min(float(st.budget[who]), dyn.spend_cap * dyn.post_cost)
            st.budget[who] -= spend
        else:
            if st.budget[who] < dyn.post_cost:
                continue
            spend = float(st.budget[who])
            st.budget[who] = 0.0
        unit = int(top.poster_unit[i]) if top.poster_unit[i] >= 0 else int(w.draws.target[i])
        content = st.codes[top.poster_code[i]] if top.poster_code[i] >= 0 else st.beliefs[who]
        fidelity = sum(1 for j in range(m) if content[j] == real[unit, j]) / m
        auth = fidelity * dyn.voice ** top.voice_hops[i, unit]
        reach = spend / dyn.post_cost + (1.0 if timed else 0.0)
        if timed:
            assert st.replies is not None and st.posted is not None
            st.replies[who] = dyn.reply_hours * reach * auth
            st.posted[who] = True
        rec.posts += 1
        rec.authenticity_sum += auth
        rec.reach += reach
        rec.engagement += reach * auth
        rec.spent_on_posts += spend


SUBMODEL = Submodel(
    name="posting",
    meaning="posters holding the post cost publish, spending all they hold "
    "(time on: posters with post_hours left publish; money buys reach); "
    "authenticity = fidelity x voice",
    params=PostingParams,
    draws=(
        integers(
            "target", lambda t, d: (t.posters.size,), lambda t: t.units, "unit, for HQ posters"
        ),
    ),
    step=step,
    reference=reference,
    records={
        "posts": (0, "posts published"),
        "authenticity_sum": (0.0, "sum of the posts' authenticity"),
        "reach": (0.0, "sum of the posts' reach (spend / post cost)"),
        "engagement": (0.0, "sum of reach x authenticity"),
        "spent_on_posts": (0.0, "budget spent on posts"),
        "posts_waiting": (0, "posters holding a post cost who had no time to post (time on)"),
        "hours_replying": (0.0, "hours posters spent replying to last week's comments"),
        "replies_unanswered": (0.0, "hours of replies owed that did not fit (time on)"),
    },
    odd="7.7",
)
