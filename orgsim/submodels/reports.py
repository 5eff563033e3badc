"""Reports (ODD 7.4, 7.15): beliefs travel up to the nearest code holder, serially
reproduced, and wait in the holders' in-tray.

Each member of a code's domain sends its beliefs (with chance ``report_rate``, and
only if it has ``report_hours`` left when time is modelled); every hop may omit
(omega) or flip (phi) a dimension, in closed form (:func:`distortion_thresholds`).
A code's holders read at most K x holders reports a week (fewer when their time for
``process_hours`` a report runs out). With ``report_shelf_life`` L = 0 the unread
ones are dropped (a uniformly random subset is read: :func:`pick_reports`); with
L > 0 they wait in a per-code queue (the in-tray), are read first in, first out, and
are dropped unread when older than L weeks. A report read late carries the beliefs
its sender held when it was sent, judged against the reality of the week it is
read: old news. (News of initiatives travels along the same paths, one tie a week:
:mod:`orgsim.submodels.code_news`.)

Hands on ``carry["votes"]`` (int64, codes x m): per code, the sum of the actions of
the superior reports read this week (a report's action is its content with each 0 a
coin flip; it is superior when it scores higher than the start-of-week code against
the reporter's unit reality). Code learning (:mod:`orgsim.submodels.code_learning`)
turns these votes into code changes.

Core objects
------------
ReportParams
    omega, phi, K, and the queue's parameters.
distortion_thresholds, pick_reports
    The closed-form loss on the way up; the random order in which a week's reports
    reach the in-tray.
step, reference
    The vectorised and the report-by-report kernels.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from orgsim.submodels import base
from orgsim.submodels.base import (
    MAX_HOURS,
    Draw,
    ParamBlock,
    Submodel,
    Week,
    chances,
    parameter,
    plan,
    uniform,
)

if TYPE_CHECKING:
    from orgsim.dynamics import State, Topology

CAPACITY: Any = parameter(
    25,
    ge=1,
    le=100_000_000,
    symbol="K",
    meaning="reports a code holder processes (and items it forwards) per step",
    source="judgement; limited-capacity processors (Radner 1993)",
)


class ReportParams(ParamBlock):
    """Loss on the way up, the holders' capacity, and the in-tray."""

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
    report_shelf_life: int = parameter(
        4,
        ge=0,
        le=520,
        symbol="L",
        meaning="weeks an unread report waits in the holders' in-tray before it is dropped "
        "as stale (0: read the week it is sent or dropped, the rule without a queue)",
        source="orgsim (Model 2, queueing); judgement: a monthly reporting cycle makes 4 "
        "weeks a natural ON value",
    )
    report_rate: float = parameter(
        0.25,
        ge=0.0,
        le=1.0,
        meaning="chance a domain member sends a report in a week",
        source="orgsim (Model 2); 1 as in March 1991 (every member, every period); "
        "0.25 is about one report a month",
    )
    report_hours: float = parameter(
        0.5,
        ge=0.0,
        le=MAX_HOURS,
        meaning="hours a sender spends preparing and passing on a report (only when time "
        "is modelled; without them the report is not sent that week)",
        source="judgement: a short written update",
    )
    process_hours: float = parameter(
        0.25,
        ge=0.0,
        le=MAX_HOURS,
        meaning="hours a code holder spends reading and judging a report (only when time "
        "is modelled; at most K reports a holder a week either way)",
        source="judgement: K = 25 reports take a holder about 6 hours a week",
    )

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


# -- sizes: what can be read bounds every draw ------------------------------------------


def _counts(t: Topology) -> np.ndarray:
    """Per code, the members of its domain."""
    return np.array([r.size for r in t.code_reporters], dtype=np.int64)


def _caps(t: Topology, d: Any) -> np.ndarray:
    """Per code, K x holders: the most reports its holders read in a week."""
    return np.array([d.capacity * h.size for h in t.holders], dtype=np.int64)


def _reach(t: Topology, d: Any) -> np.ndarray:
    """Per code, the most reports of one week the holders can ever read: (L + 1) x K x
    holders (they read a week's reports over at most L + 1 weeks)."""
    return (d.report_shelf_life + 1) * _caps(t, d)


