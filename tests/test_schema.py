"""Invalid values generated for every parameter from its schema (like scikit-learn's
common tests): each gives one clear ParameterError naming the parameter, from the
library, and exit 2 with one line from a scenario file through the command line.

The parameters and their constraints are read from the registered schema
(:data:`orgsim.params.ALL_PARAMETERS`), so a new parameter is covered without a test.
"""

from __future__ import annotations

import math
from typing import Any, Literal, get_origin

import annotated_types as at
import pytest
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.errors import ParameterError
from orgsim.model import OrgModel
from orgsim.params import ALL_PARAMETERS, OrganisationParams


def bad_values(info: Any) -> list[tuple[str, Any]]:
    """(label, value) pairs the field must refuse: out of range, wrong type, NaN/inf."""
    whole = info.annotation is int
    step = 1 if whole else 0.001
    out: list[tuple[str, Any]] = []
    for c in info.metadata:
        if isinstance(c, at.Ge):
            out.append(("below", c.ge - step))
        elif isinstance(c, at.Gt):
            out.append(("at-exclusive-bound", c.gt))
        elif isinstance(c, at.Le):
            out.append(("above", c.le + step))
        elif isinstance(c, at.Lt):
            out.append(("at-exclusive-bound", c.lt))
    default = info.default
    choice = get_origin(info.annotation) is Literal  # e.g. allocation: other text is refused
    if info.annotation is bool:  # a switch: only true or false
        out += [("one", 1), ("zero", 0), ("fraction", 0.5)]
    out += [
        ("text", f"not {default}" if choice else str(default)),
        *([] if info.annotation is bool else [("bool", True)]),
        ("nan", math.nan),
        ("inf", math.inf),
        ("-inf", -math.inf),
        ("list", [default]),
    ]
    if whole:
        out.append(("fraction", default + 0.5))
    return out


CASES = [
    pytest.param(name, value, id=f"{name}-{label}")
    for name, info in ALL_PARAMETERS.items()
    for label, value in bad_values(info)
]


def toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(toml(v) for v in value) + "]"
    return repr(value)


def test_every_parameter_is_covered() -> None:
    names = {p.values[0] for p in CASES}
    assert names == set(ALL_PARAMETERS)
    assert len(CASES) >= 8 * len(ALL_PARAMETERS)


@pytest.mark.parametrize(("name", "value"), CASES)
def test_the_library_refuses_it_naming_the_parameter(name: str, value: Any) -> None:
    with pytest.raises(ParameterError) as info:
        OrgModel(**{name: value})
    assert info.value.parameter == name
    assert f"parameter '{name}'" in str(info.value)


@pytest.mark.parametrize(("name", "value"), CASES)
def test_a_scenario_file_gets_exit_2_and_one_line(name: str, value: Any, tmp_path) -> None:
    table = "organisation" if name in OrganisationParams.model_fields else "model"
    path = tmp_path / "bad.toml"
    path.write_text(f'name = "bad"\n[{table}]\n{name} = {toml(value)}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and name in lines[0], result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("stop_at_equilibrium", "no"),
        ("stop_at_equilibrium", 1),
        ("agents", "yes"),
        ("agents", 0),
        ("kernel", "fast"),
    ],
)
def test_model_options_are_checked_too(option: str, value: Any) -> None:
    with pytest.raises(ParameterError) as info:
        OrgModel("band", **{option: value})
    assert info.value.parameter == option


def test_valid_numbers_of_other_types_are_accepted() -> None:
    import numpy as np

    model = OrgModel("band", employees=np.int64(40), units=2, p1=np.float32(0.25), budget=5)
    assert (model.organisation.n, model.dynamics.p1, model.dynamics.budget) == (40, 0.25, 5.0)
    assert isinstance(model.organisation_params.units, int)
    # a count written as a float is refused, as in scenario files (tests/test_malformed_corpus.py)
    with pytest.raises(ParameterError, match="units"):
        OrgModel("band", employees=40, units=2.0)
