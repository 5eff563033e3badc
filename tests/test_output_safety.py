"""Nothing is lost: damaged stores, a full disk, two runs on one folder, --force on a
foreign folder, Ctrl-C while plotting. Each case: exit code, one line naming the file,
and every file that was there before is still there, byte for byte."""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.experiments.store import Store, StoreError

runner = CliRunner()

TINY = """
name = "tiny"
seed = 5
steps = 4
replications = 2
structures = ["band", "tower"]
[organisation]
employees = 30
units = 2
"""


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def run(scenario: Path, out: Path, *extra: str):
    return invoke("run", scenario, "--out", out, "--workers", "1", "--no-plots", *extra)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (not the lock) -> its bytes; a folder -> b"<dir>"."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.name != ".orgsim.lock":
            out[str(p.relative_to(folder))] = b"<dir>" if p.is_dir() else p.read_bytes()
    return out


def one_error_line(output: str) -> str:
    lines = [line for line in output.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), output
    assert "Traceback" not in output
    return lines[0]


@pytest.fixture
def finished(tmp_path) -> tuple[Path, Path]:
    """A scenario file and its complete output folder."""
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(TINY)
    result = run(scenario, tmp_path / "out", "-q")
    assert result.exit_code == 0, result.output
    return scenario, tmp_path / "out" / "tiny"


# -- damaged stores --------------------------------------------------------------------


def _truncate(db: Path) -> None:
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2])


def _garbage(db: Path) -> None:
    db.write_bytes(b"this is not a database, " * 400)


def _bad_row(db: Path) -> None:
    with closing(sqlite3.connect(db)) as con:
        con.execute("UPDATE runs SET data = x'00' WHERE rowid = 2")
        con.commit()


def _folder(db: Path) -> None:
    db.unlink()
    (db / "inside").mkdir(parents=True)


def _foreign_schema(db: Path) -> None:
    db.unlink()
    with closing(sqlite3.connect(db)) as con:
        con.execute("CREATE TABLE notes (text TEXT)")
        con.commit()


DAMAGE = {
    "truncated": _truncate,
    "garbage": _garbage,
    "bad row": _bad_row,
    "a folder": _folder,
    "another database": _foreign_schema,
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_store_stops_before_any_output_is_touched(finished, damage):
    scenario, folder = finished
    db = folder / "runs.sqlite"
    DAMAGE[damage](db)
    before = snapshot(folder)
    result = run(scenario, folder.parent, "--force")
    assert result.exit_code == 2
    line = one_error_line(result.output)
    assert str(db) in line and "--fresh" in line and "nothing was changed" in line
    assert snapshot(folder) == before  # not one file deleted or changed
    # --fresh keeps the damaged store aside and recomputes
    fresh = run(scenario, folder.parent, "--fresh")
    assert fresh.exit_code == 0, fresh.output
    assert "kept as" in fresh.output
    aside = [p for p in folder.iterdir() if p.name.startswith("runs.sqlite.bad-")]
    assert len(aside) == 1
    assert (
        aside[0].is_dir()
        if damage == "a folder"
        else aside[0].read_bytes() == before["runs.sqlite"]
    )
    with Store(db) as store:
        assert store.status_counts() == {"done": 4}


def test_a_damaged_store_is_reported_by_dry_run_and_the_library(finished):
    scenario, folder = finished
    _garbage(folder / "runs.sqlite")
    result = invoke("run", scenario, "--out", folder.parent, "--dry-run")
    assert result.exit_code == 2 and "runs.sqlite" in one_error_line(result.output)
    with pytest.raises(StoreError) as caught:
        Store(folder / "runs.sqlite")
    assert caught.value.damaged and caught.value.path == folder / "runs.sqlite"


def test_fresh_on_an_intact_store_recomputes_without_keeping_it(finished):
    scenario, folder = finished
    result = run(scenario, folder.parent, "--fresh", "-q")
    assert result.exit_code == 0, result.output
    assert not [p for p in folder.iterdir() if ".bad-" in p.name]
    assert json.loads((folder / "manifest.json").read_text())["counts"]["computed"] == 4


# -- a full disk -----------------------------------------------------------------------


class _FullConnection:
    """A sqlite3 connection whose writes of runs fail as on a full disk."""

    def __init__(self, real: sqlite3.Connection) -> None:
        self.real = real

    def execute(self, sql: str, *args: object):
        if sql.startswith("INSERT INTO runs"):
            exc = sqlite3.OperationalError("database or disk is full")
            exc.sqlite_errorcode = sqlite3.SQLITE_FULL  # type: ignore[attr-defined]
            raise exc
        return self.real.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self.real, name)


