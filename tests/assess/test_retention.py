"""MoPI retention review: rules, groups and review dates on inline records, the stage in a
run, and the list of records due."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from ingest.exports import write_mini_export
from toex import pipeline
from toex.assess.retention import (
    due_for_review,
    load_retention_rules,
    parse_retention_rules,
    retention_review_sql,
    run_retention_stage,
)
from toex.errors import ConfigError

EVENTS = [
    # event_id, force, system, record id, type, offence, occurred_from, reported, occurred_to
    ("e1", "cambs", "visor", "V1", "visor", "20A", "2010-02-28", None, None),
    ("e2", "cambs", "athena", "C1", "crime", "19C", "2020-02-29", "2020-03-01", None),
    ("e3", "essex", "niche", "C2", "crime", "8N", "2019-06-01", None, None),
    ("e4", "essex", "niche", "C3", "crime", "46", "2020-02-29", None, None),
    ("e5", "essex", "niche", "I1", "intelligence", None, None, None, None),
    ("e6", "cambs", "athena", "C4", "crime", "92A", None, "2016-01-01", None),
]


def _events() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE staged_event (event_id VARCHAR, force VARCHAR, source_system VARCHAR, "
        "source_record_id VARCHAR, event_type VARCHAR, offence_code VARCHAR, "
        "occurred_from DATE, reported_date DATE, occurred_to DATE, handling_code VARCHAR, "
        "classification VARCHAR)"
    )
    con.executemany(
        "INSERT INTO staged_event VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'P', 'OFFICIAL')", EVENTS
    )
    return con


def test_each_record_gets_its_group_and_review_date() -> None:
    con = _events()
    con.execute(retention_review_sql(load_retention_rules(), dt.date(2026, 12, 7)))
    rows = con.execute(
        "SELECT event_id, mopi_group, review_years, event_date::VARCHAR, "
        "review_date::VARCHAR, review_due FROM assess_retention_review ORDER BY event_id"
    ).fetchall()
    assert rows == [
        ("e1", 1, 10, "2010-02-28", "2020-02-28", True),  # ViSOR: public protection
        ("e2", 1, 10, "2020-02-29", "2030-02-28", False),  # rape: public protection
        ("e3", 2, 10, "2019-06-01", "2029-06-01", False),  # violence against the person
        ("e4", 3, 6, "2020-02-29", "2026-02-28", True),  # shoplifting: six years
        ("e5", 3, 6, None, None, True),  # undated: reviewed now
        ("e6", 2, 10, "2016-01-01", "2026-01-01", True),  # supply of drugs, reported date
    ]
    assert con.execute(
        "SELECT DISTINCT group_name, as_of FROM assess_retention_review WHERE mopi_group = 2"
    ).fetchall() == [("Other sexual, violent or serious offences", dt.date(2026, 12, 7))]


def test_the_review_list_counts_groups_and_lists_the_oldest_first() -> None:
    con = _events()
    con.execute(retention_review_sql(load_retention_rules(), dt.date(2026, 12, 7)))
    review = due_for_review(con, dt.date(2029, 12, 31))
    assert review.by_group == [
        (1, "Certain public protection matters", 1, 2),
        (2, "Other sexual, violent or serious offences", 2, 2),
        (3, "All other offences and records", 2, 2),
    ]
    assert [r["source_record_id"] for r in review.records] == ["I1", "V1", "C4", "C3", "C2"]
    essex = due_for_review(con, dt.date(2026, 12, 7), force="essex", limit=1)
    assert [g[:3] for g in essex.by_group] == [
        (2, "Other sexual, violent or serious offences", 0),
        (3, "All other offences and records", 2),
    ]
    assert [r["source_record_id"] for r in essex.records] == ["I1"]


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (
            {"rules": [{"group": 1, "name": "a", "review_years": 6, "offence_codes": ["999"]}]},
            "retention rules r.yaml: rules[0]: unknown offence code(s) 999",
        ),
        (
            {"rules": [{"group": 1, "name": "a", "review_years": 6, "event_types": ["crime"]}]},
            "retention rules r.yaml: the last rule must have no conditions (it takes every "
            "other record)",
        ),
        (
            {
                "rules": [
                    {"group": 3, "name": "all", "review_years": 6},
                    {"group": 1, "name": "a", "review_years": 10, "event_types": ["visor"]},
                ]
            },
            "retention rules r.yaml: rules[0]: only the last rule may have no conditions",
        ),
        (
            {"rules": [{"group": 1, "name": "a", "review_years": 6, "offence_categories": ["X"]}]},
            "retention rules r.yaml: rules[0]: unknown offence categor(ies) X",
        ),
        (
            {"rules": [{"group": 1, "name": "a", "review_years": 0}]},
            "retention rules r.yaml: rules.0.review_years: Input should be greater than or "
            "equal to 1",
        ),
    ],
)
def test_bad_rules_are_refused_naming_the_fault(rules: object, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_retention_rules(rules, "r.yaml")
    assert str(info.value) == message


def test_the_stage_writes_the_review_in_a_run(tmp_path: Path) -> None:
    write_mini_export(tmp_path / "in")
    result = pipeline.run(
        tmp_path / "in",
        tmp_path / "var",
        progress=False,
        stages=[pipeline.ingest, run_retention_stage],
    )
    con = duckdb.connect(str(result.path), read_only=True)
    assert (
        con.execute("SELECT count(*) FROM staged_event").fetchone()
        == con.execute("SELECT count(*) FROM assess_retention_review").fetchone()
    )
    (due,) = con.execute("SELECT count(*) FROM assess_retention_review WHERE review_due").fetchone()  # type: ignore[misc]
    assert result.results["retention"] == due
    assert con.execute("SELECT DISTINCT as_of FROM assess_retention_review").fetchall() == [
        (dt.datetime.now(dt.UTC).date(),)
    ]
