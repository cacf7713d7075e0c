"""One typed settings object, read from YAML and overridable by ``ORGWATCH_*`` variables.

Precedence, highest first: explicit arguments (CLI flags such as ``--db``), environment
variables (``ORGWATCH_CRAWL__MAX_PAGES=50``), the YAML settings file, the defaults here.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError,
                      field_validator, model_validator)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from config.crawl import CrawlSettings
from config.exceptions import SettingsError

RouteRole = Literal["platform_manager", "legal_representative", "other", "supervisor"]
SeverityName = Literal["high", "medium", "low"]


class AlertRoute(BaseModel):
    """One routing rule: findings matching every filter go to every role listed.

    ``all`` (the default) matches anything; ``supervisor`` means the organisation's
    supervising unit, which receives these findings in its daily digest.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    categories: list[str] | Literal["all"] = Field("all", description="问题类别，如 [pii_id, secret_mark]，或 all")
    severities: list[SeverityName] | Literal["all"] = Field("all", description="风险等级 high/medium/low，或 all")
    orgs: list[str] | Literal["all"] = Field("all", description="机构 id，或 all")
    roles: list[RouteRole] = Field(min_length=1, description="接收角色")

    @field_validator("categories")
    @classmethod
    def _known_categories(cls, value: list[str] | str) -> list[str] | str:
        if value == "all":
            return value
        from classifier.base import CATEGORIES

        unknown = [c for c in value if c not in CATEGORIES]
        if unknown:
            raise ValueError(f"未知的问题类别 {', '.join(unknown)}；可用的类别：{', '.join(CATEGORIES)}")
        return value


class AlertSettings(BaseModel):
    """Who is told what, in which words, and how hard delivery is retried."""

    routes: list[AlertRoute] | None = Field(
        None, description="通知规则（按类别、风险等级、机构决定通知哪些角色）；不写时使用默认规则"
    )
    high_to_legal_representative: bool = Field(
        True, description="默认规则中高风险问题同时通知法定代表人（写了 routes 时不起作用）"
    )
    remind_after_days: int = Field(
        0, ge=0, description="高风险问题通知后多少天仍未处理（未确认）时提醒法定代表人一次；0 表示不提醒"
    )
    operators: list[str] = Field(
        default_factory=list, description="运维人员的 Apprise 地址：orgwatch 自身运行出问题时通知他们"
    )
    operator_failing_hours: int = Field(
        24, ge=1, description="一条通知创建后多少小时仍未送达时通知运维人员（每条消息一次）"
    )
    secrets_file: Path | None = Field(
        None, description="密钥文件（YAML 映射 名称: 值），供通知地址中的 ${名称} 取值；同名环境变量优先"
    )
    template_dir: Path | None = Field(
        None, description="自定义消息模板目录：与内置模板同名的文件替换内置模板"
    )
    max_items: int = Field(20, ge=1, description="一条消息最多列出的问题数；其余的只写数量")
    size_limits: dict[str, int] = Field(
        default_factory=dict, description="按通道覆盖消息大小上限（字节），如 {wecombot: 4096}"
    )
    findings_link: str | None = Field(
        None, description="查看全部问题的链接，{org} 替换为机构 id；消息放不下全部问题时附在末尾"
    )
    attach_csv: bool = Field(True, description="电子邮件附带本消息全部问题的 CSV 清单")
    max_attempts: int = Field(20, ge=1, description="一条通知最多投递的次数，超过后保留为失败状态等待人工处理")
    retry_after_minutes: int = Field(
        5, ge=0, description="投递失败后至少间隔多少分钟再重试（每次失败间隔加倍，最长一天）"
    )
    timeout: float = Field(15.0, gt=0, description="单次投递的超时秒数")

    @field_validator("operators")
    @classmethod
    def _operator_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if "://" not in url:
                raise ValueError(f"运维通知地址应为 Apprise URL（如 mailto://、wecombot://），收到 {url!r}")
        return urls

    @model_validator(mode="after")
    def _routes_or_shortcut(self) -> "AlertSettings":
        if self.routes is not None and "high_to_legal_representative" in self.model_fields_set:
            raise ValueError("routes 和 high_to_legal_representative 只能写一个：写了 routes 时请在规则中直接列出法定代表人")
        return self

    def effective_routes(self) -> list[AlertRoute]:
        """The routes in force: ``routes`` as written, or the defaults.

        Defaults: every finding to the platform manager; high severity also to the legal
        representative (unless ``high_to_legal_representative`` is off) and, in the daily
        digest, to the supervising unit.
        """
        if self.routes is not None:
            return list(self.routes)
        routes = [AlertRoute(roles=["platform_manager"])]
        if self.high_to_legal_representative:
            routes.append(AlertRoute(severities=["high"], roles=["legal_representative"]))
        routes.append(AlertRoute(severities=["high"], roles=["supervisor"]))
        return routes


