"""Reading a pack's PDF back with poppler's pdftotext, page by page (test helper)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from toex.model import Classification

LABEL = re.compile(r"Marking: (TOP SECRET|OFFICIAL-SENSITIVE|OFFICIAL|SECRET)\b")
MARKING = r"(TOP SECRET|OFFICIAL-SENSITIVE|OFFICIAL|SECRET)"


def pages(pdf: Path) -> list[str]:
    """The text of each page (layout mode, so header and footer stay on their lines)."""
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return out.split("\f")[:-1]


def header_footer(page: str) -> tuple[str, str]:
    """The marking in the page's first line and in its last line."""
    lines = [ln for ln in page.splitlines() if ln.strip()]
    top = re.search(MARKING, lines[0])
    bottom = re.search(MARKING, lines[-1])
    assert top and bottom, f"no marking in header or footer: {lines[0]!r} / {lines[-1]!r}"
    return top.group(1), bottom.group(1)


def labels(page: str) -> list[str]:
    """The part markings ("Marking: X") printed on the page."""
    return LABEL.findall(page)


def check_page_markings(pdf: Path) -> list[str]:
    """Assert every page's header and footer carry the highest part marking on it; return
    the page markings."""
    found = []
    for i, page in enumerate(pages(pdf), start=1):
        top, bottom = header_footer(page)
        on_page = labels(page)
        assert on_page, f"page {i} has no part marking"
        assert top == bottom == Classification.highest(on_page).value, (i, top, on_page)
        found.append(top)
    return found
