"""The ORM classes: the registry mirrored, what was fetched, what was found, who was told."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base

OPEN_STATUSES = ("open", "acknowledged")
FINDING_STATUSES = ("open", "acknowledged", "false_positive", "resolved")


class Organization(Base):
    """A registered social organisation, mirrored from the registry YAML on every run."""

    __tablename__ = "organization"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(32))
    charity: Mapped[bool] = mapped_column(default=False)
    uscc: Mapped[str] = mapped_column(String(18))
    registration_authority: Mapped[str] = mapped_column(String(200))
    supervisor: Mapped[str | None] = mapped_column(String(200))
    public_fundraising_qualified: Mapped[bool] = mapped_column(default=False)
    fundraising_certificate: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[dt.datetime]

    channels: Mapped[list[Channel]] = relationship(back_populates="org")
    people: Mapped[list[Person]] = relationship(back_populates="org")


class Person(Base):
    """Someone who receives alerts for an organisation; ``notify`` holds Apprise URL templates."""

    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("org_id", "name", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organization.id"))
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    notify: Mapped[list] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(default=True)

    org: Mapped[Organization] = relationship(back_populates="people")


class Channel(Base):
    """A website or public account of an organisation, with its health."""

    __tablename__ = "channel"
    __table_args__ = (UniqueConstraint("org_id", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organization.id"))
    kind: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(String(2000))
    name: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    last_scan_at: Mapped[dt.datetime | None]
    last_ok_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_pages: Mapped[int] = mapped_column(default=0)
    last_truncated_reason: Mapped[str | None] = mapped_column(Text)

    org: Mapped[Organization] = relationship(back_populates="channels")


class ScanRun(Base):
    """One run of ``orgwatch scan``: its scope, counts, errors and outcome."""

    __tablename__ = "scan_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
    as_of: Mapped[dt.date]
    scope: Mapped[str] = mapped_column(String(200), default="all")
    status: Mapped[str] = mapped_column(String(16), default="running")  # running|completed|failed
    organizations: Mapped[int] = mapped_column(default=0)
    channels: Mapped[int] = mapped_column(default=0)
    pages: Mapped[int] = mapped_column(default=0)
    pages_analysed: Mapped[int] = mapped_column(default=0)
    fetch_errors: Mapped[int] = mapped_column(default=0)
    findings_new: Mapped[int] = mapped_column(default=0)
    findings_resolved: Mapped[int] = mapped_column(default=0)
    messages_queued: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)


class Page(Base):
    """The latest known state of one URL of a channel."""

    __tablename__ = "page"
    __table_args__ = (UniqueConstraint("channel_id", "url"), Index("ix_page_org_url", "org_id", "url"))

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organization.id"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id"))
    url: Mapped[str] = mapped_column(String(2000))
    final_url: Mapped[str] = mapped_column(String(2000))
    kind: Mapped[str] = mapped_column(String(32), default="page")
    status_code: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    content_type: Mapped[str] = mapped_column(String(200), default="")
    encoding: Mapped[str] = mapped_column(String(40), default="")
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    fetched_at: Mapped[dt.datetime]
    published_at: Mapped[dt.date | None]
    published_source: Mapped[str | None] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(Text, default="")
    main_text: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    size: Mapped[int] = mapped_column(default=0)
    truncated: Mapped[bool] = mapped_column(default=False)
    referer: Mapped[str | None] = mapped_column(String(2000))
    last_scan_id: Mapped[int | None] = mapped_column(ForeignKey("scan_run.id"))
    #: the page's out-links, so an unchanged (304) page's links can still be followed
    links: Mapped[list] = mapped_column(default=list)
    readable: Mapped[bool] = mapped_column(default=True)
    unreadable_reason: Mapped[str | None] = mapped_column(Text)
    tls_error: Mapped[str | None] = mapped_column(Text)
    #: what the disclosure checks take from this version of the page (None: nothing) and what that
    #: record depends on (classifier.disclosure.records); a stale key means "read the page again"
    disclosure_key: Mapped[str | None] = mapped_column(String(32))
    disclosure_record: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))


class Snapshot(Base):
    """The raw bytes (gzip) of a page version that had a finding: what was published when found."""

    __tablename__ = "snapshot"
    __table_args__ = (UniqueConstraint("page_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id"))
    content_hash: Mapped[str] = mapped_column(String(64))
    fetched_at: Mapped[dt.datetime]
    content_type: Mapped[str] = mapped_column(String(200), default="")
    encoding: Mapped[str] = mapped_column(String(40), default="")
    raw_gzip: Mapped[bytes] = mapped_column(LargeBinary)


class Finding(Base):
    """One problem, identified by a stable fingerprint so re-scans update it instead of duplicating."""

    __tablename__ = "finding"
    __table_args__ = (Index("ix_finding_org_status", "org_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organization.id"))
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channel.id"))
    page_id: Mapped[int | None] = mapped_column(ForeignKey("page.id"))
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshot.id"))
    url: Mapped[str] = mapped_column(String(2000), default="")
    category: Mapped[str] = mapped_column(String(40))
    rule: Mapped[str] = mapped_column(String(60))
    item: Mapped[str | None] = mapped_column(String(60))
    severity: Mapped[str] = mapped_column(String(8))
    evidence: Mapped[str] = mapped_column(Text, default="")
    position_start: Mapped[int | None]
    position_end: Mapped[int | None]
    basis: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict] = mapped_column(default=dict)
    score: Mapped[float | None]
    first_seen: Mapped[dt.datetime]
    last_seen: Mapped[dt.datetime]
    resolved_at: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="open")
    status_note: Mapped[str | None] = mapped_column(Text)
    #: who last changed ``status`` by hand (a web user's name or ``cli``) and when
    status_by: Mapped[str | None] = mapped_column(String(100))
    status_at: Mapped[dt.datetime | None]
    #: counts how many times this finding has (re)appeared; a resolved finding that comes back is new again
    occurrence: Mapped[int] = mapped_column(default=1)
    #: the occurrence whose alerts have been queued; less than ``occurrence`` means alerts are owed
    notified_occurrence: Mapped[int] = mapped_column(default=0)
    first_scan_id: Mapped[int | None] = mapped_column(ForeignKey("scan_run.id"))
    last_scan_id: Mapped[int | None] = mapped_column(ForeignKey("scan_run.id"))

    org: Mapped[Organization] = relationship()
    channel: Mapped[Channel | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class OutboxMessage(Base):
    """One message to one recipient address, delivered through Apprise with retries.

    ``target`` is the Apprise URL as written in the registry (``${VAR}`` placeholders are
    expanded only at delivery, so secrets are not stored). ``uid`` is shown in the message
    so a duplicate after a crash can be recognised. ``dedupe_key`` (unique when set) makes a
    digest go once per unit, day and address. ``finding_ids`` lists the findings the message
    covers, for the e-mail attachment and the counts.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_status_next", "status", "next_attempt_at"),
        # a unique index, not a constraint: SQLite adds it without rebuilding a table other tables point to
        Index("ix_outbox_dedupe_key", "dedupe_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(40), unique=True)
    org_id: Mapped[str | None] = mapped_column(ForeignKey("organization.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    recipient: Mapped[str] = mapped_column(String(200))
    target: Mapped[str] = mapped_column(Text)
    transport: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20), default="findings")  # findings|reminder|digest|operator
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    body_format: Mapped[str] = mapped_column(String(10), default="markdown")
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sending|sent|failed
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    next_attempt_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime | None]
    scan_id: Mapped[int | None] = mapped_column(ForeignKey("scan_run.id"))
    dedupe_key: Mapped[str | None] = mapped_column(String(100))
    finding_ids: Mapped[list] = mapped_column(default=list)

    alerts: Mapped[list[Alert]] = relationship(back_populates="message")


