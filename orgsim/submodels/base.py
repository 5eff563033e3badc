"""What a rule of the week is: a :class:`Submodel`, and the ordered registry of them.

A submodel is one rule of docs/model.md §3 (ODD section 7), complete in one module:
its parameter block, the random draws it needs, a vectorised kernel, an
agent-by-agent reference kernel, the :class:`StepRecord` fields it writes and its ODD
section. The week is :data:`SUBMODELS`, in order; drawing, stepping and the reference
step are loops over it (:mod:`orgsim.dynamics`, :mod:`orgsim.reference`).

This module imports only foundations (:mod:`orgsim.rng`, :mod:`orgsim.errors`,
:mod:`orgsim.registry`, :mod:`orgsim.schema`), so the parameter schema
(:mod:`orgsim.params`) can be composed from the blocks.

Core objects
------------
ParamBlock, parameter
    Base class of a submodel's parameters; one parameter with meaning and source.
Draw
    One named random array a submodel needs: shape, distribution, stream.
Submodel
    One rule: name, meaning, parameters, draws, kernels, record fields, ODD section.
SUBMODELS, register_submodel, unregister_submodel
    The week, in order (name -> Submodel); add a rule, optionally positioned; remove one.
Week
    What a kernel sees: topology, state, parameters, draws, record, and ``carry`` for
    what one rule hands to a later one in the same week.
Draws, StepRecord
    One week's random numbers (by draw name); what happened in it (by field name).
plan
    What a kernel derives once per organisation and parameters.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, get_args, get_origin

import numpy as np
from pydantic import Field

from orgsim.errors import ParameterError
from orgsim.registry import origin
from orgsim.rng import bernoulli, bernoulli_positions, skip_positions, uniform32
from orgsim.schema import StrictSchema

RUN_HOURS = 512  # take_hours_rows slices runs of employees this long on average
SMALL_GROUP = 16  # kernels step groups this small (holders, ...) one by one in Python
MAX_MONEY = 1e12  # budgets and costs: finite, so that sums over a run cannot overflow
MAX_HOURS = 168.0  # hours in a week: the most any hour parameter can be

if TYPE_CHECKING:
    from orgsim.dynamics import State, Topology
    from orgsim.params import DynamicsParams
    from orgsim.rows import RowGroup


class ParamBlock(StrictSchema):
    """Base class of a submodel's parameter block (frozen, unknown keys refused, strict
    numbers: :class:`~orgsim.schema.StrictSchema`).

    Declare each parameter with :func:`parameter`. The blocks of all registered
    submodels are composed into the flat :class:`orgsim.params.DynamicsParams`, so a
    scenario file and ``OrgModel(**params)`` use the plain names (``p1``, ``beta``).
    Two blocks may declare the same name only with the same definition (a shared
    parameter, like K). A block may check combinations in ``model_post_init``.
    """


def parameter(
    default: Any,
    *,
    meaning: str,
    source: str,
    symbol: str | None = None,
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
) -> Any:
    """One parameter of a block: its default, range, meaning and where it comes from.

    ``meaning`` becomes the field's description (prefixed by ``symbol:``, as docs/model.md
    writes it); ``source`` says where the value and range come from (a paper, docs/model.md,
    or "orgsim" for an addition of this implementation).
    """
    text = f"{symbol}: {meaning}" if symbol else meaning
    return Field(
        default,
        ge=ge,
        gt=gt,
        le=le,
        description=text,
        json_schema_extra={"source": source, "symbol": symbol or ""},
    )


Stream = Literal["main", "bulk"]


@dataclass(frozen=True)
class Draw:
    """One named random array of a week, drawn in the submodels' fixed order.

    Attributes
    ----------
    name : str
        Attribute of :class:`Draws` the kernels read (unique over the week).
    shape : callable (Topology, DynamicsParams) -> tuple of int
        Depends only on the organisation and the parameters, never on the state.
    distribution : str
        What each element is, in words (shown by ``orgsim list submodels``).
    sample : callable (Generator, shape, Topology, DynamicsParams) -> ndarray
        Draws the array; see :func:`uniform`, :func:`chances`, :func:`integers`.
    stream : {"main", "bulk"}
        The run's generator, or the step's bulk stream (:func:`orgsim.rng.bulk_stream`)
        for the large arrays.
    bulk_bytes : float
        Random bytes per element counted towards choosing the bulk stream.
    sparse : bool
        The array holds the sorted flat positions of the successes among ``shape``'s
        trials instead of ``shape`` itself (:func:`sparse_chances`): for rare events,
        whose cost should follow the events, not the trials.
    """

    name: str
    shape: Callable[[Topology, DynamicsParams], tuple[int, ...]]
    distribution: str
    sample: Callable[[np.random.Generator, tuple[int, ...], Topology, DynamicsParams], np.ndarray]
    stream: Stream = "main"
    bulk_bytes: float = 0.0
    sparse: bool = False


def uniform(
    name: str,
    shape: Callable[[Topology, DynamicsParams], tuple[int, ...]],
    dtype: type = np.float64,
    *,
    stream: Stream = "main",
) -> Draw:
    """Uniforms on [0, 1): float64 or float32 from ``Generator.random``; float32 on
    the bulk stream from :func:`orgsim.rng.uniform32` (4 bytes each)."""
    if stream == "bulk":
        return Draw(
            name, shape, "float32 uniform on [0, 1)", lambda g, s, t, d: uniform32(g, s), "bulk", 4
        )
    kind = "float32" if dtype is np.float32 else "float64"
    return Draw(
        name,
        shape,
        f"{kind} uniform on [0, 1)",
        lambda g, s, t, d: g.random(s, dtype=dtype),
    )


def chances(
    name: str,
    shape: Callable[[Topology, DynamicsParams], tuple[int, ...]],
    p: Callable[[DynamicsParams], float],
    what: str,
    *,
    stream: Stream = "bulk",
    bulk_bytes: float = 1.0,
    positions: bool = False,
) -> Draw:
    """Outcomes (bool) of Bernoulli trials of chance ``p(params)``, exact
    (:func:`orgsim.rng.bernoulli`, one random byte each); with ``positions``, the same
    trials given as the sorted flat positions of the successes (a sparse draw, for
    rare events: :func:`orgsim.rng.bernoulli_positions`)."""
    sample: Callable[..., np.ndarray] = (
        (lambda g, s, t, d: bernoulli_positions(g, p(d), size(s)))
        if positions
        else (lambda g, s, t, d: bernoulli(g, p(d), s))
    )
    return Draw(
        name,
        shape,
        _POSITIONS.format(what) if positions else f"bool: Bernoulli({what})",
        sample,
        stream,
        bulk_bytes if stream == "bulk" else 0.0,
        sparse=positions,
    )


_POSITIONS = "int: sorted flat positions of the successes of Bernoulli({}) trials"


def sparse_chances(
    name: str,
    shape: Callable[[Topology, DynamicsParams], tuple[int, ...]],
    p: Callable[[DynamicsParams], float],
    what: str,
    *,
    stream: Stream = "bulk",
) -> Draw:
    """Bernoulli trials of chance ``p(params)`` over ``shape``, given as the sorted flat
    positions (int64) of the successes (:func:`orgsim.rng.skip_positions`): the work
    is proportional to the successes, about p x the trials."""
    return Draw(
        name,
        shape,
        _POSITIONS.format(what),
        lambda g, s, t, d: skip_positions(g, p(d), size(s)),
        stream,
        0.0,
        sparse=True,
    )


def integers(
    name: str,
    shape: Callable[[Topology, DynamicsParams], tuple[int, ...]],
    high: Callable[[Topology], int],
    what: str,
) -> Draw:
    """Uniform integers 0 .. high(topology) - 1 from the run's generator."""
    return Draw(name, shape, f"int: uniform {what}", lambda g, s, t, d: g.integers(0, high(t), s))


