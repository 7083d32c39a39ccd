"""httpcore's connection pool with its bookkeeping pass made linear (encode/httpcore#1035, still open).

httpcore 1.0 runs `_assign_requests_to_connections` for every request and every release. Its
clean-up loop recounts the pool for each connection — quadratic — and that count is of *all*
connections, not idle ones, so as soon as more than `max_keepalive_connections` are open, every
idle one is closed and the next request opens a new one (a TCP, and in production a TLS, handshake).
Measured on the chat benchmark the pass was ~15 % of the server's CPU per turn with 50 keep-alive
connections. This subclass counts idle connections once and evicts only beyond the keep-alive
limit; everything else is httpcore's own code path. `tests/adapters/http/test_webhook_pool.py`
checks the behaviour this relies on, so an httpcore that changes it fails there first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpcore
import httpx

if TYPE_CHECKING:
    import ssl

    from httpcore._async.interfaces import AsyncConnectionInterface


class LinearConnectionPool(httpcore.AsyncConnectionPool):
    """Same behaviour as `httpcore.AsyncConnectionPool`, but O(connections) per request."""

    def _assign_requests_to_connections(self) -> list[AsyncConnectionInterface]:
        closing: list[AsyncConnectionInterface] = []
        kept: list[AsyncConnectionInterface] = []
        # Closed and expired connections go, then the oldest idle ones beyond the keep-alive limit.
        live = [c for c in self._connections if not c.is_closed()]
        for existing in live:
            if existing.has_expired():
                closing.append(existing)
            else:
                kept.append(existing)
        surplus = sum(1 for c in kept if c.is_idle()) - self._max_keepalive_connections
        if surplus > 0:
            for idle in [c for c in kept if c.is_idle()][:surplus]:
                kept.remove(idle)
                closing.append(idle)
        self._connections = kept

        queued = [request for request in self._requests if request.is_queued()]
        if not queued:
            return closing
        for pool_request in queued:
            origin = pool_request.request.url.origin
            connection = next(
                (c for c in self._connections if c.can_handle_request(origin) and c.is_available()), None
            )
            if connection is not None:
                pool_request.assign_to_connection(connection)
            elif len(self._connections) < self._max_connections:
                connection = self.create_connection(origin)
                self._connections.append(connection)
                pool_request.assign_to_connection(connection)
            else:
                spare = next((c for c in self._connections if c.is_idle()), None)
                if spare is not None:
                    # Full: close an idle connection (to another origin) to make room.
                    self._connections.remove(spare)
                    closing.append(spare)
                    connection = self.create_connection(origin)
                    self._connections.append(connection)
                    pool_request.assign_to_connection(connection)
        return closing


class LinearPoolTransport(httpx.AsyncHTTPTransport):
    """httpx's transport on `LinearConnectionPool`; unguarded (for `allow_private_hosts`) unless given a backend."""

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | bool = True,
        limits: httpx.Limits = httpx.Limits(),  # noqa: B008 - immutable value object
        network_backend: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        super().__init__(verify=verify, limits=limits)
        # httpx offers no public way to choose the pool or the network backend, so the pool it built
        # is replaced by one with the same settings (httpx 0.28 names it `_pool`). Should a new httpx
        # rename it, refuse to start rather than run without this pool (or without the SSRF guard).
        if not isinstance(getattr(self, "_pool", None), httpcore.AsyncConnectionPool):
            msg = "this httpx version keeps its connection pool elsewhere; install httpx 0.27 or 0.28"
            raise RuntimeError(msg)  # noqa: TRY004 - an unsupported httpx, not a caller's wrong type
        self._pool = LinearConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=network_backend,
        )
