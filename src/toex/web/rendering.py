"""HTML rendering: one Jinja2 environment (autoescaping on) and the page context.

Every page is rendered through :func:`render`, which adds what every page shows: the
snapshot's date and run id, the highest classification marking of the page's contents, the
user, and the CSRF token for its forms.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from toex.errors import ToexError
from toex.web.sessions import session_of

_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(Environment):
    """Jinja's environment, looking ``row.name`` up as a key first when ``row`` is a dict
    and ``name`` is not a dict attribute (Jinja tries the attribute first and catches the
    AttributeError, which for the hundreds of rows a profile shows costs more than the
    rest of rendering). The result is what Jinja would give."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``obj.attribute`` in a template."""
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


ENV = _Environment(
    loader=PackageLoader("toex.web", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html", "svg"), default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _fmt(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


ENV.filters["fmt"] = _fmt
MARKING_CLASSES = {
    "OFFICIAL": "official",
    "OFFICIAL-SENSITIVE": "sensitive",
    "SECRET": "secret",
    "TOP SECRET": "topsecret",
}
ENV.globals["marking_class"] = lambda m: MARKING_CLASSES.get(m, "secret")


def snapshot_label(request: Request) -> tuple[str, str]:
    """(date, run id) of the snapshot this request used, or of the current one."""
    snap = getattr(request.state, "snapshot", None)
    if snap is None:
        warehouse = request.app.state.toex.warehouse
        if warehouse.opening:  # pages without warehouse data do not wait for it
            return "snapshot opening", ""
        try:
            snap = request.app.state.toex.warehouse.snapshot()
        except ToexError:
            return "no snapshot", ""
    return snap.date, snap.ref.run_id


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    marking: str = "OFFICIAL",
    status: int = 200,
) -> HTMLResponse:
    """Render ``template`` with the page context; ``marking`` is the page's highest marking."""
    date, run_id = snapshot_label(request)
    page = {
        "request": request,
        "user": getattr(request.state, "principal", None),
        "csrf_token": session_of(request).csrf,
        "snapshot_date": date,
        "snapshot_run": run_id,
        "marking": marking,
        "partial": request.headers.get("hx-request") == "true",
        **context,
    }
    return HTMLResponse(ENV.get_template(template).render(page), status_code=status)