class Alert(Base):
    """That one finding was (or is to be) told to one recipient address, once per occurrence and kind.

    ``kind`` is ``findings`` for the first-time alert and ``reminder`` for the one reminder.
    The unique constraint is what makes "never a second alert for the same finding" hold,
    also with concurrent writers. Delivery state lives on the outbox message it rides in.
    """

    __tablename__ = "alert"
    __table_args__ = (UniqueConstraint("finding_id", "person_id", "target", "occurrence", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    target: Mapped[str] = mapped_column(Text)
    occurrence: Mapped[int] = mapped_column(default=1)
    kind: Mapped[str] = mapped_column(String(20), default="findings")
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id"))
    created_at: Mapped[dt.datetime]

    finding: Mapped[Finding] = relationship()
    person: Mapped[Person] = relationship()
    message: Mapped[OutboxMessage] = relationship(back_populates="alerts")

    @property
    def status(self) -> str:
        return self.message.status

    @property
    def attempts(self) -> int:
        return self.message.attempts

    @property
    def last_error(self) -> str | None:
        return self.message.last_error

    @property
    def sent_at(self) -> dt.datetime | None:
        return self.message.sent_at

    @property
    def transport(self) -> str:
        return self.message.transport


class DigestEntry(Base):
    """One finding (occurrence) owed to a supervising unit's daily digest.

    ``day`` is the day it was queued; ``digest_day`` the digest that listed it (``None``:
    not yet). Unique per unit, finding and occurrence, so a finding enters a unit's digest once.
    """

    __tablename__ = "digest_entry"
    __table_args__ = (UniqueConstraint("unit", "finding_id", "occurrence"), Index("ix_digest_unit_day", "unit", "day"))

    id: Mapped[int] = mapped_column(primary_key=True)
    unit: Mapped[str] = mapped_column(String(200))
    org_id: Mapped[str] = mapped_column(ForeignKey("organization.id"))
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"))
    occurrence: Mapped[int] = mapped_column(default=1)
    day: Mapped[dt.date]
    digest_day: Mapped[dt.date | None]
    created_at: Mapped[dt.datetime]

    finding: Mapped[Finding] = relationship()


class OperatorNotice(Base):
    """One problem of orgwatch itself told to the operators, once: the unique ``key`` names it
    (``channel:<id>:<streak>``, ``scan:<id>``, ``outbox:<id>``)."""

    __tablename__ = "operator_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    summary: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]


class Feedback(Base):
    """A reviewer's verdict on a finding's passage, kept as a labelled example for retraining."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("finding_id", "verdict"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("finding.id"))
    category: Mapped[str] = mapped_column(String(40))
    verdict: Mapped[str] = mapped_column(String(16))  # confirmed | false_positive
    label: Mapped[str] = mapped_column(String(40))  # the model label this example teaches
    text: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(100), default="cli")
    created_at: Mapped[dt.datetime]


class HomeBaseline(Base):
    """One clean version of a website's home page (text and out-links), kept to recognise
    defacement; the last few per channel are kept, never one from a scan that looked defaced."""

    __tablename__ = "home_baseline"
    __table_args__ = (Index("ix_home_baseline_channel_taken", "channel_id", "taken_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id"))
    scan_id: Mapped[int | None] = mapped_column(ForeignKey("scan_run.id"))
    taken_at: Mapped[dt.datetime]
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[list] = mapped_column(default=list)


class DisclosureCheck(Base):
    """The latest outcome of one disclosure item for one organisation, with the document that
    satisfied it (``page_id``/``url``; for a link that was not downloaded only ``url``)."""

    __tablename__ = "disclosure_check"
    __table_args__ = (UniqueConstraint("org_id", "item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organization.id"))
    item: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(Text, default="")
    #: present | missing | outdated | not_applicable | not_due | unverified
    status: Mapped[str] = mapped_column(String(20))
    covered_year: Mapped[int | None]
    due_on: Mapped[dt.date | None]
    due_label: Mapped[str] = mapped_column(Text, default="")
    page_id: Mapped[int | None] = mapped_column(ForeignKey("page.id"))
    url: Mapped[str | None] = mapped_column(String(2000))
    evidence: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict] = mapped_column(default=dict)
    checked_at: Mapped[dt.datetime]
    scan_id: Mapped[int | None] = mapped_column(ForeignKey("scan_run.id"))


class ChannelCheck(Base):
    """The latest health of one channel: its newest dated publication, its columns, the verdict.

    ``state`` is ok | stale | no_dates | failed | not_scanned | not_checked; ``columns`` lists
    ``{url, name, kind, items, newest_on, newest_url, state, threshold_days}``.
    """

    __tablename__ = "channel_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id"), unique=True)
    state: Mapped[str] = mapped_column(String(20))
    newest_on: Mapped[dt.date | None]
    newest_url: Mapped[str | None] = mapped_column(String(2000))
    newest_title: Mapped[str] = mapped_column(Text, default="")
    threshold_days: Mapped[int | None]
    columns: Mapped[list] = mapped_column(default=list)
    defaced: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    checked_at: Mapped[dt.datetime]
    scan_id: Mapped[int | None] = mapped_column(ForeignKey("scan_run.id"))


class WebUser(Base):
    """A person who signs in to the web app: ``role`` is bureau, supervisor or org.

    An ``org`` user names its organisation (``org_id``), a ``supervisor`` user its supervising
    unit (``supervisor``); neither is a foreign key so users can be created before the first sync.
    """

    __tablename__ = "web_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    org_id: Mapped[str | None] = mapped_column(String(64))
    supervisor: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime]
    password_changed_at: Mapped[dt.datetime | None]
    disabled_at: Mapped[dt.datetime | None]


class ApiToken(Base):
    """A bearer token for scripts; only its SHA-256 is stored, ``prefix`` lets people tell them apart."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_user.id"))
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16), default="")
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    last_used_at: Mapped[dt.datetime | None]

    user: Mapped[WebUser] = relationship()


