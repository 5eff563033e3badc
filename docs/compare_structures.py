"""The five structures on the default scenario, with 95 % confidence intervals.

Runs ``scenarios/default.toml`` with all registered structures (the file itself lists
Owyang's 2009 three) through ``orgsim run`` and prints a Markdown table of the
summary: each run's mean over the last quarter of its 104 weeks, then the mean and
95 % t-interval across the replications; and, for Edelman's stages, the mean first
week each stage was reached and in how many runs.

Usage (about a minute on two cores)::

    .venv/bin/python docs/compare_structures.py [--replications N] [--out DIR]
        [--model KEY=VALUE ...]

``--model code_news=0`` runs the same comparison with a ``[model]`` parameter changed
(e.g. without code-channel news, ODD 9.2).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
METRICS = [
    ("authenticity", "authenticity"),
    ("awareness", "awareness"),
    ("resource_flow", "resource flow"),
    ("coordination_cost", "coordination cost"),
    ("engagement", "engagement"),
    ("code_knowledge", "code knowledge"),
    ("stage", "stage (0-4)"),
]
STAGES = ["walking", "running", "flying"]


def _cell(row: pd.Series, digits: int = 2) -> str:
    if pd.isna(row["mean"]):
        return "–"
    if pd.isna(row["ci_low"]):
        return f"{row['mean']:.{digits}f}"
    return f"{row['mean']:.{digits}f} [{row['ci_low']:.{digits}f}, {row['ci_high']:.{digits}f}]"


def table(summary: pd.DataFrame, structures: list[str], runs: int) -> str:
    """The Markdown table of a summary.csv."""
    s = summary.set_index(["structure", "metric"])
    head = ["structure", *(label for _, label in METRICS), *(f"week {x} reached" for x in STAGES)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in structures:
        cells = [f"`{name}`"]
        cells += [_cell(s.loc[(name, metric)]) for metric, _ in METRICS]
        for stage in STAGES:
            row = s.loc[(name, f"first_step_{stage}")]
            n = int(row["n"])
            cells.append("never" if n == 0 else f"{_cell(row, 0)} ({n}/{runs})")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--model", nargs="*", default=[], metavar="KEY=VALUE", help="[model] values to set"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from orgsim.structures import STRUCTURES

    structures = list(STRUCTURES)
    text = (ROOT / "scenarios" / "default.toml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^name = .*$", 'name = "default-five"', text)
    listed = ", ".join(f'"{s}"' for s in structures)
    text = re.sub(r"(?m)^structures = \[.*?\]", f"structures = [{listed}]", text)
    for item in args.model:
        key, value = item.split("=", 1)
        text = re.sub(rf"(?m)^{re.escape(key)} = .*$\n?", "", text)
        text = text.replace("[model]\n", f"[model]\n{key} = {value}\n", 1)
    with tempfile.TemporaryDirectory() as tmp:
        scenario = Path(tmp) / "default-five.toml"
        scenario.write_text(text, encoding="utf-8")
        out = args.out or Path(tmp) / "out"
        cmd = [sys.executable, "-m", "orgsim", "run", str(scenario), "--out", str(out)]
        cmd += ["--no-plots", "-q", "--force"]
        if args.replications:
            cmd += ["--replications", str(args.replications)]
        subprocess.run(cmd, check=True, cwd=ROOT)
        summary = pd.read_csv(out / "default-five" / "summary.csv")
    runs = int(summary.loc[summary["metric"] == "authenticity", "n"].max())
    print(
        f"Default scenario (scenarios/default.toml), all {len(structures)} structures, "
        f"{runs} replications x 104 weeks; mean [95 % CI] over the last 26 weeks"
        f"{'; ' + ', '.join(args.model) if args.model else ''}.\n"
    )
    print(table(summary, structures, runs))


if __name__ == "__main__":
    main()
