"""The link stage: from staged and resolved tables to every ``link_*`` table of a snapshot.

:func:`run_link_stage` is the pipeline's entry (``toex run``); :func:`build_links` does the
work on a DuckDB connection and is what tests and the benchmark call. Order:

1. edges and hubs (:mod:`toex.link.edges`);
2. the person graph's components, Leiden communities and centrality (:mod:`toex.link.graph`);
3. network IDs (stable against the previous snapshot), members, centrality and profiles
   (:mod:`toex.link.networks`);
4. the cross-force report against the previous snapshot (:mod:`toex.link.crossforce`).

Intermediate ``_link_*`` tables are dropped at the end.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import duckdb

from toex.config import Catalogue, load_catalogue
from toex.engine.quoting import path_literal
from toex.errors import PipelineError
from toex.link.config import LinkConfig
from toex.link.crossforce import crossforce_sql
from toex.link.edges import edge_steps, reference_date_sql
from toex.link.harm import harm_days
from toex.link.networks import (
    compute_vertices,
    member_sql,
    network_edges_sql,
    network_id_sql,
    network_sql,
    person_facts_sql,
)
from toex.link.steps import drop_intermediate, raw_connection, run_steps, table_exists

log = logging.getLogger(__name__)

REQUIRED_TABLES: tuple[str, ...] = (
    "staged_person_mention",
    "staged_event",
    "staged_object",
    "staged_location",
    "resolved_mention_person",
)
"""Tables the link stage reads."""

PREVIOUS_ALIAS = "link_prev"


class StageContext(Protocol):
    """What the pipeline hands a stage (``toex.pipeline.PipelineContext``)."""

    con: Any
    previous: Any
    settings: Any
    progress: Any
    results: dict[str, Any]


@dataclass(frozen=True)
class LinkSummary:
    """Counts of what the stage built, for the run log."""

    edges: int
    hubs: int
    linked_persons: int
    components: int
    communities: int
    crossforce_new: int


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _reference_date(con: duckdb.DuckDBPyConnection, config: LinkConfig) -> dt.date:
    if config.reference_date is not None:
        return config.reference_date
    row = con.execute(reference_date_sql()).fetchone()
    value = row[0] if row else None
    return value if isinstance(value, dt.date) else dt.date.today()


def _attach_previous(con: duckdb.DuckDBPyConnection, previous_path: Path | None) -> bool:
    """Attach the previous snapshot read-only as ``link_prev``; False if it has no links."""
    if previous_path is None or not Path(previous_path).exists():
        return False
    con.execute(f"ATTACH {path_literal(previous_path)} AS {PREVIOUS_ALIAS} (READ_ONLY)")
    return True


@contextlib.contextmanager
def _insertion_order_relaxed(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Let DuckDB write tables without keeping insertion order (much less memory for large
    CREATE TABLE AS; every table that needs an order says ORDER BY); restored afterwards."""
    row = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()
    before = bool(row[0]) if row else True
    con.execute("SET preserve_insertion_order = false")
    try:
        yield
    finally:
        con.execute(f"SET preserve_insertion_order = {str(before).lower()}")


def build_links(
    con: duckdb.DuckDBPyConnection,
    config: LinkConfig | None = None,
    catalogue: Catalogue | None = None,
    previous_path: Path | None = None,
    advance: Callable[[int], None] | None = None,
) -> LinkSummary:
    """Build every ``link_*`` table on ``con`` from its staged and resolved tables.

    ``previous_path`` is the previous snapshot's DuckDB file (for stable network IDs and the
    "new since last run" report), or None. ``advance(1)`` is called after each of the three
    parts (edges, graph, networks) when given.
    """
    step = advance or (lambda _n: None)
    config = config or LinkConfig()
    catalogue = catalogue or load_catalogue()
    missing = [t for t in REQUIRED_TABLES if not table_exists(con, t)]
    if missing:
        raise PipelineError(
            f"link stage: missing input table(s) {', '.join(missing)}; run ingest and resolve first"
        )
    with _insertion_order_relaxed(con):
        return _build(con, config, catalogue, previous_path, step)


def _build(
    con: duckdb.DuckDBPyConnection,
    config: LinkConfig,
    catalogue: Catalogue,
    previous_path: Path | None,
    step: Callable[[int], None],
) -> LinkSummary:
    ref = _reference_date(con, config)
    run_steps(con, edge_steps(config, ref))
    drop_intermediate(con, keep=("_link_mention",))  # free memory: only mentions are reused
    step(1)
    edges = con.execute(network_edges_sql(config)).to_arrow_table()
    vertices = compute_vertices(edges, config)
    step(1)
    con.register("_link_vertex_view", vertices)
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE _link_vertex AS SELECT * FROM _link_vertex_view")
    finally:
        con.unregister("_link_vertex_view")
    attached = _attach_previous(con, previous_path)
    try:
        prev_members = prev_report = None
        if attached and table_exists(con, "link_network_member", PREVIOUS_ALIAS):
            prev_members = f"{PREVIOUS_ALIAS}.link_network_member"
        if attached and table_exists(con, "link_crossforce", PREVIOUS_ALIAS):
            prev_report = f"{PREVIOUS_ALIAS}.link_crossforce"
        steps = [
            network_id_sql(prev_members),
            *member_sql(),
            *person_facts_sql(config),
            network_sql(catalogue, config, harm_days(config)),
            crossforce_sql(catalogue, prev_report),
        ]
        run_steps(con, steps)
    finally:
        if attached:
            con.execute(f"DETACH {PREVIOUS_ALIAS}")
    step(1)
    summary = LinkSummary(
        edges=_count(con, "SELECT count(*) FROM link_edge"),
        hubs=_count(con, "SELECT count(*) FROM link_hub"),
        linked_persons=_count(con, "SELECT count(*) FROM link_centrality"),
        components=_count(con, "SELECT count(*) FROM link_network WHERE level = 'component'"),
        communities=_count(con, "SELECT count(*) FROM link_network WHERE level = 'community'"),
        crossforce_new=_count(con, "SELECT count(*) FROM link_crossforce WHERE status = 'new'"),
    )
    drop_intermediate(con)
    return summary


def config_from_settings(settings: Any) -> LinkConfig:
    """The link config: the YAML named by ``settings.link_config`` if set, else defaults."""
    path = getattr(settings, "link_config", None)
    return LinkConfig.from_yaml(Path(path)) if path else LinkConfig()


def run_link_stage(ctx: StageContext) -> None:
    """Pipeline stage: build the link tables in the snapshot being written.

    Leaves a :class:`LinkSummary` in ``ctx.results["link"]``.
    """
    con = raw_connection(ctx.con)
    previous = getattr(ctx.previous, "path", None) if ctx.previous is not None else None
    catalogue_path = getattr(ctx.settings, "force_catalogue", None)
    with ctx.progress.track("link", total=3) as advance:
        summary = build_links(
            con,
            config_from_settings(ctx.settings),
            load_catalogue(catalogue_path),
            previous,
            advance,
        )
    log.info("link: %s", summary)
    ctx.results["link"] = summary
