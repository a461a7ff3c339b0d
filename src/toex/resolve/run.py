"""Resolve every staged person mention of a warehouse: the orchestration edge.

:func:`resolve_people` reads ``staged_person_mention`` from the warehouse (an Ibis DuckDB
backend), builds features, trains (or reuses) the model and scores pairs on a compute
:class:`~toex.resolve.backend.Backend` (a private DuckDB scratch file by default, or
Spark), clusters with analyst decisions, keeps person IDs stable against the previous run,
and writes the ``resolved_*`` tables back to the warehouse.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends.duckdb import Backend as IbisDuckDB
from splink import Linker
from splink.internals.splink_dataframe import SplinkDataFrame

from toex.engine.quoting import path_literal
from toex.model.resolved_tables import COMPARISON_NAMES, TABLE_SPECS
from toex.resolve import persons
from toex.resolve.backend import Backend, duckdb_work_backend
from toex.resolve.blocking import block_keys_sql, blocked_pairs_sql, rule_keys_sql
from toex.resolve.clusters import DETERMINISTIC_SQL, cluster, decisions_table
from toex.resolve.features import clean_mentions, features_expr, name_lookups, partner_forces
from toex.resolve.model import (
    ModelParams,
    ModelSpec,
    linker_factory,
    predict,
    predict_slices,
    train,
)
from toex.resolve.placeholders import Placeholders, detect_hubs, fixed_placeholders
from toex.resolve.specs import person_spec
from toex.resolve.stable_ids import assign_new_ids, cluster_bounds_sql, inherit, overlap_sql

_log = logging.getLogger(__name__)
Progress = Callable[[str], None]


@dataclass
class ResolveConfig:
    """How to resolve: thresholds, engine resources and the model spec."""

    threshold: float = 0.95
    explain_threshold: float = 0.05
    threads: int = 2
    memory_limit: str = "8GB"
    work_dir: Path | None = None
    spec: ModelSpec = field(default_factory=person_spec)
    slice_pairs: int = 10_000_000
    """Most blocked pairs scored in one query: more are scored in slices by left mention,
    so the scoring join (pairs with both mentions' columns) and its spill stay bounded."""
    attach_threshold: float | None = 0.9
    """Probability at which a mention left alone joins the one cluster all its scored
    pairs point into (:func:`toex.resolve.clusters.orphan_links_sql`); ``None``: never."""
    train_mentions: int | None = 500_000
    """Most mentions training reads: a larger set is trained on a uniform sample of this
    many (:func:`training_sample_sql`); ``None`` trains on every mention. Prediction
    always scores every mention, with term frequencies of the whole set."""


@dataclass
class ResolveResult:
    """What a resolution run produced."""

    n_mentions: int
    n_persons: int
    n_pairs: int
    params: ModelParams
    timings: dict[str, float]
    n_slices: int = 1
    """How many slices the blocked pairs were scored in (``ResolveConfig.slice_pairs``)."""
    n_blocked: int = 0
    """How many blocked pairs were scored (0 when Splink's own blocking ran)."""


def features_of(wh: IbisDuckDB) -> tuple[ir.Table, Placeholders]:
    """The features expression over every staged mention of ``wh`` and the placeholders it
    nulls (hub detection and the name lookups run here; the expression itself is lazy)."""
    m = wh.table("staged_person_mention")
    ph = detect_hubs(clean_mentions(m, fixed_placeholders()))
    clean = clean_mentions(m, ph)
    return features_expr(clean, name_lookups(clean), partner_forces()), ph


def build_features(wh: IbisDuckDB) -> tuple[pa.Table, Placeholders]:
    """Features of every staged mention as Arrow (for small data: tests, explanations) and
    the placeholders nulled on the way. A run streams them to Parquet instead."""
    expr, ph = features_of(wh)
    return expr.order_by("mention_id").to_pyarrow(), ph


def placeholder_rows(wh: IbisDuckDB, ph: Placeholders) -> pa.Table:
    """``resolved_placeholder`` rows: listed values present in the data, and hubs."""
    m = wh.table("staged_person_mention")
    rows: list[tuple[str, str, int, str]] = []
    hubs = {(c, v) for c, v, _n, _r in ph.reasons}
    for col, values in sorted(ph.values.items()):
        listed = sorted((v for v in values if (col, str(v)) not in hubs), key=str)
        if not listed or col not in m.columns:
            continue
        counts = (
            m.filter(m[col].isin(listed))
            .group_by(col)
            .aggregate(n=ibis._.count())
            .order_by(col)
            .to_pyarrow()
            .to_pylist()
        )
        rows += [(col, str(r[col]), int(r["n"]), "listed placeholder") for r in counts]
    rows += ph.reasons
    return pa.table(
        {
            "column_name": [r[0] for r in rows],
            "value": [r[1] for r in rows],
            "n_mentions": pa.array([r[2] for r in rows], pa.int64()),
            "reason": [r[3] for r in rows],
        }
    )


def _pairs_sql(pred: str, spec: ModelSpec) -> str:
    gammas = ", ".join(f"gamma_{c}" for c in _comparison_names(spec))
    return (
        f"SELECT mention_id_l, mention_id_r, match_weight, match_probability, {gammas} FROM {pred}"
    )


def _score_blocked(
    be: Backend, linker: Linker, spec: ModelSpec, config: ResolveConfig, say: Progress
) -> tuple[int, int]:
    """Score the blocked pairs of ``spec.blocks`` in slices of about ``config.slice_pairs``
    and write ``resolve_pairs``; returns the number of slices and of blocked pairs.

    Each rule's capped keys are materialised once; the number of slices comes from the
    rules' pair counts (counted per key, an upper bound of the deduplicated union); then
    each slice's pairs (left mention's key modulo the slices) are built, deduplicated and
    scored in turn, so no table of every pair is built or rescanned."""
    be.create("resolve_block_keys", block_keys_sql("resolve_features", spec.blocks))
    tables = [f"resolve_rule_keys_{i}" for i in range(len(spec.blocks))]
    bound = 0
    for table, block in zip(tables, spec.blocks, strict=True):
        be.create(table, rule_keys_sql("resolve_block_keys", block))
        bound += int(be.fetch(block.pair_count_sql(table))["n"][0].as_py())
    n_slices = max(1, math.ceil(bound / max(1, config.slice_pairs)))
    api = be.splink_api()
    n_blocked = 0

    def slices() -> Iterator[SplinkDataFrame]:
        nonlocal n_blocked
        for i in range(n_slices):
            say(f"resolve: scoring pairs, slice {i + 1} of {n_slices}")
            sql = blocked_pairs_sql(
                "resolve_block_keys", spec.blocks, keyed=True, part=(n_slices, i), key_tables=tables
            )
            be.create("resolve_blocked_slice", sql)
            n_blocked += int(
                be.fetch("SELECT count(*) AS n FROM resolve_blocked_slice")["n"][0].as_py()
            )
            yield api.register("resolve_blocked_slice")

    parts = []
    for i, pred in enumerate(predict_slices(linker, slices(), config.explain_threshold)):
        be.create(f"resolve_pairs_{i}", _pairs_sql(pred.physical_name, spec))
        pred.drop_table_from_database_and_remove_from_cache()
        parts.append(f"SELECT * FROM resolve_pairs_{i}")
    be.create("resolve_pairs", " UNION ALL ".join(parts))
    for i in range(n_slices):
        be.drop(f"resolve_pairs_{i}")
    for name in ("resolve_blocked_slice", "resolve_block_keys", *tables):
        be.drop(name)
    return n_slices, n_blocked


def training_sample_sql(features: str, n_mentions: int, limit: int | None) -> str | None:
    """SQL of the mentions training reads when ``features`` holds more than ``limit``: the
    ``limit`` mentions first by a hash of their ID (a uniform sample, the same on every run
    of the same data); ``None`` when training reads them all.

    A uniform sample of mentions keeps the same share of true matches among the pairs any
    blocking rule generates (both are thinned by the square of the rate), so the prior,
    the ``u`` (random pairs) and the ``m`` (EM) it estimates are those of the whole set,
    while EM's training rules enumerate the square of the rate fewer pairs."""
    if limit is None or n_mentions <= limit:
        return None
    return f"SELECT * FROM {features} ORDER BY hash(mention_id), mention_id LIMIT {int(limit)}"


def _train_on_sample(
    be: Backend, spec: ModelSpec, n_mentions: int, limit: int | None
) -> ModelParams:
    """Train ``spec`` on ``resolve_features``, or on :func:`training_sample_sql` of it."""
    sample = training_sample_sql("resolve_features", n_mentions, limit)
    if sample is None:
        return train(linker_factory(be.splink_api(), "resolve_features", spec), spec)
    be.create("resolve_train_features", sample)
    try:
        return train(linker_factory(be.splink_api(), "resolve_train_features", spec), spec)
    finally:
        be.drop("resolve_train_features")


def _comparison_names(spec: ModelSpec) -> list[str]:
    return [str(c.create_output_column_name()) for c in spec.comparisons()]


def _write(wh: IbisDuckDB, name: str, data: pa.Table) -> None:
    con = wh.con
    con.register("__toex_resolve_out", data)
    con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM __toex_resolve_out")
    con.unregister("__toex_resolve_out")


def _cast_to_spec(wh: IbisDuckDB, name: str) -> None:
    spec = next(t for t in TABLE_SPECS if t.name == name)
    cols = ", ".join(
        f'CAST("{c.name}" AS {_duck_type(c.type)}) AS "{c.name}"' for c in spec.columns
    )
    wh.con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT {cols} FROM {name}")


def _duck_type(t: str) -> str:
    return {
        "string": "VARCHAR",
        "int64": "BIGINT",
        "float64": "DOUBLE",
        "boolean": "BOOLEAN",
        "date": "DATE",
        "timestamp": "TIMESTAMP",
    }[t]


def resolve_people(
    wh: IbisDuckDB,
    *,
    run_id: str,
    previous: pa.Table | None = None,
    decisions: list[tuple[str, str, bool]] | None = None,
    config: ResolveConfig | None = None,
    params: ModelParams | None = None,
    backend: Backend | None = None,
    progress: Progress | None = None,
) -> ResolveResult:
    """Resolve the warehouse's person mentions and write the ``resolved_*`` tables.

    ``previous`` is the previous run's ``mention_id, person_id``; ``decisions`` are active
    analyst decisions ``(mention_a, mention_b, same)``; ``params`` reuses trained parameters
    instead of training. The backend, when not given, is a scratch DuckDB file.
    """
    config = config or ResolveConfig()
    say = progress or (lambda _msg: None)
    spec = config.spec
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    own = backend is None
    be: Backend = backend or duckdb_work_backend(
        config.work_dir, config.threads, config.memory_limit
    )
    if config.work_dir is not None:
        config.work_dir.mkdir(parents=True, exist_ok=True)
    io = tempfile.TemporaryDirectory(
        prefix="toex_resolve_io_", dir=str(config.work_dir) if config.work_dir else None
    )
    files = Path(io.name)
    try:
        say("resolve: building features")
        # Engine to engine through Parquet: millions of mentions never sit in Python memory.
        feats_expr, ph = features_of(wh)
        wh.to_parquet(feats_expr, files / "features.parquet")
        be.load_parquet("resolve_features", files / "features.parquet")
        n_mentions = int(be.fetch("SELECT count(*) AS n FROM resolve_features")["n"][0].as_py())
        timings["features"] = time.perf_counter() - t0

        t = time.perf_counter()
        new_linker = linker_factory(be.splink_api(), "resolve_features", spec)
        if params is None:
            say("resolve: training the model")
            params = _train_on_sample(be, spec, n_mentions, config.train_mentions)
        linker = new_linker(params)
        timings["train"] = time.perf_counter() - t

        t = time.perf_counter()
        say("resolve: scoring pairs")
        if spec.blocks:
            n_slices, n_blocked = _score_blocked(be, linker, spec, config, say)
        else:
            pred = predict(linker, config.explain_threshold)
            be.create("resolve_pairs", _pairs_sql(pred.physical_name, spec))
            pred.drop_table_from_database_and_remove_from_cache()
            n_slices, n_blocked = 1, 0
        timings["predict"] = time.perf_counter() - t

        t = time.perf_counter()
        say("resolve: clustering")
        det = DETERMINISTIC_SQL if "identifiers" in _comparison_names(spec) else None
        cluster(
            be,
            "resolve_features",
            "resolve_pairs",
            decisions_table(decisions or []),
            config.threshold,
            deterministic=det,
            conflict=spec.conflict() if spec.conflict is not None else None,
            conflict_columns=spec.conflict_columns,
            attribute_conflicts=spec.attribute_conflicts() if spec.attribute_conflicts else (),
            attach=config.attach_threshold,
        )
        be.load(
            "resolve_prev",
            previous
            if previous is not None
            else pa.table(
                {"mention_id": pa.array([], pa.string()), "person_id": pa.array([], pa.string())}
            ),
        )
        inherited = inherit(
            [
                (r["cluster_key"], r["person_id"], r["n"])
                for r in be.fetch(overlap_sql("resolve_clusters", "resolve_prev")).to_pylist()
            ]
        )
        bounds = [
            (r["cluster_key"], r["max_mention"])
            for r in be.fetch(cluster_bounds_sql("resolve_clusters")).to_pylist()
        ]
        be.load("resolve_ids", assign_new_ids(inherited, bounds))
        be.export_parquet(
            """
            SELECT c.mention_id, i.person_id,
                   count(*) OVER (PARTITION BY i.person_id) AS cluster_size,
                   c.mention_id IN (SELECT mention_a FROM resolve_decisions UNION ALL
                                    SELECT mention_b FROM resolve_decisions) AS by_decision
            FROM resolve_clusters c JOIN resolve_ids i USING (cluster_key)
            ORDER BY c.mention_id""",
            files / "mention_person.parquet",
        )
        be.export_parquet(_match_pairs_sql(spec), files / "pairs.parquet")
        be.export_parquet(_term_frequency_sql(), files / "tf.parquet")
        timings["cluster"] = time.perf_counter() - t
    finally:
        if own:
            be.close()

    try:
        t = time.perf_counter()
        say("resolve: writing tables")
        con = wh.con
        for name, file in (
            ("resolved_mention_person", "mention_person"),
            ("resolved_match_pair", "pairs"),
            ("resolved_term_frequency", "tf"),
        ):
            con.execute(
                f"CREATE OR REPLACE TABLE {name} AS "
                f"SELECT * FROM read_parquet({path_literal(files / f'{file}.parquet')})"
            )
    finally:
        io.cleanup()
    _write(wh, "resolved_placeholder", placeholder_rows(wh, ph))
    con.execute(f"CREATE OR REPLACE TABLE resolved_person AS {persons.resolved_person_sql()}")
    con.execute(
        f"CREATE OR REPLACE TABLE resolved_object_sighting AS {persons.object_sightings_sql()}"
    )
    con.execute(f"CREATE OR REPLACE TABLE resolved_object AS {persons.resolved_object_sql()}")
    n_persons = int(con.execute("SELECT count(*) FROM resolved_person").fetchall()[0][0])
    n_pairs = int(con.execute("SELECT count(*) FROM resolved_match_pair").fetchall()[0][0])
    _write(
        wh,
        "resolved_model_params",
        pa.table(
            {
                "run_id": [run_id],
                "model": [spec.name],
                "params_json": [json.dumps(params, sort_keys=True)],
                "threshold": [float(config.threshold)],
                "n_mentions": [n_mentions],
                "n_pairs": [n_pairs],
                "n_persons": [n_persons],
                "trained_at": [dt.datetime.now(dt.UTC).replace(tzinfo=None)],
            }
        ),
    )
    for spec_ in TABLE_SPECS:
        _cast_to_spec(wh, spec_.name)
    timings["write"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - t0
    return ResolveResult(n_mentions, n_persons, n_pairs, params, timings, n_slices, n_blocked)


TF_COLUMNS = ("forename", "surname", "name_bag")
"""Columns whose term frequencies the person model reads (kept for the explanations)."""


def _term_frequency_sql(features: str = "resolve_features") -> str:
    """``column_name, value, tf`` of every term-frequency column the model reads: the
    share of mentions holding the value (as Splink computes it)."""
    return " UNION ALL ".join(
        f"""SELECT '{c}' AS column_name, {c} AS value,
                   CAST(count(*) AS DOUBLE) / sum(count(*)) OVER () AS tf
            FROM {features} WHERE {c} IS NOT NULL GROUP BY {c}"""
        for c in TF_COLUMNS
    )


def _match_pairs_sql(spec: ModelSpec) -> str:
    """SQL of ``resolved_match_pair`` on the backend: the kept pairs with a gamma column for
    every comparison of the person model (-1 for one the spec lacks, such as the generic
    reference's) and whether the pair is a match edge."""
    have = set(_comparison_names(spec))
    gammas = ", ".join(
        f"p.gamma_{c}" if c in have else f"CAST(-1 AS BIGINT) AS gamma_{c}"
        for c in COMPARISON_NAMES
    )
    return f"""
        SELECT p.mention_id_l, p.mention_id_r, p.match_weight, p.match_probability, {gammas},
               e.mention_id_l IS NOT NULL AS linked
        FROM resolve_pairs p
        LEFT JOIN (SELECT DISTINCT least(mention_id_l, mention_id_r) AS mention_id_l,
                          greatest(mention_id_l, mention_id_r) AS mention_id_r
                   FROM resolve_edges) e
          ON e.mention_id_l = least(p.mention_id_l, p.mention_id_r)
         AND e.mention_id_r = greatest(p.mention_id_l, p.mention_id_r)
        ORDER BY p.mention_id_l, p.mention_id_r"""


def stored_params(wh: IbisDuckDB) -> dict[str, Any] | None:
    """The parameters stored in the warehouse's ``resolved_model_params``, if any."""
    if "resolved_model_params" not in wh.list_tables():
        return None
    rows = wh.con.execute("SELECT params_json FROM resolved_model_params").fetchall()
    return json.loads(rows[0][0]) if rows else None
