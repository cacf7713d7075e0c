"""Disclosure checks after a scan: which mandated items each organisation has published, and
``disclosure_missing`` findings for the rest. :func:`evaluate_after_scan` is the scan's entry point."""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

from sqlalchemy import Row
from sqlalchemy.orm import Session

from classifier.base import Severity
from classifier.disclosure import (
    Evaluation, EvidenceDoc, ItemResult, Looked, OrgFacts, Pack, evaluate, load_pack, missing_evidence,
    mismatch_evidence,
)
from classifier.disclosure.consistency import RegistrationMismatch
from classifier.disclosure.evaluate import REPORTED
from classifier.disclosure.match import Findings
from classifier.disclosure.records import Recorder
from classifier.disclosure.report import detail as finding_detail
from classifier.disclosure.report import item_title
from models import findings as store
from models import pages
from models.entities import Channel, ScanRun
from orgwatch.health import Documents, Outcome, check_channels, home_urls
from orgwatch.runtime import Runtime

log = logging.getLogger(__name__)
CATEGORY = "disclosure_missing"
ARTICLE_KINDS = ("feed_item", "wechat_article", "weibo_post")
#: linked files whose name alone can show an item (an annual report PDF, a scanned certificate)
DOCUMENT_EXTENSIONS = frozenset("pdf doc docx xls xlsx wps et txt rtf ppt pptx odt ods jpg jpeg png gif zip rar".split())
DEFAULT_MISMATCH_BASIS = "网站显示的登记信息应与登记证书一致"


def evaluate_after_scan(rt: Runtime, scan_id: int, org_ids: list[str],
                        channel_scans: dict[int, int] | None = None) -> tuple[int, int]:
    """Channel health and disclosure checks for the scanned organisations.

    Returns (new or reopened findings, resolved findings). Call it after the crawl and before
    alerts are queued, so that its findings are alerted in the same scan. ``channel_scans``
    names the scan each channel was read in when an organisation's channels were scanned by
    separate jobs (a large site split per channel); findings are attributed to ``scan_id``.
    """
    settings = rt.settings.health
    pack = load_pack(settings.disclosure_pack) if settings.disclosure_checks else None
    total = Outcome()
    for org_id in org_ids:
        with rt.db.session() as s:
            scan, org = pages.get_scan(s, scan_id), pages.get_org(s, org_id)
            if scan is None or org is None:
                continue
            documents = Documents(s)
            by_channel = {cid: run for cid, sid in (channel_scans or {}).items()
                          if (run := pages.get_scan(s, sid)) is not None}
            if settings.channel_checks:
                total.add(check_channels(rt, s, scan, org_id, org.name, documents, by_channel))
            if pack is not None:
                total.add(DisclosureRun(rt, s, scan, org_facts(rt, org), pack, documents, by_channel).run())
    return total.new, len(total.resolved)


def org_facts(rt: Runtime, org) -> OrgFacts:
    """The registry facts the checks need (``registered_on`` when the registry records it)."""
    spec = rt.registry.get(org.id)
    return OrgFacts(org_id=org.id, name=org.name, uscc=org.uscc, type=org.type, charity=org.charity,
                    public_fundraising=org.public_fundraising_qualified,
                    registration_authority=org.registration_authority or "",
                    certificate=org.fundraising_certificate or "", registered_on=getattr(spec, "registered_on", None))


def _doc(row: Row, channel: Channel, homes: tuple[str, ...], text: str = "", main_text: str = "",
         findings: Findings | None = None) -> EvidenceDoc:
    return EvidenceDoc(url=row.url, kind=row.kind, title=row.title or "", text=text or "", main_text=main_text or "",
                       published_at=row.published_at, page_id=row.id, channel_kind=channel.kind,
                       is_home=row.url in homes, links=tuple(row.links or ()), findings=findings)


def _extension(url: str) -> str:
    last = urlsplit(url).path.rsplit("/", 1)[-1]
    return last.rsplit(".", 1)[-1].lower() if "." in last else ""


def _in_view(rows: list[Row], channel: Channel, scan: ScanRun, problem: str | None) -> list[Row]:
    """The channel's documents this scan's view includes: for a website crawled completely, the
    pages it reached and the attachments they link (or it fetched); otherwise all stored ones."""
    if channel.kind != "website" or problem:
        return rows
    current = [r for r in rows if r.last_scan_id == scan.id and r.kind != "attachment"]
    linked = {link for r in current for link in (r.links or ())}
    return current + [r for r in rows if r.kind == "attachment" and (r.last_scan_id == scan.id or r.url in linked)]


