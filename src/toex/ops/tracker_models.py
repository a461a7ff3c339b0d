"""Operational-store tables of the operations tracker.

The regional unit's record of its work: operations (each against one threat, with the
dates the threat was identified, scored and entered the agency's top ten), their AARs
(activity analysis returns), disruptions, referrals, counted outcomes (IRs created, people
safeguarded, new OCGs / PIs / vulnerabilities), workload-tracker requests, and the task-based
access grants a supervisor gives users on an operation. Every row carries the external
``reference`` it was imported or entered under, so re-importing a file changes nothing.
Imported by :mod:`toex.ops.models` so Alembic sees the tables.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from toex.ops.models import Base, utcnow


class TrackerOperation(Base):
    """An operation (one threat) the unit tracks, supported by the programme or not."""

    __tablename__ = "tracker_operation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    lead_force: Mapped[str] = mapped_column(String(32), index=True)
    soc_master_list: Mapped[bool] = mapped_column(Boolean, default=False)
    supported: Mapped[bool] = mapped_column(Boolean, default=False)
    geographic_scale: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16))
    opened_on: Mapped[dt.date] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    # The threat's dates: formally identified, scored, entered the agency's top ten.
    identified_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    scored_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    top10_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    forces: Mapped[list[TrackerOperationForce]] = relationship(
        cascade="all, delete-orphan", order_by="TrackerOperationForce.force_code"
    )
    types: Mapped[list[TrackerOperationType]] = relationship(
        cascade="all, delete-orphan", order_by="TrackerOperationType.exploitation_type"
    )
    links: Mapped[list[TrackerOperationLink]] = relationship(
        cascade="all, delete-orphan", order_by="TrackerOperationLink.stable_id"
    )


class TrackerOperationForce(Base):
    """A force an operation covers (the lead force is always one)."""

    __tablename__ = "tracker_operation_force"

    operation_id: Mapped[int] = mapped_column(ForeignKey("tracker_operation.id"), primary_key=True)
    force_code: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class TrackerOperationType(Base):
    """An exploitation type of an operation."""

    __tablename__ = "tracker_operation_type"

    operation_id: Mapped[int] = mapped_column(ForeignKey("tracker_operation.id"), primary_key=True)
    exploitation_type: Mapped[str] = mapped_column(String(64), primary_key=True)


class TrackerOperationLink(Base):
    """A resolved person or network linked to an operation, by its stable ID."""

    __tablename__ = "tracker_operation_link"

    operation_id: Mapped[int] = mapped_column(ForeignKey("tracker_operation.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # person | network
    stable_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class TrackerAar(Base):
    """An activity analysis return: the unit's return on one piece of work."""

    __tablename__ = "tracker_aar"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("tracker_operation.id"), index=True)
    aar_date: Mapped[dt.date] = mapped_column(Date, index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    types: Mapped[list[TrackerAarType]] = relationship(
        cascade="all, delete-orphan", order_by="TrackerAarType.exploitation_type"
    )


class TrackerAarType(Base):
    """A threat (exploitation) type of an AAR; an AAR may have several."""

    __tablename__ = "tracker_aar_type"

    aar_id: Mapped[int] = mapped_column(ForeignKey("tracker_aar.id"), primary_key=True)
    exploitation_type: Mapped[str] = mapped_column(String(64), primary_key=True)


class TrackerDisruption(Base):
    """A disruption of the threat (4P category, impact, significant or not)."""

    __tablename__ = "tracker_disruption"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("tracker_operation.id"), index=True)
    disruption_date: Mapped[dt.date] = mapped_column(Date, index=True)
    category: Mapped[str] = mapped_column(String(16))
    impact: Mapped[str] = mapped_column(String(16))
    significant: Mapped[bool] = mapped_column(Boolean, default=False)
    summary: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(100), default="")


class TrackerReferral(Base):
    """A referral (GAIN, SIENA, Interpol, NRM) made in an operation, and its outcome."""

    __tablename__ = "tracker_referral"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("tracker_operation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    referred_on: Mapped[dt.date] = mapped_column(Date, index=True)
    outcome: Mapped[str] = mapped_column(String(32))
    outcome_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    updated_by: Mapped[str] = mapped_column(String(100), default="")


class TrackerOutcome(Base):
    """A counted result of an operation on a date (e.g. 3 people safeguarded)."""

    __tablename__ = "tracker_outcome"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("tracker_operation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    recorded_on: Mapped[dt.date] = mapped_column(Date, index=True)
    count: Mapped[int] = mapped_column(Integer)
    pending: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by: Mapped[str] = mapped_column(String(100), default="")


class TrackerRequest(Base):
    """A workload-tracker request from a force or organisation."""

    __tablename__ = "tracker_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    requested_on: Mapped[dt.date] = mapped_column(Date, index=True)
    requester: Mapped[str] = mapped_column(String(100))
    request_type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    operation_id: Mapped[int | None] = mapped_column(
        ForeignKey("tracker_operation.id"), nullable=True, index=True
    )
    updated_by: Mapped[str] = mapped_column(String(100), default="")


class TrackerGrant(Base):
    """A task-based access grant: the user may see the operation's linked persons and
    networks in its forces from ``valid_from`` to ``valid_to`` (inclusive) unless revoked."""

    __tablename__ = "tracker_grant"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("tracker_operation.id"), index=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    granted_by: Mapped[str] = mapped_column(String(100))
    granted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
