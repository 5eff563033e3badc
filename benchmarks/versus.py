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

``--paired`` measures on a noisy shared host instead. A *process pair* is one live
process per checkout, stepping in turn (old, new, new, old, ...) in bursts of
``--burst`` steps; a burst's figure is the median CPU time of its steps but the first
(which starts with the other run's data in the caches), and each pair of neighbouring
bursts gives a ratio new / old under the same host load. A process pair's ratio is the
median over its ``--pairs`` burst pairs. Processes differ by themselves (two processes
of one checkout differ by up to 10 %: where their arrays land in memory), so the
process pair is the unit of replication: ``--processes`` of them, and the table gives
their mean ratio with a 95 % Student's t interval over them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from typing import NamedTuple

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


PAIRED_CHILD = r"""
import sys, time
try:
    from orgsim.allocator import tune_malloc
    tune_malloc()
except ImportError:
    pass
from orgsim.model import OrgModel
n, burst = int(sys.argv[1]), int(sys.argv[2])
model = OrgModel(structure="hub_and_spokes", rng=1, employees=n, agents=False)
for _ in range(2):
    model.step()
out, cmd = sys.stdout, sys.stdin
print("ready", flush=True)
while cmd.readline().strip() == "burst":
    took = []
    for _ in range(burst):
        t = time.thread_time()
        model.step()
        took.append(time.thread_time() - t)
    rest = sorted(took[1:]) or took
    print(rest[len(rest) // 2], flush=True)
"""


def _process_pair(old: str, new: str, n: int, pairs: int, burst: int) -> list[tuple[float, float]]:
    """One process pair: ``pairs`` (old, new) burst figures, in seconds, taken in turn."""
    runs = []
    for folder in (old, new):
        env = {**os.environ, "PYTHONPATH": folder}
        child = subprocess.Popen(
            [sys.executable, "-c", PAIRED_CHILD, str(n), str(burst)],
            env=env,
            cwd=folder,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdin is not None and child.stdout is not None
        if child.stdout.readline().strip() != "ready":
            raise RuntimeError(f"{folder}: the benchmark run did not start")
        runs.append(child)

    def burst_of(child: subprocess.Popen[str]) -> float:
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write("burst\n")
        child.stdin.flush()
        return float(child.stdout.readline())

    out = []
    try:
        for i in range(pairs):
            order = (0, 1) if i % 2 == 0 else (1, 0)  # old new, new old, ...
            got = {k: burst_of(runs[k]) for k in order}
            out.append((got[0], got[1]))
    finally:
        for child in runs:
            assert child.stdin is not None
            child.stdin.close()
            child.wait()
    return out


class Paired(NamedTuple):
    """Old and new median step (seconds), the mean ratio and its interval, each ratio."""

    old: float
    new: float
    ratio: float
    low: float
    high: float
    each: list[float]


def paired(old: str, new: str, n: int, processes: int, pairs: int, burst: int) -> Paired:
    """``processes`` process pairs: each one's median ratio new / old, their mean and
    its 95 % t interval, and the median old and new step (seconds) over all bursts."""
    import statistics

    from scipy import stats

    ratios, olds, news = [], [], []
    for _ in range(processes):
        got = _process_pair(old, new, n, pairs, burst)
        ratios.append(statistics.median(b / a for a, b in got))
        olds += [a for a, _ in got]
        news += [b for _, b in got]
    mean = statistics.fmean(ratios)
    half = stats.t.ppf(0.975, len(ratios) - 1) * statistics.stdev(ratios) / len(ratios) ** 0.5
    return Paired(
        statistics.median(olds), statistics.median(news), mean, mean - half, mean + half, ratios
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--sizes", type=int, nargs="*", default=list(STEPS))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--paired", action="store_true", help="bursts in turn (noisy hosts)")
    parser.add_argument("--processes", type=int, default=6, help="process pairs (--paired)")
    parser.add_argument("--pairs", type=int, default=40, help="bursts per process (--paired)")
    parser.add_argument("--burst", type=int, default=21, help="steps per burst (--paired)")
    args = parser.parse_args()
    if args.paired:
        if args.processes < 2:
            parser.error("--processes must be at least 2 (an interval needs two)")
        print(
            "| employees | old step | new step | new / old: mean over process pairs "
            "| 95 % interval | each process pair |"
        )
        print("|---:|---:|---:|---:|---:|---|")
        for n in args.sizes:
            burst = args.burst if n < 100_000 else 5
            res = paired(args.old, args.new, n, args.processes, args.pairs, burst)
            each = ", ".join(f"{r:.2f}" for r in res.each)
            print(
                f"| {n:,} | {res.old * 1e3:.2f} ms | {res.new * 1e3:.2f} ms"
                f" | {res.ratio:.3f} | {res.low:.3f} to {res.high:.3f} | {each} |",
                flush=True,
            )
        return 0
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
