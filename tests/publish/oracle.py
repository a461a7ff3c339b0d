"""Independent oracles for pack tests: the force's top visible perpetrators and the marking
of everything behind each, computed in Python from the snapshot's staged rows (test helper)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import duckdb

from toex.model import Classification
from toex.ops.access import AccessScope


def snapshot_file(data_dir: Path) -> Path:
    """The current snapshot file of a data directory."""
    from toex.engine import SnapshotStore

    info = SnapshotStore(data_dir).current()
    assert info is not None
    return info.path


def _permits(scope: AccessScope, force: str | None, code: str | None, cls: str | None) -> bool:
    return force in scope.forces and code in scope.handling_codes and cls in scope.classifications


def person_records(con: duckdb.DuckDBPyConnection, person_id: str) -> list[tuple[str, str, str]]:
    """(force, handling code, classification) of every row of every record naming the
    person: his mentions, their events, and every mention on those events."""
    mine = con.execute(
        "SELECT m.mention_id, m.event_id, m.force, m.handling_code, m.classification "
        "FROM resolved_mention_person mp JOIN staged_person_mention m USING (mention_id) "
        "WHERE mp.person_id = ?",
        [person_id],
    ).fetchall()
    events = sorted({r[1] for r in mine if r[1] is not None})
    rows = [(r[2], r[3], r[4]) for r in mine]
    if events:
        rows += con.execute(
            "SELECT force, handling_code, classification FROM staged_event "
            "WHERE event_id IN (SELECT unnest(?::VARCHAR[]))",
            [events],
        ).fetchall()
        rows += con.execute(
            "SELECT force, handling_code, classification FROM staged_person_mention "
            "WHERE event_id IN (SELECT unnest(?::VARCHAR[]))",
            [events],
        ).fetchall()
    return rows


def top_visible(
    snapshot: Path, force: str, scope: AccessScope, n: int = 3
) -> list[tuple[str, str]]:
    """The first ``n`` of the force's ranked perpetrators whose every record the scope
    permits, with the highest classification among those records."""
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        ranked = [
            r[0]
            for r in con.execute(
                "SELECT person_id FROM assess_perpetrator_rank WHERE area_type = 'force' "
                "AND area = ? ORDER BY rank",
                [force],
            ).fetchall()
        ]
        out = []
        for pid in ranked:
            rows = person_records(con, pid)
            if all(_permits(scope, *r) for r in rows):
                out.append((pid, Classification.highest(r[2] for r in rows).value))
                if len(out) == n:
                    break
        return out
    finally:
        con.close()


def not_blank(png: Path) -> float:
    """Share of the image's pixels that are not white."""
    from PIL import Image

    with Image.open(png) as im:
        grey = im.convert("L")
        hist = grey.histogram()
    total = sum(hist)
    return 1 - sum(hist[245:]) / total


def page_images(pdf: Path, out: Path, first: int, last: int) -> list[Path]:
    """PNG images of pages ``first``..``last`` (pdftoppm, 50 dpi)."""
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "50",
            "-png",
            "-f",
            str(first),
            "-l",
            str(last),
            str(pdf),
            str(out / "page"),
        ],
        check=True,
    )
    return sorted(out.glob("page-*.png"))
