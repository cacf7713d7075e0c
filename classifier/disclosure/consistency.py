"""Registration consistency: a USCC or organisation name shown on the site that is not the registry's."""
from __future__ import annotations

import re
from dataclasses import dataclass

from classifier.disclosure.match import EvidenceDoc, OrgFacts
from classifier.evidence import snippet

#: name lines that mark a page as the organisation's own basic information
BASIC_INFO_WORDS = ("简介", "概况", "关于我们", "基本信息", "登记信息", "联系我们", "联系方式", "信息公开",
                    "机构介绍", "协会介绍", "基金会介绍", "中心介绍", "本会介绍")
_USCC = re.compile(r"(?:统一社会信用代码|社会信用代码|信用代码)\s*[:：]?\s*([0-9A-Za-z]{18})(?![0-9A-Za-z])")
_NAME = re.compile(
    r"(?<![\u4e00-\u9fa5])(?:社会组织名称|机构名称|单位名称|组织名称|登记名称|名称)\s*[:：]?\s*"
    r"([\u4e00-\u9fa5（）()·]{4,40})"
)
#: labels that may follow a name without a space in a table row
_NEXT_LABELS = ("统一社会信用代码", "社会信用代码", "登记管理机关", "业务主管单位", "法定代表人", "住所", "地址",
                "电话", "成立", "类型", "登记证号", "证书")
_ORG_SUFFIX = re.compile(r"(会|中心|院|所|社|站|园|馆|基金|团|校|学校|机构|联盟|之家|协会|商会)$")


@dataclass(frozen=True)
class RegistrationMismatch:
    """The site shows ``shown`` where the registry has ``expected`` (``field`` is uscc or name)."""

    field: str
    shown: str
    expected: str
    doc: EvidenceDoc
    excerpt: str

    @property
    def key(self) -> str:
        return f"{self.field}:{self.shown}"

    @property
    def label(self) -> str:
        return "统一社会信用代码" if self.field == "uscc" else "机构名称"


def _is_basic_info(doc: EvidenceDoc) -> bool:
    if doc.is_home:
        return True
    return doc.kind == "page" and any(w in line for line in doc.name_lines[:1] for w in BASIC_INFO_WORDS)


def _normal_name(name: str) -> str:
    for label in _NEXT_LABELS:
        name = name.split(label, 1)[0]
    return name.replace("(", "（").replace(")", "）").strip("（）· ")


def _uscc_mismatches(org: OrgFacts, doc: EvidenceDoc) -> list[RegistrationMismatch]:
    found = []
    for m in _USCC.finditer(doc.text):
        shown = m.group(1).upper()
        if shown != org.uscc:
            found.append(RegistrationMismatch("uscc", shown, org.uscc, doc,
                                              snippet(doc.text, m.start(1), m.end(1))))
    return found


def _name_mismatches(org: OrgFacts, doc: EvidenceDoc) -> list[RegistrationMismatch]:
    found = []
    expected = _normal_name(org.name)
    for m in _NAME.finditer(doc.text):
        shown = _normal_name(m.group(1))
        if len(shown) < 4 or not _ORG_SUFFIX.search(shown):
            continue  # not an organisation's name (a project's, a label's)
        if shown.startswith(expected) or expected.startswith(shown) or expected.endswith(shown):
            continue  # the registered name, or a short form of it
        found.append(RegistrationMismatch("name", shown, org.name, doc,
                                          snippet(doc.text, m.start(1), m.start(1) + len(shown))))
    return found


def registration_mismatches(org: OrgFacts, docs: list[EvidenceDoc]) -> list[RegistrationMismatch]:
    """Labelled USCCs and names on the home page and the organisation's basic-information
    pages that differ from the registry; one per distinct shown value, home page first."""
    seen: dict[str, RegistrationMismatch] = {}
    for doc in sorted((d for d in docs if d.findings is not None or _is_basic_info(d)),
                      key=lambda d: (not d.is_home, len(d.url))):
        for mismatch in _mismatches(org, doc):
            seen.setdefault(mismatch.key, mismatch)
    return list(seen.values())


def _mismatches(org: OrgFacts, doc: EvidenceDoc) -> list[RegistrationMismatch]:
    """A basic-information document's mismatches (remembered ones when it carries a record)."""
    if doc.findings is not None:
        return [RegistrationMismatch(f, shown, expected, doc, excerpt)
                for f, shown, expected, excerpt in doc.findings.mismatches]
    return _uscc_mismatches(org, doc) + _name_mismatches(org, doc)
