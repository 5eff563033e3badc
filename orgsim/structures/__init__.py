"""Registry of organisation structures: each is one builder function.

A builder takes :class:`~orgsim.params.OrganisationParams`, a random stream and an
optional imported :class:`~orgsim.orgchart.OrgChart` (keyword ``chart``), and returns
an :class:`~orgsim.organisation.Organisation`. Registering one makes it
available to the model, scenario files, the command line and every common test.

Core objects
------------
register_structure
    Decorator adding a builder to :data:`STRUCTURES` under a name.
build
    Build an organisation by structure name, with validated parameters and a seed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from orgsim.errors import ParameterError, did_you_mean
from orgsim.organisation import Organisation
from orgsim.orgchart import OrgChart
from orgsim.params import OrganisationParams

# builder(params, rng, chart=None) -> Organisation
Builder = Callable[..., Organisation]

STRUCTURES: dict[str, Builder] = {}
DESCRIPTIONS: dict[str, str] = {}


def register_structure(name: str, description: str) -> Callable[[Builder], Builder]:
    """Register ``builder`` as structure ``name`` (a one-line ``description`` for listings)."""

    def decorate(builder: Builder) -> Builder:
        if name in STRUCTURES:
            raise ValueError(f"structure {name!r} is registered twice")
        STRUCTURES[name] = builder
        DESCRIPTIONS[name] = description
        return builder

    return decorate


def check_structure(name: object) -> str:
    """Return ``name`` if it is a registered structure, else raise :class:`ParameterError`."""
    if not isinstance(name, str) or name not in STRUCTURES:
        expected = "one of " + ", ".join(sorted(STRUCTURES))
        raise ParameterError("structure", expected + did_you_mean(str(name), STRUCTURES), name)
    return name


def build(
    structure: str,
    params: OrganisationParams | Mapping[str, Any] | None = None,
    seed: int | np.random.Generator | np.random.SeedSequence | None = None,
    chart: OrgChart | None = None,
) -> Organisation:
    """Build the organisation of ``structure``, on an imported ``chart`` if given.

    With a chart, its reporting lines and units replace the generated tree
    (``employees``, ``units`` and ``span`` are then ignored) and the structure
    overlays its roles on it (see :func:`orgsim.structures.common.skeleton`).

    Examples
    --------
    >>> org = build("tower", {"employees": 60, "units": 3}, seed=1)
    >>> org.n, org.units, len(org.code_holders)
    (60, 3, 3)
    """
    from orgsim.params import split_params

    check_structure(structure)
    if params is None:
        params = OrganisationParams()
    elif not isinstance(params, OrganisationParams):
        params, _ = split_params(params)
    org = STRUCTURES[structure](params, np.random.default_rng(seed), chart=chart)
    org.validate()
    return org


# The builders register themselves on import.
from orgsim.structures import owyang as _owyang  # noqa: E402,F401
from orgsim.structures import owyang2010 as _owyang2010  # noqa: E402,F401
