"""Routing rules as data: which roles a finding goes to, by category, severity and organisation.

A rule is anything with ``categories``, ``severities``, ``orgs`` (each a list or ``"all"``)
and ``roles`` (config.settings.AlertRoute). A finding goes to the union of the roles of every
rule it matches; ``supervisor`` means the daily digest of the organisation's supervising unit.
"""
from __future__ import annotations

from typing import Iterable, Protocol


class Rule(Protocol):
    categories: list[str] | str
    severities: list[str] | str
    orgs: list[str] | str
    roles: list[str]


def _matches(allowed: list[str] | str, value: str) -> bool:
    return allowed == "all" or value in allowed


def rule_matches(rule: Rule, *, category: str, severity: str, org_id: str) -> bool:
    return (_matches(rule.categories, category) and _matches(rule.severities, severity)
            and _matches(rule.orgs, org_id))


def roles_for(rules: Iterable[Rule], *, category: str, severity: str, org_id: str) -> set[str]:
    """Every role a finding of this category and severity, at this organisation, is told to."""
    roles: set[str] = set()
    for rule in rules:
        if rule_matches(rule, category=category, severity=severity, org_id=org_id):
            roles.update(rule.roles)
    return roles


def unknown_orgs(rules: Iterable[Rule], known: set[str]) -> list[str]:
    """Organisation ids named by rules but absent from the registry (typos)."""
    named = {o for r in rules if r.orgs != "all" for o in r.orgs}
    return sorted(named - known)
