"""Shell completion is switched on: `orgsim --install-completion` exists and completes."""

from __future__ import annotations

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
    script = runner.invoke(app, ["--show-completion", "bash"], prog_name="orgsim")
    assert script.exit_code == 0 and "complete" in script.output and "orgsim" in script.output
    assert _complete("orgsim ru", 1) == ["run"]
    assert _complete("orgsim list ", 2) == [item.value for item in Listing]
