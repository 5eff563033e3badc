"""Importing org charts: every malformed HR export gets a clear message with its line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orgsim.organisation import CENTRAL_TEAM, HEADQUARTERS, HUB, LIAISON
from orgsim.orgchart import (
    OrgChart,
    OrgChartError,
    OrgChartWarning,
    load_org_chart,
    save_org_chart,
)
from orgsim.structures import STRUCTURES, build

GOOD = """employee_id,manager_id,unit,role
ceo,,HQ,executive
cs,ceo,HQ,central_team
s1,ceo,Sales,
s2,s1,Sales,
s3,s1,Sales,staff
m1,ceo,Marketing,
m2,m1,Marketing,liaison
m3,m2,Marketing,
m4,m2,Marketing,
"""
ACME = Path(__file__).parent.parent / "scenarios" / "orgchart-acme.csv"
ACME_TIES = ACME.with_name("orgchart-acme-ties.csv")


def write(tmp_path: Path, text: str, name: str = "org.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_good_chart(tmp_path: Path) -> None:
    chart = load_org_chart(write(tmp_path, GOOD))
    assert chart.n == 9 and chart.units == 2 and chart.unit_names == ("Sales", "Marketing")
    assert chart.ids[0] == "ceo" and chart.manager[0] == -1
    assert chart.unit[:2].tolist() == [HEADQUARTERS, HEADQUARTERS]
    assert chart.level.tolist() == [0, 1, 1, 2, 2, 1, 2, 3, 3]
    assert chart.role[1] == CENTRAL_TEAM and chart.role[6] == LIAISON and chart.role[2] == -1


def test_executive_moved_first(tmp_path: Path) -> None:
    text = "employee_id,manager_id,unit\na,boss,U\nboss,,HQ\nb,a,U\n"
    chart = load_org_chart(write(tmp_path, text))
    assert chart.ids == ("boss", "a", "b") and chart.manager.tolist() == [-1, 0, 1]


# ------------------------------------------------------------------ malformed exports: stop


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (GOOD.replace("m4,m2,", "m4,m9,"), 10, ["manager_id 'm9'", "not an employee_id"]),
        (GOOD.replace("s1,ceo,", "s1,s3,"), 4, ["cycle", "'s1'", "'s3'"]),
        (GOOD.replace("m1,ceo,", "m1,,"), 7, ["2 employees have no manager", "'ceo'", "'m1'"]),
        (GOOD.replace("s3,s1,", "s2,s1,"), 6, ["duplicate employee_id 's2'", "first on line 5"]),
        (GOOD.replace("s3,s1,Sales", "s3,s1,  "), 6, ["unit", "blank", "'s3'"]),
        (GOOD.replace("ceo,,HQ", "ceo,m4,HQ"), 2, ["cycle", "nobody is without a manager"]),
        (GOOD.replace("m2,m1,Marketing,liaison", "m2,m1,Marketing,liason"), 8, ["liaison"]),
        (GOOD.replace("m3,m2", ",m2"), 9, ["employee_id is blank"]),
        (GOOD.replace("s2,s1,Sales,", "s2,s2,Sales,"), 5, ["cycle", "'s2' -> 's2'"]),
    ],
    ids=[
        "unknown-manager",
        "cycle",
        "several-roots",
        "duplicate-id",
        "blank-unit",
        "no-root",
        "unknown-role",
        "blank-id",
        "self-manager",
    ],
)
def test_malformed_export_stops(tmp_path: Path, text: str, line: int, words: list[str]) -> None:
    path = write(tmp_path, text)
    with pytest.raises(OrgChartError) as info:
        load_org_chart(path)
    err = info.value
    assert err.line == line, str(err)
    assert str(err).startswith(f"{path}:{line}: ")
    for word in words:
        assert word in str(err)


def test_missing_column(tmp_path: Path) -> None:
    path = write(tmp_path, "employee_id,managr,unit\nceo,,HQ\n")
    with pytest.raises(
        OrgChartError, match=r":1: no column for manager_id \(did you mean 'managr'"
    ):
        load_org_chart(path)


def test_empty_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(OrgChartError, match="empty"):
        load_org_chart(write(tmp_path, ""))
    with pytest.raises(OrgChartError, match="no employees"):
        load_org_chart(write(tmp_path, "employee_id,manager_id,unit\n\n"))
    with pytest.raises(OrgChartError, match="no such file"):
        load_org_chart(tmp_path / "nope.csv")


def test_too_many_cells(tmp_path: Path) -> None:
    with pytest.raises(OrgChartError, match=r":3: 4 cells, expected 3"):
        load_org_chart(write(tmp_path, "employee_id,manager_id,unit\nceo,,HQ\na,ceo,U,x\n"))


# ------------------------------------------------------------------ fixed, with a warning


def test_bom_removed_with_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeff" + GOOD)
    with pytest.warns(OrgChartWarning, match="byte-order mark"):
        chart = load_org_chart(path)
    assert chart.ids[0] == "ceo" and chart.n == 9


def test_other_encoding_read_with_warning(tmp_path: Path) -> None:
    text = GOOD.replace("Marketing", "Marketing & Comunicación")
    path = write(tmp_path, text, encoding="cp1252")
    with pytest.warns(OrgChartWarning, match=r":7: not UTF-8 .* read as cp1252"):
        chart = load_org_chart(path)
    assert "Marketing & Comunicación" in chart.unit_names


def test_utf16_read_with_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeff" + GOOD, encoding="utf-16-le")
    with pytest.warns(OrgChartWarning, match="UTF-16"):
        assert load_org_chart(path).n == 9


@pytest.mark.parametrize(("sep", "name"), [(";", "semicolons"), ("\t", "tabs")])
def test_separator_detected_with_warning(tmp_path: Path, sep: str, name: str) -> None:
    path = write(tmp_path, GOOD.replace(",", sep))
    with pytest.warns(OrgChartWarning, match=name):
        chart = load_org_chart(path)
    assert chart.n == 9 and chart.units == 2


def test_blank_lines_and_blanks_in_cells(tmp_path: Path) -> None:
    text = GOOD.replace("s2,s1,Sales", " s2 , s1 , Sales ") + "\n\n"
    chart = load_org_chart(write(tmp_path, text))
    assert "s2" in chart.ids and chart.unit_names == ("Sales", "Marketing")


def test_line_numbers_count_quoted_newlines(tmp_path: Path) -> None:
    text = 'employee_id,manager_id,unit\nceo,,"Head\nquarters"\na,zz,U\n'
    with pytest.raises(OrgChartError) as info:
        load_org_chart(write(tmp_path, text))
    assert info.value.line == 4


# ------------------------------------------------------------------ ties


def test_ties_file(tmp_path: Path) -> None:
    org = write(tmp_path, GOOD)
    ties = write(tmp_path, "a,b\ns2,m3\nm3,s2\nceo,m4\n", "ties.csv")
    chart = load_org_chart(org, ties)
    ids = chart.ids
    assert {(ids[a], ids[b]) for a, b in chart.informal} == {("s2", "m3"), ("ceo", "m4")}


def test_ties_errors(tmp_path: Path) -> None:
    org = write(tmp_path, GOOD)
    bad = write(tmp_path, "a,b\ns2,m3\ns2,mm3\n", "ties.csv")
    with pytest.raises(OrgChartError) as info:
        load_org_chart(org, bad)
    assert info.value.path == str(bad) and info.value.line == 3 and "'mm3'" in str(info.value)
    selfie = write(tmp_path, "a,b\ns2,s2\n", "self.csv")
    with pytest.warns(OrgChartWarning, match=r"self\.csv:2: tie of 's2' with themself"):
        assert len(load_org_chart(org, selfie).informal) == 0


# ------------------------------------------------------------------ overlaying structures


@pytest.mark.parametrize("structure", sorted(STRUCTURES))
def test_every_structure_overlays_a_chart(tmp_path: Path, structure: str) -> None:
    chart = load_org_chart(ACME, ACME_TIES)
    org = build(structure, {}, seed=1, chart=chart)
    org.validate()
    assert org.n == chart.n and org.units == chart.units
    assert np.array_equal(org.manager, chart.manager)
    assert org.may_post.any()
    # the chart's extra ties are all there
    have = {tuple(e) for e in org.informal.tolist()}
    assert {tuple(e) for e in chart.informal.tolist()} <= have


def test_overlay_follows_role_hints(tmp_path: Path) -> None:
    chart = load_org_chart(write(tmp_path, GOOD))
    hub = build("hub_and_spokes", {"team_size": 1}, seed=0, chart=chart)
    ids = chart.ids
    assert [ids[i] for i in np.flatnonzero(hub.role == HUB)] == ["cs"]
    assert sorted(ids[i] for i in np.flatnonzero(hub.role == LIAISON)) == ["m2", "s1"]
    dand = build("dandelion", {}, seed=0, chart=chart)
    assert sorted(ids[i] for i in dand.code_holders) == ["cs", "m1", "s1"]


def test_team_rule_without_hints(tmp_path: Path) -> None:
    text = "employee_id,manager_id,unit\nceo,,HQ\nx,ceo,HQ\ny,ceo,HQ\na,ceo,U\nb,a,U\n"
    chart = load_org_chart(write(tmp_path, text))
    tower = build("tower", {"team_size": 1}, seed=0, chart=chart)
    assert [chart.ids[i] for i in tower.code_holders] == ["x"]
    lonely = load_org_chart(write(tmp_path, "employee_id,manager_id,unit\nceo,,HQ\na,ceo,U\n"))
    tower = build("tower", {"team_size": 2}, seed=0, chart=lonely)  # a new team of two
    assert tower.n == 4 and tower.code_holders.tolist() == [2, 3]
    assert tower.manager[2:].tolist() == [0, 0] and tower.unit[2:].tolist() == [-1, -1]
    assert "2 new people" in tower.notes[0] and "'ceo'" in tower.notes[0]
    assert build("band", {}, seed=0, chart=lonely).may_post.sum() == 1


# ------------------------------------------------------------------ property: round trip


@st.composite
def charts(draw: st.DrawFn) -> OrgChart:
    n = draw(st.integers(2, 40))
    managers: list[int | None] = [None] + [draw(st.integers(0, i - 1)) for i in range(1, n)]
    perm = draw(st.permutations(range(n)))  # file order is arbitrary
    ids = [f"e{draw(st.integers(0, 10**6))}-{k}" for k in range(n)]
    labels = draw(
        st.lists(st.sampled_from(["HQ", "Sales", "R&D", "Ops", "Été"]), min_size=n, max_size=n)
    )
    if len(set(labels)) == 1:  # a chart needs a business unit besides the executive's
        labels[-1] = "Ops" if labels[0] != "Ops" else "Sales"
    roles = draw(
        st.lists(
            st.sampled_from(["", "staff", "hub", "liaison", "central_team"]), min_size=n, max_size=n
        )
    )
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=20))
    pairs = [(a, b) for a, b in pairs if a != b]
    rows = list(perm)
    return OrgChart.from_records(
        [ids[i] for i in rows],
        [ids[managers[i]] if managers[i] is not None else "" for i in rows],
        [labels[i] for i in rows],
        [roles[i] for i in rows],
        [(ids[a], ids[b]) for a, b in pairs],
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(chart=charts())
def test_any_valid_chart_round_trips(tmp_path: Path, chart: OrgChart) -> None:
    csv_path = save_org_chart(chart, tmp_path / "chart.csv", tmp_path / "ties.csv")
    graphml = save_org_chart(
        load_org_chart(csv_path, tmp_path / "ties.csv"), tmp_path / "c.graphml"
    )
    again = load_org_chart(graphml)
    assert again.same_as(chart)
    assert (chart.level[1:] == chart.level[chart.manager[1:]] + 1).all()


# ------------------------------------------------------------------ scenario files


def test_scenario_source_resolved_relative_to_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orgsim.scenario import load_scenario

    folder = tmp_path / "study"
    folder.mkdir()
    write(folder, GOOD)
    write(folder, "a,b\ns2,m3\n", "ties.csv")
    (folder / "s.toml").write_text(
        'name = "s"\n[organisation]\nsource = "org.csv"\nties = "ties.csv"\nteam_size = 1\n'
    )
    monkeypatch.chdir(tmp_path)  # not the scenario's folder
    scenario = load_scenario("study/s.toml")
    assert scenario.chart is not None and scenario.chart.n == 9
    params = scenario.model_params("hub_and_spokes")
    assert params["chart"] is scenario.chart
    from orgsim.model import OrgModel

    model = OrgModel("hub_and_spokes", rng=1, agents=False, **params)
    model.step()
    assert model.organisation.n == 9 and len(model.organisation.informal) >= 1
    # the run key records the chart's content, not its location
    from orgsim.experiments.plan import Plan

    key = Plan(scenario)[0].key
    (folder / "org.csv").write_text(GOOD.replace("m4,m2", "m4,m1"))
    assert Plan(load_scenario("study/s.toml"))[0].key != key


def test_scenario_chart_errors(tmp_path: Path) -> None:
    from orgsim.scenario import ScenarioError, load_scenario

    (tmp_path / "s.toml").write_text('name = "s"\n[organisation]\nties = "t.csv"\n')
    with pytest.raises(ScenarioError, match=r"s\.toml:3: key 'organisation\.ties'"):
        load_scenario(tmp_path / "s.toml")
    (tmp_path / "m.toml").write_text('name = "m"\n[organisation]\nsource = "missing.csv"\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "m.toml")
    assert len(info.value.problems) == 1
    assert "m.toml:3: key 'organisation.source'" in info.value.problems[0]
    assert "missing.csv: cannot read the file (no such file)" in info.value.problems[0]


def test_shipped_chart_scenario() -> None:
    from orgsim.scenario import load_scenario

    scenario = load_scenario(ACME.with_name("orgchart-acme.toml"))
    chart = scenario.chart
    assert chart is not None and 250 <= chart.n <= 400 and chart.units == 7
    assert len(chart.informal) == 90 and chart.level.max() >= 4


def test_graphml_problems_name_the_employee(tmp_path: Path) -> None:
    import networkx as nx

    g = nx.DiGraph()
    g.add_node("ceo", unit="HQ", manager_id="")
    g.add_node("a", unit="U", manager_id="nobody")
    nx.write_graphml(g, tmp_path / "bad.graphml")
    with pytest.raises(OrgChartError) as info:
        load_org_chart(tmp_path / "bad.graphml")
    assert info.value.line is None and "manager_id 'nobody' of employee 'a'" in str(info.value)
    g.add_node("b")
    nx.write_graphml(g, tmp_path / "nounit.graphml")
    with pytest.raises(OrgChartError, match="node 'b' has no 'unit'"):
        load_org_chart(tmp_path / "nounit.graphml")
    (tmp_path / "junk.graphml").write_text("<graphml><not closed")
    with pytest.raises(OrgChartError, match="not a readable GraphML"):
        load_org_chart(tmp_path / "junk.graphml")


def test_scenario_shows_fixes_at_its_source_line(tmp_path: Path) -> None:
    from orgsim.scenario import load_scenario

    write(tmp_path, "\ufeff" + GOOD.replace(",", ";"))
    (tmp_path / "s.toml").write_text('name = "s"\n\n[organisation]\nsource = "org.csv"\n')
    with pytest.warns(OrgChartWarning) as record:
        assert load_scenario(tmp_path / "s.toml").chart.n == 9
    assert {w.lineno for w in record} == {4} and all(w.filename.endswith("s.toml") for w in record)
    assert any("semicolons" in str(w.message) for w in record)
    assert any("byte-order mark" in str(w.message) for w in record)


def test_scenario_says_size_keys_are_ignored_with_a_chart(tmp_path: Path) -> None:
    from orgsim.scenario import load_scenario

    write(tmp_path, GOOD)
    (tmp_path / "s.toml").write_text(
        'name = "s"\n[organisation]\nsource = "org.csv"\nemployees = 500\n'
    )
    with pytest.warns(UserWarning, match="organisation.employees is ignored") as record:
        load_scenario(tmp_path / "s.toml")
    assert record[0].lineno == 4


@settings(max_examples=40, deadline=None)
@given(chart=charts(), data=st.data())
def test_any_forest_with_several_roots_stops(chart: OrgChart, data: st.DataObject) -> None:
    """Cut any reporting line of a valid chart: the import stops and names both roots."""
    if chart.n < 2:
        return
    cut = data.draw(st.integers(1, chart.n - 1))
    records = chart.records()
    records[cut]["manager_id"] = ""
    with pytest.raises(OrgChartError, match="2 employees have no manager") as info:
        OrgChart.from_records(
            [r["employee_id"] for r in records],
            [r["manager_id"] for r in records],
            [r["unit"] for r in records],
            [r["role"] for r in records],
        )
    assert info.value.line == cut + 2 and repr(chart.ids[cut]) in str(info.value)
