"""Operational-store tables of STIM: case referrals, their audited steps, and indicators
recorded by partner users.

A referral follows ``new -> triaged -> referred -> outcome`` (see
:mod:`toex.ops.referrals`); each step is a :class:`StimReferralStep` row and an audit entry.
A referral keeps a snapshot of its case (accounts, advert count, regions, nationalities) as
it was when raised, so outcome reports do not change when a later run regroups accounts.
Imported by :mod:`toex.ops.models` so Alembic sees the tables.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from toex.ops.models import Base, utcnow


class StimReferral(Base):
    """A STIM case referred for policing action, with its workflow state and outcome."""

    __tablename__ = "stim_referral"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(String(100), index=True)
    partner: Mapped[str] = mapped_column(String(64), index=True)
    raised_by_org: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), index=True)  # new|triaged|referred|outcome
    risk_level: Mapped[str] = mapped_column(String(10))
    accounts: Mapped[list[str]] = mapped_column(JSON, default=list)
    n_adverts: Mapped[int] = mapped_column(Integer, default=0)
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    nationalities: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[str | None] = mapped_column(String(10), nullable=True)
    referred_to_kind: Mapped[str | None] = mapped_column(String(10), nullable=True)
    referred_to: Mapped[str | None] = mapped_column(String(64), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    steps: Mapped[list[StimReferralStep]] = relationship(
        back_populates="referral", cascade="all, delete-orphan", order_by="StimReferralStep.id"
    )


class StimReferralStep(Base):
    """One step of a referral's workflow: who moved it to which status, when and why."""

    __tablename__ = "stim_referral_step"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("stim_referral.id"), index=True)
    step: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    by: Mapped[str] = mapped_column(String(100))
    organisation: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    audit_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    referral: Mapped[StimReferral] = relationship(back_populates="steps")


class StimIndicatorRecord(Base):
    """An indicator a partner user recorded for one of their organisation's accounts."""

    __tablename__ = "stim_indicator_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner: Mapped[str] = mapped_column(String(64), index=True)
    account_id: Mapped[str] = mapped_column(String(100), index=True)
    indicator: Mapped[str] = mapped_column(String(40))
    present: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    audit_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
