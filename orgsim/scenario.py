"""Scenario files: a TOML description of an experiment, validated with line numbers.

A scenario names the structures to compare, how long and how often to run them, the
organisation (``[organisation]``, :class:`~orgsim.params.OrganisationParams`), the
weekly process (``[model]``, :class:`~orgsim.params.DynamicsParams`) and optionally
a parameter sweep (``[sweep]``, :class:`~orgsim.sweep.Sweep`). Every key has a
default; ``orgsim new NAME`` writes a commented file listing them all.

Core objects
------------
Scenario
    The validated, frozen scenario. ``scenario.model_params(structure)`` gives the
    flat keyword arguments of ``OrgModel(structure=..., rng=..., **kwargs)``.
load_scenario
    Read and validate a file; raises :class:`ScenarioError`.
ScenarioError
    Carries every problem found, each rendered as one line
    ``FILE:LINE: key 'model.p1': expected a number <= 1.0, got 1.5``.
template
    The commented scenario that ``orgsim new`` writes.

Adding a key is one field on :class:`Scenario` (or a new table: one field whose type
is a pydantic model with ``extra="forbid"``); validation, line numbers, ``orgsim new``
and the manifest follow.

Examples
--------
>>> s = Scenario.model_validate({"name": "demo", "model": {"p1": 0.3}})
>>> s.model_params("band")["p1"], s.runs_per_structure
(0.3, 10)
"""

from __future__ import annotations

import re
import tomllib
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from orgsim.errors import OrgsimError, ParameterError, PluginError, did_you_mean
from orgsim.examples import resolve, shipped
from orgsim.inputfile import SCENARIO_LIMIT, UnreadableFileError, read_limited
from orgsim.metrics import METRICS
from orgsim.params import ALL_PARAMETERS, DynamicsParams, OrganisationParams, split_params
from orgsim.plugins import PluginRef, load_plugins
from orgsim.schema import StrictSchema
from orgsim.stages import STAGES, StageThresholds
from orgsim.sweep import Sweep, expand

if TYPE_CHECKING:
    from orgsim.orgchart import OrgChart


class ScenarioError(OrgsimError):
    """A scenario file is missing, unreadable or invalid.

    Attributes
    ----------
    problems : list of str
        One line per problem: ``FILE:LINE: key 'KEY': expected ..., got ...``.
    """

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def _structure_name(name: str) -> str:
    from orgsim.structures import STRUCTURES

    if name not in STRUCTURES:
        raise ValueError(
            f"expected one of {', '.join(STRUCTURES)}{did_you_mean(name, STRUCTURES)}, got {name!r}"
        )
    return name


def _all_structures() -> list[str]:
    from orgsim.structures import STRUCTURES

    return list(STRUCTURES)


_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
MAX_RUNS = 1_000_000  # runs of one scenario: structures x points x replications
MAX_PROBLEMS = 20  # problems listed for one file; the rest are counted


def _folder_name(name: str) -> str:
    # fullmatch: `$` would let "evil\n" through and make the folder `outputs/evil⏎/`
    if not _NAME.fullmatch(name):
        raise ValueError(
            "expected letters, digits, '-', '_' or '.', at most 100 (it names the output "
            f"folder), got {_show(name)}"
        )
    return name


StructureName = Annotated[str, AfterValidator(_structure_name)]


class OrganisationTable(OrganisationParams):
    """The ``[organisation]`` table: :class:`OrganisationParams` plus scenario-only keys."""

    source: str | None = Field(
        None,
        json_schema_extra={"source": "your data (an HR export)"},
        description="org chart to import (CSV/GraphML, relative to this file; sets the size)",
    )
    ties: str | None = Field(
        None,
        json_schema_extra={"source": "your data"},
        description="extra informal ties of that chart (CSV, two employee ids a row)",
    )
    columns: dict[str, str] | None = Field(
        None,
        json_schema_extra={"source": "your data"},
        description="the chart's column names, if not recognised: "
        '{ employee_id = "...", manager_id = "...", unit = "..." }',
    )
    central_unit: str | None = Field(
        None,
        json_schema_extra={"source": "your data"},
        description="the chart's unit whose people are the central team / hub "
        "(default: marked roles, else the executive's unit, else a new team)",
    )


