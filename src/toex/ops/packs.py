"""Published force profile packs and their feedback: the Python API of the operational store.

:func:`record_pack` writes a pack's row and its ``publish`` audit entry in one transaction
(a rebuild for the same meeting adds a version and supersedes the previous one);
:func:`record_feedback` does the same for a force's feedback (action ``feedback``). Who may
list and download a pack is decided here, from the pack's recorded contents, by
:func:`list_refusal` and :func:`download_refusal` (see docs/publish.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from toex.errors import InputError, NotFoundError
from toex.ops.access import AccessScope, classification_rank
from toex.ops.audit import append_entry
from toex.ops.db import OpsStore
from toex.ops.models import utcnow
from toex.ops.pack_models import PackFeedback, PublishedPack

USEFULNESS: dict[int, str] = {
    1: "Not useful",
    2: "Of little use",
    3: "Useful",
    4: "Very useful",
    5: "Essential",
}
MAX_ACTION = 500
MAX_COMMENTS = 4000


@dataclass(frozen=True)
class NewPack:
    """What a publish run hands over to be recorded once both files are written."""

    force_code: str
    meeting_date: dt.date
    version: int
    snapshot_run_id: str
    data_as_of: dt.date | None
    pdf_path: str
    html_path: str
    pdf_sha256: str
    html_sha256: str
    pdf_bytes: int
    pages: int
    marking: str
    content_forces: list[str]
    handling_codes: list[str]
    scope_forces: list[str]
    sections: list[dict[str, object]] = field(default_factory=list)
    suspects: list[dict[str, object]] = field(default_factory=list)


def next_version(store: OpsStore, force_code: str, meeting: dt.date) -> int:
    """The version number the next pack for this force and meeting will take."""
    with store.session() as session:
        latest = session.scalar(
            select(func.max(PublishedPack.version)).where(
                PublishedPack.force_code == force_code, PublishedPack.meeting_date == meeting
            )
        )
    return int(latest or 0) + 1


def current_pack(store: OpsStore, force_code: str, meeting: dt.date) -> PublishedPack | None:
    """The live (not superseded) pack of this force for this meeting, if any."""
    with store.session() as session:
        return session.scalar(
            select(PublishedPack).where(
                PublishedPack.force_code == force_code,
                PublishedPack.meeting_date == meeting,
                PublishedPack.superseded_at.is_(None),
            )
        )


def record_pack(store: OpsStore, new: NewPack, author: str, client: str = "cli") -> PublishedPack:
    """Record a written pack and audit it (action ``publish``) in one transaction.

    The previous live pack of the same force and meeting, if any, is marked superseded. A
    concurrent run that recorded the same version first makes this one an
    :class:`InputError` (its files stay on disk, unrecorded).
    """
    with store.session() as session:
        entry = append_entry(
            session,
            username=author,
            action="publish",
            target=f"pack {new.force_code} {new.meeting_date.isoformat()} v{new.version}",
            purpose=f"FTTCG force profile pack for {new.force_code} "
            f"({new.meeting_date.isoformat()})",
            detail={
                "snapshot": new.snapshot_run_id,
                "pdf_sha256": new.pdf_sha256,
                "pages": new.pages,
                "marking": new.marking,
                "content_forces": new.content_forces,
                "suspects": [s.get("person_id") for s in new.suspects],
            },
            client=client,
        )
        now = utcnow()
        for old in session.scalars(
            select(PublishedPack).where(
                PublishedPack.force_code == new.force_code,
                PublishedPack.meeting_date == new.meeting_date,
                PublishedPack.superseded_at.is_(None),
            )
        ):
            old.superseded_at = now
        pack = PublishedPack(**asdict(new), built_at=now, built_by=author, audit_id=entry.id)
        session.add(pack)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            raise InputError(
                f"pack v{new.version} for {new.force_code} on {new.meeting_date.isoformat()} "
                "was recorded by another run"
            ) from None
        return pack


def get_pack(store: OpsStore, pack_id: int) -> PublishedPack:
    """The pack with this id (feedback loaded); :class:`NotFoundError` if there is none."""
    with store.session() as session:
        pack = session.scalar(
            select(PublishedPack)
            .where(PublishedPack.id == pack_id)
            .options(selectinload(PublishedPack.feedback))
        )
        if pack is None:
            raise NotFoundError(f"no pack {pack_id}")
        return pack


def list_packs(
    store: OpsStore, forces: Iterable[str] | None = None, *, include_superseded: bool = False
) -> list[PublishedPack]:
    """Packs of ``forces`` (all when None), newest meeting first, feedback loaded."""
    stmt = select(PublishedPack).options(selectinload(PublishedPack.feedback))
    if forces is not None:
        stmt = stmt.where(PublishedPack.force_code.in_(sorted(set(forces))))
    if not include_superseded:
        stmt = stmt.where(PublishedPack.superseded_at.is_(None))
    stmt = stmt.order_by(
        PublishedPack.meeting_date.desc(), PublishedPack.force_code, PublishedPack.version.desc()
    )
    with store.session() as session:
        return list(session.scalars(stmt).all())


def list_refusal(scope: AccessScope, force_code: str) -> str | None:
    """Why a user with ``scope`` may not list this force's packs, or None when they may."""
    if force_code not in scope.forces:
        return f"your organisation has no data-sharing agreement covering {force_code}"
    return None


