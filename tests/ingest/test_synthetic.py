"""Acceptance on the synthetic data: balance, planted quarantine, cleaned values vs truth.

The tiny set (``tiny_ingested``: the ingest stage alone over the session's ``tiny_synth``)
runs by default; the small set is marked ``slow``. Truth files are read only here, never by ingest.

Dates of birth: a mention counts in the denominator when its row wrote a date of birth
(``dob_raw`` present) and truth marks no DOB variation (``dob_missing``, ``dob_transposed``,
``dob_digit_typo``, ``dob_year_off``) and no placeholder DOB on it: for the others the written
date is *meant* to differ from the person's true one. At least 99.9% of the rest must parse
to the true date.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from toex.engine import SnapshotStore

DOB_VARIATIONS = ["dob_missing", "dob_transposed", "dob_digit_typo", "dob_year_off"]


@pytest.fixture(scope="session")
def tiny_ingested(tiny_synth: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with the ingest stage's snapshot of the tiny synthetic set."""
    from toex.pipeline import ingest, run

    data_dir = tmp_path_factory.mktemp("tiny_ingested")
    run(tiny_synth, data_dir, progress=False, stages=[ingest])
    return data_dir


def _open(data_dir: Path) -> duckdb.DuckDBPyConnection:
    info = SnapshotStore(data_dir).current()
    assert info is not None
    return duckdb.connect(str(info.path), read_only=True)


def _check_against_truth(con: duckdb.DuckDBPyConnection, synth: Path) -> None:
    truth = synth / "truth"
    manifest_files = con.execute(
        f"SELECT count(*) FROM (SELECT unnest(files) FROM read_json('{synth}/manifest.json'))"
    ).fetchone()
    # every manifest file was loaded once and balances
    assert con.execute("SELECT count(*) FROM raw_load_log").fetchone() == manifest_files
    assert con.execute(
        "SELECT count(*) FROM raw_load_log WHERE rows_read <> rows_loaded + rows_quarantined"
    ).fetchone() == (0,)
    con.execute(
        f"CREATE TEMP TABLE expected AS SELECT source_file, "
        f'CAST(source_row AS BIGINT) AS source_row, "column" AS col, reason_code '
        f"FROM read_csv('{truth}/expected_quarantine.csv', all_varchar=true)"
    )
    (planted,) = con.execute("SELECT count(*) FROM expected").fetchone() or (0,)
    assert planted > 0
    # every planted row is quarantined with the expected reason (and column, where one)...
    missed = con.execute(
        "SELECT e.* FROM expected e ANTI JOIN raw_quarantine q ON q.source_file = e.source_file "
        "AND q.source_row = e.source_row AND q.reason_code = e.reason_code "
        "AND (e.col IS NULL OR q.field = e.col)"
    ).fetchall()
    assert missed == []
    # ...and no other row is
    extra = con.execute(
        "SELECT q.source_file, q.source_row, q.field, q.reason_code FROM raw_quarantine q "
        "ANTI JOIN expected e USING (source_file, source_row)"
    ).fetchall()
    assert extra == []
    # every true mention outside a quarantined row is staged, and nothing else is
    con.execute(
        f"CREATE TEMP VIEW truth_mentions AS SELECT * FROM read_parquet('{truth}/mentions.parquet')"
    )
    assert con.execute(
        "SELECT count(*) FROM truth_mentions t ANTI JOIN staged_person_mention s "
        "USING (source_file, source_row, slot) WHERE (t.source_file, t.source_row) NOT IN "
        "(SELECT (source_file, source_row) FROM raw_quarantine)"
    ).fetchone() == (0,)
    assert con.execute(
        "SELECT count(*) FROM staged_person_mention s ANTI JOIN truth_mentions t "
        "USING (source_file, source_row, slot)"
    ).fetchone() == (0,)
    denominator, correct = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE s.dob = p.dob) "
        f"FROM staged_person_mention s JOIN truth_mentions t "
        f"USING (source_file, source_row, slot) "
        f"JOIN read_parquet('{truth}/persons.parquet') p USING (person_id) "
        f"WHERE s.dob_raw IS NOT NULL AND NOT list_has_any(t.variations, ?) "
        f"AND NOT list_contains(t.placeholder_fields, 'dob')",
        [DOB_VARIATIONS],
    ).fetchone() or (0, 0)
    assert (
        denominator
        > 0.8 * con.execute("SELECT count(dob_raw) FROM staged_person_mention").fetchone()[0]
    )  # type: ignore[index]
    assert correct / denominator >= 0.999


def test_tiny_set_balances_quarantines_exactly_and_matches_truth(
    tiny_synth: Path, tiny_ingested: Path
) -> None:
    con = _open(tiny_ingested)
    _check_against_truth(con, tiny_synth)
    con.close()


def test_tiny_set_provenance_and_ids(tiny_synth: Path, tiny_ingested: Path) -> None:
    con = _open(tiny_ingested)
    for table in ("staged_event", "staged_person_mention", "staged_object", "staged_location"):
        assert con.execute(
            f"SELECT count(*) FROM {table} WHERE force IS NULL OR source_system IS NULL OR "
            "source_file IS NULL OR source_row IS NULL OR source_record_id IS NULL OR "
            "record_hash IS NULL OR load_id IS NULL OR handling_code NOT IN ('P', 'C') OR "
            "classification IS NULL"
        ).fetchone() == (0,), table
    # a crime person's event_id is its crime's: unlinked only where the crime row was malformed
    unlinked = con.execute(
        f"SELECT t.force, t.reference FROM staged_person_mention m "
        f"JOIN read_parquet('{tiny_synth}/truth/mentions.parquet') t "
        f"USING (source_file, source_row, slot) "
        f"WHERE t.system IN ('athena', 'niche', 'connect', 'wmp') AND m.role <> 'subject' "
        f"AND m.role <> 'associate' AND m.event_id IS NOT NULL "
        f"AND m.event_id NOT IN (SELECT event_id FROM staged_event WHERE event_type = 'crime') "
        f"AND m.source_file SIMILAR TO '.*(crime|occurrence).*'"
    ).fetchall()
    malformed = set(
        con.execute(
            f"SELECT force, reference FROM read_parquet('{tiny_synth}/truth/events.parquet') "
            f"WHERE event_type = 'crime' AND malformed IS NOT NULL"
        ).fetchall()
    )
    assert unlinked and set(unlinked) <= malformed
    assert con.execute(
        "SELECT count(*) - count(DISTINCT mention_id) FROM staged_person_mention"
    ).fetchone() == (0,)
    assert con.execute(
        "SELECT count(*) FROM staged_event WHERE event_type = 'intelligence' AND grading IS NULL"
    ).fetchone() == (0,)
    con.close()


@pytest.mark.slow
def test_small_set_end_to_end(small_synth: Path, small_warehouse: Path) -> None:
    con = _open(small_warehouse)
    _check_against_truth(con, small_synth)
    con.close()
