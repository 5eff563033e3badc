"""Commands: placeholder until its issue lands (see COMMAND_MODULES)."""

from __future__ import annotations
