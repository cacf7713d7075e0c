"""From appeal passages to findings: unqualified fundraising, or a qualified appeal missing art. 25 items.

Charity Law art. 22 (qualification), art. 26 (partners without it), art. 25 (what the carrier
of a public appeal must show: name, certificate, plan, contact, how to look it up).
"""
from __future__ import annotations

import re
from typing import Sequence

from classifier.base import Detection, Document, OrgContext, Severity
from classifier.evidence import line_of, snippet
from classifier.fundraising.appeals import KINDS, AppealSpan, is_caption
from classifier.fundraising.chrome import ChromeLink, chrome_links
from classifier.fundraising.platforms import platforms
from classifier.textnorm import Normalised, normalise

#: Art. 25 items: id, Chinese label, and a pattern that shows the item (the name is checked apart).
ITEMS: tuple[tuple[str, str], ...] = (
    ("name", "组织名称"),
    ("certificate", "公开募捐资格证书"),
    ("plan", "募捐方案或其备案编号"),
    ("contact", "联系方式"),
    ("lookup", "募捐信息查询方法"),
)
_ITEM_PATTERNS = {
    "certificate": re.compile(r"公开募捐资格证书|募捐资格证书|募证字|公开募捐资格(?:证书)?(?:编号|号)"),
    "plan": re.compile(r"募捐方案|(?<!icp)(?<!公安)(?<!网)备案(?:编号|号)|方案备案"),
    "contact": re.compile(
        r"(?<!\d)(?:0\d{2,3}[- ]?\d{7,8}|1[3-9]\d{9}|400[- ]?\d{3}[- ]?\d{4})(?!\d)|[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}"
        r"|(?:联系电话|联系方式|咨询电话|热线|联系地址|地址|邮箱|电子邮件)\s*:\s*\S"),
    "lookup": re.compile(r"慈善中国|慈善信息公开平台|cszg\.mca\.gov\.cn|(?:查询|查验|核实)[^。\n]{0,20}(?:募捐|备案|资格|方案)"
                         r"|(?:募捐|备案|资格|方案)[^。\n]{0,20}(?:查询|查验)"),
}
_ORG = r"[\u4e00-\u9fff()]{2,30}?(?:基金会|慈善会|慈善总会|慈善联合会|慈善协会|红十字会|促进会|协会|联合会|发展中心|服务中心|研究院)"
_ORG_NAME = re.compile(_ORG)
#: Who runs the campaign: 由XX基金会在腾讯公益平台发起公开募捐, 募捐主体：XX基金会, XX基金会公开募捐资格证书.
_FUNDRAISER = re.compile(
    rf"由(?P<a>{_ORG})(?:在|于|通过|依托)?[^。!?\n]{{0,25}}?(?:发起|开展|组织|负责)[^。!?\n]{{0,10}}?募捐"
    rf"|(?:公开)?募捐(?:主体|方|机构|组织)\s*(?:为|是|:)\s*(?P<b>{_ORG})|善款(?:由|接收(?:方|单位)?\s*[:为]?)\s*(?P<c>{_ORG})"
    rf"|(?P<d>{_ORG})(?:的)?(?:公开募捐资格证书|(?:具有|取得|具备)公开募捐资格)")
_CERTIFICATE = re.compile("公开募捐资格")
_REGION = re.compile(r"^(?:[\u4e00-\u9fff]{1,7}?(?:省|自治区|市|自治州|地区|盟|县|(?<![社小园景校街])区|旗))")
_MIN_SHORT = 5


def name_forms(name: str) -> list[str]:
    """The organisation's name and its forms without leading place names (云川市青溪区康宁… → 康宁…)."""
    forms = [normalise(name).text.strip()] if name.strip() else []
    while forms and (short := _REGION.sub("", forms[-1], count=1)) != forms[-1] and len(short) >= _MIN_SHORT:
        forms.append(short)
    return forms


def _own(org: str, forms: list[str]) -> bool:
    return any(org.endswith(f) or f.endswith(org) for f in forms)


def partner_fundraisers(norm: str, ctx: OrgContext) -> list[str]:
    """Other organisations named as running the campaign (art. 26 cooperation)."""
    forms = name_forms(ctx.name)
    found = []
    for m in _FUNDRAISER.finditer(norm):
        org = next(g for g in m.groups() if g)
        org = re.sub(r"^(?:本项目|项目|本次|本活动|活动)", "", org)
        if not _own(org, forms):
            found.append(org)
    return found


