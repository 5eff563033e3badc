"""The path policy of ``[organisation] source`` and ``ties`` (see :mod:`orgsim.orgchart`):
relative to the scenario, absolute/``../``/symlinks allowed, only regular files outside
/proc, /sys and /dev, and never the content of what was refused."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.orgchart import OrgChartError, load_org_chart

CHART = """employee_id,manager_id,unit,role
ceo,,HQ,executive
cs,ceo,HQ,central_team
s1,ceo,Sales,
s2,s1,Sales,
m1,ceo,Marketing,
m2,m1,Marketing,liaison
"""
LINUX = sys.platform.startswith("linux")


def scenario(folder: Path, source: str, ties: str | None = None) -> Path:
    path = folder / "s.toml"
    extra = f'ties = "{ties}"\n' if ties else ""
    path.write_text(
        f'name = "s"\nstructures = ["band"]\n[organisation]\nsource = "{source}"\n{extra}'
    )
    return path


def validate(path: Path):
    return CliRunner().invoke(app, ["validate", str(path)])


@pytest.mark.skipif(not LINUX, reason="/proc is Linux's")
@pytest.mark.parametrize("key", ["source", "ties"])
def test_system_pseudo_files_are_refused_without_echoing_them(tmp_path, monkeypatch, key):
    monkeypatch.setenv("ORGSIM_SECRET_FOR_TEST", "s3cr3t-value")
    (tmp_path / "org.csv").write_text(CHART)
    args = ("/proc/self/environ", None) if key == "source" else ("org.csv", "/proc/self/environ")
    result = validate(scenario(tmp_path, *args))
    assert result.exit_code == 2
    assert "system file" in result.output and "/proc/self/environ" in result.output
    assert "s3cr3t" not in result.output and "PATH=" not in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_or_a_folder_is_refused_before_reading(tmp_path):
    os.mkfifo(tmp_path / "pipe.csv")  # opening it would block forever
    started = time.monotonic()
    with pytest.raises(OrgChartError, match="not a regular file"):
        load_org_chart(tmp_path / "pipe.csv")
    with pytest.raises(OrgChartError, match="is a folder"):
        load_org_chart(tmp_path)
    assert time.monotonic() - started < 5


def test_relative_parent_absolute_and_symlinked_paths_are_allowed(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "org.csv").write_text(CHART)
    work = tmp_path / "work"
    work.mkdir()
    (work / "link.csv").symlink_to(shared / "org.csv")
    for source in ("../shared/org.csv", str(shared / "org.csv"), "link.csv"):
        result = validate(scenario(work, source))
        assert result.exit_code == 0, (source, result.output)


def test_a_broken_symlink_is_one_line(tmp_path):
    (tmp_path / "gone.csv").symlink_to(tmp_path / "missing.csv")
    result = validate(scenario(tmp_path, "gone.csv"))
    assert result.exit_code == 2 and "cannot read the file" in result.output
    assert "Traceback" not in result.output
