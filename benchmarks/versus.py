"""Step time of two checkouts of orgsim, interleaved, on the same machine.

Usage::

    python benchmarks/versus.py OLD_DIR NEW_DIR [--sizes 1000 10000 ...] [--repeats 5]

For each size and repeat, a fresh process per checkout (``PYTHONPATH=DIR``, run in
turn: old, new, old, new, ...) builds the default ``hub_and_spokes`` organisation
(seed 1), applies the allocator tuning as the ``orgsim`` command does, warms up with
2 steps and times ``model.step()`` (draws, kernel, metrics, DataCollector). A
repeat's figure is its median step time (wall and CPU); the figure of a checkout is
the minimum over repeats, the least disturbed by other load on a shared machine.
Prints a Markdown table with new / old ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

STEPS = {1_000: 200, 10_000: 100, 100_000: 30, 1_000_000: 8}

CHILD = r"""
import json, statistics, sys, time
n, steps = int(sys.argv[1]), int(sys.argv[2])
try:
    from orgsim.allocator import tune_malloc
    tune_malloc()
except ImportError:  # older checkouts tune inside Topology.from_organisation
    pass
from orgsim.model import OrgModel
model = OrgModel(structure="hub_and_spokes", rng=1, employees=n, agents=False)
for _ in range(2):
    model.step()
wall, cpu = [], []
for _ in range(steps):
    t, c = time.perf_counter(), time.process_time()
    model.step()
    wall.append(time.perf_counter() - t)
    cpu.append(time.process_time() - c)
print(json.dumps({"wall": statistics.median(wall), "cpu": statistics.median(cpu)}))
"""


def one(folder: str, n: int, steps: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": folder}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(n), str(steps)],
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--sizes", type=int, nargs="*", default=list(STEPS))
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print("| employees | old step (wall / CPU) | new step (wall / CPU) | new / old (wall / CPU) |")
    print("|---:|---:|---:|---:|")
    for n in args.sizes:
        best: dict[str, dict[str, float]] = {}
        for _ in range(args.repeats):
            for name, folder in (("old", args.old), ("new", args.new)):
                got = one(folder, n, STEPS.get(n, 20))
                for key, value in got.items():
                    mine = best.setdefault(name, {})
                    mine[key] = min(mine.get(key, float("inf")), value)
        o, w = best["old"], best["new"]
        print(
            f"| {n:,} | {o['wall'] * 1e3:.2f} / {o['cpu'] * 1e3:.2f} ms"
            f" | {w['wall'] * 1e3:.2f} / {w['cpu'] * 1e3:.2f} ms"
            f" | {w['wall'] / o['wall']:.3f} / {w['cpu'] / o['cpu']:.3f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