class ReportSettings(BaseModel):
    """The weekly report: where it is written and who receives it (``orgwatch report --send``)."""

    recipients: list[str] = Field(
        default_factory=list,
        description="登记管理机关接收周报的 Apprise 地址（可多个，可用 ${变量名} 引用密钥）；邮件附 PDF",
    )
    out_dir: Path | None = Field(
        None, description="周报文件的输出目录；默认是数据目录下的 reports/，相对路径以数据目录为基准"
    )

    @field_validator("recipients")
    @classmethod
    def _recipient_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if "://" not in url:
                raise ValueError(f"周报接收地址应为 Apprise URL（如 mailto://），收到 {url!r}")
        return urls


class HealthSettings(BaseModel):
    """Disclosure checks and channel health, run after each scan (docs/disclosure.md)."""

    disclosure_checks: bool = Field(True, description="扫描后检查各机构应公开事项是否已在网站、附件或公众号公开")
    channel_checks: bool = Field(True, description="扫描后检查网站和公众号是否长期未更新、栏目是否为空、首页是否被篡改")
    disclosure_pack: Path | None = Field(
        None, description="信息公开检查包 YAML 文件；默认使用内置的 config/disclosure/default.yaml"
    )
    require_own_site_disclosure: bool = Field(
        True, description="法律允许在“慈善中国”平台公开的事项，是否仍要求慈善组织在本单位网站或公众号公开"
    )
    public_account_days: int = Field(14, ge=1, description="公众号（订阅源、微博）最新一篇发布超过多少天视为长期未更新")
    website_days: int = Field(90, ge=1, description="网站最新一条带日期的内容超过多少天视为长期未更新")
    news_column_days: int = Field(90, ge=1, description="新闻、动态类栏目最新一条超过多少天视为长期未更新")
    notice_column_days: int = Field(180, ge=1, description="通知、公告、公示、政策类栏目最新一条超过多少天视为长期未更新")
    defacement_similarity: float = Field(
        0.2, gt=0, lt=1, description="首页文字与近期正常版本的相似度（字符片段 Jaccard）低于此值视为大部分被替换"
    )
    defacement_min_new_links: int = Field(
        3, ge=1, description="首页新出现的外部链接至少有多少个、且占全部链接一半以上时视为被篡改"
    )
    baseline_scans: int = Field(3, ge=1, description="首页基线保留最近多少次正常扫描的版本")


class WebSettings(BaseModel):
    """The web app (``orgwatch serve``): address, sessions and login limits."""

    host: str = Field("127.0.0.1", description="网页服务监听的地址；只在本机访问时保持 127.0.0.1")
    port: int = Field(8321, ge=0, le=65535, description="网页服务监听的端口")
    secret_key_file: Path | None = Field(
        None,
        description="签名会话 Cookie 的密钥文件；默认是数据目录下的 web-secret.key，第一次使用时自动生成（权限 0600）",
    )
    session_minutes: int = Field(480, ge=1, description="登录后多少分钟会话过期，需要重新登录")
    login_attempts: int = Field(5, ge=1, description="同一用户名从同一地址在时间窗口内最多允许的登录失败次数")
    login_window_minutes: int = Field(15, ge=1, description="登录失败次数的统计窗口（分钟）；超过次数后要等窗口过去才能再试")
    cookie_secure: bool = Field(False, description="会话 Cookie 只经 HTTPS 发送；通过 HTTPS 反向代理对外提供服务时打开")


_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")


