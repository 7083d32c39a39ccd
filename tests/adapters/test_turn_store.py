"""The `TurnStore` contract — a turn's start and end in one step each — on real Valkey and in memory."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import pytest
from valkey.asyncio import Valkey

from vizochok.adapters.session.memory import InMemorySessionStore
from vizochok.adapters.session.valkey import ValkeySessionStore
from vizochok.adapters.turns.memory import InMemoryTurnStore
from vizochok.adapters.turns.valkey import ValkeyTurnStore
from vizochok.adapters.usage.memory import InMemoryUsageLimiter
from vizochok.adapters.usage.valkey import ValkeyUsageLimiter
from vizochok.core.chat.state import ConversationState
from vizochok.core.chat.turns import DailyQuota, TurnEnd, TurnStart, WindowHit
from vizochok.core.usage.pricing import UsageSnapshot


@pytest.fixture
def valkey_client(any_valkey: Any) -> Any:
    """This module runs on one Valkey and on a cluster (tests/conftest.py: `any_valkey`)."""
    return any_valkey


pytestmark = pytest.mark.asyncio

DAY, MONTH = "2026-03-01", "2026-03"


class Parts:
    """The store under test, with the session store and limiter that share its data."""

    def __init__(self, kind: str, client: Valkey) -> None:
        if kind == "memory":
            self.sessions: Any = InMemorySessionStore()
            self.limiter: Any = InMemoryUsageLimiter()
            self.turns: Any = InMemoryTurnStore(self.sessions, self.limiter)
        else:
            self.sessions = ValkeySessionStore(client)
            self.limiter = ValkeyUsageLimiter(client)
            self.turns = ValkeyTurnStore(client)
        self.tenant = f"tnt_{secrets.token_hex(4)}"

    async def conversation(self, user: str = "u1") -> str:
        conversation = f"conv_{secrets.token_hex(4)}"
        state = ConversationState(
            conversation_id=conversation, tenant_id=self.tenant, user_id=user, store_id="s"
        )
        await self.sessions.save(state, 60)
        return conversation

    async def counters(self, user: str = "u1") -> UsageSnapshot:
        snapshot: UsageSnapshot = await self.limiter.snapshot(self.tenant, user, DAY, MONTH)
        return snapshot


@pytest.fixture(params=["memory", "valkey"])
def parts(request: pytest.FixtureRequest, valkey_client: Valkey) -> Parts:
    return Parts(request.param, valkey_client)


def quota(
    user: str = "u1", *, messages: int = 100, conversations: int = 100, new: bool = False, tokens: int = 10**6
) -> DailyQuota:
    return DailyQuota(
        user_id=user, day=DAY, month=MONTH, new_conversation=new, user_messages_per_day=messages,
        user_conversations_per_day=conversations, tenant_tokens_per_day=tokens, tenant_tokens_per_month=tokens,
    )  # fmt: skip


def start(parts: Parts, conversation: str, **kwargs: Any) -> TurnStart:
    return TurnStart(tenant_id=parts.tenant, conversation_id=conversation, lease_seconds=5, **kwargs)


async def test_begin_leases_loads_and_counts_then_end_saves_and_releases(parts: Parts) -> None:
    conversation = await parts.conversation()
    begun = await parts.turns.begin(start(parts, conversation, quota=quota(new=True)))
    assert begun.refused is None and begun.lease is not None and begun.state is not None
    assert begun.state.conversation_id == conversation
    assert await parts.counters() == UsageSnapshot(user_messages=1, user_conversations=1)
    # The lease is held: the same conversation is busy, and a busy turn counts nothing.
    busy = await parts.turns.begin(start(parts, conversation, quota=quota()))
    assert (busy.refused, busy.lease) == ("busy", None)
    assert (await parts.counters()).user_messages == 1

    begun.state.tokens_used = 120
    await parts.turns.end(
        begun.lease, TurnEnd(save=begun.state, ttl_seconds=60, tokens=120, day=DAY, month=MONTH)
    )
    saved = await parts.sessions.load(parts.tenant, conversation)
    assert saved is not None and saved.tokens_used == 120
    assert await parts.counters() == UsageSnapshot(
        user_messages=1, user_conversations=1, tenant_tokens_day=120, tenant_tokens_month=120
    )
    again = await parts.turns.begin(start(parts, conversation))
    assert again.lease is not None  # released
    await parts.turns.end(again.lease, TurnEnd(save=None, ttl_seconds=60))


async def test_refusals_come_in_tier_order_and_count_nothing(parts: Parts) -> None:
    conversation = await parts.conversation()
    window = WindowHit(f"socket:{secrets.token_hex(4)}", 1, 60)
    first = await parts.turns.begin(start(parts, conversation, window=window, quota=quota(messages=1)))
    assert first.lease is not None
    await parts.turns.end(first.lease, TurnEnd(save=None, ttl_seconds=60))
    # Tier 1 answers first, and its refused hits count in the window too.
    refused = await parts.turns.begin(start(parts, conversation, window=window, quota=quota(messages=1)))
    assert refused.refused == "window" and 59 < refused.retry_after <= 60
    # Then the user's messages, conversations, and the tenant's tokens, in that order.
    assert (
        await parts.turns.begin(start(parts, conversation, quota=quota(messages=1)))
    ).refused == "user_messages"
    assert (
        await parts.turns.begin(start(parts, conversation, quota=quota(conversations=0, new=True)))
    ).refused == "user_conversations"
    assert (
        await parts.turns.begin(start(parts, conversation, quota=quota(tokens=0, new=True)))
    ).refused == "tokens_day"
    assert await parts.counters() == UsageSnapshot(user_messages=1)
    # A card action has no quota: only tier 1 and the lease.
    action = await parts.turns.begin(start(parts, conversation))
    assert action.lease is not None
    await parts.turns.end(action.lease, TurnEnd(save=None, ttl_seconds=60))


async def test_an_expired_session_is_leased_but_not_counted(parts: Parts) -> None:
    begun = await parts.turns.begin(start(parts, "conv_gone", quota=quota(new=True)))
    assert begun.lease is not None and begun.state is None
    assert await parts.counters() == UsageSnapshot()
    assert (await parts.turns.begin(start(parts, "conv_gone"))).refused == "busy"
    await parts.turns.end(begun.lease, TurnEnd(save=None, ttl_seconds=60))


async def test_end_takes_back_a_count_when_the_turn_is_refused_after_begin(parts: Parts) -> None:
    conversation = await parts.conversation()
    begun = await parts.turns.begin(start(parts, conversation, quota=quota(new=True)))
    assert begun.lease is not None
    await parts.turns.end(begun.lease, TurnEnd(save=None, ttl_seconds=60, uncount=True))
    assert await parts.counters() == UsageSnapshot()


async def test_two_turns_at_the_same_moment_cannot_both_pass_the_daily_cap(parts: Parts) -> None:
    """Checking and counting are one step: of two simultaneous turns in two conversations at 1 message
    left, exactly one starts. (Reading, then counting, let both through.)
    """
    for _ in range(5):  # a few rounds: the race would not show every time
        parts.tenant = f"tnt_{secrets.token_hex(4)}"
        conversations = [await parts.conversation() for _ in range(2)]
        begun = await asyncio.gather(
            *(parts.turns.begin(start(parts, c, quota=quota(messages=1))) for c in conversations)
        )
        assert sorted(str(b.refused) for b in begun) == ["None", "user_messages"]
        assert (await parts.counters()).user_messages == 1
        for b in begun:
            if b.lease is not None:
                await parts.turns.end(b.lease, TurnEnd(save=None, ttl_seconds=60))


async def test_a_lease_that_ran_out_and_was_taken_is_not_released_by_its_first_holder(parts: Parts) -> None:
    conversation = await parts.conversation()
    first = await parts.turns.begin(
        TurnStart(tenant_id=parts.tenant, conversation_id=conversation, lease_seconds=0.2)
    )
    await asyncio.sleep(0.3)
    second = await parts.turns.begin(start(parts, conversation))
    assert first.lease is not None and second.lease is not None
    await parts.turns.end(first.lease, TurnEnd(save=None, ttl_seconds=60))
    assert (await parts.turns.begin(start(parts, conversation))).refused == "busy"
    await parts.turns.end(second.lease, TurnEnd(save=None, ttl_seconds=60))


async def test_tenants_sharing_a_user_and_conversation_id_stay_apart(
    valkey_client: Valkey, parts: Parts
) -> None:
    """Keys carry the tenant: one shop's lease, counters and session never touch another's."""
    other = Parts("valkey", valkey_client)  # another tenant id on the same Valkey
    if isinstance(parts.turns, InMemoryTurnStore):  # or in the same in-memory world
        other.sessions, other.limiter, other.turns = parts.sessions, parts.limiter, parts.turns
    conversation = await parts.conversation()
    state = ConversationState(
        conversation_id=conversation, tenant_id=other.tenant, user_id="u1", store_id="s"
    )
    await other.sessions.save(state, 60)

    mine = await parts.turns.begin(start(parts, conversation, quota=quota(messages=1)))
    assert mine.lease is not None
    theirs = await other.turns.begin(start(other, conversation, quota=quota(messages=1)))
    assert theirs.refused is None and theirs.lease is not None  # not "busy", not over a cap
    assert theirs.state is not None and theirs.state.tenant_id == other.tenant
    assert (await parts.counters()).user_messages == 1 and (await other.counters()).user_messages == 1

    mine.state.tokens_used = 50  # type: ignore[union-attr]
    await parts.turns.end(
        mine.lease, TurnEnd(save=mine.state, ttl_seconds=60, tokens=50, day=DAY, month=MONTH)
    )
    await other.turns.end(theirs.lease, TurnEnd(save=None, ttl_seconds=60))
    assert (await other.counters()).tenant_tokens_day == 0
    kept = await other.sessions.load(other.tenant, conversation)
    assert kept is not None and kept.tokens_used == 0  # the first shop's save did not land here
