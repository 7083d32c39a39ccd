"""A testing kit for vizochok and its plugins: fake models, a fake retailer, and the app's graph in memory.

```python
from vizochok.testing import Reply, build_world

async def test_my_tool():
    world = await build_world(Reply(calls=[("search_products", {"query": "молоко"})]), Reply("Ось молоко."),
                              plugins=[my_plugin])
    frames = await world.say("молоко")
    assert frames[-1]["type"] == "response_complete"
```

The world is the app's own container in its `memory` profile (`vizochok/container.py`); nothing here needs
PostgreSQL, Valkey, a model provider or the network. See docs/plugins.md.
"""

from __future__ import annotations

from vizochok.adapters.llm.fake import CallInfo, EveryToolLLM, QueueLLM, Reply, ScriptedLLM
from vizochok.testing.retailer import FakeRetailer, RetailerState
from vizochok.testing.world import (
    FAKE_PROVIDER,
    PRODUCTS,
    PUBLIC_KEY,
    STOCK,
    WORLD_SETTINGS,
    Frames,
    World,
    build_world,
    demo_world,
    memory_container,
    world_settings,
)

__all__ = [
    "FAKE_PROVIDER",
    "PRODUCTS",
    "PUBLIC_KEY",
    "STOCK",
    "WORLD_SETTINGS",
    "CallInfo",
    "EveryToolLLM",
    "FakeRetailer",
    "Frames",
    "QueueLLM",
    "Reply",
    "RetailerState",
    "ScriptedLLM",
    "World",
    "build_world",
    "demo_world",
    "memory_container",
    "world_settings",
]
