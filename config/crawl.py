"""The crawl's settings on their own, so the crawl process can check a job's limits without
loading the whole settings machinery (pydantic-settings, YAML); :mod:`config.settings` uses them
as its ``crawl`` section."""
from __future__ import annotations

from pydantic import BaseModel, Field


class CrawlSettings(BaseModel):
    """Limits and manners of the crawl; every field is live."""

    max_pages: int = Field(500, ge=1, description="每个渠道每次扫描最多抓取的页面数")
    max_depth: int = Field(6, ge=0, description="从首页出发最多跟随的链接层数")
    max_bytes: int = Field(200_000_000, ge=1, description="每个渠道每次扫描最多下载的字节数")
    max_page_bytes: int = Field(10_000_000, ge=1024, description="单个响应的最大字节数，超出即放弃下载并记录为 too_large")
    timeout: float = Field(20.0, gt=0, description="单个请求的超时秒数")
    concurrency_per_domain: int = Field(4, ge=1, description="同一域名的最大并发请求数")
    download_delay: float = Field(0.25, ge=0, description="同一域名两次请求之间的最小间隔秒数（AutoThrottle 在此基础上调节）")
    autothrottle: bool = Field(True, description="按服务器响应速度自动放慢抓取")
    max_redirects: int = Field(5, ge=0, description="单个请求最多跟随的重定向次数")
    obey_robots: bool = Field(True, description="遵守 robots.txt（可按渠道关闭）")
    allow_private_networks: bool = Field(
        False, description="允许抓取解析到内网、回环或保留地址的主机（仅测试和演示时打开）"
    )
    verify_tls: bool = Field(
        True, description="校验 HTTPS 证书；关闭后证书有问题的网站照常扫描，并记录证书问题（可按渠道设置）"
    )
    unreachable_after: int = Field(2, ge=1, description="首页连续多少次扫描无法访问后报告“无法访问”（第一次失败只记录不通知）")
    fetch_attachments: bool = Field(True, description="下载并分析网页链接的文档附件（PDF、Word、Excel、文本）")
    max_attachment_bytes: int = Field(20_000_000, ge=1024, description="单个附件的最大字节数，超出的附件记录为过大、不分析")
    user_agent: str = Field(
        "orgwatch/0.1 (social-organisation compliance monitor)",
        description="抓取时使用的 User-Agent",
    )
