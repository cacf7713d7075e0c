"""Errors raised by the models package."""


class StoreError(Exception):
    """Root of database errors; the message says what to do."""


class DatabaseLockedError(StoreError):
    """Raised when SQLite stays locked by another process past the busy timeout."""


class MigrationError(StoreError):
    """Raised when the schema cannot be brought up to date."""
