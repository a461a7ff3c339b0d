"""Link: networks of resolved persons across forces.

Holds the link stage (:mod:`~toex.link.stage`, run by ``toex run`` after resolve) and what it
is made of: who is seen with which object (:mod:`~toex.link.sightings`); typed, dated, sourced
edges and hub objects (:mod:`~toex.link.edges`); components, Leiden communities and
centrality on igraph (:mod:`~toex.link.graph`); network IDs and profiles with geographic
scale and harm (:mod:`~toex.link.networks`, :mod:`~toex.link.scale`, :mod:`~toex.link.harm`);
the cross-force report (:mod:`~toex.link.crossforce`); the settings (:mod:`~toex.link.config`)
and the SQL step runner (:mod:`~toex.link.steps`). The read API for the CLI and the web app
is :mod:`~toex.link.paths` and :mod:`~toex.link.api` (text renderings in
:mod:`~toex.link.report`); :mod:`~toex.link.evaluate` scores networks against synthetic truth.

May import ``toex.model``, ``toex.engine``, ``toex.config`` and ``toex.errors`` only.
"""