class Draws:
    """One week's random numbers: one attribute per :class:`Draw` name.

    >>> d = Draws(turbulence=np.zeros(3))
    >>> d.turbulence.shape, sorted(vars(d))
    ((3,), ['turbulence'])
    """

    def __init__(self, **arrays: np.ndarray) -> None:
        self.__dict__.update(arrays)

    def __getattr__(self, name: str) -> np.ndarray:  # typed access to any draw
        raise AttributeError(f"no draw named {name!r} this week")


class StepRecord:
    """What happened in one week: every field the registered submodels declare
    (``Submodel.records``), starting at its default. Metrics read these.

    >>> rec = StepRecord()
    >>> rec.posts, rec.landed
    (0, 0.0)
    """

    # the fields of the built-in week (for type checkers; the registry sets them)
    posts: int
    authenticity_sum: float
    reach: float
    engagement: float
    budget_in: float
    spent_on_posts: float
    landed: float
    stuck: float
    lost: float
    coordination: float
    reports: int
    capacity: int
    reports_waiting: int
    reports_read: int
    reports_dropped: int
    report_age: float
    holder_load_max: float
    leavers: int
    departed_budget: float
    peer_adoptions: int
    outflow: float
    allocated: float
    granted: float
    granted_hops: float
    waiting: float
    lapsed: float
    lapsed_posters: float
    held: float
    reviewed_engagement: float
    hours_available: float
    training_waiting: int
    meetings_held: int
    meetings_dropped: int
    posts_waiting: int
    hours_replying: float
    replies_unanswered: float

    def __init__(self) -> None:
        self.__dict__.update(_RECORD_DEFAULTS)

    def __getattr__(self, name: str) -> Any:  # plugin fields, for type checkers
        raise AttributeError(f"no StepRecord field {name!r}: no submodel declares it")

    def as_dict(self) -> dict[str, Any]:
        """Every field and its value."""
        return dict(vars(self))

    def __repr__(self) -> str:
        return f"StepRecord({', '.join(f'{k}={v!r}' for k, v in vars(self).items())})"


