"""The whole plugin contract on one page.

`register_*` hooks hand over named components once at start-up; a tenant enables them by
name in its settings, so the request path does a dict lookup, never a hook call.
`on_*` hooks observe events; their failures are logged and never fail a chat turn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from vizochok.plugins.registry import Register

hookspec = pluggy.HookspecMarker("vizochok")
hookimpl = pluggy.HookimplMarker("vizochok")


@hookspec
def register_tools(register: Register) -> None:
    """Call `register(tool)` for each agent tool (an object satisfying `vizochok.core.agent.tools.Tool`)."""


@hookspec
def register_rerankers(register: Register) -> None:
    """Call `register(reranker, name=...)` for each search reranker."""


@hookspec
def register_llm_providers(register: Register) -> None:
    """Call `register(factory, name=...)`; `factory(config: ProviderConfig)` returns an `LLM`."""


@hookspec
def register_search_backends(register: Register) -> None:
    """Call `register(factory, name=...)`; `factory(deps: SearchDeps)` (plugins.builtin.search) returns a `ProductSearch`."""


@hookspec
def on_cart_changed(tenant_id: str, conversation_id: str, event: dict[str, Any]) -> None:
    """Observe a cart change the retailer confirmed (`event` is the `cart_changed` frame)."""


@hookspec
def on_turn_completed(tenant_id: str, conversation_id: str, turn: int, error: str | None) -> None:
    """Observe the end of a chat turn; `error` is the error code when it failed."""
