"""The SSRF rules as pure functions: which addresses and URLs the platform refuses to call."""

from __future__ import annotations

import pytest

from vizochok.core.webhooks.ssrf import UnsafeDestination, address_problem, check_addresses, check_url

REFUSED = {
    "127.0.0.1": "loopback",
    "127.8.9.10": "loopback",
    "::1": "loopback",
    "10.1.2.3": "private",
    "172.16.0.1": "private",
    "192.168.1.1": "private",
    "fd12:3456::1": "private",
    "169.254.1.1": "link-local",
    "fe80::1": "link-local",
    "fe80::1%eth0": "link-local",
    "169.254.169.254": "cloud metadata",
    "fd00:ec2::254": "cloud metadata",
    "100.100.100.200": "cloud metadata",
    "168.63.129.16": "cloud metadata",
    "224.0.0.1": "multicast",
    "ff02::1": "multicast",
    "240.0.0.1": "private",  # reserved, and Python counts it as private first
    "0.0.0.0": "unspecified",  # noqa: S104 - an address under test, not a bind
    "::": "unspecified",
    "100.64.0.1": "not globally routable",
    "::ffff:127.0.0.1": "loopback",
    "::ffff:10.0.0.1": "private",
    "::ffff:169.254.169.254": "cloud metadata",
    "2002:7f00:1::": "loopback",  # 6to4 wrapping 127.0.0.1
    "::7f00:1": "reserved",  # IPv4-compatible, deprecated
    "64:ff9b::7f00:1": "reserved",
}


@pytest.mark.parametrize(("address", "label"), REFUSED.items())
def test_non_public_addresses_are_refused(address: str, label: str) -> None:
    problem = address_problem(address)
    assert problem is not None
    assert label in problem


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:93.184.216.34"]
)
def test_public_addresses_pass(address: str) -> None:
    assert address_problem(address) is None


def test_every_address_of_a_name_counts() -> None:
    check_addresses("shop.example", ["93.184.216.34", "2606:4700:4700::1111"])
    with pytest.raises(UnsafeDestination, match=r"shop\.example resolves to 10\.0\.0\.5 is a private"):
        check_addresses("shop.example", ["93.184.216.34", "10.0.0.5"])
    with pytest.raises(UnsafeDestination, match="does not resolve"):
        check_addresses("shop.example", [])


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://shop.example/hook", "https://"),
        ("ftp://shop.example/hook", "https://"),
        ("https:///hook", "no host"),
        ("https://user:pw@shop.example/hook", "user name or password"),
        ("https://127.0.0.1/hook", "loopback"),
        ("https://[::ffff:7f00:1]/hook", "loopback"),
        ("https://169.254.169.254/latest/meta-data", "cloud metadata"),
        ("https://shop.example:99999/hook", "not a valid URL"),
    ],
)
def test_urls_refused_before_any_lookup(url: str, reason: str) -> None:
    with pytest.raises(UnsafeDestination, match=reason.replace(".", r"\.").replace("/", "/")):
        check_url(url, allow_private=False)


def test_https_url_gives_its_target() -> None:
    assert check_url("https://Shop.Example/api/vizochok/check-products", allow_private=False) == (
        "shop.example",
        443,
    )
    assert check_url("https://shop.example:8443/x", allow_private=False).port == 8443


def test_allow_private_lifts_https_and_private_rules_but_not_url_sanity() -> None:
    assert check_url("http://127.0.0.1:8000/demo-retailer/products", allow_private=True) == (
        "127.0.0.1",
        8000,
    )
    with pytest.raises(UnsafeDestination):
        check_url("ftp://127.0.0.1/x", allow_private=True)
    with pytest.raises(UnsafeDestination):
        check_url("http://user:pw@127.0.0.1/x", allow_private=True)
