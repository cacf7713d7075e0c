"""Errors raised while reading settings and the registry."""


class ConfigError(Exception):
    """Root of configuration errors; the message says which file and field to fix."""


class RegistryError(ConfigError):
    """Raised by :func:`config.registry.load_registry` when the registry YAML is invalid."""


class SettingsError(ConfigError):
    """Raised by :func:`config.settings.load_settings` when a settings file or variable is invalid."""
