"""The organisation as data: who reports to whom, who holds a code, who may post.

A structure builder (:mod:`orgsim.structures`) returns an :class:`Organisation`. The
dynamics read only these arrays: roles are data, and no rule ever asks which
structure built them.

Core objects
------------
Organisation
    Per-employee arrays (``unit``, ``level``, ``role``, ``may_post``, ``frontline``,
    ``manager``, ``code``, ``budget_owner``) and tie lists per layer (``formal`` is
    implied by ``manager``; ``informal``, ``coordination``). ``graph`` gives the same
    as a networkx graph, built on first use because networkx is slow at 10^6 nodes.
ROLES, LAYERS
    The role and tie-layer vocabularies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

if TYPE_CHECKING:
    import networkx as nx

ROLES: tuple[str, ...] = ("executive", "manager", "staff", "central_team", "hub", "liaison")
EXECUTIVE, MANAGER, STAFF, CENTRAL_TEAM, HUB, LIAISON = range(len(ROLES))
LAYERS: tuple[str, ...] = ("formal", "informal", "coordination")
HEADQUARTERS = -1  # unit of the executive and of central teams


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` for 1-d integer arrays, by sorting.

    numpy 2.5's hash-based ``np.unique`` takes seconds on the ~10^7 tie keys of a
    10^6-employee organisation, about 50x a sort.

    >>> sorted_unique(np.array([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    """
    out = np.sort(np.asarray(values).ravel())
    if out.size:
        out = out[np.concatenate([[True], out[1:] != out[:-1]])]
    return out


