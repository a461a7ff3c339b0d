"""Building a force profile pack: the publish stage's entry points.

:func:`build_pack` makes one force's pack for one FTTCG meeting from the current snapshot,
writes its HTML and PDF atomically, and records it in the operational store (audited).
:func:`publish_due` builds every pack that is due, sharing one snapshot connection, and is
idempotent: a meeting with a published pack is skipped unless ``rebuild`` is asked for.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toex.assess.config import AssessConfig, load_assess_config
from toex.assess.perpetrator_priority import PRIORITY_TABLE
from toex.assess.sql_steps import raw_connection
from toex.config import Catalogue, Force, load_catalogue
from toex.config.fttcg import meeting_calendars
from toex.engine import SnapshotInfo, SnapshotStore, connect
from toex.errors import InputError, NotFoundError, SnapshotError, ToexError
from toex.model import Classification
from toex.ops import open_store
from toex.ops.db import OpsStore
from toex.ops.packs import (
    NewPack,
    current_pack,
    next_version,
    record_pack,
)
from toex.publish.config import PublishConfig
from toex.publish.content import PackContext, Provenance, Section
from toex.publish.files import sha256, write_pack_files
from toex.publish.records import RECORD, access_steps, run_temp, visible_sql
from toex.publish.render import render_pdf
from toex.publish.schedule import (
    due_meetings,
    long_date,
    resolve_meeting,
)
from toex.publish.scope import PackScope, pack_scope
from toex.publish.sections import build_sections

log = logging.getLogger(__name__)


@dataclass
class Snapshot:
    """The current snapshot opened for publishing, with the access tables built once."""

    info: SnapshotInfo
    con: Any
    as_of: dt.date
    assess: AssessConfig

    @classmethod
    def open(cls, data_dir: Path, assess: AssessConfig | None = None) -> Snapshot:
        """Open ``data_dir``'s current snapshot read-only and build the access tables."""
        info = SnapshotStore(data_dir).current()
        if info is None:
            raise SnapshotError(f"no warehouse snapshot under {data_dir}: run `toex run` first")
        con = connect(info.path, read_only=True)
        try:
            return cls._prepared(info, con, assess)
        except BaseException:
            raw_connection(con).close()
            raise

    @classmethod
    def _prepared(cls, info: SnapshotInfo, con: Any, assess: AssessConfig | None) -> Snapshot:
        raw = raw_connection(con)
        for table, stage in ((PRIORITY_TABLE, "assess"), ("resolved_mention_person", "resolve")):
            found = raw.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table]
            ).fetchone()
            if not found or not found[0]:
                raise SnapshotError(
                    f"snapshot {info.run_id} has no {table}: the {stage} stage has not run on "
                    "it (run `toex run`)"
                )
        row = raw.execute(f"SELECT max(as_of) FROM {PRIORITY_TABLE}").fetchone()
        if row is None or row[0] is None:
            raise SnapshotError(f"snapshot {info.run_id}: {PRIORITY_TABLE} is empty")
        cfg = assess or load_assess_config()
        run_temp(raw, access_steps(cfg, row[0]))
        return cls(info, con, row[0], cfg)

    def close(self) -> None:
        """Close the connection."""
        raw_connection(self.con).close()


