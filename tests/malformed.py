"""A corpus of malformed inputs: scenario files and org charts a user could hand orgsim.

Each :class:`Case` is a folder of files and the command-line arguments that read them.
Every case must be answered with exit code 2 and one line ``error: FILE...`` naming
the file (and its line, key or row where it has one), never a traceback, within
bounded time and memory (``tests/test_malformed_corpus.py`` runs them under a
memory limit).

Core objects
------------
Case
    One malformed input: its files, the arguments, the file the error must name.
corpus
    Every case (over 200), built from mutations of a valid scenario and chart.
write_case
    Write a case's files into a folder; returns the arguments to run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

BASE = 'name = "c"\nsteps = 3\nreplications = 1\nstructures = ["band", "tower"]\n'
CHART = (
    "employee_id,manager_id,unit,role\n"
    "ceo,,HQ,\n"
    "cs,ceo,HQ,\n"
    "s1,ceo,Sales,\n"
    "s2,s1,Sales,\n"
    "m1,ceo,Marketing,\n"
    "m2,m1,Marketing,\n"
)
CHART_SCENARIO = BASE + '[organisation]\nsource = "org.csv"\n'


@dataclass
class Case:
    """One malformed input.

    ``files`` maps a file name to its content (text is written as UTF-8; ``None``
    makes a FIFO, ``"/dir"`` a folder, an int a sparse file of that many bytes);
    ``args`` are the command's arguments, with ``{dir}`` standing for the case's
    folder; ``names`` is the file the error line must name (relative to the folder,
    or absolute).
    """

    name: str
    files: dict[str, str | bytes | int | None] = field(default_factory=dict)
    args: tuple[str, ...] = ("validate", "{dir}/s.toml")
    names: str = "s.toml"
    located: bool = True  # the line names a line, key or row as well


def _scenario(name: str, text: str | bytes, located: bool = True) -> Case:
    return Case(name, {"s.toml": text}, located=located)


def _chart(name: str, chart: str | bytes | int, extra: str = "", fname: str = "org.csv") -> Case:
    scenario = BASE + f'[organisation]\nsource = "{fname}"\n' + extra
    return Case(name, {"s.toml": scenario, fname: chart})


# ---------------------------------------------------------------- scenario files

_BAD_VALUES = {
    # key: bad values (TOML literals)
    "seed": ["-1", "1.5", '"x"', "true", "18446744073709551616", "[1]"],
    "steps": ["0", "-3", "2.5", '"104"', "false", "1e9", "{a = 1}", "10000001"],
    "replications": ["0", "-1", "1.0", '"ten"', "true", "2000000"],
    "structures": ["[]", '["band", "band"]', '["towr"]', '"band"', "[1]", "[[]]", "{}"],
    "summary_window": ["0", "4", "-1", '"x"', "true"],
    "stop_at_equilibrium": ['"no"', "0", "1", "[]"],
    "description": ["1", "[]", "{}", "true"],
    "name": ['"my scenario"', '"evil\\n"', '""', '"../up"', "1", '"/abs"', '"a\\u0000b"', '"é"'],
}
_BAD_ORG = {
    "employees": ["5", "0", "-10", "5000001", '"100"', "100.5", "true", "inf", "nan"],
    "units": ["0", "1001", "2.0", '"4"', "false"],
    "span": ["1", "101", "-2", "1e3", '"5"'],
    "team_size": ["0", "1001", "2.5", "true"],
    "informal_in": ["-1.0", "201", "inf", "nan", "-inf", '"4"', "true"],
    "informal_out": ["-0.5", "1e9", "inf", "nan"],
    "poster_fraction": ["1.5", "-0.1", "nan", "inf", "false"],
    "source": ["1", "true", '""', '"missing.csv"', '"."', '"a\\u0000b.csv"'],
    "ties": ['"t.csv"', "1"],
    "colour": ["1"],
}
_BAD_MODEL = {
    "p1": ["1.5", "-0.1", "nan", "inf", '"0.5"', "true", "[0.1]"],
    "p2": ["2", "-inf"],
    "delta": ["1.01", "nan"],
    "p4": ["-1"],
    "dimensions": ["0", "1001", "1.5", '"30"'],
    "capacity": ["0", "100000001", "2.5"],
    "budget": ["-1", "inf", "nan", "1e308", "1e300", '"ten"', "true"],
    "kappa": ["-1", "inf", "nan", "1e308"],
    "slack": ["-0.1", "inf", "nan", "1e308"],
    "post_cost": ["0", "-1", "inf", "nan", "1e-320"],
    "alpha": ["1.5", "-0.5"],
    "voice": ["nan"],
    "beta": ["inf"],
    "initiative_rate": ["2"],
    "omission": ["0.9\ndistortion = 0.9"],
    "pp1": ["0.1"],
}
_BAD_SWEEP = [
    "grid = { delta = [] }",
    "grid = { delta = {start = 0.4, stop = 0.0, step = 0.1} }",
    "grid = { delta = {start = 0.0, stop = 1.0, step = 1e-12} }",
    "grid = { delta = {start = 0.0, stop = 1.0, step = 1e-7} }",
    "grid = { delta = {start = 0.0, stop = 1.0, step = 0} }",
    "grid = { delta = {start = 0.0, stop = 1.0, step = -0.1} }",
    "grid = { delta = {start = 0.0, stop = inf, step = 0.1} }",
    "grid = { delta = {start = nan, stop = 1.0, step = 0.1} }",
    "grid = { delta = {start = 0.0, stop = 1.0, step = inf} }",
    "grid = { delta = {start = 0.0, stop = 1.0} }",
    "grid = { delta = 0.5 }",
    "grid = { delta = [true, false] }",
    'grid = { delta = ["0.1", "0.2"] }',
    "grid = { delta = [0.1, [0.2]] }",
    "grid = { delta = [0.1, nan] }",
    "grid = { delta = [0.1, inf] }",
    "grid = { delta = [0.1, 1.5] }",
    "grid = { budget = [1e308] }",
    "grid = { pp1 = [0.1] }",
    "grid = { employees = [100, 200.5] }",
    "grid = { employees = [5] }",
    "grid = "
    + "{ "
    + ", ".join(
        f"{k} = [{', '.join(['0.1'] * 10)}]"
        for k in (
            "delta",
            "p1",
            "p2",
            "p4",
            "alpha",
            "voice",
            "beta",
            "omission",
            "distortion",
            "frontline_learning",
        )
    )
    + " }",
    "zip = { delta = [] }",
    "zip = { delta = [0.1, 0.2], p1 = [0.1] }",
    "zip = { delta = [true] }",
    "zip = { omission = [0.6], distortion = [0.6] }",
    "points = []\ngrid = { delta = [] }",
    "points = [{ p1 = 0.1 }, { p2 = 0.2 }]",
    "points = [{ p1 = true }]",
    'points = [{ p1 = "x" }]',
    "points = [{ p1 = 1.5 }]",
    "points = [1, 2]",
    'design = "lhs"\nsamples = 4',
    'design = "lhs"\nranges = { p1 = [0.0, 1.0] }',
    'design = "sobol"\nranges = { p1 = [0.0, 1.0] }\nsamples = 3',
    'design = "lhs"\nranges = { p1 = [1.0, 0.0] }\nsamples = 4',
    'design = "lhs"\nranges = { p1 = [0.0, inf] }\nsamples = 4',
    'design = "lhs"\nranges = { p1 = [nan, 1.0] }\nsamples = 4',
    'design = "lhs"\nranges = { p1 = [0.0, 2.0] }\nsamples = 4',
    'design = "lhs"\nranges = { p1 = [0.0] }\nsamples = 4',
    'design = "lhs"\nranges = { budget = [0.0, 1e308] }\nsamples = 4',
    'design = "lhs"\nranges = { employees = [10, 5000000] }\nsamples = 1000000',
    'design = "sobol"\nranges = { p1 = [0.0, 1.0], p2 = [0.0, 1.0] }\nsamples = 524288',
    'design = "nope"\nranges = { p1 = [0.0, 1.0] }\nsamples = 4',
    "ranges = { p1 = [0.0, 1.0] }",
    "grid = { p1 = [0.1] }\nzip = { p1 = [0.2] }",
    "replications = 0",
    "levels = 1",
    "grid = { delta = [0.1] }\nunknown = 1",
    "grid = [0.1]",
    "zip = {}",
    "replications = 3",
]
_BAD_STAGES = [
    "crawling = { posts = inf }",
    "crawling = { posts = nan }",
    "walking = { authenticity = -inf }",
    "crawling = { postz = 1.0 }",
    'crawling = { posts = "x" }',
    "crawling = 1",
    "soaring = { posts = 1.0 }",
]
_BAD_TOML = [
    "steps = = 3",
    "[model\np1 = 0.1",
    'name = "c"',  # duplicate key
    "steps = 3\nsteps = 4",
    "[model]\n[model]",
    "x = [" * 1000 + "]" * 1000,
    "x = " + "{ a = " * 1000 + "1" + " }" * 1000,
    "x = 0x",
    'x = """',
    "x = 1979-05-27T07:32:00Z",
    "\x00",
    "[[model]]\np1 = 0.1",
]


