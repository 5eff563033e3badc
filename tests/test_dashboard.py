"""The dashboard without a browser: settings, the lockstep run, node states, exports,
the widgets built from the schema, Play's timing, and the ``orgsim dashboard`` command."""

from __future__ import annotations

import math
from typing import Any, Literal, get_args, get_origin

import numpy as np
import pytest
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.dashboard.app import Dashboard, parameter_widget, tradeoff_html
from orgsim.dashboard.session import (
    MAX_EMPLOYEES,
    NODE_STATES,
    LiveRun,
    Settings,
    default_params,
    settings_toml,
)
from orgsim.dashboard.snapshot import view_png
from orgsim.errors import ParameterError
from orgsim.metrics import METRICS
from orgsim.model import OrgModel
from orgsim.params import ALL_PARAMETERS
from orgsim.scenario import load_scenario, parse_scenario
from orgsim.structures import STRUCTURES

SMALL = {**default_params(), "employees": 40, "units": 2}


def small(*structures: str, seed: int = 3, **params) -> Settings:
    return Settings(structures=structures, seed=seed, params={**SMALL, **params})


def test_lockstep_runs_equal_the_models_run_alone():
    run = LiveRun(small("band", "tower"))
    run.step(6)
    for name, hist in zip(run.structures, run.history, strict=True):
        alone = OrgModel(name, rng=3, agents=False, **SMALL)
        for _ in range(6):
            alone.step()
        df = alone.datacollector.get_model_vars_dataframe()
        for metric in METRICS:
            assert np.allclose(hist[metric], df[metric].to_numpy(), equal_nan=True), metric


@pytest.mark.parametrize("structure", list(STRUCTURES))
@pytest.mark.parametrize("state", list(NODE_STATES))
def test_every_node_state_of_every_structure_is_in_its_range(structure, state):
    run = LiveRun(small(structure))
    run.step(3)
    spec = NODE_STATES[state]
    (values,) = run.node_values(state)
    assert values.shape == (run.models[0].organisation.n,)
    assert np.isfinite(values).all()
    low, high = spec.limits([values])
    assert low < high
    assert (values >= spec.low).all()
    if spec.high is not None and not spec.categories:
        assert (values <= spec.high).all()
    if spec.categories:
        assert set(np.unique(values)) <= set(range(len(spec.categories)))
    assert len(spec.colour_of(values, (low, high))) == values.size


def test_posted_this_week_marks_only_posters_and_matches_the_posts_metric():
    run = LiveRun(small("honeycomb", seed=5))
    seen = 0
    for _ in range(8):
        run.step()
        (posted,) = run.node_values("posted")
        model = run.models[0]
        assert not (posted.astype(bool) & ~model.organisation.may_post).any()
        assert posted.sum() <= model.metric_values["posts"]
        seen += int(posted.sum())
    assert seen > 0


def test_settings_reject_bad_values_named():
    with pytest.raises(ParameterError, match="structures"):
        Settings(structures=())
    with pytest.raises(ParameterError, match="structures"):
        Settings(structures=("band", "tower", "hub_and_spokes", "honeycomb"))
    with pytest.raises(ParameterError, match="structure"):
        Settings(structures=("bnad",))
    with pytest.raises(ParameterError, match="seed"):
        Settings(seed=-1)
    with pytest.raises(ParameterError, match="seed"):
        Settings(seed="7")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", list(ALL_PARAMETERS))
def test_out_of_range_parameters_from_the_schema_are_refused(name):
    info = ALL_PARAMETERS[name]
    bounds = {
        a: getattr(m, a)
        for m in info.metadata
        for a in ("ge", "gt", "le", "lt")
        if getattr(m, a, None) is not None
    }
    bad: list[Any] = [v - 1 for a, v in bounds.items() if a in ("ge", "gt") and v is not None]
    bad += [v + 1 for a, v in bounds.items() if a in ("le", "lt") and v is not None]
    if info.annotation is bool:  # a switch: anything but true or false
        bad = [1, 0.5]
    if get_origin(info.annotation) is Literal:  # a choice: anything else is refused
        bad += [f"not {get_args(info.annotation)[0]}", 1.0]
    assert bad, f"{name} has no bounds to test"
    for value in bad:
        with pytest.raises(ParameterError, match=name):
            Settings(params={**SMALL, name: value})


@pytest.mark.parametrize("name", list(ALL_PARAMETERS))
def test_each_parameter_widget_follows_the_schema(name):
    info = ALL_PARAMETERS[name]
    default = info.get_default()
    widget = parameter_widget(name, info, default)
    assert widget.value == default
    bounds = {a: getattr(m, a) for m in info.metadata for a in ("ge", "le") if hasattr(m, a)}
    if bounds.get("ge") is not None:
        assert widget.start == bounds["ge"]
    if bounds.get("le") is not None:
        assert widget.end == bounds["le"]
    help_text = getattr(widget, "description", None)
    assert help_text in (None, info.description)


