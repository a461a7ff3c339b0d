"""The Cambridgeshire pack from the small synthetic set (slow tier): built under a regional
data-sharing scope, its suspects against an independent oracle and the planted "Billy",
cross-force links, page markings and page images.

Cost: one pack build on the small set (about 15 s on two idle cores) over the session's
``small_warehouse``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pytest

from toex.assess.evaluate import evaluate_planted_offenders
from toex.ops import open_store
from toex.ops.access import AccessScope
from toex.ops.accounts import add_agreement, create_organisation
from toex.publish.config import PublishConfig
from toex.publish.pack import PackResult, build_pack

from .oracle import not_blank, page_images, snapshot_file, top_visible
from .pdftext import check_page_markings, pages
from .test_pack import SECTIONS

pytestmark = pytest.mark.slow
EASTERN = ["cambs", "essex", "norfolk"]


@pytest.fixture(scope="module")
def small_pack(
    small_warehouse: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[PublishConfig, PackResult]:
    tmp = tmp_path_factory.mktemp("small_pack")
    (tmp / "fttcg.yaml").write_text("cambs: {dates: [2026-01-09]}\n")
    cfg = PublishConfig(
        data_dir=small_warehouse,
        packs_dir=tmp / "packs",
        ops_url=f"sqlite:///{tmp / 'ops.sqlite'}",
        calendar_override=tmp / "fttcg.yaml",
    )
    store = open_store(cfg.ops_url)
    with store.session() as s:
        org = create_organisation(s, "force-cambs", "Cambridgeshire Constabulary", "force", "cambs")
        for force in EASTERN:
            add_agreement(s, org, force)
        s.commit()
    store.dispose()
    return cfg, build_pack(cfg, "cambs", author="test", today=dt.date(2026, 1, 2))


def test_small_pack_suspects_are_the_top_three_including_the_planted_offender(
    small_pack: tuple[PublishConfig, PackResult], small_warehouse: Path, small_synth: Path
) -> None:
    _cfg, result = small_pack
    scope = AccessScope(frozenset(EASTERN), frozenset({"P", "C"}), "SECRET")
    expected = top_visible(snapshot_file(small_warehouse), "cambs", scope)
    assert [s["person_id"] for s in result.suspects] == [pid for pid, _ in expected]
    con = duckdb.connect(str(snapshot_file(small_warehouse)), read_only=True)
    try:
        planted = [
            r["person_id"]
            for r in evaluate_planted_offenders(con, small_synth / "truth")
            if r["force"] == "cambs" and r["force_rank"] == 1
        ]
    finally:
        con.close()
    assert planted, "the small set plants a serial offender in Cambridgeshire"
    assert result.suspects[0]["person_id"] in planted
    text = pages(result.pdf_path)  # type: ignore[arg-type]
    markings = check_page_markings(result.pdf_path)  # type: ignore[arg-type]
    for position, (pid, marking) in enumerate(expected, start=1):
        page = next(i for i, t in enumerate(text) if re.search(rf"Suspect {position}: .*{pid}", t))
        assert markings[page] == marking


def test_small_pack_sections_cross_force_links_and_images(
    small_pack: tuple[PublishConfig, PackResult], tmp_path: Path
) -> None:
    _cfg, result = small_pack
    assert result.pdf_path is not None
    whole = "\n".join(pages(result.pdf_path))
    for title in SECTIONS:
        assert title in whole, title
    found = re.search(r"(\d+) people have records in this force and another", whole)
    assert found and int(found.group(1)) > 0
    assert "Essex" in whole.split("6. Cross-force links")[-1]
    assert set(result.page_markings) <= {"OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET"}
    images = page_images(result.pdf_path, tmp_path, 1, 4)
    assert len(images) == 4 and all(not_blank(p) > 0.01 for p in images)