def _scenario_cases() -> list[Case]:
    cases: list[Case] = []
    for key, values in _BAD_VALUES.items():
        for v in values:
            text = BASE.replace('name = "c"\n', "") if key == "name" else BASE
            if key == "structures":
                text = text.replace('structures = ["band", "tower"]\n', "")
            if key == "name":
                text = f"name = {v}\n" + text
            else:
                text = (
                    text + f"{key} = {v}\n"
                    if key not in ("steps", "replications")
                    else (
                        "\n".join(line for line in text.splitlines() if not line.startswith(key))
                        + f"\n{key} = {v}\n"
                    )
                )
            cases.append(_scenario(f"top-{key}-{v}", text))
    for table, bad in (("organisation", _BAD_ORG), ("model", _BAD_MODEL)):
        for key, values in bad.items():
            for v in values:
                cases.append(_scenario(f"{table}-{key}-{v}", BASE + f"[{table}]\n{key} = {v}\n"))
    for i, sweep in enumerate(_BAD_SWEEP):
        cases.append(_scenario(f"sweep-{i}", BASE + f"[sweep]\n{sweep}\n"))
    for i, stages in enumerate(_BAD_STAGES):
        cases.append(_scenario(f"stages-{i}", BASE + f"[stages]\n{stages}\n"))
    for i, toml in enumerate(_BAD_TOML):
        nested = toml.count("[") > 100 or toml.count("{") > 100  # no line: the whole file
        cases.append(_scenario(f"toml-{i}", BASE + toml + "\n", located=not nested))
    raw = BASE.encode()
    cases += [
        _scenario("empty", ""),
        _scenario("only-comment", "# nothing\n"),
        _scenario("binary", bytes(range(256)) * 8),
        _scenario("png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        _scenario("utf16", BASE.encode("utf-16"), located=False),
        _scenario("utf16-odd", BASE.encode("utf-16") + b"\x00", located=False),
        _scenario("latin1", (BASE + 'description = "café"\n').encode("latin-1")),
        _scenario("huge-file", b"# " + b"x" * (2 << 20) + b"\n" + raw, located=False),
        _scenario("long-line", BASE + "description = '" + "x" * 2_000_000 + "'\n", located=False),
        _scenario("many-keys", BASE + "".join(f"k{i} = {i}\n" for i in range(3000))),
        _scenario("yaml", "name: c\nsteps: 3\n"),
        _scenario("json", '{"name": "c"}'),
        Case("folder", {"s.toml": "/dir"}, located=False),
        Case("fifo", {"s.toml": None}, located=False),
        Case("missing", {}, located=False),
        Case("dev-zero", {}, ("validate", "/dev/zero"), names="/dev/zero", located=False),
        Case("dev-null", {}, ("validate", "/dev/null"), names="/dev/null", located=False),
        Case("run-dry-fifo", {"s.toml": None}, ("run", "{dir}/s.toml", "--dry-run"), located=False),
        Case(
            "show-fifo",
            {"s.toml": None},
            ("show", "tower", "--scenario", "{dir}/s.toml", "-o", "{dir}/x.png"),
            located=False,
        ),
        Case(
            "export-fifo",
            {"s.toml": None},
            ("export-graph", "{dir}/s.toml", "--structure", "tower"),
            located=False,
        ),
        Case(
            "run-empty-sweep",
            {"s.toml": BASE + "[sweep]\ngrid = { delta = [] }\n"},
            ("run", "{dir}/s.toml", "--out", "{dir}/out", "--no-plots", "--quiet"),
        ),
        Case(
            "run-bad-name",
            {"s.toml": BASE.replace('name = "c"', 'name = "c\\n"')},
            ("run", "{dir}/s.toml", "--out", "{dir}/out", "--no-plots", "--quiet"),
        ),
    ]
    return cases


# ---------------------------------------------------------------- org charts

_BAD_CHARTS = {
    "empty": "",
    "header-only": "employee_id,manager_id,unit\n",
    "no-unit-column": "employee_id,manager_id\nceo,\na,ceo\n",
    "no-id-column": "person,chief,unit\nceo,,HQ\n",
    "blank-id": CHART + ",ceo,Sales,\n",
    "duplicate-id": CHART + "s1,ceo,Sales,\n",
    "unknown-manager": CHART + "x,nobody,Sales,\n",
    "two-roots": CHART + "x,,Sales,\n",
    "cycle": "employee_id,manager_id,unit\nceo,,HQ\na,b,S\nb,a,S\n",
    "all-cycle": "employee_id,manager_id,unit\na,b,S\nb,a,S\n",
    "self-manager": "employee_id,manager_id,unit\nceo,,HQ\na,a,S\n",
    "blank-unit": CHART + "x,ceo,,\n",
    "bad-role": CHART + "x,ceo,Sales,wizard\n",
    "too-many-cells": CHART + "x,ceo,Sales,,extra\n",
    "duplicate-column": "employee_id,manager_id,unit,unit\nceo,,HQ,HQ\na,ceo,S,T\n",
    "huge-field": 'employee_id,manager_id,unit\nceo,,HQ\n"' + "x" * 200_000 + '",ceo,S\n',
    "unclosed-quote": 'employee_id,manager_id,unit\nceo,,HQ\n"a,ceo,S\n',
    "everyone-at-hq": "employee_id,manager_id,unit\nceo,,HQ\na,ceo,HQ\nb,ceo,HQ\n",
    "executive-only": "employee_id,manager_id,unit\nceo,,HQ\n",
    "nul-byte": "employee_id,manager_id,unit\nceo,,HQ\na\x00,ceo,S\n",
    "binary": "\x00\x01\x02" * 300,
    "only-blank-lines": "\n\n\n",
}


def _chart_cases() -> list[Case]:
    cases = [_chart(f"chart-{k}", v) for k, v in _BAD_CHARTS.items()]
    cases += [
        _chart("chart-utf16-odd", "employee_id,manager_id,unit\n".encode("utf-16") + b"\x41"),
        _chart("chart-utf16-no-bom-odd", b"e\x00m\x00p\x00\x00"),
        _chart("chart-bytes", bytes(range(256)) * 40),
        Case("chart-huge", {"s.toml": CHART_SCENARIO, "org.csv": 1 << 30}),
        _chart("chart-graphml-garbage", "<graphml><node", fname="org.graphml"),
        _chart("chart-graphml-empty", "", fname="org.graphml"),
        _chart(
            "chart-graphml-undeclared-key",
            '<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
            '<graph edgedefault="directed"><node id="a"><data key="d9">x</data></node>'
            "</graph></graphml>",
            fname="org.graphml",
        ),
        _chart(
            "chart-graphml-hyperedge",
            '<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
            '<graph edgedefault="directed"><node id="a"/><node id="b"/>'
            '<hyperedge><endpoint node="a"/><endpoint node="b"/></hyperedge></graph></graphml>',
            fname="org.graphml",
        ),
        _chart(
            "chart-graphml-no-unit",
            '<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
            '<graph edgedefault="directed"><node id="a"/></graph></graphml>',
            fname="org.graphml",
        ),
        _chart(
            "chart-graphml-bad-type",
            '<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
            '<key id="u" for="node" attr.name="unit" attr.type="int"/>'
            '<graph edgedefault="directed"><node id="a"><data key="u">x</data></node>'
            "</graph></graphml>",
            fname="org.graphml",
        ),
        _chart(
            "chart-graphml-entity-bomb",
            '<?xml version="1.0"?><!DOCTYPE g [<!ENTITY a "aaaaaaaaaa">'
            + "".join(
                f'<!ENTITY {c}{i} "' + f"&{c}{i - 1};" * 10 + '">' for c, i in [("b", 1)]
            ).replace("&b0;", "&a;")
            + ']><graphml xmlns="http://graphml.graphdrawing.org/xmlns">&b1;</graphml>',
            fname="org.graphml",
        ),
        Case("chart-fifo", {"s.toml": CHART_SCENARIO, "org.csv": None}),
        Case("chart-folder", {"s.toml": CHART_SCENARIO, "org.csv": "/dir"}),
        Case("chart-missing", {"s.toml": CHART_SCENARIO}),
        Case(
            "chart-dev-zero",
            {"s.toml": BASE + '[organisation]\nsource = "/dev/zero"\n'},
        ),
        _chart("chart-sweep-employees", CHART, "[sweep]\ngrid = { employees = [50, 100] }\n"),
        _chart("chart-sweep-units", CHART, "[sweep]\ngrid = { units = [2, 3] }\n"),
        _chart(
            "chart-design-span",
            CHART,
            '[sweep]\ndesign = "lhs"\nranges = { span = [2, 5] }\nsamples = 4\n',
        ),
        _chart("chart-unknown-central-unit", CHART, 'central_unit = "Finanse"\n'),
        _chart("chart-bad-columns", CHART, 'columns = { employee_id = "Nope" }\n'),
        _chart("chart-bad-columns-key", CHART, 'columns = { boss = "manager_id" }\n'),
        _chart("chart-columns-not-table", CHART, 'columns = "x"\n'),
        Case(
            "ties-bad-employee",
            {
                "s.toml": CHART_SCENARIO + 'ties = "t.csv"\n',
                "org.csv": CHART,
                "t.csv": "a,b\nceo,ghost\n",
            },
        ),
        Case(
            "ties-one-column",
            {"s.toml": CHART_SCENARIO + 'ties = "t.csv"\n', "org.csv": CHART, "t.csv": "a\nceo\n"},
        ),
        Case(
            "ties-fifo",
            {"s.toml": CHART_SCENARIO + 'ties = "t.csv"\n', "org.csv": CHART, "t.csv": None},
        ),
        Case(
            "ties-binary",
            {
                "s.toml": CHART_SCENARIO + 'ties = "t.csv"\n',
                "org.csv": CHART,
                "t.csv": b"\xff\xfe\x00",
            },
        ),
        Case(
            "ties-huge-field",
            {
                "s.toml": CHART_SCENARIO + 'ties = "t.csv"\n',
                "org.csv": CHART,
                "t.csv": 'a,b\n"' + "y" * 200_000 + '",ceo\n',
            },
        ),
        Case(
            "show-chart-fifo",
            {"s.toml": CHART_SCENARIO, "org.csv": None},
            ("show", "tower", "--scenario", "{dir}/s.toml", "-o", "{dir}/x.png"),
        ),
        Case(
            "export-everyone-at-hq",
            {"s.toml": CHART_SCENARIO, "org.csv": _BAD_CHARTS["everyone-at-hq"]},
            ("export-graph", "{dir}/s.toml", "--structure", "tower", "-o", "{dir}/g.graphml"),
        ),
    ]
    return cases


def corpus() -> list[Case]:
    """Every malformed case, scenario files first, then org charts."""
    return _scenario_cases() + _chart_cases()


def write_case(case: Case, folder: Path) -> list[str]:
    """Write ``case`` into ``folder``; return its arguments with ``{dir}`` filled in."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in case.files.items():
        path = folder / name
        if content is None:
            os.mkfifo(path)
        elif content == "/dir":
            path.mkdir()
        elif isinstance(content, int):
            with path.open("wb") as fh:  # sparse: a gigabyte that takes no disk
                fh.truncate(content)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return [a.replace("{dir}", str(folder)) for a in case.args]