@dataclass(eq=False)
class Organisation:
    """An organisation: employees ``0..n-1`` and their ties, as arrays.

    Attributes
    ----------
    structure : str
        Name of the builder that made it (for labels only).
    units : int
        Number of business units; ``unit`` values are ``0..units-1`` or
        ``HEADQUARTERS`` (-1).
    unit, level, role : numpy.ndarray of int
        Business unit, depth in the reporting tree (executive = 0), role index into
        :data:`ROLES`.
    manager : numpy.ndarray of int
        Formal layer: the employee each one reports to, -1 for the executive.
    may_post, frontline, budget_owner : numpy.ndarray of bool
        Speaks on the organisation's channels; faces customers; budget enters here.
    code : numpy.ndarray of int
        Index of the organisational code the employee holds, -1 for none.
    informal, coordination : numpy.ndarray of int, shape (E, 2)
        Undirected ties of these layers.
    code_parent : numpy.ndarray of int, shape (n_codes,), optional
        Per code, the code it is nested in (-1 or ``None``: none): a nested code
        reports to its parent like one more report and is socialised toward it.
    notes : tuple of str
        What the builder chose for the user, one sentence each (e.g. who is the
        central team of an imported chart that marks none); shown in the output.
    """

    structure: str
    units: int
    unit: np.ndarray
    level: np.ndarray
    role: np.ndarray
    manager: np.ndarray
    may_post: np.ndarray
    frontline: np.ndarray
    code: np.ndarray
    budget_owner: np.ndarray
    informal: np.ndarray
    coordination: np.ndarray = field(default_factory=lambda: np.empty((0, 2), dtype=np.int64))
    code_parent: np.ndarray | None = None

    # What a builder chose for the user: a label, not state, so not a dataclass field
    # (digests of results hash the fields).
    @property
    def notes(self) -> tuple[str, ...]:
        """What the builder chose for the user, one sentence each (see ``note``)."""
        return tuple(getattr(self, "_notes", ()))

    def note(self, text: str) -> None:
        """Record a choice made for the user (shown by ``orgsim validate`` and ``run``)."""
        self._notes = (*self.notes, text)

    @property
    def parent_codes(self) -> np.ndarray:
        """Per code, the code it reports to and is socialised by (-1: none).

        Set ``code_parent`` for codes nested in another (dandelion: unit codes under
        the central code); by default no code has a parent.
        """
        if self.code_parent is None:
            return np.full(self.n_codes, -1, dtype=np.int64)
        return np.asarray(self.code_parent, dtype=np.int64)

    @property
    def n(self) -> int:
        """Head count."""
        return int(self.unit.shape[0])

    @property
    def n_codes(self) -> int:
        """Number of distinct organisational codes."""
        return int(self.code.max()) + 1 if self.n and self.code.max() >= 0 else 0

    @property
    def code_holders(self) -> np.ndarray:
        """Indices of the employees holding a code."""
        return np.flatnonzero(self.code >= 0)

    @property
    def budget_owners(self) -> np.ndarray:
        """Indices of the employees at which the budget enters."""
        return np.flatnonzero(self.budget_owner)

    @property
    def formal(self) -> np.ndarray:
        """Formal (reports-to) ties as an (n-1, 2) array ``(employee, manager)``."""
        who = np.flatnonzero(self.manager >= 0)
        return np.column_stack([who, self.manager[who]])

    def edges(self, layer: str) -> np.ndarray:
        """Ties of one layer as an (E, 2) array."""
        if layer not in LAYERS:
            raise ValueError(f"layer: expected one of {LAYERS}, got {layer!r}")
        return {
            "formal": self.formal,
            "informal": self.informal,
            "coordination": self.coordination,
        }[layer]

    def adjacency(self, *layers: str) -> sp.csr_array:
        """Symmetric 0/1 adjacency (CSR) of the union of ``layers``."""
        pairs = (
            np.concatenate([self.edges(layer) for layer in layers]) if layers else np.empty((0, 2))
        )
        pairs = pairs.astype(np.int64, copy=False)
        rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
        cols = np.concatenate([pairs[:, 1], pairs[:, 0]])
        data = np.ones(rows.shape[0], dtype=np.float32)
        adj = sp.csr_array((data, (rows, cols)), shape=(self.n, self.n))
        adj.sum_duplicates()
        adj.data[:] = 1.0
        if adj.nnz < 2**31 - 1 and self.n < 2**31 - 1:
            # int32 indices: half the memory traffic of every product and gather
            adj.indices = adj.indices.astype(np.int32)
            adj.indptr = adj.indptr.astype(np.int32)
        return adj

    def validate(self) -> None:
        """Check the invariants every builder must keep; raise ``ValueError`` if broken."""
        n = self.n
        for name in ("level", "role", "manager", "may_post", "frontline", "code", "budget_owner"):
            if getattr(self, name).shape != (n,):
                raise ValueError(f"{name}: expected shape ({n},)")
        roots = np.flatnonzero(self.manager < 0)
        if roots.tolist() != [0] or self.role[0] != EXECUTIVE:
            raise ValueError("formal layer: expected one root, the executive, at index 0")
        if np.any(self.level[1:] != self.level[self.manager[1:]] + 1):
            raise ValueError("level: expected each employee one level below their manager")
        for layer in ("informal", "coordination"):
            e = self.edges(layer)
            if e.size and (e.min() < 0 or e.max() >= n or np.any(e[:, 0] == e[:, 1])):
                raise ValueError(f"{layer}: ties must join two different existing employees")
        held = np.unique(self.code[self.code >= 0])
        if np.any(self.code < -1) or held.tolist() != list(range(held.size)):
            raise ValueError(
                "code: expected codes numbered 0..k-1, each with at least one holder "
                f"(-1: holds none), got codes {held.tolist()}"
            )
        if np.any((self.unit < -1) | (self.unit >= self.units)):
            raise ValueError(f"unit: expected -1 (headquarters) or 0..{self.units - 1}")
        parent = self.parent_codes
        if parent.shape != (self.n_codes,) or np.any(
            (parent < -1) | (parent >= self.n_codes) | (parent == np.arange(self.n_codes))
        ):
            raise ValueError(
                f"code_parent: expected one other code or -1 per code ({self.n_codes})"
            )

    @cached_property
    def graph(self) -> nx.Graph:
        """The organisation as a networkx graph (built on first use).

        Nodes carry ``unit``, ``level``, ``role`` (name), ``may_post``, ``frontline``,
        ``code`` and ``budget_owner``; edges carry ``layer``. A pair tied in more than
        one layer keeps the first of formal, coordination, informal.
        """
        import networkx as nx

        g = nx.Graph(structure=self.structure, units=self.units)
        g.add_nodes_from(
            (
                i,
                {
                    "unit": int(self.unit[i]),
                    "level": int(self.level[i]),
                    "role": ROLES[self.role[i]],
                    "may_post": bool(self.may_post[i]),
                    "frontline": bool(self.frontline[i]),
                    "code": int(self.code[i]),
                    "budget_owner": bool(self.budget_owner[i]),
                },
            )
            for i in range(self.n)
        )
        for layer in ("informal", "coordination", "formal"):  # later layers win
            g.add_edges_from(((int(a), int(b)) for a, b in self.edges(layer)), layer=layer)
        return g