@dataclass
class Week:
    """What a kernel sees while one week is stepped.

    Attributes
    ----------
    top : Topology
        The organisation, derived (:class:`orgsim.dynamics.Topology`).
    state : State
        The arrays the week changes in place.
    dyn : DynamicsParams
        All parameters (flat); :meth:`params` gives one block.
    draws : Draws
        This week's random numbers.
    rec : StepRecord
        What happened; each submodel writes its declared fields.
    codes_before : ndarray
        The codes as they were at the start of the week (March's synchronous
        code learning and socialisation both use them).
    carry : dict
        What a submodel hands to a later one in the same week (e.g. the reports'
        votes to code learning). Each key is documented by the submodel writing it.
    """

    top: Topology
    state: State
    dyn: DynamicsParams
    draws: Draws
    rec: StepRecord = field(default_factory=StepRecord)
    codes_before: np.ndarray = field(default_factory=lambda: np.empty(0))
    carry: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.codes_before.size:
            self.codes_before = self.state.codes.copy()

    def take_hours(self, who: np.ndarray, need: np.ndarray | float) -> np.ndarray:
        """Let employees ``who`` (distinct indices) spend ``need`` hours each, if they
        have them left this week; return the mask of those who did.

        Work that does not fit is not done (the calling rule decides whether it waits
        or is dropped). ``State.hours`` is set each week by the time rule
        (:mod:`orgsim.submodels.time`); while it is ``None`` (time not modelled)
        everyone has the time and nothing is spent. Rules take hours in the week's
        order, so an earlier rule has first call on an employee's time.
        """
        hours = self.state.hours
        who = np.asarray(who, dtype=np.int64)
        if hours is None:
            return np.ones(who.size, dtype=bool)
        if np.ndim(need) == 0:  # one need for all (the common case): no per-row copy
            need = float(need)
            left = hours[who]
            ok = left >= need
            if ok.all():  # nobody short of hours: no second gather of the ones who fit
                left -= need
                hours[who] = left
            else:
                hours[who[ok]] = left[ok] - need
            return ok
        need_arr = np.asarray(need, dtype=np.float64)
        if need_arr.shape != who.shape:  # broadcast_to costs microseconds of Python
            need_arr = np.broadcast_to(need_arr, who.shape)
        left = hours[who]
        ok = left >= need_arr
        if ok.all():  # e.g. replies capped at the hours left: no second gather
            left -= need_arr
            hours[who] = left
        else:
            hours[who[ok]] = left[ok] - need_arr[ok]
        return ok

    def take_hours_where(self, wants: np.ndarray, need: float) -> np.ndarray:
        """:meth:`take_hours` for the employees where the bool mask ``wants`` (one entry
        per employee) is set, ``need`` hours each; return the mask of those who did.

        For a rule where most of the organisation wants the time: full-length passes
        instead of gathering and scattering the hours of the ones who want it.
        """
        hours = self.state.hours
        if hours is None:
            return wants.copy()
        fit = hours >= float(need)
        fit &= wants
        # minus need or minus 0.0 (exact): a masked subtract (where=) is 30x slower, and
        # a cast then an in-place product beats one product casting through buffers
        spent = fit.astype(hours.dtype)
        spent *= float(need)
        hours -= spent
        return fit

    def take_hours_rows(self, group: RowGroup, wants: np.ndarray | None, need: float) -> np.ndarray:
        """:meth:`take_hours` for the members of a row group (``wants``: bool per member,
        ``None``: all), ``need`` hours each; return the mask (per member) of those who did.

        When the group comes in long runs of consecutive employees (a code's domain),
        full-length passes over slices of the hours: no gathers, no scatters.
        """
        hours = self.state.hours
        if hours is None:
            return np.ones(group.size, dtype=bool) if wants is None else wants.copy()
        items = group.runs.items
        if group.size < RUN_HOURS * len(items) or not group.size:
            cand = np.arange(group.size) if wants is None else np.flatnonzero(wants)
            ok = self.take_hours(group.idx[cand], need)
            out = np.zeros(group.size, dtype=bool)
            out[cand[ok]] = True
            return out
        need = float(need)
        out = np.empty(group.size, dtype=bool)
        for off, start, stop, _ in items:
            if stop - start <= 4:  # a run this short: scalars cost less than numpy calls
                for i in range(start, stop):
                    fits = hours[i] >= need and (wants is None or bool(wants[off + i - start]))
                    out[off + i - start] = fits
                    if fits:
                        hours[i] -= need
                continue
            h = hours[start:stop]
            fit = np.greater_equal(h, need, out=out[off : off + stop - start])
            if wants is not None:
                fit &= wants[off : off + stop - start]
            h -= np.multiply(fit, need, dtype=hours.dtype)  # minus need or minus 0.0 (exact)
        return out

    def params[B: ParamBlock](self, block: type[B]) -> B:
        """This week's values of one parameter block (typed)."""
        values = {name: getattr(self.dyn, name) for name in block.model_fields}
        return block.model_construct(**values)  # type: ignore[return-value]


