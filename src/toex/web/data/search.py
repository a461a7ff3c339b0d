"""Person search: name (fuzzy and nickname), date of birth, phone, email, PNC ID, postcode.

Every criterion given must be met by some visible mention of a person (different mentions may
meet different criteria). Candidates come from one access-filtered query over ``v_mention``;
scoring and grouping by person happen in Python on those rows only. A person none of whose
mentions is visible never appears, and is not counted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import phonenumbers

from toex.errors import InputError
from toex.ops.access import AccessScope
from toex.web.data.filters import highest_marking, lookup, run, visible_views
from toex.web.names import forename_similarity, normalise_name, split_name, surname_similarity
from toex.web.warehouse import OpenSnapshot

MAX_CANDIDATE_ROWS = 20000
_PNC = re.compile(r"^(\d{2}|\d{4})/?0*(\d{1,7})([A-Z])$")
_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})?$")
CRITERIA = ("name", "dob", "phone", "email", "pnc_id", "postcode")


def normalise_phone(text: str) -> str:
    """A phone number in E.164 (UK numbers by default); the digits alone when unparsable."""
    try:
        parsed = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        return re.sub(r"\D", "", text)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalise_pnc(text: str) -> str:
    """A PNC ID as ``YYYY/NNNNNNNL`` (two-digit years: 50-99 -> 19xx, else 20xx)."""
    compact = re.sub(r"\s", "", text.upper())
    m = _PNC.match(compact)
    if not m:
        return compact
    year = m.group(1)
    if len(year) == 2:
        year = ("19" if int(year) >= 50 else "20") + year
    return f"{year}/{int(m.group(2)):07d}{m.group(3)}"


def normalise_postcode(text: str) -> str:
    """A UK postcode as ``CB1 2AB``, or an outward code (``CB1``) for a district search."""
    compact = re.sub(r"[^A-Z0-9]", "", text.upper())
    m = _POSTCODE.match(compact)
    if not m:
        return compact
    return f"{m.group(1)} {m.group(2)}" if m.group(2) else m.group(1)


@dataclass(frozen=True)
class SearchCriteria:
    """What to search for; empty strings and None mean "not given"."""

    name: str = ""
    dob: dt.date | None = None
    phone: str = ""
    email: str = ""
    pnc_id: str = ""
    postcode: str = ""

    def given(self) -> list[str]:
        """Names of the criteria that were given."""
        return [c for c in CRITERIA if getattr(self, c)]

    def check(self) -> None:
        """Raise :class:`InputError` unless at least one criterion is given."""
        if not self.given():
            raise InputError(
                "give at least one of name, date of birth, phone, email, PNC ID or postcode"
            )
        if self.name and not any(split_name(self.name)):
            raise InputError("the name has no letters")


@dataclass
class PersonHit:
    """One person found: what the user may see of them and how well they matched."""

    person_id: str
    score: float
    names: list[str]
    dobs: list[str]
    forces: list[str]
    n_mentions: int
    matched: list[str]
    classification: str


@dataclass
class SearchResult:
    """Persons found (best first), how many in all, and the highest marking shown."""

    hits: list[PersonHit] = field(default_factory=list)
    total: int = 0
    classification: str = "OFFICIAL"


_ROW = (
    "mention_id, person_id, forename, surname, dob, dob_year, phone, email, pnc_id, postcode, "
    "force, handling_code, classification"
)


def _candidates(
    snapshot: OpenSnapshot, cur: Any, scope: AccessScope, c: SearchCriteria
) -> list[dict[str, Any]]:
    """Visible mention rows meeting at least one criterion.

    Names, phones, emails and PNC IDs are index lookups (filtered by the access rule in
    :func:`lookup`); dates of birth and postcode districts are one access-filtered query.
    """
    found: dict[str, dict[str, Any]] = {}

    def add(rows: list[dict[str, Any]]) -> None:
        for row in rows:
            found.setdefault(row["mention_id"], row)

    if c.name:
        forename, surname = split_name(c.name)
        index = snapshot.names()
        surnames = index.surname_candidates(surname)
        if forename:
            forenames = index.forename_candidates(forename)
            add(
                [
                    r
                    for r in lookup(snapshot, cur, scope, "v_mention", "surname", surnames, _ROW)
                    if r["forename"] in forenames
                ]
            )
        else:
            add(lookup(snapshot, cur, scope, "v_mention", "surname", surnames, _ROW))
            add(
                lookup(
                    snapshot,
                    cur,
                    scope,
                    "v_mention",
                    "forename",
                    index.forename_candidates(surname),
                    _ROW,
                )
            )
    for crit, column, value in (
        ("phone", "phone", normalise_phone(c.phone) if c.phone else ""),
        ("email", "email", c.email.strip().lower()),
        ("pnc_id", "pnc_id", normalise_pnc(c.pnc_id) if c.pnc_id else ""),
    ):
        if getattr(c, crit) and value:
            add(lookup(snapshot, cur, scope, "v_mention", column, [value], _ROW))
    conds: list[str] = []
    params: dict[str, Any] = {}
    if c.dob:
        params["q_dob"], params["q_dob_year"] = c.dob, c.dob.year
        conds.append("(dob = $q_dob OR (dob IS NULL AND dob_year = $q_dob_year))")
    if c.postcode:
        params["q_pc"] = normalise_postcode(c.postcode)
        conds.append("(postcode = $q_pc OR starts_with(postcode, $q_pc || ' '))")
    if conds:
        sql = (
            visible_views(snapshot, scope, ["v_mention"])
            + f"SELECT {_ROW} FROM v_mention WHERE "
            + " OR ".join(conds)
            + f" LIMIT {MAX_CANDIDATE_ROWS}"
        )
        add(run(cur, sql, scope, params))
    return list(found.values())


def _scores(c: SearchCriteria, row: dict[str, Any]) -> dict[str, float]:
    """Score of each criterion a mention row meets (0 when it does not)."""
    out: dict[str, float] = {}
    if c.name:
        forename, surname = split_name(c.name)
        if forename:
            fs, ss = (
                forename_similarity(forename, row["forename"]),
                surname_similarity(surname, row["surname"]),
            )
            out["name"] = (fs + ss) / 2 if fs and ss else 0.0
        else:
            out["name"] = max(
                surname_similarity(surname, row["surname"]),
                forename_similarity(surname, row["forename"]),
            )
    if c.dob:
        out["dob"] = (
            1.0
            if row["dob"] == c.dob
            else (0.6 if row["dob"] is None and row["dob_year"] == c.dob.year else 0.0)
        )
    if c.phone:
        out["phone"] = 1.0 if row["phone"] == normalise_phone(c.phone) else 0.0
    if c.email:
        out["email"] = 1.0 if row["email"] == c.email.strip().lower() else 0.0
    if c.pnc_id:
        out["pnc_id"] = 1.0 if row["pnc_id"] == normalise_pnc(c.pnc_id) else 0.0
    if c.postcode:
        pc = normalise_postcode(c.postcode)
        stored = row["postcode"] or ""
        out["postcode"] = 1.0 if stored == pc else (0.8 if stored.startswith(pc + " ") else 0.0)
    return out


def search_persons(
    snapshot: OpenSnapshot, cur: Any, scope: AccessScope, c: SearchCriteria, limit: int = 50
) -> SearchResult:
    """Persons with visible mentions meeting every given criterion, best match first."""
    c.check()
    best: dict[str, dict[str, float]] = {}
    for row in _candidates(snapshot, cur, scope, c):
        per = best.setdefault(row["person_id"], {})
        for crit, score in _scores(c, row).items():
            if score > per.get(crit, 0.0):
                per[crit] = score
    wanted = c.given()
    ranked = sorted(
        (
            (pid, sum(s.values()) / len(wanted))
            for pid, s in best.items()
            if all(s.get(w, 0.0) > 0 for w in wanted)
        ),
        key=lambda t: (-t[1], t[0]),
    )
    result = SearchResult(total=len(ranked))
    top = ranked[:limit]
    summaries = person_summaries(snapshot, cur, scope, [pid for pid, _ in top])
    for pid, score in top:
        s = summaries[pid]
        result.hits.append(
            PersonHit(
                pid,
                round(score, 3),
                s["names"],
                s["dobs"],
                s["forces"],
                s["n_mentions"],
                sorted(best[pid]),
                s["classification"],
            )
        )
    result.classification = highest_marking(h.classification for h in result.hits)
    return result


def person_summaries(
    snapshot: OpenSnapshot, cur: Any, scope: AccessScope, person_ids: list[str]
) -> dict[str, dict[str, Any]]:
    """Names, DOBs, forces, mention count and marking of each person, from visible mentions."""
    rows = lookup(
        snapshot,
        cur,
        scope,
        "v_mention",
        "person_id",
        person_ids,
        "person_id, forename, surname, dob, force, handling_code, classification",
    )
    out: dict[str, dict[str, Any]] = {}
    names: dict[str, Counter[str]] = {}
    for row in rows:
        s = out.setdefault(
            row["person_id"], {"dobs": set(), "forces": set(), "n_mentions": 0, "markings": []}
        )
        names.setdefault(row["person_id"], Counter())[
            " ".join(p for p in (row["forename"], row["surname"]) if p) or "(no name)"
        ] += 1
        if row["dob"] is not None:
            s["dobs"].add(row["dob"].isoformat())
        s["forces"].add(row["force"])
        s["n_mentions"] += 1
        s["markings"].append(row["classification"])
    for pid, s in out.items():
        s["names"] = [n for n, _ in names[pid].most_common(4)]
        s["dobs"] = sorted(s["dobs"])
        s["forces"] = sorted(s["forces"])
        s["classification"] = highest_marking(s.pop("markings"))
    return out


def person_label(summary: dict[str, Any] | None) -> str:
    """The display name of a person summary (its most common visible name)."""
    if not summary or not summary["names"]:
        return "(unknown)"
    return str(summary["names"][0])


def suggest_names(
    snapshot: OpenSnapshot, cur: Any, scope: AccessScope, prefix: str, limit: int = 10
) -> list[str]:
    """Up to ``limit`` visible full names starting with ``prefix`` (or whose surname does)."""
    norm = normalise_name(prefix)
    if len(norm) < 3:
        return []
    sql = (
        visible_views(snapshot, scope, ["v_mention"])
        + "SELECT concat_ws(' ', forename, surname) AS name, count(*) AS n FROM v_mention "
        "WHERE starts_with(surname, $p) OR starts_with(concat_ws(' ', forename, surname), $p) "
        f"GROUP BY 1 ORDER BY n DESC, name LIMIT {int(limit)}"
    )
    return [r["name"] for r in run(cur, sql, scope, {"p": norm})]
