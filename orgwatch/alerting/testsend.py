"""``orgwatch alerts test``: a short test message straight to one person's (or the operators') addresses."""
from __future__ import annotations

from dataclasses import dataclass

from alerts.channels import body_format_for, size_limit
from alerts.deliver import redact, send
from alerts.exceptions import AlertError, UnknownRecipientError
from alerts.secrets import Secrets
from models.outbox import new_message_uid
from orgwatch.alerting.common import composer_for
from orgwatch.runtime import Runtime


@dataclass(frozen=True)
class AddressCheck:
    """The result for one address: shown redacted, and the error (secrets removed) if it failed."""

    who: str
    target: str
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def addresses_of(rt: Runtime, person: str, org_id: str | None = None) -> list[tuple[str, str, str]]:
    """(who, where, url) for every address of people named ``person`` in the registry:
    organisations' people (optionally of ``org_id`` only) and supervising units' contacts."""
    registry = rt.registry
    orgs = [registry.get(org_id)] if org_id else registry.organizations
    found = [(p.name, org.name, url) for org in orgs for p in org.people if p.name == person for url in p.notify]
    if org_id is None:
        found += [(c.name, unit.name, url) for unit in registry.supervisors for c in unit.people
                  if c.name == person for url in c.notify]
    if not found:
        where = f"机构 {org_id} " if org_id else "名册"
        raise UnknownRecipientError(f"{where}中没有名为 {person!r} 且填写了 notify 地址的人；请核对名册中的 name")
    return list({url: (who, where, url) for who, where, url in found}.values())


def send_test_messages(rt: Runtime, addresses: list[tuple[str, str, str]]) -> list[AddressCheck]:
    """Send one test message to each address now (not through the outbox) and report each outcome."""
    settings = rt.settings.alerts
    composer, secrets, outcomes = composer_for(rt), Secrets(settings.secrets_file), []
    for who, where, url in addresses:
        now = rt.now()
        uid = new_message_uid(now)
        composed = composer.simple_message(
            "test", body_format=body_format_for(url), budget=size_limit(url, settings.size_limits),
            subject_context={"org_name": where},
            context={"recipient": who, "org_name": where, "uid": uid,
                     "sent_at": now.strftime("%Y-%m-%d %H:%M UTC")},
        )
        try:
            send(url, subject=composed.subject, body=composed.body, body_format=composed.body_format,
                 timeout=settings.timeout, secrets=secrets, message_id=uid)
            outcomes.append(AddressCheck(who, redact(url)))
        except AlertError as exc:
            outcomes.append(AddressCheck(who, redact(url), str(exc)))
    return outcomes