class AuditEntry(Base):
    """Who did what, to what, when and from where: logins, triage, tokens, users, registry syncs."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_action_actor_at", "action", "actor", "at"),
        Index("ix_audit_entry_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[dict] = mapped_column(default=dict)
    ip: Mapped[str | None] = mapped_column(String(64))


class ChannelLease(Base):
    """That one job is scanning a channel until ``expires_at`` (renewed while it runs): the
    guard that keeps two scans of the same channel from overlapping (models/leases.py)."""

    __tablename__ = "channel_lease"

    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id"), primary_key=True, autoincrement=False)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]


class ScanJob(Base):
    """One scan job sent to the Celery workers (``scan --distributed``, ``schedule``): which
    organisation and channels, and what became of it. ``id`` is the Celery task id.

    ``status`` is queued | running | completed | failed | skipped; ``scan_id`` is the scan run
    of the last attempt; ``attempts`` counts deliveries to a worker (more than one after a
    worker died mid-job).
    """

    __tablename__ = "scan_job"
    __table_args__ = (Index("ix_scan_job_status", "status"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64))
    channel_ids: Mapped[list | None]
    as_of: Mapped[dt.date]
    status: Mapped[str] = mapped_column(String(16), default="queued")
    scan_id: Mapped[int | None] = mapped_column(ForeignKey("scan_run.id"))
    holder: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    enqueued_at: Mapped[dt.datetime]
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]


class ScheduleMark(Base):
    """A piece of scheduled work done once, such as ``weekly_report:2026-W48``: claimed (``running``)
    before it starts and marked ``done`` after, so a restarted or second scheduler does not repeat it."""

    __tablename__ = "schedule_mark"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | done
    holder: Mapped[str] = mapped_column(String(200), default="")
    claimed_at: Mapped[dt.datetime]
    done_at: Mapped[dt.datetime | None]
    detail: Mapped[dict] = mapped_column(default=dict)
