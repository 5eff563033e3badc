"""Commands that run scenarios (filled in by the scenario/CLI work, issue 3)."""

from __future__ import annotations
