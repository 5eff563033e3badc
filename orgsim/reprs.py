"""Rich HTML for notebooks: what a model or an output folder is, at a glance.

Jupyter shows an object's ``_repr_html_``; :class:`~orgsim.model.OrgModel` and
:class:`~orgsim.results.Results` delegate here. Only registries are read (metrics
from :data:`~orgsim.metrics.METRICS`), never a structure's name. Every value is
escaped.

Core objects
------------
model_html
    Structure, size, week and the latest value of every registered metric.
table_html
    A small HTML table (header row, then rows), used by both.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

from orgsim.metrics import METRICS

STYLE = "font-family:sans-serif;font-size:13px"
CELL = "padding:2px 8px;text-align:{align};border-bottom:1px solid #ddd"


def number(value: Any) -> str:
    """A value as shown in a table: numbers to 3 significant digits, NaN as a dash."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return html.escape(str(value))
    if isinstance(value, float) and not math.isfinite(value):
        return "–"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.3g}"


def table_html(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """``header`` and ``rows`` as an HTML table (first column left-aligned).

    >>> "<td" in table_html(["metric", "value"], [["awareness", 0.5]])
    True
    """

    def cells(values: Sequence[Any], tag: str) -> str:
        return "".join(
            f"<{tag} style='{CELL.format(align='left' if i == 0 else 'right')}'>"
            f"{number(v) if tag == 'td' else html.escape(str(v))}</{tag}>"
            for i, v in enumerate(values)
        )

    body = "".join(f"<tr>{cells(r, 'td')}</tr>" for r in rows)
    return (
        f"<table style='border-collapse:collapse;{STYLE}'>"
        f"<thead><tr>{cells(header, 'th')}</tr></thead><tbody>{body}</tbody></table>"
    )


def model_html(model: Any) -> str:
    """An :class:`~orgsim.model.OrgModel`: structure, size, week, latest metrics."""
    org = model.organisation
    head = (
        f"<b>OrgModel</b> · structure <b>{html.escape(str(model.structure))}</b> · "
        f"{org.n:,} employees in {org.units} units · "
        f"{int(org.may_post.sum()):,} may post · {org.n_codes} code(s) · "
        f"<b>week {model.steps}</b>" + ("" if model.running else " · stopped")
    )
    if not model.metric_values:
        return f"<div style='{STYLE}'>{head}<br><i>not stepped yet: no metrics</i></div>"
    rows = [
        [
            spec.label + (f" ({spec.unit})" if spec.unit else ""),
            model.metric_values.get(name, math.nan),
            spec.range_text(),
            spec.description,
        ]
        for name, spec in METRICS.items()
    ]
    table = table_html(["metric", f"week {model.steps}", "range", "what it measures"], rows)
    return f"<div style='{STYLE}'>{head}{table}</div>"
