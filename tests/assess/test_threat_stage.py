"""Acceptance of issue 16 on the real pipeline (synth -> ... -> STIM -> threats).

Default run: the session's tiny synthetic set (``tiny_warehouse``); marked slow: the small
set (``small_warehouse``). Labels and scores are checked against the planted truth: per-type
precision and recall, agreement of score and band with the true severity order, reasons
citing records that really carry the evidence; then the dated history across runs, the
configuration failing whole, and nationality never changing a label or score.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any, ClassVar

import duckdb
import pytest

from toex.assess.exploitation_rules import load_rules
from toex.assess.threat_evaluate import evaluate_snapshot
from toex.assess.threat_stage import run_threat_stage, run_threats
from toex.engine import SnapshotStore
from toex.errors import ConfigError
from toex.model import ExploitationType


def _snapshot(data_dir: Path) -> Path:
    info = SnapshotStore(data_dir).current()
    assert info is not None
    return info.path


def check_report(report: dict[str, Any]) -> None:
    """The issue's acceptance criteria on one evaluation report."""
    for m in report["matches"]:
        assert m["recall_members"] >= 0.9, m
    for t in ExploitationType:
        metrics = report["types"][t.value]
        assert metrics["support"] >= 2, (t, metrics)  # at least two planted networks per type
        assert metrics["precision"] >= 0.9, (t, metrics)
        assert metrics["recall"] >= 0.9, (t, metrics)
    assert report["severity"]["spearman_score"] >= 0.8, report["severity"]
    assert report["severity"]["spearman_band"] >= 0.8, report["severity"]
    assert any(len(m["true_types"]) == 2 for m in report["matches"])
    assert any(m["decoy"] for m in report["matches"])


def test_tiny_labels_and_scores_match_the_planted_truth(
    tiny_synth: Path, tiny_warehouse: Path
) -> None:
    check_report(evaluate_snapshot(_snapshot(tiny_warehouse), tiny_synth))


@pytest.mark.slow
def test_small_labels_and_scores_match_the_planted_truth(
    small_synth: Path, small_warehouse: Path
) -> None:
    check_report(evaluate_snapshot(_snapshot(small_warehouse), small_synth))


def _ages(con: duckdb.DuckDBPyConnection, event_id: str, role: str) -> list[int]:
    rows = con.execute(
        "SELECT coalesce(m.age_at_event, floor(date_diff('day', m.dob, "
        "coalesce(e.occurred_from, e.reported_date)) / 365.25)::BIGINT) "
        "FROM staged_person_mention m JOIN staged_event e USING (event_id) "
        "WHERE m.event_id = ? AND m.role = ?",
        [event_id, role],
    ).fetchall()
    return [int(r[0]) for r in rows if r[0] is not None]


