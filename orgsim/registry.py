"""What every registry of orgsim parts shares: names, duplicate checks, provenance.

Structures (:mod:`orgsim.structures`), metrics (:mod:`orgsim.metrics`) and submodels
are registered by name. A registration says where it came from: orgsim itself, or
the plugin being loaded (:mod:`orgsim.plugins` sets :func:`loading`), so that
``orgsim list`` can mark plugin parts and a plugin can be unloaded again.

Core objects
------------
check_name
    Refuse a name that is malformed or already taken (a :class:`ParameterError`).
origin
    The plugin being loaded now (``None``: orgsim itself).
loading
    Context manager: registrations inside it come from ``plugin``.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from orgsim.errors import ParameterError

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_ORIGIN: ContextVar[str | None] = ContextVar("orgsim_registry_origin", default=None)


def check_name(kind: str, name: object, taken: Container[str]) -> str:
    """``name`` if it is a new snake_case name for a ``kind`` (it becomes a column,
    a folder or a scenario value), else :class:`ParameterError`.

    >>> check_name("metric", "reach_share", {"reach"})
    'reach_share'
    >>> check_name("metric", "reach", {"reach"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    orgsim.errors.ParameterError: parameter 'metric name': expected a name not ... got 'reach'
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise ParameterError(f"{kind} name", "snake_case letters, digits and '_'", name)
    if name in taken:
        raise ParameterError(f"{kind} name", f"a name not registered yet ({name} is)", name)
    return name


def origin() -> str | None:
    """The plugin whose registrations are being made (``None``: orgsim itself)."""
    return _ORIGIN.get()


@contextmanager
def loading(plugin: str) -> Iterator[None]:
    """Registrations made inside the block come from ``plugin``."""
    token = _ORIGIN.set(plugin)
    try:
        yield
    finally:
        _ORIGIN.reset(token)
