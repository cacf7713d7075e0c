"""Per-organisation status: the disclosure checklist and each channel's last publication and health,
as plain records for ``orgwatch status`` (table or JSON)."""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from sqlalchemy.orm import Session

from classifier.disclosure import STATUS_LABELS
from config.registry import ORG_TYPE_LABELS
from models import pages
from models.entities import ChannelCheck, DisclosureCheck, Organization
from orgwatch.runtime import Runtime

CHANNEL_STATES = {"ok": "正常", "stale": "长期未更新", "no_dates": "无法判断", "failed": "本次未能检查",
                  "not_scanned": "尚未检查", "not_checked": "不检查更新"}
COLUMN_STATES = {"ok": "正常", "stale": "长期未更新", "blank": "空栏目"}
CHANNEL_KIND_LABELS = {"website": "网站", "feed": "公众号（订阅源）", "weibo": "微博", "wechat_article": "公众号文章"}


@dataclass
class ItemStatus:
    """One disclosure item of the checklist."""

    item: str
    title: str
    status: str
    label: str
    url: str | None = None
    due: str = ""
    due_on: str | None = None
    found_on: str | None = None  # when orgwatch first found it missing (the open finding's first_seen)
    note: str = ""


@dataclass
class ChannelStatus:
    """One channel: its newest dated publication and its health."""

    kind: str
    kind_label: str
    url: str
    name: str | None
    state: str
    label: str
    newest_on: str | None = None
    newest_url: str | None = None
    newest_title: str = ""
    age_days: int | None = None
    threshold_days: int | None = None
    defaced: bool = False
    note: str = ""
    columns: list[dict] = field(default_factory=list)


@dataclass
class OrgStatus:
    org: str
    name: str
    type_label: str
    charity: bool
    public_fundraising: bool
    checked_at: str | None
    incomplete: str | None
    items: list[ItemStatus]
    channels: list[ChannelStatus]
    mismatches: list[dict] = field(default_factory=list)

    def record(self) -> dict:
        return asdict(self)


def _item(check: DisclosureCheck, found_on: dt.datetime | None) -> ItemStatus:
    return ItemStatus(item=check.item, title=check.title, status=check.status,
                      label=STATUS_LABELS.get(check.status, check.status), url=check.url, due=check.due_label,
                      due_on=check.due_on.isoformat() if check.due_on else None,
                      found_on=found_on.date().isoformat() if found_on else None, note=check.note)


def _channel(channel, check: ChannelCheck | None, as_of: dt.date) -> ChannelStatus:
    base = dict(kind=channel.kind, kind_label=CHANNEL_KIND_LABELS.get(channel.kind, channel.kind), url=channel.url,
                name=channel.name)
    if check is None:
        return ChannelStatus(state="not_scanned", label=CHANNEL_STATES["not_scanned"], **base)
    age = (as_of - check.newest_on).days if check.newest_on else None
    label = "首页疑似被篡改" if check.defaced else CHANNEL_STATES.get(check.state, check.state)
    columns = [{**c, "label": COLUMN_STATES.get(c.get("state"), c.get("state"))} for c in check.columns or ()]
    return ChannelStatus(state=check.state, label=label,
                         newest_on=check.newest_on.isoformat() if check.newest_on else None,
                         newest_url=check.newest_url, newest_title=check.newest_title, age_days=age,
                         threshold_days=check.threshold_days, defaced=check.defaced, note=check.note,
                         columns=columns, **base)


def _org_status(session: Session, org: Organization, as_of: dt.date) -> OrgStatus:
    checks = pages.disclosure_checks(session, org.id)
    open_by_item = {}
    for f in pages.open_findings(session, org.id, "disclosure_missing"):
        if f.rule != "mismatch":
            open_by_item.setdefault(f.item, f.first_seen)
    items = [_item(c, open_by_item.get(c.item) if c.status in ("missing", "outdated", "unverified") else None)
             for c in checks]
    channel_rows = [(ch, pages.channel_check(session, ch.id)) for ch in pages.org_channels(session, org.id)]
    channels = [_channel(ch, check, as_of) for ch, check in channel_rows]
    registration = next((c for c in checks if c.item == "registration"), None)
    last = max([*checks, *(check for _, check in channel_rows if check)], key=lambda c: c.checked_at, default=None)
    scan = pages.get_scan(session, last.scan_id) if last and last.scan_id else None
    incomplete = next((c.detail.get("incomplete") for c in checks if c.detail.get("incomplete")), None)
    return OrgStatus(
        org=org.id, name=org.name, type_label=ORG_TYPE_LABELS.get(org.type, org.type), charity=org.charity,
        public_fundraising=org.public_fundraising_qualified,
        checked_at=f"{scan.as_of.isoformat()}（扫描 #{scan.id}）" if scan else None,
        incomplete=incomplete, items=items, channels=channels,
        mismatches=list((registration.detail or {}).get("mismatches", [])) if registration else [],
    )


def org_status(rt: Runtime, org_ids: list[str] | None = None) -> list[OrgStatus]:
    """The status of the given organisations (every active one by default), as of ``rt.as_of``."""
    with rt.db.session() as s:
        if not org_ids:
            return [_org_status(s, org, rt.as_of) for org in pages.active_orgs(s)]
        found = []
        for org_id in org_ids:
            org = pages.get_org(s, org_id)
            found.append(_org_status(s, org, rt.as_of) if org is not None else _not_scanned(rt, org_id))
        return found


def _not_scanned(rt: Runtime, org_id: str) -> OrgStatus:
    """An organisation in the registry that no scan has seen yet (an unknown id raises RegistryError)."""
    spec = rt.registry.get(org_id)
    return OrgStatus(org=spec.id, name=spec.name, type_label=ORG_TYPE_LABELS[spec.type], charity=spec.charity,
                     public_fundraising=spec.public_fundraising_qualified, checked_at=None, incomplete=None,
                     items=[], channels=[])
