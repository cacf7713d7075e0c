"""The registry reads clearly when it is wrong: file, organisation and field named."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from classifier.codes import uscc_check_char
from config.exceptions import RegistryError
from config.registry import load_registry

USCC = (lambda b: b + uscc_check_char(b))("51500199MJQ333444")


def org(**overrides) -> dict:
    base = {
        "id": "xiehui", "name": "青溪区书法协会", "type": "social_group", "uscc": USCC,
        "registration_authority": "云川市青溪区民政局",
        "channels": [{"kind": "website", "url": "https://www.example.org/"}],
        "people": [{"name": "刘洋", "role": "platform_manager", "notify": ["mailto://a@example.org"]}],
    }
    base.update(overrides)
    return base


def write(tmp_path: Path, *orgs: dict) -> Path:
    path = tmp_path / "registry.yaml"
    path.write_text(yaml.safe_dump({"organizations": list(orgs)}, allow_unicode=True), encoding="utf-8")
    return path


def test_valid_registry_loads(tmp_path):
    reg = load_registry(write(tmp_path, org()))
    assert reg.get("xiehui").name == "青溪区书法协会"
    assert reg.get("xiehui").people_with_role("platform_manager")[0].name == "刘洋"


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"uscc": USCC[:-1] + ("0" if USCC[-1] != "0" else "1")}, "字段 uscc：统一社会信用代码"),
        ({"type": "company"}, "字段 type："),
        ({"channels": [{"kind": "website", "url": "ftp://example.org/"}]}, "字段 channels[0].url：只支持 http 和 https"),
        ({"channels": [{"kind": "telegram", "url": "https://t.example/"}]}, "字段 channels[0].kind"),
        ({"channels": []}, "字段 channels"),
        ({"public_fundraising_qualified": True}, "fundraising_certificate"),
        ({"people": [{"name": "刘洋", "role": "boss"}]}, "字段 people[0].role"),
        ({"people": [{"name": "刘洋", "role": "other", "notify": ["a@example.org"]}]}, "Apprise URL"),
        ({"id": "Bad Id"}, "字段 id：id 只能用小写字母"),
        ({"website": "https://x.example/"}, "字段 website：Extra inputs are not permitted"),
    ],
    ids=["uscc-check", "type", "url-scheme", "channel-kind", "no-channels", "certificate", "role",
         "notify-url", "id", "unknown-field"],
)
def test_errors_name_file_org_and_field(tmp_path, overrides, expected):
    path = write(tmp_path, org(**overrides))
    with pytest.raises(RegistryError) as err:
        load_registry(path)
    text = str(err.value)
    assert str(path) in text
    assert "第 1 个机构 青溪区书法协会（id: " in text
    assert expected in text


def test_duplicate_ids(tmp_path):
    with pytest.raises(RegistryError, match="机构 id 'xiehui' 重复"):
        load_registry(write(tmp_path, org(), org(name="另一个协会")))


def test_missing_file_says_what_to_do(tmp_path):
    with pytest.raises(RegistryError, match="找不到名册文件.*--config"):
        load_registry(tmp_path / "nope.yaml")


def test_broken_yaml(tmp_path):
    path = tmp_path / "registry.yaml"
    path.write_text("organizations: [\n  - id: x\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="不是有效的 YAML"):
        load_registry(path)


def test_unknown_org_lists_known_ids(tmp_path):
    reg = load_registry(write(tmp_path, org()))
    with pytest.raises(RegistryError, match="可用的 id：xiehui"):
        reg.get("nosuch")
