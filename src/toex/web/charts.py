"""Server-side SVG network charts (no JavaScript, so nothing for the CSP to allow).

:func:`network_svg` draws a person at the centre and their neighbours on a circle around
them, edge width by link weight, each node a link to that person's network page. Labels are
escaped; the result is safe to insert into a template. The palette is shared with the
packs' charts (:mod:`toex.publish.charts`).
"""

from __future__ import annotations

import math

from markupsafe import Markup, escape

from toex.publish.charts import force_colour, shorten
from toex.web.data.network import Expansion

WIDTH, HEIGHT = 720, 480


def network_svg(expansion: Expansion, centre_forces: list[str], max_nodes: int = 24) -> Markup:
    """The SVG chart of ``expansion`` (the centre and up to ``max_nodes`` neighbours)."""
    neighbours = expansion.neighbours[:max_nodes]
    forces = sorted({f for n in neighbours for f in n.forces} | set(centre_forces))
    cx, cy = WIDTH / 2, HEIGHT / 2
    radius = min(WIDTH, HEIGHT) / 2 - 60
    top = max((n.weight for n in neighbours), default=1)
    edges, nodes = [], []
    for i, n in enumerate(neighbours):
        angle = 2 * math.pi * i / max(1, len(neighbours)) - math.pi / 2
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        width = 1 + 4 * n.weight / top
        edges.append(
            f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" '
            f'stroke="#999999" stroke-width="{width:.1f}"/>'
        )
        colour = force_colour(n.forces[0], forces) if n.forces else "#555555"
        anchor = "start" if math.cos(angle) >= 0 else "end"
        dx = 12 if anchor == "start" else -12
        nodes.append(
            f'<a href="/network/{escape(n.person_id)}" class="node">'
            f"<title>{escape(n.label)}: {escape(', '.join(n.kinds))} "
            f"(weight {n.weight}; {escape(', '.join(n.forces))})</title>"
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9" fill="{colour}"/>'
            f'<text x="{x + dx:.1f}" y="{y + 4:.1f}" text-anchor="{anchor}" '
            f'font-size="12">{escape(shorten(n.label))}</text></a>'
        )
    centre_colour = force_colour(centre_forces[0], forces) if centre_forces else "#555555"
    centre = (
        f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="16" fill="{centre_colour}" '
        f'stroke="#000000" stroke-width="2"/>'
        f'<text x="{cx:.1f}" y="{cy + 34:.1f}" text-anchor="middle" font-size="14" '
        f'font-weight="bold">{escape(shorten(expansion.label, 30))}</text>'
    )
    legend = "".join(
        f'<circle cx="14" cy="{16 + 18 * i}" r="6" fill="{force_colour(f, forces)}"/>'
        f'<text x="26" y="{20 + 18 * i}" font-size="12">{escape(f)}</text>'
        for i, f in enumerate(forces)
    )
    empty = (
        ""
        if neighbours
        else f'<text x="{cx:.1f}" y="{cy - 30:.1f}" text-anchor="middle" font-size="13">'
        "no visible links</text>"
    )
    # Every interpolated value above is a number or passed through escape().
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="network-chart" role="img" aria-label="Network of {escape(expansion.label)}">'
        f"{''.join(edges)}{centre}{''.join(nodes)}{legend}{empty}</svg>"
    )
