"""Documents as the disclosure checks see them, and how an evidence rule is matched against one."""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from classifier.disclosure.pack import PLACEHOLDERS, EvidenceSpec, _fill

#: how many lines at the top of the main text may be headings, and how long one may be; a
#: heading is not a sentence (no 。 or ；)
HEADING_LINES, HEADING_MAX = 4, 40
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_CN_DIGITS = str.maketrans("〇零○Ｏ一二三四五六七八九", "000012345678" + "9")
_CN_YEAR = re.compile(r"[二][〇零○Ｏ][一二三四五六七八九〇零○Ｏ]{2}")
KIND_LABELS = {"page": "网页", "attachment": "附件", "feed_item": "公众号文章", "wechat_article": "公众号文章",
               "weibo_post": "微博", "link": "附件链接"}


@dataclass(frozen=True)
class OrgFacts:
    """What the disclosure checks know about an organisation from the registry."""

    org_id: str
    name: str
    uscc: str
    type: str
    charity: bool = False
    public_fundraising: bool = False
    registration_authority: str = ""
    certificate: str = ""
    registered_on: dt.date | None = None

    @property
    def placeholders(self) -> dict[str, str]:
        return {"uscc": self.uscc, "name": self.name, "registration_authority": self.registration_authority,
                "certificate": self.certificate}


@dataclass(frozen=True)
class Hit:
    """How one rule matches a document, remembered (classifier.disclosure.records): its name
    lines with the years each names, and whether the address matches."""

    lines: tuple[tuple[str, tuple[int, ...]], ...] = ()
    url: bool = False


@dataclass(frozen=True)
class Findings:
    """A document's remembered record bound to a loaded pack: hits by ``id(spec)``, the lines
    that mention the unified platform, and registration mismatches as (field, shown, expected,
    excerpt). A document carrying one is matched from it, without its text."""

    hits: dict[int, Hit]
    platform: tuple[str, ...] = ()
    mismatches: tuple[tuple[str, str, str, str], ...] = ()


@dataclass(frozen=True)
class EvidenceDoc:
    """One stored document of the organisation's channels.

    ``kind`` is the page kind (``page``, ``attachment``, ``feed_item`` …) or ``link`` for a
    document link that was recorded but not downloaded (only its file name can match).
    ``is_home`` marks a channel's home page.
    """

    url: str
    kind: str = "page"
    title: str = ""
    text: str = ""
    main_text: str = ""
    published_at: dt.date | None = None
    page_id: int | None = None
    channel_kind: str = "website"
    is_home: bool = False
    links: tuple[str, ...] = ()
    findings: Findings | None = field(default=None, compare=False, repr=False)

    @property
    def file_name(self) -> str:
        """The decoded last path segment of an attachment or document link ("" for pages)."""
        if self.kind not in ("attachment", "link"):
            return ""
        return unquote(urlsplit(self.url).path.rsplit("/", 1)[-1])

    @functools.cached_property
    def name_lines(self) -> tuple[str, ...]:
        """Where a document names itself: its title, file name and the heading lines of its main text."""
        lines = [self.title, self.file_name]
        body = self.main_text or (self.text if self.kind != "page" else "")
        for line in body.splitlines()[:HEADING_LINES]:
            line = line.strip()
            if len(line) <= HEADING_MAX and not any(p in line for p in "。；;") and not line.endswith(("，", "：")):
                lines.append(line)
        return tuple(line for line in lines if line)

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class Match:
    """A document that satisfies an evidence rule; ``year`` is the year it covers, if asked."""

    doc: EvidenceDoc
    line: str
    year: int | None = None


def years_in(line: str) -> list[int]:
    """The four-digit years a line mentions, in Arabic or Chinese numerals (二〇二五)."""
    found = [int(y) for y in _YEAR.findall(line)]
    found += [int(m.translate(_CN_DIGITS)) for m in _CN_YEAR.findall(line)]
    return found


