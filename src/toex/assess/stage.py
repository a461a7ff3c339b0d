"""The assess pipeline stage: run the analytics on a new warehouse snapshot.

:func:`run_assess_stage` is what ``toex.pipeline.STAGES`` calls with the run context
(``ctx.con`` the snapshot's Ibis backend, ``ctx.settings``...). :func:`run_assess` does the
work on any DuckDB connection, so tests and benchmarks call it directly:

1. the harm weights of the configured scheme (``assess_harm_weight``);
2. perpetrator priority on resolved persons (``assess_perpetrator_priority``,
   ``assess_perpetrator_rank``, and the markings of the records each row draws on,
   ``assess_perpetrator_marking``) and on unresolved mentions (``*_unresolved``), then each
   person's best rank before resolution beside his rank after;
3. the safeguarding health checks (``assess_safeguarding``);
4. the power few (``assess_power_few``);
5. the missing-person and ViSOR profiles and the person warnings (``profile_stage``).

The reference date is the configuration's ``as_of``, else the latest event date in the
data; never the wall clock, so a rerun on the same inputs gives the same tables.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from toex.assess import power_few, safeguarding
from toex.assess.config import AssessConfig, load_assess_config
from toex.assess.harm import write_harm_weights
from toex.assess.perpetrator_priority import (
    FORCE_REGION,
    PRIORITY_TABLE,
    RANK_TABLE,
    before_after_sql,
    marking_sql,
    priority_steps,
)
from toex.assess.profile_config import ProfilesConfig, load_profiles_config
from toex.assess.profile_stage import run_profiles
from toex.assess.sql_steps import (
    INTERMEDIATE_PREFIX,
    raw_connection,
    run_steps,
    table_exists,
    write_arrow,
)
from toex.config import load_catalogue
from toex.errors import PipelineError

log = logging.getLogger(__name__)

RESOLVED_MENTION_PERSON = "resolved_mention_person"
MENTION_IDENTITY = "assess__mention_identity"
UNRESOLVED_PREFIX = "assess__u_"
STEPS = ("harm", "unresolved", "perpetrators", "safeguarding", "power_few", "profiles")


@dataclass(frozen=True)
class AssessResult:
    """What a run of the assess analytics produced."""

    as_of: dt.date
    resolved: bool
    perpetrators: int
    safeguarding_rows: int


def latest_event_date(con: Any) -> dt.date:
    """The latest event date in ``staged_event`` (occurred, else reported)."""
    row = (
        raw_connection(con)
        .execute("SELECT max(coalesce(occurred_from, reported_date)) FROM staged_event")
        .fetchone()
    )
    if row is None or row[0] is None:
        raise PipelineError("assess: staged_event holds no dated event; nothing to assess")
    value = row[0]
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def force_region_table(catalogue_path: Path | None = None) -> pa.Table:
    """(force, region) for every force of the catalogue."""
    cat = load_catalogue(catalogue_path)
    return pa.table(
        {"force": [f.code for f in cat.forces], "region": [f.region for f in cat.forces]}
    )


def run_assess(
    con: Any,
    cfg: AssessConfig | None = None,
    *,
    as_of: dt.date | None = None,
    catalogue_path: Path | None = None,
    mention_person: str | None = None,
    progress: Callable[[str], None] | None = None,
    profiles: ProfilesConfig | None = None,
) -> AssessResult:
    """Run every assess analytic of this module on ``con``; return a summary.

    Uses ``resolved_mention_person`` when the resolve stage has written it; otherwise every
    mention stands alone (logged, and ``resolved`` is false in the result). Evaluation may
    name another (mention_id, person_id) table as ``mention_person`` (e.g. the truth).
    ``progress`` is called with the name of each of the :data:`STEPS` as it finishes.
    """
    done = progress or (lambda _step: None)
    cfg = cfg or load_assess_config()
    raw = raw_connection(con)
    as_of = as_of or cfg.as_of or latest_event_date(raw)
    write_harm_weights(raw, cfg)
    raw.register("assess__force_region_in", force_region_table(catalogue_path))
    raw.execute(
        f"CREATE OR REPLACE TEMP TABLE {FORCE_REGION} AS SELECT * FROM assess__force_region_in"
    )
    raw.unregister("assess__force_region_in")
    raw.execute(
        f"CREATE OR REPLACE TEMP TABLE {MENTION_IDENTITY} AS "
        "SELECT mention_id, mention_id AS person_id FROM staged_person_mention"
    )
    resolved = mention_person is not None or table_exists(raw, RESOLVED_MENTION_PERSON)
    if not resolved:
        log.warning(
            "assess: %s not found; ranking unresolved mentions only", RESOLVED_MENTION_PERSON
        )
    if mention_person is None:
        mention_person = RESOLVED_MENTION_PERSON if resolved else MENTION_IDENTITY
    done("harm")
    run_steps(
        raw,
        priority_steps(
            cfg,
            as_of,
            mention_person=MENTION_IDENTITY,
            prefix=UNRESOLVED_PREFIX,
            output=f"{PRIORITY_TABLE}_unresolved",
            output_rank=f"{RANK_TABLE}_unresolved",
        ),
    )
    done("unresolved")
    run_steps(
        raw, priority_steps(cfg, as_of, mention_person=mention_person, output="assess__priority")
    )
    run_steps(
        raw,
        [
            before_after_sql(mention_person, "assess__priority", PRIORITY_TABLE),
            marking_sql("assess__", mention_person),
        ],
    )
    done("perpetrators")
    run_steps(raw, safeguarding.safeguarding_steps(cfg, as_of, mention_person=mention_person))
    done("safeguarding")
    write_arrow(raw, power_few.POWER_FEW_TABLE, power_few.power_few_table(raw, cfg))
    done("power_few")
    run_profiles(
        raw, profiles, as_of=as_of, mention_person=mention_person, catalogue_path=catalogue_path
    )
    drop_intermediates(raw)
    done("profiles")
    n_perp = raw.execute(f"SELECT count(*) FROM {PRIORITY_TABLE}").fetchone()
    n_safe = raw.execute(f"SELECT count(*) FROM {safeguarding.SAFEGUARDING_TABLE}").fetchone()
    return AssessResult(
        as_of, resolved, int(n_perp[0]) if n_perp else 0, int(n_safe[0]) if n_safe else 0
    )


def drop_intermediates(con: Any) -> None:
    """Drop the ``assess__`` temporary tables of this connection."""
    raw = raw_connection(con)
    names = [
        r[0]
        for r in raw.execute(
            "SELECT table_name FROM duckdb_tables() WHERE temporary AND starts_with(table_name, ?)",
            [INTERMEDIATE_PREFIX],
        ).fetchall()
    ]
    for name in names:
        raw.execute(f"DROP TABLE IF EXISTS temp.{name}")


def run_assess_stage(ctx: Any) -> None:
    """Pipeline stage: the assess analytics on the snapshot being written (``ctx.con``).

    Reads ``assess_config`` (a YAML path) and ``as_of`` from ``ctx.settings`` when present;
    leaves the :class:`AssessResult` in ``ctx.results["assess"]``.
    """
    settings = getattr(ctx, "settings", None)
    path = getattr(settings, "assess_config", None)
    cfg = load_assess_config(Path(path) if path else None)
    rules = getattr(settings, "profiles_rules", None)
    profiles = load_profiles_config(Path(rules) if rules else None)
    as_of = getattr(settings, "as_of", None)
    catalogue = getattr(settings, "force_catalogue", None)
    tracker = getattr(ctx, "progress", None)
    if tracker is not None:
        with tracker.track("assess", total=len(STEPS)) as advance:
            result = run_assess(
                ctx.con,
                cfg,
                as_of=as_of,
                catalogue_path=catalogue,
                progress=lambda _step: advance(1),
                profiles=profiles,
            )
    else:
        result = run_assess(ctx.con, cfg, as_of=as_of, catalogue_path=catalogue, profiles=profiles)
    results = getattr(ctx, "results", None)
    if isinstance(results, dict):
        results["assess"] = result
    log.info(
        "assess: %d perpetrators ranked, %d safeguarding rows, as of %s%s",
        result.perpetrators,
        result.safeguarding_rows,
        result.as_of,
        "" if result.resolved else " (unresolved mentions)",
    )
