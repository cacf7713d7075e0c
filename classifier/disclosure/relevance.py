"""Which stored documents can matter to a disclosure evaluation, decided once per document version.

:func:`evaluate` reads only a document's text where one of the pack's evidence rules, the
platform-claim check or the registration check could use it. A document that none of them can
use (most of a site's articles) never changes the outcome, whatever the day, so the scan service
remembers the verdict with the document (under :func:`relevance_key`) and reads only the texts
of relevant documents on later scans.
"""
from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from classifier.disclosure import consistency, match
from classifier.disclosure.match import EvidenceDoc, OrgFacts, match_doc
from classifier.disclosure.pack import EvidenceSpec, Pack


def all_specs(pack: Pack) -> list[EvidenceSpec]:
    """Every evidence rule of the pack: each item's, each override's and the campaign's."""
    specs = list(pack.campaign.evidence)
    for item in pack.items:
        specs += item.evidence
        for override in item.overrides:
            specs += override.evidence
    return specs


class Relevance:
    """The relevance test and its key for one organisation under one pack."""

    def __init__(self, pack: Pack, org: OrgFacts) -> None:
        self.pack, self.org = pack, org
        self.specs = all_specs(pack)
        facts = "\x1f".join((org.name, org.uscc, org.type, str(org.charity), str(org.public_fundraising),
                             org.registration_authority, org.certificate))
        self._prefix = "\x1e".join((_code_digest(), pack_digest(pack), facts))

    def key(self, content_hash: str) -> str:
        """What a remembered verdict depends on: the matching code, the pack, the registry facts
        rules may name, and the document version (its content hash). 32 hex digits."""
        return hashlib.sha256(f"{self._prefix}\x1e{content_hash}".encode("utf-8")).hexdigest()[:32]

    def __call__(self, doc: EvidenceDoc) -> bool:
        """Whether :func:`~classifier.disclosure.evaluate.evaluate` could use ``doc``.

        A superset of what evaluation uses, on any day: a rule matched without a year range
        matches whenever it matches with one; a registration mismatch and a platform claim are
        found one document at a time. The home page is always relevant.
        """
        if doc.is_home:
            return True
        if any(match_doc(doc, spec, self.org) is not None for spec in self.specs):
            return True
        if any(marker in doc.text for marker in self.pack.platform.markers):
            return True
        return bool(consistency.registration_mismatches(self.org, [doc]))


@functools.cache
def _code_digest() -> str:
    """The matching code itself: a change to how documents are matched invalidates every verdict."""
    digest = hashlib.sha256()
    for module in (match, consistency):
        digest.update(Path(module.__file__).read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


def pack_digest(pack: Pack) -> str:
    return hashlib.sha256(pack.model_dump_json().encode("utf-8")).hexdigest()
