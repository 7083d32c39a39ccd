"""The example third-party plugin loads through its entry point and works in a turn."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from vizochok.adapters.llm.fake import Reply
from vizochok.plugins import build_plugin_manager, build_registry
from vizochok.testing import build_world


def test_entry_point_registers_the_tool() -> None:
    tools = build_registry(build_plugin_manager(load_entrypoints=True)).all("tool")
    assert "get_delivery_slots" in tools
    assert "get_delivery_slots" not in build_registry(
        build_plugin_manager(load_entrypoints=True, allow=[])
    ).all("tool")


async def test_the_tool_in_a_turn() -> None:
    day = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
    world = await build_world(Reply(calls=[("get_delivery_slots", {"day": day})]), Reply(text="ok"))
    from vizochok.core.agent.loop import Agent

    registry = build_registry(build_plugin_manager(load_entrypoints=True))
    agent = world.chat._agent
    world.chat._agent = Agent(agent._llm_for, agent._models_for, registry.all("tool"))
    await world.open()
    await world.say("коли доставка?")
    result = world.llm.requests[-1].messages[-1]
    assert result.name == "get_delivery_slots"
    assert '"slots": [' in result.content and day in result.content
