"""Emails and UK postcodes, cleaned in SQL over distinct values.

Emails: lower case, ``" at "``/``[at]`` and ``" dot "``/``(dot)`` restored, then checked
against a simple address shape. Postcodes: letters and digits only, upper case, checked
against the UK shape and re-spaced before the inward code (``cb12ab`` -> ``CB1 2AB``).
"""

from __future__ import annotations

from toex.ingest.cleaners.base import Cleaner

EMAIL_SHAPE = "[a-z0-9._%+-]+@[a-z0-9-]+(\\.[a-z0-9-]+)*\\.[a-z]{2,}"
POSTCODE_SHAPE = "[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][ABD-HJLNP-UW-Z]{2}"


def email_sql(raw: str) -> str:
    """SQL: the cleaned email, or NULL when it is not an address."""
    e = f"lower(trim({raw}))"
    e = f"regexp_replace({e}, '\\s*[\\[(]\\s*at\\s*[\\])]\\s*|\\s+at\\s+', '@', 'g')"
    e = f"regexp_replace({e}, '\\s*[\\[(]\\s*dot\\s*[\\])]\\s*|\\s+dot\\s+', '.', 'g')"
    e = f"regexp_replace({e}, '^mailto:', '')"
    return f"CASE WHEN regexp_full_match({e}, '{EMAIL_SHAPE}') THEN {e} END"


def postcode_sql(raw: str) -> str:
    """SQL: the postcode as ``OUT IN`` (``CB1 2AB``), or NULL when not a UK postcode."""
    p = f"regexp_replace(upper({raw}), '[^A-Z0-9]', '', 'g')"
    return (
        f"CASE WHEN regexp_full_match({p}, '{POSTCODE_SHAPE}') "
        f"THEN left({p}, length({p}) - 3) || ' ' || right({p}, 3) END"
    )


class EmailCleaner(Cleaner):
    """Email addresses, lower case; ``<target>_raw`` keeps the original."""

    name = "email"
    summary = "Email, lower case, `at`/`dot` spellings restored, shape checked."

    def lookup_sql(self, raw: str) -> dict[str, str]:
        """See :func:`email_sql`."""
        return {"value": email_sql(raw)}


class PostcodeCleaner(Cleaner):
    """UK postcodes; ``<target>_raw`` keeps the original."""

    name = "postcode"
    summary = "UK postcode normalised to `CB1 2AB`, shape checked."

    def lookup_sql(self, raw: str) -> dict[str, str]:
        """See :func:`postcode_sql`."""
        return {"value": postcode_sql(raw)}
