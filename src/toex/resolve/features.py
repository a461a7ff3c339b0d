"""The model's input: one row per person mention with derived matching columns.

Built as one Ibis expression over ``staged_person_mention`` so it runs on DuckDB and Spark:
placeholders nulled, then joined to the per-distinct-value name lookups (nickname groups,
Double Metaphone keys, surname parts, name-word groups) and given DOB parts, postcode
sector/district and the police force area (null for partner data).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from toex.config import load_catalogue
from toex.resolve.name_keys import forename_lookup, name_words, surname_lookup, token_lookup
from toex.resolve.placeholders import PLACEHOLDER_NAMES, Placeholders, null_placeholders

FEATURE_COLUMNS: tuple[str, ...] = (
    "mention_id",
    "forename",
    "surname",
    "middle_first",
    "forename_groups",
    "forename_variants",
    "forename_nicks",
    "forename_near",
    "forename_typo",
    "forename_typo_of",
    "surname_metaphones",
    "surname_dm",
    "surname_dm2",
    "surname_parts",
    "surname_first",
    "surname_last",
    "surname_first_groups",
    "surname_prefix",
    "name_tokens",
    "name_bag",
    "dob",
    "dob_str",
    "dob_year",
    "dob_month",
    "dob_day",
    "gender",
    "postcode",
    "postcode_sector",
    "postcode_district",
    "police_force",
    "phone",
    "email",
    "pnc_id",
    "cro_number",
    "force",
    "source_system",
)
"""Columns of the features table, in order."""

MATCH_COLUMNS: tuple[str, ...] = (
    "forename",
    "middle_names",
    "surname",
    "dob",
    "dob_year",
    "dob_month",
    "gender",
    "postcode",
    "phone",
    "email",
    "pnc_id",
    "cro_number",
)
"""Staged columns the model reads."""


def clean_mentions(m: ir.Table, ph: Placeholders) -> ir.Table:
    """Staged mentions reduced to the matched columns, with placeholders and blanks nulled.

    Gender ``U`` is null; a year-only or month-only DOB keeps its year/month.
    """
    m = m.select("mention_id", "force", "source_system", *MATCH_COLUMNS)
    m = m.mutate(dob=m.dob.cast("date"))
    ph_dobs = sorted(ph.values.get("dob", set()), key=str)
    if ph_dobs:
        # A placeholder DOB loses its year and month too.
        is_ph = m.dob.isin(ph_dobs)
        m = m.mutate(
            dob_year=ibis.ifelse(is_ph, ibis.null("int64"), m.dob_year),
            dob_month=ibis.ifelse(is_ph, ibis.null("int64"), m.dob_month),
        )
    blanks = {
        c: ibis.ifelse(m[c].strip() == "", ibis.null("string"), m[c])
        for c in (
            "forename",
            "middle_names",
            "surname",
            "gender",
            "postcode",
            "phone",
            "email",
            "pnc_id",
            "cro_number",
        )
    }
    m = m.mutate(**blanks)
    m = m.mutate(gender=ibis.ifelse(m.gender.isin(["M", "F"]), m.gender, ibis.null("string")))
    # "N/K" and "NOT KNOWN" arrive split into forename N / NOT and middle names K / KNOWN.
    full = ibis.ifelse(m.middle_names.isnull(), m.forename, m.forename + " " + m.middle_names)
    unknown = full.isin(sorted(PLACEHOLDER_NAMES))
    m = m.mutate(
        forename=ibis.ifelse(unknown, ibis.null("string"), m.forename),
        middle_names=ibis.ifelse(unknown, ibis.null("string"), m.middle_names),
    )
    return null_placeholders(m, ph)


def partner_forces() -> tuple[str, ...]:
    """Force codes of the partner organisations in the catalogue (their data is not a
    police record: no police force area)."""
    return tuple(sorted(p.code for p in load_catalogue().partners))


@dataclass(frozen=True)
class NameLookups:
    """The per-distinct-value name lookups (Arrow) that :func:`features_expr` joins."""

    forenames: pa.Table
    surnames: pa.Table
    tokens: pa.Table


def _full_name(t: ir.Table) -> ir.StringValue:
    parts = [t.forename.fill_null(""), t.middle_names.fill_null(""), t.surname.fill_null("")]
    full = parts[0].concat(" ", parts[1], " ", parts[2])
    return full.re_replace(r"[\s\-]+", " ").strip()


def _distinct(expr: ir.Table, column: str) -> list[str]:
    values = expr.select(column).distinct().filter(expr[column].notnull())
    return sorted(str(v) for v in values.to_pyarrow().column(0).to_pylist())


def _counts(expr: ir.Table, column: str) -> dict[str, int]:
    known = expr.filter(expr[column].notnull())
    rows = known.group_by(column).aggregate(n=known.count()).to_pyarrow().to_pylist()
    return {str(r[column]): int(r["n"]) for r in rows}


def name_lookups(clean: ir.Table) -> NameLookups:
    """Build the name lookups over the distinct forenames, surnames and name words of
    ``clean`` (three small queries, then Python over the distinct values only)."""
    names = clean.select(full=_full_name(clean))
    words = sorted({w for full in _distinct(names, "full") for w in name_words(full)})
    forenames = _counts(clean, "forename")
    return NameLookups(
        forename_lookup(sorted(forenames), forenames),
        surname_lookup(_distinct(clean, "surname")),
        token_lookup(words),
    )


def name_tokens_expr(clean: ir.Table, tokens: ir.Table) -> ir.Table:
    """``mention_id, name_tokens``: the sorted distinct nickname groups of every word of a
    mention's forename, middle names and surname (mentions without a name are absent)."""
    words = clean.select("mention_id", token=_full_name(clean).split(" ").unnest())
    words = words.filter(words.token != "")
    j = words.join(tokens, "token")
    agg = j.group_by("mention_id").aggregate(groups=j.token_groups.collect())
    return agg.select("mention_id", name_tokens=agg.groups.flatten().unique().sort())


