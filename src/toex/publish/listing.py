"""Reading what has been published: coming meetings with their packs' status, the packs
recorded in the operational store, and the feedback on them (for ``toex publish``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from toex.config import load_catalogue
from toex.config.fttcg import meeting_calendars
from toex.ops import open_store
from toex.ops.packs import feedback_summaries, list_packs
from toex.publish.config import PublishConfig
from toex.publish.schedule import ScheduleRow, schedule_rows


def coming_meetings(
    cfg: PublishConfig,
    *,
    today: dt.date | None = None,
    force: str | None = None,
    per_force: int = 3,
) -> list[ScheduleRow]:
    """The next meetings of each force (or one) with the status of their packs."""
    catalogue = load_catalogue(cfg.catalogue_path)
    calendars = meeting_calendars(catalogue, cfg.calendar_override)
    codes = [catalogue.force(force).code] if force else None
    store = open_store(cfg.ops_url)
    try:
        packs = list_packs(store, codes)
    finally:
        store.dispose()
    return schedule_rows(
        catalogue,
        calendars,
        packs,
        today or dt.date.today(),
        cfg.lead_days,
        per_force=per_force,
        forces=codes,
    )


def recorded_packs(
    cfg: PublishConfig, *, force: str | None = None, include_superseded: bool = False
) -> list[dict[str, Any]]:
    """The packs in the operational store as plain rows (with their feedback count)."""
    codes = [load_catalogue(cfg.catalogue_path).force(force).code] if force else None
    store = open_store(cfg.ops_url)
    try:
        packs = list_packs(store, codes, include_superseded=include_superseded)
    finally:
        store.dispose()
    keys = [
        "id",
        "force_code",
        "meeting_date",
        "version",
        "superseded_at",
        "snapshot_run_id",
        "data_as_of",
        "built_at",
        "built_by",
        "pdf_path",
        "html_path",
        "pdf_sha256",
        "pages",
        "marking",
        "content_forces",
        "scope_forces",
    ]
    return [{**{k: getattr(p, k) for k in keys}, "feedback": len(p.feedback)} for p in packs]


def feedback_report(cfg: PublishConfig, *, force: str | None = None) -> list[dict[str, Any]]:
    """Feedback per force and overall (the last row), as plain rows."""
    catalogue = load_catalogue(cfg.catalogue_path)
    codes = [catalogue.force(force).code] if force else [f.code for f in catalogue.forces]
    store = open_store(cfg.ops_url)
    try:
        per_force, overall = feedback_summaries(store, codes)
    finally:
        store.dispose()
    rows = []
    for s in [*per_force, overall]:
        rows.append(
            {
                "force": s.force_code,
                "packs": s.packs,
                "responses": s.responses,
                "mean_usefulness": round(s.mean_usefulness, 1)
                if s.mean_usefulness is not None
                else None,
                "suspects_adopted": s.suspects_adopted,
                "suspects_answered": s.suspects_answered,
                "latest_action": s.actions[0]["action"] if s.actions else "",
            }
        )
    return rows
