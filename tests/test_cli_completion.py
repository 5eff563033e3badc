"""Shell completion is switched on: `orgsim --install-completion` exists and completes."""

from __future__ import annotations

import os
import subprocess
import sys

from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.cli.run import Listing

runner = CliRunner()


def _complete(words: str, cword: int) -> list[str]:
    env = {"_ORGSIM_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    result = runner.invoke(app, [], prog_name="orgsim", env=env)
    assert result.exit_code == 0
    return result.output.split()


def test_help_offers_installing_completion():
    result = runner.invoke(app, ["--help"])
    assert "--install-completion" in result.output


def test_completion_script_and_answers():
    # a fresh process: Typer's completion classes are process-wide state that other
    # tests in the same worker can leave changed
    script = subprocess.run(
        [sys.executable, "-m", "orgsim", "--show-completion", "bash"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"},
    )
    assert script.returncode == 0, script.stderr
    assert "complete" in script.stdout and "orgsim" in script.stdout
    assert _complete("orgsim ru", 1) == ["run"]
    assert _complete("orgsim list ", 2) == [item.value for item in Listing]
