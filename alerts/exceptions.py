"""Errors raised while composing or delivering alerts."""


class AlertError(Exception):
    """Root of alert errors."""


class DeliveryError(AlertError):
    """Raised by :func:`alerts.deliver.send` when a notifier refuses or cannot be reached;
    the message is Apprise's own log of the attempt, with secrets removed."""


class SecretsError(DeliveryError):
    """Raised by :class:`alerts.secrets.Secrets` when a ``${NAME}`` in a notify URL has no value,
    or the secrets file cannot be read; the message names the variable and file, never a value."""


class TemplateError(AlertError):
    """Raised by :class:`alerts.compose.Composer` when a message template is missing or fails to render."""


class UnknownRecipientError(AlertError):
    """Raised by ``orgwatch alerts test`` when no one of that name (with addresses) is in the registry."""
