"""Parameter schema of the model: every parameter, its default, its range and meaning.

Lowest layer (see the README on layers): it imports nothing of orgsim but
:mod:`orgsim.errors`, :mod:`orgsim.schema` and the submodels' parameter blocks.

Core objects
------------
OrganisationParams
    Size and shape of the organisation (``[organisation]`` table of a scenario file).
DynamicsParams
    The weekly process of docs/model.md §3 (``[model]`` table of a scenario file):
    :class:`WorldParams` plus the parameter block of every registered submodel, flat
    (``p1``, ``beta``, ...), recomposed when a submodel is registered.
split_params
    Validate a flat ``**kwargs`` mapping into the two, raising :class:`ParameterError`.

Symbols in the descriptions are those of the model specification, docs/model.md
(March 1991 for p1, p2, p4).
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, ValidationError, create_model

from orgsim.errors import ParameterError, did_you_mean
from orgsim.schema import StrictSchema
from orgsim.submodels.base import ParamBlock, blocks, on_register

if TYPE_CHECKING:
    from orgsim.submodels.awareness import AwarenessParams
    from orgsim.submodels.code_learning import CodeLearningParams
    from orgsim.submodels.code_news import CodeNewsParams
    from orgsim.submodels.frontline import FrontlineParams
    from orgsim.submodels.peer_learning import PeerLearningParams
    from orgsim.submodels.posting import PostingParams
    from orgsim.submodels.reports import ReportParams
    from orgsim.submodels.resources import ResourceParams
    from orgsim.submodels.review import ReviewParams
    from orgsim.submodels.socialisation import SocialisationParams
    from orgsim.submodels.time import TimeParams
    from orgsim.submodels.turbulence import TurbulenceParams
    from orgsim.submodels.turnover import TurnoverParams


class OrganisationParams(StrictSchema):
    """How large the organisation is and how its people are tied together.

    ``employees`` is the exact head count: the executive, the central team (when a
    structure has one) and the units' reporting trees, which are filled
    breadth-first, so no rounding is needed. Unit sizes differ by at most one.
    """

    employees: int = Field(
        200,
        ge=10,
        le=5_000_000,
        json_schema_extra={"source": "judgement: 3-4 levels in 4 units, fast enough for workshops"},
        description="total head count",
    )
    units: int = Field(
        4,
        ge=1,
        le=1000,
        json_schema_extra={"source": "judgement"},
        description="business units (departments)",
    )
    span: int = Field(
        5,
        ge=2,
        le=100,
        json_schema_extra={"source": "Graicunas 1933: 5-6 direct reports"},
        description="span of control: direct reports per manager",
    )
    team_size: int = Field(
        3,
        ge=1,
        le=1000,
        json_schema_extra={"source": "Altimeter 2010: novice programmes average about 3 people"},
        description="people in the central team / hub (Altimeter: about 3)",
    )
    informal_in: float = Field(
        4.0,
        ge=0.0,
        le=200.0,
        json_schema_extra={"source": "judgement (many more ties inside a unit than across)"},
        description="mean informal peer ties per employee inside the unit",
    )
    informal_out: float = Field(
        0.5,
        ge=0.0,
        le=200.0,
        json_schema_extra={"source": "judgement"},
        description="mean informal peer ties per employee to other units",
    )
    poster_fraction: float = Field(
        0.2,
        ge=0.0,
        le=1.0,
        json_schema_extra={"source": "judgement: enthusiasts / trained staff"},
        description="share of staff who may post where staff post (enthusiasts / trained)",
    )


class WorldParams(ParamBlock):
    """What the week's rules act on: the belief dimensions and the units' realities."""

    dimensions: int = Field(
        30,
        ge=1,
        le=1000,
        json_schema_extra={"source": "March 1991", "symbol": "m"},
        description="m: belief dimensions (March: 30)",
    )
    delta: float = Field(
        0.2,
        ge=0.0,
        le=1.0,
        json_schema_extra={
            "source": "judgement: units' customers differ on a fifth of what they want",
            "symbol": "delta",
        },
        description="delta: chance a unit's reality differs per dimension",
    )

    def model_post_init(self, __context: Any) -> None:
        # the composed schema checks each block's combinations (e.g. omission + distortion)
        for block in blocks():
            if "model_post_init" in vars(block):
                values = {name: getattr(self, name) for name in block.model_fields}
                block.model_construct(**values).model_post_init(__context)


def _compose() -> type[WorldParams]:
    """``DynamicsParams``: :class:`WorldParams` plus every registered submodel's block."""
    fields: dict[str, Any] = {}
    for block in blocks():
        for name, info in block.model_fields.items():
            fields.setdefault(name, (info.annotation, info))
    return create_model(
        "DynamicsParams",
        __base__=WorldParams,
        __module__=__name__,
        __doc__="The weekly process (docs/model.md §3); one step is one week.\n\n"
        "The flat union of :class:`WorldParams` and the parameter blocks of the week's\n"
        "submodels (:data:`orgsim.submodels.SUBMODELS`), in the week's order.",
        **fields,
    )


