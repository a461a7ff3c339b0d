"""The web app and JSON API: FastAPI routers per resource, Jinja2 templates, vendored
static assets (HTMX), login and sessions, the access-filtered data layer, and audit.

It may import every package above it (model, config, engine, ops and the stage packages);
nothing imports it. Layout:

* ``app.py``: the application factory; ``context.py``: shared state and dependencies;
* ``sessions.py``: signed session cookie, CSRF, security headers (one ASGI middleware);
* ``auth.py``: the ``AuthProvider`` seam (local argon2 accounts; OIDC documented),
  login rate limiting, the request's principal;
* ``warehouse.py``: the read-only snapshot, switched when ``CURRENT`` moves;
* ``data/``: every read query, each applying the access filter defined once in
  ``data/filters.py``;
* ``routers/``: one thin module per resource; ``errors.py``: the one ``ToexError`` handler;
* ``rendering.py``, ``charts.py`` (server-side SVG), ``names.py`` (nickname/fuzzy names),
  ``decisions.py`` and ``explain.py`` (adapters to the resolve stage).
"""
