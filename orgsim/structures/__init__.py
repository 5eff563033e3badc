"""Registry of organisation structures: each is one builder function and its spec.

A builder takes :class:`~orgsim.params.OrganisationParams`, a random stream and an
optional imported :class:`~orgsim.orgchart.OrgChart` (keyword ``chart``), and returns
an :class:`~orgsim.organisation.Organisation`. Registering one makes it
available to the model, scenario files, the command line and every common test.

Core objects
------------
register_structure
    Decorator adding a builder to :data:`STRUCTURES` under a name, with its
    description, caption and colour slot (public as ``orgsim.register_structure``).
StructureSpec
    What is registered: builder, description, caption, colour slot, origin.
build
    Build an organisation by structure name, with validated parameters and a seed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from orgsim.claims import CLAIMS
from orgsim.errors import ParameterError, did_you_mean
from orgsim.organisation import Organisation
from orgsim.orgchart import OrgChart
from orgsim.params import OrganisationParams
from orgsim.registry import check_name, origin

# builder(params, rng, chart=None) -> Organisation
Builder = Callable[..., Organisation]


@dataclass(frozen=True)
class StructureSpec:
    """A registered structure: its builder and how it is presented, declared once.

    Attributes
    ----------
    name : str
    builder : callable
        ``builder(params, rng, chart=None) -> Organisation``.
    description : str
        One line for listings and org-chart titles.
    caption : str
        What the trade-off cards print under the name (the source texts' claims for
        the structures of the seed; the description otherwise).
    slot : int or None
        Fixed colour / line-style slot of the plot theme (``None``: the next free one).
    origin : str or None
        The plugin that registered it (``None``: orgsim).
    """

    name: str
    builder: Builder
    description: str
    caption: str = ""
    slot: int | None = None
    origin: str | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> Organisation:
        return self.builder(*args, **kwargs)


STRUCTURES: dict[str, StructureSpec] = {}


def register_structure(
    name: str, description: str, *, caption: str | None = None, slot: int | None = None
) -> Callable[[Builder], Builder]:
    """Register ``builder`` as structure ``name``; also public as ``orgsim.register_structure``.

    Parameters
    ----------
    name : str
        snake_case; scenario files and results use it.
    description : str
        One line for listings.
    caption : str, optional
        The trade-off card's caption (default: the description).
    slot : int, optional
        A fixed colour slot of the plot theme not used by another structure.

    Raises
    ------
    ParameterError
        For a name registered twice or a bad spec.
    """
    check_name("structure", name, STRUCTURES)
    if not isinstance(description, str) or not description.strip():
        raise ParameterError(f"structure '{name}' description", "a non-empty string", description)
    if caption is not None and not isinstance(caption, str):
        raise ParameterError(f"structure '{name}' caption", "a string", caption)
    used = {spec.slot for spec in STRUCTURES.values()}
    if slot is not None and (
        isinstance(slot, bool) or not isinstance(slot, int) or slot < 0 or slot in used
    ):
        raise ParameterError(f"structure '{name}' slot", "a colour slot >= 0 not in use", slot)

    def decorate(builder: Builder) -> Builder:
        if not callable(builder):
            raise ParameterError(f"structure '{name}'", "a builder function", builder)
        if name in STRUCTURES:
            raise ParameterError("structure name", f"a name not registered yet ({name} is)", name)
        STRUCTURES[name] = StructureSpec(
            name, builder, description.strip(), caption or description.strip(), slot, origin()
        )
        return builder

    return decorate


def claimed(structure: str) -> str:
    """The caption stating what the source texts claim for ``structure``
    (:data:`orgsim.claims.CLAIMS`, Owyang 2009, 2010; captions and checks, never rules).

    >>> print(claimed("tower"))
    claimed  + many resources come free
                   − too little authenticity
    """
    advantage, drawback = CLAIMS[structure]
    return f"claimed  + {advantage.text}\n               \u2212 {drawback.text}"


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
    org = STRUCTURES[structure].builder(params, np.random.default_rng(seed), chart=chart)
    try:
        org.validate()
    except ValueError as exc:  # a builder that breaks the invariants is refused
        raise ParameterError(
            f"structure {structure!r}", f"an organisation that keeps the invariants ({exc})", "-"
        ) from None
    return org


# The builders register themselves on import.
from orgsim.structures import owyang as _owyang  # noqa: E402,F401
from orgsim.structures import owyang2010 as _owyang2010  # noqa: E402,F401
