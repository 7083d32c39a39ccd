"""SSRF rules for webhook URLs (DECISIONS §2): https only, and no address the platform itself can reach privately.

Pure functions over strings and `ipaddress`; resolving names and connecting is the adapter's job
(`vizochok.adapters.webhook.guard`), which calls `check_addresses` on every address it is about to use.
"""

from __future__ import annotations

import ipaddress
from typing import NamedTuple
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean instance metadata
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS instance metadata over IPv6
        "100.100.100.200",  # Alibaba Cloud metadata
        "168.63.129.16",  # Azure wire server (a public address, so no other rule catches it)
        "192.0.0.192",  # Oracle Cloud metadata
    )
)
"""Cloud metadata endpoints, named explicitly because some of them are ordinary public addresses."""


class UnsafeDestination(Exception):  # noqa: N818 - named for what happened, like WebhookFailure
    """A webhook URL or address the platform refuses to call; `reason` says why, safe to show the tenant."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Target(NamedTuple):
    """Where a checked URL points."""

    host: str
    port: int


def address_problem(address: str) -> str | None:
    """Why `address` must not be called, or None when it is a public unicast address.

    IPv6 forms that embed an IPv4 address (IPv4-mapped, 6to4) are judged by the embedded address,
    so `::ffff:127.0.0.1` is loopback, not "some IPv6 address".
    """
    try:
        ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return f"{address!r} is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is not None:
            problem = address_problem(str(embedded))
            return None if problem is None else f"{problem} (embedded in {ip})"
    checks = (
        (ip in METADATA_ADDRESSES, "cloud metadata"),
        (ip.is_unspecified, "unspecified"),
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),
        (ip.is_private, "private"),
        (ip.is_reserved, "reserved"),
        # Shared (100.64/10), documentation and benchmarking ranges are neither private nor public.
        (not ip.is_global, "not globally routable"),
    )
    for failed, label in checks:
        if failed:
            return f"{ip} is a {label} address"
    return None


def check_url(url: str, *, allow_private: bool) -> Target:
    """The host and port of a webhook URL the platform may call, or `UnsafeDestination`.

    Args:
        url: As the tenant typed it.
        allow_private: Development and the demo only: also accept `http` and literal private addresses.

    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UnsafeDestination(f"not a valid URL: {exc}") from exc
    allowed = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in allowed:
        raise UnsafeDestination("the URL must start with https://")
    if not parts.hostname:
        raise UnsafeDestination("the URL has no host")
    if parts.username or parts.password:
        # Credentials in a URL end up in logs and proxies; the signature is the authentication.
        raise UnsafeDestination("the URL must not contain a user name or password")
    target = Target(parts.hostname, port or (443 if parts.scheme == "https" else 80))
    if not allow_private and is_ip_literal(target.host):
        check_addresses(target.host, [target.host])
    return target


def check_addresses(host: str, addresses: list[str]) -> None:
    """Refuse `host` when it resolved to nothing or to any address that is not public.

    Every address counts, not just the first: a name with one public and one private address
    would otherwise reach the private one whenever the resolver's order changes.
    """
    if not addresses:
        raise UnsafeDestination(f"{host} does not resolve to any address")
    for address in addresses:
        problem = address_problem(address)
        if problem is not None:
            raise UnsafeDestination(f"{host} resolves to {problem}" if host != address else problem)


def is_ip_literal(host: str) -> bool:
    """Whether `host` is an IP address rather than a name."""
    try:
        ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True
