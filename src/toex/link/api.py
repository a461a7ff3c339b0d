"""Read API over the link tables for the web app and the CLI: plain data, no rendering.

Every function takes an Ibis DuckDB backend or a duckdb connection on a snapshot and returns
dicts and lists of JSON-friendly values (dates as ISO strings). Records carry their owning
``forces``, ``handling_codes`` and ``classification`` so the caller can apply access rules
before showing them; nothing here filters by user.

- :func:`network_of`: a person's network (component or community) with members and edges;
- :func:`neighbours`: a person's direct links, for expand-on-click;
- :func:`hubs_of`: hub objects a person shares with implausibly many others;
- :func:`crossforce`: rows of the cross-force report;
- :func:`toex.link.paths.shortest_paths`: paths between two persons with evidence.
"""

from __future__ import annotations

from typing import Any

from toex.errors import NotFoundError
from toex.link.paths import plain_rows
from toex.link.steps import raw_connection

NETWORK_LEVELS: tuple[str, ...] = ("component", "community")


def network(con: Any, network_id: str) -> dict[str, Any]:
    """The ``link_network`` row of ``network_id``; :class:`NotFoundError` if unknown."""
    raw = raw_connection(con)
    rows = plain_rows(raw.execute("SELECT * FROM link_network WHERE network_id = ?", [network_id]))
    if not rows:
        raise NotFoundError(f"network {network_id!r} does not exist")
    return rows[0]


def network_of(
    con: Any, person_id: str, level: str = "component", max_members: int = 300
) -> dict[str, Any]:
    """The person's network: its profile, members by rank, and the edges among them.

    Each edge sums a pair's non-hub edge types and lists the forces, handling codes and
    classifications of its records. ``level`` is ``component`` or ``community``. Large
    networks return their top ``max_members`` members by centrality (always including
    ``person_id``) and ``truncated: True``. Raises :class:`NotFoundError` when the person is
    in no network.
    """
    if level not in NETWORK_LEVELS:
        raise ValueError(f"level must be one of {', '.join(NETWORK_LEVELS)}, not {level!r}")
    raw = raw_connection(con)
    row = raw.execute(
        "SELECT network_id FROM link_network_member WHERE person_id = ? AND level = ?",
        [person_id, level],
    ).fetchone()
    if row is None:
        raise NotFoundError(f"person {person_id!r} is in no network")
    profile = network(raw, str(row[0]))
    members = plain_rows(
        raw.execute(
            """
SELECT m.person_id, m.rank, m.score, c.degree, c.strength, c.betweenness, c.eigenvector,
       c.component_id, c.community_id
FROM link_network_member AS m JOIN link_centrality AS c USING (person_id)
WHERE m.network_id = ? AND m.level = ? AND (m.rank <= ? OR m.person_id = ?)
ORDER BY m.rank""",
            [profile["network_id"], level, max_members, person_id],
        )
    )
    ids = [m["person_id"] for m in members]
    edges = plain_rows(
        raw.execute(
            """
WITH k AS (SELECT unnest(?::VARCHAR[]) AS p)
SELECT e.person_a, e.person_b, list(e.edge_type ORDER BY e.edge_type) AS edge_types,
       round(sum(e.weight), 6) AS weight, min(e.first_date) AS first_date,
       max(e.last_date) AS last_date, sum(e.n_records)::BIGINT AS n_records,
       list_distinct(flatten(list(e.forces))) AS forces,
       list_distinct(flatten(list(e.handling_codes))) AS handling_codes,
       list_distinct(list(e.classification)) AS classifications
FROM link_edge AS e
JOIN k AS ka ON ka.p = e.person_a JOIN k AS kb ON kb.p = e.person_b
WHERE NOT e.hub_only
GROUP BY e.person_a, e.person_b ORDER BY e.person_a, e.person_b""",
            [ids],
        )
    )
    for e in edges:
        for key in ("forces", "handling_codes", "classifications"):
            e[key] = sorted(e[key])
    return {
        "network": profile,
        "members": members,
        "edges": edges,
        "truncated": len(members) < profile["n_members"],
    }


def neighbours(con: Any, person_id: str, include_hubs: bool = False) -> list[dict[str, Any]]:
    """The person's direct links, strongest first, each with its edge types and evidence.

    Each item: ``person_id`` (the neighbour), ``weight`` (summed over types),
    ``edge_types``, ``first_date``, ``last_date``, ``n_records``, ``forces``, ``hub_only``
    and ``edges`` (the ``link_edge`` rows). Hub-only links are left out unless
    ``include_hubs``. An unlinked or unknown person has no neighbours.
    """
    raw = raw_connection(con)
    hub = "" if include_hubs else "AND NOT hub_only"
    rows = plain_rows(
        raw.execute(
            f"""
SELECT CASE WHEN person_a = ? THEN person_b ELSE person_a END AS neighbour, *
FROM link_edge WHERE (person_a = ? OR person_b = ?) {hub}
ORDER BY neighbour, weight DESC, edge_type""",
            [person_id, person_id, person_id],
        )
    )
    grouped: dict[str, dict[str, Any]] = {}
    for r in rows:
        n = r.pop("neighbour")
        g = grouped.setdefault(
            n,
            {
                "person_id": n,
                "weight": 0.0,
                "edge_types": [],
                "first_date": None,
                "last_date": None,
                "n_records": 0,
                "forces": set(),
                "hub_only": True,
                "edges": [],
            },
        )
        g["weight"] = round(g["weight"] + r["weight"], 6)
        g["edge_types"].append(r["edge_type"])
        dates = [d for d in (g["first_date"], r["first_date"]) if d]
        g["first_date"] = min(dates) if dates else None
        dates = [d for d in (g["last_date"], r["last_date"]) if d]
        g["last_date"] = max(dates) if dates else None
        g["n_records"] += r["n_records"]
        g["forces"].update(r["forces"])
        g["hub_only"] = g["hub_only"] and r["hub_only"]
        g["edges"].append(r)
    out = []
    for g in grouped.values():
        g["forces"] = sorted(g["forces"])
        g["edge_types"] = sorted(g["edge_types"])
        out.append(g)
    return sorted(out, key=lambda g: (-g["weight"], g["person_id"]))


def hubs_of(con: Any, person_id: str) -> list[dict[str, Any]]:
    """Hub objects the person is seen with, with how many persons share each."""
    raw = raw_connection(con)
    return plain_rows(
        raw.execute(
            """
SELECT h.object_type, h.object_key, h.example_value, h.n_persons, h.reason, h.hub_factor,
       m.n_records, m.forces, m.first_date, m.last_date
FROM link_hub_member AS m JOIN link_hub AS h USING (object_type, object_key)
WHERE m.person_id = ? ORDER BY h.n_persons DESC, h.object_type, h.object_key""",
            [person_id],
        )
    )


def crossforce(
    con: Any, kind: str | None = None, status: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Rows of ``link_crossforce``, optionally of one ``kind`` and ``status``, in report
    order (networks, then links, then persons; widest first)."""
    raw = raw_connection(con)
    where, params = ["TRUE"], []
    if kind is not None:
        where.append("kind = ?")
        params.append(kind)
    if status is not None:
        where.append("status = ?")
        params.append(status)
    sql = f"""
SELECT * FROM link_crossforce WHERE {" AND ".join(where)}
ORDER BY CASE kind WHEN 'network' THEN 0 WHEN 'link' THEN 1 ELSE 2 END,
         n_forces DESC, n_members DESC, id, level"""
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return plain_rows(raw.execute(sql, params))
