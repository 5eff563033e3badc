"""Plugins: a researcher's own structures, metrics and submodels, from files or packages.

A plugin is Python code that registers parts with the public decorators
``orgsim.register_structure``, ``orgsim.register_metric`` and
``orgsim.register_submodel``. It comes from

* a scenario's ``plugins = ["my_rules.py", "mypackage.module"]``: a file (path
  relative to the scenario file) or a module imported by name; or
* an installed package's ``orgsim.plugins`` entry point (``importlib.metadata``),
  loaded wherever orgsim loads plugins.

Plugins are loaded before a scenario is validated (so their names validate), and
in every worker that computes a run: a file plugin's text travels with the run
(:class:`PluginRef`), so a process-pool or Dask worker executes exactly the code the
run was planned with and never imports from its own working folder; a module or
entry-point plugin is imported by name there and must have the same content hash.
Each plugin's SHA-256 is in the manifest and in every run key.

A plugin that cannot be read, fails to import, raises, registers a name twice or
registers a bad spec raises :class:`~orgsim.errors.PluginError` (an input error,
one line naming the plugin); its partial registrations are undone.

Core objects
------------
PluginRef
    One plugin: kind, name, path, content hash (and a file's text).
load_plugins
    Load a scenario's plugins and the installed entry points; returns their refs.
ensure
    In a worker: load the refs a run carries (once per process).
unload
    Remove a plugin's registrations (tests, reloading an edited file).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import stat
import sys
import threading
import traceback
import types
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Literal

from orgsim.errors import PluginError

# orgsim's own parts register on import: before any plugin runs, so that none of them
# is taken for a plugin's (and unloaded with it)
from orgsim.metrics import METRICS
from orgsim.registry import loading
from orgsim.structures import STRUCTURES
from orgsim.submodels.base import unregister_submodels

GROUP = "orgsim.plugins"  # the entry-point group packages register under
MAX_BYTES = 1 << 20  # a plugin file larger than this is refused (1 MiB of Python)

Kind = Literal["file", "module", "entry-point"]


@dataclass(frozen=True)
class PluginRef:
    """One plugin, as a run carries it to its worker.

    Attributes
    ----------
    kind : {"file", "module", "entry-point"}
    name : str
        As given: the file name in the scenario, the module name, the entry point.
    origin : str
        Where it comes from, as listings show it: the file's absolute path, the
        module, or ``entry point NAME (VALUE)``.
    sha256 : str
        Hash of the file's bytes (for modules: of the module's source file).
    source : str or None
        A file plugin's text (executed as it is in the worker).
    value : str or None
        An entry point's ``module[:attr]``.
    """

    kind: Kind
    name: str
    origin: str
    sha256: str
    source: str | None = field(default=None, repr=False, compare=False)
    value: str | None = None

    def record(self) -> dict[str, str]:
        """What the manifest says about this plugin."""
        return {"kind": self.kind, "name": self.name, "origin": self.origin, "sha256": self.sha256}


_LOADED: dict[str, PluginRef] = {}  # origin -> the ref loaded from there
_LOCK = threading.RLock()


def loaded() -> list[PluginRef]:
    """The plugins loaded in this process, in loading order."""
    return list(_LOADED.values())


def unload(origin: str) -> None:
    """Remove everything the plugin loaded from ``origin`` registered."""
    with _LOCK:
        for registry in (STRUCTURES, METRICS):
            mine = [n for n, spec in registry.items() if spec.origin == origin]
            for name in mine:
                del registry[name]
        unregister_submodels(origin)
        ref = _LOADED.pop(origin, None)
        if ref is not None and ref.kind == "file":
            sys.modules.pop(_module_name(ref), None)


def unload_all() -> None:
    """Unload every plugin (a fresh registry, as after ``import orgsim``)."""
    for origin in list(_LOADED):
        unload(origin)


def _module_name(ref: PluginRef) -> str:
    return f"orgsim_plugin_{ref.sha256[:16]}"


def _where(exc: BaseException, filename: str) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
    if isinstance(exc, SyntaxError) and exc.lineno:
        return f" (line {exc.lineno})"
    return f" (line {frames[-1].lineno})" if frames else ""


def _problem(exc: BaseException, filename: str) -> str:
    text = exc.msg if isinstance(exc, SyntaxError) else str(exc)
    return f"{type(exc).__name__}: {text}{_where(exc, filename)}"


def _read(path: Path, shown: str) -> bytes:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise PluginError(shown, "no such file") from None
    except OSError as exc:
        raise PluginError(shown, f"cannot read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise PluginError(shown, "not a regular file (expected a .py file)")
    if info.st_size > MAX_BYTES:
        raise PluginError(shown, f"larger than {MAX_BYTES // 1024} KiB: not a plugin")
    try:
        with open(path, "rb") as fh:
            return fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise PluginError(shown, f"cannot read: {exc.strerror or exc}") from None


def file_ref(name: str, base: Path | None = None) -> PluginRef:
    """The ref of plugin file ``name`` (relative to ``base``), with its text and hash."""
    path = Path(name).expanduser()
    if not path.is_absolute():
        path = (base or Path.cwd()) / path
    path = path.resolve()
    data = _read(path, name)
    if len(data) > MAX_BYTES:
        raise PluginError(name, f"larger than {MAX_BYTES // 1024} KiB: not a plugin")
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError:
        raise PluginError(name, "not UTF-8 text (expected a .py file)") from None
    return PluginRef("file", name, str(path), hashlib.sha256(data).hexdigest(), source)


def _module_hash(module: str, shown: str) -> str:
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError) as exc:
        raise PluginError(shown, f"cannot import {module}: {exc}") from None
    if spec is None:
        raise PluginError(shown, f"no module named {module!r}")
    if spec.origin and os.path.isfile(spec.origin):
        return hashlib.sha256(_read(Path(spec.origin), shown)).hexdigest()
    return hashlib.sha256(module.encode()).hexdigest()  # a built-in or namespace module


def module_ref(name: str) -> PluginRef:
    """The ref of a plugin module imported by name (hash of its source file)."""
    return PluginRef("module", name, name, _module_hash(name, name))


def is_file(name: str) -> bool:
    """Whether a scenario's plugin entry names a file (else a module)."""
    return name.endswith(".py") or "/" in name or os.sep in name


