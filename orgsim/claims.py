"""Owyang's claims as checkable statements about the measured metrics.

Each structure of the source texts (Owyang 2009, 2010; docs/model.md §1) comes
with a claimed advantage and drawback. Here each claim is data: the words of the
source, and the comparisons that would make it true (a metric highest or lowest
among the structures present, or above/below named ones). A claim **holds** when
every comparison holds at 95 % (Welch interval of the difference of replication
means, with a visible difference), **fails** when one is contradicted at 95 %,
and is **unclear** otherwise (one run, overlapping intervals); comparisons with
structures that were not run are left out, and a claim with none left is ``n/a``.
"Highest" and "lowest" hold only when the structure beats every other one present:
a tie at the top is ``unclear``.
The claims are captions and checks; no rule of the model reads them.

Core objects
------------
Claim, Comparison
    A claim and the comparisons it stands for.
CLAIMS
    Structure -> (advantage, drawback).
verdict
    ``holds``, ``fails``, ``unclear`` or ``n/a`` of a claim, given per-structure stats.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

VERDICTS: tuple[str, ...] = ("holds", "fails", "unclear", "n/a")
MARKS: dict[str, str] = {"holds": "\u2713", "fails": "\u2717", "unclear": "?", "n/a": "\u2013"}


@dataclass(frozen=True)
class Comparison:
    """``metric`` is ``relation`` (highest, lowest, above, below) ``versus`` others."""

    metric: str
    relation: str
    versus: tuple[str, ...] = ()  # empty: every other structure present


@dataclass(frozen=True)
class Claim:
    """A claim of the source texts: its words and what would make it true."""

    structure: str
    side: str  # "advantage" or "drawback"
    text: str
    tests: tuple[Comparison, ...]


def _claims(
    structure: str,
    plus: tuple[str, tuple[Comparison, ...]],
    minus: tuple[str, tuple[Comparison, ...]],
) -> tuple[Claim, Claim]:
    return (
        Claim(structure, "advantage", plus[0], plus[1]),
        Claim(structure, "drawback", minus[0], minus[1]),
    )


CLAIMS: dict[str, tuple[Claim, Claim]] = {
    "band": _claims(
        "band",
        ("very authentic and honest", (Comparison("authenticity", "highest"),)),
        ("people don't know what others do", (Comparison("awareness", "lowest"),)),
    ),
    "tower": _claims(
        "tower",
        ("many resources come free", (Comparison("resource_flow", "highest"),)),
        ("too little authenticity", (Comparison("authenticity", "lowest"),)),
    ),
    "hub_and_spokes": _claims(
        "hub_and_spokes",
        (
            "resources and authenticity",
            (
                Comparison("resource_flow", "above", ("band",)),
                Comparison("authenticity", "above", ("tower",)),
            ),
        ),
        ("high difficulty", (Comparison("coordination_cost", "above", ("band", "tower")),)),
    ),
    "dandelion": _claims(
        "dandelion",
        ("each unit has its own hub", (Comparison("authenticity", "above", ("tower",)),)),
        ("many hubs to coordinate", (Comparison("coordination_cost", "highest"),)),
    ),
    "honeycomb": _claims(
        "honeycomb",
        (
            "every employee enabled",
            (
                Comparison("resource_flow", "above", ("band",)),
                Comparison("authenticity", "above", ("tower",)),
            ),
        ),
        ("hard to organise", (Comparison("coordination_cost", "above", ("band",)),)),
    ),
}

# stats of one metric of one structure: (mean, ci_low, ci_high, n)
Stats = tuple[float, float, float, int]


def _difference(a: Stats, b: Stats) -> tuple[float, float, float] | None:
    """Welch 95 % interval of mean(a) - mean(b) from two means, intervals and counts."""
    from scipy import stats

    (ma, la, ha, na), (mb, lb, hb, nb) = a, b
    if na < 2 or nb < 2 or not all(math.isfinite(v) for v in (ma, la, ha, mb, lb, hb)):
        return None
    se_a = (ha - la) / 2 / float(stats.t.ppf(0.975, na - 1))
    se_b = (hb - lb) / 2 / float(stats.t.ppf(0.975, nb - 1))
    d = ma - mb
    var = se_a**2 + se_b**2
    if var == 0:
        return d, d, d
    dof = var**2 / (se_a**4 / (na - 1) + se_b**4 / (nb - 1))
    half = float(stats.t.ppf(0.975, dof)) * math.sqrt(var)
    return d, d - half, d + half


def _compare(a: Stats, b: Stats, above: bool, tol: float) -> str:
    """Whether a is above (or below) b: holds, fails or unclear."""
    diff = _difference(a, b)
    if diff is None:
        return "unclear"
    d, low, high = diff if above else (-diff[0], -diff[2], -diff[1])
    if low > 0 and d >= tol:
        return "holds"
    if high < 0 and -d >= tol:
        return "fails"
    return "unclear"


def verdict(claim: Claim, stats: Mapping[str, Mapping[str, Stats]], tol: float = 0.005) -> str:
    """The verdict of ``claim`` given ``stats[structure][metric] = (mean, low, high, n)``.

    ``tol``: the smallest difference that counts (what two decimals show).

    >>> s = {"band": {"authenticity": (1.0, 1.0, 1.0, 20)},
    ...      "tower": {"authenticity": (0.33, 0.32, 0.34, 20)}}
    >>> verdict(CLAIMS["band"][0], s), verdict(CLAIMS["tower"][1], s)
    ('holds', 'holds')
    >>> verdict(CLAIMS["hub_and_spokes"][0], s)
    'n/a'
    >>> s["dandelion"] = {"authenticity": (1.0, 1.0, 1.0, 20)}  # tied with the band
    >>> verdict(CLAIMS["band"][0], s)
    'unclear'
    """
    own = stats.get(claim.structure)
    if own is None:
        return "n/a"
    results: list[str] = []
    for test in claim.tests:
        if test.metric not in own:
            continue
        others = test.versus or tuple(s for s in stats if s != claim.structure)
        others = tuple(s for s in others if s in stats and test.metric in stats[s])
        if not others:
            continue
        mine = own[test.metric]
        if test.relation in ("above", "below"):
            results += [
                _compare(mine, stats[o][test.metric], test.relation == "above", tol) for o in others
            ]
        else:  # highest / lowest: it beats every other structure present
            up = test.relation == "highest"
            # a tie (e.g. two at 1.00) is not "highest": unclear, never holds
            results += [_compare(mine, stats[o][test.metric], up, tol) for o in others]
    if not results:
        return "n/a"
    if "fails" in results:
        return "fails"
    return "holds" if all(r == "holds" for r in results) else "unclear"
