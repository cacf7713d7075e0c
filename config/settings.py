"""One typed settings object, read from YAML and overridable by ``ORGWATCH_*`` variables.

Precedence, highest first: explicit arguments (CLI flags such as ``--db``), environment
variables (``ORGWATCH_CRAWL__MAX_PAGES=50``), the YAML settings file, the defaults here.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from config.exceptions import SettingsError


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


class AlertSettings(BaseModel):
    """Who is told what, and how hard delivery is retried."""

    high_to_legal_representative: bool = Field(True, description="高风险问题同时通知法定代表人")
    max_attempts: int = Field(20, ge=1, description="一条通知最多投递的次数，超过后保留为失败状态等待人工处理")
    retry_after_minutes: int = Field(
        5, ge=0, description="投递失败后至少间隔多少分钟再重试（每次失败间隔加倍，最长一天）"
    )
    timeout: float = Field(15.0, gt=0, description="单次投递的超时秒数")


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "orgwatch"


class Settings(BaseSettings):
    """All of orgwatch's settings. See docs/configuration.md for each field."""

    model_config = SettingsConfigDict(
        env_prefix="ORGWATCH_", env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    data_dir: Path = Field(default_factory=default_data_dir, description="数据目录：数据库、快照和日志")
    database_url: str | None = Field(None, description="数据库地址；默认是数据目录中的 SQLite 文件 orgwatch.db")
    registry: Path | None = Field(None, description="机构名册 YAML 文件路径（相对于设置文件所在目录）")
    crawl: CrawlSettings = Field(default_factory=CrawlSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)

    @property
    def db_url(self) -> str:
        """The database URL in force: the setting, or SQLite in the data dir."""
        return self.database_url or f"sqlite:///{self.data_dir / 'orgwatch.db'}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise SettingsError(f"无法读取设置文件 {path}：{exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise SettingsError(f"设置文件 {path} 不是有效的 YAML：{exc}") from exc
    if not isinstance(data, dict):
        raise SettingsError(f"设置文件 {path} 的顶层应为键值映射")
    return data


def _merge_env_over(file_values: dict[str, Any]) -> dict[str, Any]:
    """Values from the file that no ORGWATCH_ variable overrides (env wins over the file)."""
    env_keys = {k[len("ORGWATCH_"):].lower() for k in os.environ if k.startswith("ORGWATCH_")}
    merged: dict[str, Any] = {}
    for key, value in file_values.items():
        if key in env_keys:
            continue
        if isinstance(value, dict):
            value = {
                k: v for k, v in value.items() if f"{key}__{k}".lower() not in env_keys
            }
        merged[key] = value
    return merged


def load_settings(path: Path | str | None = None, **overrides: Any) -> Settings:
    """Read settings from ``path`` (or ``$ORGWATCH_CONFIG``), environment and ``overrides``."""
    path = Path(path) if path else (Path(os.environ["ORGWATCH_CONFIG"]) if os.environ.get("ORGWATCH_CONFIG") else None)
    file_values: dict[str, Any] = {}
    if path is not None:
        file_values = _merge_env_over(_read_yaml(path))
        for key in ("registry", "data_dir"):
            if file_values.get(key):
                file_values[key] = (path.parent / Path(file_values[key]).expanduser()).resolve()
    values = {**file_values, **{k: v for k, v in overrides.items() if v is not None}}
    try:
        return Settings(**values)
    except ValidationError as exc:
        where = f"设置文件 {path} 或 ORGWATCH_ 环境变量" if path else "ORGWATCH_ 环境变量或命令行参数"
        problems = "；".join(
            f"{'.'.join(str(p) for p in err['loc'])}：{err['msg']}" for err in exc.errors()
        )
        raise SettingsError(f"{where}有误：{problems}") from exc
