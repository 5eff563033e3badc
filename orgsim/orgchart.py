"""Imported organisation charts: read an HR export into a plain data object.

A researcher can run the model on *their* organisation: a CSV export (one row per
employee: ``employee_id``, ``manager_id``, ``unit``, optional ``role``) or a GraphML
file, plus optionally a second CSV of extra informal ties. File reading lives here,
outside the model; :func:`orgsim.structures.build` then overlays a structure (who is
the executive, the central team, the hubs, the liaisons) on the chart.

What a real HR export gets wrong, and what happens:

=============================================  ==========================================
problem                                        outcome
=============================================  ==========================================
byte-order mark (Excel "CSV UTF-8")            removed, with a warning
file not in UTF-8 (e.g. Windows-1252)          read as cp1252 (else latin-1), with a warning
semicolon or tab separators (European Excel)   detected from the header, with a warning
surrounding blanks in cells                    stripped (not reported)
missing column, blank employee id              stops: line number
duplicate employee id                          stops: both line numbers
manager id that is not an employee             stops: line number
several people with no manager                 stops: their line numbers
nobody without a manager, or a cycle           stops: the lines of the cycle
blank unit                                     stops: line number
unknown role                                   stops: line number, "did you mean"
tie to an unknown employee (ties file)         stops: line number
tie of an employee with themself (ties file)   dropped, with a warning
headers such as "Employee ID", "Reports To"     recognised (:data:`SYNONYMS`), or mapped
                                               with ``columns``
a column twice, or two columns for one role    stops: line 1, both columns
everyone in the executive's unit               stops: expected a business unit
a FIFO, device, folder, or a file over 256 MB  stops, before reading
a field over the csv module's limit            stops: line number
=============================================  ==========================================

Paths (``source`` and ``ties``): relative to the scenario file; absolute paths, ``../``
and symbolic links are allowed (HR exports often live elsewhere). What the path ends at
must be a regular file outside the system's pseudo-filesystems (``/proc``, ``/sys``,
``/dev``): anything else stops before a byte is read. Errors never echo the file's
content beyond what identifies the problem (the header's column names, truncated).

Unit and role conventions: the employee without a manager is the executive; everyone
in the executive's ``unit`` is at headquarters (``HEADQUARTERS``, no business unit);
every other unit label is a business unit, numbered in order of first appearance.
``role`` is optional and only matters for the roles a structure overlays:
``central_team`` (or ``hub`` at headquarters) marks the central team, ``hub`` in a
business unit marks that unit's hub, ``liaison`` marks a unit's liaison.
``executive``, ``manager`` and ``staff`` are accepted and informational (whoever has
no reports is staff). Rules used when no role is given: see
:func:`orgsim.structures.common.skeleton`.

Core objects
------------
OrgChart
    Employee ids, managers (as indices), units, role hints, extra informal ties.
load_org_chart
    Read a CSV or GraphML chart (and an optional ties CSV); raise :class:`OrgChartError`.
save_org_chart, chart_to_graph
    Write a chart as GraphML / CSV; the chart as a directed networkx graph.
OrgChartError, OrgChartWarning
    What stops an import (with file and line), and what was fixed.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from orgsim.errors import OrgsimError, did_you_mean
from orgsim.inputfile import CHART_LIMIT, UnreadableFileError, read_limited
from orgsim.organisation import HEADQUARTERS, ROLES

if TYPE_CHECKING:
    import networkx as nx

REQUIRED = ("employee_id", "manager_id", "unit")
NO_ROLE = -1
# Column headers as HR systems export them, per column, in order of preference.
# Headers are compared normalised: lower case, blanks and punctuation as "_".
SYNONYMS: dict[str, tuple[str, ...]] = {
    "employee_id": (
        "employee_id",
        "employeeid",
        "employee_number",
        "employee_no",
        "employee",
        "emp_id",
        "staff_id",
        "person_id",
        "worker_id",
        "personnel_number",
        "id",
    ),
    "manager_id": (
        "manager_id",
        "managerid",
        "manager_employee_id",
        "manager",
        "reports_to",
        "reports_to_id",
        "supervisor_id",
        "supervisor",
        "line_manager_id",
        "line_manager",
        "boss_id",
        "boss",
        "parent_id",
    ),
    "unit": (
        "unit",
        "business_unit",
        "department",
        "dept",
        "division",
        "org_unit",
        "organisation_unit",
        "organization_unit",
        "team",
        "group",
        "function",
    ),
    "role": ("role", "orgsim_role"),
}


class OrgChartError(OrgsimError, ValueError):
    """An org chart cannot be imported; names the file and line (``FILE:LINE: problem``).

    Attributes
    ----------
    path : str
        The file.
    line : int or None
        1-based line in the file (the header is line 1), when the problem has one.
    problem : str
        What is wrong and what was expected.
    """

    def __init__(
        self, path: str | Path, line: int | None, problem: str, key: str | None = None
    ) -> None:
        if len(problem) > 300:  # a cell can be 100 kB: show what identifies the problem
            problem = problem[:296] + " ..."
        self.path, self.line, self.problem = str(path), line, problem
        self.key = key  # the scenario key at fault, when not `source` (e.g. `columns`)
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {problem}")


class OrgChartWarning(UserWarning):
    """Something in an org chart file was fixed on import (encoding, BOM, separator)."""


@dataclass(eq=False)
class OrgChart:
    """An organisation chart as arrays; employee 0 is the executive (the root).

    Attributes
    ----------
    ids : tuple of str
        Employee ids, in chart order (the executive first, then file order).
    manager : numpy.ndarray of int
        Index of each employee's manager; -1 for the executive.
    unit : numpy.ndarray of int
        Business unit index, or ``HEADQUARTERS`` (-1) for the executive's unit.
    unit_names : tuple of str
        Label of each business unit (index = unit number).
    role : numpy.ndarray of int
        Role hint (index into :data:`orgsim.organisation.ROLES`), -1 where none given.
    informal : numpy.ndarray of int, shape (E, 2)
        Extra informal ties (employee indices, each pair once, smaller index first).
    headquarters : str
        The executive's unit label.
    source : str
        Where the chart was read from (for messages).

    Examples
    --------
    >>> chart = OrgChart.from_records(
    ...     ["ceo", "a", "b", "c"], [None, "ceo", "a", "a"], ["HQ", "Sales", "Sales", "Sales"])
    >>> chart.n, chart.units, chart.level.tolist(), chart.unit.tolist()
    (4, 1, [0, 1, 2, 2], [-1, 0, 0, 0])
    """

    ids: tuple[str, ...]
    manager: np.ndarray
    unit: np.ndarray
    unit_names: tuple[str, ...]
    role: np.ndarray
    informal: np.ndarray = field(default_factory=lambda: np.empty((0, 2), dtype=np.int64))
    headquarters: str = "headquarters"
    source: str = "<memory>"

    @property
    def n(self) -> int:
        """Head count."""
        return len(self.ids)

    @property
    def digest(self) -> str:
        """SHA-256 of the chart's content (ids, lines, units, roles, ties), 16 hex digits.

        Run keys and manifests record this, so a changed chart is a different run.
        """
        import hashlib

        h = hashlib.sha256()
        for part in (self.ids, self.unit_names, (self.headquarters,)):
            h.update("\x1f".join(part).encode() + b"\x1e")
        for array in (self.manager, self.unit, self.role, self.informal):
            h.update(np.ascontiguousarray(array, dtype=np.int64).tobytes() + b"\x1e")
        return h.hexdigest()[:16]

    def __str__(self) -> str:
        return f"OrgChart(n={self.n}, units={self.units}, sha256={self.digest})"

    @property
    def units(self) -> int:
        """Number of business units (headquarters not counted)."""
        return len(self.unit_names)

    @property
    def level(self) -> np.ndarray:
        """Depth of each employee in the reporting tree (executive: 0)."""
        level = np.full(self.n, -1, dtype=np.int64)
        level[0] = 0
        for i in _topological(self.manager):
            if i:
                level[i] = level[self.manager[i]] + 1
        return level

    @classmethod
    def from_records(
        cls,
        ids: Sequence[str],
        managers: Sequence[str | None],
        units: Sequence[str],
        roles: Sequence[str | None] | None = None,
        ties: Sequence[tuple[str, str]] = (),
        *,
        source: str = "<memory>",
        lines: Sequence[int | None] | None = None,
        tie_lines: Sequence[int | None] | None = None,
        tie_source: str | None = None,
    ) -> OrgChart:
        """Validate rows (id, manager id or blank/None, unit, role) into a chart.

        ``lines`` gives each row's line in the file, for messages (default: row
        number + 1, as if under a header line); ``tie_lines`` and ``tie_source`` the
        same for the ties (default source: ``source``).

        Raises
        ------
        OrgChartError
            For the first problem found, with its line.
        """
        n = len(ids)
        lines = list(lines) if lines is not None else list(range(2, n + 2))
        # a problem with no line (GraphML) names the employee instead
        if n == 0:
            raise OrgChartError(source, None, "no employees: expected at least one data row")
        clean = [str(x).strip() for x in ids]
        first: dict[str, int] = {}
        for row, key in enumerate(clean):
            if not key:
                raise OrgChartError(source, lines[row], "employee_id is blank")
            if key in first:
                raise OrgChartError(
                    source,
                    lines[row],
                    f"duplicate employee_id {key!r}{_on(lines[first[key]], 'first ')}; "
                    "expected each employee once",
                )
            first[key] = row
        boss = [("" if m is None else str(m).strip()) for m in managers]
        mgr = np.full(n, -1, dtype=np.int64)
        for row, m in enumerate(boss):
            if not m:
                continue
            if m not in first:
                raise OrgChartError(
                    source,
                    lines[row],
                    f"manager_id {m!r} of employee {clean[row]!r} is not an employee_id "
                    "in this file" + did_you_mean(m, first),
                )
            mgr[row] = first[m]
        roots = np.flatnonzero(mgr < 0)
        if roots.size > 1:
            shown = ", ".join(f"{clean[r]!r}{_on(lines[r])}" for r in roots[:5])
            more = f" and {roots.size - 5} more" if roots.size > 5 else ""
            raise OrgChartError(
                source,
                lines[roots[1]],
                f"{roots.size} employees have no manager: {shown}{more}; expected exactly "
                "one (the executive): fill in their manager_id",
            )
        cycle = _find_cycle(mgr)
        if cycle:
            path = " -> ".join(f"{clean[i]!r}" for i in [*cycle, cycle[0]])
            rows = ", ".join(str(lines[i]) for i in cycle if lines[i] is not None) or "-"
            why = "nobody is without a manager, and " if roots.size == 0 else ""
            raise OrgChartError(
                source,
                lines[cycle[0]],
                f"{why}reporting lines form a cycle {path} (lines {rows}); "
                "expected a tree under one executive",
            )
        unit_label = [str(u).strip() if u is not None else "" for u in units]
        for row, label in enumerate(unit_label):
            if not label:
                raise OrgChartError(source, lines[row], f"unit of employee {clean[row]!r} is blank")
        role = np.full(n, NO_ROLE, dtype=np.int64)
        for row, r in enumerate(roles or [None] * n):
            name = "" if r is None else str(r).strip().lower().replace(" ", "_")
            name = name.replace("-", "_")
            if not name:
                continue
            if name not in ROLES:
                raise OrgChartError(
                    source,
                    lines[row],
                    f"role {r!r} of employee {clean[row]!r}: expected one of "
                    + ", ".join(ROLES)
                    + did_you_mean(name, ROLES),
                )
            role[row] = ROLES.index(name)

        # the executive first, the rest in file order
        root = int(roots[0])
        order = np.array([root] + [i for i in range(n) if i != root], dtype=np.int64)
        where = np.empty(n, dtype=np.int64)
        where[order] = np.arange(n)
        hq = unit_label[root]
        names: list[str] = []
        unit = np.empty(n, dtype=np.int64)
        for new, old in enumerate(order):
            label = unit_label[old]
            if label == hq:
                unit[new] = HEADQUARTERS
            else:
                if label not in names:
                    names.append(label)
                unit[new] = names.index(label)
        manager = np.where(mgr[order] >= 0, where[np.maximum(mgr[order], 0)], -1)
        if not names:
            raise OrgChartError(
                source,
                lines[root],
                f"everyone is in the executive's unit {hq!r}; expected at least one business "
                "unit besides the executive's (headquarters)",
            )

        tie_lines = list(tie_lines) if tie_lines is not None else list(range(2, len(ties) + 2))
        pairs = []
        tie_source = tie_source or source
        for k, (a, b) in enumerate(ties):
            a, b = str(a).strip(), str(b).strip()
            for x in (a, b):
                if x not in first:
                    raise OrgChartError(
                        tie_source,
                        tie_lines[k],
                        f"tie names {x!r}, which is not an employee_id of the chart"
                        + did_you_mean(x, first),
                    )
            if a == b:
                warnings.warn(
                    f"{tie_source}{_on(tie_lines[k], sep=':')}: tie of {a!r} with themself dropped",
                    OrgChartWarning,
                    stacklevel=2,
                )
                continue
            i, j = sorted((int(where[first[a]]), int(where[first[b]])))
            pairs.append((i, j))
        informal = np.array(sorted(set(pairs)), dtype=np.int64).reshape(-1, 2)
        return cls(
            ids=tuple(clean[i] for i in order),
            manager=manager,
            unit=unit,
            unit_names=tuple(names),
            role=role[order],
            informal=informal,
            headquarters=hq,
            source=source,
        )

    def records(self) -> list[dict[str, str]]:
        """One dict per employee (``employee_id``, ``manager_id``, ``unit``, ``role``)."""
        return [
            {
                "employee_id": self.ids[i],
                "manager_id": self.ids[self.manager[i]] if self.manager[i] >= 0 else "",
                "unit": self.unit_label(i),
                "role": ROLES[self.role[i]] if self.role[i] >= 0 else "",
            }
            for i in range(self.n)
        ]

    def unit_label(self, i: int) -> str:
        """The unit label of employee ``i``."""
        u = int(self.unit[i])
        return self.headquarters if u == HEADQUARTERS else self.unit_names[u]

    def with_central_unit(self, label: str) -> OrgChart:
        """This chart with the people of unit ``label`` as the central team.

        They move to headquarters and are marked ``central_team`` (the executive
        keeps their role); the remaining business units keep their order. For a
        chart whose export marks no roles (the usual case), ``central_unit =
        "Marketing"`` in a scenario says which department is the central team.
        """
        label = label.strip()
        if label == self.headquarters:
            picked = np.flatnonzero(self.unit == HEADQUARTERS)
            unit = self.unit.copy()
            names = self.unit_names
        elif label in self.unit_names:
            u = self.unit_names.index(label)
            picked = np.flatnonzero(self.unit == u)
            if self.units == 1:
                raise OrgChartError(
                    self.source,
                    None,
                    f"central_unit {label!r} is the only business unit; expected another "
                    "unit to remain for the structures to coordinate",
                    key="central_unit",
                )
            unit = np.where(self.unit > u, self.unit - 1, self.unit)
            unit[picked] = HEADQUARTERS
            names = self.unit_names[:u] + self.unit_names[u + 1 :]
        else:
            known = [self.headquarters, *self.unit_names]
            shown = ", ".join(repr(k) for k in known[:8]) + (" ..." if len(known) > 8 else "")
            raise OrgChartError(
                self.source,
                None,
                f"central_unit {label!r} is not a unit of the chart{did_you_mean(label, known)}"
                f"; its units: {shown}",
                key="central_unit",
            )
        role = self.role.copy()
        picked = picked[picked != 0]
        role[picked] = ROLES.index("central_team")
        return OrgChart(
            ids=self.ids,
            manager=self.manager,
            unit=unit,
            unit_names=names,
            role=role,
            informal=self.informal,
            headquarters=self.headquarters,
            source=self.source,
        )

    def same_as(self, other: OrgChart) -> bool:
        """Whether two charts describe the same organisation (ids, lines, units, roles, ties)."""
        return (
            self.ids == other.ids
            and np.array_equal(self.manager, other.manager)
            and np.array_equal(self.unit, other.unit)
            and self.unit_names == other.unit_names
            and np.array_equal(self.role, other.role)
            and np.array_equal(self.informal, other.informal)
            and self.headquarters == other.headquarters
        )


def _on(line: int | None, prefix: str = "", sep: str = "") -> str:
    """`` (line N)`` (or ``:N`` with ``sep=":"``), or nothing for a file without lines."""
    if line is None:
        return ""
    return f"{sep}{line}" if sep else f" ({prefix}on line {line})" if prefix else f" (line {line})"


def _topological(manager: np.ndarray) -> list[int]:
    """Employees ordered so that each comes after their manager (tree assumed)."""
    children: dict[int, list[int]] = {}
    for i, m in enumerate(manager.tolist()):
        children.setdefault(m, []).append(i)
    out: list[int] = []
    stack = list(reversed(children.get(-1, [])))
    while stack:
        i = stack.pop()
        out.append(i)
        stack.extend(reversed(children.get(i, [])))
    return out


def _find_cycle(manager: np.ndarray) -> list[int]:
    """Some cycle of the reporting lines, as employee indices, or ``[]``."""
    n = manager.shape[0]
    state = np.zeros(n, dtype=np.int8)  # 0 new, 1 on the current path, 2 done
    for start in range(n):
        path: list[int] = []
        i = start
        while i >= 0 and state[i] == 0:
            state[i] = 1
            path.append(i)
            i = int(manager[i])
        if i >= 0 and state[i] == 1:
            return path[path.index(i) :]
        for j in path:
            state[j] = 2
    return []


# ---------------------------------------------------------------------------- reading


def _decode(raw: bytes, path: Path) -> str:
    """Text of ``raw``: UTF-8 (BOM removed), else cp1252, else latin-1 (with a warning)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        warnings.warn(
            f"{path}: byte-order mark (BOM) at the start of the file removed",
            OrgChartWarning,
            stacklevel=3,
        )
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        warnings.warn(
            f"{path}: read as UTF-16 (it has a UTF-16 byte-order mark)",
            OrgChartWarning,
            stacklevel=3,
        )
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise OrgChartError(
                path, None, "UTF-16 text cut short (an odd number of bytes); save it as UTF-8"
            ) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        for encoding in ("cp1252", "latin-1"):
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError:
                continue
            warnings.warn(
                f"{path}:{line}: not UTF-8 (byte 0x{raw[exc.start]:02x}); read as {encoding}. "
                "Check names with accents; save as UTF-8 to silence this",
                OrgChartWarning,
                stacklevel=3,
            )
            return text
        raise AssertionError("latin-1 decodes any bytes") from exc  # pragma: no cover


