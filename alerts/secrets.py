"""Values for ``${NAME}`` in notify URLs: the environment first, then the secrets file.

Secret values are never stored, logged or shown: URLs are kept with their placeholders,
and :meth:`Secrets.scrub` removes the values from any text (Apprise's log, errors).
"""
from __future__ import annotations

import logging
import os
import re
import stat
from pathlib import Path
from typing import Mapping
from urllib.parse import quote

import yaml

from alerts.exceptions import SecretsError

log = logging.getLogger(__name__)
PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
MASK = "****"


class Secrets:
    """Resolves ``${NAME}``: an environment variable of that name wins over the file's entry."""

    def __init__(self, file: Path | None = None, environ: Mapping[str, str] | None = None) -> None:
        self.file = Path(file).expanduser() if file else None
        self.environ = os.environ if environ is None else environ
        self._file_values: dict[str, str] | None = None

    def _from_file(self) -> dict[str, str]:
        if self._file_values is None:
            self._file_values = read_secrets_file(self.file) if self.file else {}
        return self._file_values

    def value(self, name: str) -> str:
        if name in self.environ:
            return self.environ[name]
        values = self._from_file()
        if name in values:
            return values[name]
        where = f"环境变量或密钥文件 {self.file}" if self.file else "环境变量（也可在设置 alerts.secrets_file 指定的密钥文件中填写）"
        raise SecretsError(f"通知地址引用的 ${{{name}}} 没有值：请在{where}中设置 {name}")

    def expand(self, url: str) -> tuple[str, list[str]]:
        """The URL with every ``${NAME}`` replaced by its URL-encoded value, and the values used.

        Encoding lets a password hold ``/``, ``@`` or ``:``; a placeholder therefore stands for
        one part of a URL (a password, a token, a port), not for ``host:port``.
        """
        used: list[str] = []

        def sub(match: re.Match) -> str:
            used.append(self.value(match.group(1)))
            return quote(used[-1], safe="")

        return PLACEHOLDER.sub(sub, url), used

    def known_values(self) -> list[str]:
        """Every value in the secrets file, so that they can be scrubbed from any text."""
        try:
            return [v for v in self._from_file().values() if v]
        except SecretsError:
            return []


def scrub(text: str, secrets: list[str]) -> str:
    """``text`` with every secret value (and its URL-encoded form) replaced by ``****``."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, MASK)
        quoted = quote(secret, safe="")
        if quoted != secret:
            text = text.replace(quoted, MASK)
    return text


def read_secrets_file(path: Path) -> dict[str, str]:
    """Read a YAML mapping NAME: value. Errors name the file and line, never its content."""
    try:
        text = path.read_text(encoding="utf-8")
        mode = path.stat().st_mode
    except FileNotFoundError as exc:
        raise SecretsError(f"找不到密钥文件 {path}（设置 alerts.secrets_file）") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretsError(f"无法读取密钥文件 {path}：{type(exc).__name__}") from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("secrets file %s can be read by other users; run: chmod 600 %s", path, path)
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行附近" if mark is not None else ""
        raise SecretsError(f"密钥文件 {path} 不是有效的 YAML（{where}格式有误）") from None
    if not isinstance(data, dict) or not all(isinstance(k, str) and PLACEHOLDER.fullmatch(f"${{{k}}}") for k in data):
        raise SecretsError(f"密钥文件 {path} 应为“名称: 值”的映射，名称只能用字母、数字和下划线")
    return {k: "" if v is None else str(v) for k, v in data.items()}