def _check(ref: PluginRef) -> None:
    # a module's content must match what the run was planned with
    if ref.kind != "file":
        module = ref.value.split(":")[0] if ref.value else ref.name
        now = _module_hash(module, ref.name)
        if now != ref.sha256:
            raise PluginError(
                ref.name, f"this process has another version of it (sha256 {now[:12]})"
            )


def load(ref: PluginRef) -> PluginRef:
    """Load one plugin (once: again only if its content changed). Raises PluginError."""
    with _LOCK:
        before = _LOADED.get(ref.origin)
        if before is not None and before.sha256 == ref.sha256:
            return before
        if before is not None:  # an edited file: forget the old version first
            unload(ref.origin)
        shown = ref.origin if ref.kind == "file" else ref.name
        try:
            with loading(ref.origin):
                _run(ref)
        except PluginError:
            unload(ref.origin)
            raise
        except (Exception, SystemExit) as exc:  # whatever a plugin raises is an input error
            unload(ref.origin)
            sys.modules.pop(_module_name(ref), None)
            raise PluginError(shown, _problem(exc, ref.origin)) from None
        _LOADED[ref.origin] = ref
        return ref


def _run(ref: PluginRef) -> None:
    if ref.kind == "file":
        assert ref.source is not None
        code = compile(ref.source, ref.origin, "exec", dont_inherit=True)
        module = types.ModuleType(_module_name(ref), f"orgsim plugin {ref.origin}")
        module.__file__ = ref.origin
        sys.modules[module.__name__] = module  # dataclasses and pickling look it up
        exec(code, module.__dict__)
        return
    _check(ref)
    if ref.kind == "module":
        importlib.import_module(ref.name)
        return
    assert ref.value is not None
    target = metadata.EntryPoint(ref.name, ref.value, GROUP).load()
    if callable(target) and not isinstance(target, types.ModuleType):
        target()  # ``pkg.mod:register``: a function that registers


def entry_point_refs() -> list[PluginRef]:
    """The installed ``orgsim.plugins`` entry points, in name order."""
    refs = []
    for ep in sorted(metadata.entry_points(group=GROUP), key=lambda e: e.name):
        shown = f"entry point {ep.name} ({ep.value})"
        refs.append(
            PluginRef("entry-point", ep.name, shown, _module_hash(ep.module, shown), value=ep.value)
        )
    return refs


def load_plugins(names: Sequence[str] = (), base: Path | None = None) -> tuple[PluginRef, ...]:
    """Load the installed entry points, then ``names`` (files relative to ``base``, or
    modules), in order; returns every ref, to ship with runs and record.

    Raises
    ------
    PluginError
        For the first plugin that cannot be loaded (one line naming it).
    """
    refs = [*entry_point_refs()]
    refs += [file_ref(n, base) if is_file(n) else module_ref(n) for n in names]
    for ref in refs:
        load(ref)
    return tuple(refs)


def ensure(refs: Iterable[PluginRef]) -> None:
    """Load the plugins a run carries, in a worker (a no-op where they are loaded)."""
    for ref in refs:
        load(ref)
