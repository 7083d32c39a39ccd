"""The plugin contract: built-ins register like third parties, misspellings fail at start-up.

Observers never break turns.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pluggy
import pytest
from pydantic import BaseModel

from vizochok.adapters.llm.fake import Reply
from vizochok.core.agent.tools import ToolResult, Turn, tool
from vizochok.plugins import build_plugin_manager, build_registry, hookimpl, hookspecs
from vizochok.plugins.observer import PluginObserver
from vizochok.plugins.registry import Registry, UnknownComponentError
from vizochok.testing import build_world

HOOKS = [
    name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if hasattr(fn, "vizochok_spec")
]
DOCS = Path(__file__).parents[2] / "docs" / "plugins.md"


class EchoArgs(BaseModel):
    text: str


@tool("echo", EchoArgs, description="Repeat the text.")
async def echo(turn: Turn, args: EchoArgs) -> ToolResult:
    return ToolResult({"echo": args.text})


def test_every_hook_has_a_test_and_docs() -> None:
    source = Path(__file__).read_text()
    docs = DOCS.read_text()
    for hook in HOOKS:
        assert f"def test_hook_{hook}" in source, hook
        assert f"`{hook}" in docs, hook


def test_hook_register_tools() -> None:
    pm = build_plugin_manager(load_entrypoints=False)

    class Plugin:
        @hookimpl
        def register_tools(self, register: Any) -> None:
            register(echo)

    pm.register(Plugin())
    tools = build_registry(pm).all("tool")
    assert "echo" in tools
    assert {"search_products", "add_to_selection", "show_products"} <= set(tools)


def test_one_way_to_declare_a_tool() -> None:
    # The declaration is the source of the schema the model gets and of the calls a planner writes.
    assert echo.spec().parameters == EchoArgs.model_json_schema()
    assert echo.call(text="hi") == ("echo", {"text": "hi"})
    # A planner's invalid call is written as it is, for the loop to answer with the errors.
    assert echo.call(text=3) == ("echo", {"text": 3})

    class OldStyle:  # the four class variables of the contract before `@tool`
        name = "old"
        description = "An old tool."
        args = EchoArgs
        interactive = False

        async def run(self, turn: Turn, args: EchoArgs) -> ToolResult:
            return ToolResult({})

    with pytest.raises(TypeError, match=r"@vizochok\.core\.agent\.tools\.tool"):
        Registry().register_for("tool")(OldStyle())


def test_hook_register_rerankers() -> None:
    pm = build_plugin_manager(load_entrypoints=False)
    reranker = object()

    class Plugin:
        @hookimpl
        def register_rerankers(self, register: Any) -> None:
            register(reranker, name="mine")

    pm.register(Plugin())
    assert build_registry(pm).resolve("reranker", "mine") is reranker


def test_hook_register_llm_providers() -> None:
    registry = build_registry(build_plugin_manager(load_entrypoints=False))
    assert "offline" in registry.all("llm_provider")
    with pytest.raises(UnknownComponentError, match="did you mean 'offline'"):
        registry.resolve("llm_provider", "oflline")


def test_hook_register_search_backends() -> None:
    registry = build_registry(build_plugin_manager(load_entrypoints=False))
    assert "postgres" in registry.all("search_backend")


@pytest.mark.asyncio
async def test_hook_on_cart_changed() -> None:
    seen: list[dict[str, Any]] = []
    pm = build_plugin_manager(load_entrypoints=False)

    class Plugin:
        @hookimpl
        def on_cart_changed(self, tenant_id: str, conversation_id: str, event: dict[str, Any]) -> None:
            seen.append(event)

    pm.register(Plugin())
    world = await build_world(
        Reply(calls=[("search_products", {"query": "молоко"})]),
        Reply(calls=[("add_to_selection", {"sku": "milk-2", "quantity": 1})]),
        Reply(text="ok"),
    )
    world.chat._services.observer = PluginObserver(pm)
    await world.open()
    await world.say("додай молоко")
    assert [e["sku"] for e in seen] == ["milk-2"]


@pytest.mark.asyncio
async def test_hook_on_turn_completed() -> None:
    calls: list[tuple[int, str | None]] = []
    pm = build_plugin_manager(load_entrypoints=False)

    class Plugin:
        @hookimpl
        def on_turn_completed(
            self, tenant_id: str, conversation_id: str, turn: int, error: str | None
        ) -> None:
            calls.append((turn, error))

    class Broken:
        @hookimpl
        def on_turn_completed(self) -> None:
            raise RuntimeError("plugin bug")

    pm.register(Plugin())
    pm.register(Broken())
    world = await build_world(Reply(text="привіт"))
    world.chat._services.observer = PluginObserver(pm)
    await world.open()
    frames = await world.say("привіт")
    assert frames[-1]["type"] == "response_complete"  # the broken plugin did not fail the turn
    assert calls == [(1, None)]


def test_a_misspelt_hook_fails_at_start_up() -> None:
    pm = pluggy.PluginManager("vizochok")
    pm.add_hookspecs(hookspecs)

    class Typo:
        @hookimpl
        def register_tool(self, register: Any) -> None:
            pass

    pm.register(Typo())
    with pytest.raises(pluggy.PluginValidationError):
        pm.check_pending()


def test_two_components_with_one_name_are_refused() -> None:
    pm = build_plugin_manager(load_entrypoints=False)

    class Clash:
        @hookimpl
        def register_llm_providers(self, register: Any) -> None:
            register(object(), name="offline")

    pm.register(Clash())
    with pytest.raises(ValueError, match="two plugins register"):
        build_registry(pm)
