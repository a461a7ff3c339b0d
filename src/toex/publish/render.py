"""Rendering a pack: HTML from the templates, PDF with WeasyPrint, files written atomically.

Every block of content is a ``<div class="block" data-marking=...>``. The PDF is laid out
twice: the first layout shows which blocks land on which page, and the second gives each
page (``@page :nth(n)``) the highest marking of its blocks in its header and footer (the
margin boxes do not change the layout; the second layout is checked against the first).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from toex.errors import PipelineError
from toex.model import Classification

log = logging.getLogger(__name__)

ENV = Environment(
    loader=PackageLoader("toex.publish", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_BLOCK = re.compile(r'<div class="block" data-marking="([^"]*)">')
_FONT = '"Liberation Sans", "DejaVu Sans", sans-serif'


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string (no quote, backslash, newline or ``<`` survives, so
    it cannot end the string or the ``<style>`` element)."""
    clean = "".join(" " if ch in "\n\r<>" else ch for ch in text)
    return '"' + clean.replace("\\", "\\\\").replace('"', '\\"') + '"'


def page_css(running_title: str, meeting: str, marking: str, per_page: list[str] | None) -> str:
    """The ``@page`` rules: running title and meeting at the top, page numbers and the
    meeting at the bottom, and the marking centred top and bottom (``per_page`` gives
    each page its own, else every page shows ``marking``)."""
    mark_box = f"font: bold 10pt {_FONT}; letter-spacing: 0.05em; color: #000000;"
    small = f"font: 7.5pt {_FONT}; color: #5b6b7b;"
    rules = [
        "@page { size: A4; margin: 19mm 15mm 18mm 15mm; "
        f"@top-left {{ content: {css_string(running_title)}; {small} }} "
        f"@top-center {{ content: {css_string(marking)}; {mark_box} }} "
        f"@top-right {{ content: {css_string(meeting)}; {small} }} "
        f"@bottom-left {{ content: {css_string('Prepared for ' + meeting)}; {small} }} "
        f"@bottom-center {{ content: {css_string(marking)}; {mark_box} }} "
        f'@bottom-right {{ content: "Page " counter(page) " of " counter(pages); {small} }} }}'
    ]
    for i, m in enumerate(per_page or [], start=1):
        rules.append(
            f"@page :nth({i}) {{ @top-center {{ content: {css_string(m)}; }} "
            f"@bottom-center {{ content: {css_string(m)}; }} }}"
        )
    return "\n".join(rules)


def number_blocks(html: str) -> tuple[str, dict[str, str]]:
    """Give every block an id (``mk1``, ``mk2``...); returns the HTML and id -> marking."""
    markings: dict[str, str] = {}

    def add_id(match: re.Match[str]) -> str:
        key = f"mk{len(markings) + 1}"
        markings[key] = match.group(1)
        return f'<div class="block" id="{key}" data-marking="{match.group(1)}">'

    return _BLOCK.sub(add_id, html), markings


def render_html(context: dict[str, Any], page_rules: str) -> str:
    """The pack's HTML from ``pack.html`` (CSS inlined, so the file stands alone)."""
    css = resources.files("toex.publish").joinpath("templates/pack.css").read_text("utf-8")
    return ENV.get_template("pack.html").render({**context, "css": css, "page_css": page_rules})


def _descendants(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", None) or ():
        yield from _descendants(child)


def blocks_on_pages(document: Any, markings: dict[str, str]) -> list[set[str]]:
    """For each page of a laid-out document, the ids of the blocks with content on it.

    Read from the page's box tree, so a block that runs over a page break counts on both
    pages; falls back to the page's anchors (where each block starts) if the tree is not
    reachable in this WeasyPrint version.
    """
    out = []
    for page in document.pages:
        ids = {a for a in page.anchors if a in markings}
        root = getattr(page, "_page_box", None)
        if root is not None:
            for box in _descendants(root):
                element = getattr(box, "element", None)
                key = element.get("id") if element is not None else None
                if key in markings:
                    ids.add(key)
        out.append(ids)
    return out


@dataclass(frozen=True)
class RenderedPdf:
    """A rendered PDF, its page markings and the blocks that ran over a page break."""

    pdf: bytes
    page_markings: list[str]
    split_blocks: list[str]

    @property
    def pages(self) -> int:
        """Number of pages."""
        return len(self.page_markings)


def render_pdf(
    context: dict[str, Any], running_title: str, meeting: str, marking: str
) -> tuple[str, RenderedPdf]:
    """The pack as HTML (for screens) and PDF, each page marked with the highest marking
    of its blocks. Raises :class:`PipelineError` if the two layouts disagree.

    The document is parsed once; the ``@page`` rules come as a stylesheet of their own for
    each layout (the document itself has none, so they apply whatever their origin).
    """
    from weasyprint import CSS, HTML  # imported here: a heavy import only pack builds need

    html, markings = number_blocks(render_html(context, ""))
    document = HTML(string=html)
    first = document.render(
        stylesheets=[CSS(string=page_css(running_title, meeting, marking, None))]
    )
    placed = blocks_on_pages(first, markings)
    per_page = [Classification.highest(markings[k] for k in ids).value for ids in placed]
    seen: dict[str, int] = {}
    for ids in placed:
        for k in ids:
            seen[k] = seen.get(k, 0) + 1
    split = sorted((k for k, n in seen.items() if n > 1), key=lambda k: int(k[2:]))
    if split:
        log.warning("pack blocks running over a page break: %s", ", ".join(split))
    final = document.render(
        stylesheets=[CSS(string=page_css(running_title, meeting, marking, per_page))]
    )
    if [sorted(s) for s in blocks_on_pages(final, markings)] != [sorted(s) for s in placed]:
        raise PipelineError("pack layout changed between the two passes; page markings unsafe")
    return html, RenderedPdf(final.write_pdf(), per_page, split)
