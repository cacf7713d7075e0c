"""The words of disclosure findings: which item, since when it is due, where orgwatch looked, why."""
from __future__ import annotations

from dataclasses import dataclass

from classifier.disclosure.consistency import RegistrationMismatch
from classifier.disclosure.evaluate import ItemResult
from classifier.evidence import MARK_CLOSE, MARK_OPEN


@dataclass(frozen=True)
class Looked:
    """How many stored documents the checks read: website pages, attachments, public-account articles."""

    pages: int = 0
    attachments: int = 0
    articles: int = 0

    def __str__(self) -> str:
        return f"已检查网站 {self.pages} 个页面、附件 {self.attachments} 个、公众号文章 {self.articles} 篇"


def item_title(result: ItemResult) -> str:
    """The item's title with its year: 上一年度工作报告 -> 2025 年度工作报告 (the year found,
    when a present item covers a later year than the one due)."""
    year = result.covered_year
    if result.status == "present" and result.match and result.match.year:
        year = result.match.year
    if not year:
        return result.title
    if result.title.startswith("上一年度"):
        return f"{year} 年度" + result.title.removeprefix("上一年度")
    return f"{result.title}（{year} 年度）"


def missing_evidence(result: ItemResult, looked: Looked) -> str:
    """The evidence text of a ``missing`` or ``outdated`` finding."""
    parts = [f"未找到应当公开的{MARK_OPEN}{item_title(result)}{MARK_CLOSE}"]
    if result.due:
        parts[0] += f"，{result.due.label}"
    if result.status == "outdated" and result.match:
        parts.append(f"{result.note.split('；')[0]}：{result.match.doc.url}")
    parts.append(f"{looked}，均未找到")
    if result.platform_claim:
        parts.append(f"网站称已在统一平台公开（{result.platform_claim.doc.url}），本局要求在本单位渠道同步公开")
    elif "法律允许" in result.note:
        parts.append(result.note.split("；")[-1])
    parts.append(f"依据：{result.basis}")
    return "；".join(parts) + "。"


def mismatch_evidence(m: RegistrationMismatch) -> str:
    """The evidence text of a registration ``mismatch`` finding."""
    return (f"网站显示的{m.label}与名册登记的不一致：名册为 {m.expected}，页面 {m.doc.url} 显示为"
            f"{MARK_OPEN}{m.shown}{MARK_CLOSE}（{m.excerpt}）")


def detail(result: ItemResult, looked: Looked) -> dict:
    """What a finding keeps besides its evidence: the due date, covered year, where orgwatch looked."""
    return {
        "item_title": result.title,
        "due_on": result.due.due_on.isoformat() if result.due and result.due.due_on else None,
        "due": result.due.label if result.due else None,
        "covered_year": result.covered_year,
        "older_url": result.match.doc.url if result.status == "outdated" and result.match else None,
        "platform_claim_url": result.platform_claim.doc.url if result.platform_claim else None,
        "looked": {"pages": looked.pages, "attachments": looked.attachments, "articles": looked.articles},
    }
