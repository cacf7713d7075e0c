"""Scrapy's downloader, made to keep ``CONCURRENT_REQUESTS_PER_DOMAIN``: a request counts as in
flight from the moment its slot starts it, not from the moment its download task first runs."""
from __future__ import annotations

from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from scrapy.core.downloader import Downloader, Slot

if TYPE_CHECKING:
    from twisted.internet.defer import Deferred

    from scrapy import Request
    from scrapy.http import Response


class PoliteDownloader(Downloader):
    """The downloader with a per-site concurrency that holds under the asyncio reactor.

    In Scrapy 2.19 ``Downloader._process_queue`` starts requests with
    ``while slot.queue and slot.free_transfer_slots() > 0``, handing each to
    ``_wait_for_download`` as an asyncio task. The request only joins ``slot.transferring``
    when ``_download`` runs, i.e. after the loop has finished, so one pass starts every queued
    request for the site (up to ``CONCURRENT_REQUESTS``) whatever the per-domain limit is:
    with 2 per site, 14 requests were seen in flight at once. Upstream: scrapy/scrapy issue
    #6982. (With Twisted's own reactor the coroutine starts at once and the count was right.)

    Here the request joins ``slot.transferring`` before its task is scheduled, so the loop
    sees the slot fill up. ``Downloader._download`` adds it again (a set: no change) and
    removes it in its ``finally``, then runs the queue again, so the slot is freed exactly as
    before. Registered by the ``DOWNLOADER`` setting in :mod:`crawlers.settings`.
    """

    def _wait_for_download(
        self, slot: Slot, request: Request, queue_dfd: Deferred[Response]
    ) -> Coroutine[Any, Any, None]:
        slot.transferring.add(request)
        return super()._wait_for_download(slot, request, queue_dfd)
