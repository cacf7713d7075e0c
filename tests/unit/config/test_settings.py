"""Settings: YAML file, ORGWATCH_ variables with __ nesting, explicit overrides, clear errors."""
from __future__ import annotations

import pytest
import yaml

from config.exceptions import SettingsError
from config.settings import load_settings


def test_defaults_put_sqlite_in_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ORGWATCH_DATA_DIR", str(tmp_path / "d"))
    s = load_settings()
    assert s.db_url == f"sqlite:///{tmp_path / 'd' / 'orgwatch.db'}"
    assert s.crawl.allow_private_networks is False


def test_env_overrides_file_and_flags_override_env(tmp_path, monkeypatch):
    path = tmp_path / "orgwatch.yaml"
    path.write_text(yaml.safe_dump({"registry": "reg.yaml", "crawl": {"max_pages": 7, "timeout": 3}}))
    monkeypatch.setenv("ORGWATCH_CRAWL__ALLOW_PRIVATE_NETWORKS", "true")
    monkeypatch.setenv("ORGWATCH_CRAWL__TIMEOUT", "9")
    s = load_settings(path, database_url="sqlite:///x.db")
    assert s.crawl.max_pages == 7 and s.crawl.timeout == 9 and s.crawl.allow_private_networks
    assert s.registry == tmp_path / "reg.yaml"
    assert s.db_url == "sqlite:///x.db"


def test_bad_values_name_the_field(tmp_path, monkeypatch):
    monkeypatch.setenv("ORGWATCH_CRAWL__MAX_PAGES", "many")
    with pytest.raises(SettingsError, match="crawl.max_pages"):
        load_settings()


def test_unknown_key_in_file(tmp_path):
    path = tmp_path / "orgwatch.yaml"
    path.write_text("crawler:\n  max_pages: 3\n")
    with pytest.raises(SettingsError, match=f"设置文件 {path}.*crawler"):
        load_settings(path)


def test_every_relative_path_in_the_file_is_relative_to_the_file(tmp_path, monkeypatch):
    """Paths at any depth resolve against the settings file's folder, not the working directory."""
    conf = tmp_path / "conf"
    conf.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    (conf / "orgwatch.yaml").write_text(yaml.safe_dump({
        "registry": "registry.yaml",
        "alerts": {"secrets_file": "secrets.env", "template_dir": "templates"},
        "detect": {"lexicons": ["lex/a.yaml", str(tmp_path / "abs.yaml")]},
        "health": {"disclosure_pack": "pack.yaml"},
    }), encoding="utf-8")
    s = load_settings(conf / "orgwatch.yaml")
    assert s.registry == conf / "registry.yaml"
    assert s.alerts.secrets_file == conf / "secrets.env"
    assert s.alerts.template_dir == conf / "templates"
    assert s.detect.lexicons == [conf / "lex" / "a.yaml", tmp_path / "abs.yaml"]
    assert s.health.disclosure_pack == conf / "pack.yaml"
