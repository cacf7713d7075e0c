"""``orgwatch schedule``: scan each channel when its interval has passed, and produce the weekly
report on its day; in this process or through the Celery workers."""
from orgwatch.schedule.service import Scheduler, Skip, TickResult, resolve_mode

__all__ = ["Scheduler", "Skip", "TickResult", "resolve_mode"]
