"""A force profile pack from the tiny synthetic set: sections, suspects, page markings,
page images, idempotent ``due``, and clear refusals that write nothing.

Cost in the default run: two pack builds on the tiny set (about 10 s each on two idle
cores) over the session's ``tiny_warehouse``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from importlib import resources
from pathlib import Path

import duckdb
import pytest

from toex.errors import ConfigError, InputError, NotFoundError, SnapshotError
from toex.model import Classification
from toex.ops import open_store
from toex.ops.access import AccessScope
from toex.ops.accounts import add_agreement, create_organisation
from toex.ops.audit import AuditQuery, search_entries
from toex.ops.packs import list_packs
from toex.publish import pack as pack_module
from toex.publish.config import PublishConfig
from toex.publish.content import person_label
from toex.publish.files import sha256
from toex.publish.pack import DueResult, build_pack, publish_due

from .oracle import not_blank, page_images, snapshot_file, top_visible
from .pdftext import check_page_markings, pages

TODAY = dt.date(2026, 1, 2)
SECTIONS = (
    "1. Summary",
    "At a glance",
    "VAWG offending",
    "Priority VAWG perpetrators",
    "Networks",
    "By exploitation type",
    "STIM picture",
    "Missing persons",
    "2. Suspect profiles",
    "3. Safeguarding health checks",
    "Victims of priority perpetrators",
    "Children linked to high-harm suspects",
    "Repeat victims across forces",
    "4. Missing persons force profile",
    "5. ViSOR force profile",
    "6. Cross-force links",
    "7. Threats",
    "8. Appendix: method notes and sources",
)


def config(data_dir: Path, tmp: Path, **changes: object) -> PublishConfig:
    calendar = tmp / "fttcg.yaml"
    calendar.write_text(
        "cambs: {dates: [2026-01-09, 2026-02-06]}\n"
        "essex: {dates: [2026-01-20]}\n"
        "norfolk: {dates: []}\n"
        "gmp: {dates: [2025-12-01]}\n"
    )
    cfg = PublishConfig(
        data_dir=data_dir,
        packs_dir=tmp / "packs",
        ops_url=f"sqlite:///{tmp / 'ops.sqlite'}",
        calendar_override=calendar,
    )
    return dataclasses.replace(cfg, **changes)


@pytest.fixture(scope="module")
def due_runs(
    tiny_warehouse: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[PublishConfig, list[DueResult], list[DueResult]]:
    """``publish due`` run twice on the day a week before Cambridgeshire's meeting."""
    cfg = config(tiny_warehouse, tmp_path_factory.mktemp("pack"))
    first = publish_due(cfg, author="cron", today=TODAY)
    second = publish_due(cfg, author="cron", today=TODAY)
    return cfg, first, second


def test_due_twice_builds_once(
    due_runs: tuple[PublishConfig, list[DueResult], list[DueResult]],
) -> None:
    cfg, first, second = due_runs
    assert [(r.force, r.meeting, r.status) for r in first] == [
        ("cambs", dt.date(2026, 1, 9), "built")
    ]
    assert [(r.force, r.status) for r in second] == [("cambs", "published already")]
    assert second[0].result is not None and first[0].result is not None
    assert second[0].result.pack_id == first[0].result.pack_id
    store = open_store(cfg.ops_url)
    try:
        assert len(list_packs(store, include_superseded=True)) == 1
        assert [e.target for e in search_entries(store, AuditQuery(action="publish"))] == [
            "pack cambs 2026-01-09 v1"
        ]
    finally:
        store.dispose()
    assert sorted(p.name for p in (cfg.packs_dir / "cambs").iterdir()) == [
        "toex-pack-cambs-2026-01-09-v1.html",
        "toex-pack-cambs-2026-01-09-v1.pdf",
    ]


def test_the_pack_has_every_section_the_top_three_and_marked_pages(
    due_runs: tuple[PublishConfig, list[DueResult], list[DueResult]],
    tiny_warehouse: Path,
    tmp_path: Path,
) -> None:
    _cfg, first, _ = due_runs
    result = first[0].result
    assert result is not None and result.pdf_path is not None
    text = pages(result.pdf_path)
    whole = "\n".join(text)
    for title in SECTIONS:
        assert title in whole, title
    assert "The missing-person force profile is not available in this snapshot." not in whole
    assert "The ViSOR force profile is not available in this snapshot." not in whole
    assert "of the networks above carry an exploitation type" in whole
    assert "scored threat" in whole and "By exploitation type (including multiples)" in whole
    assert "FTTCG" in text[0] and "Friday 9 January 2026" in text[0]
    # the three suspects are the force's top three it may show, each page marked as his records
    scope = AccessScope(frozenset({"cambs"}), frozenset({"P", "C"}), "SECRET")
    expected = top_visible(snapshot_file(tiny_warehouse), "cambs", scope)
    assert len(expected) == 3
    assert [s["person_id"] for s in result.suspects] == [pid for pid, _ in expected]
    markings = check_page_markings(result.pdf_path)
    for position, (pid, marking) in enumerate(expected, start=1):
        page = next(i for i, t in enumerate(text) if re.search(rf"Suspect {position}: .*{pid}", t))
        assert markings[page] == marking, (position, pid)
    assert markings == result.page_markings
    assert markings[0] == result.marking == Classification.highest(markings).value
    # recorded with the file's checksum; the suspects are named in the HTML too
    assert sha256(result.pdf_path.read_bytes()) == result.pdf_sha256
    html = result.html_path.read_text()  # type: ignore[union-attr]
    assert all(s["label"] in html for s in result.suspects)
    assert "Victims of priority perpetrators" in html
    # people to safeguard appear by reference only
    safeguarding = "\n".join(t for t in text if "Finding" in t and "Referral" in t)
    refs = sorted(set(re.findall(r"\bP[0-9A-F]{12}\b", safeguarding)))
    assert len(refs) >= 5
    for label in person_labels(tiny_warehouse, refs):
        assert label not in safeguarding
    # page images are produced and not blank
    images = page_images(result.pdf_path, tmp_path, 1, 3)
    assert len(images) == 3
    assert all(not_blank(p) > 0.01 for p in images)


