"""Disclosure checks as data: a pack of mandated items (config/disclosure/), matched against an
organisation's stored pages, attachments and articles. Pure: documents in, item outcomes out."""
from classifier.disclosure.consistency import RegistrationMismatch, registration_mismatches
from classifier.disclosure.evaluate import STATUS_LABELS, Evaluation, ItemResult, evaluate
from classifier.disclosure.match import EvidenceDoc, Match, OrgFacts
from classifier.disclosure.pack import DEFAULT_PACK, Pack, load_pack, parse_pack
from classifier.disclosure.report import Looked, missing_evidence, mismatch_evidence

__all__ = [
    "DEFAULT_PACK", "STATUS_LABELS", "Evaluation", "EvidenceDoc", "ItemResult", "Looked", "Match", "OrgFacts", "Pack",
    "RegistrationMismatch", "evaluate", "load_pack", "missing_evidence", "mismatch_evidence", "parse_pack",
    "registration_mismatches",
]