def test_every_reason_cites_records_that_carry_the_evidence(tiny_warehouse: Path) -> None:
    rules = {(t.value, r.name): r for t, r in load_rules().rules()}
    con = duckdb.connect(str(_snapshot(tiny_warehouse)), read_only=True)
    try:
        evidence = con.execute(
            "SELECT x.subject_id, x.level, x.exploitation_type, x.rule, x.event_id, "
            "x.reference, x.force, x.detail, l.reason, e.offence_code, e.text, e.reference, "
            "e.force FROM assess_exploitation_evidence x "
            "JOIN assess_exploitation_label l USING (subject_kind, subject_id, level, "
            "exploitation_type) LEFT JOIN staged_event e ON e.event_id = x.event_id "
            "WHERE x.subject_kind = 'network'"
        ).fetchall()
        assert len(evidence) > 100
        cited = 0
        for (
            sid,
            level,
            t,
            name,
            event,
            ref,
            force,
            detail,
            reason,
            code,
            text,
            e_ref,
            e_force,
        ) in evidence:
            rule = rules[(t, name)]
            assert (ref, force) == (e_ref, e_force), (sid, name)
            if f"{ref} ({force})" in reason:
                cited += 1
            if rule.kind == "offence":
                assert code in rule.codes, (sid, name, code)
                if rule.victim_age_below is not None:
                    assert min(_ages(con, event, "victim")) < rule.victim_age_below
                if rule.victim_age_at_least is not None:
                    assert max(_ages(con, event, "victim")) >= rule.victim_age_at_least
                if rule.suspect_age_below is not None:
                    assert min(_ages(con, event, "suspect")) < rule.suspect_age_below
            elif rule.kind == "text":
                phrases = [p.strip("'") for p in detail.removeprefix("says ").split(", ")]
                assert phrases and all(p in text.lower() for p in phrases), (text, detail)
            elif rule.kind == "shared_phone":
                phone = detail.split()[1]
                members = con.execute(
                    "SELECT count(DISTINCT n.person_id) FROM link_network_member n "
                    "JOIN resolved_mention_person r USING (person_id) "
                    "JOIN staged_person_mention m USING (mention_id) "
                    "WHERE n.network_id = ? AND n.level = ? AND m.phone = ?",
                    [sid, level, phone],
                ).fetchall()[0][0]
                assert members >= rule.min_persons
        assert cited > len(evidence) // 3  # reasons cite up to max_citations per rule
        # every label but "other" has evidence; the reason cites at least one of its records
        rows = con.execute(
            "SELECT l.subject_id, l.level, l.exploitation_type, l.reason, "
            "list(x.reference || ' (' || x.force || ')') FROM assess_exploitation_label l "
            "JOIN assess_exploitation_evidence x USING (subject_kind, subject_id, level, "
            "exploitation_type) WHERE l.subject_kind = 'network' GROUP BY ALL"
        ).fetchall()
        for sid, _level, t, reason, refs in rows:
            assert any(r in reason for r in refs), (sid, t, reason)
        unlabelled = con.execute(
            "SELECT count(*) FROM assess_exploitation_label l WHERE subject_kind = 'network' "
            "AND exploitation_type <> 'other' AND NOT EXISTS (SELECT 1 FROM "
            "assess_exploitation_evidence x WHERE x.subject_id = l.subject_id "
            "AND x.level = l.level AND x.exploitation_type = l.exploitation_type)"
        ).fetchall()[0][0]
        assert unlabelled == 0
    finally:
        con.close()


def test_operations_and_stim_cases_are_labelled(tiny_warehouse: Path) -> None:
    con = duckdb.connect(str(_snapshot(tiny_warehouse)), read_only=True)
    try:
        ops = dict(
            con.execute(
                "SELECT subject_kind, count(DISTINCT subject_id) FROM assess_exploitation_label "
                "GROUP BY 1"
            ).fetchall()
        )
        n_ops = con.execute(
            "SELECT count(*) FROM staged_event WHERE event_type = 'operation'"
        ).fetchall()[0][0]
        n_cases = con.execute("SELECT count(*) FROM stim_case").fetchall()[0][0]
        assert ops["operation"] == n_ops and ops.get("stim_case", 0) == n_cases
        harrier = con.execute(
            "SELECT exploitation_type FROM assess_exploitation_label l JOIN staged_event e "
            "ON e.reference = l.subject_id WHERE e.text = 'Op Harrier'"
        ).fetchall()
        assert harrier == [("child_criminal_exploitation",)]
        # a STIM case with an account a customer flagged for trafficking is adult sexual
        # exploitation, and its evidence names that account
        flagged = con.execute(
            "SELECT DISTINCT m.case_id, i.account_id FROM stim_entity_indicator i "
            "JOIN stim_case_member m USING (account_id) "
            "WHERE i.indicator = 'customer_flag_trafficking'"
        ).fetchall()
        assert flagged
        for case_id, account in flagged:
            cited = con.execute(
                "SELECT reference FROM assess_exploitation_evidence WHERE subject_kind = "
                "'stim_case' AND subject_id = ? AND exploitation_type = "
                "'adult_sexual_exploitation'",
                [case_id],
            ).fetchall()
            assert (account,) in cited, case_id
    finally:
        con.close()


