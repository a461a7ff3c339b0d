"""FTTCG meetings: which meeting a pack is for, which packs are due, schedule status."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from toex.config import load_catalogue
from toex.config.fttcg import meeting_calendars, parse_calendar_override
from toex.errors import ConfigError, InputError
from toex.ops.pack_models import PublishedPack
from toex.publish.schedule import due_meetings, resolve_meeting, schedule_rows

D = dt.date
CAMBS = load_catalogue().force("cambs")
DATES = (D(2026, 1, 9), D(2026, 2, 6), D(2026, 3, 6))


def test_the_next_meeting_is_the_first_on_or_after_today() -> None:
    assert resolve_meeting(CAMBS, DATES, None, D(2026, 1, 2)) == D(2026, 1, 9)
    assert resolve_meeting(CAMBS, DATES, None, D(2026, 1, 9)) == D(2026, 1, 9)
    assert resolve_meeting(CAMBS, DATES, D(2026, 2, 6), D(2026, 1, 2)) == D(2026, 2, 6)


def test_past_unknown_and_missing_meetings_are_clear_errors() -> None:
    with pytest.raises(InputError) as err:
        resolve_meeting(CAMBS, DATES, D(2026, 1, 9), D(2026, 1, 10))
    assert str(err.value) == (
        "the FTTCG meeting of 2026-01-09 is in the past (today is 2026-01-10): a pack is "
        "made for a coming meeting"
    )
    with pytest.raises(InputError) as err:
        resolve_meeting(CAMBS, DATES, D(2026, 1, 10), D(2026, 1, 2))
    assert str(err.value) == (
        "2026-01-10 is not an FTTCG meeting of Cambridgeshire Constabulary; its next meetings "
        "are: 2026-01-09, 2026-02-06, 2026-03-06"
    )
    with pytest.raises(InputError) as err:
        resolve_meeting(CAMBS, DATES, None, D(2026, 4, 1))
    assert str(err.value) == (
        "Cambridgeshire Constabulary has no FTTCG meeting on or after 2026-04-01 in its "
        "calendar (the last was 2026-03-06): add its meeting dates to the force catalogue or "
        "to the calendar file named by TOEX_FTTCG_CALENDAR"
    )
    with pytest.raises(ConfigError) as cerr:
        resolve_meeting(CAMBS, (), None, D(2026, 1, 2))
    assert str(cerr.value) == (
        "Cambridgeshire Constabulary (cambs) has no FTTCG calendar: add its meeting dates to "
        "the force catalogue or to the calendar file named by TOEX_FTTCG_CALENDAR"
    )


def test_due_means_after_today_and_within_the_lead_days() -> None:
    calendars = {"cambs": DATES, "essex": (D(2026, 1, 8), D(2026, 1, 16))}
    assert due_meetings(calendars, D(2026, 1, 2), 7) == [
        ("essex", D(2026, 1, 8)),
        ("cambs", D(2026, 1, 9)),
    ]
    assert due_meetings(calendars, D(2026, 1, 1), 7) == [("essex", D(2026, 1, 8))]
    # a run missed on the seventh day is caught up later; the meeting day itself is too late
    assert due_meetings(calendars, D(2026, 1, 8), 7) == [("cambs", D(2026, 1, 9))]
    assert due_meetings(calendars, D(2026, 1, 9), 7) == [("essex", D(2026, 1, 16))]
    assert due_meetings(calendars, D(2026, 1, 9), 0) == []


def test_schedule_rows_say_where_each_pack_stands() -> None:
    cat = load_catalogue()
    calendars = {f.code: () for f in cat.forces} | {"cambs": DATES, "essex": (D(2025, 1, 1),)}
    published = PublishedPack(
        id=7, force_code="cambs", meeting_date=D(2026, 1, 9), version=2, marking="SECRET"
    )
    rows = schedule_rows(cat, calendars, [published], D(2026, 1, 2), 7, per_force=2)
    mine = [
        (r.force, r.meeting, r.status, r.version)
        for r in rows
        if r.force in {"cambs", "essex", "gmp"}
    ]
    assert mine == [
        ("cambs", D(2026, 1, 9), "published", 2),
        ("cambs", D(2026, 2, 6), "due on 2026-01-30", None),
        ("essex", None, "calendar ends", None),
        ("gmp", None, "no FTTCG calendar", None),
    ]
    due_now = schedule_rows(cat, calendars, [], D(2026, 1, 2), 7, forces=["cambs"])
    assert [r.status for r in due_now] == ["due now", "due on 2026-01-30", "due on 2026-02-27"]


def test_a_calendar_file_replaces_the_catalogue_for_the_forces_it_names(tmp_path: Path) -> None:
    cat = load_catalogue()
    path = tmp_path / "fttcg.yaml"
    path.write_text(
        "cambs: {dates: [2026-02-06, 2026-01-09, 2026-01-09]}\n"
        "essex: {weekday: friday, week: 1, start: 2026-01-01, months: 2}\n"
        "norfolk: {dates: []}\n"
    )
    calendars = meeting_calendars(cat, path)
    assert calendars["cambs"] == (D(2026, 1, 9), D(2026, 2, 6))
    assert calendars["essex"] == (D(2026, 1, 2), D(2026, 2, 6))
    assert calendars["norfolk"] == ()
    assert calendars["gmp"] == cat.force("gmp").fttcg_dates


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kent": {"dates": []}}, "cal.yaml: unknown force 'kent'; known: cambs, essex"),
        (
            {"cambs": {"dates": ["2026-13-01"]}},
            "cal.yaml: force 'cambs': fttcg: '2026-13-01' is not a date (YYYY-MM-DD)",
        ),
        (
            {"cambs": {"weekday": "fri", "week": 1, "start": "2026-01-01", "months": 1}},
            "cal.yaml: force 'cambs': fttcg: unknown weekday 'fri'",
        ),
        (
            {"cambs": {"weekday": "friday", "week": 1, "months": 1}},
            "cal.yaml: force 'cambs': fttcg: missing 'start' (or give 'dates')",
        ),
        (
            {"cambs": "first friday"},
            "cal.yaml: force 'cambs': fttcg: expected dates or a monthly rule",
        ),
        (["cambs"], "cal.yaml: expected a mapping of force code to calendar"),
    ],
)
def test_a_bad_calendar_file_names_the_force_and_field(data: object, message: str) -> None:
    cat = load_catalogue()
    small = type(cat)(cat.regions, tuple(f for f in cat.forces if f.code in {"cambs", "essex"}), ())
    with pytest.raises(ConfigError) as err:
        parse_calendar_override(data, "cal.yaml", small)
    assert str(err.value) == message


def test_a_missing_calendar_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        meeting_calendars(load_catalogue(), tmp_path / "nope.yaml")
    assert str(err.value) == f"FTTCG calendar {tmp_path / 'nope.yaml'}: No such file or directory"