@functools.lru_cache(maxsize=2048)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _fill_regex(pattern: str, org: OrgFacts) -> str:
    return _fill(pattern, {k: re.escape(v) for k, v in org.placeholders.items() if k in PLACEHOLDERS})


def _groups_hold(text: str, spec: EvidenceSpec, org: OrgFacts) -> bool:
    for group in spec.markers:
        words = [_fill(w, org.placeholders) for w in group]
        if not any(w and w in text for w in words):
            return False
    for group in spec.patterns:
        if not any(_regex(_fill_regex(p, org)).search(text) for p in group):
            return False
    return True


def _name_line(doc: EvidenceDoc, spec: EvidenceSpec, years: range | None) -> tuple[str, int | None] | None:
    """The first name line with a word of ``spec.names`` (and a year in ``years``), none excluded."""
    for line in doc.name_lines:
        if not any(w in line for w in spec.names) or any(w in line for w in spec.names_exclude):
            continue
        if years is None:
            return line, None
        hits = [y for y in years_in(line) if y in years]
        if hits:
            return line, max(hits)
    return None


def _from_hit(doc: EvidenceDoc, spec: EvidenceSpec, hit: Hit | None, years: range | None) -> Match | None:
    """:func:`match_doc` answered from a remembered hit, exactly as from the text."""
    if hit is None:
        return None
    line, year = "", None
    if spec.names or spec.urls:
        named = None
        if spec.names and hit.lines:
            if spec.year and years is not None:
                named = next(((text, max(y for y in ys if y in years)) for text, ys in hit.lines
                              if any(y in years for y in ys)), None)
            else:
                named = (hit.lines[0][0], None)
        if named:
            line, year = named
        elif hit.url and not spec.year:
            line = doc.url
        else:
            return None
    return Match(doc=doc, line=line or doc.title or doc.url, year=year)


def match_doc(doc: EvidenceDoc, spec: EvidenceSpec, org: OrgFacts, years: range | None = None) -> Match | None:
    """``doc`` as evidence for ``spec``, or None. ``years`` are the acceptable covered years
    when the rule asks for one (``year: covered``)."""
    if doc.findings is not None:
        return _from_hit(doc, spec, doc.findings.hits.get(id(spec)), years)
    if spec.kinds and doc.kind not in spec.kinds:
        return None
    if doc.kind == "link" and (spec.markers or spec.patterns):
        return None  # nothing but the file name is known of a link
    line, year = "", None
    if spec.names or spec.urls:
        named = _name_line(doc, spec, years if spec.year else None) if spec.names else None
        if named:
            line, year = named
        elif spec.urls and any(_regex(p).search(urlsplit(doc.url).path) for p in spec.urls):
            if spec.year:
                return None
            line = doc.url
        else:
            return None
    if (spec.markers or spec.patterns) and not _groups_hold(doc.text, spec, org):
        return None
    return Match(doc=doc, line=line or doc.title or doc.url, year=year)


KIND_ORDER = {"page": 0, "attachment": 1, "wechat_article": 2, "feed_item": 2, "weibo_post": 3, "link": 4}


def best(matches: list[Match]) -> Match | None:
    """The match to show: the newest covered year, then a page over an attachment over an
    article, then the home page, then the shortest address, then the newest publication."""
    if not matches:
        return None
    return min(matches, key=lambda m: (-(m.year or 0), KIND_ORDER.get(m.doc.kind, 9), not m.doc.is_home,
                                       len(m.doc.url), -(m.doc.published_at or dt.date.min).toordinal()))


def find(docs: list[EvidenceDoc], specs: list[EvidenceSpec], org: OrgFacts,
         years: range | None = None) -> list[Match]:
    """Every document that satisfies one of ``specs`` (one match per document)."""
    found: list[Match] = []
    for doc in docs:
        for spec in specs:
            m = match_doc(doc, spec, org, years)
            if m is not None:
                found.append(m)
                break
    return found
