"""Resources (ODD 7.7): the budget pays coordination, then flows to the posters."""

from __future__ import annotations

from orgsim.submodels.base import MAX_MONEY, ParamBlock, Submodel, Week, parameter


class ResourceParams(ParamBlock):
    """The budget and what it costs to move it."""

    budget: float = parameter(
        10.0,
        ge=0.0,
        le=MAX_MONEY,
        symbol="B",
        meaning="budget entering at the budget owners per step",
        source="unit choice: 10 posts' worth a week",
    )
    alpha: float = parameter(
        0.85,
        ge=0.0,
        le=1.0,
        symbol="alpha",
        meaning="share of budget kept per hop",
        source="judgement; control loss (Williamson 1967)",
    )
    kappa: float = parameter(
        0.25,
        ge=0.0,
        le=MAX_MONEY,
        symbol="kappa",
        meaning="cost of one coordination tie per step",
        source="judgement: a coordination tie costs a quarter of a post a week",
    )
    slack: float = parameter(
        0.05,
        ge=0.0,
        le=MAX_MONEY,
        symbol="sigma",
        meaning="slack time per poster per step",
        source="judgement: a poster's own time, a post every 20 weeks",
    )


def step(w: Week) -> None:
    """Coordination first; the rest pooled over the funded posters, alpha^hops kept."""
    top, st, dyn, rec = w.top, w.state, w.dyn, w.rec
    rec.coordination = min(dyn.budget, dyn.kappa * top.n_coordination)
    available = dyn.budget - rec.coordination
    funded = top.poster_funded
    n_funded = int(funded.sum())
    if top.n_owners and n_funded:
        share = available / n_funded
        kept = share * dyn.alpha ** top.poster_hops[funded]
        st.budget[top.posters[funded]] += kept
        rec.lost = float(n_funded * share - kept.sum())
        rec.landed = float(kept.sum())
    else:
        rec.stuck = available
    st.budget[top.posters] += dyn.slack
    rec.landed += dyn.slack * top.posters.size
    rec.budget_in = dyn.budget + dyn.slack * top.posters.size


def reference(w: Week) -> None:
    """Poster by poster."""
    top, st, dyn, rec = w.top, w.state, w.dyn, w.rec
    rec.coordination = min(dyn.budget, dyn.kappa * top.n_coordination)
    available = dyn.budget - rec.coordination
    funded = [i for i in range(top.posters.size) if top.poster_funded[i]]
    if top.n_owners and funded:
        share = available / len(funded)
        kept_total = 0.0
        for i in funded:
            kept = share * dyn.alpha ** top.poster_hops[i]
            st.budget[top.posters[i]] += kept
            kept_total += kept
        rec.lost = len(funded) * share - kept_total
        rec.landed = kept_total
    else:
        rec.stuck = available
    for who in top.posters:
        st.budget[who] += dyn.slack
        rec.landed += dyn.slack
    rec.budget_in = dyn.budget + dyn.slack * top.posters.size


SUBMODEL = Submodel(
    name="resources",
    meaning="the budget pays coordination ties, then flows from owners to posters, "
    "losing a share per hop; posters get slack",
    params=ResourceParams,
    draws=(),
    step=step,
    reference=reference,
    records={
        "budget_in": (0.0, "budget entering this step (B + slack)"),
        "landed": (0.0, "budget that reached posters this step (it funds their posts)"),
        "stuck": (0.0, "budget with no owner or no funded poster to go to"),
        "lost": (0.0, "budget lost on the way (1 - alpha per hop)"),
        "coordination": (0.0, "budget spent on coordination ties"),
    },
    odd="7.7",
)
