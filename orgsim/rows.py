"""Row blocks: how a kernel visits the rows of a group of employees.

A rule of the week updates a *group* of rows of the state arrays (the frontline, the
members of each code's domain, everyone), each row with a *key* (the reality row it
faces, the code it reports to). A kernel says "for each block of rows of this group,
do X" and never sees the layout:

>>> import numpy as np
>>> group = RowGroup.of(np.array([1, 2, 4]), np.array([0, 0, 1]))
>>> beliefs, table = np.zeros((5, 2), dtype=np.int8), np.array([[1, 1], [-1, -1]], np.int8)
>>> for blk in group.blocks():
...     b = blk.rows(beliefs)
...     b += blk.keyed(table)
...     blk.put(beliefs, b)
>>> beliefs[:, 0].tolist()
[0, 1, 1, 0, -1]

Two layouts give the same result. When the group's rows come in long runs of
consecutive employees sharing a key (:class:`Runs`; the usual case in large
organisations, whose builders number employees unit by unit), blocks are *slices*:
views of the state arrays, updated in place, in SIMD-friendly tiles where one key row
is repeated down the block (:func:`tiles`). Otherwise one block *gathers* the rows
(a copy) and :meth:`Block.put` scatters them back.

Core objects
------------
RowGroup
    Employee indices with a key each, and how to visit them (:meth:`RowGroup.blocks`).
Block
    One block: ``rows(a)`` (state rows), ``draws(x)`` (the matching rows of a draw
    indexed by position in the group), ``keyed(table)`` (each row's key row of a
    table), ``put(a, value)`` (write back; nothing to do for in-place slices).
Runs, tiles
    Runs of consecutive rows with one key; tile blocks of whole tiles, then the rest.
row_words
    Each row of a small bool table as one machine word (OR whole rows at once).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

RUN_MIN_ROWS = 64  # kernels slice runs of rows when runs are this long on average
RUN_MIN_TOTAL = 1024  # ... and cover this many rows (small arrays: gathering is cheaper)
TILE_ROWS = 64  # rows per SIMD-friendly block when a row is broadcast down a slice


_WORDS = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}


def row_words(a: np.ndarray) -> np.ndarray | None:
    """Each row of the C-contiguous bool array ``a`` (n, k) as one unsigned word, a view
    (OR of words = OR of rows, element by element), when a row is 1, 2, 4 or 8 bytes;
    else ``None``.

    >>> know = np.array([[True, False, False, False], [False, False, True, False]])
    >>> words = row_words(know)
    >>> words[0] |= words[1]
    >>> know[0].tolist(), row_words(np.zeros((2, 3), bool)) is None
    ([True, False, True, False], True)
    """
    word = _WORDS.get(a.shape[1] * a.itemsize) if a.ndim == 2 else None
    if word is None or not a.flags.c_contiguous:
        return None
    return a.view(word).reshape(-1)


def tile(row: np.ndarray, reps: int) -> np.ndarray:
    """``row`` repeated ``reps`` times, flat (``np.tile`` costs microseconds of Python)."""
    return row if reps == 1 else np.repeat(row[None, :], reps, axis=0).reshape(-1)


def tiles(length: int) -> list[tuple[int, int, int]]:
    """Split ``length`` rows into blocks ``(first, stop, reps)`` of whole tiles, then the rest.

    A slice of rows ``(L, m)`` viewed as ``(L / reps, reps * m)`` against a row tiled
    ``reps`` times gives numpy long inner loops; broadcasting one short row down ``L``
    rows runs an inner loop of m elements per row, several times slower.

    >>> tiles(130), tiles(10)
    ([(0, 128, 64), (128, 130, 1)], [(0, 10, 1)])
    """
    full = length - length % TILE_ROWS
    out = [(0, full, TILE_ROWS)] if full else []
    if full < length:
        out.append((full, length, 1))
    return out


@dataclass
class Runs:
    """Maximal runs of consecutive employee indices that share a key (unit, code).

    For each run ``(offset, start, stop, key)``, positions ``offset .. offset + stop -
    start`` of the index array hold employees ``start .. stop``, all with ``key``;
    ``usable`` says whether runs are long enough for slicing to beat gathering rows.

    >>> r = Runs.of(np.array([2, 3, 4, 7, 8]), np.array([0, 0, 1, 1, 1]))
    >>> r.items
    [(0, 2, 4, 0), (2, 4, 5, 1), (3, 7, 9, 1)]
    """

    items: list[tuple[int, int, int, int]]
    usable: bool

    @classmethod
    def of(cls, idx: np.ndarray, key: np.ndarray) -> Runs:
        """Runs of sorted employee indices ``idx`` with keys ``key`` (same length)."""
        idx = np.asarray(idx, dtype=np.int64)
        key = np.asarray(key, dtype=np.int64)
        if idx.size == 0:
            return cls([], True)
        cut = np.flatnonzero((np.diff(idx) != 1) | (np.diff(key) != 0)) + 1
        offset = np.concatenate([[0], cut])
        stop_at = np.concatenate([cut, [idx.size]])
        start = idx[offset]
        stop = start + (stop_at - offset)
        items = list(
            zip(offset.tolist(), start.tolist(), stop.tolist(), key[offset].tolist(), strict=True)
        )
        usable = idx.size >= RUN_MIN_TOTAL and len(items) * RUN_MIN_ROWS <= idx.size
        return cls(items, usable)


class Block:
    """One block of a group's rows (see the module docstring)."""

    def rows(self, a: np.ndarray) -> np.ndarray:
        """This block's rows of the state array ``a`` (a view when sliced)."""
        raise NotImplementedError

    def draws(self, x: np.ndarray) -> np.ndarray:
        """This block's rows of ``x``, an array with one row per member of the group."""
        raise NotImplementedError

    def keyed(self, table: np.ndarray) -> np.ndarray:
        """Each row's key row of ``table`` (shaped like :meth:`rows`)."""
        raise NotImplementedError

    def put(self, a: np.ndarray, value: np.ndarray) -> None:
        """Write ``value`` (shaped like :meth:`rows`) into this block's rows of ``a``."""
        raise NotImplementedError


