"""Errors raised by the classifier package."""


class ClassifierError(Exception):
    """Root of every error raised inside ``classifier``."""


class RulePackError(ClassifierError):
    """Raised when a rule or basis pack in ``config/`` is missing or malformed."""
