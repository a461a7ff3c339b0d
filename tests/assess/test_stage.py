"""The assess stage: reference date, unresolved fallback, intermediates, pipeline context."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from types import SimpleNamespace

from toex.assess.sql_steps import query, table_exists
from toex.assess.stage import STEPS, latest_event_date, run_assess, run_assess_stage

from .builders import build_warehouse, scenario


def test_reference_date_is_the_latest_event_not_the_clock() -> None:
    con = build_warehouse(*scenario())
    assert latest_event_date(con) == dt.date(2025, 12, 20)
    result = run_assess(con)
    assert result.as_of == dt.date(2025, 12, 20)
    rows = query(con, "SELECT DISTINCT as_of FROM assess_perpetrator_priority")
    assert rows == [{"as_of": dt.date(2025, 12, 20)}]


def test_without_resolution_every_record_stands_alone() -> None:
    events, mentions, _ = scenario()
    con = build_warehouse(events, mentions)  # no resolved_mention_person
    result = run_assess(con, as_of=dt.date(2025, 12, 31))
    assert result.resolved is False
    ids = {r["person_id"] for r in query(con, "SELECT person_id FROM assess_perpetrator_priority")}
    assert ids == {"s1", "s2", "s3", "s4", "s7", "s8", "s9", "s10"}


def test_intermediate_tables_are_dropped_and_reruns_are_identical() -> None:
    con = build_warehouse(*scenario())
    run_assess(con, as_of=dt.date(2025, 12, 31))
    first = con.execute("SELECT * FROM assess_perpetrator_priority ORDER BY ALL").fetchall()
    leftovers = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE starts_with(table_name, 'assess__')"
    ).fetchall()
    assert leftovers == []
    run_assess(con, as_of=dt.date(2025, 12, 31))
    assert con.execute("SELECT * FROM assess_perpetrator_priority ORDER BY ALL").fetchall() == first


class _Progress:
    """Records the pipeline's progress calls."""

    def __init__(self) -> None:
        self.steps = 0

    @contextlib.contextmanager
    def track(self, description: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
        assert (description, total) == ("assess", len(STEPS))

        def advance(n: int) -> None:
            self.steps += n

        yield advance


def test_pipeline_stage_reports_progress_and_result() -> None:
    con = build_warehouse(*scenario())
    progress = _Progress()
    ctx = SimpleNamespace(con=con, settings=SimpleNamespace(), progress=progress, results={})
    run_assess_stage(ctx)
    assert progress.steps == len(STEPS)
    assert ctx.results["assess"].perpetrators == 4
    assert table_exists(con, "assess_power_few")
