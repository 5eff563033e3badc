"""Mesa's SolaraViz drives an OrgModel: Step steps it, Reset rebuilds it.

SolaraViz's Reset passes a ``scenario`` keyword to models that take ``**kwargs``, and
its text inputs give seeds as strings; both must work (the README's recipe).
"""

from __future__ import annotations

import ipyvuetify as v
import numpy as np
import solara
from mesa.visualization import SolaraViz, make_plot_component
from mesa.visualization.solara_viz import ModelController, ModelCreator

from orgsim.model import OrgModel
from orgsim.structures import STRUCTURES


def model_params() -> dict:
    return {
        "structure": {
            "type": "Select",
            "value": "tower",
            "values": list(STRUCTURES),
            "label": "Structure",
        },
        "rng": {"type": "InputText", "value": "42", "label": "Seed"},
        "employees": {"type": "SliderInt", "value": 40, "min": 20, "max": 400, "step": 10},
        "units": 2,
    }


@solara.component
def Controls(model: solara.Reactive, params: dict):  # noqa: N802 (a Solara component)
    """SolaraViz's sidebar (its controller and its parameter inputs), on its own so
    that the buttons are in the rendered tree (SolaraViz puts them in an app bar)."""
    parameters = solara.use_reactive({})
    with solara.Column():
        ModelController(
            model,
            model_parameters=parameters,
            play_interval=solara.use_reactive(100),
            render_interval=solara.use_reactive(1),
            use_threads=solara.use_reactive(False),
        )
        ModelCreator(model, user_params=params, model_parameters=parameters)


def test_solaraviz_page_renders_an_orgmodel_with_its_metrics():
    model = OrgModel("tower", rng=42, employees=40, units=2)
    page = SolaraViz(
        model,
        components=[make_plot_component("awareness")],
        model_params=model_params(),
        name="orgsim",
    )
    solara.render(page, handle_error=False)


def test_solaraviz_controls_step_and_reset_an_orgmodel():
    first = OrgModel("tower", rng=42, employees=40, units=2)
    model = solara.reactive(first)
    _, rc = solara.render(Controls(model, model_params()), handle_error=False)
    assert rc.find(v.TextField).widget.v_model == "42"  # the seed is text
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert model.value is first and first.steps == 1
    rc.find(v.Btn, children=["Reset"]).widget.click()  # passes scenario=Scenario(...)
    again = model.value
    assert again is not first and again.steps == 0
    assert again.structure == "tower" and again.organisation.n == 40
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert again.steps == 1
    # the seed typed as "42" is seed 42: the rebuilt model retraces the first one
    a = first.datacollector.get_model_vars_dataframe().iloc[0].to_numpy(dtype=float)
    b = again.datacollector.get_model_vars_dataframe().iloc[0].to_numpy(dtype=float)
    assert np.allclose(a, b, equal_nan=True)
