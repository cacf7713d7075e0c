"""Scan intervals as written in the settings and the registry, and which mode ``auto`` means."""
from __future__ import annotations

import datetime as dt

import pytest

from config.exceptions import RegistryError, SettingsError
from config.registry import parse_registry
from config.settings import Settings, load_settings, parse_duration
from orgwatch.schedule import resolve_mode
from tests.integration.sitegen import ORG_USCC

H = dt.timedelta(hours=1)


@pytest.mark.parametrize("text, expected", [
    (12, 12 * H), (1.5, 1.5 * H), ("36", 36 * H), ("12h", 12 * H), ("3d", 72 * H), ("1d12h", 36 * H),
    ("90m", dt.timedelta(minutes=90)), (" 2D ", 48 * H), ("1d 6h", 30 * H), (dt.timedelta(days=2), 48 * H),
])
def test_durations(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "weekly", "3x", "h", "1.5d", "-2h", True])
def test_bad_durations_say_how_to_write_one(text):
    with pytest.raises(ValueError, match="12h、3d"):
        parse_duration(text)


def test_settings_defaults_and_errors():
    schedule = Settings().schedule
    assert schedule.interval_for("website") == dt.timedelta(days=7)
    assert {schedule.interval_for(k) for k in ("feed", "wechat_article", "weibo")} == {dt.timedelta(days=1)}
    with pytest.raises(SettingsError, match="schedule.website_interval.*至少为 10 分钟"):
        load_settings(None, schedule={"website_interval": "5m"})
    with pytest.raises(SettingsError, match="schedule.report_weekday"):
        load_settings(None, schedule={"report_weekday": 8})
    # the JSON form (ISO 8601), as settings travel to the workers, reads back the same
    assert Settings(**Settings().model_dump(mode="json")).schedule == schedule


def _registry(channel: dict) -> dict:
    return {"organizations": [{
        "id": "anhe", "name": "青溪区安和社区服务中心", "type": "social_service", "uscc": ORG_USCC,
        "registration_authority": "云川市青溪区民政局", "channels": [channel],
    }]}


def test_registry_scan_interval():
    registry = parse_registry(_registry({"kind": "feed", "url": "https://a.example.org/feed", "scan_interval": "6h"}),
                              "registry.yaml")
    assert registry.organizations[0].channels[0].scan_interval == 6 * H
    plain = parse_registry(_registry({"kind": "website", "url": "https://a.example.org/"}), "registry.yaml")
    assert plain.organizations[0].channels[0].scan_interval is None


def test_registry_scan_interval_error_names_file_org_and_field():
    with pytest.raises(RegistryError) as info:
        parse_registry(_registry({"kind": "website", "url": "https://a.example.org/", "scan_interval": "每周"}),
                       "registry.yaml")
    message = str(info.value)
    assert "名册 registry.yaml" in message
    assert "青溪区安和社区服务中心（id: anhe）的字段 channels[0].scan_interval" in message
    assert "12h、3d" in message


@pytest.mark.parametrize("written, override, expected", [
    ({}, None, "local"),
    ({"schedule": {"mode": "distributed"}}, None, "distributed"),
    ({"distributed": {"broker_url": "redis://127.0.0.1:6379/3"}}, None, "distributed"),
    ({"distributed": {"broker_url": "redis://127.0.0.1:6379/3"}}, "local", "local"),
    ({"distributed": {"queue": "other"}}, None, "local"),
])
def test_auto_mode_follows_the_broker_setting(written, override, expected):
    assert resolve_mode(Settings(**written), override) == expected
