"""``OrgModel`` for tests of one part of Model 2 on its own: every other part starts
off (``orgsim.MODEL2_OFF``) and the test switches its own part on. The parts together
are tested in test_variation.py and by the golden digests."""

from __future__ import annotations

from typing import Any

from orgsim.model import OrgModel as _OrgModel
from orgsim.submodels import MODEL2_OFF


def OrgModel(*args: Any, **params: Any) -> _OrgModel:  # noqa: N802 (stands in for the class)
    """``orgsim.model.OrgModel`` with ``MODEL2_OFF`` under the given parameters."""
    return _OrgModel(*args, **{**MODEL2_OFF, **params})
