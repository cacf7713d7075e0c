"""Fundraising checks: donation appeals and what they must show (Charity Law arts. 22-27), and illegal fundraising.

:func:`appeal_spans` finds appeal passages in a document; :func:`fundraising_detections` turns
them into findings for the publishing organisation; :func:`fraud_signs` finds illegal-fundraising
solicitation. The registered detectors are in :mod:`classifier.detectors.fundraising` and
:mod:`classifier.detectors.fraud_spam`.
"""
from classifier.fundraising.appeals import AppealSpan, appeal_spans
from classifier.fundraising.illegal import Sign, fraud_signs
from classifier.fundraising.notice import ITEMS, fundraising_detections, missing_items

__all__ = ["ITEMS", "AppealSpan", "Sign", "appeal_spans", "fraud_signs", "fundraising_detections", "missing_items"]