def _read(path: Path, what: str = "an org chart file (CSV or GraphML)") -> bytes:
    try:
        return read_limited(path, CHART_LIMIT, what)
    except UnreadableFileError as exc:
        shown = str(path).replace("\x00", "\\0")
        raise OrgChartError(shown, None, str(exc)) from None


def _normal(header: str) -> str:
    """``"Employee ID"`` -> ``"employee_id"``: lower case, runs of other characters ``_``."""
    return re.sub(r"[^0-9a-z]+", "_", header.strip().lower()).strip("_")


def _pick_columns(
    path: Path, header: list[str], wanted: Sequence[str], columns: Mapping[str, str] | None
) -> dict[str, int]:
    """Which header cell holds each of ``wanted`` (and ``role`` when present)."""
    normal = [_normal(h) for h in header]
    for i, name in enumerate(normal):
        if name and name in normal[:i]:
            raise OrgChartError(
                path,
                1,
                f"column {header[i].strip()!r} appears twice (columns {normal.index(name) + 1} "
                f"and {i + 1}); expected each column once",
            )
    columns = dict(columns or {})
    for key in columns:
        if key not in SYNONYMS:
            raise OrgChartError(
                path,
                None,
                f"columns: {key!r} is not a column orgsim reads; expected "
                + ", ".join(SYNONYMS)
                + did_you_mean(key, SYNONYMS),
                key="columns",
            )
    found: dict[str, int] = {}
    for key in [*wanted, "role"]:
        if key in columns:
            target = _normal(columns[key])
            if target not in normal:
                raise OrgChartError(
                    path,
                    1,
                    f"columns: no column {columns[key]!r} for {key}"
                    + did_you_mean(target, normal)
                    + f" (found {_listing(header)})",
                    key="columns",
                )
            found[key] = normal.index(target)
            continue
        for synonym in SYNONYMS[key]:
            if synonym in normal and normal.index(synonym) not in found.values():
                found[key] = normal.index(synonym)
                break
    for key in wanted:
        if key not in found:
            raise OrgChartError(
                path,
                1,
                f"no column for {key}"
                + did_you_mean(key, normal)
                + f"; expected columns {', '.join(wanted)} or their usual names (e.g. "
                f"{', '.join(repr(s) for s in SYNONYMS[key][3:6])}), or name them with "
                f'`columns = {{ {key} = "..." }}` (found {_listing(header)})',
            )
    return found


