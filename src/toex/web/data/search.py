"""Person search: name (fuzzy and nickname), date of birth, phone, email, PNC ID, postcode.

Every criterion given must be met by some visible mention of a person (different mentions may
meet different criteria). Names are matched on the snapshot's name search index
(:mod:`toex.web.searchindex`: coded rows, access-checked per marking through
:func:`~toex.web.data.filters.permitted_markings`, best score per person computed
vectorised), so a common surname costs a slice of integer arrays, not a query returning its
rows. Phones, emails and PNC IDs are index lookups, dates of birth and postcode districts one
access-filtered query; those rows are scored in Python. Only the persons shown are then
summarised (one lookup). A person none of whose mentions is visible never appears, and is
not counted.
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
from toex.web.data.filters import (
    available,
    highest_marking,
    lookup,
    permitted_markings,
    run,
    visible_views,
)
from toex.web.names import normalise_name, split_name
from toex.web.searchindex import PersonScores
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
    """Visible mention rows meeting at least one criterion other than the name.

    Phones, emails and PNC IDs are index lookups (filtered by the access rule in
    :func:`lookup`); dates of birth and postcode districts are one access-filtered query.
    """
    found: dict[str, dict[str, Any]] = {}

    def add(rows: list[dict[str, Any]]) -> None:
        for row in rows:
            found.setdefault(row["mention_id"], row)

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


def name_scores(snapshot: OpenSnapshot, scope: AccessScope, name: str) -> PersonScores:
    """Persons with a visible mention matching ``name``, with each one's best name score.

    A full name matches a mention whose forename is the query's, a nickname of it or a close
    spelling, and whose surname is the query's, a sound-alike or a close spelling; it scores
    the mean of the two similarities. A single word matches surnames and forenames alike.
    """
    index = snapshot.search
    forename, surname = split_name(name)
    permitted = permitted_markings(scope, index.markings)
    surnames = index.names.surname_scores(surname)
    if forename:
        return index.name_scores(permitted, index.names.forename_scores(forename), surnames)
    return index.name_scores(permitted, {}, surnames, index.names.forename_scores(surname))


def top_name_scores(
    snapshot: OpenSnapshot, scope: AccessScope, name: str, limit: int
) -> tuple[PersonScores, int]:
    """The best ``limit`` persons of :func:`name_scores` (by score, then person id: person
    codes follow the ids' order) and how many persons it finds, without ranking them all."""
    index = snapshot.search
    forename, surname = split_name(name)
    permitted = permitted_markings(scope, index.markings)
    surnames = index.names.surname_scores(surname)
    if forename:
        forenames = index.names.forename_scores(forename)
        return index.top_scores(permitted, forenames, surnames, None, limit)
    as_forename = index.names.forename_scores(surname)
    return index.top_scores(permitted, {}, surnames, as_forename, limit)


def _scores(c: SearchCriteria, row: dict[str, Any]) -> dict[str, float]:
    """Score of each criterion other than the name a mention row meets (0 when it does not)."""
    out: dict[str, float] = {}
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


def _ranked(
    snapshot: OpenSnapshot, cur: Any, scope: AccessScope, c: SearchCriteria, limit: int
) -> tuple[list[tuple[str, float, list[str]]], int]:
    """The best ``limit`` (person, score, criteria met) and how many persons meet every
    criterion."""
    wanted = c.given()
    if wanted == ["name"]:  # the common case, entirely on the name index
        top, total = top_name_scores(snapshot, scope, c.name, limit)
        ids = snapshot.search.ids(top.persons)
        return [
            (pid, float(score), ["name"])
            for pid, score in zip(ids, top.scores.tolist(), strict=True)
        ], total
    best: dict[str, dict[str, float]] = {}
    for row in _candidates(snapshot, cur, scope, c):
        per = best.setdefault(row["person_id"], {})
        for crit, score in _scores(c, row).items():
            if score > per.get(crit, 0.0):
                per[crit] = score
    if c.name:
        found = name_scores(snapshot, scope, c.name)
        by_person = dict(
            zip(snapshot.search.ids(found.persons), found.scores.tolist(), strict=True)
        )
        for pid, per in best.items():
            if by_person.get(pid, 0.0) > 0:
                per["name"] = by_person[pid]
    ranked = sorted(
        (
            (pid, sum(s.values()) / len(wanted), sorted(s))
            for pid, s in best.items()
            if all(s.get(w, 0.0) > 0 for w in wanted)
        ),
        key=lambda t: (-t[1], t[0]),
    )
    return ranked[:limit], len(ranked)


def search_persons(
    snapshot: OpenSnapshot, cur: Any, scope: AccessScope, c: SearchCriteria, limit: int = 50
) -> SearchResult:
    """Persons with visible mentions meeting every given criterion, best match first."""
    c.check()
    top, total = _ranked(snapshot, cur, scope, c, limit)
    result = SearchResult(total=total)
    summaries = person_summaries(snapshot, cur, scope, [pid for pid, _, _ in top])
    for pid, score, matched in top:
        s = summaries[pid]
        result.hits.append(
            PersonHit(
                pid,
                round(score, 3),
                s["names"],
                s["dobs"],
                s["forces"],
                s["n_mentions"],
                matched,
                s["classification"],
            )
        )
    result.classification = highest_marking(h.classification for h in result.hits)
    return result


def person_summaries(
    snapshot: OpenSnapshot,
    cur: Any,
    scope: AccessScope,
    person_ids: list[str],
    known: dict[str, dict[str, Any] | None] | None = None,
) -> dict[str, dict[str, Any]]:
    """Names, DOBs, forces, mention count and marking of each person, from visible mentions
    (persons with none are left out): merged from the read model's per-person, per-marking
    summaries (``web_person``, a few rows a person) where the snapshot has them, else from
    the visible mention rows.

    ``known`` holds summaries already read in this request (None for a person with no
    visible mention): only the others are looked up, and added to it.
    """
    known = {} if known is None else known
    missing = [pid for pid in person_ids if pid not in known]
    if missing and available(snapshot, "v_person"):
        marked = lookup(snapshot, cur, scope, "v_person", "person_id", missing, _PERSON_COLUMNS)
        grouped: dict[str, list[dict[str, Any]]] = {pid: [] for pid in missing}
        for row in marked:
            grouped[row["person_id"]].append(row)
        for pid, found in grouped.items():
            known[pid] = merge_summaries(found) if found else None
    elif missing:
        rows = lookup(
            snapshot,
            cur,
            scope,
            "v_mention",
            "person_id",
            missing,
            "person_id, forename, surname, dob, force, handling_code, classification",
        )
        by_person: dict[str, list[dict[str, Any]]] = {pid: [] for pid in missing}
        for row in rows:
            by_person[row["person_id"]].append(row)
        for pid, found in by_person.items():
            known[pid] = summarise(found) if found else None
    return {pid: s for pid in person_ids if (s := known.get(pid)) is not None}


_PERSON_COLUMNS = (
    "person_id, force, handling_code, classification, n_mentions, names, name_counts, "
    "name_first, dobs"
)


def merge_summaries(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The summary of one person from the ``web_person`` rows of the markings the user may
    see: exactly :func:`summarise` of the visible mention rows (a name's count is summed
    over the markings and its first row is the earliest, which breaks ties as
    ``Counter.most_common`` does)."""
    names: dict[str, list[int]] = {}
    dobs: set[str] = set()
    for row in rows:
        for name, n, first in zip(row["names"], row["name_counts"], row["name_first"], strict=True):
            seen = names.get(name)
            if seen is None:
                names[name] = [n, first]
            else:
                seen[0] += n
                seen[1] = min(seen[1], first)
        dobs.update(d.isoformat() for d in row["dobs"] or ())
    ranked = sorted(names.items(), key=lambda item: (-item[1][0], item[1][1]))
    return {
        "names": [name for name, _ in ranked[:4]],
        "dobs": sorted(dobs),
        "forces": sorted({row["force"] for row in rows}),
        "n_mentions": sum(int(row["n_mentions"]) for row in rows),
        "classification": highest_marking(row["classification"] for row in rows),
    }


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The summary of one person's visible mention rows: their four most common names,
    dates of birth, forces, number and highest marking."""
    names = Counter(
        " ".join(p for p in (row.get("forename"), row.get("surname")) if p) or "(no name)"
        for row in rows
    )
    return {
        "names": [n for n, _ in names.most_common(4)],
        "dobs": sorted({row["dob"].isoformat() for row in rows if row.get("dob") is not None}),
        "forces": sorted({row["force"] for row in rows}),
        "n_mentions": len(rows),
        "classification": highest_marking(row["classification"] for row in rows),
    }


def person_label(summary: dict[str, Any] | None) -> str:
    """The display name of a person summary (its most common visible name)."""
    if not summary or not summary["names"]:
        return "(unknown)"
    return str(summary["names"][0])


def suggest_names(
    snapshot: OpenSnapshot, cur: Any, scope: AccessScope, prefix: str, limit: int = 10
) -> list[str]:
    """Up to ``limit`` visible full names starting with ``prefix`` (or whose surname does),
    most frequent first (from the name search index: a prefix is a range of sorted names)."""
    norm = normalise_name(prefix)
    if len(norm) < 3:
        return []
    index = snapshot.search
    return index.suggest(permitted_markings(scope, index.markings), norm, int(limit))
