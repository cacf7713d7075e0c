"""The designated online fundraising platforms (Charity Law art. 27), read from ``config/fundraising_platforms.yaml``."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from classifier.exceptions import RulePackError
from classifier.textnorm import normalise_phrase

PLATFORMS_FILE = Path(__file__).resolve().parents[2] / "config" / "fundraising_platforms.yaml"


@dataclass(frozen=True)
class Platforms:
    """Names (as a regex over normalised text) and host names of the designated platforms."""

    names: re.Pattern
    domains: tuple[str, ...]

    def is_designated_url(self, url: str) -> bool:
        """True if ``url``'s host is a designated platform's host or one of its subdomains."""
        host = (urlsplit(url if "//" in url else "//" + url).hostname or "").lower().rstrip(".")
        return any(host == d or host.endswith("." + d) for d in self.domains)


@functools.cache
def platforms(path: Path = PLATFORMS_FILE) -> Platforms:
    """Load the platform list once; raises RulePackError if it is missing or malformed."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        entries = data["platforms"]
        names = [n for e in entries for n in [e["name"], *(e.get("aliases") or [])]]
        domains = tuple(str(d).lower().strip() for e in entries for d in (e.get("domains") or []))
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise RulePackError(f"无法读取互联网募捐平台名单 {path}：{exc}") from exc
    if not names:
        raise RulePackError(f"互联网募捐平台名单 {path} 是空的")
    keys = sorted({normalise_phrase(n) for n in names}, key=len, reverse=True)
    return Platforms(re.compile("|".join(map(re.escape, keys))), domains)
