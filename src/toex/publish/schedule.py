"""FTTCG meetings and pack timing: which meeting a pack is for, which packs are due.

A pack is *due* when its meeting is after today and at most ``lead_days`` (7) days ahead:
a daily ``toex publish due`` builds each pack on the first run inside that window, and
later runs find it published (a run missed on the seventh day is caught up on the sixth).
Pure functions of the calendars, today's date and the packs already recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from toex.config import Catalogue, Force
from toex.errors import ConfigError, InputError
from toex.ops.pack_models import PublishedPack

CALENDAR_HINT = (
    "add its meeting dates to the force catalogue or to the calendar file named by "
    "TOEX_FTTCG_CALENDAR"
)


def long_date(day: dt.date) -> str:
    """``Friday 9 January 2026``."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def require_calendar(force: Force, dates: tuple[dt.date, ...]) -> tuple[dt.date, ...]:
    """``dates``, or a :class:`ConfigError` saying the force has no FTTCG calendar."""
    if not dates:
        raise ConfigError(f"{force.name} ({force.code}) has no FTTCG calendar: {CALENDAR_HINT}")
    return dates


def resolve_meeting(
    force: Force, dates: tuple[dt.date, ...], meeting: dt.date | None, today: dt.date
) -> dt.date:
    """The meeting a pack is for: ``meeting`` if it is in the force's calendar and not in
    the past, else (when not given) the next meeting from ``today``."""
    require_calendar(force, dates)
    if meeting is None:
        coming = [d for d in dates if d >= today]
        if not coming:
            raise InputError(
                f"{force.name} has no FTTCG meeting on or after {today.isoformat()} in its "
                f"calendar (the last was {dates[-1].isoformat()}): {CALENDAR_HINT}"
            )
        return coming[0]
    if meeting < today:
        raise InputError(
            f"the FTTCG meeting of {meeting.isoformat()} is in the past (today is "
            f"{today.isoformat()}): a pack is made for a coming meeting"
        )
    if meeting not in dates:
        nexts = [d.isoformat() for d in dates if d >= today][:3]
        listed = ", ".join(nexts) if nexts else "none in its calendar"
        raise InputError(
            f"{meeting.isoformat()} is not an FTTCG meeting of {force.name}; its next "
            f"meetings are: {listed}"
        )
    return meeting


def due_meetings(
    calendars: Mapping[str, tuple[dt.date, ...]], today: dt.date, lead_days: int
) -> list[tuple[str, dt.date]]:
    """(force code, meeting) for every meeting after ``today`` and at most ``lead_days``
    days ahead, in date then force order."""
    horizon = today + dt.timedelta(days=lead_days)
    due = [(d, code) for code, dates in calendars.items() for d in dates if today < d <= horizon]
    return [(code, d) for d, code in sorted(due)]


@dataclass(frozen=True)
class ScheduleRow:
    """One coming meeting of one force and where its pack stands."""

    force: str
    force_name: str
    meeting: dt.date | None
    due_on: dt.date | None
    status: str
    pack_id: int | None = None
    version: int | None = None
    built_at: dt.datetime | None = None
    marking: str | None = None


def schedule_rows(
    catalogue: Catalogue,
    calendars: Mapping[str, tuple[dt.date, ...]],
    packs: Iterable[PublishedPack],
    today: dt.date,
    lead_days: int,
    *,
    per_force: int = 3,
    forces: Iterable[str] | None = None,
) -> list[ScheduleRow]:
    """The next ``per_force`` meetings of each force (from today), with pack status:
    ``published``, ``due now`` (inside the lead window, not yet built), ``due on <date>``;
    a force without meetings ahead gets one row saying so (no meeting date)."""
    wanted = set(forces) if forces is not None else None
    live = {(p.force_code, p.meeting_date): p for p in packs if p.superseded_at is None}
    rows: list[ScheduleRow] = []
    for force in catalogue.forces:
        if wanted is not None and force.code not in wanted:
            continue
        dates = [d for d in calendars.get(force.code, ()) if d >= today][:per_force]
        if not dates:
            why = "no FTTCG calendar" if not calendars.get(force.code) else "calendar ends"
            rows.append(ScheduleRow(force.code, force.short_name, None, None, why))
            continue
        for d in dates:
            due_on = d - dt.timedelta(days=lead_days)
            pack = live.get((force.code, d))
            if pack is not None:
                rows.append(
                    ScheduleRow(
                        force.code,
                        force.short_name,
                        d,
                        due_on,
                        "published",
                        pack.id,
                        pack.version,
                        pack.built_at,
                        pack.marking,
                    )
                )
            elif today < d and due_on <= today:
                rows.append(ScheduleRow(force.code, force.short_name, d, due_on, "due now"))
            else:
                status = "meeting today" if d == today else f"due on {due_on.isoformat()}"
                rows.append(ScheduleRow(force.code, force.short_name, d, due_on, status))
    return sorted(rows, key=lambda r: (r.meeting or dt.date.max, r.force))
