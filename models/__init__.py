"""The database: ORM classes, sessions, migrations and the small services that query them.

Only this package opens sessions.
"""
