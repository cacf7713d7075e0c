"""Settings, the organisation registry and the rule packs, as data validated on load."""
