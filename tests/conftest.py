"""Shared fixtures: small organisations for every registered structure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # tests never need a display
