"""A testing kit for vizochok and its plugins: fake models, a fake retailer, and the app's graph in memory.

```python
from vizochok.testing import Reply, build_world

async def test_my_tool():
    world = await build_world(Reply(calls=[("search_products", {"query": "молоко"})]), Reply("Ось молоко."),
                              plugins=[my_plugin])
    frames = await world.say("молоко")
    assert frames[-1]["type"] == "response_complete"
```

Nothing here needs PostgreSQL, Valkey, a model provider or the network; see docs/plugins.md.
"""

from __future__ import annotations

from vizochok.adapters.llm.fake import CallInfo, EveryToolLLM, QueueLLM, Reply, ScriptedLLM
from vizochok.testing.retailer import FakeRetailer, RetailerState
from vizochok.testing.world import (
    PRODUCTS,
    PUBLIC_KEY,
    STOCK,
    Frames,
    MemoryAdapters,
    World,
    build_world,
    memory_container,
)

__all__ = [
    "PRODUCTS",
    "PUBLIC_KEY",
    "STOCK",
    "CallInfo",
    "EveryToolLLM",
    "FakeRetailer",
    "Frames",
    "MemoryAdapters",
    "QueueLLM",
    "Reply",
    "RetailerState",
    "ScriptedLLM",
    "World",
    "build_world",
    "memory_container",
]