@dataclass
class PackResult:
    """What one build did: built (with its files and figures) or found already published."""

    force: str
    meeting: dt.date
    status: str  # built | published already
    pack_id: int | None = None
    version: int | None = None
    pdf_path: Path | None = None
    html_path: Path | None = None
    pages: int = 0
    marking: str = ""
    pdf_sha256: str = ""
    seconds: float = 0.0
    suspects: list[dict[str, object]] = field(default_factory=list)
    page_markings: list[str] = field(default_factory=list)
    sections: list[dict[str, object]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def _visible_records(snap: Snapshot, force: Force, scope: PackScope) -> int:
    row = (
        raw_connection(snap.con)
        .execute(
            f"SELECT count(*) FILTER (WHERE {visible_sql(scope.scope, 'r')}), count(*) "
            f"FROM {RECORD} AS r WHERE r.force = ?",
            [force.code],
        )
        .fetchone()
    )
    visible, total = (int(row[0]), int(row[1])) if row else (0, 0)
    if total == 0:
        raise NotFoundError(
            f"the current snapshot (run {snap.info.run_id}) holds no records of {force.name}: "
            "nothing to publish"
        )
    if visible == 0:
        raise NotFoundError(
            f"none of {force.name}'s {total} records in the current snapshot may be drawn on "
            f"under this pack's access scope ({scope.basis}): nothing to publish"
        )
    return visible


def _context(
    ctx: PackContext,
    sections: list[Section],
    snap: Snapshot,
    scope: PackScope,
    marking: str,
    author: str,
    version: int,
) -> dict[str, Any]:
    from toex.assess.perpetrator_priority import months_before

    year_ago = months_before(ctx.as_of, 12) + dt.timedelta(days=1)
    stale = (ctx.meeting - ctx.as_of).days
    return {
        "force": ctx.force,
        "sections": sections,
        "marking": marking,
        "meeting_long": long_date(ctx.meeting),
        "period": f"{year_ago:%-d %B %Y} to {ctx.as_of:%-d %B %Y}",
        "trend_from": f"{months_before(ctx.as_of, 23):%B %Y}",
        "as_of_long": f"{ctx.as_of:%-d %B %Y}",
        "snapshot": {
            "run_id": snap.info.run_id,
            "created": f"{snap.info.created_at:%-d %B %Y %H:%M} UTC",
        },
        "built": f"{dt.datetime.now(dt.UTC):%-d %B %Y %H:%M} UTC",
        "author": author,
        "version": version,
        "scope_forces": ", ".join(
            f.short_name for f in ctx.catalogue.forces if f.code in ctx.scope.forces
        ),
        "scope_basis": scope.basis,
        "stale_days": stale if stale > 60 else 0,
        "victim_names": ctx.victim_names,
    }


def make_pack(
    cfg: PublishConfig,
    store: OpsStore,
    snap: Snapshot,
    catalogue: Catalogue,
    force: Force,
    meeting: dt.date,
    *,
    today: dt.date,
    author: str,
    out_dir: Path | None = None,
    client: str = "cli",
) -> PackResult:
    """Build, write and record one pack (the meeting already checked)."""
    started = time.perf_counter()
    timings: dict[str, float] = {}
    scope = pack_scope(
        store, force, clearance=cfg.clearance, handling_codes=cfg.handling_codes, today=today
    )
    _visible_records(snap, force, scope)
    ctx = PackContext(
        snap.con,
        force,
        catalogue,
        scope.scope,
        meeting,
        snap.as_of,
        snap.assess,
        victim_names=cfg.victim_names,
        shared={"scope_basis": scope.basis},
    )
    timings["scope"] = time.perf_counter() - started
    sections = build_sections(ctx)
    timings["sections"] = time.perf_counter() - started - sum(timings.values())
    provenance = Provenance().merged(*(s.provenance for s in sections))
    marking = provenance.marking
    version = next_version(store, force.code, meeting)
    html, rendered = render_pdf(
        _context(ctx, sections, snap, scope, marking, author, version),
        running_title=f"{force.name} · force profile",
        meeting=f"{force.short_name} FTTCG {meeting:%-d %B %Y}",
        marking=marking,
    )
    timings["render"] = time.perf_counter() - started - sum(timings.values())
    top = Classification.highest(rendered.page_markings).value
    if top != marking:
        raise InputError(f"pack marking {marking} differs from its highest page marking {top}")
    stem = f"toex-pack-{force.code}-{meeting.isoformat()}-v{version}"
    target = out_dir if out_dir is not None else cfg.packs_dir / force.code
    pdf_path, html_path = write_pack_files(target, stem, html, rendered.pdf)
    partners = {p.code for p in catalogue.partners}
    suspects = [
        {"slot": s["position"], "person_id": s["person_id"], "label": s["label"]}
        for s in ctx.shared.get("suspects", [])
    ]
    section_list: list[dict[str, object]] = [
        {"key": s.key, "title": s.title, "available": s.available, "marking": s.provenance.marking}
        for s in sections
    ]
    pdf_hash = sha256(rendered.pdf)
    pack = record_pack(
        store,
        NewPack(
            force_code=force.code,
            meeting_date=meeting,
            version=version,
            snapshot_run_id=snap.info.run_id,
            data_as_of=snap.as_of,
            pdf_path=str(pdf_path.resolve()),
            html_path=str(html_path.resolve()),
            pdf_sha256=pdf_hash,
            html_sha256=sha256(html.encode("utf-8")),
            pdf_bytes=len(rendered.pdf),
            pages=rendered.pages,
            marking=marking,
            content_forces=sorted(provenance.forces - partners),
            handling_codes=sorted(provenance.handling),
            scope_forces=sorted(scope.scope.forces),
            sections=section_list,
            suspects=suspects,
        ),
        author,
        client,
    )
    timings["write_record"] = time.perf_counter() - started - sum(timings.values())
    return PackResult(
        force.code,
        meeting,
        "built",
        pack.id,
        version,
        pdf_path,
        html_path,
        rendered.pages,
        marking,
        pdf_hash,
        time.perf_counter() - started,
        suspects,
        rendered.page_markings,
        section_list,
        timings,
    )


def build_pack(
    cfg: PublishConfig,
    force_name: str,
    *,
    author: str,
    meeting: dt.date | None = None,
    today: dt.date | None = None,
    out_dir: Path | None = None,
    rebuild: bool = False,
) -> PackResult:
    """Build ``force_name``'s pack for ``meeting`` (default: its next FTTCG meeting).

    A meeting that already has a published pack is left alone (status ``published
    already``) unless ``rebuild``; a missing calendar, a past meeting, a date that is not
    a meeting, or a force with no data raise a :class:`ToexError` before anything is
    written.
    """
    day = today or dt.date.today()
    catalogue = load_catalogue(cfg.catalogue_path)
    force = catalogue.force(force_name)
    calendars = meeting_calendars(catalogue, cfg.calendar_override)
    when = resolve_meeting(force, calendars.get(force.code, ()), meeting, day)
    store = open_store(cfg.ops_url)
    try:
        existing = current_pack(store, force.code, when)
        if existing is not None and not rebuild:
            return _existing(existing)
        snap = Snapshot.open(cfg.data_dir)
        try:
            return make_pack(
                cfg, store, snap, catalogue, force, when, today=day, author=author, out_dir=out_dir
            )
        finally:
            snap.close()
    finally:
        store.dispose()


def _existing(pack: Any) -> PackResult:
    return PackResult(
        pack.force_code,
        pack.meeting_date,
        "published already",
        pack.id,
        pack.version,
        Path(pack.pdf_path),
        Path(pack.html_path),
        pack.pages,
        pack.marking,
        pack.pdf_sha256,
        suspects=list(pack.suspects),
    )


@dataclass
class DueResult:
    """One due meeting and what ``publish due`` did about it."""

    force: str
    meeting: dt.date
    status: str  # built | published already | failed
    message: str = ""
    result: PackResult | None = None


def publish_due(
    cfg: PublishConfig,
    *,
    author: str,
    today: dt.date | None = None,
    rebuild: bool = False,
    lead_days: int | None = None,
) -> list[DueResult]:
    """Build every pack whose meeting is after ``today`` and at most ``lead_days`` ahead.

    Packs already published are skipped (unless ``rebuild``); one force's failure (no data,
    say) is reported in its result and does not stop the others.
    """
    day = today or dt.date.today()
    catalogue = load_catalogue(cfg.catalogue_path)
    calendars = meeting_calendars(catalogue, cfg.calendar_override)
    due = due_meetings(calendars, day, cfg.lead_days if lead_days is None else lead_days)
    out: list[DueResult] = []
    if not due:
        return out
    store = open_store(cfg.ops_url)
    snap: Snapshot | None = None
    try:
        for code, meeting in due:
            existing = current_pack(store, code, meeting)
            if existing is not None and not rebuild:
                out.append(
                    DueResult(code, meeting, "published already", result=_existing(existing))
                )
                continue
            try:
                snap = snap or Snapshot.open(cfg.data_dir)
                result = make_pack(
                    cfg,
                    store,
                    snap,
                    catalogue,
                    catalogue.force(code),
                    meeting,
                    today=day,
                    author=author,
                )
            except ToexError as exc:
                log.error("pack for %s (%s) failed: %s", code, meeting, exc)
                out.append(DueResult(code, meeting, "failed", str(exc)))
                if isinstance(exc, SnapshotError):
                    break
                continue
            out.append(DueResult(code, meeting, "built", result=result))
    finally:
        if snap is not None:
            snap.close()
        store.dispose()
    return out