def _partner_campaign(doc: Document, norm: str, ctx: OrgContext) -> bool:
    """True if a qualified partner is named as the fundraiser, on a designated platform or with its certificate."""
    if not partner_fundraisers(norm, ctx):
        return False
    links = re.findall(r"""href\s*=\s*["']?([^"'\s>]+)""", doc.html or "", re.I)
    on_platform = bool(platforms().names.search(norm)) or any(platforms().is_designated_url(u) for u in links)
    return on_platform or bool(_CERTIFICATE.search(norm))


def missing_items(norm: str, ctx: OrgContext, partners: Sequence[str] = ()) -> list[str]:
    """Ids of the art. 25 items the document does not show."""
    forms = name_forms(ctx.name) + list(partners)
    has_name = any(f in norm for f in forms) if forms else bool(_ORG_NAME.search(norm))
    missing = [] if has_name else ["name"]
    return missing + [item for item, pattern in _ITEM_PATTERNS.items() if not pattern.search(norm)]


def _lead(spans: Sequence[AppealSpan]) -> AppealSpan:
    rank = {kind: k for k, kind in enumerate(KINDS)}
    return min(spans, key=lambda s: (rank.get(s.kind, len(KINDS)), s.start))


def _spans_detail(spans: Sequence[AppealSpan]) -> dict:
    kinds = sorted({s.kind for s in spans}, key=lambda k: (KINDS.index(k) if k in KINDS else len(KINDS), k))
    return {"kinds": kinds, "count": len(spans), "positions": [[s.start, s.end] for s in spans]}


def _site_detection(text: str, link: ChromeLink) -> Detection:
    """One site-wide donation button: its key is the same on every page, so the scan keeps one
    finding per channel (``detail.site_chrome``) and counts the pages that carry it."""
    return Detection(
        category="unqualified_fundraising", rule="site_donation_link", severity=Severity.HIGH,
        evidence=snippet(text, link.span.start, link.span.end), start=link.span.start, end=link.span.end,
        key=link.key, detail={"site_chrome": True, "where": link.where, "label": link.label, "href": link.href,
                              "kinds": [link.span.kind], "line": line_of(text, link.span.start)},
    )


def fundraising_detections(doc: Document, ctx: OrgContext, spans: Sequence[AppealSpan]) -> list[Detection]:
    """One finding for a document with appeals: unqualified_fundraising, or fundraising_notice_incomplete
    when a qualified organisation's appeal lacks art. 25 items. Buttons alone on a line lead to
    the appeal page and are not checked for art. 25 items."""
    if not spans:
        return []
    text = doc.text or ""
    norm: Normalised = doc.normalised
    chrome = chrome_links(doc, spans)
    body = [s for s in spans if s not in {c.span for c in chrome}]
    if not ctx.public_fundraising_qualified:
        if _partner_campaign(doc, norm.text, ctx):
            return []
        found = list({c.key: _site_detection(text, c) for c in chrome}.values())
        if body:
            lead = _lead(body)
            found.insert(0, Detection(
                category="unqualified_fundraising", rule="donation_appeal", severity=Severity.HIGH,
                evidence=snippet(text, lead.start, lead.end), start=lead.start, end=lead.end, key="",
                detail={**_spans_detail(body), "line": line_of(text, lead.start)},
            ))
        return found
    carriers = [s for s in body if not is_caption(text, s)]
    if not carriers:
        return []
    detail = _spans_detail(spans)
    missing = missing_items(norm.text, ctx, partner_fundraisers(norm.text, ctx))
    if not missing:
        return []
    lead = _lead(carriers)
    labels = dict(ITEMS)
    note = "、".join(labels[m] for m in missing)
    return [Detection(
        category="fundraising_notice_incomplete", rule="missing_items", severity=Severity.MEDIUM,
        evidence=f"{snippet(text, lead.start, lead.end)}（缺少：{note}）", start=lead.start, end=lead.end,
        key="",  # one per page: fixing some items keeps the finding, not a new one
        detail={**detail, "missing": missing, "missing_labels": [labels[m] for m in missing],
                "line": line_of(text, lead.start)},
    )]
