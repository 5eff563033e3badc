"""Allocator tuning is opt-in: the library never applies it, orgsim's entry points do."""

from __future__ import annotations

import subprocess
import sys

import pytest

from orgsim import allocator
from orgsim.experiments.executors import process_pool

LINUX = sys.platform.startswith("linux")


def test_building_and_stepping_a_model_leaves_the_allocator_alone() -> None:
    code = (
        "import ctypes\n"
        "calls = []\n"
        "class Spy:\n"
        "    def __init__(self, *a, **k): pass\n"
        "    def __getattr__(self, name): return lambda *a: calls.append(name) or 1\n"
        "ctypes.CDLL = Spy\n"
        "import orgsim.allocator as al\n"
        "from orgsim.model import OrgModel\n"
        "m = OrgModel('band', rng=1, employees=60, units=3)\n"
        "for _ in range(3): m.step()\n"
        "assert al._TUNED is None and not calls, calls\n"
        "assert al.tune_malloc() == ('linux' in __import__('sys').platform)\n"
        "assert calls and set(calls) == {'mallopt'}, calls\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_command_line_tunes_and_the_variable_switches_it_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import orgsim.cli as cli

    seen: list[bool] = []
    monkeypatch.setenv("MPLBACKEND", "agg")  # main() sets it: keep it from leaking
    monkeypatch.setattr(allocator, "_TUNED", None)
    monkeypatch.setattr(cli, "app", lambda: seen.append(allocator.is_tuned()))
    monkeypatch.setenv("ORGSIM_MALLOC_TUNING", "0")
    cli.main()
    assert seen == [False]
    monkeypatch.setattr(allocator, "_TUNED", None)
    monkeypatch.delenv("ORGSIM_MALLOC_TUNING")
    cli.main()
    assert seen == [False, LINUX]


@pytest.mark.skipif(not LINUX, reason="glibc allocator tuning")
def test_pool_workers_are_tuned_and_the_parent_is_not() -> None:
    before = allocator.is_tuned()
    with process_pool(1) as pool:
        assert pool.submit(allocator.is_tuned).result(timeout=60)
    assert allocator.is_tuned() == before