def test_disk_full_while_committing_is_one_line_and_keeps_the_outputs(finished, monkeypatch):
    import orgsim.experiments.store as store_module

    scenario, folder = finished
    before = snapshot(folder)
    real = sqlite3.connect
    monkeypatch.setattr(
        store_module.sqlite3, "connect", lambda *a, **k: _FullConnection(real(*a, **k))
    )
    result = run(scenario, folder.parent, "--fresh", "-q")
    assert result.exit_code == 2
    line = one_error_line(result.output)
    assert "runs.sqlite" in line and "disk is full" in line and "free some space" in line
    assert "damaged" not in line
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    assert before.keys() - snapshot(folder).keys() <= {
        "manifest.json",
        "results.csv",
        "summary.csv",
    }


def test_disk_full_while_creating_the_store(tmp_path, monkeypatch):
    import orgsim.experiments.store as store_module

    def full(*args, **kwargs):
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(store_module.sqlite3, "connect", full)
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(TINY)
    result = run(scenario, tmp_path / "out")
    assert result.exit_code == 2
    assert "runs.sqlite" in one_error_line(result.output)


def test_an_output_file_that_cannot_be_written_is_named(finished, monkeypatch):
    import orgsim.outputs as outputs

    scenario, folder = finished

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(outputs, "export", full)
    result = run(scenario, folder.parent, "--force", "-q")
    assert result.exit_code == 2
    line = one_error_line(result.output)
    assert str(folder) in line and "?" not in line and "no space" in line


def _can_mount_tmpfs(path: Path) -> bool:
    if os.geteuid() != 0 or not sys.platform.startswith("linux"):
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(path)])
    return done.returncode == 0