def person_labels(data_dir: Path, refs: list[str]) -> list[str]:
    con = duckdb.connect(str(snapshot_file(data_dir)), read_only=True)
    try:
        rows = con.execute(
            "SELECT forename, surname FROM resolved_person "
            "WHERE person_id IN (SELECT unnest(?::VARCHAR[])) AND surname IS NOT NULL",
            [refs],
        ).fetchall()
    finally:
        con.close()
    return [person_label(f, s) for f, s in rows]


def test_refusals_are_clear_and_write_nothing(
    due_runs: tuple[PublishConfig, list[DueResult], list[DueResult]], tmp_path: Path
) -> None:
    cfg = dataclasses.replace(due_runs[0], packs_dir=tmp_path / "packs")
    with pytest.raises(ConfigError) as err:
        build_pack(cfg, "norfolk", author="t", today=TODAY)
    assert str(err.value).startswith("Norfolk Constabulary (norfolk) has no FTTCG calendar")
    with pytest.raises(InputError) as err2:
        build_pack(cfg, "cambs", author="t", today=TODAY, meeting=dt.date(2025, 12, 5))
    assert "is in the past" in str(err2.value)
    with pytest.raises(InputError) as err3:
        build_pack(cfg, "gmp", author="t", today=TODAY)
    assert str(err3.value).startswith("Greater Manchester Police has no FTTCG meeting on or after")
    assert not (tmp_path / "packs").exists()


def test_a_force_with_no_records_gets_no_pack(
    due_runs: tuple[PublishConfig, list[DueResult], list[DueResult]], tmp_path: Path
) -> None:
    shipped = resources.files("toex.config").joinpath("data/forces.yaml").read_text("utf-8")
    catalogue = tmp_path / "forces.yaml"
    catalogue.write_text(
        shipped.replace(
            "\n# The partner adult-services website",
            "\n  - code: kent\n    name: Kent Police\n    short_name: Kent\n    region: eastern\n"
            "    record_system: athena\n    postcode_areas: [CT, ME]\n"
            "    lpcs: [North, East, West]\n    officers: 100\n"
            "    fttcg: {dates: [2026-01-09]}\n\n# The partner adult-services website",
        )
    )
    cfg = dataclasses.replace(due_runs[0], packs_dir=tmp_path / "packs", catalogue_path=catalogue)
    with pytest.raises(NotFoundError) as err:
        build_pack(cfg, "kent", author="t", today=TODAY)
    assert re.fullmatch(
        r"the current snapshot \(run [^)]+\) holds no records of Kent Police: nothing to publish",
        str(err.value),
    )
    assert not (tmp_path / "packs").exists()


def test_a_force_with_no_data_it_may_show_gets_no_pack(
    due_runs: tuple[PublishConfig, list[DueResult], list[DueResult]], tmp_path: Path
) -> None:
    cfg = dataclasses.replace(
        due_runs[0], packs_dir=tmp_path / "packs", ops_url=f"sqlite:///{tmp_path / 'ops.sqlite'}"
    )
    store = open_store(cfg.ops_url)
    with store.session() as s:
        org = create_organisation(s, "force-essex", "Essex Police", "force", "essex")
        add_agreement(s, org, "norfolk")  # not its own records
        s.commit()
    store.dispose()
    with pytest.raises(NotFoundError) as err:
        build_pack(cfg, "essex", author="t", today=TODAY)
    assert re.fullmatch(
        r"none of Essex Police's \d+ records in the current snapshot may be drawn on under "
        r"this pack's access scope \(under the data-sharing agreements of Essex Police on "
        r"2 January 2026\): nothing to publish",
        str(err.value),
    )
    assert not (tmp_path / "packs").exists()
    store = open_store(cfg.ops_url)
    try:
        assert list_packs(store) == []
    finally:
        store.dispose()


def test_a_failed_render_leaves_no_file_and_no_record(
    due_runs: tuple[PublishConfig, list[DueResult], list[DueResult]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cfg = dataclasses.replace(
        due_runs[0], packs_dir=tmp_path / "packs", ops_url=f"sqlite:///{tmp_path / 'ops.sqlite'}"
    )

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(pack_module, "render_pdf", broken)
    with pytest.raises(RuntimeError):
        build_pack(cfg, "cambs", author="t", today=TODAY)
    assert not (tmp_path / "packs").exists()
    store = open_store(cfg.ops_url)
    try:
        assert list_packs(store) == []
        assert search_entries(store, AuditQuery(action="publish")) == []
    finally:
        store.dispose()


def test_a_snapshot_without_the_assess_stage_is_refused(tmp_path: Path) -> None:
    from toex.engine import SnapshotStore

    with SnapshotStore(tmp_path).begin() as snap:
        snap.con.raw_sql("CREATE TABLE staged_event (event_id VARCHAR)")
    cfg = config(tmp_path, tmp_path)
    with pytest.raises(SnapshotError) as err:
        build_pack(cfg, "cambs", author="t", today=TODAY)
    assert re.fullmatch(
        r"snapshot \S+ has no assess_perpetrator_priority: the assess stage has not run on it "
        r"\(run `toex run`\)",
        str(err.value),
    )
    assert not (tmp_path / "packs").exists()
