"""Donation appeals (QR codes, bank accounts, donation links, appeal wording) checked against the publisher's qualification.

The logic is in :mod:`classifier.fundraising`; this module registers it.
"""
from __future__ import annotations

from typing import ClassVar, Iterable

from classifier.base import Detection, Document, OrgContext
from classifier.fundraising import appeal_spans, fundraising_detections
from classifier.registry import register


@register
class FundraisingDetector:
    """Donation appeals (QR code, bank account, donation link, wording) by unqualified organisations; qualified ones' lacking art. 25 items."""

    name = "fundraising"
    kind: ClassVar[str] = "unqualified_fundraising"

    def detect(self, doc: Document, ctx: OrgContext) -> Iterable[Detection]:
        return fundraising_detections(doc, ctx, appeal_spans(doc))