def _sample_sizes(t: Topology, d: Any) -> np.ndarray:
    """Per code, how many members the week's random order covers: enough to find the
    readable reports among the senders (reach / report_rate, at most the domain)."""
    counts = _counts(t)
    if d.report_rate <= 0.0:
        return np.zeros_like(counts)
    need = [math.ceil(float(r) / d.report_rate) for r in _reach(t, d)]
    return np.minimum(counts, np.array(need, dtype=np.float64)).astype(np.int64)


def _read_rows(t: Topology, d: Any) -> int:
    """The most reports read in a week: per code min(K x holders, what can wait)."""
    counts = _counts(t)
    waiting = (d.report_shelf_life + 1) * np.minimum(counts, _reach(t, d))
    return int(np.minimum(_caps(t, d), waiting).sum())


def _queue_off(d: Any) -> bool:
    """The rule without a queue: every member reports, nothing waits, time not modelled."""
    return bool(
        d.report_shelf_life == 0 and d.report_rate == 1.0 and not getattr(d, "time_limits", False)
    )


def pick_reports(top: Topology, rng: np.random.Generator, dyn: Any = None) -> np.ndarray:
    """Positions in ``top.reporters`` in the order this week's reports reach the
    in-tray, by code: per code a uniformly random ordered sample of its domain
    (:func:`_sample_sizes`; with ``dyn`` None or the queue off, the K x holders read
    without a queue, sorted by index).

    A code whose holders receive more than they can read reads a uniformly random
    subset (limited-capacity processors, Radner 1993): the first of this order.
    """
    if dyn is None:
        sorted_, sizes = True, top.processed.tolist()
    else:  # the same every week
        key = ("picked", dyn.capacity, dyn.report_shelf_life, dyn.report_rate, _queue_off(dyn))
        sorted_, sizes = plan(top, key, lambda: (_queue_off(dyn), _sample_sizes(top, dyn).tolist()))
    chosen = []
    for c in range(top.n_codes):
        mine = top.code_reporters[c]
        k = sizes[c]
        if sorted_:
            if k < mine.size:
                mine = mine[np.sort(rng.choice(mine.size, size=k, replace=False, shuffle=False))]
        else:
            mine = mine[rng.choice(mine.size, size=k, replace=False)]
        chosen.append(mine)
    return np.concatenate(chosen) if chosen else np.empty(0, dtype=np.int64)


def holder_reads(hours: np.ndarray, capacity: int, process_hours: float) -> np.ndarray:
    """Reports each holder can read with ``hours`` left: min(K, hours / process_hours),
    whole reports whose hours fit (K when reading costs no time)."""
    if process_hours <= 0.0:
        return np.full(hours.shape, capacity, dtype=np.int64)
    k = np.minimum(np.floor(hours / process_hours), capacity).astype(np.int64)
    k -= k * process_hours > hours  # a quotient rounded up: one report fewer
    return np.maximum(k, 0)


# -- the in-tray ---------------------------------------------------------------------------


def _empty_queue(top: Topology, shelf: int) -> dict[str, np.ndarray]:
    return {
        "sender": np.empty(0, dtype=np.int64),
        "code": np.empty(0, dtype=np.int64),
        "hops": np.empty(0, dtype=np.float64),
        "age": np.empty(0, dtype=np.int64),
        "content": np.empty((0, top.m), dtype=np.int8),
        "waiting": np.zeros((top.n_codes, shelf), dtype=np.int64),
    }


def _load(st: State, top: Topology, shelf: int) -> dict[str, np.ndarray]:
    """The in-tray as stored (empty at the start of a run)."""
    if st.queue_waiting is None or st.queue_waiting.shape != (top.n_codes, shelf):
        return _empty_queue(top, shelf)
    q = {
        "sender": st.queue_sender,
        "code": st.queue_code,
        "hops": st.queue_hops,
        "age": st.queue_age,
        "content": st.queue_content,
        "waiting": st.queue_waiting,
    }
    return {k: v for k, v in q.items() if v is not None}


def _store(st: State, q: dict[str, np.ndarray] | None) -> None:
    if q is None:
        st.queue_sender = st.queue_code = st.queue_hops = None
        st.queue_age = st.queue_content = st.queue_waiting = None
        return
    st.queue_sender, st.queue_code, st.queue_hops = q["sender"], q["code"], q["hops"]
    st.queue_age, st.queue_content, st.queue_waiting = q["age"], q["content"], q["waiting"]


