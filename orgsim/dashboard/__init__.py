"""The live workshop dashboard (``orgsim dashboard``): a Panel app in the browser.

The session logic (:mod:`orgsim.dashboard.session`) needs only orgsim's own
dependencies; the app (:mod:`orgsim.dashboard.app`) and its server
(:mod:`orgsim.dashboard.server`) need the ``dashboard`` extra
(``pip install 'orgsim[dashboard]'``: Panel, Bokeh).

Core objects
------------
Settings, LiveRun, NODE_STATES
    One session's structures, seed and parameters; its models stepped in lockstep;
    the ways of colouring employees (:mod:`orgsim.dashboard.session`).
draw_view
    The current view as a matplotlib figure, for the PNG export
    (:mod:`orgsim.dashboard.snapshot`).
build_app, serve
    The Panel app of one browser session, and the server on 127.0.0.1
    (:mod:`orgsim.dashboard.app`, :mod:`orgsim.dashboard.server`).
"""

from __future__ import annotations

from orgsim.dashboard.session import NODE_STATES, LiveRun, Settings, settings_toml

__all__ = ["NODE_STATES", "LiveRun", "Settings", "settings_toml"]
