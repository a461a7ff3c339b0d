"""MoPI retention review: the review group and review date of every record.

Rules (``data/retention.yaml``, or ``TOEX_RETENTION_RULES``) give each record a MoPI group by
its event type, offence code or offence category, and a review period in years; the review
date is the event date plus that period. :func:`run_retention_stage` writes
``assess_retention_review`` in every snapshot; :func:`due_for_review` lists the records past
their date (``toex retention review``). See docs/methods.md for the source and the
simplifications.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from toex.assess.sql_steps import raw_connection, sql_literal
from toex.errors import ConfigError
from toex.model.enums import EventType
from toex.model.offences import offence_table
from toex.model.retention_tables import RETENTION_REVIEW

if TYPE_CHECKING:
    from toex.pipeline import PipelineContext

TABLE = RETENTION_REVIEW.name


class RetentionRule(BaseModel):
    """One review group: which records it takes and how long until their review."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    group: int = Field(ge=1)
    name: str = Field(min_length=1)
    review_years: int = Field(ge=1, le=100)
    event_types: tuple[EventType, ...] = ()
    offence_codes: tuple[str, ...] = ()
    offence_categories: tuple[str, ...] = ()

    @property
    def catch_all(self) -> bool:
        """Whether the rule has no conditions (it takes every record)."""
        return not (self.event_types or self.offence_codes or self.offence_categories)

    def codes(self) -> list[str]:
        """Every offence code the rule takes: its own and those of its categories."""
        table = offence_table()
        wanted = set(self.offence_codes)
        wanted |= {c for c, o in table.items() if o.category in self.offence_categories}
        return sorted(wanted)


