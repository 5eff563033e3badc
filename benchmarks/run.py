"""Speed benchmarks of orgsim: build, step, memory, reference ratio, floor multiple.

Run ``python benchmarks/run.py`` (``make bench``) for 1,000 / 10,000 / 100,000 /
1,000,000 employees (about 5 minutes with the batch-throughput script), or
``--quick`` for a fast subset that leaves ``RESULTS.md`` alone. Each size runs in its own
subprocess, so peak memory (``ru_maxrss``) belongs to that size alone. Prints a
table and writes ``benchmarks/RESULTS.md`` (with the date and the machine).

Figures per size
----------------
build
    ``OrgModel(..., agents=False)`` wall time: structure builder, topology (hop
    counts, sparse layers), initial state.
agents
    ``model.create_employees()``: the networkx graph, Mesa's ``Network`` space and one
    agent per employee. ``agents="auto"`` does this only up to 20,000 employees;
    above, agents are created on first use of ``model.employees``.
step
    Mean wall time of ``model.step()``: draws, the vectorised kernel, every metric
    and the DataCollector.
run
    build + all steps (the targets: 100k x 104 steps < 30 s, 1M x 52 < 5 min).
reference ratio
    reference step / vectorised step (mean CPU times), where the reference finishes
    (it is the plain agent-by-agent loop; same draws, same results).
floor multiple
    mean CPU time of a step / mean CPU time of the floor, where the floor is what any
    implementation of docs/model.md §3 must do on arrays of this size: one sparse
    product per tie layer (``A_layer @ know``, n x units) and one element-wise pass
    over the n x m belief matrix. CPU rather than wall time, because on a shared
    machine wall times stretch with other people's load.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
FULL = {1_000: 200, 10_000: 104, 100_000: 104, 1_000_000: 52}
QUICK = {1_000: 50, 10_000: 20}
REFERENCE_STEPS = {1_000: 5, 10_000: 2, 100_000: 1}
AGENTS_MAX = 100_000  # time creating the Mesa agents (lazy by default) up to this size


def _times(fn, repeat: int) -> tuple[list[float], list[float]]:
    """Wall and CPU times of ``repeat`` calls of ``fn``."""
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return wall, cpu


def _best(fn, repeat: int) -> tuple[float, float]:
    """Best wall and best CPU time of ``fn`` over ``repeat`` calls."""
    wall, cpu = _times(fn, repeat)
    return min(wall), min(cpu)


def measure(n: int, steps: int, structure: str, reference: bool) -> dict:
    """Benchmark one size (run in a fresh subprocess by :func:`main`)."""
    import numpy as np

    from orgsim.allocator import tune_malloc
    from orgsim.model import OrgModel
    from orgsim.organisation import LAYERS

    tune_malloc()  # as the orgsim command does (an entry point opts in)

    out: dict = {"n": n, "steps": steps, "structure": structure}
    t = time.perf_counter()
    model = OrgModel(structure=structure, rng=1, employees=n, agents=False)
    out["build"] = time.perf_counter() - t
    if n <= AGENTS_MAX:  # Mesa agents + Network are lazy above 20,000 employees
        t = time.perf_counter()
        model.create_employees()
        out["agents"] = time.perf_counter() - t
    times, cpu = [], []
    for _ in range(steps):
        t, c = time.perf_counter(), time.process_time()
        model.step()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    out["step"] = statistics.fmean(times)
    out["step_cpu"] = statistics.fmean(cpu)
    out["step_median"] = statistics.median(times)
    out["run"] = out["build"] + sum(times)

    # kernel alone (draws + vectorised step), no metrics / DataCollector
    from orgsim import dynamics

    top, dyn = model.topology, model.dynamics

    def kernel() -> None:
        dynamics.step(top, model.state, dyn, dynamics.draw(top, dyn, model.rng))

    out["kernel"], out["kernel_cpu"] = _best(kernel, 5)

    # floor: one sparse product per tie layer, one element-wise pass over beliefs
    org = model.organisation
    know = model.state.know.astype(np.float32)
    layers = [org.adjacency(name).astype(np.float32) for name in LAYERS if len(org.edges(name))]
    beliefs = model.state.beliefs
    buf = np.empty(beliefs.shape, dtype=bool)

    def floor() -> None:
        for adj in layers:
            adj @ know
        np.not_equal(beliefs, 0, out=buf)

    floor()  # warm up
    wall, cpu = _times(floor, 20)
    out["floor"], out["floor_cpu"] = statistics.fmean(wall), statistics.fmean(cpu)
    out["floor_cpu_min"] = min(cpu)
    # on a shared machine wall times stretch with the load; CPU times much less
    out["floor_multiple"] = out["step_cpu"] / out["floor_cpu"]
    out["peak_rss_gb_before_reference"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6

    if reference and n in REFERENCE_STEPS:
        ref = OrgModel(structure=structure, rng=1, employees=n, kernel="reference", agents=False)
        k = REFERENCE_STEPS[n]
        t, c = time.perf_counter(), time.process_time()
        for _ in range(k):
            ref.step()
        out["reference_step"] = (time.perf_counter() - t) / k
        out["reference_step_cpu"] = (time.process_time() - c) / k
        out["reference_ratio"] = out["reference_step_cpu"] / out["step_cpu"]
    out["peak_rss_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    return out


def machine() -> dict:
    """CPU, cores, memory, Python and library versions, BLAS, load."""
    import numpy as np
    import scipy

    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        ram = f"{kb / 2**20:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    blas = "?"
    try:
        cfg = np.show_config(mode="dicts")
        info = cfg["Build Dependencies"]["blas"]
        blas = f"{info.get('name', '?')} {info.get('version', '')}".strip()
    except Exception:  # best effort description
        pass
    import mesa

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram": ram,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "mesa": mesa.__version__,
        "blas": blas,
        "os": platform.platform(),
        "load": " / ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def help_time() -> float:
    """Best-of-5 wall time of ``orgsim --help`` (a fresh interpreter each time)."""
    cmd = [sys.executable, "-m", "orgsim", "--help"]
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        best = min(best, time.perf_counter() - t)
    return best


def batch_throughput() -> str | None:
    """Output of helper script ``batch_throughput.py`` (runs/s, 1 and 2 workers), if present."""
    script = HERE / "batch_throughput.py"
    if not script.exists():
        return None
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=False
    )
    return (done.stdout + ("\n" + done.stderr if done.returncode else "")).strip()


def _fmt_time(s: float | None) -> str:
    if s is None:
        return "-"
    if s < 1e-3:
        return f"{s * 1e6:.0f} us"
    if s < 1:
        return f"{s * 1e3:.1f} ms"
    return f"{s:.2f} s"


def table(rows: list[dict]) -> str:
    head = (
        "| employees | build | agents | step | agent-steps/s | steps | run (build + steps) |"
        " kernel | floor | step / floor | reference step | vectorised / reference | peak RSS |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    lines = []
    for r in rows:
        ref = r.get("reference_step")
        lines.append(
            f"| {r['n']:,} | {_fmt_time(r['build'])} | {_fmt_time(r.get('agents'))} |"
            f" {_fmt_time(r['step'])} |"
            f" {r['n'] / r['step']:.3g} | {r['steps']} | {_fmt_time(r['run'])} |"
            f" {_fmt_time(r['kernel'])} | {_fmt_time(r['floor'])} |"
            f" {r['floor_multiple']:.1f}x | {_fmt_time(ref)} |"
            f" {f'{r["reference_ratio"]:.0f}x' if ref else '-'} | {r['peak_rss_gb']:.2f} GB |"
        )
    return head + "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="1k and 10k only, fewer steps (no RESULTS.md)"
    )
    parser.add_argument("--sizes", type=int, nargs="*", help="employee counts (default: all)")
    parser.add_argument("--structure", default="hub_and_spokes", help="registered structure")
    parser.add_argument("--no-reference", action="store_true", help="skip the reference step")
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    parser.add_argument("--no-batch", action="store_true", help="skip batch_throughput.py")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child process
    parser.add_argument("--steps", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.one is not None:
        print(json.dumps(measure(args.one, args.steps, args.structure, not args.no_reference)))
        return 0

    plan = QUICK if args.quick else FULL
    if args.sizes:
        plan = {n: FULL.get(n, 20) for n in args.sizes}
    info = machine()
    print("machine:", ", ".join(f"{k}={v}" for k, v in info.items()), flush=True)
    rows = []
    for n, steps in plan.items():
        cmd = [
            sys.executable,
            __file__,
            "--one",
            str(n),
            "--steps",
            str(steps),
            "--structure",
            args.structure,
        ]
        if args.no_reference:
            cmd.append("--no-reference")
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode:
            print(f"{n:,} employees failed:\n{done.stderr}", file=sys.stderr)
            continue
        row = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(
            f"{n:>9,} employees: build {_fmt_time(row['build'])}, step {_fmt_time(row['step'])}"
            f" ({n / row['step']:.3g} agent-steps/s), {steps} steps in {_fmt_time(row['run'])},"
            f" {row['floor_multiple']:.1f}x floor, peak {row['peak_rss_gb']:.2f} GB"
            + (f", {row['reference_ratio']:.0f}x reference" if "reference_step" in row else ""),
            flush=True,
        )
    help_s = help_time()
    print(f"orgsim --help: {_fmt_time(help_s)}", flush=True)
    batch = None if args.quick or args.no_batch else batch_throughput()
    if batch:
        print(batch)
    text = table(rows)
    print(text)
    if not (args.no_write or args.quick or args.sizes):  # only full runs replace RESULTS.md
        write_results(info, rows, text, help_s, batch, args)
    return 0


def write_results(info: dict, rows: list[dict], text: str, help_s: float, batch, args) -> None:
    """Write ``RESULTS.md``: date, machine, the table, and the targets checked."""
    now = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    by_n = {r["n"]: r for r in rows}
    checks = []
    if 10_000 in by_n and "reference_step" in by_n[10_000]:
        r = by_n[10_000]
        checks.append(("vectorised >= 100x reference at 10k", r["reference_ratio"], 100))
    if 100_000 in by_n:
        r = by_n[100_000]
        checks.append(("100k x 104 steps < 30 s (incl. build), s", r["run"], 30))
        checks.append(("step within 3x of floor at 100k", r["floor_multiple"], 3))
    if 1_000_000 in by_n:
        r = by_n[1_000_000]
        checks.append(("1M x 52 steps < 5 min, s", r["run"], 300))
        checks.append(("1M peak memory < 12 GB, GB", r["peak_rss_gb"], 12))
    checks.append(("orgsim --help < 0.5 s, s", help_s, 0.5))
    lines = [
        "# orgsim benchmarks",
        "",
        f"Run: {now}, `python benchmarks/run.py{' --quick' if args.quick else ''}`"
        f" (structure `{args.structure}`, default parameters, seed 1).",
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in info.items() if k != "load") + ".",
        f"Load average at start (1/5/15 min): {info['load']}"
        + (
            " -- the machine was shared, so times are pessimistic."
            if float(info["load"].split(" / ")[0]) > 1.0
            else "."
        ),
        "",
        text,
        "build = `OrgModel(..., agents=False)`; agents = `model.create_employees()` (networkx"
        " graph + Mesa `Network` + one agent per employee; automatic only up to 20,000"
        " employees); step = mean wall time of `model.step()` (draws, kernel, all metrics,"
        " DataCollector); kernel = best wall time of draws + vectorised step; floor = mean"
        " wall time of one sparse product per tie layer over the n x units awareness matrix"
        " + one element-wise pass over the n x m belief matrix; step / floor = mean CPU"
        " time of a step / mean CPU time of the floor; vectorised / reference = ratio of mean"
        " CPU times per step; agent-steps/s = employees / step."
        " Peak RSS per size, each in its own process (the reference runs after the"
        " vectorised steps, in the same process, at 100,000 employees and below).",
        "",
        "## Targets",
        "",
        "| target | measured | limit | met |",
        "|---|---:|---:|:---:|",
    ]
    for name, value, limit in checks:
        ok = value >= limit if ">=" in name else value < limit
        lines.append(f"| {name} | {value:.3g} | {limit} | {'yes' if ok else 'NO'} |")
    if batch:
        lines += ["", "## Batch throughput (500 employees x 104 steps)", "", "```", batch, "```"]
    notes = HERE / "NOTES.md"
    if notes.exists():
        lines += ["", notes.read_text().strip()]
    RESULTS.write_text("\n".join(lines) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    sys.exit(main())
