"""Reviewers' verdicts on findings, kept as labelled passages for retraining the text model.

A verdict (``confirmed`` or ``false_positive``) is stored once per finding and verdict; giving
the opposite verdict later replaces the earlier one, so a finding never teaches two labels.

What text is kept: a model finding's whole passage (``detail["passage"]``), otherwise the
finding's evidence snippet without its 【】 marks and ellipses. The unmasked page is never
stored: before saving, every run of 11 or more digits (spaces and hyphens allowed between
them: ID, bank-card, mobile and phone numbers) keeps only its first 3 and last 4 digits,
the rest become ``*``; already masked numbers stay as they are.

The label a verdict teaches: ``false_positive`` -> ``benign``; ``confirmed`` -> the model
label of the finding's category (:data:`CATEGORY_LABELS`). A verdict on a category without a
model label, or on a finding with no page text (a broken link, an unreachable site), is still
recorded, with an empty label: it is not a training example.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.entities import Feedback, Finding
from models.exceptions import StoreError
from models.findings import PAGE_CATEGORIES

Verdict = Literal["confirmed", "false_positive"]
VERDICTS: tuple[str, ...] = ("confirmed", "false_positive")
#: the model label a confirmed finding of each category teaches
CATEGORY_LABELS: dict[str, str] = {
    "illegal_fundraising": "illegal_fundraising",
    "spam_injected": "spam_injected",
    "unqualified_fundraising": "donation_appeal",
    "fundraising_notice_incomplete": "donation_appeal",
}
#: the label of a verdict that is kept but teaches the model nothing
NO_LABEL = ""

_NUMBER = re.compile(r"(?<![0-9A-Za-z*])[0-9](?:[ -]?[0-9]){10,}(?:[ -]?[Xx])?(?![0-9A-Za-z*])")
_MARKS = str.maketrans("", "", "【】")
_AUTHOR_MAX = 100


class FeedbackError(StoreError):
    """Raised when a verdict cannot be recorded; the message says what to do."""


def _mask_number(match: re.Match) -> str:
    raw = match.group()
    digits = [i for i, ch in enumerate(raw) if ch not in " -"]
    keep = set(digits[:3] + digits[-4:])
    return "".join(ch if i in keep or ch in " -" else "*" for i, ch in enumerate(raw))


def mask_numbers(text: str) -> str:
    """``text`` with every long number (11+ digits) reduced to its first 3 and last 4 digits."""
    return _NUMBER.sub(_mask_number, text)


def passage_text(finding: Finding) -> str:
    """The text a verdict on ``finding`` keeps: its passage or evidence, personal numbers masked."""
    detail = finding.detail or {}
    text = detail.get("passage") if isinstance(detail.get("passage"), str) else None
    if not text:
        text = (finding.evidence or "").translate(_MARKS).strip().strip("…").strip()
    return mask_numbers(" ".join(text.split()))


def teaches(category: str, verdict: str, text: str) -> str:
    """The model label a ``verdict`` on a finding of ``category`` with ``text`` teaches, or ``NO_LABEL``."""
    if not text or category not in PAGE_CATEGORIES:
        return NO_LABEL
    if verdict == "false_positive":
        return "benign"
    return CATEGORY_LABELS.get(category, NO_LABEL)


def record_feedback(session: Session, *, finding: Finding, verdict: Verdict, author: str,
                    note: str | None, now: dt.datetime) -> Feedback | None:
    """Store a reviewer's ``verdict`` on ``finding`` with its (masked) passage and the label it teaches.

    Idempotent per (finding, verdict): recording the same verdict again returns the stored row
    unchanged. The opposite verdict on the same finding, if any, is removed. Returns ``None``
    only when ``finding`` is ``None`` (nothing to record).
    """
    if verdict not in VERDICTS:
        raise FeedbackError(f"未知的复核结论 {verdict!r}：只能是 confirmed（确认）或 false_positive（误报）")
    if finding is None:
        return None
    if finding.id is None:
        session.flush()
    existing = session.scalars(select(Feedback).where(Feedback.finding_id == finding.id)).all()
    for row in existing:
        if row.verdict == verdict:
            return row
        session.delete(row)
    text = passage_text(finding)
    row = Feedback(
        finding_id=finding.id, category=finding.category, verdict=verdict,
        label=teaches(finding.category, verdict, text), text=text, note=note,
        author=(author or "cli")[:_AUTHOR_MAX], created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # another reviewer recorded the same verdict at the same moment
        return session.scalars(
            select(Feedback).where(Feedback.finding_id == finding.id, Feedback.verdict == verdict)
        ).one()
    return row


def feedback_examples(session: Session) -> list[dict]:
    """The stored verdicts that teach a label, as training examples ``{text, label, source}``.

    In the order they were recorded; when the same text was judged more than once, the latest
    verdict wins, so the examples never contradict each other.
    """
    latest: dict[str, Feedback] = {}
    for row in session.scalars(select(Feedback).order_by(Feedback.created_at, Feedback.id)):
        if row.label and row.text.strip():
            latest.pop(row.text, None)
            latest[row.text] = row
    return [
        {"text": row.text, "label": row.label,
         "source": f"复核反馈 #{row.id}：{row.category} 判为{'确认' if row.verdict == 'confirmed' else '误报'}"
                   f"（{row.author}，{row.created_at:%Y-%m-%d}）"}
        for row in latest.values()
    ]