NAME_GENDER_MIN_MENTIONS = 3
"""Mentions with a recorded gender a forename needs before it implies a gender."""

NAME_GENDER_SHARE = 0.95
"""Share of one gender among a forename's recorded genders for the name to imply it."""


def name_gender_expr(clean: ir.Table) -> ir.Table:
    """``forename, name_gender``: the gender a forename implies in the data itself (M or F
    when at least :data:`NAME_GENDER_MIN_MENTIONS` mentions record a gender and at least
    :data:`NAME_GENDER_SHARE` of them agree)."""
    known = clean.filter(clean.gender.notnull() & clean.forename.notnull())
    g = known.group_by("forename").aggregate(
        n=known.count(), nf=(known.gender == "F").cast("int64").sum()
    )
    enough = g.n >= NAME_GENDER_MIN_MENTIONS
    implied = ibis.cases(
        (enough & (g.nf >= g.n * NAME_GENDER_SHARE), "F"),
        (enough & (g.nf <= g.n * (1 - NAME_GENDER_SHARE)), "M"),
        else_=ibis.null("string"),
    )
    return g.select("forename", name_gender=implied).filter(ibis._.name_gender.notnull())


def features_expr(
    clean: ir.Table,
    lookups: NameLookups,
    partner_forces: Iterable[str] = (),
    name_genders: ir.Table | None = None,
) -> ir.Table:
    """The features table: ``clean`` joined to the name lookups (see :class:`NameLookups`).

    ``partner_forces`` are the force codes of partner organisations: their mentions get no
    ``police_force``. A mention without a recorded gender takes the gender its forename
    implies in ``name_genders`` (:func:`name_gender_expr`, by default over ``clean``).
    """
    genders = name_gender_expr(clean) if name_genders is None else name_genders
    forenames = ibis.memtable(lookups.forenames)
    surnames = ibis.memtable(lookups.surnames)
    toks = name_tokens_expr(clean, ibis.memtable(lookups.tokens))
    j = (
        clean.left_join(forenames, "forename")
        .left_join(surnames, "surname")
        .left_join(toks, "mention_id")
        .left_join(genders, "forename")
    )
    j = j.select(
        *[c for c in clean.columns],
        "forename_groups",
        "forename_variants",
        "forename_nicks",
        "forename_near",
        "forename_typo",
        "forename_typo_of",
        "surname_metaphones",
        "surname_dm",
        "surname_dm2",
        "surname_parts",
        "surname_first",
        "surname_last",
        "surname_first_groups",
        "name_tokens",
        "name_gender",
    )
    pc = j.postcode
    outward = pc.split(" ")[0]
    has_inward = pc.contains(" ")
    middle = j.middle_names.split(" ")[0]
    partners = sorted(set(partner_forces))
    police = j.force if not partners else ibis.ifelse(j.force.isin(partners), None, j.force)
    both = j.forename.notnull() & j.surname.notnull()
    return j.select(
        mention_id=j.mention_id,
        forename=j.forename,
        surname=j.surname,
        middle_first=ibis.ifelse(middle == "", ibis.null("string"), middle),
        forename_groups=j.forename_groups,
        forename_variants=j.forename_variants,
        forename_nicks=j.forename_nicks,
        forename_near=j.forename_near,
        forename_typo=j.forename_typo,
        forename_typo_of=j.forename_typo_of,
        surname_metaphones=j.surname_metaphones,
        surname_dm=j.surname_dm,
        surname_dm2=j.surname_dm2,
        surname_parts=j.surname_parts,
        surname_first=j.surname_first,
        surname_last=j.surname_last,
        surname_first_groups=j.surname_first_groups,
        surname_prefix=j.surname.substr(0, 3),
        name_tokens=j.name_tokens,
        name_bag=ibis.ifelse(
            both,
            ibis.least(j.forename, j.surname).concat("|", ibis.greatest(j.forename, j.surname)),
            ibis.null("string"),
        ),
        dob=j.dob,
        dob_str=j.dob.strftime("%Y%m%d"),
        dob_year=ibis.ifelse(j.dob.notnull(), j.dob.year().cast("int64"), j.dob_year.cast("int64")),
        dob_month=ibis.ifelse(
            j.dob.notnull(), j.dob.month().cast("int64"), j.dob_month.cast("int64")
        ),
        dob_day=j.dob.day().cast("int64"),
        gender=ibis.coalesce(j.gender, j.name_gender),
        postcode=pc,
        postcode_sector=ibis.ifelse(
            has_inward, outward + " " + pc.split(" ")[1].substr(0, 1), ibis.null("string")
        ),
        postcode_district=outward,
        police_force=police.cast("string"),
        phone=j.phone,
        email=j.email,
        pnc_id=j.pnc_id,
        cro_number=j.cro_number,
        force=j.force,
        source_system=j.source_system,
    )
