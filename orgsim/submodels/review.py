"""Review (ODD 7.14): the budget owners keep a record of each poster's recent engagement.

Runs after posting, only with ``allocation = "performance"`` (otherwise nothing happens
and nothing is kept). A poster's engagement this week is what its post reached times
its authenticity, in the posting rule's terms (the test checks they sum to the week's
``engagement``): without time (ODD 7.7) the authors are the posters who spent, reach =
spent / post cost, authenticity = fidelity x voice; with time (ODD 7.13) every post
owes ``reply_hours`` x its engagement of replies, so the owners read a post's
engagement off the replies it draws (``State.replies`` / ``reply_hours``: organic,
unfunded posts count too; with ``reply_hours`` 0 only funded posts are seen, with reach
1 + spent / post cost).
The record is an exponentially weighted mean, ``performance <- memory x performance +
(1 - memory) x engagement``; the next week's ``"performance"`` allocation shares the
money by it (:mod:`orgsim.submodels.resources`): a feedback loop, since money buys
reach and reach is engagement.

Core objects
------------
ReviewParams
    How long the owners remember.
step, reference
    The vectorised and the poster-by-poster kernels.
"""

from __future__ import annotations

import numpy as np

from orgsim.submodels.base import ParamBlock, Submodel, Week, parameter


class ReviewParams(ParamBlock):
    """The owners' memory of engagement."""

    performance_memory: float = parameter(
        0.8,
        ge=0.0,
        le=0.999,
        meaning="'performance': weight of the past in each poster's engagement record "
        "(exponentially weighted; 0: last week only)",
        source="judgement: a half-life of about 3 weeks, a monthly review",
    )


def _reviewed(w: Week) -> bool:
    """The performance allocation is on and resources handed over what was held."""
    return (
        w.dyn.allocation == "performance"
        and w.carry.get("held") is not None
        and w.state.performance is not None
    )


def _spent(w: Week) -> np.ndarray | None:
    if not _reviewed(w):
        return None
    return np.maximum(w.carry["held"] - w.state.budget[w.top.posters], 0.0)


def _from_replies(w: Week) -> bool:
    """Time modelled, and posts draw replies: their engagement can be read off them."""
    return (
        w.state.hours is not None
        and w.state.replies is not None
        and getattr(w.dyn, "reply_hours", 0.0) > 0.0
    )


def _organic(w: Week) -> float:
    """Reach of a post beyond what its spend buys: 1 with time modelled (ODD 7.13)."""
    return 1.0 if w.state.hours is not None else 0.0


def step(w: Week) -> None:
    """Engagement of this week's posts, into their authors' records."""
    if not _reviewed(w):
        return
    top, st, dyn = w.top, w.state, w.dyn
    assert st.performance is not None
    if _from_replies(w):  # the spend is not needed: the replies owed say it all
        assert st.replies is not None
        engagement = st.replies[top.posters] / dyn.reply_hours
    else:
        spent = _spent(w)
        assert spent is not None
        engagement = np.zeros(top.posters.size)
        idx = np.flatnonzero(spent > 0.0)
        if idx.size:
            authors = top.posters[idx]
            unit = np.where(top.poster_unit[idx] >= 0, top.poster_unit[idx], w.draws.target[idx])
            pcode = top.poster_code[idx]
            content = st.beliefs[authors]
            speaks = pcode >= 0
            if speaks.any():
                content[speaks] = st.codes[pcode[speaks]]
            fidelity = (content == st.realities[unit]).mean(axis=1)
            auth = fidelity * dyn.voice ** top.voice_hops[idx, unit]
            engagement[idx] = (spent[idx] / dyn.post_cost + _organic(w)) * auth
    m = dyn.performance_memory
    st.performance[top.posters] = m * st.performance[top.posters] + (1.0 - m) * engagement
    w.rec.reviewed_engagement = float(engagement.sum())


def reference(w: Week) -> None:
    """Poster by poster."""
    spent = _spent(w)
    if spent is None:
        return
    top, st, dyn = w.top, w.state, w.dyn
    assert st.performance is not None
    real = st.realities
    m = dyn.performance_memory
    total = 0.0
    replies = _from_replies(w)
    for i, who in enumerate(top.posters):
        engagement = 0.0
        if replies:
            assert st.replies is not None
            engagement = float(st.replies[who]) / dyn.reply_hours
        elif spent[i] > 0.0:
            unit = int(top.poster_unit[i]) if top.poster_unit[i] >= 0 else int(w.draws.target[i])
            content = st.codes[top.poster_code[i]] if top.poster_code[i] >= 0 else st.beliefs[who]
            fidelity = sum(1 for j in range(top.m) if content[j] == real[unit, j]) / top.m
            auth = fidelity * dyn.voice ** top.voice_hops[i, unit]
            engagement = (spent[i] / dyn.post_cost + _organic(w)) * auth
        st.performance[who] = m * st.performance[who] + (1.0 - m) * engagement
        total += engagement
    w.rec.reviewed_engagement = total


SUBMODEL = Submodel(
    name="review",
    meaning="with performance allocation, owners record each poster's engagement "
    "(exponentially weighted) for next week's shares",
    params=ReviewParams,
    draws=(),
    step=step,
    reference=reference,
    records={
        "reviewed_engagement": (0.0, "engagement the owners recorded this week"),
    },
    odd="7.14",
)
