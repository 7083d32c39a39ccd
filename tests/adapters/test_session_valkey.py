"""Sessions and the turn lease, on real Valkey and on the shipped in-memory store (one contract)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from valkey.asyncio import Valkey

from vizochok.adapters.session.memory import InMemorySessionStore
from vizochok.adapters.session.valkey import ValkeySessionStore
from vizochok.core.chat.state import ConversationState
from vizochok.core.models import CartItem


@pytest.fixture
def valkey_client(any_valkey: Any) -> Any:
    """This module runs on one Valkey and on a cluster (tests/conftest.py: `any_valkey`)."""
    return any_valkey


@pytest.fixture(params=["memory", "valkey"])
def store(request: pytest.FixtureRequest, valkey_client: Valkey) -> Any:
    return InMemorySessionStore() if request.param == "memory" else ValkeySessionStore(valkey_client)


def state(conversation: str, tenant: str = "tnt_a") -> ConversationState:
    return ConversationState(
        conversation_id=conversation, tenant_id=tenant, user_id="u", store_id="s",
        selection=[CartItem(sku="m", name="Молоко", price=50, quantity=2)],
    )  # fmt: skip


async def test_round_trip_and_tenant_scope(store: Any) -> None:
    await store.save(state("conv_rt"), ttl_seconds=60)
    loaded = await store.load("tnt_a", "conv_rt")
    assert loaded is not None and loaded.selection[0].quantity == 2
    assert await store.load("tnt_b", "conv_rt") is None


async def test_expiry(store: Any) -> None:
    await store.save(state("conv_exp"), ttl_seconds=1)
    await asyncio.sleep(1.2)
    assert await store.load("tnt_a", "conv_exp") is None


async def test_one_turn_at_a_time(store: Any) -> None:
    async with store.turn_lease("tnt_a", "conv_lock", 5) as first:
        async with store.turn_lease("tnt_a", "conv_lock", 5) as second:
            assert (first, second) == (True, False)
        async with store.turn_lease("tnt_b", "conv_lock", 5) as other_tenant:
            assert other_tenant is True
    async with store.turn_lease("tnt_a", "conv_lock", 5) as again:
        assert again is True


async def test_a_lease_expires_if_its_holder_dies(store: Any) -> None:
    lease = store.turn_lease("tnt_a", "conv_dead", 0.3)
    assert await lease.__aenter__() is True  # the holder never releases it
    await asyncio.sleep(0.4)
    async with store.turn_lease("tnt_a", "conv_dead", 5) as next_holder:
        assert next_holder is True


async def test_valkey_keys_carry_the_tenant(valkey_client: Valkey) -> None:
    await ValkeySessionStore(valkey_client).save(state("conv_key", tenant="tnt_key"), ttl_seconds=60)
    # The tenant is the key's hash tag: a cluster keeps a tenant's keys in one slot.
    assert await valkey_client.exists("session:{tnt_key}:conv_key") == 1
    assert 0 < await valkey_client.ttl("session:{tnt_key}:conv_key") <= 60