def _record(w: Week, sent: int, in_tray: np.ndarray, caps: np.ndarray) -> None:
    w.rec.reports = sent
    w.rec.capacity = int(caps.sum())
    w.rec.reports_waiting = int(in_tray.sum())
    w.rec.holder_load_max = float((in_tray / caps).max()) if caps.size else 0.0


class _Plan(NamedTuple):
    """What the step needs of the organisation and parameters (:func:`_plan`)."""

    caps: np.ndarray  # per code, K x holders
    reach: np.ndarray  # per code, (L + 1) x K x holders
    holders: np.ndarray  # every code's holders, code by code (no one holds two codes)
    holder_code: np.ndarray  # the code each of them holds
    few: list[tuple[int, int]] | None  # (holder, code) pairs, when there are few holders
    by_hop: np.ndarray  # distortion_thresholds of 0, 1, ... hops (rows: P(0), P(0 or flip))
    capacity: int  # K x holders, over all codes


def _plan(top: Topology, dyn: Any) -> _Plan:
    def build() -> _Plan:
        caps = _caps(top, dyn)
        few = None
        if sum(h.size for h in top.holders) <= base.SMALL_GROUP:
            few = [(int(i), c) for c, h in enumerate(top.holders) for i in h]
        # hops are breadth-first distances (whole numbers): thresholds by hop count
        longest = int(top.report_hops.max(initial=0.0))
        table = [_distortion(float(h), dyn.omission, dyn.distortion) for h in range(longest + 1)]
        return _Plan(
            caps,
            _reach(top, dyn),
            np.concatenate(top.holders) if top.holders else np.empty(0, dtype=np.int64),
            np.repeat(np.arange(top.n_codes), [h.size for h in top.holders]),
            few,
            np.array(table, dtype=np.float64).reshape(-1, 2),
            int(caps.sum()),
        )

    key = ("reports", dyn.capacity, dyn.report_shelf_life, dyn.omission, dyn.distortion)
    return plan(top, key, build)


def _thresholds(p: _Plan, hops: np.ndarray, dyn: Any) -> np.ndarray:
    """:func:`distortion_thresholds` of ``hops`` as rows (P(0), P(0 or flip)): the same
    values, looked up by hop count."""
    if hops.size and hops.max() < p.by_hop.shape[0]:
        return p.by_hop[hops.astype(np.intp)]
    return np.stack(distortion_thresholds(hops, dyn.omission, dyn.distortion), axis=1)


_MINUS, _PLUS = np.int8(-1), np.int8(1)


def _judge(w: Week, actions: np.ndarray, sender: np.ndarray, code: np.ndarray) -> np.ndarray:
    """Per code, the sum of the superior reports' actions (int64, codes x m)."""
    top, st = w.top, w.state
    votes = np.zeros((top.n_codes, top.m), dtype=np.int64)
    if top.n_codes and actions.shape[0]:
        # superior: scores higher than the start-of-week code against the sender's
        # unit's reality; all in {-1, 0, 1}, so int16 sums are exact (m <= 1000)
        real = np.multiply(st.unit_sign, st.reality, dtype=np.int16)
        judge = np.take(real, top.unit_idx[sender], axis=0)
        codes = w.codes_before[0] if top.n_codes == 1 else np.take(w.codes_before, code, axis=0)
        gain = np.subtract(actions, codes, dtype=np.int16)
        gain *= judge
        superior = gain.sum(axis=1) > 0
        if top.n_codes == 1:
            votes[0] = actions[superior].sum(axis=0, dtype=np.int64)
        else:
            np.add.at(votes, code[superior], actions[superior])
    return votes


def _rank(code: np.ndarray, n_codes: int) -> np.ndarray:
    """Each entry's place among its code's entries (``code`` sorted)."""
    return np.arange(code.size) - np.searchsorted(code, np.arange(n_codes))[code]


