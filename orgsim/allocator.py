"""Opt-in tuning of glibc's allocator for large steps; the library never applies it.

A step allocates and frees arrays of megabytes. By default glibc serves those from
fresh memory maps, or trims them off the heap when freed, so the next step faults
every page in again: about 2,900 page faults and 40% of the CPU time of a
100,000-employee step. Raising ``M_MMAP_THRESHOLD`` (to 64 MB, or glibc's 32 MB
limit) and ``M_TRIM_THRESHOLD`` (1 GB) lets freed arrays be reused instead.

The setting is process-wide (it keeps up to the peak heap mapped), so importing or
using orgsim never applies it: a notebook or another library's process keeps its
allocator. orgsim's own processes opt in at their entry points -- the ``orgsim``
command (:func:`orgsim.cli.main`), the process-pool workers and the Dask workers of a
batch (:mod:`orgsim.experiments.executors`) and the benchmarks -- unless the
environment variable ``ORGSIM_MALLOC_TUNING=0`` is set. A library user opts in by
calling :func:`tune_malloc` once.

Core objects
------------
tune_malloc
    Apply the tuning once per process (Linux glibc); True if applied.
tuning_enabled
    False if ``ORGSIM_MALLOC_TUNING=0`` forbids the tuning.
is_tuned
    Whether this process is tuned.
"""

from __future__ import annotations

import ctypes
import os
import sys

ENV_VAR = "ORGSIM_MALLOC_TUNING"

_TUNED: bool | None = None


def tuning_enabled() -> bool:
    """Whether orgsim's entry points may tune the allocator (``ORGSIM_MALLOC_TUNING`` != "0")."""
    return os.environ.get(ENV_VAR, "1") != "0"


def tune_malloc() -> bool:
    """Keep freed multi-megabyte arrays mapped for reuse (Linux glibc); True if applied.

    Applied once per process; later calls return the first answer. Does nothing
    (returns False) off Linux, without glibc, or when ``ORGSIM_MALLOC_TUNING=0``.
    """
    global _TUNED
    if _TUNED is not None:
        return _TUNED
    _TUNED = False
    if not tuning_enabled() or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)
        m_trim_threshold, m_mmap_threshold = -1, -3  # glibc's mallopt parameter numbers
        mapped = libc.mallopt(m_mmap_threshold, 64 << 20) or libc.mallopt(
            m_mmap_threshold, 32 << 20
        )
        _TUNED = bool(mapped and libc.mallopt(m_trim_threshold, 1 << 30))
    except (OSError, AttributeError):  # not glibc (musl, ...): nothing to tune
        pass
    return _TUNED


def is_tuned() -> bool:
    """True if :func:`tune_malloc` has applied the tuning in this process."""
    return bool(_TUNED)