class SliceBlock(Block):
    """Rows ``first:stop`` of the state (positions ``off:off + stop - first`` of the
    group), all with one key, as views of shape (-1, reps * columns)."""

    __slots__ = ("first", "key", "off", "reps", "stop")

    def __init__(self, first: int, stop: int, off: int, reps: int, key: int) -> None:
        self.first, self.stop, self.off, self.reps, self.key = first, stop, off, reps, key

    def rows(self, a: np.ndarray) -> np.ndarray:
        return a[self.first : self.stop].reshape(-1, self.reps * a.shape[1])

    def draws(self, x: np.ndarray) -> np.ndarray:
        stop = self.off + self.stop - self.first
        return x[self.off : stop].reshape(-1, self.reps * x.shape[1])

    def keyed(self, table: np.ndarray) -> np.ndarray:
        return tile(table[self.key], self.reps)

    def put(self, a: np.ndarray, value: np.ndarray) -> None:
        if value.base is not (a if a.base is None else a.base):  # else updated in place
            self.rows(a)[...] = value


class GatherBlock(Block):
    """Rows gathered (a copy) and scattered back: all of the group's (``pos`` None), or
    those at positions ``pos`` of the group (the short ends of its runs)."""

    __slots__ = ("idx", "key", "pos")

    def __init__(self, idx: np.ndarray, key: np.ndarray, pos: np.ndarray | None = None) -> None:
        self.idx, self.key, self.pos = idx, key, pos

    def rows(self, a: np.ndarray) -> np.ndarray:
        return a[self.idx]

    def draws(self, x: np.ndarray) -> np.ndarray:
        return x if self.pos is None else x[self.pos]

    def keyed(self, table: np.ndarray) -> np.ndarray:
        return table[self.key]

    def put(self, a: np.ndarray, value: np.ndarray) -> None:
        a[self.idx] = value


@dataclass
class RowGroup:
    """Employees ``idx`` (sorted), each with a ``key``, and how to visit them.

    Attributes
    ----------
    idx, key : ndarray
        The group's employees and their keys.
    runs : Runs
        Its runs of consecutive employees sharing a key.
    """

    idx: np.ndarray
    key: np.ndarray
    runs: Runs
    _blocks: list[Block] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._blocks = self._make_blocks()

    @classmethod
    def of(cls, idx: np.ndarray, key: np.ndarray) -> RowGroup:
        """The group of employees ``idx`` (sorted) with keys ``key``."""
        idx = np.asarray(idx, dtype=np.int64)
        return cls(idx, np.asarray(key, dtype=np.int64), Runs.of(idx, key))

    @property
    def usable(self) -> bool:
        """Whether blocks are slices (long runs) rather than one gathered block."""
        return self.runs.usable

    @property
    def size(self) -> int:
        """Members of the group."""
        return int(self.idx.size)

    def blocks(self) -> list[Block]:
        """The blocks to visit; together they cover every member once.

        Long runs are sliced in whole tiles; the rows left over at the ends of runs
        (fewer than a tile each) are gathered into one block, as a few numpy calls on
        a few rows cost more than their work. Made once: a group never changes."""
        return self._blocks

    def _make_blocks(self) -> list[Block]:
        if not self.runs.usable:
            return [GatherBlock(self.idx, self.key)] if self.idx.size else []
        out: list[Block] = []
        ends: list[tuple[int, int]] = []  # (position in the group, rows) left over
        for off, start, stop, key in self.runs.items:
            for first, last, reps in tiles(stop - start):
                if reps > 1:
                    out.append(SliceBlock(start + first, start + last, off + first, reps, key))
                else:
                    ends.append((off + first, last - first))
        if len(ends) == 1:  # one short end: a slice is cheapest
            at, length = ends[0]
            first = int(self.idx[at])
            out.append(SliceBlock(first, first + length, at, 1, int(self.key[at])))
        elif ends:
            pos = np.concatenate([np.arange(p, p + r) for p, r in ends])
            out.append(GatherBlock(self.idx[pos], self.key[pos], pos))
        return out
