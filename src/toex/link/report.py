"""Plain-text renderings of link results for the terminal (the CLI prints these).

Pure functions from the API's plain data to lines of text; no I/O.
"""

from __future__ import annotations

from typing import Any

from toex.link.scale import SCALE_LABELS

CROSSFORCE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("status", "Status"),
    ("kind", "Kind"),
    ("id", "ID"),
    ("level", "Level"),
    ("n_members", "Members"),
    ("forces", "Forces"),
    ("geographic_scale", "Scale"),
    ("new_forces", "New forces"),
    ("last_date", "Last seen"),
    ("principal_person_ids", "Principals"),
)
"""Columns of the cross-force table, as (key, heading)."""


def cell(key: str, value: Any) -> str:
    """One table cell: lists joined by commas, scales by their briefing label."""
    if value is None:
        return ""
    if key == "geographic_scale":
        return SCALE_LABELS.get(str(value), str(value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def crossforce_summary(rows: list[dict[str, Any]]) -> str:
    """One line counting the report's rows by kind and status."""
    counts: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (str(r["kind"]), str(r["status"]))
        counts[key] = counts.get(key, 0) + 1
    if not counts:
        return "no records span two or more forces"
    parts = [
        f"{n} {status} {kind}{'s' if n != 1 else ''}"
        for (kind, status), n in sorted(counts.items())
    ]
    return "; ".join(parts)


def _edge_label(edge: dict[str, Any]) -> str:
    label = str(edge["edge_type"])
    if edge.get("object_values"):
        label += " " + ", ".join(edge["object_values"][:3])
    elif edge.get("event_ids"):
        label += f" on {len(edge['event_ids'])} event(s)"
    return f"{label} [{', '.join(edge['forces'])}] w={edge['weight']:.2f}"


def format_path(path: dict[str, Any], evidence_per_hop: int = 3) -> list[str]:
    """Lines describing one path: each hop with its edges and a few evidence records."""
    lines = [
        f"{' -> '.join(path['persons'])}  ({path['length']} hop"
        f"{'s' if path['length'] != 1 else ''})"
    ]
    for hop in path["hops"]:
        lines.append(f"  {hop['from']} -> {hop['to']}  weight {hop['weight']:.2f}")
        for edge in hop["edges"]:
            lines.append(f"    {_edge_label(edge)}")
        for ev in hop["evidence"][:evidence_per_hop]:
            what = ev["object_value"] or ev["event_id"] or ""
            parts = [
                ev["force"],
                f"{ev['source_file']}#{ev['source_row']}",
                ev["event_type"],
                ev["role"],
                what,
                ev["event_date"],
            ]
            lines.append("      " + " ".join(str(p) for p in parts if p))
        extra = len(hop["evidence"]) - evidence_per_hop
        if extra > 0:
            lines.append(f"      ... {extra} more record(s)")
    return lines
