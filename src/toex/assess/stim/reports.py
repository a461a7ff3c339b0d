"""The briefing's STIM tables, reproduced from data for any date range.

:func:`stim_report` takes a :class:`~toex.assess.stim.compute.StimResult` computed over the
window and the referrals raised in it, and returns plain data:

- each indicator's count and % of entities (assessed accounts active in the window);
- how many entities had at least one low, medium and high indicator;
- outcomes by cases and by adverts (the adverts of each referral's accounts, as raised);
- top nationalities and regions of referrals (a referral counts once under each nationality
  and region among its accounts), and the same breakdowns over assessed entities.

Nationality appears in these breakdowns and nowhere else.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from toex.assess.stim.compute import LEVELS, StimResult
from toex.assess.stim.indicators import IndicatorSet
from toex.assess.stim.text_signals import OBSCURED_PHONE
from toex.model.stim_tables import REFERRAL_OUTCOMES

OUTCOME_LABELS = REFERRAL_OUTCOMES


class ReferralLike(Protocol):
    """What a report reads of a referral (``toex.ops.stim_models.StimReferral`` fits)."""

    case_id: str
    status: str
    outcome: str | None
    n_adverts: int
    regions: list[str]
    nationalities: list[str]


@dataclass(frozen=True)
class IndicatorLine:
    """One line of the indicator table."""

    code: str
    label: str
    level: str
    count: int
    pct: float


@dataclass(frozen=True)
class CountLine:
    """A label with a count and a percentage."""

    label: str
    count: int
    pct: float


@dataclass(frozen=True)
class OutcomeLine:
    """An outcome with the cases and adverts it covers."""

    code: str
    label: str
    cases: int
    adverts: int


@dataclass
class StimReport:
    """Every figure of the briefing's STIM slides for one window."""

    window: str
    entities: int
    adverts: int
    indicators: list[IndicatorLine]
    at_least: dict[str, CountLine]
    cases: int
    cases_by_risk: dict[str, int]
    referrals: int
    referral_adverts: int
    referrals_by_status: dict[str, int]
    outcomes: list[OutcomeLine]
    referral_nationalities: list[CountLine]
    referral_regions: list[CountLine]
    entity_nationalities: list[CountLine]
    entity_regions: list[CountLine]
    text_signals: dict[str, int] = field(default_factory=dict)


def pct(count: int, total: int) -> float:
    """``count`` as a percentage of ``total`` to one decimal place (0 when total is 0)."""
    return round(100.0 * count / total, 1) if total else 0.0


def _top(counter: Counter[str], total: int, top: int) -> list[CountLine]:
    ordered = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return [CountLine(k, v, pct(v, total)) for k, v in ordered]


def _breakdown(values: Iterable[Sequence[str]], total: int, top: int) -> list[CountLine]:
    counter: Counter[str] = Counter()
    for vals in values:
        counter.update({v for v in vals if v})
    return _top(counter, total, top)


def stim_report(
    result: StimResult, config: IndicatorSet, referrals: Sequence[ReferralLike] = (), top: int = 5
) -> StimReport:
    """The STIM tables for ``result`` (computed over one window) and the referrals raised in
    that window."""
    ent = result.entity[result.entity["assessed"]]
    n = len(ent)
    lines = [
        IndicatorLine(
            i.code, i.label, i.level.value, int(ent[i.code].sum()), pct(int(ent[i.code].sum()), n)
        )
        for i in config.ordered()
    ]
    at_least = {
        lvl: CountLine(
            lvl, int((ent[f"n_{lvl}"] > 0).sum()), pct(int((ent[f"n_{lvl}"] > 0).sum()), n)
        )
        for lvl in LEVELS
    }
    concern = result.case[result.case["n_assessed"] > 0]
    by_risk = {lvl: int((concern["risk_level"] == lvl).sum()) for lvl in ("none", *LEVELS)}
    outcome_cases: Counter[str] = Counter()
    outcome_adverts: Counter[str] = Counter()
    for ref in referrals:
        if ref.status == "outcome" and ref.outcome:
            outcome_cases[ref.outcome] += 1
            outcome_adverts[ref.outcome] += int(ref.n_adverts)
    outcomes = [
        OutcomeLine(code, label, outcome_cases[code], outcome_adverts[code])
        for code, label in OUTCOME_LABELS.items()
    ]
    signals = result.text_signal.groupby("signal")["advert_id"].nunique()
    text_signals = {str(k): int(v) for k, v in signals.items()}
    text_signals.setdefault(OBSCURED_PHONE, 0)
    return StimReport(
        window=result.window.label(),
        entities=n,
        adverts=int(ent["n_adverts"].sum()),
        indicators=lines,
        at_least=at_least,
        cases=len(concern),
        cases_by_risk=by_risk,
        referrals=len(referrals),
        referral_adverts=sum(int(r.n_adverts) for r in referrals),
        referrals_by_status=dict(Counter(r.status for r in referrals)),
        outcomes=outcomes,
        referral_nationalities=_breakdown(
            (r.nationalities for r in referrals), len(referrals), top
        ),
        referral_regions=_breakdown((r.regions for r in referrals), len(referrals), top),
        entity_nationalities=_breakdown(
            ([str(v)] if v == v and v else [] for v in ent["nationality"]), n, top
        ),
        entity_regions=_breakdown(
            ([str(v)] if v == v and v else [] for v in ent["home_region"]), n, top
        ),
        text_signals=text_signals,
    )


def report_lines(report: StimReport) -> list[str]:
    """The report as plain text lines (what ``toex assess stim`` prints)."""
    out = [
        f"STIM: risk indicators of online sexual trafficking and exploitation ({report.window})",
        "",
        f"{'Indicator':<78} {'level':<7} {'count':>6} {'% of entities':>14}",
    ]
    out += [
        f"{ln.label[:78]:<78} {ln.level:<7} {ln.count:>6} {ln.pct:>14.1f}"
        for ln in report.indicators
    ]
    out += ["", f"{report.entities} entities (assessed accounts), {report.adverts} adverts"]
    out += [
        f"{c.count} had at least one {c.label} risk indicator ({c.pct:.0f}%)"
        for c in report.at_least.values()
    ]
    out += [
        f"{report.cases} cases of concern: "
        + ", ".join(f"{v} {k}" for k, v in report.cases_by_risk.items() if v)
    ]
    out += [
        "",
        f"{report.referrals} case referrals ({report.referral_adverts} adverts): "
        + ", ".join(f"{v} {k}" for k, v in sorted(report.referrals_by_status.items())),
        f"{'Outcome':<46} {'Cases':>6} {'Adverts':>8}",
    ]
    out += [f"{o.label:<46} {o.cases:>6} {o.adverts:>8}" for o in report.outcomes]
    for title, rows in (
        ("Top nationalities of referrals", report.referral_nationalities),
        ("Top regions of referrals", report.referral_regions),
        ("Top nationalities of entities", report.entity_nationalities),
        ("Top regions of entities", report.entity_regions),
    ):
        out += [
            "",
            title
            + ": "
            + (", ".join(f"{r.label} {r.count} ({r.pct:.0f}%)" for r in rows) or "none"),
        ]
    out += [
        "",
        "Text signals (adverts; not among the 13 indicators): "
        + ", ".join(f"{k} {v}" for k, v in sorted(report.text_signals.items())),
    ]
    return out
