"""STIM referral workflow and partner-recorded indicators: the Python API.

A case is raised as a referral (``new``), triaged by the regional team (``triaged``),
referred to a force or the regional team (``referred``), and closed with one of the
briefing's outcomes (``outcome``). Every step is one transaction that first appends an
audit entry (:func:`toex.ops.audit.append_entry`; action ``referral``) and then writes the
step, so the audit log and the workflow cannot disagree. Partner users record indicators
for their own organisation's accounts (action ``indicator``).

Who may do what: partner users raise referrals and record indicators for their own
partner's accounts only, and read only their own referrals; analysts and supervisors raise
referrals and read them all; admins manage accounts, not cases. A referral is moved on
(:func:`may_step`) only by its owner organisation's analysts and supervisors (the police
organisation that raised it; for one a partner raised, the regional organisations), its
outcome also by those of the organisation or force it was referred to, and any step by a
supervisor of a regional organisation.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from toex.errors import AccessDeniedError, InputError, NotFoundError
from toex.model.stim_tables import REFERRAL_OUTCOMES
from toex.ops.audit import append_entry
from toex.ops.db import OpsStore
from toex.ops.models import Organisation, utcnow
from toex.ops.stim_models import StimIndicatorRecord, StimReferral, StimReferralStep

STATUSES: tuple[str, ...] = ("new", "triaged", "referred", "outcome")
#: The briefing's outcomes, code -> label.
OUTCOMES: dict[str, str] = REFERRAL_OUTCOMES
REFER_KINDS: tuple[str, ...] = ("force", "regional")
PRIORITIES: tuple[str, ...] = ("low", "medium", "high")
RECORDABLE_INDICATORS: tuple[str, ...] = (
    "language_barrier",
    "vague_misleading",
    "avoided_call",
    "male_in_background",
    "customer_flag_trafficking",
    "customer_flag_underage",
    "other_concern",
)
_CASE_ROLES = frozenset({"analyst", "supervisor"})
_RAISE_ROLES = frozenset({"analyst", "supervisor", "partner"})


@dataclass(frozen=True)
class Actor:
    """Who acts: username, role, organisation code, and the partner code a partner user
    belongs to (None for police users)."""

    username: str
    role: str
    organisation: str
    partner: str | None = None
    client: str = ""


def partner_code(org: Organisation) -> str | None:
    """The partner-website code of a partner organisation (``force_code``, else its code
    without a ``partner-`` prefix); None for forces and regional units."""
    if org.kind != "partner":
        return None
    return org.force_code or org.code.removeprefix("partner-")


@dataclass(frozen=True)
class CaseSnapshot:
    """A case as it stands when it is raised (from the warehouse's ``stim_case``)."""

    case_id: str
    partner: str
    risk_level: str
    accounts: tuple[str, ...]
    n_adverts: int
    regions: tuple[str, ...] = ()
    nationalities: tuple[str, ...] = field(default=())


def _require(actor: Actor, roles: frozenset[str], what: str) -> None:
    if actor.role not in roles:
        raise AccessDeniedError(f"role {actor.role!r} may not {what}")


def _check_partner(actor: Actor, partner: str) -> None:
    if actor.role == "partner" and actor.partner != partner:
        raise AccessDeniedError(
            "partner users may act only on their own organisation's accounts and cases"
        )


def _audit(
    session: Session,
    actor: Actor,
    action: str,
    target: str,
    purpose: str,
    detail: dict[str, object],
) -> int:
    entry = append_entry(
        session,
        username=actor.username,
        action=action,
        organisation=actor.organisation,
        target=target,
        purpose=purpose,
        detail=detail,
        client=actor.client,
    )
    return entry.id


def raise_referral(
    store: OpsStore, actor: Actor, case: CaseSnapshot, summary: str = ""
) -> StimReferral:
    """Raise a case as a new referral; refused while the case has an open referral."""
    _require(actor, _RAISE_ROLES, "raise referrals")
    _check_partner(actor, case.partner)
    with store.session() as session:
        audit_id = _audit(
            session,
            actor,
            "referral",
            f"stim-case:{case.case_id}",
            "STIM referral raised",
            {
                "step": "new",
                "case_id": case.case_id,
                "risk": case.risk_level,
                "accounts": len(case.accounts),
            },
        )
        open_ = session.scalar(
            select(StimReferral).where(
                StimReferral.case_id == case.case_id, StimReferral.status != "outcome"
            )
        )
        if open_ is not None:
            session.rollback()
            raise InputError(f"case {case.case_id} already has open referral {open_.id}")
        now = utcnow()
        ref = StimReferral(
            case_id=case.case_id,
            partner=case.partner,
            raised_by_org=actor.organisation,
            status="new",
            risk_level=case.risk_level,
            accounts=list(case.accounts),
            n_adverts=case.n_adverts,
            regions=list(case.regions),
            nationalities=list(case.nationalities),
            summary=summary,
            created_at=now,
            created_by=actor.username,
            updated_at=now,
        )
        session.add(ref)
        session.flush()
        session.add(
            StimReferralStep(
                referral_id=ref.id,
                step="new",
                at=now,
                by=actor.username,
                organisation=actor.organisation,
                note=summary,
                detail={"case_id": case.case_id},
                audit_id=audit_id,
            )
        )
        session.commit()
        return get_referral(store, ref.id)


def _organisation(session: Session, code: str | None) -> Organisation | None:
    if not code:
        return None
    found: Organisation | None = session.scalar(
        select(Organisation).where(Organisation.code == code)
    )
    return found


def _may_step(session: Session, actor: Actor, ref: StimReferral, step: str) -> bool:
    """Whether ``actor`` may move ``ref`` to ``step`` (see the module docstring)."""
    if actor.role not in _CASE_ROLES:
        return False
    mine = _organisation(session, actor.organisation)
    kind = mine.kind if mine is not None else ""
    if actor.role == "supervisor" and kind == "regional":
        return True
    raiser = _organisation(session, ref.raised_by_org)
    if raiser is not None and raiser.kind == "partner":
        owner = kind == "regional"
    else:
        owner = ref.raised_by_org == actor.organisation
    if owner:
        return True
    codes = {actor.organisation} | ({mine.force_code} if mine and mine.force_code else set())
    return step == "outcome" and ref.referred_to is not None and ref.referred_to in codes


def next_step(ref: StimReferral) -> str | None:
    """The step that moves ``ref`` on from its status (None once it has an outcome)."""
    following = dict(itertools.pairwise(STATUSES))
    return following.get(ref.status)


def may_step(store: OpsStore, actor: Actor, ref: StimReferral, step: str | None = None) -> bool:
    """Whether ``actor`` may take ``step`` (default: the next one) on ``ref``."""
    step = step or next_step(ref)
    if step is None:
        return False
    with store.session() as session:
        return _may_step(session, actor, ref, step)


def _advance(
    store: OpsStore,
    actor: Actor,
    referral_id: int,
    step: str,
    expect: str,
    note: str,
    detail: dict[str, object],
    apply: dict[str, object],
) -> StimReferral:
    _require(actor, _CASE_ROLES, f"move referrals to {step}")
    with store.session() as session:
        audit_id = _audit(
            session,
            actor,
            "referral",
            f"stim-referral:{referral_id}",
            f"STIM referral {step}",
            {"step": step, **detail},
        )
        ref = session.get(StimReferral, referral_id)
        if ref is None:
            session.rollback()
            raise NotFoundError(f"no STIM referral {referral_id}")
        if not _may_step(session, actor, ref, step):
            session.rollback()
            raise AccessDeniedError(
                f"referral {referral_id} is moved on by its owner organisation, the "
                "organisation it was referred to (for the outcome) or a regional supervisor"
            )
        if ref.status != expect:
            session.rollback()
            raise InputError(
                f"referral {referral_id} is {ref.status}; it must be {expect} to move to {step}"
            )
        now = utcnow()
        for key, value in apply.items():
            setattr(ref, key, value)
        ref.status = step
        ref.updated_at = now
        session.add(
            StimReferralStep(
                referral_id=ref.id,
                step=step,
                at=now,
                by=actor.username,
                organisation=actor.organisation,
                note=note,
                detail=detail,
                audit_id=audit_id,
            )
        )
        session.commit()
    return get_referral(store, referral_id)


def triage(
    store: OpsStore, actor: Actor, referral_id: int, priority: str, note: str = ""
) -> StimReferral:
    """``new -> triaged`` with a priority (low, medium or high)."""
    if priority not in PRIORITIES:
        raise InputError(f"priority must be one of {', '.join(PRIORITIES)}, not {priority!r}")
    return _advance(
        store,
        actor,
        referral_id,
        "triaged",
        "new",
        note,
        {"priority": priority},
        {"priority": priority},
    )


def refer(
    store: OpsStore, actor: Actor, referral_id: int, to_kind: str, to: str, note: str = ""
) -> StimReferral:
    """``triaged -> referred`` to a force (its code) or the regional team."""
    if to_kind not in REFER_KINDS:
        raise InputError(f"refer to must be one of {', '.join(REFER_KINDS)}, not {to_kind!r}")
    if not to.strip():
        raise InputError("name the force or regional team referred to")
    return _advance(
        store,
        actor,
        referral_id,
        "referred",
        "triaged",
        note,
        {"to_kind": to_kind, "to": to},
        {"referred_to_kind": to_kind, "referred_to": to.strip()},
    )


def record_outcome(
    store: OpsStore, actor: Actor, referral_id: int, outcome: str, note: str = ""
) -> StimReferral:
    """``referred -> outcome`` with one of :data:`OUTCOMES`."""
    if outcome not in OUTCOMES:
        raise InputError(f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
    return _advance(
        store,
        actor,
        referral_id,
        "outcome",
        "referred",
        note,
        {"outcome": outcome},
        {"outcome": outcome},
    )


def _visible(stmt: object, actor: Actor) -> object:
    if actor.role == "partner":
        return stmt.where(StimReferral.partner == (actor.partner or ""))  # type: ignore[attr-defined]
    return stmt


def get_referral(store: OpsStore, referral_id: int, actor: Actor | None = None) -> StimReferral:
    """One referral with its steps; a partner user gets NotFound for another partner's."""
    with store.session() as session:
        ref = session.scalar(
            select(StimReferral)
            .options(selectinload(StimReferral.steps))
            .where(StimReferral.id == referral_id)
        )
        if ref is None or (
            actor is not None and actor.role == "partner" and ref.partner != actor.partner
        ):
            raise NotFoundError(f"no STIM referral {referral_id}")
        if actor is not None and actor.role not in _RAISE_ROLES:
            raise AccessDeniedError(f"role {actor.role!r} may not read referrals")
        return ref


def list_referrals(
    store: OpsStore,
    actor: Actor,
    *,
    status: str | None = None,
    case_id: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> Sequence[StimReferral]:
    """Referrals the actor may see, newest first, filtered by status, case and the date
    raised (inclusive)."""
    _require(actor, _RAISE_ROLES, "read referrals")
    stmt = select(StimReferral).options(selectinload(StimReferral.steps))
    stmt = _visible(stmt, actor)  # type: ignore[assignment]
    if status:
        stmt = stmt.where(StimReferral.status == status)
    if case_id:
        stmt = stmt.where(StimReferral.case_id == case_id)
    if since:
        stmt = stmt.where(StimReferral.created_at >= dt.datetime.combine(since, dt.time(), dt.UTC))
    if until:
        stmt = stmt.where(
            StimReferral.created_at
            < dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.UTC)
        )
    with store.session() as session:
        return session.scalars(stmt.order_by(StimReferral.id.desc())).all()


def record_indicator(
    store: OpsStore,
    actor: Actor,
    partner: str,
    account_id: str,
    indicator: str,
    present: bool = True,
    note: str = "",
) -> StimIndicatorRecord:
    """A partner user (or analyst) records an indicator for an account; audited."""
    _require(actor, _RAISE_ROLES, "record indicators")
    _check_partner(actor, partner)
    if indicator not in RECORDABLE_INDICATORS:
        raise InputError(
            f"indicator must be one of {', '.join(RECORDABLE_INDICATORS)}, not {indicator!r}"
        )
    if not account_id.strip():
        raise InputError("account must not be empty")
    with store.session() as session:
        audit_id = _audit(
            session,
            actor,
            "indicator",
            f"stim-account:{partner}:{account_id}",
            "STIM indicator recorded",
            {"indicator": indicator, "present": present},
        )
        rec = StimIndicatorRecord(
            partner=partner,
            account_id=account_id.strip(),
            indicator=indicator,
            present=present,
            note=note,
            recorded_by=actor.username,
            recorded_at=utcnow(),
            audit_id=audit_id,
        )
        session.add(rec)
        session.commit()
        return rec


def indicator_records(
    store: OpsStore, partner: str | None = None, account_id: str | None = None
) -> Sequence[StimIndicatorRecord]:
    """Recorded indicators, oldest first, for one partner and/or account if given."""
    stmt = select(StimIndicatorRecord)
    if partner is not None:
        stmt = stmt.where(StimIndicatorRecord.partner == partner)
    if account_id is not None:
        stmt = stmt.where(StimIndicatorRecord.account_id == account_id)
    with store.session() as session:
        return session.scalars(stmt.order_by(StimIndicatorRecord.id)).all()


def latest_indicator_rows(records: Sequence[StimIndicatorRecord]) -> list[dict[str, object]]:
    """One row per (partner, account, indicator): the latest record wins, so a partner user
    can withdraw an indicator by recording it absent. Rows fit
    :data:`toex.assess.stim.partner_data.RECORD_COLUMNS`."""
    latest: dict[tuple[str, str, str], StimIndicatorRecord] = {}
    for rec in records:
        latest[(rec.partner, rec.account_id, rec.indicator)] = rec
    return [
        {
            "account_id": r.account_id,
            "partner": r.partner,
            "indicator": r.indicator,
            "present": r.present,
            "recorded_on": r.recorded_at.date(),
            "recorded_by": r.recorded_by,
        }
        for r in latest.values()
    ]
