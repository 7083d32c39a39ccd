"""The SSRF guard at connect time: resolve once, check every address, connect to the address that was checked.

httpx would resolve the name itself, after any check we made, so a name that answers "public" to
the check and "127.0.0.1" a moment later (DNS rebinding) would get through. Here name resolution
happens inside the connection pool's network backend, so the address checked is the address
connected to. The URL keeps the host name, so TLS still sends it as SNI, verifies the certificate
against it, and sends it as `Host`; the pool still keys connections by name.
"""

from __future__ import annotations

import asyncio
import socket
from typing import TYPE_CHECKING, Any, Protocol

import httpcore
import httpx

from vizochok.adapters.webhook.pool import LinearPoolTransport
from vizochok.core.webhooks.ssrf import UnsafeDestination, check_addresses, check_url, is_ip_literal

if TYPE_CHECKING:
    import ssl
    from collections.abc import Iterable


class Resolver(Protocol):
    """Turns a host name into IP addresses; injected in tests so that no test touches system DNS."""

    async def __call__(self, host: str, port: int) -> list[str]:
        """Every address of `host`, in the order to try them."""
        ...


async def system_resolver(host: str, port: int) -> list[str]:
    """The operating system's resolver, off the event loop."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return []
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def resolve(resolver: Resolver, host: str, port: int) -> list[str]:
    """The addresses of `host` (itself when it is an IP literal), unchecked."""
    bare = host.strip("[]")
    return [bare] if is_ip_literal(bare) else await resolver(bare, port)


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend with the SSRF check between resolving and connecting."""

    def __init__(
        self, resolver: Resolver = system_resolver, inner: httpcore.AsyncNetworkBackend | None = None
    ) -> None:
        self._resolver = resolver
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Connect to the first reachable checked address of `host`; never re-resolve it."""
        addresses = await resolve(self._resolver, host, port)
        if not addresses:
            # A name that does not resolve right now is a connection failure (retried), not a refusal.
            raise httpcore.ConnectError(f"{host} does not resolve")
        check_addresses(host.strip("[]"), addresses)
        failure: httpcore.ConnectError | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except httpcore.ConnectError as exc:
                failure = exc
        assert failure is not None  # noqa: S101 - there was at least one address
        raise failure

    async def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:  # noqa: ARG002
        """Never: a webhook is a network address."""
        raise UnsafeDestination("unix sockets are not webhook destinations")

    async def sleep(self, seconds: float) -> None:
        """As the inner backend sleeps."""
        await self._inner.sleep(seconds)


class GuardedTransport(LinearPoolTransport):
    """An httpx transport that calls only https URLs on public addresses, checked at connect time."""

    def __init__(
        self,
        *,
        resolver: Resolver = system_resolver,
        verify: ssl.SSLContext | bool = True,
        limits: httpx.Limits = httpx.Limits(),  # noqa: B008 - immutable value object
        inner_backend: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        super().__init__(
            verify=verify, limits=limits, network_backend=GuardedNetworkBackend(resolver, inner_backend)
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Refuse anything but https before a connection is looked for."""
        check_url(str(request.url), allow_private=False)
        return await super().handle_async_request(request)


class ResolvingURLGuard:
    """The save-time check of the admin API (`URLGuard` port): the same rules, with the same resolver."""

    def __init__(self, *, allow_private: bool, resolver: Resolver = system_resolver) -> None:
        self._allow_private = allow_private
        self._resolver = resolver

    async def check(self, url: str) -> None:
        """Raise `UnsafeDestination` when `url` may not be saved."""
        target = check_url(url, allow_private=self._allow_private)
        if not self._allow_private:
            check_addresses(target.host, await resolve(self._resolver, target.host, target.port))