class ModelTable(DynamicsParams):
    """The ``[model]`` table: :class:`DynamicsParams`."""


def validation_context() -> dict[str, Any]:
    """What nested tables check names against: the registered base metrics (``[stages]``)."""
    return {"metrics": [name for name, m in METRICS.items() if not m.derived]}


_TOP_CONFIG = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class Scenario(StrictSchema):
    """A validated scenario (one TOML file). See ``orgsim new`` for a commented example."""

    model_config = _TOP_CONFIG

    name: Annotated[str, AfterValidator(_folder_name)] = Field(
        description="short name; also the output folder name"
    )
    description: str = Field("", description="what this scenario explores, in a sentence")
    plugins: list[str] = Field(
        default_factory=list,
        description=(
            "plugin files (relative to this file) or modules registering structures, "
            "metrics or submodels (orgsim.plugins)"
        ),
    )
    seed: int = Field(
        12345, ge=0, lt=2**63, description="root seed: same seed, same results, always"
    )
    steps: int = Field(104, ge=1, le=1_000_000, description="weeks simulated per run")
    replications: int = Field(
        10, ge=1, le=1_000_000, description="runs per structure (and sweep point)"
    )
    structures: list[StructureName] = Field(
        default_factory=_all_structures,
        min_length=1,
        description="structures to compare (`orgsim list structures`)",
    )
    summary_window: int | None = Field(
        None,
        ge=1,
        description="last steps averaged in summary.csv (default: the last quarter)",
    )
    stop_at_equilibrium: bool = Field(
        False, description="end a run once March's equilibrium is reached"
    )
    organisation: OrganisationTable = Field(
        default_factory=OrganisationTable, description="the organisation's size and ties"
    )
    model: ModelTable = Field(default_factory=ModelTable, description="the weekly process")
    sweep: Sweep | None = Field(None, description="parameters to vary (see orgsim.sweep)")
    stages: StageThresholds = Field(
        default_factory=StageThresholds,
        description="Edelman's stages: per stage, metric -> minimum (orgsim.stages)",
    )

    _path: Path | None = PrivateAttr(None)
    _chart: Any = PrivateAttr(None)  # orgsim.orgchart.OrgChart, loaded with the file
    _notes: list[str] = PrivateAttr(default_factory=list)
    _plugins: tuple[PluginRef, ...] = PrivateAttr(())  # loaded before validation

    @field_validator("structures")
    @classmethod
    def _once(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError(f"expected each structure once, got {value}")
        return value

    @field_validator("summary_window")
    @classmethod
    def _window_in_run(cls, value: int | None, info: ValidationInfo) -> int | None:
        steps = info.data.get("steps")
        if value is not None and steps is not None and value > steps:
            raise ValueError(f"expected summary_window <= steps ({steps}), got {value}")
        return value

    @model_validator(mode="after")
    def _window(self) -> Scenario:
        if self.total_runs > MAX_RUNS:
            raise ValueError(
                f"expected at most {MAX_RUNS:,} runs (structures x sweep points x "
                f"replications), got {self.total_runs:,}"
            )
        return self

    @property
    def path(self) -> Path | None:
        """The file this scenario was loaded from (relative paths inside resolve from it)."""
        return self._path

    @property
    def window(self) -> int:
        """Steps averaged in the summary: ``summary_window`` or the last quarter."""
        return self.summary_window or max(1, self.steps // 4)

    @property
    def sweep_replications(self) -> int:
        """Replications per structure and sweep point."""
        if self.sweep is not None and self.sweep.replications is not None:
            return self.sweep.replications
        return self.replications

    @property
    def points(self) -> int:
        """Number of sweep points (1 without a sweep)."""
        return self.sweep.point_count() if self.sweep else 1

    @property
    def runs_per_structure(self) -> int:
        """Runs per structure: points x replications."""
        return self.points * self.sweep_replications

    @property
    def total_runs(self) -> int:
        """Runs in the whole batch."""
        return len(self.structures) * self.runs_per_structure

    @property
    def varied(self) -> list[str]:
        """Names of the swept parameters (results.csv columns)."""
        return self.sweep.varied if self.sweep else []

    def model_params(self, structure: str, point: Mapping[str, Any] | None = None) -> dict:
        """Flat keyword arguments of ``OrgModel(structure=..., rng=..., **kwargs)``.

        ``point`` (a sweep point) overrides the tables' values.
        """
        _structure_name(structure)
        params: dict[str, Any] = {
            **self.organisation.model_dump(include=set(OrganisationParams.model_fields)),
            **self.model.model_dump(include=set(type(self.model).model_fields)),
        }
        params.update(point or {})
        params["stop_at_equilibrium"] = self.stop_at_equilibrium
        if self.stages.model_dump() != StageThresholds().model_dump():
            params["stages"] = self.stages.model_dump()
        if self._chart is not None:
            params["chart"] = self._chart
        return params

    @property
    def plugin_refs(self) -> tuple[PluginRef, ...]:
        """The plugins loaded for this scenario (entry points, then ``plugins``)."""
        return self._plugins

    @property
    def chart(self) -> OrgChart | None:
        """The imported org chart of ``[organisation] source`` (loaded with the file)."""
        return self._chart

    @property
    def notes(self) -> list[str]:
        """What was chosen for the user when the file was loaded (e.g. who is the
        central team of an imported chart), one sentence each, for the output."""
        return list(self._notes)

    def with_overrides(self, **values: Any) -> Scenario:
        """A validated copy with top-level keys replaced (``None`` values are ignored).

        Raises :class:`ScenarioError` with one ``option --KEY: ...`` line per problem.
        """
        data = self.model_dump()
        data.update({k: v for k, v in values.items() if v is not None})
        try:
            new = type(self).model_validate(data, context=validation_context())
        except ValidationError as exc:  # the command line's options: --steps, --seed, ...
            raise ScenarioError(
                [
                    f"option --{_dotted(loc).replace('_', '-')}: {message}"
                    for loc, message in _problems_from(exc, data)
                ]
            ) from None
        new._path = self._path
        new._chart = self._chart
        new._notes = self._notes
        new._plugins = self._plugins
        return new


_SCHEMAS: dict[frozenset[str], type[Scenario]] = {}


def scenario_class() -> type[Scenario]:
    """:class:`Scenario`, or its subclass whose ``[model]`` table also takes the
    parameters of rules registered since (plugin submodels, :mod:`orgsim.plugins`)."""
    from orgsim import params

    week = params.DynamicsParams  # recomposed when a rule registers
    names = frozenset(week.model_fields)
    if names == frozenset(ModelTable.model_fields):
        return Scenario
    if names not in _SCHEMAS:
        table = create_model("ModelTable", __base__=week, __doc__=ModelTable.__doc__)
        _SCHEMAS[names] = create_model(
            "Scenario",
            __base__=Scenario,
            __doc__=Scenario.__doc__,
            model=(table, Field(default_factory=table, description="the weekly process")),
        )
    return _SCHEMAS[names]


# -- loading -----------------------------------------------------------------------

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def _key_line(lines: Sequence[str], loc: Sequence[str | int]) -> int | None:
    """Line (1-based) of the deepest part of ``loc`` found in the TOML text."""
    keys = [str(k) for k in loc if isinstance(k, str)]
    headers: list[tuple[int, str]] = [(0, "")]
    for number, line in enumerate(lines, 1):
        match = _HEADER.match(line)
        if match:
            headers.append((number, match.group(1).replace(" ", "").replace('"', "")))
    for depth in range(len(keys) - 1, -1, -1):
        table, key = ".".join(keys[:depth]), keys[depth]
        full = ".".join(keys[: depth + 1])
        for number, name in headers:
            if name == full:
                return number
        pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
        bounds = [n for n, _ in headers[1:]] + [len(lines) + 1]
        for i, (start, name) in enumerate(headers):
            if name != table:
                continue
            end = bounds[i]
            for number in range(start + 1, end):
                if pattern.match(lines[number - 1]):
                    return number
    return None


def _dotted(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _expected(error: Mapping[str, Any], siblings: Sequence[str]) -> str:
    kind: str = error["type"]
    ctx = error.get("ctx") or {}
    given = error.get("input")
    bounds = {
        "greater_than_equal": "a number >= {ge}",
        "greater_than": "a number > {gt}",
        "less_than_equal": "a number <= {le}",
        "less_than": "a number < {lt}",
        "too_short": "at least {min_length} item(s)",
        "too_long": "at most {max_length} item(s)",
    }
    if kind == "extra_forbidden":
        key = str(error["loc"][-1])
        return f"unknown key{did_you_mean(key, siblings)}"
    if kind == "missing":
        return "a value (this key is required), got nothing"
    if kind in bounds:
        expected = bounds[kind].format(**ctx)
    elif kind.startswith("int"):
        expected = "a whole number"
    elif kind == "finite_number":
        expected = "a finite number"
    elif kind.startswith("float"):
        expected = "a number"
    elif kind.startswith("bool"):
        expected = "true or false"
    elif kind.startswith("string"):
        expected = 'text in quotes ("...")'
    elif kind.startswith("list"):
        expected = "a list [...]"
    elif kind in ("dict_type", "model_type", "model_attributes_type"):
        expected = "a table {...}"
    elif kind == "literal_error":
        expected = f"one of {ctx.get('expected')}"
    elif kind in ("value_error", "assertion_error"):
        msg: str = error["msg"]
        msg = msg.split(", ", 1)[1] if msg.startswith(("Value error, ", "Assertion")) else msg
        return msg if ", got " in msg else f"{msg}, got {_show(given)}"
    else:
        expected = error["msg"][0].lower() + error["msg"][1:]
    return f"expected {expected}, got {_show(given)}"


def _show(value: Any, width: int = 60) -> str:
    """``value`` as the user wrote it, cut to ``width`` characters."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list) and len(value) > 10:
        value = [*value[:10], ...]
    try:
        text = repr(value)
    except RecursionError:  # a list nested a thousand deep
        text = "a deeply nested list"
    if len(text) <= width:
        return text
    return text[: width - 4] + ("...'" if isinstance(value, str) else "...")


def _siblings(loc: Sequence[str | int]) -> list[str]:
    """Known keys of the table holding ``loc[-1]``."""
    model: Any = scenario_class()
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return []
        ann = field.annotation
        candidates = [a for a in getattr(ann, "__args__", (ann,)) if hasattr(a, "model_fields")]
        if not candidates:
            return []
        model = candidates[0]
    return list(getattr(model, "model_fields", {}))


def _problems_from(
    exc: ValidationError, data: Any = None
) -> list[tuple[tuple[str | int, ...], str]]:
    out = []
    seen = set()
    seen_locs: set[tuple[str | int, ...]] = set()
    for error in exc.errors():
        if _other_branch(error["loc"], data):
            continue
        loc = tuple(part for part in error["loc"] if not _is_union_tag(part))
        if any(_is_union_tag(part) for part in error["loc"]) and loc in seen_locs:
            continue  # one message per value, from the first union member (a number)
        message = _expected(error, _siblings(loc))
        if (loc, message) not in seen:
            seen.add((loc, message))
            seen_locs.add(loc)
            out.append((loc, message))
    return out


def _other_branch(loc: Sequence[str | int], data: Any) -> bool:
    """Whether an error belongs to the union member the value was not written as.

    A sweep value is a list or a range table: a mistake in a range should not also
    report "expected a list" (two contradictory errors for one mistake).
    """
    value = data
    for part in loc:
        if _is_union_tag(part):
            tag = str(part)
            if tag == "Range" or tag.endswith(", Range]"):  # Range, with its validator
                return not isinstance(value, Mapping)
            if tag.startswith("list["):
                return isinstance(value, Mapping)
            return False
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return False
    return False


def _is_union_tag(part: str | int) -> bool:
    # pydantic inserts the member type of a union into loc ("list[...]", "Range", ...)
    return isinstance(part, str) and (
        "[" in part or part in ("Range", "function-after", "int", "float", "bool", "str")
    )


def _sweep_problems(scenario: Scenario) -> list[tuple[tuple[str | int, ...], str]]:
    """Each swept value, combined with the tables, must be a valid parameter."""
    sweep = scenario.sweep
    if sweep is None:
        return []
    base = scenario.model_params(scenario.structures[0])
    for option in ("stop_at_equilibrium", "stages", "chart"):  # OrgModel options
        base.pop(option, None)
    out: list[tuple[tuple[str | int, ...], str]] = []

    def check(loc: tuple[str | int, ...], name: str, value: Any) -> None:
        try:
            split_params({**base, name: value})
        except ParameterError as err:
            out.append((loc, _param_message(err, value)))

    for part in ("grid", "zip"):
        for name, spec in getattr(sweep, part).items():
            values = spec.values() if hasattr(spec, "values") else spec
            for i, value in enumerate(values):
                check(
                    ("sweep", part, name) if hasattr(spec, "values") else ("sweep", part, name, i),
                    name,
                    value,
                )
    for i, point in enumerate(sweep.points):
        for name, value in point.items():
            check(("sweep", "points", i, name), name, value)
    for name, (low, high) in sweep.ranges.items():
        for value in (low, high):
            check(("sweep", "ranges", name), name, int(value) if _is_int(name) else value)
    if not out and scenario.points <= 100_000:
        # combinations (e.g. omission + distortion) only show up together
        try:
            for point in expand(sweep, scenario.seed):
                split_params({**base, **point})
        except ParameterError as err:
            out.append((("sweep",), f"at point {point}: {_param_message(err, err.given)}"))
    return out


def _param_message(err: ParameterError, value: Any) -> str:
    if "," in err.parameter:  # a rule across parameters (e.g. omission + distortion <= 1)
        return str(err.expected)
    return f"expected {err.expected}, got {_show(value)}"


def _is_int(name: str) -> bool:
    return ALL_PARAMETERS[name].annotation is int


def _render(
    path: Path | str, lines: Sequence[str], problems: Sequence[tuple[Sequence[str | int], str]]
) -> list[str]:
    """One line per problem, in file order (at most :data:`MAX_PROBLEMS`, then a count)."""
    rendered = []
    for loc, msg in problems[: 3 * MAX_PROBLEMS]:
        line = _key_line(lines, loc) if loc else None
        where = f"{path}:{line}" if line else f"{path}"
        key = _dotted(loc)
        text = f"{where}: key '{key}': {msg}" if key else f"{where}: {msg}"
        rendered.append((line or 0, text))
    out = [text for _, text in sorted(rendered, key=lambda item: item[0])][:MAX_PROBLEMS]
    if len(problems) > MAX_PROBLEMS:
        out.append(f"{path}: ... and {len(problems) - MAX_PROBLEMS} more problems")
    return out


def _load_plugins(
    data: Mapping[str, Any], path: Path | str, lines: Sequence[str], base: Path | None
) -> tuple[PluginRef, ...]:
    """Load the scenario's plugins (and the installed ones) before validating it, so
    that the structure and metric names they register validate."""
    names = data.get("plugins", [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        names = []  # validation reports the wrong type
    try:
        return load_plugins(names, base)
    except PluginError as err:
        raise ScenarioError(_render(path, lines, [(("plugins",), str(err))])) from None


def parse_scenario(
    text: str, path: Path | str = "<scenario>", base: Path | None = None
) -> Scenario:
    """Validate TOML ``text`` as a scenario; ``path`` is used in messages only, plugin
    files are found relative to ``base`` (default: the working folder).

    Raises
    ------
    ScenarioError
        With one line per problem.

    Examples
    --------
    >>> parse_scenario('name = "x"\\n[model]\\np1 = 1.5\\n', "x.toml")
    Traceback (most recent call last):
    ...
    orgsim.scenario.ScenarioError: x.toml:3: key 'model.p1': expected a number <= 1.0, got 1.5
    """
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise ScenarioError([f"{path}: invalid TOML: arrays or tables nested too deeply"]) from None
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        if match is None and "end of document" in str(exc):
            match = re.search(r"(\d+), (\d+)", f"{len(text.splitlines())}, 1")
        reason = re.sub(r"\s*\(at line.*\)$", "", str(exc))
        where = f"{path}:{match.group(1)}" if match else str(path)
        col = f" (column {match.group(2)})" if match else ""
        raise ScenarioError([f"{where}: invalid TOML{col}: {reason}"]) from None
    lines = text.splitlines()
    plugins = _load_plugins(data, path, lines, base)
    try:
        schema = scenario_class()  # plugins may have added rules with parameters
        scenario = schema.model_validate(data, strict=True, context=validation_context())
    except ValidationError as exc:
        raise ScenarioError(_render(path, lines, _problems_from(exc, data))) from None
    except RecursionError:
        raise ScenarioError([f"{path}: values nested too deeply"]) from None
    scenario._plugins = plugins
    problems = _render(path, lines, _sweep_problems(scenario))
    if problems:
        raise ScenarioError(problems)
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate the scenario file at ``path``, or the shipped scenario so named.

    ``path`` is a file; a bare name that is not a file here (``"workshop"``) is looked
    up among the scenarios shipped with orgsim (:mod:`orgsim.examples`).

    Raises
    ------
    ScenarioError
        If the file is missing or unreadable, is not TOML, or any key is unknown, of
        the wrong type or out of range (one line per problem, with line numbers).
    """
    path = resolve(path)
    try:
        raw = read_limited(path, SCENARIO_LIMIT, "a .toml scenario file")
    except UnreadableFileError as exc:
        hint = ""
        if str(exc) == "no such file" and path.parent == Path("."):
            hint = f" (shipped scenarios: {', '.join(shipped())})"
        raise ScenarioError([f"{_shown_path(path)}: {exc}{hint}"]) from None
    text = _decode_scenario(raw, path)
    scenario = parse_scenario(text, path, base=path.resolve().parent)
    scenario._path = path.resolve()
    lines = text.splitlines()
    scenario._chart = _load_chart(scenario, lines)
    problems, notes = _unbuildable(scenario)
    if problems:
        raise ScenarioError(_render(path, lines, problems))
    scenario._notes = notes
    return scenario


def _shown_path(path: Path) -> str:
    return str(path).replace("\x00", "\\0")


def _decode_scenario(raw: bytes, path: Path) -> str:
    """TOML text of ``raw``: UTF-8, with or without a byte-order mark (Windows editors)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ScenarioError([f"{path}: is UTF-16 text; expected UTF-8 (save it as UTF-8)"])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError(
            [f"{path}:{line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8"]
        ) from None


MAX_PREFLIGHT = 64  # organisations built to check a scenario (distinct parameter sets)


def _proxy(org: dict[str, Any]) -> dict[str, Any]:
    """Small organisation parameters that a builder accepts exactly when it accepts ``org``.

    Builders fail on head counts too small for the units and the team, never on a
    large one, and never because of informal ties: checking a 5,000,000-employee
    scenario builds a few hundred people without ties.
    """
    enough = 1 + org["team_size"] + org["units"] * (2 + org["span"])
    small = min(org["employees"], max(10, enough))
    return {**org, "employees": small, "informal_in": 0.0, "informal_out": 0.0}


def _unbuildable(
    scenario: Scenario,
) -> tuple[list[tuple[tuple[str | int, ...], str]], list[str]]:
    """Build each structure's organisation once per distinct set of organisation
    parameters (on a small proxy, see :func:`_proxy`), so that combinations no builder
    can satisfy (e.g. more people in the central team than employees) are reported now,
    as input errors, not as failed runs. Returns the problems (one per parameter and
    message, naming the structures) and the builders' notes (what they chose).
    """
    from orgsim.structures import build

    names = set(OrganisationParams.model_fields)
    base = scenario.organisation.model_dump(include=names)
    swept = [n for n in scenario.varied if n in names]
    sets: dict[tuple[Any, ...], dict[str, Any]] = {}
    for point in expand(scenario.sweep, scenario.seed) if swept else [{}]:
        key = tuple(point.get(n) for n in swept)
        if key not in sets:
            sets[key] = {n: point[n] for n in swept if n in point}
        if len(sets) >= MAX_PREFLIGHT:
            break
    failed: dict[tuple[str, str], dict[str, list[str]]] = {}
    notes: dict[str, list[str]] = {}
    proxies: dict[tuple[Any, ...], tuple[dict[str, Any], dict[str, Any]]] = {}
    for override in sets.values():
        org = _proxy({**base, **override})
        proxies.setdefault(tuple(sorted(org.items())), (org, override))
    for org, override in proxies.values():
        for structure in scenario.structures:
            try:
                built = build(structure, org, seed=0, chart=scenario.chart)
            except ParameterError as err:
                where = "sweep" if err.parameter in override else "organisation"
                message = _param_message(err, err.given)
                failed.setdefault((where, err.parameter), {}).setdefault(message, [])
                failed[where, err.parameter][message].append(structure)
                continue
            except OrgsimError as err:  # the chart cannot carry this structure
                failed.setdefault(("organisation", "source"), {}).setdefault(str(err), [])
                failed["organisation", "source"][str(err)].append(structure)
                continue
            for note in built.notes:
                notes.setdefault(note, []).append(structure)
    problems: list[tuple[tuple[str | int, ...], str]] = []
    for (where, parameter), messages in failed.items():
        parts = []  # one line per key, however many structures and points fail on it
        for message, structures in messages.items():
            which = ", ".join(f"'{s}'" for s in dict.fromkeys(structures))
            plural = "structures" if len(set(structures)) > 1 else "structure"
            parts.append(f"{message} ({plural} {which})")
        problems.append(((where, parameter), "; ".join(parts[:3])))
    said = [f"{', '.join(dict.fromkeys(names))}: {note}" for note, names in notes.items()]
    return problems, said


def _sweep_loc(scenario: Scenario, name: str) -> tuple[str | int, ...]:
    """Where the sweep varies ``name`` (for the line number of a message)."""
    sweep = scenario.sweep
    if sweep is not None:
        for part in ("grid", "zip", "ranges"):
            if name in getattr(sweep, part):
                return ("sweep", part, name)
        if sweep.points and name in sweep.points[0]:
            return ("sweep", "points", 0, name)
    return ("sweep",)


def _load_chart(scenario: Scenario, lines: Sequence[str]) -> OrgChart | None:
    """Read ``[organisation] source`` (and ``ties``), relative to the scenario file."""
    table = scenario.organisation
    where = scenario.path or "<scenario>"
    if table.source is None:
        for key in ("ties", "columns", "central_unit"):
            if getattr(table, key) is not None:
                problem = (
                    f"expected organisation.source as well ({key} belong to an imported chart)"
                )
                raise ScenarioError(_render(where, lines, [(("organisation", key), problem)]))
        return None
    from orgsim.orgchart import OrgChartError, load_org_chart

    size_keys = [n for n in scenario.varied if n in ("employees", "units", "span")]
    if size_keys:
        problem = (
            f"expected no sweep over {', '.join(size_keys)}: the imported chart "
            "(organisation.source) sets the size and the units"
        )
        raise ScenarioError(_render(where, lines, [(_sweep_loc(scenario, size_keys[0]), problem)]))
    base = scenario.path.parent if scenario.path else Path.cwd()
    ties = base / table.ties if table.ties else None
    try:
        with warnings.catch_warnings(record=True) as fixed:
            warnings.simplefilter("always")
            chart = load_org_chart(
                base / table.source, ties, columns=table.columns, central_unit=table.central_unit
            )
    except OrgChartError as exc:  # one line: the scenario's key, then the chart's FILE:LINE
        key = "ties" if ties is not None and exc.path == str(ties) else "source"
        if exc.key is not None:
            key = exc.key
        raise ScenarioError(_render(where, lines, [(("organisation", key), str(exc))])) from None
    for key in sorted(table.model_fields_set & {"employees", "units", "span"}):
        warnings.warn_explicit(
            f"organisation.{key} is ignored: the imported chart sets it "
            f"({chart.n} employees, {chart.units} units)",
            UserWarning,
            str(where),
            _key_line(lines, ("organisation", key)) or 0,
            module="orgsim.scenario",
        )
    for w in fixed:  # shown at the scenario's `source` line, not inside orgsim
        warnings.warn_explicit(
            w.message,
            w.category,
            str(where),
            _key_line(lines, ("organisation", "source")) or 0,
            module="orgsim.scenario",
        )
    return chart


# -- the commented template --------------------------------------------------------


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


def _bounds(field: Any) -> str:
    parts = []
    for item in field.metadata:
        for attr, sym in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            if getattr(item, attr, None) is not None:
                parts.append(f"{sym} {getattr(item, attr)}")
    return f" ({', '.join(parts)})" if parts else ""


def _table(model: type[BaseModel], skip: Sequence[str] = ()) -> list[str]:
    out = []
    for name, field in model.model_fields.items():
        if name in skip or field.is_required():
            continue
        default = field.get_default(call_default_factory=True)
        out.append(f"# {field.description}{_bounds(field)}")
        if default is None:
            out.append(f"# {name} = ...")
            continue
        out.append(f"{name} = {_toml_value(default)}")
    return out


def template(name: str) -> str:
    """A complete, commented scenario named ``name``: every key with its default.

    >>> text = template("mine")
    >>> parse_scenario(text).name
    'mine'
    """
    _folder_name(name)
    top = [
        f"# orgsim scenario '{name}'. Run it with:  orgsim run {name}.toml",
        "# Every key is optional except `name`; the values below are the defaults.",
        "# Check it with:  orgsim validate " + f"{name}.toml",
        "",
        "# short name; also the output folder name (outputs/<name>/)",
        f'name = "{name}"',
        "# what this scenario explores, in a sentence",
        'description = "A starting point: the structures compared with default parameters."',
        *_table(Scenario, skip=("name", "description", "organisation", "model", "sweep", "stages")),
        "",
        "[organisation]",
        *_table(OrganisationTable),
        "",
        "[model]",
        "# one step is one week; symbols as in the model specification, docs/model.md",
        *_table(ModelTable),
        "",
        "# Edelman's stages (orgsim.stages): a week is at a stage when its metrics reach",
        "# these minima and those of every earlier stage. The defaults:",
        "[stages]",
        *(
            f"{stage} = {{ "
            + ", ".join(f"{k} = {float(v)!r}" for k, v in getattr(StageThresholds(), stage).items())
            + " }"
            for stage in STAGES
        ),
        "",
        "# Optional: vary parameters (remove the # to use). Parts combine as a Cartesian",
        "# product. How to write each part: the documentation page 'Sweeps' (docs/sweeps.md).",
        "# [sweep]",
        "# replications = 5                                  # per point",
        "# grid = { delta = [0.0, 0.2, 0.4], p1 = {start = 0.1, stop = 0.9, step = 0.4} }",
        "# zip = { employees = [100, 1000], units = [2, 10] }  # values that go together",
        "# points = [{ p2 = 0.1 }, { p2 = 0.9 }]               # an explicit list",
        '# design = "lhs"                                    # or "sobol", "morris"',
        "# ranges = { beta = [0.0, 0.2] }                    # [low, high] for the design",
        "# samples = 16",
        "",
    ]
    return "\n".join(top)
