"""Evaluate a disclosure pack for one organisation over its stored documents, as of a day."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from classifier.base import Severity
from classifier.disclosure import due as dues
from classifier.disclosure.consistency import RegistrationMismatch, registration_mismatches
from classifier.disclosure.match import EvidenceDoc, Match, OrgFacts, best, find
from classifier.disclosure.pack import AppliesTo, EvidenceSpec, Item, Pack

ORG_TYPE_LABELS = {"social_group": "社会团体", "foundation": "基金会", "social_service": "社会服务机构"}
#: statuses that become a disclosure_missing finding
REPORTED = ("missing", "outdated")
STATUS_LABELS = {"present": "已公开", "missing": "缺失", "outdated": "未更新", "not_applicable": "不适用",
                 "not_due": "未到期", "unverified": "未能判定"}


@dataclass(frozen=True)
class Campaign:
    """Signs of a public fundraising campaign: the matching documents, first and last dates."""

    matches: tuple[Match, ...] = ()
    start: dt.date | None = None

    @property
    def found(self) -> bool:
        return bool(self.matches)

    def running_months(self, as_of: dt.date) -> int:
        if self.start is None:
            return 0
        return (as_of.year - self.start.year) * 12 + as_of.month - self.start.month - (as_of.day < self.start.day)


@dataclass(frozen=True)
class ItemResult:
    """The outcome of one item: ``status`` is one of STATUS_LABELS; ``match`` the document
    that satisfied it (or, when ``outdated``, the newest older one)."""

    item_id: str
    title: str
    status: str
    severity: Severity
    basis: str
    due: dues.DueInfo | None = None
    match: Match | None = None
    note: str = ""
    platform_claim: Match | None = None

    @property
    def rule(self) -> str | None:
        return self.status if self.status in REPORTED else None

    @property
    def covered_year(self) -> int | None:
        return self.due.covered_year if self.due else None

    @property
    def key(self) -> str:
        """What keeps the finding's fingerprint stable: the covered year of annual items."""
        return str(self.covered_year) if self.covered_year else ""


@dataclass(frozen=True)
class Evaluation:
    org: OrgFacts
    results: tuple[ItemResult, ...]
    mismatches: tuple[RegistrationMismatch, ...] = ()
    campaign: Campaign = field(default_factory=Campaign)


def find_campaign(pack: Pack, org: OrgFacts, docs: list[EvidenceDoc], as_of: dt.date) -> Campaign:
    if not pack.campaign.evidence:
        return Campaign()
    matches = [m for m in find(docs, pack.campaign.evidence, org)
               if m.doc.published_at is None or m.doc.published_at <= as_of]
    recent = as_of - dt.timedelta(days=pack.campaign.within_days)
    if not any(m.doc.published_at is None or m.doc.published_at >= recent for m in matches):
        return Campaign()
    dates = [m.doc.published_at for m in matches if m.doc.published_at]
    return Campaign(tuple(matches), min(dates) if dates else None)


def _holds(cond: AppliesTo, org: OrgFacts) -> bool:
    return ((cond.types is None or org.type in cond.types)
            and (cond.charity is None or cond.charity == org.charity)
            and (cond.public_fundraising is None or cond.public_fundraising == org.public_fundraising))


def not_applicable_reason(cond: AppliesTo, org: OrgFacts, campaign: Campaign, as_of: dt.date) -> str | None:
    """Why ``cond`` excludes the organisation, in words; None when the item applies."""
    if cond.types is not None and org.type not in cond.types:
        return "仅适用于" + "、".join(ORG_TYPE_LABELS[t] for t in cond.types)
    if cond.charity is not None and cond.charity != org.charity:
        return "仅适用于慈善组织" if cond.charity else "不适用于慈善组织"
    if cond.public_fundraising is not None and cond.public_fundraising != org.public_fundraising:
        return "仅适用于具有公开募捐资格的慈善组织" if cond.public_fundraising else "不适用于具有公开募捐资格的组织"
    if cond.campaign and not campaign.found:
        return "未发现正在开展的公开募捐"
    if cond.campaign_months and campaign.running_months(as_of) < cond.campaign_months:
        return f"未发现持续超过 {cond.campaign_months} 个月的公开募捐"
    return None


def evidence_for(item: Item, org: OrgFacts) -> tuple[str, list[EvidenceSpec]]:
    """The title and evidence rules in force for ``org`` (the first matching override wins)."""
    for override in item.overrides:
        if _holds(override.when, org):
            return override.title or item.title, list(override.evidence)
    return item.title, list(item.evidence)


