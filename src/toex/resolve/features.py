"""The model's input: one row per person mention with derived matching columns.

Built as one Ibis expression over ``staged_person_mention`` so it runs on DuckDB and Spark:
placeholders nulled, then joined to the per-distinct-value name lookups (nickname groups,
Double Metaphone keys, surname parts) and given DOB parts and postcode sector/district.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from toex.resolve.placeholders import PLACEHOLDER_NAMES, Placeholders, null_placeholders

FEATURE_COLUMNS: tuple[str, ...] = (
    "mention_id",
    "forename",
    "surname",
    "middle_first",
    "forename_groups",
    "forename_canon",
    "surname_metaphones",
    "surname_dm",
    "surname_parts",
    "dob",
    "dob_str",
    "dob_year",
    "dob_month",
    "dob_day",
    "gender",
    "postcode",
    "postcode_sector",
    "postcode_district",
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


def features_expr(clean: ir.Table, forenames: ir.Table, surnames: ir.Table) -> ir.Table:
    """The features table: ``clean`` joined to the forename and surname lookups.

    ``forenames`` has ``forename, forename_groups``; ``surnames`` has ``surname,
    surname_metaphones, surname_parts`` (see :mod:`toex.resolve.name_keys`).
    """
    j = clean.left_join(forenames, "forename").left_join(surnames, "surname")
    j = j.select(
        *[c for c in clean.columns],
        "forename_groups",
        "forename_canon",
        "surname_metaphones",
        "surname_parts",
    )
    pc = j.postcode
    outward = pc.split(" ")[0]
    has_inward = pc.contains(" ")
    middle = j.middle_names.split(" ")[0]
    return j.select(
        mention_id=j.mention_id,
        forename=j.forename,
        surname=j.surname,
        middle_first=ibis.ifelse(middle == "", ibis.null("string"), middle),
        forename_groups=j.forename_groups,
        forename_canon=j.forename_canon,
        surname_metaphones=j.surname_metaphones,
        surname_dm=j.surname_metaphones[0],
        surname_parts=j.surname_parts,
        dob=j.dob,
        dob_str=j.dob.strftime("%Y%m%d"),
        dob_year=ibis.ifelse(j.dob.notnull(), j.dob.year().cast("int64"), j.dob_year.cast("int64")),
        dob_month=ibis.ifelse(
            j.dob.notnull(), j.dob.month().cast("int64"), j.dob_month.cast("int64")
        ),
        dob_day=j.dob.day().cast("int64"),
        gender=j.gender,
        postcode=pc,
        postcode_sector=ibis.ifelse(
            has_inward, outward + " " + pc.split(" ")[1].substr(0, 1), ibis.null("string")
        ),
        postcode_district=outward,
        phone=j.phone,
        email=j.email,
        pnc_id=j.pnc_id,
        cro_number=j.cro_number,
        force=j.force,
        source_system=j.source_system,
    )