def _holders_read(w: Week, p: _Plan, readable: np.ndarray) -> np.ndarray:
    """Per code, the reports its holders read: first in, first out, up to K each and
    as their hours allow (each holder in turn); the holders spend the hours."""
    hours, dyn = w.state.hours, w.dyn
    if hours is None:
        return np.minimum(readable, p.caps)
    if p.few is not None:
        return _few_holders_read(hours, p.few, readable, int(dyn.capacity), dyn.process_hours)
    can = holder_reads(hours[p.holders], dyn.capacity, dyn.process_hours)
    cum = np.cumsum(can)
    if w.top.n_codes > 1:  # reads before each holder, within its code
        first = np.searchsorted(p.holder_code, np.arange(w.top.n_codes))
        cum -= np.repeat(np.concatenate([[0], cum])[first], np.diff(first, append=can.size))
    mine = np.minimum(np.maximum(readable[p.holder_code] - (cum - can), 0), can)
    busy = mine > 0
    w.take_hours(p.holders[busy], mine[busy] * dyn.process_hours)
    if w.top.n_codes == 1:
        return np.array([mine.sum()])
    return np.bincount(p.holder_code, weights=mine, minlength=w.top.n_codes).astype(np.int64)


def _few_holders_read(
    hours: np.ndarray, few: list[tuple[int, int]], readable: np.ndarray, k: int, ph: float
) -> np.ndarray:
    """:func:`_holders_read` holder by holder, in Python floats (the same IEEE
    arithmetic as :func:`holder_reads` and :meth:`Week.take_hours`): for a few holders,
    numpy's cost per call dominates."""
    reads = [0] * readable.size
    left = readable.tolist()
    for i, c in few:
        h = float(hours[i])
        can = k
        if ph > 0.0:
            q = h / ph
            can = k if q >= k else int(q)
            can = max(can - (can * ph > h), 0)
        mine = min(max(left[c], 0), can)
        left[c] -= can
        if mine > 0:
            reads[c] += mine
            if h >= mine * ph:
                hours[i] = h - mine * ph
    return np.array(reads, dtype=np.int64)


def step(w: Week) -> None:
    """Senders, the in-tray (oldest first), what the holders read, votes; then aging."""
    top, st, d, dyn = w.top, w.state, w.draws, w.dyn
    shelf, n_codes = int(dyn.report_shelf_life), top.n_codes
    p = _plan(top, dyn)
    # who sends: chance report_rate, then the hours to prepare it
    send: np.ndarray | None = d.report_sent if d.report_sent.size else None  # read only
    if st.hours is not None and top.reporters.size:
        send = w.take_hours_rows(top.reporter_rows, send, dyn.report_hours)
    if send is None:
        sent_c = _counts(top)
    else:
        sent_c = (
            np.array([np.count_nonzero(send)])
            if n_codes == 1
            else np.bincount(top.report_code[send], minlength=n_codes)[:n_codes]
        )
    # this week's reports the holders can reach, in random order: at most L + 1 weeks'
    # reading of them (the rest only wait and expire)
    pos = d.picked if send is None else d.picked[send[d.picked]]
    if n_codes == 1:
        pos = pos[: p.reach[0]]
    else:
        pc = top.report_code[pos]
        pos = pos[_rank(pc, n_codes) < p.reach[pc]]
    sender = top.reporters[pos]
    new = {
        "sender": sender,
        "code": top.report_code[pos],
        "hops": top.report_hops[pos],
        "age": np.zeros(pos.size, dtype=np.int64),
        "content": np.take(st.beliefs, sender, axis=0),
    }
    old = _load(st, top, shelf)
    if old["sender"].size:  # the in-tray, by code, oldest first
        q = {k: np.concatenate([old[k], new[k]]) for k in new}
        if n_codes > 1:
            order = np.argsort(q["code"], kind="stable")
            q = {k: np.take(v, order, axis=0) for k, v in q.items()}
    else:
        q = new
    waiting = np.concatenate([sent_c[:, None], old["waiting"]], axis=1)
    w.rec.reports = int(sent_c.sum())
    w.rec.capacity = p.capacity
    if n_codes == 1 and p.capacity:  # Python ints: the same correctly rounded quotient
        w.rec.reports_waiting = int(waiting.sum())
        w.rec.holder_load_max = w.rec.reports_waiting / p.capacity
    else:
        in_tray = waiting.sum(axis=1)
        w.rec.reports_waiting = int(in_tray.sum())
        w.rec.holder_load_max = float((in_tray / p.caps).max()) if n_codes else 0.0
    # what the holders read: first in, first out, up to K each and their hours
    if n_codes == 1:
        reads = _holders_read(w, p, np.array([q["code"].size]))
        read: np.ndarray | slice = slice(0, int(reads[0]))
        unread: np.ndarray | slice = slice(int(reads[0]), None)
    else:
        reads = _holders_read(w, p, np.bincount(q["code"], minlength=n_codes)[:n_codes])
        mask = _rank(q["code"], n_codes) < reads[q["code"]]
        read, unread = mask, ~mask
    r_sender, r_code, r_age = q["sender"][read], q["code"][read], q["age"][read]
    n_read = r_sender.size
    # flat, each report's thresholds repeated over its dimensions: long inner loops
    p_zero, p_flip = np.repeat(_thresholds(p, q["hops"][read], dyn).T, top.m, axis=1)
    sent = q["content"][read].ravel()
    u = d.report[:n_read].ravel()
    content = np.where(u < p_zero, 0, np.where(u < p_flip, -sent, sent))
    # a report's action: its content with each 0 a coin flip
    coin = np.where(d.action[:n_read].ravel() < 0.5, _MINUS, _PLUS)
    actions = np.where(content == 0, coin, content).reshape(n_read, top.m)
    w.carry["votes"] = _judge(w, actions, r_sender, r_code)
    w.rec.reports_read = n_read
    w.rec.report_age = int(r_age.sum()) / n_read if n_read else 0.0
    # the unread age a week; older than L weeks: dropped as stale
    if n_codes == 1:
        waiting[0] -= np.bincount(r_age, minlength=shelf + 1)
    else:
        np.subtract.at(waiting, (r_code, r_age), 1)
    w.rec.reports_dropped = int(waiting[:, shelf].sum())
    if not shelf:
        _store(st, None)
        return
    left = q["age"][unread]
    stale = left >= shelf
    drop = int(np.count_nonzero(stale))
    if isinstance(unread, slice) and not stale[drop:].any():
        # one code: the in-tray is oldest first, so the stale lead it (views, no copies)
        kept = {k: v[unread][drop:] for k, v in q.items() if k != "age"}
        kept["age"] = left[drop:] + 1
    else:
        keep = np.flatnonzero(~stale)
        kept = {k: np.take(v[unread], keep, axis=0) for k, v in q.items() if k != "age"}
        kept["age"] = left[keep] + 1
    kept["waiting"] = waiting[:, :shelf].copy()
    _store(st, kept)


