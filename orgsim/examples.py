"""The example scenarios shipped inside the package, found by name from any folder.

The files live in ``orgsim/scenarios/`` (in the repository, ``scenarios/`` is a link to
it), so ``pip install orgsim`` brings them along: ``orgsim run workshop`` works from
any directory, and ``orgsim new my-study --from workshop`` copies one to edit.

Core objects
------------
EXAMPLES
    The folder holding the shipped scenario files and their data (org charts).
shipped
    Shipped scenario names (file stems) mapped to their files.
resolve
    A path as given if it exists, else the shipped scenario of that name.
copy_example
    Copy a scenario (shipped or a file) under a new name, with the data files it
    names, never overwriting a file unless asked.

Examples
--------
>>> "workshop" in shipped()
True
>>> resolve("workshop") == shipped()["workshop"]
True
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent / "scenarios"

# The top-level `name = "..."` line of a scenario (before any [table]).
_NAME_LINE = re.compile(r'^name\s*=\s*(["\']).*?\1[ \t]*(#.*)?$', re.M)


def shipped() -> dict[str, Path]:
    """Every shipped scenario: name (the file's stem) -> path, sorted by name."""
    return {p.stem: p for p in sorted(EXAMPLES.glob("*.toml"))}


def resolve(path: str | Path) -> Path:
    """``path`` if it exists; otherwise the shipped scenario it names, if any.

    A bare name (``workshop`` or ``workshop.toml``, no folder) that is not a file in the
    current folder is looked up among the shipped scenarios. Anything else is returned
    unchanged, so the caller reports a missing file as usual.
    """
    given = Path(path)
    if given.exists() or given.parent != Path("."):
        return given
    return shipped().get(given.name.removesuffix(".toml"), given)


def _data_files(text: str, folder: Path) -> list[Path]:
    """Files a scenario names relative to itself (an org chart and its extra ties)."""
    try:
        table = tomllib.loads(text).get("organisation", {})
    except tomllib.TOMLDecodeError:
        return []
    out = []
    for key in ("source", "ties"):
        value = table.get(key) if isinstance(table, dict) else None
        if isinstance(value, str) and not Path(value).is_absolute():
            candidate = folder / value
            if candidate.is_file() and candidate.resolve().is_relative_to(folder.resolve()):
                out.append(candidate)
    return out


def _write_new(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder, then swap it in."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def copy_example(source: str | Path, name: str, directory: Path, force: bool = False) -> list[Path]:
    """Copy the scenario ``source`` (a shipped name or a file) to ``directory/name.toml``.

    Its ``name = ...`` line becomes ``name``; the data files it names relative to
    itself (``[organisation] source`` and ``ties``) are copied alongside under their
    own names. Returns the files written, the scenario first.

    Raises
    ------
    FileNotFoundError
        ``source`` is neither a file nor a shipped scenario.
    FileExistsError
        A file to write exists and ``force`` is false (nothing is written then).
    """
    origin = resolve(source)
    if not origin.is_file():
        raise FileNotFoundError(origin)
    text = origin.read_text(encoding="utf-8")
    table = re.search(r"^\s*\[", text, re.M)  # the top-level keys end at the first table
    head, rest = (text[: table.start()], text[table.start() :]) if table else (text, "")
    head, count = _NAME_LINE.subn(f'name = "{name}"', head, count=1)
    renamed = head + rest if count else f'name = "{name}"\n' + text
    plan: list[tuple[Path, bytes]] = [(directory / f"{name}.toml", renamed.encode("utf-8"))]
    for data in _data_files(text, origin.parent):
        plan.append((directory / data.relative_to(origin.parent), data.read_bytes()))
    existing = [target for target, _ in plan if target.exists()]
    if existing and not force:
        raise FileExistsError(existing[0])
    for target, payload in plan:
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_new(target, payload)
    return [target for target, _ in plan]
