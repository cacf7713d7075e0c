"""Channel leases: at most one scan of a channel at a time, across processes and machines.

A lease row per channel names its holder and when it expires. Acquiring is all-or-nothing
and relies on the primary key (``INSERT ... ON CONFLICT DO NOTHING``) rather than on a
read-then-write, so two workers racing for the same channel cannot both win, on PostgreSQL
and on SQLite alike. Use real wall-clock UTC for ``now`` (not the ``--as-of`` day), and call
each function in its own short session so the lease is committed at once.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from models.entities import ChannelLease
from models.findings import _insert


def acquire(session: Session, channel_ids: list[int], holder: str, now: dt.datetime, ttl: dt.timedelta) -> bool:
    """Lease every channel in ``channel_ids`` to ``holder`` until ``now + ttl``, or none of them.

    Expired leases are taken over; a lease already held by ``holder`` is renewed. Returns
    False, changing nothing, when any channel is leased to someone else.
    """
    ids = sorted(set(channel_ids))  # one order everywhere, so two acquirers cannot deadlock
    if not ids:
        return True
    expires = now + ttl
    session.execute(delete(ChannelLease).where(
        ChannelLease.channel_id.in_(ids), ChannelLease.expires_at <= now, ChannelLease.holder != holder))
    mine = set(session.execute(
        update(ChannelLease).where(ChannelLease.channel_id.in_(ids), ChannelLease.holder == holder)
        .values(expires_at=expires).returning(ChannelLease.channel_id)
    ).scalars())
    taken: list[int] = []
    for channel_id in (i for i in ids if i not in mine):
        stmt = _insert(session)(ChannelLease).values(
            channel_id=channel_id, holder=holder, acquired_at=now, expires_at=expires,
        ).on_conflict_do_nothing(index_elements=["channel_id"]).returning(ChannelLease.channel_id)
        if session.execute(stmt).scalar() is None:
            # someone else holds it: undo this call's own inserts (still uncommitted), all or nothing
            session.execute(delete(ChannelLease).where(ChannelLease.channel_id.in_(taken)))
            return False
        taken.append(channel_id)
    return True


def renew(session: Session, channel_ids: list[int], holder: str, now: dt.datetime, ttl: dt.timedelta) -> bool:
    """Extend ``holder``'s leases to ``now + ttl``; False when any of them was lost meanwhile."""
    ids = sorted(set(channel_ids))
    renewed = session.execute(
        update(ChannelLease).where(ChannelLease.channel_id.in_(ids), ChannelLease.holder == holder)
        .values(expires_at=now + ttl).returning(ChannelLease.channel_id)
    ).scalars().all()
    return len(renewed) == len(ids)


def release(session: Session, channel_ids: list[int], holder: str) -> None:
    """Give up ``holder``'s leases on these channels (someone else's are left alone)."""
    session.execute(delete(ChannelLease).where(
        ChannelLease.channel_id.in_(sorted(set(channel_ids))), ChannelLease.holder == holder))


def held(session: Session, channel_ids: list[int], now: dt.datetime) -> dict[int, str]:
    """channel id -> holder, for the channels among ``channel_ids`` under an unexpired lease."""
    rows = session.execute(
        select(ChannelLease.channel_id, ChannelLease.holder)
        .where(ChannelLease.channel_id.in_(sorted(set(channel_ids))), ChannelLease.expires_at > now)
    )
    return {channel_id: holder for channel_id, holder in rows}