def parse_duration(value: Any) -> dt.timedelta:
    """A scan interval: a number of hours, or text such as ``12h``, ``3d``, ``1d12h``, ``90m``."""
    if isinstance(value, dt.timedelta):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return dt.timedelta(hours=value)
    text = str(value).strip().lower().replace(" ", "")
    if text.startswith("p"):
        return value  # ISO 8601 (P7D, PT12H), as model_dump(mode="json") writes it; pydantic parses it
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return dt.timedelta(hours=float(text))
    match = _DURATION.match(text) if text else None
    if not match or not any(match.groups()):
        raise ValueError(f"时间间隔应写成小时数（如 12）或 12h、3d、1d12h、90m 这样的形式，收到 {value!r}")
    days, hours, minutes = (int(g or 0) for g in match.groups())
    return dt.timedelta(days=days, hours=hours, minutes=minutes)


def _at_least_ten_minutes(value: dt.timedelta) -> dt.timedelta:
    if value < dt.timedelta(minutes=10):
        raise ValueError(f"时间间隔至少为 10 分钟，收到 {value.total_seconds() / 60:g} 分钟")
    return value


#: a scan interval or back-off, at least ten minutes; written as hours or like ``12h``/``3d``
Duration = Annotated[dt.timedelta, BeforeValidator(parse_duration), AfterValidator(_at_least_ten_minutes)]


class ScheduleSettings(BaseModel):
    """``orgwatch schedule``: how often each kind of channel is scanned, and the weekly report."""

    website_interval: Duration = Field(dt.timedelta(days=7), description="网站多久扫描一次（如 7d、12h，或小时数）")
    feed_interval: Duration = Field(dt.timedelta(days=1), description="订阅源（RSS/Atom 公众号源）多久扫描一次")
    wechat_article_interval: Duration = Field(dt.timedelta(days=1), description="微信公众号文章渠道多久扫描一次")
    weibo_interval: Duration = Field(dt.timedelta(days=1), description="微博渠道多久扫描一次")
    retry_after: Duration = Field(
        dt.timedelta(hours=1), description="上次扫描首页无法访问时，隔多久再试（每多失败一次间隔加倍，最长为该渠道的扫描间隔）"
    )
    tick_seconds: int = Field(60, ge=5, le=3600, description="调度循环每隔多少秒检查一次哪些渠道到期")
    mode: Literal["auto", "local", "distributed"] = Field(
        "auto", description="到期的渠道在哪里扫描：local 在本进程，distributed 交给 Celery 工作进程，auto 按是否设置了消息队列决定"
    )
    weekly_report: bool = Field(True, description="调度器每周自动生成上一周的周报（每周一次，重启也不重复）")
    report_weekday: int = Field(1, ge=1, le=7, description="每周第几天生成周报：1 是星期一，7 是星期日（北京时间）")
    report_hour: int = Field(8, ge=0, le=23, description="在那一天的几点（北京时间，0～23）之后生成周报")
    send_report: bool = Field(True, description="自动生成的周报是否发给 reports.recipients（没有设置接收人时只生成文件）")

    def interval_for(self, kind: str) -> dt.timedelta:
        """The default scan interval of a channel kind."""
        return getattr(self, f"{kind}_interval")


class DistributedSettings(BaseModel):
    """``orgwatch worker`` and ``orgwatch scan --distributed``: Celery workers on a Redis broker."""

    broker_url: str = Field("redis://127.0.0.1:6379/0", description="Celery 消息队列（Redis）地址，如 redis://:密码@主机:6379/0")
    queue: str = Field("orgwatch", min_length=1, description="扫描任务所在的 Celery 队列名；不同部署共用一个 Redis 时各用一个名字")
    visibility_timeout: int = Field(
        3600, ge=1, description="工作进程取走任务后多少秒仍未确认（进程已死）时，把任务重新交给其他工作进程（Redis 传输选项）"
    )
    concurrency: int = Field(1, ge=1, description="每个 orgwatch worker 同时运行的扫描任务数（每个任务在独立进程中抓取）")
    large_site_pages: int = Field(
        1000, ge=1, description="机构各渠道上次扫描的页面数合计超过此值时，scan --distributed 按渠道而不是按机构拆分任务"
    )
    lease_minutes: float = Field(
        10, gt=0, description="渠道租约时长（分钟）：扫描期间定期续约；工作进程死亡后最多这么久，其他任务才能重新扫描这些渠道"
    )
    pickup_timeout: int = Field(
        120, ge=1,
        description="scan --distributed --wait：任务排队这么多秒仍没有工作进程取走、且没有工作进程在监听该队列时，停止等待并说明如何启动工作进程（任务留在队列中）",
    )


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "orgwatch"