def test_the_dashboard_refuses_organisations_too_large_to_draw():
    with pytest.raises(ParameterError, match="employees"):
        Settings(params={**SMALL, "employees": MAX_EMPLOYEES + 1})


def test_toml_export_validates_and_reproduces_the_settings(tmp_path):
    settings = small("tower", "hub_and_spokes", seed=11, p1=0.35, budget=12.5)
    text = settings_toml(settings, week=9)
    path = tmp_path / "s.toml"
    path.write_text(text)
    scenario = load_scenario(path)
    assert scenario.structures == ["tower", "hub_and_spokes"] and scenario.seed == 11
    again = Settings.from_scenario(scenario)
    assert again.params == settings.params and again.structures == settings.structures


def test_scenario_with_an_imported_chart_round_trips(tmp_path):
    from pathlib import Path

    scenarios = Path(__file__).parents[1] / "scenarios"
    settings = Settings.from_scenario(load_scenario(scenarios / "orgchart-acme.toml"))
    assert settings.chart is not None and "source" in settings.extra_organisation
    run = LiveRun(settings.with_changes(structures=settings.structures[:1]))
    assert run.models[0].organisation.n == settings.chart.n
    path = tmp_path / "acme.toml"
    path.write_text(run.toml())
    assert load_scenario(path).chart.n == settings.chart.n  # no warning: filterwarnings=error


def test_png_export_is_a_picture():
    run = LiveRun(small("band", "tower"))
    run.step(4)
    data = view_png(run, "role")
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


def test_tradeoff_card_shows_every_structure_and_no_value_before_week_one():
    run = LiveRun(small("band", "tower"))
    before = tradeoff_html(run)
    assert "Band" in before and "Tower" in before and "–" in before
    run.step(2)
    row = run.tradeoff(["awareness"])[0]
    assert math.isfinite(row["awareness"])
    assert f"{row['awareness']:.2f}" in tradeoff_html(run)


def test_dashboard_steps_resets_and_refuses_bad_settings():
    d = Dashboard(small("band", "tower"))
    d.advance(2)
    assert d.run.week == 2 and "Week 2" in d.week.text
    d.structures.value = ["hub_and_spokes"]
    assert d.message.visible  # "press Reset"
    d.rebuild()
    assert d.run.week == 0 and d.run.structures == ("hub_and_spokes",)
    assert len(d.chart_views) == 1 and "Week 0" in d.week.text
    d.params["omission"].value, d.params["distortion"].value = 0.7, 0.7
    d.rebuild()
    assert d.message.alert_type == "danger" and "omission" in d.message.object
    assert d.run.structures == ("hub_and_spokes",)  # the old run stays


def test_play_skips_ticks_until_the_browser_has_drawn_the_last_frame():
    d = Dashboard(small("band"))
    d.play.value = True  # no server: no periodic callback, ticks are called by hand
    d._tick()
    assert d.run.week == 1
    d._tick()  # the browser has not acknowledged Week 1 yet
    assert d.run.week == 1
    d._drawn("text", "", "1")
    d._tick()
    assert d.run.week == 2
    d.play.value = False
    d._drawn("text", "", "2")
    d._tick()
    assert d.run.week == 2


@pytest.mark.parametrize("speed", [1, 4, 10, 52])
def test_play_speed_is_weeks_per_second(speed):
    d = Dashboard(small("band"))
    d.speed.value = speed
    period, weeks = d._timing()
    assert period >= 250
    assert weeks * 1000 / period == pytest.approx(speed, rel=0.25)


runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["dashboard", "missing.toml", "--no-open"], "no such file"),
        (["dashboard", "--port", "0", "--no-open"], "--port"),
        (["dashboard", "--port", "70000", "--no-open"], "--port"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_port_in_use_is_bad_input():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = runner.invoke(app, ["dashboard", "--port", str(port), "--no-open"])
    assert result.exit_code == 2
    assert "in use" in result.output


def test_help_names_the_options():
    result = runner.invoke(app, ["dashboard", "--help"])
    assert result.exit_code == 0
    for word in ("--port", "--no-open", "127.0.0.1", "SCENARIO"):
        assert word in result.output


def test_settings_in_a_bad_scenario_are_one_line(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('name = "x"\n[model]\np1 = 2.0\n')
    result = runner.invoke(app, ["dashboard", str(path), "--no-open"])
    assert result.exit_code == 2
    assert "model.p1" in result.output and "Traceback" not in result.output
    assert parse_scenario is not None
