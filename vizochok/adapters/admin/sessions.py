"""Admin sessions in Valkey (opaque cookie token → identity and CSRF token) and the failed-login throttle."""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING

from vizochok.core.admin import AdminIdentity

if TYPE_CHECKING:
    from valkey.asyncio import Valkey

SESSION_TTL_SECONDS = 8 * 3600

# KEYS[1] a failure counter; ARGV[1] its window in seconds. INCR and the first EXPIRE in one step,
# so a crash between them cannot leave a counter that never expires (a lockout for good).
_FAIL = """
local n = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1], 'NX')
return n
"""


def _key(token: str) -> str:
    # Only a hash of the cookie is stored: a dump of the cache does not sign anyone in.
    return "admin:session:" + hashlib.sha256(token.encode()).hexdigest()


class ValkeyAdminSessions:
    """`create` returns `(cookie token, csrf token)`; the CSRF token must come back in a header."""

    def __init__(self, client: Valkey) -> None:
        self._client = client

    async def create(self, identity: AdminIdentity) -> tuple[str, str]:
        """A new session."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        await self._client.hset(_key(token), mapping={"identity": identity.model_dump_json(), "csrf": csrf})
        await self._client.expire(_key(token), SESSION_TTL_SECONDS)
        return token, csrf

    async def get(self, token: str) -> tuple[AdminIdentity, str] | None:
        """The identity and CSRF token of a live session."""
        data = await self._client.hgetall(_key(token))
        if not data:
            return None
        return AdminIdentity.model_validate_json(data["identity"]), data["csrf"]

    async def delete(self, token: str) -> None:
        """Sign out."""
        await self._client.delete(_key(token))


class ValkeyLoginThrottle:
    """At most `attempts` failed logins per email, and ten times that per client address, in `window` seconds.

    The per-address allowance is larger because offices share an address; it stops spraying
    many accounts from one place, the per-email limit stops guessing one password.
    """

    def __init__(self, client: Valkey, attempts: int = 5, window: int = 900) -> None:
        self._client = client
        self._limits = (attempts, attempts * 10)
        self._window = window
        self._fail = client.register_script(_FAIL)

    def _keys(self, email: str, address: str) -> list[str]:
        return [f"admin:fail:email:{email.lower()}", f"admin:fail:ip:{address}"]

    async def retry_after(self, email: str, address: str) -> int:
        """Seconds until another attempt is allowed (0: allowed now)."""
        waits = []
        for key, limit in zip(self._keys(email, address), self._limits, strict=True):
            count = await self._client.get(key)
            if count is not None and int(count) >= limit:
                waits.append(max(1, await self._client.ttl(key)))
        return max(waits, default=0)

    async def failed(self, email: str, address: str) -> None:
        """Count a failure: one script per counter.

        The two counters live in different slots of a Valkey cluster, which refuses a transaction
        over both; each counter's own step is atomic, and nothing needs the two to change together.
        """
        for key in self._keys(email, address):
            await self._fail(keys=[key], args=[self._window])

    async def succeeded(self, email: str, address: str) -> None:
        """Forget the email's failures (the address keeps its count)."""
        await self._client.delete(self._keys(email, address)[0])