class RetentionRules(BaseModel):
    """The ordered rules; the last takes every record no earlier rule took."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: tuple[RetentionRule, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> RetentionRules:
        table = offence_table()
        categories = {o.category for o in table.values()}
        for i, rule in enumerate(self.rules):
            unknown = sorted(set(rule.offence_codes) - set(table))
            if unknown:
                raise ValueError(f"rules[{i}]: unknown offence code(s) {', '.join(unknown)}")
            bad = sorted(set(rule.offence_categories) - categories)
            if bad:
                raise ValueError(f"rules[{i}]: unknown offence categor(ies) {', '.join(bad)}")
            if rule.catch_all and i != len(self.rules) - 1:
                raise ValueError(f"rules[{i}]: only the last rule may have no conditions")
        if not self.rules[-1].catch_all:
            raise ValueError("the last rule must have no conditions (it takes every other record)")
        return self


def parse_retention_rules(data: Any, source: str) -> RetentionRules:
    """Rules from parsed YAML; :class:`ConfigError` names ``source`` and the fault."""
    try:
        return RetentionRules.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        msg = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(
            f"retention rules {source}: {where + ': ' if where else ''}{msg}"
        ) from exc


@cache
def _shipped() -> RetentionRules:
    text = resources.files("toex.assess").joinpath("data/retention.yaml").read_text("utf-8")
    return parse_retention_rules(yaml.safe_load(text), "data/retention.yaml")


def load_retention_rules(path: Path | None = None) -> RetentionRules:
    """The shipped rules, or the YAML file at ``path``."""
    if path is None:
        return _shipped()
    try:
        text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise ConfigError(f"retention rules {path}: {exc.strerror}") from exc
    return parse_retention_rules(yaml.safe_load(text), str(path))


def _in(column: str, values: list[str]) -> str:
    return f"{column} IN ({', '.join(sql_literal(v) for v in values)})"


def group_case_sql(rules: RetentionRules) -> str:
    """``CASE`` giving the index of the first rule a ``staged_event`` row matches."""
    whens = []
    for i, rule in enumerate(rules.rules[:-1]):
        conds = []
        if rule.event_types:
            conds.append(_in("event_type", [str(t) for t in rule.event_types]))
        codes = rule.codes()
        if codes:
            conds.append(_in("offence_code", codes))
        whens.append(f"WHEN {' OR '.join(conds)} THEN {i}")
    return f"CASE {' '.join(whens)} ELSE {len(rules.rules) - 1} END"


def retention_review_sql(rules: RetentionRules, as_of: dt.date) -> str:
    """``CREATE TABLE assess_retention_review``: every ``staged_event`` row with its group,
    review date and whether it is due on ``as_of``."""
    values = ", ".join(
        f"({i}, {r.group}, {sql_literal(r.name)}, {r.review_years})"
        for i, r in enumerate(rules.rules)
    )
    day = sql_literal(as_of)
    return (
        f"CREATE OR REPLACE TABLE {TABLE} AS "
        "WITH e AS (SELECT event_id, force, source_system, source_record_id, event_type, "
        "offence_code, coalesce(occurred_from, reported_date, occurred_to) AS event_date, "
        f"handling_code, classification, {group_case_sql(rules)} AS rule "
        "FROM staged_event), "
        "r AS (SELECT * FROM (VALUES " + values + ") v(rule, mopi_group, group_name, "
        "review_years)), "
        "d AS (SELECT e.*, r.mopi_group::BIGINT AS mopi_group, r.group_name, "
        "r.review_years::BIGINT AS review_years, "
        "CAST(e.event_date + to_years(r.review_years::INTEGER) AS DATE) AS review_date "
        "FROM e JOIN r USING (rule)) "
        "SELECT event_id, force, source_system, source_record_id, event_type, offence_code, "
        "event_date, mopi_group, group_name, review_years, review_date, "
        f"coalesce(review_date <= {day}, TRUE) AS review_due, {day} AS as_of, "
        "handling_code, classification FROM d ORDER BY review_date NULLS FIRST, event_id"
    )


def run_retention_stage(ctx: PipelineContext) -> None:
    """Stage: write ``assess_retention_review`` (as of the run's date, UTC)."""
    con = raw_connection(ctx.con)
    have = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if "staged_event" not in have:
        return
    rules = load_retention_rules(ctx.settings.retention_rules)
    con.execute(retention_review_sql(rules, dt.datetime.now(dt.UTC).date()))
    (due,) = con.execute(f"SELECT count(*) FROM {TABLE} WHERE review_due").fetchone() or (0,)
    ctx.results["retention"] = int(due)


@dataclass(frozen=True)
class ReviewList:
    """Records due for review on a date: counts by group and the first records."""

    as_of: dt.date
    by_group: list[tuple[int, str, int, int]]  # group, name, due, total
    records: list[dict[str, Any]]


def due_for_review(
    con: Any, as_of: dt.date, force: str | None = None, limit: int = 50
) -> ReviewList:
    """The records of the snapshot on ``con`` due for review on ``as_of`` (of ``force`` if
    given): counts per group, and the ``limit`` oldest due records."""
    raw = raw_connection(con)
    where = "WHERE force = $force" if force else ""
    params: dict[str, object] = {"as_of": as_of}
    if force:
        params["force"] = force
    due = "coalesce(review_date <= $as_of, TRUE)"
    groups = raw.execute(
        f"SELECT mopi_group, any_value(group_name), count(*) FILTER (WHERE {due}), count(*) "
        f"FROM {TABLE} {where} GROUP BY mopi_group ORDER BY mopi_group",
        params,
    ).fetchall()
    cur = raw.execute(
        "SELECT force, source_system, source_record_id, event_type, offence_code, event_date, "
        f"mopi_group, review_date FROM {TABLE} {where} {'AND' if where else 'WHERE'} {due} "
        f"ORDER BY review_date NULLS FIRST, force, source_record_id LIMIT {int(limit)}",
        params,
    )
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    return ReviewList(as_of, [(int(g), str(n), int(d), int(t)) for g, n, d, t in groups], rows)
