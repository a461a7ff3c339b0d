"""Impact evaluation: how much faster supported threats are scored, reach the top ten and
are first significantly disrupted, and the days and money that saves.

Method (docs/methods.md): for each event, time from a threat's identification to the event,
censored at ``as_of`` for threats that have not reached it; a Weibull accelerated-failure-time
model (lifelines' ``WeibullAFTFitter``) with covariates *supported*, geographic scale and one
indicator per exploitation type (types with fewer than ``min_type_count`` threats pooled).
"Times faster" is ``exp(-b)`` for the support coefficient ``b``, with the 95% Wald interval
of ``b`` transformed the same way; the unadjusted ratio (support alone) is shown beside it.
Kaplan-Meier medians per group describe the raw data. Days saved: for every supported threat
that reached the savings event, its observed time times ``(ratio - 1)``; money saved: days
saved x staff per threat x staff-day cost. Pure: rows in, :class:`ImpactReport` out.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from toex.errors import ConfigError, InputError

EVENTS: dict[str, tuple[str, str]] = {
    "scored": ("scored_on", "formally identify and score a threat"),
    "top10": ("top10_on", "reach the agency's ten highest priority threats"),
    "disruption": ("first_significant", "have a significant disruption"),
}
METHOD = (
    "Weibull accelerated failure time model (lifelines WeibullAFTFitter) of the days from "
    "identification to the event, threats not yet at the event censored at the evaluation "
    "date; covariates: supported, geographic scale, each exploitation type. Times faster = "
    "exp(-coefficient of supported), 95% Wald interval."
)


class ImpactCosts(BaseModel):
    """The cost model and options of the evaluation (``data/impact.yaml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    staff_day_cost_gbp: float = Field(gt=0)
    staff_per_threat: float = Field(gt=0)
    savings_event: Literal["scored", "top10", "disruption"] = "disruption"
    min_type_count: int = Field(10, ge=1)
    caveats: tuple[str, ...] = ()


def parse_costs(data: object, where: str) -> ImpactCosts:
    """Validate a cost model; :class:`ConfigError` names the file and field."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping at the top level")
    try:
        return ImpactCosts.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = ".".join(str(p) for p in err["loc"]) or "(top level)"
        raise ConfigError(f"{where}: {name}: {err['msg']}") from None


@cache
def _shipped() -> ImpactCosts:
    text = resources.files("toex.assess").joinpath("data/impact.yaml").read_text("utf-8")
    return parse_costs(yaml.safe_load(text), "impact.yaml (shipped)")


def load_costs(path: Path | None = None) -> ImpactCosts:
    """The shipped cost model, or the YAML file at ``path``."""
    if path is None:
        return _shipped()
    try:
        text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise ConfigError(f"impact cost model {path}: {exc.strerror}") from exc
    return parse_costs(yaml.safe_load(text), str(path))


@dataclass(frozen=True)
class Ratio:
    """A "times faster" estimate with its 95% interval."""

    estimate: float
    low: float
    high: float

    def covers(self, value: float) -> bool:
        """Whether ``value`` lies within the interval."""
        return self.low <= value <= self.high


@dataclass(frozen=True)
class EventResult:
    """The evaluation of one event."""

    event: str
    wording: str
    threats: int
    supported: int
    events: int
    censored: int
    adjusted: Ratio | None
    unadjusted: Ratio | None
    median_days_supported: float | None
    median_days_unsupported: float | None
    covariates: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class Savings:
    """Days and money saved on the savings event, with the ratio's interval carried."""

    event: str
    threats: int
    days: float
    days_low: float
    days_high: float
    money_gbp: float
    money_per_threat_gbp: float
    money_low_gbp: float
    money_high_gbp: float


@dataclass
class ImpactReport:
    """The whole evaluation."""

    as_of: dt.date
    threats: int
    excluded: int
    results: list[EventResult] = field(default_factory=list)
    savings: Savings | None = None
    costs: ImpactCosts | None = None
    method: str = METHOD

    def result(self, event: str) -> EventResult:
        """The result for ``event``."""
        return next(r for r in self.results if r.event == event)


def durations(rows: Sequence[dict[str, Any]], event: str, as_of: dt.date) -> pd.DataFrame:
    """Per threat identified by ``as_of``: days to ``event`` (or to ``as_of``, censored),
    whether it was observed, supported, scale and types."""
    column = EVENTS[event][0]
    out = []
    for r in rows:
        start = r.get("identified_on")
        if start is None or start > as_of:
            continue
        day = r.get(column)
        seen = day is not None and day <= as_of
        end = day if seen else as_of
        out.append(
            {
                "reference": r["reference"],
                "T": max(float((end - start).days), 0.5),
                "E": bool(seen),
                "supported": float(bool(r["supported"])),
                "geographic_scale": r["geographic_scale"],
                "types": tuple(r["exploitation_types"]),
            }
        )
    return pd.DataFrame(out)


def design(frame: pd.DataFrame, min_type_count: int) -> pd.DataFrame:
    """The model's covariates: supported, scale dummies (the commonest scale as reference),
    one indicator per exploitation type with at least ``min_type_count`` threats (the
    commonest type as reference; a threat may have several); constant columns dropped."""
    x = pd.DataFrame({"T": frame["T"], "E": frame["E"], "supported": frame["supported"]})
    scales = frame["geographic_scale"].value_counts()
    for scale in sorted(scales.index[1:]):
        x[f"scale_{scale}"] = (frame["geographic_scale"] == scale).astype(float)
    counts = pd.Series([t for ts in frame["types"] for t in ts]).value_counts()
    for typ in sorted(counts.index[1:][counts.iloc[1:] >= min_type_count]):
        col = pd.Series([float(typ in ts) for ts in frame["types"]], index=frame.index)
        if 0 < col.sum() < len(col):
            x[f"type_{typ}"] = col
    keep = [c for c in x.columns if c in ("T", "E") or x[c].nunique() > 1]
    return x[keep]


def _fit(x: pd.DataFrame) -> tuple[Ratio | None, str]:
    """Times faster for ``supported`` from a Weibull AFT fit of ``x``."""
    from lifelines import WeibullAFTFitter

    if "supported" not in x.columns or int(x["E"].sum()) < 3:
        return None, "too few events or no contrast between supported and unsupported threats"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fitter = WeibullAFTFitter(penalizer=0.0).fit(x, "T", "E")
        except Exception as exc:  # lifelines raises several kinds on degenerate data
            return None, f"the model did not fit ({type(exc).__name__})"
    row = fitter.summary.loc[("lambda_", "supported")]
    b, lo, hi = float(row["coef"]), float(row["coef lower 95%"]), float(row["coef upper 95%"])
    note = "; ".join(sorted({str(w.message).splitlines()[0] for w in caught}))[:300]
    return Ratio(float(np.exp(-b)), float(np.exp(-hi)), float(np.exp(-lo))), note


def _median(frame: pd.DataFrame, supported: bool) -> float | None:
    from lifelines import KaplanMeierFitter

    part = frame[frame["supported"] == float(supported)]
    if part.empty:
        return None
    km = KaplanMeierFitter().fit(part["T"], part["E"])
    value = float(km.median_survival_time_)
    return None if np.isinf(value) else value


def evaluate_event(
    rows: Sequence[dict[str, Any]],
    event: str,
    as_of: dt.date,
    min_type_count: int = 10,
    unadjusted: bool = True,
) -> EventResult:
    """The adjusted (and, unless ``unadjusted`` is false, the unadjusted) "times faster"
    ratio for ``event``."""
    frame = durations(rows, event, as_of)
    if frame.empty:
        return EventResult(event, EVENTS[event][1], 0, 0, 0, 0, None, None, None, None, ())
    x = design(frame, min_type_count)
    adjusted, note = _fit(x)
    crude = (
        _fit(x[[c for c in ("T", "E", "supported") if c in x.columns]])[0] if unadjusted else None
    )
    return EventResult(
        event,
        EVENTS[event][1],
        len(frame),
        int(frame["supported"].sum()),
        int(frame["E"].sum()),
        int((~frame["E"]).sum()),
        adjusted,
        crude,
        _median(frame, True),
        _median(frame, False),
        tuple(c for c in x.columns if c not in ("T", "E")),
        note,
    )


def savings(
    rows: Sequence[dict[str, Any]], result: EventResult, as_of: dt.date, costs: ImpactCosts
) -> Savings | None:
    """Days and money saved by supported threats that reached ``result``'s event."""
    if result.adjusted is None:
        return None
    frame = durations(rows, result.event, as_of)
    done = frame[(frame["supported"] == 1.0) & frame["E"]]
    observed = float(done["T"].sum())
    r = result.adjusted

    def days(ratio: float) -> float:
        return observed * (ratio - 1.0)

    per_day = costs.staff_per_threat * costs.staff_day_cost_gbp
    n = len(done)
    return Savings(
        result.event,
        n,
        days(r.estimate),
        days(r.low),
        days(r.high),
        days(r.estimate) * per_day,
        days(r.estimate) * per_day / n if n else 0.0,
        days(r.low) * per_day,
        days(r.high) * per_day,
    )


def evaluate_impact(
    rows: Sequence[dict[str, Any]], as_of: dt.date, costs: ImpactCosts | None = None
) -> ImpactReport:
    """The evaluation of every event on the tracker's threat rows
    (:func:`toex.ops.tracker_queries.threat_rows`) as of ``as_of``."""
    costs = costs or load_costs()
    usable = [r for r in rows if r.get("identified_on") and r["identified_on"] <= as_of]
    if not usable:
        raise InputError(f"no threat identified by {as_of}: nothing to evaluate")
    report = ImpactReport(as_of, len(usable), len(rows) - len(usable), costs=costs)
    for event in EVENTS:
        report.results.append(evaluate_event(usable, event, as_of, costs.min_type_count))
    report.savings = savings(usable, report.result(costs.savings_event), as_of, costs)
    return report


def report_rows(report: ImpactReport) -> list[dict[str, Any]]:
    """The report as plain rows (one per event) for JSON, CSV and the CLI."""
    out = []
    for r in report.results:
        out.append(
            {
                "event": r.event,
                "times_faster": r.adjusted.estimate if r.adjusted else None,
                "ci_low": r.adjusted.low if r.adjusted else None,
                "ci_high": r.adjusted.high if r.adjusted else None,
                "unadjusted": r.unadjusted.estimate if r.unadjusted else None,
                "threats": r.threats,
                "supported": r.supported,
                "events": r.events,
                "censored": r.censored,
                "median_days_supported": r.median_days_supported,
                "median_days_unsupported": r.median_days_unsupported,
            }
        )
    return out