def _listing(header: list[str]) -> str:
    text = ", ".join(repr(h.strip()[:40]) for h in header[:12])
    return text + (f" and {len(header) - 12} more" if len(header) > 12 else "")


def _rows(
    path: Path, required: Sequence[str], columns: Mapping[str, str] | None = None
) -> tuple[list[str], list[dict[str, str]], list[int]]:
    """Column names found (``required``, then ``role`` when present), rows of a CSV file
    as dicts keyed by them, and their line numbers."""
    text = _decode(_read(path, "a CSV file" if not required else "an org chart file"), path)
    header = text[: text.find("\n")] if "\n" in text else text
    delimiter = ","
    if "," not in header:
        for sep, name in ((";", "semicolons"), ("\t", "tabs")):
            if sep in header:
                delimiter = sep
                warnings.warn(
                    f"{path}:1: columns are separated by {name}, not commas; read accordingly",
                    OrgChartWarning,
                    stacklevel=3,
                )
                break
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise OrgChartError(path, line, "a NUL character: not a text (CSV) file")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    try:
        try:
            names_row = next(reader)
        except StopIteration:
            raise OrgChartError(path, None, "the file is empty; expected a header line") from None
        if required:
            where = _pick_columns(path, names_row, required, columns)
        else:  # ties: the first two columns
            where = {f"c{i}": i for i in range(len(names_row))}
        names = list(where)
        rows, lines = [], []
        line = reader.line_num
        for cells in reader:
            start, line = line + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue  # blank lines (often at the end of exports)
            if len(cells) > len(names_row):
                raise OrgChartError(
                    path, start, f"{len(cells)} cells, expected {len(names_row)} (as in the header)"
                )
            rows.append({k: cells[i] if i < len(cells) else "" for k, i in where.items()})
            lines.append(start)
    except csv.Error as exc:  # e.g. a field over csv.field_size_limit()
        raise OrgChartError(path, line + 1, f"not readable as CSV ({exc})") from None
    return names, rows, lines


