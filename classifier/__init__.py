"""Pure content analysis: text or HTML in, detections out. No database, no network.

Detectors register themselves in :mod:`classifier.registry`; :func:`analyze` runs them all.
"""
from classifier.base import Detection, Document, OrgContext, Severity
from classifier.registry import all_detectors, analyze

__all__ = ["Detection", "Document", "OrgContext", "Severity", "all_detectors", "analyze"]
