"""orgwatch's spiders, one channel kind per module; :data:`SPIDERS` maps a channel kind to its spider."""
from __future__ import annotations

from crawlers.spiders.base import OrgwatchSpider
from crawlers.spiders.feed import FeedSpider
from crawlers.spiders.website import WebsiteSpider
from crawlers.spiders.wechat import WechatArticleSpider
from crawlers.spiders.weibo import WeiboSpider

#: ChannelJob.kind -> spider class.
SPIDERS: dict[str, type[OrgwatchSpider]] = {
    "website": WebsiteSpider,
    "feed": FeedSpider,
    "wechat_article": WechatArticleSpider,
    "weibo": WeiboSpider,
}

__all__ = ["SPIDERS", "FeedSpider", "OrgwatchSpider", "WebsiteSpider", "WechatArticleSpider", "WeiboSpider"]
