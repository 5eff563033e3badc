"""Serve the dashboard on 127.0.0.1 with every asset from this machine.

Panel's server (resources mode ``server``, its default) hands out its own copies of
BokehJS, Panel's JavaScript and their CSS and fonts; no template is used, so nothing
is fetched from a CDN and the dashboard works in a room without internet. Only 127.0.0.1 is
listened on and only its own origin may open the websocket.

Core objects
------------
serve
    Start the server (blocking until Ctrl-C); one model per browser session.
"""

from __future__ import annotations

import socket
from collections.abc import Callable

from orgsim.dashboard.session import Settings
from orgsim.errors import ParameterError

HOST = "127.0.0.1"


def port_free(port: int) -> bool:
    """Whether ``port`` can be listened on at 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def warm_up(settings: Settings) -> None:
    """Import and build once before listening, so the first tab opens as fast as the next."""
    from orgsim.dashboard.app import Dashboard

    Dashboard(settings.with_changes(structures=settings.structures[:1]))


def serve(
    settings: Settings,
    port: int = 5006,
    *,
    open_browser: bool = True,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the dashboard at ``http://127.0.0.1:PORT/`` until interrupted.

    ``ready(url)`` is called once the server listens (the CLI prints the address).
    """
    import panel as pn

    from orgsim.dashboard.app import build_app

    if not 0 < port < 65536:
        raise ParameterError("port", "a port number in 1..65535", port)
    if not port_free(port):
        raise ParameterError("port", "a free port (this one is in use)", port)
    warm_up(settings)
    url = f"http://{HOST}:{port}/"
    server = pn.serve(
        {"/": build_app(settings)},
        port=port,
        address=HOST,
        allow_websocket_origin=[f"{HOST}:{port}", f"localhost:{port}"],
        show=False,
        start=False,
        title="orgsim dashboard",
        threaded=False,
    )
    if ready is not None:
        ready(url)
    if open_browser:
        import webbrowser

        server.io_loop.add_callback(lambda: webbrowser.open(url))
    server.start()
    try:
        server.io_loop.start()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