def _platform_claim(pack: Pack, specs: list[EvidenceSpec], docs: list[EvidenceDoc]) -> Match | None:
    """A line saying the item is published on the unified platform (not verified by orgwatch)."""
    words = [w for s in specs for w in s.names]
    for doc in docs:
        lines = doc.findings.platform if doc.findings is not None else doc.text.splitlines()
        for line in lines:
            if any(p in line for p in pack.platform.markers) and any(w in line for w in words):
                return Match(doc=doc, line=line.strip())
    return None


def _judge(item: Item, specs: list[EvidenceSpec], org: OrgFacts, docs: list[EvidenceDoc], as_of: dt.date,
           campaign: Campaign) -> tuple[str, dues.DueInfo, Match | None, str]:
    """(status, due, match, note) before the platform policy and the crawl's completeness."""
    kind = item.due.kind
    if kind == "annual":
        info = dues.annual(item.due, as_of, org.registered_on)
        if not info.owed:
            return "not_due", info, None, info.upcoming
        current = best(find(docs, specs, org, range(info.covered_year, as_of.year + 1)))
        if current:
            return "present", info, current, info.upcoming
        older = best(find(docs, specs, org, range(1990, info.covered_year)))
        note = f"最近找到的是 {older.year} 年度的" if older else ""
        return ("outdated" if older else "missing"), info, older, note
    matches = find(docs, specs, org)
    if kind == "periodic":
        dated = [m for m in matches if m.doc.published_at and m.doc.published_at <= as_of]
        latest = max((m.doc.published_at for m in dated), default=None)
        info = dues.periodic(item.due, as_of, latest, campaign.start or org.registered_on)
        if dated:
            newest = max(dated, key=lambda m: m.doc.published_at)
            return ("outdated" if info.owed else "present"), info, newest, ""
        if matches:
            return "present", info, best(matches), "未能确定发布日期"
        return ("missing" if info.owed else "not_due"), info, None, ""
    info = (dues.before_campaign(campaign.start) if kind == "campaign"
            else dues.after_registration(item.due, as_of, org.registered_on))
    if matches:
        return "present", info, best(matches), ""
    return ("missing" if info.owed else "not_due"), info, None, ""


def evaluate_item(pack: Pack, item: Item, org: OrgFacts, docs: list[EvidenceDoc], as_of: dt.date, *,
                  campaign: Campaign, require_own_site: bool = True, incomplete: str | None = None) -> ItemResult:
    """One item's outcome. ``incomplete`` (a reason) turns missing and outdated into ``unverified``."""
    title, specs = evidence_for(item, org)
    base = dict(item_id=item.id, title=title, severity=item.severity, basis=item.basis)
    reason = not_applicable_reason(item.applies_to, org, campaign, as_of)
    if reason:
        return ItemResult(status="not_applicable", note=reason, **base)
    substitutable = item.platform_substitutes and org.charity
    status, info, match, note = _judge(item, specs, org, docs, as_of, campaign)
    claim = None
    if status in REPORTED and substitutable and not require_own_site:
        return ItemResult(status="not_applicable", due=info, match=match,
                          note=f"可在{pack.platform.name}公开，本单位渠道未公开", **base)
    if status in REPORTED:
        claim = _platform_claim(pack, specs, docs) if substitutable else None
        if substitutable:
            note = "；".join(filter(None, [note, f"法律允许在{pack.platform.name}公开，本局要求在本单位渠道同步公开"]))
        if incomplete:
            status, note = "unverified", "；".join(filter(None, [f"本次抓取不完整（{incomplete}），暂不判定缺失", note]))
    return ItemResult(status=status, due=info, match=match, note=note, platform_claim=claim, **base)


def evaluate(pack: Pack, org: OrgFacts, docs: list[EvidenceDoc], as_of: dt.date, *, require_own_site: bool = True,
             incomplete: str | None = None) -> Evaluation:
    """Every item of ``pack`` for ``org``, plus registration mismatches shown on its site."""
    campaign = find_campaign(pack, org, docs, as_of)
    results = tuple(
        evaluate_item(pack, item, org, docs, as_of, campaign=campaign, require_own_site=require_own_site,
                      incomplete=incomplete)
        for item in pack.items
    )
    return Evaluation(org=org, results=results, mismatches=tuple(registration_mismatches(org, docs)),
                      campaign=campaign)