if TYPE_CHECKING:

    class DynamicsParams(
        WorldParams,
        TurbulenceParams,
        FrontlineParams,
        ReportParams,
        CodeLearningParams,
        TurnoverParams,
        TimeParams,
        SocialisationParams,
        PeerLearningParams,
        CodeNewsParams,
        ResourceParams,
        PostingParams,
        ReviewParams,
        AwarenessParams,
    ):
        """The weekly process (for type checkers: the built-in week's blocks)."""

else:
    DynamicsParams = _compose()


_GROUPS: tuple[type[BaseModel], ...] = (OrganisationParams, DynamicsParams)
ALL_PARAMETERS: dict[str, Any] = {
    name: field for group in _GROUPS for name, field in group.model_fields.items()
}


def _recompose() -> None:
    """A submodel was registered: recompose the schema (its new parameters join)."""
    global DynamicsParams, _GROUPS
    DynamicsParams = _compose()  # type: ignore[misc,assignment]
    _GROUPS = (OrganisationParams, DynamicsParams)
    ALL_PARAMETERS.clear()
    ALL_PARAMETERS.update(
        {name: field for group in _GROUPS for name, field in group.model_fields.items()}
    )


on_register(_recompose)


def _describe(error: Mapping[str, Any]) -> str:
    ctx = error.get("ctx") or {}
    kind = error["type"]
    bounds = {
        "greater_than_equal": "a number >= {ge}",
        "greater_than": "a number > {gt}",
        "less_than_equal": "a number <= {le}",
        "less_than": "a number < {lt}",
    }
    if kind in bounds:
        return bounds[kind].format(**ctx)
    if kind.startswith("int"):
        return "a whole number"
    if kind == "literal_error":
        return f"one of {ctx.get('expected', '')}"
    if kind == "finite_number":
        return "a finite number"
    if kind.startswith("float"):
        return "a number"
    msg: str = error["msg"]
    return msg[len("Value error, ") :] if msg.startswith("Value error, ") else msg


def _check_number(name: str, value: Any, whole: bool, switch: bool = False) -> None:
    """Refuse what pydantic would coerce: ``True``, ``"0.5"``, ``Decimal``, 100.0 as a
    count; a switch (a ``bool`` parameter) takes only ``True`` or ``False``."""
    if switch:
        if not isinstance(value, bool):
            raise ParameterError(name, "true or false", value)
        return
    kind = numbers.Integral if whole else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        raise ParameterError(name, "a whole number" if whole else "a number", value)


def split_params(params: Mapping[str, Any]) -> tuple[OrganisationParams, DynamicsParams]:
    """Validate flat keyword parameters into organisation and dynamics parameters.

    Raises
    ------
    ParameterError
        For the first unknown or invalid parameter, naming it, what was expected
        and what was given.

    Examples
    --------
    >>> org, dyn = split_params({"employees": 50, "p1": 0.3})
    >>> org.employees, dyn.p1
    (50, 0.3)
    >>> split_params({"p1": 1.5})
    Traceback (most recent call last):
    ...
    orgsim.errors.ParameterError: parameter 'p1': expected a number <= 1.0, got 1.5
    """
    groups: dict[type[BaseModel], dict[str, Any]] = {g: {} for g in _GROUPS}
    for key, value in params.items():
        for group in _GROUPS:
            if key in group.model_fields:
                annotation = group.model_fields[key].annotation
                if annotation in (int, float, bool):  # a choice (Literal): pydantic checks it
                    _check_number(key, value, annotation is int, annotation is bool)
                groups[group][key] = value
                break
        else:
            raise ParameterError(
                key, "a known parameter" + did_you_mean(key, ALL_PARAMETERS), value
            )
    built = []
    for group, values in groups.items():
        try:
            built.append(group(**values))
        except ValidationError as exc:
            err = exc.errors()[0]
            name = str(err["loc"][0]) if err["loc"] else ",".join(values)
            given = values.get(name, err.get("input"))
            raise ParameterError(name, _describe(err), given) from None
    org, dyn = built
    assert isinstance(org, OrganisationParams) and isinstance(dyn, DynamicsParams)
    return org, dyn