def plan[T](top: Topology, key: tuple[Any, ...], build: Callable[[], T]) -> T:
    """What a kernel derives from the organisation and parameters alone (the same every
    week), built once per topology and ``key`` (the rule's name and the parameters it
    reads) and kept in ``Topology.kernel_plans``; a topology is never changed, only
    replaced. Treat the result as read-only."""
    plans = top.kernel_plans
    if key in plans:
        found: T = plans[key]
        return found
    made = plans[key] = build()
    return made


Kernel = Callable[[Week], None]


@dataclass(frozen=True)
class Submodel:
    """One rule of the week.

    Attributes
    ----------
    name : str
        Registry key (``orgsim list submodels``).
    meaning : str
        One line: what the rule does.
    params : type[ParamBlock]
        Its parameter block (may be :class:`ParamBlock` itself: none).
    draws : tuple of Draw
        The random arrays it needs, in the order they are drawn.
    step : callable (Week) -> None
        The vectorised kernel.
    reference : callable (Week) -> None
        The agent-by-agent kernel: same rule, same draws, same result.
    records : mapping name -> (default, meaning)
        The :class:`StepRecord` fields it writes.
    odd : str
        Its section of docs/ODD.md (e.g. "7.6").
    module : str
        Where it is defined (filled in by :func:`register_submodel`).
    origin : str or None
        The plugin that registered it (filled in; ``None``: orgsim).
    """

    name: str
    meaning: str
    params: type[ParamBlock]
    draws: tuple[Draw, ...]
    step: Kernel
    reference: Kernel
    records: Mapping[str, tuple[Any, str]] = field(default_factory=dict)
    odd: str = ""
    module: str = ""
    origin: str | None = None


