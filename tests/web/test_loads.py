"""``/admin/loads``: the ingest report of the current snapshot, for administrators."""

from __future__ import annotations

import warnings
from pathlib import Path

import duckdb
import pytest

from ingest.exports import ATHENA_CRIME_HEADER, crime_line, write_csv
from toex.ingest.discovery import FileTask
from toex.ingest.mapping import Mapping, shipped_mappings
from toex.ingest.stage import ingest_tasks
from toex.ops.audit import AuditQuery, search_entries
from toex.ops.db import OpsStore

from .conftest import Users, make_app, session_for
from .warehouse_fixture import build_warehouse

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    """The inline warehouse after a load of a good file, a file with unknown markings and an
    empty file."""
    path = build_warehouse(tmp_path / "w.duckdb")
    mapping: Mapping = {m.name: m for m in shipped_mappings()}["athena_crime"]
    good = write_csv(tmp_path / "good.csv", [ATHENA_CRIME_HEADER, crime_line("CC/1")])
    marked = write_csv(
        tmp_path / "marked.csv",
        [
            ATHENA_CRIME_HEADER,
            crime_line("CC/2").replace(",P,OFFICIAL", ",X,RESTRICTED"),
            crime_line("CC/3", committed="31/02/2022"),
        ],
    )
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    con = duckdb.connect(str(path))
    result = ingest_tasks(
        con,
        [
            FileTask(good, "forces/essex/crime.csv", mapping, "essex"),
            FileTask(marked, "forces/norfolk/crime.csv", mapping, "norfolk"),
            FileTask(empty, "forces/cambs/crime.csv", mapping, "cambs"),
        ],
        "L7",
    )
    con.close()
    assert len(result.failed) == 1
    return path


def test_admin_sees_the_last_loads_files_failures_and_markings(
    loaded: Path, store: OpsStore, users: Users
) -> None:
    with TestClient(make_app(store, loaded)) as client:
        users.org("regional", ["cambs"], "regional")
        session_for(client, users.user("root", "admin", "regional"))
        html = client.get("/admin/loads").text
        assert '<span id="load-id">L7</span>' in html
        assert (
            "<tr><td>forces/cambs/crime.csv</td><td>athena_crime</td><td>empty_file</td>"
            "<td>forces/cambs/crime.csv: the file is empty</td></tr>"
        ) in html
        assert (
            "<tr><td>forces/norfolk/crime.csv</td><td>athena_crime</td><td>2</td><td>1</td>"
            "<td>1</td><td>0</td><td>0</td></tr>"
        ) in html
        assert "<tr><td>forces/norfolk/crime.csv</td><td>bad_date</td><td>1</td></tr>" in html
        assert (
            "<tr><td>forces/norfolk/crime.csv</td><td>GSC</td><td>unknown_marking</td>"
            "<td>restricted</td><td>SECRET</td><td>1</td></tr>"
        ) in html
        assert (
            "<tr><td>forces/norfolk/crime.csv</td><td>HandlingCode</td><td>unknown_marking</td>"
            "<td>restricted</td><td>C</td><td>1</td></tr>"
        ) in html
        assert "31/02/2022" not in html  # no raw value of a quarantined row
    assert [e.target for e in search_entries(store, AuditQuery(action="view"))] == [
        "ingest report of load L7"
    ]


@pytest.mark.parametrize("role", ["analyst", "supervisor"])
def test_only_administrators_see_it(role: str, client: TestClient, users: Users) -> None:
    users.org("regional", ["cambs"], "regional")
    session_for(client, users.user("u", role, "regional"))
    r = client.get("/admin/loads")
    assert r.status_code == 403
    assert f"the {role} role may not see ingest reports" in r.text


def test_a_snapshot_without_load_tables_says_so(client: TestClient, users: Users) -> None:
    users.org("regional", ["cambs"], "regional")
    session_for(client, users.user("root", "admin", "regional"))
    html = client.get("/admin/loads").text
    assert (
        "Not in this snapshot: raw_load_log, raw_quarantine, raw_marking_issue, "
        "raw_file_quarantine."
    ) in html
