"""The web app (``orgwatch serve``): HTML pages and the JSON API over the same scoped queries."""