PSEUDO_FILESYSTEMS = ("/proc", "/sys", "/dev")


def _checked_path(path: Path) -> Path:
    """``path`` if it ends at a regular file outside ``/proc``, ``/sys`` and ``/dev``.

    Checked with ``stat`` only (nothing is opened, so a FIFO cannot block); raises
    :class:`OrgChartError` without reading the file.
    """
    import stat

    try:
        real = path.resolve()
        mode = path.stat().st_mode
    except (OSError, ValueError, RuntimeError) as exc:  # missing, a loop of links, a NUL
        reason = getattr(exc, "strerror", None) or str(exc)
        if isinstance(exc, FileNotFoundError):
            reason = "no such file"
        raise OrgChartError(path, None, f"cannot read the file ({reason})") from None
    if any(real.is_relative_to(root) for root in PSEUDO_FILESYSTEMS):
        raise OrgChartError(
            path, None, f"is a system file ({real.parts[1]}), expected a CSV or GraphML export"
        )
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file (a pipe or device?)"
        raise OrgChartError(path, None, f"is {kind}, expected a CSV or GraphML export")
    return path


def _read_ties(path: Path) -> tuple[list[tuple[str, str]], list[int]]:
    columns, rows, lines = _rows(path, ())
    if len(columns) < 2:
        raise OrgChartError(path, 1, "expected two columns naming the two employees of each tie")
    a, b = columns[:2]
    return [(r[a], r[b]) for r in rows], lines


