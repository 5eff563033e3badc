"""Posting (ODD 7.7): posters who can afford a post publish and spend all they hold."""

from __future__ import annotations

import numpy as np

from orgsim.submodels.base import MAX_MONEY, ParamBlock, Submodel, Week, integers, parameter


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


def step(w: Week) -> None:
    """Authors, addressed units, fidelity x voice, reach = spend / post cost."""
    top, st, dyn, rec = w.top, w.state, w.dyn, w.rec
    can = st.budget[top.posters] >= dyn.post_cost
    idx = np.flatnonzero(can)
    if not idx.size:
        return
    authors = top.posters[idx]
    spend = st.budget[authors].copy()
    st.budget[authors] = 0.0
    unit = np.where(top.poster_unit[idx] >= 0, top.poster_unit[idx], w.draws.target[idx])
    pcode = top.poster_code[idx]
    content = st.beliefs[authors]
    speaks_code = pcode >= 0
    if speaks_code.any():
        content[speaks_code] = st.codes[pcode[speaks_code]]
    fidelity = (content == st.realities[unit]).mean(axis=1)
    auth = fidelity * dyn.voice ** top.voice_hops[idx, unit]
    reach = spend / dyn.post_cost
    rec.posts = int(idx.size)
    rec.authenticity_sum = float(auth.sum())
    rec.reach = float(reach.sum())
    rec.engagement = float((reach * auth).sum())
    rec.spent_on_posts = float(spend.sum())


def reference(w: Week) -> None:
    """Poster by poster."""
    top, st, dyn, rec, m = w.top, w.state, w.dyn, w.rec, w.top.m
    real = st.realities
    for i, who in enumerate(top.posters):
        if st.budget[who] < dyn.post_cost:
            continue
        spend = float(st.budget[who])
        st.budget[who] = 0.0
        unit = int(top.poster_unit[i]) if top.poster_unit[i] >= 0 else int(w.draws.target[i])
        content = st.codes[top.poster_code[i]] if top.poster_code[i] >= 0 else st.beliefs[who]
        fidelity = sum(1 for j in range(m) if content[j] == real[unit, j]) / m
        auth = fidelity * dyn.voice ** top.voice_hops[i, unit]
        rec.posts += 1
        rec.authenticity_sum += auth
        rec.reach += spend / dyn.post_cost
        rec.engagement += spend / dyn.post_cost * auth
        rec.spent_on_posts += spend


SUBMODEL = Submodel(
    name="posting",
    meaning="posters holding the post cost publish, spending all they hold; "
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
    },
    odd="7.7",
)