def _evidence_docs(session: Session, rows: list[tuple[Row, Channel]], recorder: Recorder) -> list[EvidenceDoc]:
    """The documents the evaluation can use, in the order of ``rows``: home pages with their
    texts, the others as their remembered records (classifier.disclosure.records).

    Only new or changed pages (or all, after the pack, the registry entry or the matching code
    changed) are read; their records are made and remembered, and pages no check can use are
    left out. An unchanged site's texts are not read at all, home pages apart.
    """
    homes = {channel.id: home_urls(channel) for _, channel in rows}
    keys = {row.id: recorder.key(row.content_hash) if row.content_hash else None for row, _ in rows}
    unread = {row.id: (row, channel) for row, channel in rows
              if row.url in homes[channel.id] or keys[row.id] is None or keys[row.id] != row.disclosure_key}
    docs = {row.id: _doc(row, channel, homes[channel.id], findings=recorder.bind(row.disclosure_record))
            for row, channel in rows if row.id not in unread and row.disclosure_record is not None}
    remembered: list[dict] = []
    for page_id, text, main_text in pages.page_texts(session, unread):
        row, channel = unread[page_id]
        doc = _doc(row, channel, homes[channel.id], text, main_text)
        if doc.is_home:
            docs[page_id] = doc  # judged from its text every time, as a home page
            continue
        record = recorder.record(doc)
        if record is not None:
            docs[page_id] = _doc(row, channel, homes[channel.id], findings=recorder.bind(record))
        if keys[page_id] is not None:
            remembered.append({"id": page_id, "disclosure_key": keys[page_id], "disclosure_record": record})
    pages.save_disclosure_records(session, remembered)
    return [docs[row.id] for row, _ in rows if row.id in docs]


def collect_documents(session: Session, scan: ScanRun, org_id: str, recorder: Recorder,
                      documents: Documents | None = None, channel_scans: dict[int, ScanRun] | None = None,
                      ) -> tuple[list[EvidenceDoc], Looked, list[str]]:
    """The organisation's evidence: the stored pages, attachments and articles of its channels
    that the evaluation can use (see :mod:`classifier.disclosure.records`), plus document
    links not downloaded (by file name); how many of each were read; and why this scan's view
    is incomplete (channels whose crawl failed or was cut short).

    A website crawled completely in this scan contributes the pages it reached (changed or
    not); pages it no longer links are left out. Feeds keep every article ever read.
    """
    documents = documents if documents is not None else Documents(session)
    rows: list[tuple[Row, Channel]] = []
    problems: list[str] = []
    for channel in documents.channels(org_id):
        read_in = (channel_scans or {}).get(channel.id, scan)
        problem = documents.problem(channel, read_in)
        if not problem and channel.last_truncated_reason:
            problem = f"抓取达到上限（{channel.last_truncated_reason}）"
        if problem:
            problems.append(f"{channel.url}：{problem}")
        rows += [(row, channel) for row in _in_view(documents.of(channel), channel, read_in, problem)]
    docs = _evidence_docs(session, rows, recorder)
    stored = {row.url for row, _ in rows}
    links = dict.fromkeys(link for row, _ in rows if row.kind == "page" for link in (row.links or ()))
    unread = [EvidenceDoc(url=link, kind="link") for link in links
              if link not in stored and _extension(link) in DOCUMENT_EXTENSIONS]
    kinds = [row.kind for row, _ in rows]
    looked = Looked(pages=kinds.count("page"), attachments=kinds.count("attachment") + len(unread),
                    articles=sum(k in ARTICLE_KINDS for k in kinds))
    return docs + unread, looked, problems