def load_org_chart(
    path: str | Path,
    ties: str | Path | None = None,
    *,
    columns: Mapping[str, str] | None = None,
    central_unit: str | None = None,
) -> OrgChart:
    """Read an org chart from a CSV or GraphML file, and optional extra informal ties.

    Parameters
    ----------
    path : str or Path
        ``.csv`` (columns ``employee_id``, ``manager_id``, ``unit``, optional ``role``)
        or ``.graphml`` (as written by :func:`save_org_chart`: node attributes
        ``manager_id``, ``unit``, optional ``role``; informal edges are ties).
    ties : str or Path, optional
        CSV whose first two columns name the two employees of an informal tie.
    columns : mapping, optional
        Header of the CSV column holding ``employee_id``, ``manager_id``, ``unit`` or
        ``role``, for headers not among the usual names (:data:`SYNONYMS`).
    central_unit : str, optional
        A unit whose people are the central team (see :meth:`OrgChart.with_central_unit`).

    Raises
    ------
    OrgChartError
        With the file and line of the problem (see the module docstring).

    Warns
    -----
    OrgChartWarning
        When something was fixed: byte-order mark, encoding, separators, self-ties.
    """
    path = _checked_path(Path(path))
    if path.suffix.lower() in (".graphml", ".xml"):
        ids, managers, units, roles, pairs = _read_graphml(path)
        lines: list[int | None] = [None] * len(ids)
        pair_lines: list[int | None] = [None] * len(pairs)
    else:
        columns_found, rows, row_lines = _rows(path, REQUIRED, columns)
        ids = [r["employee_id"] for r in rows]
        managers = [r["manager_id"] for r in rows]
        units = [r["unit"] for r in rows]
        roles = [r["role"] for r in rows] if "role" in columns_found else [""] * len(rows)
        pairs, lines, pair_lines = [], list(row_lines), []
    tie_source = None
    if ties is not None:
        extra, extra_lines = _read_ties(_checked_path(Path(ties)))
        tie_source = str(ties) if not pairs else f"{path} or {ties}"
        pairs, pair_lines = pairs + extra, pair_lines + list(extra_lines)
    chart = OrgChart.from_records(
        ids,
        managers,
        units,
        roles,
        pairs,
        source=str(path),
        lines=lines,
        tie_lines=pair_lines,
        tie_source=tie_source,
    )
    return chart.with_central_unit(central_unit) if central_unit is not None else chart