def _copy(tiny_warehouse: Path, tmp_path: Path, name: str) -> Path:
    out = tmp_path / name
    shutil.copyfile(_snapshot(tiny_warehouse), out)
    return out


def _scores(path: Path) -> dict[str, tuple[Any, ...]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            r[0]: r[1:]
            for r in con.execute(
                "SELECT threat_id, score, band, exploitation_types, first_scored, last_scored "
                "FROM assess_threat"
            ).fetchall()
        }
    finally:
        con.close()


def test_the_first_scoring_date_is_kept_across_runs(tiny_warehouse: Path, tmp_path: Path) -> None:
    first, second = (
        _copy(tiny_warehouse, tmp_path, "a.duckdb"),
        _copy(tiny_warehouse, tmp_path, "b.duckdb"),
    )
    con = duckdb.connect(str(first))
    run_threats(con, scored_on=dt.date(2026, 1, 5), run_id="r1")
    con.close()
    con = duckdb.connect(str(second))
    # one threat of the first run is gone from the second
    con.execute(
        "DELETE FROM link_network WHERE network_id = (SELECT min(network_id) "
        "FROM link_network WHERE level = 'community')"
    )
    run_threats(con, previous=first, scored_on=dt.date(2026, 2, 9), run_id="r2")
    history = con.execute(
        "SELECT threat_id, list(scored_on ORDER BY scored_on) FROM assess_threat_history GROUP BY 1"
    ).fetchall()
    con.close()
    before, after = _scores(first), _scores(second)
    assert after and set(after) <= set(before) | set(after)
    for tid, row in after.items():
        first_scored, last_scored = row[3], row[4]
        assert first_scored == dt.date(2026, 1, 5), (tid, dict(history).get(tid))
        assert last_scored == dt.date(2026, 2, 9)
    days = dict(history)
    assert all(
        d == [dt.date(2026, 1, 5), dt.date(2026, 2, 9)] for t, d in days.items() if t in after
    )
    dropped = set(before) - set(after)
    assert dropped and all(days[t] == [dt.date(2026, 1, 5)] for t in dropped)


def test_a_bad_configuration_writes_nothing(tiny_warehouse: Path, tmp_path: Path) -> None:
    path = _copy(tiny_warehouse, tmp_path, "c.duckdb")
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE assess_threat")
    con.execute("DROP TABLE assess_exploitation_label")
    bad = tmp_path / "scoring.yaml"
    bad.write_text("version: 1\nbands: []\n", encoding="utf-8")

    class Ctx:
        settings = type(
            "S", (), {"exploitation_rules": None, "threat_scoring": bad, "as_of": None}
        )()
        previous = None
        run_id = "x"
        results: ClassVar[dict[str, Any]] = {}

    Ctx.con = con  # type: ignore[attr-defined]
    with pytest.raises(ConfigError, match=r"scoring\.yaml"):
        run_threat_stage(Ctx())
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    con.close()
    assert "assess_threat" not in tables and "assess_exploitation_label" not in tables


def test_nationality_changes_no_label_and_no_score(tiny_warehouse: Path, tmp_path: Path) -> None:
    a, b = (
        _copy(tiny_warehouse, tmp_path, "n1.duckdb"),
        _copy(tiny_warehouse, tmp_path, "n2.duckdb"),
    )
    for path, nationality in ((a, "British"), (b, "Romanian")):
        con = duckdb.connect(str(path))
        con.execute("UPDATE staged_person_mention SET nationality = ?", [nationality])
        run_threats(con, scored_on=dt.date(2026, 1, 5), run_id="n")
        con.close()
    assert _scores(a) == _scores(b)
    labels = []
    for path in (a, b):
        con = duckdb.connect(str(path), read_only=True)
        labels.append(
            con.execute("SELECT * FROM assess_exploitation_label ORDER BY ALL").fetchall()
        )
        con.close()
    assert labels[0] == labels[1] and labels[0]
