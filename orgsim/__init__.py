"""orgsim: simulate how organisations organise their social-media work.

Owyang's organisation models (band, tower, hub-and-spokes, ...) as Mesa agent-based
models on networkx organisation graphs; see docs/model.md and docs/ODD.md.

Core objects (imported lazily, so ``orgsim --help`` stays fast)
------------------------------------------------------------
OrgModel
    The Mesa model (:mod:`orgsim.model`).
STRUCTURES, METRICS
    The registries of organisation structures and outcome metrics.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
MODEL_VERSION = "3"  # bump when results of the same scenario and seed change

__all__ = ["METRICS", "MODEL_VERSION", "STRUCTURES", "OrgModel", "__version__"]


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
    raise AttributeError(f"module 'orgsim' has no attribute {name!r}")
