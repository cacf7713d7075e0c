"""The organisation registry: who is watched, through which channels, and who is told.

Validated on load; every error names the file, the organisation and the field.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from classifier.codes import is_valid_uscc
from config.exceptions import RegistryError
from config.settings import Duration

OrgType = Literal["social_group", "foundation", "social_service"]
ChannelKind = Literal["website", "feed", "wechat_article", "weibo"]
Role = Literal["legal_representative", "platform_manager", "other"]

ORG_TYPE_LABELS = {"social_group": "社会团体", "foundation": "基金会", "social_service": "社会服务机构"}
ROLE_LABELS = {"legal_representative": "法定代表人", "platform_manager": "平台管理员", "other": "其他联系人",
               "supervisor": "业务主管单位"}
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_notify_urls(urls: list[str]) -> list[str]:
    for url in urls:
        if "://" not in url:
            raise ValueError(f"通知地址应为 Apprise URL（如 mailto://、wecombot://、json://），收到 {url!r}")
    return urls


class SupervisorContact(_Strict):
    """Someone at a supervising unit who reads its daily digest; the base of every contact."""

    name: str = Field(min_length=1)
    notify: list[str] = Field(default_factory=list)

    @field_validator("notify")
    @classmethod
    def _urls_have_schema(cls, urls: list[str]) -> list[str]:
        return _check_notify_urls(urls)


class Person(SupervisorContact):
    """A person to be told: the platform manager, the legal representative or another contact."""

    role: Role


class Supervisor(_Strict):
    """A supervising unit (业务主管单位) and its contacts; organisations name it in ``supervisor``."""

    name: str = Field(min_length=1)
    people: list[SupervisorContact] = Field(default_factory=list)


class Channel(_Strict):
    """One website or public account of an organisation."""

    kind: ChannelKind
    url: str
    name: str | None = None
    obey_robots: bool | None = None
    verify_tls: bool | None = None
    extra_hosts: list[str] = Field(default_factory=list)
    #: how often ``orgwatch schedule`` scans this channel; None: ``schedule.<kind>_interval``
    scan_interval: Duration | None = None

    @field_validator("url")
    @classmethod
    def _http_only(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"只支持 http 和 https 地址，收到 {url!r}")
        return url


class Organization(_Strict):
    """A registered social organisation and its channels."""

    id: str
    name: str = Field(min_length=1)
    type: OrgType
    charity: bool = False
    uscc: str
    registration_authority: str = Field(min_length=1)
    supervisor: str | None = None
    public_fundraising_qualified: bool = False
    fundraising_certificate: str | None = None
    registered_on: dt.date | None = None
    channels: list[Channel] = Field(min_length=1)
    people: list[Person] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("id 只能用小写字母、数字、- 和 _，以字母或数字开头，最长 64 个字符")
        return value

    @field_validator("uscc")
    @classmethod
    def _uscc(cls, value: str) -> str:
        value = value.strip().upper()
        if not is_valid_uscc(value):
            raise ValueError(f"统一社会信用代码 {value!r} 无效（应为 18 位，且校验码符合 GB 32100-2015）")
        return value

    @model_validator(mode="after")
    def _certificate_when_qualified(self) -> "Organization":
        if self.public_fundraising_qualified and not self.fundraising_certificate:
            raise ValueError("public_fundraising_qualified 为 true 时必须填写 fundraising_certificate（公开募捐资格证书编号）")
        return self

    def people_with_role(self, role: str) -> list[Person]:
        return [p for p in self.people if p.role == role]


class Registry(_Strict):
    """Every organisation in one YAML file, with unique ids."""

    organizations: list[Organization] = Field(default_factory=list)
    supervisors: list[Supervisor] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> "Registry":
        seen: set[str] = set()
        for org in self.organizations:
            if org.id in seen:
                raise ValueError(f"机构 id {org.id!r} 重复")
            seen.add(org.id)
        return self

    @model_validator(mode="after")
    def _supervisors_known(self) -> "Registry":
        """Once ``supervisors`` is written, every organisation's supervisor must be listed in it."""
        names = [s.name for s in self.supervisors]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"业务主管单位 {', '.join(duplicated)} 在 supervisors 中重复")
        if not self.supervisors:
            return self
        missing = [o for o in self.organizations if o.supervisor and o.supervisor not in names]
        if missing:
            listed = "；".join(f"{o.name}（id: {o.id}）的 supervisor {o.supervisor!r}" for o in missing)
            raise ValueError(
                f"{listed} 不在 supervisors 中；已列出的单位：{', '.join(names)}。"
                "请核对名称，或把该单位加入 supervisors（不需要汇总的单位可以不写 people）"
            )
        return self

    def supervisor(self, name: str) -> Supervisor | None:
        return next((s for s in self.supervisors if s.name == name), None)

    def get(self, org_id: str) -> Organization:
        for org in self.organizations:
            if org.id == org_id:
                return org
        raise RegistryError(f"名册中没有 id 为 {org_id!r} 的机构；可用的 id：{', '.join(o.id for o in self.organizations)}")


def _describe(loc: tuple, raw: dict) -> str:
    """'机构 某某协会（id: x）的 channels[0].url' from a pydantic error location."""
    if len(loc) >= 2 and loc[0] == "organizations" and isinstance(loc[1], int):
        orgs = raw.get("organizations") or []
        org = orgs[loc[1]] if loc[1] < len(orgs) and isinstance(orgs[loc[1]], dict) else {}
        who = f"第 {loc[1] + 1} 个机构"
        if org.get("name") or org.get("id"):
            who += f" {org.get('name', '')}（id: {org.get('id', '?')}）"
        field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[2:]).lstrip(".")
        return f"{who}的字段 {field or '(整体)'}"
    if len(loc) >= 2 and loc[0] == "supervisors" and isinstance(loc[1], int):
        units = raw.get("supervisors") or []
        unit = units[loc[1]] if loc[1] < len(units) and isinstance(units[loc[1]], dict) else {}
        who = f"第 {loc[1] + 1} 个业务主管单位" + (f" {unit['name']}" if unit.get("name") else "")
        field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[2:]).lstrip(".")
        return f"{who}的字段 {field or '(整体)'}"
    return "字段 " + (".".join(str(p) for p in loc) or "(顶层)")


def parse_registry(raw: object, source: str) -> Registry:
    """Validate already-parsed YAML; ``source`` names the file in error messages."""
    if not isinstance(raw, dict):
        raise RegistryError(f"名册 {source}：顶层应为映射，包含 organizations 列表")
    try:
        return Registry(**raw)
    except ValidationError as exc:
        lines = [f"名册 {source} 有 {exc.error_count()} 处错误："]
        for err in exc.errors():
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"  - {_describe(tuple(err['loc']), raw)}：{msg}")
        raise RegistryError("\n".join(lines)) from exc


def load_registry(path: Path | str) -> Registry:
    """Read and validate the registry YAML at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise RegistryError(f"找不到名册文件 {path}；请用 --config 指定设置文件，或在设置中填写 registry") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(f"无法读取名册文件 {path}：{exc}") from exc
    try:
        raw = yaml.load(text, Loader=_YAML_LOADER)  # the C loader reads a province-sized registry ~3x faster
    except yaml.YAMLError as exc:
        raise RegistryError(f"名册 {path} 不是有效的 YAML：{exc}") from exc
    return parse_registry(raw, str(path))
