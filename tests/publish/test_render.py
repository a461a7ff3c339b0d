"""Rendering: each page marked with the highest marking of its parts; atomic file writes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from toex.config import load_catalogue
from toex.errors import InputError
from toex.publish.content import Block, Provenance, Section
from toex.publish.files import write_pack_files
from toex.publish.render import css_string, number_blocks, page_css, render_pdf

from .pdftext import check_page_markings, pages

TEXT = "A paragraph long enough to take some room on the page. " * 12


def context(sections: list[Section], marking: str) -> dict[str, object]:
    return {
        "force": load_catalogue().force("cambs"),
        "sections": sections,
        "marking": marking,
        "meeting_long": "Friday 9 January 2026",
        "period": "1 January 2025 to 31 December 2025",
        "trend_from": "January 2024",
        "as_of_long": "31 December 2025",
        "snapshot": {"run_id": "run-1", "created": "1 January 2026 06:00 UTC"},
        "built": "2 January 2026 06:00 UTC",
        "author": "test",
        "version": 1,
        "scope_forces": "Cambridgeshire",
        "scope_basis": "test",
        "stale_days": 0,
        "victim_names": False,
    }


def block(rank: int) -> Block:
    return Block("blocks/unavailable.html", {"text": TEXT}, Provenance(rank))


def test_each_page_carries_the_highest_marking_of_its_parts(tmp_path: Path) -> None:
    # a run of parts marked OFFICIAL with one SECRET and one OFFICIAL-SENSITIVE among them
    ranks = [0] * 7 + [2] + [0] * 9 + [1] + [0] * 8
    sections = [Section("a", "Alpha", [block(r) for r in ranks]), Section("b", "Beta", [block(0)])]
    html, pdf = render_pdf(context(sections, "SECRET"), "Cambs · profile", "FTTCG", "SECRET")
    path = tmp_path / "t.pdf"
    path.write_bytes(pdf.pdf)
    markings = check_page_markings(path)
    assert markings == pdf.page_markings
    assert markings[0] == "SECRET"  # the cover states the whole pack's marking
    assert markings[1] == "OFFICIAL"  # the contents
    assert "SECRET" in markings[2:] and "OFFICIAL-SENSITIVE" in markings[2:]
    assert markings[-1] == "OFFICIAL"
    assert pdf.split_blocks == []
    assert all("Prepared for FTTCG" in p for p in pages(path))
    assert 'id="mk1" data-marking="SECRET"' in html


def test_page_rules_and_ids() -> None:
    assert css_string('a "b" \\ <c>') == '"a \\"b\\" \\\\  c "'
    rules = page_css("T", "M", "OFFICIAL", ["SECRET", "OFFICIAL"])
    assert '@page :nth(1) { @top-center { content: "SECRET"; }' in rules
    assert '@page :nth(2) { @top-center { content: "OFFICIAL"; }' in rules
    html, marks = number_blocks(
        '<div class="block" data-marking="SECRET">x</div>'
        '<div class="block" data-marking="OFFICIAL">'
    )
    assert marks == {"mk1": "SECRET", "mk2": "OFFICIAL"}
    assert html.startswith('<div class="block" id="mk1" data-marking="SECRET">')


def test_files_appear_whole_or_not_at_all(tmp_path: Path) -> None:
    pdf, html = write_pack_files(tmp_path, "pack", "<html></html>", b"%PDF-1.7 test")
    assert pdf.read_bytes() == b"%PDF-1.7 test" and html.read_text() == "<html></html>"
    assert sorted(os.listdir(tmp_path)) == ["pack.html", "pack.pdf"]
    with pytest.raises(InputError) as err:
        write_pack_files(tmp_path, "pack", "<html>new</html>", b"%PDF new")
    assert str(err.value) == (
        f"{tmp_path / 'pack.pdf'} already exists: another run is publishing this pack, or an "
        "earlier one was not recorded; move the file away and run again"
    )
    assert pdf.read_bytes() == b"%PDF-1.7 test"  # never replaced
    assert sorted(os.listdir(tmp_path)) == ["pack.html", "pack.pdf"]  # no partial files left
    (tmp_path / "other.html").write_text("taken")
    with pytest.raises(InputError):
        write_pack_files(tmp_path, "other", "<html/>", b"%PDF")
    assert not (tmp_path / "other.pdf").exists()  # the PDF is withdrawn with the HTML
    assert sorted(os.listdir(tmp_path)) == ["other.html", "pack.html", "pack.pdf"]
