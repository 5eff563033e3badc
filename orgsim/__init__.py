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
register_structure, register_metric
    Decorators adding a structure or a metric (in a session, or from a plugin file a
    scenario names: see :mod:`orgsim.plugins`).
load_plugins
    Load plugin files or modules (and the installed ``orgsim.plugins`` entry points).
Results, open_results
    An output folder of ``orgsim run`` for notebooks (:mod:`orgsim.results`).
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
MODEL_VERSION = "8"  # bump when results change; then: python tests/golden.py --update

__all__ = [
    "METRICS",
    "MODEL_VERSION",
    "STRUCTURES",
    "SUBMODELS",
    "OrgModel",
    "Results",
    "__version__",
    "load_plugins",
    "open_results",
    "register_metric",
    "register_structure",
    "register_submodel",
]

# public name -> module defining it (imported on first use)
_LAZY = {
    "OrgModel": "orgsim.model",
    "STRUCTURES": "orgsim.structures",
    "register_structure": "orgsim.structures",
    "METRICS": "orgsim.metrics",
    "register_metric": "orgsim.metrics",
    "load_plugins": "orgsim.plugins",
    "SUBMODELS": "orgsim.submodels",
    "register_submodel": "orgsim.submodels",
    "Results": "orgsim.results",
    "open_results": "orgsim.results",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'orgsim' has no attribute {name!r}")
