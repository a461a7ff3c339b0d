"""Placeholder values that must never glue unrelated people together.

Two sources, both nulled for matching and blocking (the staged data keeps them):

* fixed lists: names such as ``UNKNOWN`` / ``N/K``, DOBs 01/01/1900 and 01/01/1970, dummy
  phones such as 07000000000;
* data-driven *hubs*: a value shared by implausibly many mentions of evidently different
  people. A value is a hub when at least ``min_mentions`` mentions carry it, at least
  ``min_identities`` distinct identities (another attribute: surname for a DOB, DOB for the
  rest) share it, and no single identity holds half of its mentions; for DOB and postcode
  (which real people legitimately share) it must also be ``outlier_factor`` times as frequent
  as the median value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir

PLACEHOLDER_NAMES: frozenset[str] = frozenset(
    {
        "UNKNOWN",
        "UNK",
        "UNKN",
        "NK",
        "N K",
        "NOT KNOWN",
        "NOTKNOWN",
        "NONE",
        "NA",
        "N A",
        "NIL",
        "NULL",
        "X",
        "XX",
        "XXX",
        "XXXX",
        "ZZ",
        "ZZZ",
        "REFUSED",
        "REFUSED NAME",
        "NO NAME",
        "NONAME",
        "NOT GIVEN",
        "NOT STATED",
        "PERSON UNKNOWN",
        "UNKNOWN PERSON",
        "UNKNOWN MALE",
        "UNKNOWN FEMALE",
        "MALE",
        "FEMALE",
        "ANON",
        "ANONYMOUS",
        "TBC",
        "TBA",
        "TEST",
        "DUMMY",
        "WITHHELD",
        "NFA",
        "NO FIXED ABODE",
    }
)
"""Normalised forename/surname values that mean "not known"."""

PLACEHOLDER_DOBS: frozenset[dt.date] = frozenset(
    {
        dt.date(1900, 1, 1),
        dt.date(1901, 1, 1),
        dt.date(1970, 1, 1),
        dt.date(1800, 1, 1),
        dt.date(1899, 12, 31),
        dt.date(2000, 1, 1),
    }
)
"""Dates of birth systems put in when the true one is not known."""

PLACEHOLDER_PHONES: frozenset[str] = frozenset(
    {
        "+447000000000",
        "+447777777777",
        "+447999999999",
        "+441234567890",
        "+440000000000",
        "+441111111111",
        "+447123456789",
        "+447700000000",
        "+441000000000",
    }
)
"""E.164 phone numbers used as dummies."""

PLACEHOLDER_EMAILS: frozenset[str] = frozenset(
    {
        "unknown@unknown.com",
        "none@none.com",
        "noemail@noemail.com",
        "na@na.com",
        "test@test.com",
        "no@email.com",
        "nk@nk.com",
        "unknown@unknown.co.uk",
    }
)
"""Lower-case emails used as dummies."""

HUB_COLUMNS: tuple[str, ...] = ("dob", "phone", "email", "pnc_id", "cro_number", "postcode")
"""Columns checked for data-driven hubs."""

_COMMON_VALUE_COLUMNS = frozenset({"dob", "postcode"})


@dataclass(frozen=True)
class HubRule:
    """Thresholds of the data-driven hub rule (see the module docstring)."""

    min_mentions: int = 10
    min_identities: int = 5
    max_top_share: float = 0.5
    outlier_factor: float = 20.0


@dataclass
class Placeholders:
    """The values nulled for matching, per column, with the reason for each."""

    values: dict[str, set[object]] = field(default_factory=dict)
    reasons: list[tuple[str, str, int, str]] = field(default_factory=list)

    def add(self, column: str, value: object, n_mentions: int, reason: str) -> None:
        """Record ``value`` of ``column`` as a placeholder."""
        self.values.setdefault(column, set()).add(value)
        self.reasons.append((column, str(value), n_mentions, reason))


def fixed_placeholders() -> Placeholders:
    """The shipped fixed lists as a :class:`Placeholders` (mention counts unknown: 0)."""
    ph = Placeholders()
    for col in ("forename", "surname", "middle_names"):
        for name in sorted(PLACEHOLDER_NAMES):
            ph.values.setdefault(col, set()).add(name)
    for dob in PLACEHOLDER_DOBS:
        ph.values.setdefault("dob", set()).add(dob)
    ph.values["phone"] = set(PLACEHOLDER_PHONES)
    ph.values["email"] = set(PLACEHOLDER_EMAILS)
    return ph


def null_placeholders(t: ir.Table, ph: Placeholders) -> ir.Table:
    """``t`` with every placeholder value of every listed column replaced by null."""
    repl = {}
    for col, values in ph.values.items():
        if col in t.columns and values:
            c = t[col]
            repl[col] = ibis.ifelse(c.isin(sorted(values, key=str)), ibis.null(c.type()), c)
    return t.mutate(**repl) if repl else t


def _identity(t: ir.Table, column: str) -> ir.Value:
    if column == "dob":
        return t.surname
    return ibis.coalesce(t.dob.cast("string"), t.surname)


def hub_candidates_expr(t: ir.Table, column: str, rule: HubRule) -> ir.Table:
    """An expression of ``value, n, identities, top`` for the hubs of ``column`` in ``t``."""
    s = t.filter(t[column].notnull()).select(value=t[column], ident=_identity(t, column))
    g = s.group_by(["value", "ident"]).aggregate(k=ibis._.count())
    per = g.group_by("value").aggregate(n=g.k.sum(), identities=g.k.count(), top=g.k.max())
    cond = (
        (per.n >= rule.min_mentions)
        & (per.identities >= rule.min_identities)
        & (per.top < per.n * rule.max_top_share)
    )
    if column in _COMMON_VALUE_COLUMNS:
        cond = cond & (per.n >= per.n.approx_median() * rule.outlier_factor)
    return per.filter(cond)


def detect_hubs(
    t: ir.Table, rule: HubRule | None = None, base: Placeholders | None = None
) -> Placeholders:
    """Fixed placeholders (``base``) plus the data-driven hubs of every hub column of ``t``.

    ``t`` should already have the fixed placeholders nulled. Runs one small query per column.
    """
    rule = rule or HubRule()
    ph = base if base is not None else fixed_placeholders()
    for column in HUB_COLUMNS:
        if column not in t.columns:
            continue
        hubs = hub_candidates_expr(t, column, rule).order_by("value").to_pyarrow().to_pylist()
        for row in hubs:
            ph.add(
                column,
                row["value"],
                int(row["n"]),
                f"shared by {row['n']} mentions of {row['identities']} identities, "
                f"the commonest holding {row['top']}",
            )
    return ph
