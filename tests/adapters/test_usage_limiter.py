"""The `UsageLimiter` contract, on real Valkey and on the shipped in-memory twin."""

from __future__ import annotations

import asyncio
import math
import secrets
from typing import Any

import pytest
from valkey.asyncio import Valkey

from vizochok.adapters.usage.memory import InMemoryUsageLimiter
from vizochok.adapters.usage.valkey import USER_TTL_SECONDS, ValkeyUsageLimiter
from vizochok.core.usage.pricing import UsageSnapshot


@pytest.fixture
def valkey_client(any_valkey: Any) -> Any:
    """This module runs on one Valkey and on a cluster (tests/conftest.py: `any_valkey`)."""
    return any_valkey


pytestmark = pytest.mark.asyncio


@pytest.fixture(params=["memory", "valkey"])
def limiter(request: pytest.FixtureRequest, valkey_client: Valkey) -> Any:
    return InMemoryUsageLimiter() if request.param == "memory" else ValkeyUsageLimiter(valkey_client)


def uid(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(4)}"


async def test_sliding_window_counts_refusals_and_says_how_long_to_wait(limiter: Any) -> None:
    scope = uid("sock")
    assert [await limiter.hit_window("tnt_w", scope, 2, 0.5) for _ in range(2)] == [0, 0]
    wait = await limiter.hit_window("tnt_w", scope, 2, 0.5)
    assert 0 < wait <= 0.5
    await asyncio.sleep(0.3)
    # The refused hit counts too: two of the three are still inside the window.
    assert await limiter.hit_window("tnt_w", scope, 2, 0.5) > 0
    await asyncio.sleep(0.55)
    assert await limiter.hit_window("tnt_w", scope, 2, 0.5) == 0
    assert await limiter.hit_window("tnt_w", uid("sock"), 2, 0.5) == 0  # another socket has its own window


async def test_retry_after_is_until_the_oldest_hit_leaves(limiter: Any) -> None:
    scope = uid("sock")
    await limiter.hit_window("tnt_w", scope, 1, 60)
    wait = await limiter.hit_window("tnt_w", scope, 1, 60)
    assert math.ceil(wait) == 60


async def test_counters_round_trip(limiter: Any) -> None:
    tenant, user = uid("tnt"), uid("u")
    assert await limiter.snapshot(tenant, user, "2026-03-01", "2026-03") == UsageSnapshot()
    await limiter.count_user(tenant, user, "2026-03-01", messages=1, conversations=1)
    await limiter.count_user(tenant, user, "2026-03-01", messages=1, conversations=0)
    await limiter.add_tokens(tenant, "2026-03-01", "2026-03", 120)
    await limiter.add_tokens(tenant, "2026-03-02", "2026-03", 30)
    assert await limiter.snapshot(tenant, user, "2026-03-01", "2026-03") == UsageSnapshot(
        user_messages=2, user_conversations=1, tenant_tokens_day=120, tenant_tokens_month=150
    )
    # A new UTC day starts from zero; the month keeps counting.
    assert await limiter.snapshot(tenant, user, "2026-03-02", "2026-03") == UsageSnapshot(
        tenant_tokens_day=30, tenant_tokens_month=150
    )
    assert (await limiter.snapshot(uid("tnt"), user, "2026-03-01", "2026-03")).user_messages == 0


async def test_valkey_keys_and_ttls(valkey_client: Valkey) -> None:
    limiter = ValkeyUsageLimiter(valkey_client)
    tenant, user = uid("tnt"), uid("u")
    await limiter.count_user(tenant, user, "2026-03-01", messages=1, conversations=1)
    await limiter.add_tokens(tenant, "2026-03-01", "2026-03", 5)
    for suffix in ("msgs", "convs"):
        key = f"usage:{{{tenant}}}:{user}:2026-03-01:{suffix}"
        assert await valkey_client.get(key) == "1"
        assert USER_TTL_SECONDS - 5 < await valkey_client.ttl(key) <= USER_TTL_SECONDS
    assert await valkey_client.ttl(f"usage:{{{tenant}}}:tokens:2026-03-01") <= USER_TTL_SECONDS
    assert await valkey_client.ttl(f"usage:{{{tenant}}}:tokens:2026-03") > USER_TTL_SECONDS
    # The TTL runs from the day's first write: later writes do not push it back.
    await valkey_client.expire(f"usage:{{{tenant}}}:{user}:2026-03-01:msgs", 100)
    await limiter.count_user(tenant, user, "2026-03-01", messages=1, conversations=0)
    assert await valkey_client.ttl(f"usage:{{{tenant}}}:{user}:2026-03-01:msgs") <= 100


async def test_socket_cap_per_key(limiter: Any) -> None:
    key = uid("key")
    assert [await limiter.open_socket(key, f"s{i}", 3, 60) for i in range(4)] == [True, True, True, False]
    assert await limiter.open_socket(uid("key"), "s9", 3, 60) is True  # another key
    await limiter.close_socket(key, "s1")
    assert await limiter.open_socket(key, "s4", 3, 60) is True
    assert await limiter.open_socket(key, "s5", 3, 60) is False


async def test_sockets_of_a_dead_process_go_stale_but_live_ones_stay(limiter: Any) -> None:
    key = uid("key")
    assert await limiter.open_socket(key, "dead", 2, 0.4)
    assert await limiter.open_socket(key, "alive", 2, 0.4)
    assert not await limiter.open_socket(key, "new", 2, 0.4)
    for _ in range(3):
        await asyncio.sleep(0.2)
        await limiter.refresh_socket(key, "alive")  # only this one's process still beats
    assert await limiter.open_socket(key, "new", 2, 0.4) is True
    assert await limiter.open_socket(key, "more", 2, 0.4) is False
