"""The Scrapy project that fetches organisations' websites and public-account channels.

Spiders never touch the database or Apprise: a crawl runs in its own process
(:mod:`crawlers.run`) and streams :mod:`crawlers.items` events to the scan service.
"""
