"""griffe extension: orgsim's numpy-style docstrings, readable as Markdown.

- Doctest blocks outside an ``Examples`` section render as code: griffe only turns
  ``>>>`` lines into code there; elsewhere their output (``[2.0, -0.4, 4.4, 3]``) would
  be read as Markdown links and break a strict build.
- Sphinx roles (``:class:`~orgsim.scenario.Scenario```) become inline code.
- The definition lists of free sections such as ``Core objects`` (a name, then its
  indented description) become bullet lists.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_HEADER = re.compile(r"^\s*-{3,}\s*$")
_ROLE = re.compile(r":(?:class|func|mod|data|meth|attr|exc|obj):`(~?)([^`]+)`")
_STANDARD = {
    "parameters",
    "returns",
    "yields",
    "raises",
    "warns",
    "attributes",
    "examples",
    "notes",
    "references",
    "see also",
    "other parameters",
    "receives",
    "methods",
}


def _role(match: re.Match[str]) -> str:
    name = match.group(2)
    return f"`{name.rsplit('.', 1)[-1] if match.group(1) else name}`"


def definitions_to_bullets(text: str) -> str:
    """In free sections, ``Name`` + indented description lines -> ``- `Name`: ...``."""
    lines = text.splitlines()
    out: list[str] = []
    section = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        if i + 1 < len(lines) and _HEADER.match(lines[i + 1]) and line.strip():
            section = line.strip().lower()
            out += [line, lines[i + 1]]
            i += 2
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        free = section and section not in _STANDARD
        if free and line.strip() and not line[0].isspace() and nxt.startswith("    "):
            desc = []
            i += 1
            while i < len(lines) and lines[i].startswith("    "):
                desc.append(lines[i].strip())
                i += 1
            out.append(f"- `{line.strip()}`: {' '.join(desc)}")
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


def fence_doctests(text: str) -> str:
    """Wrap each doctest block (``>>>`` up to the next blank line) not under an
    ``Examples`` header in a ``pycon`` code fence."""
    lines = text.splitlines()
    out: list[str] = []
    section = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        if i + 1 < len(lines) and _HEADER.match(lines[i + 1]) and line.strip():
            section = line.strip().lower()
        if line.lstrip().startswith(">>>") and section != "examples":
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}```pycon")
            while i < len(lines) and lines[i].strip():
                out.append(lines[i])
                i += 1
            out.append(f"{indent}```")
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    """Apply :func:`fence_doctests` to every docstring griffe loads."""

    def on_object(self, *, obj: Any, **kwargs: Any) -> None:
        if obj.docstring is not None:
            text = _ROLE.sub(_role, obj.docstring.value)
            obj.docstring.value = definitions_to_bullets(fence_doctests(text))