class DisclosureRun:
    """Evaluates the pack for one organisation after one scan, and stores the outcome."""

    def __init__(self, rt: Runtime, session: Session, scan: ScanRun, org: OrgFacts, pack: Pack,
                 documents: Documents | None = None, channel_scans: dict[int, ScanRun] | None = None) -> None:
        self.rt, self.s, self.scan, self.org, self.pack = rt, session, scan, org, pack
        self.documents = documents if documents is not None else Documents(session)
        self.channel_scans = channel_scans
        self.now = rt.now()

    def run(self) -> Outcome:
        out = Outcome()
        channels = self.documents.channels(self.org.org_id)
        if not channels:
            return out
        docs, looked, problems = collect_documents(self.s, self.scan, self.org.org_id,
                                                   Recorder(self.pack, self.org), self.documents, self.channel_scans)
        incomplete = "；".join(problems) or None
        ev = evaluate(self.pack, self.org, docs, self.rt.as_of,
                      require_own_site=self.rt.settings.health.require_own_site_disclosure, incomplete=incomplete)
        primary = next((c for c in channels if c.kind == "website"), channels[0])
        keep: list[str] = []
        for result in ev.results:
            if result.status in REPORTED:
                self._upsert(self._missing_values(result, primary, looked), keep, out)
        for mismatch in ev.mismatches:
            self._upsert(self._mismatch_values(mismatch, primary), keep, out)
        out.resolved += self._resolve(ev, keep, incomplete is not None)
        self._save_checks(ev, looked, incomplete)
        return out

    def _upsert(self, values: dict, keep: list[str], out: Outcome) -> None:
        out.outcomes.append(store.upsert_finding(self.s, values, scan_id=self.scan.id, now=self.now)[1])
        keep.append(values["fingerprint"])

    def _values(self, url: str, channel: Channel, rule: str, item: str, key: str, **rest) -> dict:
        return dict(fingerprint=store.fingerprint(self.org.org_id, url, CATEGORY, rule, item, key),
                    org_id=self.org.org_id, channel_id=channel.id, snapshot_id=None, url=url, category=CATEGORY,
                    rule=rule, item=item, position_start=0, position_end=0, score=None, **rest)

    def _missing_values(self, result: ItemResult, channel: Channel, looked: Looked) -> dict:
        older = result.match.doc.page_id if result.match else None
        return self._values(channel.url, channel, result.rule, result.item_id, result.key,
                            page_id=older, severity=result.severity.value,
                            evidence=missing_evidence(result, looked), basis=result.basis,
                            detail=finding_detail(result, looked))

    def _mismatch_values(self, m: RegistrationMismatch, channel: Channel) -> dict:
        item = self.pack.get("registration")
        config = item.mismatch if item else None
        return self._values(m.doc.url, channel, "mismatch", "registration", m.key, page_id=m.doc.page_id,
                            severity=(config.severity if config else Severity.MEDIUM).value,
                            evidence=mismatch_evidence(m), basis=config.basis if config else DEFAULT_MISMATCH_BASIS,
                            detail={"field": m.field, "shown": m.shown, "expected": m.expected})

    def _resolve(self, ev: Evaluation, keep: list[str], incomplete: bool) -> list[int]:
        """Resolve open findings the evaluation no longer supports; with an incomplete crawl only
        those whose item is now present or not applicable."""
        results = {r.item_id: r for r in ev.results}
        resolved: list[int] = []
        for f in pages.open_findings(self.s, self.org.org_id, CATEGORY):
            if f.fingerprint in keep:
                continue
            result = results.get(f.item or "")
            if f.rule == "mismatch":
                note = None if incomplete else "网站已显示与名册一致的登记信息"
            elif result is None:
                note = "检查包中已没有该事项"
            elif result.status in ("present", "not_applicable", "not_due"):
                note = {"present": "已公开", "not_applicable": "不适用", "not_due": "未到期"}[result.status]
            elif result.status in REPORTED:
                note = "已由新一期检查取代"  # e.g. last year's report, now that this year's is due
            else:
                note = None  # unverified: leave it open
            if note:
                resolved += pages.resolve_findings(self.s, [f], now=self.now, note=note)
        return resolved

    def _save_checks(self, ev: Evaluation, looked: Looked, incomplete: str | None) -> None:
        mismatches = [{"field": m.field, "shown": m.shown, "expected": m.expected, "url": m.doc.url}
                      for m in ev.mismatches]
        for r in ev.results:
            doc = r.match.doc if r.match else None
            pages.save_disclosure_check(self.s, self.org.org_id, r.item_id, dict(
                title=item_title(r), status=r.status, covered_year=r.covered_year,
                due_on=r.due.due_on if r.due else None, due_label=r.due.label if r.due else "",
                page_id=doc.page_id if doc else None, url=doc.url if doc else None,
                evidence=r.match.line[:500] if r.match else "", note=r.note,
                detail={**finding_detail(r, looked), "incomplete": incomplete,
                        **({"mismatches": mismatches} if r.item_id == "registration" else {})},
                checked_at=self.now, scan_id=self.scan.id,
            ))
        pages.drop_disclosure_checks(self.s, self.org.org_id, [r.item_id for r in ev.results])
