"""Operational-store tables of the force profile packs: each published pack and its feedback.

A :class:`PublishedPack` row is written, with its audit entry, when ``toex publish`` has
written both files of a pack; a rebuild for the same meeting adds a new version and marks
the previous one superseded. What the pack holds (forces, handling codes, highest marking)
is kept so the web app can decide who may download it without opening it. Imported by
:mod:`toex.ops.models` so Alembic sees the tables.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from toex.ops.models import Base, utcnow


class PublishedPack(Base):
    """One version of a force's pack for one FTTCG meeting."""

    __tablename__ = "publish_pack"
    __table_args__ = (UniqueConstraint("force_code", "meeting_date", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    force_code: Mapped[str] = mapped_column(String(32), index=True)
    meeting_date: Mapped[dt.date] = mapped_column(Date, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    superseded_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    snapshot_run_id: Mapped[str] = mapped_column(String(64))
    data_as_of: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    built_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    built_by: Mapped[str] = mapped_column(String(100))
    pdf_path: Mapped[str] = mapped_column(Text)
    html_path: Mapped[str] = mapped_column(Text)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    html_sha256: Mapped[str] = mapped_column(String(64))
    pdf_bytes: Mapped[int] = mapped_column(Integer, default=0)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    # The highest classification, and every force and handling code, of what the pack shows.
    marking: Mapped[str] = mapped_column(String(32))
    content_forces: Mapped[list[str]] = mapped_column(JSON, default=list)
    handling_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The access scope it was built under: the forces of the force's agreements.
    scope_forces: Mapped[list[str]] = mapped_column(JSON, default=list)
    sections: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    suspects: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    audit_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    feedback: Mapped[list[PackFeedback]] = relationship(
        back_populates="pack", cascade="all, delete-orphan", order_by="PackFeedback.id"
    )


class PackFeedback(Base):
    """What a force said about a pack: usefulness, suspects adopted and action taken."""

    __tablename__ = "publish_pack_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pack_id: Mapped[int] = mapped_column(ForeignKey("publish_pack.id"), index=True)
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_by: Mapped[str] = mapped_column(String(100))
    organisation: Mapped[str] = mapped_column(String(64), default="")
    usefulness: Mapped[int] = mapped_column(Integer)  # 1 (not useful) .. 5 (very useful)
    # One entry per suspect profile: {slot, person_id, adopted, action}.
    suspects: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    comments: Mapped[str] = mapped_column(Text, default="")
    audit_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    pack: Mapped[PublishedPack] = relationship(back_populates="feedback")
