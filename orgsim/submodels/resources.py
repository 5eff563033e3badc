"""Resources (ODD 7.7, 7.14): the budget pays coordination, then flows from the owners to
the posters, losing a share per hop.

Today's rule (ODD 7.7, every parameter of the budget process at its off value): the week's
budget B and nothing else is shared equally over the funded posters; nothing is held back,
nothing lapses. The budget as a process (ODD 7.14, issue 11 item 2) adds, each switched
on by its own parameter:

- an **allocation** rule (``allocation``): ``"equal"`` (model version 7's), ``"performance"``
  (shares follow each poster's record of recent engagement, kept by
  :mod:`orgsim.submodels.review`, above a floor) or ``"request"`` (posters ask for what
  tops them up to ``request_posts`` posts' worth; waiting requests first);
- **approvals** that cost the approving owner ``approval_hours`` each
  (:meth:`~orgsim.submodels.base.Week.take_hours`); grants that do not fit wait and are
  approved first next week, the money staying with the owners;
- **carry-over** caps: the owners keep at most ``carry_over`` weeks' budget, a poster at
  most ``poster_cap`` posts' worth; the rest lapses (use it or lose it).

Coordination is charged per coordination tie that met this week (``w.carry["met"]``,
written by the meetings rule when time is modelled; every tie otherwise).

Core objects
------------
ResourceParams
    The budget, the losses on the way, and the budget process's switches.
process_on
    Whether any part of the budget process is switched on (else model version 7's rule runs).
grants_that_fit
    How many grants of ``approval_hours`` each an owner's hours allow.
step, reference
    The vectorised and the owner-by-owner, poster-by-poster kernels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, NamedTuple

import numpy as np

from orgsim.submodels import base
from orgsim.submodels.base import (
    MAX_HOURS,
    MAX_MONEY,
    ParamBlock,
    Submodel,
    Week,
    parameter,
    plan,
)

if TYPE_CHECKING:
    from orgsim.dynamics import Topology
    from orgsim.params import DynamicsParams

NO_CAP = 1e6  # carry-over caps at this value never bind: nothing lapses (model version 7's rule)
Allocation = Literal["equal", "performance", "request"]


class ResourceParams(ParamBlock):
    """The budget, what it costs to move it, and how the owners hand it out."""

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
        meaning="cost of one coordination tie per step (per tie that met, when time is modelled)",
        source="judgement: a coordination tie costs a quarter of a post a week",
    )
    slack: float = parameter(
        0.0,
        ge=0.0,
        le=MAX_MONEY,
        symbol="sigma",
        meaning="slack time per poster per step",
        source="0 since model version 8: a poster's own time is modelled in hours "
        "(time_limits); 0.05 (a post every 20 weeks) without time, as until version 7",
    )
    allocation: Allocation = parameter(
        "performance",
        meaning="how the owners share the money out: 'equal' (model version 7's), 'performance' "
        "(by recent engagement, above a floor) or 'request' (what posters ask for)",
        source="issue 11 item 2; incremental budgeting (Wildavsky 1964) vs performance-"
        "based budgeting (Robinson & Brumby 2005)",
    )
    performance_floor: float = parameter(
        0.2,
        ge=0.0,
        le=1.0,
        meaning="'performance': share of the money shared equally whatever the record "
        "(so a poster without engagement still gets some)",
        source="judgement: a fifth kept as a base allocation",
    )
    request_posts: float = parameter(
        1.0,
        ge=0.0,
        le=NO_CAP,
        meaning="'request': posts' worth a poster asks to hold (asks for the rest)",
        source="judgement: enough for the one post a week a poster may publish",
    )
    approval_hours: float = parameter(
        0.25,
        ge=0.0,
        le=MAX_HOURS,
        meaning="owner hours one grant takes to approve (0: approvals take no time)",
        source="judgement: ~0.25 h to check and sign a small media spend",
    )
    carry_over: float = parameter(
        1.0,
        ge=0.0,
        le=NO_CAP,
        meaning="weeks' budget the owners may carry into the next week; the rest lapses "
        "(1e6: no cap)",
        source="public budgeting: unspent appropriations lapse at year end, carry-forward "
        "capped (e.g. UK Budget Exchange, a small share of the budget)",
    )
    poster_cap: float = parameter(
        3.0,
        ge=1.0,
        le=NO_CAP,
        meaning="posts' worth a poster may hold; what arrives beyond it lapses (1e6: no cap)",
        source="judgement: use-it-or-lose-it media budgets",
    )


def process_on(dyn: DynamicsParams) -> bool:
    """Whether any part of the budget process is on (else model version 7's rule, bit for bit)."""
    return (
        dyn.allocation != "equal"
        or dyn.approval_hours > 0.0
        or dyn.carry_over < NO_CAP
        or dyn.poster_cap < NO_CAP
    )


def grants_that_fit(hours: np.ndarray | float, need: float, wanted: np.ndarray | int) -> np.ndarray:
    """How many grants of ``need`` hours each fit in ``hours`` (at most ``wanted``),
    such that ``grants * need <= hours`` holds in floating point too."""
    hours = np.asarray(hours, dtype=np.float64)
    k = np.minimum(np.asarray(wanted), np.floor(hours / need)).astype(np.int64)
    k = np.where(k * need > hours, k - 1, k)
    return np.maximum(k, 0)


def _met(w: Week) -> int:
    """Coordination ties that met this week (all of them when meetings are not modelled)."""
    met = w.carry.get("met")
    return w.top.n_coordination if met is None else int(np.count_nonzero(met))


def _open_accounts(w: Week) -> None:
    """The budget process's state, created (empty) the first week it runs."""
    st, n = w.state, w.top.n
    if st.pool is None:
        st.pool = np.zeros(1)
    if st.waiting is None:
        st.waiting = np.zeros(n, dtype=bool)
    if st.performance is None:
        st.performance = np.zeros(n)


def _today(w: Week, n_met: int) -> None:
    """ODD 7.7: coordination first; the rest pooled over the funded posters."""
    top, st, dyn, rec = w.top, w.state, w.dyn, w.rec
    rec.coordination = min(dyn.budget, dyn.kappa * n_met)
    available = dyn.budget - rec.coordination
    funded = top.poster_funded
    n_funded = int(funded.sum())
    if top.n_owners and n_funded:
        share = available / n_funded
        kept = share * dyn.alpha ** top.poster_hops[funded]
        st.budget[top.posters[funded]] += kept
        rec.lost = float(n_funded * share - kept.sum())
        rec.landed = float(kept.sum())
        rec.allocated = rec.granted = float(available)
        rec.granted_hops = float((share * top.poster_hops[funded]).sum())
    else:
        rec.stuck = available
    st.budget[top.posters] += dyn.slack
    rec.landed += dyn.slack * top.posters.size
    rec.budget_in = dyn.budget + dyn.slack * top.posters.size
    rec.outflow = rec.budget_in


def _today_reference(w: Week, n_met: int) -> None:
    """ODD 7.7, poster by poster."""
    top, st, dyn, rec = w.top, w.state, w.dyn, w.rec
    rec.coordination = min(dyn.budget, dyn.kappa * n_met)
    available = dyn.budget - rec.coordination
    funded = [i for i in range(top.posters.size) if top.poster_funded[i]]
    if top.n_owners and funded:
        share = available / len(funded)
        kept_total = hops_total = 0.0
        for i in funded:
            kept = share * dyn.alpha ** top.poster_hops[i]
            st.budget[top.posters[i]] += kept
            kept_total += kept
            hops_total += share * top.poster_hops[i]
        rec.lost = len(funded) * share - kept_total
        rec.landed = kept_total
        rec.allocated = rec.granted = available
        rec.granted_hops = hops_total
    else:
        rec.stuck = available
    for who in top.posters:
        st.budget[who] += dyn.slack
        rec.landed += dyn.slack
    rec.budget_in = dyn.budget + dyn.slack * top.posters.size
    rec.outflow = rec.budget_in


# -- the budget process (ODD 7.14), vectorised ---------------------------------------------


class _Funded(NamedTuple):
    """The funded posters, as every week needs them (:func:`_funded`)."""

    pos: np.ndarray  # positions in Topology.posters
    who: np.ndarray  # employees
    every: bool  # every poster is funded
    hops: np.ndarray  # hops from the nearest owner
    kept: np.ndarray  # alpha ** hops: the share that arrives
    owners: np.ndarray  # the distinct approving owners, sorted
    queue_key: np.ndarray  # 2 x (place of the poster's owner in ``owners``), small ints
    per_owner: np.ndarray  # funded posters per owner


def _funded(top: Topology, alpha: float) -> _Funded:
    def build() -> _Funded:
        pos = np.flatnonzero(top.poster_funded)
        hops = top.poster_hops[pos]
        owners, dense = np.unique(top.poster_owner[pos], return_inverse=True)
        # a stable sort of 8- or 16-bit integers is a radix sort (_approve)
        key_type = next(
            (t for t in (np.int8, np.int16) if 2 * owners.size < np.iinfo(t).max), np.int64
        )
        return _Funded(
            pos,
            top.posters[pos],
            pos.size == top.posters.size,
            hops,
            alpha**hops,
            owners,
            (2 * dense).astype(key_type),
            np.bincount(dense, minlength=owners.size),
        )

    return plan(top, ("resources", alpha), build)


def _shares(w: Week, f: _Funded, available: float) -> np.ndarray:
    """What the allocation rule gives each funded poster."""
    st, dyn = w.state, w.dyn
    assert st.performance is not None and st.waiting is not None
    nf = f.pos.size
    who = f.who
    if dyn.allocation == "equal":
        return np.full(nf, available / nf)
    if dyn.allocation == "performance":
        record = st.performance[who]
        total = float(record.sum())
        if total <= 0.0:
            return np.full(nf, available / nf)
        floor = dyn.performance_floor
        return available * (floor / nf + (1.0 - floor) * record / total)
    want = np.maximum(dyn.request_posts * dyn.post_cost - st.budget[who], 0.0)
    out = np.zeros(nf)
    left = available
    first = st.waiting[who]
    for tier in (first, ~first):  # waiting requests are served first
        total = float(want[tier].sum())
        if total <= 0.0 or left <= 0.0:
            continue
        if total <= left:
            out[tier] = want[tier]
            left -= total
        else:  # rationed: the tier takes all that is left
            out[tier] = want[tier] * (left / total)
            left = 0.0
    return out


def _few_owners_approve(
    hours: np.ndarray, owners: np.ndarray, count: np.ndarray, need: float
) -> np.ndarray:
    """For a few owners, owner by owner in Python floats (the same IEEE arithmetic as
    :func:`grants_that_fit` and :meth:`Week.take_hours`): the owners spend the hours of
    the grants that fit; returns their places in the owners' queues (sorted by owner)."""
    first: list[int] = []
    start = 0
    for owner, wanted in zip(owners.tolist(), count.tolist(), strict=True):
        if wanted:
            h = float(hours[owner])
            q = h / need
            k = wanted if q >= wanted else int(q)  # floor: hours are >= 0
            k = max(k - (k * need > h), 0)
            if k and h >= k * need:
                hours[owner] = h - k * need
            first.extend(range(start, start + k))
        start += wanted
    return np.array(first, dtype=np.int64)


def _approve(w: Week, f: _Funded, asks: np.ndarray) -> np.ndarray:
    """Which grants (``asks``: the funded posters allocated money) the owners approve
    this week."""
    st, dyn = w.state, w.dyn
    assert st.waiting is not None
    need = dyn.approval_hours
    if st.hours is None or need <= 0.0:
        return asks.copy()  # approvals take no time
    ok = np.zeros(asks.size, dtype=bool)
    asked: np.ndarray | None = None
    if asks.all():  # the usual case: no gathers
        key = f.queue_key + ~st.waiting[f.who]
        count = f.per_owner
    else:
        asked = np.flatnonzero(asks)
        key = f.queue_key[asked] + ~st.waiting[f.who[asked]]
        count = np.bincount(key >> 1, minlength=f.owners.size)
    # each owner's queue: waiting grants first, then in poster order
    order = np.argsort(key, kind="stable")
    if f.owners.size <= base.SMALL_GROUP:
        chosen = order[_few_owners_approve(st.hours, f.owners, count, need)]
        ok[chosen if asked is None else asked[chosen]] = True
        return ok
    owners = f.owners
    if not count.all():
        owners, count = owners[count > 0], count[count > 0]
    fit = grants_that_fit(st.hours[owners], need, count)
    w.take_hours(owners, fit * need)
    # the first ``fit`` of each owner's queue
    first = np.repeat(np.cumsum(count) - count - (np.cumsum(fit) - fit), fit)
    first += np.arange(first.size)
    chosen = order[first]
    ok[chosen if asked is None else asked[chosen]] = True
    return ok


def _process(w: Week, n_met: int) -> None:
    top, st, dyn, rec = w.top, w.state, w.dyn, w.rec
    _open_accounts(w)
    assert st.pool is not None and st.waiting is not None
    posters = top.posters
    before = float(st.pool[0])
    pool = before + dyn.budget
    rec.coordination = min(pool, dyn.kappa * n_met)
    available = pool - rec.coordination
    f = _funded(top, dyn.alpha)
    if top.n_owners and f.pos.size:
        amount = _shares(w, f, available)
        asks = amount > 0.0
        approved = _approve(w, f, asks)
        sent = np.where(approved, amount, 0.0)
        waits = asks & ~approved
        st.waiting[f.who] = waits
        if f.every:
            arriving = sent * f.kept
        else:
            arriving = np.zeros(posters.size)
            arriving[f.pos] = sent * f.kept
        rec.allocated = float(amount.sum())
        rec.waiting = float(amount[waits].sum())
        rec.granted = float(sent.sum())
        rec.granted_hops = float((sent * f.hops).sum())
        rec.lost = rec.granted - float(arriving.sum())
        pool = max(available - rec.granted, 0.0)
    else:
        arriving = np.zeros(posters.size)
        rec.stuck = available
        pool = 0.0
    arriving += dyn.slack
    held = st.budget[posters]
    room = np.maximum(dyn.poster_cap * dyn.post_cost - held, 0.0)
    kept = np.minimum(arriving, room)
    held += kept
    st.budget[posters] = held
    rec.landed = float(kept.sum())
    arriving -= kept
    lapsed_posters = float(arriving.sum())
    lapsed_owners = max(pool - dyn.carry_over * dyn.budget, 0.0)
    pool -= lapsed_owners
    st.pool[0] = pool
    rec.lapsed = lapsed_owners + lapsed_posters
    rec.lapsed_posters = lapsed_posters
    rec.held = pool
    rec.budget_in = dyn.budget + dyn.slack * posters.size
    rec.outflow = rec.budget_in + (before - pool)
    if dyn.allocation == "performance":  # the review after posting reads what was spent
        w.carry["held"] = held  # a copy of the posters' budgets (not changed after)


def step(w: Week) -> None:
    """Today's rule, or the budget process when any part of it is on."""
    if process_on(w.dyn):
        _process(w, _met(w))
    else:
        _today(w, _met(w))


# -- the budget process, owner by owner and poster by poster -------------------------------


def _shares_reference(w: Week, funded: list[int], available: float) -> list[float]:
    top, st, dyn = w.top, w.state, w.dyn
    assert st.performance is not None and st.waiting is not None
    nf = len(funded)
    if dyn.allocation == "equal":
        return [available / nf] * nf
    if dyn.allocation == "performance":
        total = sum(float(st.performance[top.posters[i]]) for i in funded)
        if total <= 0.0:
            return [available / nf] * nf
        floor = dyn.performance_floor
        return [
            available * (floor / nf + (1.0 - floor) * float(st.performance[top.posters[i]]) / total)
            for i in funded
        ]
    ask = dyn.request_posts * dyn.post_cost
    want = [max(ask - float(st.budget[top.posters[i]]), 0.0) for i in funded]
    out = [0.0] * nf
    left = available
    for waiting_tier in (True, False):
        tier = [k for k, i in enumerate(funded) if bool(st.waiting[top.posters[i]]) == waiting_tier]
        total = sum(want[k] for k in tier)
        if total <= 0.0 or left <= 0.0:
            continue
        rationed = total > left
        for k in tier:
            out[k] = want[k] * (left / total) if rationed else want[k]
        left = 0.0 if rationed else left - total
    return out


def _approve_reference(w: Week, funded: list[int], amount: list[float]) -> list[bool]:
    top, st, dyn = w.top, w.state, w.dyn
    assert st.waiting is not None
    need = dyn.approval_hours
    ok = [a > 0.0 for a in amount]
    if st.hours is None or need <= 0.0:
        return ok
    for owner in sorted({int(top.poster_owner[i]) for i in funded}):
        mine = [k for k, i in enumerate(funded) if top.poster_owner[i] == owner and amount[k] > 0]
        queue = [k for k in mine if st.waiting[top.posters[funded[k]]]]
        queue += [k for k in mine if not st.waiting[top.posters[funded[k]]]]
        fit = int(grants_that_fit(float(st.hours[owner]), need, len(queue)))
        w.take_hours(np.array([owner]), fit * need)
        for rank, k in enumerate(queue):
            ok[k] = rank < fit
    return ok


def _process_reference(w: Week, n_met: int) -> None:
    top, st, dyn, rec = w.top, w.state, w.dyn, w.rec
    _open_accounts(w)
    assert st.pool is not None and st.waiting is not None
    before = float(st.pool[0])
    pool = before + dyn.budget
    rec.coordination = min(pool, dyn.kappa * n_met)
    available = pool - rec.coordination
    funded = [i for i in range(top.posters.size) if top.poster_funded[i]]
    arriving = [0.0] * top.posters.size
    if top.n_owners and funded:
        amount = _shares_reference(w, funded, available)
        approved = _approve_reference(w, funded, amount)
        granted = granted_hops = landed_before_cap = 0.0
        for k, i in enumerate(funded):
            waits = amount[k] > 0.0 and not approved[k]
            st.waiting[top.posters[i]] = waits
            rec.allocated += amount[k]
            if waits:
                rec.waiting += amount[k]
            if approved[k]:
                granted += amount[k]
                granted_hops += amount[k] * top.poster_hops[i]
                arriving[i] = amount[k] * dyn.alpha ** top.poster_hops[i]
                landed_before_cap += arriving[i]
        rec.granted = granted
        rec.granted_hops = granted_hops
        rec.lost = granted - landed_before_cap
        pool = max(available - granted, 0.0)
    else:
        rec.stuck = available
        pool = 0.0
    lapsed_posters = 0.0
    for i, who in enumerate(top.posters):
        incoming = arriving[i] + dyn.slack
        room = max(dyn.poster_cap * dyn.post_cost - float(st.budget[who]), 0.0)
        kept = min(incoming, room)
        st.budget[who] += kept
        rec.landed += kept
        lapsed_posters += incoming - kept
    lapsed_owners = max(pool - dyn.carry_over * dyn.budget, 0.0)
    pool -= lapsed_owners
    st.pool[0] = pool
    rec.lapsed = lapsed_owners + lapsed_posters
    rec.lapsed_posters = lapsed_posters
    rec.held = pool
    rec.budget_in = dyn.budget + dyn.slack * top.posters.size
    rec.outflow = rec.budget_in + (before - pool)
    if dyn.allocation == "performance":
        w.carry["held"] = st.budget[top.posters].copy()


def reference(w: Week) -> None:
    """Owner by owner, poster by poster."""
    if process_on(w.dyn):
        _process_reference(w, _met(w))
    else:
        _today_reference(w, _met(w))


SUBMODEL = Submodel(
    name="resources",
    meaning="the budget pays the coordination ties that met, then owners allocate it "
    "(equal, by performance or by request), approve grants in their time, and carry "
    "over or lapse the rest; money loses a share per hop; posters get slack",
    params=ResourceParams,
    draws=(),
    step=step,
    reference=reference,
    records={
        "budget_in": (0.0, "budget entering this step (B + slack)"),
        "outflow": (
            0.0,
            "budget leaving the owners this step: B + slack + what they drew from the "
            "money carried over (= coordination + stuck + lost + landed + lapsed)",
        ),
        "landed": (0.0, "budget that reached posters this step and stays with them"),
        "stuck": (0.0, "budget with no owner or no funded poster to go to"),
        "lost": (0.0, "budget lost on the way (1 - alpha per hop)"),
        "coordination": (0.0, "budget spent on coordination ties (that met)"),
        "allocated": (0.0, "budget the allocation rule gave posters (before approval)"),
        "granted": (0.0, "allocated budget approved and sent (before the hops' losses)"),
        "granted_hops": (
            0.0,
            "sum of granted budget x hops it travels (lost per hop: lost / granted_hops)",
        ),
        "waiting": (0.0, "allocated budget whose approval waits (it stays with the owners)"),
        "lapsed": (0.0, "budget that lapsed (owners' carry-over and posters' caps)"),
        "lapsed_posters": (0.0, "the part of lapsed that arrived beyond a poster's cap"),
        "held": (0.0, "budget the owners carry into the next week"),
    },
    odd="7.7, 7.14",
)