SUBMODELS: dict[str, Submodel] = {}
"""The week, in order: name -> :class:`Submodel`."""


def register_submodel(
    sub: Submodel, *, after: str | None = None, before: str | None = None
) -> Submodel:
    """Add ``sub`` to the week: at the end, or right after / before a named rule.

    Raises :class:`~orgsim.errors.ParameterError` for a name already taken, an unknown
    position, a draw or record field another rule already declares, or a parameter
    declared differently by two blocks.

    >>> sorted(SUBMODELS)[:2]
    ['awareness', 'code_learning']
    """
    if sub.name in SUBMODELS:
        raise ParameterError("submodel", "a name not registered yet", sub.name)
    if after is not None and before is not None:
        raise ParameterError("submodel", "at most one of after= and before=", sub.name)
    anchor = after if after is not None else before
    if anchor is not None and anchor not in SUBMODELS:
        raise ParameterError("submodel position", f"one of {', '.join(SUBMODELS)}", anchor)
    draws = {d.name for s in SUBMODELS.values() for d in s.draws}
    records = {r: s.name for s in SUBMODELS.values() for r in s.records}
    for d in sub.draws:
        if d.name in draws:
            raise ParameterError(f"submodel {sub.name!r}", "draw names no other rule uses", d.name)
    for r in sub.records:
        if r in records:
            raise ParameterError(
                f"submodel {sub.name!r}", f"record fields not written by {records[r]!r}", r
            )
    for name, spec in sub.params.model_fields.items():
        for other in SUBMODELS.values():
            known = other.params.model_fields.get(name)
            if known is not None and (
                known.default != spec.default or known.metadata != spec.metadata
            ):
                raise ParameterError(
                    f"submodel {sub.name!r}",
                    f"parameter declared as in {other.name!r} (a shared name)",
                    name,
                )
    if not sub.module:
        sub = Submodel(**{**vars(sub), "module": getattr(sub.step, "__module__", "")})
    if sub.origin != origin():  # a plugin's rule says so (orgsim list submodels)
        sub = Submodel(**{**vars(sub), "origin": origin()})
    items = list(SUBMODELS.items())
    at = len(items)
    if anchor is not None:
        at = [k for k, _ in items].index(anchor) + (1 if after is not None else 0)
    items.insert(at, (sub.name, sub))
    SUBMODELS.clear()
    SUBMODELS.update(items)
    for listener in _LISTENERS:
        listener()
    return sub


def unregister_submodel(name: str) -> Submodel:
    """Remove a rule from the week (e.g. a test's); returns it.

    Raises :class:`~orgsim.errors.ParameterError` for an unknown name.
    """
    if name not in SUBMODELS:
        raise ParameterError("submodel", f"one of {', '.join(SUBMODELS)}", name)
    sub = SUBMODELS.pop(name)
    for listener in _LISTENERS:
        listener()
    return sub


