"""docs/deployment.md: its YAML (settings, docker compose) parses, its systemd units are well-formed
INI naming real ``orgwatch`` commands and options, and its settings are real settings."""
from __future__ import annotations

import configparser
import re
import shlex

import pytest
import yaml
from click.testing import CliRunner

from config.settings import Settings
from orgwatch.cli import main
from tests.conftest import ROOT

DOC = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(\w*)\n(.*?)```", DOC, flags=re.S)


def blocks(language: str) -> list[str]:
    return [body for lang, body in BLOCKS if lang == language]


def orgwatch_args(command_line: str) -> list[str]:
    """The arguments after the ``orgwatch`` executable in a command line."""
    words = shlex.split(command_line)
    start = next(i for i, w in enumerate(words) if w.endswith("/orgwatch") or w == "orgwatch")
    rest = words[start + 1:]
    return rest[:next((i for i, w in enumerate(rest) if w in (">>", ">", "2>&1", "|")), len(rest))]


def assert_command_exists(args: list[str]) -> None:
    result = CliRunner().invoke(main, [*args, "--help"])
    assert result.exit_code == 0, f"orgwatch {' '.join(args)}: {result.output}"


def test_yaml_blocks_parse_and_compose_runs_the_real_commands():
    parsed = [yaml.safe_load(body) for body in blocks("yaml")]
    compose = [p for p in parsed if "services" in p]
    assert len(compose) == 1
    services = compose[0]["services"]
    assert {"postgres", "redis", "worker", "schedule", "web", "init"} <= set(services)
    for name in ("init", "worker", "schedule", "web"):
        command = services[name]["command"]
        assert command[0] == "orgwatch"
        assert_command_exists(command[1:])


@pytest.mark.parametrize("body", [b for b in blocks("yaml") if "services" not in yaml.safe_load(b)])
def test_settings_examples_are_valid_settings(body, tmp_path):
    values = yaml.safe_load(body)
    Settings(**values)  # raises on a misspelt or invalid setting


def test_systemd_units_are_well_formed_and_start_real_commands():
    units = blocks("ini")
    assert len(units) == 4
    started = set()
    for body in units:
        unit = configparser.ConfigParser(strict=False, interpolation=None)
        unit.optionxform = str  # systemd keys are case-sensitive
        unit.read_string(body)
        assert unit.sections() == ["Unit", "Service", "Install"]
        service = unit["Service"]
        assert service["User"] == "orgwatch" and "ORGWATCH_CONFIG=" in service["Environment"]
        args = [a.replace("%i", "w1") for a in orgwatch_args(service["ExecStart"])]
        assert_command_exists(args)
        started.add(args[0])
    assert started == {"schedule", "worker", "serve"}


def test_cron_line_runs_schedule_once():
    cron = [line for body in blocks("") for line in body.splitlines() if line.startswith("*/")]
    assert len(cron) == 1
    fields = cron[0].split(None, 6)
    assert fields[5] == "orgwatch"  # /etc/cron.d lines name the user
    args = orgwatch_args(fields[6])
    assert args[:2] == ["schedule", "--once"]
    assert_command_exists(args)


def test_every_schedule_setting_is_explained_here_or_in_the_reference():
    reference = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = [n for n in Settings.model_fields["schedule"].annotation.model_fields if f"`schedule.{n}`" not in reference]
    assert missing == []
    assert "deployment.md#定时扫描" in reference and "## 定时扫描" in DOC