def reference(w: Week) -> None:
    """Report by report: who sends, each code's in-tray as a list, reading in order."""
    top, st, d, dyn, m = w.top, w.state, w.draws, w.dyn, w.top.m
    shelf, n_codes, K = int(dyn.report_shelf_life), top.n_codes, int(dyn.capacity)
    caps = [K * h.size for h in top.holders]
    # who sends
    sends = []
    for i, who in enumerate(top.reporters.tolist()):
        ok = bool(d.report_sent[i]) if d.report_sent.size else True
        if ok and st.hours is not None:
            ok = bool(w.take_hours(np.array([who]), dyn.report_hours)[0])
        sends.append(ok)
    sent_c = [0] * n_codes
    for i, ok in enumerate(sends):
        if ok:
            sent_c[int(top.report_code[i])] += 1
    # each code's in-tray: what waited (oldest first), then this week's reachable reports
    trays: list[list[dict[str, Any]]] = [[] for _ in range(n_codes)]
    stored = _load(st, top, shelf)
    for x in range(stored["sender"].size):
        trays[int(stored["code"][x])].append(
            {
                "sender": int(stored["sender"][x]),
                "hops": float(stored["hops"][x]),
                "age": int(stored["age"][x]),
                "content": [int(v) for v in stored["content"][x]],
            }
        )
    reach = [(shelf + 1) * cap for cap in caps]
    arrived = [0] * n_codes
    for p in d.picked.tolist():
        c = int(top.report_code[p])
        if sends[p] and arrived[c] < reach[c]:
            arrived[c] += 1
            who = int(top.reporters[p])
            trays[c].append(
                {
                    "sender": who,
                    "hops": float(top.report_hops[p]),
                    "age": 0,
                    "content": [int(v) for v in st.beliefs[who]],
                }
            )
    waiting = [[sent_c[c]] + [int(v) for v in stored["waiting"][c]] for c in range(n_codes)]
    in_tray = np.array([sum(row) for row in waiting], dtype=np.int64)
    _record(w, sum(sent_c), in_tray, np.array(caps, dtype=np.int64))
    real, votes = st.realities, np.zeros((n_codes, m), dtype=np.int64)
    row, ages = 0, []
    for c in range(n_codes):
        reads = 0
        for h in top.holders[c].tolist():  # each holder reads up to K, as time allows
            can = K
            if st.hours is not None:
                can = int(holder_reads(st.hours[[h]], K, dyn.process_hours)[0])
            mine = min(can, len(trays[c]) - reads)
            if mine > 0 and st.hours is not None:
                w.take_hours(np.array([h]), mine * dyn.process_hours)
            reads += max(mine, 0)
        for rep in trays[c][:reads]:  # first in, first out
            p_zero, p_flip = (
                float(x) for x in distortion_thresholds(rep["hops"], dyn.omission, dyn.distortion)
            )
            action = []
            for j in range(m):
                u = float(d.report[row, j])
                sent = rep["content"][j]
                value = 0 if u < p_zero else (-sent if u < p_flip else sent)
                if value == 0:
                    value = -1 if d.action[row, j] < 0.5 else 1
                action.append(value)
            judge = real[top.unit_idx[rep["sender"]]]  # the reality of the week it is read
            score = sum(action[j] * int(judge[j]) for j in range(m))
            code_score = sum(int(w.codes_before[c, j]) * int(judge[j]) for j in range(m))
            if score > code_score:
                for j in range(m):
                    votes[c, j] += action[j]
            waiting[c][rep["age"]] -= 1
            ages.append(rep["age"])
            row += 1
        trays[c] = trays[c][reads:]
    w.carry["votes"] = votes
    w.rec.reports_read = row
    w.rec.report_age = sum(ages) / row if row else 0.0
    w.rec.reports_dropped = sum(waiting[c][shelf] for c in range(n_codes))
    if not shelf:
        _store(st, None)
        return
    left = [dict(rep, age=rep["age"] + 1) for tray in trays for rep in tray if rep["age"] < shelf]
    _store(
        st,
        {
            "sender": np.array([r["sender"] for r in left], dtype=np.int64),
            "code": np.array(
                [c for c, tray in enumerate(trays) for r in tray if r["age"] < shelf],
                dtype=np.int64,
            ),
            "hops": np.array([r["hops"] for r in left], dtype=np.float64),
            "age": np.array([r["age"] for r in left], dtype=np.int64),
            "content": np.array([r["content"] for r in left], dtype=np.int8).reshape(-1, m),
            "waiting": np.array([row_[:shelf] for row_ in waiting], dtype=np.int64).reshape(
                n_codes, shelf
            ),
        },
    )


