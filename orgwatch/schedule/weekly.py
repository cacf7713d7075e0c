"""The weekly report on a schedule: at the configured weekday and hour (China Standard Time),
produce the previous week's report once, and send it when configured.

Once means once per week across restarts and schedulers: the week is claimed in the database
(``schedule_mark``) before the report is built and marked done after, so a crash mid-way is
retried (after :data:`STALE_CLAIM`) while a finished week is never produced again. Sending
queues one outbox message per recipient (unique per week and address, so a retried week is not
queued twice); a recipient that is down is retried from the outbox at later ticks.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

from models import schedule as store
from orgwatch.reports.week import CST, Week
from orgwatch.runtime import Runtime
from orgwatch.schedule.operators import tell_operators

log = logging.getLogger(__name__)

#: a claim this old whose report never finished (the process died) is taken over
STALE_CLAIM = dt.timedelta(hours=1)
#: after a failed attempt this process waits this long before trying the week again
RETRY_AFTER = dt.timedelta(hours=1)


@dataclass
class ReportOutcome:
    """The weekly report a tick produced: its week, files, recipients queued and reached, and errors
    (a recipient not reached yet is one; its message stays in the outbox and is retried)."""

    week: str
    files: dict[str, Path] = field(default_factory=dict)
    queued: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: bool = False


def report_due(now: dt.datetime, weekday: int, hour: int) -> Week | None:
    """The week whose report is due at ``now``: the previous week, once this week's slot
    (``weekday`` 1-7 at ``hour``, China Standard Time) has passed; None before the slot."""
    this_week = Week.containing(now.astimezone(CST).date())
    slot_day = this_week.monday + dt.timedelta(days=weekday - 1)
    slot = dt.datetime.combine(slot_day, dt.time(hour), CST)
    return this_week.shift(-1) if now >= slot else None


def mark_key(week: Week) -> str:
    return f"weekly_report:{week.label}"


class WeeklyReportJob:
    """Produces each week's report once; remembers a failure so it is retried an hour later."""

    def __init__(self, rt: Runtime, holder: str) -> None:
        self.rt, self.holder = rt, holder
        self._retry_at: dict[str, dt.datetime] = {}

    def run(self, now: dt.datetime) -> ReportOutcome | None:
        """Produce (and send) the report due at ``now`` unless it was already; None when nothing was due.

        Every tick also retries the weekly reports waiting in the outbox (a recipient that was down).
        """
        self._retry_undelivered()
        settings = self.rt.settings.schedule
        week = report_due(now, settings.report_weekday, settings.report_hour) if settings.weekly_report else None
        if week is None or now < self._retry_at.get(week.label, now):
            return None
        with self.rt.db.session() as s:
            if not store.claim_mark(s, mark_key(week), self.holder, now, STALE_CLAIM):
                return None
        outcome = ReportOutcome(week.label)
        try:
            self._produce(week, outcome)
        except Exception as exc:  # any failure: give the week back so it is produced later
            with self.rt.db.session() as s:
                store.drop_mark(s, mark_key(week), self.holder)
            self._retry_at[week.label] = now + RETRY_AFTER
            outcome.failed = True
            outcome.errors.append(str(exc) or type(exc).__name__)
            log.error("%s 的周报未能生成：%s。一小时后重试；也可以手动运行 orgwatch report --week %s。",
                      week.label, exc, week.label)
            tell_operators(self.rt, f"{mark_key(week)}:failed", f"{week.label} 的周报未能自动生成", str(exc),
                           f"排除问题后运行 orgwatch report --week {week.label}（调度器每小时也会重试一次）")
            return outcome
        with self.rt.db.session() as s:
            store.finish_mark(s, mark_key(week), now, {
                "files": [str(p) for p in outcome.files.values()], "queued": outcome.queued, "sent": outcome.sent,
                "errors": outcome.errors,
            })
        for line in outcome.errors:
            log.warning("%s", line)
        return outcome

    def _produce(self, week: Week, outcome: ReportOutcome) -> None:
        from orgwatch.reports.service import FORMATS, out_dir_for, send_report, weekly_report, write_report

        data = weekly_report(self.rt, week)
        outcome.files = write_report(data, list(FORMATS), out_dir_for(self.rt))
        log.info("weekly report %s written: %s", week.label, ", ".join(map(str, outcome.files.values())))
        if self.rt.settings.schedule.send_report and self.rt.settings.reports.recipients:
            result = send_report(self.rt, data, outcome.files["pdf"])
            outcome.queued = [m.target for m in result.messages]
            outcome.sent = result.sent
            outcome.errors = [f"{line}；消息留在待发送队列中，调度器稍后重试" for line in result.errors]

    def _retry_undelivered(self) -> None:
        """Deliver the weekly reports in the outbox whose retry is due; a failure is logged, never raised."""
        from orgwatch.alerting.reports import deliver_pending_reports

        try:
            result = deliver_pending_reports(self.rt)
        except Exception as exc:  # the scheduler goes on; the next tick tries again
            log.error("could not retry the weekly reports in the outbox: %s", exc)
            return
        if result is not None:
            log.info("weekly reports retried from the outbox: %d sent, %d failed", result.sent, result.failed)
            for line in result.errors:
                log.warning("%s", line)
