"""Frontline learning with imperfect observation: the chances the ODD states (§7.3)."""

import numpy as np
import pytest

from orgsim.dynamics import draw
from orgsim.model import OrgModel
from orgsim.submodels import SUBMODELS
from orgsim.submodels.base import Week


@pytest.mark.parametrize(("e", "err"), [(0.2, 0.05), (0.5, 0.3), (0.2, 0.0)])
def test_a_dimension_is_learned_rightly_and_wrongly_with_the_stated_chances(e, err):
    """Rightly e (1 - err), wrongly e x err, untouched 1 - e (binomial 5-sigma bands)."""
    model = OrgModel(
        "band", rng=3, agents=False, employees=4000, frontline_learning=e, observation_error=err
    )
    top, st = model.topology, model.state
    real = st.realities[top.unit_idx[top.frontline]]
    right = wrong = kept = trials = 0
    for _ in range(5):
        st.beliefs[top.frontline] = 0  # neither right nor wrong before the week
        w = Week(top, st, model.dynamics, draw(top, model.dynamics, model.rng))
        SUBMODELS["frontline"].step(w)
        b = st.beliefs[top.frontline]
        right += int((b == real).sum())
        wrong += int((b == -real).sum())
        kept += int((b == 0).sum())
        trials += b.size
    for seen, p in ((right, e * (1 - err)), (wrong, e * err), (kept, 1 - e)):
        assert abs(seen - trials * p) <= 5 * np.sqrt(trials * p * (1 - p)) + 1e-9, (seen, p)
