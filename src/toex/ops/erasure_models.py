"""Operational-store tables of erasure: each erasure request (who, when, why, what) and its
tombstones, the keys of the records and person mentions that must never come back.

A tombstone holds a deterministic key (``raw_record.record_key`` or a ``mention_id``, both
hashes of the source's identifiers), never the record's data; every run deletes the rows
whose key is tombstoned (see :mod:`toex.datadir.erase`). Imported by :mod:`toex.ops.models`
so Alembic sees the tables.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from toex.ops.models import Base, utcnow


class Erasure(Base):
    """One erasure: a person (every mention resolved to them) or one source record."""

    __tablename__ = "erasure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # person | record
    target: Mapped[str] = mapped_column(String(200), index=True)
    reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    source_run_id: Mapped[str] = mapped_column(String(64))  # snapshot the target was found in
    applied_run_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    applied_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    audit_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tombstones: Mapped[list[ErasureTombstone]] = relationship(
        back_populates="erasure", cascade="all, delete-orphan", order_by="ErasureTombstone.id"
    )


class ErasureTombstone(Base):
    """A key that every later run removes: a source record or a person mention."""

    __tablename__ = "erasure_tombstone"
    __table_args__ = (UniqueConstraint("erasure_id", "kind", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    erasure_id: Mapped[int] = mapped_column(ForeignKey("erasure.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # record | mention
    key: Mapped[str] = mapped_column(String(64), index=True)
    erasure: Mapped[Erasure] = relationship(back_populates="tombstones")
