"""Runtime.now(): the real time on "today", a fixed day's time of day under --as-of."""
from __future__ import annotations

import datetime as dt
import time

import pytest

from config.settings import Settings
from orgwatch.runtime import Runtime


# zones far east and west of UTC: at any hour, at least one has a local date unlike the UTC date
@pytest.fixture(params=["UTC", "Asia/Shanghai", "America/Los_Angeles", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
def local_zone(request, monkeypatch):
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def test_today_in_any_time_zone_is_the_real_time(local_zone, tmp_path):
    rt = Runtime(settings=Settings(data_dir=tmp_path))  # as_of defaults to the local date
    before = dt.datetime.now(dt.timezone.utc)
    now = rt.now()
    assert before <= now <= dt.datetime.now(dt.timezone.utc)


def test_as_of_keeps_the_day_and_the_time_of_day(tmp_path):
    rt = Runtime(settings=Settings(data_dir=tmp_path), as_of=dt.date(2026, 6, 1))
    now = rt.now()
    assert now.date() == dt.date(2026, 6, 1) and now.tzinfo is not None