def _read_graphml(
    path: Path,
) -> tuple[list[str], list[str], list[str], list[str], list[tuple[str, str]]]:
    """Ids, manager ids, units, roles and informal ties of a GraphML chart."""
    import networkx as nx

    text = _decode(_read(path), path)
    try:
        g = nx.parse_graphml(text)
    except (  # ElementTree.ParseError is a SyntaxError; undeclared keys raise KeyError
        ValueError,
        SyntaxError,
        KeyError,
        TypeError,
        IndexError,
        AttributeError,
        RecursionError,
        nx.NetworkXError,
    ) as exc:
        reason = str(exc)[:200] or type(exc).__name__
        raise OrgChartError(path, None, f"not a readable GraphML file ({reason})") from None
    ids, managers, units, roles = [], [], [], []
    for node, data in g.nodes(data=True):
        if "unit" not in data:
            raise OrgChartError(path, None, f"node {node!r} has no 'unit' attribute; expected one")
        ids.append(str(data.get("employee_id", node)))
        managers.append(str(data.get("manager_id", "")))
        units.append(str(data["unit"]))
        roles.append(str(data.get("role", "")))
    label = {node: str(d.get("employee_id", node)) for node, d in g.nodes(data=True)}
    pairs = [(label[a], label[b]) for a, b, d in g.edges(data=True) if d.get("layer") == "informal"]
    return ids, managers, units, roles, pairs


