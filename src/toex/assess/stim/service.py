"""STIM for the CLI and the web app: snapshot + operational store in, reports and workflow out.

The one place that joins the warehouse snapshot (STIM tables, staged partner data) with the
operational store (partner-user indicator records, referrals). Functions take an open
snapshot connection and an :class:`~toex.ops.db.OpsStore`; :class:`StimService` opens both
from a data directory for the CLI. Like the stage, this module reads ``toex.ops`` (the
referral API) besides the packages assess may import.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from toex.assess.stim.compute import compute_stim
from toex.assess.stim.indicators import IndicatorSet, load_indicators
from toex.assess.stim.partner_data import PartnerData, Window
from toex.assess.stim.read import case_view, list_cases
from toex.assess.stim.reports import StimReport, stim_report
from toex.assess.stim.stage import load_partner_data
from toex.errors import NotFoundError
from toex.ops.db import OpsStore
from toex.ops.models import Organisation, User
from toex.ops.referrals import (
    Actor,
    CaseSnapshot,
    indicator_records,
    latest_indicator_rows,
    list_referrals,
    partner_code,
    raise_referral,
    record_outcome,
    refer,
    triage,
)
from toex.ops.stim_models import StimReferral


def only_partner(data: PartnerData, partner: str) -> PartnerData:
    """The partner data of one partner website."""

    def own(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["partner"] == partner].reset_index(drop=True)

    return PartnerData(
        own(data.accounts),
        own(data.adverts),
        own(data.payments),
        own(data.calls),
        own(data.records),
    )


def records_frame(store: OpsStore, partner: str | None = None) -> pd.DataFrame:
    """Partner-user indicator records (latest per account and indicator) as a frame."""
    return pd.DataFrame(latest_indicator_rows(indicator_records(store, partner)))


def report_for(
    con: Any,
    store: OpsStore,
    start: dt.date | None,
    end: dt.date | None,
    actor: Actor | None = None,
    config: IndicatorSet | None = None,
) -> StimReport:
    """The STIM report for a period: recomputed from the snapshot's staged partner data and
    the store's records, with the referrals raised in the period. A partner user's report
    covers only their own accounts and referrals."""
    config = config or load_indicators()
    # A partner user of an organisation with no partner code is restricted to no partner.
    partner = (actor.partner or "") if actor is not None and actor.role == "partner" else None
    data = load_partner_data(con, records_frame(store, partner))
    if partner is not None:
        data = only_partner(data, partner)
    result = compute_stim(data, config, window=Window(start, end))
    refs = (
        list_referrals(store, actor, since=start, until=end)
        if actor is not None
        else _all_referrals(store, start, end)
    )
    return stim_report(result, config, refs)


def _all_referrals(
    store: OpsStore, start: dt.date | None, end: dt.date | None
) -> list[StimReferral]:
    system = Actor("system", "analyst", "")
    return list(list_referrals(store, system, since=start, until=end))


def case_snapshot(con: Any, case_id: str, partner: str | None = None) -> CaseSnapshot:
    """The case as it stands, for raising a referral (a partner's own accounts only)."""
    view = case_view(con, case_id, partner, with_crossmatch=False)
    ids = [m["account_id"] for m in view.members]
    marks = ", ".join("?" for _ in ids)
    raw = con.execute(
        f"SELECT partner, nationality, home_region, n_adverts FROM stim_entity "
        f"WHERE account_id IN ({marks})",
        ids,
    ).fetchall()
    partners = sorted({r[0] for r in raw if r[0]})
    return CaseSnapshot(
        case_id=case_id,
        partner=partner or (partners[0] if partners else ""),
        risk_level=str(view.case["risk_level"]),
        accounts=tuple(ids),
        n_adverts=int(sum(int(r[3] or 0) for r in raw)),
        regions=tuple(sorted({r[2] for r in raw if r[2]})),
        nationalities=tuple(sorted({r[1] for r in raw if r[1]})),
    )


def actor_for(store: OpsStore, username: str, client: str = "cli") -> Actor:
    """The :class:`Actor` of an operational-store user (NotFound if there is none)."""
    with store.session() as session:
        user = session.scalar(
            select(User).where(User.username == username).options(selectinload(User.organisation))
        )
        if user is None or not user.active:
            raise NotFoundError(f"no active user {username!r}")
        org: Organisation = user.organisation
        return Actor(user.username, user.role, org.code, partner_code(org), client)


@dataclass
class StimService:
    """The CLI's handle: the current snapshot and the operational store."""

    con: Any
    store: OpsStore

    @classmethod
    def open(cls, data_dir: Path) -> StimService:
        """Open the current snapshot read-only and the configured operational store."""
        from toex.config import get_settings
        from toex.engine import SnapshotStore
        from toex.ops import open_store

        settings = get_settings().model_copy(update={"data_dir": data_dir})
        backend = SnapshotStore(data_dir).open_current()
        url = settings.ops_database_url or f"sqlite:///{data_dir / 'ops.sqlite'}"
        return cls(getattr(backend, "con", backend), open_store(url, settings=settings))

    def report(self, start: dt.date | None, end: dt.date | None) -> StimReport:
        """The STIM report over every partner's data."""
        return report_for(self.con, self.store, start, end)

    def cases(self, risk: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Cases of concern, highest risk first."""
        return list_cases(self.con, None, risk=risk, limit=limit)

    def referral_rows(self, username: str, status: str | None = None) -> list[dict[str, Any]]:
        """Referrals the user may see, as plain rows."""
        actor = actor_for(self.store, username)
        return [
            {
                "id": r.id,
                "case_id": r.case_id,
                "status": r.status,
                "risk_level": r.risk_level,
                "n_adverts": r.n_adverts,
                "referred_to": r.referred_to,
                "outcome": r.outcome,
                "created_at": r.created_at,
            }
            for r in list_referrals(self.store, actor, status=status)
        ]

    def raise_referral(self, username: str, case_id: str, note: str = "") -> StimReferral:
        """Raise a case as a referral, as ``username``."""
        actor = actor_for(self.store, username)
        partner = (actor.partner or "") if actor.role == "partner" else None
        snap = case_snapshot(self.con, case_id, partner)
        return raise_referral(self.store, actor, snap, note)

    def step(
        self,
        username: str,
        referral_id: int,
        step: str,
        *,
        note: str = "",
        priority: str = "medium",
        to_kind: str = "force",
        to: str = "",
        outcome: str = "",
    ) -> StimReferral:
        """Move a referral to ``step`` (triaged, referred or outcome), as ``username``."""
        actor = actor_for(self.store, username)
        if step == "triaged":
            return triage(self.store, actor, referral_id, priority, note)
        if step == "referred":
            return refer(self.store, actor, referral_id, to_kind, to, note)
        return record_outcome(self.store, actor, referral_id, outcome, note)