def _rate_on(t: Topology, d: Any) -> tuple[int]:
    return (t.reporters.size if d.report_rate < 1.0 else 0,)


SUBMODEL = Submodel(
    name="reports",
    meaning="reports go up to the nearest code holder, losing and flipping dimensions per "
    "hop; the holders read K each a week, the rest wait (first in, first out) until stale",
    params=ReportParams,
    draws=(
        chances("report_sent", _rate_on, lambda d: d.report_rate, "report_rate", stream="main"),
        Draw(
            "picked",
            lambda t, d: (int(_sample_sizes(t, d).sum()),),
            "int: positions of this week's reports in the order they reach the in-tray; "
            "per code a uniformly random ordered sample of its domain, as many as the "
            "holders could ever read (sorted, K x holders, when nothing waits)",
            lambda g, s, t, d: pick_reports(t, g, d),
        ),
        uniform("report", lambda t, d: (_read_rows(t, d), t.m), np.float32),
        uniform("action", lambda t, d: (_read_rows(t, d), t.m), np.float32),
    ),
    step=step,
    reference=reference,
    records={
        "reports": (0, "reports sent this week"),
        "capacity": (0, "reports the holders can read a week (K x holders)"),
        "reports_waiting": (
            0,
            "reports in the holders' in-trays when they read (this week's and earlier unread ones)",
        ),
        "reports_read": (0, "reports the holders read"),
        "reports_dropped": (0, "reports dropped unread (not read within the shelf life)"),
        "report_age": (0.0, "mean age in weeks of the reports read (0: this week's news)"),
        "holder_load_max": (0.0, "most loaded code: reports waiting / (K x holders)"),
    },
    odd="7.4, 7.15",
)