def download_refusal(scope: AccessScope, pack: PublishedPack) -> str | None:
    """Why a user with ``scope`` may not download ``pack``, or None when they may.

    They must be able to list the force's packs, hold an agreement for every force whose
    records the pack shows, hold every handling code in it, and be cleared for its marking.
    """
    listed = list_refusal(scope, pack.force_code)
    if listed:
        return listed
    missing = sorted(set(pack.content_forces) - scope.forces)
    if missing:
        return f"it shows records of {', '.join(missing)}, which your agreements do not cover"
    codes = sorted(set(pack.handling_codes) - scope.handling_codes)
    if codes:
        return f"it holds records with handling code {', '.join(codes)}, which you do not hold"
    if classification_rank(pack.marking) > classification_rank(scope.clearance):
        return f"it is marked {pack.marking}, above your clearance ({scope.clearance})"
    return None


@dataclass(frozen=True)
class FeedbackActor:
    """Who gives feedback: username, organisation code and client address."""

    username: str
    organisation: str
    client: str = ""


def record_feedback(
    store: OpsStore,
    pack_id: int,
    actor: FeedbackActor,
    usefulness: int,
    suspects: Sequence[dict[str, object]],
    comments: str = "",
) -> PackFeedback:
    """Store a force's feedback on a pack, audited (action ``feedback``) in one transaction.

    ``suspects`` has one entry per suspect profile the force answers for: ``slot`` (1-3,
    as in the pack), ``adopted`` (bool) and ``action`` (what was done, free text).
    """
    if usefulness not in USEFULNESS:
        raise InputError(f"usefulness must be 1 to 5, not {usefulness!r}")
    if len(comments) > MAX_COMMENTS:
        raise InputError(f"comments must be at most {MAX_COMMENTS} characters")
    pack = get_pack(store, pack_id)
    by_slot = {int(str(s["slot"])): s for s in pack.suspects}
    answers: list[dict[str, object]] = []
    for given in suspects:
        try:
            slot = int(str(given.get("slot")))
        except ValueError:
            raise InputError(f"suspect slot {given.get('slot')!r} is not a number") from None
        if slot not in by_slot:
            raise InputError(f"pack {pack_id} has no suspect profile {slot}")
        action = str(given.get("action") or "").strip()
        if len(action) > MAX_ACTION:
            raise InputError(f"action for suspect {slot} must be at most {MAX_ACTION} characters")
        answers.append(
            {
                "slot": slot,
                "person_id": by_slot[slot].get("person_id"),
                "adopted": bool(given.get("adopted")),
                "action": action,
            }
        )
    with store.session() as session:
        entry = append_entry(
            session,
            username=actor.username,
            action="feedback",
            organisation=actor.organisation,
            target=f"pack {pack.id} ({pack.force_code} {pack.meeting_date.isoformat()})",
            purpose="feedback on a force profile pack",
            detail={
                "usefulness": usefulness,
                "adopted": [a["slot"] for a in answers if a["adopted"]],
            },
            client=actor.client,
        )
        row = PackFeedback(
            pack_id=pack.id,
            submitted_by=actor.username,
            organisation=actor.organisation,
            usefulness=usefulness,
            suspects=answers,
            comments=comments.strip(),
            audit_id=entry.id,
        )
        session.add(row)
        session.commit()
        return row


@dataclass
class FeedbackSummary:
    """Feedback on one force's packs (or on every pack listed, for the overall line)."""

    force_code: str
    packs: int = 0
    packs_with_feedback: int = 0
    responses: int = 0
    mean_usefulness: float | None = None
    suspects_answered: int = 0
    suspects_adopted: int = 0
    actions: list[dict[str, object]] = field(default_factory=list)

    @property
    def adoption_rate(self) -> float | None:
        """Share of the suspects answered for that the force adopted (None before any)."""
        return self.suspects_adopted / self.suspects_answered if self.suspects_answered else None


def summarise_feedback(packs: Sequence[PublishedPack], force_code: str) -> FeedbackSummary:
    """Totals over ``packs`` (their feedback loaded): responses, usefulness, adoption, and
    the actions recorded for adopted suspects, newest first."""
    out = FeedbackSummary(force_code, packs=len(packs))
    scores: list[int] = []
    for pack in packs:
        labels = {s.get("slot"): s.get("label") for s in pack.suspects}
        if pack.feedback:
            out.packs_with_feedback += 1
        for fb in pack.feedback:
            out.responses += 1
            scores.append(fb.usefulness)
            for answer in fb.suspects:
                out.suspects_answered += 1
                if answer.get("adopted"):
                    out.suspects_adopted += 1
                    out.actions.append(
                        {
                            "pack_id": pack.id,
                            "force": pack.force_code,
                            "meeting": pack.meeting_date,
                            "slot": answer.get("slot"),
                            "label": labels.get(answer.get("slot")) or "",
                            "action": answer.get("action") or "",
                            "submitted_at": fb.submitted_at,
                        }
                    )
    if scores:
        out.mean_usefulness = sum(scores) / len(scores)
    out.actions.sort(key=lambda a: str(a["submitted_at"]), reverse=True)
    return out


def feedback_summaries(
    store: OpsStore, forces: Iterable[str]
) -> tuple[list[FeedbackSummary], FeedbackSummary]:
    """One summary per force in ``forces`` that has packs, and the overall one."""
    packs = list_packs(store, forces, include_superseded=True)
    by_force: dict[str, list[PublishedPack]] = {}
    for p in packs:
        by_force.setdefault(p.force_code, []).append(p)
    per_force = [summarise_feedback(by_force[f], f) for f in sorted(by_force)]
    return per_force, summarise_feedback(packs, "all")
