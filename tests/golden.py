"""Golden digests: the results of every registered structure, tied to ``MODEL_VERSION``.

For each structure, a small organisation is built and run for a few weeks from a fixed
seed in two parameter regimes (the defaults, and one where every rule is busy); the
organisation's arrays, the state arrays after every week and every metric of every
week are hashed (SHA-256) into one digest. ``tests/golden.json`` stores the digests
of the current ``orgsim.MODEL_VERSION``; ``tests/test_golden.py`` recomputes them.

When results change on purpose, bump ``MODEL_VERSION`` (``orgsim/__init__.py``) and run::

    python tests/golden.py --update

(it imports orgsim from the checkout it lives in).
``--update`` refuses to overwrite a digest of the same ``MODEL_VERSION`` with a
different one (that is exactly the change the guard exists to catch); structures
new to the file are added without a bump.

Floats are rounded to 9 decimals before hashing, so that a different summation order
(another BLAS or CPU) does not count as a change of results.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

GOLDEN = Path(__file__).with_name("golden.json")
UPDATE = "python tests/golden.py --update"
SEED = 20240601
WEEKS = 8
ORGANISATION = {"employees": 90, "units": 3}
# metrics added since the stored digests (a new column is not a change of the others'
# results): hashed from the next MODEL_VERSION on -- empty this set when bumping it
NOT_YET_HASHED: frozenset[str] = frozenset({"holder_load_max", "report_age", "lapsed_share"})
REGIMES: dict[str, dict[str, Any]] = {
    "defaults": {},
    "busy": {
        "dimensions": 12,
        "delta": 0.4,
        "p4": 0.05,
        "frontline_learning": 0.5,
        "omission": 0.1,
        "distortion": 0.1,
        "capacity": 3,
        "p1": 0.3,
        "p2": 0.7,
        "code_news": 0.4,
        "beta": 0.3,
        "initiative_rate": 0.3,
    },
}


def _update(h: Any, name: str, value: Any) -> None:
    h.update(name.encode() + b"\0")
    if value is None:
        h.update(b"None")
        return
    if isinstance(value, np.ndarray):
        a = np.ascontiguousarray(value)
        if a.dtype.kind == "f":
            a = np.round(a.astype(np.float64), 9) + 0.0  # + 0.0: -0.0 hashes as 0.0
            a[np.isnan(a)] = np.nan  # one NaN bit pattern
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes())
        return
    if isinstance(value, float | np.floating):
        value = float(np.round(float(value), 9)) + 0.0
    h.update(repr(value).encode())


def digest(structure: str) -> str:
    """SHA-256 (hex) of the organisation, states and metrics of ``structure``'s golden runs."""
    from orgsim.model import OrgModel

    h = hashlib.sha256()
    for regime, params in REGIMES.items():
        model = OrgModel(structure, rng=SEED, agents=False, **ORGANISATION, **params)
        org = model.organisation
        for f in dataclasses.fields(org):
            _update(h, f"{regime}/organisation/{f.name}", getattr(org, f.name))
        for week in range(1, WEEKS + 1):
            model.step()
            for name, value in sorted(vars(model.state).items()):
                if name.startswith("spread_") or value is None:  # a cache; not modelled
                    continue
                _update(h, f"{regime}/{week}/state/{name}", value)
            for name, value in sorted(model.metric_values.items()):
                if name in NOT_YET_HASHED:
                    continue
                _update(h, f"{regime}/{week}/metric/{name}", value)
    return h.hexdigest()


def load() -> dict[str, Any]:
    """The stored ``{"model_version": ..., "digests": {structure: digest}}`` (empty if none)."""
    if not GOLDEN.exists():
        return {"model_version": None, "digests": {}}
    data: dict[str, Any] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return data


def update(force: bool = False) -> list[str]:
    """Recompute every registered structure's digest and write the file; return messages."""
    from orgsim import MODEL_VERSION
    from orgsim.structures import STRUCTURES

    stored = load()
    same_version = stored.get("model_version") == MODEL_VERSION
    new = {name: digest(name) for name in sorted(STRUCTURES)}
    old = stored.get("digests", {}) if same_version else {}
    changed = sorted(name for name in new if name in old and old[name] != new[name])
    if changed and not force:
        raise SystemExit(
            f"results changed for {', '.join(changed)} but MODEL_VERSION is still "
            f"{MODEL_VERSION}: bump it in orgsim/__init__.py, then run {UPDATE} again "
            "(or --force if the change is not a change of results, e.g. a new platform)"
        )
    added = sorted(set(new) - set(old))
    GOLDEN.write_text(
        json.dumps({"model_version": MODEL_VERSION, "digests": new}, indent=2) + "\n",
        encoding="utf-8",
    )
    return [
        f"{GOLDEN}: MODEL_VERSION {MODEL_VERSION}, {len(new)} structures"
        + (f" ({len(added)} new: {', '.join(added)})" if added and same_version else "")
        + (f" (forced: {', '.join(changed)})" if changed else "")
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite tests/golden.json")
    parser.add_argument("--force", action="store_true", help="overwrite changed digests")
    args = parser.parse_args(argv)
    if args.update:
        for line in update(args.force):
            print(line)
        return 0
    from orgsim.structures import STRUCTURES

    for name in sorted(STRUCTURES):
        print(name, digest(name))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's orgsim
    sys.exit(main())
