"""Sensitivity indices that do not overstate: implausible indices are flagged, a most
influential parameter is named only when it is clear, --dry-run runs nothing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.experiments.sensitivity import assess, influence_report


def _indices(rows):
    cols = ["structure", "metric", "parameter", "S1", "S1_conf", "ST", "ST_conf"]
    return pd.DataFrame([dict(zip(cols, r, strict=True)) for r in rows])


def test_implausible_indices_are_noise_and_name_no_leader():
    noisy = _indices(
        [
            ("tower", "awareness", "p1", 1.2, 0.3, 1.84, 0.2),  # ST > 1, S1 > ... fine
            ("tower", "awareness", "delta", -0.5, 0.2, 1.5, 0.3),  # negative S1
            ("tower", "awareness", "voice", 0.1, 0.1, 1.1, 0.2),  # sum of ST = 4.4
        ]
    )
    out = assess(noisy)
    warning = out["warning"].iloc[0]
    assert "ST > 1" in warning and "negative S1" in warning and "sum of ST = 4.4" in warning
    lines = influence_report(out, replications=1)
    assert any("1 replication per design point" in line for line in lines)
    body = [line for line in lines if "awareness" in line]
    assert body == [line for line in body if "not reliable" in line] and body
    assert "p1 " not in body[0]  # no parameter named


def test_s1_above_st_is_implausible():
    out = assess(_indices([("band", "reach", "p1", 0.9, 0.05, 0.3, 0.05)]))
    assert "S1 > ST" in out["warning"].iloc[0]


def test_a_clear_leader_is_named_and_overlaps_are_not():
    clear = assess(
        _indices(
            [
                ("tower", "authenticity", "voice", 0.8, 0.1, 0.9, 0.1),
                ("tower", "authenticity", "delta", 0.05, 0.05, 0.08, 0.05),
            ]
        )
    )
    lines = influence_report(clear, replications=3)
    assert any("voice" in line and "ST = 0.90 [0.80, 1.00]" in line for line in lines)
    tied = assess(
        _indices(
            [
                ("tower", "authenticity", "voice", 0.4, 0.2, 0.5, 0.2),
                ("tower", "authenticity", "delta", 0.3, 0.2, 0.4, 0.2),
            ]
        )
    )
    lines = influence_report(tied, replications=3)
    assert any("no clear leader among voice, delta" in line for line in lines)
    assert any("wider than" in line for line in lines)


def test_sensitivity_dry_run_counts_runs_and_runs_none(tmp_path: Path):
    path = tmp_path / "sens.toml"
    path.write_text(
        'name = "sens"\nseed = 1\nsteps = 4\nstructures = ["tower"]\n'
        "[organisation]\nemployees = 30\nunits = 2\n"
        "[sweep]\ndesign = 'sobol'\nsamples = 8\nreplications = 2\n"
        "ranges = { voice = [0.3, 1.0], p1 = [0.0, 0.9] }\n"
    )
    result = CliRunner().invoke(
        app, ["sensitivity", str(path), "--out", str(tmp_path), "--dry-run", "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "64 runs" in result.output  # 8 x (2 + 2) points x 2 replications
    assert "estimated time" in result.output
    assert not (tmp_path / "sens").exists()
