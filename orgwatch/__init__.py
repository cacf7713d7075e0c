"""orgwatch: web-content compliance monitor for social organisations (CLI, services, reports)."""

__version__ = "0.1.0"
