"""What the disclosure checks take from one document version, worked out once and remembered.

Evaluation asks the same date-free questions of every document on every scan: does this
evidence rule match it (and on which name lines, naming which years), which lines mention the
unified platform, which registration facts does it show wrongly. The answers depend only on
the document's content, the pack, the registry facts rules may name and this code, so a
:class:`Recorder` writes them down as a small JSON record (None when the document can matter to
no check) and a later evaluation uses the record instead of the text: same outcome, on any day
(dates, deadlines and the choice among matches are worked out at evaluation time).
"""
from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from classifier.disclosure import consistency, match
from classifier.disclosure.match import EvidenceDoc, Findings, Hit, OrgFacts, _groups_hold, _regex, years_in
from classifier.disclosure.pack import EvidenceSpec, Pack


def all_specs(pack: Pack) -> list[EvidenceSpec]:
    """Every evidence rule of the pack: each item's, each override's and the campaign's."""
    specs = list(pack.campaign.evidence)
    for item in pack.items:
        specs += item.evidence
        for override in item.overrides:
            specs += override.evidence
    return specs


def spec_hit(doc: EvidenceDoc, spec: EvidenceSpec, org: OrgFacts) -> Hit | None:
    """How ``spec`` matches ``doc`` whatever years are asked for; None when it cannot match."""
    if spec.kinds and doc.kind not in spec.kinds:
        return None
    if (spec.markers or spec.patterns) and not _groups_hold(doc.text, spec, org):
        return None
    lines = tuple((line, tuple(years_in(line))) for line in doc.name_lines
                  if any(w in line for w in spec.names) and not any(w in line for w in spec.names_exclude))
    url = bool(spec.urls) and any(_regex(p).search(urlsplit(doc.url).path) for p in spec.urls)
    if (spec.names or spec.urls) and not lines and not url:
        return None
    return Hit(lines, url)


@functools.cache
def _code_digest() -> str:
    """The matching code itself: a change to how documents are matched invalidates every record."""
    digest = hashlib.sha256()
    for module in (match, consistency):
        digest.update(Path(module.__file__).read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


def _spec_key(spec: EvidenceSpec) -> str:
    return hashlib.sha256(spec.model_dump_json().encode("utf-8")).hexdigest()[:16]


class Recorder:
    """Makes and reads the records of one organisation's documents under one pack."""

    def __init__(self, pack: Pack, org: OrgFacts) -> None:
        self.pack, self.org = pack, org
        #: rules by content (the same rule may appear under several items: one key, several objects)
        self.specs: dict[str, list[EvidenceSpec]] = {}
        for spec in all_specs(pack):
            self.specs.setdefault(_spec_key(spec), []).append(spec)
        facts = "\x1f".join((org.name, org.uscc, org.type, str(org.charity), str(org.public_fundraising),
                             org.registration_authority, org.certificate))
        pack_digest = hashlib.sha256(pack.model_dump_json().encode("utf-8")).hexdigest()
        self._prefix = "\x1e".join((_code_digest(), pack_digest, facts))

    def key(self, content_hash: str) -> str:
        """What a record depends on: the matching code, the pack, the registry facts rules may
        name, and the document version (its content hash). 32 hex digits."""
        return hashlib.sha256(f"{self._prefix}\x1e{content_hash}".encode("utf-8")).hexdigest()[:32]

    def record(self, doc: EvidenceDoc) -> dict[str, Any] | None:
        """The JSON record of ``doc`` (with its text), or None when no check can use it."""
        hits = {}
        for key, (spec, *_) in self.specs.items():
            hit = spec_hit(doc, spec, self.org)
            if hit is not None:
                hits[key] = {"lines": [[line, list(years)] for line, years in hit.lines], "url": hit.url}
        markers = self.pack.platform.markers
        platform = [line for line in doc.text.splitlines() if any(m in line for m in markers)]
        mismatches = [[m.field, m.shown, m.expected, m.excerpt]
                      for m in consistency.registration_mismatches(self.org, [doc])]
        if not (hits or platform or mismatches):
            return None
        return {"hits": hits, "platform": platform, "mismatches": mismatches}

    def bind(self, record: dict[str, Any]) -> Findings:
        """A stored record as evaluation reads it (rules of this pack only)."""
        hits = {}
        for key, hit in record.get("hits", {}).items():
            bound = Hit(tuple((line, tuple(years)) for line, years in hit["lines"]), hit["url"])
            hits.update((id(spec), bound) for spec in self.specs.get(key, ()))
        return Findings(hits, tuple(record.get("platform", ())),
                        tuple(tuple(m) for m in record.get("mismatches", ())))