@pytest.mark.slow
def test_a_really_full_disk(tmp_path):
    """On a 96 KB tmpfs (needs root): one line, exit 2, then resume elsewhere."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if not _can_mount_tmpfs(disk):
        pytest.skip("mounting a tmpfs needs root on Linux")
    try:
        scenario = tmp_path / "big.toml"
        scenario.write_text(TINY.replace("steps = 4", "steps = 400").replace("2\nstr", "9\nstr"))
        result = subprocess.run(
            [sys.executable, "-m", "orgsim", "run", scenario, "--out", disk, "--workers", "1"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 2, result.stderr
        line = one_error_line(result.stderr.splitlines()[-1])
        assert "space" in line or "full" in line
        assert str(disk) in line
    finally:
        subprocess.run(["umount", str(disk)], check=False)


# -- one writer per folder ---------------------------------------------------------------


def test_a_second_command_on_a_busy_folder_says_who_holds_it_or_waits(tmp_path):
    """Another process (here: this test) holds the folder; `orgsim run` is the second."""
    from orgsim.folder import FolderLock

    scenario = tmp_path / "tiny.toml"
    scenario.write_text(TINY)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "orgsim", "run", str(scenario), "--out", str(out)]
    command += ["--workers", "1", "--no-plots"]
    with FolderLock(out / "tiny"):
        second = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert second.returncode == 2
        line = one_error_line(second.stderr)
        assert f"pid {os.getpid()}" in line and "since" in line and "--wait" in line
        assert sorted(p.name for p in (out / "tiny").iterdir()) == [".orgsim.lock"]
        waiting = subprocess.Popen([*command, "--wait"], stderr=subprocess.PIPE, text=True)
        assert waiting.stderr is not None
        first_line = waiting.stderr.readline()  # printed before it blocks
        assert first_line.startswith("waiting: ") and f"pid {os.getpid()}" in first_line
        time.sleep(0.5)
        assert waiting.poll() is None and not (out / "tiny" / "results.csv").exists()
    rest = waiting.communicate(timeout=120)[1]
    assert waiting.returncode == 0, rest
    assert (out / "tiny" / "results.csv").exists()


# -- --force on a folder orgsim did not write ----------------------------------------------


def test_force_never_deletes_files_orgsim_did_not_write(tmp_path, monkeypatch):
    _fake_plots(monkeypatch)
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(TINY)
    folder = tmp_path / "out" / "tiny"
    (folder / "plots").mkdir(parents=True)
    (folder / "plots" / "my-figure.png").write_bytes(b"mine")
    (folder / "notes.txt").write_text("mine")
    before = snapshot(folder)
    refused = run(scenario, tmp_path / "out", "--force")
    assert refused.exit_code == 2
    line = one_error_line(refused.output)
    assert "plots/my-figure.png" in line and "not written by orgsim" in line
    assert snapshot(folder) == before and not (folder / ".orgsim.lock").exists()
    (folder / "plots" / "my-figure.png").rename(tmp_path / "my-figure.png")
    (folder / "plots").rmdir()
    forced = invoke("run", scenario, "--out", tmp_path / "out", "--workers", "1", "--force")
    assert forced.exit_code == 0, forced.output
    assert (folder / "notes.txt").read_text() == "mine" and (folder / "plots").is_dir()
    # a user's file dropped into orgsim's plots/ later is not orgsim's either
    (tmp_path / "my-figure.png").rename(folder / "plots" / "my-figure.png")
    again = run(scenario, tmp_path / "out", "--force")
    assert again.exit_code == 2 and "plots/my-figure.png" in again.output


def test_force_with_user_results_csv_in_a_foreign_folder(tmp_path):
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(TINY)
    folder = tmp_path / "out" / "tiny"
    folder.mkdir(parents=True)
    (folder / "results.csv").write_text("my,own\n1,2\n")
    result = run(scenario, tmp_path / "out", "--force")
    assert result.exit_code == 2 and "results.csv" in one_error_line(result.output)
    assert (folder / "results.csv").read_text() == "my,own\n1,2\n"


def _fake_plots(monkeypatch, fail_at: int | None = None):
    import orgsim.plots as plots

    def fake(results, out_dir, **options):
        written = []
        for i in range(5):
            if i == fail_at:
                raise KeyboardInterrupt
            path = out_dir / f"plot{i}.png"
            path.write_bytes(b"new" + bytes([i]))
            written.append(path)
        return written

    monkeypatch.setattr(plots, "write_run_plots", fake)


def test_plots_are_swapped_in_and_no_plots_keeps_them(tmp_path, monkeypatch):
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(TINY)
    folder = tmp_path / "out" / "tiny"
    _fake_plots(monkeypatch)
    first = invoke("run", scenario, "--out", tmp_path / "out", "--workers", "1", "-q")
    assert first.exit_code == 0, first.output
    plots = sorted(p.name for p in (folder / "plots").iterdir())
    assert plots == [".orgsim-files.json", *(f"plot{i}.png" for i in range(5))]
    kept = snapshot(folder / "plots")
    no_plots = run(scenario, tmp_path / "out", "--force")
    assert no_plots.exit_code == 0 and "left as it was" in no_plots.output
    assert snapshot(folder / "plots") == kept


def test_ctrl_c_while_plotting_keeps_the_previous_plots_and_writes_a_manifest(
    tmp_path, monkeypatch
):
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(TINY)
    folder = tmp_path / "out" / "tiny"
    _fake_plots(monkeypatch)
    assert invoke("run", scenario, "--out", tmp_path / "out", "--workers", "1").exit_code == 0
    previous = snapshot(folder / "plots")
    _fake_plots(monkeypatch, fail_at=3)
    result = invoke("run", scenario, "--out", tmp_path / "out", "--workers", "1", "--force")
    assert result.exit_code == 130
    assert snapshot(folder / "plots") == previous  # the whole previous set, not a mix
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    assert manifest["files"] == ["results.csv", "summary.csv"]
    leftovers = [p for p in folder.rglob("*") if ".tmp" in p.name or ".old" in p.name]
    assert leftovers == []
    _fake_plots(monkeypatch)
    resumed = invoke("run", scenario, "--out", tmp_path / "out", "--workers", "1", "-q")
    assert resumed.exit_code == 0 and (folder / "plots" / "plot4.png").read_bytes() == b"new\x04"


def test_temporary_files_of_a_killed_run_are_cleaned(finished):
    scenario, folder = finished
    (folder / ".results.csv.99999.tmp").write_text("half")
    (folder / ".plots.99999.tmp").mkdir()
    (folder / ".plots.99999.tmp" / "a.png").write_bytes(b"half")
    (folder / "keep.tmp").write_text("not orgsim's name")
    assert run(scenario, folder.parent, "--force", "-q").exit_code == 0
    names = {p.name for p in folder.iterdir()}
    assert ".results.csv.99999.tmp" not in names and ".plots.99999.tmp" not in names
    assert (folder / "keep.tmp").read_text() == "not orgsim's name"


# -- the backend -----------------------------------------------------------------------------


def test_a_nonsense_scheduler_is_one_line_and_touches_nothing(finished):
    scenario, folder = finished
    before = snapshot(folder)
    for out in (folder.parent, folder.parent / "new"):
        result = invoke("run", scenario, "--out", out, "--fresh", "--scheduler", "nonsense://x")
        assert result.exit_code == 2
        line = one_error_line(result.output)
        assert "--scheduler nonsense://x" in line and "tcp://HOST:PORT" in line
    assert snapshot(folder) == before  # the store too: --fresh did not remove it
    assert not (folder.parent / "new" / "tiny" / "results.csv").exists()


def test_an_unreachable_scheduler_exits_2(tmp_path, monkeypatch):
    import distributed  # the dev extra installs it: the suite needs it

    def unreachable(address, timeout):
        raise OSError(f"Timed out trying to connect to {address} after {timeout}")

    monkeypatch.setattr(distributed, "Client", unreachable)
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(TINY)
    result = invoke("run", scenario, "--out", tmp_path, "--scheduler", "tcp://127.0.0.1:1")
    assert result.exit_code == 2
    assert "cannot reach a Dask scheduler" in one_error_line(result.output)
