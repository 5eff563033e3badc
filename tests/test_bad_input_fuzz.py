"""Fuzzing the scenario loader and the org-chart reader: a clear error or a result.

Whatever the text, ``parse_scenario`` / ``load_scenario`` raise
:class:`~orgsim.scenario.ScenarioError` or return a scenario, and ``load_org_chart``
raises :class:`~orgsim.orgchart.OrgChartError` or returns a chart on which every
structure builds (or refuses with a :class:`~orgsim.errors.ParameterError`). Any
other exception is a bug: the command line would print a traceback.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orgsim.errors import ParameterError
from orgsim.orgchart import SYNONYMS, OrgChartError, OrgChartWarning, load_org_chart
from orgsim.params import ALL_PARAMETERS
from orgsim.scenario import Scenario, ScenarioError, load_scenario, parse_scenario
from orgsim.structures import STRUCTURES, build

FUZZ = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# -------------------------------------------------------------- TOML from the schema

KEYS = [  # not `plugins`: a random module name could import anything
    *(k for k in Scenario.model_fields if k != "plugins"),
    *(f"organisation.{k}" for k in ("employees", "units", "span", "team_size", "source")),
    *(f"model.{k}" for k in ALL_PARAMETERS if k not in ("employees", "units", "span")),
    "sweep.grid",
    "sweep.zip",
    "sweep.points",
    "sweep.design",
    "sweep.ranges",
    "sweep.samples",
    "sweep.replications",
    "stages.crawling",
    "nonsense",
]
scalars = st.one_of(
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=12),
    st.sampled_from(["band", "tower", "lhs", "sobol", "morris", "org.csv"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(["start", "stop", "step", "p1", "delta", "x"]), inner),
    ),
    max_leaves=8,
)
numbers = st.one_of(
    st.integers(-5, 5_000_001),
    st.floats(-1, 2, allow_nan=False),
    st.sampled_from([math.inf, -math.inf, math.nan, 1e308, 0.0, 1.0]),
)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return '"' + "".join(c if c.isalnum() or c in " ._-" else "_" for c in value) + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"


@st.composite
def scenario_texts(draw: st.DrawFn) -> str:
    tables: dict[str, list[str]] = {"": ['name = "f"']}
    for key in draw(st.lists(st.sampled_from(KEYS), max_size=6, unique=True)):
        table, _, name = key.rpartition(".")
        value = draw(st.one_of(numbers, values) if table in ("model", "organisation") else values)
        tables.setdefault(table, []).append(f"{name} = {toml_value(value)}")
    parts = tables.pop("")
    for table, lines in tables.items():
        parts += [f"[{table}]", *lines]
    return "\n".join(parts) + "\n"


def _parse(text: str) -> Scenario | None:
    try:
        return parse_scenario(text, "f.toml")
    except ScenarioError as exc:
        assert exc.problems and all(p.startswith("f.toml") for p in exc.problems)
        assert all("\n" not in p for p in exc.problems)
        return None


@FUZZ
@given(text=scenario_texts())
def test_any_scenario_from_the_schema_is_an_error_or_a_scenario(text: str) -> None:
    scenario = _parse(text)
    if scenario is not None:
        assert 1 <= scenario.total_runs <= 1_000_000


@FUZZ
@given(text=st.text(max_size=300))
def test_any_text_is_an_error_or_a_scenario(text: str) -> None:
    _parse(text)
    _parse('name = "f"\n' + text)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=scenario_texts(), raw=st.binary(max_size=64))
def test_loading_any_file_is_an_error_or_a_scenario(tmp_path: Path, text: str, raw: bytes) -> None:
    """The file path: bytes decoded, the chart loaded, organisations checked."""
    (tmp_path / "org.csv").write_text("id,manager,unit\nceo,,HQ\na,ceo,S\nb,a,S\n")
    for content in (text.encode(), raw, raw + text.encode()):
        path = tmp_path / "f.toml"
        path.write_bytes(content)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                load_scenario(path)
        except ScenarioError as exc:
            assert exc.problems and all(str(path) in p for p in exc.problems)


# ------------------------------------------------------------------------- charts

HEADERS = [name for names in SYNONYMS.values() for name in names[:4]] + [
    "Employee ID",
    "Reports To",
    "Department",
    "x",
    "",
]
cells = st.one_of(
    st.sampled_from(["ceo", "a", "b", "c", "HQ", "Sales", "", "hub", "liaison", "central_team"]),
    st.text(max_size=6),
)


@st.composite
def chart_texts(draw: st.DrawFn) -> str:
    header = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=5))
    width = len(header)
    rows = draw(st.lists(st.lists(cells, min_size=0, max_size=width + 1), max_size=8))
    sep = draw(st.sampled_from([",", ";", "\t"]))
    return "\n".join(sep.join(r) for r in [header, *rows]) + "\n"


def _chart(path: Path) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OrgChartWarning)
            chart = load_org_chart(path)
    except OrgChartError as exc:
        assert str(exc).startswith(str(path)) and "\n" not in str(exc)
        return
    for structure in STRUCTURES:
        try:
            org = build(structure, {"team_size": 2}, seed=0, chart=chart)
        except ParameterError:
            continue
        assert org.n >= chart.n


@FUZZ
@given(text=chart_texts())
def test_any_csv_chart_is_an_error_or_builds(tmp_path: Path, text: str) -> None:
    path = tmp_path / "org.csv"
    path.write_text(text, encoding="utf-8")
    _chart(path)


@FUZZ
@given(raw=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".graphml"]))
def test_any_bytes_are_an_error_or_a_chart(tmp_path: Path, raw: bytes, suffix: str) -> None:
    path = tmp_path / f"org{suffix}"
    path.write_bytes(raw)
    _chart(path)


@FUZZ
@given(
    nodes=st.lists(
        st.dictionaries(
            st.sampled_from(["unit", "manager_id", "role", "employee_id", "d9"]), cells
        ),
        max_size=6,
    ),
    hyper=st.booleans(),
)
def test_any_graphml_is_an_error_or_a_chart(
    tmp_path: Path, nodes: list[dict[str, str]], hyper: bool
) -> None:
    keys = "".join(
        f'<key id="{k}" for="node" attr.name="{k}" attr.type="string"/>'
        for k in ("unit", "manager_id", "role", "employee_id")
    )
    body = "".join(
        f'<node id="n{i}">'
        + "".join(
            f'<data key="{k}">{"".join(c for c in v if c.isalnum())}</data>' for k, v in d.items()
        )
        + "</node>"
        for i, d in enumerate(nodes)
    )
    if hyper:
        body += '<hyperedge><endpoint node="n0"/></hyperedge>'
    path = tmp_path / "org.graphml"
    path.write_text(
        '<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
        f'{keys}<graph edgedefault="directed">{body}</graph></graphml>'
    )
    _chart(path)


@pytest.mark.parametrize(
    "header", ["Employee ID,Manager ID,Department", "EMPLOYEE_ID;Reports To;Team"]
)
def test_hr_headers_are_recognised(tmp_path: Path, header: str) -> None:
    sep = ";" if ";" in header else ","
    rows = ["ceo", "", "Exec"], ["a", "ceo", "Sales"], ["b", "a", "Sales"]
    path = tmp_path / "org.csv"
    path.write_text("\n".join(sep.join(r) for r in [header.split(sep), *rows]) + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OrgChartWarning)
        chart = load_org_chart(path)
    assert chart.ids == ("ceo", "a", "b") and chart.unit_names == ("Sales",)
