"""Admin sessions in Valkey (opaque cookie token → identity and CSRF token) and the failed-login throttle."""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING

from vizochok.core.admin.model import AdminIdentity

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


# Checks every counter and, only when none is over its limit, counts the attempt in all of them: one
# step, so that parallel attempts cannot all pass the check before any is counted (30 parallel wrong
# passwords used to give 30 × 401 and no 429). A refused attempt is not counted, so that a flood
# against one e-mail does not also use up the address's allowance. Returns the seconds to wait.
_ATTEMPT = """
local wait = 0
for i, key in ipairs(KEYS) do
  local count = tonumber(redis.call('GET', key) or '0')
  if count >= tonumber(ARGV[i + 1]) then
    local ttl = redis.call('TTL', key)
    if ttl < 1 then ttl = 1 end
    if ttl > wait then wait = ttl end
  end
end
if wait > 0 then return wait end
for _, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then redis.call('EXPIRE', key, ARGV[1]) end
end
return 0
"""

# A success gives its attempt back: the e-mail's count is forgotten, the address's is decremented.
_SUCCEEDED = """
redis.call('DEL', KEYS[1])
if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
return 0
"""


class ValkeyLoginThrottle:
    """At most `attempts` failed logins per email, and ten times that per client address, in `window` seconds.

    The per-address allowance is larger because offices share an address; it stops spraying
    many accounts from one place, the per-email limit stops guessing one password. Every attempt
    is counted before the password is checked (`attempt`), and a success gives it back.
    """

    def __init__(self, client: Valkey, attempts: int = 5, window: int = 900) -> None:
        self._client = client
        self._limits = (attempts, attempts * 10)
        self._window = window
        self._attempt = client.register_script(_ATTEMPT)
        self._succeeded = client.register_script(_SUCCEEDED)

    def _keys(self, email: str, address: str) -> list[str]:
        # One hash tag: both keys live in the same slot of a Valkey cluster, as one script needs.
        return [f"admin:fail:{{login}}:email:{email.lower()}", f"admin:fail:{{login}}:ip:{address}"]

    async def attempt(self, email: str, address: str) -> int:
        """Count this attempt, or refuse it: seconds to wait (0: go ahead and check the password)."""
        return int(await self._attempt(keys=self._keys(email, address), args=[self._window, *self._limits]))

    async def succeeded(self, email: str, address: str) -> None:
        """The attempt was right: forget the email's failures and give the address its attempt back."""
        await self._succeeded(keys=self._keys(email, address))