_LISTENERS: list[Callable[[], None]] = []
_RECORD_DEFAULTS: dict[str, Any] = {}
_DRAW_ORDER: list[tuple[Submodel, Draw]] = []
_VERSION = [0]  # counts registrations: plans made for an older week are stale


def _week_changed() -> None:
    """Precompute what every week needs from the registry (it changes rarely)."""
    _RECORD_DEFAULTS.clear()
    _RECORD_DEFAULTS.update(
        {name: default for sub in SUBMODELS.values() for name, (default, _) in sub.records.items()}
    )
    _DRAW_ORDER[:] = [(sub, spec) for sub in SUBMODELS.values() for spec in sub.draws]
    _VERSION[0] += 1


def week_version() -> int:
    """A number that changes whenever the week (the registry) changes."""
    return _VERSION[0]


_LISTENERS.append(_week_changed)


def unregister_submodels(plugin: str) -> None:
    """Remove the rules ``plugin`` registered (:func:`orgsim.plugins.unload`)."""
    mine = [name for name, sub in SUBMODELS.items() if sub.origin == plugin]
    for name in mine:
        del SUBMODELS[name]
    if mine:
        for listener in _LISTENERS:
            listener()


def on_register(listener: Callable[[], None]) -> None:
    """Call ``listener()`` after each registration (the parameter schema recomposes)."""
    _LISTENERS.append(listener)


def blocks(subs: Iterable[Submodel] | None = None) -> list[type[ParamBlock]]:
    """The distinct parameter blocks of the week, in order."""
    out: list[type[ParamBlock]] = []
    for sub in SUBMODELS.values() if subs is None else subs:
        if sub.params is not ParamBlock and sub.params not in out:
            out.append(sub.params)
    return out


def draw_order() -> list[tuple[Submodel, Draw]]:
    """Every draw of the week in the order it is taken: the week's order, then each
    rule's declared order (precomputed at each registration; do not modify)."""
    return _DRAW_ORDER


def size(shape: tuple[int, ...]) -> int:
    """Elements of an array of ``shape``."""
    return math.prod(shape)


def _range(info: Any) -> str:
    if info.annotation is bool:  # a switch
        return "{True, False}"
    if get_origin(info.annotation) is Literal:  # a choice
        return " | ".join(map(str, get_args(info.annotation)))
    low = high = None
    low_open = high_open = False
    for m in info.metadata:
        if getattr(m, "ge", None) is not None:
            low = m.ge
        if getattr(m, "gt", None) is not None:
            low, low_open = m.gt, True
        if getattr(m, "le", None) is not None:
            high = m.le
        if getattr(m, "lt", None) is not None:
            high, high_open = m.lt, True
    left = "(" if low_open or low is None else "["
    right = ")" if high_open or high is None else "]"
    return f"{left}{'-inf' if low is None else low}, {'inf' if high is None else high}{right}"


def describe() -> list[str]:
    """The week in words, rule by rule, each with its parameters (``orgsim list submodels``).

    >>> next(line for line in describe() if " turbulence:" in line)
    '3. turbulence: market reality flips, each dimension with chance p4  [ODD 7.3]'
    """
    lines = []
    for number, sub in enumerate(SUBMODELS.values(), 1):
        mark = f"  [plugin {sub.origin}]" if sub.origin else ""
        odd = f"  [ODD {sub.odd}]" if sub.odd else ""  # a plugin may have no section
        lines.append(f"{number}. {sub.name}: {sub.meaning}{odd}{mark}")
        fields = sub.params.model_fields
        width = max(map(len, fields), default=0)
        for name, info in fields.items():
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            lines.append(
                f"     {name:<{width}} = {info.default!r:<6} {_range(info):<16} "
                f"{info.description}  (source: {extra.get('source', '?')})"
            )
        if not fields:
            lines.append("     (no parameters)")
    return lines