# ---------------------------------------------------------------------------- writing


def chart_to_graph(chart: OrgChart) -> nx.MultiDiGraph:
    """The chart as a directed graph: formal edges point from employee to manager.

    Nodes are employee ids with attributes ``manager_id``, ``unit``, ``role`` (blank
    when none) and ``level``; edges carry ``layer`` (``formal`` or ``informal``).
    """
    import networkx as nx

    # a multigraph: an informal tie may join the same two people as a formal one
    g = nx.MultiDiGraph(source=chart.source, headquarters=chart.headquarters)
    level = chart.level
    for i, rec in enumerate(chart.records()):
        g.add_node(
            rec["employee_id"],
            **{k: v for k, v in rec.items() if k != "employee_id"},
            level=int(level[i]),
        )
    for i in range(1, chart.n):
        g.add_edge(chart.ids[i], chart.ids[chart.manager[i]], layer="formal")
    for a, b in chart.informal.tolist():
        g.add_edge(chart.ids[a], chart.ids[b], layer="informal")
    return g


def save_org_chart(chart: OrgChart, path: str | Path, ties: str | Path | None = None) -> Path:
    """Write ``chart`` as GraphML or CSV (by the file's suffix); returns the path.

    GraphML holds the informal ties as edges; a CSV chart cannot, so they go to the
    CSV file ``ties`` (columns ``employee_id``, ``colleague_id``) when given.
    """
    import networkx as nx

    path = Path(path)
    if path.suffix.lower() == ".csv":
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=["employee_id", "manager_id", "unit", "role"])
            writer.writeheader()
            writer.writerows(chart.records())
        if ties is not None:
            with Path(ties).open("w", newline="", encoding="utf-8") as fh:
                pairs = csv.writer(fh)
                pairs.writerow(["employee_id", "colleague_id"])
                pairs.writerows((chart.ids[a], chart.ids[b]) for a, b in chart.informal.tolist())
        return path
    g = chart_to_graph(chart)
    # GraphML keeps node order: the executive first, so a re-read chart is identical
    nx.write_graphml(g, path)
    return path