class DetectSettings(BaseModel):
    """What the content detectors use beyond their built-in rules."""

    model: bool = Field(
        False,
        description="使用文本分类模型补充规则未发现的问题（非法集资、垃圾内容、募捐信息）。默认关闭：在未见过的法规页面上每百页约 1.5 个误报，尚未达到每百页少于 1 个的要求，见 docs/model-card.md",
    )

    lexicons: list[Path] = Field(
        default_factory=list,
        description="本地词库文件（YAML）列表，在内置的赌博、色情垃圾词库之外使用；格式见 docs/rules.md 的 custom_lexicon",
    )


class Settings(BaseSettings):
    """All of orgwatch's settings. See docs/configuration.md for each field."""

    model_config = SettingsConfigDict(
        env_prefix="ORGWATCH_", env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    data_dir: Path = Field(default_factory=default_data_dir, description="数据目录：数据库、快照和日志")
    database_url: str | None = Field(None, description="数据库地址；默认是数据目录中的 SQLite 文件 orgwatch.db")
    registry: Path | None = Field(None, description="机构名册 YAML 文件路径（相对于设置文件所在目录）")
    crawl: CrawlSettings = Field(default_factory=CrawlSettings)
    detect: DetectSettings = Field(default_factory=DetectSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    health: HealthSettings = Field(default_factory=HealthSettings)
    reports: ReportSettings = Field(default_factory=ReportSettings)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)
    distributed: DistributedSettings = Field(default_factory=DistributedSettings)
    web: WebSettings = Field(default_factory=WebSettings)

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


def _path_kind(annotation: Any) -> str | None:
    """'path' for a Path field (optionally None), 'paths' for list[Path], else None."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is list:
        return "paths" if args == (Path,) else None
    if annotation is Path or (args and Path in args and all(a in (Path, type(None)) for a in args)):
        return "path"
    return None


def _resolve_paths(model: type[BaseModel], values: dict[str, Any], base: Path) -> None:
    """Make every relative path in a settings file relative to the file's folder, at any depth."""
    for name, field in model.model_fields.items():
        value = values.get(name)
        if value in (None, "", []):
            continue
        kind = _path_kind(field.annotation)
        if kind == "path" and isinstance(value, (str, Path)):
            values[name] = (base / Path(value).expanduser()).resolve()
        elif kind == "paths" and isinstance(value, list):
            values[name] = [(base / Path(v).expanduser()).resolve() if isinstance(v, (str, Path)) else v
                            for v in value]
        elif isinstance(value, dict) and isinstance(field.annotation, type) \
                and issubclass(field.annotation, BaseModel):
            _resolve_paths(field.annotation, value, base)


def load_settings(path: Path | str | None = None, **overrides: Any) -> Settings:
    """Read settings from ``path`` (or ``$ORGWATCH_CONFIG``), environment and ``overrides``."""
    path = Path(path) if path else (Path(os.environ["ORGWATCH_CONFIG"]) if os.environ.get("ORGWATCH_CONFIG") else None)
    file_values: dict[str, Any] = {}
    if path is not None:
        file_values = _merge_env_over(_read_yaml(path))
        _resolve_paths(Settings, file_values, path.parent)
    values = {**file_values, **{k: v for k, v in overrides.items() if v is not None}}
    try:
        return Settings(**values)
    except ValidationError as exc:
        where = f"设置文件 {path} 或 ORGWATCH_ 环境变量" if path else "ORGWATCH_ 环境变量或命令行参数"
        problems = "；".join(
            f"{'.'.join(str(p) for p in err['loc'])}：{err['msg']}" for err in exc.errors()
        )
        raise SettingsError(f"{where}有误：{problems}") from exc
