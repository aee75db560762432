"""Every table of the store, in one module (SQLModel)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from casey_cli.store.writes import now

_STATUS_CHECK = "status IN ('not-started','in-progress','blocked','complete','dropped')"


class Borough(SQLModel, table=True):
    __tablename__ = "boroughs"

    slug: str = Field(primary_key=True)
    name: str
    gss: str | None = None
    bcu: str | None = None


class Source(SQLModel, table=True):
    __tablename__ = "sources"

    code: str = Field(primary_key=True)
    title: str
    publisher: str | None = None
    published: date | None = None
    url: str | None = None
    borough: str | None = Field(default=None, foreign_key="boroughs.slug")
    notes: str | None = None
    citation: str | None = None
    # What is not known about the source (`casey source show`): the limits of the data.
    limits: str | None = None


class Recommendation(SQLModel, table=True):
    __tablename__ = "recommendations"
    __table_args__ = (
        sa.UniqueConstraint("source", "number"),
        sa.CheckConstraint(_STATUS_CHECK, name="ck_recommendations_status"),
        sa.CheckConstraint(
            "response IN ('accepted','accepted-in-principle','rejected','pending')",
            name="ck_recommendations_response",
        ),
    )

    ref: str = Field(primary_key=True)
    source: str = Field(foreign_key="sources.code", index=True)
    number: int
    title: str
    summary: str | None = None
    theme: str | None = None
    addressed_to: str | None = None
    response: str = "pending"
    owner: str | None = None
    status: str = "not-started"
    due: date | None = None
    original_due: date | None = None
    slips: int = 0
    progress: int | None = None
    completed: date | None = None
    citation: str | None = None
    created: datetime = Field(default_factory=now)
    updated: datetime = Field(default_factory=now)
    latest_update: str | None = None
    latest_update_on: date | None = None
    reported_rag: str | None = None
    # The item's reference in the tracker it was loaded from ('SR (25/26) 01'), and the
    # words that tracker gave for its due date ('TBC', 'Ongoing') where it gave no date.
    tracker_ref: str | None = None
    due_text: str | None = None
    # The day of the latest information about the item, when a register gives it (the date
    # of the latest source it cites): staleness counts from it until the item next changes.
    as_of: date | None = None


class Action(SQLModel, table=True):
    __tablename__ = "actions"
    __table_args__ = (
        sa.CheckConstraint(_STATUS_CHECK, name="ck_actions_status"),
        sa.CheckConstraint(
            "progress IS NULL OR progress BETWEEN 0 AND 100", name="ck_actions_progress"
        ),
        sa.CheckConstraint("assurance IN ('unverified','verified')", name="ck_actions_assurance"),
        # Covering: status counts (by borough, status, due, owner and slips) read only this.
        sa.Index(
            "ix_actions_borough_status_due_owner_slips",
            "borough",
            "status",
            "due",
            "owner",
            "slips",
        ),
        # Loads match an action without a ref by its natural key, borough + title.
        sa.Index("ix_actions_borough_title", "borough", "title"),
        # Refs (A14) are never reused, even if a row were ever removed.
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    borough: str = Field(foreign_key="boroughs.slug")
    recommendation: str | None = Field(default=None, foreign_key="recommendations.ref", index=True)
    title: str
    owner: str | None = Field(default=None, index=True)
    status: str = "not-started"
    due: date | None = Field(default=None, index=True)
    original_due: date | None = None
    slips: int = 0
    progress: int | None = None
    evidence: str | None = None
    citation: str | None = None
    created: datetime = Field(default_factory=now)
    updated: datetime = Field(default_factory=now)
    completed: date | None = None
    assurance: str = "unverified"
    verified_by: str | None = None
    verified_on: date | None = None
    verification_evidence: str | None = None
    # The latest progress update (its text and date) and the reporting officer's own RAG,
    # beside the rule's (which is computed, never stored).
    latest_update: str | None = None
    latest_update_on: date | None = None
    reported_rag: str | None = None
    # The item's reference in the tracker it was loaded from ('SR (25/26) 01'), and the
    # words that tracker gave for its due date ('TBC', 'Ongoing') where it gave no date.
    tracker_ref: str | None = None
    due_text: str | None = None
    # The day of the latest information about the item, when a register gives it (the date
    # of the latest source it cites): staleness counts from it until the item next changes.
    as_of: date | None = None

    @property
    def ref(self) -> str:
        return f"A{self.id}"


class StoreInfo(SQLModel, table=True):
    """The store's own facts, not the register's: its id (a random UUID, its calendar event
    UIDs' own part). `db copy` and `db restore` give the new store the old one's id rather
    than copying the row (store/manage.py, services/dump.py)."""

    __tablename__ = "store_info"

    name: str = Field(primary_key=True)
    value: str


class Meeting(SQLModel, table=True):
    __tablename__ = "meetings"
    __table_args__ = (sa.UniqueConstraint("name", "date"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str
    date: date
    borough: str | None = Field(default=None, foreign_key="boroughs.slug")
    citation: str | None = None

    @property
    def ref(self) -> str:
        return f"M{self.id}"


class HistoryEvent(SQLModel, table=True):
    """One changed field of one item. Append-only: no code path updates or deletes a row."""

    __tablename__ = "history"
    __table_args__ = (sa.Index("ix_history_ref_id", "ref", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=now, index=True)
    by: str
    kind: str
    ref: str
    borough: str | None = Field(default=None, index=True)
    field: str
    old: str | None = None
    new: str | None = None
    note: str | None = None
    meeting_id: int | None = Field(default=None, foreign_key="meetings.id")
    prev_hash: str | None = None
    hash: str | None = None
    # A 'created' event's record of the item's first values (a JSON object, hashed with the
    # event); None on other events, and on 'created' events written before schema 0005.
    state: str | None = None
    # Who made it as the store saw it: the database role (session_user) on PostgreSQL, the
    # OS user on SQLite; NULL for events recorded before schema 0006.
    account: str | None = None


class Owner(SQLModel, table=True):
    """One owner of the directory: a person or a body (a BCU, a department), with an
    address only where there is one. Items keep their owner as text (the owner's name)."""

    __tablename__ = "owners"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    email: str | None = None
    organisation: str | None = None


class OwnerAlias(SQLModel, table=True):
    """Another name an owner is known by, normalised as names are matched (owners.owner_key):
    lower case, spaces collapsed, punctuation left out."""

    __tablename__ = "owner_aliases"

    alias: str = Field(primary_key=True)
    owner_id: int = Field(foreign_key="owners.id", index=True)
