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
    create_model,
    model_validator,
)

from orgsim.errors import OrgsimError, ParameterError, PluginError, did_you_mean
from orgsim.examples import resolve, shipped
from orgsim.metrics import METRICS
from orgsim.params import ALL_PARAMETERS, DynamicsParams, OrganisationParams, split_params
from orgsim.plugins import PluginRef, load_plugins
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


_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def _folder_name(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(
            f"expected letters, digits, '-', '_' or '.' (it names the output folder), got {name!r}"
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


class ModelTable(DynamicsParams):
    """The ``[model]`` table: :class:`DynamicsParams`."""


def validation_context() -> dict[str, Any]:
    """What nested tables check names against: the registered base metrics (``[stages]``)."""
    return {"metrics": [name for name, m in METRICS.items() if not m.derived]}


_TOP_CONFIG = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class Scenario(BaseModel):
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
    _plugins: tuple[PluginRef, ...] = PrivateAttr(())  # loaded before validation

    @model_validator(mode="after")
    def _window(self) -> Scenario:
        if self.summary_window is not None and self.summary_window > self.steps:
            raise ValueError(
                f"expected summary_window <= steps ({self.steps}), got {self.summary_window}"
            )
        if len(set(self.structures)) != len(self.structures):
            raise ValueError(f"expected each structure once, got {self.structures}")
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

    def with_overrides(self, **values: Any) -> Scenario:
        """A validated copy with top-level keys replaced (``None`` values are ignored)."""
        data = self.model_dump()
        data.update({k: v for k, v in values.items() if v is not None})
        new = type(self).model_validate(data, context=validation_context())
        new._path = self._path
        new._chart = self._chart
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


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "a table"
    return repr(value)


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


def _problems_from(exc: ValidationError) -> list[tuple[tuple[str | int, ...], str]]:
    out = []
    seen = set()
    for error in exc.errors():
        loc = tuple(part for part in error["loc"] if not _is_union_tag(part))
        message = _expected(error, _siblings(loc))
        if (loc, message) not in seen:
            seen.add((loc, message))
            out.append((loc, message))
    return out


def _is_union_tag(part: str | int) -> bool:
    # pydantic inserts the member type of a union into loc ("list[...]", "Range", ...)
    return isinstance(part, str) and ("[" in part or part in ("Range", "function-after"))


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
    """One line per problem, in file order."""
    rendered = []
    for loc, msg in problems:
        line = _key_line(lines, loc) if loc else None
        where = f"{path}:{line}" if line else f"{path}"
        key = _dotted(loc)
        text = f"{where}: key '{key}': {msg}" if key else f"{where}: {msg}"
        rendered.append((line or 0, text))
    return [text for _, text in sorted(rendered, key=lambda item: item[0])]


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
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
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
        raise ScenarioError(_render(path, lines, _problems_from(exc))) from None
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
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        hint = f" (shipped scenarios: {', '.join(shipped())})" if path.parent == Path(".") else ""
        raise ScenarioError([f"{path}: no such file{hint}"]) from None
    except IsADirectoryError:
        raise ScenarioError([f"{path}: is a folder, expected a .toml scenario file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([f"{path}: cannot read: {exc}"]) from None
    scenario = parse_scenario(text, path, base=path.resolve().parent)
    scenario._path = path.resolve()
    scenario._chart = _load_chart(scenario, text.splitlines())
    problems = _render(path, text.splitlines(), _unbuildable(scenario))
    if problems:
        raise ScenarioError(problems)
    return scenario


MAX_PREFLIGHT = 64  # organisations built to check a scenario (distinct parameter sets)


def _unbuildable(scenario: Scenario) -> list[tuple[tuple[str | int, ...], str]]:
    """Build each structure's organisation once per distinct set of organisation
    parameters, so that combinations no builder can satisfy (e.g. more people in the
    central team than employees) are reported now, as input errors, not as failed runs.
    """
    from orgsim.structures import build

    names = set(OrganisationParams.model_fields)
    seen: set[tuple[str, tuple[tuple[str, Any], ...]]] = set()
    out: list[tuple[tuple[str | int, ...], str]] = []
    for point in expand(scenario.sweep, scenario.seed):
        for structure in scenario.structures:
            params = scenario.model_params(structure, point)
            org = {k: v for k, v in params.items() if k in names}
            key = (structure, tuple(sorted(org.items())))
            if key in seen or len(seen) >= MAX_PREFLIGHT:
                continue
            seen.add(key)
            try:
                build(structure, org, seed=0, chart=scenario.chart)
            except ParameterError as err:
                where = "sweep" if err.parameter in point else "organisation"
                message = _param_message(err, err.given) + f" (structure '{structure}')"
                out.append(((where, err.parameter), message))
    return out


def _load_chart(scenario: Scenario, lines: Sequence[str]) -> OrgChart | None:
    """Read ``[organisation] source`` (and ``ties``), relative to the scenario file."""
    table = scenario.organisation
    where = scenario.path or "<scenario>"
    if table.source is None:
        if table.ties is not None:
            problem = "expected organisation.source as well (ties belong to an imported chart)"
            raise ScenarioError(_render(where, lines, [(("organisation", "ties"), problem)]))
        return None
    from orgsim.orgchart import OrgChartError, load_org_chart

    base = scenario.path.parent if scenario.path else Path.cwd()
    try:
        with warnings.catch_warnings(record=True) as fixed:
            warnings.simplefilter("always")
            chart = load_org_chart(base / table.source, base / table.ties if table.ties else None)
    except OrgChartError as exc:  # one line: the scenario's key, then the chart's FILE:LINE
        raise ScenarioError(
            _render(where, lines, [(("organisation", "source"), str(exc))])
        ) from None
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
