"""orgsim: simulate how organisations organise their social-media work.

Owyang's organisation models (band, tower, hub-and-spokes, ...) as Mesa agent-based
models on networkx organisation graphs; see docs/model.md and docs/ODD.md.

Core objects (imported lazily, so ``orgsim --help`` stays fast)
------------------------------------------------------------
OrgModel
    The Mesa model (:mod:`orgsim.model`).
STRUCTURES, METRICS
    The registries of organisation structures and outcome metrics.
SUBMODELS, register_submodel
    The week's rules in order (:mod:`orgsim.submodels`), and how to add one.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
MODEL_VERSION = "4"  # bump when results of the same scenario and seed change

__all__ = [
    "METRICS",
    "MODEL_VERSION",
    "STRUCTURES",
    "SUBMODELS",
    "OrgModel",
    "__version__",
    "register_submodel",
]


def __getattr__(name: str) -> Any:
    if name == "OrgModel":
        from orgsim.model import OrgModel

        return OrgModel
    if name == "STRUCTURES":
        from orgsim.structures import STRUCTURES

        return STRUCTURES
    if name == "METRICS":
        from orgsim.metrics import METRICS

        return METRICS
    if name in ("SUBMODELS", "register_submodel"):
        from orgsim import submodels

        return getattr(submodels, name)
    raise AttributeError(f"module 'orgsim' has no attribute {name!r}")
