"""The plain-English reason beside each ranked perpetrator, built from his facts.

In the style of the briefing's "Billy" finding::

    16 years old; 7 unique victims aged 12-32; 19 VAWG offences, 13 in the last 12 months;
    investigated by 11 different OICs across 3 LPCs

Every number comes from a column of the priority table (``age``, ``n_victims``,
``victim_age_min``/``victim_age_max``, ``n_vawg_offences``, ``n_vawg_offences_12m``,
``n_oics``, ``n_lpcs``, ``n_forces``), so a test can check each one against the truth.
Built as one SQL expression so the reason is stored with the scores it explains.
"""

from __future__ import annotations

import re


def _s(col: str) -> str:
    return f"CAST({col} AS VARCHAR)"


def _plural(count: str, singular: str, plural: str) -> str:
    return f"(CASE WHEN {count} = 1 THEN {singular!r} ELSE {plural!r} END)"


def age_phrase_sql(t: str) -> str:
    """'16 years old', or 'age not recorded'."""
    return (
        f"(CASE WHEN {t}.age IS NULL THEN 'age not recorded' "
        f"ELSE {_s(f'{t}.age')} || ' years old' END)"
    )


def victims_phrase_sql(t: str) -> str:
    """'7 unique victims aged 12-32', '1 unique victim aged 14', 'no victim identified'."""
    lo, hi = f"{t}.victim_age_min", f"{t}.victim_age_max"
    ages = (
        f"(CASE WHEN {lo} IS NULL THEN ', ages not recorded' "
        f"WHEN {lo} = {hi} THEN ' aged ' || {_s(lo)} "
        f"ELSE ' aged ' || {_s(lo)} || '-' || {_s(hi)} END)"
    )
    return (
        f"(CASE WHEN coalesce({t}.n_victims, 0) = 0 THEN 'no victim identified' "
        f"ELSE {_s(f'{t}.n_victims')} || ' unique ' "
        f"|| {_plural(f'{t}.n_victims', 'victim', 'victims')} || {ages} END)"
    )


def offences_phrase_sql(t: str, recent_months: int) -> str:
    """'19 VAWG offences, 13 in the last 12 months'."""
    return (
        f"({_s(f'{t}.n_vawg_offences')} || ' VAWG ' "
        f"|| {_plural(f'{t}.n_vawg_offences', 'offence', 'offences')} || ', ' "
        f"|| {_s(f'{t}.n_vawg_offences_12m')} || ' in the last {recent_months} months')"
    )


def fragmentation_phrase_sql(t: str) -> str:
    """'investigated by 11 different OICs across 3 LPCs' (and 'in 2 forces' when several)."""
    oics = (
        f"(CASE WHEN coalesce({t}.n_oics, 0) = 0 THEN 'an unrecorded OIC' "
        f"WHEN {t}.n_oics = 1 THEN '1 OIC' "
        f"ELSE {_s(f'{t}.n_oics')} || ' different OICs' END)"
    )
    lpcs = (
        f"(CASE WHEN coalesce({t}.n_lpcs, 0) = 0 THEN '' "
        f"WHEN {t}.n_lpcs = 1 THEN ' in 1 LPC' "
        f"ELSE ' across ' || {_s(f'{t}.n_lpcs')} || ' LPCs' END)"
    )
    forces = (
        f"(CASE WHEN {t}.n_forces > 1 THEN ' in ' || {_s(f'{t}.n_forces')} "
        f"|| ' forces' ELSE '' END)"
    )
    return f"('investigated by ' || {oics} || {lpcs} || {forces})"


def reason_sql(recent_months: int, t: str) -> str:
    """The whole reason for the row aliased ``t`` (a SQL expression)."""
    escalating = f"(CASE WHEN {t}.escalating THEN '; harm escalating' ELSE '' END)"
    parts = [
        age_phrase_sql(t),
        victims_phrase_sql(t),
        offences_phrase_sql(t, recent_months),
        fragmentation_phrase_sql(t),
    ]
    return "(" + " || '; ' || ".join(parts) + f" || {escalating})"


_CLAUSES: dict[str, re.Pattern[str]] = {
    "age": re.compile(r"^(\d+) years old$"),
    "victims": re.compile(r"^(\d+) unique victims? aged (\d+)(?:-(\d+))?$"),
    "offences": re.compile(r"^(\d+) VAWG offences?, (\d+) in the last \d+ months$"),
    "investigated": re.compile(
        r"^investigated by (?:(\d+) different OICs|1 OIC)"
        r"(?: across (\d+) LPCs| in 1 LPC)(?: in (\d+) forces)?$"
    ),
}


def reason_numbers(reason: str) -> dict[str, int | None]:
    """Every number of a reason, by fact name (``None`` where the reason states none).

    Keys: age, n_victims, victim_age_min, victim_age_max, n_vawg_offences,
    n_vawg_offences_12m, n_oics, n_lpcs, n_forces. The inverse of :func:`reason_sql`, for
    checking a reason against the truth.
    """
    out: dict[str, int | None] = dict.fromkeys(
        (
            "age",
            "n_victims",
            "victim_age_min",
            "victim_age_max",
            "n_vawg_offences",
            "n_vawg_offences_12m",
            "n_oics",
            "n_lpcs",
            "n_forces",
        )
    )
    for clause in reason.split("; "):
        if m := _CLAUSES["age"].match(clause):
            out["age"] = int(m[1])
        elif m := _CLAUSES["victims"].match(clause):
            out["n_victims"], out["victim_age_min"] = int(m[1]), int(m[2])
            out["victim_age_max"] = int(m[3] or m[2])
        elif m := _CLAUSES["offences"].match(clause):
            out["n_vawg_offences"], out["n_vawg_offences_12m"] = int(m[1]), int(m[2])
        elif m := _CLAUSES["investigated"].match(clause):
            out["n_oics"] = int(m[1] or 1)
            out["n_lpcs"] = int(m[2] or 1)
            out["n_forces"] = int(m[3] or 1)
    return out
