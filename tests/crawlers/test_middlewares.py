"""PrivateNetworkGuard: which addresses are refused, and how."""
from __future__ import annotations

import ipaddress

import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.spiders import Spider
from scrapy.utils.test import get_crawler

from crawlers.refusals import RequestRefused
from crawlers.middlewares import PrivateNetworkGuard, check_url, is_public_address
from crawlers.settings import scrapy_settings


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.9", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),  # multicast
        ("240.0.0.1", False),  # reserved
        ("::1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
        ("ff02::1", False),
        ("8.8.8.8", True),
        ("114.114.114.114", True),
        ("2400:3200::1", True),
    ],
)
def test_is_public_address(address: str, public: bool) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/", "http://localhost/", "https://[::1]/a", "http://10.0.0.8/x"])
def test_private_hosts_are_refused(url: str) -> None:
    with pytest.raises(RequestRefused) as caught:
        check_url(url, allow_private_networks=False)
    assert isinstance(caught.value, IgnoreRequest)
    assert caught.value.reason == "private_network"
    assert "allow_private_networks" in caught.value.message


def test_private_hosts_allowed_when_configured() -> None:
    check_url("http://127.0.0.1:8000/", allow_private_networks=True)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/", "data:text/html,hi", "s3://bucket/key"])
def test_only_http_schemes(url: str) -> None:
    with pytest.raises(RequestRefused) as caught:
        check_url(url, allow_private_networks=True)
    assert caught.value.reason == "other"


def test_guard_reads_the_setting() -> None:
    settings = scrapy_settings({"allow_private_networks": True})
    guard = PrivateNetworkGuard.from_crawler(get_crawler(Spider, settings))
    assert guard.allow_private_networks is True
    guard = PrivateNetworkGuard.from_crawler(get_crawler(Spider, scrapy_settings({})))
    assert guard.allow_private_networks is False
