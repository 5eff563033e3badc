"""Exceptions raised by orgsim, and the exit codes the command line maps them to.

Core objects
------------
OrgsimError
    Base class of every error orgsim raises on purpose.
ParameterError
    A model or organisation parameter is out of range, of the wrong type or unknown.
    Subclasses ``ValueError`` so that generic callers (``mesa.batch_run``) see a
    familiar type.
PluginError
    A plugin (``plugins = [...]`` in a scenario, or an ``orgsim.plugins`` entry point)
    failed to load: says which file and why, in one line.
StoreMismatchError
    A stored run measured other metrics than the batch expects.
ExitCode
    Named exit codes of the ``orgsim`` command (httpie style).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of the ``orgsim`` command."""

    OK = 0
    ERROR = 1  # a run failed, or an unexpected error
    BAD_INPUT = 2  # the scenario file or a command-line option is wrong
    INTERRUPTED = 130  # Ctrl-C; finished runs are kept


class OrgsimError(Exception):
    """Base class of the errors orgsim raises on purpose."""


class ParameterError(OrgsimError, ValueError):
    """A parameter is wrong: says which one, what was expected and what was given.

    Parameters
    ----------
    parameter : str
        Name of the parameter (dotted for nested keys, e.g. ``model.p1``).
    expected : str
        What a valid value looks like.
    given : object
        The value that was passed.
    """

    def __init__(self, parameter: str, expected: str, given: object) -> None:
        self.parameter = parameter
        self.expected = expected
        self.given = given
        super().__init__(f"parameter '{parameter}': expected {expected}, got {given!r}")


class PluginError(ParameterError):
    """A plugin cannot be loaded: it fails to import, raises, registers a name twice or
    registers a bad spec. An input error, like any bad parameter.

    Parameters
    ----------
    plugin : str
        The plugin as the scenario names it (a file or a module).
    problem : str
        What went wrong, one line.
    """

    def __init__(self, plugin: str, problem: str) -> None:
        self.parameter = "plugins"
        self.expected = problem
        self.given = plugin
        self.plugin = plugin
        self.problem = " ".join(str(problem).split())  # one line, whatever the plugin raised
        OrgsimError.__init__(self, f"plugin {plugin}: {self.problem}")


class StoreMismatchError(OrgsimError):
    """A stored run does not hold what the batch measures (other metric columns):
    it is refused, never filled with NaN."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest choice, or ``""``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
