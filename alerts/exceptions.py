"""Errors raised while composing or delivering alerts."""


class AlertError(Exception):
    """Root of alert errors."""


class DeliveryError(AlertError):
    """Raised by :func:`alerts.deliver.send` when a notifier refuses or cannot be reached;
    the message is Apprise's own log of the attempt, with secrets removed."""


class TemplateError(AlertError):
    """Raised when a message template is missing or fails to render."""
