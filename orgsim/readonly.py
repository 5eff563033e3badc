"""Read-only views of a run's objects, for code that must look but not touch (metrics).

:func:`frozen` wraps a value so that reading it costs almost nothing and writing it
fails: arrays become views with ``writeable=False``, lists tuples, dicts mapping
proxies, graphs frozen graph views, and any other object a :class:`ReadOnly` proxy
whose attributes are frozen in turn (its properties and methods run against the
proxy, so they cannot write either).

Core objects
------------
frozen, frozen_each
    A read-only view of a value; of each of several.
ReadOnly
    Attribute proxy: reads go through :func:`frozen`, writes raise ``AttributeError``.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from types import FunctionType, MappingProxyType, MethodType
from typing import Any

import numpy as np

_SCALARS = frozenset({int, float, bool, str, type(None), np.int64, np.float64, np.bool_})
_IMMUTABLE = (int, float, complex, str, bytes, bool, type(None), np.generic, frozenset, range)


def frozen(value: Any) -> Any:
    """A read-only view of ``value`` (immutable values are returned as they are).

    >>> a = np.zeros(3); v = frozen(a)
    >>> v.flags.writeable, np.shares_memory(a, v)
    (False, True)
    """
    kind = type(value)
    if kind is np.ndarray:  # the common case first: metrics read arrays
        view = value.view()
        view.flags.writeable = False
        return view
    if kind in _SCALARS or isinstance(value, _IMMUTABLE):
        return value
    if callable(value) and not hasattr(value, "__dict__"):
        return value
    if isinstance(value, np.ndarray):
        view = value.view()
        view.flags.writeable = False
        return view
    if isinstance(value, tuple | list):
        return tuple(frozen(v) for v in value)
    if isinstance(value, dict | MappingProxyType):
        return MappingProxyType({k: frozen(v) for k, v in value.items()})
    if isinstance(value, set):
        return frozenset(value)
    if isinstance(value, ReadOnly | MethodType | FunctionType | type):
        return value
    config = getattr(value, "model_config", None)  # a frozen pydantic model
    if isinstance(config, dict) and config.get("frozen"):
        return value
    if hasattr(value, "adj") and hasattr(value, "copy"):  # a networkx graph
        import networkx as nx

        return nx.freeze(value.copy(as_view=True))
    return ReadOnly(value)


def frozen_each(values: Iterable[Any]) -> list[Any]:
    """``[frozen(v) for v in values]``, without a call for each plain number (a week's
    record holds dozens of them).

    >>> frozen_each([1, 2.5, np.zeros(1)])[2].flags.writeable
    False
    """
    return [v if type(v) in _SCALARS else frozen(v) for v in values]


_STATIC: dict[tuple[type, str], object] = {}


def _static(cls: type, name: str) -> object:
    """The class attribute ``name`` of ``cls`` (a property, a method, or None), cached:
    metrics read the same few attributes every week."""
    key = (cls, name)
    if key not in _STATIC:
        _STATIC[key] = inspect.getattr_static(cls, name, None)
    return _STATIC[key]


class ReadOnly:
    """``ReadOnly(obj)``: reads ``obj``'s attributes as :func:`frozen` views.

    >>> from dataclasses import dataclass
    >>> @dataclass
    ... class S:
    ...     x: np.ndarray
    >>> r = ReadOnly(S(np.zeros(2)))
    >>> r.x[0] = 1
    Traceback (most recent call last):
    ...
    ValueError: assignment destination is read-only
    >>> r.x = None
    Traceback (most recent call last):
    ...
    AttributeError: S is read-only here
    """

    __slots__ = ("_cache", "_target")

    def __init__(self, target: Any) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_cache", {})

    def __getattr__(self, name: str) -> Any:
        cache = self._cache  # a slot: found without coming back here
        if name in cache:
            return cache[name]
        target = self._target
        static = _static(type(target), name)
        if isinstance(static, property) and static.fget is not None:
            value = frozen(static.fget(self))
        elif isinstance(static, FunctionType):
            value = MethodType(static, self)  # a method sees the read-only proxy as self
        else:
            value = frozen(getattr(target, name))
        cache[name] = value
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(
            f"{type(object.__getattribute__(self, '_target')).__name__} is read-only here"
        )

    def __delattr__(self, name: str) -> None:
        self.__setattr__(name, None)

    def __dir__(self) -> list[str]:
        return dir(object.__getattribute__(self, "_target"))

    def __repr__(self) -> str:
        return f"ReadOnly({object.__getattribute__(self, '_target')!r})"
