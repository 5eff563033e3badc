"""Does each metric vary from week to week and between replications? (ODD §9)

For every registered structure, runs the default scenario's organisation for 104 weeks
with 20 replications (seeds ``SeedSequence(seed, spawn_key=(i,))``) and prints, per
metric, a Markdown table of:

- the mean over replications of each run's mean over weeks 53-104, with its 95 %
  t-interval (clipped to the metric's range);
- "week SD": the mean over replications of the standard deviation across weeks 53-104
  within a run (0: the metric is the same every week);
- "rep SD": the standard deviation across replications of the run means (0: every
  replication gives the same value).

A metric with both SDs at 0 is a closed form of the organisation and the parameters,
not a finding (ODD §9.0).

Usage::

    .venv/bin/python docs/variation.py [--replications N] [--model KEY=VALUE ...]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
METRICS = ["authenticity", "awareness", "resource_flow", "coordination_cost", "holder_load"]
WEEKS, FROM = 104, 52


def _value(text: str) -> object:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)


def measure(structure: str, reps: int, seed: int, model: dict) -> dict[str, np.ndarray]:
    """Per metric, an array (replications, weeks 53-104) of weekly values."""
    from orgsim.model import OrgModel
    from orgsim.scenario import load_scenario

    scenario = load_scenario(ROOT / "scenarios" / "default.toml")
    params = {**scenario.model_params(structure), **model}
    out = {m: np.full((reps, WEEKS - FROM), np.nan) for m in METRICS}
    for i in range(reps):
        run = OrgModel(
            structure, rng=np.random.SeedSequence(seed, spawn_key=(i,)), agents=False, **params
        )
        for week in range(WEEKS):
            run.step()
            if week >= FROM:
                for m in METRICS:
                    out[m][i, week - FROM] = run.metric_values.get(m, np.nan)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--model", nargs="*", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from orgsim.metrics import METRICS as SPECS
    from orgsim.statistics import clip_interval, t_interval
    from orgsim.structures import STRUCTURES

    model = {k: _value(v) for k, v in (item.split("=", 1) for item in args.model)}
    results = {s: measure(s, args.replications, args.seed, model) for s in STRUCTURES}
    print(f"{args.replications} replications x {WEEKS} weeks, weeks {FROM + 1}-{WEEKS}")
    if model:
        print("; ".join(f"{k} = {v}" for k, v in model.items()))
    for metric in METRICS:
        print(f"\n**{metric}**\n")
        print("| structure | mean [95 % CI] | week SD | rep SD |\n|---|---|---|---|")
        for s, res in results.items():
            weekly = res[metric]
            runs = np.nanmean(weekly, axis=1)
            runs = runs[np.isfinite(runs)]
            if not runs.size:
                print(f"| `{s}` | – | – | – |")
                continue
            mean, low, high, _ = t_interval(runs)
            mean, low, high = clip_interval(mean, low, high, SPECS[metric].bounds)
            week_sd = float(np.nanmean(np.nanstd(weekly, axis=1)))
            rep_sd = float(np.std(runs, ddof=1)) if runs.size > 1 else float("nan")
            print(f"| `{s}` | {mean:.3f} [{low:.3f}, {high:.3f}] | {week_sd:.3f} | {rep_sd:.3f} |")


if __name__ == "__main__":
    main()
